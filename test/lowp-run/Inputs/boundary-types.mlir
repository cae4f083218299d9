// Functions whose boundaries lowp's runners cannot pass (lowp-run,
// the execution library, lowp-translate's C headers).
func.func @unranked(%x: tensor<*xf8E4M3FN>) -> tensor<*xf8E4M3FN> {
  return %x : tensor<*xf8E4M3FN>
}

func.func @vector(%x: tensor<4xf32>) -> vector<16xf8E4M3FN> {
  %c = arith.constant dense<1.5> : vector<16xf8E4M3FN>
  return %c : vector<16xf8E4M3FN>
}

func.func @complex(%x: tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>> {
  return %x : tensor<4xcomplex<f32>>
}
