"""lowp.compile: programs compiled and called on numpy arrays, and every way
a call can be wrong, each a lowp.Error subclass with a clear message."""

from __future__ import annotations

import os
import tempfile
import threading

import numpy as np
import pytest

import lowp

PROGRAM = """
!wq = tensor<256x32xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>
func.func @matmul(%x: tensor<?x256xf32>, %w: !wq) -> tensor<?x32xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : tensor<?x256xf32>, !wq -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}
func.func @linear(%x: tensor<4x64xf32>, %w: tensor<16x64xf32>) -> tensor<4x16xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs}
      : tensor<4x64xf32>, tensor<16x64xf32> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
func.func @quantize(%x: tensor<4x64xf32>) -> tensor<4x64xf8E4M3FN, #lowp.block_scaled<mx>> {
  %q = lowp.quantize %x : tensor<4x64xf32> to tensor<4x64xf8E4M3FN, #lowp.block_scaled<mx>>
  return %q : tensor<4x64xf8E4M3FN, #lowp.block_scaled<mx>>
}
func.func @split(%x: tensor<8xf32>, %s: f32) -> (tensor<8xf16>, tensor<8xi1>, f32) {
  %e = tensor.empty() : tensor<8xf32>
  %b = linalg.fill ins(%s : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %y = arith.mulf %x, %b : tensor<8xf32>
  %h = arith.truncf %y : tensor<8xf32> to tensor<8xf16>
  %zero = arith.constant dense<0.0> : tensor<8xf32>
  %p = arith.cmpf ogt, %y, %zero : tensor<8xf32>
  %two = arith.constant 2.0 : f32
  %t = arith.mulf %s, %two : f32
  return %h, %p, %t : tensor<8xf16>, tensor<8xi1>, f32
}
func.func @int4(%x: tensor<2x8xi4>) -> tensor<2x8xf32> {
  %y = arith.sitofp %x : tensor<2x8xi4> to tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
"""


@pytest.fixture(scope="module")
def module():
    return lowp.compile(PROGRAM, threads=2)


def test_functions_and_signatures(module):
    assert sorted(module.functions) == ["int4", "linear", "matmul",
                                        "quantize", "split"]
    args = module.matmul.arguments
    assert [a["name"] for a in args] == [
        "argument 0", "argument 1 (elements)", "argument 1 (scales)"]
    assert args[0]["shape"] == (None, 256)
    assert args[1]["packed_width"] == 4 and args[1]["dtype"] == np.uint8
    assert "@matmul" in repr(module)


@pytest.mark.parametrize("rows", [1, 3, 17])
def test_block_scaled_matmul_with_dynamic_rows(module, rows):
    rng = np.random.default_rng(rows)
    x = rng.standard_normal((rows, 256)).astype(np.float32)
    w = rng.standard_normal((256, 32)).astype(np.float32)
    wq = lowp.quantize(w, "mxfp4", axis=-2)
    y = module.matmul(x, wq)
    exact = x.astype(np.float64) @ wq.dequantize(np.float64)
    bound = (256 + 3) * 2.0**-24 * (np.abs(x) @ np.abs(wq.dequantize()))
    assert y.shape == (rows, 32) and y.dtype == np.float32
    assert np.all(np.abs(y - exact) <= bound + np.abs(exact) * 2.0**-24)


def test_linear_and_strided_inputs(module):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype(np.float32).T  # not contiguous
    w = rng.standard_normal((16, 64)).astype(np.float32)
    np.testing.assert_allclose(module.linear(x, w), x @ w.T, rtol=1e-5,
                               atol=1e-5)


def test_block_scaled_result_is_lowp_quantize(module):
    x = np.random.default_rng(1).standard_normal((4, 64)).astype(np.float32)
    q = module.quantize(x)
    assert isinstance(q, lowp.BlockScaled)
    expected = lowp.quantize(x, "mxfp8_e4m3")
    assert q.type == expected.type
    np.testing.assert_array_equal(q.elements, expected.elements)
    np.testing.assert_array_equal(q.scales, expected.scales)


def test_several_results_scalars_f16_and_bool(module):
    x = np.float32([-2, -1, 0, 0.5, 1, 2, 3, 65504])
    h, positive, doubled = module.split(x, 1.5)
    assert h.dtype == np.float16 and positive.dtype == np.bool_
    with np.errstate(over="ignore"):  # 65504 * 1.5 is inf in f16
        expected = (x * np.float32(1.5)).astype(np.float16)
    np.testing.assert_array_equal(h, expected)
    np.testing.assert_array_equal(positive, x * 1.5 > 0)
    assert doubled == 3.0 and isinstance(doubled, np.floating)


def test_integer_values_cross_as_values(module):
    x = np.arange(-8, 8, dtype=np.int8).reshape(2, 8)
    np.testing.assert_array_equal(module.int4(x), x.astype(np.float32))


def test_compile_a_file_and_options():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "add.mlir")
        with open(path, "w") as f:
            f.write("func.func @add(%a: tensor<3xf32>, %b: tensor<3xf32>)"
                    " -> tensor<3xf32> {\n"
                    "  %c = arith.addf %a, %b : tensor<3xf32>\n"
                    "  return %c : tensor<3xf32>\n}\n")
        for kwargs in ({}, {"threads": 1, "opt_level": 0},
                       {"cpu_features": "generic"}):
            m = lowp.compile(path, **kwargs)
            np.testing.assert_array_equal(
                m["add"](np.float32([1, 2, 3]), np.float32([4, 5, 6])),
                np.float32([5, 7, 9]))


def test_the_gil_is_released_while_compiled_code_runs():
    """While one thread runs a long matmul, another runs Python code. Were
    the GIL held through the call, the second could not run at all."""
    m = lowp.compile("""
func.func @mm(%x: tensor<512x512xf32>, %w: tensor<512x512xf32>) -> tensor<512x512xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : tensor<512x512xf32>, tensor<512x512xf32> -> tensor<512x512xf32>
  return %y : tensor<512x512xf32>
}""", threads=1)
    x = np.ones((512, 512), np.float32)
    started = threading.Event()

    def work():
        started.set()
        for _ in range(4):
            m.mm(x, x)

    worker = threading.Thread(target=work)
    worker.start()
    started.wait()
    spins = 0
    while worker.is_alive():
        spins += 1
    worker.join()
    assert spins > 1000


@pytest.mark.parametrize("call, kind, message", [
    (lambda m: m.linear(np.ones((4, 63), np.float32),
                        np.ones((16, 64), np.float32)),
     lowp.ArgumentError, r"@linear argument 0: expected shape \[4, 64\], "
                         r"got \[4, 63\]"),
    (lambda m: m.linear(np.ones((4, 64)), np.ones((16, 64), np.float32)),
     lowp.ArgumentError, "expected a float32 array for f32, got dtype <f8"),
    (lambda m: m.linear(np.ones((4, 64), np.float32)), lowp.ArgumentError,
     "takes 2 arguments, got 1"),
    (lambda m: m.linear([[1.0]], np.ones((16, 64), np.float32)),
     lowp.ArgumentError, "pass a numpy array"),
    (lambda m: m.matmul(np.ones((2, 256), np.float32),
                        np.ones((256, 32), np.float32)),
     lowp.ArgumentError, "is block-scaled"),
    (lambda m: m.matmul(np.ones((2, 256), np.float32),
                        lowp.quantize(np.ones((256, 32), np.float32),
                                      "mxfp8_e4m3", axis=-2)),
     lowp.ArgumentError, "has elements of f4E2M1FN, got f8E4M3FN"),
    (lambda m: m.matmul(np.ones((2, 256), np.float32),
                        lowp.quantize(np.ones((256, 32), np.float32),
                                      "mxfp4")),
     lowp.ArgumentError, r"encoded as #lowp.block_scaled<block = \[32, 1\], "
                         r"scale = f8E8M0FNU, rule = floor>, got "
                         r"#lowp.block_scaled<mx>"),
    (lambda m: m.matmul(np.ones((2, 256), np.float32),
                        lowp.quantize(np.ones((256, 32), np.float32),
                                      "f4E2M1FN, #lowp.block_scaled<block = "
                                      "[32, 1], scale = f8E8M0FNU, rule = "
                                      "rceil>")),
     lowp.ArgumentError, r"argument 1 is encoded as #lowp.block_scaled<block "
                         r"= \[32, 1\], scale = f8E8M0FNU, rule = floor>"),
    (lambda m: m.linear(lowp.quantize(np.ones((4, 64), np.float32), "mxfp4"),
                        np.ones((16, 64), np.float32)),
     lowp.ArgumentError, "is a plain tensor"),
    (lambda m: m.int4(np.full((2, 8), 8, np.int8)), lowp.ArgumentError,
     "value 8 at index 0 does not fit in i4"),
    (lambda m: m.split(np.ones(8, np.float32), [1.0, 2.0]),
     lowp.ArgumentError, "is a scalar"),
    (lambda m: m.split(np.ones(8, np.float32), 1.5 + 2j),
     lowp.ArgumentError, "'complex128' cannot be passed"),
    (lambda m: m.nothing, AttributeError, "no public function @nothing"),
    (lambda m: m["nothing"], lowp.ArgumentError, "no public function"),
])
def test_call_errors(module, call, kind, message):
    with pytest.raises(kind, match=message):
        call(module)


def test_parse_errors_carry_locations():
    with pytest.raises(lowp.ParseError) as caught:
        lowp.compile("func.func @f() {\n  %x = arith.constant 1 : f32\n"
                     "  return\n}\n")
    error = caught.value
    assert error.locations[0][:4] == ("<source>", 2, 23, "error")
    assert "floating point value" in error.locations[0][4]
    assert error.diagnostics[0].startswith("<source>:2:23: error:")
    with pytest.raises(lowp.ParseError, match="no such file"):
        lowp.compile("/nonexistent/model.mlir")
    with pytest.raises(lowp.ParseError, match="permutation"):
        lowp.compile("func.func @t(%x: tensor<2x3xf32>, %y: tensor<3x2xf32>)"
                     " -> tensor<3x2xf32> {\n  %t = linalg.transpose ins(%x :"
                     " tensor<2x3xf32>) outs(%y : tensor<3x2xf32>) "
                     "permutation = [1, x]\n  return %t : tensor<3x2xf32>\n}")


def test_compile_errors_carry_locations():
    source = ("func.func @f(%m: memref<4xf8E4M3FN>) -> f32 {\n"
              "  %c0 = arith.constant 0 : index\n"
              "  %v = memref.load %m[%c0] : memref<4xf8E4M3FN>\n"
              "  %f = arith.extf %v : f8E4M3FN to f32\n"
              "  return %f : f32\n}\n")
    with pytest.raises(lowp.CompileError) as caught:
        lowp.compile(source)
    assert "memref" in str(caught.value)
    with pytest.raises(lowp.CompileError, match="'gpu' is not supported"):
        lowp.compile(PROGRAM, target="gpu")
    with pytest.raises(lowp.ParseError, match="MLIR text or a path"):
        lowp.compile(42)


def test_arguments_are_not_written():
    """Arrays are passed to compiled code without copies; a function that
    updates an argument tensor works on its own copy, never the caller's
    array."""
    m = lowp.compile("""
func.func @update(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %v = arith.constant 7.0 : f32
  %y = tensor.insert %v into %x[%c0] : tensor<4xf32>
  return %y : tensor<4xf32>
}""")
    x = np.arange(4, dtype=np.float32)
    np.testing.assert_array_equal(m.update(x), np.float32([7, 1, 2, 3]))
    np.testing.assert_array_equal(x, np.arange(4, dtype=np.float32))


def test_cuda_target():
    """target="cuda" compiles for the GPU and calls copy the arrays there
    and back; without a GPU the error says there is none."""
    source = ("func.func @add(%x: tensor<4xf32>) -> tensor<4xf32> {\n"
              "  %y = arith.addf %x, %x : tensor<4xf32>\n"
              "  return %y : tensor<4xf32>\n}\n")
    try:
        module = lowp.compile(source, target="cuda")
    except lowp.CompileError as error:
        assert "no NVIDIA GPU" in str(error)
        return
    x = np.array([1.5, -2.0, 0.25, 3.0], np.float32)
    np.testing.assert_array_equal(module.add(x), x + x)
