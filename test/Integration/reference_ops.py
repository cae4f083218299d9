#!/usr/bin/env python3
"""Writes the inputs of reference-ops.test (standard library only).

  reference_ops.py DIR

bf16.npy   every bf16 code
bf16b.npy  every bf16 code, in another order (the second operand)
f32.npy    2048 f32 words: zeros, infinities, NaNs, subnormals, the
           integer boundaries of i8 .. i64, and pseudo-random words
e4m3.npy / e4m3b.npy  every pair of E4M3FN codes
i8.npy     every i8 value
i4a.npy / i4b.npy     every pair of i4 values with b != 0
"""

import os
import random
import struct
import sys

from matmul_kernels import write_npy


def f32_word(value):
    return struct.unpack("<I", struct.pack("<f", value))[0]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    codes = list(range(1 << 16))
    write_npy(os.path.join(out, "bf16.npy"), "<u2", [len(codes)], codes)
    write_npy(os.path.join(out, "bf16b.npy"), "<u2", [len(codes)],
              [(c * 40503 + 12345) % (1 << 16) for c in codes])
    words = [0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000,
             0xFFC00001, 0x00000001, 0x807FFFFF, 0x3F000000, 0xBF7FFFFF]
    for bits in (8, 16, 32, 64):
        for edge in (2.0 ** (bits - 1), 2.0 ** bits):
            for value in (edge, -edge, edge * 0.99999994, -edge * 0.99999994,
                          edge - 0.5, -edge - 1):
                words.append(f32_word(value))
    generator = random.Random(8)
    while len(words) < 2048:
        words.append(generator.getrandbits(32))
    write_npy(os.path.join(out, "f32.npy"), "<u4", [len(words)], words)
    with open(os.path.join(out, "f32.npy"), "r+b") as f:
        header = f.read(128)
        f.seek(0)
        f.write(header.replace(b"<u4", b"<f4"))
    pairs = [(a, b) for a in range(256) for b in range(256)]
    write_npy(os.path.join(out, "e4m3.npy"), "<u1", [len(pairs)],
              [a for a, _ in pairs])
    write_npy(os.path.join(out, "e4m3b.npy"), "<u1", [len(pairs)],
              [b for _, b in pairs])
    write_npy(os.path.join(out, "i8.npy"), "<i1", [256], list(range(-128, 128)))
    small = [(a, b) for a in range(-8, 8) for b in range(-8, 8) if b != 0]
    write_npy(os.path.join(out, "i4a.npy"), "<i1", [len(small)],
              [a for a, _ in small])
    write_npy(os.path.join(out, "i4b.npy"), "<i1", [len(small)],
              [b for _, b in small])
    return 0


if __name__ == "__main__":
    sys.exit(main())
