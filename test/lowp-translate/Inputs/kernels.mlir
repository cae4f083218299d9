func.func @to_i4(%x: tensor<4xf32>) -> tensor<4xi4> {
  %0 = lowp.convert %x : tensor<4xf32> to tensor<4xi4>
  return %0 : tensor<4xi4>
}

func.func @scalar(%x: f32) -> f32 {
  %0 = lowp.convert %x : f32 to f8E4M3FN
  %1 = lowp.convert %0 : f8E4M3FN to f32
  return %1 : f32
}

func.func @mxfp4(%x: tensor<32xf32>) -> tensor<32xf4E2M1FN, #lowp.block_scaled<mx>> {
  %0 = lowp.quantize %x : tensor<32xf32> to tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
  return %0 : tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
}
