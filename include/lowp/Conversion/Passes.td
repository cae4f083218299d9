//===- Passes.td - lowp conversion passes ------------------*- tablegen -*-===//

#ifndef LOWP_CONVERSION_PASSES_TD
#define LOWP_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowpLegalizeArith : Pass<"lowp-legalize-arith"> {
  let summary = "Compute arith and math on low-precision floats in f64, "
                "rounded once by lowp.convert";
  let description = [{
    LLVM has no arithmetic on FP8, FP6, FP4, `!lowp.float` or codebooks,
    and lowp stores f16 and bf16 as codes too (docs/Lowering.md,
    "Storage"). As upstream's `arith-emulate-unsupported-floats` does with
    f32, this pass rewrites every scalar float op whose values are stored as
    codes into ops on f64 between `lowp.convert`s:

    - `arith.addf`, `subf`, `mulf`, `divf`, `remf`, `maximumf`, `minimumf`,
      `maxnumf`, `minnumf`, `negf` and every `math` op: the operands
      converted (exactly) to f64, the op in f64, the result rounded to
      nearest even into the type. For +, -, *, / and sqrt this is the
      correctly rounded result: f64 carries more than twice the precision
      of every such format plus two bits;
    - `arith.truncf` and `extf`: one `lowp.convert`, with truncf's rounding
      mode;
    - `arith.cmpf`: a comparison of the exact f64 values;
    - `math.isnan`, `isinf`, `isfinite`: comparisons of the exact f64
      value; `math.isnormal`: finite with a magnitude at least the
      format's own smallest normal (an E4M3 subnormal is not normal, though
      its f64 value is). These four become comparisons on f32 and f64 too,
      where upstream's math-to-llvm leaves isinf and isnormal;
    - `arith.sitofp`, `uitofp`, `fptosi`, `fptoui`: through f64 (exact for
      integers of up to 53 bits);
    - `arith.fptosi` into i2 .. i7 (from any float): `lowp.convert` toward
      zero, saturating, so NaN gives 0 and out-of-range values the
      type's bounds (docs/Numerics.md).

    Named linalg ops that compute on such formats (linalg.matmul,
    linalg.reduce, linalg.map, convolutions) become linalg.generic first,
    so that their bodies are legalized too (fill, copy, transpose and
    broadcast only place codes and are left).

    Ops on tensors are left (convert-elementwise-to-linalg makes them
    scalar ops in a linalg.generic first); f32 and f64 are left, but for
    the four classifications.
    convert-lowp-to-linalg applies these patterns itself before it lowers,
    so it can also be run alone.

    ```mlir
    // before
    %s = arith.addf %a, %b : f8E4M3FN
    // after
    %0 = lowp.convert %a : f8E4M3FN to f64
    %1 = lowp.convert %b : f8E4M3FN to f64
    %2 = arith.addf %0, %1 : f64
    %s = lowp.convert %2 : f64 to f8E4M3FN
    ```
  }];
  let dependentDialects = ["::lowp::LowpDialect",
                           "::mlir::arith::ArithDialect"];
}

def LowpVectorize : Pass<"lowp-vectorize", "::mlir::ModuleOp"> {
  let summary = "Lower the lowp ops that a vector kernel covers to vector "
                "code over whole blocks";
  let description = [{
    The block-wise loops of lowp's ops as vector code on storage types
    (docs/Lowering.md has each kernel, its loop nest and what limits it):

    - `lowp.matmul` of a plain activation with a weight blocked along K
      (K x N, or N x K with `transpose_rhs`): per K-block the dot product
      of the activations with the elements' unscaled values, then one
      multiply by the block's scales, several accumulators, the weight read
      once in its stored form;
    - `lowp.dequantize` to f32 and `lowp.convert` to f32 (decoding);
    - `lowp.quantize` under the MX rules, its codes written packed where
      they are returned packed;
    - `lowp.pack(lowp.convert)` from f32 into 1-, 2- and 4-bit codes.

    Element formats are not special-cased: one decoder (VectorCode.cpp)
    reads every format of at most 8 bits through a small table in a
    register (`lowp.lookup`: 16 entries for 4-bit codes, a tree of them
    for wider ones) or through bit arithmetic where that is exact and
    cheaper (FP8, bf16, E8M0, integers), so E2M1, int4, NF4, any4
    codebooks, `!lowp.float<e3m0>` and 2-bit integers share the kernels.
    Which instructions a table lookup becomes (one `vpermps` with AVX-512,
    selects elsewhere) is decided when convert-lowp-to-llvm lowers
    `lowp.lookup` for its `vector-target`.

    Before lowering, exact rewrites bring more ops to a kernel: a matmul
    with an activation or result of another plain format becomes an f32
    matmul between lowp.converts, and a matmul no kernel covers reads its
    block-scaled operands through the dequantize kernel.

    This is a partial conversion with convert-lowp-to-linalg's type
    conversion (block-scaled tensors to their parts, formats to their
    storage): what it does not cover is left as it is, meeting the
    lowered code through unrealized casts, for convert-lowp-to-linalg.

    ```mlir
    // before
    %y = lowp.dequantize %q : tensor<4096x4096xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<4096x4096xf32>
    // after: an scf.forall over chunks of rows, each a loop of
    // vector.transfer_read of 16 bytes of codes, lowp.lookup of the E2M1
    // values, one multiply by the block's E8M0 scale, vector.transfer_write
    ```
  }];
  let options = [
    Option<"vectorTarget", "vector-target", "std::string", /*default=*/"\"host\"",
           "Vector instructions the kernels may use: host (the CPU this runs "
           "on), avx512-bf16, avx512-vnni, avx512, avx2 or generic. With AVX512_BF16 a "
           "matmul whose operands' values are all bf16 values multiplies "
           "them with vdpbf16ps (x86vector.avx512.dot)">,
  ];
  let dependentDialects = [
    "::lowp::LowpDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
    "::mlir::x86vector::X86VectorDialect",
  ];
}

def ConvertLowpToLinalg : Pass<"convert-lowp-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower lowp ops to linalg, tensor and arith on storage types";
  let description = [{
    Rewrites every lowp op into linalg.generic (and linalg.matmul) on
    tensors whose elements are storage types: f64 and f32 stay themselves,
    every other number format (f16 and bf16 included) becomes its code in
    an i8, i16 or i32. arith and math ops on such formats are first
    rewritten by lowp-legalize-arith's patterns (computed on the exact
    values in f64 and rounded back by lowp.convert). Block-scaled tensors become their parts (elements, scales, and the
    tensor scale and zero points where the encoding has them), function
    signatures included, so a function taking a block-scaled tensor takes
    its parts after this pass. The element code computes exactly what the
    numerics core computes (lib/Conversion/LowpToLinalg/ElementCodegen.cpp).

    The ops that a vector kernel covers are lowp-vectorize's, which runs
    first; this pass lowers everything else, and removes the unrealized
    casts between the two. A lowp.matmul here dequantizes its operands to
    f32 and multiplies in a loop nest m, k, n.

    Sub-byte elements are stored one per byte at this stage; packing them
    is a layout decision for lowp-assign-layouts. Rounding into a codebook
    compares with the sorted table's exact midpoints (docs/Lowering.md,
    "Element code"); only stochastic rounding into one is an error, as the
    verifier says, since a codebook has no binary grid.
  }];
  let options = [
    Option<"fusePackedConversions", "fuse-packed-conversions", "bool",
           /*default=*/"true",
           "Convert straight into packed rows where a lowp.pack reads a "
           "lowp.convert (one loop per row of bits); off, the convert and "
           "the pack are separate parallel loops (lowp-cuda-pipeline)">,
  ];
  // lowp is loaded even where no lowp op appears: its builtin-type format
  // models say how f8E4M3FN and friends are stored.
  let dependentDialects = [
    "::lowp::LowpDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def ConvertLowpToLLVM : Pass<"convert-lowp-to-llvm", "::mlir::ModuleOp"> {
  let summary = "Lower the lowp ops of vector kernels to LLVM intrinsics or "
                "portable vector code";
  let description = [{
    Runs after bufferization, on the vector building blocks that lowp's
    kernels are made of. `lowp.lookup` of a 16-entry 32-bit table becomes
    one `vpermps`/`vpermd` (`llvm.x86.avx512.permvar.*`) when the vector
    target has AVX-512, and a tree of `arith.select`s on the index bits
    otherwise; either reads only the index bits that lookup defines.
  }];
  let options = [
    Option<"vectorTarget", "vector-target", "std::string", /*default=*/"\"host\"",
           "Vector instructions the code may use: host (the CPU this runs "
           "on), avx512-bf16, avx512-vnni, avx512, avx2 or generic">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def LowpCudaMatmul : Pass<"lowp-cuda-matmul", "::mlir::ModuleOp"> {
  let summary = "Lower the lowp.matmul ops that a CUDA kernel covers to "
                "gpu.launch kernels over their stored parts";
  let description = [{
    Part of lowp-cuda-pipeline, before convert-lowp-to-linalg. Each
    `lowp.matmul` (f32 accumulator and result, `transpose_rhs`, static
    shapes) that a kernel covers becomes a `gpu.launch` that reads the
    operands' parts as they are stored (sub-byte codes packed, block
    scales, zero points, tensor scales) and decodes them in registers
    (docs/GPU.md has each kernel's loop nest and fragment layouts):

    - FP8 (E4M3 or E5M2) operands, plain or blocked along K in multiples
      of 32: `mma.sync.m16n8k32` on the codes on sm_89, `wgmma.mma_async
      .m64n64k32` from tiles in shared memory on sm_90a, and on sm_100a
      `tcgen05.mma` with the accumulator in tensor memory (kind::f8f6f4;
      kind::mxf8f6f4.block_scale with the E8M0 scales in tensor memory
      when both operands are MX-scaled), `mma.sync` otherwise; on
      sm_100a, FP4 x FP4 with MX or NVFP4 scales on both takes
      `tcgen05.mma` kind::mxf4nvf4;
    - operands whose values f16 (or bf16, when one is bf16) holds exactly,
      blocked along K in multiples of 16: their codes decoded through a
      table in shared memory, `mma.sync.m16n8k16`;
    - f32 activations times an N x K weight of codes of at most 8 bits in
      any format (codebooks included), with block scales, zero points and
      a tensor scale: a decode (GEMV) kernel, one warp per output column,
      the weight streamed in 16-byte loads.

    Block scales are applied per K step to f32 accumulators. Other
    matmuls are left to convert-lowp-to-linalg.
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_80\"",
           "The chip the kernels are for: sm_80, sm_89, sm_90a or sm_100a">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

#endif // LOWP_CONVERSION_PASSES_TD
