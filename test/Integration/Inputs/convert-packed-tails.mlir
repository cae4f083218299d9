// Packed conversions whose last group of 16 bytes is only part full
// (convert-packed-tails.test).
func.func @f(%x: tensor<3x10xf32>) -> tensor<3x10xf4E2M1FN> {
  %0 = lowp.convert %x : tensor<3x10xf32> to tensor<3x10xf4E2M1FN>
  return %0 : tensor<3x10xf4E2M1FN>
}
func.func @g(%x: tensor<5x36xf32>) -> tensor<5x36xi2> {
  %0 = lowp.convert %x toward_zero : tensor<5x36xf32> to tensor<5x36xi2>
  return %0 : tensor<5x36xi2>
}
