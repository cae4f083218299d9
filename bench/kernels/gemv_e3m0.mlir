// GEMV at batch 1, y (1 x 14336) = x (1 x 4096) W (4096 x 14336), with f32
// activations and results (lowp-bench, docs/Benchmarks.md).
// A 4-bit format that only lowp spells: E3M0, sign and 3 exponent bits,
// every code finite (0 and +-2^-2 .. 2^4, a logarithmic grid), with one
// E8M0 scale per 32 values along K.
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemv_e3m0_weights = tensor<4096x14336x!lowp.float<e3m0, finite>,
    #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

func.func @gemv_e3m0(%x: tensor<1x4096xf32>, %w: !gemv_e3m0_weights)
    -> tensor<1x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : tensor<1x4096xf32>, !gemv_e3m0_weights -> tensor<1x14336xf32>
  return %y : tensor<1x14336xf32>
}
