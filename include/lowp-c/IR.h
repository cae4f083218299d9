/*===-- lowp-c/IR.h - Contexts and modules ------------------------*- C -*-===*\
|*                                                                            *|
|* A context owns everything parsed in it (MLIR's MLIRContext with lowp and  *|
|* every dialect lowp's tools accept). A context and what was made in it are *|
|* used from one thread at a time.                                            *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef LOWP_C_IR_H
#define LOWP_C_IR_H

#include "lowp-c/Support.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct LowpContext {
  void *ptr;
} LowpContext;

/// A parsed, verified module (func.func, linalg, lowp, ...).
typedef struct LowpModule {
  void *ptr;
} LowpModule;

/// Receives printed text in pieces.
typedef void (*LowpStringCallback)(LowpStringRef piece, void *userData);

LOWP_CAPI_EXPORTED LowpContext lowpContextCreate(void);
/// Destroys the context; every module and format made in it must be
/// destroyed first.
LOWP_CAPI_EXPORTED void lowpContextDestroy(LowpContext context);
static inline bool lowpContextIsNull(LowpContext context) {
  return !context.ptr;
}

/// Parses MLIR text; `bufferName` (may be empty) names it in diagnostics'
/// locations. On failure `*module` is null and the status holds the
/// diagnostics.
LOWP_CAPI_EXPORTED LowpStatus lowpModuleParse(LowpContext context,
                                              LowpStringRef source,
                                              LowpStringRef bufferName,
                                              LowpModule *module);
/// Parses the file at `path` (NUL-terminated).
LOWP_CAPI_EXPORTED LowpStatus lowpModuleParseFile(LowpContext context,
                                                  const char *path,
                                                  LowpModule *module);
LOWP_CAPI_EXPORTED void lowpModuleDestroy(LowpModule module);
static inline bool lowpModuleIsNull(LowpModule module) { return !module.ptr; }

/// Prints the module as MLIR text through `callback`.
LOWP_CAPI_EXPORTED void
lowpModulePrint(LowpModule module, LowpStringCallback callback, void *userData);

#ifdef __cplusplus
}
#endif

#endif // LOWP_C_IR_H
