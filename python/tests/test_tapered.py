"""Posits and HiFloat8 through the Python package, against decoders and
rounders written here from the definitions in docs/Numerics.md (with
fractions.Fraction, sharing nothing with the C++ core): every code decoded,
every f16 value rounded, and a compiled function checked against both.
unittests/Numerics/TaperedTest.cpp and test/Integration/convert-tapered.test
check the core and the compiled code exhaustively."""

import bisect
import functools
from fractions import Fraction

import numpy as np
import pytest

import lowp


def posit_value(n, es, code):
    """The exact value of an n-bit posit code (None for NaR)."""
    if code == 0:
        return Fraction(0)
    if code == 1 << (n - 1):
        return None
    sign = 1
    if code >> (n - 1):
        sign, code = -1, (1 << n) - code
    bits = format(code, "0%db" % n)[1:]
    run = len(bits) - len(bits.lstrip(bits[0]))
    k = run - 1 if bits[0] == "1" else -run
    rest = bits[run + 1:]
    e = int((rest[:es] + "0" * es)[:es] or "0", 2)
    f = rest[es:]
    fraction = Fraction(int(f, 2), 1 << len(f)) if f else Fraction(0)
    return sign * (1 + fraction) * Fraction(2) ** (k * (1 << es) + e)


@functools.lru_cache(maxsize=None)
def posit_magnitudes(n, es):
    return [posit_value(n, es, c) for c in range(1, 1 << (n - 1))]


def posit_round(n, es, x):
    """Round-to-nearest-even into posit<n, es> by the standard's rule."""
    if x == 0:
        return 0
    magnitudes = posit_magnitudes(n, es)
    a = abs(x)
    if a >= magnitudes[-1]:
        m = len(magnitudes)
    elif a <= magnitudes[0]:
        m = 1
    else:
        # lo: the magnitude code of the largest value <= a.
        lo = bisect.bisect_right(magnitudes, a)
        if magnitudes[lo - 1] == a:
            m = lo
        else:
            mid = posit_value(n + 1, es, (lo << 1) | 1)
            m = lo if a < mid or (a == mid and lo % 2 == 0) else lo + 1
    return m if x > 0 else ((1 << n) - m) & ((1 << n) - 1)


HIF8_ROWS = [("11", 4, 1), ("10", 3, 2), ("01", 2, 3), ("001", 1, 3),
             ("0001", 0, 3)]


def hif8_values():
    """code -> exact value of the finite HiFloat8 codes."""
    table = {0: Fraction(0)}
    for sign in (0, 1):
        for dot, width, mbits in HIF8_ROWS:
            for field in range(1 << width if width else 1):
                e = 0
                if width:
                    magnitude = (1 << (width - 1)) + (field & ((1 << (width - 1)) - 1))
                    e = -magnitude if field >> (width - 1) else magnitude
                for m in range(1 << mbits):
                    text = str(sign) + dot + (format(field, "0%db" % width)
                                              if width else "") \
                        + format(m, "0%db" % mbits)
                    v = (1 + Fraction(m, 1 << mbits)) * Fraction(2) ** e
                    table[int(text, 2)] = -v if sign else v
        for m in range(1, 8):
            v = Fraction(2) ** (m - 23)
            table[(sign << 7) | m] = -v if sign else v
    del table[0x6F], table[0xEF]  # the infinities
    return table


@functools.lru_cache(maxsize=None)
def hif8_sorted():
    values = sorted((v, c) for c, v in hif8_values().items() if v >= 0)
    values.append((Fraction(3, 2) * 2 ** 15, 0x6F))  # where inf stands
    return values, [v for v, _ in values]


def hif8_round_away(x):
    """HiFloat8's own rounding (half away from zero), non-saturating."""
    values, magnitudes = hif8_sorted()
    a = abs(x)
    sign = 0x80 if x < 0 else 0
    if a >= values[-1][0]:
        return sign | 0x6F
    lo = bisect.bisect_right(magnitudes, a) - 1
    (lv, lc), (hv, hc) = values[lo], values[lo + 1]
    code = lc if a < (lv + hv) / 2 else hc
    return 0 if code == 0 else sign | code


def f16_values():
    codes = np.arange(1 << 16, dtype=np.uint16).view(np.float16)
    return codes[np.isfinite(codes)].astype(np.float32)


@pytest.mark.parametrize("n,es", [(5, 0), (6, 1), (8, 0), (8, 2)])
def test_posit_decode_every_code(n, es):
    codes = np.arange(1 << n, dtype=np.uint32)
    decoded = lowp.decode(codes, "!lowp.posit<%d, %d>" % (n, es))
    for code, value in zip(codes.tolist(), decoded.tolist()):
        expected = posit_value(n, es, code)
        if expected is None:
            assert np.isnan(value)
        else:
            assert Fraction(value) == expected, (code, value)


@pytest.mark.parametrize("n,es", [(6, 1), (8, 0), (8, 2)])
def test_posit_rounds_every_f16(n, es):
    x = f16_values()
    codes = lowp.encode(x, "!lowp.posit<%d, %d>" % (n, es))
    for value, code in zip(x.tolist(), codes.tolist()):
        assert code == posit_round(n, es, Fraction(value)), value


def test_hif8_decode_every_code():
    table = hif8_values()
    codes = np.arange(256, dtype=np.uint32)
    decoded = lowp.decode(codes, "!lowp.hif8")
    for code, value in zip(codes.tolist(), decoded.tolist()):
        if code == 0x80:
            assert np.isnan(value)
        elif code in (0x6F, 0xEF):
            assert value == (np.inf if code == 0x6F else -np.inf)
        else:
            assert Fraction(value) == table[code], code


def test_hif8_rounds_every_f16_half_away():
    x = f16_values()
    codes = lowp.encode(x, "!lowp.hif8", rounding="to_nearest_away")
    for value, code in zip(x.tolist(), codes.tolist()):
        assert code == hif8_round_away(Fraction(value)), value


def test_compiled_round_trip_matches_emulation():
    x = np.random.default_rng(5).standard_normal(4096).astype(np.float32) * 30
    module = lowp.compile("""
func.func @trip(%x: tensor<4096xf32>) -> (tensor<4096xf32>, tensor<4096xf32>) {
  %p = lowp.convert %x : tensor<4096xf32> to tensor<4096x!lowp.posit<16, 1>>
  %h = lowp.convert %x to_nearest_away : tensor<4096xf32> to tensor<4096x!lowp.hif8>
  %pf = lowp.convert %p : tensor<4096x!lowp.posit<16, 1>> to tensor<4096xf32>
  %hf = lowp.convert %h : tensor<4096x!lowp.hif8> to tensor<4096xf32>
  return %pf, %hf : tensor<4096xf32>, tensor<4096xf32>
}
""")
    posit, hif8 = module.trip(x)
    np.testing.assert_array_equal(posit, lowp.round(x, "!lowp.posit<16, 1>"))
    np.testing.assert_array_equal(
        hif8, lowp.round(x, "!lowp.hif8", rounding="to_nearest_away"))
    # In [0.5, 2) posit16 keeps 12 fraction bits; in [1, 2) HiFloat8 3.
    a = np.abs(x)
    near = (a >= 0.5) & (a < 2)
    assert np.max(np.abs(posit - x)[near] / a[near]) <= 2.0 ** -13
    one = (a >= 1) & (a < 2)
    assert np.max(np.abs(hif8 - x)[one] / a[one]) <= 2.0 ** -4


def test_format_info():
    info = lowp.finfo("!lowp.posit<8, 0>")
    assert (info.max, info.smallest_subnormal, info.eps) == (64.0, 1 / 64, 1 / 32)
    info = lowp.finfo("!lowp.hif8")
    assert (info.max, info.smallest_normal, info.smallest_subnormal) == (
        32768.0, 2.0 ** -15, 2.0 ** -22)
    with pytest.raises(lowp.FormatError, match="posit width 40"):
        lowp.finfo("!lowp.posit<40, 2>")
