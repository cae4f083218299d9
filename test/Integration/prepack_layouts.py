#!/usr/bin/env python3
"""Runs the entry points lowp-assign-layouts adds for run-time weights.

  prepack_layouts.py LOWP_RUN WORKDIR [--OPTION...] [CASE...]

For each format of matmul_kernels.py and each shape, writes a one-matmul
program @mm with a K x N weight and random inputs, then:

  1. runs @mm_prepack on the weight's parts and checks, here in Python,
     that each part it returns (elements, scales, zero points) is the
     transpose of the one given, code for code, and that the tensor scale
     is unchanged;
  2. runs @mm_prepacked --check on the activations and those parts: the
     N x K kernel against the reference, within lowp.matmul's bound.

Prints "CASE: " before each line lowp-run prints and one line per part of
step 1. The shapes have K a multiple of the N x K kernel's 128-code rows,
N odd, one column, and several rows. Standard library only.
"""

import os
import random
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from matmul_kernels import CASES, parse_arguments, write_npy  # noqa: E402

SHAPES = [(1, 256, 33), (2, 128, 1), (3, 384, 130)]


def read_npy(path, bits=False):
    """(shape, words) of a little-endian .npy file of version 1.0; with
    `bits`, float words as the unsigned integers of their bits."""
    with open(path, "rb") as f:
        data = f.read()
    length = struct.unpack("<H", data[8:10])[0]
    header = data[10:10 + length].decode("latin1")
    descr = header.split("'descr': '")[1].split("'")[0]
    dims = header.split("'shape': (")[1].split(")")[0]
    shape = [int(d) for d in dims.split(",") if d.strip()]
    width = int(descr[2:])
    body = data[10 + length:]
    if descr[1] == "f" and not bits:
        code = {4: "<f", 2: "<e"}[width]
        words = [struct.unpack_from(code, body, i)[0]
                 for i in range(0, len(body), width)]
    else:
        signed = descr[1] == "i" and not bits
        words = [int.from_bytes(body[i:i + width], "little", signed=signed)
                 for i in range(0, len(body), width)]
    return shape, words


def transposed(shape, words):
    rows, cols = shape
    return [cols, rows], [words[r * cols + c] for c in range(cols) for r in range(rows)]


def run(command, tag):
    done = subprocess.run(command, capture_output=True, text=True)
    for line in (done.stdout + done.stderr).splitlines():
        print("%s: %s" % (tag, line))
    return done.returncode


def run_case(lowp_run, workdir, extra, case, shape, rng):
    name, element, encoding, element_codes, element_dtype, scale_codes, \
        scale_dtype, parts, _ = case
    m, k, n = shape
    block = int(encoding.split("[")[1].split(",")[0])
    blocks = k // block
    tag = "%s_%dx%dx%d" % (name, m, k, n)
    weight = "tensor<%dx%dx%s, #lowp.block_scaled<%s>>" % (k, n, element, encoding)
    program = os.path.join(workdir, tag + ".mlir")
    with open(program, "w") as f:
        f.write("func.func @mm(%%x: tensor<%dx%dxf32>, %%w: %s) -> tensor<%dx%dxf32> {\n"
                "  %%0 = lowp.matmul %%x, %%w {accumulator = f32} : "
                "tensor<%dx%dxf32>, %s -> tensor<%dx%dxf32>\n"
                "  return %%0 : tensor<%dx%dxf32>\n}\n"
                % (m, k, weight, m, n, m, k, weight, m, n, m, n))
    given = []

    def npy(part, dtype, dims, words):
        path = os.path.join(workdir, "%s.%s.npy" % (tag, part))
        write_npy(path, dtype, dims, words)
        given.append((part, path))

    npy("elements", element_dtype, [k, n], [element_codes(rng) for _ in range(k * n)])
    npy("scales", scale_dtype, [blocks, n], [scale_codes(rng) for _ in range(blocks * n)])
    if "tensor_scale" in parts:
        npy("tensor_scale", "<f4", [], [rng.uniform(0.001, 0.01)])
    if "zero_points" in parts:
        npy("zero_points", "<u1", [blocks, n], [rng.randrange(0, 16) for _ in range(blocks * n)])
    x = os.path.join(workdir, tag + ".x.npy")
    write_npy(x, "<f4", [m, k], [rng.gauss(0, 1) for _ in range(m * k)])

    prepacked = [os.path.join(workdir, "%s.prepacked.%s.npy" % (tag, part))
                 for part, _ in given]
    status = run([lowp_run, program, "--entry=mm_prepack"] + extra +
                 ["--input=" + path for _, path in given] +
                 ["--output=" + path for path in prepacked], tag)
    if status:
        return status
    for (part, path), out in zip(given, prepacked):
        shape_in, words_in = read_npy(path)
        shape_out, words_out = read_npy(out)
        expected = (shape_in, words_in) if part == "tensor_scale" else \
            transposed(shape_in, words_in)
        same = [shape_out, words_out] == list(expected)
        kept = "unchanged" if part == "tensor_scale" else "transposed"
        print("%s: prepacked %s %s" % (tag, part, kept if same else "WRONG"))
        status |= 0 if same else 1
    return status | run([lowp_run, program, "--entry=mm_prepacked", "--check"] +
                        extra + ["--input=" + x] +
                        ["--input=" + path for path in prepacked], tag)


def main():
    lowp_run, workdir, extra, wanted = parse_arguments()
    rng = random.Random(23)
    status = 0
    for case in CASES:
        # Six-bit codes straddle bytes: no kernel reads them packed, so
        # their weights keep the caller's layout.
        if case[0] == "mxfp6_e2m3" or (wanted and case[0] not in wanted):
            continue
        for shape in SHAPES:
            status |= run_case(lowp_run, workdir, extra, case, shape, rng)
    sys.exit(1 if status else 0)


if __name__ == "__main__":
    main()
