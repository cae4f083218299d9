// RUN: lowp-opt %s --lowp-vectorize --split-input-file | FileCheck %s
// RUN: lowp-opt %s --lowp-vectorize --convert-lowp-to-linalg --split-input-file | FileCheck %s --check-prefix=LOWERED

// Tests that an op no kernel covers is left for convert-lowp-to-linalg:
// stochastic rounding of f32 into FP8 is element code.
// CHECK-LABEL: func.func @kept
// CHECK-NEXT: %[[C:.+]] = lowp.convert %{{.+}} random(%{{.+}} : tensor<64xi8>) stochastic : tensor<64xf32> to tensor<64xf8E4M3FN>
// CHECK-NEXT: return %[[C]]
// LOWERED-LABEL: func.func @kept
// LOWERED-NOT: lowp.
// LOWERED-NOT: unrealized_conversion_cast
// LOWERED: return %{{.+}} : tensor<64xi8>
func.func @kept(%x: tensor<64xf32>, %r: tensor<64xi8>) -> tensor<64xf8E4M3FN> {
  %0 = lowp.convert %x random(%r : tensor<64xi8>) stochastic : tensor<64xf32> to tensor<64xf8E4M3FN>
  return %0 : tensor<64xf8E4M3FN>
}

// -----

// Tests that rounding f32 into an 8- or 16-bit format is the encode
// kernel: the f32-lane encoder on 16 lanes at a time, the codes stored by
// vector stores (non-temporal past 32 MiB, not at this size), the tail
// masked.
// CHECK-LABEL: func.func @encoded
// CHECK-NOT: lowp.convert
// CHECK: scf.for
// CHECK: %[[CODE:.+]] = arith.trunci %{{.+}} : vector<16xi32> to vector<16xi8>
// CHECK: vector.store %[[CODE]], %{{.+}}[%{{.+}}] : memref<72xi8>, vector<16xi8>
// CHECK: vector.transfer_write %{{.+}}, %{{.+}}[%{{.+}}] : vector<16xi8>, memref<72xi8>
func.func @encoded(%x: tensor<72xf32>) -> tensor<72xf8E4M3FN> {
  %0 = lowp.convert %x : tensor<72xf32> to tensor<72xf8E4M3FN>
  return %0 : tensor<72xf8E4M3FN>
}

// -----

// Tests a matmul the kernel covers but for its bf16 activation and f16
// result: the activation is decoded to f32 by the decode kernel, the
// product is the block-factored kernel's (lookups, FMAs), and the f32 sum
// is rounded into f16 by the encode kernel.
// The weight and the activation reach the kernels through casts to their
// storage, which convert-lowp-to-linalg removes (LOWERED).
// CHECK-LABEL: func.func @activation_and_result
// CHECK: builtin.unrealized_conversion_cast %{{.+}} : tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> to tensor<256x64xi8>, tensor<8x64xi8>
// CHECK: builtin.unrealized_conversion_cast %{{.+}} : tensor<1x256xbf16> to tensor<1x256xi16>
// CHECK-NOT: lowp.matmul
// CHECK: lowp.lookup
// CHECK: vector.fma
// CHECK-NOT: lowp.convert
// CHECK: vector.store %{{.+}} : memref<64xi16>, vector<16xi16>
// CHECK: return %{{.+}} : tensor<1x64xf16>
// LOWERED-LABEL: func.func @activation_and_result
// LOWERED-SAME: (%{{.+}}: tensor<1x256xi16>, %{{.+}}: tensor<256x64xi8>, %{{.+}}: tensor<8x64xi8>) -> tensor<1x64xi16>
// LOWERED-NOT: unrealized_conversion_cast
// LOWERED-NOT: lowp.{{(matmul|convert)}}
// LOWERED: return %{{.+}} : tensor<1x64xi16>
func.func @activation_and_result(%x: tensor<1x256xbf16>, %w: tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>) -> tensor<1x64xf16> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<1x256xbf16>, tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<1x64xf16>
  return %0 : tensor<1x64xf16>
}

// -----

// Tests a matmul no kernel covers (MX blocks along N): its weight is
// dequantized by the dequantize kernel, and the f32 matmul is left for
// convert-lowp-to-linalg's loop nest.
// CHECK-LABEL: func.func @blocks_along_n
// CHECK: %[[D:.+]] = tensor.expand_shape %{{.+}} {{\[\[}}0, 1]] output_shape [64, 64] : tensor<4096xf32> into tensor<64x64xf32>
// CHECK-NEXT: %[[Y:.+]] = lowp.matmul %{{.+}}, %[[D]] {accumulator = f32} : tensor<2x64xf32>, tensor<64x64xf32> -> tensor<2x64xf32>
// CHECK-NEXT: return %[[Y]]
// LOWERED-LABEL: func.func @blocks_along_n
// LOWERED: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
func.func @blocks_along_n(%x: tensor<2x64xf32>, %w: tensor<64x64xf4E2M1FN, #lowp.block_scaled<mx>>) -> tensor<2x64xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<2x64xf32>, tensor<64x64xf4E2M1FN, #lowp.block_scaled<mx>> -> tensor<2x64xf32>
  return %0 : tensor<2x64xf32>
}

// -----

// Tests that a plain FP8 weight (no encoding) reaches the matmul kernel as
// a block-scaled one with one E8M0 scale of 1 per column over all of K
// (K x N: block [64, 1], scales 1 x 128; N x K: block [1, 64], scales
// 128 x 1), and a plain f32 weight does not. The rule is absmax, under
// which integer elements keep their own values (under MX's floor they
// would be fixed point).
// CHECK-LABEL: func.func @plain_weights
// CHECK-DAG: %[[ONES:.+]] = arith.constant dense<1.000000e+00> : tensor<1x128xf8E8M0FNU>
// CHECK-DAG: %[[ONESNK:.+]] = arith.constant dense<1.000000e+00> : tensor<128x1xf8E8M0FNU>
// CHECK: lowp.assemble %{{.+}}, %[[ONES]] : tensor<64x128xf8E4M3FN>, tensor<1x128xf8E8M0FNU> to tensor<64x128xf8E4M3FN, #lowp.block_scaled<block = [64, 1], scale = f8E8M0FNU, rule = absmax>>
// CHECK: lowp.assemble %{{.+}}, %[[ONESNK]] : tensor<128x64xf8E4M3FN>, tensor<128x1xf8E8M0FNU> to tensor<128x64xf8E4M3FN, #lowp.block_scaled<block = [1, 64], scale = f8E8M0FNU, rule = absmax>>
// CHECK: %[[F32:.+]] = lowp.matmul %{{.+}}, %{{.+}} {accumulator = f32} : tensor<8x64xf32>, tensor<64x128xf32> -> tensor<8x128xf32>
// CHECK-NOT: lowp.matmul
// CHECK: return
func.func @plain_weights(%x: tensor<8x64xf8E4M3FN>, %w: tensor<64x128xf8E4M3FN>, %wt: tensor<128x64xf8E4M3FN>, %xf: tensor<8x64xf32>, %wf: tensor<64x128xf32>) -> (tensor<8x128xf32>, tensor<8x128xf32>, tensor<8x128xf32>) {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<8x64xf8E4M3FN>, tensor<64x128xf8E4M3FN> -> tensor<8x128xf32>
  %1 = lowp.matmul %x, %wt {accumulator = f32, transpose_rhs} : tensor<8x64xf8E4M3FN>, tensor<128x64xf8E4M3FN> -> tensor<8x128xf32>
  %2 = lowp.matmul %xf, %wf {accumulator = f32} : tensor<8x64xf32>, tensor<64x128xf32> -> tensor<8x128xf32>
  return %0, %1, %2 : tensor<8x128xf32>, tensor<8x128xf32>, tensor<8x128xf32>
}
