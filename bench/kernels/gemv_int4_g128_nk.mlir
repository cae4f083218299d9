// GEMV at batch 1, y (1 x 14336) = x (1 x 4096) W^T with W stored N x K
// (14336 x 4096: PyTorch nn.Linear, ggml and safetensors' layout), f32
// activations and results (lowp-bench, docs/Benchmarks.md); the N x K twin
// of gemv_int4_g128.mlir, through lowp.matmul's transpose_rhs.
// int4 per group (GPTQ/AWQ): ui4 codes q, and per 128 values along K an
// f16 scale s and a ui4 zero point z; w = (q - z) * s. Codes and zero
// points are packed two per byte along K.
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemv_int4_g128_nk_weights = tensor<14336x4096xui4,
    #lowp.block_scaled<block = [1, 128], scale = f16, rule = minmax, zero_point = ui4>>

func.func @gemv_int4_g128_nk(%x: tensor<1x4096xf32>, %w: !gemv_int4_g128_nk_weights)
    -> tensor<1x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs}
      : tensor<1x4096xf32>, !gemv_int4_g128_nk_weights -> tensor<1x14336xf32>
  return %y : tensor<1x14336xf32>
}
