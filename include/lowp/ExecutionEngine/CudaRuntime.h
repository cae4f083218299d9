/*===- CudaRuntime.h - The mgpu* entry points on the CUDA driver --*- C -*-===*
 *
 * The entry points that MLIR's gpu-to-llvm lowering makes host code call,
 * implemented on the CUDA driver API opened at run time
 * (lib/ExecutionEngine/lowp_cuda_runtime.c, plain C with libc and dlopen
 * only). The JIT runtime (Cuda.cpp) registers them with the host code it
 * compiles; ahead-of-time objects (lowp-translate --target=cuda
 * --emit=obj) link with the C file itself.
 *
 *===----------------------------------------------------------------------===*/

#ifndef LOWP_EXECUTIONENGINE_CUDARUNTIME_H
#define LOWP_EXECUTIONENGINE_CUDARUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int LowpCUresult;
typedef void *LowpCUhandle;
typedef uint64_t LowpCUdeviceptr;

/* The driver API entry points lowp uses (the CUDA 12 ABI, _v2 names where
   the driver has them), and device 0's primary context. */
struct LowpCudaDriver {
  LowpCUresult (*init)(unsigned);
  LowpCUresult (*deviceGetCount)(int *);
  LowpCUresult (*deviceGet)(int *, int);
  LowpCUresult (*deviceGetName)(char *, int, int);
  LowpCUresult (*deviceGetAttribute)(int *, int, int);
  LowpCUresult (*deviceTotalMem)(size_t *, int);
  LowpCUresult (*primaryCtxRetain)(LowpCUhandle *, int);
  LowpCUresult (*ctxSetCurrent)(LowpCUhandle);
  LowpCUresult (*moduleLoadDataEx)(LowpCUhandle *, const void *, unsigned,
                                   int *, void **);
  LowpCUresult (*moduleUnload)(LowpCUhandle);
  LowpCUresult (*moduleGetFunction)(LowpCUhandle *, LowpCUhandle, const char *);
  LowpCUresult (*launchKernel)(LowpCUhandle, unsigned, unsigned, unsigned,
                               unsigned, unsigned, unsigned, unsigned,
                               LowpCUhandle, void **, void **);
  LowpCUresult (*streamCreate)(LowpCUhandle *, unsigned);
  LowpCUresult (*streamDestroy)(LowpCUhandle);
  LowpCUresult (*streamSynchronize)(LowpCUhandle);
  LowpCUresult (*memAlloc)(LowpCUdeviceptr *, size_t);
  LowpCUresult (*memFree)(LowpCUdeviceptr);
  LowpCUresult (*memcpyHtoD)(LowpCUdeviceptr, const void *, size_t);
  LowpCUresult (*memcpyDtoH)(void *, LowpCUdeviceptr, size_t);
  LowpCUresult (*memcpyAsync)(LowpCUdeviceptr, LowpCUdeviceptr, size_t,
                              LowpCUhandle);
  LowpCUresult (*eventCreate)(LowpCUhandle *, unsigned);
  LowpCUresult (*eventRecord)(LowpCUhandle, LowpCUhandle);
  LowpCUresult (*eventSynchronize)(LowpCUhandle);
  LowpCUresult (*eventElapsedTime)(float *, LowpCUhandle, LowpCUhandle);
  LowpCUresult (*eventDestroy)(LowpCUhandle);
  LowpCUresult (*getErrorName)(LowpCUresult, const char **);
  int device;
  LowpCUhandle context;
};

/* The driver, loaded once per process (dlopen("libcuda.so.1"), cuInit,
   device 0's primary context), with that context made current on this
   thread; NULL when there is none, and lowpCudaDriverError() says why. */
const struct LowpCudaDriver *lowpCudaDriver(void);
const char *lowpCudaDriverError(void);

/* The first error of an entry point since the last call, or NULL; clears
   it. The generated code cannot receive errors, so they wait here. */
const char *lowpCudaTakeError(void);

void *mgpuModuleLoadJIT(void *data, int optLevel);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void *mgpuStreamCreate(void);
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t sharedMemory, void *stream,
                      void **params, void **extra, size_t paramsCount);
void *mgpuMemAlloc(uint64_t bytes, void *stream, bool isHostShared);
void mgpuMemFree(void *pointer, void *stream);
void mgpuMemcpy(void *to, void *from, intptr_t bytes, void *stream);

#ifdef __cplusplus
}
#endif

#endif /* LOWP_EXECUTIONENGINE_CUDARUNTIME_H */
