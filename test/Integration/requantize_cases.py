#!/usr/bin/env python3
"""Runs lowp.requantize (a quantize of a dequantize, as lowp-propagate-scales
makes it) against the reference.

  requantize_cases.py LOWP_RUN WORKDIR

For each case, writes a program that dequantizes a block-scaled argument to
f32 and quantizes it into another encoding, and random parts as .npy files,
and prints "CASE: " before each line `lowp-run --check` prints. Exits non-zero when a run fails. The parts hold NaN codes and NaN,
zero and extreme scales, and the shapes leave partial spans of 16 blocks,
so a value decoded from the wrong lane, byte or block, or a special case
handled apart from the reference, fails. Standard library only.
"""

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from matmul_kernels import run_check, write_npy  # noqa: E402

MX = "#lowp.block_scaled<mx>"
INT4 = "#lowp.block_scaled<int4_g128>"
NVFP4 = "#lowp.block_scaled<nvfp4>"
# NVFP4 blocked along columns: no quantize kernel covers it.
NVFP4_COLUMNS = ("#lowp.block_scaled<block = [16, 1], scale = f8E4M3FN, "
                 "rule = nvfp4, tensor_scale = f32>")


def e8m0(rng):
    """Mostly ordinary scales, sometimes the extremes and NaN."""
    return rng.choice([0, 1, 254, 255] + list(range(110, 140)) * 4)


def any_code(bits):
    return lambda rng: rng.randrange(1 << bits)


def f16_scale(rng):
    return rng.choice([0.0, rng.uniform(0.001, 0.5), rng.uniform(0.5, 8.0)])


# name, source element, source encoding, its parts after the elements
# (dtype, generator), target element, target encoding, rounding, shape.
CASES = [
    ("mxfp8_to_mxfp4", "f8E4M3FN", MX, [("<u1", any_code(8)), ("<u1", e8m0)],
     "f4E2M1FN", MX, "", (4, 96)),
    ("mxfp4_to_mxfp8_e5m2", "f4E2M1FN", MX,
     [("<u1", any_code(4)), ("<u1", e8m0)], "f8E5M2", MX, "", (3, 64)),
    ("int4_g128_to_mxfp4", "ui4", INT4,
     [("<u1", any_code(4)), ("<f2", f16_scale), ("<u1", any_code(4))],
     "f4E2M1FN", MX, "", (2, 256)),
    ("mxfp4_to_int4_g128", "f4E2M1FN", MX,
     [("<u1", any_code(4)), ("<u1", e8m0)], "ui4", INT4, "", (2, 256)),
    ("mxfp8_to_mxfp4_toward_zero", "f8E4M3FN", MX,
     [("<u1", any_code(8)), ("<u1", e8m0)], "f4E2M1FN", MX, " toward_zero",
     (2, 64)),
    ("mxfp8_to_mxfp4_large", "f8E4M3FN", MX,
     [("<u1", any_code(8)), ("<u1", e8m0)], "f4E2M1FN", MX, "", (64, 4096)),
    ("mxfp8_to_nvfp4", "f8E4M3FN", MX, [("<u1", any_code(8)), ("<u1", e8m0)],
     "f4E2M1FN", NVFP4, "", (2, 64)),
    ("mxfp8_to_nvfp4_large", "f8E4M3FN", MX,
     [("<u1", any_code(8)), ("<u1", e8m0)], "f4E2M1FN", NVFP4, "", (64, 4096)),
    ("mxfp8_to_nvfp4_columns", "f8E4M3FN", MX,
     [("<u1", any_code(8)), ("<u1", e8m0)], "f4E2M1FN", NVFP4_COLUMNS, "",
     (32, 64)),
    ("mxfp6_to_mxfp4", "f6E2M3FN", MX, [("<u1", any_code(6)), ("<u1", e8m0)],
     "f4E2M1FN", MX, "", (2, 64)),
]

BLOCK = {MX: 32, INT4: 128, NVFP4: 16}


def program(element, encoding, target, target_encoding, rounding, shape):
    dims = "x".join(str(d) for d in shape)
    source = "tensor<%sx%s, %s>" % (dims, element, encoding)
    result = "tensor<%sx%s, %s>" % (dims, target, target_encoding)
    return "\n".join([
        "func.func @main(%%q: %s) -> %s {" % (source, result),
        "  %%d = lowp.dequantize %%q : %s to tensor<%sxf32>" % (source, dims),
        "  %%r = lowp.quantize %%d%s : tensor<%sxf32> to %s" % (rounding, dims,
                                                              result),
        "  return %%r : %s" % result,
        "}", ""])


def main():
    lowp_run, workdir = sys.argv[1:3]
    os.makedirs(workdir, exist_ok=True)
    rng = random.Random(5)
    status = 0
    for (name, element, encoding, parts, target, target_encoding, rounding,
         shape) in CASES:
        path = os.path.join(workdir, name + ".mlir")
        with open(path, "w") as f:
            f.write(program(element, encoding, target, target_encoding,
                            rounding, shape))
        rows, columns = shape
        block_shape = (rows, columns // BLOCK[encoding])
        inputs = []
        for index, (dtype, draw) in enumerate(parts):
            dims = shape if index == 0 else block_shape
            input_path = os.path.join(workdir, "%s.%d.npy" % (name, index))
            write_npy(input_path, dtype, dims,
                      [draw(rng) for _ in range(dims[0] * dims[1])])
            inputs.append(input_path)
        status |= run_check(lowp_run, path, [], inputs, name)
    sys.exit(1 if status else 0)


if __name__ == "__main__":
    main()
