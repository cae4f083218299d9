// RUN: lowp-opt %s --convert-lowp-to-linalg --split-input-file --verify-diagnostics

// Tests that what is not lowered yet is an error and not a crash or a
// silent wrong answer.
func.func @f(%x: tensor<?x32xf32>) -> tensor<?x32xf4E2M1FN, #lowp.block_scaled<mx>> {
  // expected-error @below {{'lowp.quantize' op block-scaled tensors with dynamic shapes are not lowered yet}}
  %0 = lowp.quantize %x : tensor<?x32xf32> to tensor<?x32xf4E2M1FN, #lowp.block_scaled<mx>>
  return %0 : tensor<?x32xf4E2M1FN, #lowp.block_scaled<mx>>
}


// -----

// Only the rows of a matmul's activations may be dynamic: a dynamic K could
// disagree with the weight's at run time.
func.func @f(%x: tensor<?x?xf32>, %w: tensor<8x4xf32>) -> tensor<?x4xf32> {
  // expected-error @below {{'lowp.matmul' op dynamic sizes other than the rows of lhs are not lowered yet (dimension 1)}}
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<?x?xf32>, tensor<8x4xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
