// gemv_mxfp4_nk.mlir with the rows of the activations dynamic
// (tensor<?x4096xf32>: batch and sequence length known only at run time),
// called with one row: the same kernel, so the same speed.
!gemv_mxfp4_nk_dynamic_weights = tensor<14336x4096xf4E2M1FN,
    #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>

func.func @gemv_mxfp4_nk_dynamic(%x: tensor<?x4096xf32>,
                                 %w: !gemv_mxfp4_nk_dynamic_weights)
    -> tensor<?x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs}
      : tensor<?x4096xf32>, !gemv_mxfp4_nk_dynamic_weights -> tensor<?x14336xf32>
  return %y : tensor<?x14336xf32>
}
