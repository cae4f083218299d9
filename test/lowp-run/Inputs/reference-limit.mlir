// A linalg.matmul of 512^3 loop points: more than the reference
// interpreter runs element by element.
func.func @big() -> tensor<512x512xbf16> {
  %a = arith.constant dense<1.0> : tensor<512x512xbf16>
  %m = linalg.matmul ins(%a, %a : tensor<512x512xbf16>, tensor<512x512xbf16>) outs(%a : tensor<512x512xbf16>) -> tensor<512x512xbf16>
  return %m : tensor<512x512xbf16>
}
