//===- PropagateScales.cpp - Keep block-scaled operands encoded -----------===//

#include "lowp/Dialect/Lowp/IR/LowpOps.h"
#include "lowp/Dialect/Lowp/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

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
    SmallVector<int64_t> scaleShape = encoding.getScaleShape(type.getShape());
    auto elementsType =
        RankedTensorType::get(type.getShape(), type.getElementType());
    auto scalesType =
        RankedTensorType::get(scaleShape, encoding.getScaleType());
    auto parts = DisassembleOp::create(rewriter, loc, elementsType, scalesType,
                                       Type(), Type(), q);
    Value zeros = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(
            elementsType,
            rewriter.getFloatAttr(type.getElementType(),
                                  zero.getValue().isNegative() ? -0.0 : 0.0)));
    Value relu =
        arith::MaximumFOp::create(rewriter, loc, parts.getElements(), zeros);
    Value requantized = AssembleOp::create(rewriter, loc, type, relu,
                                           parts.getScales(), Value(), Value());
    rewriter.replaceOpWithNewOp<DequantizeOp>(op, op.getType(), requantized);
    return success();
  }
};

struct LowpPropagateScalesPass
    : lowp::impl::LowpPropagateScalesBase<LowpPropagateScalesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateLowpPropagateScalesPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void lowp::populateLowpPropagateScalesPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulOfDequantize, MatmulOfTransposedRhs, ReluOfDequantize,
               TransposeOfDequantize<RelayoutOp>,
               TransposeOfDequantize<linalg::TransposeOp>>(
      patterns.getContext());
}
