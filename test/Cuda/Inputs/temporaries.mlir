// Functions whose loop nests pass buffers between them, which the CUDA
// backend allocates in device memory.

// Quantizing takes two loop nests (each block's scale, then the elements).
func.func @quantize(%x: tensor<8x64xf32>) -> tensor<8x64xf8E4M3FN, #lowp.block_scaled<mx>> {
  %q = lowp.quantize %x : tensor<8x64xf32> to tensor<8x64xf8E4M3FN, #lowp.block_scaled<mx>>
  return %q : tensor<8x64xf8E4M3FN, #lowp.block_scaled<mx>>
}

// A matmul kernel's f32 result, rounded to bf16 by the next kernel.
func.func @matmul_bf16(%x: tensor<2x256xf32>, %w: tensor<64x256xf4E2M1FN, #lowp.block_scaled<mx>>) -> tensor<2x64xbf16> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<2x256xf32>, tensor<64x256xf4E2M1FN, #lowp.block_scaled<mx>> -> tensor<2x64xf32>
  %b = lowp.convert %y : tensor<2x64xf32> to tensor<2x64xbf16>
  return %b : tensor<2x64xbf16>
}

// A constant operand: the kernel reads its device copy.
func.func @add_constant(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.constant dense<[1.0, -2.5, 3.0e+10, 0.125]> : tensor<4xf32>
  %y = arith.addf %x, %c : tensor<4xf32>
  return %y : tensor<4xf32>
}
