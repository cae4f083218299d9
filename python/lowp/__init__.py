"""lowp: low-precision number formats, exactly, from Python.

Two halves over one numerics core (docs/Numerics.md is the policy, bit for
bit):

* Emulation: :func:`finfo`, :func:`encode`, :func:`decode`, :func:`round`
  turn numpy arrays into the codes and values of any format lowp knows
  (``"f8E4M3FN"``, ``"bf16"``, ``"!lowp.float<e3m3>"``,
  ``"!lowp.codebook<nf4>"``, ``"i4"``) under every rounding mode, stochastic
  rounding included; :func:`quantize` block-scales them (MXFP4, NVFP4,
  int4-g128, NF4, any ``#lowp.block_scaled<...>``) into a
  :class:`BlockScaled`.
* Compilation: :func:`compile` turns MLIR text into a :class:`Module` whose
  public functions are Python callables on numpy arrays; :func:`from_torch`
  and :func:`from_onnx` make that text from a PyTorch module or an ONNX
  graph, with a quantization recipe.

Errors are :class:`Error` subclasses that carry MLIR's diagnostics with
their locations. See docs/Python.md.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

from ._errors import (ArgumentError, CompileError, Error, FormatError,
                      ParseError, UnsupportedOpError)
from . import _core

__all__ = [
    "ArgumentError", "BlockScaled", "CompileError", "Error", "FormatError",
    "Function", "Module", "ParseError", "UnsupportedOpError", "compile",
    "decode", "dequantize", "encode", "finfo", "from_onnx", "from_torch",
    "presets", "quantize", "round", "ROUNDING_MODES",
]

#: The rounding modes, named as MLIR's arith dialect names them.
ROUNDING_MODES = ("to_nearest_even", "to_nearest_away", "toward_zero",
                  "upward", "downward", "stochastic")

ArrayLike = Any


# --------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------

class finfo:
    """What a format holds, with the field names of ``numpy.finfo``.

    ``lowp.finfo("f8E4M3FN").max == 448.0``. Fields: ``bits``, ``max``,
    ``min`` (the most negative value, or the smallest of an unsigned
    format), ``tiny`` and ``smallest_normal`` (smallest positive normal;
    for integers and codebooks the smallest positive value),
    ``smallest_subnormal``, ``eps`` (from 1 to the next value; 0 for
    integers and codebooks), ``maxexp``/``minexp`` (largest and smallest
    normal binade exponents), ``nexp``/``nmant``/``bias`` (stored exponent
    and mantissa bits, minifloats), ``has_infinity``, ``has_nan``,
    ``has_negative_zero``, ``special_values`` (``ieee``, ``fn``, ``fnuz``,
    ``finite``, ``e8m0``), ``kind`` (``float``, ``integer``, ``codebook``,
    ``posit``, ``hifloat8``, ``logarithmic``), ``signed``, for codebooks
    ``values``, for posits ``es`` and for logarithmic formats
    ``integer_bits`` and ``fraction_bits``."""

    def __init__(self, fmt: str) -> None:
        info = _core.format_info(_format_text(fmt))
        self.format: str = _format_text(fmt)
        self.kind: str = info["kind"]
        self.bits: int = info["bits"]
        self.max: float = info["max"]
        self.min: float = info["min"]
        self.smallest_normal: float = info["smallest_normal"]
        self.tiny: float = self.smallest_normal
        self.smallest_subnormal: float = info["smallest_subnormal"]
        self.eps: float = info["eps"]
        self.maxexp: int = info["maxexp"]
        self.minexp: Optional[int] = info.get("minexp")
        self.nexp: int = info.get("exponent_bits", 0)
        self.nmant: int = info.get("mantissa_bits", 0)
        self.bias: int = info.get("bias", 0)
        self.signed: bool = info["signed"]
        self.has_infinity: bool = info["has_infinity"]
        self.has_nan: bool = info["has_nan"]
        self.has_negative_zero: bool = info["has_negative_zero"]
        self.special_values: str = info.get("special_values", "")
        self.values: Optional[Tuple[float, ...]] = (
            tuple(info["values"]) if "values" in info else None)
        self.es: Optional[int] = info.get("es")
        self.integer_bits: Optional[int] = info.get("integer_bits")
        self.fraction_bits: Optional[int] = info.get("fraction_bits")
        self.resolution: float = self.eps

    def __repr__(self) -> str:
        return (f"finfo(format={self.format!r}, bits={self.bits}, "
                f"max={self.max!r}, min={self.min!r}, "
                f"smallest_normal={self.smallest_normal!r}, "
                f"smallest_subnormal={self.smallest_subnormal!r}, "
                f"eps={self.eps!r})")


def _format_text(fmt: Any) -> str:
    if not isinstance(fmt, str):
        raise FormatError(
            f"a format is MLIR type text such as 'f8E4M3FN', got {fmt!r}")
    return fmt.strip()


def _check_rounding(rounding: str) -> None:
    if rounding not in ROUNDING_MODES:
        raise FormatError(f"{rounding!r} is not a rounding mode: expected one "
                          f"of {', '.join(ROUNDING_MODES)}")


def _threads(threads: Optional[int]) -> int:
    if threads is None:
        return 0
    if not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ArgumentError(
            f"threads must be a positive integer, got {threads!r}")
    return int(threads)


def _float_input(x: ArrayLike, what: str = "x") -> np.ndarray:
    """A C-contiguous float32 or float64 array holding exactly x's values."""
    array = np.asarray(x)
    # ascontiguousarray makes 0-d arrays 1-d; the reshape keeps the shape.
    if array.dtype == np.float32 or array.dtype == np.float64:
        return np.ascontiguousarray(array).reshape(array.shape)
    if array.dtype == np.float16 or array.dtype == np.bool_:
        return np.ascontiguousarray(array, dtype=np.float32).reshape(
            array.shape)
    if array.dtype.kind in "iu":
        if array.dtype.itemsize > 4 and array.size and (
                np.abs(array.astype(np.float64)).max() >= 2.0**53):
            raise FormatError(f"{what} holds integers that float64 cannot "
                              "hold exactly")
        return np.ascontiguousarray(array, dtype=np.float64).reshape(
            array.shape)
    raise FormatError(f"{what} must hold real numbers; got dtype {array.dtype}")


def _random_bits(x: np.ndarray, rounding: str, random_bits: Optional[ArrayLike],
                 seed: Optional[int],
                 random_bit_count: int) -> Optional[np.ndarray]:
    """One uint64 random number per element for stochastic rounding."""
    if rounding != "stochastic":
        if random_bits is not None or seed is not None:
            raise FormatError("random_bits and seed are only read by "
                              "stochastic rounding")
        return None
    if random_bits is not None and seed is not None:
        raise FormatError("give random_bits or a seed, not both")
    if random_bits is None:
        if seed is None:
            raise FormatError("stochastic rounding needs random_bits (one "
                              "per element) or a seed")
        generator = np.random.default_rng(seed)
        return generator.integers(0, 2**random_bit_count, size=x.shape,
                                  dtype=np.uint64)
    bits = np.asarray(random_bits)
    if bits.shape != x.shape:
        raise FormatError(f"random_bits has shape {bits.shape}; the values "
                          f"have {x.shape}")
    if bits.dtype.kind not in "iu":
        raise FormatError(f"random_bits must be integers, got {bits.dtype}")
    if bits.dtype.kind == "i" and bits.size and bits.min() < 0:
        raise FormatError("random_bits must not be negative")
    return np.ascontiguousarray(bits, dtype=np.uint64)


def encode(x: ArrayLike, fmt: str, rounding: str = "to_nearest_even",
           saturate: bool = False, random_bits: Optional[ArrayLike] = None,
           *, seed: Optional[int] = None, random_bit_count: int = 32,
           threads: Optional[int] = None) -> np.ndarray:
    """Rounds every value of ``x`` into ``fmt`` and returns the codes.

    ``x`` is any array of real numbers (any shape and strides; float32 and
    float64 are read as they are, so a float64 that no float32 equals is
    rounded once, from its own value). The codes come back in the smallest
    unsigned dtype that holds them (uint8 for formats of up to 8 bits).
    ``rounding`` is one of :data:`ROUNDING_MODES`; ``saturate`` makes
    out-of-range values the largest finite value of their sign. Stochastic
    rounding takes ``random_bits`` (one non-negative integer per element, of
    which the low ``random_bit_count`` bits are used) or a ``seed``.
    Exactly the numerics core's bits, on every core.

    >>> lowp.encode([0.1, 500.0], "f8E4M3FN")
    array([ 29, 127], dtype=uint8)
    """
    _check_rounding(rounding)
    values = _float_input(x)
    bits = _random_bits(values, rounding, random_bits, seed, random_bit_count)
    return _core.encode(_format_text(fmt), values, rounding, bool(saturate),
                        bits, int(random_bit_count), _threads(threads))


def decode(codes: ArrayLike, fmt: str, dtype: Any = np.float32, *,
           threads: Optional[int] = None) -> np.ndarray:
    """The values of ``codes`` (an array of non-negative integers) in
    ``fmt``, as ``dtype`` (float32 or float64; float64 holds every value of
    every format exactly, except the irrational values of logarithmic
    formats, which decode to the nearest value of ``dtype``). NaN codes
    decode to NaN; a code with bits above the format's width is an error."""
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise FormatError(f"decode returns float32 or float64, not {dtype}")
    array = np.asarray(codes)
    if array.dtype.kind not in "iu":
        raise FormatError(f"codes must be integers, got dtype {array.dtype}")
    text = _format_text(fmt)
    bits = _core.format_info(text)["bits"]
    code_dtype = np.uint8 if bits <= 8 else np.uint16 if bits <= 16 else np.uint32
    if array.dtype.kind == "i" and array.size and array.min() < 0:
        flat = int(np.argmax(array.reshape(-1) < 0))
        raise FormatError(f"the code at flat index {flat} is negative")
    if array.size and int(array.max()) >= (1 << 32):
        flat = int(np.argmax(array.reshape(-1) >= (1 << 32)))
        raise FormatError(f"the code at flat index {flat} has bits above "
                          f"{text}'s {bits}")
    if array.dtype != code_dtype:
        wide = np.ascontiguousarray(array, dtype=np.uint64)
        if wide.size and int(wide.max()) >> bits:
            flat = int(np.argmax((wide.reshape(-1) >> np.uint64(bits)) != 0))
            raise FormatError(f"the code at flat index {flat} has bits above "
                              f"{text}'s {bits}")
        array = wide.astype(code_dtype)
    return _core.decode(text, np.ascontiguousarray(array).reshape(array.shape),
                        dtype == np.float64, _threads(threads))


def round(x: ArrayLike, fmt: str, rounding: str = "to_nearest_even",
          saturate: bool = False, random_bits: Optional[ArrayLike] = None, *,
          seed: Optional[int] = None, random_bit_count: int = 32,
          threads: Optional[int] = None) -> np.ndarray:
    """``decode(encode(x, fmt, ...))`` in one pass, without the codes: the
    emulation a training loop runs. Returns float64 for float64 input and
    float32 otherwise (every value of a format that fits in float32's range
    and precision is returned exactly)."""
    _check_rounding(rounding)
    values = _float_input(x)
    bits = _random_bits(values, rounding, random_bits, seed, random_bit_count)
    return _core.round(_format_text(fmt), values, rounding, bool(saturate),
                       bits, int(random_bit_count), _threads(threads))


# --------------------------------------------------------------------------
# Block scaling
# --------------------------------------------------------------------------

def presets() -> List[str]:
    """The encoding presets :func:`quantize` knows by name."""
    return list(_core.presets())


def _boundary_array(codes: np.ndarray, fmt: str) -> np.ndarray:
    """Codes as compiled functions take values of ``fmt``: numpy floats for
    f16/f32, numpy integers holding the values of integer types, the codes
    themselves for every other format."""
    if fmt == "f16":
        return codes.astype(np.uint16).view(np.float16)
    if fmt == "f32":
        return codes.astype(np.uint32).view(np.float32)
    info = finfo(fmt)
    if info.kind == "integer" and info.signed:
        dtype = (np.int8 if info.bits <= 8 else np.int16 if info.bits <= 16
                 else np.int32)
        wide = codes.astype(np.int64)
        wide = np.where(wide >= 1 << (info.bits - 1), wide - (1 << info.bits),
                        wide)
        return wide.astype(dtype)
    return codes


def _codes_of(array: np.ndarray, fmt: str) -> np.ndarray:
    """The inverse of _boundary_array: the codes of a part's array."""
    array = np.asarray(array)
    if fmt in ("f16", "f32"):
        want = np.float16 if fmt == "f16" else np.float32
        if array.dtype != want:
            raise FormatError(f"a part of format {fmt} is a {np.dtype(want)} "
                              f"array, got {array.dtype}")
        return np.ascontiguousarray(array).view(
            np.uint16 if fmt == "f16" else np.uint32).reshape(array.shape)
    if array.dtype.kind not in "iu":
        raise FormatError(f"a part of format {fmt} holds integers, got "
                          f"{array.dtype}")
    info = finfo(fmt)
    if info.kind == "integer" and info.signed and array.dtype.kind == "i":
        wide = array.astype(np.int64)
        low, high = -(1 << (info.bits - 1)), (1 << (info.bits - 1)) - 1
        if wide.size and (wide.min() < low or wide.max() > high):
            raise FormatError(f"a value of the {fmt} part is outside "
                              f"[{low}, {high}]")
        return (wide & ((1 << info.bits) - 1)).astype(np.uint64)
    if array.dtype.kind == "i" and array.size and array.min() < 0:
        raise FormatError(f"a code of the {fmt} part is negative")
    return array


class BlockScaled:
    """A block-scaled tensor: elements plus one scale per block (and a
    per-tensor scale, zero points or selectors, as the encoding has them).

    ``value = (element - zero_point) * scale[block] * tensor_scale``, the
    element read in its block's choice (``selectors``) where the encoding
    has ``choices``. ``elements``, ``scales``, ``zero_points``,
    ``selectors`` and ``tensor_scale`` are numpy
    arrays as compiled functions take them (``tensor_scale`` 0-d; absent
    parts are None): f16/f32 parts are numpy floats, integer parts numpy
    integers holding their values (int8 for MXINT8's elements), parts in
    every other format unsigned integers holding its codes (uint8 for
    E2M1 and E8M0). ``element_format`` and ``encoding`` are MLIR text and
    ``type`` the tensor type these parts are."""

    def __init__(self, elements: np.ndarray, scales: np.ndarray,
                 element_format: str, encoding: str,
                 tensor_scale: Optional[np.ndarray] = None,
                 zero_points: Optional[np.ndarray] = None,
                 selectors: Optional[np.ndarray] = None) -> None:
        self.elements = np.asarray(elements)
        self.scales = np.asarray(scales)
        self.tensor_scale = (None if tensor_scale is None
                             else np.asarray(tensor_scale))
        self.zero_points = (None if zero_points is None
                            else np.asarray(zero_points))
        self.selectors = None if selectors is None else np.asarray(selectors)
        self.element_format = element_format
        self.encoding = encoding

    @property
    def shape(self) -> Tuple[int, ...]:
        return tuple(self.elements.shape)

    @property
    def type(self) -> str:
        dims = "x".join(str(d) for d in self.shape)
        return f"tensor<{dims}x{self.element_format}, {self.encoding}>"

    def parts(self) -> List[np.ndarray]:
        """The parts in the order compiled functions take them."""
        out = [self.elements, self.scales]
        if self.tensor_scale is not None:
            out.append(self.tensor_scale)
        if self.zero_points is not None:
            out.append(self.zero_points)
        if self.selectors is not None:
            out.append(self.selectors)
        return out

    def dequantize(self, dtype: Any = np.float32) -> np.ndarray:
        """The logical values (exact in float64; rounded to nearest even
        into float32)."""
        formats = _core.part_formats(self.element_format, self.encoding,
                                     len(self.shape))
        values = _core.dequantize(
            list(self.shape), self.element_format, self.encoding,
            _codes_of(self.elements, formats[0]),
            _codes_of(self.scales, formats[1]),
            None if self.zero_points is None else
            _codes_of(self.zero_points, formats[3]),
            None if self.tensor_scale is None else
            _codes_of(self.tensor_scale, formats[2]),
            None if self.selectors is None else
            _codes_of(self.selectors, formats[4]))
        return values.astype(dtype, copy=False)

    def __repr__(self) -> str:
        return f"BlockScaled({self.type})"


def quantize(x: ArrayLike, encoding: str, axis: int = -1,
             rounding: str = "to_nearest_even", *,
             element: Optional[str] = None, saturate: bool = False,
             random_bits: Optional[ArrayLike] = None,
             seed: Optional[int] = None,
             random_bit_count: int = 32) -> BlockScaled:
    """Block-quantizes ``x`` by ``encoding``: a preset (``"mxfp4"``,
    ``"mxfp6_e2m3"``, ``"mxfp6_e3m2"``, ``"mxfp8_e4m3"``, ``"mxfp8_e5m2"``,
    ``"mxint8"``, ``"nvfp4"``, ``"int4_g128"``, ``"nf4"``), or
    ``"ELEMENT, #lowp.block_scaled<...>"``, or ``"#lowp.block_scaled<...>"``
    with ``element=``. One-dimensional blocks run along ``axis``; blocks of
    more dimensions (``block = [16, 16]``) are taken as written.
    ``rounding`` rounds the elements (stochastic with ``random_bits`` or a
    ``seed``); scales follow the encoding's rule. Bit for bit the C++
    quantizer that constant folding and the kernels agree with."""
    _check_rounding(rounding)
    values = _float_input(x).astype(np.float64, copy=False)
    if values.ndim == 0:
        raise FormatError("quantize needs an array of rank 1 or more")
    if not isinstance(axis, (int, np.integer)):
        raise FormatError(f"axis must be an integer, got {axis!r}")
    bits = _random_bits(values, rounding, random_bits, seed, random_bit_count)
    parts = _core.quantize(values, encoding, element or "", int(axis),
                           rounding, bool(saturate), bits,
                           int(random_bit_count))
    formats = parts["formats"]
    optional = [None if parts[name] is None else
                _boundary_array(parts[name], fmt)
                for name, fmt in (("tensor_scale", formats[2]),
                                  ("zero_points", formats[3]),
                                  ("selectors", formats[4]))]
    return BlockScaled(_boundary_array(parts["elements"], formats[0]),
                       _boundary_array(parts["scales"], formats[1]),
                       parts["element_format"], parts["encoding"], *optional)


def dequantize(value: BlockScaled, dtype: Any = np.float32) -> np.ndarray:
    """``value.dequantize(dtype)``."""
    return value.dequantize(dtype)


# --------------------------------------------------------------------------
# Compiled modules
# --------------------------------------------------------------------------

class Function:
    """A public function of a compiled :class:`Module`, callable on numpy
    arrays (one per argument as written: a :class:`BlockScaled` for a
    block-scaled tensor, a Python number or 0-d array for a scalar).
    f16/f32/f64 tensors are numpy floats of that width, integer types numpy
    integers holding their values, and every other format unsigned integers
    holding its codes (``lowp.encode`` makes them). Returns one array per
    result (a tuple when there are several). The GIL is released while the
    compiled code runs."""

    def __init__(self, module: "Module", name: str) -> None:
        self._module = module
        self.name = name
        self._arguments = module._core.signature(name, False)
        self._results = module._core.signature(name, True)

    @property
    def arguments(self) -> List[Dict[str, Any]]:
        """The boundary values the function takes: name, element_type,
        storage_type, shape (None where dynamic), dtype, packed_width."""
        return list(self._arguments)

    @property
    def results(self) -> List[Dict[str, Any]]:
        return list(self._results)

    def _written(self, values: List[Dict[str, Any]]) -> List[List[Dict]]:
        grouped: List[List[Dict]] = []
        for value in values:
            if value["part"] == 0:
                grouped.append([value])
            else:
                grouped[-1].append(value)
        return grouped

    def __call__(self, *args: Any) -> Any:
        written = self._written(self._arguments)
        if len(args) != len(written):
            raise ArgumentError(f"@{self.name} takes {len(written)} "
                                f"arguments, got {len(args)}")
        flat: List[np.ndarray] = []
        for index, (arg, parts) in enumerate(zip(args, written)):
            where = f"@{self.name} argument {index}"
            if len(parts) > 1:
                if not isinstance(arg, BlockScaled):
                    raise ArgumentError(
                        f"{where} is block-scaled ({parts[0]['element_type']} "
                        f"with {len(parts) - 1} more parts); pass a "
                        "lowp.BlockScaled (lowp.quantize makes one)")
                if len(arg.parts()) != len(parts):
                    raise ArgumentError(
                        f"{where}: the function's encoding has "
                        f"{len(parts)} parts, {arg!r} has {len(arg.parts())}")
                if arg.element_format != parts[0]["element_type"]:
                    raise ArgumentError(
                        f"{where} has elements of {parts[0]['element_type']},"
                        f" got {arg.element_format}")
                expected = self._module._argument_encodings[self.name][index]
                if expected is not None and arg.encoding != expected:
                    raise ArgumentError(
                        f"{where} is encoded as {expected}, got {arg.encoding}"
                        " (quantize with that encoding)")
                flat.extend(arg.parts())
                continue
            if isinstance(arg, BlockScaled):
                raise ArgumentError(f"{where} is a plain tensor of "
                                    f"{parts[0]['element_type']}, got {arg!r}")
            boundary = parts[0]
            if boundary["scalar"]:
                array = np.asarray(arg)
                if array.ndim != 0:
                    raise ArgumentError(f"{where} is a scalar; got an array "
                                        f"of shape {array.shape}")
                if array.dtype.kind in "fiub" and array.dtype != boundary["dtype"]:
                    if (array.dtype.kind == "f") != (
                            boundary["dtype"].kind == "f"):
                        raise ArgumentError(
                            f"{where} is {boundary['element_type']}; got "
                            f"{array.dtype}")
                    converted = array.astype(boundary["dtype"])
                    if converted != array:
                        raise ArgumentError(
                            f"{where}: {array!r} is not a value of "
                            f"{boundary['element_type']}")
                    array = converted
                flat.append(np.ascontiguousarray(array).reshape(()))
                continue
            if not isinstance(arg, np.ndarray):
                raise ArgumentError(f"{where} is a tensor; pass a numpy array"
                                    f" (got {type(arg).__name__})")
            flat.append(np.ascontiguousarray(arg))
        results = self._module._core.call(self.name, flat)
        out: List[Any] = []
        position = 0
        for parts in self._written(self._results):
            taken = results[position:position + len(parts)]
            position += len(parts)
            if len(parts) == 1:
                value = taken[0]
                out.append(value[()] if parts[0]["scalar"] else value)
                continue
            element = parts[0]["element_type"]
            encoding = self._module._result_encodings[self.name][len(out)]
            names = [p["name"] for p in parts]
            tensor_scale = zero_points = selectors = None
            for name, array in zip(names[2:], taken[2:]):
                if name.endswith("(tensor scale)"):
                    tensor_scale = array
                elif name.endswith("(selectors)"):
                    selectors = array
                else:
                    zero_points = array
            out.append(BlockScaled(taken[0], taken[1], element, encoding,
                                   tensor_scale, zero_points, selectors))
        return out[0] if len(out) == 1 else tuple(out)

    def __repr__(self) -> str:
        return f"<lowp.Function @{self.name}>"


class Module:
    """A module compiled for the host CPU. Its public functions are
    attributes (``module.forward``) and items (``module["forward"]``)."""

    def __init__(self, core: Any) -> None:
        self._core = core
        self._functions = {name: Function(self, name)
                           for name in core.functions()}
        self._result_encodings = {name: core.encodings(name, True)
                                  for name in self._functions}
        self._argument_encodings = {name: core.encodings(name, False)
                                    for name in self._functions}

    @property
    def functions(self) -> List[str]:
        return list(self._functions)

    @property
    def text(self) -> str:
        """The module as it was compiled, as MLIR text."""
        return self._core.text

    def __getitem__(self, name: str) -> Function:
        try:
            return self._functions[name]
        except KeyError:
            raise ArgumentError(f"no public function @{name}; the module has "
                                f"{', '.join('@' + n for n in self._functions)}"
                                ) from None

    def __getattr__(self, name: str) -> Function:
        if name.startswith("_"):
            raise AttributeError(name)
        functions = self.__dict__.get("_functions", {})
        if name in functions:
            return functions[name]
        raise AttributeError(f"the module has no public function @{name}")

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | set(self._functions))

    def __repr__(self) -> str:
        return f"<lowp.Module {', '.join('@' + n for n in self._functions)}>"


def compile(source: Union[str, os.PathLike], target: str = "cpu",
            threads: Optional[int] = None, *, cpu_features: str = "host",
            opt_level: int = 3) -> Module:
    """Compiles MLIR (text, or the path of a file) for ``target`` ("cpu",
    the host, or "cuda", the GPU the CUDA driver reports as device 0: calls
    copy the arrays to the device and the results back) and returns a
    :class:`Module` of callables.

    ``threads`` is the number of threads the kernels' parallel loops use
    (default: every core). ``cpu_features`` limits the vector instructions
    (host, avx512-bf16, avx512-vnni, avx512, avx2, generic). Raises
    :class:`ParseError` or :class:`CompileError` with MLIR's diagnostics."""
    if target not in ("cpu", "cuda"):
        raise CompileError(f"target {target!r} is not supported: expected "
                           "'cpu' (the host) or 'cuda' (the GPU the CUDA "
                           "driver reports as device 0)")
    is_path = isinstance(source, os.PathLike) or (
        isinstance(source, str) and "\n" not in source and
        not source.lstrip().startswith(("func", "module", "!", "#", "//")) and
        source.endswith(".mlir"))
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    if not isinstance(source, str):
        raise ParseError(f"source must be MLIR text or a path, got "
                         f"{type(source).__name__}")
    if is_path and not os.path.exists(source):
        raise ParseError(f"cannot read {source!r}: no such file")
    return Module(_core.Module(source, is_path, _threads(threads),
                               cpu_features, int(opt_level), target))


def _apply_recipe(text: str, recipe: Any) -> str:
    """Runs lowp-quantize with ``recipe`` on MLIR text (the importers)."""
    from ._recipes import recipe_option
    try:
        return _core.run_pipeline(text,
                                  f"lowp-quantize{{{recipe_option(recipe)}}}")
    except CompileError as error:
        # The pass rejects a recipe it cannot read before touching the IR.
        if "error: lowp-quantize: " in str(error):
            raise FormatError(str(error)) from None
        raise


def from_torch(module: Any, example_inputs: Any, recipe: Any = None,
               function_name: str = "forward") -> str:
    """Traces a ``torch.nn.Module`` with torch.fx and returns MLIR text
    (func/linalg/arith/lowp) for :func:`compile`; ``recipe`` quantizes its
    matmul weights (docs/Python.md, "Recipes")."""
    from ._torch_import import from_torch as impl
    return impl(module, example_inputs, recipe=recipe,
                function_name=function_name)


def from_onnx(path_or_model: Any, recipe: Any = None,
              function_name: str = "main") -> str:
    """Translates an ONNX graph (a path or a ModelProto) into MLIR text for
    :func:`compile`; ``recipe`` as for :func:`from_torch`."""
    from ._onnx_import import from_onnx as impl
    return impl(path_or_model, recipe=recipe, function_name=function_name)
