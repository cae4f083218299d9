// Elementwise functions that lowp-cuda-pipeline compiles into one kernel
// each (test/Cuda/ptx.test).

func.func @to_e4m3(%x: tensor<4096xf32>) -> tensor<4096xf8E4M3FN> {
  %0 = lowp.convert %x : tensor<4096xf32> to tensor<4096xf8E4M3FN>
  return %0 : tensor<4096xf8E4M3FN>
}

// A 2-D tensor whose rows are not a multiple of the block (100 of 256).
func.func @to_e5m2(%x: tensor<7x100xf32>) -> tensor<7x100xf8E5M2> {
  %0 = lowp.convert %x toward_zero saturate : tensor<7x100xf32> to tensor<7x100xf8E5M2>
  return %0 : tensor<7x100xf8E5M2>
}

// arith on bf16: in f64 between exact conversions, rounded once.
func.func @add_bf16(%a: tensor<1024xbf16>, %b: tensor<1024xbf16>) -> tensor<1024xbf16> {
  %c = arith.addf %a, %b : tensor<1024xbf16>
  return %c : tensor<1024xbf16>
}

// A round trip through E4M3 and a product: three ops, one fused kernel.
func.func @round_trip(%x: tensor<64xf32>) -> tensor<64xf32> {
  %a = lowp.convert %x : tensor<64xf32> to tensor<64xf8E4M3FN>
  %b = lowp.convert %a : tensor<64xf8E4M3FN> to tensor<64xf32>
  %c = arith.mulf %b, %x : tensor<64xf32>
  return %c : tensor<64xf32>
}

// Stochastic rounding into a parametric format stored in bytes.
func.func @stochastic(%x: tensor<512xf32>, %r: tensor<512xi8>) -> tensor<512x!lowp.float<e5m3, unsigned, finite>> {
  %y = lowp.convert %x random(%r : tensor<512xi8>) stochastic : tensor<512xf32> to tensor<512x!lowp.float<e5m3, unsigned, finite>>
  return %y : tensor<512x!lowp.float<e5m3, unsigned, finite>>
}
