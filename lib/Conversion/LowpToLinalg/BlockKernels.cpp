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
#include "lowp/Numerics/Hadamard.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/MathExtras.h"

#include <climits>
#include <cmath>
#include <functional>
#include <limits>

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

/// The number of chunks emitChunks splits `count` items into.
int64_t chunkCount(int64_t count, bool parallel) {
  int64_t chunks = parallel ? kParallelChunks : 1;
  return llvm::divideCeil(count, llvm::divideCeil(count, chunks));
}

/// Items [0, count) in up to kParallelChunks nearly equal chunks run in
/// parallel (scf.forall, an OpenMP loop once lowered), or as one chunk
/// when not `parallel`: `body` emits the loop over one chunk, given its
/// index, its first item and its item count.
void emitChunks(
    ImplicitLocOpBuilder &at, int64_t count, bool parallel,
    llvm::function_ref<void(ImplicitLocOpBuilder &, Value, Value, Value)>
        body) {
  int64_t chunks = parallel ? kParallelChunks : 1;
  int64_t chunkItems = llvm::divideCeil(count, chunks);
  chunks = llvm::divideCeil(count, chunkItems);
  if (chunks == 1) {
    body(at, indexConstant(at, 0), indexConstant(at, 0),
         indexConstant(at, count));
    return;
  }
  auto forall =
      scf::ForallOp::create(at, ArrayRef<OpFoldResult>{at.getIndexAttr(chunks)},
                            ValueRange{}, std::nullopt);
  OpBuilder::InsertionGuard guard(at);
  at.setInsertionPointToStart(forall.getBody());
  Value chunk = forall.getInductionVars()[0];
  Value first = arith::MulIOp::create(at, chunk, indexConstant(at, chunkItems));
  body(at, chunk, first,
       arith::MinSIOp::create(
           at, indexConstant(at, chunkItems),
           arith::SubIOp::create(at, indexConstant(at, count), first)));
}

/// Items [0, count) as emitChunks splits them, `body` emitting item `i`.
void emitItems(ImplicitLocOpBuilder &at, int64_t count, bool parallel,
               llvm::function_ref<void(ImplicitLocOpBuilder &, Value)> body) {
  emitChunks(at, count, parallel,
             [&](ImplicitLocOpBuilder &chunk, Value, Value first, Value items) {
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

/// Emits `body` once for writing `bytes` into `out` (a 1-D buffer): with
/// ordinary stores, or, past the caches' size, in an scf.if that takes
/// non-temporal stores where the buffer is aligned to whole lines (a result
/// larger than the caches would otherwise be read into them before it is
/// written; the buffer may become the caller's, of any alignment).
void emitStoresFor(
    ImplicitLocOpBuilder &b, Value out, int64_t bytes,
    llvm::function_ref<void(ImplicitLocOpBuilder &, bool streaming)> body) {
  if (bytes <= kStreamingBytes) {
    body(b, false);
    return;
  }
  Value address = memref::ExtractAlignedPointerAsIndexOp::create(b, out);
  Value aligned = arith::CmpIOp::create(
      b, arith::CmpIPredicate::eq,
      arith::RemUIOp::create(b, address, indexConstant(b, 64)),
      indexConstant(b, 0));
  scf::IfOp::create(
      b, aligned,
      [&](OpBuilder &nested, Location loc) {
        ImplicitLocOpBuilder then(loc, nested);
        body(then, true);
        scf::YieldOp::create(then);
      },
      [&](OpBuilder &nested, Location loc) {
        ImplicitLocOpBuilder otherwise(loc, nested);
        body(otherwise, false);
        scf::YieldOp::create(otherwise);
      });
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

  /// The flat parts and the decoded tensor scale, which emit() and
  /// decodeLanes() read.
  void prepare() {
    codes = flatten(b, input.elements);
    if (input.scales)
      scales = flatten(b, input.scales);
    if (input.zeroPoints)
      zeroPoints = flatten(b, input.zeroPoints);
    if (input.tensorScale)
      tensorScale = decodeTensorScale();
    if (input.selectors) {
      selectors = flatten(b, input.selectors);
      choiceTable = lowp::choiceTable(b, *scaling);
    }
  }

  Value emit() {
    int64_t total = input.type.getNumElements();
    prepare();
    // The result is written through a buffer, with vector stores that may
    // be non-temporal: a result larger than the caches would otherwise be
    // read into them before it is written.
    out = memref::AllocOp::create(b, MemRefType::get({total}, b.getF32Type()),
                                  b.getI64IntegerAttr(64));
    emitStoresFor(b, out, total * 4,
                  [&](ImplicitLocOpBuilder &at, bool nonTemporal) {
                    streaming = nonTemporal;
                    emitAll(total, at);
                  });
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

  /// The values of the 16 elements from `element` on (a multiple of 16, so
  /// within one block), as emit() writes them; after prepare(). Packed
  /// codes are spread to natural order in registers: lane l takes byte
  /// l / P, shifted by (l % P) * width.
  Value decodeLanes(ImplicitLocOpBuilder &at, Value element, bool inBounds) {
    Value decoded = decodeElementLanes(at, element, inBounds);
    if (!scaling)
      return decoded;
    Value block = arith::DivUIOp::create(at, element, index(at, blockSize));
    std::pair<Value, Value> parts = blockParts(at, block, inBounds);
    return scale(at, decoded, parts.first, parts.second);
  }

  /// decodeLanes for `count` groups of 16 lanes from `element` on, a
  /// multiple of the block size: each block's scale and zero point are
  /// decoded once for all its groups (a requantize's span holds several
  /// groups of each block; int4-g128's f16 scale and packed zero point
  /// cost more than its elements' codes).
  SmallVector<Value> decodeRun(ImplicitLocOpBuilder &at, Value element,
                               int64_t count, bool inBounds) {
    SmallVector<Value> result;
    Value firstBlock =
        scaling ? arith::DivUIOp::create(at, element, index(at, blockSize))
                      .getResult()
                : Value();
    std::pair<Value, Value> parts;
    int64_t current = -1;
    for (int64_t v = 0; v < count; ++v) {
      Value decoded = decodeElementLanes(
          at, arith::AddIOp::create(at, element, index(at, v * kLanes)),
          inBounds);
      if (!scaling) {
        result.push_back(decoded);
        continue;
      }
      int64_t k = v * kLanes / blockSize;
      if (k != current) {
        parts = blockParts(
            at, arith::AddIOp::create(at, firstBlock, index(at, k)), inBounds);
        current = k;
      }
      result.push_back(scale(at, decoded, parts.first, parts.second));
    }
    return result;
  }

  /// Whether decodeRun may take runs that start at any multiple of
  /// `elements`.
  bool decodesRunsOf(int64_t elements) const {
    return !scaling || elements % blockSize == 0;
  }

private:
  /// The 16 elements' unscaled values (less nothing), from `element` on.
  Value decodeElementLanes(ImplicitLocOpBuilder &at, Value element,
                           bool inBounds) {
    Value decoded;
    if (width && width < 8) {
      Value offset = arith::DivUIOp::create(at, element, index(at, phases));
      Value bytes =
          widenCodes(at, read(at, codes, offset, kLanes / phases, inBounds));
      SmallVector<int64_t> spread;
      SmallVector<int32_t> shifts;
      for (int64_t l = 0; l < kLanes; ++l) {
        spread.push_back(l / phases);
        shifts.push_back(int32_t((l % phases) * width));
      }
      Value lanes = vector::ShuffleOp::create(at, bytes, bytes, spread);
      lanes = arith::ShRUIOp::create(
          at, lanes,
          arith::ConstantOp::create(
              at,
              DenseElementsAttr::get(VectorType::get({kLanes}, at.getI32Type()),
                                     ArrayRef<int32_t>(shifts))));
      decoded = elementDecoder.decode(at, lanes, /*highBitsClear=*/false);
    } else {
      decoded = elementDecoder.decode(
          at, widenCodes(at, read(at, codes, element, kLanes, inBounds)),
          /*highBitsClear=*/true);
    }
    return decoded;
  }

  /// Block `block`'s scale and zero point (null without one), decoded, in
  /// 16 lanes.
  std::pair<Value, Value> blockParts(ImplicitLocOpBuilder &at, Value block,
                                     bool inBounds) {
    Value blockScale = blockValues(at, scales, /*packedWidth=*/0, *scaleDecoder,
                                   block, 1, inBounds)[0];
    Value zero = zeroPoints
                     ? blockValues(at, zeroPoints, input.zeroPointWidth,
                                   *zeroPointDecoder, block, 1, inBounds)[0]
                     : Value();
    return {blockScale, zero};
  }

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
      byPhase.push_back(
          selectors ? decodeChosen(at, phase)
                    : elementDecoder.decode(at, phase, p == phases - 1));
    }
    return interleave(at, byPhase);
  }

  /// Per-group format choice: the unit's block's selector, shifted above
  /// the code bits, in 16 lanes.
  Value readUnitSelector(ImplicitLocOpBuilder &at, Value block, bool inBounds) {
    Value selector = vector::ExtractOp::create(
        at,
        readCodeLanes(at, selectors, ValueRange{}, block, 1,
                      input.selectorWidth, inBounds),
        int64_t(0));
    selector = arith::ShLIOp::create(
        at,
        arith::AndIOp::create(
            at, selector,
            arith::ConstantIntOp::create(
                at, at.getI32Type(), (1 << scaling->getSelectorBits()) - 1)),
        arith::ConstantIntOp::create(at, at.getI32Type(),
                                     scaling->element.getBitWidth()));
    return vector::BroadcastOp::create(
        at, VectorType::get({kLanes}, at.getI32Type()), selector);
  }

  /// 16 lanes of codes (other codes' bits above them) decoded in the
  /// unit's choice.
  Value decodeChosen(ImplicitLocOpBuilder &at, Value codes) {
    Value code = arith::AndIOp::create(
        at, codes,
        i32Splat(at, int32_t((1u << scaling->element.getBitWidth()) - 1)));
    return LookupOp::create(at, choiceTable,
                            arith::OrIOp::create(at, code, unitSelector));
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
      if (selectors)
        unitSelector = readUnitSelector(at, firstBlock, inBounds);
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
    if (special(elementFormat) || (scaling && scaling->hasChoices()))
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
  /// Per-group format choice: the flat selectors, the table of every
  /// choice's values, and the current unit's selector lanes.
  Value selectors, choiceTable, unitSelector;
  /// The result's buffer (memref<T x f32>, 64-byte aligned), and whether
  /// its stores are non-temporal.
  Value out;
  bool streaming = false;
};

//===----------------------------------------------------------------------===//
// The quantize kernel
//===----------------------------------------------------------------------===//

/// A flat buffer the kernel filled, as a tensor of `shape`.
Value unflattenBuffer(ImplicitLocOpBuilder &b, Value buffer,
                      ArrayRef<int64_t> shape) {
  auto type = cast<MemRefType>(buffer.getType());
  Value tensor = bufferization::ToTensorOp::create(
      b, RankedTensorType::get(type.getShape(), type.getElementType()), buffer,
      /*restrict=*/true, /*writable=*/true);
  if (shape.size() == 1)
    return tensor;
  ReassociationIndices all;
  for (size_t d = 0; d < shape.size(); ++d)
    all.push_back(d);
  return tensor::ExpandShapeOp::create(
      b, RankedTensorType::get(shape, type.getElementType()), tensor,
      ArrayRef<ReassociationIndices>{all});
}

/// Stores the i32 codes of the group of 16 P elements from `groupElement`
/// (P = 8 / width vectors in natural order) into the flat `codes` buffer:
/// packed, one 16-byte store, when `width` is nonzero, else one code per
/// element of `storage`.
void storeGroupCodes(ImplicitLocOpBuilder &at, ArrayRef<Value> codeVectors,
                     Value codes, Value groupElement, Type storage,
                     unsigned width, bool inBounds) {
  if (!width) {
    ElementCodegen g(at);
    vector::TransferWriteOp::create(at, g.storeCode32(codeVectors[0], storage),
                                    codes, ValueRange{groupElement},
                                    ArrayRef<bool>{inBounds});
    return;
  }
  Value byte =
      arith::DivUIOp::create(at, groupElement, indexConstant(at, 8 / width));
  vector::TransferWriteOp::create(at, packCodeBytes(at, codeVectors, width),
                                  codes, ValueRange{byte},
                                  ArrayRef<bool>{inBounds});
}

/// The rounding of lowp.quantize's elements: the op's mode, saturating.
RoundingOptions elementRounding(Rounding rounding) {
  RoundingOptions options;
  options.mode = toNumerics(rounding);
  options.saturate = true;
  return options;
}

/// Combines 16 vectors of 16 lanes as they come, so that lane k of the
/// result is `combine` over the lanes of the k-th vector added: halves of
/// two vectors of a level merge into one of the next as soon as both exist
/// (after each merge a vector holds twice the vectors' results in groups of
/// half the lanes), so at most one vector per level is live rather than
/// all 16.
class LaneCombiner {
public:
  // Held, not referred to: callers pass lambdas.
  using Combine = std::function<Value(ImplicitLocOpBuilder &, Value, Value)>;
  explicit LaneCombiner(Combine combine) : combine(std::move(combine)) {}

  void add(ImplicitLocOpBuilder &at, Value vector) {
    int level = 0;
    while (!pending.empty() && pending.back().first == level) {
      Value first = pending.pop_back_val().second;
      vector = merge(at, first, vector, level++);
    }
    pending.push_back({level, vector});
  }

  /// The result, once 16 vectors were added.
  Value result() const { return pending.front().second; }

private:
  Value merge(ImplicitLocOpBuilder &at, Value a, Value c, int level) {
    int64_t groupLanes = kLanes >> level;
    int64_t groups = kLanes / groupLanes, half = groupLanes / 2;
    SmallVector<int64_t> low, high;
    for (int64_t source = 0; source < 2; ++source)
      for (int64_t g = 0; g < groups; ++g)
        for (int64_t l = 0; l < half; ++l) {
          low.push_back(source * kLanes + g * groupLanes + l);
          high.push_back(source * kLanes + g * groupLanes + half + l);
        }
    return combine(at, vector::ShuffleOp::create(at, a, c, low),
                   vector::ShuffleOp::create(at, a, c, high));
  }

  Combine combine;
  SmallVector<std::pair<int, Value>> pending;
};

/// What a quantize kernel reads: an f32 tensor, or (lowp.requantize) the
/// values a dequantize kernel computes, 16 lanes at a time in registers.
struct QuantizeInput {
  Value values;
  DequantizeEmitter *source = nullptr;
};

/// What the quantize kernels share: the op's result type and scaling, the
/// flat input, the buffers of the parts, and how groups of 16 lanes of P
/// codes are stored.
class QuantizeKernel {
protected:
  QuantizeKernel(ImplicitLocOpBuilder &b, const QuantizeInput &input,
                 RankedTensorType type, unsigned packedWidth)
      : b(b), input(input.values), source(input.source), resultType(type),
        encoding(cast<BlockScaledEncodingAttr>(resultType.getEncoding())),
        scaling(encoding.getScaling(resultType.getElementType())),
        width(packedWidth) {
    blockSize = encoding.getFullBlock(resultType.getRank()).back();
    phases = width ? 8 / width : 1;
    groupElements = kLanes * phases;
  }

  Value index(ImplicitLocOpBuilder &at, int64_t value) {
    return indexConstant(at, value);
  }

  /// The flat input and the buffer of the elements' codes (packed when
  /// `width` is nonzero).
  void allocateElements() {
    int64_t total = resultType.getNumElements();
    if (input)
      values = flatten(b, input);
    Type elementStorage = getStorageType(resultType.getElementType());
    codes = memref::AllocOp::create(
        b,
        MemRefType::get({width ? total * width / 8 : total},
                        width ? b.getI8Type() : elementStorage),
        b.getI64IntegerAttr(64));
  }

  /// The elements' buffer as a tensor of the result's shape (a packed row
  /// in bytes).
  Value elementsTensor() {
    SmallVector<int64_t> codeShape(resultType.getShape());
    if (width)
      codeShape.back() = codeShape.back() * width / 8;
    return unflattenBuffer(b, codes, codeShape);
  }

  /// A buffer with one value per block as a tensor of the blocks' shape.
  Value blocksTensor(Value buffer) {
    SmallVector<int64_t> blockShape(resultType.getShape());
    blockShape.back() /= blockSize;
    return unflattenBuffer(b, buffer, blockShape);
  }

  /// The 16 values of x from `element` on: read from the f32 input, or
  /// decoded from the block-scaled source of a requantize.
  Value readInput(ImplicitLocOpBuilder &at, Value element, bool inBounds) {
    if (source)
      return source->decodeLanes(at, element, inBounds);
    return readVector(at, values, ValueRange{element}, kLanes, inBounds);
  }

  void storeGroup(ImplicitLocOpBuilder &at, ArrayRef<Value> codeVectors,
                  Value groupElement, bool inBounds) {
    storeGroupCodes(at, codeVectors, codes, groupElement,
                    getStorageType(resultType.getElementType()), width,
                    inBounds);
  }

  ImplicitLocOpBuilder &b;
  Value input;
  DequantizeEmitter *source;
  RankedTensorType resultType;
  BlockScaledEncodingAttr encoding;
  BlockScaling scaling;
  unsigned width;
  int64_t blockSize = 0, phases = 1, groupElements = 0;
  /// The flat input, and the buffers of the elements and the scales.
  Value values, codes, scales;
};

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
///
/// Under the nvfp4 rule (f32 tensor scale, 8-bit block scales) the same
/// spans follow a first pass over the whole input, NVIDIA's steps in f32
/// as lib/Numerics' quantizeNvfp4Block takes them:
///
///   amax  = max over chunks (scf.forall) of reduce_max(bits(x) & 0x7FFFFFFF)
///   S_enc = min(2688 / amax, FLT_MAX), 1 if 0;  S_dec = 1 / S_enc
///   per span: s_b = S(min(amax_b * (S_enc * (1/6)), FLT_MAX, 448))
///             e_b = min(1 / (s_b * S_dec), FLT_MAX)
///   per lane: code = encode_f32(x * e_b)
///
/// so the input is read twice from memory: amax must be known before any
/// block is.
class QuantizeEmitter : QuantizeKernel {
public:
  QuantizeEmitter(ImplicitLocOpBuilder &b, const QuantizeInput &input,
                  RankedTensorType type, Rounding mode, unsigned packedWidth)
      : QuantizeKernel(b, input, type, packedWidth),
        rounding(elementRounding(mode)) {
    unit = scaling.getElementUnit();
    maxElementExponent =
        int(std::floor(std::log2(scaling.getMaxElementValue())));
    nvfp4 = scaling.rule == ScaleRule::NVFP4;
  }

  SmallVector<Value> emit() {
    int64_t total = resultType.getNumElements();
    allocateElements();
    scales = memref::AllocOp::create(
        b, MemRefType::get({total / blockSize}, b.getI8Type()),
        b.getI64IntegerAttr(64));
    Value tensorScale;
    if (nvfp4)
      tensorScale = emitTensorScaling(total);
    emitSpans(total);
    SmallVector<Value> parts{elementsTensor(), blocksTensor(scales)};
    if (tensorScale)
      parts.push_back(tensorScale);
    return parts;
  }

private:
  /// Spans of 16 blocks, in parallel chunks when the tensor is large
  /// enough, then the last, partial span.
  void emitSpans(int64_t total) {
    emitSteps(b, total, kLanes * blockSize,
              [&](ImplicitLocOpBuilder &body, Value element, bool inBounds) {
                emitSpan(body, element, inBounds);
              });
  }

  /// The bits of |x| of 16 values from `element` on.
  Value magnitudeBits(ImplicitLocOpBuilder &at, Value element, bool inBounds) {
    return arith::AndIOp::create(
        at,
        arith::BitcastOp::create(at, VectorType::get({kLanes}, at.getI32Type()),
                                 readInput(at, element, inBounds)),
        i32Splat(at, 0x7FFFFFFF));
  }

  /// nvfp4: the tensor's largest magnitude, each chunk of the input reduced
  /// in parallel into a row of a small buffer, then S_enc, S_dec and the
  /// block scales' multiplier (held for the spans); returns the tensor
  /// scale part, S_dec.
  Value emitTensorScaling(int64_t total) {
    constexpr int64_t kUnitVectors = 4;
    const int64_t unitElements = kLanes * kUnitVectors;
    VectorType i32Type = VectorType::get({kLanes}, b.getI32Type());
    auto largest = [](ImplicitLocOpBuilder &at, Value x, Value y) -> Value {
      return arith::MaxSIOp::create(at, x, y);
    };
    Value amaxBits = i32Splat(b, 0);
    int64_t whole = total / unitElements;
    if (whole > 0) {
      bool parallel = total >= kParallelElements;
      int64_t chunks = chunkCount(whole, parallel);
      Value partials = memref::AllocaOp::create(
          b, MemRefType::get({chunks, kLanes}, b.getI32Type()));
      emitChunks(
          b, whole, parallel,
          [&](ImplicitLocOpBuilder &at, Value chunk, Value first, Value items) {
            auto loop = scf::ForOp::create(
                at, index(at, 0), items, index(at, 1),
                ValueRange{i32Splat(at, 0)},
                [&](OpBuilder &nested, Location loc, Value i,
                    ValueRange carried) {
                  ImplicitLocOpBuilder body(loc, nested);
                  Value element = arith::MulIOp::create(
                      body, arith::AddIOp::create(body, first, i),
                      index(body, unitElements));
                  SmallVector<Value> bits;
                  for (int64_t v = 0; v < kUnitVectors; ++v)
                    bits.push_back(magnitudeBits(
                        body,
                        arith::AddIOp::create(body, element,
                                              index(body, v * kLanes)),
                        /*inBounds=*/true));
                  // A tree, so that one max per unit waits on the last.
                  Value unitMax = largest(body, largest(body, bits[0], bits[1]),
                                          largest(body, bits[2], bits[3]));
                  scf::YieldOp::create(body,
                                       largest(body, carried[0], unitMax));
                });
            vector::StoreOp::create(at, loop.getResult(0), partials,
                                    ValueRange{chunk, index(at, 0)});
          });
      for (int64_t c = 0; c < chunks; ++c)
        amaxBits = largest(
            b, amaxBits,
            vector::LoadOp::create(b, i32Type, partials,
                                   ValueRange{index(b, c), index(b, 0)}));
    }
    for (int64_t e = whole * unitElements; e < total; e += kLanes)
      amaxBits = largest(b, amaxBits,
                         magnitudeBits(b, index(b, e), e + kLanes <= total));
    // Bits of non-negative floats order as the floats do, NaN's above
    // inf's: the largest bits are amax's, NaN if any lane held one.
    Value amax = arith::BitcastOp::create(
        b, b.getF32Type(),
        vector::ReductionOp::create(b, vector::CombiningKind::MAXSI, amaxBits));
    auto constant = [&](float value) -> Value {
      return arith::ConstantOp::create(b, b.getF32FloatAttr(value));
    };
    float target = float(scaling.scale.getMaxFinite()) *
                   float(scaling.getMaxElementValue());
    Value encode = atMost(b, arith::DivFOp::create(b, constant(target), amax),
                          std::numeric_limits<float>::max());
    encode = arith::SelectOp::create(
        b,
        arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, encode,
                              constant(0.0f)),
        constant(1.0f), encode);
    Value decode = arith::DivFOp::create(b, constant(1.0f), encode);
    Value multiplier = arith::MulFOp::create(
        b, encode, constant(1.0f / float(scaling.getMaxElementValue())));
    VectorType f32Type = VectorType::get({kLanes}, b.getF32Type());
    blockMultiplier = vector::BroadcastOp::create(b, f32Type, multiplier);
    tensorDecode = vector::BroadcastOp::create(b, f32Type, decode);
    // The stored NaN is canonical, whatever payload the input's NaN had.
    Value stored = arith::SelectOp::create(
        b, arith::CmpFOp::create(b, arith::CmpFPredicate::UNO, decode, decode),
        arith::ConstantOp::create(b, b.getF32FloatAttr(NAN)), decode);
    return tensor::FromElementsOp::create(
        b, RankedTensorType::get({}, b.getF32Type()), ValueRange{stored});
  }

  /// nvfp4: the scales of 16 blocks whose amax bits are `amaxBits`, stored
  /// from block `firstBlock` on; returns e_b per block.
  Value emitNvfp4Scales(ImplicitLocOpBuilder &at, Value amaxBits,
                        Value firstBlock, bool inBounds) {
    VectorType f32Type = VectorType::get({kLanes}, at.getF32Type());
    Value amax = arith::BitcastOp::create(at, f32Type, amaxBits);
    Value scale = atMost(at, arith::MulFOp::create(at, amax, blockMultiplier),
                         std::numeric_limits<float>::max());
    scale = atMost(at, scale, float(scaling.scale.getMaxFinite()));
    RoundingOptions nearest;
    nearest.saturate = true;
    ElementCodegen g(at);
    Value code = g.encodeF32(scaling.scale, scale, nearest);
    vector::TransferWriteOp::create(
        at,
        arith::TruncIOp::create(at, VectorType::get({kLanes}, at.getI8Type()),
                                code),
        scales, ValueRange{firstBlock}, ArrayRef<bool>{inBounds});
    Value decoded = VectorDecoder(scaling.scale).decode(at, code, true);
    Value product = arith::MulFOp::create(at, decoded, tensorDecode);
    return atMost(at, arith::DivFOp::create(at, f32Splat(at, 1.0f), product),
                  std::numeric_limits<float>::max());
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
    if (nvfp4) {
      // f32(x * e_b), saturating: NaN and inf need no case of their own.
      ElementCodegen g(at);
      return g.encodeF32(scaling.element, quotient, rounding);
    }
    if (unit != 1.0)
      quotient =
          arith::MulFOp::create(at, quotient, f32Splat(at, float(1.0 / unit)));
    if (scaling.isSymmetricInteger()) {
      // MX integers keep to +-max: rounding max(q, -max) is rounding q and
      // then replacing the most negative code, as the reference does.
      Value low = f32Splat(at, -float(scaling.element.getMaxFinite()));
      quotient = arith::SelectOp::create(
          at,
          arith::CmpFOp::create(at, arith::CmpFPredicate::OLT, quotient, low),
          low, quotient);
    }
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
    // A requantize decodes its source once per span, the span's values kept
    // for both passes (spilled to the stack, in L1, where registers run out)
    // instead of decoded again for the second; an f32 input is read again.
    SmallVector<Value> decoded;
    if (source && source->decodesRunsOf(kLanes * blockSize))
      decoded =
          source->decodeRun(at, element, kLanes * vectorsPerBlock, inBounds);
    else if (source)
      for (int64_t v = 0; v < kLanes * vectorsPerBlock; ++v)
        decoded.push_back(readInput(at, offset(v * kLanes), inBounds));
    auto readValues = [&](int64_t v) {
      return source ? decoded[v] : readInput(at, offset(v * kLanes), inBounds);
    };
    // Pass 1: each block's amax.
    LaneCombiner magnitudes(
        [](ImplicitLocOpBuilder &where, Value a, Value c) -> Value {
          return arith::MaxSIOp::create(where, a, c);
        });
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
      magnitudes.add(at, magnitude);
    }
    Value firstBlock =
        arith::DivUIOp::create(at, element, index(at, blockSize));
    Value reciprocals =
        nvfp4 ? emitNvfp4Scales(at, magnitudes.result(), firstBlock, inBounds)
              : emitScales(at, magnitudes.result(), firstBlock, inBounds);
    // Pass 2, a loop over the span's groups of 16 lanes of P codes: the
    // values read again (from L1) rather than held in B registers; for a
    // requantize, unrolled over the decoded values.
    int64_t spanElements = kLanes * blockSize;
    if (source) {
      for (int64_t g = 0; g < spanElements; g += groupElements)
        emitGroup(at, element, index(at, g), reciprocals, inBounds,
                  ArrayRef<Value>(decoded).slice(g / kLanes, phases));
      return;
    }
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
  /// stored; `reciprocals` holds the span's 2^-e per block. The group's
  /// values are read, or given (`values`, one vector per phase).
  void emitGroup(ImplicitLocOpBuilder &at, Value element, Value groupOffset,
                 Value reciprocals, bool inBounds,
                 ArrayRef<Value> values = {}) {
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
      Value x = values.empty()
                    ? readInput(at, arith::AddIOp::create(at, element, local),
                                inBounds)
                    : values[p];
      codeVectors.push_back(encode(at, x, reciprocal));
    }
    storeGroup(at, codeVectors, groupElement, inBounds);
  }

  RoundingOptions rounding;
  double unit = 1.0;
  int maxElementExponent = 0;
  /// nvfp4: the block scales' multiplier S_enc * (1 / max_elem) and S_dec,
  /// in every lane.
  bool nvfp4 = false;
  Value blockMultiplier, tensorDecode;
};

/// lowp.quantize of f32 under the minmax rule (GPTQ/AWQ int4-g128: integer
/// elements, an f16 scale and an integer zero point per block of B along
/// the innermost dimension), in spans of 16 blocks as the MX kernel, lane
/// k of the per-block vectors holding block k:
///
///   parallel for each chunk of spans (scf.forall)
///     lo = min(0, x of block k), hi = max(0, x of block k)
///     scale[k] = f16((hi - lo) / (qmax - qmin))   the exact quotient: in
///                f64, rounded to odd into f32, then to nearest even (the
///                f64 quotient is never on an f16 rounding boundary unless
///                exact; rounding to odd keeps f32's rounding from making
///                one)
///     s = decode(scale); z = clamp(qmin + round(-lo / s), zmin, zmax), or
///         clamp(0, zmin, zmax) where s is 0
///     for each 16 lanes of x in block k:
///       q = clamp(round(x / s), qmin - z, qmax - z) + z
///
/// round(x / s) is roundeven of the f32 quotient, which is the exact
/// quotient rounded to nearest even: an f16 s has 11 significant bits, so a
/// quotient that is not a half-integer lies more than half an f32 ulp from
/// every half-integer (below 2^12, beyond which both clamp alike), and f32
/// division, correctly rounded and monotonic, neither lands on one nor
/// crosses one. Where s is 0 the clamp bounds are 0, so q is z. A block
/// holding NaN or inf gets the reference's codes: a NaN scale, the code NaN
/// encodes to, zero point 0.
class MinMaxQuantizeEmitter : QuantizeKernel {
public:
  MinMaxQuantizeEmitter(ImplicitLocOpBuilder &b, const QuantizeInput &input,
                        RankedTensorType type, unsigned packedWidth)
      : QuantizeKernel(b, input, type, packedWidth) {
    const Format &element = scaling.element;
    const Format &zeroPoint = *scaling.zeroPoint;
    qmin = int32_t(element.decode(element.getMaxFiniteCode(true)));
    qmax = int32_t(element.getMaxFinite());
    zmin = std::max(
        qmin, int32_t(zeroPoint.decode(zeroPoint.getMaxFiniteCode(true))));
    zmax = std::min(qmax, int32_t(zeroPoint.getMaxFinite()));
    nearest.saturate = true;
  }

  SmallVector<Value> emit() {
    int64_t total = resultType.getNumElements();
    int64_t blocks = total / blockSize;
    allocateElements();
    scales = memref::AllocOp::create(
        b, MemRefType::get({blocks}, getStorageType(encoding.getScaleType())),
        b.getI64IntegerAttr(64));
    zeroPoints = memref::AllocOp::create(
        b,
        MemRefType::get({blocks}, getStorageType(encoding.getZeroPointType())),
        b.getI64IntegerAttr(64));
    emitSteps(b, total, kLanes * blockSize,
              [&](ImplicitLocOpBuilder &body, Value element, bool inBounds) {
                emitSpan(body, element, inBounds);
              });
    return {elementsTensor(), blocksTensor(scales), blocksTensor(zeroPoints)};
  }

private:
  VectorType lanes(Type element) { return VectorType::get({kLanes}, element); }

  /// What each block of a span needs for its elements, lane k for block k:
  /// the scale, the clamp bounds of the rounded quotient (f32), the zero
  /// point (i32), and the code of every element (a block of NaN or inf) or
  /// -1.
  struct SpanBlocks {
    Value scale, low, high, zero, override_;
  };

  static Value minimum(ImplicitLocOpBuilder &at, Value a, Value c) {
    // Compare and select: one vminps (arith.minimumf's NaN and signed-zero
    // rules cost several instructions).
    return arith::SelectOp::create(
        at, arith::CmpFOp::create(at, arith::CmpFPredicate::OLT, a, c), a, c);
  }
  static Value maximum(ImplicitLocOpBuilder &at, Value a, Value c) {
    return arith::SelectOp::create(
        at, arith::CmpFOp::create(at, arith::CmpFPredicate::OGT, a, c), a, c);
  }
  static Value largest(ImplicitLocOpBuilder &at, Value a, Value c) {
    return arith::MaxSIOp::create(at, a, c);
  }

  /// roundeven(x / s) clamped into [low, high], as i32 (NaN, of a 0 / 0 or
  /// a NaN block, becomes low).
  Value roundQuotient(ImplicitLocOpBuilder &at, Value x, Value scale, Value low,
                      Value high) {
    Value n =
        math::RoundEvenOp::create(at, arith::DivFOp::create(at, x, scale));
    n = minimum(at, maximum(at, n, low), high);
    return arith::FPToSIOp::create(at, lanes(at.getI32Type()), n);
  }

  /// The scales and zero points of 16 blocks from their lo and hi (lane k,
  /// block k; meaningless where `nonFinite`, a block holding NaN or inf),
  /// stored from block `firstBlock` on.
  SpanBlocks emitBlocks(ImplicitLocOpBuilder &at, Value lo, Value hi,
                        Value nonFinite, Value firstBlock, bool inBounds) {
    using F = arith::CmpFPredicate;
    auto i32 = [&](int32_t v) { return i32Splat(at, v); };
    auto f32 = [&](float v) { return f32Splat(at, v); };
    auto select = [&](Value condition, Value a, Value c) {
      return arith::SelectOp::create(at, condition, a, c);
    };
    VectorType f64Type = lanes(at.getF64Type());
    VectorType f32Type = lanes(at.getF32Type());
    VectorType i32Type = lanes(at.getI32Type());
    // hi - lo in f64, as the reference computes it, and the quotient.
    Value range =
        arith::SubFOp::create(at, arith::ExtFOp::create(at, f64Type, hi),
                              arith::ExtFOp::create(at, f64Type, lo));
    Value quotient = arith::DivFOp::create(
        at, range,
        arith::ConstantOp::create(
            at,
            DenseElementsAttr::get(
                f64Type, at.getF64FloatAttr(double(qmax - qmin)).getValue())));
    // Rounded to odd into f32 (the quotient is not negative): rounded to
    // nearest, stepped down where that went up, the last bit set where
    // that was inexact.
    Value nearestF32 = arith::TruncFOp::create(at, f32Type, quotient);
    Value back = arith::ExtFOp::create(at, f64Type, nearestF32);
    Value bits = arith::BitcastOp::create(at, i32Type, nearestF32);
    bits = arith::SubIOp::create(
        at, bits,
        arith::ExtUIOp::create(
            at, i32Type, arith::CmpFOp::create(at, F::OGT, back, quotient)));
    bits = arith::OrIOp::create(
        at, bits,
        arith::ExtUIOp::create(
            at, i32Type, arith::CmpFOp::create(at, F::ONE, back, quotient)));
    Value odd = arith::BitcastOp::create(at, f32Type, bits);
    ElementCodegen g(at);
    Value scaleCode = g.encodeF32(scaling.scale, odd, nearest);
    const Format &scaleFormat = scaling.scale;
    int64_t invalidScale = scaleFormat.hasNaN()
                               ? scaleFormat.getNaNCode()
                               : scaleFormat.getMaxFiniteCode(false);
    Value storedScale =
        select(nonFinite, i32(int32_t(invalidScale)), scaleCode);
    vector::TransferWriteOp::create(
        at,
        arith::TruncIOp::create(
            at, lanes(getStorageType(encoding.getScaleType())), storedScale),
        scales, ValueRange{firstBlock}, ArrayRef<bool>{inBounds});
    // The scale's value, exactly.
    Value scale = VectorDecoder(scaleFormat).decode(at, scaleCode, true);
    Value scaleIsZero = arith::CmpFOp::create(at, F::OEQ, scale, f32(0));
    // -lo / s is at most about qmax - qmin unless the scale saturated; the
    // bound keeps the conversion defined.
    Value shift = roundQuotient(at, arith::NegFOp::create(at, lo), scale,
                                f32(-1e6f), f32(1e6f));
    Value zero = select(
        scaleIsZero, i32(std::clamp(0, zmin, zmax)),
        arith::MinSIOp::create(
            at,
            arith::MaxSIOp::create(
                at, arith::AddIOp::create(at, shift, i32(qmin)), i32(zmin)),
            i32(zmax)));
    zero = select(nonFinite, i32(0), zero);
    const Format &zeroFormat = *scaling.zeroPoint;
    uint32_t zeroMask = (uint32_t(1) << zeroFormat.getBitWidth()) - 1;
    vector::TransferWriteOp::create(
        at,
        arith::TruncIOp::create(
            at, lanes(getStorageType(encoding.getZeroPointType())),
            arith::AndIOp::create(at, zero, i32(int32_t(zeroMask)))),
        zeroPoints, ValueRange{firstBlock}, ArrayRef<bool>{inBounds});
    // q = n + z in [qmin, qmax]: n in [qmin - z, qmax - z]; 0 when s is 0.
    Value zeroF32 = arith::SIToFPOp::create(at, f32Type, zero);
    Value low = select(scaleIsZero, f32(0),
                       arith::SubFOp::create(at, f32(float(qmin)), zeroF32));
    Value high = select(scaleIsZero, f32(0),
                        arith::SubFOp::create(at, f32(float(qmax)), zeroF32));
    int64_t nanElement = scaling.element.encode(NAN, nearest);
    Value override_ = select(nonFinite, i32(int32_t(nanElement)), i32(-1));
    return {scale, low, high, zero, override_};
  }

  /// 16 blocks from `element` on; past the end of the tensor when not
  /// `inBounds`, what lies there read as zero (which lo and hi include
  /// anyway) and left unwritten.
  void emitSpan(ImplicitLocOpBuilder &at, Value element, bool inBounds) {
    int64_t vectorsPerBlock = blockSize / kLanes;
    // Pass 1: each block's lo and hi, and its largest magnitude's bits,
    // which find NaN and inf as the MX kernel finds them.
    LaneCombiner lows(minimum), highs(maximum), magnitudes(largest);
    for (int64_t k = 0; k < kLanes; ++k) {
      Value low = f32Splat(at, 0), high = f32Splat(at, 0), magnitude;
      for (int64_t v = k * vectorsPerBlock; v < (k + 1) * vectorsPerBlock;
           ++v) {
        Value x = readInput(
            at, arith::AddIOp::create(at, element, index(at, v * kLanes)),
            inBounds);
        low = minimum(at, x, low);
        high = maximum(at, x, high);
        Value bits = arith::AndIOp::create(
            at, arith::BitcastOp::create(at, lanes(at.getI32Type()), x),
            i32Splat(at, 0x7FFFFFFF));
        magnitude = magnitude ? largest(at, magnitude, bits) : bits;
      }
      lows.add(at, low);
      highs.add(at, high);
      magnitudes.add(at, magnitude);
    }
    Value nonFinite =
        arith::CmpIOp::create(at, arith::CmpIPredicate::sge,
                              magnitudes.result(), i32Splat(at, 0x7F800000));
    SpanBlocks blocks = emitBlocks(
        at, lows.result(), highs.result(), nonFinite,
        arith::DivUIOp::create(at, element, index(at, blockSize)), inBounds);
    // Pass 2, block by block (the values read again, from L1): the block's
    // lanes spread once, then its groups of 16 lanes of P codes.
    scf::ForOp::create(
        at, index(at, 0), index(at, kLanes), index(at, 1), ValueRange{},
        [&](OpBuilder &nested, Location loc, Value k, ValueRange) {
          ImplicitLocOpBuilder body(loc, nested);
          Value lane = vector::BroadcastOp::create(
              body, lanes(body.getI32Type()),
              arith::IndexCastOp::create(body, body.getI32Type(), k));
          auto spread = [&](Value perBlock) -> Value {
            return LookupOp::create(body, perBlock, lane);
          };
          SpanBlocks block{spread(blocks.scale), spread(blocks.low),
                           spread(blocks.high), spread(blocks.zero),
                           spread(blocks.override_)};
          Value blockStart = arith::AddIOp::create(
              body, element,
              arith::MulIOp::create(body, k, index(body, blockSize)));
          scf::ForOp::create(
              body, index(body, 0), index(body, blockSize),
              index(body, groupElements), ValueRange{},
              [&](OpBuilder &inner, Location innerLoc, Value group,
                  ValueRange) {
                ImplicitLocOpBuilder step(innerLoc, inner);
                emitGroup(step, arith::AddIOp::create(step, blockStart, group),
                          block, inBounds);
                scf::YieldOp::create(step);
              });
          scf::YieldOp::create(body);
        });
  }

  /// The codes of the group of 16 P elements from `groupElement`, stored.
  void emitGroup(ImplicitLocOpBuilder &at, Value groupElement,
                 const SpanBlocks &block, bool inBounds) {
    SmallVector<Value> codeVectors;
    uint32_t mask = (uint32_t(1) << scaling.element.getBitWidth()) - 1;
    for (int64_t p = 0; p < phases; ++p) {
      Value x = readInput(
          at, arith::AddIOp::create(at, groupElement, index(at, p * kLanes)),
          inBounds);
      Value q = arith::AddIOp::create(
          at, roundQuotient(at, x, block.scale, block.low, block.high),
          block.zero);
      Value code = arith::AndIOp::create(at, q, i32Splat(at, int32_t(mask)));
      code = arith::SelectOp::create(
          at,
          arith::CmpIOp::create(at, arith::CmpIPredicate::sge, block.override_,
                                i32Splat(at, 0)),
          block.override_, code);
      codeVectors.push_back(code);
    }
    storeGroup(at, codeVectors, groupElement, inBounds);
  }

  RoundingOptions nearest;
  int32_t qmin = 0, qmax = 0, zmin = 0, zmax = 0;
  Value zeroPoints;
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

/// Per-group format choice in the dequantize kernel: one block per unit
/// (each group of 16 lanes of P codes within a block, so one selector a
/// unit), code and selector within a 64-entry table, and every choice's
/// values times its unit f32 values, so that the one multiply by the scale
/// rounds as the reference's exact product does.
static bool isChoiceDequantizeCovered(const BlockScaling &scaling,
                                      int64_t blockSize, unsigned packedWidth) {
  unsigned width = scaling.element.getBitWidth();
  if (width > 4 || width + scaling.getSelectorBits() > 6 ||
      (packedWidth && 8 % packedWidth) || !chooseDecode(scaling.scale))
    return false;
  int64_t phases = packedWidth && packedWidth < 8 ? 8 / packedWidth : 1;
  if (blockSize % (kLanes * phases))
    return false;
  for (unsigned c = 0; c < scaling.choices.size(); ++c) {
    BlockScaling chosen = scaling.getChosen(c);
    for (uint32_t code = 0; code < (1u << width); ++code) {
      double value = chosen.element.decode(code) * chosen.getElementUnit();
      if (!std::isnan(value) && double(float(value)) != value)
        return false;
    }
  }
  return true;
}

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
  if (scaling.hasChoices())
    return isChoiceDequantizeCovered(scaling, blockSize, packedWidth);
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

namespace {
/// MinMaxQuantizeEmitter's cases: integer elements and zero points of at
/// most 8 bits, an f16 scale (whose products with n + 1/2 are exact in f32),
/// rounding to nearest even, groups of 16 lanes of P codes within blocks.
bool isMinMaxQuantizeCovered(RankedTensorType type, Rounding mode,
                             const BlockScaling &scaling, int64_t blockSize,
                             unsigned packedWidth) {
  auto encoding = cast<BlockScaledEncodingAttr>(type.getEncoding());
  if (!scaling.element.isInteger() || scaling.element.getBitWidth() > 8 ||
      !scaling.zeroPoint || !scaling.zeroPoint->isInteger() ||
      scaling.zeroPoint->getBitWidth() > 8 ||
      !encoding.getScaleType().isF16() || scaling.tensorScale)
    return false;
  if (elementRounding(mode).mode != RoundingMode::NearestEven)
    return false;
  RoundingOptions nearest;
  nearest.saturate = true;
  if (!ElementCodegen::canEncodeF32(scaling.scale, nearest))
    return false;
  if (packedWidth && packedWidth != 1 && packedWidth != 2 && packedWidth != 4)
    return false;
  int64_t group = kLanes * (packedWidth ? 8 / packedWidth : 1);
  return blockSize % group == 0;
}
/// Whether QuantizeEmitter's f32-lane encoder rounds the elements in the
/// op's mode (to nearest or toward zero).
bool encodesElementsF32(const BlockScaling &scaling, Rounding mode) {
  RoundingOptions rounding = elementRounding(mode);
  if (rounding.mode != RoundingMode::NearestEven &&
      rounding.mode != RoundingMode::NearestAway &&
      rounding.mode != RoundingMode::TowardZero)
    return false;
  return ElementCodegen::canEncodeF32(scaling.element, rounding);
}

/// The nvfp4 cases of QuantizeEmitter: an f32 tensor scale, block scales
/// of one byte that encodeF32 rounds and VectorDecoder decodes exactly,
/// elements encodeF32 rounds in the op's mode, whole groups of 16 lanes of
/// P codes per span.
bool isNvfp4QuantizeCovered(RankedTensorType type, Rounding mode,
                            const BlockScaling &scaling, int64_t blockSize,
                            unsigned packedWidth) {
  auto encoding = cast<BlockScaledEncodingAttr>(type.getEncoding());
  if (!encoding.getTensorScaleType() ||
      !encoding.getTensorScaleType().isF32() ||
      getStorageType(encoding.getScaleType()).getIntOrFloatBitWidth() != 8 ||
      !chooseDecode(scaling.scale) || !decodesExactly(scaling.scale))
    return false;
  RoundingOptions nearest;
  nearest.saturate = true;
  if (!ElementCodegen::canEncodeF32(scaling.scale, nearest))
    return false;
  if (!encodesElementsF32(scaling, mode))
    return false;
  if (packedWidth && packedWidth != 1 && packedWidth != 2 && packedWidth != 4)
    return false;
  return blockSize % kLanes == 0;
}

/// Whether a quantize kernel covers quantizing f32 values of `type`'s
/// shape into `type` with element rounding `mode`.
bool isQuantizeCovered(RankedTensorType type, Rounding mode,
                       unsigned packedWidth) {
  auto encoding = cast<BlockScaledEncodingAttr>(type.getEncoding());
  std::optional<int64_t> innermostBlock = innermostBlockSize(type);
  if (!innermostBlock || encoding.hasChoices())
    return false;
  int64_t blockSize = *innermostBlock;
  BlockScaling scaling = encoding.getScaling(type.getElementType());
  if (scaling.rule == ScaleRule::MinMax)
    return isMinMaxQuantizeCovered(type, mode, scaling, blockSize, packedWidth);
  if (scaling.rule == ScaleRule::NVFP4)
    return isNvfp4QuantizeCovered(type, mode, scaling, blockSize, packedWidth);
  if (scaling.rule != ScaleRule::Floor && scaling.rule != ScaleRule::RCeil)
    return false;
  if (chooseDecode(scaling.scale) != DecodeKind::E8M0)
    return false;
  if (!encodesElementsF32(scaling, mode))
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

/// The parts of `type` quantized from `input` with element rounding
/// `mode`.
SmallVector<Value> emitQuantize(ImplicitLocOpBuilder &b,
                                const QuantizeInput &input,
                                RankedTensorType type, Rounding mode,
                                unsigned packedWidth) {
  if (cast<BlockScaledEncodingAttr>(type.getEncoding()).getRule() ==
      ScaleRule::MinMax)
    return MinMaxQuantizeEmitter(b, input, type, packedWidth).emit();
  return QuantizeEmitter(b, input, type, mode, packedWidth).emit();
}
} // namespace

bool lowp::isQuantizeKernelCovered(QuantizeOp op, unsigned packedWidth) {
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  if (!inputType.getElementType().isF32() || inputType.getEncoding() ||
      op.getRandom())
    return false;
  return isQuantizeCovered(cast<RankedTensorType>(op.getType()),
                           op.getRounding(), packedWidth);
}

SmallVector<Value> lowp::emitQuantizeKernel(OpBuilder &builder, Location loc,
                                            QuantizeOp op, Value input,
                                            unsigned packedWidth) {
  ImplicitLocOpBuilder b(loc, builder);
  return emitQuantize(b, QuantizeInput{input}, op.getType(), op.getRounding(),
                      packedWidth);
}

bool lowp::isRequantizeKernelCovered(RequantizeOp op,
                                     unsigned sourcePackedWidth,
                                     unsigned packedWidth) {
  auto sourceType = cast<RankedTensorType>(op.getInput().getType());
  auto type = cast<RankedTensorType>(op.getType());
  // Choices: the dequantize kernel reads them a unit at a time, which the
  // requantize kernel's spans do not follow.
  if (cast<BlockScaledEncodingAttr>(sourceType.getEncoding()).hasChoices())
    return false;
  return sourceType.hasStaticShape() &&
         sourceType.getShape() == type.getShape() &&
         isDequantizeKernelCovered(sourceType,
                                   Float32Type::get(op.getContext()),
                                   sourcePackedWidth) &&
         isQuantizeCovered(type, op.getRounding(), packedWidth);
}

SmallVector<Value> lowp::emitRequantizeKernel(OpBuilder &builder, Location loc,
                                              RequantizeOp op,
                                              const BlockScaledParts &source,
                                              unsigned packedWidth) {
  ImplicitLocOpBuilder b(loc, builder);
  DequantizeEmitter decoder(b, source);
  decoder.prepare();
  return emitQuantize(b, QuantizeInput{Value(), &decoder},
                      cast<RankedTensorType>(op.getType()), op.getRounding(),
                      packedWidth);
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

bool lowp::isEncodeKernelCovered(RankedTensorType sourceType,
                                 const Format &format,
                                 const RoundingOptions &options) {
  unsigned width = format.getBitWidth();
  if (!sourceType.getElementType().isF32() || !sourceType.hasStaticShape() ||
      sourceType.getRank() < 1 || (width != 8 && width != 16))
    return false;
  return options.mode != RoundingMode::Stochastic &&
         ElementCodegen::canEncodeF32(format, options);
}

Value lowp::emitEncodeKernel(OpBuilder &builder, Location loc, Value source,
                             const Format &format,
                             const RoundingOptions &options,
                             RankedTensorType storageType) {
  ImplicitLocOpBuilder b(loc, builder);
  int64_t total = storageType.getNumElements();
  Type storage = storageType.getElementType();
  Value values = flatten(b, source);
  Value codes = memref::AllocOp::create(b, MemRefType::get({total}, storage),
                                        b.getI64IntegerAttr(64));
  emitStoresFor(
      b, codes, total * storage.getIntOrFloatBitWidth() / 8,
      [&](ImplicitLocOpBuilder &at, bool streaming) {
        emitSteps(
            at, total, kLanes,
            [&](ImplicitLocOpBuilder &step, Value element, bool inBounds) {
              ElementCodegen g(step);
              Value x = readVector(step, values, ValueRange{element}, kLanes,
                                   inBounds);
              Value code =
                  g.storeCode32(g.encodeF32(format, x, options), storage);
              if (inBounds)
                vector::StoreOp::create(
                    step, code, codes, ValueRange{element}, streaming,
                    streaming ? llvm::MaybeAlign(16) : llvm::MaybeAlign());
              else
                vector::TransferWriteOp::create(step, code, codes,
                                                ValueRange{element},
                                                ArrayRef<bool>{false});
            });
      });
  return unflattenBuffer(b, codes, storageType.getShape());
}

bool lowp::isHadamardKernelCovered(RankedTensorType type, int64_t axis,
                                   int64_t block) {
  if (!type.getElementType().isF32() || !type.hasStaticShape() ||
      type.getRank() < 1 || axis != type.getRank() - 1 || block > 1024)
    return false;
  int64_t lanes = std::max(block, kLanes);
  return type.getNumElements() % lanes == 0 && lanes % block == 0;
}

Value lowp::emitHadamardKernel(OpBuilder &builder, Location loc, Value input,
                               int64_t block, ArrayRef<float> signs) {
  ImplicitLocOpBuilder b(loc, builder);
  auto type = cast<RankedTensorType>(input.getType());
  int64_t total = type.getNumElements();
  // Small blocks share a vector; a larger block is one vector of its own.
  int64_t lanes = std::max(block, kLanes);
  auto vectorType = VectorType::get({lanes}, b.getF32Type());
  SmallVector<float> laneSigns;
  for (int64_t i = 0; i < lanes; ++i)
    laneSigns.push_back(signs[i % block]);
  Value values = flatten(b, input);
  // The result buffer in the result's shape (so that a function returning
  // it writes the caller's buffer directly), stored through a flat view.
  Value result = memref::AllocOp::create(
      b, MemRefType::get(type.getShape(), b.getF32Type()),
      b.getI64IntegerAttr(64));
  Value out = result;
  if (type.getRank() > 1) {
    ReassociationIndices all;
    for (int64_t d = 0; d < type.getRank(); ++d)
      all.push_back(d);
    out = memref::CollapseShapeOp::create(b, result,
                                          ArrayRef<ReassociationIndices>{all});
  }
  emitStoresFor(
      b, out, total * 4, [&](ImplicitLocOpBuilder &at, bool streaming) {
        emitSteps(
            at, total, lanes,
            [&](ImplicitLocOpBuilder &step, Value element, bool) {
              Value x = readVector(step, values, ValueRange{element}, lanes,
                                   /*inBounds=*/true);
              x = arith::MulFOp::create(
                  step, x,
                  arith::ConstantOp::create(
                      step, DenseElementsAttr::get(
                                vectorType, ArrayRef<float>(laneSigns))));
              for (int64_t h = 1; h < block; h *= 2) {
                // Each lane's partner is lane XOR h (in its block); the lower
                // lane of a pair takes a + b, the upper a - b.
                SmallVector<int64_t> partners;
                SmallVector<bool> upper;
                for (int64_t i = 0; i < lanes; ++i) {
                  partners.push_back(i ^ h);
                  upper.push_back((i & h) != 0);
                }
                Value partner = vector::ShuffleOp::create(step, x, x, partners);
                Value isUpper = arith::ConstantOp::create(
                    step, DenseElementsAttr::get(
                              VectorType::get({lanes}, step.getI1Type()),
                              ArrayRef<bool>(upper)));
                x = arith::SelectOp::create(
                    step, isUpper, arith::SubFOp::create(step, partner, x),
                    arith::AddFOp::create(step, x, partner));
              }
              x = arith::MulFOp::create(
                  step, x,
                  f32Splat(step, numerics::hadamardScale(block), lanes));
              vector::StoreOp::create(
                  step, x, out, ValueRange{element}, streaming,
                  streaming ? llvm::MaybeAlign(16) : llvm::MaybeAlign());
            });
      });
  return bufferization::ToTensorOp::create(b, type, result,
                                           /*restrict=*/true,
                                           /*writable=*/true);
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
