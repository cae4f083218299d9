#!/usr/bin/env python3
"""Checks lowp's NVFP4 quantization against NVIDIA's definition, bit for bit.

  nvfp4_te.py LOWP_RUN WORKDIR

NVIDIA's definition is TransformerEngine's reference quantizer
(transformer_engine/pytorch/custom_recipes/quantization_nvfp4.py,
NVFP4QuantizerRef._quantize_blockwise_reference, 1x16 blocks, no RHT).
This script re-implements its steps on its own, in Python doubles rounded
to f32 after every operation (one rounding: each operation's exact result
fits a double), with E4M3 and E2M1 rounding by table lookup between
neighbouring values, not through lowp:

  S_enc = f32(2688 / amax)            at most FLT_MAX; 1 if it is 0
  S_dec = f32(1 / S_enc)              the tensor scale lowp stores
  m     = f32(S_enc * f32(1 / 6))
  s_b   = E4M3(min(f32(amax_b * m), FLT_MAX, 448))   to nearest even
  e_b   = min(f32(1 / f32(s_b * S_dec)), FLT_MAX)
  q     = E2M1(clamp(f32(x * e_b), -6, 6))           to nearest even

The tensors: random magnitudes (one large enough for the kernel's
parallel pass, one with a tail), blocks whose scaled elements sit on E2M1
ties, tiny (amax near and below the smallest normal f32) and huge (amax
near FLT_MAX) tensors, blocks whose E4M3 scale rounds to 0, all zeros,
and tensors holding inf or NaN. Each runs through lowp-run's compiled code
twice, with blocks along the rows (lowp's quantize kernel) and, on the
transposed tensor, along the columns (the elementwise lowering), and
through the reference interpreter; every element, block scale and the
tensor scale must match. Where TransformerEngine's Python reference leaves
a case to its table (-0.0 becomes +0 there; NaN becomes 0), this script
follows the hardware's cvt.rn.satfinite.e2m1x2.f32, as lowp does: -0.0 keeps
its sign, NaN becomes +6 (docs/Numerics.md). Standard library only.
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

FLT_MAX = struct.unpack("<f", struct.pack("<I", 0x7F7FFFFF))[0]
E2M1 = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]
E4M3 = [(m / 8) * 2.0 ** -6 if e == 0 else (1 + m / 8) * 2.0 ** (e - 7)
        for e in range(16) for m in range(8)][:127]


def f32(x):
    """x rounded to the nearest f32, ties to even."""
    if math.isnan(x):
        return math.nan
    if abs(x) >= 2.0 ** 128 * (1 - 2.0 ** -25):
        return math.copysign(math.inf, x)
    return struct.unpack("<f", struct.pack("<f", x))[0]


def f32_bits(x):
    if math.isnan(x):
        return 0x7FC00000
    return struct.unpack("<I", struct.pack("<f", x))[0]


def at_most(x, bound):
    """min(x, bound) keeping NaN, as torch.min and torch.clamp do."""
    return bound if x > bound else x


def round_to_table(values, x):
    """The index of the value of the ascending table nearest |x|, ties to
    the even index (codes and indices coincide for E4M3's and E2M1's
    non-negative codes); past the last, the last."""
    a = abs(x)
    if a >= values[-1]:
        return len(values) - 1
    lo, hi = 0, len(values) - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if values[mid] <= a:
            lo = mid
        else:
            hi = mid
    middle = (values[lo] + values[hi]) / 2
    if a != middle:
        return lo if a < middle else hi
    return lo if lo % 2 == 0 else hi


def e4m3_code(x):
    """x >= 0 or NaN, at most 448."""
    if math.isnan(x):
        return 0x7F
    return round_to_table(E4M3, x)


def e2m1_code(x):
    if math.isnan(x):
        return 0x7
    sign = 0x8 if math.copysign(1.0, x) < 0 else 0
    return sign | round_to_table(E2M1, x)


def quantize(rows):
    """TransformerEngine's NVFP4 steps on a list of rows of f32 values:
    (element codes by row, block scale codes by row, tensor scale bits)."""
    amax = 0.0
    for row in rows:
        for x in row:
            amax = math.nan if math.isnan(x) or math.isnan(amax) else max(amax, abs(x))
    encode = at_most(f32(2688.0 / amax) if amax != 0 else math.inf, FLT_MAX)
    if encode == 0:
        encode = 1.0
    decode = f32(1.0 / encode)
    multiplier = f32(encode * f32(1.0 / 6.0))
    elements, scales = [], []
    for row in rows:
        codes, row_scales = [], []
        for start in range(0, len(row), 16):
            block = row[start:start + 16]
            block_amax = 0.0
            for x in block:
                block_amax = (math.nan if math.isnan(x) or math.isnan(block_amax)
                              else max(block_amax, abs(x)))
            scale_value = at_most(at_most(f32(block_amax * multiplier), FLT_MAX), 448.0)
            scale = e4m3_code(scale_value)
            s_b = math.nan if scale == 0x7F else E4M3[scale]
            product = f32(s_b * decode)
            reciprocal = at_most(f32(1.0 / product) if product != 0 else math.inf,
                                 FLT_MAX)
            row_scales.append(scale)
            for x in block:
                scaled = f32(x * reciprocal)
                clamped = -6.0 if scaled < -6.0 else at_most(scaled, 6.0)
                codes.append(e2m1_code(clamped))
        elements.append(codes)
        scales.append(row_scales)
    return elements, scales, f32_bits(decode)


def write_f32(path, shape, values):
    """An f32 .npy file; a value given as an int is the word's bits (a NaN
    with a payload)."""
    bits = [v if isinstance(v, int) else f32_bits(v) for v in values]
    write_npy(path, "<u4", shape, bits)
    with open(path, "r+b") as f:
        f.seek(10)
        header = f.read(16)
        f.seek(10)
        f.write(header.replace(b"<u4", b"<f4"))


PROGRAM = """func.func @main(%x: tensor<{r}x{c}xf32>)
    -> tensor<{r}x{c}xf4E2M1FN, #lowp.block_scaled<{encoding}>> {{
  %q = lowp.quantize %x : tensor<{r}x{c}xf32>
      to tensor<{r}x{c}xf4E2M1FN, #lowp.block_scaled<{encoding}>>
  return %q : tensor<{r}x{c}xf4E2M1FN, #lowp.block_scaled<{encoding}>>
}}
"""
ROWS = "block = [16], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32"
COLUMNS = "block = [16, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32"


def transpose(matrix):
    return [list(column) for column in zip(*matrix)]


def ties(rng, rows, cols):
    """Blocks whose largest magnitude is 6 * 2^-k and whose other elements
    are E2M1 midpoints times 2^-k: after TE's scaling most land on ties."""
    midpoints = [0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0]
    result = []
    for _ in range(rows):
        row = []
        for _ in range(cols // 16):
            k = rng.randrange(0, 12)
            block = [rng.choice(midpoints) * rng.choice((1, -1)) * 2.0 ** -k
                     for _ in range(16)]
            block[rng.randrange(16)] = 6.0 * 2.0 ** -k
            row += block
        result.append(row)
    return result


def random_magnitudes(rng, rows, cols, low, high):
    return [[f32(rng.choice((1, -1)) * 2.0 ** rng.uniform(low, high))
             for _ in range(cols)] for _ in range(rows)]


def cases(rng):
    yield "random", random_magnitudes(rng, 4, 256, -20, 20)
    yield "ties", ties(rng, 4, 256)
    # amax 6 makes S_enc 448 and the block's reciprocal 1: 1.75 is a tie.
    # Past 2^16 elements the kernel reduces amax in parallel chunks; 3 x 48
    # leaves a tail of 16 after the 64-element units.
    # amax in the last chunk: every chunk's partial must count.
    large = random_magnitudes(rng, 16, 4096, -8, 8)
    large[15][4000] = -1000.0
    yield "parallel", large
    yield "tail", random_magnitudes(rng, 3, 48, -4, 4)
    yield "amax6", [[6.0, 1.75, -1.75, 0.25, 0.75, -2.5] + [1.25] * 10] * 2
    yield "tiny", random_magnitudes(rng, 2, 128, -130, -120)
    yield "subnormal", random_magnitudes(rng, 2, 64, -149, -127)
    yield "huge", random_magnitudes(rng, 2, 128, 120, 127.99)
    # One block's amax is 2^-24 of the tensor's: its E4M3 scale rounds to 0.
    small = random_magnitudes(rng, 2, 64, -1, 1)
    small[1][16:32] = [x * 2.0 ** -24 for x in small[1][16:32]]
    yield "zero_scale", small
    yield "zeros", [[0.0] * 32, [-0.0] * 32]
    with_inf = random_magnitudes(rng, 2, 32, -3, 3)
    with_inf[0][5] = math.inf
    with_inf[1][20] = -math.inf
    yield "inf", with_inf
    with_nan = random_magnitudes(rng, 2, 32, -3, 3)
    with_nan[1][7] = math.nan
    yield "nan", with_nan
    # A negative NaN with a payload, as bits: the stored NaNs are canonical.
    with_payload = random_magnitudes(rng, 2, 32, -3, 3)
    with_payload[0][3] = 0xFFA00001
    yield "nan_payload", with_payload


def compare(tag, name, got, expected):
    mismatches = sum(1 for g, e in zip(got, expected) if g != e)
    if len(got) != len(expected):
        mismatches = max(len(got), len(expected))
    print("%s: %s: %d values, %d mismatches" % (tag, name, len(expected), mismatches))
    return mismatches == 0


def run_lowp(lowp_run, workdir, tag, matrix, encoding, extra):
    rows, cols = len(matrix), len(matrix[0])
    program = os.path.join(workdir, tag + ".mlir")
    with open(program, "w") as f:
        f.write(PROGRAM.format(r=rows, c=cols, encoding=encoding))
    x = os.path.join(workdir, tag + ".x.npy")
    write_f32(x, [rows, cols], [v for row in matrix for v in row])
    outputs = [os.path.join(workdir, "%s.%s.npy" % (tag, part))
               for part in ("elements", "scales", "tensor_scale")]
    done = subprocess.run([lowp_run, program, "--input=" + x] + extra +
                          ["--output=" + o for o in outputs],
                          capture_output=True, text=True)
    if done.returncode != 0:
        print("%s: lowp-run failed: %s" % (tag, done.stderr.strip()))
        return None
    return [read_npy(o, bits=True) for o in outputs]


def main():
    lowp_run, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    rng = random.Random(2688)
    ok = True
    for name, matrix in cases(rng):
        elements, scales, tensor_scale = quantize(
            [[math.nan if isinstance(v, int) else v for v in row] for row in matrix])
        flat_elements = [c for row in elements for c in row]
        flat_scales = [s for row in scales for s in row]
        runs = [("compiled_rows", matrix, ROWS, []),
                ("reference_rows", matrix, ROWS, ["--reference"]),
                ("compiled_columns", transpose(matrix), COLUMNS, [])]
        for path, data, encoding, extra in runs:
            tag = "%s_%s" % (name, path)
            parts = run_lowp(lowp_run, workdir, tag, data, encoding, extra)
            if parts is None:
                ok = False
                continue
            (_, got_elements), (_, got_scales), (_, got_tensor) = parts
            if encoding == COLUMNS:
                cols = len(matrix)
                got_elements = [c for row in transpose(
                    [got_elements[i:i + cols] for i in range(0, len(got_elements), cols)])
                    for c in row]
                got_scales = [s for row in transpose(
                    [got_scales[i:i + cols] for i in range(0, len(got_scales), cols)])
                    for s in row]
            ok &= compare(tag, "elements", got_elements, flat_elements)
            ok &= compare(tag, "scales", got_scales, flat_scales)
            ok &= compare(tag, "tensor scale", got_tensor, [tensor_scale])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
