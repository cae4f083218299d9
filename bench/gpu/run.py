#!/usr/bin/python3
"""Times lowp's CUDA kernels against torch on the GPU of the machine it runs on.

Prepared on a machine with lowp (benchmarks/gpu/prepare.sh DIR CHIP writes
DIR/bench.o, the host code and PTX of bench.mlir, with this script and
lowp_cuda_runtime.c); run on the GPU machine, which needs only a C compiler,
PyTorch and the CUDA driver:

    /usr/bin/python3 DIR/run.py [--runs N]     # any interpreter that has PyTorch

Each figure is the median of N interleaved runs, as ratios measured in the
same run:
  - 4-bit GEMV 1 x 4096 x 14336 (MXFP4 weights): lowp's time against
    torch's f16 matmul of the same shape (cuBLAS), and the weight bytes it
    streams per second against the device's copy bandwidth (torch's
    copy_ of 1 GiB, bytes read + written per second); four copies of the
    weights (> the L2) are used in turn, so each call reads from DRAM;
  - FP8 GEMM 4096^3 (E4M3): lowp's TFLOP/s against torch._scaled_mm's.
Results are checked against torch's f32 matmul of the dequantized values.
lowp's times are host-measured per call (its host code synchronizes each
call's streams), so they include the launch and synchronization overhead.
"""

import argparse
import ctypes
import os
import statistics
import subprocess
import sys
import time


def fail(message):
    print(f"run.py: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", default=os.path.dirname(os.path.abspath(__file__)),
                        help="the directory prepare.sh wrote (default: this script's)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--cc", default=os.environ.get("CC", "cc"))
    args = parser.parse_args()

    library = os.path.join(args.dir, "liblowpbench.so")
    objects = [os.path.join(args.dir, "bench.o"),
               os.path.join(args.dir, "lowp_cuda_runtime.c")]
    for path in objects:
        if not os.path.exists(path):
            fail(f"{path} is missing: run benchmarks/gpu/prepare.sh first")
    built = subprocess.run([args.cc, "-shared", "-fPIC", "-O2", "-o", library,
                            *objects, "-ldl", "-lpthread", "-Wl,--no-undefined"],
                           capture_output=True, text=True)
    if built.returncode != 0:
        fail(f"building {library} failed:\n{built.stderr}")
    lowp = ctypes.CDLL(library)
    lowp.lowpCudaTakeError.restype = ctypes.c_char_p

    try:
        import torch
    except ImportError:
        fail("PyTorch is not installed")
    if not torch.cuda.is_available():
        fail("no CUDA device: torch.cuda.is_available() is false")
    device = torch.device("cuda")
    print(f"device: {torch.cuda.get_device_name()}, runs: {args.runs}")

    def descriptor(tensor):
        """A memref descriptor's fields for a contiguous tensor: allocated
        and aligned pointers, offset, sizes, strides."""
        pointer = ctypes.c_void_p(tensor.data_ptr())
        return [pointer, pointer, ctypes.c_int64(0),
                *(ctypes.c_int64(s) for s in tensor.shape),
                *(ctypes.c_int64(s) for s in tensor.stride())]

    def call(name, *tensors):
        arguments = [field for t in tensors for field in descriptor(t)]
        getattr(lowp, name)(*arguments)
        error = lowp.lowpCudaTakeError()
        if error:
            fail(f"@{name}: {error.decode()}")

    def host_time(function):
        torch.cuda.synchronize()
        start = time.perf_counter()
        function()
        torch.cuda.synchronize()
        return time.perf_counter() - start

    def device_time(function):
        start = torch.cuda.Event(enable_timing=True)
        stop = torch.cuda.Event(enable_timing=True)
        start.record()
        function()
        stop.record()
        torch.cuda.synchronize()
        return start.elapsed_time(stop) / 1e3

    torch.manual_seed(0)
    n, k = 14336, 4096
    # MXFP4: codes packed two a byte (low nibble first), E8M0 scales near 1.
    copies = 4
    weights = [torch.randint(0, 256, (n, k // 2), dtype=torch.uint8, device=device)
               for _ in range(copies)]
    scales = [torch.randint(124, 131, (n, k // 32), dtype=torch.uint8, device=device)
              for _ in range(copies)]
    x = torch.randn(1, k, device=device)
    y = torch.empty(1, n, device=device)
    table = torch.tensor([0, 0.5, 1, 1.5, 2, 3, 4, 6,
                          -0.0, -0.5, -1, -1.5, -2, -3, -4, -6], device=device)

    def dequantize(codes, scale):
        low, high = (codes & 15).long(), (codes >> 4).long()
        values = torch.stack([table[low], table[high]], dim=-1).reshape(n, k)
        return values * torch.exp2(scale.float() - 127).repeat_interleave(32, 1)

    call("gemv_mxfp4", x, weights[0], scales[0], y)
    reference = x @ dequantize(weights[0], scales[0]).t()
    error = ((y - reference).abs().max() / reference.abs().max()).item()
    print(f"gemv_mxfp4: max |error| / max |y| = {error:.2e}")
    if not error <= 1e-4:
        fail("gemv_mxfp4's result is not torch's f32 matmul of the "
             "dequantized weights")

    x16 = x.half()
    w16 = [torch.randn(k, n, device=device, dtype=torch.float16) for _ in range(2)]
    source = torch.empty(1 << 30, dtype=torch.uint8, device=device)
    target = torch.empty_like(source)
    lowp_times, torch_times, copy_times = [], [], []
    for run in range(args.runs):
        i = run % copies
        lowp_times.append(host_time(lambda: call("gemv_mxfp4", x, weights[i], scales[i], y)))
        torch_times.append(device_time(lambda: torch.matmul(x16, w16[run % 2])))
        copy_times.append(device_time(lambda: target.copy_(source)))
    lowp_s = statistics.median(lowp_times)
    torch_s = statistics.median(torch_times)
    copy_bandwidth = 2 * source.numel() / statistics.median(copy_times)
    streamed = weights[0].numel() + scales[0].numel() + 4 * (k + n)
    print(f"gemv 1x{k}x{n}: lowp MXFP4 {lowp_s * 1e6:.1f} us, torch f16 "
          f"{torch_s * 1e6:.1f} us: {torch_s / lowp_s:.2f}x torch (goal 2.5x)")
    print(f"  {streamed / lowp_s / 1e9:.0f} GB/s streamed, copy bandwidth "
          f"{copy_bandwidth / 1e9:.0f} GB/s: {streamed / lowp_s / copy_bandwidth:.0%} "
          f"(goal 70%)")

    m = 4096
    a = torch.randn(m, m, device=device).to(torch.float8_e4m3fn)
    b = torch.randn(m, m, device=device).to(torch.float8_e4m3fn)
    c = torch.empty(m, m, device=device)
    call("gemm_fp8", a.view(torch.uint8), b.view(torch.uint8), c)
    reference = a.float() @ b.float().t()
    error = ((c - reference).abs().max() / reference.abs().max()).item()
    print(f"gemm_fp8: max |error| / max |y| = {error:.2e}")
    # A tensor core's additions within one instruction's 32 products are
    # the hardware's (docs/GPU.md, "Numerics"): a looser check.
    if not error <= 1e-3:
        fail("gemm_fp8's result is not torch's f32 matmul of the FP8 values")
    one = torch.ones((), device=device)
    lowp_times, torch_times = [], []
    for _ in range(args.runs):
        lowp_times.append(host_time(lambda: call("gemm_fp8", a.view(torch.uint8),
                                                 b.view(torch.uint8), c)))
        torch_times.append(device_time(lambda: torch._scaled_mm(
            a, b.t(), scale_a=one, scale_b=one, out_dtype=torch.float32)))
    flops = 2 * m ** 3
    lowp_s, torch_s = statistics.median(lowp_times), statistics.median(torch_times)
    print(f"gemm {m}^3 FP8: lowp {flops / lowp_s / 1e12:.0f} TFLOP/s, "
          f"torch._scaled_mm {flops / torch_s / 1e12:.0f} TFLOP/s: "
          f"{torch_s / lowp_s:.0%} (goal 50% on sm_90a)")


if __name__ == "__main__":
    main()
