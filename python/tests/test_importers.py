"""Tests of lowp's PyTorch and ONNX importers: each model's IR, compiled and run
by lowp-run, must compute what torch computes in f32.

Every test imports a small random model, runs the MLIR text it gets with
`run_module` (today build/bin/lowp-run on .npy files; later lowp.compile),
and compares the results with torch's. Run with
`/usr/bin/python3 -m pytest -q python/tests/test_importers.py`.
"""

import io
import math
import pathlib
import subprocess
import tempfile

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
nn = torch.nn
F = torch.nn.functional

REPO = pathlib.Path(__file__).resolve().parents[2]
LOWP_RUN = REPO / "build" / "bin" / "lowp-run"


import lowp  # noqa: E402
from lowp import _import_common as common  # noqa: E402

from_torch, from_onnx = lowp.from_torch, lowp.from_onnx


pytestmark = [
    pytest.mark.skipif(not LOWP_RUN.exists(), reason=f"{LOWP_RUN} is not built"),
    # torch.onnx.export traces `x.shape` arithmetic into constants, as wanted here.
    pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning"),
]


# -- running the IR --------------------------------------------------------

def _result_count(text):
    signature = next(line for line in text.splitlines() if "func.func @" in line)
    return signature.split("->", 1)[1].count("tensor<")


def run_module(text, inputs, check=False):
    """Compiles `text` with lowp.compile and calls its public function on
    numpy `inputs`. `check` runs it with lowp-run --check instead, which also
    runs lowp's reference interpreter and compares bit for bit.
    """
    if not check:
        module = lowp.compile(text)
        assert len(module.functions) == 1, module.functions
        results = module[module.functions[0]](*[np.asarray(a) for a in inputs])
        return list(results) if isinstance(results, tuple) else [results]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "module.mlir").write_text(text)
        command = [str(LOWP_RUN), str(tmp / "module.mlir")]
        for i, array in enumerate(inputs):
            np.save(tmp / f"in{i}.npy", np.asarray(array))
            command.append(f"--input={tmp / f'in{i}.npy'}")
        count = _result_count(text)
        command += [f"--output={tmp / f'out{i}.npy'}" for i in range(count)]
        if check:
            command.append("--check")
        done = subprocess.run(command, capture_output=True, text=True)
        assert done.returncode == 0, f"lowp-run failed:\n{done.stderr}\n{text}"
        return [np.load(tmp / f"out{i}.npy") for i in range(count)]


def assert_close(actual, expected, rtol=1e-4):
    """Max abs error within rtol of the largest magnitude (plus a tiny floor)."""
    expected = np.asarray(expected, dtype=np.float32)
    assert actual.shape == expected.shape
    bound = rtol * max(float(np.abs(expected).max()), 1.0) + 1e-6
    err = float(np.abs(actual.astype(np.float64) - expected).max())
    assert err <= bound, f"max abs error {err} > {bound}"


def _torch_outputs(module, inputs):
    with torch.no_grad():
        out = module(*inputs)
    out = out if isinstance(out, (tuple, list)) else (out,)
    return [o.numpy() for o in out]


def check_torch(module, *inputs, rtol=1e-4, check=False):
    """from_torch(module) run by lowp equals module(*inputs); returns the IR."""
    module = module.eval()
    text = from_torch(module, inputs)
    results = run_module(text, [t.numpy() for t in inputs], check=check)
    expected = _torch_outputs(module, inputs)
    assert len(results) == len(expected)
    for r, e in zip(results, expected):
        assert_close(r, e, rtol)
    return text


def check_onnx(module, *inputs, opset=17, rtol=1e-4):
    """torch.onnx.export(module) through from_onnx, run by lowp, equals torch."""
    module = module.eval()
    buffer = io.BytesIO()
    torch.onnx.export(module, inputs, buffer, opset_version=opset)
    text = from_onnx(onnx.load_from_string(buffer.getvalue()))
    results = run_module(text, [t.numpy() for t in inputs])
    for r, e in zip(results, _torch_outputs(module, inputs)):
        assert_close(r, e, rtol)
    return text


class _Fn(nn.Module):
    def __init__(self, fn, **children):
        super().__init__()
        self.fn = fn
        for name, child in children.items():
            setattr(self, name, child)


# Fixed arities: torch 1.13's fx cannot trace `forward(self, *xs)` on Python 3.11.
class _Fn1(_Fn):
    def forward(self, x):
        return self.fn(self, x)


class _Fn2(_Fn):
    def forward(self, x, y):
        return self.fn(self, x, y)


def Fn(fn, **children):
    """A module computing `fn(module, *inputs)` (children as its attributes), for one-op tests."""
    arity = fn.__code__.co_argcount - 1
    return {1: _Fn1, 2: _Fn2}[arity](fn, **children)


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float32)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
    np.random.seed(0)


# -- from_torch, op by op -------------------------------------------------

@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 16), (2, 3, 16)])
def test_linear(bias, shape):
    linear = nn.Linear(16, 8, bias=bias)
    text = check_torch(linear, randn(*shape))
    # nn.Linear's weight as stored (N x K), read with transpose_rhs.
    assert "transpose_rhs} : tensor<" in text and "tensor<8x16xf32> -> " in text


def test_functional_linear():
    w, b = randn(8, 16), randn(8)
    check_torch(Fn(lambda m, x: F.linear(x, m.w, m.b), w=nn.Parameter(w), b=nn.Parameter(b)),
                randn(4, 16))


@pytest.mark.parametrize("fn,shapes", [
    (lambda m, a, b: a @ b, [(4, 8), (8, 5)]),
    (lambda m, a, b: torch.matmul(a, b), [(2, 4, 8), (2, 8, 5)]),
    (lambda m, a, b: torch.bmm(a, b), [(3, 4, 8), (3, 8, 5)]),
    (lambda m, a, b: torch.mm(a, b), [(4, 8), (8, 5)]),
    (lambda m, a, b: a.matmul(b), [(2, 4, 8), (8, 5)]),
    (lambda m, a, b: a @ b.transpose(-2, -1), [(2, 2, 4, 8), (2, 2, 5, 8)]),
    (lambda m, a, b: a @ b, [(4, 8), (3, 8, 5)]),
])
def test_matmul(fn, shapes):
    check_torch(Fn(fn), *[randn(*s) for s in shapes])


def test_matmul_of_transposed_rhs_uses_transpose_rhs():
    text = check_torch(Fn(lambda m, a, b: a @ b.transpose(1, 2)), randn(2, 4, 8), randn(2, 5, 8))
    assert "transpose_rhs} : tensor<2x4x8xf32>, tensor<2x5x8xf32>" in text


@pytest.mark.parametrize("fn", [
    lambda m, a, b: a + b, lambda m, a, b: a - b, lambda m, a, b: a * b,
    lambda m, a, b: a / (b * b + 1.0),
    lambda m, a, b: torch.add(a, b, alpha=2.5), lambda m, a, b: torch.sub(a, b),
    lambda m, a, b: torch.mul(a, b), lambda m, a, b: torch.div(a, b + 3.0),
    lambda m, a, b: a.add(b).mul(b).sub(a),
])
@pytest.mark.parametrize("shapes", [[(3, 4), (3, 4)], [(2, 3, 4), (4,)], [(2, 3, 4), (3, 1)],
                                    [(1, 4), (3, 1)], [(2, 1, 4), (1, 3, 1)]])
def test_binary_broadcasting(fn, shapes):
    check_torch(Fn(fn), *[randn(*s) for s in shapes])


@pytest.mark.parametrize("fn", [
    lambda m, x: x + 2.0, lambda m, x: 1.0 - x, lambda m, x: x * 0.5, lambda m, x: x / 3.0,
    lambda m, x: 2.0 / (x * x + 1.0), lambda m, x: -x, lambda m, x: 3 * x - 1,
])
def test_tensor_scalar(fn):
    check_torch(Fn(fn), randn(3, 5))


@pytest.mark.parametrize("fn", [
    lambda m, x: torch.relu(x), lambda m, x: F.relu(x), lambda m, x: x.relu(),
    lambda m, x: m.act(x),
    lambda m, x: F.gelu(x), lambda m, x: F.gelu(x, approximate="tanh"),
    lambda m, x: F.silu(x), lambda m, x: torch.sigmoid(x), lambda m, x: x.sigmoid(),
    lambda m, x: torch.tanh(x), lambda m, x: x.tanh(), lambda m, x: torch.exp(x),
    lambda m, x: torch.erf(x), lambda m, x: torch.rsqrt(x * x + 0.1),
    lambda m, x: torch.sqrt(x * x), lambda m, x: x.exp(),
])
def test_unary(fn):
    # --check: lowp's reference interpreter agrees bit for bit, too.
    check_torch(Fn(fn, act=nn.ReLU()), randn(4, 16) * 3, check=True)


@pytest.mark.parametrize("module", [nn.ReLU(), nn.GELU(), nn.GELU(approximate="tanh"), nn.SiLU(),
                                    nn.Sigmoid(), nn.Tanh(), nn.Softmax(dim=1), nn.Identity(),
                                    nn.Dropout(0.1), nn.Flatten()])
def test_activation_modules(module):
    check_torch(module, randn(2, 3, 8) * 3)


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_softmax(dim):
    check_torch(Fn(lambda m, x: torch.softmax(x, dim)), randn(2, 3, 8))
    check_torch(Fn(lambda m, x: F.softmax(x, dim=dim)), randn(2, 3, 8))


def test_softmax_is_stable_for_large_inputs():
    # exp(100) is inf in f32: only subtracting the maximum gives finite results.
    x = randn(4, 16) * 100
    check_torch(Fn(lambda m, x: x.softmax(-1)), x)


def test_layer_norm():
    check_torch(nn.LayerNorm(16), randn(2, 3, 16) * 2 + 1)
    check_torch(nn.LayerNorm([3, 16], elementwise_affine=False), randn(2, 3, 16))
    ln = nn.LayerNorm(16)
    nn.init.normal_(ln.weight)
    nn.init.normal_(ln.bias)
    check_torch(Fn(lambda m, x: F.layer_norm(x, (16,), m.ln.weight, m.ln.bias, 1e-6), ln=ln),
                randn(5, 16))


class RMSNorm(nn.Module):
    """RMS norm as models write it (LLaMA), in pow, mean, rsqrt and a weight."""

    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.randn(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def test_rms_norm():
    check_torch(RMSNorm(16), randn(2, 3, 16))


@pytest.mark.skipif(not hasattr(nn, "RMSNorm"), reason="torch has no nn.RMSNorm")
def test_rms_norm_module():
    check_torch(nn.RMSNorm(16, eps=1e-6), randn(2, 3, 16))


@pytest.mark.parametrize("fn", [
    lambda m, x: x.pow(2).mean(-1), lambda m, x: x.mean(), lambda m, x: x.mean((0, 2)),
    lambda m, x: torch.mean(x, 1, keepdim=True), lambda m, x: x.sum(-1),
    lambda m, x: torch.sum(x, (1,), keepdim=True), lambda m, x: torch.pow(x, 3),
    lambda m, x: (x * x).pow(0.5), lambda m, x: (x * x + 1).pow(-0.5),
    lambda m, x: (x * x + 1) ** 1.5, lambda m, x: torch.pow(x * x + 1, x),
])
def test_reductions_and_powers(fn):
    check_torch(Fn(fn), randn(2, 3, 8))


def test_embedding():
    ids = torch.tensor([[0, 5, 9, 3], [1, 1, 2, 8]], dtype=torch.int64)
    check_torch(nn.Embedding(10, 16), ids)
    table = nn.Embedding(10, 16)
    check_torch(Fn(lambda m, i: F.embedding(i, m.t.weight) * 2.0, t=table), ids)


@pytest.mark.parametrize("fn", [
    lambda m, x: x.reshape(6, 8), lambda m, x: x.view(2, -1), lambda m, x: x.view(-1),
    lambda m, x: torch.reshape(x, (8, 6)), lambda m, x: x.view(4, 3, 4),
    lambda m, x: x.flatten(), lambda m, x: torch.flatten(x, 1), lambda m, x: x.flatten(0, 1),
    lambda m, x: x.transpose(0, 2), lambda m, x: torch.transpose(x, 1, 2),
    lambda m, x: x.permute(2, 0, 1), lambda m, x: torch.permute(x, (1, 0, 2)),
    lambda m, x: x.view(6, 8).t(), lambda m, x: x.contiguous() + 1,
    lambda m, x: x.unsqueeze(1).squeeze(1), lambda m, x: x.view(6, 8).unsqueeze(0),
    lambda m, x: x.transpose(1, 2).contiguous().view(2, 24),
    lambda m, x: x.view(x.size(0), x.shape[1] * x.size(-1)),
])
def test_shapes(fn):
    check_torch(Fn(fn), randn(2, 3, 8))


@pytest.mark.parametrize("fn", [
    lambda m, x: torch.where(torch.ones(4, 4).tril() > 0, x, -x),
    lambda m, x: x.masked_fill(torch.ones(4, 4).triu(1).bool(), float("-inf")).softmax(-1),
    lambda m, x: torch.where(m.keep > 0.5, x, 2.0),
])
def test_constant_masks(fn):
    check_torch(Fn(fn, keep=nn.Parameter(torch.rand(4))), randn(4, 4))


def test_several_outputs():
    check_torch(Fn(lambda m, x: (x.relu(), x.softmax(-1), x.t())), randn(3, 4))


def test_shared_parameters_are_one_constant():
    linear = nn.Linear(8, 8)
    text = check_torch(Fn(lambda m, x: m.l(m.l(x)), l=linear), randn(2, 8))
    assert text.count("tensor<8x8xf32> -> ") == 2 and text.count(": tensor<8x8xf32>\n") == 1


# -- from_torch and from_onnx on models ---------------------------------------

class MLP(nn.Module):
    def __init__(self, dim=16, hidden=32, out=8, act=None):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = act or nn.GELU()
        self.fc2 = nn.Linear(hidden, out)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class SelfAttention(nn.Module):
    """Multi-head self-attention; `causal` masks later positions as GPT-2 does."""

    def __init__(self, dim, heads, causal=False, context=16):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)
        self.causal = causal
        self.register_buffer("mask", torch.tril(torch.ones(context, context)).view(
            1, 1, context, context))

    def forward(self, x):
        B, T, C = x.shape
        d = C // self.heads
        q = self.q(x).view(B, T, self.heads, d).transpose(1, 2)
        k = self.k(x).view(B, T, self.heads, d).transpose(1, 2)
        v = self.v(x).view(B, T, self.heads, d).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d)
        if self.causal:
            scores = scores.masked_fill(self.mask[:, :, :T, :T] == 0, float("-inf"))
        y = scores.softmax(dim=-1) @ v
        return self.out(y.transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    """A pre-norm transformer block: attention and an MLP, each with a residual."""

    def __init__(self, dim=32, heads=4, hidden=64, rms=False, causal=False):
        super().__init__()
        self.norm1 = RMSNorm(dim) if rms else nn.LayerNorm(dim)
        self.attn = SelfAttention(dim, heads, causal)
        self.norm2 = RMSNorm(dim) if rms else nn.LayerNorm(dim)
        self.mlp = MLP(dim, hidden, dim, act=nn.SiLU())

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class TinyLM(nn.Module):
    """Token ids through embeddings (token and position), a causal RMSNorm block, a head."""

    def __init__(self, vocab=50, dim=32, context=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.position = nn.Embedding(context, dim)
        self.register_buffer("positions", torch.arange(context))
        self.block = Block(dim, heads=2, hidden=64, rms=True, causal=True)
        self.norm = RMSNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, ids):
        # A slice of a buffer, as fx cannot trace torch.arange(traced size).
        x = self.embed(ids) + self.position(self.positions[:ids.shape[1]])
        return self.head(self.norm(self.block(x)))


def test_mlp_torch():
    check_torch(MLP(), randn(4, 16))


@pytest.mark.parametrize("opset", [14, 17])
def test_mlp_onnx(opset):
    check_onnx(MLP(), randn(4, 16), opset=opset)
    check_onnx(MLP(act=nn.GELU(approximate="tanh")), randn(2, 3, 16), opset=opset)


@pytest.mark.parametrize("heads", [1, 4])
@pytest.mark.parametrize("rms", [False, True])
@pytest.mark.parametrize("causal", [False, True])
def test_block_torch(heads, rms, causal):
    check_torch(Block(heads=heads, rms=rms, causal=causal), randn(2, 6, 32))


@pytest.mark.parametrize("opset", [14, 17])
@pytest.mark.parametrize("heads,rms,causal",
                         [(1, False, False), (4, False, True), (4, True, False)])
def test_block_onnx(opset, heads, rms, causal):
    check_onnx(Block(heads=heads, rms=rms, causal=causal), randn(2, 6, 32), opset=opset)


def test_tiny_lm():
    ids = torch.randint(0, 50, (2, 5), dtype=torch.int64)
    check_torch(TinyLM(), ids)
    check_onnx(TinyLM(), ids, opset=17)


# -- from_onnx on hand-built graphs -----------------------------------------------

def _onnx_model(nodes, inputs, outputs, initializers=(), opset=17):
    from onnx import TensorProto, helper, numpy_helper

    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs],
        [numpy_helper.from_array(a, n) for n, a in initializers])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _run_onnx(model, *inputs):
    return run_module(from_onnx(model), list(inputs))


@pytest.mark.parametrize("trans_a,trans_b", [(0, 0), (0, 1), (1, 0), (1, 1)])
def test_gemm(trans_a, trans_b):
    from onnx import helper

    a = np.random.randn(*((8, 4) if trans_a else (4, 8))).astype(np.float32)
    b = np.random.randn(*((5, 8) if trans_b else (8, 5))).astype(np.float32)
    c = np.random.randn(5).astype(np.float32)
    node = helper.make_node("Gemm", ["a", "b", "c"], ["y"], alpha=0.5, beta=2.0,
                            transA=trans_a, transB=trans_b)
    model = _onnx_model([node], [("a", a.shape)], ["y"], [("b", b), ("c", c)])
    (y,) = _run_onnx(model, a)
    expected = 0.5 * (a.T if trans_a else a) @ (b.T if trans_b else b) + 2.0 * c
    assert_close(y, expected)


def test_onnx_reshape_zero_and_minus_one():
    from onnx import helper

    x = np.random.randn(2, 3, 8).astype(np.float32)
    nodes = [helper.make_node("Reshape", ["x", "s"], ["r"]),
             helper.make_node("Transpose", ["r"], ["y"], perm=[1, 0, 2, 3])]
    model = _onnx_model(nodes, [("x", x.shape)], ["y"], [("s", np.array([0, 3, -1, 2]))])
    (y,) = _run_onnx(model, x)
    assert_close(y, x.reshape(2, 3, 4, 2).transpose(1, 0, 2, 3))


@pytest.mark.parametrize("opset,axis", [(11, 1), (11, 2), (13, 1), (13, -1)])
def test_onnx_softmax_axis(opset, axis):
    from onnx import helper

    x = np.random.randn(2, 3, 4).astype(np.float32)
    model = _onnx_model([helper.make_node("Softmax", ["x"], ["y"], axis=axis)],
                        [("x", x.shape)], ["y"], opset=opset)
    if opset < 13:  # the input taken as 2-D, split at axis
        flat = x.reshape(int(np.prod(x.shape[:axis])), -1)
        expected = (np.exp(flat) / np.exp(flat).sum(1, keepdims=True)).reshape(x.shape)
    else:
        expected = np.exp(x) / np.exp(x).sum(axis, keepdims=True)
    (y,) = _run_onnx(model, x)
    assert_close(y, expected)


def test_onnx_elementwise_constants_and_casts():
    from onnx import TensorProto, helper, numpy_helper

    x = np.random.randn(3, 4).astype(np.float32)
    nodes = [
        helper.make_node("Constant", [], ["two"],
                         value=numpy_helper.from_array(np.array(2, np.int64))),
        helper.make_node("Cast", ["two"], ["twof"], to=TensorProto.FLOAT),
        helper.make_node("Pow", ["x", "twof"], ["sq"]),
        helper.make_node("Identity", ["sq"], ["sq2"]),
        helper.make_node("Sqrt", ["sq2"], ["abs"]),
        helper.make_node("Erf", ["x"], ["e"]),
        helper.make_node("Tanh", ["x"], ["t"]),
        helper.make_node("Sigmoid", ["x"], ["s"]),
        helper.make_node("Relu", ["x"], ["r"]),
        helper.make_node("Sub", ["abs", "r"], ["d"]),
        helper.make_node("Div", ["d", "twof"], ["h"]),
        helper.make_node("Cast", ["h"], ["y0"], to=TensorProto.FLOAT),
        helper.make_node("ReduceMean", ["x"], ["m"], axes=[1], keepdims=1),
        helper.make_node("Add", ["y0", "m"], ["y1"]),
        helper.make_node("Mul", ["y1", "e"], ["y2"]),
        helper.make_node("Add", ["y2", "t"], ["y3"]),
        helper.make_node("Add", ["y3", "s"], ["y"]),
    ]
    model = _onnx_model(nodes, [("x", x.shape)], ["y"])
    (y,) = _run_onnx(model, x)
    t = torch.from_numpy(x)
    expected = ((t.abs() - t.relu()) / 2 + t.mean(1, keepdim=True)) * torch.erf(t) \
        + torch.tanh(t) + torch.sigmoid(t)
    assert_close(y, expected.numpy())


# -- errors and options -----------------------------------------------------------

def test_unsupported_torch_function():
    with pytest.raises(common.UnsupportedOpError, match=r"'aten::cumsum'.*at node 'cumsum'"):
        from_torch(Fn(lambda m, x: torch.cumsum(x, 0)), (randn(4),))


def test_unsupported_torch_method_and_module():
    with pytest.raises(common.UnsupportedOpError, match=r"'aten::clamp' \(Tensor.clamp\)"):
        from_torch(Fn(lambda m, x: x.clamp(0, 1)), (randn(4),))
    with pytest.raises(common.UnsupportedOpError, match=r"'Conv1d'.*at node 'c'"):
        from_torch(Fn(lambda m, x: m.c(x), c=nn.Conv1d(2, 2, 3)), (randn(1, 2, 8),))


def test_unsupported_onnx_op():
    from onnx import helper

    model = _onnx_model([helper.make_node("Cos", ["x"], ["y"], name="the_cos")],
                        [("x", (4,))], ["y"])
    message = r"from_onnx: unsupported op 'Cos' at node 'the_cos'"
    with pytest.raises(common.UnsupportedOpError, match=message):
        from_onnx(model)


def test_onnx_dynamic_input_is_refused():
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    with pytest.raises(ValueError, match="dynamic dimension 'batch'"):
        from_onnx(helper.make_model(graph))


def test_onnx_from_path_and_function_name(tmp_path):
    path = tmp_path / "mlp.onnx"
    torch.onnx.export(MLP().eval(), (randn(2, 16),), str(path), opset_version=17)
    text = from_onnx(str(path), function_name="mlp")
    assert "func.func @mlp(%arg0: tensor<2x16xf32>) -> tensor<2x8xf32>" in text
    assert "func.func @forward(" in from_torch(MLP(), randn(2, 16))


def test_unsupported_is_a_lowp_error():
    with pytest.raises(lowp.UnsupportedOpError, match="aten::cumsum"):
        from_torch(Fn(lambda m, x: torch.cumsum(x, 0)), (randn(4),))


# -- recipes ---------------------------------------------------------------

def _with_weights(module, transform):
    """A copy of `module` whose Linear weights are transform(weight)."""
    import copy
    copied = copy.deepcopy(module)
    for layer in copied.modules():
        if isinstance(layer, nn.Linear):
            weight = layer.weight.detach().numpy()
            layer.weight.data = torch.from_numpy(
                np.ascontiguousarray(transform(weight), dtype=np.float32))
    return copied


@pytest.mark.parametrize("recipe, encoding", [
    ("mxfp4", "mxfp4"), ("nvfp4", "nvfp4"),
    ({"weights": "mxfp8_e4m3"}, "mxfp8_e4m3"),
    ("weights:int4_g128", "int4_g128"),
])
@pytest.mark.parametrize("importer", ["torch", "onnx"])
def test_recipe_is_lowp_quantize_of_each_weight_along_k(recipe, encoding,
                                                        importer):
    """A recipe'd model computes the model whose nn.Linear weights (N x K)
    are lowp.quantize(weight, encoding) along K, dequantized: the same
    quantizer, the same blocks."""
    model = MLP(dim=128, hidden=256, out=128).eval()
    x = randn(4, 128)
    if importer == "torch":
        text = from_torch(model, (x,), recipe=recipe)
    else:
        buffer = io.BytesIO()
        torch.onnx.export(model, (x,), buffer, opset_version=17)
        text = from_onnx(onnx.load_from_string(buffer.getvalue()),
                         recipe=recipe)
    assert "lowp.quantize" in text
    quantized = _with_weights(
        model, lambda w: lowp.quantize(w, encoding).dequantize())
    expected = _torch_outputs(quantized, (x,))[0]
    (actual,) = run_module(text, [x.numpy()])
    assert_close(actual, expected, rtol=1e-5)
    # And the quantization is visible: the f32 model differs.
    plain = _torch_outputs(model, (x,))[0]
    assert np.abs(plain - expected).max() > 1e-3


def test_recipe_first_last_in_bf16():
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64),
                          nn.ReLU(), nn.Linear(64, 32)).eval()
    x = randn(2, 64)
    text = from_torch(model, (x,), recipe={"weights": "mxfp4",
                                           "first_last": "bf16"})
    assert text.count("xbf16>") >= 2 and text.count("#lowp.block_scaled") >= 1
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    expected_model = _with_weights(model, lambda w: w)
    for i, layer in enumerate(m for m in expected_model.modules()
                              if isinstance(m, nn.Linear)):
        w = layers[i].weight.detach().numpy()
        layer.weight.data = torch.from_numpy(
            lowp.round(w, "bf16") if i in (0, len(layers) - 1)
            else lowp.quantize(w, "mxfp4").dequantize())
    assert_close(run_module(text, [x.numpy()])[0],
                 _torch_outputs(expected_model, (x,))[0], rtol=1e-5)


@pytest.mark.parametrize("recipe, message", [
    ("weights:mxfp5", "'mxfp5' is neither a block-scaled encoding"),
    ("bias:mxfp4", "not a recipe entry"),
    ({"bias": "mxfp4"}, "not a recipe key"),
    (42, "a recipe is a name"),
])
def test_bad_recipes(recipe, message):
    with pytest.raises(lowp.FormatError, match=message):
        from_torch(MLP(), (randn(2, 16),), recipe=recipe)


def test_recipe_activations_per_tensor():
    """activations "f8E4M3FN per-tensor": one f32 absmax scale for the whole
    activation, as torch._scaled_mm scales FP8; the result is the product
    of lowp.quantize's per-tensor encoding and the MXFP4 weights."""
    layer = nn.Linear(256, 64, bias=False).eval()
    x = randn(8, 256)
    text = from_torch(layer, (x,), recipe={
        "weights": "mxfp4", "activations": "f8E4M3FN per-tensor"})
    assert "block = [8, 256], scale = f32, rule = absmax" in text
    (actual,) = run_module(text, [x.numpy()])
    xq = lowp.quantize(x.numpy(), "f8E4M3FN, #lowp.block_scaled<block = "
                       "[8, 256], scale = f32, rule = absmax>").dequantize()
    wq = lowp.quantize(layer.weight.detach().numpy(), "mxfp4").dequantize()
    assert_close(actual, xq @ wq.T, rtol=1e-5)
