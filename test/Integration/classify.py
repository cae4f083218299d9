#!/usr/bin/env python3
"""Runs math.isnan / isinf / isfinite / isnormal on every code of a format.

  classify.py LOWP_RUN WORKDIR FORMAT BITS

Writes a program applying the four ops to a tensor holding every code of
FORMAT (BITS wide, read from .npy as unsigned codes; for f32, BITS 32, the
F32 sample of every class instead), runs it compiled
with `lowp-run --check` (compiled code against the reference interpreter,
printed as "FORMAT: " lines), then compiled alone, and prints how many
codes each op calls true. The counts follow from the format's definition
alone (the .test file states them), so a wrong class fails even where
compiled code and the reference agree. Standard library only.
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from matmul_kernels import write_npy  # noqa: E402
from prepack_layouts import read_npy  # noqa: E402

OPS = ["isnan", "isinf", "isfinite", "isnormal"]

# f32 bit patterns: zeros, subnormals of both signs, the smallest normal,
# 1, -1, max, infinities and NaNs (quiet, signalling, negative).
F32 = [0x00000000, 0x80000000, 0x00000001, 0x00000100, 0x007FFFFF,
       0x807FFFFF, 0x00800000, 0x80800000, 0x3F800000, 0xBF800000,
       0x7F7FFFFF, 0x7F800000, 0xFF800000, 0x7FC00000, 0x7F800001,
       0xFFFFFFFF]


def main():
    lowp_run, workdir, element, bits = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    os.makedirs(workdir, exist_ok=True)
    words = F32 if bits == 32 else list(range(1 << bits))
    count = len(words)
    tensor = "tensor<%dx%s>" % (count, element)
    flags = "tensor<%dxi1>" % count
    lines = ["func.func @main(%%x: %s) -> (%s) {" % (tensor, ", ".join([flags] * 4))]
    for i, op in enumerate(OPS):
        lines.append("  %%%d = math.%s %%x : %s" % (i, op, tensor))
    lines.append("  return %s : %s" % (", ".join("%%%d" % i for i in range(4)),
                                       ", ".join([flags] * 4)))
    lines.append("}")
    tag = "".join(c if c.isalnum() else "_" for c in element)
    program = os.path.join(workdir, tag + ".mlir")
    with open(program, "w") as f:
        f.write("\n".join(lines) + "\n")
    codes = os.path.join(workdir, tag + ".codes.npy")
    dtype = "<u1" if bits <= 8 else "<u2" if bits <= 16 else "<u4"
    write_npy(codes, dtype, [count], words)
    if bits == 32:  # the same words, read as f32
        with open(codes, "r+b") as f:
            f.seek(10)
            header = f.read(16)
            f.seek(10)
            f.write(header.replace(b"<u4", b"<f4"))
    checked = subprocess.run([lowp_run, program, "--input=" + codes, "--check"],
                             capture_output=True, text=True)
    for line in (checked.stdout + checked.stderr).splitlines():
        print("%s: %s" % (element, line))
    outputs = [os.path.join(workdir, "%s.%s.npy" % (tag, op)) for op in OPS]
    done = subprocess.run([lowp_run, program, "--input=" + codes] +
                          ["--output=" + o for o in outputs],
                          capture_output=True, text=True)
    if checked.returncode or done.returncode:
        print("%s: lowp-run failed: %s" % (element, done.stderr.strip()))
        return 1
    counts = ["%s %d" % (op, sum(1 for w in read_npy(o)[1] if w != 0))
              for op, o in zip(OPS, outputs)]
    print("%s: %s" % (element, ", ".join(counts)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
