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
#include "lowp/Dialect/Lowp/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Pipelines/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace lowp;

namespace {

/// Reports the first op of each function that `refuses` (with `message`);
/// true when there was one. One error per function says what is missing.
bool refuseFirstInEachFunction(ModuleOp module,
                               llvm::function_ref<bool(Operation *)> refuses,
                               llvm::StringRef message) {
  bool refused = false;
  for (auto function : module.getOps<func::FuncOp>()) {
    WalkResult found = function.walk([&](Operation *op) {
      if (!refuses(op))
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

  void runOnOperation() override {
    if (refuseFirstInEachFunction(
            getOperation(),
            [](Operation *op) {
              return isa<memref::AllocOp, memref::AllocaOp>(op);
            },
            "this function needs a temporary buffer between its loop nests, "
            "which the CUDA backend cannot allocate yet; it compiles "
            "functions whose every loop nest reads the arguments and "
            "writes the results"))
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
            getOperation(),
            [](Operation *op) {
              return isa<memref::LoadOp, memref::StoreOp, memref::CopyOp>(op) &&
                     !op->getParentOfType<gpu::LaunchOp>();
            },
            "this loop nest does not map onto GPU threads (a sequential "
            "loop, such as packing rows of codes narrower than 8 bits); the "
            "CUDA backend does not compile it yet"))
      signalPassFailure();
  }
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
  // The front half, as on the CPU: constants fold through the numerics
  // core, block-scaled operands stay encoded, the boundary is plain parts
  // with narrow formats packed.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLowpPropagateScales());
  pm.addPass(createLowpPackBoundaries());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createLowpLegalizeArith());
  // lowp ops become linalg on storage types with the exact element code
  // (no lowp-vectorize: its kernels are the CPU's).
  pm.addPass(createConvertLowpToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // A chain of elementwise ops becomes one loop nest: one kernel, and no
  // buffer between them.
  pm.addPass(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCanonicalizerPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(std::make_unique<CheckDeviceBuffersPass>());

  addMapToGrid(pm, options.threadsPerBlock);

  gpu::GPUToNVVMPipelineOptions nvvm;
  nvvm.cubinChip = options.chip.getValue();
  nvvm.cubinFeatures = getPtxFeatures(options.chip);
  // PTX text, which the runtime hands to the driver to assemble for the
  // device it runs on.
  nvvm.cubinFormat = "isa";
  nvvm.optLevel = 3;
  gpu::buildLowerToNVVMPassPipeline(pm, nvvm);
}
