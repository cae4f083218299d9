// RUN: lowp-opt %s --lowp-propagate-scales --split-input-file | FileCheck %s

!mx = tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

// Tests that a matmul of a weight dequantized to f32 reads the encoded
// weight, and that the dequantize, now dead, is gone.
// CHECK-LABEL: func.func @dequantized_weight(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4x64xf32>, %[[Q:[^:]+]]: tensor<64x16xf4E2M1FN
// CHECK-NOT:     lowp.dequantize
// CHECK:         lowp.matmul %[[X]], %[[Q]] {accumulator = f32} : tensor<4x64xf32>, tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<4x16xf32>
func.func @dequantized_weight(%x: tensor<4x64xf32>, %q: !mx) -> tensor<4x16xf32> {
  %w = lowp.dequantize %q : !mx to tensor<64x16xf32>
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<4x64xf32>, tensor<64x16xf32> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

!mx = tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

// Tests that a dequantize with other uses stays for them.
// CHECK-LABEL: func.func @shared_dequantize(
// CHECK-SAME:      %{{[^:]+}}: tensor<4x64xf32>, %[[Q:[^:]+]]: tensor<64x16xf4E2M1FN
// CHECK:         %[[W:.+]] = lowp.dequantize %[[Q]]
// CHECK:         %[[Y:.+]] = lowp.matmul %{{.+}}, %[[Q]]
// CHECK:         return %[[Y]], %[[W]]
func.func @shared_dequantize(%x: tensor<4x64xf32>, %q: !mx) -> (tensor<4x16xf32>, tensor<64x16xf32>) {
  %w = lowp.dequantize %q : !mx to tensor<64x16xf32>
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<4x64xf32>, tensor<64x16xf32> -> tensor<4x16xf32>
  return %y, %w : tensor<4x16xf32>, tensor<64x16xf32>
}

// -----

!mx = tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

// Tests that a dequantize to bf16 is kept: the matmul rounds its operands
// to f32, and a bf16 operand has been rounded further.
// CHECK-LABEL: func.func @bf16_dequantize(
// CHECK:         %[[W:.+]] = lowp.dequantize
// CHECK:         lowp.matmul %{{.+}}, %[[W]]
func.func @bf16_dequantize(%x: tensor<4x64xf32>, %q: !mx) -> tensor<4x16xf32> {
  %w = lowp.dequantize %q : !mx to tensor<64x16xbf16>
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<4x64xf32>, tensor<64x16xbf16> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

!nk = tensor<16x64xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>

// Tests the same on an N x K weight and a dequantized activation.
// CHECK-LABEL: func.func @both_operands(
// CHECK-SAME:      %[[A:[^:]+]]: tensor<4x64xf4E2M1FN, {{.+}}>, %[[Q:[^:]+]]: tensor<16x64xf4E2M1FN
// CHECK:         lowp.matmul %[[A]], %[[Q]] {accumulator = f32, transpose_rhs}
func.func @both_operands(%a: tensor<4x64xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>, %q: !nk) -> tensor<4x16xf32> {
  %x = lowp.dequantize %a : tensor<4x64xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>> to tensor<4x64xf32>
  %w = lowp.dequantize %q : !nk to tensor<16x64xf32>
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<4x64xf32>, tensor<16x64xf32> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
