#!/usr/bin/env python3
"""Runs lowp.matmul's block-factored kernels against the reference.

  matmul_kernels.py LOWP_RUN WORKDIR [--vector-target=NAME] [CASE...]

For each case, writes a one-matmul program and random inputs as .npy files
(weights as codes and scales, so that any format can be tested, codebooks
and lowp's own minifloats included), runs `lowp-run --check` on them, and
prints "CASE: " before each line lowp-run prints. Exits non-zero when a run
fails. The shapes make the kernels' edge cases happen: columns that are not
a multiple of the 128-column tile (down to one column), odd columns of
packed 4-bit rows, a single K-block and many, one row and several. Each case runs with a K x N weight and with the N x K weight of
lowp.matmul's transpose_rhs (whose kernel reads rows of 128 codes: K of
32 or 96 there takes the dequantizing path); some also as importers
write them (the weight dequantized, or dequantized and transposed), and
some with the rows of x dynamic. The reference sums exactly in f64 and accepts lowp.matmul's
documented bound, so a table entry off by one code, a scale applied to the
wrong block or a tail read wrong all fail. Standard library only.
"""

import os
import random
import struct
import subprocess
import sys


def write_npy(path, dtype, shape, words):
    """A .npy file (version 1.0) of little-endian words of dtype ('<f4',
    '<u1', '<i1', '<u2')."""
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (dtype, dims)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    width = int(dtype[2:])
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode("latin1"))
        if dtype[1] == "f":
            code = {4: "<f", 2: "<e"}[width]
            f.write(b"".join(struct.pack(code, w) for w in words))
        else:
            signed = dtype[1] == "i"
            f.write(b"".join(int(w).to_bytes(width, "little", signed=signed)
                             for w in words))


def bf16_bits(value):
    return struct.unpack("<I", struct.pack("<f", value))[0] >> 16


def e4m3_code(value):
    """The E4M3FN code of a positive normal value (truncated: any valid
    code will do for a scale)."""
    exponent = 0
    while value >= 2.0:
        value /= 2.0
        exponent += 1
    while value < 1.0:
        value *= 2.0
        exponent -= 1
    return ((exponent + 7) << 3) | int((value - 1.0) * 8)


# Code generators: rng -> one code, as the .npy holds it.
def codes(low, high, skip=()):
    def draw(rng):
        while True:
            code = rng.randrange(low, high + 1)
            if code not in skip:
                return code
    return draw


E4M3_NAN = (0x7F, 0xFF)
E5M2_SPECIALS = tuple(range(0x7C, 0x80)) + tuple(range(0xFC, 0x100))

# name, element type, encoding, element codes, element dtype, scale type,
# scale codes, scale dtype, extra parts, shapes [(M, K, N)].
CASES = [
    ("mxfp4", "f4E2M1FN", "block = [32, 1], scale = f8E8M0FNU, rule = floor",
     codes(0, 15), "<u1", codes(118, 136), "<u1", [],
     [(1, 96, 272), (3, 160, 128), (2, 32, 1), (1, 64, 129), (2, 256, 17)]),
    ("nvfp4", "f4E2M1FN",
     "block = [16, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32",
     codes(0, 15), "<u1", lambda rng: e4m3_code(rng.uniform(0.05, 300)), "<u1",
     ["tensor_scale"], [(1, 48, 200), (2, 16, 7), (1, 128, 33)]),
    ("int4_g128", "ui4",
     "block = [128, 1], scale = f16, rule = minmax, zero_point = ui4",
     codes(0, 15), "<u1", lambda rng: rng.uniform(0.001, 0.1), "<f2",
     ["zero_points"], [(1, 384, 200), (2, 128, 130), (1, 512, 100)]),
    ("mxfp8_e4m3", "f8E4M3FN", "block = [32, 1], scale = f8E8M0FNU, rule = floor",
     codes(0, 255, E4M3_NAN), "<u1", codes(110, 130), "<u1", [],
     [(1, 64, 150), (2, 32, 128)]),
    ("mxfp8_e5m2", "f8E5M2", "block = [32, 1], scale = f8E8M0FNU, rule = floor",
     codes(0, 255, E5M2_SPECIALS), "<u1", codes(100, 127), "<u1", [],
     [(1, 64, 140)]),
    ("mxint8", "i8", "block = [32, 1], scale = f8E8M0FNU, rule = floor",
     codes(-128, 127), "<i1", codes(118, 136), "<u1", [], [(2, 64, 136)]),
    ("nf4", "!lowp.codebook<nf4>", "block = [64, 1], scale = bf16, rule = absmax",
     codes(0, 15), "<u1", lambda rng: bf16_bits(rng.uniform(0.01, 2.0)), "<u2",
     [], [(1, 128, 190)]),
    # A format no other library has: a 4-bit minifloat with three exponent
    # bits and no mantissa, under f32 block scales.
    ("e3m0", "!lowp.float<e3m0, finite>",
     "block = [32, 1], scale = f32, rule = absmax",
     codes(0, 15), "<u1", lambda rng: rng.uniform(0.01, 1.0), "<f4", [],
     [(1, 64, 160), (1, 128, 40)]),
    # Two-bit integers: four codes to a byte.
    ("int2", "i2", "block = [32, 1], scale = f16, rule = absmax",
     codes(-2, 1), "<i1", lambda rng: rng.uniform(0.01, 1.0), "<f2",
     [], [(1, 64, 300)]),
    # Six-bit codes straddle bytes: the kernel does not read them packed,
    # and the dequantizing path must still be right.
    ("mxfp6_e2m3", "f6E2M3FN", "block = [32, 1], scale = f8E8M0FNU, rule = floor",
     codes(0, 63), "<u1", codes(118, 136), "<u1", [], [(1, 64, 40)]),
]


def run_case(lowp_run, workdir, extra, name, element, encoding, element_codes,
             element_dtype, scale_codes, scale_dtype, parts, shape, rng,
             transposed, dequantized=False, dynamic=False, via_transpose=False,
             specials=False):
    m, k, n = shape
    block = int(encoding.split("[")[1].split(",")[0])
    blocks = (k + block - 1) // block
    tag = "%s%s%s%s%s%s_%dx%dx%d" % (name, "_nk" if transposed else "",
                                     "_dequantized" if dequantized else "",
                                     "_transposed" if via_transpose else "",
                                     "_dynamic" if dynamic else "",
                                     "_specials" if specials else "", m, k, n)
    # Dynamic rows: the activations and result are tensor<?xKxf32>.
    lhs_rows = "?" if dynamic else str(m)
    if transposed:
        # An N x K weight (nn.Linear's layout): blocks along its last axis.
        encoding = encoding.replace("[%d, 1]" % block, "[1, %d]" % block)
        weight = "tensor<%dx%dx%s, #lowp.block_scaled<%s>>" % (n, k, element, encoding)
    else:
        weight = "tensor<%dx%dx%s, #lowp.block_scaled<%s>>" % (k, n, element, encoding)
    attributes = "accumulator = f32" + (
        ", transpose_rhs" if transposed and not via_transpose else "")
    program = os.path.join(workdir, tag + ".mlir")
    with open(program, "w") as f:
        f.write("func.func @mm(%%x: tensor<%sx%dxf32>, %%w: %s) -> tensor<%sx%dxf32> {\n"
                % (lhs_rows, k, weight, lhs_rows, n))
        operand = weight
        if dequantized:
            # What importers write: lowp-propagate-scales hands the matmul
            # the encoded weight again.
            rows, cols = (n, k) if transposed else (k, n)
            plain = "tensor<%dx%dxf32>" % (rows, cols)
            f.write("  %%w32 = lowp.dequantize %%w : %s to %s\n" % (weight, plain))
            operand = plain
            if via_transpose:
                # x @ W.T as importers write it: the N x K weight
                # dequantized, then transposed to K x N.
                operand = "tensor<%dx%dxf32>" % (k, n)
                f.write("  %%init = tensor.empty() : %s\n" % operand)
                f.write("  %%w32t = linalg.transpose ins(%%w32 : %s) outs(%%init : %s) "
                        "permutation = [1, 0]\n" % (plain, operand))
        f.write("  %%0 = lowp.matmul %%x, %s {%s} : "
                "tensor<%sx%dxf32>, %s -> tensor<%sx%dxf32>\n"
                % ("%w32t" if via_transpose else "%w32" if dequantized else "%w",
                   attributes, lhs_rows, k, operand, lhs_rows, n))
        f.write("  return %%0 : tensor<%sx%dxf32>\n}\n" % (lhs_rows, n))
    inputs = []

    def npy(part, dtype, dims, words):
        path = os.path.join(workdir, "%s.%s.npy" % (tag, part))
        write_npy(path, dtype, dims, words)
        inputs.append(path)

    per_block = [n, blocks] if transposed else [blocks, n]
    x = [rng.gauss(0, 1) for _ in range(m * k)]
    scales = [scale_codes(rng) for _ in range(blocks * n)]
    if specials:
        # A NaN and infinities in x (each reaches its row of y: NaN, or inf
        # unless an inf meets a zero weight or the other infinity), and an
        # E8M0 NaN scale (0xFF), which reaches its column of y.
        x[0] = float("nan")
        x[1 * k + 3] = float("inf")
        x[(m - 1) * k + k - 1] = float("-inf")
        scales[0] = 0xFF
    npy("x", "<f4", [m, k], x)
    npy("elements", element_dtype, [n, k] if transposed else [k, n],
        [element_codes(rng) for _ in range(k * n)])
    npy("scales", scale_dtype, per_block, scales)
    if "tensor_scale" in parts:
        npy("tensor_scale", "<f4", [], [rng.uniform(0.001, 0.01)])
    if "zero_points" in parts:
        npy("zero_points", "<u1", per_block, [rng.randrange(0, 16) for _ in range(blocks * n)])
    return run_check(lowp_run, program, extra, inputs, tag)


def run_check(lowp_run, program, extra, inputs, tag):
    """Runs `lowp-run PROGRAM --check` on the inputs; prints what it says,
    each line after "TAG: "; returns its exit status."""
    command = [lowp_run, program, "--check"] + extra + ["--input=" + p for p in inputs]
    done = subprocess.run(command, capture_output=True, text=True)
    for line in (done.stdout + done.stderr).splitlines():
        print("%s: %s" % (tag, line))
    return done.returncode


def parse_arguments():
    """LOWP_RUN WORKDIR [--OPTION...] [CASE...] -> (lowp_run, workdir,
    options, cases), the work directory made."""
    lowp_run, workdir = sys.argv[1], sys.argv[2]
    extra = [a for a in sys.argv[3:] if a.startswith("--")]
    wanted = [a for a in sys.argv[3:] if not a.startswith("--")]
    os.makedirs(workdir, exist_ok=True)
    return lowp_run, workdir, extra, wanted


def run_cases(cases, run_case, seed):
    """For the command line's LOWP_RUN WORKDIR [--OPTION...] [CASE...]:
    run_case(lowp_run, workdir, options, case, shape, rng) on each shape
    (the case's last field) of each case named (all when none is); exits 1
    if any failed."""
    lowp_run, workdir, extra, wanted = parse_arguments()
    rng = random.Random(seed)
    status = 0
    for case in cases:
        if wanted and case[0] not in wanted:
            continue
        for shape in case[-1]:
            status |= run_case(lowp_run, workdir, extra, case, shape, rng)
    sys.exit(1 if status else 0)


def main():
    lowp_run, workdir, extra, wanted = parse_arguments()
    rng = random.Random(11)
    status = 0
    for case in CASES:
        name, element, encoding, element_codes, element_dtype, scale_type_codes, \
            scale_dtype, parts, shapes = case
        if wanted and name not in wanted:
            continue
        for transposed in (False, True):
            for shape in shapes:
                status |= run_case(lowp_run, workdir, extra, name, element,
                                   encoding, element_codes, element_dtype,
                                   scale_type_codes, scale_dtype, parts, shape,
                                   rng, transposed)
        if name == "nvfp4":
            status |= run_case(lowp_run, workdir, extra, name, element, encoding,
                               element_codes, element_dtype, scale_type_codes,
                               scale_dtype, parts, shapes[0], rng, False,
                               dequantized=True)
        if name in ("mxfp4", "nvfp4"):
            # lowp-propagate-scales folds the transpose into transpose_rhs
            # and the dequantize into the matmul.
            status |= run_case(lowp_run, workdir, extra, name, element, encoding,
                               element_codes, element_dtype, scale_type_codes,
                               scale_dtype, parts, shapes[-1], rng, True,
                               dequantized=True, via_transpose=True)
    # Rows known only at run time (batch and sequence length), through the
    # kernels of both orientations and the dequantizing path (MXFP6), from
    # no rows to several.
    dynamic = {"mxfp4": [(3, 256, 129), (0, 64, 129)], "int4_g128": [(2, 128, 130)],
               "mxfp6_e2m3": [(2, 64, 40)]}
    for case in CASES:
        name, element, encoding, element_codes, element_dtype, scale_type_codes, \
            scale_dtype, parts, _ = case
        if name not in dynamic or (wanted and name not in wanted):
            continue
        for transposed in (False, True):
            for shape in dynamic[name]:
                status |= run_case(lowp_run, workdir, extra, name, element,
                                   encoding, element_codes, element_dtype,
                                   scale_type_codes, scale_dtype, parts, shape,
                                   rng, transposed, dynamic=True)
    # From 6 rows on, both kernels decode each tile once into a panel that
    # register tiles of 4 rows read (the GEMM loop nest; the N x K kernel
    # transposes its rows into the panel): row counts that leave rows over,
    # tiles of every phase count (8 4-bit or 4 8-bit codes to a word, 4
    # 2-bit codes to a byte), passes of 16 rows (NVFP4) and passes shorter
    # than a block (int4-g128), column tails (N x K: outputs past the last
    # tile, by row dot products), a single column, and dynamic rows on
    # either side of 6.
    gemm = {"mxfp4": [(17, 128, 272), (7, 128, 1)], "nvfp4": [(20, 128, 130)],
            "int4_g128": [(24, 256, 128)], "mxfp8_e4m3": [(16, 64, 256)],
            "int2": [(19, 64, 128)], "nf4": [(16, 128, 129)],
            "e3m0": [(33, 128, 128)]}
    gemm_dynamic = {"mxfp4": [(18, 128, 300), (5, 128, 300)]}
    # NaN and infinities in x and a NaN scale, through the GEMV (3 rows)
    # and GEMM (9 rows) loop nests of both orientations.
    specials = {"mxfp4": [(3, 128, 272), (9, 128, 272)]}
    for case in CASES:
        name, element, encoding, element_codes, element_dtype, scale_type_codes, \
            scale_dtype, parts, _ = case
        if wanted and name not in wanted:
            continue
        for shapes, dynamic_rows in ((gemm, False), (gemm_dynamic, True)):
            for shape in shapes.get(name, []):
                for transposed in (False, True):
                    status |= run_case(lowp_run, workdir, extra, name, element,
                                       encoding, element_codes, element_dtype,
                                       scale_type_codes, scale_dtype, parts,
                                       shape, rng, transposed,
                                       dynamic=dynamic_rows)
        for shape in specials.get(name, []):
            for transposed in (False, True):
                status |= run_case(lowp_run, workdir, extra, name, element,
                                   encoding, element_codes, element_dtype,
                                   scale_type_codes, scale_dtype, parts, shape,
                                   rng, transposed, specials=True)
    sys.exit(1 if status else 0)


if __name__ == "__main__":
    main()
