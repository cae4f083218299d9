//===- LowpAttrs.td - lowp attributes ----------------------*- tablegen -*-===//

#ifndef LOWP_DIALECT_LOWP_IR_LOWPATTRS_TD
#define LOWP_DIALECT_LOWP_IR_LOWPATTRS_TD

include "lowp/Dialect/Lowp/IR/LowpBase.td"
include "mlir/IR/TensorEncoding.td"

def Lowp_BlockScaledEncodingAttr : AttrDef<Lowp_Dialect, "BlockScaledEncoding",
    [DeclareAttrInterfaceMethods<VerifiableTensorEncoding>]> {
  let mnemonic = "block_scaled";
  let summary = "Tensor encoding: elements share a scale per block";
  let description = [{
    A ranked tensor carrying this encoding stores each logical value as an
    element code of the tensor's element type plus shared parts:

        value = (element - zero_point) * scale[block] * tensor_scale

    with absent parts reading as 0 and 1. `block` gives the block sizes of
    the tensor's trailing dimensions (leading dimensions not named have
    blocks of 1): `[32]` is 32 consecutive elements along the last axis,
    `[32, 1]` 32 along the second-to-last, `[16, 16]` a 2D tile. The block
    must tile every static dimension.

    `rule` says how quantization chooses the scale (docs/Numerics.md):

    | rule     | scale |
    |----------|-------|
    | `floor`  | 2^(floor(log2 amax) - emax_elem) (OCP MX v1.0) |
    | `rceil`  | 2^ceil(log2(amax / max_elem)) (never clips) |
    | `nvfp4`  | NVIDIA's steps in f32: amax * (S_enc / max_elem), S_enc = max_scale * max_elem / amax_tensor; tensor scale 1 / S_enc |
    | `absmax` | amax / max_elem (symmetric per-group) |
    | `minmax` | (max - min) / (qmax - qmin) with a zero point (GPTQ/AWQ) |

    Under `floor` and `rceil`, integer elements are fixed point with one
    integer bit (OCP MXINT8: int8 read as 1.6).

    Presets print in short form:

    | preset      | block | scale     | rule  | extra |
    |-------------|-------|-----------|-------|-------|
    | `mx`        | [32]  | f8E8M0FNU | floor |       |
    | `nvfp4`     | [16]  | f8E4M3FN  | nvfp4 | tensor_scale = f32 |
    | `int4_g128` | [128] | f16       | minmax | zero_point = ui4 |

    With the element type they make the named formats: MXFP8 is
    `tensor<...xf8E4M3FN, #lowp.block_scaled<mx>>` (or f8E5M2), MXFP6 uses
    f6E2M3FN or f6E3M2FN, MXFP4 f4E2M1FN, MXINT8 i8; NVFP4 is
    `tensor<...xf4E2M1FN, #lowp.block_scaled<nvfp4>>`; int4-g128 is
    `tensor<...xui4, #lowp.block_scaled<int4_g128>>`.

    `choices` (per-group format choice, BitMoD) lists 2 to 16 element
    formats of one width W; the tensor's element type is then `uiW`, codes
    that mean a value only with their block's choice, and each block
    stores a selector (`ui1` for 2 choices, `ui2` up to 4, ...) besides its
    scale. Quantization tries every choice and keeps the one with the least
    squared error (docs/Numerics.md, "Per-group format choice"); rules
    `floor`, `rceil` and `absmax` only.

    ```mlir
    tensor<4096x4096xf4E2M1FN, #lowp.block_scaled<mx>>
    tensor<64x256xui4, #lowp.block_scaled<block = [32], scale = f8E8M0FNU, rule = floor,
        choices = [f4E2M1FN, i4, !lowp.float<e3m0, finite>]>>
    tensor<256x256xf8E4M3FN, #lowp.block_scaled<block = [16, 16], scale = f32, rule = absmax>>
    tensor<64x128xi8, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = rceil>>
    ```
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t", "block sizes of the trailing dimensions">:$block,
    "::mlir::Type":$scaleType,
    "::lowp::numerics::ScaleRule":$rule,
    OptionalParameter<"::mlir::Type">:$tensorScaleType,
    OptionalParameter<"::mlir::Type">:$zeroPointType,
    OptionalArrayRefParameter<"::mlir::Type",
        "element formats a block chooses from">:$choices
  );
  let builders = [
    // An encoding without choices.
    AttrBuilder<(ins "::llvm::ArrayRef<int64_t>":$block, "::mlir::Type":$scaleType,
                     "::lowp::numerics::ScaleRule":$rule,
                     "::mlir::Type":$tensorScaleType, "::mlir::Type":$zeroPointType), [{
      return $_get($_ctxt, block, scaleType, rule, tensorScaleType,
                   zeroPointType, ::llvm::ArrayRef<::mlir::Type>{});
    }]>
  ];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The numerics core's description of this encoding over `elementType`;
    /// the encoding must verify for that element type.
    ::lowp::numerics::BlockScaling getScaling(::mlir::Type elementType) const;
    /// The shape of the scale tensor of a tensor of `shape`: each dimension
    /// divided by its block size (dynamic dimensions stay dynamic).
    ::llvm::SmallVector<int64_t> getScaleShape(::llvm::ArrayRef<int64_t> shape) const;
    /// The block sizes of every dimension of a rank-`rank` tensor.
    ::llvm::SmallVector<int64_t> getFullBlock(unsigned rank) const;
    /// This encoding with the block sizes `fullBlock` of every dimension
    /// (written without leading blocks of 1: [1, 32] is [32]).
    BlockScaledEncodingAttr withFullBlock(::llvm::ArrayRef<int64_t> fullBlock) const;
    /// Whether each block chooses its element format from `choices`.
    bool hasChoices() const { return !getChoices().empty(); }
    /// The type of a block's selector, ui<ceil(log2 #choices)>; null
    /// without choices.
    ::mlir::Type getSelectorType() const;
  }];
}

#endif // LOWP_DIALECT_LOWP_IR_LOWPATTRS_TD
