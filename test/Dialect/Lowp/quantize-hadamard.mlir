// RUN: lowp-opt %s --lowp-quantize='recipe=weights:mxfp4;activations:mxfp8_e4m3;hadamard:32/7' | FileCheck %s
// RUN: lowp-opt %s --lowp-quantize='recipe=weights:mxfp4;hadamard:32/7' --canonicalize | FileCheck %s --check-prefix=FOLDED
// RUN: lowp-opt %s --lowp-quantize='recipe=weights:mxfp4;hadamard:64' 2>&1 | FileCheck %s --check-prefix=WARN
// RUN: not lowp-opt %s --lowp-quantize='recipe=weights:mxfp4;hadamard:24' 2>&1 | FileCheck %s --check-prefix=BAD

// A recipe's hadamard entry transforms both operands of each weight matmul
// along K (the columns of an N x K weight, the rows of a K x N one) before
// they are quantized; canonicalization transforms and quantizes constant
// weights at compile time, so only the activations' transform is left.

// CHECK-LABEL: func.func @linear
// CHECK-SAME:    (%[[X:.+]]: tensor<4x96xf32>)
// CHECK:         %[[W:.+]] = arith.constant dense<2.500000e-01> : tensor<16x96xf32>
// CHECK:         %[[HX:.+]] = lowp.hadamard %[[X]] {axis = 1 : i64, block = 32 : i64, seed = 7 : i64} : tensor<4x96xf32>
// CHECK:         %[[HW:.+]] = lowp.hadamard %[[W]] {axis = 1 : i64, block = 32 : i64, seed = 7 : i64} : tensor<16x96xf32>
// CHECK:         %[[QW:.+]] = lowp.quantize %[[HW]] : tensor<16x96xf32> to tensor<16x96xf4E2M1FN, #lowp.block_scaled<mx>>
// CHECK:         %[[QX:.+]] = lowp.quantize %[[HX]] : tensor<4x96xf32> to tensor<4x96xf8E4M3FN, #lowp.block_scaled<mx>>
// CHECK:         lowp.matmul %[[QX]], %[[QW]] {accumulator = f32, transpose_rhs}

// FOLDED-LABEL: func.func @linear
// FOLDED:         lowp.hadamard %{{.+}} {axis = 1 : i64, block = 32 : i64, seed = 7 : i64} : tensor<4x96xf32>
// FOLDED-NOT:     lowp.hadamard
// FOLDED-NOT:     lowp.quantize
// FOLDED:         lowp.matmul
func.func @linear(%x: tensor<4x96xf32>) -> tensor<4x16xf32> {
  %w = arith.constant dense<0.25> : tensor<16x96xf32>
  // WARN: quantize-hadamard.mlir:[[@LINE+1]]:8: warning: lowp-quantize: no Hadamard transform here: its block 64 does not divide K ('tensor<4x96xf32>')
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<4x96xf32>, tensor<16x96xf32> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// CHECK-LABEL: func.func @k_by_n
// CHECK:         lowp.hadamard %{{.+}} {axis = 1 : i64, block = 32 : i64, seed = 7 : i64} : tensor<2x64xf32>
// CHECK:         lowp.hadamard %{{.+}} {axis = 0 : i64, block = 32 : i64, seed = 7 : i64} : tensor<64x8xf32>
// BAD: error: lowp-quantize: recipe entry 'hadamard:24': expected hadamard:B or hadamard:B/SEED, B a power of two from 2 to 1024 and SEED an integer
func.func @k_by_n(%x: tensor<2x64xf32>) -> tensor<2x8xf32> {
  %w = arith.constant dense<0.5> : tensor<64x8xf32>
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<2x64xf32>, tensor<64x8xf32> -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
