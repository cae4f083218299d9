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
//
//===----------------------------------------------------------------------===//

#include "BlockKernels.h"

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

class DequantizeEmitter {
public:
  DequantizeEmitter(ImplicitLocOpBuilder &b, const BlockScaledParts &input)
      : b(b), input(input),
        encoding(cast<BlockScaledEncodingAttr>(input.type.getEncoding())),
        scaling(encoding.getScaling(input.type.getElementType())),
        elementDecoder(scaling.element), scaleDecoder(scaling.scale) {
    if (scaling.zeroPoint)
      zeroPointDecoder.emplace(*scaling.zeroPoint);
    blockSize = encoding.getFullBlock(input.type.getRank()).back();
    width = input.packedWidth;
    phases = width && width < 8 ? 8 / width : 1;
    groupElements = kLanes * phases;
    unitElements = std::max(blockSize, groupElements);
    unit = scaling.getElementUnit();
  }

  Value emit() {
    int64_t total = input.type.getNumElements();
    codes = flatten(b, input.elements);
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
    VectorDecoder decoder(*scaling.tensorScale);
    return decoder.decode(b, codes, true);
  }

  /// Every element of the result: the whole units, then the last, partial
  /// one.
  void emitAll(int64_t total, ImplicitLocOpBuilder &at) {
    int64_t fullUnits = total / unitElements;
    if (fullUnits > 0)
      emitUnits(at, fullUnits);
    if (total % unitElements)
      emitUnit(at, index(at, fullUnits * unitElements), /*inBounds=*/false);
  }
  void emitAll(int64_t total) { emitAll(total, b); }

  /// Units [0, count), in parallel chunks when the tensor is large
  /// enough.
  void emitUnits(ImplicitLocOpBuilder &at, int64_t count) {
    int64_t chunks =
        count * unitElements >= kParallelElements ? kParallelChunks : 1;
    int64_t chunkUnits = llvm::divideCeil(count, chunks);
    chunks = llvm::divideCeil(count, chunkUnits);
    if (chunks == 1) {
      emitUnitLoop(at, index(at, 0), index(at, count));
      return;
    }
    auto forall = scf::ForallOp::create(
        at, ArrayRef<OpFoldResult>{at.getIndexAttr(chunks)}, ValueRange{},
        std::nullopt);
    OpBuilder::InsertionGuard guard(at);
    at.setInsertionPointToStart(forall.getBody());
    Value first = arith::MulIOp::create(at, forall.getInductionVars()[0],
                                        index(at, chunkUnits));
    Value units = arith::MinSIOp::create(
        at, index(at, chunkUnits),
        arith::SubIOp::create(at, index(at, count), first));
    emitUnitLoop(at, first, units);
  }

  /// Units first .. first + count.
  void emitUnitLoop(ImplicitLocOpBuilder &at, Value first, Value count) {
    scf::ForOp::create(
        at, index(at, 0), count, index(at, 1), ValueRange{},
        [&](OpBuilder &nested, Location loc, Value u, ValueRange) {
          ImplicitLocOpBuilder body(loc, nested);
          Value element =
              arith::MulIOp::create(body, arith::AddIOp::create(body, first, u),
                                    index(body, unitElements));
          emitUnit(body, element, /*inBounds=*/true);
          scf::YieldOp::create(body);
        });
  }

  /// The decoded part (scales or zero points) of the `count` blocks from
  /// block `first`, each broadcast to 16 lanes.
  SmallVector<Value> blockValues(ImplicitLocOpBuilder &at, Value part,
                                 VectorDecoder &decoder, Value first,
                                 int64_t count, bool inBounds) {
    Value decoded = decoder.decode(
        at, widenCodes(at, read(at, part, first, count, inBounds)), true);
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
    int64_t blocks = unitElements / blockSize;
    Value firstBlock =
        arith::DivUIOp::create(at, element, index(at, blockSize));
    SmallVector<Value> blockScales =
        blockValues(at, scales, scaleDecoder, firstBlock, blocks, inBounds);
    SmallVector<Value> blockZeros;
    if (zeroPoints)
      blockZeros = blockValues(at, zeroPoints, *zeroPointDecoder, firstBlock,
                               blocks, inBounds);
    int64_t groups = unitElements / groupElements;
    auto emitGroup = [&](ImplicitLocOpBuilder &g, Value groupOffset,
                         std::optional<int64_t> group) {
      Value groupElement = arith::AddIOp::create(g, element, groupOffset);
      Value natural = decodeGroup(g, groupElement, inBounds);
      for (int64_t j = 0; j < groupElements / kLanes; ++j) {
        // The block of these lanes: static when the groups are unrolled,
        // the unit's only block when they are a loop.
        int64_t k =
            group ? (*group * groupElements + j * kLanes) / blockSize : 0;
        Value piece = vector::ExtractStridedSliceOp::create(
            g, natural, ArrayRef<int64_t>{j * kLanes},
            ArrayRef<int64_t>{kLanes}, ArrayRef<int64_t>{1});
        Value value = scale(g, piece, blockScales[k],
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
    value = arith::MulFOp::create(at, value, blockScale);
    if (tensorScale)
      value = arith::MulFOp::create(at, value, tensorScale);
    Value isNaN =
        arith::CmpFOp::create(at, arith::CmpFPredicate::UNO, value, value);
    uint32_t nanCode = getNumericFormat(at.getF32Type())->getNaNCode();
    Value nan = arith::BitcastOp::create(at, f32Vector(kLanes),
                                         i32Splat(at, int32_t(nanCode)));
    return arith::SelectOp::create(at, isNaN, nan, value);
  }

  ImplicitLocOpBuilder &b;
  const BlockScaledParts &input;
  BlockScaledEncodingAttr encoding;
  BlockScaling scaling;
  VectorDecoder elementDecoder, scaleDecoder;
  std::optional<VectorDecoder> zeroPointDecoder;
  int64_t blockSize = 0, phases = 1, groupElements = 0, unitElements = 0;
  unsigned width = 0;
  double unit = 1.0;
  Value codes, scales, zeroPoints, tensorScale;
  /// The result's buffer (memref<T x f32>, 64-byte aligned), and whether
  /// its stores are non-temporal.
  Value out;
  bool streaming = false;
};

} // namespace

bool lowp::isDequantizeKernelCovered(RankedTensorType type, Type resultElement,
                                     unsigned packedWidth) {
  auto encoding = dyn_cast_or_null<BlockScaledEncodingAttr>(type.getEncoding());
  if (!encoding || !resultElement.isF32() || !type.hasStaticShape() ||
      type.getRank() < 1)
    return false;
  SmallVector<int64_t> block = encoding.getFullBlock(type.getRank());
  for (int64_t d = 0; d + 1 < type.getRank(); ++d)
    if (block[d] != 1)
      return false;
  int64_t blockSize = block.back();
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
