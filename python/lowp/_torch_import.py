"""PyTorch importer: an `nn.Module`, traced by torch.fx, as lowp's MLIR text.

`torch.fx.symbolic_trace` gives the module's graph of calls; ShapeProp runs it
once on the example inputs so that every tensor has a static shape. Each node
then becomes ops of a `FunctionBuilder` (see _import_common): parameters and
buffers become constants, placeholders the function's arguments, and the
graph's output its results. A call that reads no input of the function
(arithmetic on sizes such as `x.size(-1) ** 0.5`, a causal mask sliced from a
buffer, position embeddings of a slice of a buffer of positions) is evaluated
during the import, since every size is static, and becomes a constant.
"""

from __future__ import annotations

import builtins
import operator
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from ._import_common import FunctionBuilder, Value, apply_recipe, unsupported

_REQUIRED = object()


def from_torch(module, example_inputs, recipe=None, function_name: str = "forward") -> str:
    """Translates `module` (an nn.Module) into an MLIR module, as text.

    Args:
      module: the model; traced with torch.fx.symbolic_trace (a GraphModule
        is taken as it is). Dropout is taken as the identity (inference).
      example_inputs: a tensor or a tuple of tensors: the function's
        arguments get their shapes and element types (f32, or i64/i32 for
        token ids).
      recipe: if given, the quantization recipe that lowp._apply_recipe
        applies to the result (the lowp-quantize pass).
      function_name: the name of the one public function.

    Returns:
      The module's text: `func.func @function_name` with one argument per
      example input and one result per tensor the module returns.

    Raises:
      UnsupportedOpError: for a call the importer does not translate; the
        message names the op and the fx node.
    """
    import torch
    import torch.fx
    from torch.fx.passes.shape_prop import ShapeProp

    if isinstance(example_inputs, torch.Tensor):
        example_inputs = (example_inputs,)
    example_inputs = tuple(example_inputs)
    graph_module = module if isinstance(module, torch.fx.GraphModule) else _trace(module)
    with torch.no_grad():
        ShapeProp(graph_module).propagate(*example_inputs)
    text = _TorchImporter(graph_module, function_name).run(example_inputs)
    return apply_recipe(text, recipe)


def _trace(module):
    """torch.fx.symbolic_trace(module), with `B, T, C = x.shape` working on Python 3.11.

    fx unpacks a proxy by finding the calling frame's UNPACK_SEQUENCE at
    index f_lasti // 2 of its instruction list, which Python 3.11's inline
    cache entries shift; this tracer finds it by its offset instead. (As
    with fx itself, factory calls on traced sizes such as torch.arange(T)
    cannot be traced: slice a buffer instead.)
    """
    import dis
    import inspect

    import torch.fx

    class Tracer(torch.fx.Tracer):
        # Buffers as get_attr nodes (not tensors baked into the trace), so that
        # `self.mask[:, :, :T, :T]` with a traced T can be traced at all.
        proxy_buffer_attributes = True

        def iter(self, obj):
            frame = inspect.currentframe()
            caller = frame.f_back.f_back if frame and frame.f_back else None  # past Proxy.__iter__
            if caller is not None:
                for inst in dis.get_instructions(caller.f_code):
                    if inst.offset == caller.f_lasti and inst.opname == "UNPACK_SEQUENCE":
                        return (obj[i] for i in range(inst.argval))
            return super().iter(obj)

    tracer = Tracer()
    graph = tracer.trace(module)
    name = module.__class__.__name__
    return torch.fx.GraphModule(tracer.root, graph, name)


def _get(args: Sequence, kwargs: Dict[str, Any], index: int, name: str, default=_REQUIRED):
    """A call's argument by position or keyword, as torch's signatures allow both."""
    if len(args) > index:
        return args[index]
    if name in kwargs:
        return kwargs[name]
    if default is _REQUIRED:
        raise TypeError(f"missing argument '{name}'")
    return default


def _dims_arg(args: Sequence, start: int) -> List[int]:
    """Sizes or dimensions passed either as varargs or as one sequence."""
    rest = args[start:]
    if len(rest) == 1 and isinstance(rest[0], (tuple, list)):
        rest = rest[0]
    return [int(d) for d in rest]


def _has_value(obj) -> bool:
    if isinstance(obj, Value):
        return True
    if isinstance(obj, (tuple, list)):
        return any(_has_value(o) for o in obj)
    if isinstance(obj, dict):
        return any(_has_value(o) for o in obj.values())
    return False


def _function_names(torch) -> Dict[Any, str]:
    """Functions fx records in call_function nodes, by the name of their handler."""
    F = torch.nn.functional
    names = {
        operator.add: "add", operator.iadd: "add", torch.add: "add",
        operator.sub: "sub", operator.isub: "sub", torch.sub: "sub",
        operator.mul: "mul", operator.imul: "mul", torch.mul: "mul",
        operator.truediv: "div", operator.itruediv: "div", torch.div: "div",
        operator.neg: "neg", torch.neg: "neg",
        operator.matmul: "matmul", torch.matmul: "matmul", torch.mm: "matmul",
        torch.bmm: "matmul", F.linear: "linear",
        operator.pow: "pow", torch.pow: "pow",
        torch.relu: "relu", F.relu: "relu", F.gelu: "gelu", F.silu: "silu",
        torch.sigmoid: "sigmoid", F.sigmoid: "sigmoid", torch.tanh: "tanh", F.tanh: "tanh",
        torch.exp: "exp", torch.erf: "erf", torch.rsqrt: "rsqrt", torch.sqrt: "sqrt",
        torch.softmax: "softmax", F.softmax: "softmax",
        F.layer_norm: "layer_norm", F.embedding: "embedding",
        torch.mean: "mean", torch.sum: "sum",
        torch.reshape: "reshape", torch.flatten: "flatten", torch.transpose: "transpose",
        torch.permute: "permute", torch.t: "t", torch.squeeze: "squeeze",
        torch.unsqueeze: "unsqueeze", F.dropout: "dropout",
        torch.where: "where", torch.masked_fill: "masked_fill",
        builtins.getattr: "getattr", operator.getitem: "getitem",
    }
    if hasattr(F, "rms_norm"):
        names[F.rms_norm] = "rms_norm"
    return names


# Calls whose results would differ from torch's on every call, if evaluated once.
_RANDOM = {"rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like",
           "normal", "normal_", "uniform_", "bernoulli", "multinomial", "poisson"}

# Tensor methods (call_method targets) whose handler has another name.
_METHOD_ALIASES = {"view": "reshape", "mm": "matmul", "bmm": "matmul", "__matmul__": "matmul",
                   "true_divide": "div", "subtract": "sub", "multiply": "mul"}


class _TorchImporter:
    """Walks one fx graph in order, building the function as it goes."""

    def __init__(self, graph_module, function_name: str):
        import torch

        self.torch = torch
        self.graph_module = graph_module
        self.b = FunctionBuilder(function_name)
        self.env: Dict[Any, Any] = {}
        self.constants: Dict[int, tuple] = {}
        self.functions = _function_names(torch)
        self.node = None

    # -- the walk ---------------------------------------------------------

    def run(self, example_inputs: Sequence) -> str:
        from torch.fx.node import map_arg

        inputs = iter(example_inputs)
        results = None
        for node in self.graph_module.graph.nodes:
            self.node = node
            if node.op == "placeholder":
                self.env[node] = self._argument(next(inputs))
            elif node.op == "get_attr":
                self.env[node] = self._attribute(node.target)
            elif node.op == "output":
                results = self._flatten(map_arg(node.args[0], self.env.__getitem__))
            else:
                args = map_arg(node.args, self.env.__getitem__)
                kwargs = map_arg(node.kwargs, self.env.__getitem__)
                self.env[node] = self._call(node, args, kwargs)
                self._check_shape(node, self.env[node])
        return self.b.finish(results)

    def _argument(self, example) -> Any:
        torch = self.torch
        if not isinstance(example, torch.Tensor):
            return example  # a Python constant, specialized into the function
        elements = {torch.float32: "f32", torch.int64: "i64", torch.int32: "i32"}
        if example.dtype not in elements:
            raise TypeError(f"from_torch: input '{self.node.name}' has dtype {example.dtype}; "
                            "inputs must be float32, int64 or int32")
        return self.b.argument(tuple(example.shape), elements[example.dtype])

    def _attribute(self, target: str) -> Any:
        # Tensors stay torch tensors until an op of the function reads them,
        # so that calls on them alone (slicing a mask buffer) are evaluated.
        return operator.attrgetter(target)(self.graph_module)

    def _constant(self, tensor) -> Value:
        """A parameter or buffer as a constant, one per tensor however often it is used."""
        key = id(tensor)
        if key not in self.constants:
            # The tensor is kept with its value so that its id is not reused.
            self.constants[key] = (tensor, self.b.constant(tensor.detach().cpu().numpy()))
        return self.constants[key][1]

    def _flatten(self, out) -> List[Value]:
        if isinstance(out, Value):
            return [out]
        if isinstance(out, self.torch.Tensor):
            return [self._constant(out)]
        if isinstance(out, (tuple, list)):
            return [v for o in out for v in self._flatten(o)]
        if isinstance(out, dict):
            return [v for o in out.values() for v in self._flatten(o)]
        raise TypeError(f"from_torch: the module returns {type(out).__name__}, not tensors")

    def _check_shape(self, node, value) -> None:
        meta = node.meta.get("tensor_meta")
        if isinstance(value, Value) and meta is not None and hasattr(meta, "shape"):
            if tuple(meta.shape) != value.shape:
                raise AssertionError(f"from_torch: node '{node.name}' imported as "
                                     f"{value.shape}, but torch computes {tuple(meta.shape)}")

    def _call(self, node, args, kwargs) -> Any:
        if not _has_value((args, kwargs)):
            return self._evaluate(node, args, kwargs)
        if node.op == "call_module":
            return self._module(self.graph_module.get_submodule(node.target), args, kwargs)
        if node.op == "call_method":
            name = _METHOD_ALIASES.get(node.target, node.target)
            detail = f"Tensor.{node.target}"
            op = f"aten::{node.target}"
        else:
            target = node.target
            name = self.functions.get(target)
            function = getattr(target, "__name__", str(target))
            module = getattr(target, "__module__", None) or "torch"
            detail = f"{'operator' if module == '_operator' else module}.{function}"
            op = f"aten::{function}"
        handler = getattr(self, f"_op_{name}", None) if name else None
        if handler is None:
            raise unsupported("from_torch", op, detail, node.name)
        return handler(args, kwargs)

    def _evaluate(self, node, args, kwargs) -> Any:
        """A call on constants alone, computed now by Python or torch.

        Every size is static, so arithmetic on sizes, a causal mask sliced
        from a buffer and compared with 0, or the position embeddings of a
        slice of a buffer of positions are constants of the function rather
        than ops in it.
        """
        if node.op == "call_module":
            function = self.graph_module.get_submodule(node.target)
            name = type(function).__name__
        elif node.op == "call_method":
            function, name = getattr(args[0], node.target), node.target
            args = args[1:]
        else:
            function, name = node.target, getattr(node.target, "__name__", "")
        if name in ("Dropout", "dropout"):
            return args[0] if args else kwargs["input"]
        if name in _RANDOM:
            raise self._unsupported(f"aten::{name}", "random numbers would be fixed at import")
        with self.torch.no_grad():
            return function(*args, **kwargs)

    def _unsupported(self, op: str, detail: str = ""):
        return unsupported("from_torch", op, detail, self.node.name)

    # -- operands -----------------------------------------------------------

    def _float(self, x, like: Optional[Value] = None) -> Value:
        """An f32 operand: a tensor, or a Python number splat to `like`'s shape."""
        if isinstance(x, Value):
            if x.element != "f32":
                raise self._unsupported(f"{x.element} arithmetic", "only f32 tensors compute")
            return x
        if isinstance(x, self.torch.Tensor):  # a constant, promoted as torch would
            torch = self.torch
            return self._float(self._constant(x if x.dtype == torch.float32 else x.float()))
        if isinstance(x, (int, float, bool)):
            return self.b.splat(float(x), like.shape if like is not None else ())
        raise TypeError(f"from_torch: operand {x!r} of node '{self.node.name}'")

    def _pair(self, a, b):
        like = a if isinstance(a, Value) else b if isinstance(b, Value) else None
        return self._float(a, like), self._float(b, like)

    # -- arithmetic -----------------------------------------------------------

    def _op_add(self, args, kwargs):
        a, b = self._pair(args[0], args[1])
        alpha = _get(args, kwargs, 2, "alpha", 1)
        return self.b.add(a, self.b.scaled(b, float(alpha)))

    def _op_sub(self, args, kwargs):
        a, b = self._pair(args[0], args[1])
        alpha = _get(args, kwargs, 2, "alpha", 1)
        return self.b.sub(a, self.b.scaled(b, float(alpha)))

    def _op_mul(self, args, kwargs):
        return self.b.mul(*self._pair(args[0], args[1]))

    def _op_div(self, args, kwargs):
        if _get(args, kwargs, 2, "rounding_mode", None) is not None:
            raise self._unsupported("aten::div", "rounding_mode")
        return self.b.div(*self._pair(args[0], args[1]))

    def _op_neg(self, args, kwargs):
        return self.b.unary("arith.negf", self._float(args[0]))

    def _op_pow(self, args, kwargs):
        base, exponent = args[0], _get(args, kwargs, 1, "exponent")
        if isinstance(base, Value) and isinstance(exponent, (int, float)):
            return self.b.power(self._float(base), float(exponent))  # x*x for 2, ...
        return self.b.power(*self._pair(base, exponent))

    def _op_matmul(self, args, kwargs):
        return self.b.matmul_nd(self._float(args[0]), self._float(args[1]))

    def _op_linear(self, args, kwargs):
        bias = _get(args, kwargs, 2, "bias", None)
        return self.b.linear(self._float(args[0]), self._float(_get(args, kwargs, 1, "weight")),
                             None if bias is None else self._float(bias))

    # -- activations ------------------------------------------------------------

    def _op_relu(self, args, kwargs):
        return self.b.relu(self._float(args[0]))

    def _op_gelu(self, args, kwargs):
        return self.b.gelu(self._float(args[0]), _get(args, kwargs, 1, "approximate", "none"))

    def _op_silu(self, args, kwargs):
        return self.b.silu(self._float(args[0]))

    def _op_sigmoid(self, args, kwargs):
        return self.b.sigmoid(self._float(args[0]))

    def _op_tanh(self, args, kwargs):
        return self.b.unary("math.tanh", self._float(args[0]))

    def _op_exp(self, args, kwargs):
        return self.b.unary("math.exp", self._float(args[0]))

    def _op_erf(self, args, kwargs):
        return self.b.unary("math.erf", self._float(args[0]))

    def _op_rsqrt(self, args, kwargs):
        return self.b.unary("math.rsqrt", self._float(args[0]))

    def _op_sqrt(self, args, kwargs):
        return self.b.unary("math.sqrt", self._float(args[0]))

    def _op_softmax(self, args, kwargs):
        x = self._float(args[0])
        dim = _get(args, kwargs, 1, "dim", None)
        # torch.softmax(x, dim, dtype) and F.softmax(x, dim, _stacklevel, dtype)
        dtypes = [a for a in args[2:] if isinstance(a, self.torch.dtype)]
        dtype = kwargs.get("dtype", dtypes[0] if dtypes else None)
        if dim is None or (dtype is not None and dtype != self.torch.float32):
            raise self._unsupported("aten::softmax",
                                    "an implicit dim or a dtype other than float32")
        return self.b.softmax(x, int(dim))

    def _condition(self, mask) -> Value:
        """A constant boolean mask as f32 0/1, the form FunctionBuilder.select takes."""
        if not isinstance(mask, self.torch.Tensor):
            raise self._unsupported("aten::where", "a condition computed by the function")
        return self.b.constant((mask != 0).cpu().numpy().astype(np.float32))

    def _op_masked_fill(self, args, kwargs):
        x = self._float(args[0])
        value = _get(args, kwargs, 2, "value")
        return self.b.select(self._condition(_get(args, kwargs, 1, "mask")),
                             self._float(value, x), x)

    def _op_where(self, args, kwargs):
        if len(args) + len(kwargs) < 3:
            raise self._unsupported("aten::where", "the one-argument form")
        a, b = self._pair(_get(args, kwargs, 1, "input"), _get(args, kwargs, 2, "other"))
        return self.b.select(self._condition(_get(args, kwargs, 0, "condition")), a, b)

    # -- reductions and normalizations ------------------------------------------

    def _reduction_dims(self, x: Value, dim) -> List[int]:
        if dim is None:
            return list(range(x.rank))
        return [int(d) for d in dim] if isinstance(dim, (tuple, list)) else [int(dim)]

    def _op_mean(self, args, kwargs):
        x = self._float(args[0])
        dims = self._reduction_dims(x, _get(args, kwargs, 1, "dim", None))
        return self.b.mean(x, dims, bool(_get(args, kwargs, 2, "keepdim", False)))

    def _op_sum(self, args, kwargs):
        x = self._float(args[0])
        dims = self._reduction_dims(x, _get(args, kwargs, 1, "dim", None))
        return self.b.reduce("add", x, dims, bool(_get(args, kwargs, 2, "keepdim", False)))

    def _op_layer_norm(self, args, kwargs):
        x = self._float(args[0])
        shape = _get(args, kwargs, 1, "normalized_shape")
        weight = _get(args, kwargs, 2, "weight", None)
        bias = _get(args, kwargs, 3, "bias", None)
        eps = float(_get(args, kwargs, 4, "eps", 1e-5))
        count = 1 if isinstance(shape, int) else len(shape)
        return self.b.layer_norm(x, count, None if weight is None else self._float(weight),
                                 None if bias is None else self._float(bias), eps)

    def _op_rms_norm(self, args, kwargs):
        x = self._float(args[0])
        shape = _get(args, kwargs, 1, "normalized_shape")
        weight = _get(args, kwargs, 2, "weight", None)
        eps = _get(args, kwargs, 3, "eps", None)
        eps = float(np.finfo(np.float32).eps) if eps is None else float(eps)
        count = 1 if isinstance(shape, int) else len(shape)
        return self.b.rms_norm(x, count, None if weight is None else self._float(weight), eps)

    def _op_embedding(self, args, kwargs):
        indices, weight = args[0], self._float(_get(args, kwargs, 1, "weight"))
        if isinstance(indices, self.torch.Tensor):
            indices = self._constant(indices)
        if _get(args, kwargs, 3, "max_norm", None) is not None:
            raise self._unsupported("aten::embedding_renorm_", "Embedding with max_norm")
        if not isinstance(indices, Value) or indices.element == "f32":
            raise self._unsupported("aten::embedding", "indices must be an integer tensor")
        return self.b.gather(weight, indices, 0)

    # -- shapes -----------------------------------------------------------------

    def _op_reshape(self, args, kwargs):
        x = args[0]
        shape = _dims_arg(args, 1) if len(args) > 1 else [int(d) for d in kwargs["shape"]]
        if shape.count(-1) == 1:
            known = int(np.prod([d for d in shape if d != -1]))
            shape[shape.index(-1)] = int(np.prod(x.shape)) // max(known, 1)
        return self.b.reshape(x, shape)

    def _op_flatten(self, args, kwargs):
        x = args[0]
        if x.rank == 0:
            return self.b.reshape(x, (1,))
        start = int(_get(args, kwargs, 1, "start_dim", 0)) % x.rank
        end = int(_get(args, kwargs, 2, "end_dim", -1)) % x.rank
        shape = x.shape[:start] + (int(np.prod(x.shape[start:end + 1])),) + x.shape[end + 1:]
        return self.b.reshape(x, shape)

    def _op_transpose(self, args, kwargs):
        x = args[0]
        d0 = int(_get(args, kwargs, 1, "dim0")) % x.rank
        d1 = int(_get(args, kwargs, 2, "dim1")) % x.rank
        perm = list(range(x.rank))
        perm[d0], perm[d1] = perm[d1], perm[d0]
        return self.b.transpose(x, perm)

    def _op_permute(self, args, kwargs):
        dims = _dims_arg(args, 1) if len(args) > 1 else [int(d) for d in kwargs["dims"]]
        return self.b.transpose(args[0], dims)

    def _op_t(self, args, kwargs):
        x = args[0]
        return self.b.transpose(x, [1, 0]) if x.rank == 2 else x

    def _op_squeeze(self, args, kwargs):
        x = args[0]
        dim = _get(args, kwargs, 1, "dim", None)
        if dim is None:
            drop = {i for i, d in enumerate(x.shape) if d == 1}
        else:
            dims = dim if isinstance(dim, (tuple, list)) else [dim]
            drop = {int(d) % x.rank for d in dims if x.shape[int(d) % x.rank] == 1}
        return self.b.reshape(x, [d for i, d in enumerate(x.shape) if i not in drop])

    def _op_unsqueeze(self, args, kwargs):
        x = args[0]
        dim = int(_get(args, kwargs, 1, "dim")) % (x.rank + 1)
        return self.b.reshape(x, x.shape[:dim] + (1,) + x.shape[dim:])

    def _op_contiguous(self, args, kwargs):
        return args[0]  # values have no strides here

    def _op_dropout(self, args, kwargs):
        return args[0]  # inference: dropout is the identity

    def _op_float(self, args, kwargs):
        return self.b.to_f32(args[0])

    def _op_to(self, args, kwargs):
        torch = self.torch
        options = list(args[1:]) + list(kwargs.values())
        dtypes = [o for o in options if isinstance(o, torch.dtype)]
        others = [d for d in dtypes if d != torch.float32]
        if others:
            raise self._unsupported("aten::to", f"conversion to {others[0]}")
        return self.b.to_f32(args[0]) if dtypes else args[0]

    def _op_size(self, args, kwargs):
        x = args[0]
        dim = _get(args, kwargs, 1, "dim", None)
        return tuple(x.shape) if dim is None else x.shape[int(dim)]

    def _op_dim(self, args, kwargs):
        return args[0].rank

    def _op_getattr(self, args, kwargs):
        obj, name = args[0], args[1]
        if isinstance(obj, Value):
            if name == "shape":
                return tuple(obj.shape)
            if name == "ndim":
                return obj.rank
            raise self._unsupported(f"Tensor.{name}", "attribute")
        return getattr(obj, name)

    def _op_getitem(self, args, kwargs):
        obj, index = args[0], args[1]
        if isinstance(obj, Value):
            raise self._unsupported("aten::slice", "indexing a tensor")
        return obj[index]

    # -- modules ----------------------------------------------------------------

    def _module(self, module, args, kwargs):
        nn = self.torch.nn
        x = args[0] if args else None
        if isinstance(module, nn.Linear):
            return self.b.linear(self._float(x), self._constant(module.weight),
                                 None if module.bias is None else self._constant(module.bias))
        if isinstance(module, nn.ReLU):
            return self.b.relu(self._float(x))
        if isinstance(module, nn.GELU):
            return self.b.gelu(self._float(x), module.approximate)
        if isinstance(module, nn.SiLU):
            return self.b.silu(self._float(x))
        if isinstance(module, nn.Sigmoid):
            return self.b.sigmoid(self._float(x))
        if isinstance(module, nn.Tanh):
            return self.b.unary("math.tanh", self._float(x))
        if isinstance(module, nn.Softmax):
            return self._op_softmax([x, module.dim], {})
        if isinstance(module, nn.LayerNorm):
            return self._op_layer_norm(
                [x, module.normalized_shape, module.weight, module.bias, module.eps], {})
        if hasattr(nn, "RMSNorm") and isinstance(module, nn.RMSNorm):
            return self._op_rms_norm([x, module.normalized_shape, module.weight, module.eps], {})
        if isinstance(module, nn.Embedding):
            return self._op_embedding([x, module.weight, module.padding_idx, module.max_norm], {})
        if isinstance(module, nn.Flatten):
            return self._op_flatten([x, module.start_dim, module.end_dim], {})
        if isinstance(module, (nn.Dropout, nn.Identity)):
            return x
        cls = type(module)
        raise self._unsupported(cls.__name__, f"{cls.__module__}.{cls.__qualname__}")
