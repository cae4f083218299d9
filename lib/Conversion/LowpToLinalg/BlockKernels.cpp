//===- BlockKernels.cpp - Block-scaled tensors to and from f32 ------------===//
//
// lowp.dequantize to f32, for blocks of B elements along the innermost
// dimension. The tensor is walked as one flat run of elements (rows are
// whole blocks, so blocks never straddle them) in units of U = max(B, G)
// elements, G = 16 * P being the elements of one read of 16 lanes of P
// codes (P = 8 / w for codes of w < 8 bits packed, else 1):
//
//   parallel for each chunk of whole units (scf.forall)
//     for each unit:
//       s[k] = broadcast(decode(scale of block k) ...)   U / B blocks
//       for each group of G elements in the unit:
//         codes = 16 lanes of P codes             (one read)
//         v = interleave(decode(phase 0), ..., decode(phase P - 1))
//         for each 16 lanes of v (block k):
//           y = ((v - z[k]) * unit * s[k]) * tensor_scale
//   then a last partial unit, masked
//
// Exactness: lowp.dequantize is the exact product rounded once into the
// result. Every factor is an f32 value, and the compile-time checks of
// isDequantizeKernelCovered make every multiply but the last exact, so the
// f32 result is that single rounding; NaN results are the reference's NaN.
// Without scales, the same code is lowp.convert to f32 (decoding is
// exact).
//
//===----------------------------------------------------------------------===//

#include "BlockKernels.h"
#include "ElementCodegen.h"

#include "lowp/Conversion/LowpToLinalg/StorageTypes.h"
#include "lowp/Dialect/Lowp/IR/LowpOps.h"
#include "lowp/Dialect/Lowp/IR/LowpTypes.h"
#include "lowp/Numerics/BlockScale.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/MathExtras.h"

#include <climits>
#include <cmath>

using namespace mlir;
using namespace lowp;
using namespace lowp::numerics;

namespace {

constexpr int64_t kLanes = kVectorLanes;
/// Chunks of units run in parallel: enough to share out among a few cores
/// in nearly equal parts.
constexpr int64_t kParallelChunks = 8;
/// Below this many elements the work is not worth waking threads for.
constexpr int64_t kParallelElements = int64_t(1) << 16;
/// Groups of a unit unrolled, beyond which they are a loop.
constexpr int64_t kUnrolledGroups = 8;
/// Results larger than this are stored non-temporally: larger than the
/// last-level cache of the CPUs lowp is tuned on (32 MiB), they would only
/// evict what is there, and an ordinary store reads each line first.
constexpr int64_t kStreamingBytes = int64_t(32) << 20;

//===----------------------------------------------------------------------===//
// Exactness
//===----------------------------------------------------------------------===//

/// Over a set of finite nonzero values: the most significant bits any has,
/// and the binary exponents of the lowest and the highest set bit of all.
struct BitSpan {
  int significant = 0;
  int lowest = INT_MAX;
  int highest = INT_MIN;

  void add(double value) {
    if (!std::isfinite(value) || value == 0)
      return;
    int exponent;
    double fraction = std::frexp(std::fabs(value), &exponent);
    auto mantissa = uint64_t(std::ldexp(fraction, 53));
    int low = exponent - 53 + llvm::countr_zero(mantissa);
    int high = exponent - 1;
    significant = std::max(significant, high - low + 1);
    lowest = std::min(lowest, low);
    highest = std::max(highest, high);
  }
  bool empty() const { return lowest == INT_MAX; }
  /// Whether every value, times 2^shift, is an f32.
  bool fitsF32(int shift = 0) const {
    return empty() || (significant <= 24 && lowest + shift >= -149 &&
                       highest + shift <= 127);
  }
  BitSpan shifted(int shift) const {
    BitSpan result = *this;
    if (!empty()) {
      result.lowest += shift;
      result.highest += shift;
    }
    return result;
  }
};

/// The span of every value of `format`; a 32-bit format is taken as all
/// of f32.
BitSpan spanOf(const Format &format) {
  BitSpan span;
  if (format.getBitWidth() > 16) {
    span.significant = 24;
    span.lowest = -149;
    span.highest = 127;
    return span;
  }
  for (uint32_t code = 0; code < format.getNumCodes(); ++code)
    span.add(format.decode(code));
  return span;
}

/// The smallest and largest value of an integer format.
std::pair<double, double> integerRange(const Format &format) {
  double lowest = INFINITY, highest = -INFINITY;
  for (uint32_t code = 0; code < format.getNumCodes(); ++code) {
    lowest = std::min(lowest, format.decode(code));
    highest = std::max(highest, format.decode(code));
  }
  return {lowest, highest};
}

/// The span of the element values the kernel multiplies by the scales: the
/// element's value, or its difference from the zero point (integers only),
/// before the element unit; none when the kernel cannot form them exactly.
std::optional<BitSpan> elementSpan(const BlockScaling &scaling) {
  if (!decodesExactly(scaling.element))
    return std::nullopt;
  if (!scaling.zeroPoint)
    return spanOf(scaling.element);
  if (!scaling.element.isInteger() || !scaling.zeroPoint->isInteger() ||
      scaling.zeroPoint->getBitWidth() > 16)
    return std::nullopt;
  auto [elementLow, elementHigh] = integerRange(scaling.element);
  auto [zeroLow, zeroHigh] = integerRange(*scaling.zeroPoint);
  BitSpan span;
  span.add(1.0);
  span.add(std::max(std::fabs(elementLow - zeroHigh),
                    std::fabs(elementHigh - zeroLow)));
  return span;
}

/// Whether every product of a value in `a` and one in `b` is an f32.
bool productsExact(const BitSpan &a, const BitSpan &b) {
  if (a.empty() || b.empty())
    return true;
  // The product has at most a.significant + b.significant bits, its lowest
  // at or above 2^(a.lowest + b.lowest), and is below 2^(a.highest +
  // b.highest + 2).
  return a.significant + b.significant <= 24 && a.lowest + b.lowest >= -149 &&
         a.highest + b.highest + 2 <= 128;
}

//===----------------------------------------------------------------------===//
// The kernel
//===----------------------------------------------------------------------===//

/// Collapses a tensor into one dimension (rows are contiguous).
Value flatten(ImplicitLocOpBuilder &b, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.getRank() == 1)
    return tensor;
  ReassociationIndices all;
  for (int64_t d = 0; d < type.getRank(); ++d)
    all.push_back(d);
  return tensor::CollapseShapeOp::create(b, tensor,
                                         ArrayRef<ReassociationIndices>{all});
}

/// Items [0, count) in up to kParallelChunks nearly equal chunks run in
/// parallel (scf.forall, an OpenMP loop once lowered), or as one chunk
/// when not `parallel`: `body` emits the loop over one chunk, given its
/// first item and its item count.
void emitChunks(
    ImplicitLocOpBuilder &at, int64_t count, bool parallel,
    llvm::function_ref<void(ImplicitLocOpBuilder &, Value, Value)> body) {
  int64_t chunks = parallel ? kParallelChunks : 1;
  int64_t chunkItems = llvm::divideCeil(count, chunks);
  chunks = llvm::divideCeil(count, chunkItems);
  if (chunks == 1) {
    body(at, indexConstant(at, 0), indexConstant(at, count));
    return;
  }
  auto forall =
      scf::ForallOp::create(at, ArrayRef<OpFoldResult>{at.getIndexAttr(chunks)},
                            ValueRange{}, std::nullopt);
  OpBuilder::InsertionGuard guard(at);
  at.setInsertionPointToStart(forall.getBody());
  Value first = arith::MulIOp::create(at, forall.getInductionVars()[0],
                                      indexConstant(at, chunkItems));
  body(at, first,
       arith::MinSIOp::create(
           at, indexConstant(at, chunkItems),
           arith::SubIOp::create(at, indexConstant(at, count), first)));
}

/// Items [0, count) as emitChunks splits them, `body` emitting item `i`.
void emitItems(ImplicitLocOpBuilder &at, int64_t count, bool parallel,
               llvm::function_ref<void(ImplicitLocOpBuilder &, Value)> body) {
  emitChunks(at, count, parallel,
             [&](ImplicitLocOpBuilder &chunk, Value first, Value items) {
               scf::ForOp::create(
                   chunk, indexConstant(chunk, 0), items,
                   indexConstant(chunk, 1), ValueRange{},
                   [&](OpBuilder &nested, Location loc, Value i, ValueRange) {
                     ImplicitLocOpBuilder inner(loc, nested);
                     body(inner, arith::AddIOp::create(inner, first, i));
                     scf::YieldOp::create(inner);
                   });
             });
}

/// Elements [0, total) in steps of `step`: the whole steps as emitItems
/// runs them (in parallel from kParallelElements on), then the last, partial
/// one; `body` emits the step from element `offset`, past the end of the
/// tensor when not `inBounds`.
void emitSteps(
    ImplicitLocOpBuilder &at, int64_t total, int64_t step,
    llvm::function_ref<void(ImplicitLocOpBuilder &, Value, bool)> body) {
  int64_t whole = total / step;
  if (whole > 0)
    emitItems(at, whole, total >= kParallelElements,
              [&](ImplicitLocOpBuilder &inner, Value i) {
                body(
                    inner,
                    arith::MulIOp::create(inner, i, indexConstant(inner, step)),
                    /*inBounds=*/true);
              });
  if (total % step)
    body(at, indexConstant(at, whole * step), /*inBounds=*/false);
}

/// 16 bytes of packed `width`-bit codes from P = 8 / width vectors of 16
/// i32 codes in natural order: byte l holds codes l * P + p at bits p * w.
Value packCodeBytes(ImplicitLocOpBuilder &at, ArrayRef<Value> codes,
                    unsigned width) {
  int64_t phases = 8 / width;
  Value natural = codes[0];
  for (int64_t p = 1; p < phases; ++p) {
    int64_t count = cast<VectorType>(natural.getType()).getNumElements();
    SmallVector<int64_t> lanes;
    for (int64_t l = 0; l < count + kLanes; ++l)
      lanes.push_back(l);
    natural = vector::ShuffleOp::create(at, natural, codes[p], lanes);
  }
  uint32_t mask = (uint32_t(1) << width) - 1;
  SmallVector<Value> byPhase = deinterleave(at, natural, phases);
  Value bytes;
  for (int64_t p = 0; p < phases; ++p) {
    Value part =
        arith::AndIOp::create(at, byPhase[p], i32Splat(at, int32_t(mask)));
    if (p > 0)
      part = arith::ShLIOp::create(at, part, i32Splat(at, int32_t(p * width)));
    bytes = bytes ? arith::OrIOp::create(at, bytes, part) : part;
  }
  return arith::TruncIOp::create(at, VectorType::get({kLanes}, at.getI8Type()),
                                 bytes);
}

class DequantizeEmitter {
public:
  /// `input` is block-scaled, or a plain tensor of codes (its type without
  /// an encoding, no scales): lowp.convert to f32.
  DequantizeEmitter(ImplicitLocOpBuilder &b, const BlockScaledParts &input)
      : b(b), input(input), scaling(scalingOf(input.type)),
        elementFormat(scaling ? scaling->element
                              : *getNumericFormat(input.type.getElementType())),
        elementDecoder(elementFormat) {
    width = input.packedWidth;
    phases = width && width < 8 ? 8 / width : 1;
    groupElements = kLanes * phases;
    unitElements = groupElements;
    if (!scaling)
      return;
    scaleDecoder.emplace(scaling->scale);
    if (scaling->zeroPoint)
      zeroPointDecoder.emplace(*scaling->zeroPoint);
    auto encoding = cast<BlockScaledEncodingAttr>(input.type.getEncoding());
    blockSize = encoding.getFullBlock(input.type.getRank()).back();
    unitElements = std::max(blockSize, groupElements);
    unit = scaling->getElementUnit();
  }

  Value emit() {
    int64_t total = input.type.getNumElements();
    codes = flatten(b, input.elements);
    if (input.scales)
      scales = flatten(b, input.scales);
    if (input.zeroPoints)
      zeroPoints = flatten(b, input.zeroPoints);
    if (input.tensorScale)
      tensorScale = decodeTensorScale();
    // The result is written through a buffer, with vector stores that may
    // be non-temporal: a result larger than the caches would otherwise be
    // read into them before it is written.
    out = memref::AllocOp::create(b, MemRefType::get({total}, b.getF32Type()),
                                  b.getI64IntegerAttr(64));
    if (total * 4 <= kStreamingBytes) {
      emitAll(total);
    } else {
      // Non-temporal stores where the buffer is aligned to whole lines (the
      // result may become the caller's buffer, of any alignment).
      Value address = memref::ExtractAlignedPointerAsIndexOp::create(b, out);
      Value aligned = arith::CmpIOp::create(
          b, arith::CmpIPredicate::eq,
          arith::RemUIOp::create(b, address, index(b, 64)), index(b, 0));
      scf::IfOp::create(
          b, aligned,
          [&](OpBuilder &nested, Location loc) {
            ImplicitLocOpBuilder then(loc, nested);
            streaming = true;
            emitAll(total, then);
            scf::YieldOp::create(then);
          },
          [&](OpBuilder &nested, Location loc) {
            ImplicitLocOpBuilder otherwise(loc, nested);
            streaming = false;
            emitAll(total, otherwise);
            scf::YieldOp::create(otherwise);
          });
    }
    Value result = bufferization::ToTensorOp::create(
        b, RankedTensorType::get({total}, b.getF32Type()), out,
        /*restrict=*/true, /*writable=*/true);
    if (input.type.getRank() == 1)
      return result;
    ReassociationIndices all;
    for (int64_t d = 0; d < input.type.getRank(); ++d)
      all.push_back(d);
    return tensor::ExpandShapeOp::create(
        b, RankedTensorType::get(input.type.getShape(), b.getF32Type()), result,
        ArrayRef<ReassociationIndices>{all});
  }

private:
  Value index(ImplicitLocOpBuilder &at, int64_t value) {
    return indexConstant(at, value);
  }
  VectorType f32Vector(int64_t lanes) {
    return VectorType::get({lanes}, b.getF32Type());
  }
  Value read(ImplicitLocOpBuilder &at, Value tensor, Value offset,
             int64_t lanes, bool inBounds) {
    return readVector(at, tensor, ValueRange{offset}, lanes, inBounds);
  }

  /// The decoded tensor scale, in 16 lanes.
  Value decodeTensorScale() {
    Value stored =
        tensor::ExtractOp::create(b, input.tensorScale, ValueRange{});
    Value codes = widenCodes(
        b, vector::BroadcastOp::create(
               b, VectorType::get({kLanes}, stored.getType()), stored));
    VectorDecoder decoder(*scaling->tensorScale);
    return decoder.decode(b, codes, true);
  }

  /// Every element of the result: the whole units, then the last, partial
  /// one.
  void emitAll(int64_t total, ImplicitLocOpBuilder &at) {
    emitSteps(at, total, unitElements,
              [&](ImplicitLocOpBuilder &body, Value element, bool inBounds) {
                emitUnit(body, element, inBounds);
              });
  }
  void emitAll(int64_t total) { emitAll(total, b); }

  /// The decoded part (scales or zero points) of the `count` blocks from
  /// block `first`, each broadcast to 16 lanes.
  SmallVector<Value> blockValues(ImplicitLocOpBuilder &at, Value part,
                                 unsigned packedWidth, VectorDecoder &decoder,
                                 Value first, int64_t count, bool inBounds) {
    Value decoded = decoder.decode(at,
                                   readCodeLanes(at, part, ValueRange{}, first,
                                                 count, packedWidth, inBounds),
                                   packedWidth == 0);
    SmallVector<Value> result;
    for (int64_t k = 0; k < count; ++k)
      result.push_back(vector::BroadcastOp::create(
          at, f32Vector(kLanes), vector::ExtractOp::create(at, decoded, k)));
    return result;
  }

  /// The G elements from `element` on, decoded, in natural order.
  Value decodeGroup(ImplicitLocOpBuilder &at, Value element, bool inBounds) {
    Value offset = element;
    if (width && width < 8)
      offset = arith::DivUIOp::create(at, element, index(at, phases));
    Value lanes = widenCodes(at, read(at, codes, offset, kLanes, inBounds));
    SmallVector<Value> byPhase;
    for (int64_t p = 0; p < phases; ++p) {
      Value phase = lanes;
      if (p > 0)
        phase =
            arith::ShRUIOp::create(at, lanes, i32Splat(at, int32_t(p * width)));
      byPhase.push_back(elementDecoder.decode(at, phase, p == phases - 1));
    }
    return interleave(at, byPhase);
  }

  /// One unit: elements from `element` on, those past the end of the
  /// tensor left out when not `inBounds`.
  void emitUnit(ImplicitLocOpBuilder &at, Value element, bool inBounds) {
    SmallVector<Value> blockScales, blockZeros;
    if (scaling) {
      int64_t blocks = unitElements / blockSize;
      Value firstBlock =
          arith::DivUIOp::create(at, element, index(at, blockSize));
      blockScales = blockValues(at, scales, /*packedWidth=*/0, *scaleDecoder,
                                firstBlock, blocks, inBounds);
      if (zeroPoints)
        blockZeros =
            blockValues(at, zeroPoints, input.zeroPointWidth, *zeroPointDecoder,
                        firstBlock, blocks, inBounds);
    }
    int64_t groups = unitElements / groupElements;
    auto emitGroup = [&](ImplicitLocOpBuilder &g, Value groupOffset,
                         std::optional<int64_t> group) {
      Value groupElement = arith::AddIOp::create(g, element, groupOffset);
      Value natural = decodeGroup(g, groupElement, inBounds);
      for (int64_t j = 0; j < groupElements / kLanes; ++j) {
        // The block of these lanes: static when the groups are unrolled,
        // the unit's only block when they are a loop.
        int64_t k = group && scaling
                        ? (*group * groupElements + j * kLanes) / blockSize
                        : 0;
        Value piece = vector::ExtractStridedSliceOp::create(
            g, natural, ArrayRef<int64_t>{j * kLanes},
            ArrayRef<int64_t>{kLanes}, ArrayRef<int64_t>{1});
        Value value = scale(g, piece, scaling ? blockScales[k] : Value(),
                            zeroPoints ? blockZeros[k] : Value());
        Value offset =
            arith::AddIOp::create(g, groupElement, index(g, j * kLanes));
        if (inBounds)
          vector::StoreOp::create(g, value, out, ValueRange{offset}, streaming,
                                  streaming ? llvm::MaybeAlign(64)
                                            : llvm::MaybeAlign());
        else
          vector::TransferWriteOp::create(g, value, out, ValueRange{offset},
                                          ArrayRef<bool>{false});
      }
    };
    if (groups <= kUnrolledGroups) {
      for (int64_t group = 0; group < groups; ++group)
        emitGroup(at, index(at, group * groupElements), group);
      return;
    }
    scf::ForOp::create(
        at, index(at, 0), index(at, unitElements), index(at, groupElements),
        ValueRange{},
        [&](OpBuilder &nested, Location loc, Value offset, ValueRange) {
          ImplicitLocOpBuilder body(loc, nested);
          emitGroup(body, offset, std::nullopt);
          scf::YieldOp::create(body);
        });
  }

  /// ((v - zero) * unit * scale) * tensor scale, NaN as the reference
  /// writes it.
  Value scale(ImplicitLocOpBuilder &at, Value value, Value blockScale,
              Value zero) {
    if (zero)
      value = arith::SubFOp::create(at, value, zero);
    if (unit != 1.0)
      value = arith::MulFOp::create(at, value, f32Splat(at, float(unit)));
    if (blockScale)
      value = arith::MulFOp::create(at, value, blockScale);
    if (tensorScale)
      value = arith::MulFOp::create(at, value, tensorScale);
    if (!mayBeNaN())
      return value;
    Value isNaN =
        arith::CmpFOp::create(at, arith::CmpFPredicate::UNO, value, value);
    uint32_t nanCode = getNumericFormat(at.getF32Type())->getNaNCode();
    Value nan = arith::BitcastOp::create(at, f32Vector(kLanes),
                                         i32Splat(at, int32_t(nanCode)));
    return arith::SelectOp::create(at, isNaN, nan, value);
  }

  /// Whether a result can be NaN: a NaN code, or inf times zero.
  bool mayBeNaN() const {
    auto special = [](const Format &format) {
      return format.hasNaN() || format.hasInfinity();
    };
    if (special(elementFormat))
      return true;
    return scaling &&
           (special(scaling->scale) ||
            (scaling->tensorScale && special(*scaling->tensorScale)));
  }

  static std::optional<BlockScaling> scalingOf(RankedTensorType type) {
    auto encoding =
        dyn_cast_or_null<BlockScaledEncodingAttr>(type.getEncoding());
    if (!encoding)
      return std::nullopt;
    return encoding.getScaling(type.getElementType());
  }

  ImplicitLocOpBuilder &b;
  const BlockScaledParts &input;
  /// None for plain codes.
  std::optional<BlockScaling> scaling;
  numerics::Format elementFormat;
  VectorDecoder elementDecoder;
  std::optional<VectorDecoder> scaleDecoder, zeroPointDecoder;
  int64_t blockSize = 0, phases = 1, groupElements = 0, unitElements = 0;
  unsigned width = 0;
  double unit = 1.0;
  Value codes, scales, zeroPoints, tensorScale;
  /// The result's buffer (memref<T x f32>, 64-byte aligned), and whether
  /// its stores are non-temporal.
  Value out;
  bool streaming = false;
};

//===----------------------------------------------------------------------===//
// The quantize kernel
//===----------------------------------------------------------------------===//

/// The rounding of lowp.quantize's elements: the op's mode, saturating.
RoundingOptions elementRounding(QuantizeOp op) {
  RoundingOptions options;
  options.mode = toNumerics(op.getRounding());
  options.saturate = true;
  return options;
}

/// lowp.quantize of f32 under the floor or rceil rule into E8M0 scales,
/// blocks of B along the innermost dimension, in units of U = max(B, G)
/// elements (G = 16P as for dequantize):
///
///   parallel for each chunk of units (scf.forall)
///     for each unit, for each block k in it:
///       amax = reduce_max(bits(x) & 0x7FFFFFFF)     NaN and inf above inf
///       e = floor(log2 amax) - floor(log2 max_elem) (+1 for rceil if short)
///       scale[k] = e + 127, or NaN for a block of NaN, inf or e > 127
///     for each 16 lanes of x in block k:
///       code = encode_f32(x * 2^-e / unit)           exact: a power of two
///     packed: codes l*P + p of each group into byte l, one store
///
/// x * 2^-e is exact unless it falls below 2^-126, where every mode the
/// kernel takes rounds it to zero in the element format (checked), as it
/// does the exact quotient.
class QuantizeEmitter {
public:
  QuantizeEmitter(ImplicitLocOpBuilder &b, QuantizeOp op, Value input,
                  unsigned packedWidth)
      : b(b), op(op), input(input),
        resultType(cast<RankedTensorType>(op.getType())),
        encoding(cast<BlockScaledEncodingAttr>(resultType.getEncoding())),
        scaling(encoding.getScaling(resultType.getElementType())),
        rounding(elementRounding(op)), width(packedWidth) {
    blockSize = encoding.getFullBlock(resultType.getRank()).back();
    phases = width ? 8 / width : 1;
    groupElements = kLanes * phases;
    unit = scaling.getElementUnit();
    maxElementExponent =
        int(std::floor(std::log2(scaling.getMaxElementValue())));
  }

  std::pair<Value, Value> emit() {
    int64_t total = resultType.getNumElements();
    values = flatten(b, input);
    Type elementStorage = getStorageType(resultType.getElementType());
    int64_t codeCount = width ? total * width / 8 : total;
    codes = memref::AllocOp::create(
        b, MemRefType::get({codeCount}, width ? b.getI8Type() : elementStorage),
        b.getI64IntegerAttr(64));
    scales = memref::AllocOp::create(
        b, MemRefType::get({total / blockSize}, b.getI8Type()),
        b.getI64IntegerAttr(64));
    emitSpans(total);
    // The parts in the shapes of the unflattened tensor.
    SmallVector<int64_t> codeShape(resultType.getShape());
    if (width)
      codeShape.back() = codeShape.back() * width / 8;
    SmallVector<int64_t> scaleShape(resultType.getShape());
    scaleShape.back() /= blockSize;
    return {unflatten(codes, codeShape), unflatten(scales, scaleShape)};
  }

private:
  Value index(ImplicitLocOpBuilder &at, int64_t value) {
    return indexConstant(at, value);
  }

  /// A buffer as a tensor of `shape`.
  Value unflatten(Value buffer, ArrayRef<int64_t> shape) {
    auto type = cast<MemRefType>(buffer.getType());
    Value tensor = bufferization::ToTensorOp::create(
        b, RankedTensorType::get(type.getShape(), type.getElementType()),
        buffer, /*restrict=*/true, /*writable=*/true);
    if (shape.size() == 1)
      return tensor;
    ReassociationIndices all;
    for (size_t d = 0; d < shape.size(); ++d)
      all.push_back(d);
    return tensor::ExpandShapeOp::create(
        b, RankedTensorType::get(shape, type.getElementType()), tensor,
        ArrayRef<ReassociationIndices>{all});
  }

  /// Spans of 16 blocks, in parallel chunks when the tensor is large
  /// enough, then the last, partial span.
  void emitSpans(int64_t total) {
    emitSteps(b, total, kLanes * blockSize,
              [&](ImplicitLocOpBuilder &body, Value element, bool inBounds) {
                emitSpan(body, element, inBounds);
              });
  }

  /// Lane k of the result: the largest lane of vectors[k] (16 vectors of
  /// 16 i32 lanes), by merging halves pairwise: after each round a vector
  /// holds twice the blocks in groups of half the lanes.
  Value maxOfEach(ImplicitLocOpBuilder &at, SmallVector<Value> vectors) {
    int64_t groupLanes = kLanes;
    while (vectors.size() > 1) {
      int64_t groups = kLanes / groupLanes, half = groupLanes / 2;
      SmallVector<int64_t> low, high;
      for (int64_t source = 0; source < 2; ++source)
        for (int64_t g = 0; g < groups; ++g)
          for (int64_t l = 0; l < half; ++l) {
            low.push_back(source * kLanes + g * groupLanes + l);
            high.push_back(source * kLanes + g * groupLanes + half + l);
          }
      SmallVector<Value> merged;
      for (size_t i = 0; i < vectors.size(); i += 2) {
        Value a = vectors[i], c = vectors[i + 1];
        merged.push_back(
            arith::MaxSIOp::create(at, vector::ShuffleOp::create(at, a, c, low),
                                   vector::ShuffleOp::create(at, a, c, high)));
      }
      vectors = std::move(merged);
      groupLanes = half;
    }
    return vectors.front();
  }

  /// The scales of 16 blocks whose amax bits are `amaxBits` (lane k, block
  /// k), as QuantizeEmitter::blockExponent of the elementwise path computes
  /// them, in i32 lanes: stores their codes from block `firstBlock` on and
  /// returns 2^-e per block, NaN for a block that is unrepresentable.
  Value emitScales(ImplicitLocOpBuilder &at, Value amaxBits, Value firstBlock,
                   bool inBounds) {
    using P = arith::CmpIPredicate;
    auto i32 = [&](int32_t v) { return i32Splat(at, v); };
    auto cmp = [&](P predicate, Value a, Value c) {
      return arith::CmpIOp::create(at, predicate, a, c);
    };
    auto select = [&](Value condition, Value a, Value c) {
      return arith::SelectOp::create(at, condition, a, c);
    };
    VectorType f32Type = VectorType::get({kLanes}, at.getF32Type());
    VectorType i32Type = VectorType::get({kLanes}, at.getI32Type());
    // Bits of non-negative floats order as the floats do; NaN's lie above
    // inf's.
    Value nonFinite = cmp(P::sge, amaxBits, i32(0x7F800000));
    // A subnormal amax's bits, as an integer, convert exactly to a float
    // whose exponent and mantissa fields are amax's normalized ones,
    // 149 binades up.
    Value subnormal = cmp(P::slt, amaxBits, i32(0x00800000));
    Value normalized =
        select(subnormal,
               arith::BitcastOp::create(
                   at, i32Type, arith::SIToFPOp::create(at, f32Type, amaxBits)),
               amaxBits);
    Value floorLog2 = arith::SubIOp::create(
        at, arith::ShRUIOp::create(at, normalized, i32(23)),
        select(subnormal, i32(127 + 149), i32(127)));
    Value exponent =
        arith::SubIOp::create(at, floorLog2, i32(maxElementExponent));
    if (scaling.rule == ScaleRule::RCeil) {
      // max_elem * 2^e and amax share their binade: the one below amax is
      // the one with the smaller mantissa field.
      uint32_t maxMantissa =
          llvm::bit_cast<uint32_t>(float(scaling.getMaxElementValue())) &
          0x7FFFFF;
      Value short_ =
          cmp(P::ugt, arith::AndIOp::create(at, normalized, i32(0x7FFFFF)),
              i32(int32_t(maxMantissa)));
      exponent = arith::AddIOp::create(
          at, exponent, arith::ExtUIOp::create(at, i32Type, short_));
    }
    exponent = select(cmp(P::eq, amaxBits, i32(0)), i32(-127), exponent);
    Value invalid =
        arith::OrIOp::create(at, nonFinite, cmp(P::sgt, exponent, i32(127)));
    exponent = arith::MinSIOp::create(
        at, arith::MaxSIOp::create(at, exponent, i32(-127)), i32(127));
    Value code = select(invalid, i32(0xFF),
                        arith::AddIOp::create(at, exponent, i32(127)));
    vector::TransferWriteOp::create(
        at,
        arith::TruncIOp::create(at, VectorType::get({kLanes}, at.getI8Type()),
                                code),
        scales, ValueRange{firstBlock}, ArrayRef<bool>{inBounds});
    // 2^-e: a normal f32 down to e = 126, 2^-127 (subnormal) at 127.
    Value reciprocal =
        select(cmp(P::eq, exponent, i32(127)), i32(0x00400000),
               arith::ShLIOp::create(
                   at, arith::SubIOp::create(at, i32(127), exponent), i32(23)));
    reciprocal = select(invalid, i32(0x7FC00000), reciprocal);
    return arith::BitcastOp::create(at, f32Type, reciprocal);
  }

  /// The i32 codes of 16 values of a block times `reciprocal` (2^-e in
  /// every lane, NaN for an unrepresentable block).
  Value encode(ImplicitLocOpBuilder &at, Value values, Value reciprocal) {
    Value quotient = arith::MulFOp::create(at, values, reciprocal);
    if (unit != 1.0)
      quotient =
          arith::MulFOp::create(at, quotient, f32Splat(at, float(1.0 / unit)));
    ElementCodegen g(at);
    Value code = g.encodeF32(scaling.element, quotient, rounding);
    // What the reference writes for the elements of an unrepresentable
    // block, the only blocks whose quotients are NaN.
    RoundingOptions nearest;
    nearest.saturate = true;
    int64_t nanCode = scaling.element.encode(NAN, nearest);
    Value isNaN = arith::CmpFOp::create(at, arith::CmpFPredicate::UNO, quotient,
                                        quotient);
    return arith::SelectOp::create(at, isNaN, i32Splat(at, int32_t(nanCode)),
                                   code);
  }

  /// 16 blocks from `element` on; past the end of the tensor when not
  /// `inBounds`, what lies there read as zero and left unwritten.
  void emitSpan(ImplicitLocOpBuilder &at, Value element, bool inBounds) {
    int64_t vectorsPerBlock = blockSize / kLanes;
    VectorType i32Type = VectorType::get({kLanes}, at.getI32Type());
    auto offset = [&](int64_t elements) {
      return arith::AddIOp::create(at, element, index(at, elements));
    };
    auto readValues = [&](int64_t v) {
      return readVector(at, values, ValueRange{offset(v * kLanes)}, kLanes,
                        inBounds);
    };
    // Pass 1: each block's amax.
    SmallVector<Value> magnitudes;
    for (int64_t k = 0; k < kLanes; ++k) {
      Value magnitude;
      for (int64_t v = k * vectorsPerBlock; v < (k + 1) * vectorsPerBlock;
           ++v) {
        Value bits = arith::AndIOp::create(
            at, arith::BitcastOp::create(at, i32Type, readValues(v)),
            i32Splat(at, 0x7FFFFFFF));
        magnitude =
            magnitude ? arith::MaxSIOp::create(at, magnitude, bits) : bits;
      }
      magnitudes.push_back(magnitude);
    }
    Value reciprocals = emitScales(
        at, maxOfEach(at, magnitudes),
        arith::DivUIOp::create(at, element, index(at, blockSize)), inBounds);
    // Pass 2, a loop over the span's groups of 16 lanes of P codes: the
    // values read again (from L1) rather than held in B registers.
    int64_t spanElements = kLanes * blockSize;
    scf::ForOp::create(
        at, index(at, 0), index(at, spanElements), index(at, groupElements),
        ValueRange{},
        [&](OpBuilder &nested, Location loc, Value groupOffset, ValueRange) {
          ImplicitLocOpBuilder body(loc, nested);
          emitGroup(body, element, groupOffset, reciprocals, inBounds);
          scf::YieldOp::create(body);
        });
  }

  /// The codes of the group at `groupOffset` in the span from `element`,
  /// stored; `reciprocals` holds the span's 2^-e per block.
  void emitGroup(ImplicitLocOpBuilder &at, Value element, Value groupOffset,
                 Value reciprocals, bool inBounds) {
    Value groupElement = arith::AddIOp::create(at, element, groupOffset);
    SmallVector<Value> codeVectors;
    for (int64_t p = 0; p < phases; ++p) {
      Value local =
          arith::AddIOp::create(at, groupOffset, index(at, p * kLanes));
      Value block = arith::DivUIOp::create(at, local, index(at, blockSize));
      // Lane `block` of the span's reciprocals in every lane, by a lookup
      // (one permute) rather than through memory.
      Value reciprocal = LookupOp::create(
          at, reciprocals,
          vector::BroadcastOp::create(
              at, VectorType::get({kLanes}, at.getI32Type()),
              arith::IndexCastOp::create(at, at.getI32Type(), block)));
      Value x = readVector(
          at, values, ValueRange{arith::AddIOp::create(at, element, local)},
          kLanes, inBounds);
      codeVectors.push_back(encode(at, x, reciprocal));
    }
    if (!width) {
      Type storage = getStorageType(resultType.getElementType());
      ElementCodegen g(at);
      vector::TransferWriteOp::create(
          at, g.storeCode32(codeVectors[0], storage), codes,
          ValueRange{groupElement}, ArrayRef<bool>{inBounds});
      return;
    }
    Value byte = arith::DivUIOp::create(at, groupElement, index(at, phases));
    vector::TransferWriteOp::create(at, packCodeBytes(at, codeVectors, width),
                                    codes, ValueRange{byte},
                                    ArrayRef<bool>{inBounds});
  }

  ImplicitLocOpBuilder &b;
  QuantizeOp op;
  Value input;
  RankedTensorType resultType;
  BlockScaledEncodingAttr encoding;
  BlockScaling scaling;
  RoundingOptions rounding;
  unsigned width;
  int64_t blockSize = 0, phases = 1, groupElements = 0;
  double unit = 1.0;
  int maxElementExponent = 0;
  /// The flat input, and the buffers of the codes and the scales.
  Value values, codes, scales;
};

/// The block size of a statically shaped block-scaled tensor whose blocks
/// run along the innermost dimension only, or none.
std::optional<int64_t> innermostBlockSize(RankedTensorType type) {
  if (!type.hasStaticShape() || type.getRank() < 1)
    return std::nullopt;
  auto encoding = cast<BlockScaledEncodingAttr>(type.getEncoding());
  SmallVector<int64_t> block = encoding.getFullBlock(type.getRank());
  for (int64_t d = 0; d + 1 < type.getRank(); ++d)
    if (block[d] != 1)
      return std::nullopt;
  return block.back();
}

} // namespace

bool lowp::isDequantizeKernelCovered(RankedTensorType type, Type resultElement,
                                     unsigned packedWidth) {
  auto encoding = dyn_cast_or_null<BlockScaledEncodingAttr>(type.getEncoding());
  if (!encoding || !resultElement.isF32())
    return false;
  std::optional<int64_t> innermostBlock = innermostBlockSize(type);
  if (!innermostBlock)
    return false;
  int64_t blockSize = *innermostBlock;
  BlockScaling scaling = encoding.getScaling(type.getElementType());
  // Packed codes are read a byte at a time: widths that divide 8.
  if (packedWidth && 8 % packedWidth)
    return false;
  if (!packedWidth && scaling.element.getBitWidth() > 16 &&
      chooseDecode(scaling.element) != DecodeKind::F32)
    return false;
  int64_t phases = packedWidth && packedWidth < 8 ? 8 / packedWidth : 1;
  int64_t group = kLanes * phases;
  // Each 16 lanes within one block, and a unit of whole groups and blocks.
  if (blockSize % kLanes || (group % blockSize && blockSize % group))
    return false;
  if (!chooseDecode(scaling.scale) ||
      (scaling.zeroPoint && !chooseDecode(*scaling.zeroPoint)) ||
      (scaling.tensorScale && !chooseDecode(*scaling.tensorScale)))
    return false;
  std::optional<BitSpan> elements = elementSpan(scaling);
  if (!elements)
    return false;
  int unitExponent = 0;
  double unit = scaling.getElementUnit();
  if (unit != 1.0) {
    int exponent;
    if (std::frexp(unit, &exponent) != 0.5)
      return false;
    unitExponent = exponent - 1;
  }
  // (v - zero) * unit exact; with a tensor scale, times the block scale
  // exact too, so that only the last multiply rounds.
  if (!elements->fitsF32(unitExponent))
    return false;
  if (scaling.tensorScale &&
      !productsExact(elements->shifted(unitExponent), spanOf(scaling.scale)))
    return false;
  return true;
}

Value lowp::emitDequantizeKernel(OpBuilder &builder, Location loc,
                                 const BlockScaledParts &input) {
  ImplicitLocOpBuilder b(loc, builder);
  return DequantizeEmitter(b, input).emit();
}

bool lowp::isQuantizeKernelCovered(QuantizeOp op, unsigned packedWidth) {
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto type = cast<RankedTensorType>(op.getType());
  auto encoding = cast<BlockScaledEncodingAttr>(type.getEncoding());
  if (!inputType.getElementType().isF32() || inputType.getEncoding() ||
      op.getRandom())
    return false;
  std::optional<int64_t> innermostBlock = innermostBlockSize(type);
  if (!innermostBlock)
    return false;
  int64_t blockSize = *innermostBlock;
  BlockScaling scaling = encoding.getScaling(type.getElementType());
  if (scaling.rule != ScaleRule::Floor && scaling.rule != ScaleRule::RCeil)
    return false;
  if (chooseDecode(scaling.scale) != DecodeKind::E8M0)
    return false;
  RoundingOptions rounding = elementRounding(op);
  if (rounding.mode != RoundingMode::NearestEven &&
      rounding.mode != RoundingMode::NearestAway &&
      rounding.mode != RoundingMode::TowardZero)
    return false;
  if (!ElementCodegen::canEncodeF32(scaling.element, rounding))
    return false;
  // Quotients below 2^-126, which f32 may round, must round to zero in the
  // element format whichever way they were rounded.
  double unit = scaling.getElementUnit();
  if (scaling.element.getMinPositive() * unit / 2 <= std::ldexp(1.0, -126))
    return false;
  // 1 / unit and 2^-e are f32 powers of two for the MX units.
  int unitExponent;
  if (std::frexp(unit, &unitExponent) != 0.5 || std::abs(unitExponent) > 64)
    return false;
  if (packedWidth && packedWidth != 1 && packedWidth != 2 && packedWidth != 4)
    return false;
  // A span of 16 blocks is then whole groups of 16 lanes of P codes.
  return blockSize % kLanes == 0;
}

std::pair<Value, Value> lowp::emitQuantizeKernel(OpBuilder &builder,
                                                 Location loc, QuantizeOp op,
                                                 Value input,
                                                 unsigned packedWidth) {
  ImplicitLocOpBuilder b(loc, builder);
  return QuantizeEmitter(b, op, input, packedWidth).emit();
}

bool lowp::isDecodeKernelCovered(RankedTensorType type, Type resultElement,
                                 unsigned packedWidth) {
  if (type.getEncoding() || !resultElement.isF32() || !type.hasStaticShape() ||
      type.getRank() < 1)
    return false;
  std::optional<Format> format = getNumericFormat(type.getElementType());
  if (!format || !decodesExactly(*format) ||
      chooseDecode(*format) == DecodeKind::F32)
    return false;
  // Packed codes are read a byte at a time, from rows that fill whole bytes
  // (the tensor is then one bit stream).
  if (packedWidth)
    return 8 % packedWidth == 0 &&
           type.getShape().back() * packedWidth % 8 == 0;
  return format->getBitWidth() <= 16;
}

Value lowp::emitDecodeKernel(OpBuilder &builder, Location loc, Value codes,
                             RankedTensorType type, unsigned packedWidth) {
  ImplicitLocOpBuilder b(loc, builder);
  BlockScaledParts input;
  input.type = type;
  input.elements = codes;
  input.packedWidth = packedWidth;
  return DequantizeEmitter(b, input).emit();
}

bool lowp::isPackedEncodeKernelCovered(RankedTensorType sourceType,
                                       const Format &format,
                                       const RoundingOptions &options) {
  unsigned width = format.getBitWidth();
  if (!sourceType.getElementType().isF32() || !sourceType.hasStaticShape() ||
      sourceType.getRank() < 1 || (width != 1 && width != 2 && width != 4))
    return false;
  if (options.mode == RoundingMode::Stochastic ||
      !ElementCodegen::canEncodeF32(format, options))
    return false;
  // Rows of whole bytes: the tensor is one bit stream.
  return sourceType.getShape().back() * width % 8 == 0;
}

Value lowp::emitPackedEncodeKernel(OpBuilder &builder, Location loc,
                                   Value source, const Format &format,
                                   const RoundingOptions &options,
                                   RankedTensorType packedType) {
  ImplicitLocOpBuilder b(loc, builder);
  auto sourceType = cast<RankedTensorType>(source.getType());
  unsigned width = format.getBitWidth();
  int64_t perByte = 8 / width;
  int64_t group = kLanes * perByte;
  int64_t total = sourceType.getNumElements();
  Value values = flatten(b, source);
  Value bytes = memref::AllocOp::create(
      b, MemRefType::get({total / perByte}, b.getI8Type()),
      b.getI64IntegerAttr(64));
  // One group of 16 P values -> 16 bytes, byte l holding codes l * P + p
  // at bits p * w.
  auto emitGroup = [&](ImplicitLocOpBuilder &at, Value element, bool inBounds) {
    SmallVector<Value> codes;
    ElementCodegen g(at);
    for (int64_t p = 0; p < perByte; ++p) {
      Value x = readVector(at, values,
                           ValueRange{arith::AddIOp::create(
                               at, element, indexConstant(at, p * kLanes))},
                           kLanes, inBounds);
      codes.push_back(g.encodeF32(format, x, options));
    }
    Value byte =
        arith::DivUIOp::create(at, element, indexConstant(at, perByte));
    vector::TransferWriteOp::create(at, packCodeBytes(at, codes, width), bytes,
                                    ValueRange{byte}, ArrayRef<bool>{inBounds});
  };
  emitSteps(b, total, group, emitGroup);
  Value result = bufferization::ToTensorOp::create(
      b, RankedTensorType::get({total / perByte}, b.getI8Type()), bytes,
      /*restrict=*/true, /*writable=*/true);
  if (packedType.getRank() == 1)
    return result;
  ReassociationIndices all;
  for (int64_t d = 0; d < packedType.getRank(); ++d)
    all.push_back(d);
  return tensor::ExpandShapeOp::create(b, packedType, result,
                                       ArrayRef<ReassociationIndices>{all});
}
