//===- VectorCode.h - Decoding codes and lane orders in vector code -*- C++
//-*-===//
//
// What the vector kernels (MatmulKernel.cpp, BlockKernels.cpp) share: codes
// of any format of at most 16 bits decoded into f32 lanes (register tables,
// bit arithmetic), codes widened to i32 lanes, and the (de)interleaving of
// lanes between phase order and natural order.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_LIB_CONVERSION_LOWPTOLINALG_VECTORCODE_H
#define LOWP_LIB_CONVERSION_LOWPTOLINALG_VECTORCODE_H

#include "lowp/Numerics/BlockScale.h"
#include "lowp/Numerics/Format.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace lowp {

/// A block-scaled tensor after lowering: its parts as storage tensors.
struct BlockScaledParts {
  /// The logical type, with its #lowp.block_scaled encoding.
  mlir::RankedTensorType type;
  /// The codes, one per byte, or (when `packedWidth` is nonzero) each row
  /// packed as lowp.pack lays it out.
  mlir::Value elements;
  unsigned packedWidth = 0;
  mlir::Value scales;
  /// 0-d tensor, or null.
  mlir::Value tensorScale;
  /// Shaped like `scales`, or null; its rows packed as lowp.pack lays them
  /// out when `zeroPointWidth` is nonzero.
  mlir::Value zeroPoints;
  unsigned zeroPointWidth = 0;
  /// Per-group format choice: shaped like `scales`, or null; packed as
  /// the zero points may be, when `selectorWidth` is nonzero.
  mlir::Value selectors = {};
  unsigned selectorWidth = 0;
};

/// f32 lanes per vector: one AVX-512 register.
constexpr int64_t kVectorLanes = 16;

/// How a format's codes become f32 values in vector code.
enum class DecodeKind {
  /// f32 storage: the value itself.
  F32,
  /// At most 4 bits: a 16-entry table (any format, codebooks included).
  Table,
  /// Integers of at most 16 bits: sign-extend and convert.
  Integer,
  /// Minifloats of at most 16 bits that f32 holds: the code's exponent and
  /// mantissa fields moved into an f32 and scaled by a power of two, then
  /// the format's special codes.
  Minifloat,
  /// E8M0: 2^(code - 127), code 0 is 2^-127, 0xFF is NaN.
  E8M0,
  /// bfloat16: the code shifted into an f32's top half.
  BFloat,
};

/// How VectorDecoder decodes `format`, or none when it cannot.
std::optional<DecodeKind> chooseDecode(const numerics::Format &format);

/// Whether VectorDecoder's f32 values are exactly the format's values for
/// every code (a table of a codebook whose entries f32 does not hold is
/// rounded).
bool decodesExactly(const numerics::Format &format);

/// Builds vector code that decodes codes (a vector of i32) into f32.
class VectorDecoder {
public:
  /// `format` must have a decoding (chooseDecode).
  explicit VectorDecoder(const numerics::Format &format);

  /// `codes` may carry other bits above the format's width when
  /// `highBitsClear` is false (the phases of a packed byte).
  mlir::Value decode(mlir::ImplicitLocOpBuilder &at, mlir::Value codes,
                     bool highBitsClear);

private:
  mlir::Value i32(mlir::VectorType type, int64_t value);
  mlir::Value f32(mlir::VectorType type, float value);
  mlir::Value mask(mlir::Value codes, uint32_t bits);
  mlir::Value equals(mlir::Value codes, uint32_t value);
  mlir::Value select(mlir::Value condition, mlir::Value a, mlir::Value other);
  mlir::Value lookup(mlir::Value codes, mlir::VectorType f32Type);
  mlir::Value minifloat(mlir::Value codes, mlir::VectorType f32Type);

  /// Where decode() emits; set by each call.
  mlir::ImplicitLocOpBuilder *b = nullptr;
  /// A copy: decoders outlive the formats they are made from.
  numerics::Format format;
  DecodeKind kind;
};

/// An index constant.
mlir::Value indexConstant(mlir::ImplicitLocOpBuilder &at, int64_t value);

/// Per-group format choice: every choice's values times its unit, as one
/// f32 vector indexed by selector << w | code (w the code width): 2^(w + S)
/// entries, NaN past the last choice (a selector that names none).
mlir::Value choiceTable(mlir::ImplicitLocOpBuilder &at,
                        const numerics::BlockScaling &scaling);

/// A vector of `lanes` f32 (or i32) lanes, all `value`.
mlir::Value f32Splat(mlir::ImplicitLocOpBuilder &at, float value,
                     int64_t lanes = kVectorLanes);
mlir::Value i32Splat(mlir::ImplicitLocOpBuilder &at, int32_t value,
                     int64_t lanes = kVectorLanes);

/// min(x, bound) of an f32 scalar or vector, NaN kept (compare and select,
/// as torch.min keeps it).
mlir::Value atMost(mlir::ImplicitLocOpBuilder &at, mlir::Value x, float bound);

/// Reads `lanes` consecutive elements of a tensor's innermost dimension at
/// `indices`, zero past the end when not `inBounds`.
mlir::Value readVector(mlir::ImplicitLocOpBuilder &at, mlir::Value tensor,
                       mlir::ValueRange indices, int64_t lanes, bool inBounds);

/// `count` codes of a part from element `column` of its innermost
/// dimension on (`leading` indexes the others), as i32 lanes. When `width`
/// is nonzero the rows are packed codes of that width (dividing 8) and the
/// lanes may carry other codes' bits above the width; then `count` is 1, or
/// `column` a multiple of 8 / width.
mlir::Value readCodeLanes(mlir::ImplicitLocOpBuilder &at, mlir::Value part,
                          mlir::ValueRange leading, mlir::Value column,
                          int64_t count, unsigned width, bool inBounds);

/// Codes of `stored` (i8, i16, i32 or f32 vectors) as i32 lanes.
mlir::Value widenCodes(mlir::ImplicitLocOpBuilder &b, mlir::Value stored);

/// Splits a vector into `phases` vectors, vector p holding lanes p, p +
/// phases, p + 2 * phases, ... (phases a power of two).
llvm::SmallVector<mlir::Value> deinterleave(mlir::ImplicitLocOpBuilder &b,
                                            mlir::Value vector, int64_t phases);

/// The inverse of deinterleave.
mlir::Value interleave(mlir::ImplicitLocOpBuilder &b,
                       llvm::ArrayRef<mlir::Value> phases);

} // namespace lowp

#endif // LOWP_LIB_CONVERSION_LOWPTOLINALG_VECTORCODE_H
