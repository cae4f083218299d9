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
#include "mlir/Dialect/Math/IR/Math.h"
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
/// allocates on the device, and buffers the function allocates itself
/// (intermediates between loop nests, such as block quantization's scales,
/// the copies of constants): those are allocated in device memory here,
/// through the stream-ordered gpu.alloc that gpu-to-llvm lowers to the
/// runtime's mgpuMemAlloc, and freed before the function returns. Whole
/// buffers copied on the host side become gpu.memcpy.
struct DeviceBuffersPass
    : public PassWrapper<DeviceBuffersPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(DeviceBuffersPass)

  StringRef getArgument() const final { return "lowp-cuda-device-buffers"; }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<gpu::GPUDialect>();
  }

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

  /// `build` between a fresh stream's creation and a wait for it: the
  /// stream-ordered form that gpu-to-llvm lowers; its token is the result
  /// token of the op `build` makes.
  template <typename Build>
  static void onStream(OpBuilder &builder, Location loc, Build build) {
    auto tokenType = gpu::AsyncTokenType::get(builder.getContext());
    Value stream =
        gpu::WaitOp::create(builder, loc, tokenType, ValueRange{}).getResult(0);
    Value done = build(stream);
    gpu::WaitOp::create(builder, loc, Type(), ValueRange{done});
  }

  /// A device buffer of `type` (sizes `sizes`) at `builder`'s point.
  static Value allocate(OpBuilder &builder, Location loc, MemRefType type,
                        ValueRange sizes) {
    Value memory;
    onStream(builder, loc, [&](Value stream) {
      auto alloc = gpu::AllocOp::create(
          builder, loc, type, gpu::AsyncTokenType::get(builder.getContext()),
          ValueRange{stream}, sizes, ValueRange{}, /*hostShared=*/false);
      memory = alloc.getMemref();
      return alloc.getAsyncToken();
    });
    return memory;
  }

  static void release(OpBuilder &builder, Location loc, Value memory) {
    onStream(builder, loc, [&](Value stream) {
      return gpu::DeallocOp::create(
                 builder, loc, gpu::AsyncTokenType::get(builder.getContext()),
                 ValueRange{stream}, memory)
          .getAsyncToken();
    });
  }

  static void copy(OpBuilder &builder, Location loc, Value from, Value to) {
    onStream(builder, loc, [&](Value stream) {
      return gpu::MemcpyOp::create(
                 builder, loc, gpu::AsyncTokenType::get(builder.getContext()),
                 ValueRange{stream}, to, from)
          .getAsyncToken();
    });
  }

  static bool isWholeBuffer(Value buffer) {
    auto type = dyn_cast<MemRefType>(buffer.getType());
    return type && type.getLayout().isIdentity() && !type.getMemorySpace();
  }

  /// Frees `memory` before each return of `function`.
  static void freeAtReturns(func::FuncOp function, Value memory) {
    function.walk([&](func::ReturnOp ret) {
      OpBuilder builder(ret);
      release(builder, ret.getLoc(), memory);
    });
  }

  LogicalResult placeOnDevice(func::FuncOp function) {
    Block &entry = function.getBody().front();
    // A result that stays an allocation has a size only the call knows.
    WalkResult returned = function.walk([](memref::AllocOp alloc) {
      if (llvm::any_of(alloc->getUsers(), [](Operation *user) {
            return isa<func::ReturnOp>(user);
          })) {
        alloc.emitError("lowp-cuda-pipeline: results of dynamic size are "
                        "not compiled for CUDA yet; give the result a static "
                        "shape");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (returned.wasInterrupted())
      return failure();
    SmallVector<Operation *> allocations;
    function.walk([&](Operation *op) {
      if (isa<memref::AllocOp, memref::AllocaOp, memref::GetGlobalOp>(op))
        allocations.push_back(op);
    });
    for (Operation *op : allocations) {
      // Buffers inside loops would be allocated once per iteration; the
      // pipeline's loop nests allocate none.
      if (op->getBlock() != &entry)
        return op->emitError(
            "lowp-cuda-pipeline: this function allocates a buffer inside a "
            "loop, which the CUDA backend does not place on the device yet");
      OpBuilder builder(op);
      Location loc = op->getLoc();
      auto type = cast<MemRefType>(op->getResult(0).getType());
      if (auto global = dyn_cast<memref::GetGlobalOp>(op)) {
        // A constant's device copy, filled from the host's.
        builder.setInsertionPointAfter(op);
        Value device = allocate(builder, loc, type, ValueRange{});
        copy(builder, loc, global.getResult(), device);
        global.getResult().replaceUsesWithIf(device, [&](OpOperand &use) {
          return !isa<gpu::MemcpyOp>(use.getOwner());
        });
        freeAtReturns(function, device);
        continue;
      }
      Value device = allocate(builder, loc, type, op->getOperands());
      Value old = op->getResult(0);
      for (Operation *user : llvm::make_early_inc_range(old.getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      old.replaceAllUsesWith(device);
      op->erase();
      freeAtReturns(function, device);
    }
    // Copies between whole buffers on the host side: on the device.
    SmallVector<memref::CopyOp> copies;
    function.walk([&](memref::CopyOp op) {
      if (op->getBlock() == &entry && isWholeBuffer(op.getSource()) &&
          isWholeBuffer(op.getTarget()))
        copies.push_back(op);
    });
    for (memref::CopyOp op : copies) {
      OpBuilder builder(op);
      copy(builder, op.getLoc(), op.getSource(), op.getTarget());
      op.erase();
    }
    return success();
  }

  void runOnOperation() override {
    forwardResultBuffers();
    bool failed = false;
    for (auto function : getOperation().getOps<func::FuncOp>())
      if (!function.isExternal() && mlir::failed(placeOnDevice(function)))
        failed = true;
    if (failed)
      signalPassFailure();
  }
};

/// The math ops of kernels as single PTX instructions with IEEE results:
/// convert-gpu-to-nvvm would make them calls into CUDA's libdevice, which
/// lowp does not link (PTX with unresolved calls does not load). abs and
/// copysign are bit operations, fma is llvm.fma (fma.rn), floor, ceil,
/// trunc and roundeven are cvt.rmi/rpi/rzi/rni, sqrt is sqrt.rn. Other math
/// ops (exp, log, sin, erf, ...) are refused at their location.
struct LowerKernelMathPass
    : public PassWrapper<LowerKernelMathPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(LowerKernelMathPass)

  StringRef getArgument() const final { return "lowp-cuda-kernel-math"; }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<LLVM::LLVMDialect>();
  }

  /// `instruction` ("cvt.rmi", "sqrt.rn") on the f32 or f64 `x`.
  static Value ptx(OpBuilder &b, Location loc, llvm::StringRef instruction,
                   Value x) {
    bool f64 = x.getType().isF64();
    std::string text =
        (instruction + (f64 ? ".f64" : ".f32") +
         (instruction.starts_with("cvt") ? (f64 ? ".f64" : ".f32") : "") +
         " $0, $1;")
            .str();
    return LLVM::InlineAsmOp::create(
               b, loc, x.getType(), ValueRange{x}, text, f64 ? "=d,d" : "=f,f",
               /*has_side_effects=*/false,
               /*is_align_stack=*/false, LLVM::TailCallKind::None,
               LLVM::AsmDialectAttr::get(b.getContext(),
                                         LLVM::AsmDialect::AD_ATT),
               ArrayAttr())
        .getResult(0);
  }

  /// x with its sign bit taken from `sign` (null: cleared).
  static Value withSign(OpBuilder &b, Location loc, Value x, Value sign) {
    unsigned width = x.getType().getIntOrFloatBitWidth();
    Type bits = b.getIntegerType(width);
    APInt signBit = APInt::getSignMask(width);
    Value magnitude = arith::AndIOp::create(
        b, loc, arith::BitcastOp::create(b, loc, bits, x),
        arith::ConstantOp::create(b, loc, b.getIntegerAttr(bits, ~signBit)));
    if (sign) {
      Value signOnly = arith::AndIOp::create(
          b, loc, arith::BitcastOp::create(b, loc, bits, sign),
          arith::ConstantOp::create(b, loc, b.getIntegerAttr(bits, signBit)));
      magnitude = arith::OrIOp::create(b, loc, magnitude, signOnly);
    }
    return arith::BitcastOp::create(b, loc, x.getType(), magnitude);
  }

  void runOnOperation() override {
    bool refused = false;
    SmallVector<Operation *> ops;
    getOperation().walk([&](gpu::GPUModuleOp kernels) {
      kernels.walk([&](Operation *op) {
        if (isa<math::MathDialect>(op->getDialect()))
          ops.push_back(op);
      });
    });
    for (Operation *op : ops) {
      OpBuilder b(op);
      Location loc = op->getLoc();
      Type type = op->getNumResults() ? op->getResult(0).getType() : Type();
      Value result;
      if (type && (type.isF32() || type.isF64())) {
        Value x = op->getOperand(0);
        if (isa<math::AbsFOp>(op))
          result = withSign(b, loc, x, Value());
        else if (isa<math::CopySignOp>(op))
          result = withSign(b, loc, x, op->getOperand(1));
        else if (isa<math::FmaOp>(op))
          result = LLVM::FMAOp::create(b, loc, x, op->getOperand(1),
                                       op->getOperand(2));
        else if (isa<math::FloorOp>(op))
          result = ptx(b, loc, "cvt.rmi", x);
        else if (isa<math::CeilOp>(op))
          result = ptx(b, loc, "cvt.rpi", x);
        else if (isa<math::TruncOp>(op))
          result = ptx(b, loc, "cvt.rzi", x);
        else if (isa<math::RoundEvenOp>(op))
          result = ptx(b, loc, "cvt.rni", x);
        else if (isa<math::SqrtOp>(op))
          result = ptx(b, loc, "sqrt.rn", x);
      }
      if (type && isa<IntegerType>(type)) {
        Value x = op->getOperand(0);
        // Defined for zero (the type's width), as math defines them.
        if (isa<math::CountLeadingZerosOp>(op))
          result = LLVM::CountLeadingZerosOp::create(b, loc, type, x, false);
        else if (isa<math::CountTrailingZerosOp>(op))
          result = LLVM::CountTrailingZerosOp::create(b, loc, type, x, false);
        else if (isa<math::CtPopOp>(op))
          result = LLVM::CtPopOp::create(b, loc, type, x);
      }
      if (!result) {
        op->emitError() << "lowp-cuda-pipeline: '" << op->getName() << "' on "
                        << type
                        << " is not compiled for CUDA yet (it would need "
                           "CUDA's libdevice, which lowp does not link)";
        refused = true;
        continue;
      }
      op->getResult(0).replaceAllUsesWith(result);
      op->erase();
    }
    if (refused)
      signalPassFailure();
  }
};

/// Every load and store must have become part of a kernel: what the grid
/// mapping left on the host (a scalar extracted from a tensor, a
/// sequential loop) would run on the CPU over device memory.
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
              return "this reads or writes memory outside any loop nest "
                     "that maps onto GPU threads (a scalar result, a "
                     "sequential loop): it would run on the host over "
                     "device memory, which the CUDA backend does not "
                     "compile";
            }))
      signalPassFailure();
  }
};

/// Where the chip has it and it agrees with the policy, a conversion uses
/// the hardware's cvt instead of the integer element code:
/// `cvt.rn.satfinite.{e4m3x2,e5m2x2}.f32` (sm_89 on) rounds an f32 to
/// nearest even and takes overflow and infinities to the largest finite
/// value, which is lowp.convert to_nearest_even saturate from f32 into
/// f8E4M3FN or f8E5M2. On sm_100a, `cvt.rn.satfinite.{e2m1x2,e2m3x2,
/// e3m2x2}.f32` is lowp.convert to_nearest_even from f32 into f4E2M1FN,
/// f6E2M3FN or f6E3M2FN, saturating or not: these finite-only formats take
/// overflow and infinities to the largest finite value of their sign
/// either way (docs/Numerics.md). NaN inputs get lowp's code (0x7F, 0x7E
/// for the FP8 formats' NaN; +max for the finite-only ones) through a
/// select, whatever the hardware writes. Each element is converted as both
/// halves of the pair (the low code is kept): elementwise kernels are bound
/// by memory, not by cvt.
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
      if (!from || !to || !from.getElementType().isF32() || to.getEncoding() ||
          convert.getRounding() != Rounding::to_nearest_even ||
          convert.getRandom())
        return;
      Type element = to.getElementType();
      bool fp8 = isa<Float8E4M3FNType, Float8E5M2Type>(element) &&
                 convert.getSaturate();
      bool narrow =
          chip == "sm_100a" &&
          isa<Float4E2M1FNType, Float6E2M3FNType, Float6E3M2FNType>(element);
      if (fp8 || narrow)
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
    // The code a NaN input gets: the FP8 formats' NaN, the finite-only
    // formats' +max (all bits set below the sign).
    uint8_t nanCode = isa<Float8E4M3FNType>(element)   ? 0x7F
                      : isa<Float8E5M2Type>(element)   ? 0x7E
                      : isa<Float4E2M1FNType>(element) ? 0x7
                                                       : 0x1F;
    auto generic = linalg::GenericOp::create(
        builder, loc, codes, convert.getInput(), init, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0];
          Value code;
          if (isa<Float4E2M1FNType>(element)) {
            // Two codes in one byte: the low nibble is the second input's.
            Value pair = NVVM::ConvertF32x2ToF4x2Op::create(
                b, l, b.getI8Type(), x, x, b.getBoolAttr(false),
                TypeAttr::get(element));
            code = arith::AndIOp::create(
                b, l, pair,
                arith::ConstantOp::create(b, l, b.getI8IntegerAttr(0xF)));
          } else {
            Value pair;
            if (isa<Float6E2M3FNType, Float6E3M2FNType>(element))
              pair = NVVM::ConvertF32x2ToF6x2Op::create(b, l, b.getI16Type(), x,
                                                        x, b.getBoolAttr(false),
                                                        TypeAttr::get(element));
            else
              pair = NVVM::ConvertF32x2ToF8x2Op::create(
                  b, l, b.getI16Type(), x, x,
                  NVVM::FPRoundingModeAttr::get(b.getContext(),
                                                NVVM::FPRoundingMode::RN),
                  NVVM::SaturationModeAttr::get(
                      b.getContext(), NVVM::SaturationMode::SATFINITE),
                  b.getBoolAttr(false), TypeAttr::get(element));
            // The low byte is the second input's code (FP6: in its low six
            // bits, the top two zero).
            code = arith::TruncIOp::create(b, l, b.getI8Type(), pair);
          }
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
    ModuleOp module = getOperation();
    // In the order the host code first launches them, so that the PTX
    // lists kernels in source order.
    SymbolTable symbols(module);
    SmallVector<gpu::GPUModuleOp> modules;
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto kernels =
          symbols.lookup<gpu::GPUModuleOp>(launch.getKernelModuleName());
      if (kernels && !llvm::is_contained(modules, kernels))
        modules.push_back(kernels);
    });
    if (modules.size() < 2)
      return;
    gpu::GPUModuleOp target = modules.front();
    SymbolTable targetSymbols(target);
    Block &body = target.getBodyRegion().front();
    for (gpu::GPUModuleOp source : llvm::drop_begin(modules)) {
      Block &from = source.getBodyRegion().front();
      for (Operation &op :
           llvm::make_early_inc_range(from.without_terminator())) {
        auto symbol = dyn_cast<SymbolOpInterface>(&op);
        // Outlining names each module's kernel after the function it came
        // from, so kernels of one function share a name: each takes its
        // module's (unique) name. Other symbols (declarations) are shared.
        if (auto kernel = dyn_cast<gpu::GPUFuncOp>(&op);
            kernel && kernel.isKernel())
          SymbolTable::setSymbolName(kernel, source.getNameAttr());
        else if (symbol && targetSymbols.lookup(symbol.getNameAttr())) {
          op.erase();
          continue;
        }
        op.moveBefore(body.getTerminator());
      }
    }
    auto targetName = target.getNameAttr();
    module.walk([&](gpu::LaunchFuncOp launch) {
      StringAttr kernel = launch.getKernelModuleName() == targetName
                              ? launch.getKernelName()
                              : launch.getKernelModuleName();
      launch.setKernelAttr(
          SymbolRefAttr::get(targetName, {FlatSymbolRefAttr::get(kernel)}));
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
  // PTX ISA 8.6 holds every target up to sm_100a (ptxas and drivers from
  // CUDA 12.8 on read it); sm_100a's kernels use tcgen05.mma
  // kind::mxf4nvf4 and scale_vec::4X, which are PTX ISA 8.7 (CUDA 12.8's
  // own version, which every driver for sm_100a reads).
  return chip == "sm_100a" ? "+ptx87" : "+ptx86";
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
  // Packed rows (FP4, FP6 results) as a parallel loop over their bytes,
  // after the conversion's own parallel loop: the fused form is a loop
  // along each row.
  ConvertLowpToLinalgOptions toLinalg;
  toLinalg.fusePackedConversions = false;
  pm.addPass(createConvertLowpToLinalg(toLinalg));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // A chain of elementwise ops becomes one loop nest: one kernel, and no
  // buffer between them.
  pm.addPass(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCanonicalizerPass());

  buildBoundaryBufferization(pm, /*resultsToOutParams=*/true);
  pm.addPass(createCanonicalizerPass());
  pm.addPass(std::make_unique<DeviceBuffersPass>());

  addMapToGrid(pm, options.threadsPerBlock);

  // The matmul kernels' vector loads and bit casts: convert-gpu-to-nvvm
  // leaves vector ops alone.
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertVectorToLLVMPass());
  // The element code's math (abs, floor, fma, ...) as PTX instructions,
  // not libdevice calls.
  pm.addPass(std::make_unique<LowerKernelMathPass>());

  gpu::GPUToNVVMPipelineOptions nvvm;
  nvvm.cubinChip = options.chip.getValue();
  nvvm.cubinFeatures = getPtxFeatures(options.chip);
  // PTX text, which the runtime hands to the driver to assemble for the
  // device it runs on.
  nvvm.cubinFormat = "isa";
  nvvm.optLevel = 3;
  gpu::buildLowerToNVVMPassPipeline(pm, nvvm);
}
