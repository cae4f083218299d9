// A transformer block stand-in at a prefill of 512 tokens (lowp-bench's
// GEMM table, docs/Benchmarks.md): the seven projections of one
// Llama-3-8B layer, x (512 x 4096) f32 times MXFP4 weights stored K x N,
// with f32 activations and results between them:
//   q = x Wq, k = x Wk, v = x Wv (grouped-query attention: 8 KV heads),
//   o = q Wo (attention itself left out: q goes through the output
//   projection), h = silu(x Wgate) * (x Wup), silu(t) = t / (1 + exp(-t)),
//   d = h Wdown,
// returning o, k, v and d so that nothing is dead. OpenBLAS's f32 sgemm
// doing the same seven products (and silu in C++) is the reference.
// MXFP4 weights (OCP MX v1.0), as gemm_mxfp4_512: E2M1 elements, packed
// two per byte, one E8M0 scale per 32 values along K (the floor rule).
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!block_mxfp4_512_wqo = tensor<4096x4096xf4E2M1FN,
    #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>
!block_mxfp4_512_wkv = tensor<4096x1024xf4E2M1FN,
    #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>
!block_mxfp4_512_wup = tensor<4096x14336xf4E2M1FN,
    #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>
!block_mxfp4_512_wdown = tensor<14336x4096xf4E2M1FN,
    #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

func.func @block_mxfp4_512(%x: tensor<512x4096xf32>,
    %wq: !block_mxfp4_512_wqo, %wk: !block_mxfp4_512_wkv,
    %wv: !block_mxfp4_512_wkv, %wo: !block_mxfp4_512_wqo,
    %wgate: !block_mxfp4_512_wup, %wup: !block_mxfp4_512_wup,
    %wdown: !block_mxfp4_512_wdown)
    -> (tensor<512x4096xf32>, tensor<512x1024xf32>, tensor<512x1024xf32>,
        tensor<512x4096xf32>) {
  %q = lowp.matmul %x, %wq {accumulator = f32}
      : tensor<512x4096xf32>, !block_mxfp4_512_wqo -> tensor<512x4096xf32>
  %k = lowp.matmul %x, %wk {accumulator = f32}
      : tensor<512x4096xf32>, !block_mxfp4_512_wkv -> tensor<512x1024xf32>
  %v = lowp.matmul %x, %wv {accumulator = f32}
      : tensor<512x4096xf32>, !block_mxfp4_512_wkv -> tensor<512x1024xf32>
  %o = lowp.matmul %q, %wo {accumulator = f32}
      : tensor<512x4096xf32>, !block_mxfp4_512_wqo -> tensor<512x4096xf32>
  %gate = lowp.matmul %x, %wgate {accumulator = f32}
      : tensor<512x4096xf32>, !block_mxfp4_512_wup -> tensor<512x14336xf32>
  %up = lowp.matmul %x, %wup {accumulator = f32}
      : tensor<512x4096xf32>, !block_mxfp4_512_wup -> tensor<512x14336xf32>
  // h = silu(gate) * up, silu(t) = t / (1 + exp(-t)), in f32.
  %one = arith.constant dense<1.0> : tensor<512x14336xf32>
  %minus = arith.negf %gate : tensor<512x14336xf32>
  %e = math.exp %minus : tensor<512x14336xf32>
  %denominator = arith.addf %one, %e : tensor<512x14336xf32>
  %silu = arith.divf %gate, %denominator : tensor<512x14336xf32>
  %h = arith.mulf %silu, %up : tensor<512x14336xf32>
  %d = lowp.matmul %h, %wdown {accumulator = f32}
      : tensor<512x14336xf32>, !block_mxfp4_512_wdown -> tensor<512x4096xf32>
  return %o, %k, %v, %d
      : tensor<512x4096xf32>, tensor<512x1024xf32>, tensor<512x1024xf32>,
        tensor<512x4096xf32>
}
