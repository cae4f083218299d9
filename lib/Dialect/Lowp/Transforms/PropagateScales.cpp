//===- PropagateScales.cpp - Keep block-scaled operands encoded -----------===//

#include "lowp/Dialect/Lowp/IR/LowpOps.h"
#include "lowp/Dialect/Lowp/IR/LowpTypes.h"
#include "lowp/Dialect/Lowp/Transforms/Passes.h"
#include "lowp/Numerics/BlockScale.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cfloat>
#include <cmath>

namespace lowp {
#define GEN_PASS_DEF_LOWPPROPAGATESCALES
#include "lowp/Dialect/Lowp/Transforms/Passes.h.inc"
} // namespace lowp

using namespace mlir;
using namespace lowp;

namespace {

/// matmul(dequantize(q) to f32, ...) -> matmul(q, ...): lowp.matmul rounds
/// each operand's logical value to nearest even into f32, exactly what the
/// dequantize computes, so the product is the same and the kernels see the
/// blocks.
struct MatmulOfDequantize : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto encoded = [](Value operand) -> Value {
      auto dequantize = operand.getDefiningOp<DequantizeOp>();
      if (!dequantize || !cast<RankedTensorType>(dequantize.getType())
                              .getElementType()
                              .isF32())
        return {};
      return dequantize.getInput();
    };
    // Only an f32 accumulator rounds its operands to f32.
    if (!op.getAccumulator().isF32())
      return rewriter.notifyMatchFailure(op, "not an f32 accumulation");
    Value lhs = encoded(op.getLhs()), rhs = encoded(op.getRhs());
    if (!lhs && !rhs)
      return rewriter.notifyMatchFailure(op, "no operand is dequantized");
    rewriter.modifyOpInPlace(op, [&] {
      if (lhs)
        op.getLhsMutable().assign(lhs);
      if (rhs)
        op.getRhsMutable().assign(rhs);
    });
    return success();
  }
};

/// What `value` transposes and the permutation: lowp.relayout (of a plain
/// or a block-scaled tensor: the logical values are permuted alike) or
/// linalg.transpose.
std::optional<std::pair<Value, SmallVector<int64_t>>>
getTransposed(Value value) {
  if (auto relayout = value.getDefiningOp<RelayoutOp>())
    return std::make_pair(relayout.getInput(),
                          llvm::to_vector(relayout.getPermutation()));
  if (auto transpose = value.getDefiningOp<linalg::TransposeOp>();
      transpose && transpose->getNumResults() == 1)
    return std::make_pair(transpose.getInput(),
                          llvm::to_vector(transpose.getPermutation()));
  return std::nullopt;
}

/// transpose(dequantize(q)) -> dequantize(relayout(q)): dequantize is
/// elementwise, so it commutes with any permutation of the dimensions, and
/// the blocks (with their scales, tensor scale and zero points) move with
/// the elements. Only when the transpose is the dequantize's one use, so
/// that the weight is not dequantized twice.
template <typename TransposeOp>
struct TransposeOfDequantize : OpRewritePattern<TransposeOp> {
  using OpRewritePattern<TransposeOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    Value result = op->getResult(0);
    auto transposed = getTransposed(result);
    if (!transposed)
      return failure();
    auto [input, permutation] = *transposed;
    auto dequantize = input.template getDefiningOp<DequantizeOp>();
    if (!dequantize || !dequantize->hasOneUse())
      return rewriter.notifyMatchFailure(op, "not the one use of a dequantize");
    Location loc = op.getLoc();
    Value relaidOut =
        RelayoutOp::create(rewriter, loc, dequantize.getInput(), permutation);
    rewriter.replaceOpWithNewOp<DequantizeOp>(op, result.getType(), relaidOut);
    return success();
  }
};

/// matmul(x, transpose(w)) -> matmul(x, w) with transpose_rhs flipped, when
/// the transpose swaps the matrix dimensions (the batch, if any, staying
/// first): that swap is what transpose_rhs says, so the product reads w as
/// stored rather than a transposed copy, and a transposed dequantize
/// reaches the kernels encoded (PyTorch's x @ W.T on an N x K weight).
struct MatmulOfTransposedRhs : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto transposed = getTransposed(op.getRhs());
    if (!transposed)
      return failure();
    Value input = transposed->first;
    ArrayRef<int64_t> permutation = transposed->second;
    SmallVector<int64_t> swap = permutation.size() == 3
                                    ? SmallVector<int64_t>{0, 2, 1}
                                    : SmallVector<int64_t>{1, 0};
    if (permutation != ArrayRef<int64_t>(swap))
      return rewriter.notifyMatchFailure(op, "not a swap of the matrix axes");
    rewriter.modifyOpInPlace(op, [&] {
      op.getRhsMutable().assign(input);
      op.setTransposeRhs(!op.getTransposeRhs());
    });
    return success();
  }
};

/// max(dequantize(q), 0) -> dequantize(q with max(elements, 0)), for q with
/// positive scales (E8M0, which holds only powers of two and NaN) and float
/// elements, no zero point or tensor scale: s * e is negative exactly where
/// e is, so relu of the product is s times relu of the element, and the
/// value stays block-scaled for what follows. Exact with arith.maximumf's
/// rules: a NaN element or scale gives NaN either way (maximumf propagates
/// it, and NaN times 0 is NaN), and -0 becomes +0 either way. Not for
/// maxnumf, which turns a NaN product into 0 but NaN * relu(e) stays NaN.
struct ReluOfDequantize : OpRewritePattern<arith::MaximumFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::MaximumFOp op,
                                PatternRewriter &rewriter) const override {
    DequantizeOp dequantize;
    Value other;
    for (auto [a, b] : {std::pair(op.getLhs(), op.getRhs()),
                        std::pair(op.getRhs(), op.getLhs())})
      if (auto d = a.getDefiningOp<DequantizeOp>(); d && !dequantize) {
        dequantize = d;
        other = b;
      }
    if (!dequantize || !dequantize->hasOneUse())
      return rewriter.notifyMatchFailure(op, "not the one use of a dequantize");
    DenseElementsAttr dense;
    if (!matchPattern(other, m_Constant(&dense)) || !dense.isSplat())
      return rewriter.notifyMatchFailure(op, "not a max with a constant");
    auto zero = dyn_cast<FloatAttr>(dense.getSplatValue<Attribute>());
    if (!zero || !zero.getValue().isZero())
      return rewriter.notifyMatchFailure(op, "not a max with zero");
    Value q = dequantize.getInput();
    auto type = cast<RankedTensorType>(q.getType());
    auto encoding = getBlockScaledEncoding(type);
    if (!encoding || !isa<Float8E8M0FNUType>(encoding.getScaleType()) ||
        encoding.getTensorScaleType() || encoding.getZeroPointType() ||
        !isa<FloatType>(type.getElementType()))
      return rewriter.notifyMatchFailure(op, "scales or elements not covered");
    Location loc = op.getLoc();
    auto parts = DisassembleOp::create(rewriter, loc, q);
    auto elementsType = cast<RankedTensorType>(parts.getElements().getType());
    Value zeros = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(
            elementsType,
            rewriter.getFloatAttr(type.getElementType(),
                                  zero.getValue().isNegative() ? -0.0 : 0.0)));
    Value relu =
        arith::MaximumFOp::create(rewriter, loc, parts.getElements(), zeros);
    Value requantized =
        AssembleOp::create(rewriter, loc, type, relu, parts.getScales(),
                           Value(), Value(), Value());
    rewriter.replaceOpWithNewOp<DequantizeOp>(op, op.getType(), requantized);
    return success();
  }
};

/// Replaces `op`, a shape op on dequantize(q), by the dequantize of the
/// same shape op on q's parts: `move(part, elementType, shape)` gives the
/// op on one part (elements, scales, zero points) with its result shape,
/// and the parts assemble under `encoding` into a tensor of `shape`.
void moveBeforeDequantize(
    PatternRewriter &rewriter, Operation *op, Value q,
    BlockScaledEncodingAttr encoding, ArrayRef<int64_t> shape,
    function_ref<Value(Value, Type, ArrayRef<int64_t>)> move) {
  auto sourceType = cast<RankedTensorType>(q.getType());
  auto source = getBlockScaledEncoding(sourceType);
  auto parts = DisassembleOp::create(rewriter, op->getLoc(), q);
  SmallVector<int64_t> scaleShape = encoding.getScaleShape(shape);
  Value elements =
      move(parts.getElements(), sourceType.getElementType(), shape);
  Value scales = move(parts.getScales(), source.getScaleType(), scaleShape);
  Value zeroPoints =
      parts.getZeroPoints()
          ? move(parts.getZeroPoints(), source.getZeroPointType(), scaleShape)
          : Value();
  Value selectors =
      parts.getSelectors()
          ? move(parts.getSelectors(), source.getSelectorType(), scaleShape)
          : Value();
  auto type =
      RankedTensorType::get(shape, sourceType.getElementType(), encoding);
  Value assembled =
      AssembleOp::create(rewriter, op->getLoc(), type, elements, scales,
                         parts.getTensorScale(), zeroPoints, selectors);
  rewriter.replaceOpWithNewOp<DequantizeOp>(op, op->getResult(0).getType(),
                                            assembled);
}

/// The blocks of a reshape's result, given the blocks of its source: each
/// group of dimensions that the reshape collapses into one (or expands
/// from one) must hold whole blocks as contiguous runs of the collapsed
/// dimension: blocks of 1 before one dimension j, whole dimensions after
/// it. None where a block would be split.
std::optional<SmallVector<int64_t>>
reshapedBlock(ArrayRef<int64_t> expandedShape, ArrayRef<int64_t> block,
              ArrayRef<ReassociationIndices> groups, bool collapsing) {
  SmallVector<int64_t> result;
  if (collapsing) {
    result.resize(groups.size(), 1);
    for (auto [index, group] : llvm::enumerate(groups)) {
      int64_t collapsed = 1;
      // Past (outside) the innermost dimension whose block is not all of it.
      bool outside = false;
      for (int64_t d : llvm::reverse(group)) {
        if (outside) {
          if (block[d] != 1)
            return std::nullopt;
          continue;
        }
        collapsed *= block[d];
        if (block[d] != expandedShape[d])
          outside = true;
      }
      result[index] = collapsed;
    }
    return result;
  }
  result.resize(expandedShape.size(), 1);
  for (auto [index, group] : llvm::enumerate(groups)) {
    int64_t rest = block[index];
    for (int64_t d : llvm::reverse(group)) {
      int64_t size = expandedShape[d];
      if (rest % size == 0) {
        result[d] = size;
        rest /= size;
      } else if (size % rest == 0) {
        result[d] = rest;
        rest = 1;
      } else {
        return std::nullopt;
      }
    }
    if (rest != 1)
      return std::nullopt;
  }
  return result;
}

/// reshape(dequantize(q)) -> dequantize(reshape(q)) for tensor.collapse_shape
/// and tensor.expand_shape on static shapes that keep every block whole (a
/// collapse of the rows of an MX activation, [B, S, K] to [B * S, K]): the
/// elements reshape as the values do, and the scales and zero points by the
/// same regrouping, since each block's run of elements stays contiguous in
/// row-major order. Exact: dequantize is elementwise.
template <typename ReshapeOp>
struct ReshapeOfDequantize : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern<ReshapeOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    constexpr bool collapsing =
        std::is_same_v<ReshapeOp, tensor::CollapseShapeOp>;
    auto dequantize = op.getSrc().template getDefiningOp<DequantizeOp>();
    if (!dequantize || !dequantize->hasOneUse())
      return rewriter.notifyMatchFailure(op, "not the one use of a dequantize");
    Value q = dequantize.getInput();
    auto sourceType = cast<RankedTensorType>(q.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    if (!sourceType.hasStaticShape() || !resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic sizes");
    auto encoding = getBlockScaledEncoding(sourceType);
    SmallVector<ReassociationIndices> groups = op.getReassociationIndices();
    ArrayRef<int64_t> expandedShape =
        collapsing ? sourceType.getShape() : resultType.getShape();
    std::optional<SmallVector<int64_t>> block = reshapedBlock(
        expandedShape, encoding.getFullBlock(sourceType.getRank()), groups,
        collapsing);
    if (!block)
      return rewriter.notifyMatchFailure(op, "the reshape splits a block");
    Location loc = op.getLoc();
    moveBeforeDequantize(
        rewriter, op, q, encoding.withFullBlock(*block), resultType.getShape(),
        [&](Value part, Type element, ArrayRef<int64_t> shape) -> Value {
          auto type = RankedTensorType::get(shape, element);
          return ReshapeOp::create(rewriter, loc, type, part, groups);
        });
    return success();
  }
};

/// Whether `op` is a batched lowp.matmul whose rhs is one matrix broadcast
/// along the batch (linalg.broadcast, dimensions = [0]).
bool hasBroadcastRhs(MatmulOp op) {
  auto broadcast = op.getRhs().getDefiningOp<linalg::BroadcastOp>();
  return broadcast && broadcast.getDimensions() == ArrayRef<int64_t>{0} &&
         cast<RankedTensorType>(op.getLhs().getType()).getRank() == 3;
}

/// broadcast(dequantize(q)) -> dequantize(broadcast(q)) on static shapes:
/// the added dimensions have blocks of 1, so the scales and zero points
/// broadcast along them as the elements do. Exact: dequantize is
/// elementwise. Not for the rhs of a batched matmul, which
/// MatmulOfBroadcastRhs turns into one matrix product without a copy.
struct BroadcastOfDequantize : OpRewritePattern<linalg::BroadcastOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::BroadcastOp op,
                                PatternRewriter &rewriter) const override {
    auto dequantize = op.getInput().getDefiningOp<DequantizeOp>();
    if (!dequantize || !dequantize->hasOneUse() || op->getNumResults() != 1)
      return rewriter.notifyMatchFailure(op, "not the one use of a dequantize");
    for (Operation *user : op->getUsers())
      if (auto matmul = dyn_cast<MatmulOp>(user);
          matmul && matmul.getRhs() == op->getResult(0) &&
          hasBroadcastRhs(matmul))
        return rewriter.notifyMatchFailure(op, "the rhs of a batched matmul");
    Value q = dequantize.getInput();
    auto sourceType = cast<RankedTensorType>(q.getType());
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    if (!sourceType.hasStaticShape() || !resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic sizes");
    auto encoding = getBlockScaledEncoding(sourceType);
    SmallVector<int64_t> sourceBlock =
        encoding.getFullBlock(sourceType.getRank());
    SmallVector<int64_t> block;
    ArrayRef<int64_t> added = op.getDimensions();
    for (int64_t d = 0, kept = 0; d < resultType.getRank(); ++d)
      block.push_back(llvm::is_contained(added, d) ? 1 : sourceBlock[kept++]);
    Location loc = op.getLoc();
    moveBeforeDequantize(
        rewriter, op, q, encoding.withFullBlock(block), resultType.getShape(),
        [&](Value part, Type element, ArrayRef<int64_t> shape) -> Value {
          Value init = tensor::EmptyOp::create(rewriter, loc, shape, element);
          return linalg::BroadcastOp::create(rewriter, loc, part, init, added)
              ->getResult(0);
        });
    return success();
  }
};

/// A batched matmul of B x M x K activations and one weight broadcast along
/// the batch -> one matrix product of the B * M rows, expanded back: each
/// result element is the same sum (lowp.matmul leaves the order open), the
/// weight is read once rather than copied B times, and a dequantized
/// weight then reaches the kernels encoded. Static B and M.
struct MatmulOfBroadcastRhs : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasBroadcastRhs(op))
      return rewriter.notifyMatchFailure(op, "not a broadcast weight");
    auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    if (!lhsType.hasStaticShape() || !resultType.hasStaticShape() ||
        getBlockScaledEncoding(lhsType))
      return rewriter.notifyMatchFailure(op, "dynamic or encoded activations");
    auto broadcast = op.getRhs().getDefiningOp<linalg::BroadcastOp>();
    Location loc = op.getLoc();
    SmallVector<ReassociationIndices> groups = {{0, 1}, {2}};
    ArrayRef<int64_t> shape = lhsType.getShape();
    Value rows = tensor::CollapseShapeOp::create(
        rewriter, loc,
        RankedTensorType::get({shape[0] * shape[1], shape[2]},
                              lhsType.getElementType()),
        op.getLhs(), groups);
    ArrayRef<int64_t> resultShape = resultType.getShape();
    auto product = MatmulOp::create(
        rewriter, loc,
        RankedTensorType::get({resultShape[0] * resultShape[1], resultShape[2]},
                              resultType.getElementType()),
        rows, broadcast.getInput(), op.getAccumulatorAttr(),
        op.getTransposeRhsAttr());
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, resultType, product.getResult(), groups);
    return success();
  }
};

/// The lowest and the highest power of two a nonzero finite value of
/// `value` (an operand of a matmul: a plain tensor or a block-scaled one)
/// can hold a bit at, or none when unbounded or unknown (an f32 tensor
/// scale, a format of more than 16 bits beside others).
std::optional<std::pair<int, int>> bitRange(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  auto span = [](double v, int &lowest, int &highest) {
    if (v == 0 || !std::isfinite(v))
      return;
    int exponent;
    double fraction = std::frexp(std::fabs(v), &exponent);
    // fraction * 2^53 is an integer: its trailing zeros place the lowest bit.
    auto mantissa = uint64_t(std::ldexp(fraction, 53));
    lowest = std::min(lowest, exponent - 53 + __builtin_ctzll(mantissa));
    highest = std::max(highest, exponent - 1);
  };
  int lowest = INT_MAX, highest = INT_MIN;
  auto encoding = getBlockScaledEncoding(tensor);
  if (encoding && encoding.hasChoices())
    return std::nullopt;
  if (!encoding) {
    std::optional<numerics::Format> format =
        getNumericFormat(tensor.getElementType());
    if (!format)
      return std::nullopt;
    if (format->getBitWidth() <= 16) {
      // Every value: a codebook's need not be multiples of the smallest.
      for (uint32_t code = 0; code < format->getNumCodes(); ++code)
        span(format->decode(code), lowest, highest);
    } else {
      // Floats and integers: multiples of the smallest.
      span(format->getMinPositive(), lowest, highest);
      span(format->getMaxFinite(), lowest, highest);
    }
    if (lowest == INT_MAX)
      return std::nullopt;
    return std::make_pair(lowest, highest);
  }
  numerics::BlockScaling scaling = encoding.getScaling(tensor.getElementType());
  if (scaling.tensorScale || scaling.element.getBitWidth() > 16)
    return std::nullopt;
  // Every scale is a multiple of the smallest (a power of two), and the
  // largest has the highest bit.
  uint32_t smallest = scaling.scale.encode(scaling.scale.getMinPositive(), {});
  uint32_t largest = scaling.scale.getMaxFiniteCode(false);
  uint64_t zeroPoints =
      scaling.zeroPoint ? scaling.zeroPoint->getNumCodes() : 1;
  for (uint32_t element = 0; element < scaling.element.getNumCodes(); ++element)
    for (uint32_t zeroPoint = 0; zeroPoint < zeroPoints; ++zeroPoint)
      for (uint32_t scale : {smallest, largest})
        span(numerics::dequantizeElement(scaling, element, scale, zeroPoint,
                                         1.0),
             lowest, highest);
  if (lowest == INT_MAX)
    return std::nullopt;
  return std::make_pair(lowest, highest);
}

/// matmul(x * c, w) -> matmul(x, w) * c (and the same for w), for a splat
/// constant c = ±2^k and an f32 accumulator and result: the scaling leaves
/// the matmul, so a scaled dequantize reaches the kernels encoded and the
/// product is scaled once per result element. The same sum: c * x is exact
/// where every value x can hold times c is an f32 (proved from the
/// operand's format and encoding: its lowest bit stays at or above 2^-149
/// and its highest below 2^128), and scaling by a power of two commutes
/// with every rounding of the matmul's products and sums while they stay
/// in f32's normal range, where its bound holds. Where that is not proved
/// (f32 operands, E8M0 scales that span f32's range), a mulf that allows
/// reassociation (`fastmath<reassoc>`) says the rewrite may be made.
struct MatmulOfScaledOperand : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  /// The splat power of two `value` multiplies `scaled` by, if any.
  static std::optional<APFloat> powerOfTwoFactor(arith::MulFOp mul,
                                                 Value &scaled) {
    for (auto [a, b] : {std::pair(mul.getLhs(), mul.getRhs()),
                        std::pair(mul.getRhs(), mul.getLhs())}) {
      DenseElementsAttr dense;
      if (!matchPattern(b, m_Constant(&dense)) || !dense.isSplat())
        continue;
      auto factor = dyn_cast<FloatAttr>(dense.getSplatValue<Attribute>());
      if (!factor || !factor.getType().isF32() ||
          factor.getValue().getExactLog2Abs() == INT_MIN)
        continue;
      scaled = a;
      return factor.getValue();
    }
    return std::nullopt;
  }

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    if (!op.getAccumulator().isF32() || !resultType.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "not an f32 matmul");
    // The factor is a splat constant of the result's type.
    if (!resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic rows");
    for (OpOperand *operand : {&op.getLhsMutable(), &op.getRhsMutable()}) {
      auto mul = operand->get().getDefiningOp<arith::MulFOp>();
      if (!mul || !mul->hasOneUse())
        continue;
      Value scaled;
      std::optional<APFloat> factor = powerOfTwoFactor(mul, scaled);
      if (!factor)
        continue;
      int k = factor->getExactLog2Abs();
      Value source = scaled;
      if (auto dequantize = scaled.getDefiningOp<DequantizeOp>())
        source = dequantize.getInput();
      std::optional<std::pair<int, int>> bits = bitRange(source.getType());
      bool exact = bits && bits->first + k >= -149 &&
                   bits->second + std::max(k, 0) <= 126;
      if (!exact && !arith::bitEnumContainsAll(mul.getFastmath(),
                                               arith::FastMathFlags::reassoc))
        continue;
      Location loc = op.getLoc();
      rewriter.modifyOpInPlace(op, [&] { operand->set(scaled); });
      rewriter.setInsertionPointAfter(op);
      Value splat = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(
              resultType,
              rewriter.getFloatAttr(rewriter.getF32Type(), *factor)));
      auto product = arith::MulFOp::create(rewriter, loc, op.getResult(), splat,
                                           mul.getFastmathAttr());
      rewriter.replaceAllUsesExcept(op.getResult(), product.getResult(),
                                    product);
      return success();
    }
    return rewriter.notifyMatchFailure(op, "no operand scaled by 2^k");
  }
};

/// quantize(dequantize(q) to f32) -> requantize(q), for a dequantize with
/// no other use and rounding without random bits: the same values (the op
/// is defined as the pair), and one op that a kernel computes block by
/// block without writing the f32 tensor between.
struct QuantizeOfDequantize : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto dequantize = op.getInput().getDefiningOp<DequantizeOp>();
    if (!dequantize || !dequantize->hasOneUse() || op.getRandom() ||
        !cast<RankedTensorType>(dequantize.getType()).getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "not quantize(dequantize to f32)");
    rewriter.replaceOpWithNewOp<RequantizeOp>(
        op, op.getType(), dequantize.getInput(), op.getRoundingAttr());
    return success();
  }
};

/// matmul(hadamard(a), hadamard(b)), both along K with the same block and
/// signs -> matmul(a, b): (M x)^T (M w) = x^T M^T M w = x^T w for the
/// orthonormal M = (1/sqrt(B)) H_B D of each block of K. The same real
/// product, not the same rounding (cancel-hadamard only).
struct MatmulOfHadamardPair : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto lhs = op.getLhs().getDefiningOp<HadamardOp>();
    auto rhs = op.getRhs().getDefiningOp<HadamardOp>();
    if (!lhs || !rhs)
      return rewriter.notifyMatchFailure(op, "an operand is not a hadamard");
    int64_t rank = cast<RankedTensorType>(op.getLhs().getType()).getRank();
    int64_t rhsDepthAxis = op.getTransposeRhs() ? rank - 1 : rank - 2;
    if (lhs.getAxis() != uint64_t(rank - 1) ||
        rhs.getAxis() != uint64_t(rhsDepthAxis))
      return rewriter.notifyMatchFailure(op, "not both transformed along K");
    if (lhs.getBlock() != rhs.getBlock() || lhs.getSeed() != rhs.getSeed())
      return rewriter.notifyMatchFailure(op, "different blocks or signs");
    rewriter.modifyOpInPlace(op, [&] {
      op.getLhsMutable().assign(lhs.getInput());
      op.getRhsMutable().assign(rhs.getInput());
    });
    return success();
  }
};

struct LowpPropagateScalesPass
    : lowp::impl::LowpPropagateScalesBase<LowpPropagateScalesPass> {
  using LowpPropagateScalesBase::LowpPropagateScalesBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateLowpPropagateScalesPatterns(patterns);
    if (cancelHadamard)
      patterns.add<MatmulOfHadamardPair>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void lowp::populateLowpPropagateScalesPatterns(RewritePatternSet &patterns) {
  patterns
      .add<MatmulOfDequantize, MatmulOfTransposedRhs, ReluOfDequantize,
           TransposeOfDequantize<RelayoutOp>,
           TransposeOfDequantize<linalg::TransposeOp>,
           ReshapeOfDequantize<tensor::CollapseShapeOp>,
           ReshapeOfDequantize<tensor::ExpandShapeOp>, BroadcastOfDequantize,
           MatmulOfBroadcastRhs, MatmulOfScaledOperand, QuantizeOfDequantize>(
          patterns.getContext());
}
