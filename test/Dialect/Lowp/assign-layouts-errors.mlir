// RUN: lowp-opt %s --lowp-assign-layouts --split-input-file --verify-diagnostics

// Tests that an existing symbol of the name the pass would give is an error
// at the function, not a silent overwrite.
// expected-error @below {{lowp-assign-layouts: cannot add @clash_prepack for this function's prepacked weights: the module already has a symbol of that name}}
func.func @clash(%x: tensor<1x256xf32>, %w: tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>) -> tensor<1x64xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<1x256xf32>, tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}
func.func private @clash_prepack()

// -----

// Tests that a function already named like a prepacked entry point, but of
// another signature, is a clash too.
// expected-error @below {{lowp-assign-layouts: cannot add @other_prepack for this function's prepacked weights: the module already has a symbol of that name}}
func.func @other(%x: tensor<1x256xf32>, %w: tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>) -> tensor<1x64xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<1x256xf32>, tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}
func.func @other_prepack(%w: tensor<4xf32>) -> tensor<4xf32> {
  return %w : tensor<4xf32>
}
func.func @other_prepacked(%w: tensor<4xf32>) -> tensor<4xf32> {
  return %w : tensor<4xf32>
}
