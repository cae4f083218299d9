//===- Cuda.h - Running lowp-cuda-pipeline's code on an NVIDIA GPU -*- C++
//-*-===//
//
// The CUDA driver API is opened at run time (dlopen("libcuda.so.1")), so
// every lowp binary builds and runs on machines without CUDA and says
// clearly that no GPU is present when asked to use one. A CudaModule is a
// module lowered by lowp-cuda-pipeline and JIT-compiled for the host: its
// host code launches the kernels through the mgpu* entry points that
// MLIR's GPU lowering calls, which this runtime implements on the driver.
// The driver JIT-assembles the PTX for the device it runs on.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_EXECUTIONENGINE_CUDA_H
#define LOWP_EXECUTIONENGINE_CUDA_H

#include "lowp/ExecutionEngine/ExecutionEngine.h"
#include "lowp/Runtime/Boundary.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
} // namespace mlir

namespace lowp::cuda {

/// The GPU the driver reports as device 0.
struct DeviceInfo {
  std::string name;
  int major = 0, minor = 0;
  uint64_t memoryBytes = 0;
  /// The chip lowp generates PTX for on it: sm_80, sm_89, sm_90a or
  /// sm_100a; empty when it is older than sm_80.
  std::string chip;
};

/// Loads the driver (once per process) and describes device 0, or says why
/// there is no usable GPU (no libcuda.so.1, no device, a driver error).
llvm::Expected<DeviceInfo> getDevice();

/// A device buffer.
class DeviceBuffer {
public:
  static llvm::Expected<DeviceBuffer> allocate(uint64_t bytes);
  DeviceBuffer() = default;
  DeviceBuffer(DeviceBuffer &&other) noexcept;
  DeviceBuffer &operator=(DeviceBuffer &&other) noexcept;
  ~DeviceBuffer();

  void *get() const { return reinterpret_cast<void *>(pointer); }
  uint64_t size() const { return bytes; }
  llvm::Error copyFromHost(const void *data);
  llvm::Error copyToHost(void *data) const;

private:
  uint64_t pointer = 0, bytes = 0;
};

/// A module compiled by lowp-cuda-pipeline for device 0.
class CudaModule {
public:
  static llvm::Expected<std::unique_ptr<CudaModule>>
  compile(mlir::ModuleOp module, unsigned optLevel = 3);
  ~CudaModule();

  /// Calls @name with each boundary value's device buffer (or a scalar's
  /// code), arguments then results, in boundary order; waits until the
  /// kernels are done. Shapes are the stored shapes (lowp-run's).
  llvm::Error call(llvm::StringRef name,
                   llvm::ArrayRef<BoundaryBuffer> arguments,
                   llvm::ArrayRef<BoundaryBuffer> results);

private:
  CudaModule() = default;
  std::unique_ptr<mlir::ExecutionEngine> engine;
};

/// Milliseconds between two points on the device's own clock (CUDA
/// events) around `body`.
llvm::Expected<double> timeOnDevice(llvm::function_ref<llvm::Error()> body);

} // namespace lowp::cuda

#endif // LOWP_EXECUTIONENGINE_CUDA_H
