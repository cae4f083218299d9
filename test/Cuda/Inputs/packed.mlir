func.func @to_e2m1(%x: tensor<64xf32>) -> tensor<64xf4E2M1FN> {
  %0 = lowp.convert %x : tensor<64xf32> to tensor<64xf4E2M1FN>
  return %0 : tensor<64xf4E2M1FN>
}
