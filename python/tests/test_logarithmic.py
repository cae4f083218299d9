"""Logarithmic numbers (!lowp.lns<I, F>) through the Python package,
against values computed here with the decimal module at 60 digits (sharing
nothing with the C++ core, which uses MPFR's exp2 thresholds): every code
decoded, every f16 value rounded in the log domain, products exact, and the
documented error bound of addition (docs/Numerics.md, "Logarithmic
numbers"). unittests/Numerics/LogarithmicTest.cpp and
test/Integration/convert-logarithmic.test check the core against MPFR's
log2 and compiled code against the reference."""

import decimal
from decimal import Decimal

import numpy as np
import pytest

import lowp

decimal.getcontext().prec = 60
LN2 = Decimal(2).ln()


def exact_value(integer_bits, fraction_bits, code):
    w = integer_bits + fraction_bits
    field = code & ((1 << w) - 1)
    if field == 0:
        return None if code >> w else Decimal(0)
    l = field - (1 << (w - 1))
    v = (Decimal(l) / (1 << fraction_bits) * LN2).exp()
    return -v if code >> w else v


def log_code(integer_bits, fraction_bits, x):
    """Round-to-nearest code of a finite float x, by the policy."""
    w = integer_bits + fraction_bits
    bias = 1 << (w - 1)
    lmin, lmax = 1 - bias, bias - 1
    if x == 0:
        return 0
    sign = (1 << w) if x < 0 else 0
    t = Decimal(abs(x)).ln() / LN2 * (1 << fraction_bits)
    l = int(t.to_integral_value(rounding=decimal.ROUND_HALF_EVEN))
    if l < lmin:
        # Zero or minpos, by value at minpos / 2.
        half = (Decimal(lmin) / (1 << fraction_bits) * LN2).exp() / 2
        if Decimal(abs(x)) <= half:
            return 0
        l = lmin
    return sign | (min(l, lmax) + bias)


@pytest.mark.parametrize("i,f", [(4, 3), (3, 1), (1, 0), (5, 10)])
def test_decode_every_code(i, f):
    fmt = "!lowp.lns<%d, %d>" % (i, f)
    codes = np.arange(2 << (i + f), dtype=np.uint32)
    as_f64 = lowp.decode(codes, fmt, np.float64)
    as_f32 = lowp.decode(codes, fmt, np.float32)
    for code, v64, v32 in zip(codes.tolist(), as_f64.tolist(), as_f32.tolist()):
        expected = exact_value(i, f, code)
        if expected is None:
            assert np.isnan(v64) and np.isnan(v32)
            continue
        # The nearest double (float(Decimal) rounds correctly), and the
        # nearest f32 to the exact value (not to the double).
        assert v64 == float(expected), code
        guess = np.float32(float(expected))
        candidates = [np.nextafter(guess, np.float32(-np.inf)), guess,
                      np.nextafter(guess, np.float32(np.inf))]
        nearest = min(candidates, key=lambda c: abs(Decimal(float(c)) - expected))
        assert v32 == float(nearest), code


@pytest.mark.parametrize("i,f", [(4, 3), (3, 1), (2, 4)])
def test_rounds_every_f16_in_the_log_domain(i, f):
    codes = np.arange(1 << 16, dtype=np.uint16).view(np.float16)
    x = codes[np.isfinite(codes)].astype(np.float32)
    encoded = lowp.encode(x, "!lowp.lns<%d, %d>" % (i, f))
    for value, code in zip(x.tolist(), encoded.tolist()):
        assert code == log_code(i, f, value), value


def test_products_are_exact_and_sums_within_the_bound():
    fmt, f = "!lowp.lns<4, 3>", 3
    codes = np.arange(1, 128, dtype=np.uint32)  # positive, nonzero
    values = lowp.decode(codes, fmt)
    a, b = np.meshgrid(values, values)
    la, lb = np.meshgrid(codes.astype(np.int64) - 64, codes.astype(np.int64) - 64)
    in_range = np.abs(la + lb) <= 63
    product = lowp.encode((a * b)[in_range], fmt)
    assert np.array_equal(product.astype(np.int64), (la + lb)[in_range] + 64)
    # Addition: one rounding in the log domain, so the relative error of
    # the rounded sum is at most 2^(1/2^(F+1)) - 1 (within the range).
    total = a + b
    inside = total < lowp.finfo(fmt).max
    rounded = lowp.round(total[inside], fmt)
    error = np.abs(rounded - total[inside]) / total[inside]
    bound = 2.0 ** (1 / 2 ** (f + 1)) - 1
    assert error.max() <= bound * (1 + 1e-12)
    assert error.max() > 0.9 * bound  # the bound is nearly reached


def test_compiled_conversions_match_emulation():
    x = np.random.default_rng(3).standard_normal(4096).astype(np.float32) * 8
    module = lowp.compile("""
func.func @trip(%x: tensor<4096xf32>) -> (tensor<4096x!lowp.lns<4, 3>>, tensor<4096xf32>) {
  %l = lowp.convert %x : tensor<4096xf32> to tensor<4096x!lowp.lns<4, 3>>
  %y = lowp.convert %l : tensor<4096x!lowp.lns<4, 3>> to tensor<4096xf32>
  return %l, %y : tensor<4096x!lowp.lns<4, 3>>, tensor<4096xf32>
}
""")
    codes, back = module.trip(x)
    np.testing.assert_array_equal(codes, lowp.encode(x, "!lowp.lns<4, 3>"))
    np.testing.assert_array_equal(back, lowp.round(x, "!lowp.lns<4, 3>"))


def test_format_info():
    info = lowp.finfo("!lowp.lns<4, 3>")
    assert (info.kind, info.integer_bits, info.fraction_bits) == (
        "logarithmic", 4, 3)
    assert info.max == pytest.approx(2 ** 7.875, rel=1e-15)
    assert lowp.finfo("!lowp.posit<16, 1>").es == 1
    with pytest.raises(lowp.FormatError, match="wider than the supported 16"):
        lowp.finfo("!lowp.lns<6, 10>")


def test_stochastic_rounding_is_refused():
    with pytest.raises(lowp.Error, match="logarithmic"):
        lowp.encode(np.ones(4, np.float32), "!lowp.lns<4, 3>",
                    rounding="stochastic",
                    random_bits=np.zeros(4, np.uint32))
