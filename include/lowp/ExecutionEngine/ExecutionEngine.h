//===- ExecutionEngine.h - Compile a lowp module and call it ----*- C++ -*-===//
//
// The one way lowp code is run in-process: lowp-run, and later the C API and
// Python, compile a module for the host CPU with lowp-cpu-pipeline, LLVM's
// optimizer driven by the host's TargetMachine, and call its public
// functions on caller-owned buffers. Errors are returned, never printed or
// exited on; lowering diagnostics go to the module's MLIRContext.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_EXECUTIONENGINE_EXECUTIONENGINE_H
#define LOWP_EXECUTIONENGINE_EXECUTIONENGINE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
} // namespace mlir

namespace lowp {
namespace cuda {
class CudaModule;
} // namespace cuda

struct BoundaryValue;

struct ExecutionOptions {
  /// LLVM optimization level of the IR optimizer and of code generation,
  /// 0..3.
  unsigned optLevel = 3;
  /// The vector instructions lowp's kernels may use (lowp-cpu-pipeline's
  /// vector-target): host, avx512-bf16, avx512, avx2 or generic.
  std::string vectorTarget = "host";
  /// Threads for the kernels' parallel loops; 0 leaves the OpenMP runtime's
  /// choice (OMP_NUM_THREADS, else every core).
  unsigned threads = 0;
  /// Where the code runs: "cpu" (lowp-cpu-pipeline, JIT-compiled for the
  /// host) or "cuda" (lowp-cuda-pipeline for the driver's device 0, which
  /// must be present; calls copy the caller's host buffers to the device
  /// and the results back).
  std::string target = "cpu";
};

/// One value at a compiled function's boundary (lowp/Runtime/Boundary.h
/// says which values a function has): a row-major buffer in storage layout,
/// formats narrower than 8 bits packed per row, or a scalar's code.
struct BoundaryBuffer {
  /// The tensor's data; for a scalar, a uint64_t holding its code (read for
  /// an argument, written for a result).
  void *data = nullptr;
  /// The stored shape (a packed row's length in bytes); empty for scalars
  /// and 0-d tensors.
  llvm::SmallVector<int64_t, 4> shape;
  bool isScalar = false;

  static BoundaryBuffer tensor(void *data, llvm::ArrayRef<int64_t> shape) {
    BoundaryBuffer buffer;
    buffer.data = data;
    buffer.shape.assign(shape.begin(), shape.end());
    return buffer;
  }
  static BoundaryBuffer scalar(uint64_t *code) {
    BoundaryBuffer buffer;
    buffer.data = code;
    buffer.isScalar = true;
    return buffer;
  }
};

/// A module compiled for the host CPU, ready to call.
class CompiledModule {
public:
  /// Lowers a clone of `module` with lowp-cpu-pipeline (C interfaces on,
  /// results as out-parameters) and JIT-compiles it for the host.
  static llvm::Expected<std::unique_ptr<CompiledModule>>
  compile(mlir::ModuleOp module, const ExecutionOptions &options = {});

  ~CompiledModule();

  /// Calls public function `name` on `arguments` and writes `results`, both
  /// in boundary order; at most one result may be a scalar. Buffers must
  /// have the shapes the function's boundary gives: a run-time size that
  /// disagrees with a static one or with another argument's, or result
  /// buffers of other shapes than resultShapes gives, are an error here,
  /// not an out-of-bounds access in compiled code. Sets the OpenMP runtime's
  /// thread count when the options name one (a process-wide setting). The
  /// logical shape of each result of @name (one per result as written) for
  /// arguments of the given logical shapes (one per argument as written,
  /// scalars empty): what a caller allocates when sizes are dynamic. An error
  /// when the arguments' sizes disagree with each other or with the function's
  /// static sizes, or when a result's size does not follow from them
  /// (lowp/Runtime/ResultShapes.h says which ops it sees through).
  llvm::Expected<std::vector<std::vector<int64_t>>>
  resultShapes(llvm::StringRef name,
               const std::vector<std::vector<int64_t>> &argumentShapes) const;

  /// The public functions with bodies, by name, as the module was written.
  std::vector<std::string> getFunctionNames() const;
  /// The boundary values of @name's arguments or results (what call takes
  /// and writes, in order), or null when there is no such function.
  const std::vector<BoundaryValue> *getArguments(llvm::StringRef name) const;
  const std::vector<BoundaryValue> *getResults(llvm::StringRef name) const;

  llvm::Error call(llvm::StringRef name,
                   llvm::ArrayRef<BoundaryBuffer> arguments,
                   llvm::ArrayRef<BoundaryBuffer> results);

private:
  struct Boundaries;
  CompiledModule();
  llvm::Error callOnDevice(llvm::StringRef name,
                           llvm::ArrayRef<BoundaryBuffer> arguments,
                           llvm::ArrayRef<BoundaryBuffer> results);
  std::unique_ptr<mlir::ExecutionEngine> engine;
  /// The CUDA target's module; null for the CPU.
  std::unique_ptr<cuda::CudaModule> device;
  std::unique_ptr<Boundaries> boundaries;
  unsigned threads = 0;
};

} // namespace lowp

#endif // LOWP_EXECUTIONENGINE_EXECUTIONENGINE_H
