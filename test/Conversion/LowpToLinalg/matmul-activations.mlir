// RUN: lowp-opt %s --lowp-pack-boundaries --canonicalize --lowp-vectorize=vector-target=avx512-bf16 --convert-lowp-to-linalg --canonicalize --cse --split-input-file | FileCheck %s --check-prefixes=CHECK,BF16
// RUN: lowp-opt %s --lowp-pack-boundaries --canonicalize --lowp-vectorize=vector-target=avx512 --convert-lowp-to-linalg --canonicalize --cse --split-input-file | FileCheck %s --check-prefixes=CHECK,F32
// RUN: not lowp-opt %s --lowp-vectorize=vector-target=sse9 --split-input-file 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: unknown vector-target 'sse9'; expected host, avx512-bf16, avx512, avx2 or generic

// Tests that an MXFP8 activation reaches the K x N kernel as its parts:
// its E4M3 codes decoded once (to bf16 codes where the target has
// AVX512_BF16, every E4M3 and E2M1 value being a bf16 value; to f32
// otherwise), its E8M0 scales once into an 8 x 2 f32 tensor, and each
// register tile's sums multiplied by its row's scale before the weight's.
// With AVX512_BF16 the panel holds two rows of bf16 codes per word (16
// words a column for a pass of 32 rows, the two 64-column slabs of the
// register tiles stacked) and the register tile is 16
// vdpbf16ps per pair of rows; without, 16 f32 FMAs per row.
// CHECK-LABEL: func.func @mxfp8_mxfp4(
// CHECK-SAME:      %[[CODES:[^:]+]]: tensor<8x64xi8>, %[[XSCALES:[^:]+]]: tensor<8x2xi8>
// CHECK-NOT:     lowp.dequantize
// BF16:          %[[PAIRS:.+]] = scf.for {{.+}} -> (tensor<8x64xi16>)
// BF16:            vector.transfer_read %[[CODES]]
// BF16:            arith.trunci %{{.+}} : vector<16xi32> to vector<16xi16>
// F32:           %[[VALUES:.+]] = scf.for {{.+}} -> (tensor<8x64xf32>)
// F32:             vector.transfer_read %[[CODES]]
// CHECK:         %[[ROWSCALES:.+]] = scf.for {{.+}} -> (tensor<8x2xf32>)
// CHECK:           vector.transfer_read %[[XSCALES]]
// BF16:          bufferization.alloc_tensor() : tensor<32x64xi32>
// F32:           bufferization.alloc_tensor() : tensor<64x64xf32>
// BF16:          scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{.+}}) -> (tensor<32x64xi32>)
// BF16:            arith.shrui
// BF16:            arith.andi
// BF16:            arith.ori
// BF16:          scf.for %[[PAIR:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args({{.+}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// BF16-COUNT-4:      vector.bitcast %{{.+}} : vector<16xi32> to vector<32xbf16>
// BF16:              vector.transfer_read %[[PAIRS]][%{{.+}}, %{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<8x64xi16>, vector<2xi16>
// BF16-COUNT-16:     x86vector.avx512.dot %{{.+}}, %{{.+}}, %{{.+}} : vector<32xbf16> -> vector<16xf32>
// BF16-NOT:          vector.fma
// BF16:              scf.yield
// F32-NOT:       x86vector
// F32:           scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args({{.+}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// F32:               tensor.extract %[[VALUES]]
// F32-COUNT-4:       vector.fma
// F32:               scf.yield
// CHECK:         %[[ROWSCALE:.+]] = tensor.extract %[[ROWSCALES]]
// CHECK:         %[[BROADCAST:.+]] = vector.broadcast %[[ROWSCALE]] : f32 to vector<16xf32>
// CHECK:         %[[SCALED:.+]] = arith.mulf %{{.+}}, %[[BROADCAST]] : vector<16xf32>
// CHECK:         vector.fma %[[SCALED]], %{{.+}}, %{{.+}} : vector<16xf32>
func.func @mxfp8_mxfp4(%x: tensor<8x64xf8E4M3FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>, %w: tensor<64x128xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>) -> tensor<8x128xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<8x64xf8E4M3FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>, tensor<64x128xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<8x128xf32>
  return %0 : tensor<8x128xf32>
}

// -----

// Tests that NF4's values, which bf16 does not hold, keep f32 FMAs even
// where the target has AVX512_BF16.
// CHECK-LABEL: func.func @e4m3_nf4(
// CHECK-NOT:     x86vector
// CHECK:         vector.fma
// CHECK-NOT:     x86vector
func.func @e4m3_nf4(%x: tensor<8x64xf8E4M3FN>, %w: tensor<64x128x!lowp.codebook<nf4>, #lowp.block_scaled<block = [64, 1], scale = f32, rule = absmax>>) -> tensor<8x128xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<8x64xf8E4M3FN>, tensor<64x128x!lowp.codebook<nf4>, #lowp.block_scaled<block = [64, 1], scale = f32, rule = absmax>> -> tensor<8x128xf32>
  return %0 : tensor<8x128xf32>
}

// -----

// Tests that the N x K kernel, which reads f32 activations, gets the MXFP8
// activation dequantized first by the dequantize kernel (into 512 f32
// values, shaped 8 x 64), and no bf16 pairs.
// CHECK-LABEL: func.func @mxfp8_mxfp4_nk(
// CHECK-NOT:     x86vector
// CHECK-NOT:     tensor<8x64xi16>
// CHECK:         tensor.expand_shape %{{.+}} {{\[\[}}0, 1]] output_shape [8, 64] : tensor<512xf32> into tensor<8x64xf32>
// CHECK-NOT:     x86vector
func.func @mxfp8_mxfp4_nk(%x: tensor<8x64xf8E4M3FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>, %w: tensor<128x64xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>) -> tensor<8x128xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<8x64xf8E4M3FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>, tensor<128x64xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>> -> tensor<8x128xf32>
  return %0 : tensor<8x128xf32>
}

// -----

// Tests that bf16 activations, whose subnormals vdpbf16ps would flush to
// zero, keep f32 FMAs where the target has AVX512_BF16.
// CHECK-LABEL: func.func @bf16_mxfp4(
// CHECK-NOT:     x86vector
// CHECK:         vector.fma
// CHECK-NOT:     x86vector
func.func @bf16_mxfp4(%x: tensor<8x64xbf16>, %w: tensor<64x128xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>) -> tensor<8x128xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<8x64xbf16>, tensor<64x128xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<8x128xf32>
  return %0 : tensor<8x128xf32>
}
