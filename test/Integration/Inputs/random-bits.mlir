// lowp.random_bits: Philox 4x32-10 words by element position.

// Seed 0, offset 0: Random123's first philox4x32_10 answer, word by word.
func.func @kat() -> tensor<4xi32> {
  %seed = arith.constant 0 : i64
  %offset = arith.constant 0 : i64
  %r = lowp.random_bits %seed, %offset : tensor<4xi32>
  return %r : tensor<4xi32>
}

// A 2-D grid of bytes (the linear index crosses rows) and a seed whose
// high word is set.
func.func @grid() -> tensor<3x7xi8> {
  %seed = arith.constant 81985529216486895 : i64
  %offset = arith.constant 7 : i64
  %r = lowp.random_bits %seed, %offset : tensor<3x7xi8>
  return %r : tensor<3x7xi8>
}

// 16-bit words, an all-ones seed, and an offset whose block counter
// carries into its high word.
func.func @wide() -> tensor<1000xui16> {
  %seed = arith.constant -1 : i64
  %offset = arith.constant 4294967200 : i64
  %r = lowp.random_bits %seed, %offset : tensor<1000xui16>
  return %r : tensor<1000xui16>
}

// Stochastic rounding with in-IR random bits.
func.func @stochastic(%x: tensor<512xf32>) -> tensor<512xf4E2M1FN> {
  %seed = arith.constant 2026 : i64
  %offset = arith.constant 0 : i64
  %r = lowp.random_bits %seed, %offset : tensor<512xi8>
  %q = lowp.convert %x random(%r : tensor<512xi8>) stochastic : tensor<512xf32> to tensor<512xf4E2M1FN>
  return %q : tensor<512xf4E2M1FN>
}
