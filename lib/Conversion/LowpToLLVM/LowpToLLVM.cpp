//===- LowpToLLVM.cpp - lowp's vector ops to LLVM -------------------------===//
//
// The lowp ops that survive bufferization, the vector building blocks of
// lowp's kernels, become LLVM intrinsics where the target has an
// instruction for them and portable vector code elsewhere.
//
//===----------------------------------------------------------------------===//

#include "lowp/Conversion/Passes.h"
#include "lowp/Conversion/VectorTarget.h"
#include "lowp/Dialect/Lowp/IR/LowpOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowp {
#define GEN_PASS_DEF_CONVERTLOWPTOLLVM
#include "lowp/Conversion/Passes.h.inc"
} // namespace lowp

using namespace mlir;
using namespace lowp;

namespace {

/// lowp.lookup on AVX-512: one vpermps (f32 tables) or vpermd (i32), which
/// read only the low four bits of each index, as lookup's index-mod-N
/// semantics allow. Fewer than 16 indices (a block's scale or zero point)
/// are widened to 16 lanes around the permute, which is still far cheaper
/// than a tree of selects. 32-entry f32 tables (per-group format choice:
/// selector and code in one index) are one vpermt2ps, which reads five
/// index bits; 64-entry ones two and a blend on bit 5.
struct LookupToPermute : OpRewritePattern<LookupOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LookupOp op,
                                PatternRewriter &rewriter) const override {
    VectorType table = op.getTable().getType();
    auto result = cast<VectorType>(op.getType());
    int64_t length = table.getNumElements();
    if (result.getRank() != 1 || result.getNumElements() > 16)
      return rewriter.notifyMatchFailure(op, "not at most 16 lanes");
    if ((length == 32 || length == 64) && table.getElementType().isF32() &&
        result.getNumElements() == 16)
      return twoSourcePermutes(op, rewriter);
    if (length != 16)
      return rewriter.notifyMatchFailure(op, "not a 16 x 32-bit lookup");
    int64_t lanes = result.getNumElements();
    if (lanes < 16) {
      Location loc = op.getLoc();
      SmallVector<int64_t> widen;
      for (int64_t l = 0; l < 16; ++l)
        widen.push_back(l < lanes ? l : 0);
      Value indices = vector::ShuffleOp::create(rewriter, loc, op.getIndices(),
                                                op.getIndices(), widen);
      Value wide = LookupOp::create(rewriter, loc, op.getTable(), indices);
      SmallVector<int64_t> narrow;
      for (int64_t l = 0; l < lanes; ++l)
        narrow.push_back(l);
      rewriter.replaceOpWithNewOp<vector::ShuffleOp>(op, wide, wide, narrow);
      return success();
    }
    StringRef intrinsic;
    if (table.getElementType().isF32())
      intrinsic = "llvm.x86.avx512.permvar.sf.512";
    else if (table.getElementType().isInteger(32))
      intrinsic = "llvm.x86.avx512.permvar.si.512";
    else
      return rewriter.notifyMatchFailure(op, "not a 32-bit table");
    rewriter.replaceOp(op, LLVM::CallIntrinsicOp::create(
                               rewriter, op.getLoc(), result,
                               rewriter.getStringAttr(intrinsic),
                               ValueRange{op.getTable(), op.getIndices()})
                               ->getResults());
    return success();
  }

private:
  /// A 32- or 64-entry f32 table: vpermt2ps on each 32-entry half (index
  /// bits 0..4), and for 64 entries a select on bit 5.
  static LogicalResult twoSourcePermutes(LookupOp op,
                                         PatternRewriter &rewriter) {
    Location loc = op.getLoc();
    auto quarterType = VectorType::get({16}, rewriter.getF32Type());
    auto quarter = [&](int64_t q) -> Value {
      return vector::ExtractStridedSliceOp::create(
          rewriter, loc, op.getTable(), ArrayRef<int64_t>{16 * q},
          ArrayRef<int64_t>{16}, ArrayRef<int64_t>{1});
    };
    auto permute = [&](Value low, Value high) -> Value {
      return LLVM::CallIntrinsicOp::create(
                 rewriter, loc, quarterType,
                 rewriter.getStringAttr("llvm.x86.avx512.vpermi2var.ps.512"),
                 ValueRange{low, op.getIndices(), high})
          ->getResult(0);
    };
    Value value = permute(quarter(0), quarter(1));
    if (op.getTable().getType().getNumElements() == 64) {
      auto indexType = cast<VectorType>(op.getIndices().getType());
      auto splat = [&](int32_t v) -> Value {
        return arith::ConstantOp::create(
            rewriter, loc,
            DenseElementsAttr::get(indexType,
                                   rewriter.getI32IntegerAttr(v).getValue()));
      };
      Value upper = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::ne,
          arith::AndIOp::create(rewriter, loc, op.getIndices(), splat(32)),
          splat(0));
      value = arith::SelectOp::create(rewriter, loc, upper,
                                      permute(quarter(2), quarter(3)), value);
    }
    rewriter.replaceOp(op, value);
    return success();
  }
};

/// lowp.lookup anywhere: a tree of selects on the index's bits, which LLVM
/// turns into blends.
struct LookupToSelects : OpRewritePattern<LookupOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LookupOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto result = cast<VectorType>(op.getType());
    auto indexType = cast<VectorType>(op.getIndices().getType());
    int64_t length = op.getTable().getType().getNumElements();
    SmallVector<Value> level;
    for (int64_t i = 0; i < length; ++i)
      level.push_back(vector::BroadcastOp::create(
          rewriter, loc, result,
          vector::ExtractOp::create(rewriter, loc, op.getTable(), i)));
    auto splat = [&](int64_t value) -> Value {
      return arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(indexType,
                                 rewriter.getI32IntegerAttr(value).getValue()));
    };
    for (unsigned bit = 0; level.size() > 1; ++bit) {
      Value isSet = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::ne,
          arith::AndIOp::create(rewriter, loc, op.getIndices(),
                                splat(int64_t(1) << bit)),
          splat(0));
      SmallVector<Value> next;
      for (size_t i = 0; i < level.size(); i += 2)
        next.push_back(arith::SelectOp::create(rewriter, loc, isSet,
                                               level[i + 1], level[i]));
      level = std::move(next);
    }
    rewriter.replaceOp(op, level.front());
    return success();
  }
};

/// lowp.dot_bytes of 16 lanes on AVX512_VNNI: one vpdpbusd.
struct DotBytesToVnni : OpRewritePattern<DotBytesOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(DotBytesOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getType().getNumElements() != 16)
      return rewriter.notifyMatchFailure(op, "not 16 lanes");
    // LLVM's intrinsic takes the bytes as 64 x i8.
    auto bytes = VectorType::get({64}, rewriter.getI8Type());
    Location loc = op.getLoc();
    Value unsignedBytes =
        vector::BitCastOp::create(rewriter, loc, bytes, op.getUnsignedBytes());
    Value signedBytes =
        vector::BitCastOp::create(rewriter, loc, bytes, op.getSignedBytes());
    rewriter.replaceOp(
        op, LLVM::CallIntrinsicOp::create(
                rewriter, loc, op.getType(),
                rewriter.getStringAttr("llvm.x86.avx512.vpdpbusd.512"),
                ValueRange{op.getAccumulator(), unsignedBytes, signedBytes})
                ->getResults());
    return success();
  }
};

/// lowp.dot_bytes anywhere: the bytes widened to i32, multiplied, and each
/// lane's four products (every fourth of the widened vector, from its
/// first byte on) added to the accumulator.
struct DotBytesToArith : OpRewritePattern<DotBytesOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(DotBytesOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t lanes = op.getType().getNumElements();
    auto bytes = VectorType::get({4 * lanes}, rewriter.getI8Type());
    auto wide = VectorType::get({4 * lanes}, rewriter.getI32Type());
    Value a = arith::ExtUIOp::create(
        rewriter, loc, wide,
        vector::BitCastOp::create(rewriter, loc, bytes, op.getUnsignedBytes()));
    Value b = arith::ExtSIOp::create(
        rewriter, loc, wide,
        vector::BitCastOp::create(rewriter, loc, bytes, op.getSignedBytes()));
    Value products = arith::MulIOp::create(rewriter, loc, a, b);
    Value sum = op.getAccumulator();
    for (int64_t j = 0; j < 4; ++j) {
      SmallVector<int64_t> byteJ;
      for (int64_t l = 0; l < lanes; ++l)
        byteJ.push_back(4 * l + j);
      sum = arith::AddIOp::create(
          rewriter, loc, sum,
          vector::ShuffleOp::create(rewriter, loc, products, products, byteJ));
    }
    rewriter.replaceOp(op, sum);
    return success();
  }
};

struct ConvertLowpToLLVMPass
    : lowp::impl::ConvertLowpToLLVMBase<ConvertLowpToLLVMPass> {
  using ConvertLowpToLLVMBase::ConvertLowpToLLVMBase;

  void runOnOperation() override {
    std::optional<VectorTarget> target = VectorTarget::byName(vectorTarget);
    if (!target) {
      getOperation()->emitError("unknown vector-target '")
          << vectorTarget
          << "'; expected host, avx512-bf16, avx512-vnni, avx512, avx2 or "
             "generic";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    populateLowpToLLVMPatterns(patterns, *target);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void lowp::populateLowpToLLVMPatterns(RewritePatternSet &patterns,
                                      const VectorTarget &target) {
  if (target.avx512)
    patterns.add<LookupToPermute>(patterns.getContext(), /*benefit=*/2);
  if (target.avx512vnni)
    patterns.add<DotBytesToVnni>(patterns.getContext(), /*benefit=*/2);
  patterns.add<LookupToSelects, DotBytesToArith>(patterns.getContext());
}
