//===- ParallelizeElementwise.cpp - Elementwise ops in parallel chunks ----===//

#include "lowp/Dialect/Lowp/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace lowp {
#define GEN_PASS_DEF_LOWPPARALLELIZEELEMENTWISE
#include "lowp/Dialect/Lowp/Transforms/Passes.h.inc"
} // namespace lowp

using namespace mlir;

namespace {

struct ParallelizeElementwise
    : lowp::impl::LowpParallelizeElementwiseBase<ParallelizeElementwise> {
  using LowpParallelizeElementwiseBase::LowpParallelizeElementwiseBase;

  void runOnOperation() override {
    if (chunks < 1 || minIterations < 1) {
      getOperation().emitError()
          << "lowp-parallelize-elementwise: chunks and min-iterations must "
             "be positive";
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> candidates;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isCandidate(op))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : candidates) {
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      // The outermost parallel dimension with a point for every chunk:
      // chunks of a reduction would each need their own partial result.
      SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
      SmallVector<OpFoldResult> tileSizes(ranges.size(),
                                          rewriter.getIndexAttr(0));
      for (size_t d = 0; d < ranges.size(); ++d) {
        if (ranges[d] < chunks || iterators[d] != utils::IteratorType::parallel)
          continue;
        tileSizes[d] =
            rewriter.getIndexAttr(llvm::divideCeil(ranges[d], chunks));
        break;
      }
      if (llvm::all_of(tileSizes, [](OpFoldResult size) {
            return getConstantIntValue(size) == 0;
          }))
        continue;
      scf::SCFTilingOptions options;
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      options.setTileSizes(tileSizes);
      rewriter.setInsertionPoint(op);
      auto tileable = dyn_cast<TilingInterface>(op.getOperation());
      if (!tileable) {
        op.emitError("lowp-parallelize-elementwise: linalg's tiling interface "
                     "is not registered in this context");
        return signalPassFailure();
      }
      FailureOr<scf::SCFTilingResult> tiled =
          scf::tileUsingSCF(rewriter, tileable, options);
      if (failed(tiled)) {
        op.emitError("lowp-parallelize-elementwise: could not tile this op");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, tiled->replacements);
    }
  }

  bool isCandidate(linalg::GenericOp op) const {
    if (!op.hasPureTensorSemantics() || op->getParentOfType<scf::ForallOp>())
      return false;
    if (op.getNumParallelLoops() == 0)
      return false;
    int64_t points = 1;
    for (int64_t range : op.getStaticLoopRanges()) {
      if (ShapedType::isDynamic(range))
        return false;
      points *= range;
    }
    return points >= minIterations;
  }
};

} // namespace
