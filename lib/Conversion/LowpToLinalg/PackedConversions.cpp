//===- PackedConversions.cpp - lowp.convert into and out of packed rows ---===//
//
// The loop runs over groups of G = 8 / gcd(w, 8) codes, which fill
// B = G * w / 8 whole bytes; code t of a group occupies bits
// [t*w, (t+1)*w) of the group's B bytes read as one little-endian number
// (docs/Lowering.md, "Storage"). With rows a whole number of groups long,
// packed rows have no padding, so the tensors are walked flat: one scf.for
// over all groups, whose body converts G elements and reads or writes B
// bytes at constant offsets. LLVM vectorizes it across groups, the G
// strided elements and B strided bytes becoming interleaved vector loads
// and stores.
//
// The loop's tensor is materialized in the destination it started from, so
// that bufferization sees the result as that allocation (which
// buffer-results-to-out-params then turns into the caller's buffer), not
// as a loop result it would copy.
//
//===----------------------------------------------------------------------===//

#include "PackedConversions.h"

#include "ElementCodegen.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/TypeUtilities.h"

#include <numeric>

using namespace mlir;
using namespace lowp;
using namespace lowp::numerics;

ElementConversion::ElementConversion(ConvertOp op)
    : from(*getValueFormat(getElementTypeOrSelf(op.getInput()))),
      to(*getValueFormat(getElementTypeOrSelf(op.getType()))),
      storage(getStorageType(getElementTypeOrSelf(op.getType()))) {
  options.mode = toNumerics(op.getRounding());
  options.saturate = op.getSaturate();
  if (op.getRandom())
    options.randomBitCount =
        getElementTypeOrSelf(op.getRandom()).getIntOrFloatBitWidth();
}

Value ElementConversion::emit(OpBuilder &builder, Location loc, Value input,
                              Value random, Value table) const {
  ImplicitLocOpBuilder b(loc, builder);
  ElementCodegen g(b);
  return g.convert(from, to, input, storage, options, random, table);
}

namespace {

/// How the codes of one format pack into whole bytes.
struct Groups {
  explicit Groups(unsigned width)
      : width(width), codes(8 / std::gcd(width, 8u)), bytes(codes * width / 8) {
  }
  unsigned width;
  /// G codes of a group fill B bytes.
  int64_t codes, bytes;
};

/// The number of elements of a static shape whose rows are whole groups,
/// or nullopt.
std::optional<int64_t> elementCount(RankedTensorType type,
                                    const Groups &groups) {
  if (!type.hasStaticShape() || type.getRank() == 0 ||
      type.getShape().back() % groups.codes != 0)
    return std::nullopt;
  return type.getNumElements();
}

SmallVector<ReassociationIndices> allDimensions(int64_t rank) {
  SmallVector<ReassociationIndices> all(1);
  for (int64_t d = 0; d < rank; ++d)
    all[0].push_back(d);
  return all;
}

/// `value` as a 1-D tensor (a no-op reshape of the row-major layout).
Value flatten(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() == 1)
    return value;
  return tensor::CollapseShapeOp::create(b, loc, value,
                                         allDimensions(type.getRank()));
}

Value index(ImplicitLocOpBuilder &b, int64_t value) {
  return arith::ConstantIndexOp::create(b, value);
}

Value i32(ImplicitLocOpBuilder &b, int64_t value) {
  return arith::ConstantIntOp::create(b, b.getI32Type(), value);
}

/// Below this many elements a conversion is not worth waking threads for.
constexpr int64_t kParallelElements = int64_t(1) << 16;
/// Chunks of groups run in parallel: a few per core.
constexpr int64_t kParallelChunks = 8;

/// A tensor of `type` built by `body(group, flatTensor, origin) ->
/// flatTensor` for each of `count` groups, starting from a new allocation;
/// `flatTensor` holds the flat result from element `origin` on (a chunk's
/// slice when the groups are split among threads).
Value buildByGroups(
    OpBuilder &builder, Location loc, RankedTensorType type, int64_t count,
    function_ref<Value(ImplicitLocOpBuilder &, Value, Value, Value)> body) {
  ImplicitLocOpBuilder b(loc, builder);
  // An allocation rather than tensor.empty: CSE merges equal empties, and
  // two conversions materialized in one buffer cannot bufferize. The
  // result is materialized in it so that a returned conversion writes the
  // caller's buffer, not a temporary that is then copied.
  Value init = bufferization::AllocTensorOp::create(b, type, ValueRange{});
  Value flatInit = flatten(b, loc, init);
  int64_t perGroup = type.getNumElements() / count;
  // Groups first .. first + groups into `out`, which starts at group
  // `first`.
  auto groupLoop = [&](ImplicitLocOpBuilder &at, Value out, Value first,
                       Value groups) -> Value {
    Value origin = arith::MulIOp::create(at, first, index(at, perGroup));
    return scf::ForOp::create(
               at, index(at, 0), groups, index(at, 1), ValueRange{out},
               [&](OpBuilder &nested, Location nestedLoc, Value g,
                   ValueRange iterArgs) {
                 ImplicitLocOpBuilder inner(nestedLoc, nested);
                 Value group = arith::AddIOp::create(inner, first, g);
                 scf::YieldOp::create(inner,
                                      body(inner, group, iterArgs[0], origin));
               })
        .getResult(0);
  };
  Value result;
  if (type.getNumElements() < kParallelElements || count < kParallelChunks) {
    result = groupLoop(b, flatInit, index(b, 0), index(b, count));
  } else {
    // Equal chunks of groups in parallel (scf.forall, an OpenMP loop once
    // lowered); the last may be shorter.
    int64_t chunkGroups = llvm::divideCeil(count, kParallelChunks);
    int64_t chunks = llvm::divideCeil(count, chunkGroups);
    auto forall =
        scf::ForallOp::create(b, ArrayRef<OpFoldResult>{b.getIndexAttr(chunks)},
                              ValueRange{flatInit}, std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forall.getBody());
    Value first = arith::MulIOp::create(b, forall.getInductionVars()[0],
                                        index(b, chunkGroups));
    Value groups = arith::MinSIOp::create(
        b, index(b, chunkGroups),
        arith::SubIOp::create(b, index(b, count), first));
    SmallVector<OpFoldResult> offsets{OpFoldResult(
        arith::MulIOp::create(b, first, index(b, perGroup)).getResult())};
    SmallVector<OpFoldResult> sizes{OpFoldResult(
        arith::MulIOp::create(b, groups, index(b, perGroup)).getResult())};
    SmallVector<OpFoldResult> strides{b.getIndexAttr(1)};
    Value shared = forall.getRegionIterArgs()[0];
    Value slice =
        tensor::ExtractSliceOp::create(b, shared, offsets, sizes, strides);
    Value chunk = groupLoop(b, slice, first, groups);
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(b, chunk, shared, offsets, sizes,
                                          strides);
    b.setInsertionPointAfter(forall);
    result = forall.getResult(0);
  }
  if (type.getRank() > 1)
    result = tensor::ExpandShapeOp::create(b, type, result,
                                           allDimensions(type.getRank()));
  return bufferization::MaterializeInDestinationOp::create(b, result, init)
      ->getResult(0);
}

} // namespace

Value lowp::emitPackedConvert(OpBuilder &builder, Location loc,
                              ConvertOp convert, Value source, Value random,
                              Value table, RankedTensorType packedType) {
  auto codesType = cast<RankedTensorType>(convert.getType());
  unsigned width = getNumericFormat(codesType.getElementType())->getBitWidth();
  Groups groups(width);
  std::optional<int64_t> count = elementCount(codesType, groups);
  if (!count || !packedType.hasStaticShape())
    return {};
  ElementConversion conversion(convert);
  Value flatSource = flatten(builder, loc, source);
  Value flatRandom = random ? flatten(builder, loc, random) : Value();
  const int64_t mask = (int64_t(1) << width) - 1;

  return buildByGroups(
      builder, loc, packedType, *count / groups.codes,
      [&](ImplicitLocOpBuilder &b, Value group, Value bytes, Value origin) {
        Value first = arith::MulIOp::create(b, group, index(b, groups.codes));
        SmallVector<Value> codes;
        for (int64_t t = 0; t < groups.codes; ++t) {
          Value at = arith::AddIOp::create(b, first, index(b, t));
          Value input = tensor::ExtractOp::create(b, flatSource, at);
          Value bits = flatRandom ? tensor::ExtractOp::create(b, flatRandom, at)
                                  : Value();
          Value stored = conversion.emit(b, b.getLoc(), input, bits, table);
          // Signed integers are stored sign-extended: keep the low w bits.
          Value code = arith::ExtUIOp::create(b, b.getI32Type(), stored);
          codes.push_back(arith::AndIOp::create(b, code, i32(b, mask)));
        }
        Value firstByte =
            arith::MulIOp::create(b, group, index(b, groups.bytes));
        for (int64_t k = 0; k < groups.bytes; ++k) {
          Value byte = i32(b, 0);
          for (int64_t t = 0; t < groups.codes; ++t) {
            // Code t's bit 0 sits at bit `offset` of byte k.
            int64_t offset = int64_t(width) * t - 8 * k;
            if (offset >= 8 || offset + int64_t(width) <= 0)
              continue;
            Value part =
                offset >= 0
                    ? arith::ShLIOp::create(b, codes[t], i32(b, offset))
                          .getResult()
                    : arith::ShRUIOp::create(b, codes[t], i32(b, -offset))
                          .getResult();
            byte = arith::OrIOp::create(b, byte, part);
          }
          Value at = arith::SubIOp::create(
              b, arith::AddIOp::create(b, firstByte, index(b, k)), origin);
          Value truncated = arith::TruncIOp::create(b, b.getI8Type(), byte);
          bytes = tensor::InsertOp::create(b, truncated, bytes, at);
        }
        return bytes;
      });
}

Value lowp::emitConvertOfPacked(OpBuilder &builder, Location loc,
                                ConvertOp convert, UnpackOp unpack,
                                Value packed, Value random, Value table) {
  auto codesType = cast<RankedTensorType>(unpack.getType());
  Type element = codesType.getElementType();
  unsigned width = getNumericFormat(element)->getBitWidth();
  Groups groups(width);
  std::optional<int64_t> count = elementCount(codesType, groups);
  if (!count || !cast<RankedTensorType>(packed.getType()).hasStaticShape())
    return {};
  bool signExtend =
      isa<IntegerType>(element) && !cast<IntegerType>(element).isUnsigned();
  Type codeStorage = getStorageType(element);
  ElementConversion conversion(convert);
  auto resultType =
      RankedTensorType::get(codesType.getShape(), conversion.storage);
  Value flatPacked = flatten(builder, loc, packed);
  Value flatRandom = random ? flatten(builder, loc, random) : Value();
  const int64_t mask = (int64_t(1) << width) - 1;

  return buildByGroups(
      builder, loc, resultType, *count / groups.codes,
      [&](ImplicitLocOpBuilder &b, Value group, Value results, Value origin) {
        Value firstByte =
            arith::MulIOp::create(b, group, index(b, groups.bytes));
        SmallVector<Value> bytes;
        for (int64_t k = 0; k < groups.bytes; ++k) {
          Value at = arith::AddIOp::create(b, firstByte, index(b, k));
          bytes.push_back(arith::ExtUIOp::create(
              b, b.getI32Type(), tensor::ExtractOp::create(b, flatPacked, at)));
        }
        Value first = arith::MulIOp::create(b, group, index(b, groups.codes));
        for (int64_t t = 0; t < groups.codes; ++t) {
          int64_t bit = int64_t(width) * t;
          int64_t k = bit / 8, shift = bit % 8;
          Value code = bytes[k];
          if (shift > 0)
            code = arith::ShRUIOp::create(b, code, i32(b, shift));
          if (shift + int64_t(width) > 8)
            code = arith::OrIOp::create(
                b, code,
                arith::ShLIOp::create(b, bytes[k + 1], i32(b, 8 - shift)));
          code = arith::AndIOp::create(b, code, i32(b, mask));
          if (signExtend)
            code = arith::ShRSIOp::create(
                b, arith::ShLIOp::create(b, code, i32(b, 32 - width)),
                i32(b, 32 - width));
          Value stored = arith::TruncIOp::create(b, codeStorage, code);
          Value at = arith::AddIOp::create(b, first, index(b, t));
          Value bits = flatRandom ? tensor::ExtractOp::create(b, flatRandom, at)
                                  : Value();
          Value result = conversion.emit(b, b.getLoc(), stored, bits, table);
          Value local = arith::SubIOp::create(b, at, origin);
          results = tensor::InsertOp::create(b, result, results, local);
        }
        return results;
      });
}
