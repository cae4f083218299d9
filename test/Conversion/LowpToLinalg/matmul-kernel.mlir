// RUN: lowp-opt %s --lowp-pack-boundaries --canonicalize --convert-lowp-to-linalg=vector-target=avx512 --canonicalize --cse --split-input-file | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: lowp-opt %s --lowp-pack-boundaries --canonicalize --convert-lowp-to-linalg=vector-target=generic --canonicalize --cse --split-input-file | FileCheck %s --check-prefixes=CHECK,GENERIC

// Tests that a matmul with MXFP4 weights blocked along K keeps its blocks:
// a loop over K-blocks (the E8M0 scales read once per block and tile), a
// loop over the block's rows reading the packed codes the boundary passed
// in (64 rows of 136 codes, 68 bytes each), eight f32 accumulators, and no
// dequantized copy of the weight or linalg.matmul.
// CHECK-LABEL: func.func @mxfp4(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<2x64xf32>, %[[CODES:[^:]+]]: tensor<64x68xi8>, %[[SCALES:[^:]+]]: tensor<2x136xi8>)
// CHECK-NOT:     linalg.matmul
// CHECK:         %[[ZERO:.+]] = linalg.fill
// CHECK:         scf.for %[[KB:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{.+}} = %[[ZERO]])
// CHECK:           vector.transfer_read %[[SCALES]][%[[KB]], %{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<2x136xi8>, vector<16xi8>
// CHECK:           scf.for %[[M:.+]] = %{{.+}} to %{{.+}} step
// CHECK:             scf.for %[[K:[^ ]+]] = %{{.+}} iter_args({{.+}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:               tensor.extract %[[X]][%[[M]], %[[K]]]
// CHECK:               vector.transfer_read %[[CODES]][%[[K]], %{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<64x68xi8>, vector<16xi8>
// The 16-entry E2M1 table: a lane-wise lookup (vpermps) or a select tree.
// AVX512:              vector.extract %{{.+}}[%{{.+}}] : f32 from vector<16xf32>
// GENERIC-NOT:         vector.extract
// GENERIC:             arith.select
// CHECK:               vector.fma
// CHECK:             vector.interleave
// CHECK:             vector.fma
// CHECK:             vector.transfer_write
// The last 8 columns are a masked tile.
// CHECK:           vector.transfer_read %[[SCALES]][%[[KB]], %{{.+}}], %{{.+}} : tensor<2x136xi8>, vector<16xi8>
func.func @mxfp4(%x: tensor<2x64xf32>, %w: tensor<64x136xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>) -> tensor<2x136xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<2x64xf32>, tensor<64x136xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<2x136xf32>
  return %0 : tensor<2x136xf32>
}

// -----

// Tests that NVFP4's tensor scale is hoisted out of the sums: it multiplies
// each block's scales, and no element.
// CHECK-LABEL: func.func @nvfp4(
// CHECK-SAME:      %[[TS:[^:]+]]: tensor<f32>)
// CHECK:         %[[T:.+]] = tensor.extract %[[TS]]{{\[\]}}
// CHECK:         scf.for
// CHECK:           %[[TV:.+]] = vector.broadcast %[[T]] : f32 to vector<16xf32>
// CHECK:           arith.mulf %{{.+}}, %[[TV]] : vector<16xf32>
// CHECK:           scf.for
// CHECK-NOT:         %[[TV]]
// CHECK:           return
func.func @nvfp4(%x: tensor<1x32xf32>, %w: tensor<32x128xf4E2M1FN, #lowp.block_scaled<block = [16, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>>) -> tensor<1x128xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<1x32xf32>, tensor<32x128xf4E2M1FN, #lowp.block_scaled<block = [16, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>> -> tensor<1x128xf32>
  return %0 : tensor<1x128xf32>
}
