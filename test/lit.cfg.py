# lit configuration for lowp's FileCheck tests.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "lowp"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Unit", "Inputs", "lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.lowp_obj_root, "test")

# Captured FileCheck variables do not leak from one CHECK-LABEL to the next.
config.environment["FILECHECK_OPTS"] = "-enable-var-scope"

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    ["lowp-opt", "lowp-format", "lowp-run", "lowp-translate", "lowp-capi-test"], [config.lowp_tools_dir])

# The libFuzzer targets (fuzz/), built when the compiler is clang.
fuzzers = ["lowp-fuzz-ir", "lowp-fuzz-npy", "lowp-fuzz-format"]
if all(os.path.exists(os.path.join(config.lowp_tools_dir, f)) for f in fuzzers):
    llvm_config.add_tool_substitutions(fuzzers, [config.lowp_tools_dir])
    config.available_features.add("fuzzers")
config.substitutions.append(("%lowp_src", os.path.dirname(config.test_source_root)))
config.substitutions.append(("%lowp_build", config.lowp_obj_root))

# A C compiler for the ahead-of-time tests, which link lowp-translate's
# objects into C programs.
import shutil

for cc in ("clang-22", "cc", "gcc"):
    path = shutil.which(cc)
    if path:
        config.substitutions.append(("%host_cc", path))
        config.available_features.add("host-cc")
        break

# The Python package (python/, built into build/python when pybind11 and
# Python's headers are there), tested with Debian's interpreter, which sees
# Debian's numpy, pytest, torch and onnx.
import glob

python_package = os.path.join(config.lowp_obj_root, "python")
if glob.glob(os.path.join(python_package, "lowp", "_core*.so")) and os.path.exists(
        "/usr/bin/python3"):
    config.available_features.add("python-package")
    config.substitutions.append(("%lowp_python", python_package))
    config.substitutions.append(("%python", "/usr/bin/python3"))

# ptxas from the CUDA toolkit assembles the PTX that lowp-cuda-pipeline
# writes, for each chip (no GPU needed).
ptxas = shutil.which("ptxas") or (
    "/usr/local/cuda/bin/ptxas" if os.path.exists("/usr/local/cuda/bin/ptxas") else None)
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))

# An NVIDIA GPU the CUDA driver reports: the execution tests of the CUDA
# backend run only there, and are reported unsupported elsewhere.
def _cuda_devices():
    import ctypes
    try:
        driver = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return 0
    count = ctypes.c_int(0)
    if driver.cuInit(0) != 0 or driver.cuDeviceGetCount(ctypes.byref(count)) != 0:
        return 0
    return count.value


if _cuda_devices() > 0:
    config.available_features.add("cuda-gpu")
