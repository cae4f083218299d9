// RUN: lowp-opt %s --lowp-pack-boundaries --canonicalize --lowp-vectorize --convert-lowp-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// Tests that a matmul with MXFP4 weights blocked along K keeps its blocks:
// a loop over K-blocks (the E8M0 scales read once per block and tile), a
// loop over the block's rows reading the packed codes the boundary passed
// in (64 rows of 136 codes, 68 bytes each) as 16 words of 8 codes, eight
// lowp.lookups of the E2M1 table and eight f32 accumulators, a prefetch
// of the codes further on, and no dequantized copy of the weight or
// linalg.matmul. The last 8 columns are a second, masked pass.
// CHECK-LABEL: func.func @mxfp4(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<2x64xf32>, %[[CODES:[^:]+]]: tensor<64x68xi8>, %[[SCALES:[^:]+]]: tensor<2x136xi8>)
// CHECK-NOT:     linalg.matmul
// CHECK:         %[[BUFFER:.+]] = bufferization.to_buffer %[[CODES]] read_only
// CHECK:         %[[ZERO:.+]] = linalg.fill
// CHECK:         %[[FULL:.+]] = tensor.extract_slice %[[ZERO]][0, 0] [2, 128] [1, 1]
// CHECK:         scf.for %[[KB:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{.+}} = %[[FULL]])
// CHECK:           vector.transfer_read %[[SCALES]][%[[KB]], %{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<2x136xi8>, vector<16xi8>
// CHECK:           scf.for %[[M:.+]] = %{{.+}} to %{{.+}} step
// CHECK:             scf.for %[[K:[^ ]+]] = %{{.+}} iter_args({{.+}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:               tensor.extract %[[X]][%[[M]], %[[K]]]
// CHECK:               memref.prefetch %[[BUFFER]][%[[K]], %{{.+}}], read, locality<3>, data
// CHECK:               %[[BYTES:.+]] = vector.transfer_read %[[CODES]][%[[K]], %{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<64x68xi8>, vector<64xi8>
// CHECK:               %[[WORDS:.+]] = vector.bitcast %[[BYTES]] : vector<64xi8> to vector<16xi32>
// CHECK:               lowp.lookup %{{.+}}[%[[WORDS]]] : vector<16xf32>, vector<16xi32> -> vector<16xf32>
// CHECK-COUNT-7:       lowp.lookup
// CHECK-NOT:           lowp.lookup
// CHECK:               vector.fma
// CHECK:             vector.interleave
// CHECK:             vector.fma
// CHECK:             vector.transfer_write
// CHECK:         %[[WHOLE:.+]] = tensor.insert_slice
// CHECK:         tensor.extract_slice %[[WHOLE]][0, 128] [2, 8] [1, 1]
// CHECK:         scf.for
// CHECK:           vector.transfer_read %[[SCALES]][%{{.+}}, %{{.+}}], %{{.+}} : tensor<2x136xi8>, vector<16xi8>
func.func @mxfp4(%x: tensor<2x64xf32>, %w: tensor<64x136xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>) -> tensor<2x136xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<2x64xf32>, tensor<64x136xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<2x136xf32>
  return %0 : tensor<2x136xf32>
}

// -----

// Tests that whole tiles are split into equal chunks of columns computed in
// parallel: 512 columns are four chunks of one tile.
// CHECK-LABEL: func.func @parallel(
// CHECK:         scf.forall (%[[CHUNK:.+]]) in (4) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<1x512xf32>)
// CHECK:           %[[BEGIN:.+]] = arith.muli %[[CHUNK]], %{{.+}} : index
// CHECK:           tensor.extract_slice %[[OUT]][0, %[[BEGIN]]] [1, 128] [1, 1]
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %{{.+}} into %[[OUT]][0, %[[BEGIN]]] [1, 128] [1, 1]
func.func @parallel(%x: tensor<1x32xf32>, %w: tensor<32x512xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>) -> tensor<1x512xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<1x32xf32>, tensor<32x512xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<1x512xf32>
  return %0 : tensor<1x512xf32>
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

// -----

// Tests that a block of 128 rows is summed in four passes of 32 rows, each
// reading the scales and zero points of block pass / 4, that the zero
// points are read packed as they arrive (64 bytes, two codes each, the high
// nibble split off by a shift and interleaved back into column order: no
// unpack loop), and subtracted from the decoded elements.
// CHECK-LABEL: func.func @int4_g128(
// CHECK-SAME:      %[[SCALES:[^:]+]]: tensor<2x128xi16>, %[[ZEROS:[^:]+]]: tensor<2x64xi8>)
// CHECK-NOT:     linalg.generic
// CHECK:         scf.for %[[PASS:.+]] = %{{.+}} to %[[PASSES:.+]] step
// CHECK:           %[[KB:.+]] = arith.divui %[[PASS]], %{{.+}} : index
// CHECK:           %[[ZERO_BYTES:.+]] = vector.transfer_read %[[ZEROS]][%[[KB]], %{{.+}}]{{.*}} : tensor<2x64xi8>, vector<64xi8>
// CHECK:           %[[ZERO_LANES:.+]] = arith.extui %[[ZERO_BYTES]] : vector<64xi8> to vector<64xi32>
// CHECK:           %[[HIGH:.+]] = arith.shrui %[[ZERO_LANES]]
// CHECK:           vector.interleave %[[ZERO_LANES]], %[[HIGH]] : vector<64xi32> -> vector<128xi32>
// CHECK:           vector.transfer_read %[[SCALES]][%[[KB]], %{{.+}}]
// CHECK:           arith.muli %[[PASS]], %{{.+}} : index
// CHECK:             scf.for
// CHECK:               lowp.lookup
// CHECK-NEXT:          arith.subf
func.func @int4_g128(%x: tensor<1x256xf32>, %w: tensor<256x128xui4, #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>>) -> tensor<1x128xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<1x256xf32>, tensor<256x128xui4, #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>> -> tensor<1x128xf32>
  return %0 : tensor<1x128xf32>
}

// -----

// Tests the kernel for an N x K weight (transpose_rhs, blocks along its
// rows): x is first copied with each chunk of 128 columns in phase order;
// then, in parallel chunks of weight rows, each packed row is read as
// words of 8 codes, multiplied with the phased activations, scaled per
// lane by its block's scale (four lanes per block of 32: one shuffle of 4
// scales), and reduced to one output element.
// CHECK-LABEL: func.func @nk(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<2x256xf32>, %[[CODES:[^:]+]]: tensor<24x128xi8>, %[[SCALES:[^:]+]]: tensor<24x8xi8>)
// CHECK-NOT:     linalg.matmul
// CHECK:         %[[PHASED:[^ ]+]] = scf.for
// CHECK:           vector.transfer_read %[[X]]{{.+}} : tensor<2x256xf32>, vector<128xf32>
// CHECK:           vector.deinterleave
// CHECK:         scf.forall (%{{.+}}) in (8) shared_outs
// CHECK:           scf.for %[[N:[^ ]+]] =
// CHECK:             scf.for %[[M:[^ ]+]] =
// CHECK:               scf.for {{.+}} -> (vector<16xf32>)
// CHECK:                 %[[BYTES:.+]] = vector.transfer_read %[[CODES]][%{{.+}}, %{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<24x128xi8>, vector<64xi8>
// CHECK:                 %[[WORDS:.+]] = vector.bitcast %[[BYTES]] : vector<64xi8> to vector<16xi32>
// CHECK:                 lowp.lookup %{{.+}}[%[[WORDS]]]
// CHECK:                 vector.transfer_read %[[PHASED]][%[[M]], %{{.+}}]
// CHECK-COUNT-7:         lowp.lookup
// CHECK:                 vector.transfer_read %[[SCALES]][%{{.+}}, %{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<24x8xi8>, vector<4xi8>
// CHECK:                 vector.shuffle %{{.+}}, %{{.+}} [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3] : vector<4xf32>, vector<4xf32>
// CHECK:               vector.reduction <add>
// CHECK:               tensor.insert %{{.+}} into %{{.+}}[%[[M]], %{{.+}}] : tensor<2x3xf32>
func.func @nk(%x: tensor<2x256xf32>, %w: tensor<24x256xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>) -> tensor<2x24xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<2x256xf32>, tensor<24x256xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>> -> tensor<2x24xf32>
  return %0 : tensor<2x24xf32>
}

// -----

// Rows of the activations known only at run time: the same kernel, its
// result and row loops sized by tensor.dim of x.
// CHECK-LABEL: func.func @dynamic_rows(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<?x256xf32>
// CHECK-NOT:     linalg.matmul
// CHECK:         %[[ROWS:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x256xf32>
// CHECK:         scf.if
// CHECK:         tensor.empty(%[[ROWS]]) : tensor<?x128xf32>
// The N x K GEMM (6 rows and more) builds a panel of the weight's values
// over all 256 rows of K (two stacked 64-column slabs), sub-pass by
// sub-pass of 32 rows within a block, each transposed column times its
// outputs' scales, and adds the register tiles' sums to y unscaled.
// CHECK:         %[[PANEL:.+]] = bufferization.alloc_tensor() : tensor<512x64xf32>
// CHECK-NOT:     bufferization.alloc_tensor
// CHECK:         scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[C32:.+]] iter_args(%{{.+}} = %[[PANEL]]) -> (tensor<512x64xf32>)
// CHECK:           scf.for %{{.+}} -> (tensor<512x64xf32>)
// CHECK:             vector.shuffle
// CHECK:             %[[SCALED:.+]] = arith.mulf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK:             vector.transfer_write %[[SCALED]], %{{.+}} : vector<16xf32>, tensor<512x64xf32>
// CHECK:         %[[SUMS:.+]]:16 = scf.for %{{.+}} = %{{.+}} to %[[C256:.+]] step
// CHECK-COUNT-16:  vector.fma
// CHECK:         %[[OLD:.+]] = vector.transfer_read
// CHECK-NEXT:    arith.addf %[[OLD]], %[[SUMS]]#0 : vector<16xf32>
// CHECK:         scf.for %{{.+}} = %{{.+}} to %[[ROWS]] step
// CHECK:           vector.fma
// CHECK:         return %{{.+}} : tensor<?x128xf32>
func.func @dynamic_rows(%x: tensor<?x256xf32>, %w: tensor<128x256xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>) -> tensor<?x128xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<?x256xf32>, tensor<128x256xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>> -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

// Tests that a GEMM with f32 activations decodes a panel of the weight's
// values: each block's E4M3 scales (times the tensor scale) multiply its
// decoded elements as they are written into the panel, whose two 64-column
// slabs are stacked (128 x 64 for all 64 rows of K, one pass of four
// blocks of 16), and the register tiles' sums over the whole pass are
// added to y with no scale.
// CHECK-LABEL: func.func @gemm_nvfp4(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<8x64xf32>, %[[CODES:[^:]+]]: tensor<64x64xi8>, %[[SCALES:[^:]+]]: tensor<4x128xi8>, %[[TS:[^:]+]]: tensor<f32>)
// CHECK:         %[[TENSOR:.+]] = tensor.extract %[[TS]][]
// CHECK:         %[[PANEL:.+]] = bufferization.alloc_tensor() : tensor<128x64xf32>
// CHECK-NOT:     bufferization.alloc_tensor
// CHECK:         scf.for %[[K0:.+]] = %{{.+}} to %{{.+}} step %[[C16:.+]] iter_args(%{{.+}} = %[[PANEL]]) -> (tensor<128x64xf32>)
// CHECK:           %[[KB:.+]] = arith.divui %[[K0]], %[[C16]]
// CHECK:           vector.transfer_read %[[SCALES]][%[[KB]], %{{.+}}]
// CHECK:           %[[FACTOR:.+]] = vector.broadcast %[[TENSOR]] : f32 to vector<16xf32>
// CHECK:           %[[SCALE0:.+]] = arith.mulf %{{.+}}, %[[FACTOR]] : vector<16xf32>
// CHECK:           scf.for %[[K:.+]] = %{{.+}} iter_args(%[[P:.+]] = %{{.+}}) -> (tensor<128x64xf32>)
// CHECK:             %[[ROW:.+]] = arith.addi %[[K0]], %[[K]]
// CHECK:             vector.transfer_read %[[CODES]][%[[ROW]], %{{.+}}]
// CHECK:             %[[VALUE:.+]] = lowp.lookup
// CHECK:             %[[SCALED:.+]] = arith.mulf %[[VALUE]], %[[SCALE0]] : vector<16xf32>
// CHECK:             vector.transfer_write %[[SCALED]], %[[P]][%[[ROW]], %{{.+}}]
// CHECK:         scf.for %[[M:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[Y:.+]] = %{{.+}}) -> (tensor<8x128xf32>)
// CHECK:           %[[SUMS:.+]]:16 = scf.for %{{.+}} = %{{.+}} to %[[C64:.+]] step
// CHECK-COUNT-16:    vector.fma
// CHECK:             scf.yield
// CHECK:           %[[OLD:.+]] = vector.transfer_read %[[Y]][%[[M]], %{{.+}}]
// CHECK-NEXT:      %[[NEW:.+]] = arith.addf %[[OLD]], %[[SUMS]]#0 : vector<16xf32>
// CHECK-NEXT:      vector.transfer_write %[[NEW]], %[[Y]][%[[M]], %{{.+}}]
// CHECK-NOT:       arith.mulf
// CHECK:         return
func.func @gemm_nvfp4(%x: tensor<8x64xf32>, %w: tensor<64x128xf4E2M1FN, #lowp.block_scaled<block = [16, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>>) -> tensor<8x128xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<8x64xf32>, tensor<64x128xf4E2M1FN, #lowp.block_scaled<block = [16, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>> -> tensor<8x128xf32>
  return %0 : tensor<8x128xf32>
}
