// Results of formats narrower than 8 bits are returned packed: the
// conversion's loop writes one code a byte into a device temporary, a
// second loop packs each row's bytes in parallel.
func.func @to_e2m1(%x: tensor<64xf32>) -> tensor<64xf4E2M1FN> {
  %0 = lowp.convert %x : tensor<64xf32> to tensor<64xf4E2M1FN>
  return %0 : tensor<64xf4E2M1FN>
}
// 6-bit codes straddle bytes; rows of 10 codes are 8 bytes, the last
// padded with zero bits.
func.func @to_e2m3(%x: tensor<4x10xf32>) -> tensor<4x10xf6E2M3FN> {
  %0 = lowp.convert %x : tensor<4x10xf32> to tensor<4x10xf6E2M3FN>
  return %0 : tensor<4x10xf6E2M3FN>
}
func.func @quantize_mxfp4(%x: tensor<4x64xf32>) -> tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>> {
  %q = lowp.quantize %x : tensor<4x64xf32> to tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>
  return %q : tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>
}
