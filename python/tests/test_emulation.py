"""lowp.finfo/encode/decode/round against lowp-format (the numerics core's
command-line face) and the reference interpreter, on every builtin format,
formats of every other kind, every rounding mode, saturating or not.

The inputs sit where rounding decides: every value of the format, every
midpoint between neighbours, one and two float32 ulps either side, doubles
that no float32 equals next to the midpoints, zeros, infinities, NaN, and
random float32 patterns."""

from __future__ import annotations

import math
import os
import tempfile

import numpy as np
import pytest

import lowp
from conftest import (BUILTIN_FLOATS, DETERMINISTIC_MODES, OTHER_FORMATS,
                      run_tool)

ALL_FORMATS = BUILTIN_FLOATS + OTHER_FORMATS


def table(fmt: str) -> np.ndarray:
    """Every code's value, from lowp-format (formats of up to 16 bits)."""
    lines = run_tool("lowp-format", ["table", fmt]).splitlines()
    return np.array([float(line.split()[1]) for line in lines])


@np.errstate(over="ignore", invalid="ignore")
def boundary_inputs(fmt: str) -> tuple:
    """float32 and float64 inputs at every rounding boundary of fmt."""
    info = lowp.finfo(fmt)
    if info.bits <= 16:
        values = np.unique(table(fmt)[~np.isnan(table(fmt))])
    else:
        rng = np.random.default_rng(1)
        values = np.unique(lowp.round(rng.standard_normal(4096) *
                                      2.0 ** rng.integers(-20, 20, 4096),
                                      fmt))
    mids = (values[:-1] + values[1:]) / 2
    points = np.concatenate([values, mids, [2 * info.max, -2 * info.max]])
    centers = points.astype(np.float32)
    centers = centers[np.isfinite(centers)]
    bits = centers.view(np.uint32).astype(np.int64)
    near = np.concatenate([bits + d for d in (-2, -1, 0, 1, 2)])
    near = near[(near >= 0) & (near < 2**32)].astype(np.uint32)
    rng = np.random.default_rng(7)
    f32 = np.concatenate([
        near.view(np.float32),
        rng.integers(0, 2**32, 4000, dtype=np.uint64).astype(
            np.uint32).view(np.float32),
        np.float32([0.0, -0.0, np.inf, -np.inf, np.nan, 3e38, -3e38, 1e-45,
                    -1e-45]),
    ])
    # Doubles just off the midpoints: no float32 equals them, so a path
    # that rounded through float32 first would round the midpoint.
    f64 = np.concatenate([mids * (1 + 2.0**-45), mids * (1 - 2.0**-45)])
    f64 = f64[np.isfinite(f64) & (f64.astype(np.float32).astype(np.float64)
                                  != f64)]
    return f32, f64


@np.errstate(invalid="ignore")
def format_encode(fmt: str, values: np.ndarray, mode: str, saturate: bool,
                  extra=()) -> np.ndarray:
    """lowp-format's codes for values (written as exact C99 hex)."""
    lines = "\n".join(float(v).hex() if math.isfinite(v) else
                      ("nan" if math.isnan(v) else ("inf" if v > 0 else
                                                    "-inf"))
                      for v in values.astype(np.float64)) + "\n"
    args = ["encode", fmt, f"--rounding={mode}", *extra]
    if saturate:
        args.append("--saturate")
    out = run_tool("lowp-format", args, stdin=lines).splitlines()
    return np.array([int(line.split()[0], 16) for line in out],
                    dtype=np.uint64)


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_finfo_matches_lowp_format(fmt):
    info = lowp.finfo(fmt)
    fields = {}
    for line in run_tool("lowp-format", ["info", fmt]).splitlines():
        key, _, value = line.partition("  ")
        fields[key.strip()] = value.strip()
    assert info.bits == int(fields["bits"])
    assert info.kind == fields["kind"]
    assert info.max == float(fields["max"])
    assert info.min == float(fields["min"])
    if "min normal" in fields:
        assert info.smallest_normal == float(fields["min normal"])
        assert info.smallest_subnormal == float(fields["min subnormal"])
        assert info.eps == float(fields["epsilon"])
        assert info.nexp == int(fields["exponent bits"])
        assert info.nmant == int(fields["mantissa bits"])
        assert info.bias == int(fields["bias"])
        assert info.special_values == fields["specials"]
    else:
        assert info.smallest_subnormal == float(fields["min positive"])
    assert info.has_infinity == (fields["inf"] != "none")
    assert info.has_nan == (fields["nan"] != "none")
    assert info.has_negative_zero == (fields["-0"] != "none")


def test_finfo_e4m3_fields():
    info = lowp.finfo("f8E4M3FN")
    assert (info.bits, info.max, info.min, info.tiny, info.smallest_subnormal,
            info.eps) == (8, 448.0, -448.0, 2.0**-6, 2.0**-9, 0.125)
    assert not info.has_infinity and info.has_nan
    assert lowp.finfo("!lowp.codebook<nf4>").values[0] == -1.0


@pytest.mark.parametrize("fmt", [f for f in ALL_FORMATS
                                 if f not in ("tf32",)])
def test_decode_is_the_table(fmt):
    expected = table(fmt)
    codes = np.arange(len(expected))
    for dtype in (np.float64, np.float32):
        got = lowp.decode(codes, fmt, dtype=dtype)
        assert got.dtype == dtype
        np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
        ok = ~np.isnan(expected)
        np.testing.assert_array_equal(got[ok], expected[ok].astype(dtype))


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize("saturate", [False, True])
def test_encode_matches_lowp_format(fmt, saturate):
    f32, f64 = boundary_inputs(fmt)
    for mode in DETERMINISTIC_MODES:
        for values in (f32, f64):
            expected = format_encode(fmt, values, mode, saturate)
            codes = lowp.encode(values, fmt, mode, saturate)
            bits = lowp.finfo(fmt).bits
            assert codes.dtype == (np.uint8 if bits <= 8 else
                                   np.uint16 if bits <= 16 else np.uint32)
            mismatch = np.nonzero(codes.astype(np.uint64) != expected)[0]
            assert mismatch.size == 0, (
                f"{fmt} {mode} saturate={saturate}: "
                f"x={float(values[mismatch[0]]).hex()} lowp.encode "
                f"{int(codes[mismatch[0]]):#x}, lowp-format "
                f"{int(expected[mismatch[0]]):#x}")
            rounded = lowp.round(values, fmt, mode, saturate)
            decoded = lowp.decode(codes, fmt, dtype=values.dtype)
            assert rounded.dtype == values.dtype
            np.testing.assert_array_equal(rounded, decoded)


@pytest.mark.parametrize("fmt", [f for f in ALL_FORMATS
                                 if "codebook" not in f])
def test_stochastic_matches_lowp_format(fmt):
    rng = np.random.default_rng(3)
    values = (rng.standard_normal(64) *
              lowp.finfo(fmt).smallest_normal * 8).astype(np.float32)
    values[:4] = [0.0, np.nan, 1e30, -1e30]
    for r in range(16):
        random = np.full(values.shape, r, dtype=np.uint64)
        expected = format_encode(fmt, values, "stochastic", False,
                                 [f"--random-bits={r}", "--random-bit-count=4"])
        codes = lowp.encode(values, fmt, "stochastic", random_bits=random,
                            random_bit_count=4)
        np.testing.assert_array_equal(codes.astype(np.uint64), expected)


def test_stochastic_rounding_is_unbiased():
    """f32(1.1) lies a fraction 0.2000000477 of E2M1's step (0.5) above 1:
    of the 256 8-bit random numbers, floor(0.2000000477 * 256) = 51 round it
    up, and with a seed the mean over 2^20 elements is within a few
    standard errors of f32(1.1) itself."""
    x = np.full(256, 1.1, dtype=np.float32)
    exact = lowp.round(x, "f4E2M1FN", "stochastic",
                       random_bits=np.arange(256, dtype=np.uint64),
                       random_bit_count=8)
    assert int((exact == 1.5).sum()) == 51
    y = lowp.round(np.full(1 << 20, 1.1, dtype=np.float32), "f4E2M1FN",
                   "stochastic", seed=1)
    sigma = 0.5 * math.sqrt(0.2 * 0.8 / (1 << 20))
    assert abs(float(y.astype(np.float64).mean()) -
               float(np.float32(1.1))) < 6 * sigma


def test_any_shape_and_strides():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 8, 5)).astype(np.float32)
    view = x.transpose(2, 0, 1)[:, ::2, 1:]
    codes = lowp.encode(view, "f8E5M2")
    assert codes.shape == view.shape
    np.testing.assert_array_equal(codes, lowp.encode(view.copy(), "f8E5M2"))
    assert lowp.round(np.float16([1.0, 3.0]), "f4E2M1FN").dtype == np.float32
    assert lowp.encode(np.arange(-3, 4), "i4").tolist() == [
        13, 14, 15, 0, 1, 2, 3]
    assert lowp.encode(5.0, "f4E2M1FN").shape == ()


@pytest.mark.parametrize("call, message", [
    (lambda: lowp.encode([1.0], "f7"), "'f7' is not a format"),
    (lambda: lowp.encode([1.0], "f8E4M3FN", "nearest"),
     "'nearest' is not a rounding mode"),
    (lambda: lowp.encode([1.0], "f8E4M3FN", "stochastic"),
     "needs random_bits"),
    (lambda: lowp.encode([1.0], "f8E4M3FN", random_bits=[1]),
     "only read by stochastic"),
    (lambda: lowp.encode([1.0, 2.0], "f8E4M3FN", "stochastic",
                         random_bits=[1]), "shape"),
    (lambda: lowp.encode([1.0], "!lowp.codebook<nf4>", "stochastic", seed=1),
     "stochastic"),
    (lambda: lowp.encode(["a"], "f8E4M3FN"), "real numbers"),
    (lambda: lowp.decode([16], "f4E2M1FN"), "bits above"),
    (lambda: lowp.decode([-1], "f4E2M1FN"), "negative"),
    (lambda: lowp.decode([1.5], "f4E2M1FN"), "integers"),
    (lambda: lowp.decode([1], "f4E2M1FN", dtype=np.int32), "float32"),
    (lambda: lowp.encode([1.0], 3), "MLIR type text"),
    (lambda: lowp.encode([1.0], "f8E4M3FN", threads=0), "threads"),
])
def test_errors(call, message):
    with pytest.raises(lowp.Error, match=message):
        call()


def reference_codes(tmp: str, source: str, inputs) -> np.ndarray:
    """@main of `source` run by lowp-run's reference interpreter on
    `inputs`; its result as codes (f16 viewed as uint16)."""
    path = os.path.join(tmp, "convert.mlir")
    with open(path, "w") as f:
        f.write(source)
    args = [path, "--reference"]
    for i, array in enumerate(inputs):
        np.save(os.path.join(tmp, f"in{i}.npy"), array)
        args.append(f"--input={os.path.join(tmp, f'in{i}.npy')}")
    out = os.path.join(tmp, "y.npy")
    run_tool("lowp-run", args + [f"--output={out}"])
    result = np.load(out)
    if result.dtype == np.float16:
        result = result.view(np.uint16)
    return result.astype(np.uint64)


def test_reference_interpreter_agrees():
    """lowp.convert of every builtin format and deterministic mode, run by
    lowp-run's reference interpreter, gives lowp.encode's codes."""
    rng = np.random.default_rng(5)
    x = np.concatenate([
        rng.standard_normal(48) * 2.0 ** rng.integers(-12, 12, 48),
        [0.0, -0.0, np.inf, -np.inf, np.nan, 1e30, -1e30, 1e-40]]).astype(
            np.float32)
    n = x.size
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in BUILTIN_FLOATS + ["!lowp.float<e3m3>"]:
            for mode in DETERMINISTIC_MODES:
                reference = reference_codes(
                    tmp, f"func.func @main(%x: tensor<{n}xf32>) -> "
                    f"tensor<{n}x{fmt}> {{\n"
                    f"  %0 = lowp.convert %x {mode} : tensor<{n}xf32>"
                    f" to tensor<{n}x{fmt}>\n"
                    f"  return %0 : tensor<{n}x{fmt}>\n}}\n", [x])
                np.testing.assert_array_equal(
                    lowp.encode(x, fmt, mode).astype(np.uint64), reference,
                    err_msg=f"{fmt} {mode}")


def test_reference_interpreter_agrees_on_stochastic_rounding():
    """lowp.convert ... stochastic with 8 random bits per element, run by the
    reference interpreter, gives lowp.encode's codes with the same bits."""
    rng = np.random.default_rng(6)
    n = 64
    x = (rng.standard_normal(n) * 2.0 ** rng.integers(-8, 8, n)).astype(
        np.float32)
    random = rng.integers(-128, 128, n).astype(np.int8)
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in BUILTIN_FLOATS + ["!lowp.float<e3m3>"]:
            reference = reference_codes(
                tmp, f"func.func @main(%x: tensor<{n}xf32>, %r: "
                f"tensor<{n}xi8>) -> tensor<{n}x{fmt}> {{\n"
                f"  %0 = lowp.convert %x random(%r : tensor<{n}xi8>) "
                f"stochastic : tensor<{n}xf32> to tensor<{n}x{fmt}>\n"
                f"  return %0 : tensor<{n}x{fmt}>\n}}\n", [x, random])
            codes = lowp.encode(x, fmt, "stochastic",
                                random_bits=random.view(np.uint8).astype(
                                    np.uint64), random_bit_count=8)
            np.testing.assert_array_equal(codes.astype(np.uint64), reference,
                                          err_msg=fmt)
