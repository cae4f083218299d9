//===- LowpToLinalg.cpp - lowp ops to linalg on storage types -------------===//
//
// Every lowp op becomes linalg on tensors of storage types; block-scaled
// tensors become their parts through a 1:N type conversion. The element
// computations come from ElementCodegen and follow lib/Numerics exactly:
// quantization here is lib/Numerics/BlockScale.cpp written as linalg.
//
//===----------------------------------------------------------------------===//

#include "BlockKernels.h"
#include "ElementCodegen.h"
#include "MatmulKernel.h"
#include "PackedConversions.h"
#include "StorageLowering.h"
#include "VectorCode.h"

#include "lowp/Conversion/Passes.h"
#include "lowp/Dialect/Lowp/IR/LowpDialect.h"
#include "lowp/Dialect/Lowp/IR/LowpOps.h"
#include "lowp/Numerics/BlockScale.h"
#include "lowp/Numerics/Hadamard.h"
#include "lowp/Numerics/Philox.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <limits>

namespace lowp {
#define GEN_PASS_DEF_CONVERTLOWPTOLINALG
#include "lowp/Conversion/Passes.h.inc"
} // namespace lowp

using namespace mlir;
using namespace lowp;
using namespace lowp::numerics;

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

/// Whether an element type is changed by lowering.
bool lowp::needsStorage(Type elementType) {
  if (isa<IndexType>(elementType) || elementType.isSignlessInteger(1) ||
      elementType.isInteger(64))
    return false;
  if (!getNumericFormat(elementType) && !elementType.isF64())
    return false;
  return getStorageType(elementType) != elementType;
}

lowp::StorageTypeConverter::StorageTypeConverter() {
  addConversion([](Type type) { return type; });
  addConversion([](Type type) -> std::optional<Type> {
    if (isa<ShapedType>(type) || !needsStorage(type))
      return std::nullopt;
    return getStorageType(type);
  });
  addConversion([](VectorType type) -> Type {
    Type element = type.getElementType();
    return needsStorage(element)
               ? VectorType::get(type.getShape(), getStorageType(element))
               : type;
  });
  addConversion([](RankedTensorType type,
                   SmallVectorImpl<Type> &results) -> LogicalResult {
    auto encoding =
        dyn_cast_or_null<BlockScaledEncodingAttr>(type.getEncoding());
    Type element = type.getElementType();
    Type storage = needsStorage(element) ? getStorageType(element) : element;
    results.push_back(RankedTensorType::get(type.getShape(), storage));
    if (!encoding)
      return success();
    SmallVector<int64_t> scaleShape = encoding.getScaleShape(type.getShape());
    results.push_back(RankedTensorType::get(
        scaleShape, getStorageType(encoding.getScaleType())));
    // The tensor scale travels as a 0-d tensor, so that every part is a
    // buffer at function boundaries.
    if (Type tensorScale = encoding.getTensorScaleType())
      results.push_back(RankedTensorType::get({}, getStorageType(tensorScale)));
    if (Type zeroPoint = encoding.getZeroPointType())
      results.push_back(
          RankedTensorType::get(scaleShape, getStorageType(zeroPoint)));
    if (Type selector = encoding.getSelectorType())
      results.push_back(
          RankedTensorType::get(scaleShape, getStorageType(selector)));
    return success();
  });
}

/// The parts of a block-scaled value for the vector kernels, reading
/// sub-byte codes where lowp-pack-boundaries left them packed: a tensor that
/// arrives packed is never unpacked into a temporary.
lowp::KernelTypeConverter::KernelTypeConverter() {
  addSourceMaterialization([](OpBuilder &builder, Type type, ValueRange inputs,
                              Location loc) -> Value {
    return UnrealizedConversionCastOp::create(builder, loc, type, inputs)
        .getResult(0);
  });
  addTargetMaterialization([](OpBuilder &builder, TypeRange types,
                              ValueRange inputs,
                              Location loc) -> SmallVector<Value> {
    ValueRange results =
        UnrealizedConversionCastOp::create(builder, loc, types, inputs)
            .getResults();
    return SmallVector<Value>(results.begin(), results.end());
  });
}

BlockScaledParts lowp::kernelParts(Value encoded, ValueRange lowered,
                                   ConversionPatternRewriter &rewriter) {
  auto type = cast<RankedTensorType>(encoded.getType());
  auto encoding = cast<BlockScaledEncodingAttr>(type.getEncoding());
  // Elements, scales, then the tensor scale and zero points where the
  // encoding has them (the type converter's order).
  BlockScaledParts result{type, lowered[0], 0, lowered[1], Value(), Value()};
  unsigned next = 2;
  if (encoding.getTensorScaleType())
    result.tensorScale = lowered[next++];
  if (encoding.getZeroPointType())
    result.zeroPoints = lowered[next++];
  if (encoding.hasChoices())
    result.selectors = lowered[next++];
  auto assemble = encoded.getDefiningOp<AssembleOp>();
  if (!assemble)
    return result;
  if (auto unpack = assemble.getElements().getDefiningOp<UnpackOp>()) {
    result.elements = rewriter.getRemappedValue(unpack.getInput());
    result.packedWidth = getNumericFormat(type.getElementType())->getBitWidth();
  }
  // Zero points and selectors arrive packed too (int4-g128's ui4, ui1 or
  // ui2 selectors): read where their rows fill whole bytes of codes that do
  // not straddle them.
  auto packedPerBlockPart = [&](Value part, Value &packed, unsigned &width) {
    auto unpack = part ? part.getDefiningOp<UnpackOp>() : UnpackOp();
    if (!unpack)
      return;
    auto partType = cast<RankedTensorType>(part.getType());
    unsigned bits = getNumericFormat(partType.getElementType())->getBitWidth();
    if (8 % bits == 0 && partType.hasStaticShape() &&
        partType.getShape().back() * bits % 8 == 0) {
      packed = rewriter.getRemappedValue(unpack.getInput());
      width = bits;
    }
  };
  packedPerBlockPart(assemble.getZeroPoints(), result.zeroPoints,
                     result.zeroPointWidth);
  packedPerBlockPart(assemble.getSelectors(), result.selectors,
                     result.selectorWidth);
  return result;
}

PackOp lowp::packOfElements(Value encoded) {
  if (!encoded.hasOneUse())
    return {};
  auto disassemble = dyn_cast<DisassembleOp>(*encoded.getUsers().begin());
  if (!disassemble)
    return {};
  PackOp pack;
  for (Operation *user : disassemble.getElements().getUsers()) {
    if (isa<UnrealizedConversionCastOp>(user))
      continue;
    if (pack || !isa<PackOp>(user))
      return {};
    pack = cast<PackOp>(user);
  }
  return pack;
}

/// The width of the codes kernelParts reads packed, or 0.
unsigned lowp::packedWidthOf(Value encoded) {
  if (auto assemble = encoded.getDefiningOp<AssembleOp>())
    if (assemble.getElements().getDefiningOp<UnpackOp>())
      return getNumericFormat(
                 cast<RankedTensorType>(encoded.getType()).getElementType())
          ->getBitWidth();
  return 0;
}

namespace {

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

BlockScaledEncodingAttr getEncoding(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return dyn_cast_or_null<BlockScaledEncodingAttr>(tensor.getEncoding());
  return {};
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

/// tensor.empty shaped like `like` (static shapes only at this stage).
Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type element) {
  return tensor::EmptyOp::create(b, loc, shape, element);
}

/// `value` (a static tensor) with its dimensions in the order of
/// `permutation`, as linalg.transpose.
Value transposed(OpBuilder &b, Location loc, Value value,
                 ArrayRef<int64_t> permutation) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  for (int64_t d : permutation)
    shape.push_back(type.getDimSize(d));
  Value init = emptyTensor(b, loc, shape, type.getElementType());
  return linalg::TransposeOp::create(b, loc, value, init, permutation)
      .getResult()[0];
}

/// `parts` (a power of two of vectors of one type), joined in order by
/// shuffles of lanes 0 .. 2n - 1.
Value concatenateVectors(OpBuilder &b, Location loc, SmallVector<Value> parts) {
  while (parts.size() > 1) {
    SmallVector<Value> joined;
    for (size_t i = 0; i < parts.size(); i += 2) {
      int64_t n = cast<VectorType>(parts[i].getType()).getNumElements();
      SmallVector<int64_t> lanes;
      for (int64_t l = 0; l < 2 * n; ++l)
        lanes.push_back(l);
      joined.push_back(
          vector::ShuffleOp::create(b, loc, parts[i], parts[i + 1], lanes));
    }
    parts = std::move(joined);
  }
  return parts.front();
}

/// `value` (a static matrix of 8- or 16-bit codes) transposed in tiles of
/// 16 x 16, in parallel: 16 vector reads of a tile's rows, one shuffle of
/// its 256 codes into transposed order, one 2-D write; the edges masked.
/// Every byte is read and written in runs, where linalg.transpose's loop
/// moves one code at a time.
Value vectorTranspose(OpBuilder &builder, Location loc, Value value) {
  constexpr int64_t kTile = 16;
  ImplicitLocOpBuilder b(loc, builder);
  auto type = cast<RankedTensorType>(value.getType());
  Type element = type.getElementType();
  int64_t rows = type.getDimSize(0), columns = type.getDimSize(1);
  Value result = memref::AllocOp::create(
      b, MemRefType::get({columns, rows}, element), b.getI64IntegerAttr(64));
  auto forall = scf::ForallOp::create(
      b,
      ArrayRef<OpFoldResult>{b.getIndexAttr(llvm::divideCeil(rows, kTile)),
                             b.getIndexAttr(llvm::divideCeil(columns, kTile))},
      ValueRange{}, std::nullopt);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forall.getBody());
    Value r0 = arith::MulIOp::create(b, forall.getInductionVars()[0],
                                     arith::ConstantIndexOp::create(b, kTile));
    Value c0 = arith::MulIOp::create(b, forall.getInductionVars()[1],
                                     arith::ConstantIndexOp::create(b, kTile));
    Value zero = arith::ConstantOp::create(b, b.getZeroAttr(element));
    bool rowsWhole = rows % kTile == 0, columnsWhole = columns % kTile == 0;
    SmallVector<Value> tileRows;
    for (int64_t r = 0; r < kTile; ++r)
      tileRows.push_back(vector::TransferReadOp::create(
          b, VectorType::get({kTile}, element), value,
          ValueRange{arith::AddIOp::create(
                         b, r0, arith::ConstantIndexOp::create(b, r)),
                     c0},
          zero, ArrayRef<bool>{rowsWhole && columnsWhole}));
    SmallVector<int64_t> lanes;
    for (int64_t c = 0; c < kTile; ++c)
      for (int64_t r = 0; r < kTile; ++r)
        lanes.push_back(r * kTile + c);
    Value joined = concatenateVectors(b, loc, tileRows);
    Value tile = vector::ShapeCastOp::create(
        b, VectorType::get({kTile, kTile}, element),
        vector::ShuffleOp::create(b, joined, joined, lanes));
    vector::TransferWriteOp::create(b, tile, result, ValueRange{c0, r0},
                                    ArrayRef<bool>{columnsWhole, rowsWhole});
  }
  return bufferization::ToTensorOp::create(
      b, RankedTensorType::get({columns, rows}, element), result,
      /*restrict=*/true, /*writable=*/true);
}

/// `value` (a static matrix) transposed in tiles of 64 x 64, in parallel:
/// each tile reads 64 rows of 64 contiguous values and writes 64, so both
/// sides stay in L1, where a whole-matrix transpose reads one value per
/// cache line. A dimension that is not a multiple of 64 is one tile.
Value tiledTranspose(OpBuilder &b, Location loc, Value value) {
  constexpr int64_t kTile = 64;
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape{type.getDimSize(1), type.getDimSize(0)};
  SmallVector<int64_t> tile, counts;
  for (int64_t size : shape) {
    tile.push_back(size % kTile == 0 ? kTile : size);
    counts.push_back(size / tile.back());
  }
  Value init = emptyTensor(b, loc, shape, type.getElementType());
  auto forall =
      scf::ForallOp::create(b, loc,
                            ArrayRef<OpFoldResult>{b.getIndexAttr(counts[0]),
                                                   b.getIndexAttr(counts[1])},
                            ValueRange{init}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  SmallVector<OpFoldResult> offsets;
  for (unsigned d = 0; d < 2; ++d)
    offsets.push_back(
        arith::MulIOp::create(b, loc, forall.getInductionVars()[d],
                              arith::ConstantIndexOp::create(b, loc, tile[d]))
            .getResult());
  SmallVector<OpFoldResult> sizes{b.getIndexAttr(tile[0]),
                                  b.getIndexAttr(tile[1])};
  SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
  Value shared = forall.getRegionIterArgs()[0];
  Value source = tensor::ExtractSliceOp::create(
      b, loc, value, SmallVector<OpFoldResult>{offsets[1], offsets[0]},
      SmallVector<OpFoldResult>{sizes[1], sizes[0]}, strides);
  Value target =
      tensor::ExtractSliceOp::create(b, loc, shared, offsets, sizes, strides);
  Value transposedTile = linalg::TransposeOp::create(b, loc, source, target,
                                                     ArrayRef<int64_t>{1, 0})
                             .getResult()[0];
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, transposedTile, shared, offsets,
                                        sizes, strides);
  return forall.getResult(0);
}

SmallVector<utils::IteratorType> parallel(unsigned rank) {
  return SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel);
}

/// A codebook's values as a constant tensor<2^bits x f64>, NaN past the
/// table's end; null for other formats.
Value codebookTable(OpBuilder &b, Location loc, const ValueFormat &format) {
  if (format.isF64 || !format.format->isCodebook())
    return {};
  const CodebookFormat &codebook = format.format->getCodebook();
  SmallVector<double> values(size_t(1) << codebook.bits, NAN);
  std::copy(codebook.values.begin(), codebook.values.end(), values.begin());
  auto type = RankedTensorType::get({int64_t(values.size())}, b.getF64Type());
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, ArrayRef<double>(values)));
}

RoundingOptions nearestSaturating() {
  RoundingOptions options;
  options.saturate = true;
  return options;
}

int floorLog2(double positive) {
  int exponent = 0;
  std::frexp(positive, &exponent);
  return exponent - 1;
}

/// Static checks the lowering needs beyond the verifiers; emits an error
/// naming what is not lowered yet.
LogicalResult checkLowerable(Operation *op) {
  for (Type type :
       llvm::concat<const Type>(op->getOperandTypes(), op->getResultTypes())) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (tensor && getEncoding(tensor) && !tensor.hasStaticShape())
      return op->emitOpError("block-scaled tensors with dynamic shapes are "
                             "not lowered yet");
  }
  if (auto matmul = dyn_cast<MatmulOp>(op)) {
    // Rows of activations may be dynamic (batch and sequence length change
    // at run time); every other size is static, so no run-time size can
    // disagree with another operand's or a block.
    auto lhs = cast<RankedTensorType>(matmul.getLhs().getType());
    auto result = cast<RankedTensorType>(matmul.getType());
    int64_t rows = lhs.getRank() - 2;
    for (int64_t d = 0; d < lhs.getRank(); ++d)
      if (d != rows && (lhs.isDynamicDim(d) || result.isDynamicDim(d)))
        return op->emitOpError("dynamic sizes other than the rows of lhs are "
                               "not lowered yet (dimension ")
               << d << ")";
    if (!cast<RankedTensorType>(matmul.getRhs().getType()).hasStaticShape())
      return op->emitOpError("a dynamic rhs is not lowered yet");
    return success();
  }
  if (isa<QuantizeOp, DequantizeOp, RequantizeOp, RelayoutOp>(op))
    for (Type type :
         llvm::concat<const Type>(op->getOperandTypes(), op->getResultTypes()))
      if (auto tensor = dyn_cast<RankedTensorType>(type);
          tensor && !tensor.hasStaticShape())
        return op->emitOpError("dynamic shapes are not lowered yet");
  return success();
}

//===----------------------------------------------------------------------===//
// lowp.convert
//===----------------------------------------------------------------------===//

struct ConvertOpLowering : OpConversionPattern<ConvertOp> {
  using OpConversionPattern::OpConversionPattern;

  /// lowp.convert of a vector (`input` and `random` in storage types): the
  /// f32-lane element code on the whole vector where both formats allow
  /// (it is shape-generic), else the f64 element code on each element,
  /// which is scalar.
  static Value emitVectorConvert(OpBuilder &builder, Location loc,
                                 const ElementConversion &conversion,
                                 VectorType type, Value input, Value random,
                                 Value table) {
    if (ElementCodegen::convertsThroughF32(conversion.from, conversion.to,
                                           conversion.options, bool(random)))
      return conversion.emit(builder, loc, input, random, table);
    SmallVector<int64_t> shape(type.getShape());
    SmallVector<Value> elements;
    for (int64_t i = 0; i < type.getNumElements(); ++i) {
      SmallVector<int64_t> position = delinearize(i, computeStrides(shape));
      Value element = vector::ExtractOp::create(builder, loc, input, position);
      Value bits;
      if (random)
        bits = vector::ExtractOp::create(builder, loc, random, position);
      elements.push_back(conversion.emit(builder, loc, element, bits, table));
    }
    return vector::FromElementsOp::create(
        builder, loc, VectorType::get(shape, conversion.storage), elements);
  }

  LogicalResult
  matchAndRewrite(ConvertOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ElementConversion conversion(op);
    Type storage = conversion.storage;
    Value table = codebookTable(rewriter, loc, conversion.from);

    // A convert of an unpacked argument reads the packed bytes itself (the
    // unpack is then dead).
    if (auto unpack = op.getInput().getDefiningOp<UnpackOp>();
        unpack && unpack->hasOneUse())
      if (Value fused =
              emitConvertOfPacked(rewriter, loc, op, unpack,
                                  rewriter.getRemappedValue(unpack.getInput()),
                                  adaptor.getRandom(), table)) {
        rewriter.replaceOp(op, fused);
        return success();
      }

    // In f32 lanes where both formats allow (f32 or exactly decodable in,
    // f32 or a format f32 rounds into in i32 out), in f64 otherwise.
    auto body = [&](OpBuilder &nested, Location nestedLoc, Value input,
                    Value random) {
      return conversion.emit(nested, nestedLoc, input, random, table);
    };

    if (auto vector = dyn_cast<VectorType>(op.getType())) {
      rewriter.replaceOp(op, emitVectorConvert(rewriter, loc, conversion,
                                               vector, adaptor.getInput(),
                                               adaptor.getRandom(), table));
      return success();
    }
    auto shaped = dyn_cast<RankedTensorType>(op.getType());
    if (!shaped) {
      rewriter.replaceOp(
          op, body(rewriter, loc, adaptor.getInput(), adaptor.getRandom()));
      return success();
    }
    SmallVector<Value> inputs{adaptor.getInput()};
    if (adaptor.getRandom())
      inputs.push_back(adaptor.getRandom());
    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(rewriter, loc, adaptor.getInput());
    Value init = tensor::EmptyOp::create(rewriter, loc, sizes, storage);
    unsigned rank = shaped.getRank();
    SmallVector<AffineMap> maps(inputs.size() + 1,
                                rewriter.getMultiDimIdentityMap(rank));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, init.getType(), inputs, ValueRange{init}, maps,
        parallel(rank),
        [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
          Value result = body(nested, nestedLoc, args[0],
                              inputs.size() > 1 ? args[1] : Value());
          linalg::YieldOp::create(nested, nestedLoc, result);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Block-scaled parts
//===----------------------------------------------------------------------===//

/// The parts of a block-scaled tensor after lowering (the tensor scale is a
/// 0-d tensor).
struct Parts {
  Value elements, scales, tensorScale, zeroPoints, selectors;

  static Parts from(ValueRange values, BlockScaledEncodingAttr encoding) {
    Parts parts;
    parts.elements = values[0];
    parts.scales = values[1];
    unsigned next = 2;
    if (encoding.getTensorScaleType())
      parts.tensorScale = values[next++];
    if (encoding.getZeroPointType())
      parts.zeroPoints = values[next++];
    if (encoding.hasChoices())
      parts.selectors = values[next++];
    return parts;
  }
  SmallVector<Value> values() const {
    SmallVector<Value> result{elements, scales};
    if (tensorScale)
      result.push_back(tensorScale);
    if (zeroPoints)
      result.push_back(zeroPoints);
    if (selectors)
      result.push_back(selectors);
    return result;
  }
};

/// The map from an element index to its block's index.
AffineMap blockMap(MLIRContext *context, ArrayRef<int64_t> fullBlock) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d = 0; d < fullBlock.size(); ++d)
    exprs.push_back(getAffineDimExpr(d, context).floorDiv(fullBlock[d]));
  return AffineMap::get(fullBlock.size(), 0, exprs, context);
}

/// Logical values of a block-scaled tensor, rounded to nearest even into
/// `resultElement` (as lowp.dequantize defines), as a tensor of its storage
/// type.
Value emitDequantize(OpBuilder &builder, Location loc, const Parts &parts,
                     RankedTensorType encodedType, Type resultElement) {
  auto encoding = getEncoding(encodedType);
  BlockScaling scaling = encoding.getScaling(encodedType.getElementType());
  ValueFormat element{scaling.element, false};
  ValueFormat scale{scaling.scale, false};
  ValueFormat result = *getValueFormat(resultElement);
  Type storage = getStorageType(resultElement);
  Value table = codebookTable(builder, loc, element);
  unsigned rank = encodedType.getRank();
  MLIRContext *context = builder.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
  AffineMap perBlock = blockMap(context, encoding.getFullBlock(rank));

  SmallVector<Value> inputs{parts.elements, parts.scales};
  SmallVector<AffineMap> maps{identity, perBlock};
  if (parts.zeroPoints) {
    inputs.push_back(parts.zeroPoints);
    maps.push_back(perBlock);
  }
  // With choices: the value each choice gives the code times its unit,
  // picked by the block's selector (NaN for a selector past the last).
  std::vector<BlockScaling> chosen;
  SmallVector<Value> choiceTables;
  if (parts.selectors) {
    inputs.push_back(parts.selectors);
    maps.push_back(perBlock);
    for (unsigned c = 0; c < scaling.choices.size(); ++c) {
      chosen.push_back(scaling.getChosen(c));
      choiceTables.push_back(
          codebookTable(builder, loc, ValueFormat{scaling.choices[c], false}));
    }
  }
  maps.push_back(identity);
  Value init = emptyTensor(builder, loc, encodedType.getShape(), storage);
  double unit = scaling.getElementUnit();
  Value tensorScale;
  if (parts.tensorScale)
    tensorScale = tensor::ExtractOp::create(builder, loc, parts.tensorScale,
                                            ValueRange{});
  auto generic = linalg::GenericOp::create(
      builder, loc, init.getType(), inputs, ValueRange{init}, maps,
      parallel(rank),
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        ImplicitLocOpBuilder b(nestedLoc, nested);
        ElementCodegen g(b);
        if (parts.selectors) {
          Value code = g.loadCode(args[0]);
          Value selector = g.loadCode(args[2]);
          Value value = g.f64(std::nan(""));
          for (unsigned c = chosen.size(); c-- > 0;) {
            Value choice = arith::MulFOp::create(
                b,
                g.decode(ValueFormat{chosen[c].element, false}, code,
                         choiceTables[c]),
                g.f64(chosen[c].getElementUnit()));
            Value isChoice = arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                                   selector, g.i64(c));
            value = arith::SelectOp::create(b, isChoice, choice, value);
          }
          value = arith::MulFOp::create(b, value,
                                        g.decode(scale, g.loadCode(args[1])));
          Value rounded = g.encode(result, value, RoundingOptions{});
          linalg::YieldOp::create(b, g.storeCode(rounded, storage));
          return;
        }
        Value value = g.decode(element, g.loadCode(args[0]), table);
        if (parts.zeroPoints)
          value = arith::SubFOp::create(
              b, value,
              g.decode(ValueFormat{scaling.zeroPoint, false},
                       g.loadCode(args[2])));
        value = arith::MulFOp::create(b, value, g.f64(unit));
        value = arith::MulFOp::create(b, value,
                                      g.decode(scale, g.loadCode(args[1])));
        if (tensorScale)
          value = arith::MulFOp::create(
              b, value,
              g.decode(ValueFormat{scaling.tensorScale, false},
                       g.loadCode(tensorScale)));
        Value code = g.encode(result, value, RoundingOptions{});
        linalg::YieldOp::create(b, g.storeCode(code, storage));
      });
  return generic.getResult(0);
}

struct DequantizeOpLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DequantizeOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    Type resultElement = op.getType().getElementType();
    Parts parts = Parts::from(adaptor.getInput(), getEncoding(inputType));
    rewriter.replaceOp(op, emitDequantize(rewriter, op.getLoc(), parts,
                                          inputType, resultElement));
    return success();
  }
};

struct AssembleOpLowering : OpConversionPattern<AssembleOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AssembleOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Value> parts;
    for (ValueRange operand : adaptor.getOperands())
      llvm::append_range(parts, operand);
    if (op.getTensorScale()) {
      Value scalar = parts[2];
      parts[2] = tensor::FromElementsOp::create(
          rewriter, op.getLoc(), RankedTensorType::get({}, scalar.getType()),
          ValueRange{scalar});
    }
    rewriter.replaceOpWithMultiple(op, {parts});
    return success();
  }
};

struct DisassembleOpLowering : OpConversionPattern<DisassembleOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DisassembleOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<SmallVector<Value>> results;
    for (Value part : adaptor.getInput())
      results.push_back({part});
    if (op.getTensorScale())
      results[2] = {tensor::ExtractOp::create(
          rewriter, op.getLoc(), results[2].front(), ValueRange{})};
    rewriter.replaceOpWithMultiple(op, std::move(results));
    return success();
  }
};

Value indexConstant(ImplicitLocOpBuilder &b, int64_t value);
Value i32Constant(ImplicitLocOpBuilder &b, int64_t value);
SmallVector<Value> loopIndices(ImplicitLocOpBuilder &b, unsigned rank);

/// lowp.relayout: each part that has the tensor's dimensions (elements,
/// scales, zero points) transposed on its storage; the tensor scale stays.
struct RelayoutOpLowering : OpConversionPattern<RelayoutOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RelayoutOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> permutation = op.getPermutation();
    int64_t rank = permutation.size();
    // What lowp-pack-boundaries makes of NAME_prepack: packed codes in,
    // unpacked, relaid out and packed again. The codes go from packed bytes
    // to packed bytes instead, and the unpacked codes are never made.
    PackOp pack = packOfRelaidOutElements(op);
    SmallVector<Value> parts;
    for (auto [index, part] : llvm::enumerate(adaptor.getInput())) {
      if (index == 0 && pack) {
        rewriter.replaceOp(pack, emitPackedTranspose(rewriter, op, pack));
        auto type = cast<RankedTensorType>(part.getType());
        parts.push_back(emptyTensor(rewriter, loc,
                                    {type.getDimSize(1), type.getDimSize(0)},
                                    type.getElementType()));
        continue;
      }
      auto type = cast<RankedTensorType>(part.getType());
      if (type.getRank() != rank) {
        parts.push_back(part);
        continue;
      }
      // Matrices (the weights lowp-assign-layouts relays out) in tiles;
      // other permutations as one linalg.transpose.
      bool matrix = rank == 2 && type.hasStaticShape();
      unsigned bits = type.getElementType().getIntOrFloatBitWidth();
      if (matrix && (bits == 8 || bits == 16))
        parts.push_back(vectorTranspose(rewriter, loc, part));
      else
        parts.push_back(matrix ? tiledTranspose(rewriter, loc, part)
                               : transposed(rewriter, loc, part, permutation));
    }
    rewriter.replaceOpWithMultiple(op, {parts});
    return success();
  }

private:
  /// The lowp.pack of `op`'s elements, for a 2-D relayout of codes that
  /// arrive packed (a lowp.unpack into the lowp.assemble), in a width that
  /// divides 8, and leave packed (packOfElements); null otherwise.
  static PackOp packOfRelaidOutElements(RelayoutOp op) {
    auto type = cast<RankedTensorType>(op.getInput().getType());
    if (type.getRank() != 2 || !type.hasStaticShape() ||
        op.getPermutation() != ArrayRef<int64_t>{1, 0})
      return {};
    auto assemble = op.getInput().getDefiningOp<AssembleOp>();
    if (!assemble || !assemble.getElements().getDefiningOp<UnpackOp>())
      return {};
    unsigned width = getNumericFormat(type.getElementType())->getBitWidth();
    if (width >= 8 || 8 % width)
      return {};
    return packOfElements(op.getResult());
  }

  /// 4-bit codes transposed in tiles of 16 rows by 32 columns, in
  /// parallel: each tile's 16 rows of 16 bytes read as vectors, split into
  /// nibbles, paired into the result's bytes (rows 2j and 2j + 1 make byte
  /// j), and moved to the result's 32 rows of 8 bytes by one shuffle.
  /// Every input byte is read once, in rows, where the generic loop gathers
  /// one byte of each of 16 rows for each result byte. `rows` (K) must be
  /// a multiple of 16; columns past the last are masked.
  static Value emitNibbleTranspose(ConversionPatternRewriter &rewriter,
                                   Location loc, Value packed, int64_t rows,
                                   int64_t columns,
                                   RankedTensorType resultType) {
    ImplicitLocOpBuilder b(loc, rewriter);
    constexpr int64_t kTileRows = 16, kTileColumns = 32;
    int64_t inputBytes = cast<RankedTensorType>(packed.getType()).getDimSize(1);
    VectorType rowType = VectorType::get({16}, b.getI8Type());
    Value result = memref::AllocOp::create(
        b, MemRefType::get(resultType.getShape(), b.getI8Type()),
        b.getI64IntegerAttr(64));
    auto forall = scf::ForallOp::create(
        b,
        ArrayRef<OpFoldResult>{
            b.getIndexAttr(rows / kTileRows),
            b.getIndexAttr(llvm::divideCeil(columns, kTileColumns))},
        ValueRange{}, std::nullopt);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(forall.getBody());
      auto index = [&](int64_t v) { return indexConstant(b, v); };
      auto bytes = [&](int64_t v) {
        return arith::ConstantOp::create(
            b, DenseElementsAttr::get(rowType, b.getI8IntegerAttr(v)));
      };
      Value k0 = arith::MulIOp::create(b, forall.getInductionVars()[0],
                                       index(kTileRows));
      Value n0 = arith::MulIOp::create(b, forall.getInductionVars()[1],
                                       index(kTileColumns));
      Value byte0 = arith::DivUIOp::create(b, n0, index(2));
      Value zero = arith::ConstantIntOp::create(b, b.getI8Type(), 0);
      // Nibbles of row r: low ones are the even columns, high the odd.
      SmallVector<Value> low, high;
      for (int64_t r = 0; r < kTileRows; ++r) {
        Value row = arith::AddIOp::create(b, k0, index(r));
        Value v = vector::TransferReadOp::create(
            b, rowType, packed, ValueRange{row, byte0}, zero,
            ArrayRef<bool>{inputBytes % 16 == 0});
        low.push_back(arith::AndIOp::create(b, v, bytes(0x0F)));
        high.push_back(arith::ShRUIOp::create(b, v, bytes(4)));
      }
      // Result byte j of a column: rows 2j (low nibble) and 2j + 1.
      SmallVector<Value> byParity[2];
      for (int64_t j = 0; j < kTileRows / 2; ++j)
        for (int p = 0; p < 2; ++p) {
          SmallVector<Value> &nibbles = p ? high : low;
          byParity[p].push_back(arith::OrIOp::create(
              b, nibbles[2 * j],
              arith::ShLIOp::create(b, nibbles[2 * j + 1], bytes(4))));
        }
      // Lane 16 j + c of parity p's 128 bytes is result byte j of column
      // 2 c + p; the result's rows are the columns, 8 bytes each.
      Value even = concatenateVectors(b, loc, byParity[0]),
            odd = concatenateVectors(b, loc, byParity[1]);
      SmallVector<int64_t> lanes;
      for (int64_t column = 0; column < kTileColumns; ++column)
        for (int64_t j = 0; j < kTileRows / 2; ++j)
          lanes.push_back((column % 2) * 128 + j * 16 + column / 2);
      Value tile = vector::ShapeCastOp::create(
          b, VectorType::get({kTileColumns, kTileRows / 2}, b.getI8Type()),
          vector::ShuffleOp::create(b, even, odd, lanes));
      vector::TransferWriteOp::create(
          b, tile, result,
          ValueRange{n0, arith::DivUIOp::create(b, k0, index(2))},
          ArrayRef<bool>{columns % kTileColumns == 0, true});
    }
    return bufferization::ToTensorOp::create(
        b, RankedTensorType::get(resultType.getShape(), b.getI8Type()), result,
        /*restrict=*/true, /*writable=*/true);
  }

  /// The packed rows of the transposed codes: byte j of result row n holds
  /// the codes of input rows k = P j .. P j + P - 1 (P = 8 / w codes to a
  /// byte) at column n, each read out of its input byte n / P.
  static Value emitPackedTranspose(ConversionPatternRewriter &rewriter,
                                   RelayoutOp op, PackOp pack) {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getInput().getType());
    unsigned width = getNumericFormat(type.getElementType())->getBitWidth();
    int64_t perByte = 8 / width, rows = type.getDimSize(0);
    auto unpack = op.getInput()
                      .getDefiningOp<AssembleOp>()
                      .getElements()
                      .getDefiningOp<UnpackOp>();
    Value packed = rewriter.getRemappedValue(unpack.getInput());
    auto resultType = cast<RankedTensorType>(pack.getType());
    if (width == 4 && rows % 16 == 0)
      return emitNibbleTranspose(rewriter, loc, packed, rows,
                                 type.getDimSize(1), resultType);
    Value init =
        emptyTensor(rewriter, loc, resultType.getShape(), rewriter.getI8Type());
    return linalg::GenericOp::create(
               rewriter, loc, init.getType(), ValueRange{}, ValueRange{init},
               SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(2)},
               parallel(2),
               [&](OpBuilder &nested, Location nestedLoc, ValueRange) {
                 ImplicitLocOpBuilder b(nestedLoc, nested);
                 auto index = [&](int64_t v) { return indexConstant(b, v); };
                 auto i32 = [&](int64_t v) { return i32Constant(b, v); };
                 SmallVector<Value> at = loopIndices(b, 2);
                 Value column =
                     arith::DivUIOp::create(b, at[0], index(perByte));
                 Value shift = arith::IndexCastOp::create(
                     b, b.getI32Type(),
                     arith::MulIOp::create(
                         b, arith::RemUIOp::create(b, at[0], index(perByte)),
                         index(width)));
                 Value first = arith::MulIOp::create(b, at[1], index(perByte));
                 Value byte = i32(0);
                 for (int64_t p = 0; p < perByte; ++p) {
                   Value row = arith::AddIOp::create(b, first, index(p));
                   // Past the last row: padding bits, zero.
                   Value inside = arith::CmpIOp::create(
                       b, arith::CmpIPredicate::ult, row, index(rows));
                   Value clamped =
                       arith::MinUIOp::create(b, row, index(rows - 1));
                   Value word = arith::ExtUIOp::create(
                       b, b.getI32Type(),
                       tensor::ExtractOp::create(b, packed,
                                                 ValueRange{clamped, column}));
                   Value code = arith::AndIOp::create(
                       b, arith::ShRUIOp::create(b, word, shift),
                       i32((int64_t(1) << width) - 1));
                   code = arith::SelectOp::create(b, inside, code, i32(0));
                   byte = arith::OrIOp::create(
                       b, byte, arith::ShLIOp::create(b, code, i32(p * width)));
                 }
                 Value truncated =
                     arith::TruncIOp::create(b, b.getI8Type(), byte);
                 linalg::YieldOp::create(b, ValueRange{truncated});
               })
        .getResult(0);
  }
};

//===----------------------------------------------------------------------===//
// lowp.quantize
//===----------------------------------------------------------------------===//

/// Quantization of one tensor: lib/Numerics/BlockScale.cpp's quantizeTensor
/// as linalg. The element index space is expanded to [blocks0, block0,
/// blocks1, block1, ...] so that per-block reductions are plain linalg
/// reductions over the odd dimensions.
class QuantizeEmitter {
public:
  QuantizeEmitter(OpBuilder &builder, Location loc, QuantizeOp op)
      : builder(builder), loc(loc), op(op),
        resultType(cast<RankedTensorType>(op.getType())),
        encoding(getEncoding(resultType)),
        scaling(encoding.getScaling(resultType.getElementType())),
        input(*getValueFormat(getElementTypeOrSelf(op.getInput().getType()))) {
    rank = resultType.getRank();
    fullBlock = encoding.getFullBlock(rank);
    for (unsigned d = 0; d < rank; ++d) {
      expandedShape.push_back(resultType.getDimSize(d) / fullBlock[d]);
      expandedShape.push_back(fullBlock[d]);
      scaleShape.push_back(resultType.getDimSize(d) / fullBlock[d]);
      reassociation.push_back({int64_t(2 * d), int64_t(2 * d + 1)});
    }
    maxElement = scaling.getMaxElementValue();
    minScaleExponent = floorLog2(scaling.scale.getMinPositive());
    maxScaleExponent = floorLog2(scaling.scale.getMaxFinite());
    elementRounding.mode = toNumerics(op.getRounding());
    elementRounding.saturate = true;
    if (op.getRandom())
      elementRounding.randomBitCount =
          getElementTypeOrSelf(op.getRandom().getType())
              .getIntOrFloatBitWidth();
  }

  Parts emit(Value inputValue, Value randomValue) {
    inputTable = codebookTable(builder, loc, input);
    Value expanded = expand(inputValue);
    Value expandedRandom = randomValue ? expand(randomValue) : Value();

    // Per-block reductions: amax (NaN-propagating), and the range for
    // minmax.
    Value amax = reduceBlocks(expanded, ReduceKind::AbsMax);
    if (scaling.hasChoices())
      return emitChoices(expanded, expandedRandom, amax);
    Value lowest, highest;
    if (scaling.rule == ScaleRule::MinMax) {
      lowest = reduceBlocks(expanded, ReduceKind::Min);
      highest = reduceBlocks(expanded, ReduceKind::Max);
    }
    Parts parts;
    if (scaling.tensorScale) {
      tensorScaleCode = emitTensorScale(expanded);
      parts.tensorScale = tensor::FromElementsOp::create(
          builder, loc, RankedTensorType::get({}, tensorScaleCode.getType()),
          ValueRange{tensorScaleCode});
    }
    emitScales(amax, lowest, highest, parts);
    parts.elements = emitElements(expanded, expandedRandom, amax, parts);
    return parts;
  }

private:
  enum class ReduceKind { AbsMax, Min, Max };

  /// Per-group format choice, as quantizeBlock does it: every choice's
  /// scales and codes, each block's squared error under each, and per
  /// block the first choice of least error (a later one only when strictly
  /// smaller, so NaN errors never win).
  Parts emitChoices(Value expanded, Value expandedRandom, Value amax) {
    BlockScaling all = scaling;
    SmallVector<Value> scales, codes, errors;
    for (unsigned c = 0; c < all.choices.size(); ++c) {
      scaling = all.getChosen(c);
      maxElement = scaling.getMaxElementValue();
      Parts candidate;
      emitScales(amax, {}, {}, candidate);
      scales.push_back(candidate.scales);
      codes.push_back(
          emitExpandedElements(expanded, expandedRandom, amax, candidate));
      errors.push_back(
          emitSquaredErrors(expanded, codes.back(), candidate.scales));
    }
    scaling = all;
    maxElement = scaling.getMaxElementValue();

    unsigned count = all.choices.size();
    Type scaleStorage = getStorageType(encoding.getScaleType());
    Type selectorStorage = getStorageType(encoding.getSelectorType());
    SmallVector<Value> inputs(errors);
    llvm::append_range(inputs, scales);
    SmallVector<Value> outputs{
        emptyTensor(builder, loc, scaleShape, scaleStorage),
        emptyTensor(builder, loc, scaleShape, selectorStorage)};
    SmallVector<AffineMap> maps(inputs.size() + outputs.size(),
                                builder.getMultiDimIdentityMap(rank));
    auto choose = linalg::GenericOp::create(
        builder, loc, TypeRange{outputs[0].getType(), outputs[1].getType()},
        inputs, outputs, maps, parallel(rank),
        [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
          ImplicitLocOpBuilder b(nestedLoc, nested);
          ElementCodegen g(b);
          Value best = args[0], scale = args[count], selector = g.i64(0);
          for (unsigned c = 1; c < count; ++c) {
            Value less = arith::CmpFOp::create(b, arith::CmpFPredicate::OLT,
                                               args[c], best);
            best = arith::SelectOp::create(b, less, args[c], best);
            scale = arith::SelectOp::create(b, less, args[count + c], scale);
            selector = g.select(less, g.i64(c), selector);
          }
          linalg::YieldOp::create(
              b, ValueRange{scale, g.storeCode(selector, selectorStorage)});
        });
    Parts parts;
    parts.scales = choose.getResult(0);
    parts.selectors = choose.getResult(1);

    Type storage = getStorageType(resultType.getElementType());
    SmallVector<Value> codeInputs(codes);
    codeInputs.push_back(parts.selectors);
    SmallVector<AffineMap> codeMaps(count,
                                    builder.getMultiDimIdentityMap(2 * rank));
    codeMaps.push_back(evenDims());
    codeMaps.push_back(builder.getMultiDimIdentityMap(2 * rank));
    Value init = emptyTensor(builder, loc, expandedShape, storage);
    auto pick = linalg::GenericOp::create(
        builder, loc, init.getType(), codeInputs, ValueRange{init}, codeMaps,
        parallel(2 * rank),
        [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
          ImplicitLocOpBuilder b(nestedLoc, nested);
          ElementCodegen g(b);
          Value selector = g.loadCode(args[count]);
          Value code = args[0];
          for (unsigned c = 1; c < count; ++c)
            code = arith::SelectOp::create(
                b,
                arith::CmpIOp::create(b, arith::CmpIPredicate::eq, selector,
                                      g.i64(c)),
                args[c], code);
          // A signed choice's code is stored sign-extended; the elements
          // are uiW codes, stored as their W bits (what the kernels read).
          unsigned bits = all.element.getBitWidth();
          if (bits < storage.getIntOrFloatBitWidth())
            code = arith::AndIOp::create(
                b, code,
                arith::ConstantOp::create(
                    b, b.getIntegerAttr(storage, (int64_t(1) << bits) - 1)));
          linalg::YieldOp::create(b, code);
        });
    parts.elements = collapse(pick.getResult(0));
    return parts;
  }

  /// Per block, the sum in element order of (x - dequantized)^2 in f64
  /// under the current choice (numerics::blockSquaredError).
  Value emitSquaredErrors(Value expanded, Value codes, Value scales) {
    Value init = zeroBlockSums();
    SmallVector<utils::IteratorType> iterators = blockIterators();
    SmallVector<AffineMap> maps{builder.getMultiDimIdentityMap(2 * rank),
                                builder.getMultiDimIdentityMap(2 * rank),
                                evenDims(), evenDims()};
    ValueFormat element{scaling.element, false};
    ValueFormat scale{scaling.scale, false};
    Value table = codebookTable(builder, loc, element);
    double unit = scaling.getElementUnit();
    auto generic = linalg::GenericOp::create(
        builder, loc, init.getType(), ValueRange{expanded, codes, scales},
        ValueRange{init}, maps, iterators,
        [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
          ImplicitLocOpBuilder b(nestedLoc, nested);
          ElementCodegen g(b);
          Value value = arith::MulFOp::create(
              b, g.decode(element, g.loadCode(args[1]), table), g.f64(unit));
          value = arith::MulFOp::create(b, value,
                                        g.decode(scale, g.loadCode(args[2])));
          Value error =
              arith::SubFOp::create(b, decodeInput(g, args[0]), value);
          Value sum = arith::AddFOp::create(
              b, args[3], arith::MulFOp::create(b, error, error));
          linalg::YieldOp::create(b, sum);
        });
    return generic.getResult(0);
  }

  Value collapse(Value expandedCodes) {
    auto type = cast<RankedTensorType>(expandedCodes.getType());
    auto collapsedType =
        RankedTensorType::get(resultType.getShape(), type.getElementType());
    return tensor::CollapseShapeOp::create(builder, loc, collapsedType,
                                           expandedCodes, reassociation);
  }

  Value expand(Value value) {
    auto type = cast<RankedTensorType>(value.getType());
    auto expandedType =
        RankedTensorType::get(expandedShape, type.getElementType());
    return tensor::ExpandShapeOp::create(builder, loc, expandedType, value,
                                         reassociation);
  }

  /// An f64 zero per block: the start of a per-block reduction.
  Value zeroBlockSums() {
    Value zero =
        arith::ConstantOp::create(builder, loc, builder.getF64FloatAttr(0));
    return linalg::FillOp::create(
               builder, loc, zero,
               emptyTensor(builder, loc, scaleShape, builder.getF64Type()))
        .getResult(0);
  }

  /// The expanded space's iterators: block indices parallel, positions in
  /// a block reduced.
  SmallVector<utils::IteratorType> blockIterators() {
    SmallVector<utils::IteratorType> iterators;
    for (unsigned d = 0; d < rank; ++d) {
      iterators.push_back(utils::IteratorType::parallel);
      iterators.push_back(utils::IteratorType::reduction);
    }
    return iterators;
  }

  AffineMap evenDims() {
    SmallVector<AffineExpr> exprs;
    for (unsigned d = 0; d < rank; ++d)
      exprs.push_back(builder.getAffineDimExpr(2 * d));
    return AffineMap::get(2 * rank, 0, exprs, builder.getContext());
  }

  Value decodeInput(ElementCodegen &g, Value stored) {
    return g.decode(input, g.loadCode(stored), inputTable);
  }

  Value reduceBlocks(Value expanded, ReduceKind kind) {
    Value init = zeroBlockSums();
    SmallVector<utils::IteratorType> iterators = blockIterators();
    SmallVector<AffineMap> maps{builder.getMultiDimIdentityMap(2 * rank),
                                evenDims()};
    auto generic = linalg::GenericOp::create(
        builder, loc, init.getType(), ValueRange{expanded}, ValueRange{init},
        maps, iterators,
        [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
          ImplicitLocOpBuilder b(nestedLoc, nested);
          ElementCodegen g(b);
          Value value = decodeInput(g, args[0]);
          Value result;
          switch (kind) {
          case ReduceKind::AbsMax:
            result = arith::MaximumFOp::create(b, args[1],
                                               math::AbsFOp::create(b, value));
            break;
          case ReduceKind::Min:
            result = arith::MinimumFOp::create(b, args[1], value);
            break;
          case ReduceKind::Max:
            result = arith::MaximumFOp::create(b, args[1], value);
            break;
          }
          linalg::YieldOp::create(b, result);
        });
    return generic.getResult(0);
  }

  /// f32 helpers for the nvfp4 rule, which computes in f32 as
  /// lib/Numerics/BlockScale.cpp's computeTensorScaling and
  /// quantizeNvfp4Block do.
  static Value f32Constant(ImplicitLocOpBuilder &b, float value) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(value));
  }
  static Value toF32(ImplicitLocOpBuilder &b, Value f64) {
    return arith::TruncFOp::create(b, b.getF32Type(), f64);
  }
  static Value toF64(ImplicitLocOpBuilder &b, Value f32) {
    return arith::ExtFOp::create(b, b.getF64Type(), f32);
  }
  /// min(x, FLT_MAX) with NaN kept.
  static Value atMostFloatMax(ImplicitLocOpBuilder &b, Value x) {
    return lowp::atMost(b, x, std::numeric_limits<float>::max());
  }

  /// The tensor scale code (nvfp4): S_dec = f32(1 / S_enc) with S_enc =
  /// f32((max_scale * max_elem) / amax), at most FLT_MAX, 1 where 0; also
  /// sets tensorEncodeScale to S_enc.
  Value emitTensorScale(Value expanded) {
    Type f64 = builder.getF64Type();
    Value zero =
        arith::ConstantOp::create(builder, loc, builder.getF64FloatAttr(0));
    auto scalarType = RankedTensorType::get({}, f64);
    Value empty =
        tensor::EmptyOp::create(builder, loc, ArrayRef<int64_t>{}, f64);
    Value init = linalg::FillOp::create(builder, loc, zero, empty).getResult(0);
    SmallVector<utils::IteratorType> iterators(2 * rank,
                                               utils::IteratorType::reduction);
    SmallVector<AffineMap> maps{
        builder.getMultiDimIdentityMap(2 * rank),
        AffineMap::get(2 * rank, 0, {}, builder.getContext())};
    auto generic = linalg::GenericOp::create(
        builder, loc, scalarType, ValueRange{expanded}, ValueRange{init}, maps,
        iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
          ImplicitLocOpBuilder b(nestedLoc, nested);
          ElementCodegen g(b);
          Value magnitude = math::AbsFOp::create(b, decodeInput(g, args[0]));
          Value result = arith::MaximumFOp::create(b, args[1], magnitude);
          linalg::YieldOp::create(b, result);
        });
    Value amax = tensor::ExtractOp::create(builder, loc, generic.getResult(0),
                                           ValueRange{});
    ImplicitLocOpBuilder b(loc, builder);
    ElementCodegen g(b);
    // f32 of the f64 amax is the amax of the values' f32 roundings.
    float target = float(scaling.scale.getMaxFinite()) *
                   float(scaling.getMaxElementValue());
    Value encode = atMostFloatMax(
        b, arith::DivFOp::create(b, f32Constant(b, target), toF32(b, amax)));
    encode = arith::SelectOp::create(
        b,
        arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, encode,
                              f32Constant(b, 0.0f)),
        f32Constant(b, 1.0f), encode);
    tensorEncodeScale = encode;
    Value decode = arith::DivFOp::create(b, f32Constant(b, 1.0f), encode);
    ValueFormat format{scaling.tensorScale, false};
    Type storage = getStorageType(encoding.getTensorScaleType());
    return g.storeCode(g.encode(format, toF64(b, decode), nearestSaturating()),
                       storage);
  }

  /// For floor and rceil: the block's scale exponent, and whether it is
  /// past the scale format's range (the block is then unrepresentable).
  std::pair<Value, Value> blockExponent(ElementCodegen &g,
                                        ImplicitLocOpBuilder &b, Value amax) {
    Value exponent = arith::SubIOp::create(b, g.floorLog2(amax),
                                           g.i64(floorLog2(maxElement)));
    if (scaling.rule == ScaleRule::RCeil) {
      Value reach =
          arith::MulFOp::create(b, g.f64(maxElement), g.exp2(exponent));
      Value short_ =
          arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, reach, amax);
      exponent = arith::AddIOp::create(
          b, exponent, arith::ExtUIOp::create(b, b.getI64Type(), short_));
    }
    Value isZero =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, amax, g.f64(0));
    exponent = g.select(isZero, g.i64(minScaleExponent), exponent);
    Value tooLarge = arith::CmpIOp::create(b, arith::CmpIPredicate::sgt,
                                           exponent, g.i64(maxScaleExponent));
    exponent = arith::MaxSIOp::create(b, exponent, g.i64(minScaleExponent));
    return {exponent, tooLarge};
  }

  /// Whether a block is unrepresentable: it holds NaN or inf, or (floor,
  /// rceil) its scale exponent is past the scale format's range.
  Value blockInvalid(ElementCodegen &g, ImplicitLocOpBuilder &b, Value amax) {
    Value nonFinite = arith::CmpFOp::create(b, arith::CmpFPredicate::UGE, amax,
                                            g.f64(INFINITY));
    if (scaling.rule == ScaleRule::Floor || scaling.rule == ScaleRule::RCeil)
      return arith::OrIOp::create(b, nonFinite,
                                  blockExponent(g, b, amax).second);
    return nonFinite;
  }

  Value decodedTensorScale(ElementCodegen &g) {
    if (!tensorScaleCode)
      return g.f64(1.0);
    return g.decode(ValueFormat{scaling.tensorScale, false},
                    g.loadCode(tensorScaleCode));
  }

  void emitScales(Value amax, Value lowest, Value highest, Parts &parts) {
    Type scaleStorage = getStorageType(encoding.getScaleType());
    Type zeroPointStorage = encoding.getZeroPointType()
                                ? getStorageType(encoding.getZeroPointType())
                                : Type();
    SmallVector<Value> inputs{amax};
    if (lowest) {
      inputs.push_back(lowest);
      inputs.push_back(highest);
    }
    SmallVector<Value> outputs{
        emptyTensor(builder, loc, scaleShape, scaleStorage)};
    SmallVector<Type> resultTypes{outputs[0].getType()};
    if (zeroPointStorage) {
      outputs.push_back(
          emptyTensor(builder, loc, scaleShape, zeroPointStorage));
      resultTypes.push_back(outputs[1].getType());
    }
    SmallVector<AffineMap> maps(inputs.size() + outputs.size(),
                                builder.getMultiDimIdentityMap(rank));
    ValueFormat scale{scaling.scale, false};
    auto generic = linalg::GenericOp::create(
        builder, loc, resultTypes, inputs, outputs, maps, parallel(rank),
        [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
          ImplicitLocOpBuilder b(nestedLoc, nested);
          ElementCodegen g(b);
          Value blockAmax = args[0];
          Value code;
          switch (scaling.rule) {
          case ScaleRule::Floor:
          case ScaleRule::RCeil:
            code = g.encode(scale, g.exp2(blockExponent(g, b, blockAmax).first),
                            nearestSaturating());
            break;
          case ScaleRule::AbsMax:
            code = g.encodeQuotient(scale, blockAmax, g.f64(maxElement),
                                    nearestSaturating());
            break;
          case ScaleRule::NVFP4: {
            // min(f32(amax_b * f32(S_enc * f32(1 / max_elem))), max_scale),
            // NaN kept, rounded into the scale format.
            Value multiplier = arith::MulFOp::create(
                b, tensorEncodeScale, f32Constant(b, 1.0f / float(maxElement)));
            Value blockScale = atMostFloatMax(
                b, arith::MulFOp::create(b, toF32(b, blockAmax), multiplier));
            blockScale = lowp::atMost(b, blockScale,
                                      float(scaling.scale.getMaxFinite()));
            code = g.encode(scale, toF64(b, blockScale), nearestSaturating());
            break;
          }
          case ScaleRule::MinMax: {
            Value range = arith::SubFOp::create(b, args[2], args[1]);
            code = g.encodeQuotient(scale, range, g.f64(levels()),
                                    nearestSaturating());
            break;
          }
          }
          int64_t invalidCode = scaling.scale.hasNaN()
                                    ? scaling.scale.getNaNCode()
                                    : scaling.scale.getMaxFiniteCode(false);
          Value invalid = blockInvalid(g, b, blockAmax);
          if (scaling.rule != ScaleRule::NVFP4)
            code = g.select(invalid, g.i64(invalidCode), code);
          SmallVector<Value> results{g.storeCode(code, scaleStorage)};
          if (scaling.rule == ScaleRule::MinMax) {
            Value blockScale = g.decode(scale, code);
            Value zero = minmaxZeroPoint(g, b, args[1], blockScale);
            Value zeroCode = g.encode(ValueFormat{scaling.zeroPoint, false},
                                      zero, nearestSaturating());
            zeroCode = g.select(invalid, g.i64(0), zeroCode);
            results.push_back(g.storeCode(zeroCode, zeroPointStorage));
          }
          linalg::YieldOp::create(b, results);
        });
    parts.scales = generic.getResult(0);
    if (zeroPointStorage)
      parts.zeroPoints = generic.getResult(1);
  }

  double qmin() const {
    return scaling.element.decode(scaling.element.getMaxFiniteCode(true));
  }
  double qmax() const { return scaling.element.getMaxFinite(); }
  double levels() const { return qmax() - qmin(); }

  /// z = clamp(qmin + round(-lowest / scale)) into both ranges, or the
  /// clamped 0 for a zero scale.
  Value minmaxZeroPoint(ElementCodegen &g, ImplicitLocOpBuilder &b,
                        Value lowest, Value blockScale) {
    const Format &zeroPoint = *scaling.zeroPoint;
    double zmin =
        std::max(qmin(), zeroPoint.decode(zeroPoint.getMaxFiniteCode(true)));
    double zmax = std::min(qmax(), zeroPoint.getMaxFinite());
    ValueFormat wide{*Format::tryMakeInteger(32, true, nullptr), false};
    Value shift =
        g.decode(wide, g.encodeQuotient(wide, arith::NegFOp::create(b, lowest),
                                        blockScale, nearestSaturating()));
    Value zero = arith::AddFOp::create(b, g.f64(qmin()), shift);
    zero = arith::MinimumFOp::create(
        b, arith::MaximumFOp::create(b, zero, g.f64(zmin)), g.f64(zmax));
    Value scaleIsZero = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ,
                                              blockScale, g.f64(0));
    return g.select(scaleIsZero, g.f64(std::clamp(0.0, zmin, zmax)), zero);
  }

  Value emitElements(Value expanded, Value expandedRandom, Value amax,
                     const Parts &parts) {
    return collapse(
        emitExpandedElements(expanded, expandedRandom, amax, parts));
  }

  /// The element codes in the expanded index space.
  Value emitExpandedElements(Value expanded, Value expandedRandom, Value amax,
                             const Parts &parts) {
    Type storage = getStorageType(resultType.getElementType());
    ValueFormat element{scaling.element, false};
    ValueFormat scale{scaling.scale, false};
    SmallVector<Value> inputs{expanded, parts.scales, amax};
    SmallVector<AffineMap> maps{builder.getMultiDimIdentityMap(2 * rank),
                                evenDims(), evenDims()};
    if (parts.zeroPoints) {
      inputs.push_back(parts.zeroPoints);
      maps.push_back(evenDims());
    }
    int randomIndex = -1;
    if (expandedRandom) {
      randomIndex = inputs.size();
      inputs.push_back(expandedRandom);
      maps.push_back(builder.getMultiDimIdentityMap(2 * rank));
    }
    maps.push_back(builder.getMultiDimIdentityMap(2 * rank));
    Value init = emptyTensor(builder, loc, expandedShape, storage);
    double unit = scaling.getElementUnit();
    auto generic = linalg::GenericOp::create(
        builder, loc, init.getType(), inputs, ValueRange{init}, maps,
        parallel(2 * rank),
        [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
          ImplicitLocOpBuilder b(nestedLoc, nested);
          ElementCodegen g(b);
          Value value = decodeInput(g, args[0]);
          Value random =
              randomIndex >= 0 ? g.loadCode(args[randomIndex]) : Value();
          Value blockScale = arith::MulFOp::create(
              b, g.decode(scale, g.loadCode(args[1])), decodedTensorScale(g));
          Value scaleIsZero = arith::CmpFOp::create(
              b, arith::CmpFPredicate::OEQ, blockScale, g.f64(0));
          Value code;
          if (scaling.rule == ScaleRule::NVFP4) {
            // f32(x * min(f32(1 / f32(s_b * S_dec)), FLT_MAX)), rounded
            // into the element format; NaN and inf need no case of their
            // own.
            Value product = arith::MulFOp::create(
                b, toF32(b, g.decode(scale, g.loadCode(args[1]))),
                toF32(b, decodedTensorScale(g)));
            Value reciprocal = atMostFloatMax(
                b, arith::DivFOp::create(b, f32Constant(b, 1.0f), product));
            Value scaled =
                arith::MulFOp::create(b, toF32(b, value), reciprocal);
            linalg::YieldOp::create(
                b, g.storeCode(g.encode(element, toF64(b, scaled),
                                        elementRounding, random),
                               storage));
            return;
          }
          if (scaling.rule == ScaleRule::MinMax) {
            ValueFormat wide{*Format::tryMakeInteger(32, true, nullptr), false};
            Value zero = g.decode(ValueFormat{scaling.zeroPoint, false},
                                  g.loadCode(args[3]));
            Value steps =
                g.decode(wide, g.encodeQuotient(wide, value, blockScale,
                                                elementRounding, random));
            steps = g.select(scaleIsZero, g.f64(0), steps);
            Value q = arith::AddFOp::create(b, zero, steps);
            q = arith::MinimumFOp::create(
                b, arith::MaximumFOp::create(b, q, g.f64(qmin())),
                g.f64(qmax()));
            code = g.encode(element, q, nearestSaturating());
          } else {
            Value step = arith::MulFOp::create(b, blockScale, g.f64(unit));
            // A zero step only where the scale is zero, which the select
            // below replaces; divide by 1 there instead.
            Value safeStep = g.select(scaleIsZero, g.f64(1.0), step);
            code = g.encodeQuotient(element, value, safeStep, elementRounding,
                                    random);
            code = g.select(scaleIsZero,
                            g.encode(element, g.f64(0.0), nearestSaturating()),
                            code);
            if (scaling.isSymmetricInteger()) {
              // MX integers keep to +-max: a code below -max (the most
              // negative) becomes -max's.
              const numerics::Format &format = scaling.element;
              Value lowest = arith::CmpFOp::create(
                  b, arith::CmpFPredicate::OLT, g.decode(element, code),
                  g.f64(-format.getMaxFinite()));
              code =
                  g.select(lowest,
                           g.i64(int64_t(format.encode(-format.getMaxFinite(),
                                                       nearestSaturating()))),
                           code);
            }
          }
          Value invalid = blockInvalid(g, b, args[2]);
          code = g.select(
              invalid,
              g.i64(int64_t(scaling.element.encode(NAN, nearestSaturating()))),
              code);
          linalg::YieldOp::create(b, g.storeCode(code, storage));
        });
    return generic.getResult(0);
  }

  OpBuilder &builder;
  Location loc;
  QuantizeOp op;
  RankedTensorType resultType;
  BlockScaledEncodingAttr encoding;
  BlockScaling scaling;
  ValueFormat input;
  Value inputTable;
  /// The tensor scale's code as a scalar, and S_enc (f32), once computed.
  Value tensorScaleCode, tensorEncodeScale;
  unsigned rank = 0;
  SmallVector<int64_t> fullBlock, expandedShape, scaleShape;
  SmallVector<ReassociationIndices> reassociation;
  double maxElement = 0;
  int minScaleExponent = 0, maxScaleExponent = 0;
  RoundingOptions elementRounding;
};

struct QuantizeOpLowering : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    QuantizeEmitter emitter(rewriter, op.getLoc(), op);
    Parts parts = emitter.emit(adaptor.getInput(), adaptor.getRandom());
    rewriter.replaceOpWithMultiple(op, {parts.values()});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// lowp.matmul
//===----------------------------------------------------------------------===//

/// A plain tensor of any format as f32 values (rounded to nearest even).
Value toF32(OpBuilder &builder, Location loc, Value stored, Type elementType) {
  auto type = cast<RankedTensorType>(stored.getType());
  if (elementType.isF32())
    return stored;
  ValueFormat from = *getValueFormat(elementType);
  ValueFormat to = *getValueFormat(builder.getF32Type());
  Value table = codebookTable(builder, loc, from);
  unsigned rank = type.getRank();
  Value init = tensor::EmptyOp::create(
      builder, loc, tensor::getMixedSizes(builder, loc, stored),
      builder.getF32Type());
  SmallVector<AffineMap> maps(2, builder.getMultiDimIdentityMap(rank));
  return linalg::GenericOp::create(
             builder, loc, init.getType(), ValueRange{stored}, ValueRange{init},
             maps, parallel(rank),
             [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               ImplicitLocOpBuilder b(nestedLoc, nested);
               ElementCodegen g(b);
               Value value = g.decode(from, g.loadCode(args[0]), table);
               linalg::YieldOp::create(
                   b, g.storeCode(g.encode(to, value, RoundingOptions{}),
                                  b.getF32Type()));
             })
      .getResult(0);
}

/// A plain integer tensor as i32 values.
Value toI32(OpBuilder &builder, Location loc, Value stored, Type elementType) {
  auto type = cast<RankedTensorType>(stored.getType());
  ValueFormat from = *getValueFormat(elementType);
  unsigned rank = type.getRank();
  Value init = tensor::EmptyOp::create(
      builder, loc, tensor::getMixedSizes(builder, loc, stored),
      builder.getI32Type());
  SmallVector<AffineMap> maps(2, builder.getMultiDimIdentityMap(rank));
  return linalg::GenericOp::create(
             builder, loc, init.getType(), ValueRange{stored}, ValueRange{init},
             maps, parallel(rank),
             [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               ImplicitLocOpBuilder b(nestedLoc, nested);
               ElementCodegen g(b);
               Value value = g.decode(from, g.loadCode(args[0]));
               Value integer =
                   arith::FPToSIOp::create(b, b.getI32Type(), value);
               linalg::YieldOp::create(b, integer);
             })
      .getResult(0);
}

struct MatmulOpLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatmulOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    bool integerAccumulator = op.getAccumulator().isSignlessInteger(32);
    auto resultType = cast<RankedTensorType>(op.getType());
    Value product = emitDequantizedProduct(op, adaptor, rewriter, resultType);
    Type resultElement = resultType.getElementType();
    if (resultElement.isF32() && !integerAccumulator) {
      rewriter.replaceOp(op, product);
      return success();
    }
    // Round the sum once into the result's format.
    ValueFormat to = *getValueFormat(resultElement);
    Type storage = getStorageType(resultElement);
    unsigned rank = resultType.getRank();
    Value resultInit = tensor::EmptyOp::create(
        rewriter, loc, tensor::getMixedSizes(rewriter, loc, product), storage);
    SmallVector<AffineMap> maps(2, rewriter.getMultiDimIdentityMap(rank));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultInit.getType(), ValueRange{product},
        ValueRange{resultInit}, maps, parallel(rank),
        [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
          ImplicitLocOpBuilder b(nestedLoc, nested);
          ElementCodegen g(b);
          Value sum =
              integerAccumulator
                  ? Value(arith::SIToFPOp::create(b, b.getF64Type(), args[0]))
                  : Value(arith::ExtFOp::create(b, b.getF64Type(), args[0]));
          linalg::YieldOp::create(
              b, g.storeCode(g.encode(to, sum, RoundingOptions{}), storage));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }

private:
  /// Every operand converted to a plain f32 (or i32) tensor, then
  /// multiplied: the path for what lowp-vectorize's kernels do not cover.
  Value emitDequantizedProduct(MatmulOp op, OneToNOpAdaptor adaptor,
                               ConversionPatternRewriter &rewriter,
                               RankedTensorType resultType) const {
    Location loc = op.getLoc();
    bool integerAccumulator = op.getAccumulator().isSignlessInteger(32);
    auto operand = [&](Value original, ValueRange lowered) -> Value {
      auto type = cast<RankedTensorType>(original.getType());
      if (auto encoding = getEncoding(type))
        return emitDequantize(rewriter, loc, Parts::from(lowered, encoding),
                              type, rewriter.getF32Type());
      if (integerAccumulator)
        return toI32(rewriter, loc, lowered[0], type.getElementType());
      return toF32(rewriter, loc, lowered[0], type.getElementType());
    };
    Value lhs = operand(op.getLhs(), adaptor.getLhs());
    Value rhs = operand(op.getRhs(), adaptor.getRhs());
    if (op.getTransposeRhs()) {
      // N x K to K x N (the batch dimension, if any, stays first).
      auto type = cast<RankedTensorType>(rhs.getType());
      SmallVector<int64_t> permutation = type.getRank() == 3
                                             ? SmallVector<int64_t>{0, 2, 1}
                                             : SmallVector<int64_t>{1, 0};
      rhs = transposed(rewriter, loc, rhs, permutation);
    }
    Type accumulator = op.getAccumulator();
    Value zero = arith::ConstantOp::create(rewriter, loc,
                                           rewriter.getZeroAttr(accumulator));
    // Only the rows of lhs (and its batch) may be dynamic: the verifier and
    // checkLowerable keep K and N static.
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, lhs);
    sizes.back() = rewriter.getIndexAttr(resultType.getShape().back());
    Value init =
        linalg::FillOp::create(
            rewriter, loc, zero,
            Value(tensor::EmptyOp::create(rewriter, loc, sizes, accumulator)))
            .getResult(0);
    // The loop nest (b,) m, k, n: the innermost loop is a row of rhs times
    // one lhs value added to a row of the result, contiguous in both, which
    // LLVM vectorizes without reassociating a sum; linalg.matmul's m, n, k
    // would walk rhs down its columns. lowp-parallelize-elementwise splits
    // the outermost parallel dimension across the cores.
    MLIRContext *context = rewriter.getContext();
    unsigned rank = resultType.getRank();
    SmallVector<AffineExpr> dims;
    for (unsigned d = 0; d <= rank; ++d)
      dims.push_back(getAffineDimExpr(d, context));
    SmallVector<AffineExpr> batch(dims.begin(), dims.begin() + (rank - 2));
    AffineExpr m = dims[rank - 2], k = dims[rank - 1], n = dims[rank];
    auto map = [&](AffineExpr row, AffineExpr column) {
      SmallVector<AffineExpr> exprs(batch);
      exprs.push_back(row);
      exprs.push_back(column);
      return AffineMap::get(rank + 1, 0, exprs, context);
    };
    SmallVector<utils::IteratorType> iterators = parallel(rank + 1);
    iterators[rank - 1] = utils::IteratorType::reduction;
    return linalg::GenericOp::create(
               rewriter, loc, init.getType(), ValueRange{lhs, rhs}, init,
               {map(m, k), map(k, n), map(m, n)}, iterators,
               [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
                 Value sum;
                 if (integerAccumulator) {
                   Value product =
                       arith::MulIOp::create(b, nestedLoc, args[0], args[1]);
                   sum = arith::AddIOp::create(b, nestedLoc, args[2], product);
                 } else {
                   Value product =
                       arith::MulFOp::create(b, nestedLoc, args[0], args[1]);
                   sum = arith::AddFOp::create(b, nestedLoc, args[2], product);
                 }
                 linalg::YieldOp::create(b, nestedLoc, sum);
               })
        .getResult(0);
  }
};

//===----------------------------------------------------------------------===//
// lowp.pack / lowp.unpack
//===----------------------------------------------------------------------===//

Value indexConstant(ImplicitLocOpBuilder &b, int64_t value) {
  return arith::ConstantIndexOp::create(b, value);
}

Value i32Constant(ImplicitLocOpBuilder &b, int64_t value) {
  return arith::ConstantIntOp::create(b, b.getI32Type(), value);
}

/// linalg.index for every dimension of a rank-`rank` loop nest.
SmallVector<Value> loopIndices(ImplicitLocOpBuilder &b, unsigned rank) {
  SmallVector<Value> indices;
  for (unsigned d = 0; d < rank; ++d)
    indices.push_back(linalg::IndexOp::create(b, d));
  return indices;
}

/// Reads each element's w bits out of its row's bit stream.
struct UnpackOpLowering : OpConversionPattern<UnpackOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(UnpackOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    unsigned width = getNumericFormat(element)->getBitWidth();
    bool signExtend =
        isa<IntegerType>(element) && !cast<IntegerType>(element).isUnsigned();
    Type storage = getStorageType(element);
    int64_t rowBytes =
        cast<RankedTensorType>(adaptor.getInput().getType()).getShape().back();
    unsigned rank = type.getRank();
    Value init = emptyTensor(rewriter, op.getLoc(), type.getShape(), storage);
    Value packed = adaptor.getInput();
    auto generic = linalg::GenericOp::create(
        rewriter, op.getLoc(), init.getType(), ValueRange{}, ValueRange{init},
        SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank)},
        parallel(rank), [&](OpBuilder &nested, Location loc, ValueRange) {
          ImplicitLocOpBuilder b(loc, nested);
          auto index = [&](int64_t v) { return indexConstant(b, v); };
          auto i32 = [&](int64_t v) { return i32Constant(b, v); };
          SmallVector<Value> indices = loopIndices(b, rank);
          Value bit = arith::MulIOp::create(b, indices.back(), index(width));
          Value byte = arith::DivUIOp::create(b, bit, index(8));
          Value shift = arith::IndexCastOp::create(
              b, b.getI32Type(), arith::RemUIOp::create(b, bit, index(8)));
          SmallVector<Value> at(indices);
          at.back() = byte;
          Value low = arith::ExtUIOp::create(
              b, b.getI32Type(), tensor::ExtractOp::create(b, packed, at));
          Value nextByte = arith::AddIOp::create(b, byte, index(1));
          Value inRow = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                              nextByte, index(rowBytes));
          at.back() = arith::MinUIOp::create(b, nextByte, index(rowBytes - 1));
          Value high = arith::ExtUIOp::create(
              b, b.getI32Type(), tensor::ExtractOp::create(b, packed, at));
          high = arith::SelectOp::create(b, inRow, high, i32(0));
          Value word = arith::OrIOp::create(
              b, low, arith::ShLIOp::create(b, high, i32(8)));
          Value code =
              arith::AndIOp::create(b, arith::ShRUIOp::create(b, word, shift),
                                    i32((int64_t(1) << width) - 1));
          if (signExtend)
            code = arith::ShRSIOp::create(
                b, arith::ShLIOp::create(b, code, i32(32 - width)),
                i32(32 - width));
          linalg::YieldOp::create(
              b, arith::TruncIOp::create(b, storage, code).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// lowp.hadamard as log2(B) + 1 parallel loops over the tensor, exactly
/// numerics::hadamardBlock's operations: the first multiplies by the
/// signs and does the h = 1 butterflies, each next one the following h
/// (each element reads itself and its partner j XOR h in its block), the
/// last also multiplies by f32(1 / sqrt(B)).
struct HadamardLowering : OpConversionPattern<HadamardOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(HadamardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    unsigned rank = type.getRank();
    int64_t axis = op.getAxis(), block = op.getBlock();
    SmallVector<float> signValues = op.getSigns();
    Value signs = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(
            RankedTensorType::get({block}, rewriter.getF32Type()),
            ArrayRef<float>(signValues)));
    float scale = numerics::hadamardScale(block);
    Value current = adaptor.getInput();
    for (int64_t h = 1; h < block; h *= 2) {
      bool first = h == 1, last = 2 * h == block;
      Value init =
          emptyTensor(rewriter, loc, type.getShape(), rewriter.getF32Type());
      Value source = current;
      auto generic = linalg::GenericOp::create(
          rewriter, loc, init.getType(), ValueRange{}, ValueRange{init},
          SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank)},
          parallel(rank), [&](OpBuilder &nested, Location l, ValueRange) {
            ImplicitLocOpBuilder b(l, nested);
            auto index = [&](int64_t v) { return indexConstant(b, v); };
            SmallVector<Value> indices = loopIndices(b, rank);
            Value j = arith::RemUIOp::create(b, indices[axis], index(block));
            Value upper = arith::CmpIOp::create(
                b, arith::CmpIPredicate::ne,
                arith::AndIOp::create(b, j, index(h)), index(0));
            // The pair's first and second elements, along the axis.
            Value low = arith::SelectOp::create(
                b, upper, arith::SubIOp::create(b, indices[axis], index(h)),
                indices[axis]);
            Value high = arith::AddIOp::create(b, low, index(h));
            auto read = [&](Value position) {
              SmallVector<Value> at(indices);
              at[axis] = position;
              Value x = tensor::ExtractOp::create(b, source, at);
              if (!first)
                return x;
              Value within = arith::RemUIOp::create(b, position, index(block));
              Value sign = tensor::ExtractOp::create(b, signs, within);
              return arith::MulFOp::create(b, x, sign).getResult();
            };
            Value a = read(low), c = read(high);
            Value result = arith::SelectOp::create(
                b, upper, arith::SubFOp::create(b, a, c),
                arith::AddFOp::create(b, a, c));
            if (last)
              result = arith::MulFOp::create(
                  b, result,
                  arith::ConstantOp::create(b, b.getF32FloatAttr(scale)));
            linalg::YieldOp::create(b, ValueRange{result});
          });
      current = generic.getResult(0);
    }
    rewriter.replaceOp(op, current);
    return success();
  }
};

/// lowp.random_bits as a parallel loop: each element computes its own
/// Philox 4x32-10 block (numerics/Philox.h) from its linear index in i32
/// and i64 arithmetic, the 32x32 -> 64-bit products as i64 multiplies,
/// and keeps its word's low bits. Four neighbours recompute one block;
/// elementwise loops are bound by memory, and the loop stays one kernel on
/// every target.
struct RandomBitsLowering : OpConversionPattern<RandomBitsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RandomBitsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    unsigned rank = type.getRank();
    auto storage = cast<IntegerType>(type.getElementType());
    Type bits = IntegerType::get(rewriter.getContext(), storage.getWidth());
    Value init = emptyTensor(rewriter, op.getLoc(), type.getShape(), bits);
    Value seed = adaptor.getSeed(), offset = adaptor.getOffset();
    auto generic = linalg::GenericOp::create(
        rewriter, op.getLoc(), init.getType(), ValueRange{}, ValueRange{init},
        SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank)},
        parallel(rank), [&](OpBuilder &nested, Location loc, ValueRange) {
          ImplicitLocOpBuilder b(loc, nested);
          Type i32 = b.getI32Type(), i64 = b.getI64Type();
          auto c32 = [&](uint32_t v) {
            return arith::ConstantIntOp::create(b, i32, int64_t(v));
          };
          auto c64 = [&](int64_t v) {
            return arith::ConstantIntOp::create(b, i64, v);
          };
          // The row-major linear index.
          SmallVector<Value> indices = loopIndices(b, rank);
          Value linear = c64(0);
          for (unsigned d = 0; d < rank; ++d) {
            Value index = arith::IndexCastUIOp::create(b, i64, indices[d]);
            linear = arith::AddIOp::create(
                b, arith::MulIOp::create(b, linear, c64(type.getDimSize(d))),
                index);
          }
          Value block = arith::AddIOp::create(
              b, offset, arith::ShRUIOp::create(b, linear, c64(2)));
          Value word = arith::AndIOp::create(b, linear, c64(3));
          auto low = [&](Value v) {
            return arith::TruncIOp::create(b, i32, v);
          };
          auto high = [&](Value v) {
            return arith::TruncIOp::create(
                b, i32, arith::ShRUIOp::create(b, v, c64(32)));
          };
          Value counter[4] = {low(block), high(block), c32(0), c32(0)};
          Value key[2] = {low(seed), high(seed)};
          for (int round = 0; round < numerics::kPhiloxRounds; ++round) {
            if (round > 0) {
              key[0] = arith::AddIOp::create(
                  b, key[0], c32(numerics::kPhiloxKeyIncrement0));
              key[1] = arith::AddIOp::create(
                  b, key[1], c32(numerics::kPhiloxKeyIncrement1));
            }
            auto product = [&](uint32_t multiplier, Value x) {
              return arith::MulIOp::create(b, c64(int64_t(multiplier)),
                                           arith::ExtUIOp::create(b, i64, x));
            };
            Value p0 = product(numerics::kPhiloxMultiplier0, counter[0]);
            Value p1 = product(numerics::kPhiloxMultiplier1, counter[2]);
            Value next[4] = {
                arith::XOrIOp::create(
                    b, arith::XOrIOp::create(b, high(p1), counter[1]), key[0]),
                low(p1),
                arith::XOrIOp::create(
                    b, arith::XOrIOp::create(b, high(p0), counter[3]), key[1]),
                low(p0)};
            std::copy(std::begin(next), std::end(next), std::begin(counter));
          }
          Value chosen = counter[3];
          for (int w = 2; w >= 0; --w)
            chosen = arith::SelectOp::create(
                b,
                arith::CmpIOp::create(b, arith::CmpIPredicate::eq, word,
                                      c64(w)),
                counter[w], chosen);
          if (storage.getWidth() < 32)
            chosen = arith::TruncIOp::create(b, bits, chosen);
          linalg::YieldOp::create(b, ValueRange{chosen});
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Writes each byte from the (at most ceil(8/w) + 1) elements whose bits
/// overlap it.
struct PackOpLowering : OpConversionPattern<PackOp> {
  PackOpLowering(const TypeConverter &converter, MLIRContext *context,
                 bool fuseConversions)
      : OpConversionPattern(converter, context),
        fuseConversions(fuseConversions) {}

  LogicalResult
  matchAndRewrite(PackOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto type = cast<RankedTensorType>(op.getType());
    // Packing a convert's result: convert straight into the packed bytes
    // (the convert's own loop is then dead).
    if (auto convert = op.getInput().getDefiningOp<ConvertOp>();
        fuseConversions && convert && convert->hasOneUse()) {
      Value random = convert.getRandom()
                         ? rewriter.getRemappedValue(convert.getRandom())
                         : Value();
      ElementConversion conversion(convert);
      if (Value fused = emitPackedConvert(
              rewriter, op.getLoc(), convert,
              rewriter.getRemappedValue(convert.getInput()), random,
              codebookTable(rewriter, op.getLoc(), conversion.from), type)) {
        rewriter.replaceOp(op, fused);
        return success();
      }
    }
    unsigned width =
        getNumericFormat(inputType.getElementType())->getBitWidth();
    int64_t count = inputType.getShape().back();
    unsigned rank = type.getRank();
    Value init = emptyTensor(rewriter, op.getLoc(), type.getShape(),
                             rewriter.getI8Type());
    Value codes = adaptor.getInput();
    auto generic = linalg::GenericOp::create(
        rewriter, op.getLoc(), init.getType(), ValueRange{}, ValueRange{init},
        SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank)},
        parallel(rank), [&](OpBuilder &nested, Location loc, ValueRange) {
          ImplicitLocOpBuilder b(loc, nested);
          auto index = [&](int64_t v) { return indexConstant(b, v); };
          auto i32 = [&](int64_t v) { return i32Constant(b, v); };
          SmallVector<Value> indices = loopIndices(b, rank);
          Value byteBit = arith::IndexCastOp::create(
              b, b.getI32Type(),
              arith::MulIOp::create(b, indices.back(), index(8)));
          Value first = arith::DivUIOp::create(
              b, arith::MulIOp::create(b, indices.back(), index(8)),
              index(width));
          Value accumulated = i32(0);
          for (unsigned t = 0; t <= (8 + width - 1) / width; ++t) {
            Value j = arith::AddIOp::create(b, first, index(t));
            SmallVector<Value> at(indices);
            at.back() = arith::MinUIOp::create(b, j, index(count - 1));
            Value code = arith::AndIOp::create(
                b,
                arith::ExtUIOp::create(b, b.getI32Type(),
                                       tensor::ExtractOp::create(b, codes, at)),
                i32((int64_t(1) << width) - 1));
            Value offset = arith::SubIOp::create(
                b,
                arith::IndexCastOp::create(
                    b, b.getI32Type(),
                    arith::MulIOp::create(b, j, index(width))),
                byteBit);
            Value nonNegative = arith::CmpIOp::create(
                b, arith::CmpIPredicate::sge, offset, i32(0));
            Value left = arith::ShLIOp::create(
                b, code,
                arith::MinSIOp::create(
                    b, arith::MaxSIOp::create(b, offset, i32(0)), i32(31)));
            Value right = arith::ShRUIOp::create(
                b, code,
                arith::MinSIOp::create(
                    b,
                    arith::MaxSIOp::create(
                        b, arith::SubIOp::create(b, i32(0), offset), i32(0)),
                    i32(31)));
            Value contribution =
                arith::SelectOp::create(b, nonNegative, left, right);
            Value valid = arith::AndIOp::create(
                b,
                arith::CmpIOp::create(b, arith::CmpIPredicate::ult, j,
                                      index(count)),
                arith::CmpIOp::create(b, arith::CmpIPredicate::slt, offset,
                                      i32(8)));
            accumulated = arith::OrIOp::create(
                b, accumulated,
                arith::SelectOp::create(b, valid, contribution, i32(0)));
          }
          linalg::YieldOp::create(
              b, arith::TruncIOp::create(b, b.getI8Type(), accumulated)
                     .getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }

  bool fuseConversions;
};

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

/// arith.constant of a low-precision type: the same bits in storage.
struct ConstantOpLowering : OpConversionPattern<arith::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(arith::ConstantOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type type = op.getType();
    Type element = getElementTypeOrSelf(type);
    if (!needsStorage(element) || getEncoding(type))
      return failure();
    Type storage = getStorageType(element);
    unsigned width = storage.getIntOrFloatBitWidth();
    auto toStorage = [&](Attribute attr) -> APInt {
      APInt bits = isa<FloatAttr>(attr)
                       ? cast<FloatAttr>(attr).getValue().bitcastToAPInt()
                       : cast<IntegerAttr>(attr).getValue();
      return bits.zextOrTrunc(width);
    };
    if (auto dense = dyn_cast<DenseElementsAttr>(op.getValue())) {
      // Tensor or vector constants alike.
      auto newType = cast<ShapedType>(type).clone(storage);
      // A splat stays one code, whatever its size.
      if (dense.isSplat()) {
        rewriter.replaceOpWithNewOp<arith::ConstantOp>(
            op, DenseElementsAttr::get(
                    newType, toStorage(dense.getSplatValue<Attribute>())));
        return success();
      }
      SmallVector<APInt> codes;
      for (Attribute attr : dense.getValues<Attribute>())
        codes.push_back(toStorage(attr));
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(
          op, DenseElementsAttr::get(newType, codes));
      return success();
    }
    APInt bits = toStorage(op.getValue());
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, rewriter.getIntegerAttr(storage, bits));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Values that only move
//===----------------------------------------------------------------------===//

/// Ops that only move values (select, yield, vector transfers of unpacked
/// codes): the same op on storage.
template <typename MoveOp>
struct StorageMoveLowering : OpConversionPattern<MoveOp> {
  using OpConversionPattern<MoveOp>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MoveOp op, typename MoveOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Type> types;
    if (failed(this->getTypeConverter()->convertTypes(op->getResultTypes(),
                                                      types)))
      return failure();
    rewriter.replaceOpWithNewOp<MoveOp>(op, types, adaptor.getOperands(),
                                        op->getAttrs());
    return success();
  }
};

/// Ops of the tensor, linalg and vector dialects that only reshape, slice,
/// join, pad, fill, permute or broadcast values (tensor.collapse_shape,
/// tensor.pad, linalg.fill, vector.broadcast, ...): a low-precision element
/// is its code, so the same op on the storage tensors, with the element
/// arguments of its body (if any) converted. A pad's or fill's value is the
/// code of its element, so padding with 1.5 in E4M3 writes 0x3c.
struct StorageStructuralLowering : ConversionPattern {
  StorageStructuralLowering(const TypeConverter &converter,
                            MLIRContext *context)
      : ConversionPattern(converter, MatchAnyOpTypeTag(), /*benefit=*/1,
                          context) {}

  static bool isMove(Operation *op) {
    return isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp, tensor::CastOp,
               tensor::DimOp, tensor::ExtractSliceOp, tensor::InsertSliceOp,
               tensor::ConcatOp, tensor::ExtractOp, tensor::InsertOp,
               tensor::FromElementsOp, tensor::SplatOp, tensor::PadOp,
               tensor::GenerateOp, tensor::ReshapeOp, tensor::YieldOp,
               linalg::TransposeOp, linalg::BroadcastOp, linalg::FillOp,
               linalg::CopyOp, vector::BroadcastOp>(op);
  }

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isMove(op))
      return failure();
    SmallVector<Type> types;
    if (failed(getTypeConverter()->convertTypes(op->getResultTypes(), types)))
      return failure();
    OperationState state(op->getLoc(), op->getName(), operands, types,
                         op->getAttrs());
    for (size_t i = 0; i < op->getNumRegions(); ++i)
      state.addRegion();
    Operation *moved = rewriter.create(state);
    for (auto [from, to] : llvm::zip(op->getRegions(), moved->getRegions())) {
      rewriter.inlineRegionBefore(from, to, to.end());
      if (failed(rewriter.convertRegionTypes(&to, *getTypeConverter())))
        return failure();
    }
    rewriter.replaceOp(op, moved->getResults());
    return success();
  }
};

/// Integer arith on integers stored in a wider container (i2..i7, i9..i15,
/// i17..i31 and their si/ui forms): the op on the container, each operand
/// first sign- or zero-extended from its width as the op reads it, and the
/// result brought back to its width's value (sign-extended in the
/// container, the storage of docs/Lowering.md). Exact modulo 2^width, as
/// arith defines the ops.
struct NarrowIntegerArithLowering : ConversionPattern {
  NarrowIntegerArithLowering(const TypeConverter &converter,
                             MLIRContext *context)
      : ConversionPattern(converter, MatchAnyOpTypeTag(), /*benefit=*/1,
                          context) {}

  static bool isNarrow(Type type) {
    auto integer = dyn_cast<IntegerType>(getElementTypeOrSelf(type));
    return integer && needsStorage(integer);
  }

  static bool readsUnsigned(Operation *op, unsigned operand) {
    if (auto compare = dyn_cast<arith::CmpIOp>(op)) {
      using P = arith::CmpIPredicate;
      P p = compare.getPredicate();
      return p == P::ult || p == P::ule || p == P::ugt || p == P::uge;
    }
    if (isa<arith::ShRUIOp>(op))
      return operand == 0;
    return isa<arith::DivUIOp, arith::RemUIOp, arith::MinUIOp, arith::MaxUIOp,
               arith::CeilDivUIOp, arith::ExtUIOp, arith::UIToFPOp,
               arith::IndexCastUIOp>(op);
  }

  static bool isCast(Operation *op) {
    return isa<arith::ExtSIOp, arith::ExtUIOp, arith::TruncIOp,
               arith::IndexCastOp, arith::IndexCastUIOp>(op);
  }

  /// `value` (a container of `width` meaningful bits) sign- or
  /// zero-extended from bit width - 1 within its container.
  static Value extendFrom(OpBuilder &b, Location loc, Value value,
                          unsigned width, bool isUnsigned) {
    Type type = value.getType();
    unsigned bits = getElementTypeOrSelf(type).getIntOrFloatBitWidth();
    if (width >= bits)
      return value;
    auto constant = [&](int64_t v) -> Value {
      auto element = cast<IntegerType>(getElementTypeOrSelf(type));
      TypedAttr attr = IntegerAttr::get(element, v);
      if (auto shaped = dyn_cast<ShapedType>(type))
        return arith::ConstantOp::create(b, loc,
                                         DenseElementsAttr::get(shaped, attr));
      return arith::ConstantOp::create(b, loc, attr);
    };
    if (isUnsigned)
      return arith::AndIOp::create(b, loc, value,
                                   constant((int64_t(1) << width) - 1));
    Value shift = constant(bits - width);
    return arith::ShRSIOp::create(
        b, loc, arith::ShLIOp::create(b, loc, value, shift), shift);
  }

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op->getDialect() || !isa<arith::ArithDialect>(op->getDialect()) ||
        isa<arith::ConstantOp, arith::SelectOp, arith::BitcastOp>(op) ||
        op->getNumResults() != 1)
      return failure();
    if (!llvm::any_of(op->getOperandTypes(), isNarrow) &&
        !llvm::any_of(op->getResultTypes(), isNarrow))
      return failure();
    Location loc = op->getLoc();
    Type resultType =
        getTypeConverter()->convertType(op->getResult(0).getType());
    if (!resultType)
      return failure();
    SmallVector<Value> read;
    for (auto [index, operand] : llvm::enumerate(operands)) {
      Type original = op->getOperand(index).getType();
      auto integer = dyn_cast<IntegerType>(getElementTypeOrSelf(original));
      read.push_back(integer && isNarrow(original)
                         ? extendFrom(rewriter, loc, operand,
                                      integer.getWidth(),
                                      readsUnsigned(op, index))
                         : operand);
    }
    Value result;
    if (isCast(op)) {
      // Between containers: they may be of one width (i4 -> i6), so the
      // cast is an extension, a truncation or nothing.
      Value value = read[0];
      unsigned
          from = getElementTypeOrSelf(value.getType()).getIntOrFloatBitWidth(),
          to = isa<IndexType>(getElementTypeOrSelf(resultType))
                   ? 64
                   : getElementTypeOrSelf(resultType).getIntOrFloatBitWidth();
      bool isUnsigned = readsUnsigned(op, 0);
      if (isa<IndexType>(getElementTypeOrSelf(resultType)) ||
          isa<IndexType>(getElementTypeOrSelf(value.getType())))
        result = isUnsigned
                     ? Value(arith::IndexCastUIOp::create(rewriter, loc,
                                                          resultType, value))
                     : Value(arith::IndexCastOp::create(rewriter, loc,
                                                        resultType, value));
      else if (from < to)
        result = isUnsigned ? Value(arith::ExtUIOp::create(rewriter, loc,
                                                           resultType, value))
                            : Value(arith::ExtSIOp::create(rewriter, loc,
                                                           resultType, value));
      else if (from > to)
        result = arith::TruncIOp::create(rewriter, loc, resultType, value);
      else
        result = value;
    } else {
      OperationState state(loc, op->getName(), read, TypeRange{resultType},
                           op->getAttrs());
      result = rewriter.create(state)->getResult(0);
    }
    Type original = op->getResult(0).getType();
    if (isNarrow(original))
      result = extendFrom(
          rewriter, loc, result,
          cast<IntegerType>(getElementTypeOrSelf(original)).getWidth(),
          /*isUnsigned=*/false);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// arith.bitcast to or from a format stored as its code (f8E4M3FN <-> i8,
/// bf16 <-> i16, on scalars and vectors): the code is the bits, so the
/// storage value itself, or a bitcast between storage types (f32 <-> i32
/// codes).
struct BitcastLowering : OpConversionPattern<arith::BitcastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(arith::BitcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type type = getTypeConverter()->convertType(op.getType());
    if (!type)
      return failure();
    Value input = adaptor.getIn();
    if (input.getType() != type)
      input = arith::BitcastOp::create(rewriter, op.getLoc(), type, input);
    // A code narrower than its container is stored as the container's low
    // bits (a float's code, an unsigned integer) or sign-extended in it (a
    // signed integer, docs/Lowering.md "Storage"): the same bits may need
    // the other form.
    Type element = getElementTypeOrSelf(op.getType());
    Type container = getElementTypeOrSelf(type);
    unsigned width = element.getIntOrFloatBitWidth();
    unsigned bits = container.getIntOrFloatBitWidth();
    if (width < bits && isa<IntegerType>(container)) {
      auto constant = [&](int64_t v) -> Value {
        TypedAttr attr = IntegerAttr::get(container, v);
        if (auto shaped = dyn_cast<ShapedType>(type))
          attr = DenseElementsAttr::get(shaped, attr);
        return arith::ConstantOp::create(rewriter, op.getLoc(), attr);
      };
      auto integer = dyn_cast<IntegerType>(element);
      if (integer && !integer.isUnsigned()) {
        Value shift = constant(bits - width);
        input = arith::ShRSIOp::create(
            rewriter, op.getLoc(),
            arith::ShLIOp::create(rewriter, op.getLoc(), input, shift), shift);
      } else {
        input = arith::AndIOp::create(rewriter, op.getLoc(), input,
                                      constant((int64_t(1) << width) - 1));
      }
    }
    rewriter.replaceOp(op, input);
    return success();
  }
};

/// linalg.generic over low-precision tensors: the same loop nest over the
/// storage tensors, with its block arguments converted.
struct GenericOpLowering : OpConversionPattern<linalg::GenericOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(linalg::GenericOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Type> resultTypes;
    if (failed(
            getTypeConverter()->convertTypes(op.getResultTypes(), resultTypes)))
      return failure();
    auto generic = linalg::GenericOp::create(
        rewriter, op.getLoc(), resultTypes, adaptor.getInputs(),
        adaptor.getOutputs(), op.getIndexingMapsArray(),
        op.getIteratorTypesArray());
    rewriter.inlineRegionBefore(op.getRegion(), generic.getRegion(),
                                generic.getRegion().end());
    if (failed(rewriter.convertRegionTypes(&generic.getRegion(),
                                           *getTypeConverter())))
      return failure();
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// The casts lowp-vectorize leaves between the values it lowered and those
/// it did not (a block-scaled tensor and its parts, a format and its
/// storage): once both sides are lowered they hold the same values, so each
/// result is the matching converted operand.
struct ForwardStorageCasts : OpConversionPattern<UnrealizedConversionCastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(UnrealizedConversionCastOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Value> operands;
    for (ValueRange operand : adaptor.getOperands())
      llvm::append_range(operands, operand);
    SmallVector<SmallVector<Value>> results;
    size_t next = 0;
    for (Type type : op.getResultTypes()) {
      SmallVector<Type> converted;
      if (failed(getTypeConverter()->convertType(type, converted)))
        return failure();
      if (next + converted.size() > operands.size())
        return rewriter.notifyMatchFailure(op, "not a storage cast");
      SmallVector<Value> values(operands.begin() + next,
                                operands.begin() + next + converted.size());
      if (TypeRange(values) != TypeRange(converted))
        return rewriter.notifyMatchFailure(op, "not a storage cast");
      results.push_back(values);
      next += converted.size();
    }
    if (next != operands.size())
      return rewriter.notifyMatchFailure(op, "not a storage cast");
    rewriter.replaceOpWithMultiple(op, results);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct ConvertLowpToLinalgPass
    : lowp::impl::ConvertLowpToLinalgBase<ConvertLowpToLinalgPass> {
  using ConvertLowpToLinalgBase::ConvertLowpToLinalgBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    WalkResult checked = module.walk([](Operation *op) {
      if (op->getDialect() && isa<LowpDialect>(op->getDialect()) &&
          failed(checkLowerable(op)))
        return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (checked.wasInterrupted())
      return signalPassFailure();

    MLIRContext *context = &getContext();
    // Named linalg ops that compute on codes become linalg.generic, whose
    // bodies are legalized below.
    if (failed(generalizeNamedOpsOnCodes(module)))
      return signalPassFailure();
    // Arith and math on formats stored as codes become f64 ops between
    // lowp.converts (lowp-legalize-arith), which this pass then lowers.
    RewritePatternSet legalization(context);
    populateLowpLegalizeArithPatterns(legalization);
    // Requantizes (where lowp-vectorize did not run) are the pairs they
    // stand for.
    populateSplitRequantizePatterns(legalization);
    if (failed(applyPatternsGreedily(module, std::move(legalization))))
      return signalPassFailure();

    StorageTypeConverter converter;
    ConversionTarget target(*context);
    target.addIllegalDialect<LowpDialect>();
    // The kernels' vector building block stays for convert-lowp-to-llvm.
    target.addLegalOp<LookupOp, DotBytesOp>();
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return converter.isLegal(op); });
    // vdpbf16ps's bf16 operands in the matmul kernels are register values
    // made from 32-bit words, never stored: they stay bf16 vectors for
    // convert-vector-to-llvm.
    target.addLegalDialect<x86vector::X86VectorDialect>();
    target.addDynamicallyLegalOp<vector::BitCastOp>([&](vector::BitCastOp op) {
      return converter.isLegal(op.getOperation()) ||
             op.getResultVectorType().getElementType().isBF16();
    });
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp func) {
      return converter.isSignatureLegal(func.getFunctionType()) &&
             converter.isLegal(&func.getBody());
    });
    RewritePatternSet patterns(context);
    patterns.add<ConvertOpLowering, DequantizeOpLowering, AssembleOpLowering,
                 DisassembleOpLowering, RelayoutOpLowering, QuantizeOpLowering,
                 ConstantOpLowering, StorageMoveLowering<arith::SelectOp>,
                 StorageMoveLowering<linalg::YieldOp>,
                 StorageMoveLowering<tensor::EmptyOp>, GenericOpLowering,
                 UnpackOpLowering, BitcastLowering,
                 StorageMoveLowering<vector::TransferReadOp>,
                 StorageMoveLowering<vector::TransferWriteOp>>(converter,
                                                               context);
    patterns.add<PackOpLowering>(converter, context, fusePackedConversions);
    patterns.add<RandomBitsLowering, HadamardLowering>(converter, context);
    patterns.add<MatmulOpLowering, ForwardStorageCasts,
                 StorageStructuralLowering, NarrowIntegerArithLowering>(
        converter, context);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);
    // scf.for, scf.if and scf.while carrying low-precision or block-scaled
    // tensors carry their storage (a block-scaled tensor as its parts).
    scf::populateSCFStructuralTypeConversionsAndLegality(converter, patterns,
                                                         target);
    // An op no pattern covers fails the conversion with MLIR's "failed to
    // legalize ...", which reads like an internal error: say instead, at
    // the op, that lowp does not lower it yet.
    SmallVector<std::pair<Location, std::string>> unsupported;
    LogicalResult converted = failure();
    {
      ScopedDiagnosticHandler rewrite(context, [&](Diagnostic &diag) {
        if (diag.getSeverity() != DiagnosticSeverity::Error)
          return failure();
        std::string message = diag.str();
        StringRef text(message);
        if (!text.starts_with("failed to legalize"))
          return failure();
        std::string what = "a value of this type here";
        if (text.starts_with("failed to legalize operation '")) {
          StringRef name = text.drop_front(30);
          what = "'" + name.take_until([](char c) { return c == '\''; }).str() +
                 "' on these types";
        }
        unsupported.push_back({diag.getLocation(), what});
        return success();
      });
      converted = applyFullConversion(module, target, std::move(patterns));
    }
    for (auto &[location, what] : unsupported)
      emitError(location) << what
                          << " is not lowered by lowp yet (docs/Lowering.md, "
                             "\"Not lowered yet\")";
    if (failed(converted))
      signalPassFailure();
  }
};

} // namespace
