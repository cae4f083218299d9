// NVFP4-style encodings whose tensor scale is bf16, f16 or E4M3FN rather
// than f32, quantized and dequantized across function boundaries
// (tensor-scales.test).
!bf16 = tensor<32xf4E2M1FN, #lowp.block_scaled<block = [16], scale = f8E4M3FN, tensor_scale = bf16, rule = nvfp4>>
!f16 = tensor<32xf4E2M1FN, #lowp.block_scaled<block = [16], scale = f8E4M3FN, tensor_scale = f16, rule = nvfp4>>
!e4m3 = tensor<32xf4E2M1FN, #lowp.block_scaled<block = [16], scale = f8E4M3FN, tensor_scale = f8E4M3FN, rule = nvfp4>>

func.func @quantize_bf16(%x: tensor<32xf32>) -> !bf16 {
  %q = lowp.quantize %x : tensor<32xf32> to !bf16
  return %q : !bf16
}
func.func @dequantize_bf16(%q: !bf16) -> tensor<32xf32> {
  %x = lowp.dequantize %q : !bf16 to tensor<32xf32>
  return %x : tensor<32xf32>
}
func.func @quantize_f16(%x: tensor<32xf32>) -> !f16 {
  %q = lowp.quantize %x : tensor<32xf32> to !f16
  return %q : !f16
}
func.func @dequantize_f16(%q: !f16) -> tensor<32xf32> {
  %x = lowp.dequantize %q : !f16 to tensor<32xf32>
  return %x : tensor<32xf32>
}
func.func @quantize_e4m3(%x: tensor<32xf32>) -> !e4m3 {
  %q = lowp.quantize %x : tensor<32xf32> to !e4m3
  return %q : !e4m3
}
func.func @dequantize_e4m3(%q: !e4m3) -> tensor<32xf32> {
  %x = lowp.dequantize %q : !e4m3 to tensor<32xf32>
  return %x : tensor<32xf32>
}
