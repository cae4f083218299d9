#!/usr/bin/env python3
"""Writes lowp-run test programs whose inputs probe every rounding class.

  lowp-format table FORMAT | generate.py convert FORMAT CODES.npy > test.mlir
  lowp-format table FORMAT | generate.py fold FORMAT > test.mlir
  lowp-format table ELEMENT | generate.py quantize ELEMENT ENCODING UNIT > test.mlir
  generate.py matmul > test.mlir
  generate.py wideint > test.mlir
  lowp-format table FORMAT | generate.py arith FORMAT > test.mlir
  generate.py npy OUT.npy DTYPE [--shape=AxB] VALUE...
                                           (words as integers, for boundary tests;
                                           a VALUE N%M stands for N codes below M
                                           in a fixed scrambled order, N%M+B for
                                           those plus B)
  generate.py badnpy KIND OUT.npy          (a malformed .npy file)

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


def write_npy(path, dtype, words, width_bytes, shape=None):
    """A .npy file (version 1.0) of little-endian words, 1-D unless a shape
    is given."""
    dims = ", ".join(str(d) for d in (shape or [len(words)]))
    if not shape or len(shape) == 1:
        dims += ","
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        dtype, dims)
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


def npy_words(value):
    """The words a VALUE of `generate.py npy` stands for: one integer, or
    N%M: N codes below M, in an order that neither repeats along rows nor
    follows the index, so that a misplaced element shows. N%M+B adds B to
    each (N%M+16256 are bf16 codes from 1.0 up)."""
    if "%" not in value:
        return [int(value, 0)]
    base = 0
    if "+" in value:
        value, base = value.split("+")
        base = int(base, 0)
    count, modulus = (int(p) for p in value.split("%"))
    return [base + (i * 37 + i * i // 5) % modulus for i in range(count)]


def bad_npy(kind, path):
    """.npy files that lowp-run must refuse with a clear error."""
    headers = {
        "huge": "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999, 99999999), }",
        "promise": "{'descr': '<f8', 'fortran_order': False, 'shape': (137438953472,), }",
        "bigendian": "{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }",
        "fortran": "{'descr': '<f4', 'fortran_order': True, 'shape': (4,), }",
        "complex": "{'descr': '<c8', 'fortran_order': False, 'shape': (4,), }",
        "short": "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }",
        "garbage": "{'descr': nonsense }",
        "emptydim": "{'descr': '<f4', 'fortran_order': False, 'shape': (4,,), }",
        "notuple": "{'descr': '<f4', 'fortran_order': False, 'shape': (4), }",
        "twice": "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'shape': (8,), }",
    }
    header = headers[kind]
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    data = b"\0" * (8 if kind == "short" else 32)
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode("latin1") + data)


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
    """Every deterministic mode, saturating and not, and stochastic rounding
    with 8 and 32 random bits, on the rounding-class inputs; every code
    decoded to f64 and f32; and two 2-D round trips (rows of 8 and of 7
    elements). The codes come in as an argument (a .npy file of codes, or of
    values for integer types)."""
    table = read_table()
    if fmt.startswith("!lowp.codebook"):
        # Codes past the table's end are not codes lowp-run accepts.
        table = [(code, v) for code, v in table if not math.isnan(v)]
    codes = [code for code, _ in table]
    inputs = rounding_class_inputs(table, 1)
    # A whole number of bytes of codes of every width, so that packed
    # results are converted straight into their bytes (and back).
    pad = random.Random(3)
    inputs += [pad.getrandbits(32) for _ in range(-len(inputs) % 8)]
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
    # Stochastic rounding with 8 and 32 random bits per element (not for
    # codebooks and logarithmic formats, which have no binary grid).
    rng = random.Random(11)
    no_grid = fmt.startswith("!lowp.codebook") or fmt.startswith("!lowp.lns")
    stochastic = [] if no_grid else [
        ("i8", "", [rng.getrandbits(8) for _ in range(n)], 1),
        ("i32", " saturate", [rng.getrandbits(32) for _ in range(n)], 4)]
    random_consts = []
    for width, saturate, bits, nbytes in stochastic:
        t_r = "tensor<%dx%s>" % (n, width)
        name = "@to_stochastic_%s" % width
        lines.append("func.func %s(%%x: %s, %%r: %s) -> %s {" % (name, t_in, t_r, t_out))
        lines.append("  %%0 = lowp.convert %%x random(%%r : %s) stochastic%s : %s to %s"
                     % (t_r, saturate, t_in, t_out))
        lines.append("  return %%0 : %s\n}" % t_out)
        random_consts.append("  %%bits_%s = arith.constant dense<%s> : %s"
                             % (width, hex_tensor(bits, nbytes), t_r))
        calls.append("  %%r%d = func.call %s(%%x, %%bits_%s) : (%s, %s) -> %s"
                     % (len(results), name, width, t_in, t_r, t_out))
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
    # Rows of 8 elements (whole bytes of codes: converted straight into and
    # out of packed bytes) and rows of 7 (which end inside a byte: converted
    # and packed, or unpacked and converted, in two loops), round trip.
    shaped_consts = []
    for rows, columns, mode in ((n // 8, 8, "to_nearest_even"),
                                (n // 7, 7, "upward")):
        t_x = "tensor<%dx%dxf32>" % (rows, columns)
        t_c = "tensor<%dx%dx%s>" % (rows, columns, fmt)
        tag = "rows%d" % columns
        lines.append("func.func @%s_encode(%%x: %s) -> %s {" % (tag, t_x, t_c))
        lines.append("  %%0 = lowp.convert %%x %s : %s to %s" % (mode, t_x, t_c))
        lines.append("  return %%0 : %s\n}" % t_c)
        lines.append("func.func @%s_decode(%%c: %s) -> %s {" % (tag, t_c, t_x))
        lines.append("  %%0 = lowp.convert %%c : %s to %s" % (t_c, t_x))
        lines.append("  return %%0 : %s\n}" % t_x)
        shaped_consts.append("  %%%s = arith.constant dense<%s> : %s"
                             % (tag, hex_tensor(inputs[:rows * columns], 4), t_x))
        calls.append("  %%r%d = func.call @%s_encode(%%%s) : (%s) -> %s"
                     % (len(results), tag, tag, t_x, t_c))
        calls.append("  %%r%d = func.call @%s_decode(%%r%d) : (%s) -> %s"
                     % (len(results) + 1, tag, len(results), t_c, t_x))
        results += [t_c, t_x]
    main = ["func.func @main(%%codes: %s) -> (%s) {" % (t_codes, ", ".join(results)),
            "  %%x = arith.constant dense<%s> : %s" % (hex_tensor(inputs, 4), t_in)]
    main += random_consts + shaped_consts + calls
    main.append("  return %s : %s" % (
        ", ".join("%%r%d" % i for i in range(len(results))), ", ".join(results)))
    main.append("}")
    print("\n".join(lines + main))


def wide_integers():
    """f32 into 16-, 24- and 32-bit integers in every deterministic mode
    (the f32 lanes round in f32, then range-check against powers of two):
    ties, the ends of each range and one f32 either side, huge values, NaN,
    inf, and random patterns of every binade that holds integers."""
    rng = random.Random(9)
    values = [0.0, -0.0, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997,
              -0.49999997, 8388607.5, 8388608.5, 16777217.0, 1e20, -1e20,
              3.4e38, 1e-45, -1e-45]
    for top in (15, 16, 23, 24, 31, 32):
        for edge in (2.0 ** top, -(2.0 ** top), 2.0 ** top - 1, 1 - 2.0 ** top):
            values.append(edge)
    bits = set()
    for v in values:
        bits.update(f32_neighbours(v))
    bits.update([0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00001])
    bits = sorted(bits)
    for e in range(120, 165):
        bits += [(rng.getrandbits(1) << 31) | (e << 23) | rng.getrandbits(23)
                 for _ in range(40)]
    bits += [rng.getrandbits(32) for _ in range(2000)]
    n = len(bits)
    t_in = "tensor<%dxf32>" % n
    lines, calls, results = [], [], []
    for fmt in ("i32", "ui32", "si16", "ui16", "i24"):
        t_out = "tensor<%dx%s>" % (n, fmt)
        for mode in MODES:
            name = "@%s_%s" % (fmt, mode)
            lines.append("func.func %s(%%x: %s) -> %s {" % (name, t_in, t_out))
            lines.append("  %%0 = lowp.convert %%x %s : %s to %s"
                         % (mode, t_in, t_out))
            lines.append("  return %%0 : %s\n}" % t_out)
            calls.append("  %%r%d = func.call %s(%%x) : (%s) -> %s"
                         % (len(results), name, t_in, t_out))
            results.append(t_out)
    print("\n".join(lines))
    print("func.func @main() -> (%s) {" % ", ".join(results))
    print("  %%x = arith.constant dense<%s> : %s" % (hex_tensor(bits, 4), t_in))
    print("\n".join(calls))
    print("  return %s : %s\n}" % (
        ", ".join("%%r%d" % i for i in range(len(results))), ", ".join(results)))


def wide_posits():
    """f64 and f32 into posits of 20 to 32 bits in every deterministic mode,
    saturating and not, and stochastic rounding from f64 with 32 random
    bits, with every code decoded back to f64: f64 patterns of every binade
    a posit reaches (up to 2^480), far outside it, powers of two (where a
    regime ends), NaN and inf. A code table cannot reach these widths."""
    rng = random.Random(21)
    doubles = [0.0, -0.0, 1.0, -1.0, 1.5, 3.0, 1e300, -1e300, 1e-300,
               float("inf"), float("-inf"), float("nan")]
    for e in range(-500, 501, 7):
        doubles.append(2.0 ** e if e > -1022 else 0.0)
        doubles.append(-(2.0 ** e) * (1 + rng.random()))
    for _ in range(1500):
        e = rng.randint(-490, 490)
        doubles.append((rng.random() + 1) * 2.0 ** e * rng.choice((1, -1)))
    # Exact rounding boundaries: a wide random significand near 1.
    for _ in range(500):
        doubles.append(1 + rng.getrandbits(30) / 2.0 ** 30
                       + rng.choice((0, 2.0 ** -52, -2.0 ** -52)))
    n = len(doubles)
    d_bits = [struct.unpack("<Q", struct.pack("<d", v))[0] for v in doubles]
    f_bits = [rng.getrandbits(32) for _ in range(n)]
    t_d = "tensor<%dxf64>" % n
    t_f = "tensor<%dxf32>" % n
    t_r = "tensor<%dxi32>" % n
    lines, calls, results = [], [], []
    for fmt in ("!lowp.posit<32, 2>", "!lowp.posit<32, 0>",
                "!lowp.posit<24, 4>", "!lowp.posit<20, 1>"):
        width = int(fmt.split("<")[1].split(",")[0])
        tag = "p%d_%s" % (width, fmt.split(",")[1].strip(" >"))
        t_out = "tensor<%dx%s>" % (n, fmt)
        for source, t_in in (("d", t_d), ("f", t_f)):
            for mode in MODES:
                for saturate in ("", " saturate"):
                    name = "@%s_%s_%s%s" % (tag, source, mode,
                                            saturate and "_saturate")
                    lines.append("func.func %s(%%x: %s) -> %s {"
                                 % (name, t_in, t_out))
                    lines.append("  %%0 = lowp.convert %%x %s%s : %s to %s"
                                 % (mode, saturate, t_in, t_out))
                    lines.append("  return %%0 : %s\n}" % t_out)
                    calls.append("  %%r%d = func.call %s(%%%s) : (%s) -> %s"
                                 % (len(results), name, source, t_in, t_out))
                    results.append(t_out)
        name = "@%s_stochastic" % tag
        lines.append("func.func %s(%%x: %s, %%r: %s) -> %s {"
                     % (name, t_d, t_r, t_out))
        lines.append("  %%0 = lowp.convert %%x random(%%r : %s) stochastic"
                     " : %s to %s" % (t_r, t_d, t_out))
        lines.append("  return %%0 : %s\n}" % t_out)
        calls.append("  %%r%d = func.call %s(%%d, %%bits) : (%s, %s) -> %s"
                     % (len(results), name, t_d, t_r, t_out))
        results.append(t_out)
        # Every result decoded back (the codes the conversions wrote).
        name = "@%s_decode" % tag
        lines.append("func.func %s(%%c: %s) -> %s {" % (name, t_out, t_d))
        lines.append("  %%0 = lowp.convert %%c : %s to %s" % (t_out, t_d))
        lines.append("  return %%0 : %s\n}" % t_d)
        calls.append("  %%r%d = func.call %s(%%r%d) : (%s) -> %s"
                     % (len(results), name, len(results) - 1 - 20, t_out, t_d))
        results.append(t_d)
    print("\n".join(lines))
    print("func.func @main() -> (%s) {" % ", ".join(results))
    print("  %%d = arith.constant dense<%s> : %s" % (hex_tensor(d_bits, 8), t_d))
    print("  %%f = arith.constant dense<%s> : %s" % (hex_tensor(f_bits, 4), t_f))
    print("  %%bits = arith.constant dense<%s> : %s"
          % (hex_tensor([rng.getrandbits(32) for _ in range(n)], 4), t_r))
    print("\n".join(calls))
    print("  return %s : %s\n}" % (
        ", ".join("%%r%d" % i for i in range(len(results))), ", ".join(results)))


def between(source, target, codes_path):
    """Every code of `source` (the table on stdin, written to codes_path)
    converted straight into `target` in every deterministic mode, saturating
    and not, and the round trip back."""
    table = [(c, v) for c, v in read_table()]
    codes = [c for c, _ in table]
    c = len(codes)
    code_bytes = 1 if c <= 256 else 2 if c <= 65536 else 4
    write_npy(codes_path, "<u%d" % code_bytes if code_bytes > 1 else "|u1",
              codes, code_bytes)
    t_in = "tensor<%dx%s>" % (c, source)
    t_out = "tensor<%dx%s>" % (c, target)
    lines, calls, results = [], [], []
    for mode in MODES:
        for saturate in ("", " saturate"):
            name = "@to_%s%s" % (mode, saturate and "_saturate")
            lines.append("func.func %s(%%x: %s) -> (%s, %s) {"
                         % (name, t_in, t_out, t_in))
            lines.append("  %%0 = lowp.convert %%x %s%s : %s to %s"
                         % (mode, saturate, t_in, t_out))
            lines.append("  %%1 = lowp.convert %%0 %s : %s to %s"
                         % (mode, t_out, t_in))
            lines.append("  return %%0, %%1 : %s, %s\n}" % (t_out, t_in))
            calls.append("  %%r%d, %%r%d = func.call %s(%%x) : (%s) -> (%s, %s)"
                         % (len(results), len(results) + 1, name, t_in, t_out,
                            t_in))
            results += [t_out, t_in]
    print("\n".join(lines))
    print("func.func @main(%%x: %s) -> (%s) {" % (t_in, ", ".join(results)))
    print("\n".join(calls))
    print("  return %s : %s\n}" % (
        ", ".join("%%r%d" % i for i in range(len(results))), ", ".join(results)))


def fold(fmt):
    """The conversions of `convert`, applied to the constants in @main
    itself: the pipeline folds them through the numerics core, and lowp-run
    --check compares the folded constants with the reference interpreter.
    A format no builtin constant can hold (a !lowp type) is converted on to
    f64 in the same function: the pair folds into one f64 constant."""
    table = read_table()
    inputs = rounding_class_inputs(table, 4)
    n = len(inputs)
    t_in = "tensor<%dxf32>" % n
    t_out = "tensor<%dx%s>" % (n, fmt)
    t_back = "tensor<%dxf64>" % n
    body, results = [], []
    for mode in MODES:
        for saturate in ("", " saturate"):
            r = "%%r%d" % len(results)
            if fmt.startswith("!lowp"):
                body.append("  %s_codes = lowp.convert %%x %s%s : %s to %s"
                            % (r, mode, saturate, t_in, t_out))
                body.append("  %s = lowp.convert %s_codes : %s to %s"
                            % (r, r, t_out, t_back))
                results.append(t_back)
            else:
                body.append("  %s = lowp.convert %%x %s%s : %s to %s"
                            % (r, mode, saturate, t_in, t_out))
                results.append(t_out)
    print("func.func @main() -> (%s) {" % ", ".join(results))
    print("  %%x = arith.constant dense<%s> : %s" % (hex_tensor(inputs, 4), t_in))
    print("\n".join(body))
    print("  return %s : %s\n}" % (
        ", ".join("%%r%d" % i for i in range(len(results))), ", ".join(results)))


ARITH_MODES = ["", "to_nearest_even", "to_nearest_away", "toward_zero",
               "upward", "downward"]


def arith(fmt):
    """arith.truncf into FORMAT in every rounding mode, arith.extf back, and
    addf, subf, mulf, divf, maximumf, minimumf and negf on FORMAT values
    (every value against random values, and specials)."""
    table = read_table()
    rng = random.Random(5)
    inputs = rounding_class_inputs(table, 6)
    n = len(inputs)
    t_in = "tensor<%dxf32>" % n
    t_fmt = "tensor<%dx%s>" % (n, fmt)
    values = [v for _, v in table if math.isfinite(v)]
    values += [float("nan"), float("inf"), -float("inf")] if fmt in (
        "f8E5M2", "bf16", "f16", "f8E4M3", "f8E3M4") else []
    count = len(values) * 4
    lhs = [values[i % len(values)] for i in range(count)]
    rhs = [rng.choice(values) for _ in range(count)]
    t_pair_f32 = "tensor<%dxf32>" % count
    t_pair = "tensor<%dx%s>" % (count, fmt)

    def bits(vals):
        return [0x7FC00000 if math.isnan(v) else f32_bits(v) for v in vals]

    lines, results, calls = [], [], []
    for mode in ARITH_MODES:
        name = "@truncf_%s" % (mode or "default")
        lines.append("func.func %s(%%x: %s) -> %s {" % (name, t_in, t_fmt))
        lines.append("  %%0 = arith.truncf %%x %s : %s to %s" % (mode, t_in, t_fmt))
        lines.append("  return %%0 : %s\n}" % t_fmt)
        calls.append("  %%r%d = func.call %s(%%x) : (%s) -> %s"
                     % (len(results), name, t_in, t_fmt))
        results.append(t_fmt)
    lines.append("func.func @extf(%%a: %s) -> %s {" % (t_pair, t_pair_f32))
    lines.append("  %%0 = arith.extf %%a : %s to %s" % (t_pair, t_pair_f32))
    lines.append("  return %%0 : %s\n}" % t_pair_f32)
    calls.append("  %%r%d = func.call @extf(%%a) : (%s) -> %s"
                 % (len(results), t_pair, t_pair_f32))
    results.append(t_pair_f32)
    for op in ("addf", "subf", "mulf", "divf", "maximumf", "minimumf"):
        lines.append("func.func @%s(%%a: %s, %%b: %s) -> %s {" % (op, t_pair, t_pair, t_pair))
        lines.append("  %%0 = arith.%s %%a, %%b : %s" % (op, t_pair))
        lines.append("  return %%0 : %s\n}" % t_pair)
        calls.append("  %%r%d = func.call @%s(%%a, %%b) : (%s, %s) -> %s"
                     % (len(results), op, t_pair, t_pair, t_pair))
        results.append(t_pair)
    lines.append("func.func @negf(%%a: %s) -> %s {" % (t_pair, t_pair))
    lines.append("  %%0 = arith.negf %%a : %s" % t_pair)
    lines.append("  return %%0 : %s\n}" % t_pair)
    calls.append("  %%r%d = func.call @negf(%%a) : (%s) -> %s"
                 % (len(results), t_pair, t_pair))
    results.append(t_pair)
    # The operands are exact FORMAT values, made by truncf of f32 constants
    # in @make (not folded: a call).
    lines.append("func.func @make(%%x: %s) -> %s {" % (t_pair_f32, t_pair))
    lines.append("  %%0 = arith.truncf %%x : %s to %s" % (t_pair_f32, t_pair))
    lines.append("  return %%0 : %s\n}" % t_pair)
    main = ["func.func @main() -> (%s) {" % ", ".join(results),
            "  %%x = arith.constant dense<%s> : %s" % (hex_tensor(inputs, 4), t_in),
            "  %%fa = arith.constant dense<%s> : %s" % (hex_tensor(bits(lhs), 4), t_pair_f32),
            "  %%fb = arith.constant dense<%s> : %s" % (hex_tensor(bits(rhs), 4), t_pair_f32),
            "  %%a = func.call @make(%%fa) : (%s) -> %s" % (t_pair_f32, t_pair),
            "  %%b = func.call @make(%%fb) : (%s) -> %s" % (t_pair_f32, t_pair)]
    main += calls
    main.append("  return %s : %s" % (
        ", ".join("%%r%d" % i for i in range(len(results))), ", ".join(results)))
    main.append("}")
    print("\n".join(lines + main))


def block_cases(table, unit, rng):
    """16-value segments that reach the boundaries of block quantization:
    zeros, NaN, infinities, subnormal amax, blocks whose amax is max_elem
    times a power of two holding exact element ties (or one f32 ulp off
    them), huge values, and random magnitudes."""
    finite = sorted({v for _, v in table if math.isfinite(v)})
    top = max(abs(v) for v in finite) * unit
    grid = sorted({abs(v) * unit for v in finite})
    ties = [(a + b) / 2 for a, b in zip(grid, grid[1:])]
    cases = []
    cases.append([0.0, -0.0] * 8)
    cases.append([float(i) for i in range(15)] + [float("nan")])
    cases.append([1.0, -2.0, float("inf")] + [0.5] * 13)
    cases.append([-float("inf")] + [0.25] * 15)
    cases.append([f32_from_bits(rng.randrange(1, 1 << 23)) for _ in range(16)])
    cases.append([f32_from_bits(rng.randrange(1, 1 << 23) | 0x80000000)
                  for _ in range(16)])
    for k in (-30, -7, 0, 3, 20):
        scale = 2.0 ** k
        exact = [top * scale] + [rng.choice(ties) * scale * rng.choice((1, -1))
                                 for _ in range(15)]
        cases.append(exact)
        off = [top * scale] + [f32_from_bits(f32_bits(t) + rng.choice((1, -1)))
                               for t in exact[1:] if t != 0]
        cases.append((off + [0.0] * 16)[:16])
    cases.append([3.0e38, -1.0e38] + [rng.uniform(-1, 1) * 1e37 for _ in range(14)])
    for _ in range(60):
        e = rng.randrange(-40, 40)
        cases.append([rng.uniform(-1, 1) * 2.0 ** (e + rng.randrange(-3, 4))
                      for _ in range(16)])
    # Every value as an f32 (the inputs are f32 tensors).
    out = []
    for case in cases:
        for v in case:
            if math.isnan(v):
                out.append(0x7FC00000)
            else:
                out.append(f32_bits(max(min(v, 3.4e38), -3.4e38))
                           if math.isfinite(v) else f32_bits(v))
    return out


def quantize(element, encoding, unit):
    """quantize, quantize+dequantize (to f32 and bf16) and stochastic
    quantize of blocks that reach every boundary case."""
    table = read_table()
    rng = random.Random(2)
    inputs = block_cases(table, float(unit), rng)
    columns = 128
    rows = (len(inputs) + columns - 1) // columns
    rows = (rows + 31) // 32 * 32
    inputs += [0] * (rows * columns - len(inputs))
    shape = "%dx%d" % (rows, columns)
    t_in = "tensor<%sxf32>" % shape
    t_q = "tensor<%sx%s, %s>" % (shape, element, encoding)
    t_r = "tensor<%sxi8>" % shape
    random_bits = [rng.getrandbits(8) for _ in range(rows * columns)]
    # Codebooks (elements or choices) have no binary grid to round
    # stochastically on.
    mode = ("toward_zero" if "!lowp.codebook" in element + encoding
            else "stochastic")
    print("""func.func @quantize(%%x: %(t_in)s) -> %(t_q)s {
  %%0 = lowp.quantize %%x : %(t_in)s to %(t_q)s
  return %%0 : %(t_q)s
}
func.func @quantize_toward_zero(%%x: %(t_in)s) -> %(t_q)s {
  %%0 = lowp.quantize %%x toward_zero : %(t_in)s to %(t_q)s
  return %%0 : %(t_q)s
}
func.func @stochastic(%%x: %(t_in)s, %%r: %(t_r)s) -> %(t_q)s {
  %%0 = lowp.quantize %%x %(random)s%(mode)s : %(t_in)s to %(t_q)s
  return %%0 : %(t_q)s
}
func.func @roundtrip(%%x: %(t_in)s) -> (tensor<%(shape)sxf32>, tensor<%(shape)sxbf16>) {
  %%0 = lowp.quantize %%x : %(t_in)s to %(t_q)s
  %%1 = lowp.dequantize %%0 : %(t_q)s to tensor<%(shape)sxf32>
  %%2 = lowp.dequantize %%0 : %(t_q)s to tensor<%(shape)sxbf16>
  return %%1, %%2 : tensor<%(shape)sxf32>, tensor<%(shape)sxbf16>
}
func.func @main() -> (%(t_q)s, %(t_q)s, %(t_q)s, tensor<%(shape)sxf32>, tensor<%(shape)sxbf16>) {
  %%x = arith.constant dense<%(x)s> : %(t_in)s
  %%r = arith.constant dense<%(r)s> : %(t_r)s
  %%0 = func.call @quantize(%%x) : (%(t_in)s) -> %(t_q)s
  %%1 = func.call @quantize_toward_zero(%%x) : (%(t_in)s) -> %(t_q)s
  %%2 = func.call @stochastic(%%x, %%r) : (%(t_in)s, %(t_r)s) -> %(t_q)s
  %%3:2 = func.call @roundtrip(%%x) : (%(t_in)s) -> (tensor<%(shape)sxf32>, tensor<%(shape)sxbf16>)
  return %%0, %%1, %%2, %%3#0, %%3#1 : %(t_q)s, %(t_q)s, %(t_q)s, tensor<%(shape)sxf32>, tensor<%(shape)sxbf16>
}""" % dict(t_in=t_in, t_q=t_q, t_r=t_r, shape=shape, mode=mode,
            random="random(%%r : %s) " % t_r if mode == "stochastic" else "",
            x=hex_tensor(inputs, 4), r=hex_tensor(random_bits, 1)))


MATMUL_CASES = [
    # name, lhs type, rhs type, accumulator, result element type, K
    ("f32_mxfp4", "f32", "f4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>", "f32", "f32", 256),
    ("mxfp8_mixed", "f8E4M3FN, #lowp.block_scaled<mx>", "f8E5M2, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>", "f32", "f32", 128),
    ("nvfp4", "f4E2M1FN, #lowp.block_scaled<nvfp4>", "f4E2M1FN, #lowp.block_scaled<block = [16, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>", "f32", "bf16", 64),
    ("int8", "i8", "i8", "i32", "bf16", 96),
    ("fp8_bf16", "f8E4M3FN", "bf16", "f32", "f32", 32),
    ("long_k", "f32", "f6E3M2FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = rceil>", "f32", "f32", 1024),
    ("int4_g128", "f16", "ui4, #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>", "f32", "f32", 256),
]


def matmul():
    """Matrix products in several format mixes, batched and not, long and
    short K; the operands are made from f32 data by called (compiled)
    quantize/convert functions, and the products are checked against the
    reference's f64 sums within a bound that grows with K."""
    rng = random.Random(3)
    m, n = 16, 24
    lines, calls, results = [], [], []
    consts = []

    def operand(name, element, shape, data_scale, integer):
        """A function producing an operand of `element` from f32 data."""
        count = 1
        for d in shape:
            count *= d
        dims = "x".join(str(d) for d in shape)
        if integer:
            data = [float(rng.randrange(-128, 128)) for _ in range(count)]
        else:
            data = [rng.gauss(0, 1) * data_scale for _ in range(count)]
        t_f32 = "tensor<%sxf32>" % dims
        t_out = "tensor<%sx%s>" % (dims, element)
        const = "%%%s_data" % name
        consts.append("  %s = arith.constant dense<%s> : %s"
                      % (const, hex_tensor([f32_bits(v) for v in data], 4), t_f32))
        if element == "f32":
            return const, t_f32
        op = "lowp.quantize" if "#lowp" in element else "lowp.convert"
        lines.append("func.func @make_%s(%%x: %s) -> %s {" % (name, t_f32, t_out))
        lines.append("  %%0 = %s %%x : %s to %s" % (op, t_f32, t_out))
        lines.append("  return %%0 : %s\n}" % t_out)
        calls.append("  %%%s = func.call @make_%s(%s) : (%s) -> %s"
                     % (name, name, const, t_f32, t_out))
        return "%" + name, t_out

    for batch in (None, 2):
        for case, lhs_el, rhs_el, acc, res_el, k in MATMUL_CASES:
            if batch and case not in ("f32_mxfp4", "int8"):
                continue
            prefix = [batch] if batch else []
            tag = case + ("_batched" if batch else "")
            integer = acc == "i32"
            lhs, t_lhs = operand(tag + "_lhs", lhs_el, prefix + [m, k], 1.0, integer)
            rhs, t_rhs = operand(tag + "_rhs", rhs_el, prefix + [k, n], 0.1, integer)
            t_res = "tensor<%sx%s>" % ("x".join(str(d) for d in prefix + [m, n]), res_el)
            lines.append("func.func @%s(%%a: %s, %%b: %s) -> %s {" % (tag, t_lhs, t_rhs, t_res))
            lines.append("  %%0 = lowp.matmul %%a, %%b {accumulator = %s} : %s, %s -> %s"
                         % (acc, t_lhs, t_rhs, t_res))
            lines.append("  return %%0 : %s\n}" % t_res)
            calls.append("  %%r%d = func.call @%s(%s, %s) : (%s, %s) -> %s"
                         % (len(results), tag, lhs, rhs, t_lhs, t_rhs, t_res))
            results.append(t_res)
    main = ["func.func @main() -> (%s) {" % ", ".join(results)] + consts + calls
    main.append("  return %s : %s" % (", ".join("%%r%d" % i for i in range(len(results))),
                                      ", ".join(results)))
    main.append("}")
    print("\n".join(lines + main))


if __name__ == "__main__":
    {"convert": lambda: convert(sys.argv[2], sys.argv[3]),
     "quantize": lambda: quantize(sys.argv[2], sys.argv[3], sys.argv[4]),
     "matmul": matmul,
     "fold": lambda: fold(sys.argv[2]),
     "wideposit": wide_posits,
     "between": lambda: between(sys.argv[2], sys.argv[3], sys.argv[4]),
     "wideint": wide_integers,
     "arith": lambda: arith(sys.argv[2]),
     "badnpy": lambda: bad_npy(sys.argv[2], sys.argv[3]),
     "npy": lambda: write_npy(
         sys.argv[2], sys.argv[3],
         [w for v in sys.argv[4:] if not v.startswith("--shape=")
          for w in npy_words(v)],
         int(sys.argv[3][2:]),
         [int(d) for a in sys.argv[4:] if a.startswith("--shape=")
          for d in a[len("--shape="):].split("x")]),
     }[sys.argv[1]]()
