#!/usr/bin/env python3
"""Runs the programs of Inputs/propagate-scales.mlir against the reference.

  propagate_scales.py LOWP_RUN WORKDIR

Each program dequantizes block-scaled tensors before a reshape, a broadcast
or a multiplication by a constant, which lowp-propagate-scales rewrites
into the same ops on the encoded tensors (or moves out of the matmul). For
each, writes random parts as .npy files, runs `lowp-run --check` (compiled
code, after the rewrite, against the reference interpreter on the program
as written) and prints "ENTRY: " before each line lowp-run prints. Exits
non-zero when a run fails. Standard library only.
"""

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from matmul_kernels import run_check, write_npy  # noqa: E402

PROGRAM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs",
                       "propagate-scales.mlir")


def e4m3(rng):
    """Any E4M3FN code but NaN."""
    return rng.choice([c for c in range(256) if c & 0x7F != 0x7F])


def e4m3_scale(rng):
    """A positive normal E4M3FN code."""
    return rng.randrange(0x08, 0x7F)


def e2m1(rng):
    return rng.randrange(16)


def e8m0(rng):
    return rng.randrange(120, 135)


def f32(rng):
    return rng.uniform(-4.0, 4.0)


def positive(rng):
    return rng.uniform(0.01, 2.0)


# entry, parts: (dtype, shape, generator) per boundary argument part.
CASES = [
    ("collapse_rows", [("<u1", (2, 3, 64), e4m3), ("<u1", (2, 3, 2), e8m0),
                       ("<u1", (16, 64), e2m1), ("<u1", (16, 2), e8m0)]),
    ("collapse_tiles", [("<u1", (32, 16), e4m3), ("<f4", (2, 1), positive)]),
    ("expand_blocks", [("<u1", (4, 64), e2m1), ("<u1", (4, 2), e8m0)]),
    ("broadcast_int4", [("<u1", (128, 16), e2m1), ("<f2", (1, 16), positive),
                        ("<u1", (1, 16), e2m1)]),
    ("batched_broadcast_weight", [("<f4", (2, 3, 64), f32),
                                  ("<u1", (64, 16), e2m1),
                                  ("<u1", (4, 16), e4m3_scale),
                                  ("<f4", (), positive)]),
    ("scaled_int4", [("<f4", (3, 128), f32), ("<u1", (128, 16), e2m1),
                     ("<f2", (1, 16), positive), ("<u1", (1, 16), e2m1)]),
    ("scaled_mxfp4_reassoc", [("<f4", (3, 64), f32), ("<u1", (64, 16), e2m1),
                              ("<u1", (2, 16), e8m0)]),
    ("collapse_nvfp4", [("<u1", (2, 3, 64), e2m1),
                        ("<u1", (2, 3, 4), e4m3_scale), ("<f4", (), positive)]),
]


def main():
    lowp_run, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    rng = random.Random(7)
    status = 0
    for entry, parts in CASES:
        inputs = []
        for index, (dtype, shape, draw) in enumerate(parts):
            count = 1
            for d in shape:
                count *= d
            path = os.path.join(workdir, "%s.%d.npy" % (entry, index))
            write_npy(path, dtype, shape, [draw(rng) for _ in range(count)])
            inputs.append(path)
        status |= run_check(lowp_run, PROGRAM, ["--entry=" + entry], inputs,
                            entry)
    sys.exit(1 if status else 0)


if __name__ == "__main__":
    main()
