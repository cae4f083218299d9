"""MLIR text builder shared by lowp's PyTorch and ONNX importers.

Both importers translate a graph of tensor ops into one `func.func` on static,
f32 (or integer index) tensors, written as the dialects that lowp-cpu-pipeline
lowers (docs/Lowering.md): `lowp.matmul` for every matrix product, linalg
(`linalg.generic` for elementwise ops with explicit broadcasting maps,
`linalg.reduce`, `linalg.transpose`, `linalg.broadcast`, `linalg.fill`),
`tensor` reshapes, and arith/math in the generics' bodies.

Composite ops that both graph formats have (softmax, layer norm, GELU, ...)
are built here once, so that the two importers produce the same IR for the
same computation and a recipe quantizes both alike.
"""

from __future__ import annotations

import math
import re
from typing import Callable, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np


from ._errors import UnsupportedOpError


def unsupported(importer: str, op: str, detail: str, node: str) -> UnsupportedOpError:
    """The error for `op` at graph node `node` (`detail`: where it comes from)."""
    where = f" ({detail})" if detail else ""
    return UnsupportedOpError(f"{importer}: unsupported op '{op}'{where} at node '{node}'")


def apply_recipe(text: str, recipe) -> str:
    """Runs the binding's quantization recipe on `text`; `text` itself without one."""
    if recipe is None:
        return text
    try:
        from . import _apply_recipe  # provided by the C++ binding
    except ImportError:
        raise NotImplementedError(
            "recipes need lowp._apply_recipe (the lowp-quantize pass through the "
            "C++ binding), which this build of the lowp package does not have"
        ) from None
    return _apply_recipe(text, recipe)


Shape = Tuple[int, ...]

_SSA_NAME = re.compile(r"%[A-Za-z0-9_]+")

_ELEMENT_TYPES = {
    np.dtype(np.float32): "f32",
    np.dtype(np.int64): "i64",
    np.dtype(np.int32): "i32",
}


def tensor_type(shape: Sequence[int], element: str = "f32") -> str:
    """`tensor<4x16xf32>` for shape (4, 16); `tensor<f32>` for a 0-d tensor."""
    return "tensor<" + "".join(f"{d}x" for d in shape) + element + ">"


def f32_literal(value: float) -> str:
    """An f32 as MLIR reads it back exactly: decimal when finite, else its bits."""
    v = np.float32(value)
    if np.isfinite(v):
        # MLIR reads a decimal as a double and rounds it to f32: the shortest
        # f32 text where that gives v back, else the double equal to v.
        text = repr(v)
        if np.float32(float(text)) != v:
            text = repr(float(v))
        if "." not in text:  # MLIR's float literals need the point: 1.0e-06
            mantissa, _, exponent = text.partition("e")
            text = mantissa + ".0" + ("e" + exponent if exponent else "")
        return text
    return "0x%08X" % int(np.array(v).view(np.uint32))


class Value:
    """An SSA value of tensor type: its name, static shape and element type.

    `transpose_of` is set on the result of swapping the last two dimensions,
    so that a matmul reading it can take the source with `transpose_rhs`
    instead (the transpose is then dead, and FunctionBuilder.finish drops it).
    `reshape_of` is set on a reshape's result, so that reshaping it again
    (collapsing the unit dimensions a keepdim reduction added, say) starts
    from the original rather than stacking reshapes.
    """

    __slots__ = ("name", "shape", "element", "transpose_of", "reshape_of")

    def __init__(self, name: str, shape: Sequence[int], element: str = "f32",
                 transpose_of: Optional["Value"] = None, reshape_of: Optional["Value"] = None):
        self.name = name
        self.shape: Shape = tuple(int(d) for d in shape)
        self.element = element
        self.transpose_of = transpose_of
        self.reshape_of = reshape_of

    @property
    def type(self) -> str:
        return tensor_type(self.shape, self.element)

    @property
    def rank(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"Value({self.name}: {self.type})"


def _dims(n: int) -> str:
    return ", ".join(f"d{i}" for i in range(n))


def _affine_map(num_loops: int, exprs: Sequence[str]) -> str:
    return f"affine_map<({_dims(num_loops)}) -> ({', '.join(exprs)})>"


def _reassociation(big: Shape, small: Shape) -> Optional[List[List[int]]]:
    """Groups of `big`'s dimensions whose products are `small`'s, or None.

    This is the reassociation of a `tensor.collapse_shape` from `big` to
    `small` (or of an expand_shape from `small` to `big`); unit dimensions
    at the end join the last group.
    """
    if not small:
        return [] if all(d == 1 for d in big) else None
    groups: List[List[int]] = []
    i = 0
    for d in small:
        if i >= len(big):
            return None
        group, product = [i], big[i]
        i += 1
        while product != d:
            if product > d or i >= len(big):
                return None
            group.append(i)
            product *= big[i]
            i += 1
        groups.append(group)
    while i < len(big):
        if big[i] != 1:
            return None
        groups[-1].append(i)
        i += 1
    return groups


class ScalarBody:
    """Emits the scalar ops of one `linalg.generic` body.

    Methods take and return SSA names of scalars (f32 unless said otherwise).
    """

    def __init__(self, builder: "FunctionBuilder"):
        self._b = builder
        self.lines: List[str] = []

    def op(self, name: str, *operands: str, element: str = "f32") -> str:
        """`%r = name %a, %b : element`, e.g. op("arith.addf", x, y)."""
        result = self._b.fresh()
        self.lines.append(f"{result} = {name} {', '.join(operands)} : {element}")
        return result

    def const(self, value: float) -> str:
        result = self._b.fresh()
        self.lines.append(f"{result} = arith.constant {f32_literal(value)} : f32")
        return result

    def raw(self, text: str) -> str:
        """A line `%r = text`, for ops whose syntax `op` does not cover."""
        result = self._b.fresh()
        self.lines.append(f"{result} = {text}")
        return result


class FunctionBuilder:
    """Builds one public `func.func` as MLIR text, op by op.

    Every method that computes returns a new `Value`; inputs are never
    modified. Shapes are static and checked as the ops are built, so that a
    shape error is reported by the importer rather than by MLIR's verifier.
    """

    def __init__(self, name: str):
        self.name = name
        self._args: List[Value] = []
        self._lines: List[str] = []
        self._count = 0
        self._constants: dict = {}

    # -- names, arguments, constants --------------------------------------

    def fresh(self) -> str:
        """A new SSA name, unique in the whole function (bodies included)."""
        self._count += 1
        return f"%v{self._count - 1}"

    def argument(self, shape: Sequence[int], element: str = "f32") -> Value:
        """The function's next argument, a tensor of `shape` and `element`."""
        value = Value(f"%arg{len(self._args)}", shape, element)
        self._args.append(value)
        return value

    def _emit(self, text: str, shape: Sequence[int], element: str = "f32",
              transpose_of: Optional[Value] = None, reshape_of: Optional[Value] = None) -> Value:
        value = Value(self.fresh(), shape, element, transpose_of, reshape_of)
        self._lines.append(f"{value.name} = {text}")
        return value

    def constant(self, array) -> Value:
        """A dense constant: a splat, a short list, or little-endian hex bytes."""
        a = np.asarray(array)
        if a.dtype == np.float64 or a.dtype == np.float16:
            a = a.astype(np.float32)
        elif a.dtype.kind in "iub" and a.dtype not in _ELEMENT_TYPES:
            a = a.astype(np.int64)
        if a.dtype not in _ELEMENT_TYPES:
            raise TypeError(f"constant of dtype {a.dtype} is not supported")
        if a.size == 0:
            raise ValueError("empty constants are not supported")
        a = np.array(a, dtype=a.dtype.newbyteorder("<"), order="C")  # keeps 0-d arrays 0-d
        key = (a.dtype.str, a.shape, a.tobytes())
        if key in self._constants:
            return self._constants[key]
        element = _ELEMENT_TYPES[np.dtype(a.dtype.name)]
        flat = a.reshape(-1)
        if a.tobytes() == flat[:1].tobytes() * a.size:
            attr = self._literal(flat[0], element)
        elif a.size <= 8 and (element != "f32" or np.isfinite(a).all()):
            attr = self._nested_literal(a, element)
        else:
            attr = '"0x' + a.tobytes().hex().upper() + '"'
        value = self._emit(f"arith.constant dense<{attr}> : {tensor_type(a.shape, element)}",
                           a.shape, element)
        self._constants[key] = value
        return value

    @classmethod
    def _nested_literal(cls, a: np.ndarray, element: str) -> str:
        if a.ndim == 0:
            return cls._literal(a[()], element)
        return "[" + ", ".join(cls._nested_literal(row, element) for row in a) + "]"

    @staticmethod
    def _literal(v, element: str) -> str:
        return f32_literal(v) if element == "f32" else str(int(v))

    def splat(self, value: float, shape: Sequence[int] = ()) -> Value:
        """An f32 constant of `shape` holding `value` everywhere."""
        return self.constant(np.full(tuple(shape), value, dtype=np.float32))

    def _empty(self, shape: Sequence[int], element: str = "f32") -> Value:
        return self._emit(f"tensor.empty() : {tensor_type(shape, element)}", shape, element)

    def _filled(self, value: float, shape: Sequence[int]) -> Value:
        scalar = self.fresh()
        self._lines.append(f"{scalar} = arith.constant {f32_literal(value)} : f32")
        empty = self._empty(shape)
        return self._emit(f"linalg.fill ins({scalar} : f32) outs({empty.name} : {empty.type})"
                          f" -> {empty.type}", shape)

    # -- elementwise --------------------------------------------------------

    def _broadcast_operand(self, v: Value, out: Shape) -> Tuple[Value, List[str]]:
        """`v` without the unit dimensions it is broadcast along, and its map."""
        offset = len(out) - v.rank
        if offset < 0:
            raise ValueError(f"cannot broadcast {v.shape} to {out}")
        keep = []
        for i, d in enumerate(v.shape):
            if d == out[offset + i]:
                keep.append(i)
            elif d != 1:
                raise ValueError(f"cannot broadcast {v.shape} to {out}")
        if len(keep) < v.rank:
            v = self.reshape(v, [v.shape[i] for i in keep])
        return v, [f"d{offset + i}" for i in keep]

    def pointwise(self, inputs: Sequence[Value],
                  body: Callable[[ScalarBody, List[str]], str],
                  out_shape: Optional[Sequence[int]] = None) -> Value:
        """One `linalg.generic` over the (numpy-)broadcast shape of `inputs`.

        `body(s, scalars)` emits the scalar computation with `s` and returns
        the name of the f32 result.
        """
        if out_shape is None:
            out_shape = np.broadcast_shapes(*[v.shape for v in inputs])
        out = tuple(int(d) for d in out_shape)
        operands, maps = [], []
        for v in inputs:
            operand, exprs = self._broadcast_operand(v, out)
            operands.append(operand)
            maps.append(_affine_map(len(out), exprs))
        maps.append(_affine_map(len(out), [f"d{i}" for i in range(len(out))]))
        empty = self._empty(out)
        scalars = [self.fresh() for _ in operands]
        out_scalar = self.fresh()
        s = ScalarBody(self)
        result = body(s, scalars)
        iterators = ", ".join(['"parallel"'] * len(out))
        ins = ", ".join(v.name for v in operands)
        in_types = ", ".join(v.type for v in operands)
        block_args = ", ".join(f"{n}: {v.element}" for n, v in zip(scalars, operands))
        block_args = f"{block_args}, {out_scalar}: f32" if block_args else f"{out_scalar}: f32"
        lines = [f"linalg.generic {{indexing_maps = [{', '.join(maps)}], "
                 f"iterator_types = [{iterators}]}}"
                 + (f" ins({ins} : {in_types})" if operands else "")
                 + f" outs({empty.name} : {empty.type}) {{",
                 f"^bb0({block_args}):"]
        lines += ["  " + line for line in s.lines]
        lines += [f"  linalg.yield {result} : f32", f"}} -> {empty.type}"]
        return self._emit("\n".join(lines), out)

    def binary(self, op: str, a: Value, b: Value) -> Value:
        """A broadcasting binary op: arith.addf/subf/mulf/divf/maximumf, math.powf.

        Operands of one shape give the op on whole tensors (the form lowp's
        rewrites, such as relu of a dequantized tensor, match); others one
        `linalg.generic` whose maps broadcast them.
        """
        if a.shape == b.shape:
            return self._emit(f"{op} {a.name}, {b.name} : {a.type}", a.shape)
        return self.pointwise([a, b], lambda s, x: s.op(op, x[0], x[1]))

    def unary(self, op: str, a: Value) -> Value:
        """An elementwise op of one operand on the whole tensor: math.exp, arith.negf, ..."""
        return self._emit(f"{op} {a.name} : {a.type}", a.shape)

    def add(self, a: Value, b: Value) -> Value:
        """a + b, broadcast (likewise sub, mul and div)."""
        return self.binary("arith.addf", a, b)

    def sub(self, a: Value, b: Value) -> Value:
        return self.binary("arith.subf", a, b)

    def mul(self, a: Value, b: Value) -> Value:
        return self.binary("arith.mulf", a, b)

    def div(self, a: Value, b: Value) -> Value:
        return self.binary("arith.divf", a, b)

    def scaled(self, a: Value, factor: float) -> Value:
        """a * factor (a itself for 1)."""
        return a if factor == 1.0 else self.mul(a, self.splat(factor, a.shape))

    def to_f32(self, a: Value) -> Value:
        """Integers to f32 (arith.sitofp); f32 as it is."""
        if a.element == "f32":
            return a
        return self.pointwise(
            [a], lambda s, x: s.raw(f"arith.sitofp {x[0]} : {a.element} to f32"))

    def power(self, a: Value, exponent: Union[float, Value]) -> Value:
        """a ** exponent, with the exponents models use as exact products."""
        if isinstance(exponent, Value):
            return self.binary("math.powf", a, exponent)
        e = float(exponent)
        if e == 1.0:
            return a
        if e == 2.0:
            return self.mul(a, a)
        if e == 3.0:
            return self.mul(self.mul(a, a), a)
        if e == 0.5:
            return self.unary("math.sqrt", a)
        if e == -0.5:
            return self.unary("math.rsqrt", a)
        if e == -1.0:
            return self.unary_body(a, lambda s, x: s.op("arith.divf", s.const(1.0), x))
        return self.unary_body(a, lambda s, x: s.op("math.powf", x, s.const(e)))

    def unary_body(self, a: Value, body: Callable[[ScalarBody, str], str]) -> Value:
        """One generic over `a` computing `body(s, x)` for each element x."""
        return self.pointwise([a], lambda s, x: body(s, x[0]))

    def relu(self, a: Value) -> Value:
        """max(a, 0)."""
        # maximumf (not maxnumf) keeps NaN, as torch.relu does; written as a
        # max with a zero splat because that is the form lowp-propagate-scales
        # turns into relu of an MX tensor's elements.
        return self.binary("arith.maximumf", a, self.splat(0.0, a.shape))

    def sigmoid(self, a: Value) -> Value:
        """1 / (1 + exp(-a)): 0, not NaN, where exp(-a) overflows."""
        return self.unary_body(a, lambda s, x: s.op(
            "arith.divf", s.const(1.0),
            s.op("arith.addf", s.const(1.0), s.op("math.exp", s.op("arith.negf", x)))))

    def silu(self, a: Value) -> Value:
        """a * sigmoid(a), as a / (1 + exp(-a))."""
        return self.unary_body(a, lambda s, x: s.op(
            "arith.divf", x,
            s.op("arith.addf", s.const(1.0), s.op("math.exp", s.op("arith.negf", x)))))

    def gelu(self, a: Value, approximate: str = "none") -> Value:
        """GELU as PyTorch defines it: exact (erf) or its tanh approximation."""
        if approximate == "none":
            def body(s: ScalarBody, x: str) -> str:
                e = s.op("math.erf", s.op("arith.mulf", x, s.const(math.sqrt(0.5))))
                half_x = s.op("arith.mulf", x, s.const(0.5))
                return s.op("arith.mulf", half_x, s.op("arith.addf", s.const(1.0), e))
        elif approximate == "tanh":
            def body(s: ScalarBody, x: str) -> str:
                cube = s.op("arith.mulf", s.op("arith.mulf", x, x), x)
                inner = s.op("arith.addf", x, s.op("arith.mulf", cube, s.const(0.044715)))
                t = s.op("math.tanh",
                         s.op("arith.mulf", inner, s.const(math.sqrt(2.0 / math.pi))))
                half_x = s.op("arith.mulf", x, s.const(0.5))
                return s.op("arith.mulf", half_x, s.op("arith.addf", s.const(1.0), t))
        else:
            raise ValueError(f"unknown GELU approximation '{approximate}'")
        return self.unary_body(a, body)

    def select(self, condition: Value, a: Value, b: Value) -> Value:
        """`a` where `condition` (f32: nonzero is true) holds, else `b`, broadcast."""
        def body(s: ScalarBody, x: List[str]) -> str:
            holds = s.raw(f"arith.cmpf une, {x[0]}, {s.const(0.0)} : f32")
            return s.raw(f"arith.select {holds}, {x[1]}, {x[2]} : f32")
        return self.pointwise([condition, a, b], body)

    # -- reductions and normalizations -------------------------------------

    def reduce(self, kind: str, a: Value, dims: Iterable[int], keepdim: bool = False) -> Value:
        """Sum ("add") or maximum ("max") over `dims` with `linalg.reduce`."""
        dims = sorted({d % a.rank for d in dims}) if a.rank else []
        if not dims:
            return a
        out = [d for i, d in enumerate(a.shape) if i not in dims]
        init = {"add": 0.0, "max": -math.inf}[kind]
        op = {"add": "arith.addf", "max": "arith.maximumf"}[kind]
        filled = self._filled(init, out)
        x, acc, r = self.fresh(), self.fresh(), self.fresh()
        text = (f"linalg.reduce ins({a.name} : {a.type}) outs({filled.name} : {filled.type})"
                f" dimensions = [{', '.join(map(str, dims))}]\n"
                f"  ({x}: f32, {acc}: f32) {{\n"
                f"    {r} = {op} {x}, {acc} : f32\n"
                f"    linalg.yield {r} : f32\n"
                f"  }}")
        result = self._emit(text, out)
        if keepdim:
            result = self.reshape(result, [1 if i in dims else d for i, d in enumerate(a.shape)])
        return result

    def mean(self, a: Value, dims: Iterable[int], keepdim: bool = False) -> Value:
        """The sum over `dims` divided by their number of elements."""
        dims = sorted({d % a.rank for d in dims}) if a.rank else []
        count = int(np.prod([a.shape[d] for d in dims])) if dims else 1
        total = self.reduce("add", a, dims)
        # Divided before keepdim's reshape: one op on tensors of one shape.
        mean = total if count == 1 else self.div(total, self.splat(float(count), total.shape))
        if keepdim:
            mean = self.reshape(mean, [1 if i in dims else d for i, d in enumerate(a.shape)])
        return mean

    def softmax(self, a: Value, dim: int) -> Value:
        """exp(x - max) / sum(exp(x - max)) along `dim`: no overflow for large x."""
        peak = self.reduce("max", a, [dim], keepdim=True)
        e = self.pointwise([a, peak], lambda s, x: s.op("math.exp", s.op("arith.subf", x[0], x[1])))
        return self.div(e, self.reduce("add", e, [dim], keepdim=True))

    def layer_norm(self, a: Value, num_dims: int, weight: Optional[Value],
                   bias: Optional[Value], eps: float) -> Value:
        """Normalizes over the last `num_dims` dimensions (biased variance)."""
        dims = list(range(a.rank - num_dims, a.rank))
        centered = self.sub(a, self.mean(a, dims, keepdim=True))
        variance = self.mean(self.power(centered, 2.0), dims, keepdim=True)
        inv = self.unary_body(variance, lambda s, v: s.op(
            "math.rsqrt", s.op("arith.addf", v, s.const(eps))))
        y = self.mul(centered, inv)
        if weight is not None:
            y = self.mul(y, weight)
        if bias is not None:
            y = self.add(y, bias)
        return y

    def rms_norm(self, a: Value, num_dims: int, weight: Optional[Value], eps: float) -> Value:
        """x * rsqrt(mean(x^2) + eps) * weight over the last `num_dims` dimensions."""
        dims = list(range(a.rank - num_dims, a.rank))
        ms = self.mean(self.power(a, 2.0), dims, keepdim=True)
        inv = self.unary_body(ms, lambda s, v: s.op(
            "math.rsqrt", s.op("arith.addf", v, s.const(eps))))
        y = self.mul(a, inv)
        return self.mul(y, weight) if weight is not None else y

    # -- data movement -------------------------------------------------------

    def reshape(self, a: Value, shape: Sequence[int]) -> Value:
        """`a` with another static shape of as many elements, by collapse/expand_shape."""
        shape = tuple(int(d) for d in shape)
        if shape == a.shape:
            return a
        if int(np.prod(shape)) != int(np.prod(a.shape)):
            raise ValueError(f"cannot reshape {a.shape} to {shape}")
        source = a
        while source.reshape_of is not None:  # reshape the original, not a reshape of it
            source = source.reshape_of
        if source.shape == shape:
            return source
        result = self._reshape_once(source, shape)
        if result is None:
            # No single reassociation (e.g. 6x4 to 4x6): through one dimension.
            flat = source
            if source.rank != 1:
                flat = self._reshape_once(source, (int(np.prod(shape)),))
            result = self._reshape_once(flat, shape)
        result.reshape_of = source
        return result

    def _reshape_once(self, a: Value, shape: Shape) -> Optional[Value]:
        """One collapse_shape or expand_shape from `a` to `shape`, if one does it."""
        out = tensor_type(shape, a.element)
        if len(shape) < a.rank:
            groups = _reassociation(a.shape, shape)
            if groups is not None:
                return self._emit(f"tensor.collapse_shape {a.name} {groups} : {a.type} into {out}",
                                  shape, a.element)
        elif len(shape) > a.rank:
            groups = _reassociation(shape, a.shape)
            if groups is not None:
                return self._emit(f"tensor.expand_shape {a.name} {groups} output_shape "
                                  f"{list(shape)} : {a.type} into {out}", shape, a.element)
        return None

    def transpose(self, a: Value, perm: Sequence[int]) -> Value:
        """`a` with its dimensions permuted (result dimension i is a's perm[i])."""
        perm = [p % a.rank for p in perm]
        if perm == list(range(a.rank)):
            return a
        shape = [a.shape[p] for p in perm]
        empty = self._empty(shape, a.element)
        swaps_last_two = a.rank >= 2 and perm == list(range(a.rank - 2)) + [a.rank - 1, a.rank - 2]
        return self._emit(f"linalg.transpose ins({a.name} : {a.type}) outs({empty.name} : "
                          f"{empty.type}) permutation = [{', '.join(map(str, perm))}]",
                          shape, a.element, transpose_of=a if swaps_last_two else None)

    def broadcast_to(self, a: Value, shape: Sequence[int]) -> Value:
        """`a` broadcast (numpy rules) to `shape`, materialized by linalg.broadcast."""
        shape = tuple(int(d) for d in shape)
        if a.shape == shape:
            return a
        operand, exprs = self._broadcast_operand(a, shape)
        kept = {int(e[1:]) for e in exprs}
        added = [i for i in range(len(shape)) if i not in kept]
        empty = self._empty(shape, a.element)
        dims = ", ".join(map(str, added))
        return self._emit(f"linalg.broadcast ins({operand.name} : {operand.type}) outs("
                          f"{empty.name} : {empty.type}) dimensions = [{dims}]", shape, a.element)

    def gather(self, data: Value, indices: Value, axis: int = 0) -> Value:
        """numpy.take(data, indices, axis); negative indices count from the end.

        Indices are also clamped into range, so that a bad token id reads a
        wrong row rather than memory outside the table.
        """
        axis %= data.rank
        n = data.shape[axis]
        out = data.shape[:axis] + indices.shape + data.shape[axis + 1:]
        idx_dims = [f"d{axis + i}" for i in range(indices.rank)]
        maps = [_affine_map(len(out), idx_dims),
                _affine_map(len(out), [f"d{i}" for i in range(len(out))])]
        empty = self._empty(out, data.element)
        i_arg, o_arg = self.fresh(), self.fresh()
        s = ScalarBody(self)
        i = s.raw(f"arith.index_cast {i_arg} : {indices.element} to index")
        zero = s.raw("arith.constant 0 : index")
        size = s.raw(f"arith.constant {n} : index")
        last = s.raw(f"arith.constant {n - 1} : index")
        negative = s.raw(f"arith.cmpi slt, {i}, {zero} : index")
        wrapped = s.op("arith.addi", i, size, element="index")
        i = s.raw(f"arith.select {negative}, {wrapped}, {i} : index")
        i = s.op("arith.maxsi", i, zero, element="index")
        i = s.op("arith.minsi", i, last, element="index")
        coords = [s.raw(f"linalg.index {d} : index") for d in range(axis)]
        coords.append(i)
        coords += [s.raw(f"linalg.index {axis + indices.rank + d} : index")
                   for d in range(data.rank - axis - 1)]
        v = s.raw(f"tensor.extract {data.name}[{', '.join(coords)}] : {data.type}")
        iterators = ", ".join(['"parallel"'] * len(out))
        lines = [f"linalg.generic {{indexing_maps = [{', '.join(maps)}], iterator_types = "
                 f"[{iterators}]}} ins({indices.name} : {indices.type}) outs({empty.name} : "
                 f"{empty.type}) {{",
                 f"^bb0({i_arg}: {indices.element}, {o_arg}: {data.element}):"]
        lines += ["  " + line for line in s.lines]
        lines += [f"  linalg.yield {v} : {data.element}", f"}} -> {empty.type}"]
        return self._emit("\n".join(lines), out, data.element)

    # -- matrix products -----------------------------------------------------

    def matmul(self, a: Value, b: Value, transpose_rhs: bool = False) -> Value:
        """One `lowp.matmul` of rank-2 or rank-3 operands of the same rank."""
        if a.rank != b.rank or a.rank not in (2, 3):
            raise ValueError(
                f"lowp.matmul needs operands of rank 2 or 3, got {a.shape} and {b.shape}")
        k, n = (b.shape[-1], b.shape[-2]) if transpose_rhs else (b.shape[-2], b.shape[-1])
        if a.shape[-1] != k or a.shape[:-2] != b.shape[:-2]:
            raise ValueError(f"matmul of {a.shape} and {b.shape} (transpose_rhs={transpose_rhs})")
        shape = a.shape[:-1] + (n,)
        attrs = "{accumulator = f32, transpose_rhs}" if transpose_rhs else "{accumulator = f32}"
        return self._emit(f"lowp.matmul {a.name}, {b.name} {attrs} : {a.type}, {b.type} -> "
                          f"{tensor_type(shape)}", shape)

    def matmul_nd(self, a: Value, b: Value, transpose_rhs: bool = False) -> Value:
        """numpy/torch.matmul semantics on any ranks, as rank-2 or rank-3 lowp.matmuls.

        A 2-D rhs (a Linear weight) multiplies every row of `a` at once;
        batch dimensions are broadcast and collapsed into one.
        """
        if not transpose_rhs and b.transpose_of is not None:
            b, transpose_rhs = b.transpose_of, True
        if a.rank == 1:
            r = self.matmul_nd(self.reshape(a, (1,) + a.shape), b, transpose_rhs)
            return self.reshape(r, r.shape[:-2] + r.shape[-1:])
        if b.rank == 1:
            if transpose_rhs:
                raise ValueError("transposed rank-1 rhs")
            r = self.matmul_nd(a, self.reshape(b, b.shape + (1,)))
            return self.reshape(r, r.shape[:-1])
        m = a.shape[-2]
        n = b.shape[-2] if transpose_rhs else b.shape[-1]
        if b.rank == 2:
            rows = self.reshape(a, (int(np.prod(a.shape[:-1])), a.shape[-1]))
            r = self.matmul(rows, b, transpose_rhs)
            return self.reshape(r, a.shape[:-1] + (n,))
        batch = tuple(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]))
        count = int(np.prod(batch))
        a3 = self.reshape(self.broadcast_to(a, batch + a.shape[-2:]), (count,) + a.shape[-2:])
        b3 = self.reshape(self.broadcast_to(b, batch + b.shape[-2:]), (count,) + b.shape[-2:])
        r = self.matmul(a3, b3, transpose_rhs)
        return self.reshape(r, batch + (m, n))

    def linear(self, x: Value, weight: Value, bias: Optional[Value]) -> Value:
        """x @ weight.T + bias with weight as stored by nn.Linear (N x K): transpose_rhs."""
        rows = self.reshape(x, (int(np.prod(x.shape[:-1])), x.shape[-1]))
        y = self.matmul(rows, weight, transpose_rhs=True)
        if bias is not None:
            y = self.add(y, bias)
        return self.reshape(y, x.shape[:-1] + (weight.shape[0],))

    # -- the function ----------------------------------------------------------

    def _live(self, results: Sequence[Value]) -> List[str]:
        """The ops that `results` depend on, in order.

        Importers emit ops that later prove unused (a transpose that a matmul
        read as transpose_rhs, a reshape undone by the next); every op here
        is pure, so dropping them keeps the text to what is computed.
        """
        used = {v.name for v in results}
        live = []
        for line in reversed(self._lines):
            if line.split(" = ", 1)[0] in used:
                used.update(_SSA_NAME.findall(line))
                live.append(line)
        return live[::-1]

    def finish(self, results: Sequence[Value]) -> str:
        """The module: the arguments created, the ops emitted, `results` returned."""
        if not results:
            raise ValueError("a function without results")
        args = ", ".join(f"{v.name}: {v.type}" for v in self._args)
        types = ", ".join(v.type for v in results)
        signature = f"({types})" if len(results) > 1 else types
        out = ["module {", f"  func.func @{self.name}({args}) -> {signature} {{"]
        for line in self._live(results):
            out += ["    " + part for part in line.split("\n")]
        out.append(f"    return {', '.join(v.name for v in results)} : {types}")
        out += ["  }", "}", ""]
        return "\n".join(out)
