"""Loads a shared library built from lowp-translate --target=cuda --emit=obj
and lowp_cuda_runtime.c and calls @gemv_mxfp4 of bench/gpu/bench.mlir with
null buffers: without a GPU no kernel runs, and the runtime says why."""
import ctypes
import sys

library = ctypes.CDLL(sys.argv[1])
library.lowpCudaTakeError.restype = ctypes.c_char_p
names = ["gemv_mxfp4", "gemm_fp8", "mgpuLaunchKernel", "mgpuMemAlloc"]
print("symbols:", " ".join(n for n in names if hasattr(library, n)))
print("after loading:", (library.lowpCudaTakeError() or b"").decode())
arguments = []
for rows, columns in [(1, 4096), (14336, 2048), (14336, 128), (1, 14336)]:
    arguments += [ctypes.c_void_p(0), ctypes.c_void_p(0), ctypes.c_int64(0),
                  ctypes.c_int64(rows), ctypes.c_int64(columns),
                  ctypes.c_int64(columns), ctypes.c_int64(1)]
library.gemv_mxfp4(*arguments)
print("after a call:", (library.lowpCudaTakeError() or b"").decode())
