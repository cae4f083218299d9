// arith.bitcast between formats of one width: the same bits, whichever way
// each stores a code narrower than its container (a float's code in the
// low bits, a signed integer sign-extended).
func.func @f4_to_i4(%x: tensor<16xf4E2M1FN>) -> (tensor<16xi4>, tensor<16xi32>) {
  %r = arith.bitcast %x : tensor<16xf4E2M1FN> to tensor<16xi4>
  %w = arith.extsi %r : tensor<16xi4> to tensor<16xi32>
  return %r, %w : tensor<16xi4>, tensor<16xi32>
}

func.func @i4_to_f4(%x: tensor<16xi4>) -> (tensor<16xf4E2M1FN>, tensor<16xf32>) {
  %r = arith.bitcast %x : tensor<16xi4> to tensor<16xf4E2M1FN>
  %w = lowp.convert %r : tensor<16xf4E2M1FN> to tensor<16xf32>
  return %r, %w : tensor<16xf4E2M1FN>, tensor<16xf32>
}

func.func @i4_to_f4_scalar(%t: i4) -> f4E2M1FN {
  %u = arith.bitcast %t : i4 to f4E2M1FN
  return %u : f4E2M1FN
}

func.func @bf16_to_i16(%x: tensor<8xbf16>) -> tensor<8xi16> {
  %r = arith.bitcast %x : tensor<8xbf16> to tensor<8xi16>
  return %r : tensor<8xi16>
}
