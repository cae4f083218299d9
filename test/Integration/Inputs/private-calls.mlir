// A block-scaled tensor passed to a private function: it crosses the call
// as its parts through convert-lowp-to-linalg's 1:N type conversion.
func.func @main(%x: tensor<2x32xf32>) -> tensor<2x32xf32> {
  %q = lowp.quantize %x : tensor<2x32xf32> to tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>>
  %0 = func.call @deq(%q) : (tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>>) -> tensor<2x32xf32>
  return %0 : tensor<2x32xf32>
}
func.func private @deq(%q: tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>>) -> tensor<2x32xf32> {
  %0 = lowp.dequantize %q : tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>> to tensor<2x32xf32>
  return %0 : tensor<2x32xf32>
}
