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
