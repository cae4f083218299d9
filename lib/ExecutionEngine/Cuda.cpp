//===- Cuda.cpp - Running lowp-cuda-pipeline's code on an NVIDIA GPU ------===//
//
// The driver's entry points are looked up with dlsym in libcuda.so.1, which
// every CUDA driver installs; the few types they take are opaque pointers
// and ints, declared here, so no CUDA header or library is needed to build.
// The mgpu* functions are what MLIR's gpu-to-llvm lowering calls from the
// host code; they cannot return errors, so the first error is kept and
// CudaModule reports it after the call.
//
//===----------------------------------------------------------------------===//

#include "lowp/ExecutionEngine/Cuda.h"
#include "lowp/ExecutionEngine/CudaRuntime.h"

#include "lowp/Pipelines/Pipelines.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/TargetSelect.h"

using namespace lowp;
using namespace lowp::cuda;

namespace {

using CUresult = LowpCUresult;
using Handle = LowpCUhandle;
using DevicePointer = LowpCUdeviceptr;
/// The driver's entry points, loaded by lowp_cuda_runtime.c.
using Driver = LowpCudaDriver;

constexpr int kComputeCapabilityMajor = 75, kComputeCapabilityMinor = 76;

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The driver and device 0, or why there is none; loaded on first use.
struct LoadedDriver {
  const Driver *driver = nullptr;
  DeviceInfo device;
  std::string error;
};

const LoadedDriver &loadDriver() {
  static const LoadedDriver loaded = [] {
    LoadedDriver result;
    const Driver *d = lowpCudaDriver();
    if (!d) {
      result.error = lowpCudaDriverError();
      return result;
    }
    auto check = [&](CUresult status, const char *what) {
      if (status == 0)
        return true;
      const char *name = nullptr;
      d->getErrorName(status, &name);
      result.error = std::string(what) +
                     " failed: " + (name ? name : std::to_string(status));
      return false;
    };
    char name[256] = {};
    size_t memory = 0;
    int major = 0, minor = 0;
    if (!check(d->deviceGetName(name, sizeof name - 1, d->device),
               "cuDeviceGetName") ||
        !check(d->deviceTotalMem(&memory, d->device), "cuDeviceTotalMem") ||
        !check(
            d->deviceGetAttribute(&major, kComputeCapabilityMajor, d->device),
            "cuDeviceGetAttribute") ||
        !check(
            d->deviceGetAttribute(&minor, kComputeCapabilityMinor, d->device),
            "cuDeviceGetAttribute"))
      return result;
    result.driver = d;
    result.device = {name, major, minor, memory, ""};
    // The architecture-specific chips (sm_90a, sm_100a) only on exactly
    // their devices; PTX for sm_89 and sm_80 JIT-compiles for later ones.
    int capability = major * 10 + minor;
    result.device.chip = capability == 100  ? "sm_100a"
                         : capability == 90 ? "sm_90a"
                         : capability >= 89 ? "sm_89"
                         : capability >= 80 ? "sm_80"
                                            : "";
    return result;
  }();
  return loaded;
}

/// The driver, current on this thread, or nothing (with loadDriver().error).
const Driver *currentDriver() {
  if (!loadDriver().error.empty())
    return nullptr;
  // Makes device 0's context current on this thread.
  return lowpCudaDriver();
}

/// The first error of an mgpu* entry point (lowp_cuda_runtime.c) since
/// the last take().
llvm::Error takePending() {
  if (const char *message = lowpCudaTakeError())
    return makeError(message);
  return llvm::Error::success();
}

llvm::Error checked(CUresult status, const char *what) {
  if (status == 0)
    return llvm::Error::success();
  const char *name = nullptr;
  loadDriver().driver->getErrorName(status, &name);
  return makeError(std::string(what) +
                   " failed: " + (name ? name : std::to_string(status)));
}

} // namespace

llvm::Expected<DeviceInfo> lowp::cuda::getDevice() {
  const LoadedDriver &loaded = loadDriver();
  if (!loaded.error.empty())
    return makeError(loaded.error);
  if (loaded.device.chip.empty())
    return makeError("the GPU " + loaded.device.name + " (compute capability " +
                     std::to_string(loaded.device.major) + "." +
                     std::to_string(loaded.device.minor) +
                     ") is older than sm_80, the oldest chip lowp supports");
  return loaded.device;
}

llvm::Expected<DeviceBuffer> DeviceBuffer::allocate(uint64_t bytes) {
  const Driver *d = currentDriver();
  if (!d)
    return makeError(loadDriver().error);
  DeviceBuffer buffer;
  buffer.bytes = bytes;
  if (llvm::Error error =
          checked(d->memAlloc(&buffer.pointer, std::max<uint64_t>(bytes, 1)),
                  "allocating device memory (cuMemAlloc)"))
    return std::move(error);
  return std::move(buffer);
}

DeviceBuffer::DeviceBuffer(DeviceBuffer &&other) noexcept
    : pointer(other.pointer), bytes(other.bytes) {
  other.pointer = 0;
}

DeviceBuffer &DeviceBuffer::operator=(DeviceBuffer &&other) noexcept {
  std::swap(pointer, other.pointer);
  std::swap(bytes, other.bytes);
  return *this;
}

DeviceBuffer::~DeviceBuffer() {
  if (pointer)
    if (const Driver *d = currentDriver())
      d->memFree(pointer);
}

llvm::Error DeviceBuffer::copyFromHost(const void *data) {
  const Driver *d = currentDriver();
  if (!d)
    return makeError(loadDriver().error);
  return bytes ? checked(d->memcpyHtoD(pointer, data, bytes), "cuMemcpyHtoD")
               : llvm::Error::success();
}

llvm::Error DeviceBuffer::copyToHost(void *data) const {
  const Driver *d = currentDriver();
  if (!d)
    return makeError(loadDriver().error);
  return bytes ? checked(d->memcpyDtoH(data, pointer, bytes), "cuMemcpyDtoH")
               : llvm::Error::success();
}

CudaModule::~CudaModule() = default;

llvm::Expected<std::unique_ptr<CudaModule>>
CudaModule::compile(mlir::ModuleOp module, unsigned optLevel) {
  auto device = getDevice();
  if (!device)
    return device.takeError();
  mlir::OwningOpRef<mlir::ModuleOp> lowered(module.clone());
  mlir::PassManager pm(module.getContext());
  CudaPipelineOptions options;
  options.chip = device->chip;
  buildCudaPipeline(pm, options);
  if (mlir::failed(pm.run(*lowered)))
    return makeError("lowering for " + device->chip +
                     " failed (see the diagnostics above)");
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  mlir::ExecutionEngineOptions engineOptions;
  auto transformer = mlir::makeOptimizingTransformer(optLevel, 0, nullptr);
  engineOptions.transformer = transformer;
  auto engine = mlir::ExecutionEngine::create(*lowered, engineOptions);
  if (!engine)
    return makeError("JIT compilation of the host code failed: " +
                     llvm::toString(engine.takeError()));
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    auto add = [&](const char *name, auto *function) {
      symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(function),
                                 llvm::JITSymbolFlags::Exported};
    };
    add("mgpuModuleLoadJIT", &mgpuModuleLoadJIT);
    add("mgpuModuleUnload", &mgpuModuleUnload);
    add("mgpuModuleGetFunction", &mgpuModuleGetFunction);
    add("mgpuStreamCreate", &mgpuStreamCreate);
    add("mgpuStreamDestroy", &mgpuStreamDestroy);
    add("mgpuStreamSynchronize", &mgpuStreamSynchronize);
    add("mgpuLaunchKernel", &mgpuLaunchKernel);
    add("mgpuMemAlloc", &mgpuMemAlloc);
    add("mgpuMemFree", &mgpuMemFree);
    add("mgpuMemcpy", &mgpuMemcpy);
    return symbols;
  });
  std::unique_ptr<CudaModule> compiled(new CudaModule());
  compiled->engine = std::move(*engine);
  // The kernels' PTX loads in a global constructor: run it now, so that a
  // driver's refusal of the PTX is a compile error.
  compiled->engine->initialize();
  if (llvm::Error error = takePending())
    return std::move(error);
  return std::move(compiled);
}

llvm::Error CudaModule::call(llvm::StringRef name,
                             llvm::ArrayRef<BoundaryBuffer> arguments,
                             llvm::ArrayRef<BoundaryBuffer> results) {
  // The host function takes each memref expanded (allocated and aligned
  // pointers, offset, sizes, strides) and scalars by value; the packed
  // wrapper takes a pointer to each.
  std::vector<std::vector<int64_t>> expanded;
  // Pointers into `expanded` stay valid: it never grows past this.
  expanded.reserve(arguments.size() + results.size());
  std::vector<void *> pointers;
  for (const BoundaryBuffer &buffer :
       llvm::concat<const BoundaryBuffer>(arguments, results)) {
    if (buffer.isScalar) {
      pointers.push_back(buffer.data);
      continue;
    }
    auto address = reinterpret_cast<int64_t>(buffer.data);
    std::vector<int64_t> &fields = expanded.emplace_back();
    fields = {address, address, 0};
    fields.insert(fields.end(), buffer.shape.begin(), buffer.shape.end());
    size_t rank = buffer.shape.size();
    fields.resize(3 + 2 * rank);
    int64_t stride = 1;
    for (size_t d = rank; d-- > 0;) {
      fields[3 + rank + d] = stride;
      stride *= buffer.shape[d];
    }
    for (int64_t &field : fields)
      pointers.push_back(&field);
  }
  if (llvm::Error error = engine->invokePacked(name, pointers))
    return makeError("calling @" + name +
                     " failed: " + llvm::toString(std::move(error)));
  return takePending();
}

llvm::Expected<double>
lowp::cuda::timeOnDevice(llvm::function_ref<llvm::Error()> body) {
  const Driver *d = currentDriver();
  if (!d)
    return makeError(loadDriver().error);
  Handle start = nullptr, stop = nullptr;
  if (llvm::Error error = checked(d->eventCreate(&start, 0), "cuEventCreate"))
    return std::move(error);
  if (llvm::Error error = checked(d->eventCreate(&stop, 0), "cuEventCreate")) {
    d->eventDestroy(start);
    return std::move(error);
  }
  llvm::Error error = checked(d->eventRecord(start, nullptr), "cuEventRecord");
  if (!error)
    error = body();
  if (!error)
    error = checked(d->eventRecord(stop, nullptr), "cuEventRecord");
  if (!error)
    error = checked(d->eventSynchronize(stop), "cuEventSynchronize");
  float milliseconds = 0;
  if (!error)
    error = checked(d->eventElapsedTime(&milliseconds, start, stop),
                    "cuEventElapsedTime");
  d->eventDestroy(start);
  d->eventDestroy(stop);
  if (error)
    return std::move(error);
  return double(milliseconds);
}
