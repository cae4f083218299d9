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
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/bit.h"
#include "llvm/TargetParser/Host.h"

#include <cmath>
#include <cstring>

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

/// What both kernels share: the weight's formats and decoders, reading a
/// row's codes as 16 lanes of P codes and decoding each phase, and the
/// parallel split of the result's columns.
class WeightKernelEmitter {
protected:
  WeightKernelEmitter(ImplicitLocOpBuilder &b, Value lhs,
                      const BlockScaledParts &rhs)
      : b(b), lhs(lhs), rhs(rhs),
        encoding(cast<BlockScaledEncodingAttr>(rhs.type.getEncoding())),
        scaling(encoding.getScaling(rhs.type.getElementType())),
        elementDecoder(scaling.element), scaleDecoder(scaling.scale) {
    if (scaling.zeroPoint)
      zeroPointDecoder.emplace(*scaling.zeroPoint);
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    // The rows of x may be dynamic (batch and sequence length change at run
    // time); K and the weight are static.
    rows = tensor::getMixedSize(b, b.getLoc(), lhs, 0);
    depth = lhsType.getDimSize(1);
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

  /// Phase p of a chunk's codes (codes l * P + p), decoded.
  Value decodePhase(ImplicitLocOpBuilder &at, Value codes, int64_t p) {
    Value phase = codes;
    if (p > 0)
      phase =
          arith::ShRUIOp::create(at, codes, i32Splat(at, int32_t(p * width)));
    // The top phase of a word has no bits above it; every other phase
    // carries the following codes' bits.
    return elementDecoder.decode(at, phase, p == phases - 1);
  }

  /// What multiplies every scale: the tensor scale times the element unit,
  /// as an f32; null when both are 1.
  Value scaleFactor(ImplicitLocOpBuilder &at) {
    double unit = scaling.getElementUnit();
    Value factor;
    if (rhs.tensorScale) {
      Value stored =
          tensor::ExtractOp::create(at, rhs.tensorScale, ValueRange{});
      Value codes = widenCodes(
          at, vector::BroadcastOp::create(
                  at, VectorType::get({1}, stored.getType()), stored));
      VectorDecoder decoder(*scaling.tensorScale);
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

  ImplicitLocOpBuilder &b;
  Value lhs;
  const BlockScaledParts &rhs;
  BlockScaledEncodingAttr encoding;
  BlockScaling scaling;
  VectorDecoder elementDecoder, scaleDecoder;
  std::optional<VectorDecoder> zeroPointDecoder;
  OpFoldResult rows;
  int64_t depth;
  unsigned width, containerBits;
  int64_t phases;
};

/// lowp.matmul with a K x N weight blocked along K: the loop nest at the
/// top of this file.
class KernelEmitter : public WeightKernelEmitter {
public:
  KernelEmitter(ImplicitLocOpBuilder &b, Value lhs, const BlockScaledParts &rhs)
      : WeightKernelEmitter(b, lhs, rhs) {
    columns = rhs.type.getDimSize(1);
    blockRows = encoding.getFullBlock(2)[0];
    // Long blocks are summed in passes of at most 32 rows, each scaled on
    // its own: a pass reads one stream per row, and more than 32 streams
    // defeat the prefetchers.
    passRows = largestDivisorAtMost(blockRows, 32);
    chunks = kTileColumns / (kLanes * phases);
  }

  Value emit() {
    // The codes as a buffer too, for software prefetch: the weight is read
    // as one stream per row of a K-block, more streams than the hardware
    // prefetchers follow.
    auto codesType = cast<RankedTensorType>(rhs.elements.getType());
    int64_t dynamic = ShapedType::kDynamic;
    codeBuffer = bufferization::ToBufferOp::create(
        b,
        MemRefType::get(codesType.getShape(), codesType.getElementType(),
                        StridedLayoutAttr::get(b.getContext(), dynamic,
                                               {dynamic, dynamic})),
        rhs.elements, /*read_only=*/true);
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
                                 return emitColumns(slice, begin, chunkColumns);
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

  /// One pass over rows of a K-block for the tile of weight columns
  /// starting at n0, for every row of x: `out` (whose column `local` is
  /// weight column n0) plus each row's scaled sums.
  Value emitTile(ImplicitLocOpBuilder &at, Value pass, Value n0, Value local,
                 Value out, bool inBounds) {
    Value kb =
        passRows == blockRows
            ? pass
            : arith::DivUIOp::create(at, pass, index(at, blockRows / passRows));
    SmallVector<Value> zeroPoints;
    if (zeroPointDecoder)
      zeroPoints = readPerBlock(at, rhs.zeroPoints, rhs.zeroPointWidth,
                                *zeroPointDecoder, kb, n0, inBounds,
                                /*phaseOrder=*/true);
    SmallVector<Value> scales =
        readPerBlock(at, rhs.scales, /*packedWidth=*/0, scaleDecoder, kb, n0,
                     inBounds, /*phaseOrder=*/false);
    // The tensor scale is hoisted out of the sums: applied to each block's
    // scales.
    if (Value factor = scaleFactor(at)) {
      Value factors =
          vector::BroadcastOp::create(at, f32Vector(kLanes), factor);
      for (Value &scale : scales)
        scale = arith::MulFOp::create(at, scale, factors);
    }
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
          for (int64_t v = 0; v < kTileColumns / kLanes; ++v) {
            Value column =
                arith::AddIOp::create(body, local, index(body, v * kLanes));
            Value previous = read(body, updated, m, column, kLanes, inBounds);
            Value sum =
                vector::FMAOp::create(body, sums[v], scales[v], previous);
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
    int64_t tileBytes = kTileColumns * width / 8;
    int64_t distance =
        std::max<int64_t>(1, (16 << 10) / (passRows * tileBytes)) * tileBytes;
    int64_t rowBytes =
        cast<RankedTensorType>(rhs.elements.getType()).getDimSize(1);
    for (int64_t line = 0; line < tileBytes; line += 64) {
      Value ahead = arith::MinUIOp::create(
          at, arith::AddIOp::create(at, byteBase, index(at, distance + line)),
          index(at, rowBytes - 1));
      memref::PrefetchOp::create(at, codeBuffer, ValueRange{k, ahead},
                                 at.getBoolAttr(false), at.getI32IntegerAttr(3),
                                 at.getBoolAttr(true));
    }
    for (int64_t c = 0; c < chunks; ++c) {
      Value byte =
          arith::AddIOp::create(at, byteBase, index(at, c * chunkBytes()));
      Value codes = readCodes(at, k, byte, inBounds);
      for (int64_t p = 0; p < phases; ++p) {
        Value value = decodePhase(at, codes, p);
        int64_t i = c * phases + p;
        if (!zeroPoints.empty())
          value = arith::SubFOp::create(at, value, zeroPoints[i]);
        next.push_back(vector::FMAOp::create(at, broadcast, value, sums[i]));
      }
    }
    return next;
  }

  int64_t columns, blockRows, passRows, chunks;
  Value codeBuffer;
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
  RowDotEmitter(ImplicitLocOpBuilder &b, Value lhs, const BlockScaledParts &rhs)
      : WeightKernelEmitter(b, lhs, rhs) {
    outputs = rhs.type.getDimSize(0);
    blockSize = encoding.getFullBlock(2)[1];
    chunkCodes = kLanes * phases;
  }

  Value emit() {
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

private:
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
    // Lanes per block, and blocks per chunk (at least one).
    int64_t lanesPerBlock = std::min<int64_t>(kLanes, blockSize / phases);
    int64_t blocksPerChunk = kLanes / lanesPerBlock;
    Value block = arith::DivUIOp::create(at, k, index(at, blockSize));
    Value codes = readCodeLanes(at, part, ValueRange{n}, block, blocksPerChunk,
                                packedWidth, true);
    Value decoded = decoder.decode(at, codes, packedWidth == 0);
    if (blocksPerChunk == kLanes)
      return decoded;
    SmallVector<int64_t> mask;
    for (int64_t l = 0; l < kLanes; ++l)
      mask.push_back(l / lanesPerBlock);
    return vector::ShuffleOp::create(at, decoded, decoded, mask);
  }

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
                Value zeroPoint;
                if (zeroPointDecoder)
                  zeroPoint =
                      readPerLane(step, rhs.zeroPoints, rhs.zeroPointWidth,
                                  *zeroPointDecoder, n, k);
                // Two chains of products, so that the sum is not one long
                // dependency.
                Value sums[2] = {splat(step, 0), splat(step, 0)};
                for (int64_t p = 0; p < phases; ++p) {
                  Value value = decodePhase(step, codes, p);
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
  return target;
}

std::optional<VectorTarget> VectorTarget::byName(llvm::StringRef name) {
  if (name == "host")
    return host();
  VectorTarget target;
  if (name == "avx512") {
    target.avx512 = true;
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
  if (!encoding || lhsType.getEncoding() || lhsType.getRank() != 2 ||
      rhsType.getRank() != 2 || !accumulator.isF32() ||
      lhsType.isDynamicDim(1) || !rhsType.hasStaticShape())
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

Value lowp::emitBlockScaledMatmul(OpBuilder &builder, Location loc, Value lhs,
                                  const BlockScaledParts &rhs,
                                  bool transposed) {
  ImplicitLocOpBuilder b(loc, builder);
  if (transposed)
    return RowDotEmitter(b, lhs, rhs).emit();
  return KernelEmitter(b, lhs, rhs).emit();
}
