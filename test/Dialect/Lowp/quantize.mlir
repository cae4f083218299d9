// RUN: lowp-opt %s --lowp-quantize='recipe=weights:mxfp4;activations:mxfp8_e4m3;first-last:bf16' | FileCheck %s
// RUN: lowp-opt %s --lowp-quantize='recipe=nvfp4' | FileCheck %s --check-prefix=NVFP4
// RUN: lowp-opt %s --pass-pipeline='builtin.module(lowp-quantize{recipe="weights:i8, #lowp.block_scaled<block = [16], scale = f32, rule = absmax>"})' | FileCheck %s --check-prefix=CUSTOM
// RUN: lowp-opt %s --lowp-quantize='recipe=weights:f8E4M3FN' | FileCheck %s --check-prefix=PLAIN
// RUN: lowp-opt %s --pass-pipeline='builtin.module(lowp-quantize{recipe="activations:f8E4M3FN per-tensor"})' | FileCheck %s --check-prefix=PERTENSOR

// Tests which operands a recipe quantizes and how: the constant weights of
// the matmuls, blocked along K (the rows of a K x N weight, the columns of
// an N x K transpose_rhs weight), the first and last in bf16; their
// activations along K; the matmul of two activations untouched. The
// matmuls read the encoded tensors themselves.

// CHECK-LABEL: func.func @mlp
// CHECK-SAME:    (%[[X:.+]]: tensor<4x64xf32>)
// CHECK-DAG:     %[[W1:.+]] = arith.constant dense<5.000000e-01> : tensor<32x64xf32>
// CHECK-DAG:     %[[W2:.+]] = arith.constant dense<2.500000e-01> : tensor<32x64xf32>
// CHECK-DAG:     %[[W3:.+]] = arith.constant dense<1.500000e+00> : tensor<8x64xf32>
// CHECK:         %[[B1:.+]] = lowp.convert %[[W1]] saturate : tensor<32x64xf32> to tensor<32x64xbf16>
// CHECK:         %[[A1:.+]] = lowp.quantize %[[X]] : tensor<4x64xf32> to tensor<4x64xf8E4M3FN, #lowp.block_scaled<mx>>
// CHECK:         %[[H:.+]] = lowp.matmul %[[A1]], %[[B1]] {accumulator = f32, transpose_rhs} : tensor<4x64xf8E4M3FN, #lowp.block_scaled<mx>>, tensor<32x64xbf16> -> tensor<4x32xf32>
// CHECK:         %[[Q2:.+]] = lowp.quantize %[[W2]] : tensor<32x64xf32> to tensor<32x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>
// CHECK:         %[[A2:.+]] = lowp.quantize %[[H]] : tensor<4x32xf32> to tensor<4x32xf8E4M3FN, #lowp.block_scaled<mx>>
// CHECK:         %[[G:.+]] = lowp.matmul %[[A2]], %[[Q2]] {accumulator = f32}
// CHECK:         %[[B3:.+]] = lowp.convert %[[W3]] saturate : tensor<8x64xf32> to tensor<8x64xbf16>
// CHECK:         %[[A3:.+]] = lowp.quantize %[[G]]
// CHECK:         %[[Y:.+]] = lowp.matmul %[[A3]], %[[B3]] {accumulator = f32, transpose_rhs}
// CHECK:         %[[S:.+]] = lowp.matmul %[[Y]], %[[Y]] {accumulator = f32, transpose_rhs} : tensor<4x8xf32>, tensor<4x8xf32>
// CHECK:         return %[[S]]

// NVFP4-LABEL: func.func @mlp
// NVFP4:         lowp.quantize %{{.+}} : tensor<32x64xf32> to tensor<32x64xf4E2M1FN, #lowp.block_scaled<nvfp4>>
// NVFP4:         lowp.quantize %{{.+}} : tensor<32x64xf32> to tensor<32x64xf4E2M1FN, #lowp.block_scaled<block = [16, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>>
// NVFP4:         lowp.quantize %{{.+}} : tensor<8x64xf32> to tensor<8x64xf4E2M1FN, #lowp.block_scaled<nvfp4>>
// NVFP4-NOT:     lowp.quantize
// NVFP4:         return

// CUSTOM-LABEL: func.func @mlp
// CUSTOM:         tensor<32x64xi8, #lowp.block_scaled<block = [16], scale = f32, rule = absmax>>
// CUSTOM:         tensor<32x64xi8, #lowp.block_scaled<block = [16, 1], scale = f32, rule = absmax>>

// PLAIN-LABEL: func.func @mlp
// PLAIN:         lowp.convert %{{.+}} saturate : tensor<32x64xf32> to tensor<32x64xf8E4M3FN>
// PLAIN:         lowp.matmul %{{.+}}, %{{.+}} {accumulator = f32, transpose_rhs} : tensor<4x64xf32>, tensor<32x64xf8E4M3FN>
// PERTENSOR-LABEL: func.func @mlp
// PERTENSOR:         lowp.quantize %{{.+}} : tensor<4x64xf32> to tensor<4x64xf8E4M3FN, #lowp.block_scaled<block = [4, 64], scale = f32, rule = absmax>>
// PERTENSOR:         lowp.quantize %{{.+}} : tensor<4x32xf32> to tensor<4x32xf8E4M3FN, #lowp.block_scaled<block = [4, 32], scale = f32, rule = absmax>>
// PERTENSOR:         lowp.quantize %{{.+}} : tensor<4x64xf32> to tensor<4x64xf8E4M3FN, #lowp.block_scaled<block = [4, 64], scale = f32, rule = absmax>>
// PERTENSOR-NOT:     lowp.quantize
func.func @mlp(%x: tensor<4x64xf32>) -> tensor<4x4xf32> {
  %w1 = arith.constant dense<0.5> : tensor<32x64xf32>
  %w2 = arith.constant dense<0.25> : tensor<32x64xf32>
  %w3 = arith.constant dense<1.5> : tensor<8x64xf32>
  %h = lowp.matmul %x, %w1 {accumulator = f32, transpose_rhs} : tensor<4x64xf32>, tensor<32x64xf32> -> tensor<4x32xf32>
  %wide = lowp.matmul %h, %w2 {accumulator = f32} : tensor<4x32xf32>, tensor<32x64xf32> -> tensor<4x64xf32>
  %y = lowp.matmul %wide, %w3 {accumulator = f32, transpose_rhs} : tensor<4x64xf32>, tensor<8x64xf32> -> tensor<4x8xf32>
  %s = lowp.matmul %y, %y {accumulator = f32, transpose_rhs} : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x4xf32>
  return %s : tensor<4x4xf32>
}

