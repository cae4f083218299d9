//===- Vectorize.cpp - lowp ops that a vector kernel covers ---------------===//
//
// lowp-vectorize: the block-wise loops of lowp's ops as vector code over
// whole blocks (BlockKernels.cpp, MatmulKernel.cpp, decoding and encoding
// through VectorCode.cpp for every element format at once). It is a partial
// conversion on the storage types of convert-lowp-to-linalg: what it lowers
// meets what it leaves through unrealized casts, which
// convert-lowp-to-linalg then removes.
//
//===----------------------------------------------------------------------===//

#include "BlockKernels.h"
#include "MatmulKernel.h"
#include "PackedConversions.h"
#include "StorageLowering.h"

#include "lowp/Conversion/LowpToLinalg/StorageTypes.h"
#include "lowp/Conversion/Passes.h"
#include "lowp/Conversion/VectorTarget.h"
#include "lowp/Dialect/Lowp/IR/LowpDialect.h"
#include "lowp/Dialect/Lowp/IR/LowpOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowp {
#define GEN_PASS_DEF_LOWPVECTORIZE
#include "lowp/Conversion/Passes.h.inc"
} // namespace lowp

using namespace mlir;
using namespace lowp;

namespace {

//===----------------------------------------------------------------------===//
// What the kernels cover
//===----------------------------------------------------------------------===//

/// Whether one op reads `value`, not counting the casts that the
/// conversion adds when it lowers that op's operands (which would otherwise
/// make a kernel's match depend on when it is tried).
bool hasOneRealUse(Value value) {
  return llvm::count_if(value.getUsers(), [](Operation *user) {
           return !isa<UnrealizedConversionCastOp>(user);
         }) == 1;
}

/// The unpack whose codes a convert reads packed, when nothing else reads
/// them.
UnpackOp packedSource(ConvertOp op) {
  auto unpack = op.getInput().getDefiningOp<UnpackOp>();
  return unpack && hasOneRealUse(unpack.getResult()) ? unpack : UnpackOp();
}

/// The width in which the decode kernel reads `op`'s codes: packed, or 0.
unsigned decodeWidth(ConvertOp op) {
  if (!packedSource(op))
    return 0;
  return getNumericFormat(
             cast<RankedTensorType>(op.getInput().getType()).getElementType())
      ->getBitWidth();
}

bool isDecodeCovered(ConvertOp op) {
  auto sourceType = dyn_cast<RankedTensorType>(op.getInput().getType());
  auto resultType = dyn_cast<RankedTensorType>(op.getType());
  return sourceType && resultType && !op.getRandom() &&
         isDecodeKernelCovered(sourceType, resultType.getElementType(),
                               decodeWidth(op));
}

/// lowp.convert of an f32 tensor into a format of 8 or 16 bits that the
/// encode kernel covers (a narrower one is packed by VectorizePackedEncode).
bool isEncodeCovered(ConvertOp op) {
  auto sourceType = dyn_cast<RankedTensorType>(op.getInput().getType());
  if (!sourceType || !isa<RankedTensorType>(op.getType()) || op.getRandom())
    return false;
  ElementConversion conversion(op);
  return !conversion.to.isF64 &&
         isEncodeKernelCovered(sourceType, *conversion.to.format,
                               conversion.options);
}

/// The width in which a quantize kernel writes the elements of `op`
/// (lowp.quantize or lowp.requantize): packed into their lowp.pack where
/// `covers` says the kernel covers that width, else 0.
unsigned packedResultWidth(Operation *op, function_ref<bool(unsigned)> covers) {
  if (!packOfElements(op->getResult(0)))
    return 0;
  unsigned width =
      getNumericFormat(
          cast<RankedTensorType>(op->getResult(0).getType()).getElementType())
          ->getBitWidth();
  return covers(width) ? width : 0;
}

unsigned quantizeWidth(QuantizeOp op) {
  return packedResultWidth(
      op, [&](unsigned width) { return isQuantizeKernelCovered(op, width); });
}

bool isQuantizeCovered(QuantizeOp op) {
  return isQuantizeKernelCovered(op, quantizeWidth(op));
}

/// The width in which the requantize kernel writes `op`'s elements, as
/// quantizeWidth.
unsigned requantizeWidth(RequantizeOp op) {
  return packedResultWidth(op, [&](unsigned width) {
    return isRequantizeKernelCovered(op, packedWidthOf(op.getInput()), width);
  });
}

bool isRequantizeCovered(RequantizeOp op) {
  return isRequantizeKernelCovered(op, packedWidthOf(op.getInput()),
                                   requantizeWidth(op));
}

/// The convert that `op` packs, when the packed-encode kernel covers the
/// pair.
ConvertOp encodedConvert(PackOp op) {
  auto convert = op.getInput().getDefiningOp<ConvertOp>();
  if (!convert || !hasOneRealUse(convert.getResult()) || convert.getRandom())
    return {};
  auto sourceType = dyn_cast<RankedTensorType>(convert.getInput().getType());
  ElementConversion conversion(convert);
  if (!sourceType || conversion.to.isF64 ||
      !isPackedEncodeKernelCovered(sourceType, *conversion.to.format,
                                   conversion.options))
    return {};
  return convert;
}

/// Whether the kernel reads `op`'s activation as it is.
bool isActivationCovered(MatmulOp op) {
  return lowp::isActivationCovered(
      cast<RankedTensorType>(op.getLhs().getType()),
      cast<RankedTensorType>(op.getRhs().getType()), op.getTransposeRhs(),
      packedWidthOf(op.getLhs()));
}

/// The block-factored kernel's own case: an activation it reads and an f32
/// result (the preparation patterns below bring other activations and
/// results to it).
bool isMatmulCovered(MatmulOp op) {
  return cast<RankedTensorType>(op.getType()).getElementType().isF32() &&
         isBlockScaledMatmulCovered(op, packedWidthOf(op.getRhs())) &&
         isActivationCovered(op);
}

//===----------------------------------------------------------------------===//
// Preparation: exact rewrites that bring more ops to a kernel
//===----------------------------------------------------------------------===//

/// A matmul the kernel covers but for the formats of its activation or
/// result: lowp.matmul rounds each operand's value to f32 and the f32 sum
/// once into the result, exactly what converting (or dequantizing) the
/// activation to f32 first and the f32 result after computes.
struct MatmulToF32 : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type f32 = rewriter.getF32Type();
    if (!isBlockScaledMatmulCovered(op, packedWidthOf(op.getRhs())))
      return failure();
    bool convertsActivation = !isActivationCovered(op);
    if (!convertsActivation && resultType.getElementType().isF32())
      return failure();
    Location loc = op.getLoc();
    Value lhs = op.getLhs();
    auto f32Type = RankedTensorType::get(lhsType.getShape(), f32);
    if (convertsActivation && getBlockScaledEncoding(lhsType))
      lhs = DequantizeOp::create(rewriter, loc, f32Type, lhs);
    else if (convertsActivation)
      lhs = ConvertOp::create(rewriter, loc, f32Type, lhs);
    Value product =
        MatmulOp::create(rewriter, loc, resultType.clone(f32), lhs, op.getRhs(),
                         op.getAccumulatorAttr(), op.getTransposeRhsAttr());
    if (!resultType.getElementType().isF32())
      product = ConvertOp::create(rewriter, loc, resultType, product);
    rewriter.replaceOp(op, product);
    return success();
  }
};

/// A matmul whose weight is a plain narrow format (FP8, FP6, FP4, a
/// minifloat or an integer of at most 8 bits, no encoding): the same weight
/// as a block-scaled tensor with one E8M0 scale of 1 per column over all of
/// K, the same values, so the block-factored kernel covers it (a scale of
/// 1 makes the bf16-pair GEMM's guard hold, docs/Lowering.md). FP8 GEMMs
/// with per-tensor scales (torch._scaled_mm) are this matmul times the
/// scales' product.
struct PlainWeightAsBlockScaled : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
    auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
    Type element = rhsType.getElementType();
    if (!op.getAccumulator().isF32() || rhsType.getEncoding() ||
        rhsType.getRank() != 2 || !rhsType.hasStaticShape() || element.isF32())
      return failure();
    std::optional<numerics::Format> format = getNumericFormat(element);
    if (!format || format->getBitWidth() > 8)
      return failure();
    MLIRContext *context = rewriter.getContext();
    bool transposed = op.getTransposeRhs();
    int64_t depth = rhsType.getDimSize(transposed ? 1 : 0);
    int64_t columns = rhsType.getDimSize(transposed ? 0 : 1);
    Type scaleType = Float8E8M0FNUType::get(context);
    SmallVector<int64_t> block = transposed ? SmallVector<int64_t>{1, depth}
                                            : SmallVector<int64_t>{depth, 1};
    // absmax, not MX's floor: under floor and rceil integer elements are
    // fixed point (MXINT8's 1.6), under absmax their own values. The rule
    // matters only to quantizing, which this weight never is.
    auto encoding = BlockScaledEncodingAttr::get(
        context, block, scaleType, numerics::ScaleRule::AbsMax, Type(), Type());
    auto weightType =
        RankedTensorType::get(rhsType.getShape(), element, encoding);
    unsigned packedWidth =
        op.getRhs().getDefiningOp<UnpackOp>() ? format->getBitWidth() : 0;
    if (!isBlockScaledMatmulCovered(lhsType, weightType, op.getAccumulator(),
                                    transposed, packedWidth))
      return failure();
    auto scalesType =
        RankedTensorType::get(transposed ? ArrayRef<int64_t>{columns, 1}
                                         : ArrayRef<int64_t>{1, columns},
                              scaleType);
    Location loc = op.getLoc();
    Value ones = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(scalesType,
                               rewriter.getFloatAttr(scaleType, 1.0)));
    Value weight = AssembleOp::create(rewriter, loc, weightType, op.getRhs(),
                                      ones, Value(), Value(), Value());
    rewriter.modifyOpInPlace(op, [&] { op.getRhsMutable().assign(weight); });
    return success();
  }
};

/// A matmul the kernel does not cover, with an f32 accumulator and a
/// block-scaled operand that the dequantize kernel covers: the operand
/// dequantized to f32 by the kernel, which is what lowp.matmul rounds it
/// to, for the dequantizing matmul of convert-lowp-to-linalg.
struct DequantizeMatmulOperands : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getAccumulator().isF32() ||
        isBlockScaledMatmulCovered(op, packedWidthOf(op.getRhs())))
      return failure();
    bool changed = false;
    for (OpOperand *operand : {&op.getLhsMutable(), &op.getRhsMutable()}) {
      auto type = cast<RankedTensorType>(operand->get().getType());
      if (!getBlockScaledEncoding(type) ||
          !isDequantizeKernelCovered(type, rewriter.getF32Type(),
                                     packedWidthOf(operand->get())))
        continue;
      Value dequantized = DequantizeOp::create(
          rewriter, op.getLoc(),
          RankedTensorType::get(type.getShape(), rewriter.getF32Type()),
          operand->get());
      rewriter.modifyOpInPlace(op, [&] { operand->set(dequantized); });
      changed = true;
    }
    return success(changed);
  }
};

//===----------------------------------------------------------------------===//
// The kernels
//===----------------------------------------------------------------------===//

/// lowp.convert to f32 of a plain tensor: decoding is exact, so vector code
/// over the stored codes, packed ones read as they are.
struct VectorizeDecode : OpConversionPattern<ConvertOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvertOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isDecodeCovered(op))
      return failure();
    unsigned width = decodeWidth(op);
    Value codes = width ? rewriter.getRemappedValue(packedSource(op).getInput())
                        : adaptor.getInput();
    rewriter.replaceOp(
        op, emitDecodeKernel(rewriter, op.getLoc(), codes,
                             cast<RankedTensorType>(op.getInput().getType()),
                             width));
    return success();
  }
};

/// lowp.convert from f32 into an 8- or 16-bit format: vector code over the
/// f32 values, with non-temporal stores for results beyond the caches.
struct VectorizeEncode : OpConversionPattern<ConvertOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvertOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isEncodeCovered(op))
      return failure();
    ElementConversion conversion(op);
    rewriter.replaceOp(
        op,
        emitEncodeKernel(rewriter, op.getLoc(), adaptor.getInput(),
                         *conversion.to.format, conversion.options,
                         cast<RankedTensorType>(
                             getTypeConverter()->convertType(op.getType()))));
    return success();
  }
};

/// lowp.hadamard along the innermost axis: one pass in registers.
struct VectorizeHadamard : OpConversionPattern<HadamardOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(HadamardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    if (!isHadamardKernelCovered(type, op.getAxis(), op.getBlock()))
      return failure();
    SmallVector<float> signs = op.getSigns();
    rewriter.replaceOp(op, emitHadamardKernel(rewriter, op.getLoc(),
                                              adaptor.getInput(), op.getBlock(),
                                              signs));
    return success();
  }
};

struct VectorizeDequantize : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DequantizeOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isVectorized(op))
      return failure();
    rewriter.replaceOp(
        op, emitDequantizeKernel(
                rewriter, op.getLoc(),
                kernelParts(op.getInput(), adaptor.getInput(), rewriter)));
    return success();
  }
};

/// Replaces `op` (lowp.quantize or lowp.requantize) by the parts its kernel
/// wrote; the elements replace their lowp.pack when written packed
/// (`width` nonzero).
void replaceByQuantized(ConversionPatternRewriter &rewriter, Operation *op,
                        SmallVector<Value> parts, unsigned width) {
  if (width) {
    rewriter.replaceOp(packOfElements(op->getResult(0)), parts[0]);
    // The unpacked elements are then never read.
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    parts[0] = tensor::EmptyOp::create(rewriter, op->getLoc(), type.getShape(),
                                       getStorageType(type.getElementType()));
  }
  rewriter.replaceOpWithMultiple(op, {parts});
}

struct VectorizeQuantize : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantizeCovered(op))
      return failure();
    unsigned width = quantizeWidth(op);
    replaceByQuantized(rewriter, op,
                       emitQuantizeKernel(rewriter, op.getLoc(), op,
                                          adaptor.getInput(), width),
                       width);
    return success();
  }
};

struct VectorizeRequantize : OpConversionPattern<RequantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RequantizeOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isRequantizeCovered(op))
      return failure();
    unsigned width = requantizeWidth(op);
    replaceByQuantized(
        rewriter, op,
        emitRequantizeKernel(
            rewriter, op.getLoc(), op,
            kernelParts(op.getInput(), adaptor.getInput(), rewriter), width),
        width);
    return success();
  }
};

struct VectorizeMatmul : OpConversionPattern<MatmulOp> {
  VectorizeMatmul(const TypeConverter &converter, MLIRContext *context,
                  const VectorTarget &target)
      : OpConversionPattern(converter, context), target(target) {}

  LogicalResult
  matchAndRewrite(MatmulOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isMatmulCovered(op))
      return failure();
    auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
    BlockScaledParts lhs;
    if (getBlockScaledEncoding(lhsType)) {
      lhs = kernelParts(op.getLhs(), adaptor.getLhs(), rewriter);
    } else {
      lhs.type = lhsType;
      lhs.elements = adaptor.getLhs()[0];
    }
    rewriter.replaceOp(op,
                       emitBlockScaledMatmul(
                           rewriter, op.getLoc(), lhs,
                           kernelParts(op.getRhs(), adaptor.getRhs(), rewriter),
                           op.getTransposeRhs(), target));
    return success();
  }

  VectorTarget target;
};

/// lowp.pack(lowp.convert) from f32: rounded and packed in registers (the
/// convert is then dead).
struct VectorizePackedEncode : OpConversionPattern<PackOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PackOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ConvertOp convert = encodedConvert(op);
    if (!convert)
      return failure();
    ElementConversion conversion(convert);
    rewriter.replaceOp(op, emitPackedEncodeKernel(
                               rewriter, op.getLoc(),
                               rewriter.getRemappedValue(convert.getInput()),
                               *conversion.to.format, conversion.options,
                               cast<RankedTensorType>(op.getType())));
    return success();
  }
};

struct LowpVectorizePass : lowp::impl::LowpVectorizeBase<LowpVectorizePass> {
  using LowpVectorizeBase::LowpVectorizeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    std::optional<VectorTarget> vectorTarget =
        VectorTarget::byName(this->vectorTarget);
    if (!vectorTarget) {
      module.emitError("unknown vector-target '")
          << this->vectorTarget
          << "'; expected host, avx512-bf16, avx512-vnni, avx512, avx2 or "
             "generic";
      return signalPassFailure();
    }
    RewritePatternSet preparation(context);
    preparation
        .add<PlainWeightAsBlockScaled, MatmulToF32, DequantizeMatmulOperands>(
            context);
    // A requantize that the fused kernel does not cover becomes its pair,
    // for the dequantize and quantize kernels (or the generic lowering).
    populateSplitRequantizePatterns(
        preparation, [](RequantizeOp op) { return isRequantizeCovered(op); });
    if (failed(applyPatternsGreedily(module, std::move(preparation))))
      return signalPassFailure();

    KernelTypeConverter converter;
    ConversionTarget target(*context);
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    target.addDynamicallyLegalOp<ConvertOp, DequantizeOp, QuantizeOp,
                                 RequantizeOp, MatmulOp, PackOp, HadamardOp>(
        [](Operation *op) { return !isVectorized(op); });
    RewritePatternSet patterns(context);
    populateLowpVectorizePatterns(converter, patterns, *vectorTarget);
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

bool lowp::isVectorized(Operation *op) {
  if (auto convert = dyn_cast<ConvertOp>(op))
    return isDecodeCovered(convert) || isEncodeCovered(convert);
  if (auto dequantize = dyn_cast<DequantizeOp>(op))
    return isDequantizeKernelCovered(
        cast<RankedTensorType>(dequantize.getInput().getType()),
        dequantize.getType().getElementType(),
        packedWidthOf(dequantize.getInput()));
  if (auto quantize = dyn_cast<QuantizeOp>(op))
    return isQuantizeCovered(quantize);
  if (auto requantize = dyn_cast<RequantizeOp>(op))
    return isRequantizeCovered(requantize);
  if (auto matmul = dyn_cast<MatmulOp>(op))
    return isMatmulCovered(matmul);
  if (auto pack = dyn_cast<PackOp>(op))
    return (bool)encodedConvert(pack);
  if (auto hadamard = dyn_cast<HadamardOp>(op))
    return isHadamardKernelCovered(cast<RankedTensorType>(hadamard.getType()),
                                   hadamard.getAxis(), hadamard.getBlock());
  return false;
}

void lowp::populateLowpVectorizePatterns(StorageTypeConverter &converter,
                                         RewritePatternSet &patterns,
                                         const VectorTarget &target) {
  patterns.add<VectorizeDecode, VectorizeDequantize, VectorizeQuantize,
               VectorizeRequantize, VectorizePackedEncode, VectorizeEncode,
               VectorizeHadamard>(converter, patterns.getContext());
  patterns.add<VectorizeMatmul>(converter, patterns.getContext(), target);
}

namespace {
/// requantize(q) -> quantize(dequantize(q) to f32), what the op is defined
/// as, unless `keep` says otherwise.
struct SplitRequantize : OpRewritePattern<RequantizeOp> {
  SplitRequantize(MLIRContext *context, std::function<bool(RequantizeOp)> keep)
      : OpRewritePattern(context), keep(std::move(keep)) {}

  LogicalResult matchAndRewrite(RequantizeOp op,
                                PatternRewriter &rewriter) const override {
    if (keep && keep(op))
      return failure();
    auto type = cast<RankedTensorType>(op.getType());
    Value values = DequantizeOp::create(
        rewriter, op.getLoc(),
        RankedTensorType::get(type.getShape(), rewriter.getF32Type()),
        op.getInput());
    rewriter.replaceOpWithNewOp<QuantizeOp>(op, type, values, Value(),
                                            op.getRoundingAttr());
    return success();
  }

  std::function<bool(RequantizeOp)> keep;
};
} // namespace

void lowp::populateSplitRequantizePatterns(
    RewritePatternSet &patterns, std::function<bool(RequantizeOp)> keep) {
  patterns.add<SplitRequantize>(patterns.getContext(), std::move(keep));
}
