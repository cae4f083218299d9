#!/usr/bin/python3
"""A PyTorch model compiled by lowp, with its weights in MXFP4 and NVFP4.

Builds two small models with random weights (an MLP, and one pre-norm
transformer block: attention and a SiLU MLP), imports each with
lowp.from_torch (torch.fx) and, exported to ONNX, with lowp.from_onnx;
quantizes the weights of every matmul by a recipe (MXFP4 or NVFP4, blocks
along K; f32 keeps them); compiles and runs the result from Python, and
prints its error against torch's own f32 output and its time next to
torch's on the same inputs and threads (medians of interleaved runs).

    PYTHONPATH=build/python /usr/bin/python3 examples/torch_model.py

--quick uses smaller models (the test suite runs it so); --check exits
non-zero when an error is out of its expected range.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import statistics
import sys
import time

# The two take turns on the same cores: neither's OpenMP threads may spin
# waiting for work while the other runs (libomp, lowp's, spins 200 ms by
# default; libgomp, torch's, spins too). Set before either runtime starts.
os.environ.setdefault("KMP_BLOCKTIME", "0")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

import lowp  # noqa: E402

RECIPES = [("f32", None), ("mxfp4", "mxfp4"), ("nvfp4", "nvfp4")]

# The relative error (||y - y_torch|| / ||y_torch||) each recipe should stay
# under with these random weights: f32 differs from torch only in summation
# order; 4-bit weights carry about 10-20% relative error per weight.
EXPECTED = {"f32": 1e-5, "mxfp4": 0.35, "nvfp4": 0.3}


class MLP(nn.Module):
    def __init__(self, width: int, hidden: int) -> None:
        super().__init__()
        self.up = nn.Linear(width, hidden)
        self.down = nn.Linear(hidden, width)

    def forward(self, x):
        return self.down(torch.nn.functional.gelu(self.up(x)))


class Block(nn.Module):
    """A pre-norm transformer block: multi-head self-attention and a SiLU
    MLP, each with a residual connection."""

    def __init__(self, width: int, heads: int, hidden: int) -> None:
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(width)
        self.q = nn.Linear(width, width, bias=False)
        self.k = nn.Linear(width, width, bias=False)
        self.v = nn.Linear(width, width, bias=False)
        self.o = nn.Linear(width, width, bias=False)
        self.norm2 = nn.LayerNorm(width)
        self.up = nn.Linear(width, hidden, bias=False)
        self.down = nn.Linear(hidden, width, bias=False)

    def forward(self, x):
        b, t, c = x.shape
        h = self.norm1(x)
        d = c // self.heads

        def split(y):
            return y.reshape(b, t, self.heads, d).permute(0, 2, 1, 3).reshape(
                b * self.heads, t, d)

        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        scores = torch.bmm(q, k.transpose(1, 2)) * (1.0 / math.sqrt(d))
        attention = torch.bmm(torch.softmax(scores, dim=-1), v)
        attention = attention.reshape(b, self.heads, t, d).permute(
            0, 2, 1, 3).reshape(b, t, c)
        x = x + self.o(attention)
        return x + self.down(torch.nn.functional.silu(self.up(self.norm2(x))))


def interleaved_times(first, second, runs: int):
    """Medians of `runs` calls of each, alternating, so that both see the
    same machine (it is shared, and its speed drifts)."""
    first()  # warm up
    second()
    times = ([], [])
    for _ in range(runs):
        for call, slot in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            call()
            slot.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def relative_error(y: np.ndarray, reference: np.ndarray) -> float:
    return float(np.linalg.norm(y.astype(np.float64) - reference) /
                 np.linalg.norm(reference))


def onnx_model(model: nn.Module, x: torch.Tensor):
    import onnx
    buffer = io.BytesIO()
    torch.onnx.export(model, (x,), buffer, opset_version=17)
    return onnx.load_from_string(buffer.getvalue())


def run(name: str, model: nn.Module, x: torch.Tensor, runs: int,
        check: bool) -> bool:
    model.eval()
    with torch.no_grad():
        expected = model(x).numpy()
    inputs = x.numpy()
    ok = True
    print(f"{name}: input {tuple(x.shape)}, {torch.get_num_threads()} threads")
    for importer in ("from_torch", "from_onnx"):
        graph = onnx_model(model, x) if importer == "from_onnx" else None
        for label, recipe in RECIPES:
            if importer == "from_torch":
                text = lowp.from_torch(model, (x,), recipe=recipe)
            else:
                text = lowp.from_onnx(graph, recipe=recipe)
            module = lowp.compile(text, threads=torch.get_num_threads())
            function = module[module.functions[0]]
            y = function(inputs)
            error = relative_error(y, expected)
            with torch.no_grad():
                torch_time, lowp_time = interleaved_times(
                    lambda: model(x), lambda: function(inputs), runs)
            within = error <= EXPECTED[label]
            ok &= within
            print(f"  {importer:10s} {label:6s} relative error {error:.2e}"
                  f"{'' if within else ' (above ' + str(EXPECTED[label]) + ')'}"
                  f"  lowp {lowp_time * 1e3:8.2f} ms  torch f32 "
                  f"{torch_time * 1e3:8.2f} ms  {torch_time / lowp_time:5.2f}x")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small models, few runs (for the test suite)")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when an error is out of range")
    args = parser.parse_args()
    # Both on every core.
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(0)
    if args.quick:
        mlp, block, rows, seq, runs = MLP(64, 256), Block(64, 4, 128), 8, 16, 3
    else:
        mlp, block, rows, seq, runs = (MLP(1024, 4096), Block(512, 8, 2048),
                                       32, 128, 10)
    ok = run("MLP", mlp, torch.randn(rows, mlp.up.in_features), runs,
             args.check)
    ok &= run("transformer block", block,
              torch.randn(1, seq, block.q.in_features), runs, args.check)
    if args.check and not ok:
        print("error above the expected range", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
