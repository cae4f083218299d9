#!/usr/bin/env python3
"""Runs lowp.dequantize's vector kernel against the reference, bit for bit.

  dequantize_kernels.py LOWP_RUN WORKDIR [--vector-target=NAME] [CASE...]

For each case, writes a one-dequantize program and random parts as .npy
files (every code of the element format, NaN codes included; scales that
reach the ends of their format: E8M0 2^-127, 2^127 and NaN; tensor scales
from subnormal to huge, so that a product rounded twice or overflowing
early shows), runs `lowp-run --check` on them and prints "CASE: " before
each line lowp-run prints. Exits non-zero when a run fails. The shapes make
the kernel's edge cases happen: a last unit that is only part full (blocks
shorter than one read of packed codes), ranks 1 to 3, blocks long enough
that their groups become a loop, tensors large enough to be split among
threads, and one whose result is large enough to be stored non-temporally. Standard library only.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from matmul_kernels import (bf16_bits, codes, run_cases,  # noqa: E402
                            run_check, write_npy)


def e8m0_scales(rng):
    """Mostly ordinary exponents, sometimes the ends and NaN."""
    return rng.choice([0, 1, 254, 255]) if rng.random() < 0.1 \
        else rng.randrange(110, 140)


def e4m3_scales(rng):
    """Every E4M3FN code but NaN, 0 and the subnormals included."""
    return codes(0, 126)(rng) if rng.random() < 0.5 \
        else rng.choice([0, 1, 7, 8, 126])


def tensor_scales(rng):
    return rng.choice([1e-40, 3e-39, 1.5e-30, 0.00123, 1.0, 7e35, 3e38])


# name, element type, encoding (blocks along the last axis), element codes,
# element dtype, scale codes, scale dtype, extra parts, result element,
# shapes.
CASES = [
    ("mxfp4", "f4E2M1FN", "mx", codes(0, 15), "<u1", e8m0_scales, "<u1", [],
     "f32", [(3, 96), (160,), (2, 3, 64), (256, 512)]),
    # A result past the kernel's 32 MiB streaming threshold.
    ("mxfp4_streaming", "f4E2M1FN", "mx", None, "<u1", e8m0_scales, "<u1",
     [], "f32", [(1025, 8192)]),
    ("nvfp4", "f4E2M1FN", "nvfp4", codes(0, 15), "<u1", e4m3_scales, "<u1",
     ["tensor_scale"], "f32", [(1, 48), (5, 16), (4, 64)]),
    ("int4_g128", "ui4", "int4_g128", codes(0, 15), "<u1",
     lambda rng: rng.uniform(1e-3, 1e3), "<f2", ["zero_points"], "f32",
     [(2, 256), (1, 128)]),
    ("mxfp8_e4m3", "f8E4M3FN", "mx", codes(0, 255), "<u1", e8m0_scales,
     "<u1", [], "f32", [(2, 96), (64,)]),
    ("mxfp8_e5m2", "f8E5M2", "mx", codes(0, 255), "<u1", e8m0_scales, "<u1",
     [], "f32", [(3, 32)]),
    ("mxint8", "i8", "mx", codes(-128, 127), "<i1", e8m0_scales, "<u1", [],
     "f32", [(2, 64)]),
    ("nf4", "!lowp.codebook<nf4>", "block = [1, 64], scale = bf16, rule = absmax",
     codes(0, 15), "<u1", lambda rng: bf16_bits(rng.uniform(0.01, 2.0)), "<u2",
     [], "f32", [(2, 128)]),
    # Two-bit integers, four codes to a byte: a read of 16 bytes holds 64
    # codes, two blocks of 32, and 3 x 32 leaves half a read over.
    ("int2", "i2", "block = [1, 32], scale = f16, rule = absmax",
     codes(-2, 1), "<i1", lambda rng: rng.uniform(0.01, 1.0), "<f2", [], "f32",
     [(3, 32), (2, 128)]),
    # Blocks of 512 FP8 elements under f32 scales: 32 reads per block, a
    # loop rather than unrolled.
    ("fp8_long_blocks", "f8E4M3FN", "block = [1, 512], scale = f32, rule = absmax",
     codes(0, 255), "<u1", lambda rng: rng.uniform(1e-3, 1e3), "<f4", [],
     "f32", [(2, 1024)]),
    # A format no other library has: 4-bit minifloats with no mantissa.
    ("e3m0", "!lowp.float<e3m0, finite>", "block = [1, 32], scale = f8E8M0FNU, rule = floor",
     codes(0, 15), "<u1", e8m0_scales, "<u1", [], "f32", [(4, 32)]),
    # What the kernel does not cover takes the elementwise path and must
    # stay right: a bf16 result, and six-bit codes that straddle bytes.
    ("nvfp4_to_bf16", "f4E2M1FN", "nvfp4", codes(0, 15), "<u1", e4m3_scales,
     "<u1", ["tensor_scale"], "bf16", [(2, 32)]),
    ("mxfp6_e3m2", "f6E3M2FN", "mx", codes(0, 63), "<u1", e8m0_scales, "<u1",
     [], "f32", [(2, 64)]),
]


def block_size(encoding):
    presets = {"mx": 32, "nvfp4": 16, "int4_g128": 128}
    if encoding in presets:
        return presets[encoding]
    return int(encoding.split("[")[1].split("]")[0].split(",")[-1])


def run_case(lowp_run, workdir, extra, case, shape, rng):
    name, element, encoding, element_codes, element_dtype, scale_codes, \
        scale_dtype, parts, result, _ = case
    tag = "%s_%s" % (name, "x".join(str(d) for d in shape))
    dims = "x".join(str(d) for d in shape)
    encoded = "tensor<%sx%s, #lowp.block_scaled<%s>>" % (dims, element, encoding)
    plain = "tensor<%sx%s>" % (dims, result)
    program = os.path.join(workdir, tag + ".mlir")
    with open(program, "w") as f:
        f.write("func.func @dequantize(%%q: %s) -> %s {\n" % (encoded, plain))
        f.write("  %%0 = lowp.dequantize %%q : %s to %s\n" % (encoded, plain))
        f.write("  return %%0 : %s\n}\n" % plain)
    count = 1
    for d in shape:
        count *= d
    per_block = list(shape[:-1]) + [shape[-1] // block_size(encoding)]
    blocks = count // block_size(encoding)
    inputs = []

    def npy(part, dtype, dims, words):
        path = os.path.join(workdir, "%s.%s.npy" % (tag, part))
        write_npy(path, dtype, dims, words)
        inputs.append(path)

    if element_codes:
        npy("elements", element_dtype, list(shape),
            [element_codes(rng) for _ in range(count)])
    else:
        # Millions of 4-bit codes: drawn and written as bytes at once.
        path = os.path.join(workdir, "%s.elements.npy" % tag)
        write_npy(path, "<u1", list(shape), [])
        with open(path, "ab") as f:
            f.write(bytes(b & 15 for b in rng.randbytes(count)))
        inputs.append(path)
    npy("scales", scale_dtype, per_block,
        [scale_codes(rng) for _ in range(blocks)])
    if "tensor_scale" in parts:
        npy("tensor_scale", "<f4", [], [tensor_scales(rng)])
    if "zero_points" in parts:
        npy("zero_points", "<u1", per_block,
            [rng.randrange(0, 16) for _ in range(blocks)])
    return run_check(lowp_run, program, extra, inputs, tag)


def main():
    run_cases(CASES, run_case, 5)


if __name__ == "__main__":
    main()
