// GEMM, y (512 x 14336) = x (512 x 4096) W (4096 x 14336), W8A8 with
// per-tensor scales (lowp-bench's GEMM table, docs/Benchmarks.md): the
// form of torch._scaled_mm that FP8 checkpoints use, FP8 E4M3 activations
// and weights (no block scales) with one f32 scale each, applied to the
// f32 product: y = (x W) * (x_scale * w_scale). The compiler handles the
// plain E4M3 weight as a block-scaled weight with unit scales, so the
// GEMM is gemm_e4m3_mxfp8_512's: E4M3 values are bf16 values, multiplied
// with vdpbf16ps on a CPU with AVX512_BF16.
// (scripts/bench.sh concatenates the kernels: names here are unique.)
func.func @gemm_e4m3_e4m3_512(%x: tensor<512x4096xf8E4M3FN>,
    %x_scale: tensor<f32>, %w: tensor<4096x14336xf8E4M3FN>,
    %w_scale: tensor<f32>) -> tensor<512x14336xf32> {
  %p = lowp.matmul %x, %w {accumulator = f32}
      : tensor<512x4096xf8E4M3FN>, tensor<4096x14336xf8E4M3FN>
      -> tensor<512x14336xf32>
  // y = p * (x_scale * w_scale): one f32 product of the two scales, then
  // one f32 multiply per result, in place (a tensor.splat of the scale
  // would be materialized: 29 MB more to write and read).
  %xs = tensor.extract %x_scale[] : tensor<f32>
  %ws = tensor.extract %w_scale[] : tensor<f32>
  %scale = arith.mulf %xs, %ws : f32
  %y = linalg.map ins(%p : tensor<512x14336xf32>) outs(%p : tensor<512x14336xf32>)
      (%value: f32, %old: f32) {
        %scaled = arith.mulf %value, %scale : f32
        linalg.yield %scaled : f32
      }
  return %y : tensor<512x14336xf32>
}
