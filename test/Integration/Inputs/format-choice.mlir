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
    %s = arith.addi %i, %j : index
    %n = arith.index_cast %s : index to i32
    %f = arith.sitofp %n : i32 to f32
    %v = math.sin %f : f32
    linalg.yield %v : f32
  } -> tensor<8x64xf32>
  %b = tensor.empty() : tensor<64x32xf32>
  %rhs = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} outs(%b : tensor<64x32xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %k = arith.muli %i, %j : index
    %n = arith.index_cast %k : index to i32
    %f = arith.sitofp %n : i32 to f32
    %v = math.cos %f : f32
    linalg.yield %v : f32
  } -> tensor<64x32xf32>
  %y = func.call @matmul(%lhs, %rhs) : (tensor<8x64xf32>, tensor<64x32xf32>) -> tensor<8x32xf32>
  return %q, %d, %y : !q, tensor<4x8xf32>, tensor<8x32xf32>
}
