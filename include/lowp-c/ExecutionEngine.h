/*===-- lowp-c/ExecutionEngine.h - Compile and call ---------------*- C -*-===*\
|*                                                                            *|
|* Compiling a module for a target and calling its public functions on       *|
|* buffers the caller owns. A function's boundary is what it takes and       *|
|* returns after lowering: each block-scaled tensor as its parts (elements,  *|
|* scales, tensor scale, zero points), formats narrower than 8 bits packed   *|
|* per row (docs/Lowering.md, "The boundary").                                *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef LOWP_C_EXECUTIONENGINE_H
#define LOWP_C_EXECUTIONENGINE_H

#include "lowp-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct LowpExecutable {
  void *ptr;
} LowpExecutable;

typedef struct LowpCompileOptions {
  /// LLVM's optimization level, 0..3.
  unsigned optLevel;
  /// Vector instructions the kernels may use: "host", "avx512-bf16",
  /// "avx512-vnni", "avx512", "avx2" or "generic" (NUL-terminated).
  const char *cpuFeatures;
  /// Threads for the kernels' parallel loops; 0: the OpenMP runtime's
  /// choice (OMP_NUM_THREADS, else every core).
  unsigned threads;
} LowpCompileOptions;

/// optLevel 3, "host", 0 threads.
LOWP_CAPI_EXPORTED LowpCompileOptions lowpCompileOptionsGetDefault(void);

/// Compiles `module` (which is not changed) for `target`: "cpu" (the host)
/// or "cuda" (the GPU the CUDA driver reports as device 0, which must be
/// present: without one the status says so; calls copy the caller's host
/// buffers to the device and the results back). Lowering diagnostics are
/// in the status.
LOWP_CAPI_EXPORTED LowpStatus lowpModuleCompile(
    LowpModule module, LowpStringRef target, const LowpCompileOptions *options,
    LowpExecutable *executable);
LOWP_CAPI_EXPORTED void lowpExecutableDestroy(LowpExecutable executable);

/// The public functions, by name (valid while the executable lives).
LOWP_CAPI_EXPORTED intptr_t
lowpExecutableGetNumFunctions(LowpExecutable executable);
LOWP_CAPI_EXPORTED LowpStringRef
lowpExecutableGetFunctionName(LowpExecutable executable, intptr_t index);

/// One value at a function's boundary. Strings and the shape live as long
/// as the executable.
typedef struct LowpBoundaryValue {
  /// "argument 0", "argument 1 (scales)", "result 0", ...
  LowpStringRef name;
  /// The argument or result it is (part of), and which part: 0 for a plain
  /// value or the elements, then scales, tensor scale, zero points.
  intptr_t position, part;
  /// The element type as written ("f4E2M1FN") and as stored ("i8").
  LowpStringRef elementType, storageType;
  /// The logical shape; -1 where dynamic.
  intptr_t rank;
  const int64_t *shape;
  bool isScalar;
  /// Nonzero for formats narrower than 8 bits: each row's codes are packed
  /// at this many bits (a row of n codes in ceil(n * w / 8) bytes).
  unsigned packedWidth;
  /// Bytes per stored element when not packed.
  unsigned storageBytes;
} LowpBoundaryValue;

/// The number of boundary arguments (or results) of `function`, or -1
/// when the executable has no such function.
LOWP_CAPI_EXPORTED intptr_t lowpExecutableGetNumArguments(
    LowpExecutable executable, LowpStringRef function);
LOWP_CAPI_EXPORTED intptr_t
lowpExecutableGetNumResults(LowpExecutable executable, LowpStringRef function);
LOWP_CAPI_EXPORTED LowpStatus
lowpExecutableGetArgument(LowpExecutable executable, LowpStringRef function,
                          intptr_t index, LowpBoundaryValue *value);
LOWP_CAPI_EXPORTED LowpStatus lowpExecutableGetResult(LowpExecutable executable,
                                                      LowpStringRef function,
                                                      intptr_t index,
                                                      LowpBoundaryValue *value);

/// The logical shape of result `result` (a function result as written) for
/// arguments of the given logical shapes (one per function argument as
/// written; `ranks[i]` entries at `shapes[i]`, 0 for scalars): what to
/// allocate when sizes are dynamic. Writes the result's rank entries to
/// `shape`.
LOWP_CAPI_EXPORTED LowpStatus lowpExecutableGetResultShape(
    LowpExecutable executable, LowpStringRef function, intptr_t numArguments,
    const intptr_t *ranks, const int64_t *const *shapes, intptr_t result,
    int64_t *shape);

/// A caller-owned buffer for one boundary value: row-major data of the
/// stored shape (a packed row's length in bytes), or a scalar: `data`
/// points to a uint64_t holding its code, and `rank` is 0.
typedef struct LowpBuffer {
  void *data;
  intptr_t rank;
  const int64_t *shape;
  bool isScalar;
} LowpBuffer;

/// Calls `function` on `arguments`, writing `results` (both in boundary
/// order). Shapes are checked against the function's boundary first.
LOWP_CAPI_EXPORTED LowpStatus lowpExecutableCall(LowpExecutable executable,
                                                 LowpStringRef function,
                                                 intptr_t numArguments,
                                                 const LowpBuffer *arguments,
                                                 intptr_t numResults,
                                                 const LowpBuffer *results);

#ifdef __cplusplus
}
#endif

#endif // LOWP_C_EXECUTIONENGINE_H
