// A matmul whose sums overflow f32: +inf, -inf, and max (max - max + max).
func.func @main(%x: tensor<1x2xf32>, %w: tensor<2x3xf32>) -> tensor<1x3xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<1x2xf32>, tensor<2x3xf32> -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}
