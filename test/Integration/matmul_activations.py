#!/usr/bin/env python3
"""Runs lowp.matmul with low-precision activations against the reference.

  matmul_activations.py LOWP_RUN WORKDIR [--vector-target=NAME] [CASE...]

The K x N kernel reads block-scaled activations (blocks along K) and plain
ones of narrow formats as they are: their element codes decoded once per
call, their block scales applied once per pass of the weight's K-blocks
with the weight's. Where every activation and weight value is a bf16 value
and the target has AVX512_BF16, its GEMM multiplies bf16 pairs with
vdpbf16ps; otherwise (--vector-target=generic, or the N x K kernel, which
dequantizes the activation first) f32 FMAs. Each case writes a one-matmul
program and random codes as .npy files, runs `lowp-run --check` (the
reference sums exactly and accepts lowp.matmul's documented bound) and
prints "CASE: " before each line it prints. The shapes cover the GEMV loop
nest (fewer than 6 rows), the GEMM's (6 and more, rows left over past the
register tiles of 4), the columns past the last 128-column tile, dynamic
rows on either side of 6, K not a multiple of 16, and NaN in the
activation's elements and scales, bf16 activations (W4A16), which keep
f32 FMAs, and scales at and just below the limit under which the GEMM
multiplies the operands' scaled values. Standard library only.
"""

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from matmul_kernels import bf16_bits, codes, e4m3_code, run_check, write_npy  # noqa: E402

E4M3_NAN = (0x7F, 0xFF)

# Activations: name -> (element type, encoding or None, element codes,
# element dtype, scale codes, scale dtype, tensor scale). Encodings are
# written with the block's K extent as {K}, filled in per shape.
ACTIVATIONS = {
    "mxfp8": ("f8E4M3FN", "block = [1, 32], scale = f8E8M0FNU, rule = floor",
              codes(0, 255, E4M3_NAN), "<u1", codes(118, 136), "<u1", False),
    "mxfp4": ("f4E2M1FN", "block = [1, 32], scale = f8E8M0FNU, rule = floor",
              codes(0, 15), "<u1", codes(118, 136), "<u1", False),
    "nvfp4": ("f4E2M1FN",
              "block = [1, 16], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32",
              codes(0, 15), "<u1", lambda rng: e4m3_code(rng.uniform(0.05, 300)),
              "<u1", True),
    # int8 with one f32 scale per row (a block of all of K).
    "int8_row": ("i8", "block = [1, {K}], scale = f32, rule = absmax",
                 codes(-127, 127), "<i1", lambda rng: rng.uniform(0.001, 0.1),
                 "<f4", False),
    "e4m3": ("f8E4M3FN", None, codes(0, 255, E4M3_NAN), "<u1", None, None, False),
    # MXINT8: int8 elements read as 1.6 fixed point, an E8M0 scale per 32.
    "mxint8": ("i8", "block = [1, 32], scale = f8E8M0FNU, rule = floor",
               codes(-127, 127), "<i1", codes(118, 136), "<u1", False),
    # Plain int8, -128 included.
    "int8": ("i8", None, codes(-128, 127), "<i1", None, None, False),
    # W4A16: bf16's subnormals would be flushed by vdpbf16ps, so f32 FMAs.
    "bf16": ("bf16", None, lambda rng: bf16_bits(rng.gauss(0, 1)), "<u2", None,
             None, False),
}

# Weights: name -> (element type, encoding, element codes, element dtype,
# scale codes, scale dtype, parts).
WEIGHTS = {
    "mxfp4": ("f4E2M1FN", "block = [32, 1], scale = f8E8M0FNU, rule = floor",
              codes(0, 15), "<u1", codes(118, 136), "<u1", []),
    "mxfp8": ("f8E4M3FN", "block = [32, 1], scale = f8E8M0FNU, rule = floor",
              codes(0, 255, E4M3_NAN), "<u1", codes(110, 130), "<u1", []),
    "nvfp4": ("f4E2M1FN",
              "block = [16, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32",
              codes(0, 15), "<u1", lambda rng: e4m3_code(rng.uniform(0.05, 300)),
              "<u1", ["tensor_scale"]),
    "int4_g128": ("ui4", "block = [128, 1], scale = f16, rule = minmax, zero_point = ui4",
                  codes(0, 15), "<u1", lambda rng: rng.uniform(0.001, 0.1), "<f2",
                  ["zero_points"]),
    # 8-bit unsigned codes (four to a word on VNNI) with 8-bit zero points.
    "uint8_g64": ("ui8", "block = [64, 1], scale = f16, rule = minmax, zero_point = ui8",
                  codes(0, 255), "<u1", lambda rng: rng.uniform(0.001, 0.1), "<f2",
                  ["zero_points"]),
    # Blocks of 8 rows: passes of 8, and K = 40 is not a multiple of 16.
    "e3m0_8": ("!lowp.float<e3m0, finite>", "block = [8, 1], scale = f32, rule = absmax",
               codes(0, 15), "<u1", lambda rng: rng.uniform(0.01, 1.0), "<f4", []),
    # A plain FP8 weight (per-tensor scales are a product's factor): one
    # E8M0 scale of 1 per column for the kernel.
    "e4m3": ("f8E4M3FN", None, codes(0, 255, E4M3_NAN), "<u1", None, None, []),
    # Plain integers: unsigned bytes (VNNI's operand on the host), signed
    # int4 (packed at the boundary).
    "ui8": ("ui8", None, codes(0, 255), "<u1", None, None, []),
    "i4": ("i4", None, codes(-8, 7), "<i1", None, None, []),
    # Blocks of 134 = 2 x 67 rows: the bf16-pair GEMM's passes must be a
    # multiple of 2 (here 2), not 67, the largest divisor up to 128.
    "e4m3_134": ("f8E4M3FN", "block = [134, 1], scale = f32, rule = absmax",
                 codes(0, 255, E4M3_NAN), "<u1", lambda rng: rng.uniform(0.01, 1.0),
                 "<f4", []),
    # Codebook values that bf16 does not hold: f32 FMAs on every target.
    "nf4": ("!lowp.codebook<nf4>", "block = [64, 1], scale = f32, rule = absmax",
            codes(0, 15), "<u1", lambda rng: rng.uniform(0.01, 2.0), "<f4", []),
}

# (activation, weight, [(M, K, N)], options): options among "nk" (an N x K
# weight), "dynamic" (rows known at run time), "specials" (NaN elements and
# a NaN scale in the activation).
CASES = [
    ("mxfp8", "mxfp4", [(17, 128, 272), (6, 64, 128), (3, 64, 129)], ()),
    # Block-scaled tensors of dynamic shape are not lowered yet: a plain
    # activation with rows known at run time.
    ("e4m3", "mxfp4", [(18, 128, 300), (5, 128, 300)], ("dynamic",)),
    ("mxfp8", "mxfp4", [(9, 128, 272), (3, 128, 272)], ("specials",)),
    ("mxfp8", "mxfp4", [(17, 128, 272)], ("nk",)),
    ("mxfp4", "mxfp4", [(9, 128, 272), (2, 64, 130)], ()),
    ("nvfp4", "nvfp4", [(20, 128, 130)], ()),
    ("int8_row", "int4_g128", [(24, 256, 128), (1, 256, 130)], ()),
    # Integer products on VNNI (vpdpbusd) where the target has it: rows past
    # the register tiles, columns past the last tile, dynamic rows either
    # side of 6, 8-bit weight codes, passes of 64.
    ("int8", "int4_g128", [(17, 256, 272), (5, 256, 130)], ("dynamic",)),
    ("int8_row", "uint8_g64", [(9, 128, 140)], ()),
    ("mxint8", "int4_g128", [(9, 256, 272)], ()),
    ("int8", "ui8", [(9, 256, 140)], ()),
    ("e4m3", "i4", [(9, 64, 272)], ()),
    ("e4m3", "e4m3_134", [(9, 268, 256)], ()),
    ("e4m3", "mxfp8", [(16, 64, 256), (2, 64, 150)], ()),
    ("e4m3", "e4m3", [(16, 64, 256), (2, 64, 150)], ()),
    ("e4m3", "e4m3", [(16, 64, 256)], ("nk",)),
    ("e4m3", "e3m0_8", [(7, 40, 130)], ()),
    ("mxfp8", "nf4", [(8, 128, 140)], ()),
    ("bf16", "mxfp4", [(9, 128, 272), (2, 64, 130)], ()),
    # Scales that decide, per call, whether the GEMM multiplies the
    # operands' scaled values (the guard of docs/Lowering.md). Row 0 of x
    # and column 0 of the weight hold only their format's smallest nonzero
    # value, with their scales at the limit ("edge": scaled values), the
    # weight's one code below it ("tiny"), or x's one below ("tiny_x"):
    # there, scaled values would make y[0][0]'s products f32 subnormals
    # (or x's values bf16 subnormals), which vdpbf16ps flushes to zero.
    ("mxfp8", "mxfp4", [(9, 128, 272)], ("edge",)),
    ("mxfp8", "mxfp4", [(9, 128, 272)], ("tiny",)),
    ("mxfp8", "mxfp4", [(9, 128, 272)], ("tiny_x",)),
    ("e4m3", "mxfp8", [(16, 64, 256)], ("edge",)),
    ("e4m3", "mxfp8", [(16, 64, 256)], ("tiny",)),
]

# The smallest scale codes for which every scaled value and product stays a
# multiple of 2^-126: E4M3's lowest bit is 2^-9 (code 1), E2M1's 2^-1 (code
# 1). MXFP8 x MXFP4: x's exponent -117 (-117 - 9 = -126) and the weight's 1
# (-126 + 1 - 1 = -126). E4M3 x MXFP8: the weight's -108 (-9 - 108 - 9 =
# -126).
EDGE_CODES = {("mxfp8", "mxfp4"): (10, 128), ("e4m3", "mxfp8"): (None, 19)}


def tensor_type(shape, element, encoding):
    dims = "x".join(str(d) for d in shape)
    if encoding:
        return "tensor<%sx%s, #lowp.block_scaled<%s>>" % (dims, element, encoding)
    return "tensor<%sx%s>" % (dims, element)


def run_case(lowp_run, workdir, extra, activation, weight, shape, options, rng):
    m, k, n = shape
    transposed = "nk" in options
    dynamic = "dynamic" in options
    specials = "specials" in options
    limit = next((o for o in options if o in ("edge", "tiny", "tiny_x")), "")
    tag = "%s_x_%s%s%s%s%s_%dx%dx%d" % (activation, weight, "_nk" if transposed else "",
                                         "_dynamic" if dynamic else "",
                                         "_specials" if specials else "",
                                         "_" + limit if limit else "", m, k, n)
    x_element, x_encoding, x_codes, x_dtype, x_scale_codes, x_scale_dtype, \
        x_tensor_scale = ACTIVATIONS[activation]
    w_element, w_encoding, w_codes, w_dtype, w_scale_codes, w_scale_dtype, \
        w_parts = WEIGHTS[weight]
    if x_encoding:
        x_encoding = x_encoding.replace("{K}", str(k))
    # A plain weight is one block of all of K with no stored scales.
    w_block = int(w_encoding.split("[")[1].split(",")[0]) if w_encoding else k
    if transposed and w_encoding:
        w_encoding = w_encoding.replace("[%d, 1]" % w_block, "[1, %d]" % w_block)
    rows = "?" if dynamic else m
    x_type = tensor_type([rows, k], x_element, x_encoding)
    w_type = tensor_type([n, k] if transposed else [k, n], w_element, w_encoding)
    y_type = tensor_type([rows, n], "f32", None)
    attributes = "accumulator = f32" + (", transpose_rhs" if transposed else "")
    program = os.path.join(workdir, tag + ".mlir")
    with open(program, "w") as f:
        f.write("func.func @mm(%%x: %s, %%w: %s) -> %s {\n" % (x_type, w_type, y_type))
        f.write("  %%0 = lowp.matmul %%x, %%w {%s} : %s, %s -> %s\n"
                % (attributes, x_type, w_type, y_type))
        f.write("  return %%0 : %s\n}\n" % y_type)
    inputs = []

    def npy(part, dtype, dims, words):
        path = os.path.join(workdir, "%s.%s.npy" % (tag, part))
        write_npy(path, dtype, dims, words)
        inputs.append(path)

    elements = [x_codes(rng) for _ in range(m * k)]
    x_scales = []
    if x_encoding:
        x_block = int(x_encoding.split("[1, ")[1].split("]")[0])
        x_scales = [x_scale_codes(rng) for _ in range(m * (k // x_block))]
    if specials:
        # E4M3's NaN among row 0's elements (its row of y is NaN) and an
        # E8M0 NaN scale for a block of the last row (that row is NaN too).
        elements[5] = 0x7F
        x_scales[-1] = 0xFF
    w_scales = [w_scale_codes(rng) for _ in range(k // w_block * n)] if w_encoding else []
    w_elements = [w_codes(rng) for _ in range(k * n)]
    if limit:
        x_edge, w_edge = EDGE_CODES[(activation, weight)]
        elements[:k] = [1] * k
        for i in range(k):
            w_elements[i * n] = 1
        # Every other scale from the limit up.
        if x_edge is not None:
            x_scales = [rng.randrange(x_edge, x_edge + 8) for _ in x_scales]
            x_scales[:k // x_block] = [x_edge - (limit == "tiny_x")] * (k // x_block)
        w_scales = [rng.randrange(w_edge, w_edge + 8) for _ in w_scales]
        for b in range(k // w_block):
            w_scales[b * n] = w_edge - (limit == "tiny")
    npy("x_elements", x_dtype, [m, k], elements)
    if x_encoding:
        npy("x_scales", x_scale_dtype, [m, len(x_scales) // m], x_scales)
    if x_tensor_scale:
        npy("x_tensor_scale", "<f4", [], [rng.uniform(0.001, 0.01)])
    w_blocks = k // w_block
    per_block = [n, w_blocks] if transposed else [w_blocks, n]
    npy("w_elements", w_dtype, [n, k] if transposed else [k, n], w_elements)
    if w_encoding:
        npy("w_scales", w_scale_dtype, per_block, w_scales)
    if "tensor_scale" in w_parts:
        npy("w_tensor_scale", "<f4", [], [rng.uniform(0.001, 0.01)])
    if "zero_points" in w_parts:
        levels = 256 if "zero_point = ui8" in w_encoding else 16
        npy("w_zero_points", "<u1", per_block,
            [rng.randrange(0, levels) for _ in range(w_blocks * n)])
    return run_check(lowp_run, program, extra, inputs, tag)


def main():
    lowp_run, workdir = sys.argv[1], sys.argv[2]
    extra = [a for a in sys.argv[3:] if a.startswith("--")]
    wanted = [a for a in sys.argv[3:] if not a.startswith("--")]
    os.makedirs(workdir, exist_ok=True)
    rng = random.Random(23)
    status = 0
    for activation, weight, shapes, options in CASES:
        if wanted and "%s_x_%s" % (activation, weight) not in wanted:
            continue
        for shape in shapes:
            status |= run_case(lowp_run, workdir, extra, activation, weight, shape,
                               options, rng)
    sys.exit(1 if status else 0)


if __name__ == "__main__":
    main()
