/*===-- lowp-c/Support.h - Strings and statuses of lowp's C API --*- C -*-===*\
|*                                                                            *|
|* lowp's C API follows MLIR's (mlir-c/): opaque handles are structs holding  *|
|* one pointer, created by lowpXCreate or returned through out-parameters,    *|
|* released by lowpXDestroy; strings are (pointer, length) pairs that are not *|
|* NUL-terminated unless a function says so. Every function that can fail     *|
|* returns a LowpStatus: null for success, else an error the caller reads     *|
|* with lowpStatusGetMessage and releases with lowpStatusDestroy. Nothing in  *|
|* the API prints or exits. See docs/CAPI.md.                                 *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef LOWP_C_SUPPORT_H
#define LOWP_C_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define LOWP_CAPI_EXPORTED __declspec(dllexport)
#else
#define LOWP_CAPI_EXPORTED __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/// A string that lowp does not own (arguments) or that lives as long as the
/// object it came from (results).
typedef struct LowpStringRef {
  const char *data;
  size_t length;
} LowpStringRef;

/// A string from a NUL-terminated C string.
static inline LowpStringRef lowpStringRefCreateFromCString(const char *str) {
  LowpStringRef ref;
  ref.data = str;
  ref.length = 0;
  while (str && str[ref.length])
    ++ref.length;
  return ref;
}

/// The outcome of a call: null on success, else an error with a message.
typedef struct LowpStatus {
  void *ptr;
} LowpStatus;

static inline bool lowpStatusIsSuccess(LowpStatus status) {
  return !status.ptr;
}

/// The error's message (NUL-terminated; empty for success), valid until
/// the status is destroyed. Diagnostics from MLIR follow the first line,
/// one per line, each starting with its location.
LOWP_CAPI_EXPORTED const char *lowpStatusGetMessage(LowpStatus status);

/// Releases an error; a no-op for success.
LOWP_CAPI_EXPORTED void lowpStatusDestroy(LowpStatus status);

#ifdef __cplusplus
}
#endif

#endif // LOWP_C_SUPPORT_H
