/*===- lowp_cuda_runtime.c - The mgpu* entry points on the CUDA driver ----===*
 *
 * Host code from lowp-cuda-pipeline calls the mgpu* entry points of MLIR's
 * GPU lowering; this file implements them on the CUDA driver, opened at run
 * time (dlopen("libcuda.so.1")), in plain C with libc and libdl only. lowp's
 * JIT runtime (Cuda.cpp) links it and registers the entry points with the
 * host code it compiles; an object file from `lowp-translate --target=cuda
 * --emit=obj` links with this file alone (`cc -shared model.o
 * lowp_cuda_runtime.c -ldl`), on a machine that has a GPU and no LLVM.
 *
 * Errors cannot be returned through the generated code: the first one is
 * kept and lowpCudaTakeError() returns it (or NULL) and clears it.
 *
 *===----------------------------------------------------------------------===*/

/* In lowp's tree, or copied beside this file (bench/gpu/prepare.sh). */
#if defined(__has_include) &&                                                  \
    __has_include("lowp/ExecutionEngine/CudaRuntime.h")
#include "lowp/ExecutionEngine/CudaRuntime.h"
#else
#include "CudaRuntime.h"
#endif

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef LowpCUresult CUresult;
typedef LowpCUhandle Handle;
typedef LowpCUdeviceptr DevicePointer;

static struct LowpCudaDriver driver;
static int loaded;

static pthread_mutex_t errorMutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t loadOnce = PTHREAD_ONCE_INIT;

static char pendingError[512];
/* Why the driver could not be used, said again at every call. */
static char loadError[512];

/* Keeps `message` unless an error is already waiting. */
static void keep(const char *message) {
  pthread_mutex_lock(&errorMutex);
  if (!pendingError[0])
    snprintf(pendingError, sizeof pendingError, "%s", message);
  pthread_mutex_unlock(&errorMutex);
}

static void note(CUresult status, const char *what) {
  if (status == 0)
    return;
  const char *name = NULL;
  if (driver.getErrorName)
    driver.getErrorName(status, &name);
  char message[512];
  if (name)
    snprintf(message, sizeof message, "%s failed: %s", what, name);
  else
    snprintf(message, sizeof message, "%s failed: CUDA error %d", what, status);
  keep(message);
}

const char *lowpCudaTakeError(void) {
  static __thread char taken[512];
  pthread_mutex_lock(&errorMutex);
  int any = pendingError[0] != 0;
  if (any) {
    memcpy(taken, pendingError, sizeof taken);
    pendingError[0] = 0;
  }
  pthread_mutex_unlock(&errorMutex);
  return any ? taken : NULL;
}

static int loadDriver(void) {
  void *library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    snprintf(loadError, sizeof loadError,
             "no NVIDIA GPU: the CUDA driver (libcuda.so.1) cannot be "
             "loaded: %s",
             dlerror());
    return 0;
  }
#define BIND(slot, name)                                                       \
  if (!(*(void **)&driver.slot = dlsym(library, name))) {                      \
    snprintf(loadError, sizeof loadError, "the CUDA driver lacks %s", name);   \
    return 0;                                                                  \
  }
  BIND(init, "cuInit");
  BIND(deviceGetCount, "cuDeviceGetCount");
  BIND(deviceGet, "cuDeviceGet");
  BIND(deviceGetName, "cuDeviceGetName");
  BIND(deviceGetAttribute, "cuDeviceGetAttribute");
  BIND(deviceTotalMem, "cuDeviceTotalMem_v2");
  BIND(primaryCtxRetain, "cuDevicePrimaryCtxRetain");
  BIND(ctxSetCurrent, "cuCtxSetCurrent");
  BIND(moduleLoadDataEx, "cuModuleLoadDataEx");
  BIND(moduleUnload, "cuModuleUnload");
  BIND(moduleGetFunction, "cuModuleGetFunction");
  BIND(launchKernel, "cuLaunchKernel");
  BIND(streamCreate, "cuStreamCreate");
  BIND(streamDestroy, "cuStreamDestroy_v2");
  BIND(streamSynchronize, "cuStreamSynchronize");
  BIND(memAlloc, "cuMemAlloc_v2");
  BIND(memFree, "cuMemFree_v2");
  BIND(memcpyHtoD, "cuMemcpyHtoD_v2");
  BIND(memcpyDtoH, "cuMemcpyDtoH_v2");
  BIND(memcpyAsync, "cuMemcpyAsync");
  BIND(eventCreate, "cuEventCreate");
  BIND(eventRecord, "cuEventRecord");
  BIND(eventSynchronize, "cuEventSynchronize");
  if (!(*(void **)&driver.eventElapsedTime =
            dlsym(library, "cuEventElapsedTime_v2")))
    BIND(eventElapsedTime, "cuEventElapsedTime");
  BIND(eventDestroy, "cuEventDestroy_v2");
  BIND(getErrorName, "cuGetErrorName");
#undef BIND
  int count = 0;
  CUresult status = driver.init(0);
  if (status == 0)
    status = driver.deviceGetCount(&count);
  if (status == 0 && count == 0) {
    snprintf(loadError, sizeof loadError,
             "no NVIDIA GPU: the CUDA driver reports no device");
    return 0;
  }
  if (status == 0)
    status = driver.deviceGet(&driver.device, 0);
  if (status == 0)
    status = driver.primaryCtxRetain(&driver.context, driver.device);
  if (status != 0) {
    const char *name = NULL;
    driver.getErrorName(status, &name);
    snprintf(loadError, sizeof loadError, "initializing device 0 failed: %s",
             name ? name : "a CUDA error");
    return 0;
  }
  return 1;
}

static void loadOnceOnly(void) { loaded = loadDriver() ? 1 : -1; }

const struct LowpCudaDriver *lowpCudaDriver(void) {
  pthread_once(&loadOnce, loadOnceOnly);
  if (loaded < 0)
    return NULL;
  driver.ctxSetCurrent(driver.context);
  return &driver;
}

const char *lowpCudaDriverError(void) {
  pthread_once(&loadOnce, loadOnceOnly);
  return loaded < 0 ? loadError : NULL;
}

/* Whether the driver is usable, its context current; notes why not. */
static int current(void) {
  if (lowpCudaDriver())
    return 1;
  keep(loadError);
  return 0;
}

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  if (!current())
    return NULL;
  int options[] = {7}; /* CU_JIT_OPTIMIZATION_LEVEL */
  void *values[] = {(void *)(intptr_t)optLevel};
  Handle module = NULL;
  note(driver.moduleLoadDataEx(&module, data, 1, options, values),
       "loading the kernels' PTX (cuModuleLoadDataEx)");
  return module;
}

void mgpuModuleUnload(void *module) {
  if (module && current())
    note(driver.moduleUnload(module), "cuModuleUnload");
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  Handle function = NULL;
  if (module && current())
    note(driver.moduleGetFunction(&function, module, name),
         "cuModuleGetFunction");
  return function;
}

void *mgpuStreamCreate(void) {
  Handle stream = NULL;
  if (current())
    note(driver.streamCreate(&stream, 0), "cuStreamCreate");
  return stream;
}

void mgpuStreamDestroy(void *stream) {
  if (stream && current())
    note(driver.streamDestroy(stream), "cuStreamDestroy");
}

void mgpuStreamSynchronize(void *stream) {
  if (stream && current())
    note(driver.streamSynchronize(stream), "running the kernels");
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t sharedMemory, void *stream,
                      void **params, void **extra, size_t paramsCount) {
  (void)paramsCount;
  if (!function || !current() || gridX <= 0 || gridY <= 0 || gridZ <= 0)
    return;
  note(driver.launchKernel(function, (unsigned)gridX, (unsigned)gridY,
                           (unsigned)gridZ, (unsigned)blockX, (unsigned)blockY,
                           (unsigned)blockZ, (unsigned)sharedMemory, stream,
                           params, extra),
       "cuLaunchKernel");
}

void *mgpuMemAlloc(uint64_t bytes, void *stream, bool isHostShared) {
  (void)stream;
  (void)isHostShared;
  DevicePointer pointer = 0;
  if (bytes && current())
    note(driver.memAlloc(&pointer, bytes), "cuMemAlloc");
  return (void *)pointer;
}

void mgpuMemFree(void *pointer, void *stream) {
  (void)stream;
  if (pointer && current())
    note(driver.memFree((DevicePointer)pointer), "cuMemFree");
}

void mgpuMemcpy(void *to, void *from, intptr_t bytes, void *stream) {
  if (bytes > 0 && current())
    note(driver.memcpyAsync((DevicePointer)to, (DevicePointer)from,
                            (size_t)bytes, stream),
         "cuMemcpyAsync");
}
