"""Stochastic rounding with lowp.random_bits, statistically: the mean of
the rounded values is the input's value within the bias that k random bits
allow (one 2^-k of the spacing) plus six standard deviations of the
sample mean, and each result is one of the input's two neighbours. The
exact bits are checked against Random123's answers and the reference
interpreter by test/Integration/random-bits.test."""

import numpy as np
import pytest

import lowp

COUNT = 1 << 16

SOURCE = """
func.func @round(%x: tensor<65536xf32>, %seed: i64) -> tensor<65536xf32> {
  %offset = arith.constant 0 : i64
  %r = lowp.random_bits %seed, %offset : tensor<65536xi8>
  %q = lowp.convert %x random(%r : tensor<65536xi8>) stochastic
      : tensor<65536xf32> to tensor<65536xf4E2M1FN>
  %y = lowp.convert %q : tensor<65536xf4E2M1FN> to tensor<65536xf32>
  return %y : tensor<65536xf32>
}
"""

# E2M1's values and the spacing around each test point.
E2M1 = np.array([0, 0.5, 1, 1.5, 2, 3, 4, 6])


@pytest.fixture(scope="module")
def module():
    return lowp.compile(SOURCE)


def neighbours(x):
    magnitude = abs(x)
    above = E2M1[np.searchsorted(E2M1, magnitude)]
    below = E2M1[np.searchsorted(E2M1, magnitude, side="right") - 1]
    sign = -1.0 if x < 0 else 1.0
    return sign * below, sign * above


@pytest.mark.parametrize("x", [0.1, 0.3, 0.75, 1.2, 2.6, 3.3, -4.5, 5.9])
@pytest.mark.parametrize("seed", [1, 2026, -7])
def test_mean_rounding_error_is_zero(module, x, seed):
    y = module.round(np.full(COUNT, x, np.float32), seed)
    below, above = neighbours(float(np.float32(x)))
    assert set(np.unique(y)) <= {below, above}
    spacing = abs(above - below)
    p = abs(float(np.float32(x)) - below) / spacing
    sigma = spacing * np.sqrt(p * (1 - p) / COUNT)
    bound = spacing / 256 + 6 * sigma
    assert abs(y.mean(dtype=np.float64) - float(np.float32(x))) <= bound


def test_same_seed_same_bits_other_seed_other_bits(module):
    x = np.full(COUNT, 0.3, np.float32)
    first, again = module.round(x, 11), module.round(x, 11)
    np.testing.assert_array_equal(first, again)
    other = module.round(x, 12)
    assert (first != other).mean() > 0.1
