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

#include "lowp/Pipelines/Pipelines.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/TargetSelect.h"

#include <dlfcn.h>
#include <mutex>

using namespace lowp;
using namespace lowp::cuda;

namespace {

using CUresult = int;
using CUdevice = int;
using Handle = void *;
using DevicePointer = uint64_t;

/// The driver API entry points lowp uses (the CUDA 12 ABI, _v2 names where
/// the driver has them).
struct Driver {
  CUresult (*init)(unsigned);
  CUresult (*deviceGetCount)(int *);
  CUresult (*deviceGet)(CUdevice *, int);
  CUresult (*deviceGetName)(char *, int, CUdevice);
  CUresult (*deviceGetAttribute)(int *, int, CUdevice);
  CUresult (*deviceTotalMem)(size_t *, CUdevice);
  CUresult (*primaryCtxRetain)(Handle *, CUdevice);
  CUresult (*ctxSetCurrent)(Handle);
  CUresult (*moduleLoadDataEx)(Handle *, const void *, unsigned, int *,
                               void **);
  CUresult (*moduleUnload)(Handle);
  CUresult (*moduleGetFunction)(Handle *, Handle, const char *);
  CUresult (*launchKernel)(Handle, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, Handle, void **,
                           void **);
  CUresult (*streamCreate)(Handle *, unsigned);
  CUresult (*streamDestroy)(Handle);
  CUresult (*streamSynchronize)(Handle);
  CUresult (*memAlloc)(DevicePointer *, size_t);
  CUresult (*memFree)(DevicePointer);
  CUresult (*memcpyHtoD)(DevicePointer, const void *, size_t);
  CUresult (*memcpyDtoH)(void *, DevicePointer, size_t);
  CUresult (*memcpyAsync)(DevicePointer, DevicePointer, size_t, Handle);
  CUresult (*eventCreate)(Handle *, unsigned);
  CUresult (*eventRecord)(Handle, Handle);
  CUresult (*eventSynchronize)(Handle);
  CUresult (*eventElapsedTime)(float *, Handle, Handle);
  CUresult (*eventDestroy)(Handle);
  CUresult (*getErrorName)(CUresult, const char **);

  Handle context = nullptr;
  DeviceInfo device;
};

constexpr int kComputeCapabilityMajor = 75, kComputeCapabilityMinor = 76;

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The driver, or why there is none; loaded on first use.
struct LoadedDriver {
  Driver driver{};
  std::string error;
};

const LoadedDriver &loadDriver() {
  static const LoadedDriver loaded = [] {
    LoadedDriver result;
    void *library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      result.error = std::string("no NVIDIA GPU: the CUDA driver "
                                 "(libcuda.so.1) cannot be loaded: ") +
                     dlerror();
      return result;
    }
    Driver &d = result.driver;
    std::string missing;
    auto bind = [&](auto &slot, const char *name) {
      slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(
          dlsym(library, name));
      if (!slot)
        missing += std::string(missing.empty() ? "" : ", ") + name;
    };
    bind(d.init, "cuInit");
    bind(d.deviceGetCount, "cuDeviceGetCount");
    bind(d.deviceGet, "cuDeviceGet");
    bind(d.deviceGetName, "cuDeviceGetName");
    bind(d.deviceGetAttribute, "cuDeviceGetAttribute");
    bind(d.deviceTotalMem, "cuDeviceTotalMem_v2");
    bind(d.primaryCtxRetain, "cuDevicePrimaryCtxRetain");
    bind(d.ctxSetCurrent, "cuCtxSetCurrent");
    bind(d.moduleLoadDataEx, "cuModuleLoadDataEx");
    bind(d.moduleUnload, "cuModuleUnload");
    bind(d.moduleGetFunction, "cuModuleGetFunction");
    bind(d.launchKernel, "cuLaunchKernel");
    bind(d.streamCreate, "cuStreamCreate");
    bind(d.streamDestroy, "cuStreamDestroy_v2");
    bind(d.streamSynchronize, "cuStreamSynchronize");
    bind(d.memAlloc, "cuMemAlloc_v2");
    bind(d.memFree, "cuMemFree_v2");
    bind(d.memcpyHtoD, "cuMemcpyHtoD_v2");
    bind(d.memcpyDtoH, "cuMemcpyDtoH_v2");
    bind(d.memcpyAsync, "cuMemcpyAsync");
    bind(d.eventCreate, "cuEventCreate");
    bind(d.eventRecord, "cuEventRecord");
    bind(d.eventSynchronize, "cuEventSynchronize");
    bind(d.eventElapsedTime, "cuEventElapsedTime_v2");
    if (!d.eventElapsedTime)
      bind(d.eventElapsedTime, "cuEventElapsedTime");
    bind(d.eventDestroy, "cuEventDestroy_v2");
    bind(d.getErrorName, "cuGetErrorName");
    if (!missing.empty()) {
      result.error = "the CUDA driver lacks " + missing;
      return result;
    }
    auto check = [&](CUresult status, const char *what) {
      if (status == 0)
        return true;
      const char *name = nullptr;
      d.getErrorName(status, &name);
      result.error = std::string(what) +
                     " failed: " + (name ? name : std::to_string(status));
      return false;
    };
    int count = 0;
    if (!check(d.init(0), "cuInit") ||
        !check(d.deviceGetCount(&count), "cuDeviceGetCount"))
      return result;
    if (count == 0) {
      result.error = "no NVIDIA GPU: the CUDA driver reports no device";
      return result;
    }
    CUdevice device = 0;
    char name[256] = {};
    size_t memory = 0;
    int major = 0, minor = 0;
    if (!check(d.deviceGet(&device, 0), "cuDeviceGet") ||
        !check(d.deviceGetName(name, sizeof name - 1, device),
               "cuDeviceGetName") ||
        !check(d.deviceTotalMem(&memory, device), "cuDeviceTotalMem") ||
        !check(d.deviceGetAttribute(&major, kComputeCapabilityMajor, device),
               "cuDeviceGetAttribute") ||
        !check(d.deviceGetAttribute(&minor, kComputeCapabilityMinor, device),
               "cuDeviceGetAttribute") ||
        !check(d.primaryCtxRetain(&d.context, device),
               "cuDevicePrimaryCtxRetain"))
      return result;
    d.device = {name, major, minor, memory, ""};
    // The architecture-specific chips (sm_90a, sm_100a) only on exactly
    // their devices; PTX for sm_89 and sm_80 JIT-compiles for later ones.
    int capability = major * 10 + minor;
    d.device.chip = capability == 100  ? "sm_100a"
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
  const LoadedDriver &loaded = loadDriver();
  if (!loaded.error.empty())
    return nullptr;
  loaded.driver.ctxSetCurrent(loaded.driver.context);
  return &loaded.driver;
}

/// The first error of an mgpu* call since the last take().
std::mutex pendingMutex;
std::string pendingError;

void notePending(CUresult status, const char *what) {
  if (status == 0)
    return;
  const char *name = nullptr;
  loadDriver().driver.getErrorName(status, &name);
  std::lock_guard<std::mutex> lock(pendingMutex);
  if (pendingError.empty())
    pendingError = std::string(what) +
                   " failed: " + (name ? name : std::to_string(status));
}

llvm::Error takePending() {
  std::lock_guard<std::mutex> lock(pendingMutex);
  if (pendingError.empty())
    return llvm::Error::success();
  std::string message = std::move(pendingError);
  pendingError.clear();
  return makeError(message);
}

llvm::Error checked(CUresult status, const char *what) {
  if (status == 0)
    return llvm::Error::success();
  const char *name = nullptr;
  loadDriver().driver.getErrorName(status, &name);
  return makeError(std::string(what) +
                   " failed: " + (name ? name : std::to_string(status)));
}

// The entry points MLIR's gpu-to-llvm lowering calls (MLIR 22's ABI, as
// its host code declares them).
extern "C" void *lowpMgpuModuleLoadJIT(void *data, int optLevel) {
  const Driver *d = currentDriver();
  if (!d)
    return nullptr;
  // CU_JIT_OPTIMIZATION_LEVEL = 7.
  int options[] = {7};
  void *values[] = {reinterpret_cast<void *>(intptr_t(optLevel))};
  Handle module = nullptr;
  notePending(d->moduleLoadDataEx(&module, data, 1, options, values),
              "loading the kernels' PTX (cuModuleLoadDataEx)");
  return module;
}

extern "C" void lowpMgpuModuleUnload(void *module) {
  if (const Driver *d = currentDriver(); d && module)
    notePending(d->moduleUnload(module), "cuModuleUnload");
}

extern "C" void *lowpMgpuModuleGetFunction(void *module, const char *name) {
  const Driver *d = currentDriver();
  Handle function = nullptr;
  if (d && module)
    notePending(d->moduleGetFunction(&function, module, name),
                "cuModuleGetFunction");
  return function;
}

extern "C" void *lowpMgpuStreamCreate() {
  const Driver *d = currentDriver();
  Handle stream = nullptr;
  if (d)
    notePending(d->streamCreate(&stream, 0), "cuStreamCreate");
  return stream;
}

extern "C" void lowpMgpuStreamDestroy(void *stream) {
  if (const Driver *d = currentDriver(); d && stream)
    notePending(d->streamDestroy(stream), "cuStreamDestroy");
}

extern "C" void lowpMgpuStreamSynchronize(void *stream) {
  if (const Driver *d = currentDriver(); d && stream)
    notePending(d->streamSynchronize(stream), "running the kernels");
}

// Device temporaries and the device copies of constants (gpu.alloc,
// gpu.dealloc and gpu.memcpy on a stream the host code waits for).
extern "C" void *lowpMgpuMemAlloc(uint64_t bytes, void * /*stream*/,
                                  bool /*isHostShared*/) {
  const Driver *d = currentDriver();
  DevicePointer pointer = 0;
  if (d && bytes)
    notePending(d->memAlloc(&pointer, bytes),
                "allocating a device temporary (cuMemAlloc)");
  return reinterpret_cast<void *>(pointer);
}

extern "C" void lowpMgpuMemFree(void *pointer, void * /*stream*/) {
  if (const Driver *d = currentDriver(); d && pointer)
    notePending(d->memFree(reinterpret_cast<DevicePointer>(pointer)),
                "cuMemFree");
}

extern "C" void lowpMgpuMemcpy(void *to, void *from, intptr_t bytes,
                               void *stream) {
  // Unified addressing: the driver tells host from device pointers.
  if (const Driver *d = currentDriver(); d && bytes > 0)
    notePending(d->memcpyAsync(reinterpret_cast<DevicePointer>(to),
                               reinterpret_cast<DevicePointer>(from),
                               size_t(bytes), stream),
                "copying a constant to the device (cuMemcpyAsync)");
}

extern "C" void lowpMgpuLaunchKernel(void *function, intptr_t gridX,
                                     intptr_t gridY, intptr_t gridZ,
                                     intptr_t blockX, intptr_t blockY,
                                     intptr_t blockZ, int32_t sharedMemory,
                                     void *stream, void **params, void **extra,
                                     size_t /*paramsCount*/) {
  const Driver *d = currentDriver();
  if (!d || !function)
    return;
  if (gridX <= 0 || gridY <= 0 || gridZ <= 0)
    return; // an empty tensor: nothing to launch
  notePending(d->launchKernel(function, unsigned(gridX), unsigned(gridY),
                              unsigned(gridZ), unsigned(blockX),
                              unsigned(blockY), unsigned(blockZ),
                              unsigned(sharedMemory), stream, params, extra),
              "cuLaunchKernel");
}

} // namespace

llvm::Expected<DeviceInfo> lowp::cuda::getDevice() {
  const LoadedDriver &loaded = loadDriver();
  if (!loaded.error.empty())
    return makeError(loaded.error);
  if (loaded.driver.device.chip.empty())
    return makeError("the GPU " + loaded.driver.device.name +
                     " (compute capability " +
                     std::to_string(loaded.driver.device.major) + "." +
                     std::to_string(loaded.driver.device.minor) +
                     ") is older than sm_80, the oldest chip lowp supports");
  return loaded.driver.device;
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
    add("mgpuModuleLoadJIT", &lowpMgpuModuleLoadJIT);
    add("mgpuModuleUnload", &lowpMgpuModuleUnload);
    add("mgpuModuleGetFunction", &lowpMgpuModuleGetFunction);
    add("mgpuStreamCreate", &lowpMgpuStreamCreate);
    add("mgpuStreamDestroy", &lowpMgpuStreamDestroy);
    add("mgpuStreamSynchronize", &lowpMgpuStreamSynchronize);
    add("mgpuLaunchKernel", &lowpMgpuLaunchKernel);
    add("mgpuMemAlloc", &lowpMgpuMemAlloc);
    add("mgpuMemFree", &lowpMgpuMemFree);
    add("mgpuMemcpy", &lowpMgpuMemcpy);
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
