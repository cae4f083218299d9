//===- LowpOps.td - lowp operations ------------------------*- tablegen -*-===//

#ifndef LOWP_DIALECT_LOWP_IR_LOWPOPS_TD
#define LOWP_DIALECT_LOWP_IR_LOWPOPS_TD

include "lowp/Dialect/Lowp/IR/LowpBase.td"
include "lowp/Dialect/Lowp/IR/LowpEnums.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/OpAsmInterface.td"

class Lowp_Op<string mnemonic, list<Trait> traits = []>
    : Op<Lowp_Dialect, mnemonic, traits>;

def Lowp_ConvertOp : Lowp_Op<"convert", [Pure]> {
  let summary = "Elementwise conversion between any two number formats";
  let description = [{
    Each element's exact value is rounded once into the result's format by
    `rounding` (default `to_nearest_even`), with `saturate` turning
    out-of-range values and infinities into ±max; the special-value policy
    of docs/Numerics.md decides NaN, inf and -0. Operand and result are
    scalars, vectors or tensors of the same shape without an encoding
    (vectors of the builtin formats: MLIR's vectors take no other element
    types); their element
    types are number formats (NumericFormatTypeInterface) or f64, which
    holds every supported value exactly.

    `stochastic` rounding takes a `random` operand of the input's shape: an
    integer element type of k bits (1..32) gives the k random bits of each
    element's rounding.

    ```mlir
    %0 = lowp.convert %x : tensor<8xf32> to tensor<8xf8E4M3FN>
    %1 = lowp.convert %x downward saturate : tensor<8xf32> to tensor<8x!lowp.float<e3m3>>
    %2 = lowp.convert %x random(%r : tensor<8xi8>) stochastic : tensor<8xf32> to tensor<8xf4E2M1FN>
    ```
  }];
  let arguments = (ins
    AnyType:$input,
    Optional<AnyType>:$random,
    DefaultValuedAttr<Lowp_Rounding, "::lowp::Rounding::to_nearest_even">:$rounding,
    UnitAttr:$saturate
  );
  let results = (outs AnyType:$result);
  let assemblyFormat = [{
    $input (`random` `(` $random^ `:` type($random) `)`)? ($rounding^)?
    (`saturate` $saturate^)? attr-dict `:` type($input) `to` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Lowp_QuantizeOp : Lowp_Op<"quantize", [Pure]> {
  let summary = "Block-scaled quantization by the encoding's scale rule";
  let description = [{
    Quantizes a plain tensor into the block-scaled encoding of the result
    type: each block's scale (and zero point, and the tensor scale) is
    computed by the encoding's rule, and each element is its value divided
    by its scales, rounded once by `rounding` into the element format and
    clamped to ±max (docs/Numerics.md, "Block scaling"). Element rounding is
    always saturating: OCP MX and NVIDIA define it so, and without it the
    `floor` rule would turn a block's largest finite value into NaN.

    ```mlir
    %q = lowp.quantize %w : tensor<128x64xf32> to tensor<128x64xf4E2M1FN, #lowp.block_scaled<mx>>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$input,
    Optional<AnyRankedTensor>:$random,
    DefaultValuedAttr<Lowp_Rounding, "::lowp::Rounding::to_nearest_even">:$rounding
  );
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input (`random` `(` $random^ `:` type($random) `)`)? ($rounding^)?
    attr-dict `:` type($input) `to` type($result)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Lowp_DequantizeOp : Lowp_Op<"dequantize", [Pure]> {
  let summary = "The logical values of a block-scaled tensor";
  let description = [{
    Each result element is (element - zero_point) · scale · tensor_scale
    (docs/Numerics.md, "Block scaling") rounded once to nearest even into
    the result's element type, a float number format or f64.

    ```mlir
    %w = lowp.dequantize %q : tensor<128x64xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<128x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Lowp_RequantizeOp : Lowp_Op<"requantize", [Pure]> {
  let summary = "A block-scaled tensor quantized again into another encoding";
  let description = [{
    Exactly `lowp.quantize` of `lowp.dequantize` of the input to f32: each
    logical value rounded once to nearest even into f32, then quantized
    into the result's encoding by its scale rule with `rounding` (the
    pair that importers write between layers, and that
    lowp-propagate-scales turns into this op). Where a kernel covers the
    pair (lowp-vectorize: a source the dequantize kernel reads, a result
    the quantize kernel writes), it is computed 16 values at a time in
    registers, without the f32 tensor between; otherwise as the pair.

    ```mlir
    %r = lowp.requantize %q : tensor<128x64xf8E4M3FN, #lowp.block_scaled<mx>> to tensor<128x64xf4E2M1FN, #lowp.block_scaled<mx>>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$input,
    DefaultValuedAttr<Lowp_Rounding, "::lowp::Rounding::to_nearest_even">:$rounding
  );
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input ($rounding^)? attr-dict `:` type($input) `to` type($result)
  }];
  let hasVerifier = 1;
}

def Lowp_AssembleOp : Lowp_Op<"assemble", [Pure, AttrSizedOperandSegments]> {
  let summary = "A block-scaled tensor from its parts";
  let description = [{
    Builds a block-scaled tensor from its element codes, its block scales
    (one per block: the element shape divided by the block shape), and,
    where the encoding has them, its tensor scale (a scalar), zero points
    and selectors (both shaped like the scales; selectors say which of the
    encoding's `choices` each block's elements are). Used to import
    pre-quantized weights and by lowering.

    ```mlir
    %q = lowp.assemble %elements, %scales
        : tensor<4x64xf4E2M1FN>, tensor<4x2xf8E8M0FNU>
        to tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$elements,
    AnyRankedTensor:$scales,
    Optional<AnyType>:$tensorScale,
    Optional<AnyRankedTensor>:$zeroPoints,
    Optional<AnyRankedTensor>:$selectors
  );
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $elements `,` $scales (`tensor_scale` `(` $tensorScale^ `:` type($tensorScale) `)`)?
    (`zero_points` `(` $zeroPoints^ `:` type($zeroPoints) `)`)?
    (`selectors` `(` $selectors^ `:` type($selectors) `)`)?
    attr-dict `:` type($elements) `,` type($scales) `to` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Lowp_DisassembleOp : Lowp_Op<"disassemble",
    [Pure, AttrSizedResultSegments]> {
  let summary = "The parts of a block-scaled tensor";
  let description = [{
    The inverse of lowp.assemble: element codes, block scales, and the tensor
    scale, zero points and selectors where the encoding has them.

    ```mlir
    %elements, %scales = lowp.disassemble %q
        : tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>
        to tensor<4x64xf4E2M1FN>, tensor<4x2xf8E8M0FNU>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs
    AnyRankedTensor:$elements,
    AnyRankedTensor:$scales,
    Optional<AnyType>:$tensorScale,
    Optional<AnyRankedTensor>:$zeroPoints,
    Optional<AnyRankedTensor>:$selectors
  );
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `to` type($elements) `,` type($scales)
    (`tensor_scale` `(` type($tensorScale)^ `)`)?
    (`zero_points` `(` type($zeroPoints)^ `)`)?
    (`selectors` `(` type($selectors)^ `)`)?
  }];
  let builders = [
    // The parts of `input`, their types following from its encoding.
    OpBuilder<(ins "::mlir::Value":$input)>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Lowp_PackOp : Lowp_Op<"pack", [Pure]> {
  let summary = "Sub-byte elements as a packed bit stream per row";
  let description = [{
    Stores a tensor of a format narrower than 8 bits densely: each row (the
    innermost dimension) becomes a little-endian bit stream in which element
    j occupies bits [j*w, (j+1)*w), w the format's width, and rows are
    padded to whole bytes, so the innermost dimension n becomes
    ceil(n*w/8) bytes of i8. Any width 1..7 works, 3, 5, 6 and 7 included
    (their elements straddle bytes). Padding bits are zero.

    For n = 3 elements of 3 bits a, b, c: byte 0 holds a in bits 0-2, b in
    bits 3-5 and the low 2 bits of c in bits 6-7; byte 1 holds c's top bit
    in bit 0.

    ```mlir
    %p = lowp.pack %x : tensor<16x64xf4E2M1FN> to tensor<16x32xi8>
    %q = lowp.pack %y : tensor<5x!lowp.float<e3m3>> to tensor<5xi8>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
}

def Lowp_UnpackOp : Lowp_Op<"unpack", [Pure]> {
  let summary = "The elements of a packed bit stream per row";
  let description = [{
    The inverse of lowp.pack: reads each row's elements out of its bit
    stream. Padding bits are ignored.

    ```mlir
    %x = lowp.unpack %p : tensor<16x32xi8> to tensor<16x64xf4E2M1FN>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
}

def Lowp_RelayoutOp : Lowp_Op<"relayout", [Pure]> {
  let summary = "The same values stored in another order of dimensions";
  let description = [{
    `result[i_p0, i_p1, ...] = input[i_0, i_1, ...]` for `permutation` p:
    result dimension d is input dimension p[d]. On a block-scaled tensor
    the blocks move with their elements: the encoding's block sizes are
    permuted the same way, and so are the scales and zero points (the
    tensor scale stays). Values are unchanged; only their storage order is.

    lowp stores every tensor in one order, the row-major one of
    docs/Lowering.md (rows of packed codes, scales in row-major order), so a
    tensor's type fixes its layout and a change of layout is a change of
    type. lowp-assign-layouts inserts this op where a kernel reads a tensor
    faster in another order than its producer writes it (docs/Layouts.md),
    as upstream linalg.pack turns a tiled layout into a tensor of higher
    rank. A relayout of a constant folds at compile time.

    C1: `permutation` is a permutation of the input's dimensions.
    C2: the result's shape is the input's, permuted; its element type is the
        input's; its encoding is the input's with the block sizes permuted
        (and none if the input has none).

    ```mlir
    %wt = lowp.relayout %w {permutation = array<i64: 1, 0>}
        : tensor<4096x14336xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>
        to tensor<14336x4096xf4E2M1FN, #lowp.block_scaled<mx>>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input,
                   "::llvm::ArrayRef<int64_t>":$permutation)>,
  ];
  let extraClassDeclaration = [{
    /// The type of `input` stored in the order of `permutation`.
    static ::mlir::RankedTensorType
    getRelayoutType(::mlir::RankedTensorType input,
                    ::llvm::ArrayRef<int64_t> permutation);
    /// For each element of the relayout of a row-major array of `shape`, in
    /// the result's row-major order, the offset of its source element.
    static ::llvm::SmallVector<int64_t>
    getSourceOffsets(::llvm::ArrayRef<int64_t> shape,
                     ::llvm::ArrayRef<int64_t> permutation);
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Lowp_MatmulOp : Lowp_Op<"matmul", [Pure]> {
  let summary = "Matrix product of operands in any formats and encodings";
  let description = [{
    `result[b][m][n] = sum_k lhs[b][m][k] * rhs[b][k][n]` over the logical
    values of the operands (their element formats and block scales), with
    the batch dimension b present when both operands have rank 3. With
    `transpose_rhs`, rhs is N x K (B x N x K) and `result[b][m][n] = sum_k
    lhs[b][m][k] * rhs[b][n][k]`: the layout of PyTorch's `nn.Linear`
    weights, ggml and safetensors checkpoints, where the reduction runs
    along the contiguous axis.

    With an f32 `accumulator`, each operand's logical value is rounded to
    nearest even into f32 (exact for every MX format and every minifloat
    that f32 contains; NVFP4 values, an E2M1 code times an E4M3 scale times
    an f32 tensor scale, can carry more bits), the products are computed and
    summed in f32 in an unspecified order, and the sum is rounded to nearest
    even into the result's element type. Results are therefore within
    (K + 3) * 2^-24 * sum_k |lhs * rhs| of the exact sum, before that last
    rounding, while that bound stays below f32's largest value. Products
    that are infinite or NaN in f32 give the IEEE result (NaN with a NaN
    product or infinities of both signs, else that infinity); where
    partial sums could overflow f32, the order of summation decides and
    any result (an infinity, NaN) is possible. With an i32 `accumulator` (integer elements without an
    encoding, a static K) the sum is exact in i32, then rounded to nearest
    even into the result's float type; the verifier refuses a K whose
    products could leave i32 (K * max|lhs| * max|rhs| above 2^31 - 1).
    Results are floats in either case.

    ```mlir
    %y = lowp.matmul %x, %w {accumulator = f32}
        : tensor<16x256xf32>, tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>
        -> tensor<16x64xf32>
    %z = lowp.matmul %x, %wt {accumulator = f32, transpose_rhs}
        : tensor<16x256xf32>, tensor<64x256xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>
        -> tensor<16x64xf32>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$lhs,
    AnyRankedTensor:$rhs,
    TypeAttr:$accumulator,
    UnitAttr:$transpose_rhs
  );
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Lowp_HadamardOp : Lowp_Op<"hadamard", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "The (randomized) Hadamard transform of blocks along an axis";
  let description = [{
    Each block of `block` (B, a power of two from 2 to 1024) consecutive
    elements along `axis` is multiplied by the orthonormal matrix
    (1 / sqrt(B)) H_B D, H_B the Sylvester Hadamard matrix and D a diagonal
    of signs s_j: with `seed`, s_j = -1 where bit 0 of element j of
    `lowp.random_bits` with that seed and offset 0 is set and +1 elsewhere
    (the same signs for every block); without it, +1. Because the matrix
    is orthonormal, transforming both operands of a matmul along K leaves
    their product unchanged while spreading outliers across each block,
    which is why NVFP4 and MXFP4 training recipes (Quartet, NVIDIA's) apply
    it before quantizing.

    The values are f32 and the result is defined bit for bit: v_j = s_j x_j,
    then for h = 1, 2, 4, ..., B / 2 and every j with j mod 2h < h,
    (v_j, v_{j+h}) <- (v_j + v_{j+h}, v_j - v_{j+h}), each rounded to f32,
    then y_j = v_j * f32(1 / sqrt(B)) rounded to f32 (exact when B is a
    power of four). That is log2(B) butterfly passes, not a dense product.

    ```mlir
    %y = lowp.hadamard %x {axis = 1 : i64, block = 32 : i64, seed = 7 : i64} : tensor<16x256xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis, I64Attr:$block,
                       OptionalAttr<I64Attr>:$seed);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// s_j for j = 0 .. block - 1: +1 or -1.
    ::llvm::SmallVector<float> getSigns();
  }];
}

def Lowp_RandomBitsOp : Lowp_Op<"random_bits", [Pure]> {
  let summary = "Counter-based random bits (Philox 4x32-10) from a seed and an offset";
  let description = [{
    A tensor of random bits that depends only on `seed`, `offset` and the
    element's position, the same on every target and in the reference
    interpreter, so that stochastic rounding needs no tensor of random
    numbers passed in. Element i (row-major) holds the low bits (8, 16 or
    32) of word `i mod 4` of Philox 4x32-10 (Salmon et al., SC 2011, as
    Random123, cuRAND's `Philox_4x32_10` and JAX use it) with the key
    (seed's low 32 bits, its high 32 bits) and the counter (n's low 32
    bits, its high 32 bits, 0, 0), n = offset + floor(i / 4) modulo 2^64.
    Tensors drawn with the same seed and offsets at least a quarter of
    their element counts apart share no counters.

    ```mlir
    %r = lowp.random_bits %seed, %offset : tensor<4096xi8>
    %q = lowp.convert %x random(%r : tensor<4096xi8>) stochastic
        : tensor<4096xf32> to tensor<4096xf4E2M1FN>
    ```
  }];
  let arguments = (ins I64:$seed, I64:$offset);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$seed `,` $offset attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Lowp_LookupOp : Lowp_Op<"lookup", [Pure,
    AllElementTypesMatch<["table", "result"]>,
    AllShapesMatch<["indices", "result"]>]> {
  let summary = "Lane-wise lookup in a small table held in a register";
  let description = [{
    `result[i] = table[indices[i] mod N]`, N the table's length, a power of
    two: only each index's low log2(N) bits are read, so the phases of a
    packed word of codes need no mask. This is how lowp-vectorize's kernels
    decode narrow codes; convert-lowp-to-llvm lowers it to one variable
    permute where the target has one (a 16-entry f32 or i32 table on
    AVX-512: vpermps/vpermd) and to a tree of selects on the index bits
    elsewhere.

    C1: `table` is a 1-D vector whose length is a power of two.
    C2: `indices` is a vector of i32 of the result's shape.

    ```mlir
    %v = lowp.lookup %table[%codes] : vector<16xf32>, vector<16xi32> -> vector<16xf32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [AnyType]>:$table,
                       VectorOfNonZeroRankOf<[I32]>:$indices);
  let results = (outs AnyVectorOfNonZeroRank:$result);
  let assemblyFormat = [{
    $table `[` $indices `]` attr-dict `:` type($table) `,` type($indices) `->` type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$table, "::mlir::Value":$indices), [{
      auto shape = ::llvm::cast<::mlir::VectorType>(indices.getType());
      build($_builder, $_state,
            shape.clone(::llvm::cast<::mlir::VectorType>(table.getType())
                            .getElementType()),
            table, indices);
    }]>,
  ];
  let hasVerifier = 1;
}

def Lowp_DotBytesOp : Lowp_Op<"dot_bytes", [Pure,
    AllTypesMatch<["accumulator", "unsignedBytes", "signedBytes", "result"]>]> {
  let summary = "Lane-wise sums of four products of unsigned and signed bytes";
  let description = [{
    Each i32 lane of `unsignedBytes` and `signedBytes` holds four bytes
    (little-endian): `result[i] = accumulator[i] + sum over j < 4 of
    zext(byte j of unsignedBytes[i]) * sext(byte j of signedBytes[i])`,
    wrapping modulo 2^32 (as `vpdpbusd` does; lowp's kernels keep their sums
    far from that). This is how lowp-vectorize's integer GEMM multiplies
    unsigned weight codes by signed int8 activations; convert-lowp-to-llvm
    lowers it to one `vpdpbusd` where the target has AVX512_VNNI (16 lanes)
    and to widening multiplies and adds elsewhere.

    ```mlir
    %sum = lowp.dot_bytes %acc, %weights, %activations : vector<16xi32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I32]>:$accumulator,
                       VectorOfRankAndType<[1], [I32]>:$unsignedBytes,
                       VectorOfRankAndType<[1], [I32]>:$signedBytes);
  let results = (outs VectorOfRankAndType<[1], [I32]>:$result);
  let assemblyFormat = [{
    $accumulator `,` $unsignedBytes `,` $signedBytes attr-dict `:` type($result)
  }];
}

#endif // LOWP_DIALECT_LOWP_IR_LOWPOPS_TD
