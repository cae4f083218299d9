// Conversions large enough (2^17 elements) for lowp-parallelize-elementwise
// to split them among threads (convert-parallel.test).
func.func @to_e4m3(%x: tensor<131072xf32>) -> tensor<131072xf8E4M3FN> {
  %y = lowp.convert %x : tensor<131072xf32> to tensor<131072xf8E4M3FN>
  return %y : tensor<131072xf8E4M3FN>
}
func.func @to_e2m1(%x: tensor<131072xf32>) -> tensor<131072xf4E2M1FN> {
  %y = lowp.convert %x : tensor<131072xf32> to tensor<131072xf4E2M1FN>
  return %y : tensor<131072xf4E2M1FN>
}
func.func @through_e3m2(%x: tensor<512x256xf32>) -> tensor<512x256xf32> {
  %y = lowp.convert %x : tensor<512x256xf32> to tensor<512x256xf6E3M2FN>
  %z = lowp.convert %y : tensor<512x256xf6E3M2FN> to tensor<512x256xf32>
  return %z : tensor<512x256xf32>
}
