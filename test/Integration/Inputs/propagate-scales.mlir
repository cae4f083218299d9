// Programs as importers write them, with the values dequantized before a
// reshape, a broadcast or a multiplication by a constant, which
// lowp-propagate-scales turns into the same ops on the encoded tensors (or
// out of the matmul), so that the kernels see the blocks.
!mxfp8_3d = tensor<2x3x64xf8E4M3FN, #lowp.block_scaled<mx>>
!mxfp4_nk = tensor<16x64xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>
!tiles = tensor<32x16xf8E4M3FN, #lowp.block_scaled<block = [16, 16], scale = f32, rule = absmax>>
!mxfp4 = tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>
!int4 = tensor<128x16xui4, #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>>
!nvfp4 = tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [16, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>>
!mxfp4_kn = tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

// MXFP8 activations [B, S, K] collapsed into rows for an MXFP4 weight.
func.func @collapse_rows(%a: !mxfp8_3d, %w: !mxfp4_nk) -> tensor<6x16xf32> {
  %x = lowp.dequantize %a : !mxfp8_3d to tensor<2x3x64xf32>
  %rows = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x3x64xf32> into tensor<6x64xf32>
  %wd = lowp.dequantize %w : !mxfp4_nk to tensor<16x64xf32>
  %y = lowp.matmul %rows, %wd {accumulator = f32, transpose_rhs} : tensor<6x64xf32>, tensor<16x64xf32> -> tensor<6x16xf32>
  return %y : tensor<6x16xf32>
}

// 16 x 16 tiles in whole rows of 16: collapsed, blocks of 256.
func.func @collapse_tiles(%q: !tiles) -> tensor<512xf32> {
  %x = lowp.dequantize %q : !tiles to tensor<32x16xf32>
  %flat = tensor.collapse_shape %x [[0, 1]] : tensor<32x16xf32> into tensor<512xf32>
  return %flat : tensor<512xf32>
}

// Rows of 64 expanded into 8 x 8: each block of 32 becomes 4 x 8.
func.func @expand_blocks(%q: !mxfp4) -> tensor<4x8x8xf32> {
  %x = lowp.dequantize %q : !mxfp4 to tensor<4x64xf32>
  %e = tensor.expand_shape %x [[0], [1, 2]] output_shape [4, 8, 8] : tensor<4x64xf32> into tensor<4x8x8xf32>
  return %e : tensor<4x8x8xf32>
}

// An int4-g128 weight with zero points broadcast along a new batch.
func.func @broadcast_int4(%q: !int4) -> tensor<2x128x16xf32> {
  %w = lowp.dequantize %q : !int4 to tensor<128x16xf32>
  %init = tensor.empty() : tensor<2x128x16xf32>
  %b = linalg.broadcast ins(%w : tensor<128x16xf32>) outs(%init : tensor<2x128x16xf32>) dimensions = [0]
  return %b : tensor<2x128x16xf32>
}

// A batched matmul of one NVFP4 weight broadcast along the batch.
func.func @batched_broadcast_weight(%x: tensor<2x3x64xf32>, %q: !nvfp4) -> tensor<2x3x16xf32> {
  %w = lowp.dequantize %q : !nvfp4 to tensor<64x16xf32>
  %init = tensor.empty() : tensor<2x64x16xf32>
  %b = linalg.broadcast ins(%w : tensor<64x16xf32>) outs(%init : tensor<2x64x16xf32>) dimensions = [0]
  %y = lowp.matmul %x, %b {accumulator = f32} : tensor<2x3x64xf32>, tensor<2x64x16xf32> -> tensor<2x3x16xf32>
  return %y : tensor<2x3x16xf32>
}

// An int4-g128 weight times 1/8: exact for every value it holds.
func.func @scaled_int4(%x: tensor<3x128xf32>, %q: !int4) -> tensor<3x16xf32> {
  %w = lowp.dequantize %q : !int4 to tensor<128x16xf32>
  %c = arith.constant dense<0.125> : tensor<128x16xf32>
  %s = arith.mulf %w, %c : tensor<128x16xf32>
  %y = lowp.matmul %x, %s {accumulator = f32} : tensor<3x128xf32>, tensor<128x16xf32> -> tensor<3x16xf32>
  return %y : tensor<3x16xf32>
}

// An MXFP4 weight times -2, which may overflow where a scale is near
// 2^127: rewritten because the mulf allows reassociation.
func.func @scaled_mxfp4_reassoc(%x: tensor<3x64xf32>, %q: !mxfp4_kn) -> tensor<3x16xf32> {
  %w = lowp.dequantize %q : !mxfp4_kn to tensor<64x16xf32>
  %c = arith.constant dense<-2.0> : tensor<64x16xf32>
  %s = arith.mulf %c, %w fastmath<reassoc> : tensor<64x16xf32>
  %y = lowp.matmul %x, %s {accumulator = f32} : tensor<3x64xf32>, tensor<64x16xf32> -> tensor<3x16xf32>
  return %y : tensor<3x16xf32>
}

// NVFP4 activations [B, S, K] collapsed into rows: the tensor scale stays.
func.func @collapse_nvfp4(%q: tensor<2x3x64xf4E2M1FN, #lowp.block_scaled<nvfp4>>) -> tensor<6x64xf32> {
  %x = lowp.dequantize %q : tensor<2x3x64xf4E2M1FN, #lowp.block_scaled<nvfp4>> to tensor<2x3x64xf32>
  %rows = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x3x64xf32> into tensor<6x64xf32>
  return %rows : tensor<6x64xf32>
}
