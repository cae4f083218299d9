//===- PropagateScales.cpp - Keep block-scaled operands encoded -----------===//

#include "lowp/Dialect/Lowp/IR/LowpOps.h"
#include "lowp/Dialect/Lowp/Transforms/Passes.h"

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
  patterns.add<MatmulOfDequantize>(patterns.getContext());
}
