"""lowp.quantize and BlockScaled.dequantize, bit for bit against the C++
paths that compiled programs take: lowp.quantize / lowp.dequantize ops
compiled by lowp.compile, and lowp-run's reference interpreter."""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pytest

import lowp
from conftest import run_tool

# (encoding as quantize takes it, shape, axis)
CASES = [
    ("mxfp4", (4, 64), -1),
    ("mxfp4", (64, 8), -2),
    ("mxfp6_e2m3", (2, 96), -1),
    ("mxfp6_e3m2", (2, 96), -1),
    ("mxfp8_e4m3", (3, 64), -1),
    ("mxfp8_e5m2", (3, 64), -1),
    ("mxint8", (2, 64), -1),
    ("nvfp4", (4, 64), -1),
    ("int4_g128", (2, 256), -1),
    ("nf4", (2, 128), -1),
    ("f8E4M3FN, #lowp.block_scaled<block = [16, 16], scale = f32, "
     "rule = absmax>", (32, 32), -1),
    ("i8, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, "
     "rule = rceil>", (64, 4), -1),
]


def data(shape, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) *
         2.0 ** rng.integers(-3, 4, shape)).astype(np.float32)
    x.reshape(-1)[:3] = [0.0, -0.0, 7.5]
    return x


def program(q: lowp.BlockScaled, rounding: str = "") -> str:
    dims = "x".join(str(d) for d in q.shape)
    plain = f"tensor<{dims}xf32>"
    return (f"func.func @quantize(%x: {plain}) -> {q.type} {{\n"
            f"  %q = lowp.quantize %x {rounding} : {plain} to {q.type}\n"
            f"  return %q : {q.type}\n}}\n"
            f"func.func @dequantize(%q: {q.type}) -> {plain} {{\n"
            f"  %x = lowp.dequantize %q : {q.type} to {plain}\n"
            f"  return %x : {plain}\n}}\n")


def assert_same_parts(a: lowp.BlockScaled, b: lowp.BlockScaled, what: str):
    assert a.type == b.type, what
    for name in ("elements", "scales", "tensor_scale", "zero_points"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), f"{what}: {name}"
        if x is not None:
            np.testing.assert_array_equal(x.astype(np.uint64),
                                          y.astype(np.uint64),
                                          err_msg=f"{what}: {name}")


@pytest.mark.parametrize("encoding, shape, axis", CASES)
def test_quantize_matches_compiled_code(encoding, shape, axis):
    x = data(shape)
    q = lowp.quantize(x, encoding, axis=axis)
    assert q.shape == shape
    module = lowp.compile(program(q))
    assert_same_parts(q, module.quantize(x), f"{encoding} compiled")
    np.testing.assert_array_equal(q.dequantize(), module.dequantize(q))
    # The dequantized values are close to the input: within one element
    # step of each block (a loose check that the parts mean what they say).
    assert np.abs(q.dequantize() - x).max() <= np.abs(x).max()


@pytest.mark.parametrize("encoding, shape, axis", CASES[:3] + CASES[7:9])
def test_quantize_matches_reference(encoding, shape, axis):
    x = data(shape, seed=3)
    q = lowp.quantize(x, encoding, axis=axis)
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "q.mlir")
        with open(source, "w") as f:
            f.write(program(q))
        np.save(os.path.join(tmp, "x.npy"), x)
        outputs = [os.path.join(tmp, f"part{i}.npy")
                   for i in range(len(q.parts()))]
        run_tool("lowp-run", [source, "--entry=quantize", "--reference",
                              f"--input={os.path.join(tmp, 'x.npy')}",
                              *[f"--output={o}" for o in outputs]])
        for part, path in zip(q.parts(), outputs):
            np.testing.assert_array_equal(part.astype(np.uint64),
                                          np.load(path).astype(np.uint64))


@pytest.mark.parametrize("rounding", ["toward_zero", "upward",
                                      "to_nearest_away"])
def test_quantize_rounding_modes(rounding):
    x = data((4, 64), seed=9)
    q = lowp.quantize(x, "mxfp8_e4m3", rounding=rounding)
    module = lowp.compile(program(q, rounding))
    assert_same_parts(q, module.quantize(x), rounding)


def test_stochastic_quantize_takes_its_random_bits():
    x = data((2, 64), seed=4)
    bits = np.random.default_rng(1).integers(0, 2**32, x.shape,
                                             dtype=np.uint64)
    a = lowp.quantize(x, "mxfp4", rounding="stochastic", random_bits=bits)
    b = lowp.quantize(x, "mxfp4", rounding="stochastic", random_bits=bits)
    assert_same_parts(a, b, "same bits")
    # Each element is its rounding with its own random number, under the
    # block's scale.
    scale = lowp.decode(a.scales, "f8E8M0FNU", dtype=np.float64)
    unscaled = x.astype(np.float64) / np.repeat(scale, 32, axis=1)
    expected = lowp.encode(unscaled, "f4E2M1FN", "stochastic",
                           random_bits=bits)
    np.testing.assert_array_equal(a.elements, expected)
    c = lowp.quantize(x, "mxfp4", rounding="stochastic", seed=5)
    assert c.elements.shape == x.shape


def test_presets_and_parts():
    assert set(lowp.presets()) >= {"mxfp4", "mxfp6_e2m3", "mxfp8_e4m3",
                                   "mxint8", "nvfp4", "int4_g128", "nf4"}
    q = lowp.quantize(data((2, 32)), "nvfp4")
    assert q.tensor_scale.shape == () and q.zero_points is None
    assert q.scales.shape == (2, 2) and q.elements.dtype == np.uint8
    g = lowp.quantize(data((2, 128)), "int4_g128")
    # int4-g128's scales are f16, numpy's own float16; its zero points ui4
    # values.
    assert g.zero_points.shape == (2, 1) and g.scales.dtype == np.float16
    assert g.zero_points.dtype == np.uint8 and g.zero_points.max() <= 15
    m = lowp.quantize(data((2, 32)), "mxint8")
    assert m.elements.dtype == np.int8
    assert "int4_g128" in g.type


@pytest.mark.parametrize("call, message", [
    (lambda: lowp.quantize(np.ones((2, 30), np.float32), "mxfp4"),
     "does not divide"),
    (lambda: lowp.quantize(np.ones((2, 32), np.float32), "mxfp5"),
     "not an encoding"),
    (lambda: lowp.quantize(np.ones((2, 32), np.float32),
                           "#lowp.block_scaled<mx>"), "element format"),
    (lambda: lowp.quantize(np.ones((2, 32), np.float32), "mxfp4", axis=2),
     "out of range"),
    (lambda: lowp.quantize(np.float32(1.0), "mxfp4"), "rank 1"),
    (lambda: lowp.quantize(np.ones((32, 32), np.float32),
                           "f8E4M3FN, #lowp.block_scaled<block = [16, 16], "
                           "scale = f32, rule = absmax>", axis=0),
     "more than one dimension"),
    (lambda: lowp.quantize(np.ones((2, 32), np.float32),
                           "f8E4M3FN, #lowp.block_scaled<block = [32], "
                           "scale = f16, rule = minmax, zero_point = ui4>"),
     "minmax' needs integer elements"),
])
def test_quantize_errors(call, message):
    with pytest.raises(lowp.FormatError, match=message):
        call()


def test_dequantize_checks_its_parts():
    q = lowp.quantize(data((2, 32)), "mxfp4")
    bad = lowp.BlockScaled(q.elements + 16, q.scales, q.element_format,
                           q.encoding)
    with pytest.raises(lowp.FormatError, match="bits above"):
        bad.dequantize()
    short = lowp.BlockScaled(q.elements, q.scales[:, :0], q.element_format,
                             q.encoding)
    with pytest.raises(lowp.FormatError, match="scales hold 0 codes"):
        short.dequantize()


CHOICES = ("ui4, #lowp.block_scaled<block = [32], scale = f8E8M0FNU, "
           "rule = floor, choices = [f4E2M1FN, i4, !lowp.float<e3m0, finite>]>")


def test_format_choice_quantize_compiled_and_back():
    """Per-group format choice from Python: lowp.quantize's selectors,
    codes and scales equal the compiled lowp.quantize's, a BlockScaled
    with selectors goes into a compiled function, and the dequantized
    values agree; each of the three choices wins some block."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((6, 64)).astype(np.float32)
    x[2:4] = np.round(np.clip(x[2:4] * 3, -8, 7))       # INT4's grid
    x[4:6] = np.sign(x[4:6]) * 2.0 ** np.round(x[4:6])  # E3M0's grid
    q = lowp.quantize(x, CHOICES)
    assert q.selectors.shape == (6, 2)
    assert set(q.selectors.ravel()) == {0, 1, 2}
    encoding = q.encoding
    t = q.type
    module = lowp.compile(f"""
func.func @quantize(%x: tensor<6x64xf32>) -> {t} {{
  %q = lowp.quantize %x : tensor<6x64xf32> to {t}
  return %q : {t}
}}
func.func @dequantize(%q: {t}) -> tensor<6x64xf32> {{
  %d = lowp.dequantize %q : {t} to tensor<6x64xf32>
  return %d : tensor<6x64xf32>
}}
""")
    compiled = module.quantize(x)
    assert compiled.encoding == encoding
    for mine, theirs in zip(q.parts(), compiled.parts()):
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_array_equal(module.dequantize(q), q.dequantize())
    assert float(np.abs(q.dequantize() - x).max()) < 2.0


def test_format_choice_selectors_are_checked():
    q = lowp.quantize(np.ones((2, 32), np.float32), CHOICES)
    bad = lowp.BlockScaled(q.elements, q.scales, q.element_format,
                           q.encoding, selectors=np.array([[3], [0]],
                                                          np.uint8))
    with pytest.raises(lowp.FormatError, match="selector 3 .* names no choice"):
        bad.dequantize()
    missing = lowp.BlockScaled(q.elements, q.scales, q.element_format,
                               q.encoding)
    with pytest.raises(lowp.FormatError, match="no selectors"):
        missing.dequantize()
