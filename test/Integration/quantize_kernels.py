#!/usr/bin/env python3
"""Runs lowp.quantize's vector kernel against the reference, bit for bit.

  quantize_kernels.py LOWP_RUN WORKDIR [--vector-target=NAME] [CASE...]

For each case, writes a one-quantize program and f32 input as a .npy file,
runs `lowp-run --check` on it and prints "CASE: " before each line lowp-run
prints. Exits non-zero when a run fails. The input's blocks reach every
case of the MX scale rules: all zeros, a NaN or an inf among ordinary
values, subnormal and tiny amax, amax near the f32 limit (a scale
exponent past E8M0's range), amax exactly max_elem * 2^k and one ulp
either side (where rceil moves up), element ties; the rest random
magnitudes over many binades. The shapes make the kernel's edge cases
happen: tensors of fewer than the 16 blocks of one span, spans and a
partial one, ranks 1 to 3, packed 2- and 4-bit codes, unpacked 6- and
8-bit ones, and a tensor large enough to be split among threads. The
minmax cases (int4-g128 and kin) have blocks of their own: ties of the
elements and of the zero point on an exact f16 scale, all-positive and
all-negative blocks, ranges whose scale rounds to 0 or to f16 subnormals
or saturates at 65504, NaN and infinities.
Standard library only.
"""

import math
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from matmul_kernels import run_cases, run_check, write_npy  # noqa: E402


def f32(value):
    return struct.unpack("<f", struct.pack("<f", value))[0]


def block_values(rng, size, max_element, kind):
    """One block of `size` f32 values of the given kind."""
    if kind == "zeros":
        return [0.0] * size
    if kind in ("nan", "inf", "-inf"):
        values = [rng.gauss(0, 1) for _ in range(size)]
        values[rng.randrange(size)] = {"nan": math.nan, "inf": math.inf,
                                       "-inf": -math.inf}[kind]
        return values
    if kind == "subnormal":
        # Subnormal values, the largest in [2^-127, 2^-126) (a scale of
        # 2^-127 for elements up to 2) or below.
        values = [rng.choice([-1, 1]) * rng.randrange(0, 1 << 20) * 2.0 ** -149
                  for _ in range(size)]
        values[rng.randrange(size)] = rng.choice([-1, 1]) * rng.randrange(
            1 << 22, 1 << 23) * 2.0 ** -149
        return values
    if kind == "huge":
        return [rng.uniform(-3.4e38, 3.4e38) for _ in range(size)]
    if kind in ("exact", "above", "below"):
        k = rng.randrange(-20, 20)
        amax = max_element * 2.0 ** k
        if kind != "exact":
            bits = struct.unpack("<I", struct.pack("<f", amax))[0]
            amax = struct.unpack("<f", struct.pack(
                "<I", bits + (1 if kind == "above" else -1)))[0]
        values = [rng.uniform(-amax, amax) for _ in range(size)]
        values[rng.randrange(size)] = rng.choice([-amax, amax])
        return values
    if kind == "ties":
        # Halfway points of a coarse grid, scaled: element ties once the
        # block's scale is applied.
        scale = 2.0 ** rng.randrange(-10, 10)
        values = [(rng.randrange(-12, 13) + 0.5) * 0.25 * scale
                  for _ in range(size)]
        values[0] = max_element * scale
        return values
    scale = 2.0 ** rng.randrange(-60, 60)
    return [rng.gauss(0, 1) * scale for _ in range(size)]


KINDS = ["random", "zeros", "nan", "inf", "-inf", "subnormal", "huge",
         "exact", "above", "below", "ties", "random", "random"]


def f16_value(rng, low, high):
    """A random f16 value with exponent in [low, high] (normal), or a
    subnormal one when low is below -14."""
    exponent = rng.randrange(low, high + 1)
    if exponent < -14:
        return rng.randrange(1, 1024) * 2.0 ** -24
    return (1 + rng.randrange(0, 1024) / 1024) * 2.0 ** exponent


def minmax_values(rng, size, levels, kind):
    """One block of `size` f32 values for the minmax rule with `levels`
    steps (qmax - qmin): the cases of its scale, zero point and elements."""
    if kind in ("grid_ties", "zero_ties"):
        # hi - lo is exactly levels * s for an f16 s, so the scale is s and
        # every element (grid_ties) or the zero point (zero_ties) lies on a
        # tie.
        s = f16_value(rng, -10, 10)
        low = -(levels // 2) - (0.5 if kind == "zero_ties" else 0)
        high = low + levels
        values = [(rng.randrange(int(low), int(high)) + 0.5) * s
                  for _ in range(size)]
        values[0], values[1] = low * s, high * s
        return values
    if kind == "positive":
        return [abs(rng.gauss(0, 1)) * 3 for _ in range(size)]
    if kind == "negative":
        return [-abs(rng.gauss(0, 1)) * 0.01 for _ in range(size)]
    if kind == "tiny":
        # A range whose scale rounds to 0 in f16, or to its smallest
        # subnormals.
        return [rng.uniform(-1, 1) * 2.0 ** rng.randrange(-30, -20)
                for _ in range(size)]
    if kind == "overflow":
        # A range past 65504 * levels: the scale saturates.
        return [rng.uniform(-1, 1) * 1e30 for _ in range(size)]
    return block_values(rng, size, 6.0, kind)


MINMAX_KINDS = ["random", "zeros", "grid_ties", "zero_ties", "positive",
                "negative", "tiny", "nan", "inf", "-inf", "overflow",
                "subnormal", "huge", "random"]

# name, element type, encoding, rounding (or ""), block size, the largest
# element value (scaled by the element unit), shapes.
CASES = [
    ("mxfp4", "f4E2M1FN", "mx", "", 32, 6.0,
     [(3, 96), (17, 64), (160,), (2, 3, 64), (256, 512)]),
    ("mxfp4_toward_zero", "f4E2M1FN", "mx", "toward_zero", 32, 6.0, [(17, 64)]),
    ("mxfp4_nearest_away", "f4E2M1FN", "mx", "to_nearest_away", 32, 6.0,
     [(17, 64)]),
    ("fp4_rceil_64", "f4E2M1FN",
     "block = [1, 64], scale = f8E8M0FNU, rule = rceil", "", 64, 6.0,
     [(9, 128)]),
    ("mxfp8_e4m3", "f8E4M3FN", "mx", "", 32, 448.0, [(5, 32), (33, 64)]),
    ("mxfp8_e5m2_rceil", "f8E5M2",
     "block = [1, 32], scale = f8E8M0FNU, rule = rceil", "", 32, 57344.0,
     [(7, 32)]),
    ("mxint8", "i8", "mx", "", 32, 127.0 / 64, [(4, 64), (19, 32)]),
    ("mxfp6_e2m3", "f6E2M3FN", "mx", "", 32, 7.5, [(3, 64)]),
    ("int2", "i2", "block = [1, 32], scale = f8E8M0FNU, rule = floor", "", 32,
     1.0, [(3, 64), (20, 32)]),
    # minmax (GPTQ/AWQ): the largest element is not what the scale is made
    # of; None picks the minmax kinds of block, with qmax - qmin levels.
    ("int4_g128", "ui4",
     "block = [1, 128], scale = f16, rule = minmax, zero_point = ui4", "", 128,
     None, [(3, 256), (2, 3, 128), (40, 512), (160, 512)]),
    ("int4_signed_g32", "i4",
     "block = [1, 32], scale = f16, rule = minmax, zero_point = i4", "", 32,
     None, [(5, 96)]),
    ("uint8_g64", "ui8",
     "block = [1, 64], scale = f16, rule = minmax, zero_point = ui8", "", 64,
     None, [(7, 64)]),
]

LEVELS = {"ui4": 15, "i4": 15, "ui8": 255}


def run_case(lowp_run, workdir, extra, case, shape, rng):
    name, element, encoding, rounding, block, max_element, _ = case
    tag = "%s_%s" % (name, "x".join(str(d) for d in shape))
    dims = "x".join(str(d) for d in shape)
    plain = "tensor<%sxf32>" % dims
    encoded = "tensor<%sx%s, #lowp.block_scaled<%s>>" % (dims, element, encoding)
    program = os.path.join(workdir, tag + ".mlir")
    with open(program, "w") as f:
        f.write("func.func @quantize(%%x: %s) -> %s {\n" % (plain, encoded))
        f.write("  %%0 = lowp.quantize %%x %s: %s to %s\n"
                % (rounding + " " if rounding else "", plain, encoded))
        f.write("  return %%0 : %s\n}\n" % encoded)
    count = 1
    for d in shape:
        count *= d
    values = []
    for b in range(count // block):
        if max_element is None:
            values += minmax_values(rng, block, LEVELS[element],
                                    MINMAX_KINDS[b % len(MINMAX_KINDS)])
        else:
            values += block_values(rng, block, max_element,
                                   KINDS[b % len(KINDS)])
    path = os.path.join(workdir, tag + ".x.npy")
    write_npy(path, "<f4", list(shape),
              [f32(v) if math.isfinite(v) and abs(v) <= 3.4e38 else v
               for v in values])
    return run_check(lowp_run, program, extra, [path], tag)


def main():
    run_cases(CASES, run_case, 7)


if __name__ == "__main__":
    main()
