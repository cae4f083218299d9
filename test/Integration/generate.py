#!/usr/bin/env python3
"""Writes lowp-run test programs whose inputs probe every rounding class.

  lowp-format table FORMAT | generate.py convert FORMAT CODES.npy > test.mlir
  generate.py quantize > test.mlir
  generate.py matmul > test.mlir

Inputs are dense hex constants in @main, passed to the functions under test
through calls, so that the pipeline compiles the conversions instead of
folding them (the folding is checked separately). Standard library only.
"""

import math
import random
import struct
import sys


def f32_bits(value):
    return struct.unpack("<I", struct.pack("<f", value))[0]


def f32_from_bits(bits):
    return struct.unpack("<f", struct.pack("<I", bits & 0xFFFFFFFF))[0]


def f32_neighbours(value):
    """value rounded to f32, and the f32 values one ulp either side."""
    try:
        bits = f32_bits(value)
    except OverflowError:
        return []
    out = [bits]
    if bits & 0x7FFFFFFF != 0x7F800000:
        out.append(bits + 1)
    if bits & 0x7FFFFFFF != 0:
        out.append(bits - 1)
    return out


def hex_tensor(words, width_bytes):
    data = b"".join(w.to_bytes(width_bytes, "little") for w in words)
    return '"0x' + data.hex().upper() + '"'


def write_npy(path, dtype, words, width_bytes):
    """A 1-D .npy file (version 1.0) of little-endian words."""
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }" % (
        dtype, len(words))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00")
        f.write(struct.pack("<H", len(header)))
        f.write(header.encode("latin1"))
        signed = dtype[1] == "i"
        if dtype[1] == "f":
            signed = False
        for w in words:
            f.write(w.to_bytes(width_bytes, "little", signed=signed))


def read_table():
    values = []
    for line in sys.stdin:
        code, value = line.split()
        values.append((int(code, 16), float(value)))
    return values


def rounding_class_inputs(table, seed):
    """f32 bit patterns: every value, every midpoint, one f32 ulp either
    side of each, around max and below the smallest value, specials, and
    random patterns."""
    finite = sorted({abs(v) for _, v in table if math.isfinite(v) and v != 0})
    bits = set()
    previous = 0.0
    for v in finite:
        for point in (v, (previous + v) / 2):
            bits.update(f32_neighbours(point))
        previous = v
    top = finite[-1]
    step = top - finite[-2] if len(finite) > 1 else top
    for point in (top + step / 2, top + step, top * 4, finite[0] / 2,
                  finite[0] / 4, 1e-30, 1e30):
        bits.update(f32_neighbours(point))
    patterns = sorted(bits)
    patterns += [b | 0x80000000 for b in patterns]
    patterns += [0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000,
                 0xFFC00001, 0x00000001, 0x807FFFFF, 0x7F7FFFFF]
    rng = random.Random(seed)
    patterns += [rng.getrandbits(32) for _ in range(2000)]
    return patterns


MODES = ["to_nearest_even", "to_nearest_away", "toward_zero", "upward",
         "downward"]


def convert(fmt, codes_path):
    """Every deterministic mode, saturating and not, on the rounding-class
    inputs; and every code decoded to f64 and f32. The codes come in as an
    argument (a .npy file of codes, or of values for integer types)."""
    table = read_table()
    codes = [code for code, _ in table]
    inputs = rounding_class_inputs(table, 1)
    n, c = len(inputs), len(codes)
    code_bytes = 1 if c <= 256 else 2 if c <= 65536 else 4
    if fmt == "f16":
        # numpy's float16 holds exactly the f16 codes' bits.
        write_npy(codes_path, "<f2", codes, 2)
    elif fmt.startswith("i") or fmt.startswith("si"):
        write_npy(codes_path, "<i%d" % code_bytes,
                  [int(v) for _, v in table], code_bytes)
    else:
        write_npy(codes_path, "<u%d" % code_bytes if code_bytes > 1 else "|u1",
                  codes, code_bytes)
    t_in = "tensor<%dxf32>" % n
    t_out = "tensor<%dx%s>" % (n, fmt)
    t_codes = "tensor<%dx%s>" % (c, fmt)
    lines, results, calls = [], [], []
    for mode in MODES:
        for saturate in ("", " saturate"):
            name = "@to_%s%s" % (mode, saturate.strip() and "_saturate")
            lines.append("func.func %s(%%x: %s) -> %s {" % (name, t_in, t_out))
            lines.append("  %%0 = lowp.convert %%x %s%s : %s to %s"
                         % (mode, saturate, t_in, t_out))
            lines.append("  return %%0 : %s\n}" % t_out)
            calls.append("  %%r%d = func.call %s(%%x) : (%s) -> %s"
                         % (len(results), name, t_in, t_out))
            results.append(t_out)
    for target in ("f64", "f32"):
        name = "@decode_%s" % target
        t = "tensor<%dx%s>" % (c, target)
        lines.append("func.func %s(%%c: %s) -> %s {" % (name, t_codes, t))
        lines.append("  %%0 = lowp.convert %%c : %s to %s" % (t_codes, t))
        lines.append("  return %%0 : %s\n}" % t)
        calls.append("  %%r%d = func.call %s(%%codes) : (%s) -> %s"
                     % (len(results), name, t_codes, t))
        results.append(t)
    main = ["func.func @main(%%codes: %s) -> (%s) {" % (t_codes, ", ".join(results)),
            "  %%x = arith.constant dense<%s> : %s" % (hex_tensor(inputs, 4), t_in)]
    main += calls
    main.append("  return %s : %s" % (
        ", ".join("%%r%d" % i for i in range(len(results))), ", ".join(results)))
    main.append("}")
    print("\n".join(lines + main))


if __name__ == "__main__":
    {"convert": lambda: convert(sys.argv[2], sys.argv[3])}[sys.argv[1]]()
