// Posit, HiFloat8 and logarithmic conversions in and out, for the GPU backend's tests
// (test/Cuda/tapered.test) and as an example (docs/Numerics.md).
func.func @to_posit(%x: tensor<4096xf32>) -> tensor<4096x!lowp.posit<16, 1>> {
  %0 = lowp.convert %x : tensor<4096xf32> to tensor<4096x!lowp.posit<16, 1>>
  return %0 : tensor<4096x!lowp.posit<16, 1>>
}
func.func @from_posit(%p: tensor<4096x!lowp.posit<8, 2>>) -> tensor<4096xf32> {
  %0 = lowp.convert %p : tensor<4096x!lowp.posit<8, 2>> to tensor<4096xf32>
  return %0 : tensor<4096xf32>
}
func.func @to_hif8(%x: tensor<4096xf32>) -> tensor<4096x!lowp.hif8> {
  %0 = lowp.convert %x to_nearest_away : tensor<4096xf32> to tensor<4096x!lowp.hif8>
  return %0 : tensor<4096x!lowp.hif8>
}
func.func @from_hif8(%h: tensor<4096x!lowp.hif8>) -> tensor<4096xf32> {
  %0 = lowp.convert %h : tensor<4096x!lowp.hif8> to tensor<4096xf32>
  return %0 : tensor<4096xf32>
}
func.func @to_lns(%x: tensor<4096xf32>) -> tensor<4096x!lowp.lns<4, 3>> {
  %0 = lowp.convert %x : tensor<4096xf32> to tensor<4096x!lowp.lns<4, 3>>
  return %0 : tensor<4096x!lowp.lns<4, 3>>
}
func.func @from_lns(%l: tensor<4096x!lowp.lns<5, 10>>) -> tensor<4096xbf16> {
  %0 = lowp.convert %l toward_zero : tensor<4096x!lowp.lns<5, 10>> to tensor<4096xbf16>
  return %0 : tensor<4096xbf16>
}
