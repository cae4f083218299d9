//===- MatmulKernel.cpp - Block-factored matmul in vector code ------------===//
//
// The loop nest, for an M x K activation x and a K x N weight with blocks of
// B rows (docs/Lowering.md has it with the lane tables):
//
//   y = 0
//   parallel for each chunk of whole tiles of T = 128 columns (scf.forall)
//     for each pass of P <= 32 rows of a K-block
//       for each tile n0..n0+T of the chunk
//         s = decode(scales[block][n0..n0+T])
//         for each row m:
//           sum = 0                              8 vectors of 16 f32
//           for k in the pass:
//             sum += broadcast(x[m][k]) * decode(codes of row k, n0..n0+T)
//           y[m][n0..n0+T] += sum * s
//   then the last N mod T columns, masked
//
// From kGemmRows rows of x on, each pass's tile is instead decoded once
// into a P x T panel that register tiles of 4 rows by 4 vectors read (the
// GEMM loop nest, emitGemmColumns); with f32 activations the panel holds
// the weight's values, scales applied, and a pass spans up to 1024 rows of
// many blocks, so y is updated once per pass; the N x K kernel builds a panel
// by transposing its rows (RowDotEmitter::emitGemm). The K x N kernel also
// reads narrow activations as codes (and their block scales); where both
// operands' values are bf16 values it multiplies pairs of rows with
// vdpbf16ps (multipliesBFloat16Pairs), and int8 activations times unsigned
// integer weights four rows at a time with vpdpbusd (multipliesBytes).
//
// The codes of a tile row are read as 16 lanes of P codes (little-endian
// words of 4- or 8-bit codes, bytes of 1- or 2-bit ones); shifting the lanes
// right by p*w gives the codes of columns l*P + p: one vector per phase p,
// without any shuffle. The sums are kept in that phase order and reordered
// once per pass and row. A code of at most 4 bits is decoded by lowp.lookup
// in a 16-entry f32 table held in a register.
//
// Exactness: decoded elements, scales and the activations are f32 values;
// each product is rounded once, each pass sum P - 1 times, the scaled sums
// once each and the scale product (tensor scale, element unit) once or
// twice, which is within lowp.matmul's (K + 3) * 2^-24 * sum |products|
// bound for any block size.
//
//===----------------------------------------------------------------------===//

#include "MatmulKernel.h"
#include "VectorCode.h"

#include "lowp/Numerics/BlockScale.h"

#include "lowp/Conversion/VectorTarget.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/bit.h"
#include "llvm/TargetParser/Host.h"

#include <cmath>
#include <cstring>
#include <numeric>

using namespace mlir;
using namespace lowp;
using namespace lowp::numerics;

namespace {

/// f32 lanes per vector: one AVX-512 register.
constexpr int64_t kLanes = kVectorLanes;
/// Columns per tile: 8 accumulators of 16 lanes for every code width.
constexpr int64_t kTileColumns = 128;
/// Chunks of columns run in parallel: enough to share out among a few
/// cores in equal parts.
constexpr int64_t kParallelChunks = 8;
/// From this many rows of x on, a tile's codes are decoded once into a
/// panel that every row reads (the GEMM loop nest) instead of once per row:
/// at 4 rows the two take the same time here, at 6 the GEMM is 1.3x faster
/// on one core, at 8 1.45x.
constexpr int64_t kGemmRows = kBlockScaledGemmRows;
/// The GEMM's register tile: 4 rows of x by 4 vectors of columns, 16
/// accumulators (independent FMA chains enough to keep both FMA pipes
/// busy), each k costing 4 panel loads and 4 broadcasts for 16 FMAs. The
/// fastest of 8 x 2, 6 x 4, 5 x 4, 4 x 4 and 3 x 8 measured on Zen 4.
constexpr int64_t kGemmTileRows = 4;
/// Vectors of 16 columns in one register tile.
constexpr int64_t kGemmTileVectors = 4;
/// Register tiles across a tile of columns: the panel keeps each one's
/// columns together (kPanelGroups stacked P x 64 slabs), so a register tile
/// reads its slab as one sequential stream.
constexpr int64_t kPanelGroups = kTileColumns / (kGemmTileVectors * kLanes);
/// Rows of K in a panel that holds the weight's values with their scales
/// applied (f32 activations): a register tile sums this many rows in its
/// registers before it reads and writes its tile of y, which at 512 rows of
/// x lies in L3. Measured on one core at 512 x 4096 x 14336, MXFP4: 64 rows
/// 86 GFLOP/s, 256 rows 89-94, 1024 rows 97-100 (of an FMA peak of 103),
/// 4096 rows 100; the panel is then 512 KiB, in L2.
constexpr int64_t kScaledPanelRows = 1024;

//===----------------------------------------------------------------------===//
// The kernel
//===----------------------------------------------------------------------===//

/// The largest divisor of n that is at most `limit` (1 when none is larger).
int64_t largestDivisorAtMost(int64_t n, int64_t limit) {
  for (int64_t divisor = std::min(n, limit); divisor > 1; --divisor)
    if (n % divisor == 0)
      return divisor;
  return 1;
}

/// Rows of a K-block that the K x N kernel sums before each multiply by the
/// scales: the block, or its largest divisor up to 32 (a pass reads one
/// stream per row, and more than 32 streams defeat the prefetchers).
int64_t passRowsOf(RankedTensorType rhs) {
  auto encoding = cast<BlockScaledEncodingAttr>(rhs.getEncoding());
  return largestDivisorAtMost(encoding.getFullBlock(2)[0], 32);
}

/// The element format of an activation: its encoding's, or its own.
std::optional<Format> activationFormat(RankedTensorType lhs) {
  if (auto encoding =
          dyn_cast_or_null<BlockScaledEncodingAttr>(lhs.getEncoding()))
    return encoding.getScaling(lhs.getElementType()).element;
  return getNumericFormat(lhs.getElementType());
}

/// When every finite value the kernels decode from `format`'s codes (less
/// each value of `zeroPoint`, when given) is a bf16 value: the exponent of
/// the lowest bit set in any nonzero one. None for other formats and for
/// formats wider than 8 bits.
std::optional<int> bfloat16Grain(const Format &format,
                                 const std::optional<Format> &zeroPoint) {
  if (format.getBitWidth() > 8 || (zeroPoint && zeroPoint->getBitWidth() > 8))
    return std::nullopt;
  SmallVector<double> offsets{0.0};
  if (zeroPoint) {
    offsets.clear();
    for (uint32_t code = 0; code < (1u << zeroPoint->getBitWidth()); ++code)
      if (std::isfinite(zeroPoint->decode(code)))
        offsets.push_back(zeroPoint->decode(code));
  }
  int grain = std::numeric_limits<int>::max();
  for (uint32_t code = 0; code < (1u << format.getBitWidth()); ++code) {
    double element = format.decode(code);
    if (!std::isfinite(element))
      continue;
    for (double offset : offsets) {
      // Exact: both are small integers when there is a zero point.
      double value = element - offset;
      float single = float(value);
      if (double(single) != value ||
          (llvm::bit_cast<uint32_t>(single) & 0xFFFF) != 0)
        return std::nullopt;
      if (value == 0)
        continue;
      int exponent;
      double fraction = std::frexp(std::fabs(value), &exponent);
      auto significand = uint64_t(std::ldexp(fraction, 53));
      grain = std::min(grain, exponent - 53 + llvm::countr_zero(significand));
    }
  }
  return grain;
}

/// Whether the GEMM multiplies with vdpbf16ps: the target has it, every
/// activation and (unscaled, zero point subtracted) weight value is a bf16
/// value, and every product and partial sum is a multiple of a power of two
/// no smaller than 2^-126, so none is an f32 subnormal, which vdpbf16ps
/// would flush to zero. Products of bf16 values are exact in f32, so each
/// instruction rounds twice per two products, as two FMAs do.
bool multipliesBFloat16Pairs(RankedTensorType lhs, const BlockScaling &weight,
                             int64_t passRows, const VectorTarget &target) {
  if (!target.avx512bf16 || lhs.getElementType().isF32() || passRows % 2)
    return false;
  std::optional<Format> format = activationFormat(lhs);
  if (!format)
    return false;
  std::optional<int> activationGrain = bfloat16Grain(*format, std::nullopt);
  std::optional<int> weightGrain =
      bfloat16Grain(weight.element, weight.zeroPoint);
  return activationGrain && weightGrain &&
         *activationGrain + *weightGrain >= -126;
}

/// Whether the GEMM multiplies bytes with vpdpbusd (lowp.dot_bytes): the
/// target has AVX512_VNNI, x's elements are int8 (plain, or block-scaled
/// without zero points), the weight's are unsigned integers of 4 or 8 bits
/// (their codes are their values) and so are its zero points, if any.
/// Passes of at most 128 rows keep every sum of u8 x s8 products below
/// 2^22, exact in i32 and in f32.
bool multipliesBytes(RankedTensorType lhs, RankedTensorType rhs,
                     const VectorTarget &target) {
  auto isInteger = [](Type type, bool isUnsigned, ArrayRef<unsigned> widths) {
    auto integer = dyn_cast_or_null<IntegerType>(type);
    return integer && integer.isUnsigned() == isUnsigned &&
           llvm::is_contained(widths, integer.getWidth());
  };
  if (!target.avx512vnni || !isInteger(lhs.getElementType(), false, {8}) ||
      !isInteger(rhs.getElementType(), true, {4, 8}))
    return false;
  if (auto encoding =
          dyn_cast_or_null<BlockScaledEncodingAttr>(lhs.getEncoding()))
    if (encoding.getZeroPointType())
      return false;
  Type zeroPoint =
      cast<BlockScaledEncodingAttr>(rhs.getEncoding()).getZeroPointType();
  return !zeroPoint || isInteger(zeroPoint, true, {1, 2, 4, 8});
}

/// What both kernels share: the weight's formats and decoders, reading a
/// row's codes as 16 lanes of P codes and decoding each phase, and the
/// parallel split of the result's columns.
class WeightKernelEmitter {
protected:
  WeightKernelEmitter(ImplicitLocOpBuilder &b, const BlockScaledParts &x,
                      const BlockScaledParts &rhs, bool transposed)
      : b(b), lhs(x.elements), x(x), rhs(rhs),
        encoding(cast<BlockScaledEncodingAttr>(rhs.type.getEncoding())),
        scaling(encoding.getScaling(rhs.type.getElementType())),
        elementDecoder(scaling.element), scaleDecoder(scaling.scale) {
    if (scaling.zeroPoint)
      zeroPointDecoder.emplace(*scaling.zeroPoint);
    // The rows of x may be dynamic (batch and sequence length change at run
    // time); K and the weight are static.
    rows = tensor::getMixedSize(b, b.getLoc(), x.elements, 0);
    depth = rhs.type.getDimSize(transposed ? 1 : 0);
    width = rhs.packedWidth ? rhs.packedWidth : 8;
    // 4- and 8-bit codes are read as 32-bit words, narrower ones as bytes
    // (a word of 1- or 2-bit codes would need 16 or 32 accumulators).
    containerBits = width >= 4 ? 32 : 8;
    phases = containerBits / width;
  }

  Value index(ImplicitLocOpBuilder &at, int64_t value) {
    return indexConstant(at, value);
  }
  /// The number of rows of x, as an index value.
  Value rowCount(ImplicitLocOpBuilder &at) {
    return getValueOrCreateConstantIndexOp(at, at.getLoc(), rows);
  }
  /// An f32 tensor of `columns` columns and x's rows.
  Value emptyRows(ImplicitLocOpBuilder &at, int64_t columns) {
    return tensor::EmptyOp::create(
        at, ArrayRef<OpFoldResult>{rows, at.getIndexAttr(columns)},
        at.getF32Type());
  }
  VectorType f32Vector(int64_t lanes) {
    return VectorType::get({lanes}, b.getF32Type());
  }
  Value splat(ImplicitLocOpBuilder &at, float value) {
    return f32Splat(at, value);
  }
  Value read(ImplicitLocOpBuilder &at, Value tensor, Value row, Value column,
             int64_t lanes, bool inBounds = true) {
    return readVector(at, tensor, ValueRange{row, column}, lanes, inBounds);
  }

  /// Bytes of codes that fill 16 lanes.
  int64_t chunkBytes() const { return kLanes * containerBits / 8; }

  /// A chunk of row `row` of the codes from `byte` on, as 16 i32 lanes: lane
  /// l holds codes l * P .. l * P + P - 1 of the chunk (a little-endian word,
  /// or one byte).
  Value readCodes(ImplicitLocOpBuilder &at, Value row, Value byte,
                  bool inBounds) {
    Value bytes = read(at, rhs.elements, row, byte, chunkBytes(), inBounds);
    if (containerBits == 32)
      return vector::BitCastOp::create(
          at, VectorType::get({kLanes}, at.getI32Type()), bytes);
    return widenCodes(at, bytes);
  }

  /// Phase p of a chunk's codes (codes l * P + p), decoded. With choices,
  /// `selectors` holds each lane's block's selector shifted above the code
  /// bits, and one lookup in choiceTable decodes code and choice.
  Value decodePhase(ImplicitLocOpBuilder &at, Value codes, int64_t p,
                    Value selectors = {}) {
    Value phase = codes;
    if (p > 0)
      phase =
          arith::ShRUIOp::create(at, codes, i32Splat(at, int32_t(p * width)));
    if (selectors) {
      // The table reads w + S index bits: the other codes' bits above this
      // one's go first.
      Value code = arith::AndIOp::create(
          at, phase,
          i32Splat(at, int32_t((1u << scaling.element.getBitWidth()) - 1)));
      return LookupOp::create(at, choiceTable(at, scaling),
                              arith::OrIOp::create(at, code, selectors));
    }
    // The top phase of a word has no bits above it; every other phase
    // carries the following codes' bits.
    return elementDecoder.decode(at, phase, p == phases - 1);
  }

  /// What multiplies every scale of the weight: its tensor scale times its
  /// element unit, as an f32; null when both are 1.
  Value scaleFactor(ImplicitLocOpBuilder &at) {
    return scaleFactor(at, rhs.tensorScale, scaling);
  }

  /// The tensor scale `tensorScale` (0-d codes, or null) of a tensor
  /// encoded as `parts` says, times its element unit; null when both are 1.
  Value scaleFactor(ImplicitLocOpBuilder &at, Value tensorScale,
                    const BlockScaling &parts) {
    double unit = parts.getElementUnit();
    Value factor;
    if (tensorScale) {
      Value stored = tensor::ExtractOp::create(at, tensorScale, ValueRange{});
      Value codes = widenCodes(
          at, vector::BroadcastOp::create(
                  at, VectorType::get({1}, stored.getType()), stored));
      VectorDecoder decoder(*parts.tensorScale);
      factor = vector::ExtractOp::create(at, decoder.decode(at, codes, true),
                                         int64_t(0));
    }
    if (unit == 1.0)
      return factor;
    Value unitValue =
        arith::ConstantOp::create(at, at.getF32FloatAttr(float(unit)));
    // Exact: the unit is a power of two.
    return factor ? arith::MulFOp::create(at, factor, unitValue) : unitValue;
  }

  /// `init` (rows x N) with `count` equal chunks of `chunkColumns` columns
  /// each computed in parallel (scf.forall, an OpenMP loop once lowered) by
  /// `body`, given the chunk's first column and its slice of the result.
  Value
  emitParallelChunks(Value init, int64_t count, int64_t chunkColumns,
                     llvm::function_ref<Value(Value begin, Value slice)> body) {
    auto forall =
        scf::ForallOp::create(b, ArrayRef<OpFoldResult>{b.getIndexAttr(count)},
                              ValueRange{init}, std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forall.getBody());
    Value begin = arith::MulIOp::create(b, forall.getInductionVars()[0],
                                        index(b, chunkColumns));
    Value shared = forall.getRegionIterArgs()[0];
    SmallVector<OpFoldResult> offsets{b.getIndexAttr(0), begin};
    SmallVector<OpFoldResult> sizes{rows, b.getIndexAttr(chunkColumns)};
    SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
    Value slice =
        tensor::ExtractSliceOp::create(b, shared, offsets, sizes, strides);
    Value chunk = body(begin, slice);
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(b, chunk, shared, offsets, sizes,
                                          strides);
    return forall.getResult(0);
  }

  /// Every row of x times the decoded panel of the pass, scaled and added
  /// to `out` at columns `local`.. (phase order).
  Value emitPanelProduct(ImplicitLocOpBuilder &at, Value pass, Value local,
                         Value out, Value panel, Value scaleRow) {
    Value kStart = arith::MulIOp::create(at, pass, index(at, passRows));
    Value rowsValue = rowCount(at);
    Value groupRows = arith::MulIOp::create(
        at, arith::DivUIOp::create(at, rowsValue, index(at, kGemmTileRows)),
        index(at, kGemmTileRows));
    auto rowTiles = [&](Value from, Value to, int64_t tileRows, Value acc) {
      return scf::ForOp::create(
                 at, from, to, index(at, tileRows), ValueRange{acc},
                 [&](OpBuilder &nested, Location loc, Value m0,
                     ValueRange iter) {
                   ImplicitLocOpBuilder body(loc, nested);
                   Value updated = iter[0];
                   for (int64_t j = 0; j < kPanelGroups; ++j)
                     updated =
                         emitRegisterTile(body, kStart, m0, tileRows, local, j,
                                          updated, panel, scaleRow);
                   scf::YieldOp::create(body, updated);
                 })
          .getResult(0);
    };
    Value updated = rowTiles(index(at, 0), groupRows, kGemmTileRows, out);
    return rowTiles(groupRows, rowsValue, 1, updated);
  }

  /// One register tile: rows m0..m0+R of x, columns 64 j..64 j + 64 of the
  /// panel (its slab j), summed over the pass and added to `out`, scaled
  /// by `scaleRow` unless it is null. Byte products (quads) are summed in
  /// i32, exactly, and converted to f32 less zero point times x's pass sum
  /// (the zero points follow the scales in scaleRow).
  Value emitRegisterTile(ImplicitLocOpBuilder &at, Value kStart, Value m0,
                         int64_t tileRows, Value local, int64_t j, Value out,
                         Value panel, Value scaleRow) {
    int64_t firstLane = j * kGemmTileVectors * kLanes;
    SmallVector<Value> rowsOfX;
    for (int64_t r = 0; r < tileRows; ++r)
      rowsOfX.push_back(
          r ? arith::AddIOp::create(at, m0, index(at, r)).getResult() : m0);
    SmallVector<Value> initial(tileRows * kGemmTileVectors,
                               quads ? i32Splat(at, 0) : splat(at, 0));
    // Each step is one row k of the panel (f32 FMAs), with bf16 pairs two
    // rows k, k + 1 in one word per column (vdpbf16ps), with bytes four
    // (vpdpbusd).
    int64_t stepRows = quads ? 4 : pairs ? 2 : 1;
    auto sumLoop = scf::ForOp::create(
        at, index(at, 0), index(at, passRows / stepRows), index(at, 1), initial,
        [&](OpBuilder &nested, Location loc, Value k, ValueRange sums) {
          ImplicitLocOpBuilder step(loc, nested);
          SmallVector<Value> weights;
          Value panelRow = arith::AddIOp::create(
              step, index(step, j * (passRows / stepRows)), k);
          for (int64_t v = 0; v < kGemmTileVectors; ++v) {
            Value weight =
                read(step, panel, panelRow, index(step, v * kLanes), kLanes);
            if (pairs)
              weight =
                  vector::BitCastOp::create(step, bfloat16Pairs(step), weight);
            weights.push_back(weight);
          }
          Value kx = arith::AddIOp::create(
              step, kStart,
              stepRows > 1
                  ? arith::MulIOp::create(step, k, index(step, stepRows))
                        .getResult()
                  : k);
          SmallVector<Value> next;
          for (int64_t r = 0; r < tileRows; ++r) {
            Value broadcast =
                quads   ? broadcastWord(step, lhsQuads, rowsOfX[r], kx, 4)
                : pairs ? broadcastPair(step, rowsOfX[r], kx)
                        : vector::BroadcastOp::create(
                              step, f32Vector(kLanes),
                              tensor::ExtractOp::create(
                                  step, lhs, ValueRange{rowsOfX[r], kx}));
            for (int64_t v = 0; v < kGemmTileVectors; ++v) {
              Value sum = sums[r * kGemmTileVectors + v];
              if (quads)
                next.push_back(DotBytesOp::create(step, sum.getType(), sum,
                                                  weights[v], broadcast));
              else if (pairs)
                next.push_back(x86vector::DotBF16Op::create(
                    step, sum.getType(), sum, broadcast, weights[v]));
              else
                next.push_back(
                    vector::FMAOp::create(step, broadcast, weights[v], sum));
            }
          }
          scf::YieldOp::create(step, next);
        });
    // A panel of the weight's values (no scaleRow) needs no scales here.
    SmallVector<Value> scales;
    for (int64_t v = 0; scaleRow && v < kGemmTileVectors; ++v)
      scales.push_back(readVector(
          at, scaleRow, ValueRange{index(at, firstLane + v * kLanes)}, kLanes,
          /*inBounds=*/true));
    SmallVector<Value> zeroPoints;
    for (int64_t v = 0; lhsPassSums && v < kGemmTileVectors; ++v)
      zeroPoints.push_back(readVector(
          at, scaleRow,
          ValueRange{index(at, kTileColumns + firstLane + v * kLanes)}, kLanes,
          /*inBounds=*/true));
    for (int64_t r = 0; r < tileRows; ++r) {
      Value rowScale =
          scaleRow ? activationScale(at, rowsOfX[r], kStart) : Value();
      // Sum over the pass of x's row: times a zero point, the part of the
      // byte products that the zero point's subtraction takes away.
      Value rowSum;
      if (lhsPassSums)
        rowSum = vector::BroadcastOp::create(
            at, f32Vector(kLanes),
            tensor::ExtractOp::create(
                at, lhsPassSums,
                ValueRange{rowsOfX[r], arith::DivUIOp::create(
                                           at, kStart, index(at, passRows))}));
      for (int64_t v = 0; v < kGemmTileVectors; ++v) {
        Value column =
            arith::AddIOp::create(at, local, index(at, firstLane + v * kLanes));
        Value previous = read(at, out, rowsOfX[r], column, kLanes);
        Value blockSum = sumLoop.getResult(r * kGemmTileVectors + v);
        if (quads) {
          // Exact: integers below 2^22 (multipliesBytes).
          blockSum = arith::SIToFPOp::create(at, f32Vector(kLanes), blockSum);
          if (rowSum)
            blockSum = arith::SubFOp::create(
                at, blockSum, arith::MulFOp::create(at, zeroPoints[v], rowSum));
        }
        if (rowScale)
          blockSum = arith::MulFOp::create(at, blockSum, rowScale);
        Value sum =
            scales.empty()
                ? arith::AddFOp::create(at, previous, blockSum).getResult()
                : vector::FMAOp::create(at, blockSum, scales[v], previous)
                      .getResult();
        out = vector::TransferWriteOp::create(at, sum, out,
                                              ValueRange{rowsOfX[r], column},
                                              ArrayRef<bool>{true})
                  .getResult();
      }
    }
    return out;
  }

  /// `panel` with `value` as the 16 columns 16 i.. of its row k, in the
  /// stacked layout the register tiles read: slab i / 4 of `slabRows` rows.
  Value writePanelVector(ImplicitLocOpBuilder &at, Value value, Value panel,
                         Value k, int64_t i, int64_t slabRows) {
    Value row = arith::AddIOp::create(
        at, index(at, i / kGemmTileVectors * slabRows), k);
    Value column = index(at, i % kGemmTileVectors * kLanes);
    return vector::TransferWriteOp::create(
               at, value, panel, ValueRange{row, column}, ArrayRef<bool>{true})
        .getResult();
  }

  /// Two f32 vectors of bf16 values as one i32 vector of bf16 pairs, the
  /// first in the low halves (as vdpbf16ps pairs them): their f32 bits' top
  /// halves.
  Value packBFloat16Pair(ImplicitLocOpBuilder &at, Value first, Value second) {
    VectorType i32Type = VectorType::get({kLanes}, at.getI32Type());
    Value low = arith::ShRUIOp::create(
        at, arith::BitcastOp::create(at, i32Type, first), i32Splat(at, 16));
    Value high =
        arith::AndIOp::create(at, arith::BitcastOp::create(at, i32Type, second),
                              i32Splat(at, int32_t(0xFFFF0000u)));
    return arith::OrIOp::create(at, low, high);
  }

  /// Phase p of four rows' codes (16 lanes of words of P codes each) as one
  /// i32 vector of their bytes, the first row's in the low byte.
  Value packCodeBytes(ImplicitLocOpBuilder &at, ArrayRef<Value> rowCodes,
                      int64_t p) {
    Value mask = i32Splat(at, int32_t((1u << width) - 1));
    Value word;
    for (auto [r, codes] : llvm::enumerate(rowCodes)) {
      Value code = codes;
      if (p > 0)
        code =
            arith::ShRUIOp::create(at, code, i32Splat(at, int32_t(p * width)));
      if (width < 32)
        code = arith::AndIOp::create(at, code, mask);
      if (r > 0)
        code = arith::ShLIOp::create(at, code, i32Splat(at, int32_t(8 * r)));
      word = word ? arith::OrIOp::create(at, word, code).getResult() : code;
    }
    return word;
  }

  /// 16 lanes of two bf16 each: vdpbf16ps's operands.
  VectorType bfloat16Pairs(ImplicitLocOpBuilder &at) {
    return VectorType::get({2 * kLanes}, at.getBF16Type());
  }

  /// The `count` elements of `tensor` from [m][k] on (count x their width
  /// = 32 bits), as one i32 in every lane.
  Value broadcastWord(ImplicitLocOpBuilder &at, Value tensor, Value m, Value k,
                      int64_t count) {
    Value elements = read(at, tensor, m, k, count);
    Value word = vector::ExtractOp::create(
        at,
        vector::BitCastOp::create(at, VectorType::get({1}, at.getI32Type()),
                                  elements),
        int64_t(0));
    return vector::BroadcastOp::create(
        at, VectorType::get({kLanes}, at.getI32Type()), word);
  }

  /// x[m][k] and x[m][k + 1] (k even) as bf16, in every lane's pair.
  Value broadcastPair(ImplicitLocOpBuilder &at, Value m, Value k) {
    return vector::BitCastOp::create(at, bfloat16Pairs(at),
                                     broadcastWord(at, lhsPairs, m, k, 2));
  }

  /// Row m's scale for the K-block that column k of x lies in, broadcast to
  /// 16 lanes; null when x has no scales.
  Value activationScale(ImplicitLocOpBuilder &at, Value m, Value k) {
    if (!lhsScales)
      return {};
    Value block = arith::DivUIOp::create(at, k, index(at, lhsBlock));
    Value scale =
        tensor::ExtractOp::create(at, lhsScales, ValueRange{m, block});
    return vector::BroadcastOp::create(at, f32Vector(kLanes), scale);
  }

  /// A loop over `tiles` whole tiles (n0 = 0, T, 2T, ...) carrying `iter`,
  /// each iteration's new values given by `body`.
  SmallVector<Value>
  forEachTile(ImplicitLocOpBuilder &at, int64_t tiles, ValueRange iter,
              llvm::function_ref<SmallVector<Value>(ImplicitLocOpBuilder &,
                                                    Value, ValueRange)>
                  body) {
    auto loop = scf::ForOp::create(
        at, index(at, 0), index(at, tiles * kTileColumns),
        index(at, kTileColumns), iter,
        [&](OpBuilder &nested, Location loc, Value n0, ValueRange tileIter) {
          ImplicitLocOpBuilder tile(loc, nested);
          scf::YieldOp::create(tile, body(tile, n0, tileIter));
        });
    return SmallVector<Value>(loop.getResults());
  }

  /// `many()` when x has at least kGemmRows rows, else `few()`: chosen
  /// here when the rows are static, by an scf.if when they are dynamic.
  Value byRowCount(llvm::function_ref<Value()> many,
                   llvm::function_ref<Value()> few) {
    if (std::optional<int64_t> staticRows = getConstantIntValue(rows))
      return *staticRows >= kGemmRows ? many() : few();
    Value enough = arith::CmpIOp::create(b, arith::CmpIPredicate::uge,
                                         rowCount(b), index(b, kGemmRows));
    auto branch = [&](llvm::function_ref<Value()> emitBranch) {
      return [&, emitBranch](OpBuilder &nested, Location) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nested.getInsertionBlock(),
                            nested.getInsertionPoint());
        scf::YieldOp::create(b, emitBranch());
      };
    };
    return scf::IfOp::create(b, enough, branch(many), branch(few)).getResult(0);
  }

  /// The codes as a buffer too, for software prefetch (codeBuffer).
  void createCodeBuffer() {
    auto codesType = cast<RankedTensorType>(rhs.elements.getType());
    int64_t dynamic = ShapedType::kDynamic;
    codeBuffer = bufferization::ToBufferOp::create(
        b,
        MemRefType::get(codesType.getShape(), codesType.getElementType(),
                        StridedLayoutAttr::get(b.getContext(), dynamic,
                                               {dynamic, dynamic})),
        rhs.elements, /*read_only=*/true);
  }

  ImplicitLocOpBuilder &b;
  /// The activation's values in f32 (unscaled when x is block-scaled, its
  /// scales then in lhsScales).
  Value lhs;
  /// The activation as the matmul's operand: f32, the codes of a plain
  /// format, or the parts of a block-scaled tensor (blocks along K).
  const BlockScaledParts &x;
  const BlockScaledParts &rhs;
  BlockScaledEncodingAttr encoding;
  BlockScaling scaling;
  VectorDecoder elementDecoder, scaleDecoder;
  std::optional<VectorDecoder> zeroPointDecoder;
  OpFoldResult rows;
  int64_t depth;
  unsigned width, containerBits;
  int64_t phases;
  /// Rows of K summed before each multiply by the scales: a K-block, or a
  /// divisor of it.
  int64_t passRows = 0;
  Value codeBuffer;
  /// The activation's values as bf16 codes (rows x K of i16), read in pairs
  /// by vdpbf16ps; null unless the GEMM multiplies bf16 pairs.
  Value lhsPairs;
  /// rows x (K / block) f32: the block scales of a block-scaled activation
  /// with its tensor scale and element unit applied; null for others.
  Value lhsScales;
  /// Columns of x that one of its scales covers.
  int64_t lhsBlock = 0;
  /// Whether the GEMM's panel and activation are bf16 pairs for vdpbf16ps.
  bool pairs = false;
  /// Per-group format choice: the selectors of the block the current pass
  /// lies in (readBlockParts sets them, in phase order, for the decodes of
  /// the same pass that follow).
  SmallVector<Value> blockSelectors;
  /// Whether the GEMM's panel holds four rows of unsigned byte codes a word
  /// and multiplies them by x's int8 codes with vpdpbusd.
  bool quads = false;
  /// x's int8 codes (rows x K), read four at a time; null unless quads.
  Value lhsQuads;
  /// rows x (K / P) f32: each row's sum of x's codes over each pass, for
  /// the zero points of a GEMM on bytes; null otherwise.
  Value lhsPassSums;
};

/// lowp.matmul with a K x N weight blocked along K: the loop nest at the
/// top of this file.
class KernelEmitter : public WeightKernelEmitter {
public:
  KernelEmitter(ImplicitLocOpBuilder &b, const BlockScaledParts &x,
                const BlockScaledParts &rhs, const VectorTarget &target)
      : WeightKernelEmitter(b, x, rhs, /*transposed=*/false) {
    columns = rhs.type.getDimSize(1);
    blockRows = encoding.getFullBlock(2)[0];
    // Long blocks are summed in passes of at most 32 rows, each scaled on
    // its own.
    passRows = passRowsOf(rhs.type);
    chunks = kTileColumns / (kLanes * phases);
    if (auto lhsEncoding =
            dyn_cast_or_null<BlockScaledEncodingAttr>(x.type.getEncoding()))
      lhsBlock = lhsEncoding.getFullBlock(2)[1];
    // Bytes on VNNI where they apply (twice vdpbf16ps's products a cycle),
    // else bf16 pairs.
    quads = multipliesBytes(x.type, rhs.type, target) && codePassRows(4) &&
            x.packedWidth == 0;
    pairs = !quads &&
            multipliesBFloat16Pairs(x.type, scaling, passRows, target) &&
            codePassRows(2);
  }

  Value emit() {
    // The weight is read as one stream per row of a K-block, more streams
    // than the hardware prefetchers follow.
    createCodeBuffer();
    if (!mayScalePairs())
      return emitProduct();
    // Both branches decode the activation their own way.
    Value guard = emitScaledPairsGuard();
    auto branch = [&](bool scaled) {
      return [&, scaled](OpBuilder &nested, Location) {
        OpBuilder::InsertionGuard insertion(b);
        b.setInsertionPoint(nested.getInsertionBlock(),
                            nested.getInsertionPoint());
        scaledPairs = scaled;
        scf::YieldOp::create(b, emitProduct());
      };
    };
    Value result =
        scf::IfOp::create(b, guard, branch(true), branch(false)).getResult(0);
    scaledPairs = false;
    return result;
  }

private:
  /// Rows of a GEMM pass on bytes (`step` 4) or on bf16 pairs of codes
  /// (2): the largest multiple of `step` up to 128 that divides both
  /// operands' blocks (multipliesBytes), 0 if none does.
  int64_t codePassRows(int64_t step) const {
    int64_t common = std::gcd(blockRows, lhsBlock ? lhsBlock : blockRows);
    if (common % step)
      return 0;
    return step * largestDivisorAtMost(common / step, 128 / step);
  }

  /// Whether the GEMM may multiply bf16 pairs of both operands' values,
  /// their scales applied, where the scales a call brings allow it
  /// (emitScaledPairsGuard): the weight's scales and x's (if any) are E8M0
  /// powers of two, neither has a tensor scale or a zero point, x's blocks
  /// hold whole 16-lane pieces, and passes of the weight's values are
  /// whole pairs of rows.
  bool mayScalePairs() {
    auto isPowerOfTwoScales = [](BlockScaledEncodingAttr encoding) {
      return isa<Float8E8M0FNUType>(encoding.getScaleType()) &&
             !encoding.getTensorScaleType() && !encoding.getZeroPointType();
    };
    if (!pairs || !isPowerOfTwoScales(encoding))
      return false;
    if (auto lhsEncoding =
            dyn_cast_or_null<BlockScaledEncodingAttr>(x.type.getEncoding()))
      if (!isPowerOfTwoScales(lhsEncoding) || lhsBlock % kLanes != 0)
        return false;
    int64_t panelRows = scaledPanelRows();
    return panelRows % 2 == 0 && std::min(blockRows, panelRows) % 2 == 0;
  }

  /// Whether the scales of this call keep every scaled value of either
  /// operand and every product of two a multiple of a power of two no
  /// smaller than 2^-126, so that no bf16 input and no partial sum of
  /// vdpbf16ps is subnormal (it would flush them): the exponents of the
  /// smallest scale of each operand, ex and ew, with the lowest bits gx and
  /// gw of their formats' values and their element units, give
  /// ex + gx >= -126, ew + gw >= -126 and ex + gx + ew + gw >= -126. The
  /// scales are read once per call (K / 32 x N bytes for MX weights).
  Value emitScaledPairsGuard() {
    int grainX = *bfloat16Grain(*activationFormat(x.type), std::nullopt);
    int grainW = *bfloat16Grain(scaling.element, std::nullopt);
    auto unitExponent = [](const BlockScaling &parts) {
      return std::ilogb(parts.getElementUnit());
    };
    grainW += unitExponent(scaling);
    Value exponentW = emitSmallestScaleExponent(rhs.scales);
    Value exponentX = arith::ConstantOp::create(b, b.getI32IntegerAttr(0));
    if (auto lhsEncoding =
            dyn_cast_or_null<BlockScaledEncodingAttr>(x.type.getEncoding())) {
      grainX += unitExponent(lhsEncoding.getScaling(x.type.getElementType()));
      exponentX = emitSmallestScaleExponent(x.scales);
    }
    auto atLeast = [&](Value value, int bound) {
      return arith::CmpIOp::create(
          b, arith::CmpIPredicate::sge, value,
          arith::ConstantOp::create(b, b.getI32IntegerAttr(bound)));
    };
    Value guard = arith::AndIOp::create(b, atLeast(exponentX, -126 - grainX),
                                        atLeast(exponentW, -126 - grainW));
    return arith::AndIOp::create(
        b, guard,
        atLeast(arith::AddIOp::create(b, exponentX, exponentW),
                -126 - grainX - grainW));
  }

  /// The exponent of the smallest E8M0 scale in `codes` (a 2-d tensor of
  /// i8 codes), as i32: its code less 127. The NaN code, 0xFF, is the
  /// largest, so it never counts as the smallest unless every scale is NaN.
  Value emitSmallestScaleExponent(Value codes) {
    auto type = cast<RankedTensorType>(codes.getType());
    int64_t width = type.getDimSize(1);
    constexpr int64_t lanes = 64;
    auto vectorType = VectorType::get({lanes}, b.getI8Type());
    Value padding = arith::ConstantOp::create(b, b.getI8IntegerAttr(-1));
    Value all = arith::ConstantOp::create(
        b, DenseElementsAttr::get(vectorType, b.getI8IntegerAttr(-1)));
    Value height = tensor::DimOp::create(b, codes, 0);
    auto rowLoop = scf::ForOp::create(
        b, index(b, 0), height, index(b, 1), ValueRange{all},
        [&](OpBuilder &rowBuilder, Location loc, Value row, ValueRange iter) {
          ImplicitLocOpBuilder at(loc, rowBuilder);
          auto loop = scf::ForOp::create(
              at, index(at, 0), index(at, width), index(at, lanes), iter,
              [&](OpBuilder &nested, Location innerLoc, Value column,
                  ValueRange smallest) {
                ImplicitLocOpBuilder body(innerLoc, nested);
                Value read = vector::TransferReadOp::create(
                    body, vectorType, codes, ValueRange{row, column}, padding,
                    ArrayRef<bool>{width % lanes == 0});
                scf::YieldOp::create(body, ValueRange{arith::MinUIOp::create(
                                               body, smallest[0], read)});
              });
          scf::YieldOp::create(at, loop.getResults());
        });
    Value smallest = vector::ReductionOp::create(
        b, vector::CombiningKind::MINUI, rowLoop.getResult(0));
    return arith::SubIOp::create(
        b, arith::ExtUIOp::create(b, b.getI32Type(), smallest),
        arith::ConstantOp::create(b, b.getI32IntegerAttr(127)));
  }

  /// The product for every column: the GEMM over chunks of whole tiles in
  /// parallel, then the columns past the last whole tile.
  Value emitProduct() {
    prepareActivation();
    Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0));
    Value init =
        linalg::FillOp::create(b, zero, ValueRange{emptyRows(b, columns)})
            .getResult(0);
    int64_t fullTiles = columns / kTileColumns;
    Value out = init;
    if (fullTiles > 0) {
      // Whole tiles in equal chunks of columns, run in parallel: the chunks
      // never share an output column.
      int64_t chunkCount = largestDivisorAtMost(fullTiles, kParallelChunks);
      int64_t chunkColumns = fullTiles / chunkCount * kTileColumns;
      out = emitParallelChunks(init, chunkCount, chunkColumns,
                               [&](Value begin, Value slice) {
                                 return emitChunk(slice, begin, chunkColumns);
                               });
    }
    if (int64_t tail = columns % kTileColumns) {
      Value begin = index(b, fullTiles * kTileColumns);
      SmallVector<OpFoldResult> offsets{b.getIndexAttr(0), begin};
      SmallVector<OpFoldResult> sizes{rows, b.getIndexAttr(tail)};
      SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
      Value slice =
          tensor::ExtractSliceOp::create(b, out, offsets, sizes, strides);
      out = tensor::InsertSliceOp::create(b, emitColumns(slice, begin, tail),
                                          out, offsets, sizes, strides);
    }
    return out;
  }

private:
  /// The activation as the loop nests read it, decoded once per call when
  /// it is not f32 already: its values in f32 (lhs) for the GEMV loop nest
  /// and the last columns, as bf16 codes (lhsPairs) for a GEMM that
  /// multiplies bf16 pairs, and its block scales (lhsScales).
  void prepareActivation() {
    auto type = x.type;
    lhs = x.elements;
    lhsPairs = lhsScales = lhsQuads = lhsPassSums = Value();
    if (type.getElementType().isF32() && !type.getEncoding())
      return;
    std::optional<int64_t> staticRows = getConstantIntValue(rows);
    bool gemm = !staticRows || *staticRows >= kGemmRows;
    bool gemmOnly =
        staticRows && *staticRows >= kGemmRows && columns % kTileColumns == 0;
    VectorDecoder decoder(*activationFormat(type));
    if (auto lhsEncoding =
            dyn_cast_or_null<BlockScaledEncodingAttr>(type.getEncoding()))
      lhsScales =
          decodeActivationScales(lhsEncoding.getScaling(type.getElementType()));
    if ((!pairs && !quads) || !gemmOnly)
      lhs = decodeActivation(decoder, /*asBFloat16=*/false);
    if (pairs && gemm && columns >= kTileColumns)
      lhsPairs = decodeActivation(decoder, /*asBFloat16=*/true);
    if (quads && gemm && columns >= kTileColumns) {
      lhsQuads = x.elements;
      if (zeroPointDecoder)
        lhsPassSums = sumActivationPasses(codePassRows(4));
    }
  }

  /// Each row's sum of x's int8 codes over each pass of `passLength`
  /// columns: rows x (K / passLength) f32 (exact: below 2^15).
  Value sumActivationPasses(int64_t passLength) {
    int64_t passes = depth / passLength;
    return scf::ForOp::create(
               b, index(b, 0), rowCount(b), index(b, 1),
               ValueRange{allocateRows(b.getF32Type(), passes)},
               [&](OpBuilder &rowBuilder, Location loc, Value m,
                   ValueRange rowIter) {
                 ImplicitLocOpBuilder row(loc, rowBuilder);
                 auto loop = scf::ForOp::create(
                     row, index(row, 0), index(row, passes), index(row, 1),
                     rowIter,
                     [&](OpBuilder &nested, Location innerLoc, Value pass,
                         ValueRange iter) {
                       ImplicitLocOpBuilder at(innerLoc, nested);
                       Value codes = read(at, x.elements, m,
                                          arith::MulIOp::create(
                                              at, pass, index(at, passLength)),
                                          passLength);
                       Value wide = arith::ExtSIOp::create(
                           at, VectorType::get({passLength}, at.getI32Type()),
                           codes);
                       Value sum = vector::ReductionOp::create(
                           at, vector::CombiningKind::ADD, wide);
                       Value value =
                           arith::SIToFPOp::create(at, at.getF32Type(), sum);
                       scf::YieldOp::create(
                           at, ValueRange{tensor::InsertOp::create(
                                   at, value, iter[0], ValueRange{m, pass})});
                     });
                 scf::YieldOp::create(row, loop.getResults());
               })
        .getResult(0);
  }

  /// A rows x `columns` tensor of `elementType` to write into.
  Value allocateRows(Type elementType, int64_t columnCount) {
    std::optional<int64_t> staticRows = getConstantIntValue(rows);
    SmallVector<Value> dynamicSizes;
    if (!staticRows)
      dynamicSizes.push_back(rowCount(b));
    // Not tensor.empty, which CSE would merge with another of this shape.
    return bufferization::AllocTensorOp::create(
        b,
        RankedTensorType::get(
            {staticRows ? *staticRows : ShapedType::kDynamic, columnCount},
            elementType),
        dynamicSizes);
  }

  /// A rows x `columnCount` tensor of `elementType` whose 16-lane pieces
  /// row m, columns j.. are `lanes(at, m, j, whole)` (whole: every piece
  /// lies within the row; else the last one is read and written masked).
  Value buildRows(
      Type elementType, int64_t columnCount,
      llvm::function_ref<Value(ImplicitLocOpBuilder &, Value, Value, bool)>
          lanes) {
    bool whole = columnCount % kLanes == 0;
    return scf::ForOp::create(
               b, index(b, 0), rowCount(b), index(b, 1),
               ValueRange{allocateRows(elementType, columnCount)},
               [&](OpBuilder &rowBuilder, Location loc, Value m,
                   ValueRange rowIter) {
                 ImplicitLocOpBuilder row(loc, rowBuilder);
                 auto loop = scf::ForOp::create(
                     row, index(row, 0), index(row, columnCount),
                     index(row, kLanes), rowIter,
                     [&](OpBuilder &nested, Location innerLoc, Value j,
                         ValueRange iter) {
                       ImplicitLocOpBuilder at(innerLoc, nested);
                       Value value = lanes(at, m, j, whole);
                       scf::YieldOp::create(at, vector::TransferWriteOp::create(
                                                    at, value, iter[0],
                                                    ValueRange{m, j},
                                                    ArrayRef<bool>{whole})
                                                    .getResult());
                     });
                 scf::YieldOp::create(row, loop.getResults());
               })
        .getResult(0);
  }

  /// x's element codes decoded: rows x K of f32, or of i16 bf16 codes
  /// (exact: multipliesBFloat16Pairs checked that every value is a bf16
  /// value).
  Value decodeActivation(VectorDecoder &decoder, bool asBFloat16) {
    Type elementType = asBFloat16 ? Type(b.getI16Type()) : b.getF32Type();
    return buildRows(
        elementType, depth,
        [&](ImplicitLocOpBuilder &at, Value m, Value k, bool whole) {
          Value codes = readCodeLanes(at, x.elements, ValueRange{m}, k, kLanes,
                                      x.packedWidth, whole);
          Value value = decoder.decode(at, codes, x.packedWidth == 0);
          if (!asBFloat16)
            return value;
          // Scaled pairs: the value times its block's scale, a power of two
          // (exact, emitScaledPairsGuard), for the 16 lanes of one block.
          if (scaledPairs && lhsScales)
            value = arith::MulFOp::create(
                at, value,
                vector::BroadcastOp::create(
                    at, f32Vector(kLanes),
                    tensor::ExtractOp::create(
                        at, lhsScales,
                        ValueRange{m, arith::DivUIOp::create(
                                          at, k, index(at, lhsBlock))})));
          Value bits = arith::BitcastOp::create(
              at, VectorType::get({kLanes}, at.getI32Type()), value);
          return arith::TruncIOp::create(
                     at, VectorType::get({kLanes}, at.getI16Type()),
                     arith::ShRUIOp::create(at, bits, i32Splat(at, 16)))
              .getResult();
        });
  }

  /// x's block scales decoded, times its tensor scale and element unit:
  /// rows x (K / block) f32.
  Value decodeActivationScales(const BlockScaling &lhsScaling) {
    VectorDecoder decoder(lhsScaling.scale);
    Value factor = scaleFactor(b, x.tensorScale, lhsScaling);
    return buildRows(
        b.getF32Type(), depth / lhsBlock,
        [&](ImplicitLocOpBuilder &at, Value m, Value j, bool whole) {
          Value codes =
              readCodeLanes(at, x.scales, ValueRange{m}, j, kLanes, 0, whole);
          Value scale = decoder.decode(at, codes, true);
          if (!factor)
            return scale;
          return arith::MulFOp::create(
                     at, scale,
                     vector::BroadcastOp::create(at, f32Vector(kLanes), factor))
              .getResult();
        });
  }

  /// A chunk of whole tiles: the GEMM loop nest when x has enough rows (a
  /// run-time choice when their number is dynamic), else the GEMV's.
  Value emitChunk(Value out, Value begin, int64_t count) {
    return byRowCount([&] { return emitGemmColumns(out, begin, count); },
                      [&] { return emitColumns(out, begin, count); });
  }

  /// The GEMM loop nest for `count` columns (whole tiles) starting at
  /// `begin`, accumulated into `out` (rows x count, a slice of the result):
  ///
  ///   for each pass of P rows of K
  ///     for each tile n0..n0+T
  ///       panel = decode(codes of the pass's rows, n0..n0+T)  P x T f32
  ///                                    (P/2 x T words of bf16 pairs)
  ///       s = decode(scales[block][n0..n0+T])
  ///       for each group of R = 4 rows of x (then the rows left, one by
  ///       one), for each 64 columns of the tile:
  ///         sums = 0                               R x 4 vectors of 16 f32
  ///         for k in the pass:
  ///           sums[r] += broadcast(x[m0 + r][k]) * panel[k][columns]
  ///         y[m0 + r][columns] += sums[r] * s[columns]
  ///   reorder each tile's columns from phase order into natural order
  ///
  /// With f32 activations the panel holds the weight's values, each
  /// element times its block's scale (lowp.matmul rounds each operand's
  /// value to f32, which is exactly that product), so a pass spans several
  /// blocks, P = 1024 rows (kScaledPanelRows), and its sums are added to y
  /// unscaled: y is read and written once per 1024 rows of K instead of
  /// once per block. Otherwise (block-scaled or bf16-pair activations, whose
  /// sums are of unscaled codes) a pass lies within a block: up to 32 rows,
  /// 128 with bf16 pairs, and s multiplies its sums. Scaled bf16 pairs
  /// (scaledPairs: both operands' values, E8M0 scales applied) are values
  /// like f32 activations: passes of up to 1024 rows, sums unscaled.
  ///
  /// The panel and the sums keep the GEMV's phase order (a tile's columns
  /// are permuted, never mixed), so decoding is the GEMV's without its
  /// reordering; the result is reordered once at the end. Each code is
  /// decoded once for all rows of x. Each product is of two f32 values and
  /// rounded once, each sum adds one rounding per row, so the bound is
  /// lowp.matmul's.
  Value emitGemmColumns(Value out, Value begin, int64_t count) {
    int64_t gemvPassRows = passRows;
    bool scaledPanel = scaledPairs || (!pairs && !quads && !lhsScales);
    // With bf16 pairs of unscaled codes, passes of up to 128 rows within
    // both operands' blocks (a panel of 64 words a column) reread y a
    // quarter as often as passes of 32 where blocks are long (int8 per row
    // x int4-g128 at 512 x 4096 x 14336, one core: 1.78x sgemm's speed at
    // 32, 1.90x at 64, 2.03x at 128). Sums of up to 128 products of 8-bit
    // integers stay below 2^24, so integer pass sums are exact.
    if (scaledPanel)
      passRows = scaledPanelRows();
    else if (pairs || quads)
      passRows = codePassRows(quads ? 4 : 2);
    llvm::scope_exit restore([&] { passRows = gemvPassRows; });
    int64_t passes = depth / passRows;
    int64_t tiles = count / kTileColumns;
    // f32 values, or with bf16 pairs one word per two rows and column; the
    // slabs of the register tiles' columns stacked.
    int64_t slabRows = quads ? passRows / 4 : pairs ? passRows / 2 : passRows;
    Value panel = bufferization::AllocTensorOp::create(
        b,
        RankedTensorType::get(
            {kPanelGroups * slabRows, kGemmTileVectors * kLanes},
            pairs || quads ? Type(b.getI32Type()) : b.getF32Type()),
        ValueRange{});
    // The scales of a pass's block, unless the panel has them applied; on
    // bytes, its zero points after them.
    SmallVector<Value> iterInit{out, panel};
    if (!scaledPanel)
      iterInit.push_back(bufferization::AllocTensorOp::create(
          b,
          RankedTensorType::get(
              {quads && zeroPointDecoder ? 2 * kTileColumns : kTileColumns},
              b.getF32Type()),
          ValueRange{}));
    auto passLoop = scf::ForOp::create(
        b, index(b, 0), index(b, passes), index(b, 1), iterInit,
        [&](OpBuilder &nested, Location loc, Value pass, ValueRange iter) {
          ImplicitLocOpBuilder body(loc, nested);
          scf::YieldOp::create(
              body, forEachTile(
                        body, tiles, iter,
                        [&](ImplicitLocOpBuilder &tile, Value n0,
                            ValueRange tileIter) -> SmallVector<Value> {
                          Value column = arith::AddIOp::create(tile, begin, n0);
                          if (scaledPanel) {
                            Value decoded = emitScaledPanel(tile, pass, column,
                                                            tileIter[1]);
                            Value updated = emitPanelProduct(
                                tile, pass, n0, tileIter[0], decoded, Value());
                            return {updated, decoded};
                          }
                          std::pair<Value, Value> decoded = emitPanel(
                              tile, pass, column, tileIter[1], tileIter[2]);
                          Value updated =
                              emitPanelProduct(tile, pass, n0, tileIter[0],
                                               decoded.first, decoded.second);
                          return {updated, decoded.first, decoded.second};
                        }));
        });
    return emitNaturalOrder(passLoop.getResult(0), tiles);
  }

  /// Rows of K in a panel of the weight's values: whole blocks up to
  /// kScaledPanelRows that divide K, or a divisor of a longer block.
  int64_t scaledPanelRows() const {
    if (blockRows >= kScaledPanelRows)
      return largestDivisorAtMost(blockRows, kScaledPanelRows);
    return blockRows * largestDivisorAtMost(depth / blockRows,
                                            kScaledPanelRows / blockRows);
  }

  /// The tile of weight columns from n0 on, for the pass's rows, decoded
  /// into `panel` as the weight's values: each element less its block's
  /// zero point, times its block's scale (and the tensor scale and element
  /// unit), block by block.
  Value emitScaledPanel(ImplicitLocOpBuilder &at, Value pass, Value n0,
                        Value panel) {
    int64_t rowsPerBlock = std::min(blockRows, passRows);
    int64_t stepRows = pairs ? 2 : 1;
    Value kStart = arith::MulIOp::create(at, pass, index(at, passRows));
    auto blockLoop = scf::ForOp::create(
        at, index(at, 0), index(at, passRows), index(at, rowsPerBlock),
        ValueRange{panel},
        [&](OpBuilder &blockBuilder, Location blockLoc, Value k0,
            ValueRange blockIter) {
          ImplicitLocOpBuilder block(blockLoc, blockBuilder);
          Value kFirst = arith::AddIOp::create(block, kStart, k0);
          Value kb =
              arith::DivUIOp::create(block, kFirst, index(block, blockRows));
          SmallVector<Value> zeroPoints, scales;
          std::tie(zeroPoints, scales) =
              readBlockParts(block, kb, n0, /*inBounds=*/true,
                             /*scalesInPhaseOrder=*/true);
          Value firstSlabRow =
              arith::DivUIOp::create(block, k0, index(block, stepRows));
          scf::YieldOp::create(block, emitPanelRows(block, blockIter[0], kFirst,
                                                    firstSlabRow, rowsPerBlock,
                                                    n0, zeroPoints, scales));
        });
    return blockLoop.getResult(0);
  }

  /// The tile of weight columns from n0 on, for the pass's rows, decoded
  /// into `panel` (rows of the pass x T, in phase order) with each block's
  /// zero point subtracted; its scales into `scaleRow` (T, phase order). On
  /// bytes the panel holds the codes themselves, four rows a word, and the
  /// zero points follow the scales in `scaleRow`.
  std::pair<Value, Value> emitPanel(ImplicitLocOpBuilder &at, Value pass,
                                    Value n0, Value panel, Value scaleRow) {
    SmallVector<Value> zeroPoints, scales;
    std::tie(zeroPoints, scales) =
        readPassParts(at, pass, n0, /*inBounds=*/true,
                      /*scalesInPhaseOrder=*/true);
    for (auto [i, scale] : llvm::enumerate(scales))
      scaleRow =
          vector::TransferWriteOp::create(
              at, scale, scaleRow, ValueRange{index(at, int64_t(i) * kLanes)},
              ArrayRef<bool>{true})
              .getResult();
    if (quads) {
      for (auto [i, zeroPoint] : llvm::enumerate(zeroPoints))
        scaleRow =
            vector::TransferWriteOp::create(
                at, zeroPoint, scaleRow,
                ValueRange{index(at, kTileColumns + int64_t(i) * kLanes)},
                ArrayRef<bool>{true})
                .getResult();
      zeroPoints.clear();
    }
    Value kStart = arith::MulIOp::create(at, pass, index(at, passRows));
    return {emitPanelRows(at, panel, kStart, index(at, 0), passRows, n0,
                          zeroPoints, /*scales=*/{}),
            scaleRow};
  }

  /// `panel` with rows `firstRow` .. `firstRow` + `count` of the tile of
  /// weight columns from n0 on written into its slab rows from
  /// `firstSlabRow` on (slabs of passRows / step rows), in phase order:
  /// each element's code decoded, less `zeroPoints`, times `scales` (when
  /// given). With bf16 pairs each step decodes two rows into one word per
  /// column, the first row's bf16 code in the low half, as vdpbf16ps pairs
  /// them (the values are bf16 values, so the codes are their f32 bits' top
  /// halves); on bytes each step packs four rows' codes, the first row's in
  /// the low byte, as vpdpbusd pairs them with x's bytes.
  Value emitPanelRows(ImplicitLocOpBuilder &at, Value panel, Value firstRow,
                      Value firstSlabRow, int64_t count, Value n0,
                      ArrayRef<Value> zeroPoints, ArrayRef<Value> scales) {
    int64_t stepRows = quads ? 4 : pairs ? 2 : 1;
    Value byteBase =
        width < 8 ? arith::DivUIOp::create(at, n0, index(at, 8 / width)) : n0;
    auto rowLoop = scf::ForOp::create(
        at, index(at, 0), index(at, count / stepRows), index(at, 1),
        ValueRange{panel},
        [&](OpBuilder &nested, Location loc, Value k, ValueRange iter) {
          ImplicitLocOpBuilder body(loc, nested);
          Value first = arith::AddIOp::create(
              body, firstRow,
              stepRows > 1
                  ? arith::MulIOp::create(body, k, index(body, stepRows))
                        .getResult()
                  : k);
          SmallVector<Value> panelRows{first};
          for (int64_t r = 1; r < stepRows; ++r)
            panelRows.push_back(
                arith::AddIOp::create(body, first, index(body, r)));
          Value slabRow = arith::AddIOp::create(body, firstSlabRow, k);
          // The next tile's codes of these rows, which their decoding would
          // otherwise wait for (a pass reads its rows a row's length apart,
          // too far apart for the hardware prefetchers).
          for (Value row : panelRows)
            prefetchCodes(body, row, byteBase, 2 * tileBytes());
          Value decoded = iter[0];
          for (int64_t c = 0; c < chunks; ++c) {
            Value byte = arith::AddIOp::create(body, byteBase,
                                               index(body, c * chunkBytes()));
            SmallVector<Value> codes;
            for (Value row : panelRows)
              codes.push_back(readCodes(body, row, byte, /*inBounds=*/true));
            for (int64_t p = 0; p < phases; ++p) {
              int64_t i = c * phases + p;
              Value word;
              if (quads) {
                word = packCodeBytes(body, codes, p);
              } else {
                SmallVector<Value> values;
                for (Value rowCodes : codes) {
                  Value value = decodePhase(
                      body, rowCodes, p,
                      blockSelectors.empty() ? Value() : blockSelectors[i]);
                  if (!zeroPoints.empty())
                    value = arith::SubFOp::create(body, value, zeroPoints[i]);
                  if (!scales.empty())
                    value = arith::MulFOp::create(body, value, scales[i]);
                  values.push_back(value);
                }
                word = pairs ? packBFloat16Pair(body, values[0], values[1])
                             : values[0];
              }
              decoded = writePanelVector(body, word, decoded, slabRow, i,
                                         passRows / stepRows);
            }
          }
          scf::YieldOp::create(body, decoded);
        });
    return rowLoop.getResult(0);
  }

  /// `out` with each tile's columns moved from phase order into natural
  /// order, row by row.
  Value emitNaturalOrder(Value out, int64_t tiles) {
    if (phases == 1)
      return out;
    return scf::ForOp::create(
               b, index(b, 0), rowCount(b), index(b, 1), ValueRange{out},
               [&](OpBuilder &nested, Location loc, Value m, ValueRange iter) {
                 ImplicitLocOpBuilder body(loc, nested);
                 scf::YieldOp::create(
                     body, forEachTile(body, tiles, iter,
                                       [&](ImplicitLocOpBuilder &tile, Value n0,
                                           ValueRange tileIter) {
                                         return SmallVector<Value>{reorderTile(
                                             tile, m, n0, tileIter[0])};
                                       }));
               })
        .getResult(0);
  }

  /// Row m of the tile of `out` from column n0 on, from phase order into
  /// natural order.
  Value reorderTile(ImplicitLocOpBuilder &at, Value m, Value n0, Value out) {
    SmallVector<Value> byPhase;
    for (int64_t i = 0; i < chunks * phases; ++i)
      byPhase.push_back(
          read(at, out, m, arith::AddIOp::create(at, n0, index(at, i * kLanes)),
               kLanes));
    for (int64_t c = 0; c < chunks; ++c) {
      Value chunk =
          interleave(at, ArrayRef<Value>(byPhase).slice(c * phases, phases));
      Value column =
          arith::AddIOp::create(at, n0, index(at, c * phases * kLanes));
      out = vector::TransferWriteOp::create(
                at, chunk, out, ValueRange{m, column}, ArrayRef<bool>{true})
                .getResult();
    }
    return out;
  }

  /// The product for `count` columns starting at `begin`, accumulated into
  /// `out` (rows x count, a slice of the result).
  Value emitColumns(Value out, Value begin, int64_t count) {
    // The verifier makes the blocks divide K.
    int64_t passes = depth / passRows;
    int64_t fullTiles = count / kTileColumns;
    auto passLoop = scf::ForOp::create(
        b, index(b, 0), index(b, passes), index(b, 1), ValueRange{out},
        [&](OpBuilder &nested, Location loc, Value pass, ValueRange iter) {
          ImplicitLocOpBuilder body(loc, nested);
          Value partial = iter[0];
          if (fullTiles > 0)
            partial =
                scf::ForOp::create(
                    body, index(body, 0), index(body, fullTiles * kTileColumns),
                    index(body, kTileColumns), ValueRange{partial},
                    [&](OpBuilder &tileBuilder, Location tileLoc, Value n0,
                        ValueRange tileIter) {
                      ImplicitLocOpBuilder tile(tileLoc, tileBuilder);
                      Value column = arith::AddIOp::create(tile, begin, n0);
                      scf::YieldOp::create(tile, emitTile(tile, pass, column,
                                                          n0, tileIter[0],
                                                          /*inBounds=*/true));
                    })
                    .getResult(0);
          if (count % kTileColumns) {
            Value n0 = index(body, fullTiles * kTileColumns);
            Value column = arith::AddIOp::create(body, begin, n0);
            partial = emitTile(body, pass, column, n0, partial,
                               /*inBounds=*/false);
          }
          scf::YieldOp::create(body, partial);
        });
    return passLoop.getResult(0);
  }

  /// Per-block vectors (scales or zero points) for the tile's columns,
  /// decoded, in natural lane order, or in the accumulators' phase order.
  SmallVector<Value> readPerBlock(ImplicitLocOpBuilder &at, Value part,
                                  unsigned packedWidth, VectorDecoder &decoder,
                                  Value kb, Value n0, bool inBounds,
                                  bool phaseOrder) {
    SmallVector<Value> result;
    int64_t lanes = phaseOrder ? kLanes * phases : kLanes;
    for (int64_t c = 0; c < kTileColumns / lanes; ++c) {
      Value column = arith::AddIOp::create(at, n0, index(at, c * lanes));
      Value codes = readCodeLanes(at, part, ValueRange{kb}, column, lanes,
                                  packedWidth, inBounds);
      Value decoded = decoder.decode(at, codes, packedWidth == 0);
      llvm::append_range(result, phaseOrder ? deinterleave(at, decoded, phases)
                                            : SmallVector<Value>{decoded});
    }
    return result;
  }

  /// Per-group format choice: K-block kb's selectors of the tile of
  /// columns from n0 on, in phase order like the zero points, each shifted
  /// above the code bits (decodePhase's `selectors`).
  SmallVector<Value> readSelectorsPerBlock(ImplicitLocOpBuilder &at, Value kb,
                                           Value n0, bool inBounds) {
    SmallVector<Value> result;
    int64_t lanes = kLanes * phases;
    VectorType type = VectorType::get({lanes}, at.getI32Type());
    auto splat = [&](int32_t v) -> Value {
      return arith::ConstantOp::create(
          at, DenseElementsAttr::get(type, at.getI32IntegerAttr(v).getValue()));
    };
    for (int64_t c = 0; c < kTileColumns / lanes; ++c) {
      Value column = arith::AddIOp::create(at, n0, index(at, c * lanes));
      Value codes = readCodeLanes(at, rhs.selectors, ValueRange{kb}, column,
                                  lanes, rhs.selectorWidth, inBounds);
      codes = arith::ShLIOp::create(
          at,
          arith::AndIOp::create(at, codes,
                                splat((1 << scaling.getSelectorBits()) - 1)),
          splat(int32_t(scaling.element.getBitWidth())));
      llvm::append_range(result, deinterleave(at, codes, phases));
    }
    return result;
  }

  /// The zero points (phase order) and scales (phase order or natural) of
  /// the block that pass `pass` lies in, for the tile of columns from n0
  /// on; the tensor scale and element unit, hoisted out of the sums, are
  /// applied to each block's scales.
  std::pair<SmallVector<Value>, SmallVector<Value>>
  readPassParts(ImplicitLocOpBuilder &at, Value pass, Value n0, bool inBounds,
                bool scalesInPhaseOrder) {
    Value kb =
        passRows == blockRows
            ? pass
            : arith::DivUIOp::create(at, pass, index(at, blockRows / passRows));
    return readBlockParts(at, kb, n0, inBounds, scalesInPhaseOrder);
  }

  /// The same for K-block `kb`.
  std::pair<SmallVector<Value>, SmallVector<Value>>
  readBlockParts(ImplicitLocOpBuilder &at, Value kb, Value n0, bool inBounds,
                 bool scalesInPhaseOrder) {
    SmallVector<Value> zeroPoints;
    if (zeroPointDecoder)
      zeroPoints = readPerBlock(at, rhs.zeroPoints, rhs.zeroPointWidth,
                                *zeroPointDecoder, kb, n0, inBounds,
                                /*phaseOrder=*/true);
    SmallVector<Value> scales =
        readPerBlock(at, rhs.scales, /*packedWidth=*/0, scaleDecoder, kb, n0,
                     inBounds, scalesInPhaseOrder);
    if (scaling.hasChoices())
      blockSelectors = readSelectorsPerBlock(at, kb, n0, inBounds);
    if (Value factor = scaleFactor(at)) {
      Value factors =
          vector::BroadcastOp::create(at, f32Vector(kLanes), factor);
      for (Value &scale : scales)
        scale = arith::MulFOp::create(at, scale, factors);
    }
    return {zeroPoints, scales};
  }

  /// One pass over rows of a K-block for the tile of weight columns
  /// starting at n0, for every row of x: `out` (whose column `local` is
  /// weight column n0) plus each row's scaled sums.
  Value emitTile(ImplicitLocOpBuilder &at, Value pass, Value n0, Value local,
                 Value out, bool inBounds) {
    SmallVector<Value> zeroPoints, scales;
    std::tie(zeroPoints, scales) = readPassParts(at, pass, n0, inBounds,
                                                 /*scalesInPhaseOrder=*/false);
    Value kStart = arith::MulIOp::create(at, pass, index(at, passRows));
    Value kEnd = arith::AddIOp::create(at, kStart, index(at, passRows));
    // The first byte of the tile in each row of codes.
    Value byteBase =
        width < 8 ? arith::DivUIOp::create(at, n0, index(at, 8 / width)) : n0;
    auto rowLoop = scf::ForOp::create(
        at, index(at, 0), rowCount(at), index(at, 1), ValueRange{out},
        [&](OpBuilder &nested, Location loc, Value m, ValueRange iter) {
          ImplicitLocOpBuilder body(loc, nested);
          SmallVector<Value> initial(chunks * phases, splat(body, 0));
          auto sumLoop = scf::ForOp::create(
              body, kStart, kEnd, index(body, 1), initial,
              [&](OpBuilder &inner, Location innerLoc, Value k,
                  ValueRange sums) {
                ImplicitLocOpBuilder step(innerLoc, inner);
                scf::YieldOp::create(step, emitStep(step, m, k, byteBase, sums,
                                                    zeroPoints, inBounds));
              });
          // The block sums in natural column order, 16 columns a vector.
          SmallVector<Value> sums;
          SmallVector<Value> results(sumLoop.getResults());
          for (int64_t c = 0; c < chunks; ++c) {
            Value chunk = interleave(
                body, ArrayRef<Value>(results).slice(c * phases, phases));
            for (int64_t v = 0; v < phases; ++v)
              sums.push_back(vector::ExtractStridedSliceOp::create(
                  body, chunk, ArrayRef<int64_t>{v * kLanes},
                  ArrayRef<int64_t>{kLanes}, ArrayRef<int64_t>{1}));
          }
          Value updated = iter[0];
          Value rowScale = activationScale(body, m, kStart);
          for (int64_t v = 0; v < kTileColumns / kLanes; ++v) {
            Value column =
                arith::AddIOp::create(body, local, index(body, v * kLanes));
            Value previous = read(body, updated, m, column, kLanes, inBounds);
            Value blockSum = sums[v];
            if (rowScale)
              blockSum = arith::MulFOp::create(body, blockSum, rowScale);
            Value sum =
                vector::FMAOp::create(body, blockSum, scales[v], previous);
            updated = vector::TransferWriteOp::create(body, sum, updated,
                                                      ValueRange{m, column},
                                                      ArrayRef<bool>{inBounds})
                          .getResult();
          }
          scf::YieldOp::create(body, updated);
        });
    return rowLoop.getResult(0);
  }

  /// One row k of the weight: every accumulator's block sum gains
  /// x[m][k] times the decoded elements.
  SmallVector<Value> emitStep(ImplicitLocOpBuilder &at, Value m, Value k,
                              Value byteBase, ValueRange sums,
                              ArrayRef<Value> zeroPoints, bool inBounds) {
    Value x = tensor::ExtractOp::create(at, lhs, ValueRange{m, k});
    Value broadcast = vector::BroadcastOp::create(at, f32Vector(kLanes), x);
    SmallVector<Value> next;
    // ~16 KiB ahead of the codes being read, in this row: a few tiles on.
    int64_t distance =
        std::max<int64_t>(1, (16 << 10) / (passRows * tileBytes())) *
        tileBytes();
    prefetchCodes(at, k, byteBase, distance);
    for (int64_t c = 0; c < chunks; ++c) {
      Value byte =
          arith::AddIOp::create(at, byteBase, index(at, c * chunkBytes()));
      Value codes = readCodes(at, k, byte, inBounds);
      for (int64_t p = 0; p < phases; ++p) {
        int64_t i = c * phases + p;
        Value value = decodePhase(
            at, codes, p, blockSelectors.empty() ? Value() : blockSelectors[i]);
        if (!zeroPoints.empty())
          value = arith::SubFOp::create(at, value, zeroPoints[i]);
        next.push_back(vector::FMAOp::create(at, broadcast, value, sums[i]));
      }
    }
    return next;
  }

  /// Bytes of codes in a row of a tile.
  int64_t tileBytes() const { return kTileColumns * width / 8; }

  /// Prefetches a tile's codes in row `k`, `distance` bytes after the tile
  /// that starts at byte `byteBase` (clamped to the row).
  void prefetchCodes(ImplicitLocOpBuilder &at, Value k, Value byteBase,
                     int64_t distance) {
    int64_t rowBytes =
        cast<RankedTensorType>(rhs.elements.getType()).getDimSize(1);
    for (int64_t line = 0; line < tileBytes(); line += 64) {
      Value ahead = arith::MinUIOp::create(
          at, arith::AddIOp::create(at, byteBase, index(at, distance + line)),
          index(at, rowBytes - 1));
      memref::PrefetchOp::create(at, codeBuffer, ValueRange{k, ahead},
                                 at.getBoolAttr(false), at.getI32IntegerAttr(3),
                                 at.getBoolAttr(true));
    }
  }

  int64_t columns, blockRows, chunks;
  /// Whether the GEMM being emitted multiplies bf16 pairs of the operands'
  /// values, scales applied (the branch emitScaledPairsGuard chose).
  bool scaledPairs = false;
};

/// lowp.matmul with an N x K weight blocked along K (transpose_rhs):
///
///   x' = x with each chunk of C = 16 P columns in phase order
///   parallel for each chunk of rows n of the weight      (scf.forall)
///     for each row n, for each row m of x:
///       acc = 0                                          16 f32 lanes
///       for each chunk c of the row (C codes, 16 lanes of P):
///         sum = sum over phases p of x'[m][c][p] * decode(codes >> p*w)
///         acc += sum * scales of the lanes' blocks     (one per lane group)
///       y[m][n] = reduce(acc) * tensor scale
///
/// Lane l of phase p of chunk c holds k = C c + P l + p, so a lane's codes
/// all lie in one block when P divides the block, and the scales of a chunk
/// are one vector: scale[n][(C c + P l) / B] for each lane l. The row of
/// codes is read once, sequentially, and stays in L1 across the rows of x.
class RowDotEmitter : public WeightKernelEmitter {
public:
  RowDotEmitter(ImplicitLocOpBuilder &b, const BlockScaledParts &x,
                const BlockScaledParts &rhs)
      : WeightKernelEmitter(b, x, rhs, /*transposed=*/true) {
    outputs = rhs.type.getDimSize(0);
    blockSize = encoding.getFullBlock(2)[1];
    chunkCodes = kLanes * phases;
    passRows = largestDivisorAtMost(blockSize, 32);
  }

  Value emit() {
    // The GEMM's panel is built from 16 x 16 transposes: passes of a
    // multiple of 16 rows, and at least one whole tile of outputs.
    if (passRows % kLanes != 0 || outputs < kTileColumns)
      return emitRowDots();
    // Each pass reads a few bytes of every row of a chunk, rows a row's
    // length apart: prefetched (codeBuffer) a line ahead.
    createCodeBuffer();
    return byRowCount([&] { return emitGemm(); },
                      [&] { return emitRowDots(); });
  }

private:
  /// The GEMM loop nest of the K x N kernel over whole tiles of T = 128
  /// outputs, with the panel decoded from the rows of the N x K weight and
  /// transposed:
  ///
  ///   parallel for each chunk of whole tiles       (scf.forall)
  ///     for each pass of P rows of K (P = 16 or 32, within one block)
  ///       for each tile n0..n0+T of the chunk
  ///         for each 16 outputs n of the tile:
  ///           rows[n] = decode(codes[n][pass's P]) - zero point[n][block]
  ///           s[n] = decode(scale[n][block]) * tensor scale * unit
  ///           panel[k][n] = transpose(rows)            16 x 16 at a time
  ///         the K x N kernel's register tiles over the panel
  ///   then the outputs past the last whole tile, by row dot products
  ///
  /// The panel is in natural column order; each product and sum is the K x
  /// N kernel's, so the bound is the same.
  Value emitGemm() {
    Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0));
    Value out =
        linalg::FillOp::create(b, zero, ValueRange{emptyRows(b, outputs)})
            .getResult(0);
    int64_t fullTiles = outputs / kTileColumns;
    int64_t chunkCount = largestDivisorAtMost(fullTiles, kParallelChunks);
    int64_t chunkColumns = fullTiles / chunkCount * kTileColumns;
    out = emitParallelChunks(
        out, chunkCount, chunkColumns, [&](Value begin, Value slice) {
          return emitGemmColumns(slice, begin, chunkColumns / kTileColumns);
        });
    if (fullTiles * kTileColumns == outputs)
      return out;
    Value phased = emitPhasedActivations();
    return scf::ForOp::create(
               b, index(b, fullTiles * kTileColumns), index(b, outputs),
               index(b, 1), ValueRange{out},
               [&](OpBuilder &nested, Location loc, Value n, ValueRange iter) {
                 ImplicitLocOpBuilder body(loc, nested);
                 scf::YieldOp::create(body,
                                      emitRow(body, phased, n, n, iter[0]));
               })
        .getResult(0);
  }

  /// `tiles` whole tiles of outputs from `begin` on, into `out` (their
  /// slice of the result).
  Value emitGemmColumns(Value out, Value begin, int64_t tiles) {
    // The panel holds the weight's values (the N x K kernel reads f32
    // activations only): sub-passes of P rows within a block, each decoded,
    // transposed and scaled, fill a panel of up to 1024 rows, and the
    // register tiles add their sums to y once per panel (as the K x N
    // kernel's scaled panel).
    int64_t subPassRows = passRows;
    int64_t panelRows =
        subPassRows * largestDivisorAtMost(depth / subPassRows,
                                           kScaledPanelRows / subPassRows);
    Value panel = bufferization::AllocTensorOp::create(
        b,
        RankedTensorType::get(
            {kPanelGroups * panelRows, kGemmTileVectors * kLanes},
            b.getF32Type()),
        ValueRange{});
    return scf::ForOp::create(
               b, index(b, 0), index(b, depth / panelRows), index(b, 1),
               ValueRange{out, panel},
               [&](OpBuilder &nested, Location loc, Value pass,
                   ValueRange iter) {
                 ImplicitLocOpBuilder body(loc, nested);
                 Value panelStart =
                     arith::MulIOp::create(body, pass, index(body, panelRows));
                 scf::YieldOp::create(
                     body,
                     forEachTile(
                         body, tiles, iter,
                         [&](ImplicitLocOpBuilder &tile, Value n0,
                             ValueRange tileIter) -> SmallVector<Value> {
                           Value first = arith::AddIOp::create(tile, begin, n0);
                           Value decoded =
                               scf::ForOp::create(
                                   tile, index(tile, 0), index(tile, panelRows),
                                   index(tile, subPassRows),
                                   ValueRange{tileIter[1]},
                                   [&](OpBuilder &subBuilder, Location subLoc,
                                       Value offset, ValueRange subIter) {
                                     ImplicitLocOpBuilder sub(subLoc,
                                                              subBuilder);
                                     Value kStart = arith::AddIOp::create(
                                         sub, panelStart, offset);
                                     scf::YieldOp::create(
                                         sub,
                                         emitTransposedPanel(
                                             sub, kStart, first, subIter[0],
                                             Value(), offset, panelRows)
                                             .first);
                                   })
                                   .getResult(0);
                           passRows = panelRows;
                           Value updated = emitPanelProduct(
                               tile, pass, n0, tileIter[0], decoded, Value());
                           passRows = subPassRows;
                           return {updated, decoded};
                         }));
               })
        .getResult(0);
  }

  /// Per-group format choice: a pass of row n's codes (within block
  /// `block`) decoded in that block's choice, 16 lanes per lookup of
  /// choiceTable.
  Value decodeChosenRow(ImplicitLocOpBuilder &at, Value codes, Value n,
                        Value block) {
    Value selector = vector::ExtractOp::create(
        at,
        readCodeLanes(at, rhs.selectors, ValueRange{n}, block, 1,
                      rhs.selectorWidth, /*inBounds=*/true),
        int64_t(0));
    selector = arith::ShLIOp::create(
        at,
        arith::AndIOp::create(
            at, selector,
            arith::ConstantIntOp::create(at, at.getI32Type(),
                                         (1 << scaling.getSelectorBits()) - 1)),
        arith::ConstantIntOp::create(at, at.getI32Type(), elementBits()));
    Value table = choiceTable(at, scaling);
    auto type = cast<VectorType>(codes.getType());
    int64_t lanes = type.getDimSize(0);
    VectorType sliceType = VectorType::get({kLanes}, at.getI32Type());
    Value spread = vector::BroadcastOp::create(at, sliceType, selector);
    Value mask = i32Splat(at, int32_t((1u << elementBits()) - 1));
    Value result = arith::ConstantOp::create(
        at, DenseElementsAttr::get(VectorType::get({lanes}, at.getF32Type()),
                                   at.getF32FloatAttr(0.0f).getValue()));
    for (int64_t offset = 0; offset < lanes; offset += kLanes) {
      Value slice = lanes == kLanes
                        ? codes
                        : vector::ExtractStridedSliceOp::create(
                              at, codes, ArrayRef<int64_t>{offset},
                              ArrayRef<int64_t>{kLanes}, ArrayRef<int64_t>{1})
                              .getResult();
      Value index = arith::OrIOp::create(
          at, arith::AndIOp::create(at, slice, mask), spread);
      Value decoded = LookupOp::create(at, table, index);
      if (lanes == kLanes)
        return decoded;
      result = vector::InsertStridedSliceOp::create(
          at, decoded, result, ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{1});
    }
    return result;
  }

  /// Weight rows n0..n0+T over the pass from kStart, decoded into `panel`
  /// (P x T: panel[k][i] is row n0 + i's element kStart + k, less its zero
  /// point) and their scales into `scaleRow`.
  std::pair<Value, Value> emitTransposedPanel(ImplicitLocOpBuilder &at,
                                              Value kStart, Value n0,
                                              Value panel, Value scaleRow,
                                              Value rowOffset = Value(),
                                              int64_t slabRows = 0) {
    // With a row offset, the values times their scales go into rows
    // rowOffset.. of slabs of `slabRows` rows, and scaleRow is unused.
    bool scaled = (bool)rowOffset;
    if (!scaled)
      slabRows = passRows;
    Value block = arith::DivUIOp::create(at, kStart, index(at, blockSize));
    Value factor = scaleFactor(at);
    int64_t rowBytes =
        cast<RankedTensorType>(rhs.elements.getType()).getDimSize(1);
    auto groupLoop = scf::ForOp::create(
        at, index(at, 0), index(at, kTileColumns), index(at, kLanes),
        scaled ? ValueRange{panel} : ValueRange{panel, scaleRow},
        [&](OpBuilder &nested, Location loc, Value i0, ValueRange iter) {
          ImplicitLocOpBuilder body(loc, nested);
          Value first = arith::AddIOp::create(body, n0, i0);
          SmallVector<Value> rows, scaleCodes;
          for (int64_t r = 0; r < kLanes; ++r) {
            Value n = arith::AddIOp::create(body, first, index(body, r));
            Value codes = readCodeLanes(body, rhs.elements, ValueRange{n},
                                        kStart, passRows, rhs.packedWidth,
                                        /*inBounds=*/true);
            // The codes of this row's next passes, which are read after
            // every other row of the chunk's tiles.
            Value byte =
                rhs.packedWidth
                    ? arith::DivUIOp::create(body, kStart,
                                             index(body, 8 / rhs.packedWidth))
                          .getResult()
                    : kStart;
            Value ahead = arith::MinUIOp::create(
                body, arith::AddIOp::create(body, byte, index(body, 64)),
                index(body, rowBytes - 1));
            memref::PrefetchOp::create(
                body, codeBuffer, ValueRange{n, ahead}, body.getBoolAttr(false),
                body.getI32IntegerAttr(3), body.getBoolAttr(true));
            Value value =
                scaling.hasChoices()
                    ? decodeChosenRow(body, codes, n, block)
                    : elementDecoder.decode(body, codes, rhs.packedWidth == 0);
            if (zeroPointDecoder) {
              Value zeroPoint = zeroPointDecoder->decode(
                  body,
                  readCodeLanes(body, rhs.zeroPoints, ValueRange{n}, block, 1,
                                rhs.zeroPointWidth, /*inBounds=*/true),
                  rhs.zeroPointWidth == 0);
              value = arith::SubFOp::create(
                  body, value,
                  vector::BroadcastOp::create(
                      body, cast<VectorType>(value.getType()),
                      vector::ExtractOp::create(body, zeroPoint, int64_t(0))));
            }
            rows.push_back(value);
            scaleCodes.push_back(tensor::ExtractOp::create(
                body, rhs.scales, ValueRange{n, block}));
          }
          Value scale = scaleDecoder.decode(
              body,
              widenCodes(body,
                         vector::FromElementsOp::create(
                             body,
                             VectorType::get({kLanes}, scaleCodes[0].getType()),
                             scaleCodes)),
              /*highBitsClear=*/true);
          if (factor)
            scale = arith::MulFOp::create(
                body, scale,
                vector::BroadcastOp::create(body, f32Vector(kLanes), factor));
          Value scales;
          if (!scaled)
            scales = vector::TransferWriteOp::create(body, scale, iter[1],
                                                     ValueRange{i0},
                                                     ArrayRef<bool>{true})
                         .getResult();
          Value decoded = iter[0];
          // Outputs i0.. lie in the panel's slab i0 / 64 (the register
          // tiles' columns), at its column i0 mod 64.
          int64_t slabColumns = kGemmTileVectors * kLanes;
          Value slabBase = arith::MulIOp::create(
              body, arith::DivUIOp::create(body, i0, index(body, slabColumns)),
              index(body, slabRows));
          if (scaled)
            slabBase = arith::AddIOp::create(body, slabBase, rowOffset);
          Value slabColumn =
              arith::RemUIOp::create(body, i0, index(body, slabColumns));
          for (int64_t k0 = 0; k0 < passRows; k0 += kLanes) {
            SmallVector<Value> square;
            for (Value row : rows)
              square.push_back(vector::ExtractStridedSliceOp::create(
                  body, row, ArrayRef<int64_t>{k0}, ArrayRef<int64_t>{kLanes},
                  ArrayRef<int64_t>{1}));
            SmallVector<Value> columns = transposeSquare(body, square);
            // Lane i of a column is output i0 + i, whose scale is lane i of
            // `scale`.
            if (scaled)
              for (Value &column : columns)
                column = arith::MulFOp::create(body, column, scale);
            for (int64_t k = 0; k < kLanes; ++k)
              decoded = vector::TransferWriteOp::create(
                            body, columns[k], decoded,
                            ValueRange{arith::AddIOp::create(
                                           body, slabBase, index(body, k0 + k)),
                                       slabColumn},
                            ArrayRef<bool>{true})
                            .getResult();
          }
          if (scaled)
            scf::YieldOp::create(body, ValueRange{decoded});
          else
            scf::YieldOp::create(body, ValueRange{decoded, scales});
        });
    return {groupLoop.getResult(0), scaled ? scaleRow : groupLoop.getResult(1)};
  }

  /// The rows of N x N lanes (N vectors of N lanes, N a power of two)
  /// transposed: log2 N rounds of two-input shuffles, round h swapping the
  /// h x h blocks off the diagonal of each 2h x 2h block.
  static SmallVector<Value> transposeSquare(ImplicitLocOpBuilder &at,
                                            ArrayRef<Value> rows) {
    SmallVector<Value> result(rows);
    int64_t n = result.size();
    for (int64_t h = n / 2; h >= 1; h /= 2) {
      SmallVector<int64_t> upper, lower;
      for (int64_t l = 0; l < n; ++l) {
        // Lanes of row i (indices < n) and of row i + h (indices >= n).
        upper.push_back(l & h ? n + l - h : l);
        lower.push_back(l & h ? n + l : l + h);
      }
      for (int64_t i = 0; i < n; ++i) {
        if (i & h)
          continue;
        Value a = result[i], c = result[i + h];
        result[i] = vector::ShuffleOp::create(at, a, c, upper);
        result[i + h] = vector::ShuffleOp::create(at, a, c, lower);
      }
    }
    return result;
  }

  /// The row-dot loop nest at the top of this class.
  Value emitRowDots() {
    Value phased = emitPhasedActivations();
    Value init = emptyRows(b, outputs);
    // Chunks of weight rows, which are the result's columns.
    int64_t chunkCount = largestDivisorAtMost(outputs, kParallelChunks);
    int64_t chunkRows = outputs / chunkCount;
    return emitParallelChunks(
        init, chunkCount, chunkRows, [&](Value begin, Value slice) -> Value {
          return scf::ForOp::create(
                     b, index(b, 0), index(b, chunkRows), index(b, 1),
                     ValueRange{slice},
                     [&](OpBuilder &nested, Location loc, Value local,
                         ValueRange iter) {
                       ImplicitLocOpBuilder body(loc, nested);
                       Value n = arith::AddIOp::create(body, begin, local);
                       scf::YieldOp::create(
                           body, emitRow(body, phased, n, local, iter[0]));
                     })
              .getResult(0);
        });
  }

  /// x with the columns of each chunk in phase order: phased[m][C c + 16 p +
  /// l] = x[m][C c + P l + p], so that phase p's activations are one
  /// contiguous vector.
  Value emitPhasedActivations() {
    if (phases == 1)
      return lhs;
    Value init = emptyRows(b, depth);
    auto rowLoop = scf::ForOp::create(
        b, index(b, 0), rowCount(b), index(b, 1), ValueRange{init},
        [&](OpBuilder &nested, Location loc, Value m, ValueRange iter) {
          ImplicitLocOpBuilder body(loc, nested);
          auto chunkLoop = scf::ForOp::create(
              body, index(body, 0), index(body, depth), index(body, chunkCodes),
              ValueRange{iter[0]},
              [&](OpBuilder &inner, Location innerLoc, Value k,
                  ValueRange chunkIter) {
                ImplicitLocOpBuilder step(innerLoc, inner);
                Value x = read(step, lhs, m, k, chunkCodes);
                SmallVector<Value> byPhase = deinterleave(step, x, phases);
                Value out = chunkIter[0];
                for (int64_t p = 0; p < phases; ++p)
                  out =
                      vector::TransferWriteOp::create(
                          step, byPhase[p], out,
                          ValueRange{m, arith::AddIOp::create(
                                            step, k, index(step, p * kLanes))},
                          ArrayRef<bool>{true})
                          .getResult();
                scf::YieldOp::create(step, out);
              });
          scf::YieldOp::create(body, chunkLoop.getResult(0));
        });
    return rowLoop.getResult(0);
  }

  /// Per-lane vectors of a part with one value per block (scales, zero
  /// points) for chunk c of row n: lane l gets block (C c + P l) / B.
  Value readPerLane(ImplicitLocOpBuilder &at, Value part, unsigned packedWidth,
                    VectorDecoder &decoder, Value n, Value k) {
    return perLane(at, part, packedWidth, n, k, [&](Value codes) {
      return decoder.decode(at, codes, packedWidth == 0);
    });
  }

  /// Per-group format choice: lane l of chunk c of row n holds its block's
  /// selector shifted above the code bits, s << w, ready to OR into codes.
  Value readSelectorLanes(ImplicitLocOpBuilder &at, Value n, Value k) {
    int32_t selectorMask = (1 << scaling.getSelectorBits()) - 1;
    return perLane(
        at, rhs.selectors, rhs.selectorWidth, n, k, [&](Value selectors) {
          int64_t lanes = cast<VectorType>(selectors.getType()).getDimSize(0);
          return arith::ShLIOp::create(
              at,
              arith::AndIOp::create(at, selectors,
                                    i32Splat(at, selectorMask, lanes)),
              i32Splat(at, int32_t(elementBits()), lanes));
        });
  }

  /// The blocks of chunk c of row n read from `part` (one code per block),
  /// made into values by `convert`, and spread so that lane l holds block
  /// (C c + P l) / B's.
  Value perLane(ImplicitLocOpBuilder &at, Value part, unsigned packedWidth,
                Value n, Value k, function_ref<Value(Value)> convert) {
    // Lanes per block, and blocks per chunk (at least one).
    int64_t lanesPerBlock = std::min<int64_t>(kLanes, blockSize / phases);
    int64_t blocksPerChunk = kLanes / lanesPerBlock;
    Value block = arith::DivUIOp::create(at, k, index(at, blockSize));
    Value codes;
    int64_t perByte = packedWidth ? 8 / packedWidth : 1;
    if (blocksPerChunk > 1 && blocksPerChunk < perByte) {
      // The chunk's blocks start at a multiple of their count, so their
      // codes share one byte (1-bit selectors, four blocks a chunk): one
      // read, lane j shifted right by j codes.
      Value first =
          readCodeLanes(at, part, ValueRange{n}, block, 1, packedWidth, true);
      auto lanesType = VectorType::get({blocksPerChunk}, at.getI32Type());
      SmallVector<int32_t> shifts;
      for (int64_t j = 0; j < blocksPerChunk; ++j)
        shifts.push_back(int32_t(j * packedWidth));
      codes = arith::ShRUIOp::create(
          at,
          vector::BroadcastOp::create(
              at, lanesType, vector::ExtractOp::create(at, first, int64_t(0))),
          arith::ConstantOp::create(
              at,
              DenseElementsAttr::get(lanesType, ArrayRef<int32_t>(shifts))));
    } else {
      codes = readCodeLanes(at, part, ValueRange{n}, block, blocksPerChunk,
                            packedWidth, true);
    }
    Value values = convert(codes);
    if (blocksPerChunk == kLanes)
      return values;
    SmallVector<int64_t> mask;
    for (int64_t l = 0; l < kLanes; ++l)
      mask.push_back(l / lanesPerBlock);
    return vector::ShuffleOp::create(at, values, values, mask);
  }

  /// The code width of the weight's elements.
  unsigned elementBits() const { return scaling.element.getBitWidth(); }

  /// Row n of the weight against every row of x; returns `out` with column
  /// `local` written.
  Value emitRow(ImplicitLocOpBuilder &at, Value phased, Value n, Value local,
                Value out) {
    // The tensor scale and the element unit are hoisted out of the sums:
    // applied to each row's total.
    Value factor = scaleFactor(at);
    auto rowLoop = scf::ForOp::create(
        at, index(at, 0), rowCount(at), index(at, 1), ValueRange{out},
        [&](OpBuilder &nested, Location loc, Value m, ValueRange iter) {
          ImplicitLocOpBuilder body(loc, nested);
          auto chunkLoop = scf::ForOp::create(
              body, index(body, 0), index(body, depth / chunkCodes),
              index(body, 1), ValueRange{splat(body, 0)},
              [&](OpBuilder &inner, Location innerLoc, Value c,
                  ValueRange acc) {
                ImplicitLocOpBuilder step(innerLoc, inner);
                Value k =
                    arith::MulIOp::create(step, c, index(step, chunkCodes));
                Value byte =
                    arith::MulIOp::create(step, c, index(step, chunkBytes()));
                Value codes = readCodes(step, n, byte, /*inBounds=*/true);
                Value selectors;
                if (scaling.hasChoices())
                  selectors = readSelectorLanes(step, n, k);
                Value zeroPoint;
                if (zeroPointDecoder)
                  zeroPoint =
                      readPerLane(step, rhs.zeroPoints, rhs.zeroPointWidth,
                                  *zeroPointDecoder, n, k);
                // Two chains of products, so that the sum is not one long
                // dependency.
                Value sums[2] = {splat(step, 0), splat(step, 0)};
                for (int64_t p = 0; p < phases; ++p) {
                  Value value = decodePhase(step, codes, p, selectors);
                  if (zeroPoint)
                    value = arith::SubFOp::create(step, value, zeroPoint);
                  Value x = read(
                      step, phased, m,
                      arith::AddIOp::create(step, k, index(step, p * kLanes)),
                      kLanes);
                  sums[p % 2] =
                      vector::FMAOp::create(step, x, value, sums[p % 2]);
                }
                Value sum = arith::AddFOp::create(step, sums[0], sums[1]);
                Value scale = readPerLane(step, rhs.scales, /*packedWidth=*/0,
                                          scaleDecoder, n, k);
                scf::YieldOp::create(step, ValueRange{vector::FMAOp::create(
                                               step, sum, scale, acc[0])});
              });
          Value total = vector::ReductionOp::create(
              body, vector::CombiningKind::ADD, chunkLoop.getResult(0));
          if (factor)
            total = arith::MulFOp::create(body, total, factor);
          scf::YieldOp::create(
              body, ValueRange{tensor::InsertOp::create(body, total, iter[0],
                                                        ValueRange{m, local})
                                   .getResult()});
        });
    return rowLoop.getResult(0);
  }

  int64_t outputs, blockSize, chunkCodes;
};

} // namespace

VectorTarget VectorTarget::host() {
  VectorTarget target;
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  target.avx512 = features.lookup("avx512f");
  target.avx512bf16 = target.avx512 && features.lookup("avx512bf16");
  target.avx512vnni = target.avx512 && features.lookup("avx512vnni");
  return target;
}

std::optional<VectorTarget> VectorTarget::byName(llvm::StringRef name) {
  if (name == "host")
    return host();
  VectorTarget target;
  if (name == "avx512" || name == "avx512-bf16" || name == "avx512-vnni") {
    target.avx512 = true;
    target.avx512bf16 = name == "avx512-bf16";
    target.avx512vnni = name != "avx512";
    return target;
  }
  if (name == "avx2" || name == "generic")
    return target;
  return std::nullopt;
}

bool lowp::isBlockScaledMatmulCovered(MatmulOp op, unsigned packedWidth) {
  return isBlockScaledMatmulCovered(
      cast<RankedTensorType>(op.getLhs().getType()),
      cast<RankedTensorType>(op.getRhs().getType()), op.getAccumulator(),
      op.getTransposeRhs(), packedWidth);
}

bool lowp::isBlockScaledMatmulCovered(RankedTensorType lhsType,
                                      RankedTensorType rhsType,
                                      Type accumulator, bool transposed,
                                      unsigned packedWidth) {
  auto encoding =
      dyn_cast_or_null<BlockScaledEncodingAttr>(rhsType.getEncoding());
  if (!encoding || lhsType.getRank() != 2 || rhsType.getRank() != 2 ||
      !accumulator.isF32() || lhsType.isDynamicDim(1) ||
      !rhsType.hasStaticShape())
    return false;
  // Per-group format choice: code and selector decoded together in one
  // table of at most 64 entries (choiceTable), f32 activations.
  if (encoding.hasChoices() &&
      (!lhsType.getElementType().isF32() || lhsType.getEncoding() ||
       getNumericFormat(rhsType.getElementType())->getBitWidth() +
               getNumericFormat(encoding.getSelectorType())->getBitWidth() >
           6))
    return false;
  // Blocks along K: [B, 1] for a K x N weight, [1, B] for N x K.
  SmallVector<int64_t> block = encoding.getFullBlock(2);
  if (block[transposed ? 0 : 1] != 1)
    return false;
  BlockScaling scaling = encoding.getScaling(rhsType.getElementType());
  // Packed codes are read a byte at a time: widths that divide 8.
  if (packedWidth && 8 % packedWidth)
    return false;
  if (!packedWidth && scaling.element.getBitWidth() > 8)
    return false;
  if (!chooseDecode(scaling.element) || !chooseDecode(scaling.scale))
    return false;
  if (scaling.zeroPoint && !chooseDecode(*scaling.zeroPoint))
    return false;
  if (scaling.tensorScale && !chooseDecode(*scaling.tensorScale))
    return false;
  if (transposed) {
    // A row is read in chunks of 16 lanes of P codes, each lane within one
    // block: K a multiple of the chunk, blocks a multiple of P.
    unsigned width = packedWidth ? packedWidth : 8;
    int64_t phases = (width >= 4 ? 32 : 8) / width;
    int64_t chunkCodes = kLanes * phases;
    if (lhsType.getDimSize(1) % chunkCodes || block[1] % phases)
      return false;
  }
  return true;
}

bool lowp::isActivationCovered(RankedTensorType lhsType,
                               RankedTensorType rhsType, bool transposed,
                               unsigned lhsPackedWidth) {
  if (lhsType.getElementType().isF32() && !lhsType.getEncoding())
    return true;
  // The N x K kernel reads x in phase order, as f32.
  if (transposed)
    return false;
  if (auto encoding =
          dyn_cast_or_null<BlockScaledEncodingAttr>(lhsType.getEncoding());
      encoding && encoding.hasChoices())
    return false;
  std::optional<Format> format = activationFormat(lhsType);
  if (!format || !chooseDecode(*format) || !decodesExactly(*format) ||
      format->getBitWidth() > 16)
    return false;
  auto encoding =
      dyn_cast_or_null<BlockScaledEncodingAttr>(lhsType.getEncoding());
  if (!encoding)
    return lhsPackedWidth == 0;
  // Blocks along K that whole passes of the weight's K-blocks lie in, so
  // that one scale per row multiplies each pass's sums; scales alone.
  SmallVector<int64_t> block = encoding.getFullBlock(2);
  BlockScaling scaling = encoding.getScaling(lhsType.getElementType());
  if (block[0] != 1 || block[1] % passRowsOf(rhsType) || scaling.zeroPoint ||
      !chooseDecode(scaling.scale) ||
      (scaling.tensorScale && !chooseDecode(*scaling.tensorScale)))
    return false;
  if (lhsPackedWidth)
    return 8 % lhsPackedWidth == 0;
  return format->getBitWidth() <= 8;
}

Value lowp::emitBlockScaledMatmul(OpBuilder &builder, Location loc,
                                  const BlockScaledParts &lhs,
                                  const BlockScaledParts &rhs, bool transposed,
                                  const VectorTarget &target) {
  ImplicitLocOpBuilder b(loc, builder);
  if (transposed)
    return RowDotEmitter(b, lhs, rhs).emit();
  return KernelEmitter(b, lhs, rhs, target).emit();
}
