//===- CpuPipeline.cpp - lowp to LLVM for the host CPU --------------------===//

#include "lowp/Conversion/Passes.h"
#include "lowp/Dialect/Lowp/IR/LowpAttrs.h"
#include "lowp/Dialect/Lowp/IR/LowpDialect.h"
#include "lowp/Dialect/Lowp/Transforms/Passes.h"
#include "lowp/Pipelines/Pipelines.h"

#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Inliner.h"
#include "mlir/Transforms/InliningUtils.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {
/// Marks every public function for a C-callable wrapper
/// (_mlir_ciface_NAME, memref descriptors passed by pointer).
struct EmitCInterfacePass
    : PassWrapper<EmitCInterfacePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(EmitCInterfacePass)
  StringRef getArgument() const override { return "lowp-emit-c-interface"; }
  void runOnOperation() override {
    getOperation().walk([](func::FuncOp func) {
      if (func.isPublic() && !func.isExternal())
        func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                      UnitAttr::get(func.getContext()));
    });
  }
};

/// Inlines every call whose results have dynamic sizes: compiled functions
/// return results in buffers their callers allocate, and a caller cannot
/// size one whose shape only the callee knows (upstream's
/// buffer-results-to-out-params refuses such calls). Bodies are cloned, so
/// other callers keep the function; a private one left without callers is
/// erased.
struct InlineDynamicResultCallsPass
    : PassWrapper<InlineDynamicResultCallsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(InlineDynamicResultCallsPass)
  StringRef getArgument() const override {
    return "lowp-inline-dynamic-result-calls";
  }

  /// Every op may be inlined here (lowp's are pure, and the callee is
  /// cloned whole); func.return's operands replace the call's results.
  struct Inliner : InlinerInterface {
    using InlinerInterface::InlinerInterface;
    bool isLegalToInline(Operation *, Operation *, bool) const override {
      return true;
    }
    bool isLegalToInline(Region *, Region *, bool, IRMapping &) const override {
      return true;
    }
    bool isLegalToInline(Operation *, Region *, bool,
                         IRMapping &) const override {
      return true;
    }
    void handleTerminator(Operation *op,
                          ValueRange valuesToReplace) const override {
      for (auto [value, replacement] :
           llvm::zip(valuesToReplace, op->getOperands()))
        value.replaceAllUsesWith(replacement);
    }
    // The defaults ask the dialects' inliner interfaces, which not every
    // dialect here registers: arguments and results pass as they are.
    Value handleArgument(OpBuilder &, Operation *, Operation *, Value argument,
                         DictionaryAttr) const override {
      return argument;
    }
    Value handleResult(OpBuilder &, Operation *, Operation *, Value result,
                       DictionaryAttr) const override {
      return result;
    }
    void
    processInlinedCallBlocks(Operation *,
                             iterator_range<Region::iterator>) const override {}
    bool allowSingleBlockOptimization(
        iterator_range<Region::iterator>) const override {
      return true;
    }
  };

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    auto dynamic = [](Type type) {
      auto tensor = dyn_cast<RankedTensorType>(type);
      return tensor && !tensor.hasStaticShape();
    };
    Inliner interface(&getContext());
    InlinerConfig config;
    // Calls inlined bring their own calls along: until none is left
    // (a recursion that never ends is cut off).
    for (int round = 0; round < 16; ++round) {
      SmallVector<func::CallOp> calls;
      module.walk([&](func::CallOp call) {
        if (llvm::any_of(call.getResultTypes(), dynamic))
          calls.push_back(call);
      });
      if (calls.empty())
        return;
      for (func::CallOp call : calls) {
        auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
        if (!callee || callee.isExternal())
          continue;
        if (failed(inlineCall(interface, config.getCloneCallback(), call,
                              callee, &callee.getBody())))
          continue;
        call.erase();
        if (callee.isPrivate() &&
            SymbolTable::symbolKnownUseEmpty(callee, module))
          callee.erase();
      }
    }
  }
};

/// Refuses, at its location, what a program may write but the pipeline
/// does not lower, instead of a "failed to legalize" later: an op outside
/// lowp that takes or gives a block-scaled tensor (which lowers to its
/// parts, and only lowp ops, calls, returns and scf's structured control
/// flow carry parts), and arith.scaling_extf / scaling_truncf with a scale
/// that is not a power of two.
struct CheckSupportedPass
    : PassWrapper<CheckSupportedPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CheckSupportedPass)
  StringRef getArgument() const override { return "lowp-check-supported"; }
  void runOnOperation() override {
    auto blockScaled = [](Type type) {
      auto tensor = dyn_cast<RankedTensorType>(type);
      return tensor && isa_and_nonnull<lowp::BlockScaledEncodingAttr>(
                           tensor.getEncoding());
    };
    WalkResult walked = getOperation().walk([&](Operation *op) {
      if (isa<arith::ScalingExtFOp, arith::ScalingTruncFOp>(op)) {
        Type scale = getElementTypeOrSelf(op->getOperand(1).getType());
        if (scale.getIntOrFloatBitWidth() < 16 &&
            !isa<Float8E8M0FNUType>(scale)) {
          op->emitOpError("with a ")
              << scale
              << " scale is not lowered: the scale is read as a power of two, "
                 "so it is f8E8M0FNU or a float of 16 or more bits (rounded "
                 "into f8E8M0FNU); for other block scales use lowp.quantize "
                 "or lowp.dequantize with a #lowp.block_scaled encoding";
          return WalkResult::interrupt();
        }
        return WalkResult::advance();
      }
      if ((op->getDialect() && isa<lowp::LowpDialect>(op->getDialect())) ||
          isa<func::FuncOp, func::CallOp, func::ReturnOp, scf::ForOp, scf::IfOp,
              scf::WhileOp, scf::YieldOp, scf::ConditionOp>(op))
        return WalkResult::advance();
      if (!llvm::any_of(op->getOperandTypes(), blockScaled) &&
          !llvm::any_of(op->getResultTypes(), blockScaled))
        return WalkResult::advance();
      op->emitOpError("on a block-scaled tensor is not lowered: "
                      "lowp.dequantize it first, or take its parts with "
                      "lowp.disassemble")
          << (isa<arith::SelectOp>(op)
                  ? " (or choose between whole tensors with scf.if)"
                  : "");
      return WalkResult::interrupt();
    });
    if (walked.wasInterrupted())
      signalPassFailure();
  }
};

/// Splat tensor constants of more than 4 KiB as linalg.fill of a new
/// tensor: bufferized as they are, they would become LLVM globals holding
/// every element (a 10^11-element splat is 100 GB of initializer), where a
/// fill writes the one value at run time.
struct SplatConstantsAsFillsPass
    : PassWrapper<SplatConstantsAsFillsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(SplatConstantsAsFillsPass)
  StringRef getArgument() const override {
    return "lowp-splat-constants-as-fills";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect, tensor::TensorDialect>();
  }
  void runOnOperation() override {
    SmallVector<arith::ConstantOp> splats;
    getOperation().walk([&](arith::ConstantOp constant) {
      auto dense = dyn_cast<SplatElementsAttr>(constant.getValue());
      auto type = dyn_cast<RankedTensorType>(constant.getType());
      if (dense && type && type.getElementType().isIntOrFloat() &&
          type.getNumElements() *
                  std::max<int64_t>(1, type.getElementTypeBitWidth() / 8) >
              4096)
        splats.push_back(constant);
    });
    for (arith::ConstantOp constant : splats) {
      OpBuilder b(constant);
      auto type = cast<RankedTensorType>(constant.getType());
      Value value = arith::ConstantOp::create(
          b, constant.getLoc(),
          cast<TypedAttr>(cast<SplatElementsAttr>(constant.getValue())
                              .getSplatValue<Attribute>()));
      Value empty = tensor::EmptyOp::create(
          b, constant.getLoc(), type.getShape(), type.getElementType());
      Value filled = linalg::FillOp::create(b, constant.getLoc(), value, empty)
                         .getResult(0);
      constant.replaceAllUsesWith(filled);
      constant.erase();
    }
  }
};

/// math.expm1 and math.log1p as calls into the C library (math-to-libm's
/// patterns, on these ops only), before math-to-llvm approximates them.
struct AccurateMathToLibmPass
    : PassWrapper<AccurateMathToLibmPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(AccurateMathToLibmPass)
  StringRef getArgument() const override {
    return "lowp-accurate-math-to-libm";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<func::FuncDialect, vector::VectorDialect>();
  }
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<math::ExpM1Op, math::Log1pOp>(op))
        ops.push_back(op);
    });
    if (ops.empty())
      return;
    RewritePatternSet patterns(&getContext());
    populateMathToLibmConversionPatterns(patterns);
    if (failed(applyOpPatternsGreedily(ops, std::move(patterns))))
      signalPassFailure();
  }
};

/// Gives every returned tensor its own value: MLIR 22's
} // namespace

/// The arguments of public functions are the caller's buffers (a numpy
/// array, a C program's memory): bufferization must not write into them
/// (a tensor.insert into an argument would otherwise change the caller's
/// input), so it copies first where a function updates an argument.
struct ReadOnlyArgumentsPass
    : public PassWrapper<ReadOnlyArgumentsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ReadOnlyArgumentsPass)

  StringRef getArgument() const final { return "lowp-read-only-arguments"; }

  void runOnOperation() override {
    for (auto function : getOperation().getOps<func::FuncOp>()) {
      if (!function.isPublic() || function.isExternal())
        continue;
      for (auto [i, type] : llvm::enumerate(function.getArgumentTypes()))
        if (isa<TensorType>(type))
          function.setArgAttr(
              i, bufferization::BufferizationDialect::kWritableAttrName,
              BoolAttr::get(&getContext(), false));
    }
  }
};

std::unique_ptr<Pass> lowp::createReadOnlyArgumentsPass() {
  return std::make_unique<ReadOnlyArgumentsPass>();
}

namespace {
/// buffer-results-to-out-params crashes on a function that returns the same
/// buffer twice, which canonicalize and CSE produce whenever two results
/// compute the same thing.
struct DistinctResultsPass
    : PassWrapper<DistinctResultsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(DistinctResultsPass)
  StringRef getArgument() const override { return "lowp-distinct-results"; }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<bufferization::BufferizationDialect>();
  }
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      llvm::SmallPtrSet<Value, 8> seen;
      OpBuilder b(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        Value value = operand.get();
        auto tensor = dyn_cast<RankedTensorType>(value.getType());
        if (!tensor || seen.insert(value).second)
          continue;
        operand.set(bufferization::AllocTensorOp::create(
            b, ret.getLoc(), tensor, ValueRange{}, /*copy=*/value));
      }
    });
  }
};
/// memref.copy between buffers of which one is strided (a bufferized
/// tensor.extract_slice or tensor.concat) as linalg.copy, which becomes
/// loops: finalize-memref-to-llvm would make it a call to MLIR's runner
/// library (memrefCopy), which compiled code does not link. Copies between
/// identity layouts stay, for the memcpy it makes of them.
struct StridedCopiesToLoopsPass
    : PassWrapper<StridedCopiesToLoopsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(StridedCopiesToLoopsPass)
  StringRef getArgument() const override {
    return "lowp-strided-copies-to-loops";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect>();
  }
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) {
      auto source = cast<MemRefType>(copy.getSource().getType());
      auto target = cast<MemRefType>(copy.getTarget().getType());
      if (!source.getLayout().isIdentity() || !target.getLayout().isIdentity())
        copies.push_back(copy);
    });
    for (memref::CopyOp copy : copies) {
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    }
  }
};

/// Inlines each memref.alloca_scope that holds no memref.alloca:
/// convert-scf-to-openmp wraps every parallel loop body in one, which
/// scf-to-cf cannot lower into once the body has loops, and the canonicalizer
/// keeps those whose bodies call functions (which might allocate, it
/// assumes, though a callee's allocas end with the call anyway).
struct InlineAllocaScopesPass
    : PassWrapper<InlineAllocaScopesPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(InlineAllocaScopesPass)
  StringRef getArgument() const override { return "lowp-inline-alloca-scopes"; }
  void runOnOperation() override {
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation().walk([&](memref::AllocaScopeOp scope) {
      bool allocates =
          scope.walk([](memref::AllocaOp) { return WalkResult::interrupt(); })
              .wasInterrupted();
      if (!allocates && scope.getBodyRegion().hasOneBlock())
        scopes.push_back(scope);
    });
    IRRewriter rewriter(&getContext());
    for (memref::AllocaScopeOp scope : scopes) {
      Block &body = scope.getBodyRegion().front();
      auto terminator = cast<memref::AllocaScopeReturnOp>(body.getTerminator());
      SmallVector<Value> results(terminator.getResults());
      rewriter.eraseOp(terminator);
      rewriter.inlineBlockBefore(&body, scope);
      rewriter.replaceOp(scope, results);
    }
  }
};
} // namespace

void lowp::buildFrontHalf(OpPassManager &pm, bool assignLayouts, bool prepack,
                          bool packBoundaries) {
  pm.addPass(std::make_unique<CheckSupportedPass>());
  pm.addPass(std::make_unique<InlineDynamicResultCallsPass>());
  // Constants fold through the numerics core before anything is lowered.
  pm.addPass(createCanonicalizerPass());
  // Block-scaled operands stay encoded up to the matmuls that read them, so
  // that the kernels factor their scales out of the dot products.
  pm.addPass(createLowpPropagateScales());
  // Weights in the order the kernels read fastest: constants relaid out
  // here, run-time weights through NAME_prepack and NAME_prepacked.
  if (assignLayouts) {
    LowpAssignLayoutsOptions layouts;
    layouts.prepack = prepack;
    pm.addPass(createLowpAssignLayouts(layouts));
  }
  // Public functions take and return plain parts, narrow formats packed:
  // the calling convention of compiled code. After lowp-assign-layouts, so
  // that the prepack entry points get it too.
  if (packBoundaries)
    pm.addPass(createLowpPackBoundaries());
  // Constant relayouts fold into new constants.
  pm.addPass(createCanonicalizerPass());
  // Elementwise arith and math on tensors become linalg.generic over
  // scalars, so that arith on low-precision types is legalized per element.
  pm.addPass(createConvertElementwiseToLinalgPass());
  // Arith and math on formats stored as codes: in f64, rounded once.
  pm.addPass(createLowpLegalizeArith());
}

void lowp::buildBoundaryBufferization(OpPassManager &pm,
                                      bool resultsToOutParams) {
  pm.addPass(std::make_unique<DistinctResultsPass>());
  // Arguments are the caller's buffers.
  pm.addPass(createReadOnlyArgumentsPass());
  // Tensors to buffers, with plain strided layouts at function boundaries
  // so that callers pass ordinary row-major arrays.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // A loop that carries a tensor may yield a new buffer each iteration (a
  // conversion's result); the ownership-based deallocation frees the old
  // one.
  bufferize.allowReturnAllocsFromLoops = true;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  if (resultsToOutParams) {
    bufferization::BufferResultsToOutParamsPassOptions outParams;
    outParams.hoistStaticAllocs = true;
    outParams.modifyPublicFunctions = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  }
}

void lowp::buildCpuPipeline(OpPassManager &pm,
                            const CpuPipelineOptions &options) {
  buildFrontHalf(pm, /*assignLayouts=*/true, options.prepack,
                 options.packBoundaries);
  // The ops a vector kernel covers become vector code over whole blocks.
  LowpVectorizeOptions vectorize;
  vectorize.vectorTarget = options.vectorTarget;
  pm.addPass(createLowpVectorize(vectorize));
  // lowp ops become linalg on storage types; block-scaled tensors become
  // their parts; arith and math on low-precision types are computed in f64
  // and rounded back.
  pm.addPass(createConvertLowpToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Large elementwise loops (conversions, arith on low-precision types) in
  // chunks across the cores, as the kernels' own loops are.
  pm.addNestedPass<func::FuncOp>(createLowpParallelizeElementwise());

  pm.addPass(std::make_unique<SplatConstantsAsFillsPass>());
  buildBoundaryBufferization(pm, options.resultsToOutParams);
  bufferization::BufferDeallocationPipelineOptions deallocation;
  bufferization::buildBufferDeallocationPipeline(pm, deallocation);

  // The kernels' parallel chunks (scf.forall) become OpenMP loops; the
  // runtime (libomp) picks the thread count (OMP_NUM_THREADS, or the
  // execution library's threads option).
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  pm.addPass(createConvertSCFToOpenMPPass());
  // Inlines the memref.alloca_scope that scf-to-openmp wraps each loop body
  // in (the kernels allocate nothing), which scf-to-cf cannot lower into.
  pm.addPass(std::make_unique<InlineAllocaScopesPass>());
  pm.addPass(createCanonicalizerPass());

  // Loops, then LLVM.
  pm.addPass(std::make_unique<StridedCopiesToLoopsPass>());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // The matmul kernels' vector code: transfers of more than one dimension
  // become loops of 1-D ones.
  pm.addNestedPass<func::FuncOp>(createConvertVectorToSCFPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  if (options.cInterface)
    pm.addPass(std::make_unique<EmitCInterfacePass>());
  ConvertLowpToLLVMOptions toLLVM;
  toLLVM.vectorTarget = options.vectorTarget;
  pm.addPass(createConvertLowpToLLVM(toLLVM));
  // math-to-llvm computes expm1 as exp(x) - 1 and log1p as log(1 + x),
  // which lose every digit near 0: both are the C library's instead.
  pm.addPass(std::make_unique<AccurateMathToLibmPass>());
  ConvertMathToLLVMPassOptions mathToLLVM;
  mathToLLVM.approximateLog1p = false;
  pm.addPass(createConvertMathToLLVMPass(mathToLLVM));
  // What LLVM has no intrinsic for (erf, cbrt, ...) becomes a call into the
  // C library, as math-to-llvm's intrinsics become calls for the rest.
  pm.addPass(createConvertMathToLibmPass());
  // x86vector.avx512.dot (vdpbf16ps) in the matmul kernels, where the
  // vector target has it.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.x86Vector = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  // Vector code that builds vectors element by element starts from poison.
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void lowp::registerPipelines() {
  registerConvertLowpToLinalgPass();
  registerLowpVectorizePass();
  registerLowpCudaMatmulPass();
  registerLowpLegalizeArithPass();
  registerConvertLowpToLLVMPass();
  registerLowpPackBoundariesPass();
  registerLowpPropagateScalesPass();
  registerLowpAssignLayoutsPass();
  registerLowpParallelizeElementwisePass();
  registerLowpQuantizePass();
  PassPipelineRegistration<CudaPipelineOptions>(
      "lowp-cuda-pipeline",
      "Lower lowp on tensors for NVIDIA GPUs: the CPU pipeline's front half, "
      "elementwise loop nests as kernels over a grid of thread blocks, "
      "kernels through NVVM to PTX (in gpu.binary ops), host code to LLVM",
      buildCudaPipeline);
  PassPipelineRegistration<CpuPipelineOptions>(
      "lowp-cpu-pipeline",
      "Lower lowp on tensors to the LLVM dialect for the host CPU: fold "
      "constants, lower lowp ops to linalg on storage types, bufferize, "
      "lower to loops and to LLVM",
      buildCpuPipeline);
}
