// Ops that only move values (reshape, transpose, broadcast) on tensors of
// low-precision formats, which lower on their codes.
!e = tensor<3x64xf4E2M1FN>
!p = tensor<3x64x!lowp.float<e3m2>>

func.func @collapse(%x: tensor<2x3x64xf4E2M1FN>) -> tensor<6x64xf4E2M1FN> {
  %c = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x3x64xf4E2M1FN> into tensor<6x64xf4E2M1FN>
  return %c : tensor<6x64xf4E2M1FN>
}

func.func @expand(%x: !p) -> tensor<3x4x16x!lowp.float<e3m2>> {
  %e = tensor.expand_shape %x [[0], [1, 2]] output_shape [3, 4, 16] : !p into tensor<3x4x16x!lowp.float<e3m2>>
  return %e : tensor<3x4x16x!lowp.float<e3m2>>
}

func.func @transpose(%x: !e) -> tensor<64x3xf4E2M1FN> {
  %i = tensor.empty() : tensor<64x3xf4E2M1FN>
  %t = linalg.transpose ins(%x : !e) outs(%i : tensor<64x3xf4E2M1FN>) permutation = [1, 0]
  return %t : tensor<64x3xf4E2M1FN>
}

func.func @broadcast(%x: !e) -> tensor<2x3x5x64xf4E2M1FN> {
  %i = tensor.empty() : tensor<2x3x5x64xf4E2M1FN>
  %b = linalg.broadcast ins(%x : !e) outs(%i : tensor<2x3x5x64xf4E2M1FN>) dimensions = [0, 2]
  return %b : tensor<2x3x5x64xf4E2M1FN>
}

func.func @slice_concat(%x: !p) -> tensor<3x40x!lowp.float<e3m2>> {
  %a = tensor.extract_slice %x[0, 5] [3, 17] [1, 1] : !p to tensor<3x17x!lowp.float<e3m2>>
  %b = tensor.extract_slice %x[0, 40] [3, 23] [1, 1] : !p to tensor<3x23x!lowp.float<e3m2>>
  %c = tensor.concat dim(1) %b, %a : (tensor<3x23x!lowp.float<e3m2>>, tensor<3x17x!lowp.float<e3m2>>) -> tensor<3x40x!lowp.float<e3m2>>
  return %c : tensor<3x40x!lowp.float<e3m2>>
}

// A strided, rank-reducing slice.
func.func @strided_slice(%x: tensor<2x3x64xf4E2M1FN>) -> tensor<2x21xf4E2M1FN> {
  %a = tensor.extract_slice %x[0, 1, 3] [2, 1, 21] [1, 1, 3] : tensor<2x3x64xf4E2M1FN> to tensor<2x21xf4E2M1FN>
  return %a : tensor<2x21xf4E2M1FN>
}

// The same on f32, whose bufferized strided copies once called a runtime
// function that compiled code does not link.
func.func @slice_concat_f32(%x: tensor<3x64xf32>) -> tensor<3x40xf32> {
  %a = tensor.extract_slice %x[0, 5] [3, 17] [1, 1] : tensor<3x64xf32> to tensor<3x17xf32>
  %b = tensor.extract_slice %x[0, 40] [3, 23] [1, 1] : tensor<3x64xf32> to tensor<3x23xf32>
  %c = tensor.concat dim(1) %b, %a : (tensor<3x23xf32>, tensor<3x17xf32>) -> tensor<3x40xf32>
  return %c : tensor<3x40xf32>
}

// Slices of a matmul's result (defined up to the order of its sums) joined
// to exact values: the reference keeps each part's bound.
func.func @slice_matmul(%x: tensor<3x64xf32>, %w: tensor<64x16xf32>) -> tensor<3x16xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<3x64xf32>, tensor<64x16xf32> -> tensor<3x16xf32>
  %a = tensor.extract_slice %y[0, 0] [3, 8] [1, 1] : tensor<3x16xf32> to tensor<3x8xf32>
  %b = tensor.extract_slice %x[0, 0] [3, 8] [1, 1] : tensor<3x64xf32> to tensor<3x8xf32>
  %c = tensor.concat dim(1) %a, %b : (tensor<3x8xf32>, tensor<3x8xf32>) -> tensor<3x16xf32>
  return %c : tensor<3x16xf32>
}
