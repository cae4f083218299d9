// f32 to FP8 conversions: saturating to nearest even (the hardware cvt from
// sm_89 on), with a dynamic size, and one that overflows to NaN (integer
// element code on every chip). test/Cuda/cvt.test.
func.func @e4m3(%x: tensor<4096xf32>) -> tensor<4096xf8E4M3FN> {
  %0 = lowp.convert %x saturate : tensor<4096xf32> to tensor<4096xf8E4M3FN>
  return %0 : tensor<4096xf8E4M3FN>
}
func.func @e5m2(%x: tensor<?x128xf32>) -> tensor<?x128xf8E5M2> {
  %0 = lowp.convert %x saturate : tensor<?x128xf32> to tensor<?x128xf8E5M2>
  return %0 : tensor<?x128xf8E5M2>
}
func.func @e4m3_overflow_nan(%x: tensor<256xf32>) -> tensor<256xf8E4M3FN> {
  %0 = lowp.convert %x : tensor<256xf32> to tensor<256xf8E4M3FN>
  return %0 : tensor<256xf8E4M3FN>
}
