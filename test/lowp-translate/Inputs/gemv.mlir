// A GEMV with MXFP4 weights, for the tests of cross-compilation.
!w = tensor<256x256xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>
func.func @gemv(%x: tensor<1x256xf32>, %w: !w) -> tensor<1x256xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<1x256xf32>, !w -> tensor<1x256xf32>
  return %y : tensor<1x256xf32>
}
