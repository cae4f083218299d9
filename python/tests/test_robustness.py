"""Wrong input of every kind at every entry point of the package: each is a
Python exception (a lowp.Error, or the TypeError/ValueError/AttributeError
of plain Python misuse), never a crash of the interpreter, a hang or a
silently wrong answer."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import lowp

ALLOWED = (lowp.Error, TypeError, ValueError, AttributeError)

WEIRD_VALUES = [
    None, 3, 2.5, "text", b"bytes", [1, [2, 3]], {"a": 1}, object(),
    np.array([], dtype=np.float32), np.zeros((0, 4), np.float32),
    np.array(["a", "b"]), np.array([1 + 2j]), np.array([object()]),
    np.zeros((2, 3), dtype=[("x", np.float32)]), np.float32(np.nan),
    np.array([np.inf, -np.inf, np.nan], np.float32),
    np.arange(10, dtype=np.int64) * 2**60, np.zeros((2, 2, 2, 2, 2, 2, 2)),
]
WEIRD_FORMATS = [
    "", " ", "f7", "tensor<4xf32>", "!lowp.float<e0m0>", "!lowp.float<e9m30>",
    "i0", "i33", "f8E4M3FN f8E5M2", "!lowp.codebook<>", "#lowp.block_scaled<mx>",
    "f8E4M3FN\x00", "\u00e9", "func.func", None, 5,
]


def outcome(call):
    """Runs `call`; returns 'ok' or the exception's class. Fails the test on
    an exception that plain misuse should not raise."""
    try:
        call()
        return "ok"
    except ALLOWED as error:
        return type(error).__name__


@pytest.mark.parametrize("fmt", WEIRD_FORMATS)
def test_weird_formats(fmt):
    for call in (lambda: lowp.finfo(fmt), lambda: lowp.encode([1.0], fmt),
                 lambda: lowp.decode([1], fmt), lambda: lowp.round([1.0], fmt),
                 lambda: lowp.quantize(np.ones((2, 32), np.float32), fmt)):
        assert outcome(call) != "ok" or fmt is not None


@pytest.mark.parametrize("value", WEIRD_VALUES, ids=range(len(WEIRD_VALUES)))
def test_weird_arrays(value):
    for call in (lambda: lowp.encode(value, "f8E4M3FN"),
                 lambda: lowp.round(value, "bf16", "upward", True),
                 lambda: lowp.decode(value, "f4E2M1FN"),
                 lambda: lowp.quantize(value, "mxfp4"),
                 lambda: lowp.encode(value, "f4E2M1FN", "stochastic",
                                     random_bits=value)):
        outcome(call)


def test_encoded_specials_are_the_policy():
    # E4M3FN has no infinities: they, overflow and NaN become the one NaN
    # code lowp writes, 0x7F (docs/Numerics.md), unless saturating.
    codes = lowp.encode(np.float32([np.nan, np.inf, -np.inf, 1e30]),
                        "f8E4M3FN")
    assert codes.tolist() == [0x7F, 0x7F, 0x7F, 0x7F]
    assert lowp.encode(np.float32([np.inf, 1e30]), "f8E4M3FN",
                       saturate=True).tolist() == [0x7E, 0x7E]


@pytest.fixture(scope="module")
def module():
    return lowp.compile("""
func.func @f(%x: tensor<?x8xf32>, %s: f32, %c: tensor<8xf4E2M1FN>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %d = lowp.convert %c : tensor<8xf4E2M1FN> to tensor<8xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %b = linalg.broadcast ins(%d : tensor<8xf32>) outs(%e : tensor<?x8xf32>) dimensions = [0]
  %y = arith.addf %x, %b : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}""")


def test_weird_calls(module):
    good = (np.ones((3, 8), np.float32), 1.0, np.zeros(8, np.uint8))
    assert module.f(*good).shape == (3, 8)
    for position, value in itertools.product(range(3), WEIRD_VALUES):
        args = list(good)
        args[position] = value
        outcome(lambda: module.f(*args))
    # Codes above the format's 4 bits, and a wrong code dtype.
    assert outcome(lambda: module.f(good[0], 1.0,
                                    np.full(8, 16, np.uint8))) == "ArgumentError"
    assert outcome(lambda: module.f(good[0], 1.0,
                                    np.zeros(8, np.float32))) == "ArgumentError"
    # An absurd array (2^43 elements, a stride-0 view of one) is refused:
    # numpy cannot make the contiguous copy the call needs.
    huge = np.lib.stride_tricks.as_strided(np.zeros(1, np.float32),
                                           shape=(2**40, 8), strides=(0, 0))
    with pytest.raises(MemoryError):
        module.f(huge, 1.0, good[2])


@pytest.mark.parametrize("source", [
    "", "module {", "func.func @f(", "\x00\x01", "func.func @f() { return }",
    "func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> { return %y : tensor<4xf32> }",
    "func.func @f(%x: tensor<99999999999999999999xf32>) { return }",
    "func.func @f(%x: memref<4xf4E2M1FN>) { return }",
    "func.func @f(%x: tensor<4x!lowp.float<e9m99>>) { return }",
])
def test_weird_sources(source):
    result = outcome(lambda: lowp.compile(source))
    if result == "ok":
        # A module that compiles has nothing to call wrongly here.
        return
    assert result in ("ParseError", "CompileError")
