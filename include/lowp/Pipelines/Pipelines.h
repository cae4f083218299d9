//===- Pipelines.h - lowp's named pass pipelines ----------------*- C++ -*-===//
//
// The pipelines that lowp-opt, lowp-run, lowp-translate, the C API and Python
// all build through these functions, so that any compile can be reproduced
// with `lowp-opt --lowp-cpu-pipeline`.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_PIPELINES_PIPELINES_H
#define LOWP_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class OpPassManager;
class Pass;
} // namespace mlir

namespace lowp {

struct CpuPipelineOptions
    : public mlir::PassPipelineOptions<CpuPipelineOptions> {
  Option<bool> resultsToOutParams{
      *this, "results-to-out-params",
      llvm::cl::desc("Return results through caller-allocated buffers "
                     "appended to the arguments (the ABI of lowp-run and of "
                     "ahead-of-time objects)"),
      llvm::cl::init(true)};
  Option<bool> packBoundaries{
      *this, "pack-boundaries",
      llvm::cl::desc("Public functions take block-scaled tensors as their "
                     "parts and formats narrower than 8 bits packed "
                     "(lowp-pack-boundaries)"),
      llvm::cl::init(true)};
  Option<bool> prepack{
      *this, "prepack",
      llvm::cl::desc("Add NAME_prepack and NAME_prepacked to each public "
                     "function whose matmuls read a weight argument faster "
                     "in another layout (lowp-assign-layouts)"),
      llvm::cl::init(true)};
  Option<std::string> vectorTarget{
      *this, "vector-target",
      llvm::cl::desc(
          "Vector instructions the matmul kernels may use: host "
          "(the CPU compiling), avx512-bf16, avx512-vnni, avx512, avx2 or "
          "generic"),
      llvm::cl::init("host")};
  Option<bool> cInterface{
      *this, "c-interface",
      llvm::cl::desc("Also emit _mlir_ciface_ wrappers taking memref "
                     "descriptors by pointer, for calls from C"),
      llvm::cl::init(true)};
};

/// lowp on tensors -> LLVM dialect, for the host CPU.
void buildCpuPipeline(mlir::OpPassManager &pm,
                      const CpuPipelineOptions &options);

/// What every target's pipeline starts with, on tensors: the checks of
/// what lowers, constant folding through the numerics core, scale
/// propagation, the CPU's weight layouts (`assignLayouts`), the boundary
/// as plain packed parts, elementwise ops as linalg, arith on low-precision
/// types legalized.
void buildFrontHalf(mlir::OpPassManager &pm, bool assignLayouts, bool prepack,
                    bool packBoundaries);

/// Tensors to buffers with the boundary's calling convention: identity
/// layouts, arguments read-only, results as out-parameters when asked.
void buildBoundaryBufferization(mlir::OpPassManager &pm,
                                bool resultsToOutParams);

struct CudaPipelineOptions
    : public mlir::PassPipelineOptions<CudaPipelineOptions> {
  Option<std::string> chip{
      *this, "chip",
      llvm::cl::desc("The NVIDIA GPU to generate PTX for: sm_80, sm_89, "
                     "sm_90a or sm_100a"),
      llvm::cl::init("sm_89")};
  Option<bool> hardwareConversions{
      *this, "hardware-conversions",
      llvm::cl::desc("Use the chip's cvt instructions for the conversions "
                     "where they agree with lowp's policy (sm_89 on: f32 to "
                     "E4M3/E5M2, to nearest even, saturating); otherwise the "
                     "integer element code"),
      llvm::cl::init(true)};
  Option<int64_t> threadsPerBlock{
      *this, "threads-per-block",
      llvm::cl::desc("Threads per block of the elementwise kernels"),
      llvm::cl::init(256)};
};

/// lowp on tensors to the LLVM dialect for the host with each kernel's PTX
/// in a gpu.binary (docs/GPU.md).
void buildCudaPipeline(mlir::OpPassManager &pm,
                       const CudaPipelineOptions &options);

/// The chips lowp generates PTX for, and the PTX ISA features it asks the
/// NVPTX backend for on each.
const std::vector<std::string> &getSupportedCudaChips();
bool isSupportedCudaChip(llvm::StringRef chip);
std::string getPtxFeatures(llvm::StringRef chip);

/// Registers `lowp-cpu-pipeline` with the pass registry.
/// Marks the tensor arguments of public functions not writable for
/// one-shot bufferization: they are the caller's buffers.
std::unique_ptr<mlir::Pass> createReadOnlyArgumentsPass();

void registerPipelines();

} // namespace lowp

#endif // LOWP_PIPELINES_PIPELINES_H
