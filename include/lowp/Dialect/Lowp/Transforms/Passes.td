//===- Passes.td - lowp dialect transforms -----------------*- tablegen -*-===//

#ifndef LOWP_DIALECT_LOWP_TRANSFORMS_PASSES_TD
#define LOWP_DIALECT_LOWP_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowpPackBoundaries : Pass<"lowp-pack-boundaries", "::mlir::ModuleOp"> {
  let summary = "Make public functions take and return plain, packed parts";
  let description = [{
    Rewrites every public function (and every call to one) so that its
    signature holds only plain tensors, stored as they are in memory:

    - a block-scaled tensor becomes its parts (elements, scales, then a 0-d
      tensor scale and zero points where the encoding has them), assembled
      on entry and disassembled before returning;
    - a tensor of a format narrower than 8 bits (FP4, FP6, int4, a 3-, 5-,
      6- or 7-bit minifloat) becomes its lowp.pack'ed bytes: each row a
      bit stream, unpacked on entry and packed before returning.

    This is the calling convention of compiled code: lowp-run, lowp-translate
    headers and the C API see these parts.

    ```mlir
    // before
    func.func @f(%w: tensor<64x32xf4E2M1FN, #lowp.block_scaled<mx>>) -> tensor<64x32xf32>
    // after
    func.func @f(%elements: tensor<64x16xi8>, %scales: tensor<64x1xf8E8M0FNU>) -> tensor<64x32xf32>
    ```
  }];
  let dependentDialects = ["::lowp::LowpDialect",
                           "::mlir::tensor::TensorDialect"];
}

def LowpPropagateScales : Pass<"lowp-propagate-scales", "::mlir::ModuleOp"> {
  let summary = "Keep block-scaled operands encoded up to the ops that use "
                "them, so that their scales factor out of the inner loops";
  let description = [{
    A program that dequantizes a weight and multiplies the f32 result (what
    importers and hand-written IR usually say) would materialize the whole
    dequantized weight and lose the block structure that lets
    convert-lowp-to-linalg factor each block's scale out of the dot
    product. This pass rewrites:

    - `lowp.matmul` of a `lowp.dequantize` to f32: the matmul reads the
      encoded tensor directly. This is exact: lowp.matmul rounds each
      operand's logical value to nearest even into f32, which is what
      dequantize to f32 computes.
    - a transpose (`lowp.relayout` or `linalg.transpose`) of a
      `lowp.dequantize` that has no other use: the dequantize of the
      relaid-out encoded tensor, whose blocks, scales, tensor scale and zero
      points move with its elements. Exact: dequantize is elementwise.
    - `lowp.matmul` whose rhs is a transpose swapping its two matrix axes
      (the batch axis staying first): the matmul reads the transpose's
      input with `transpose_rhs` flipped, which is the same product, so no
      transposed copy is made and PyTorch's `x @ W.T` on an N x K weight
      reaches the N x K kernels encoded.

    - `arith.maximumf` of a `lowp.dequantize` and zero (relu), where the
      scales are E8M0 (positive or NaN), the elements floats and there is
      no zero point or tensor scale: the dequantize of the same blocks with
      relu applied to the elements, so the value stays block-scaled. Exact:
      s * e is negative exactly where e is, NaN stays NaN and -0 becomes +0
      either way. Not for maxnumf (NaN * relu(e) would stay NaN where
      maxnumf gives 0) nor signed scales.

    - `tensor.collapse_shape` and `tensor.expand_shape` of a
      `lowp.dequantize` with no other use, on static shapes: the dequantize
      of the reshaped encoded tensor, when every block stays a contiguous
      run of the reshaped dimensions (blocks of 1 before one dimension of
      each regrouped set, whole dimensions after it): [B, S, K] MX
      activations collapse into B * S rows with the same blocks; 16 x 16
      tiles of 16 columns collapse into blocks of 256; rows of 64 in blocks
      of 32 expand into 8 x 8 with blocks [4, 8]. The scales and zero
      points are regrouped as the elements are. Exact: dequantize is
      elementwise. A reshape that would split a block stays.
    - `linalg.broadcast` of a `lowp.dequantize` with no other use, on static
      shapes: the dequantize of the broadcast parts, the added dimensions
      having blocks of 1. Exact.
    - a batched `lowp.matmul` (B x M x K activations, static) whose rhs is
      one matrix broadcast along the batch (`dimensions = [0]`): one matrix
      product of the B * M rows, expanded back, so the weight is read once
      and not copied per batch (a dequantized weight then reaches the
      kernels encoded). Each result element is the same sum.
    - `lowp.matmul` of an operand multiplied by a splat f32 constant
      c = ±2^k (f32 accumulator and result): the matmul of the operand,
      times c. The same sum where c times every value the operand can hold
      is an f32 (its lowest bit stays at or above 2^-149 and its highest
      below 2^127), which the pass proves from the operand's format and
      encoding (int4-g128 with f16 scales and c = 1/8, say); scaling by a
      power of two then commutes with each rounding of the products and
      sums while they stay in f32's normal range, where the matmul's bound
      holds. Where it cannot prove that (f32 operands; E8M0 scales, which
      reach 2^127; an f32 tensor scale) the rewrite is made only when the
      mulf allows reassociation (`fastmath<reassoc>`): written without it,
      -2 * x for an MX x near 2^127 is -inf before the matmul, which the
      rewrite would not see. Not for other constants: 3 * x rounds.

    - `lowp.quantize` of a `lowp.dequantize` to f32 that has no other use,
      without random bits: one `lowp.requantize` (defined as that pair, so
      exact), the value kept quantized from one encoding to the next as one
      op.

    With `cancel-hadamard`, and only then:

    - `lowp.matmul` of two `lowp.hadamard` operands transformed along K
      with the same block and seed: the matmul of their inputs. The
      transform is orthonormal, so the product is the same real number,
      but not the same f32 result: the butterflies and the 1/sqrt(B)
      scale round, so the rewritten program differs from the written one
      in the last bits (it is the more accurate of the two). That is why
      it is not on by default. A transform feeding a lowp.quantize,
      lowp.convert or anything else before the matmul (what
      lowp-quantize's `hadamard:B` entry writes) is never cancelled: the
      quantization between is what it is there for.

    ```mlir
    // before
    %w = lowp.dequantize %q : tensor<4096x4096xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> to tensor<4096x4096xf32>
    %y = lowp.matmul %x, %w {accumulator = f32} : tensor<1x4096xf32>, tensor<4096x4096xf32> -> tensor<1x4096xf32>
    // after
    %y = lowp.matmul %x, %q {accumulator = f32} : tensor<1x4096xf32>, tensor<4096x4096xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<1x4096xf32>

    // before: x @ W.T with W stored N x K
    %w = lowp.dequantize %q : tensor<14336x4096xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>> to tensor<14336x4096xf32>
    %init = tensor.empty() : tensor<4096x14336xf32>
    %wt = linalg.transpose ins(%w : tensor<14336x4096xf32>) outs(%init : tensor<4096x14336xf32>) permutation = [1, 0]
    %y = lowp.matmul %x, %wt {accumulator = f32} : tensor<1x4096xf32>, tensor<4096x14336xf32> -> tensor<1x14336xf32>
    // after
    %y = lowp.matmul %x, %q {accumulator = f32, transpose_rhs} : tensor<1x4096xf32>, tensor<14336x4096xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>> -> tensor<1x14336xf32>
    ```
  }];
  let options = [
    Option<"cancelHadamard", "cancel-hadamard", "bool", /*default=*/"false",
           "Replace a matmul of two Hadamard transforms along K (same block "
           "and seed) by the matmul of their inputs: the same product up to "
           "rounding, not bit for bit">
  ];
  let dependentDialects = ["::lowp::LowpDialect", "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def LowpAssignLayouts : Pass<"lowp-assign-layouts", "::mlir::ModuleOp"> {
  let summary = "Store each matmul weight in the order its target's kernel "
                "reads fastest";
  let description = [{
    A tensor's type fixes its storage (docs/Layouts.md): row-major, rows of
    packed codes, scales in row-major order. A block-scaled weight written
    K x N with blocks along K (`block = [32, 1]`) therefore puts each
    block's 32 codes in 32 different rows, and a matmul kernel reading it
    walks 32 streams at once, more than a CPU's prefetchers follow. Stored N
    x K, each block is 16 contiguous bytes and a row of the weight is one
    stream. For `target=cpu` this pass gives every such weight the N x K
    order wherever the kernel covers it there
    (`lowp.relayout` with permutation [1, 0] and `transpose_rhs` on the
    matmul):

    - a constant weight is relaid out at compile time (the relayout of a
      constant folds), so the compiled code holds it N x K;
    - a weight that a public function `@f` takes as an argument arrives at
      run time in the caller's layout, which stays as it is. With `prepack`,
      the pass adds `@f_prepack`, which takes those arguments and returns
      them relaid out, and `@f_prepacked`, `@f` taking the prepacked
      weights: a decode loop calls `@f_prepack` once and `@f_prepacked` per
      token, and never relayouts per call. `@f` itself is unchanged.

    Weights computed inside a function keep their layout: a relayout would
    cost a pass over the weight per call, as much as it saves in a GEMV.
    `target=none` leaves every layout as written.

    ```mlir
    // before
    func.func @f(%x: tensor<1x4096xf32>, %w: tensor<4096x14336xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>) -> tensor<1x14336xf32>
    // after: @f as it was, and
    func.func @f_prepack(%w: tensor<4096x14336xf4E2M1FN, #lowp.block_scaled<block = [32, 1], ...>>) -> tensor<14336x4096xf4E2M1FN, #lowp.block_scaled<mx>> {
      %wt = lowp.relayout %w {permutation = array<i64: 1, 0>} : ...
      return %wt : ...
    }
    func.func @f_prepacked(%x: tensor<1x4096xf32>, %wt: tensor<14336x4096xf4E2M1FN, #lowp.block_scaled<mx>>) -> tensor<1x14336xf32> {
      %y = lowp.matmul %x, %wt {accumulator = f32, transpose_rhs} : ...
      return %y : tensor<1x14336xf32>
    }
    ```
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "The kernels to lay weights out for: cpu, or none">,
    Option<"prepack", "prepack", "bool", /*default=*/"true",
           "Add NAME_prepack and NAME_prepacked for weights that public "
           "functions take as arguments">,
  ];
  let dependentDialects = ["::lowp::LowpDialect",
                           "::mlir::func::FuncDialect"];
}

def LowpParallelizeElementwise
    : Pass<"lowp-parallelize-elementwise", "::mlir::func::FuncOp"> {
  let summary = "Split large linalg ops into chunks of their parallel "
                "dimensions, run in parallel";
  let description = [{
    Tiles every `linalg.generic` on tensors whose static iteration space
    holds at least `min-iterations` points into `chunks` nearly equal
    chunks along its outermost parallel dimension that has at least
    `chunks` points, as one `scf.forall` (an OpenMP loop once
    lowp-cpu-pipeline lowers it). Reduction dimensions are never split:
    each chunk computes whole results. This is what makes the element code
    of convert-lowp-to-linalg (lowp.convert, arith on low-precision types,
    packing) and its loop nests for what the kernels do not cover (the
    dequantizing matmul, quantization in f64) use every core. Ops already
    inside an `scf.forall`, ops with no parallel dimension of `chunks`
    points, and smaller ones, are left as they are: below 64Ki points
    waking threads costs more than it saves.

    ```mlir
    // before
    %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
        ins(%x : tensor<67108864xf32>) outs(%e : tensor<67108864xi8>) {...}
    // after
    %y = scf.forall (%i) = (0) to (67108864) step (8388608) shared_outs(%o = %e) {
      %xs = tensor.extract_slice %x[%i] [8388608] [1]
      %os = tensor.extract_slice %o[%i] [8388608] [1]
      %c = linalg.generic ... ins(%xs) outs(%os) {...}
      scf.forall.in_parallel { tensor.parallel_insert_slice %c into %o[%i] [8388608] [1] }
    }
    ```
  }];
  let options = [
    Option<"chunks", "chunks", "int64_t", /*default=*/"8",
           "Chunks to split each op into (a few per core)">,
    Option<"minIterations", "min-iterations", "int64_t",
           /*default=*/"65536",
           "Iteration points below which an op stays whole">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::affine::AffineDialect"];
}

def LowpQuantize : Pass<"lowp-quantize", "::mlir::ModuleOp"> {
  let summary = "Quantize matmul operands by a recipe";
  let description = [{
    Gives the operands of `lowp.matmul`s on f32 the formats a recipe names,
    the way a quantization recipe for a model does (docs/Python.md,
    "Recipes"). The recipe is a list of `KEY:VALUE` entries separated by
    `;`, or the name of a recipe:

    | key | operands | default |
    |-----|----------|---------|
    | `weights` | the rhs of every matmul whose rhs is a constant | keep f32 |
    | `activations` | the lhs of those matmuls | keep f32 |
    | `first-last` | the weights of the first and the last of those matmuls in each function, instead of `weights` | as `weights` |
    | `hadamard` | `B` or `B/SEED`: both operands of those matmuls first transformed along K by `lowp.hadamard` with blocks of B (and the signs of SEED), which leaves the product unchanged and spreads outliers before quantizing; constant weights are transformed at compile time | none |

    A VALUE is a block-scaled encoding, as a preset (`mxfp4`, `mxfp6_e2m3`,
    `mxfp6_e3m2`, `mxfp8_e4m3`, `mxfp8_e5m2`, `mxint8`, `nvfp4`,
    `int4_g128`, `nf4`) or `ELEMENT, #lowp.block_scaled<...>`, whose
    blocks run along K (the reduction dimension: the rows of a K x N
    weight, the columns of an N x K `transpose_rhs` weight and of the
    activations); or a plain format (`bf16`, `f8E4M3FN`), which the
    operand is converted to (to nearest even, saturating); or `FORMAT
    per-tensor` (`f8E4M3FN per-tensor`), one f32 absmax scale for the whole
    operand, as torch._scaled_mm scales FP8 tensors (an encoding whose one
    block is the operand's static shape); or `f32`, which keeps it. A block-scaled operand becomes `lowp.quantize(x)`, which the
    matmul reads encoded (lowp.matmul multiplies its operands' logical
    values, so the product is that of the dequantized operand), and
    canonicalization quantizes constant weights at compile time (up to
    kMaxFoldedElements elements; larger ones are quantized by the kernels
    at run time). Named recipes: `mxfp4`, `nvfp4`, `int4_g128`,
    `nf4`, `mxfp8_e4m3` (weights only), `mxfp8` (weights and activations
    MXFP8 E4M3), `mxfp4-mxfp8` (MXFP4 weights, MXFP8 E4M3 activations).
    Matmuls whose K the block does not divide keep f32, with a warning at
    their location.

    ```mlir
    // lowp-quantize{recipe="weights:mxfp4;first-last:bf16"}
    %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs}
        : tensor<8x4096xf32>, tensor<14336x4096xf32> -> tensor<8x14336xf32>
    // becomes
    %q = lowp.quantize %w : tensor<14336x4096xf32>
        to tensor<14336x4096xf4E2M1FN, #lowp.block_scaled<mx>>
    %y = lowp.matmul %x, %q {accumulator = f32, transpose_rhs}
        : tensor<8x4096xf32>, tensor<14336x4096xf4E2M1FN, #lowp.block_scaled<mx>>
        -> tensor<8x14336xf32>
    ```
  }];
  let options = [
    Option<"recipe", "recipe", "std::string", /*default=*/"\"\"",
           "Which matmul operands get which format: KEY:VALUE entries "
           "(weights, activations, first-last, hadamard) separated by ';', "
           "or a recipe's name">,
  ];
  let dependentDialects = ["::lowp::LowpDialect"];
}

#endif // LOWP_DIALECT_LOWP_TRANSFORMS_PASSES_TD
