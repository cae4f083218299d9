// One function lowp lowers and one it does not: lowp-run compiles only the
// entry it runs and what that calls.
func.func @ok(%x: tensor<4xf32>) -> tensor<4xf8E4M3FN> {
  %0 = lowp.convert %x : tensor<4xf32> to tensor<4xf8E4M3FN>
  return %0 : tensor<4xf8E4M3FN>
}

func.func @unlowerable(%x: tensor<?x?xf32>, %w: tensor<8x4xf32>) -> tensor<?x4xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<?x?xf32>, tensor<8x4xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
