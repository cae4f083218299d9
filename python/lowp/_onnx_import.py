"""ONNX importer: an ONNX graph as lowp's MLIR text.

The graph is shape-inferred once (onnx.shape_inference), its initializers
read as numpy arrays, and its nodes translated in order into ops of a
`FunctionBuilder` (see _import_common). Every value is either a tensor of
the function (`Value`) or a numpy array known at import time: initializers,
Constant nodes, and the shape arithmetic that exporters write around
Reshape (Shape, Gather, Unsqueeze, Concat, ...), which is evaluated here so
that every tensor of the function has a static shape. Numpy constants become
MLIR constants where a tensor op first reads them.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

import numpy as np

from ._import_common import FunctionBuilder, Value, apply_recipe, unsupported


def from_onnx(path_or_model, recipe=None, function_name: str = "main") -> str:
    """Translates an ONNX model into an MLIR module, as text.

    Args:
      path_or_model: a path to a .onnx file, or an onnx.ModelProto.
      recipe: if given, the quantization recipe that lowp._apply_recipe
        applies to the result (the lowp-quantize pass).
      function_name: the name of the one public function.

    Returns:
      The module's text: `func.func @function_name` taking the graph's
      inputs that are not initializers (static shapes: f32, or i64/i32 for
      token ids) and returning its outputs.

    Raises:
      UnsupportedOpError: for a node the importer does not translate; the
        message names the op type and the node.
    """
    import onnx
    import onnx.shape_inference

    if isinstance(path_or_model, (str, os.PathLike)):
        model = onnx.load(os.fspath(path_or_model))
    else:
        model = path_or_model
    model = onnx.shape_inference.infer_shapes(model)
    text = _OnnxImporter(model, function_name).run()
    return apply_recipe(text, recipe)


# TensorProto.DataType codes.
_FLOAT, _INT32, _INT64, _DOUBLE, _FLOAT16 = 1, 6, 7, 11, 10
_ELEMENTS = {_FLOAT: "f32", _INT64: "i64", _INT32: "i32"}
_NUMPY = {1: np.float32, 2: np.uint8, 3: np.int8, 5: np.int16, 6: np.int32, 7: np.int64,
          9: np.bool_, 10: np.float16, 11: np.float64}


class _OnnxImporter:
    def __init__(self, model, function_name: str):
        from onnx import numpy_helper

        self.model = model
        self.graph = model.graph
        self.b = FunctionBuilder(function_name)
        self.env: Dict[str, Any] = {}
        self.materialized: Dict[str, Value] = {}
        self.opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 1)
        for init in self.graph.initializer:
            self.env[init.name] = numpy_helper.to_array(init)
        self.node = None
        self.node_name = ""

    # -- the walk ---------------------------------------------------------

    def run(self) -> str:
        for graph_input in self.graph.input:
            if graph_input.name not in self.env:
                self.env[graph_input.name] = self._argument(graph_input)
        for index, node in enumerate(self.graph.node):
            self.node = node
            self.node_name = node.name or f"{node.op_type}_{index}"
            if node.domain not in ("", "ai.onnx"):
                raise unsupported("from_onnx", node.op_type, f"domain {node.domain}",
                                  self.node_name)
            handler = getattr(self, f"_op_{node.op_type}", None)
            if handler is None:
                raise unsupported("from_onnx", node.op_type, "", self.node_name)
            inputs = [self.env[name] if name else None for name in node.input]
            outputs = handler(inputs, self._attributes(node))
            if not isinstance(outputs, tuple):
                outputs = (outputs,)
            for name, value in zip(node.output, outputs):
                if name:
                    self.env[name] = value
        results = [self._tensor(self.env[out.name], out.name) for out in self.graph.output]
        return self.b.finish(results)

    def _argument(self, graph_input) -> Value:
        tensor = graph_input.type.tensor_type
        if tensor.elem_type not in _ELEMENTS:
            raise TypeError(f"from_onnx: input '{graph_input.name}' has element type "
                            f"{tensor.elem_type}; inputs must be float, int64 or int32")
        shape = []
        for dim in tensor.shape.dim:
            if not dim.HasField("dim_value"):
                raise ValueError(f"from_onnx: input '{graph_input.name}' has a dynamic "
                                 f"dimension '{dim.dim_param}'; export with static shapes")
            shape.append(dim.dim_value)
        return self.b.argument(shape, _ELEMENTS[tensor.elem_type])

    @staticmethod
    def _attributes(node) -> Dict[str, Any]:
        from onnx import helper

        attrs = {}
        for attr in node.attribute:
            value = helper.get_attribute_value(attr)
            attrs[attr.name] = value.decode() if isinstance(value, bytes) else value
        return attrs

    def _unsupported(self, detail: str):
        return unsupported("from_onnx", self.node.op_type, detail, self.node_name)

    # -- operands -----------------------------------------------------------

    def _tensor(self, x, name: Optional[str] = None) -> Value:
        """`x` as a tensor of the function, numpy constants materialized once."""
        if isinstance(x, Value):
            return x
        if name is not None and name in self.materialized:
            return self.materialized[name]
        value = self.b.constant(np.asarray(x))
        if name is not None:
            self.materialized[name] = value
        return value

    def _input(self, inputs, i: int) -> Value:
        """Input `i` of the node as a tensor (initializers by their name, once)."""
        return self._tensor(inputs[i], self.node.input[i])

    def _float(self, inputs, i: int) -> Value:
        v = self._input(inputs, i)
        if v.element != "f32":
            raise self._unsupported(f"arithmetic on {v.element} tensors")
        return v

    @staticmethod
    def _known(inputs) -> bool:
        return all(x is None or isinstance(x, np.ndarray) for x in inputs)

    def _constant_input(self, inputs, i: int, what: str) -> np.ndarray:
        if i >= len(inputs) or inputs[i] is None:
            return None
        if not isinstance(inputs[i], np.ndarray):
            raise self._unsupported(f"{what} must be a constant")
        return inputs[i]

    # -- elementwise ----------------------------------------------------------

    def _binary(self, op: str, numpy_op, inputs):
        if self._known(inputs):
            return numpy_op(inputs[0], inputs[1]).astype(np.result_type(inputs[0], inputs[1]))
        return self.b.binary(op, self._float(inputs, 0), self._float(inputs, 1))

    def _op_Add(self, inputs, attrs):
        return self._binary("arith.addf", np.add, inputs)

    def _op_Sub(self, inputs, attrs):
        return self._binary("arith.subf", np.subtract, inputs)

    def _op_Mul(self, inputs, attrs):
        return self._binary("arith.mulf", np.multiply, inputs)

    def _op_Div(self, inputs, attrs):
        if self._known(inputs):
            a, b = inputs
            if a.dtype.kind in "iu":  # ONNX's integer division truncates, numpy's // floors
                return (np.sign(a) * np.sign(b) * (np.abs(a) // np.abs(b))).astype(a.dtype)
            return (a / b).astype(a.dtype)
        return self.b.div(self._float(inputs, 0), self._float(inputs, 1))

    def _op_Pow(self, inputs, attrs):
        if self._known(inputs):
            return np.power(inputs[0], inputs[1]).astype(inputs[0].dtype)
        exponent = inputs[1]
        if (isinstance(exponent, np.ndarray) and exponent.size == 1
                and exponent.ndim <= len(inputs[0].shape)):
            return self.b.power(self._float(inputs, 0), float(exponent.reshape(-1)[0]))
        return self.b.power(self._float(inputs, 0), self._float(inputs, 1))

    def _unary(self, op: str, numpy_op, inputs):
        if self._known(inputs) and numpy_op is not None:
            return numpy_op(inputs[0]).astype(inputs[0].dtype)
        return self.b.unary(op, self._float(inputs, 0))

    def _op_Sqrt(self, inputs, attrs):
        return self._unary("math.sqrt", np.sqrt, inputs)

    def _op_Neg(self, inputs, attrs):
        return self._unary("arith.negf", np.negative, inputs)

    def _op_Exp(self, inputs, attrs):
        return self._unary("math.exp", np.exp, inputs)

    def _op_Tanh(self, inputs, attrs):
        return self._unary("math.tanh", None, inputs)

    def _op_Erf(self, inputs, attrs):
        return self._unary("math.erf", None, inputs)

    def _op_Reciprocal(self, inputs, attrs):
        return self.b.power(self._float(inputs, 0), -1.0)

    def _op_Relu(self, inputs, attrs):
        return self.b.relu(self._float(inputs, 0))

    def _op_Sigmoid(self, inputs, attrs):
        return self.b.sigmoid(self._float(inputs, 0))

    def _op_Gelu(self, inputs, attrs):
        return self.b.gelu(self._float(inputs, 0), attrs.get("approximate", "none"))

    # -- matrix products ------------------------------------------------------

    def _op_MatMul(self, inputs, attrs):
        return self.b.matmul_nd(self._float(inputs, 0), self._float(inputs, 1))

    def _op_Gemm(self, inputs, attrs):
        """alpha * A' B' + beta * C; a transposed B (Linear's N x K) is transpose_rhs."""
        a, b = self._float(inputs, 0), self._float(inputs, 1)
        if attrs.get("transA", 0):
            a = self.b.transpose(a, [1, 0])
        y = self.b.matmul(a, b, transpose_rhs=bool(attrs.get("transB", 0)))
        y = self.b.scaled(y, float(attrs.get("alpha", 1.0)))
        if len(inputs) > 2 and inputs[2] is not None:
            c = self.b.scaled(self._float(inputs, 2), float(attrs.get("beta", 1.0)))
            y = self.b.add(y, c)
        return y

    # -- reductions and normalizations ----------------------------------------

    def _axes(self, inputs, attrs, rank: int) -> Optional[List[int]]:
        """Reduction axes: an attribute, or (ReduceSum 13+, opset 18+) an input."""
        axes = attrs.get("axes")
        if axes is None and len(inputs) > 1 and inputs[1] is not None:
            axes = self._constant_input(inputs, 1, "axes").reshape(-1).tolist()
        if axes is None or len(axes) == 0:
            return [] if attrs.get("noop_with_empty_axes", 0) else list(range(rank))
        return [int(a) % rank for a in axes]

    def _op_ReduceMean(self, inputs, attrs):
        x = self._float(inputs, 0)
        return self.b.mean(x, self._axes(inputs, attrs, x.rank), bool(attrs.get("keepdims", 1)))

    def _op_ReduceSum(self, inputs, attrs):
        x = self._float(inputs, 0)
        return self.b.reduce("add", x, self._axes(inputs, attrs, x.rank),
                             bool(attrs.get("keepdims", 1)))

    def _op_ReduceMax(self, inputs, attrs):
        x = self._float(inputs, 0)
        return self.b.reduce("max", x, self._axes(inputs, attrs, x.rank),
                             bool(attrs.get("keepdims", 1)))

    def _op_Softmax(self, inputs, attrs):
        x = self._float(inputs, 0)
        if self.opset >= 13:
            return self.b.softmax(x, int(attrs.get("axis", -1)))
        # Before opset 13 the input is taken as 2-D, split at `axis`.
        axis = int(attrs.get("axis", 1)) % x.rank
        rows = int(np.prod(x.shape[:axis]))
        flat = self.b.reshape(x, (rows, int(np.prod(x.shape)) // rows))
        return self.b.reshape(self.b.softmax(flat, 1), x.shape)

    def _op_LayerNormalization(self, inputs, attrs):
        if len(self.node.output) > 1 and any(self.node.output[1:]):
            raise self._unsupported("the Mean and InvStdDev outputs")
        x = self._float(inputs, 0)
        axis = int(attrs.get("axis", -1)) % x.rank
        scale = self._float(inputs, 1)
        bias = self._float(inputs, 2) if len(inputs) > 2 and inputs[2] is not None else None
        return self.b.layer_norm(x, x.rank - axis, scale, bias, float(attrs.get("epsilon", 1e-5)))

    # -- shapes and data movement ----------------------------------------------

    def _op_Reshape(self, inputs, attrs):
        shape = [int(d) for d in self._constant_input(inputs, 1, "the shape").reshape(-1)]
        source_shape = inputs[0].shape
        if not attrs.get("allowzero", 0):
            shape = [source_shape[i] if d == 0 else d for i, d in enumerate(shape)]
        if -1 in shape:
            known = int(np.prod([d for d in shape if d != -1]))
            shape[shape.index(-1)] = int(np.prod(source_shape)) // max(known, 1)
        if isinstance(inputs[0], np.ndarray):
            return inputs[0].reshape(shape)
        return self.b.reshape(inputs[0], shape)

    def _op_Flatten(self, inputs, attrs):
        x = inputs[0]
        axis = int(attrs.get("axis", 1)) % (len(x.shape) + 1)
        shape = (int(np.prod(x.shape[:axis])), int(np.prod(x.shape[axis:])))
        return x.reshape(shape) if isinstance(x, np.ndarray) else self.b.reshape(x, shape)

    def _squeeze_axes(self, inputs, attrs) -> Optional[List[int]]:
        axes = attrs.get("axes")
        if axes is None and len(inputs) > 1 and inputs[1] is not None:
            axes = self._constant_input(inputs, 1, "axes").reshape(-1).tolist()
        return axes

    def _op_Unsqueeze(self, inputs, attrs):
        x = inputs[0]
        shape = list(x.shape)
        rank = len(shape) + len(self._squeeze_axes(inputs, attrs))
        for axis in sorted(int(a) % rank for a in self._squeeze_axes(inputs, attrs)):
            shape.insert(axis, 1)
        return x.reshape(shape) if isinstance(x, np.ndarray) else self.b.reshape(x, shape)

    def _op_Squeeze(self, inputs, attrs):
        x = inputs[0]
        axes = self._squeeze_axes(inputs, attrs)
        rank = len(x.shape)
        drop = ({i for i, d in enumerate(x.shape) if d == 1} if axes is None
                else {int(a) % rank for a in axes})
        shape = [d for i, d in enumerate(x.shape) if i not in drop]
        return x.reshape(shape) if isinstance(x, np.ndarray) else self.b.reshape(x, shape)

    def _op_Transpose(self, inputs, attrs):
        x = inputs[0]
        perm = list(attrs.get("perm", reversed(range(len(x.shape)))))
        return np.transpose(x, perm) if isinstance(x, np.ndarray) else self.b.transpose(x, perm)

    def _op_Expand(self, inputs, attrs):
        shape = tuple(int(d) for d in self._constant_input(inputs, 1, "the shape").reshape(-1))
        x = inputs[0]
        out = np.broadcast_shapes(tuple(x.shape), shape)
        if isinstance(x, np.ndarray):
            return np.broadcast_to(x, out).copy()
        return self.b.broadcast_to(x, out)

    def _op_Gather(self, inputs, attrs):
        axis = int(attrs.get("axis", 0))
        if self._known(inputs):
            return np.take(inputs[0], inputs[1], axis=axis)
        data, indices = self._input(inputs, 0), self._input(inputs, 1)
        if indices.element == "f32":
            raise self._unsupported("float indices")
        return self.b.gather(data, indices, axis)

    def _op_Identity(self, inputs, attrs):
        return inputs[0]

    def _op_Dropout(self, inputs, attrs):
        if len(self.node.output) > 1 and self.node.output[1]:
            raise self._unsupported("the mask output")
        return inputs[0]  # inference: the identity

    def _op_Cast(self, inputs, attrs):
        to = int(attrs["to"])
        x = inputs[0]
        if isinstance(x, np.ndarray):
            if to not in _NUMPY:
                raise self._unsupported(f"to element type {to}")
            return x.astype(_NUMPY[to])
        if to in (_FLOAT, _DOUBLE, _FLOAT16):  # lowp's function computes in f32 throughout
            return self.b.to_f32(x)
        if _ELEMENTS.get(to) == x.element:
            return x
        raise self._unsupported(f"of a {x.element} tensor to element type {to}")

    def _op_Constant(self, inputs, attrs):
        from onnx import numpy_helper

        if "value" in attrs:
            return numpy_helper.to_array(attrs["value"])
        for key, dtype in (("value_float", np.float32), ("value_floats", np.float32),
                           ("value_int", np.int64), ("value_ints", np.int64)):
            if key in attrs:
                return np.array(attrs[key], dtype=dtype)
        raise self._unsupported("without a tensor, float or int value")

    # -- shape arithmetic, evaluated at import time ----------------------------

    def _op_Shape(self, inputs, attrs):
        shape = np.array(inputs[0].shape, dtype=np.int64)
        start, end = attrs.get("start", 0), attrs.get("end", None)
        return shape[start:end]

    def _op_ConstantOfShape(self, inputs, attrs):
        from onnx import numpy_helper

        shape = self._constant_input(inputs, 0, "the shape").astype(np.int64)
        fill = (numpy_helper.to_array(attrs["value"]) if "value" in attrs
                else np.zeros(1, np.float32))
        return np.full(tuple(shape.tolist()), fill.reshape(-1)[0], dtype=fill.dtype)

    def _op_Concat(self, inputs, attrs):
        if not self._known(inputs):
            raise self._unsupported("of tensors computed by the function")
        return np.concatenate(inputs, axis=int(attrs["axis"]))

    def _op_Slice(self, inputs, attrs):
        if not self._known(inputs):
            raise self._unsupported("of tensors computed by the function")
        x = inputs[0]
        if self.opset < 10:
            starts, ends, axes, steps = attrs["starts"], attrs["ends"], attrs.get("axes"), None
        else:
            starts, ends = inputs[1].tolist(), inputs[2].tolist()
            axes = inputs[3].tolist() if len(inputs) > 3 and inputs[3] is not None else None
            steps = inputs[4].tolist() if len(inputs) > 4 and inputs[4] is not None else None
        axes = list(range(len(starts))) if axes is None else axes
        steps = [1] * len(starts) if steps is None else steps
        index = [slice(None)] * x.ndim
        for start, end, axis, step in zip(starts, ends, axes, steps):
            index[axis] = slice(start, end, step)
        return x[tuple(index)]

    def _op_Equal(self, inputs, attrs):
        if not self._known(inputs):
            raise self._unsupported("of tensors computed by the function")
        return np.equal(inputs[0], inputs[1])

    def _op_Where(self, inputs, attrs):
        if self._known(inputs):
            return np.where(*inputs)
        condition = self._constant_input(inputs, 0, "the condition")
        return self.b.select(self.b.constant(condition.astype(np.float32)),
                             self._float(inputs, 1), self._float(inputs, 2))

    def _op_Range(self, inputs, attrs):
        if not self._known(inputs):
            raise self._unsupported("of tensors computed by the function")
        start, limit, delta = inputs
        return np.arange(start, limit, delta, dtype=start.dtype)
