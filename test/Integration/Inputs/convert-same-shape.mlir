// Conversions of the same shape in one function: each writes a buffer of
// its own, though their empty results are alike.

func.func @decode_twice(%a: tensor<3x8x!lowp.float<e3m3>>,
                        %b: tensor<3x8x!lowp.float<e3m3>>)
    -> (tensor<3x8xf32>, tensor<3x8xf32>) {
  %x = lowp.convert %a : tensor<3x8x!lowp.float<e3m3>> to tensor<3x8xf32>
  %y = lowp.convert %b : tensor<3x8x!lowp.float<e3m3>> to tensor<3x8xf32>
  return %x, %y : tensor<3x8xf32>, tensor<3x8xf32>
}

func.func @encode_twice(%a: tensor<3x8xf32>, %b: tensor<3x8xf32>)
    -> (tensor<3x8x!lowp.float<e3m3>>, tensor<3x8x!lowp.float<e3m3>>,
        tensor<3x8xf32>) {
  %x = lowp.convert %a : tensor<3x8xf32> to tensor<3x8x!lowp.float<e3m3>>
  %y = lowp.convert %b : tensor<3x8xf32> to tensor<3x8x!lowp.float<e3m3>>
  // A third, read back: its buffer is a temporary.
  %t = lowp.convert %b : tensor<3x8xf32> to tensor<3x8x!lowp.float<e3m3>>
  %z = lowp.convert %t : tensor<3x8x!lowp.float<e3m3>> to tensor<3x8xf32>
  return %x, %y, %z : tensor<3x8x!lowp.float<e3m3>>,
                      tensor<3x8x!lowp.float<e3m3>>, tensor<3x8xf32>
}
