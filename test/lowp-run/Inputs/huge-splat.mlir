// A 10^13-element splat converted to E4M3FN: it folds to a splat, compiles
// to a fill (not a 10 TB global), and is too large for any machine's
// memory at run time.
func.func @main() -> tensor<10000000000000xf8E4M3FN> {
  %c = arith.constant dense<1.5> : tensor<10000000000000xf32>
  %r = lowp.convert %c : tensor<10000000000000xf32> to tensor<10000000000000xf8E4M3FN>
  return %r : tensor<10000000000000xf8E4M3FN>
}
