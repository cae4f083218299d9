// arith.fptosi into integers narrower than a byte, from f32 and from codes.
func.func @main(%y: tensor<16xf32>, %x: tensor<256xf8E4M3FN>)
    -> (tensor<16xi4>, tensor<16xi2>, tensor<256xi7>) {
  %0 = arith.fptosi %y : tensor<16xf32> to tensor<16xi4>
  %1 = arith.fptosi %y : tensor<16xf32> to tensor<16xi2>
  %2 = arith.fptosi %x : tensor<256xf8E4M3FN> to tensor<256xi7>
  return %0, %1, %2 : tensor<16xi4>, tensor<16xi2>, tensor<256xi7>
}
