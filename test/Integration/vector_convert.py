#!/usr/bin/env python3
"""Checks lowp.convert on vectors against lowp.convert on tensors.

  vector_convert.py LOWP_RUN WORKDIR [--vector-target=NAME]

For each case, writes a program with two entry points on the same f32
input (and random bits): @tensor converts the tensor (checked against the
reference interpreter with --check), @vector reads it into a vector,
converts the vector, bitcasts it to integers of the format's width and
writes those into a tensor. Prints "CASE: N codes, M differ" after
comparing the two code by code, and exits non-zero when any differs or a
run fails. The inputs hold every rounding class: exact codes, halfway
points and one ulp either side, NaN, infinities, zeros, f32 subnormals,
values past the format's range and random magnitudes over many binades.
The cases take both of the lowering's paths: the f32-lane element code on
the whole vector (FP8, bf16, FP6 toward zero) and the f64 element code on
each element (stochastic rounding, with its random bits), 1-D and 2-D.
Standard library only.
"""

import math
import os
import random
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from matmul_kernels import write_npy  # noqa: E402
from prepack_layouts import read_npy  # noqa: E402

# name, format, bit width, attributes (rounding, saturate), shape,
# mantissa bits, with stochastic rounding's random bits.
CASES = [
    ("e4m3", "f8E4M3FN", 8, "", (64,), 3, False),
    ("e5m2_saturate", "f8E5M2", 8, "saturate", (64,), 2, False),
    ("bf16", "bf16", 16, "", (48,), 7, False),
    ("e3m2_toward_zero", "f6E3M2FN", 6, "toward_zero", (4, 16), 2, False),
    ("e2m1_stochastic", "f4E2M1FN", 4, "stochastic", (4, 16), 1, True),
]


def f32(value):
    return struct.unpack("<f", struct.pack("<f", value))[0]


def f32_bits(value):
    return struct.unpack("<I", struct.pack("<f", value))[0]


def inputs(rng, count, mantissa):
    """f32 values of every rounding class for a format with `mantissa`
    bits, as their bit patterns."""
    values = [0.0, -0.0, math.nan, math.inf, -math.inf, 3e38, -1e-45,
              2.0 ** -140]
    while len(values) < count:
        e = rng.randrange(-12, 12)
        m = rng.randrange(1 << mantissa)
        exact = (1 + m / 2 ** mantissa) * 2.0 ** e
        half = exact + 2.0 ** (e - mantissa - 1)
        kind = rng.randrange(5)
        if kind == 0:
            v = exact
        elif kind == 1:
            v = half
        elif kind in (2, 3):
            bits = f32_bits(half) + (1 if kind == 2 else -1)
            v = struct.unpack("<f", struct.pack("<I", bits))[0]
        else:
            v = rng.gauss(0, 1) * 2.0 ** rng.randrange(-30, 30)
        values.append(rng.choice([-1, 1]) * v)
    return [f32_bits(v) for v in values[:count]]


def program(name, fmt, width, attributes, shape):
    dims = "x".join(str(d) for d in shape)
    zeros = ", ".join(["%c0"] * len(shape))
    plain = "tensor<%sxf32>" % dims
    random_t = "tensor<%sxi8>" % dims
    vector = "vector<%sx%%s>" % dims
    stochastic = "stochastic" in attributes
    rest = attributes.replace("stochastic", "").strip()
    tensor_rounding = ("random(%%r : %s) stochastic" % random_t) if stochastic else rest
    vector_rounding = ("random(%%rv : %s) stochastic" % (vector % "i8")) if stochastic else rest
    lines = [
        "func.func @tensor(%%x: %s, %%r: %s) -> tensor<%sx%s> {" % (plain, random_t, dims, fmt),
        "  %%0 = lowp.convert %%x %s : %s to tensor<%sx%s>" % (tensor_rounding, plain, dims, fmt),
        "  return %%0 : tensor<%sx%s>" % (dims, fmt),
        "}",
        "func.func @vector(%%x: %s, %%r: %s) -> tensor<%sxi%d> {" % (plain, random_t, dims, width),
        "  %c0 = arith.constant 0 : index",
        "  %pad = arith.constant 0.0 : f32",
        "  %zero = arith.constant 0 : i8",
        "  %%v = vector.transfer_read %%x[%s], %%pad : %s, %s" % (zeros, plain, vector % "f32"),
        "  %%rv = vector.transfer_read %%r[%s], %%zero : %s, %s" % (zeros, random_t, vector % "i8"),
        "  %%c = lowp.convert %%v %s : %s to %s" % (vector_rounding, vector % "f32", vector % fmt),
        "  %%b = arith.bitcast %%c : %s to %s" % (vector % fmt, vector % ("i%d" % width)),
        "  %%e = tensor.empty() : tensor<%sxi%d>" % (dims, width),
        "  %%w = vector.transfer_write %%b, %%e[%s] : %s, tensor<%sxi%d>"
        % (zeros, vector % ("i%d" % width), dims, width),
        "  return %%w : tensor<%sxi%d>" % (dims, width),
        "}",
    ]
    return "\n".join(lines) + "\n"


def run(command, tag):
    done = subprocess.run(command, capture_output=True, text=True)
    for line in (done.stdout + done.stderr).splitlines():
        print("%s: %s" % (tag, line))
    return done.returncode


def main():
    lowp_run, workdir = sys.argv[1], sys.argv[2]
    extra = sys.argv[3:]
    os.makedirs(workdir, exist_ok=True)
    rng = random.Random(5)
    status = 0
    for name, fmt, width, attributes, shape, mantissa, _ in CASES:
        count = 1
        for d in shape:
            count *= d
        path = os.path.join(workdir, name + ".mlir")
        with open(path, "w") as f:
            f.write(program(name, fmt, width, attributes, shape))
        x = os.path.join(workdir, name + ".x.npy")
        r = os.path.join(workdir, name + ".r.npy")
        # The f32 bit patterns as an f32 array.
        write_npy(x, "<f4", list(shape),
                  [struct.unpack("<f", struct.pack("<I", b))[0]
                   for b in inputs(rng, count, mantissa)])
        write_npy(r, "<i1", list(shape), [rng.randrange(-128, 128) for _ in range(count)])
        tensor_out = os.path.join(workdir, name + ".tensor.npy")
        vector_out = os.path.join(workdir, name + ".vector.npy")
        base = [lowp_run, path] + extra + ["--input=" + x, "--input=" + r]
        if run(base + ["--entry=tensor", "--check", "--output=" + tensor_out], name) or \
                run(base + ["--entry=vector", "--output=" + vector_out], name):
            status = 1
            continue
        _, codes = read_npy(tensor_out)
        _, words = read_npy(vector_out)
        mask = (1 << width) - 1
        differ = sum(1 for c, w in zip(codes, words) if c != (w & mask))
        print("%s: %d codes, %d differ" % (name, len(codes), differ))
        status |= differ != 0 or len(codes) != count
    sys.exit(status)


if __name__ == "__main__":
    main()
