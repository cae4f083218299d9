// Blocks of 8 that each choice of {E2M1, INT4, E3M0} represents exactly,
// and a matmul whose weight chooses per block of 32 along K (the product
// dequantizes it first: no matmul kernel reads selectors yet).
!q = tensor<4x8xui4, #lowp.block_scaled<block = [8], scale = f8E8M0FNU, rule = floor, choices = [f4E2M1FN, i4, !lowp.float<e3m0, finite>]>>
!w = tensor<64x32xui4, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor, choices = [f4E2M1FN, i4]>>

func.func @matmul(%x: tensor<8x64xf32>, %wf: tensor<64x32xf32>) -> tensor<8x32xf32> {
  %w = lowp.quantize %wf : tensor<64x32xf32> to !w
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<8x64xf32>, !w -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

func.func @main() -> (!q, tensor<4x8xf32>, tensor<8x32xf32>) {
  %x = arith.constant dense<[[0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -6.0],
                             [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, -7.0],
                             [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0],
                             [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<4x8xf32>
  %q = lowp.quantize %x : tensor<4x8xf32> to !q
  %d = lowp.dequantize %q : !q to tensor<4x8xf32>
  %a = tensor.empty() : tensor<8x64xf32>
  %lhs = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} outs(%a : tensor<8x64xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c37 = arith.constant 37 : index
    %c11 = arith.constant 11 : index
    %c17 = arith.constant 17 : index
    %a0 = arith.muli %i, %c37 : index
    %a1 = arith.muli %j, %c11 : index
    %s = arith.addi %a0, %a1 : index
    %m = arith.remui %s, %c17 : index
    %n = arith.index_cast %m : index to i32
    %f = arith.sitofp %n : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %step = arith.constant 0.3 : f32
    %centred = arith.subf %f, %c8 : f32
    %v = arith.mulf %centred, %step : f32
    linalg.yield %v : f32
  } -> tensor<8x64xf32>
  %b = tensor.empty() : tensor<64x32xf32>
  %rhs = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} outs(%b : tensor<64x32xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c7 = arith.constant 7 : index
    %c3 = arith.constant 3 : index
    %c23 = arith.constant 23 : index
    %k = arith.muli %i, %j : index
    %k7 = arith.muli %k, %c7 : index
    %s = arith.addi %k7, %c3 : index
    %m = arith.remui %s, %c23 : index
    %n = arith.index_cast %m : index to i32
    %f = arith.sitofp %n : i32 to f32
    %c11 = arith.constant 11.0 : f32
    %step = arith.constant 0.1 : f32
    %centred = arith.subf %f, %c11 : f32
    %v = arith.mulf %centred, %step : f32
    linalg.yield %v : f32
  } -> tensor<64x32xf32>
  %y = func.call @matmul(%lhs, %rhs) : (tensor<8x64xf32>, tensor<64x32xf32>) -> tensor<8x32xf32>
  return %q, %d, %y : !q, tensor<4x8xf32>, tensor<8x32xf32>
}

// Quantization and dequantization with choices at run time (the GPU test
// assembles their kernels).
!m = tensor<64x256xui4, #lowp.block_scaled<block = [32], scale = f8E8M0FNU, rule = floor, choices = [f4E2M1FN, i4, !lowp.float<e3m0, finite>]>>
func.func @quantize_choices(%x: tensor<64x256xf32>) -> !m {
  %q = lowp.quantize %x : tensor<64x256xf32> to !m
  return %q : !m
}
func.func @dequantize_choices(%q: !m) -> tensor<64x256xf32> {
  %d = lowp.dequantize %q : !m to tensor<64x256xf32>
  return %d : tensor<64x256xf32>
}

// The N x K matmul kernel (row dots) with choices: code and selector
// index one table of 32 or 64 values. @gemv quantizes its weight (codes
// one per byte), @gemv_parts and @gemv_two take it as parts (packed 4-bit
// codes; packed 2- and 1-bit selectors).
!g = tensor<256x512xui4, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor, choices = [f4E2M1FN, i4, !lowp.float<e3m0, finite>]>>
!g2 = tensor<128x512xui4, #lowp.block_scaled<block = [1, 64], scale = f8E8M0FNU, rule = rceil, choices = [f4E2M1FN, i4]>>
func.func @gemv(%x: tensor<3x512xf32>, %wf: tensor<256x512xf32>) -> tensor<3x256xf32> {
  %w = lowp.quantize %wf : tensor<256x512xf32> to !g
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<3x512xf32>, !g -> tensor<3x256xf32>
  return %y : tensor<3x256xf32>
}
func.func @gemv_parts(%x: tensor<3x512xf32>, %w: !g) -> tensor<3x256xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<3x512xf32>, !g -> tensor<3x256xf32>
  return %y : tensor<3x256xf32>
}
func.func @gemv_two(%x: tensor<3x512xf32>, %w: !g2) -> tensor<3x128xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<3x512xf32>, !g2 -> tensor<3x128xf32>
  return %y : tensor<3x128xf32>
}

// A K x N weight with choices: lowp-assign-layouts' @gemv_kn_prepack lays
// it out N x K (selectors moved with the scales) for the row-dot kernel.
!gk = tensor<512x256xui4, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor, choices = [f4E2M1FN, i4]>>
func.func @gemv_kn(%x: tensor<3x512xf32>, %w: !gk) -> tensor<3x256xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<3x512xf32>, !gk -> tensor<3x256xf32>
  return %y : tensor<3x256xf32>
}

// Requantization into and out of choices (the pair lowering).
!rc = tensor<8x64xui4, #lowp.block_scaled<block = [32], scale = f8E8M0FNU, rule = floor, choices = [f4E2M1FN, i4, !lowp.float<e3m0, finite>]>>
!rm = tensor<8x64xf8E4M3FN, #lowp.block_scaled<mx>>
func.func @requantize(%x: tensor<8x64xf32>) -> (!rc, !rm, !rc) {
  %q = lowp.quantize %x : tensor<8x64xf32> to !rm
  %a = lowp.requantize %q : !rm to !rc
  %b = lowp.requantize %a : !rc to !rm
  %d = lowp.dequantize %b : !rm to tensor<8x64xf32>
  %r = lowp.quantize %d toward_zero : tensor<8x64xf32> to !rc
  return %a, %b, %r : !rc, !rm, !rc
}

// A batch of 64 rows against a weight with choices: the N x K kernel's
// GEMM path (panels decoded a pass of one block at a time, each row's
// selector once per pass).
func.func @gemm_parts(%x: tensor<64x512xf32>, %w: !g) -> tensor<64x256xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<64x512xf32>, !g -> tensor<64x256xf32>
  return %y : tensor<64x256xf32>
}

// The K x N kernel's GEMM path (panels) with choices.
func.func @gemm_kn(%x: tensor<64x512xf32>, %w: !gk) -> tensor<64x256xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<64x512xf32>, !gk -> tensor<64x256xf32>
  return %y : tensor<64x256xf32>
}
