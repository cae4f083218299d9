//===- CudaPipeline.cpp - lowp on tensors to PTX for NVIDIA GPUs ----------===//
//
// lowp-cuda-pipeline shares the CPU pipeline's front half (constant
// folding through the numerics core, scale propagation, the boundary's
// parts and packing, lowp ops as linalg on storage types with the exact
// element code), then maps each elementwise loop nest onto a grid of
// thread blocks and lowers the kernels through NVVM to PTX with LLVM's
// NVPTX backend (gpu-lower-to-nvvm-pipeline, serialized as PTX text; no
// CUDA toolkit is needed to compile). The element code is integer bit
// manipulation, so every format and rounding mode gives the CPU's bits on
// every chip; hardware cvt instructions and the matmul kernels come on top
// of this (docs/GPU.md).
//
//===----------------------------------------------------------------------===//

#include "lowp/Pipelines/Pipelines.h"

#include "lowp/Conversion/Passes.h"
#include "lowp/Dialect/Lowp/IR/LowpOps.h"
#include "lowp/Dialect/Lowp/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Pipelines/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace lowp;

namespace {

/// Reports the first op of each function that `refusal` has a message for
/// (an empty one accepts the op); true when there was one. One error per
/// function says what is missing.
bool refuseFirstInEachFunction(
    ModuleOp module, llvm::function_ref<llvm::StringRef(Operation *)> refusal) {
  bool refused = false;
  for (auto function : module.getOps<func::FuncOp>()) {
    WalkResult found = function.walk([&](Operation *op) {
      llvm::StringRef message = refusal(op);
      if (message.empty())
        return WalkResult::advance();
      op->emitError() << "lowp-cuda-pipeline: " << message;
      return WalkResult::interrupt();
    });
    refused |= found.wasInterrupted();
  }
  return refused;
}

/// The kernels read and write the function's own buffers, which the caller
/// allocates on the device; a buffer the function would allocate itself
/// (an intermediate between two loop nests) would live in host memory,
/// where kernels cannot reach it. Such functions are refused at the
/// allocation until the backend allocates device temporaries.
struct CheckDeviceBuffersPass
    : public PassWrapper<CheckDeviceBuffersPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CheckDeviceBuffersPass)

  StringRef getArgument() const final { return "lowp-cuda-check-buffers"; }

  /// A result of dynamic size stays an allocation that is copied into its
  /// out-parameter at the end (buffer-results-to-out-params hoists only
  /// static ones): the loop nest writes the out-parameter itself instead.
  void forwardResultBuffers() {
    getOperation().walk([](memref::CopyOp copy) {
      auto alloc = copy.getSource().getDefiningOp<memref::AllocOp>();
      auto target = dyn_cast<BlockArgument>(copy.getTarget());
      if (!alloc || !target || alloc.getType() != target.getType() ||
          !isa<func::FuncOp>(target.getOwner()->getParentOp()) ||
          copy->getBlock() != alloc->getBlock() ||
          copy->getNextNode() != copy->getBlock()->getTerminator())
        return;
      // Only the copy and deallocations may follow the writes.
      for (Operation *user : alloc->getUsers())
        if (user != copy && user->getBlock() != alloc->getBlock())
          return;
      copy.erase();
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      alloc.getResult().replaceAllUsesWith(target);
      alloc.erase();
    });
  }

  void runOnOperation() override {
    forwardResultBuffers();
    if (refuseFirstInEachFunction(
            getOperation(), [](Operation *op) -> llvm::StringRef {
              if (!isa<memref::AllocOp, memref::AllocaOp>(op))
                return "";
              // A result that stays an allocation has a size only the call
              // knows.
              if (llvm::any_of(op->getUsers(), [](Operation *user) {
                    return isa<func::ReturnOp>(user);
                  }))
                return "results of dynamic size are not compiled for CUDA "
                       "yet; give the result a static shape";
              return "this function needs a temporary buffer between its "
                     "loop nests, which the CUDA backend cannot allocate "
                     "yet; it compiles functions whose every loop nest reads "
                     "the arguments and writes the results";
            }))
      signalPassFailure();
  }
};

/// Every load and store must have become part of a kernel: what the grid
/// mapping left on the host (a sequential loop, such as the packing of a
/// row of 6-bit codes) would run on the CPU over device memory.
struct CheckHostAccessesPass
    : public PassWrapper<CheckHostAccessesPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CheckHostAccessesPass)

  StringRef getArgument() const final { return "lowp-cuda-check-host"; }

  void runOnOperation() override {
    if (refuseFirstInEachFunction(
            getOperation(), [](Operation *op) -> llvm::StringRef {
              if (!isa<memref::LoadOp, memref::StoreOp, memref::CopyOp>(op) ||
                  op->getParentOfType<gpu::LaunchOp>())
                return "";
              return "this loop nest does not map onto GPU threads (a "
                     "sequential loop, such as packing rows of codes "
                     "narrower than 8 bits); the CUDA backend does not "
                     "compile it yet";
            }))
      signalPassFailure();
  }
};

/// Where the chip has it and it agrees with the policy, a conversion uses
/// the hardware's cvt instead of the integer element code:
/// `cvt.rn.satfinite.{e4m3x2,e5m2x2}.f32` (sm_89 on) rounds an f32 to
/// nearest even and takes overflow and infinities to the largest finite
/// value, which is lowp.convert to_nearest_even saturate from f32 into
/// f8E4M3FN or f8E5M2. NaN inputs keep lowp's NaN code (0x7F, 0x7E)
/// through a select, whatever NaN the hardware writes. Each element is
/// converted as both halves of the pair (the low byte is kept): elementwise
/// kernels are bound by memory, not by cvt.
struct HardwareConversionsPass
    : public PassWrapper<HardwareConversionsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(HardwareConversionsPass)

  explicit HardwareConversionsPass(std::string chip) : chip(std::move(chip)) {}
  StringRef getArgument() const final { return "lowp-cuda-cvt"; }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<NVVM::NVVMDialect, linalg::LinalgDialect>();
  }

  void runOnOperation() override {
    if (chip == "sm_80")
      return;
    SmallVector<ConvertOp> converts;
    getOperation().walk([&](ConvertOp convert) {
      auto from = dyn_cast<RankedTensorType>(convert.getInput().getType());
      auto to = dyn_cast<RankedTensorType>(convert.getType());
      if (from && to && from.getElementType().isF32() && !to.getEncoding() &&
          isa<Float8E4M3FNType, Float8E5M2Type>(to.getElementType()) &&
          convert.getRounding() == Rounding::to_nearest_even &&
          convert.getSaturate() && !convert.getRandom())
        converts.push_back(convert);
    });
    for (ConvertOp convert : converts)
      rewrite(convert);
  }

  void rewrite(ConvertOp convert) {
    OpBuilder builder(convert);
    Location loc = convert.getLoc();
    auto to = cast<RankedTensorType>(convert.getType());
    Type element = to.getElementType();
    auto codes = RankedTensorType::get(to.getShape(), builder.getI8Type());
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < to.getRank(); ++d)
      if (to.isDynamicDim(d))
        sizes.push_back(
            tensor::DimOp::create(builder, loc, convert.getInput(), d));
    Value init = tensor::EmptyOp::create(builder, loc, codes, sizes);
    unsigned rank = unsigned(to.getRank());
    SmallVector<AffineMap> maps(2, builder.getMultiDimIdentityMap(rank));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    uint8_t nanCode = isa<Float8E4M3FNType>(element) ? 0x7F : 0x7E;
    auto generic = linalg::GenericOp::create(
        builder, loc, codes, convert.getInput(), init, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0];
          Value pair = NVVM::ConvertF32x2ToF8x2Op::create(
              b, l, b.getI16Type(), x, x,
              NVVM::FPRoundingModeAttr::get(b.getContext(),
                                            NVVM::FPRoundingMode::RN),
              NVVM::SaturationModeAttr::get(b.getContext(),
                                            NVVM::SaturationMode::SATFINITE),
              b.getBoolAttr(false), TypeAttr::get(element));
          Value code = arith::TruncIOp::create(b, l, b.getI8Type(), pair);
          Value isNaN =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, x, x);
          Value nan = arith::ConstantOp::create(
              b, l, b.getI8IntegerAttr(int8_t(nanCode)));
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, isNaN, nan, code)});
        });
    // convert-lowp-to-linalg's ForwardStorageCasts joins the codes to the
    // f8 tensor's users.
    Value result = UnrealizedConversionCastOp::create(builder, loc, to,
                                                      generic.getResult(0))
                       .getResult(0);
    convert.replaceAllUsesWith(result);
    convert.erase();
  }

  std::string chip;
};

/// Kernel outlining makes one gpu.module per kernel; a module's kernels
/// become one PTX module (one file, one cuModuleLoadData) by moving them
/// all into the first.
struct MergeGpuModulesPass
    : public PassWrapper<MergeGpuModulesPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(MergeGpuModulesPass)

  StringRef getArgument() const final { return "lowp-cuda-merge-modules"; }

  void runOnOperation() override {
    SmallVector<gpu::GPUModuleOp> modules(
        getOperation().getOps<gpu::GPUModuleOp>());
    if (modules.size() < 2)
      return;
    gpu::GPUModuleOp target = modules.front();
    Block &body = target.getBodyRegion().front();
    for (gpu::GPUModuleOp source : llvm::drop_begin(modules)) {
      Block &from = source.getBodyRegion().front();
      for (Operation &op :
           llvm::make_early_inc_range(from.without_terminator()))
        op.moveBefore(body.getTerminator());
    }
    auto targetName = target.getNameAttr();
    getOperation().walk([&](gpu::LaunchFuncOp launch) {
      launch.setKernelAttr(SymbolRefAttr::get(
          targetName, {FlatSymbolRefAttr::get(launch.getKernelName())}));
    });
    for (gpu::GPUModuleOp source : llvm::drop_begin(modules))
      source.erase();
  }
};

/// Each loop nest's outermost parallel dimension split into tiles of
/// `threads`: the tiles become thread blocks, their elements threads.
void addMapToGrid(OpPassManager &pm, int64_t threads) {
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createCanonicalizerPass());
  // Tiles of a constant `threads` elements, the last one guarded by a
  // bounds check (no min(threads, n - i) bound): a launch needs constant
  // block sizes. No canonicalization until mapped, which would merge the
  // two loops back into one.
  pm.addNestedPass<func::FuncOp>(
      createParallelLoopTilingPass({threads}, /*noMinMaxBounds=*/true));
  pm.addNestedPass<func::FuncOp>(createGpuMapParallelLoopsPass());
  pm.addNestedPass<func::FuncOp>(createConvertParallelLoopToGpuPass());
  pm.addPass(std::make_unique<CheckHostAccessesPass>());
  pm.addPass(createLowerAffinePass());
  // Constants that canonicalization hoisted out of the launches go back in,
  // rather than becoming kernel parameters.
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(std::make_unique<MergeGpuModulesPass>());
}

} // namespace

std::string lowp::getPtxFeatures(llvm::StringRef chip) {
  // PTX ISA 8.6 is the first with sm_100a and holds every older target;
  // ptxas from CUDA 12.8 on accepts it.
  (void)chip;
  return "+ptx86";
}

bool lowp::isSupportedCudaChip(llvm::StringRef chip) {
  return llvm::is_contained(getSupportedCudaChips(), chip);
}

const std::vector<std::string> &lowp::getSupportedCudaChips() {
  static const std::vector<std::string> chips = {"sm_80", "sm_89", "sm_90a",
                                                 "sm_100a"};
  return chips;
}

void lowp::buildCudaPipeline(OpPassManager &pm,
                             const CudaPipelineOptions &options) {
  // The CPU pipeline's front half (constants folded through the numerics
  // core, block-scaled operands kept encoded, the boundary as plain parts
  // with narrow formats packed), without its CPU weight layouts.
  buildFrontHalf(pm, /*assignLayouts=*/false, /*prepack=*/false,
                 /*packBoundaries=*/true);
  if (options.hardwareConversions)
    pm.addPass(std::make_unique<HardwareConversionsPass>(options.chip));
  // The matmuls a CUDA kernel covers, as kernels over the stored parts.
  LowpCudaMatmulOptions matmul;
  matmul.chip = options.chip;
  pm.addPass(createLowpCudaMatmul(matmul));
  // Every other lowp op becomes linalg on storage types with the exact
  // element code (no lowp-vectorize: its kernels are the CPU's).
  pm.addPass(createConvertLowpToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // A chain of elementwise ops becomes one loop nest: one kernel, and no
  // buffer between them.
  pm.addPass(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCanonicalizerPass());

  buildBoundaryBufferization(pm, /*resultsToOutParams=*/true);
  pm.addPass(createCanonicalizerPass());
  pm.addPass(std::make_unique<CheckDeviceBuffersPass>());

  addMapToGrid(pm, options.threadsPerBlock);

  // The matmul kernels' vector loads and bit casts: convert-gpu-to-nvvm
  // leaves vector ops alone.
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertVectorToLLVMPass());

  gpu::GPUToNVVMPipelineOptions nvvm;
  nvvm.cubinChip = options.chip.getValue();
  nvvm.cubinFeatures = getPtxFeatures(options.chip);
  // PTX text, which the runtime hands to the driver to assemble for the
  // device it runs on.
  nvvm.cubinFormat = "isa";
  nvvm.optLevel = 3;
  gpu::buildLowerToNVVMPassPipeline(pm, nvvm);
}
