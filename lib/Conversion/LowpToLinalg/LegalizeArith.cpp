//===- LegalizeArith.cpp - arith and math on low-precision floats ---------===//
//
// What upstream's arith-emulate-unsupported-floats does for f32, with f64
// and lowp.convert: every value of these formats is exact in f64, and f64
// carries more than twice their precision plus two bits, so +, -, *, / and
// sqrt computed in f64 and rounded once are the correctly rounded results.
//
//===----------------------------------------------------------------------===//

#include "StorageLowering.h"
#include "lowp/Conversion/LowpToLinalg/StorageTypes.h"
#include "lowp/Conversion/Passes.h"
#include "lowp/Dialect/Lowp/IR/LowpOps.h"
#include "lowp/Dialect/Lowp/IR/LowpTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <limits>

namespace lowp {
#define GEN_PASS_DEF_LOWPLEGALIZEARITH
#include "lowp/Conversion/Passes.h.inc"
} // namespace lowp

using namespace mlir;
using namespace lowp;

namespace {

/// Whether `type` is a scalar float that compiled code stores as a code
/// (every format but f32 and f64: f16, bf16, FP8, ..., `!lowp.float`).
bool isStoredAsCode(Type type) {
  return isa<FloatType>(type) && !type.isF64() && getStorageType(type) != type;
}

Value toF64(PatternRewriter &rewriter, Location loc, Value value) {
  if (value.getType().isF64())
    return value;
  return ConvertOp::create(rewriter, loc, rewriter.getF64Type(), value);
}

Rounding toRounding(std::optional<arith::RoundingMode> mode) {
  switch (mode.value_or(arith::RoundingMode::to_nearest_even)) {
  case arith::RoundingMode::to_nearest_even:
    return Rounding::to_nearest_even;
  case arith::RoundingMode::to_nearest_away:
    return Rounding::to_nearest_away;
  case arith::RoundingMode::toward_zero:
    return Rounding::toward_zero;
  case arith::RoundingMode::upward:
    return Rounding::upward;
  case arith::RoundingMode::downward:
    return Rounding::downward;
  }
  return Rounding::to_nearest_even;
}

/// Float arithmetic (arith and math) whose result is stored as a code: the
/// operands' exact values in f64, the op in f64, the result rounded to
/// nearest even into the type.
struct ComputeInF64 : RewritePattern {
  ComputeInF64(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  static bool isComputation(Operation *op) {
    return isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp,
               arith::RemFOp, arith::MaximumFOp, arith::MinimumFOp,
               arith::NegFOp>(op) ||
           (op->getDialect() && isa<math::MathDialect>(op->getDialect()));
  }

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isComputation(op) || op->getNumResults() != 1 ||
        !isStoredAsCode(op->getResult(0).getType()))
      return failure();
    for (Value operand : op->getOperands())
      if (!isa<FloatType>(operand.getType()))
        return failure();
    Location loc = op->getLoc();
    SmallVector<Value> wide;
    for (Value operand : op->getOperands())
      wide.push_back(toF64(rewriter, loc, operand));
    OperationState state(loc, op->getName(), wide,
                         TypeRange{rewriter.getF64Type()}, op->getAttrs());
    Operation *computed = rewriter.create(state);
    rewriter.replaceOpWithNewOp<ConvertOp>(op, op->getResult(0).getType(),
                                           computed->getResult(0));
    return success();
  }
};

/// arith.maxnumf and minnumf on any float type: the other operand where
/// one is NaN, otherwise arith.maximumf / minimumf, so that -0 orders below
/// +0 (LLVM's maxnum may return either zero, and on x86 returns its first
/// operand).
template <typename NumberOp, typename OrderedOp>
struct NumberAsOrdered : OpRewritePattern<NumberOp> {
  /// `native`: also on f32 and f64 (as SaturatingFPToInt).
  NumberAsOrdered(MLIRContext *context, bool native)
      : OpRewritePattern<NumberOp>(context), native(native) {}
  bool native;

  LogicalResult matchAndRewrite(NumberOp op,
                                PatternRewriter &rewriter) const override {
    if (!native && !isStoredAsCode(getElementTypeOrSelf(op.getType())))
      return failure();
    Location loc = op.getLoc();
    Value a = op.getLhs(), b = op.getRhs();
    Value ordered = OrderedOp::create(rewriter, loc, a, b);
    Value aIsNaN =
        arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::UNO, a, a);
    Value bIsNaN =
        arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::UNO, b, b);
    Value unlessB = arith::SelectOp::create(rewriter, loc, bIsNaN, a, ordered);
    rewriter.replaceOpWithNewOp<arith::SelectOp>(op, aIsNaN, b, unlessB);
    return success();
  }
};

/// arith.truncf and arith.extf with a side stored as a code: one rounding
/// of the exact source value, by the op's rounding mode.
template <typename CastOp> struct CastAsConvert : OpRewritePattern<CastOp> {
  using OpRewritePattern<CastOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(CastOp op,
                                PatternRewriter &rewriter) const override {
    Type from = op.getIn().getType(), to = op.getType();
    if (!isStoredAsCode(from) && !isStoredAsCode(to))
      return failure();
    Rounding rounding = Rounding::to_nearest_even;
    if constexpr (std::is_same_v<CastOp, arith::TruncFOp>)
      rounding = toRounding(op.getRoundingmode());
    rewriter.replaceOpWithNewOp<ConvertOp>(op, to, op.getIn(), Value(),
                                           rounding, /*saturate=*/false);
    return success();
  }
};

/// arith.cmpf compares the operands' exact values.
struct CompareInF64 : OpRewritePattern<arith::CmpFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::CmpFOp op,
                                PatternRewriter &rewriter) const override {
    if (!isStoredAsCode(op.getLhs().getType()))
      return failure();
    Location loc = op.getLoc();
    rewriter.replaceOpWithNewOp<arith::CmpFOp>(
        op, op.getPredicate(), toF64(rewriter, loc, op.getLhs()),
        toF64(rewriter, loc, op.getRhs()));
    return success();
  }
};

/// math.isnan, isinf, isfinite and isnormal as comparisons: of the exact
/// value in f64 for a value stored as a code, of the value itself for f32
/// and f64 (which upstream's math-to-llvm leaves for isinf and isnormal).
/// isnormal asks of the type's own range: finite with a magnitude at least
/// the format's smallest normal (f64 would call an E4M3 subnormal normal).
struct ClassifyByComparison : RewritePattern {
  ClassifyByComparison(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<math::IsNaNOp, math::IsInfOp, math::IsFiniteOp, math::IsNormalOp>(
            op))
      return failure();
    Type type = op->getOperand(0).getType();
    if (!isa<FloatType>(type))
      return failure();
    double smallestNormal = std::numeric_limits<double>::min();
    if (!type.isF64()) {
      std::optional<numerics::Format> format = getNumericFormat(type);
      if (!format)
        return failure();
      smallestNormal = format->getMinNormal();
    }
    Location loc = op->getLoc();
    Value value = op->getOperand(0);
    if (isStoredAsCode(type))
      value = toF64(rewriter, loc, value);
    Type valueType = value.getType();
    auto compare = [&](arith::CmpFPredicate predicate, Value a, double b) {
      return arith::CmpFOp::create(
          rewriter, loc, predicate, a,
          arith::ConstantOp::create(rewriter, loc,
                                    rewriter.getFloatAttr(valueType, b)));
    };
    if (isa<math::IsNaNOp>(op)) {
      rewriter.replaceOpWithNewOp<arith::CmpFOp>(op, arith::CmpFPredicate::UNO,
                                                 value, value);
      return success();
    }
    Value magnitude = math::AbsFOp::create(rewriter, loc, value);
    Value result;
    if (isa<math::IsInfOp>(op))
      result = compare(arith::CmpFPredicate::OEQ, magnitude, INFINITY);
    else if (isa<math::IsFiniteOp>(op))
      result = compare(arith::CmpFPredicate::OLT, magnitude, INFINITY);
    else
      result = arith::AndIOp::create(
          rewriter, loc,
          compare(arith::CmpFPredicate::OGE, magnitude, smallestNormal),
          compare(arith::CmpFPredicate::OLT, magnitude, INFINITY));
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Integers to and from floats stored as codes, through f64 (exact for
/// every integer of up to 53 bits).
template <typename CastOp>
struct IntegerCastThroughF64 : OpRewritePattern<CastOp> {
  using OpRewritePattern<CastOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(CastOp op,
                                PatternRewriter &rewriter) const override {
    constexpr bool toFloat = std::is_same_v<CastOp, arith::SIToFPOp> ||
                             std::is_same_v<CastOp, arith::UIToFPOp>;
    Type floatType = toFloat ? op.getType() : op.getIn().getType();
    if (!isStoredAsCode(floatType))
      return failure();
    Location loc = op.getLoc();
    if constexpr (toFloat) {
      Value wide =
          CastOp::create(rewriter, loc, rewriter.getF64Type(), op.getIn());
      rewriter.replaceOpWithNewOp<ConvertOp>(op, op.getType(), wide);
    } else {
      rewriter.replaceOpWithNewOp<CastOp>(op, op.getType(),
                                          toF64(rewriter, loc, op.getIn()));
    }
    return success();
  }
};

/// `type` (a scalar or a vector) with element type `element`.
Type withElement(Type type, Type element) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.clone(element);
  return element;
}

/// A constant of `type` (a scalar or a vector of it) holding `value`.
Value splatConstant(PatternRewriter &rewriter, Location loc, Type type,
                    TypedAttr value) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return arith::ConstantOp::create(rewriter, loc,
                                     DenseElementsAttr::get(shaped, value));
  return arith::ConstantOp::create(rewriter, loc, value);
}

/// arith.fptosi and fptoui into integers of 8 bits and more, from any float
/// type: toward zero, saturating to the type's range, NaN 0, as into i2 ..
/// i7 (LLVM's fptosi.sat; plain fptosi would be poison out of range). The
/// comparisons are on the exact value in f64, where the bounds +-2^(w-1)
/// and 2^w are exact.
template <typename CastOp> struct SaturatingFPToInt : OpRewritePattern<CastOp> {
  /// `native`: also from f32 and f64, as the program wrote them (the
  /// lowp-legalize-arith pass); not in the kernels lowp generates, whose
  /// casts are in range by construction.
  SaturatingFPToInt(MLIRContext *context, bool native)
      : OpRewritePattern<CastOp>(context), native(native) {}
  bool native;

  LogicalResult matchAndRewrite(CastOp op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isSigned = std::is_same_v<CastOp, arith::FPToSIOp>;
    auto integer = dyn_cast<IntegerType>(getElementTypeOrSelf(op.getType()));
    Type input = op.getIn().getType();
    if (!integer || !isa<FloatType>(getElementTypeOrSelf(input)) ||
        (isSigned && integer.getWidth() >= 2 && integer.getWidth() < 8) ||
        integer.getWidth() > 64 ||
        (!native && !isStoredAsCode(getElementTypeOrSelf(input))))
      return failure();
    // Already in this form: the cast below is the one this pattern made.
    if (getElementTypeOrSelf(input).isF64() && op->hasAttr("lowp.saturated"))
      return failure();
    Location loc = op.getLoc();
    unsigned width = integer.getWidth();
    Type f64 = withElement(input, rewriter.getF64Type());
    Value x = op.getIn();
    if (x.getType() != f64)
      x = isStoredAsCode(getElementTypeOrSelf(input))
              ? Value(ConvertOp::create(rewriter, loc, f64, x))
              : Value(arith::ExtFOp::create(rewriter, loc, f64, x));
    auto real = [&](double v) {
      return splatConstant(rewriter, loc, f64, rewriter.getF64FloatAttr(v));
    };
    auto whole = [&](APInt v) {
      return splatConstant(rewriter, loc, op.getType(),
                           rewriter.getIntegerAttr(integer, v));
    };
    APInt high =
        isSigned ? APInt::getSignedMaxValue(width) : APInt::getMaxValue(width);
    APInt low =
        isSigned ? APInt::getSignedMinValue(width) : APInt::getMinValue(width);
    double above = std::ldexp(1.0, isSigned ? width - 1 : width);
    Value tooHigh = arith::CmpFOp::create(
        rewriter, loc, arith::CmpFPredicate::OGE, x, real(above));
    // Below the range: under -2^(w-1), or for fptoui at -1 and under
    // (-0.5 truncates to 0, which fits).
    Value tooLow =
        isSigned
            ? Value(arith::CmpFOp::create(
                  rewriter, loc, arith::CmpFPredicate::OLT, x, real(-above)))
            : Value(arith::CmpFOp::create(
                  rewriter, loc, arith::CmpFPredicate::OLE, x, real(-1)));
    Value isNaN =
        arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::UNO, x, x);
    auto cast = CastOp::create(rewriter, loc, op.getType(), x);
    cast->setAttr("lowp.saturated", rewriter.getUnitAttr());
    Value result = arith::SelectOp::create(rewriter, loc, tooLow, whole(low),
                                           cast.getResult());
    result =
        arith::SelectOp::create(rewriter, loc, tooHigh, whole(high), result);
    rewriter.replaceOpWithNewOp<arith::SelectOp>(
        op, isNaN, whole(APInt::getZero(width)), result);
    return success();
  }
};

/// arith.fptosi into an integer narrower than its storage (i2 .. i7, stored
/// as codes): lowp.convert toward zero, saturating, so that every input has
/// a defined result: the integer part clamped to the type's range, NaN 0
/// (LLVM's fptosi.sat; plain fptosi would be poison there).
struct NarrowFPToSIAsConvert : OpRewritePattern<arith::FPToSIOp> {
  NarrowFPToSIAsConvert(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(arith::FPToSIOp op,
                                PatternRewriter &rewriter) const override {
    auto integer = dyn_cast<IntegerType>(op.getType());
    if (!integer || integer.getWidth() < 2 || integer.getWidth() >= 8 ||
        !isa<FloatType>(op.getIn().getType()))
      return failure();
    rewriter.replaceOpWithNewOp<ConvertOp>(op, integer, op.getIn(), Value(),
                                           Rounding::toward_zero,
                                           /*saturate=*/true);
    return success();
  }
};

/// arith.scaling_extf and arith.scaling_truncf, MLIR's elementwise MX-style
/// scaling: the input's exact value times (extf) or divided by (truncf)
/// the scale's, rounded once into the result by the op's rounding mode
/// (docs/Numerics.md). A scale of 16 bits or more is first rounded into
/// f8E8M0FNU, as upstream documents. The scale is a power of two (or NaN),
/// so the product or quotient of f64 values is exact and one lowp.convert
/// rounds it.
template <typename ScalingOp>
struct ScalingInF64 : OpRewritePattern<ScalingOp> {
  using OpRewritePattern<ScalingOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(ScalingOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value scale = op.getScale();
    Type scaleType = scale.getType();
    if (getElementTypeOrSelf(scaleType).getIntOrFloatBitWidth() >= 16)
      scale = ConvertOp::create(
          rewriter, loc,
          withElement(scaleType, rewriter.getType<Float8E8M0FNUType>()), scale);
    else if (!isa<Float8E8M0FNUType>(getElementTypeOrSelf(scaleType)))
      return rewriter.notifyMatchFailure(op, "scale is not a power of two");
    auto wide = [&](Value value) -> Value {
      Type f64 = withElement(value.getType(), rewriter.getF64Type());
      if (value.getType() == f64)
        return value;
      return ConvertOp::create(rewriter, loc, f64, value);
    };
    Value x = wide(op.getIn()), factor = wide(scale);
    Value exact;
    Rounding rounding = Rounding::to_nearest_even;
    if constexpr (std::is_same_v<ScalingOp, arith::ScalingExtFOp>) {
      exact = arith::MulFOp::create(rewriter, loc, x, factor);
    } else {
      exact = arith::DivFOp::create(rewriter, loc, x, factor);
      rounding = toRounding(op.getRoundingmode());
    }
    if (exact.getType() == op.getType()) {
      rewriter.replaceOp(op, exact);
      return success();
    }
    rewriter.replaceOpWithNewOp<ConvertOp>(op, op.getType(), exact, Value(),
                                           rounding, /*saturate=*/false);
    return success();
  }
};

struct LowpLegalizeArithPass
    : lowp::impl::LowpLegalizeArithBase<LowpLegalizeArithPass> {
  void runOnOperation() override {
    if (failed(generalizeNamedOpsOnCodes(getOperation())))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateLowpLegalizeArithPatterns(patterns, /*nativeFloats=*/true);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

LogicalResult lowp::generalizeNamedOpsOnCodes(Operation *root) {
  auto storedAsCode = [](Type type) {
    return needsStorage(getElementTypeOrSelf(type));
  };
  SmallVector<linalg::LinalgOp> named;
  root->walk([&](linalg::LinalgOp op) {
    if (isa<linalg::GenericOp, linalg::FillOp, linalg::CopyOp,
            linalg::TransposeOp, linalg::BroadcastOp>(op))
      return;
    if (llvm::any_of(op->getOperandTypes(), storedAsCode) ||
        llvm::any_of(op->getResultTypes(), storedAsCode))
      named.push_back(op);
  });
  IRRewriter rewriter(root->getContext());
  for (linalg::LinalgOp op : named) {
    rewriter.setInsertionPoint(op);
    if (failed(linalg::generalizeNamedOp(rewriter, op)))
      return op->emitOpError("on these types is not lowered by lowp yet: it "
                             "could not be rewritten as a linalg.generic "
                             "(write it as one)");
  }
  return success();
}

void lowp::populateLowpLegalizeArithPatterns(RewritePatternSet &patterns,
                                             bool nativeFloats) {
  MLIRContext *context = patterns.getContext();
  patterns.add<SaturatingFPToInt<arith::FPToSIOp>,
               SaturatingFPToInt<arith::FPToUIOp>,
               NumberAsOrdered<arith::MaxNumFOp, arith::MaximumFOp>,
               NumberAsOrdered<arith::MinNumFOp, arith::MinimumFOp>>(
      context, nativeFloats);
  patterns.add<ComputeInF64, ClassifyByComparison, NarrowFPToSIAsConvert,
               CastAsConvert<arith::TruncFOp>, CastAsConvert<arith::ExtFOp>,
               CompareInF64, IntegerCastThroughF64<arith::SIToFPOp>,
               IntegerCastThroughF64<arith::UIToFPOp>,
               ScalingInF64<arith::ScalingExtFOp>,
               ScalingInF64<arith::ScalingTruncFOp>>(context);
}
