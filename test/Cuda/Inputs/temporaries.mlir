// Quantizing takes two loop nests (each block's scale, then the elements).
func.func @quantize(%x: tensor<8x64xf32>) -> tensor<8x64xf8E4M3FN, #lowp.block_scaled<mx>> {
  %q = lowp.quantize %x : tensor<8x64xf32> to tensor<8x64xf8E4M3FN, #lowp.block_scaled<mx>>
  return %q : tensor<8x64xf8E4M3FN, #lowp.block_scaled<mx>>
}
