//===- _core.cpp - The C++ side of the lowp Python package ----------------===//
//
// A thin layer over the numerics core (ArrayCodec, block quantization) and
// the execution library (CompiledModule), in the package's private module
// lowp._core; python/lowp/__init__.py is the API users see. Every failure
// is raised as one of lowp's exception classes (python/lowp/_errors.py),
// never a crash: inputs are checked here or by the libraries, which return
// errors. The GIL is released while arrays are converted and while
// compiled code runs.
//
//===----------------------------------------------------------------------===//

#include "lowp/Dialect/Lowp/IR/LowpOps.h"
#include "lowp/ExecutionEngine/Embedding.h"
#include "lowp/ExecutionEngine/ExecutionEngine.h"
#include "lowp/InitAll.h"
#include "lowp/Numerics/Arrays.h"
#include "lowp/Runtime/Boundary.h"
#include "lowp/Runtime/HostValue.h"
#include "lowp/Runtime/Packing.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <unistd.h>

namespace py = pybind11;
using namespace lowp;

namespace {

/// An error to raise as lowp._errors.<kind>.
struct LowpError {
  std::string kind, message;
};

[[noreturn]] void raise(const std::string &kind, const std::string &message) {
  throw LowpError{kind, message};
}
[[noreturn]] void raise(const std::string &kind, llvm::Error error) {
  raise(kind, llvm::toString(std::move(error)));
}

std::string typeString(mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}

/// The context formats and encodings are parsed in, shared by the
/// emulation API (under the GIL).
mlir::MLIRContext &sharedContext() {
  static std::unique_ptr<mlir::MLIRContext> context = createEmbeddingContext();
  return *context;
}

/// A format and its codecs, one per rounding options, kept for the life of
/// the process (formats are few; a codec for f16 takes milliseconds to
/// build).
struct FormatEntry {
  explicit FormatEntry(const numerics::Format &format) : format(format) {}
  numerics::Format format;
  std::map<std::tuple<int, bool, unsigned>,
           std::unique_ptr<numerics::ArrayCodec>>
      codecs;

  const numerics::ArrayCodec &codec(const numerics::RoundingOptions &options) {
    auto &slot =
        codecs[{int(options.mode), options.saturate, options.randomBitCount}];
    if (!slot)
      slot = std::make_unique<numerics::ArrayCodec>(format, options);
    return *slot;
  }
};

FormatEntry &lookupFormat(const std::string &text) {
  static std::map<std::string, std::unique_ptr<FormatEntry>> formats;
  auto &slot = formats[text];
  if (!slot) {
    auto format = parseFormat(sharedContext(), text);
    if (!format) {
      formats.erase(text);
      raise("FormatError", format.takeError());
    }
    slot = std::make_unique<FormatEntry>(*format);
  }
  return *slot;
}

numerics::RoundingOptions makeOptions(const numerics::Format &format,
                                      const std::string &rounding,
                                      bool saturate, unsigned randomBitCount) {
  std::optional<numerics::RoundingMode> mode =
      numerics::symbolizeRoundingMode(rounding);
  if (!mode)
    raise("FormatError",
          "'" + rounding +
              "' is not a rounding mode: expected to_nearest_even, "
              "to_nearest_away, toward_zero, upward, downward or stochastic");
  numerics::RoundingOptions options;
  options.mode = *mode;
  options.saturate = saturate;
  options.randomBitCount = randomBitCount;
  std::string error = format.verifyRounding(options);
  if (!error.empty())
    raise("FormatError", error);
  return options;
}

py::dtype codeDType(unsigned bytes) {
  return bytes == 1   ? py::dtype::of<uint8_t>()
         : bytes == 2 ? py::dtype::of<uint16_t>()
                      : py::dtype::of<uint32_t>();
}

std::vector<py::ssize_t> shapeOf(const py::array &array) {
  return std::vector<py::ssize_t>(array.shape(), array.shape() + array.ndim());
}

/// The random numbers of stochastic rounding: a C-contiguous uint64 array
/// of the values' shape, or none.
const uint64_t *randomPointer(const numerics::RoundingOptions &options,
                              const std::optional<py::array> &randomBits,
                              const py::array &values) {
  bool stochastic = options.mode == numerics::RoundingMode::Stochastic;
  if (!stochastic) {
    if (randomBits)
      raise("FormatError", std::string("random bits are only read by "
                                       "stochastic rounding, not by ") +
                               numerics::stringifyRoundingMode(options.mode));
    return nullptr;
  }
  if (!randomBits)
    raise("FormatError", "stochastic rounding needs random_bits (one per "
                         "element) or a seed");
  if (shapeOf(*randomBits) != shapeOf(values))
    raise("FormatError", "random_bits must have the values' shape");
  return static_cast<const uint64_t *>(randomBits->data());
}

/// encode / round: `values` is a C-contiguous float32 or float64 array
/// (the Python side converts other inputs).
py::array encodeOrRound(const std::string &formatText, const py::array &values,
                        const std::string &rounding, bool saturate,
                        const std::optional<py::array> &randomBits,
                        unsigned randomBitCount, unsigned threads,
                        bool roundOnly) {
  FormatEntry &entry = lookupFormat(formatText);
  numerics::RoundingOptions options =
      makeOptions(entry.format, rounding, saturate, randomBitCount);
  const uint64_t *random = randomPointer(options, randomBits, values);
  const numerics::ArrayCodec &codec = entry.codec(options);
  int64_t count = int64_t(values.size());
  bool isF32 = values.dtype().is(py::dtype::of<float>());
  py::array out =
      roundOnly ? py::array(values.dtype(), shapeOf(values))
                : py::array(codeDType(codec.getCodeBytes()), shapeOf(values));
  const void *in = values.data();
  void *result = out.mutable_data();
  {
    py::gil_scoped_release release;
    if (roundOnly && isF32)
      codec.round(static_cast<const float *>(in), count,
                  static_cast<float *>(result), random, threads);
    else if (roundOnly)
      codec.round(static_cast<const double *>(in), count,
                  static_cast<double *>(result), random, threads);
    else if (isF32)
      codec.encode(static_cast<const float *>(in), count, result, random,
                   threads);
    else
      codec.encode(static_cast<const double *>(in), count, result, random,
                   threads);
  }
  return out;
}

py::array decode(const std::string &formatText, const py::array &codes,
                 bool toF64, unsigned threads) {
  FormatEntry &entry = lookupFormat(formatText);
  const numerics::ArrayCodec &codec = entry.codec(numerics::RoundingOptions());
  if (codes.itemsize() != py::ssize_t(codec.getCodeBytes()))
    raise("FormatError", "codes of " + formatText + " are " +
                             std::to_string(8 * codec.getCodeBytes()) +
                             "-bit unsigned integers");
  int64_t count = int64_t(codes.size());
  int64_t bad = codec.findInvalidCode(codes.data(), count);
  if (bad >= 0)
    raise("FormatError", "the code at flat index " + std::to_string(bad) +
                             " has bits above " + formatText + "'s " +
                             std::to_string(entry.format.getBitWidth()));
  py::array out(toF64 ? py::dtype::of<double>() : py::dtype::of<float>(),
                shapeOf(codes));
  const void *in = codes.data();
  void *result = out.mutable_data();
  {
    py::gil_scoped_release release;
    if (toF64)
      codec.decode(in, count, static_cast<double *>(result), threads);
    else
      codec.decode(in, count, static_cast<float *>(result), threads);
  }
  return out;
}

py::dict formatInfo(const std::string &text) {
  const numerics::Format &format = lookupFormat(text).format;
  py::dict info;
  info["bits"] = format.getBitWidth();
  info["max"] = format.getMaxFinite();
  info["smallest_normal"] = format.getMinNormal();
  info["smallest_subnormal"] = format.getMinPositive();
  info["eps"] = format.getEpsilon();
  info["maxexp"] = format.getMaxExponent();
  info["has_infinity"] = format.hasInfinity();
  info["has_nan"] = format.hasNaN();
  info["has_negative_zero"] = format.hasNegativeZero();
  double lowest = format.getMinFinite();
  switch (format.getKind()) {
  case numerics::Format::Kind::Float: {
    const numerics::FloatFormat &f = format.getFloat();
    info["kind"] = "float";
    info["exponent_bits"] = f.exponentBits;
    info["mantissa_bits"] = f.mantissaBits;
    info["bias"] = f.bias;
    info["signed"] = f.isSigned;
    info["special_values"] = numerics::stringifySpecialValues(f.specials);
    info["minexp"] = std::ilogb(format.getMinNormal());
    break;
  }
  case numerics::Format::Kind::Integer:
    info["kind"] = "integer";
    info["signed"] = format.getInteger().isSigned;
    break;
  case numerics::Format::Kind::Codebook: {
    info["kind"] = "codebook";
    info["values"] = format.getCodebook().values;
    info["signed"] = lowest < 0;
    break;
  }
  case numerics::Format::Kind::Posit:
    info["kind"] = "posit";
    info["es"] = format.getPosit().exponentBits;
    info["signed"] = true;
    info["minexp"] = std::ilogb(format.getMinPositive());
    break;
  case numerics::Format::Kind::Logarithmic:
    info["kind"] = "logarithmic";
    info["integer_bits"] = format.getLogarithmic().integerBits;
    info["fraction_bits"] = format.getLogarithmic().fractionBits;
    info["signed"] = true;
    info["minexp"] = int(std::floor(std::log2(format.getMinPositive())));
    break;
  case numerics::Format::Kind::HiFloat8:
    info["kind"] = "hifloat8";
    info["signed"] = true;
    info["minexp"] = std::ilogb(format.getMinNormal());
    break;
  }
  info["min"] = lowest;
  return info;
}

/// The encoding of a lowp.quantize call, and the parts' formats.
BlockEncoding lookupEncoding(const std::string &text,
                             const std::string &element, unsigned rank,
                             int axis) {
  auto encoding =
      parseBlockEncoding(sharedContext(), text, element, rank, axis);
  if (!encoding)
    raise("FormatError", encoding.takeError());
  return *encoding;
}

/// The MLIR spelling of each part's format: elements, scales, tensor scale,
/// zero points and selectors ("" where the encoding has none).
std::vector<std::string> partFormats(const BlockEncoding &encoding) {
  auto text = [](mlir::Type type) {
    return type ? typeString(type) : std::string();
  };
  return {text(encoding.elementType), text(encoding.encoding.getScaleType()),
          text(encoding.encoding.getTensorScaleType()),
          text(encoding.encoding.getZeroPointType()),
          text(encoding.encoding.getSelectorType())};
}

template <typename T>
py::array toCodes(const std::vector<uint32_t> &codes,
                  const std::vector<int64_t> &shape) {
  py::array_t<T> out(std::vector<py::ssize_t>(shape.begin(), shape.end()));
  T *data = out.mutable_data();
  for (size_t i = 0; i < codes.size(); ++i)
    data[i] = T(codes[i]);
  return out;
}

py::array codesArray(const numerics::Format &format,
                     const std::vector<uint32_t> &codes,
                     const std::vector<int64_t> &shape) {
  switch (numerics::getCodeBytes(format)) {
  case 1:
    return toCodes<uint8_t>(codes, shape);
  case 2:
    return toCodes<uint16_t>(codes, shape);
  default:
    return toCodes<uint32_t>(codes, shape);
  }
}

std::vector<uint32_t> fromCodes(const py::array &codes,
                                const numerics::Format &format,
                                const char *part, int64_t expectedCount) {
  if (int64_t(codes.size()) != expectedCount)
    raise("FormatError",
          std::string("the ") + part + " hold " + std::to_string(codes.size()) +
              " codes; the shape needs " + std::to_string(expectedCount));
  py::array_t<uint64_t, py::array::c_style | py::array::forcecast> wide(codes);
  std::vector<uint32_t> out(static_cast<size_t>(expectedCount));
  unsigned bits = format.getBitWidth();
  for (int64_t i = 0; i < expectedCount; ++i) {
    uint64_t code = wide.data()[i];
    if (bits < 32 ? code >> bits : code >> 32)
      raise("FormatError", std::string("the ") + part + " code " +
                               std::to_string(code) + " at flat index " +
                               std::to_string(i) +
                               " has bits above the "
                               "format's " +
                               std::to_string(bits));
    out[i] = uint32_t(code);
  }
  return out;
}

py::dict quantize(const py::array &values, const std::string &encodingText,
                  const std::string &element, int axis,
                  const std::string &rounding, bool saturate,
                  const std::optional<py::array> &randomBits,
                  unsigned randomBitCount) {
  BlockEncoding encoding =
      lookupEncoding(encodingText, element, unsigned(values.ndim()), axis);
  const numerics::BlockScaling &scaling = encoding.scaling;
  numerics::RoundingOptions options =
      makeOptions(scaling.element, rounding, saturate, randomBitCount);
  const uint64_t *random = randomPointer(options, randomBits, values);
  std::vector<int64_t> shape(values.shape(), values.shape() + values.ndim());
  std::vector<int64_t> block = encoding.getBlock(unsigned(values.ndim()));
  std::string error = numerics::verifyBlockShape(shape, block);
  if (!error.empty())
    raise("FormatError", error);
  numerics::BlockScaledTensor tensor;
  {
    const double *data = static_cast<const double *>(values.data());
    std::vector<double> input(data, data + values.size());
    py::gil_scoped_release release;
    tensor =
        numerics::quantizeTensor(scaling, shape, block, input, options, random);
  }
  py::dict parts;
  parts["elements"] = codesArray(scaling.element, tensor.elements, shape);
  parts["scales"] = codesArray(scaling.scale, tensor.scales, tensor.scaleShape);
  parts["zero_points"] =
      scaling.zeroPoint
          ? py::object(codesArray(*scaling.zeroPoint, tensor.zeroPoints,
                                  tensor.scaleShape))
          : py::none();
  parts["selectors"] =
      scaling.hasChoices()
          ? py::object(codesArray(scaling.getSelectorFormat(), tensor.selectors,
                                  tensor.scaleShape))
          : py::none();
  parts["tensor_scale"] = scaling.tensorScale
                              ? py::object(codesArray(*scaling.tensorScale,
                                                      {tensor.tensorScale}, {}))
                              : py::none();
  parts["element_format"] = typeString(encoding.elementType);
  parts["encoding"] = [&] {
    std::string text;
    llvm::raw_string_ostream os(text);
    mlir::Attribute(encoding.encoding).print(os);
    return text;
  }();
  parts["type"] = encoding.getTensorTypeText(shape);
  parts["formats"] = partFormats(encoding);
  parts["block"] = block;
  return parts;
}

py::array dequantize(const std::vector<int64_t> &shape,
                     const std::string &elementFormat,
                     const std::string &encodingText, const py::array &elements,
                     const py::array &scales,
                     const std::optional<py::array> &zeroPoints,
                     const std::optional<py::array> &tensorScale,
                     const std::optional<py::array> &selectors) {
  BlockEncoding encoding =
      lookupEncoding(encodingText, elementFormat, unsigned(shape.size()), -1);
  const numerics::BlockScaling &scaling = encoding.scaling;
  numerics::BlockScaledTensor tensor;
  tensor.shape = shape;
  tensor.block = encoding.getBlock(unsigned(shape.size()));
  std::string error = numerics::verifyBlockShape(shape, tensor.block);
  if (!error.empty())
    raise("FormatError", error);
  int64_t count = 1, blocks = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    count *= shape[d];
    tensor.scaleShape.push_back(shape[d] / tensor.block[d]);
    blocks *= tensor.scaleShape.back();
  }
  tensor.elements = fromCodes(elements, scaling.element, "elements", count);
  tensor.scales = fromCodes(scales, scaling.scale, "scales", blocks);
  if (scaling.zeroPoint.has_value() != zeroPoints.has_value())
    raise("FormatError", scaling.zeroPoint
                             ? "the encoding has zero points; none are given"
                             : "the encoding has no zero points");
  if (scaling.tensorScale.has_value() != tensorScale.has_value())
    raise("FormatError", scaling.tensorScale
                             ? "the encoding has a tensor scale; none is given"
                             : "the encoding has no tensor scale");
  if (scaling.hasChoices() != selectors.has_value())
    raise("FormatError", scaling.hasChoices()
                             ? "the encoding has choices; no selectors are "
                               "given"
                             : "the encoding has no choices");
  if (zeroPoints)
    tensor.zeroPoints =
        fromCodes(*zeroPoints, *scaling.zeroPoint, "zero points", blocks);
  if (selectors) {
    tensor.selectors =
        fromCodes(*selectors, scaling.getSelectorFormat(), "selectors", blocks);
    for (size_t b = 0; b < tensor.selectors.size(); ++b)
      if (tensor.selectors[b] >= scaling.choices.size())
        raise("FormatError", "selector " + std::to_string(tensor.selectors[b]) +
                                 " at flat index " + std::to_string(b) +
                                 " names no choice: the encoding has " +
                                 std::to_string(scaling.choices.size()));
  }
  if (tensorScale)
    tensor.tensorScale =
        fromCodes(*tensorScale, *scaling.tensorScale, "tensor scale", 1)[0];
  std::vector<double> values;
  {
    py::gil_scoped_release release;
    values = numerics::dequantizeTensor(scaling, tensor);
  }
  py::array_t<float> out(std::vector<py::ssize_t>(shape.begin(), shape.end()));
  float *data = out.mutable_data();
  for (size_t i = 0; i < values.size(); ++i)
    data[i] = float(values[i]);
  return out;
}

//===----------------------------------------------------------------------===//
// Compiled modules
//===----------------------------------------------------------------------===//

npy::DType toNpyDType(const py::dtype &dtype) {
  npy::DType out;
  out.bytes = unsigned(dtype.itemsize());
  switch (dtype.kind()) {
  case 'b':
    out.kind = npy::Kind::Bool;
    break;
  case 'i':
    out.kind = npy::Kind::Signed;
    break;
  case 'u':
    out.kind = npy::Kind::Unsigned;
    break;
  case 'f':
    out.kind = npy::Kind::Float;
    break;
  default:
    raise("ArgumentError", "arrays of dtype '" + std::string(py::str(dtype)) +
                               "' cannot be passed to compiled code");
  }
  return out;
}

py::dtype toPyDType(const npy::DType &dtype) {
  char kind = dtype.kind == npy::Kind::Bool       ? 'b'
              : dtype.kind == npy::Kind::Signed   ? 'i'
              : dtype.kind == npy::Kind::Unsigned ? 'u'
                                                  : 'f';
  if (kind == 'b')
    return py::dtype("bool");
  return py::dtype(std::string(1, kind) + std::to_string(dtype.bytes));
}

py::dict describeBoundary(const BoundaryValue &value) {
  py::dict out;
  out["name"] = value.name;
  out["position"] = value.position;
  out["part"] = value.part;
  out["element_type"] = typeString(value.elementType);
  out["storage_type"] = typeString(value.storageType);
  std::vector<py::object> shape;
  for (int64_t d : value.shape)
    shape.push_back(d < 0 ? py::object(py::none()) : py::object(py::int_(d)));
  out["shape"] = py::tuple(py::cast(shape));
  out["scalar"] = value.isScalar;
  out["packed_width"] = value.packedWidth;
  out["dtype"] = toPyDType(getBoundaryDType(value));
  return out;
}

uint64_t physicalMemory() {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? uint64_t(pages) * uint64_t(size)
                               : uint64_t(1) << 40;
}

/// Whether a boundary value's stored bytes are a numpy array's as they
/// are: numpy's own floats, unpacked tensors.
bool isDirect(const BoundaryValue &boundary) {
  return isNativeFloat(boundary.elementType) && !boundary.isScalar &&
         boundary.packedWidth == 0;
}

/// The shape check of toHostValue, for arrays passed as they are.
void checkShape(const std::string &where, const BoundaryValue &boundary,
                const std::vector<int64_t> &shape) {
  bool matches = shape.size() == boundary.shape.size();
  for (size_t d = 0; matches && d < shape.size(); ++d)
    matches = boundary.shape[d] < 0 || boundary.shape[d] == shape[d];
  if (matches)
    return;
  std::string expected = "[", got = "[";
  for (size_t d = 0; d < boundary.shape.size(); ++d)
    expected += (d ? ", " : "") + (boundary.shape[d] < 0
                                       ? std::string("?")
                                       : std::to_string(boundary.shape[d]));
  for (size_t d = 0; d < shape.size(); ++d)
    got += (d ? ", " : "") + std::to_string(shape[d]);
  raise("ArgumentError",
        where + ": expected shape " + expected + "], got " + got + "]");
}

/// A compiled module: its own context (the boundary's types live in it),
/// the written module's function types, and the executable.
class Module {
public:
  Module(const std::string &source, bool isPath, unsigned threads,
         const std::string &cpuFeatures, unsigned optLevel,
         const std::string &target)
      : context(createEmbeddingContext()) {
    auto parsed = isPath ? parseModuleFile(*context, source)
                         : parseModule(*context, source, "<source>");
    if (!parsed)
      raise("ParseError", parsed.takeError());
    module = std::move(*parsed);
    text = [&] {
      std::string printed;
      llvm::raw_string_ostream os(printed);
      module->print(os);
      return printed;
    }();
    ExecutionOptions options;
    options.threads = threads;
    options.vectorTarget = cpuFeatures;
    if (optLevel > 3)
      raise("CompileError", "opt_level must be 0..3");
    options.optLevel = optLevel;
    options.target = target;
    DiagnosticCollector diagnostics(*context);
    llvm::Expected<std::unique_ptr<CompiledModule>> compiled = [&] {
      py::gil_scoped_release release;
      return CompiledModule::compile(*module, options);
    }();
    if (!compiled)
      raise("CompileError",
            makeErrorWithDiagnostics(llvm::toString(compiled.takeError()),
                                     diagnostics));
    executable = std::move(*compiled);
  }

  std::vector<std::string> functions() const {
    return executable->getFunctionNames();
  }

  const std::vector<BoundaryValue> &arguments(const std::string &name) const {
    const std::vector<BoundaryValue> *values = executable->getArguments(name);
    if (!values)
      raise("ArgumentError", "no public function @" + name + " in the module");
    return *values;
  }
  const std::vector<BoundaryValue> &results(const std::string &name) const {
    arguments(name);
    return *executable->getResults(name);
  }

  py::list signature(const std::string &name, bool ofResults) const {
    py::list out;
    for (const BoundaryValue &value :
         ofResults ? results(name) : arguments(name))
      out.append(describeBoundary(value));
    return out;
  }

  /// Calls @name on one array per boundary argument (Python has split
  /// block-scaled values into their parts); returns one per boundary
  /// result.
  py::list call(const std::string &name, const std::vector<py::array> &args) {
    const std::vector<BoundaryValue> &argumentValues = arguments(name);
    const std::vector<BoundaryValue> &resultValues = results(name);
    if (args.size() != argumentValues.size())
      raise("ArgumentError",
            "@" + name + " takes " + std::to_string(argumentValues.size()) +
                " boundary arrays, got " + std::to_string(args.size()));
    // Arrays whose bytes are already the storage layout (f16/f32/f64,
    // unpacked) are passed to compiled code as they are, and such results
    // are written straight into the numpy arrays returned: no copies, no
    // fresh pages to fault in. Everything else goes through HostValue,
    // which checks every code and packs rows.
    std::vector<HostValue> hostArguments(args.size());
    std::vector<void *> directArguments(args.size(), nullptr);
    for (size_t i = 0; i < args.size(); ++i) {
      const py::array &array = args[i];
      const BoundaryValue &boundary = argumentValues[i];
      std::string where = "@" + name + " " + boundary.name;
      npy::DType dtype = toNpyDType(array.dtype());
      std::vector<int64_t> shape(array.shape(), array.shape() + array.ndim());
      if (isDirect(boundary) && dtype == getBoundaryDType(boundary)) {
        checkShape(where, boundary, shape);
        hostArguments[i] = HostValue{boundary, shape, {}};
        directArguments[i] = const_cast<void *>(array.data());
        continue;
      }
      npy::Array converted;
      converted.dtype = dtype;
      converted.shape = shape;
      const uint8_t *data = static_cast<const uint8_t *>(array.data());
      std::string error;
      bool ok;
      {
        py::gil_scoped_release release;
        converted.data.assign(data, data + array.nbytes());
        ok = toHostValue(std::move(converted), boundary, where,
                         hostArguments[i], error);
      }
      if (!ok)
        raise("ArgumentError", error);
    }

    std::vector<std::vector<int64_t>> logical;
    for (const HostValue &argument : hostArguments)
      if (argument.boundary.part == 0)
        logical.push_back(argument.shape);
    auto shapes = executable->resultShapes(name, logical);
    if (!shapes)
      raise("ArgumentError", shapes.takeError());
    std::vector<HostValue> hostResults;
    std::vector<std::optional<py::array>> directResults;
    uint64_t total = 0;
    for (const BoundaryValue &boundary : resultValues) {
      std::vector<int64_t> shape = boundary.shape;
      if (boundary.part == 0 && !boundary.isScalar)
        shape = (*shapes)[boundary.position];
      uint64_t bytes = boundary.storageBytes();
      bool overflows = false;
      for (int64_t d : shape) {
        if (d < 0)
          raise("ArgumentError", "@" + name + " " + boundary.name +
                                     " has a size that the arguments do not "
                                     "give");
        overflows |= __builtin_mul_overflow(bytes, uint64_t(d), &bytes);
      }
      overflows |= __builtin_add_overflow(total, bytes, &total);
      if (overflows || total > physicalMemory())
        raise("ArgumentError", "@" + name + " " + boundary.name +
                                   " needs more bytes than this machine's "
                                   "memory");
      HostValue value{boundary, shape, {}};
      if (isDirect(boundary)) {
        directResults.emplace_back(
            py::array(toPyDType(getBoundaryDType(boundary)),
                      std::vector<py::ssize_t>(shape.begin(), shape.end())));
      } else {
        directResults.emplace_back(std::nullopt);
        value.bytes.assign(size_t(bytes), 0);
      }
      hostResults.push_back(std::move(value));
    }
    std::vector<void *> directResultData;
    for (std::optional<py::array> &result : directResults)
      directResultData.push_back(result ? result->mutable_data() : nullptr);

    llvm::Error error = llvm::Error::success();
    {
      py::gil_scoped_release release;
      std::vector<StoredValue> storedArguments, storedResults;
      storedArguments.reserve(hostArguments.size());
      storedResults.reserve(hostResults.size());
      for (HostValue &argument : hostArguments)
        storedArguments.push_back(store(argument));
      for (HostValue &result : hostResults)
        storedResults.push_back(store(result));
      std::vector<BoundaryBuffer> in, out;
      for (size_t i = 0; i < storedArguments.size(); ++i)
        in.push_back(directArguments[i]
                         ? BoundaryBuffer::tensor(directArguments[i],
                                                  hostArguments[i].shape)
                         : storedArguments[i].buffer());
      for (size_t i = 0; i < storedResults.size(); ++i)
        out.push_back(directResultData[i]
                          ? BoundaryBuffer::tensor(directResultData[i],
                                                   hostResults[i].shape)
                          : storedResults[i].buffer());
      error = executable->call(name, in, out);
      if (!error)
        for (size_t i = 0; i < hostResults.size(); ++i)
          if (!directResultData[i])
            load(hostResults[i], storedResults[i]);
    }
    if (error)
      raise("ArgumentError", std::move(error));

    py::list out;
    for (size_t i = 0; i < hostResults.size(); ++i) {
      if (directResults[i]) {
        out.append(*directResults[i]);
        continue;
      }
      npy::Array array = toNpy(hostResults[i]);
      py::array value(
          toPyDType(array.dtype),
          std::vector<py::ssize_t>(array.shape.begin(), array.shape.end()));
      std::memcpy(value.mutable_data(), array.data.data(), array.data.size());
      out.append(value);
    }
    return out;
  }

  const std::string &getText() const { return text; }

  /// The encoding of each result (or argument) of @name as written,
  /// printed, or None for plain ones: what a returned lowp.BlockScaled
  /// carries, and what one passed in must have.
  std::vector<std::optional<std::string>> encodings(const std::string &name,
                                                    bool ofResults) {
    arguments(name);
    auto function = module->lookupSymbol<mlir::func::FuncOp>(name);
    std::vector<std::optional<std::string>> out;
    for (mlir::Type type :
         ofResults ? function.getResultTypes() : function.getArgumentTypes()) {
      BlockScaledEncodingAttr encoding = getBlockScaledEncoding(type);
      if (!encoding) {
        out.push_back(std::nullopt);
        continue;
      }
      std::string printed;
      llvm::raw_string_ostream os(printed);
      mlir::Attribute(encoding).print(os);
      out.push_back(printed);
    }
    return out;
  }

private:
  std::unique_ptr<mlir::MLIRContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::unique_ptr<CompiledModule> executable;
  std::string text;
};

/// Runs a pass pipeline on MLIR text and prints the result (the importers'
/// recipes: lowp-quantize). `pipeline` lists passes on the module, as in
/// builtin.module(...) without that anchor.
std::string runPipeline(const std::string &source,
                        const std::string &pipeline) {
  auto context = createEmbeddingContext();
  auto parsed = parseModule(*context, source, "<source>");
  if (!parsed)
    raise("ParseError", parsed.takeError());
  DiagnosticCollector diagnostics(*context);
  mlir::PassManager pm(context.get());
  std::string error;
  llvm::raw_string_ostream errors(error);
  if (failed(mlir::parsePassPipeline(pipeline, pm, errors)))
    raise("FormatError", "'" + pipeline + "' is not a pass pipeline: " + error);
  if (failed(pm.run(**parsed)))
    raise("CompileError",
          makeErrorWithDiagnostics("the pipeline '" + pipeline + "' failed",
                                   diagnostics));
  std::string printed;
  llvm::raw_string_ostream os(printed);
  (*parsed)->print(os);
  return printed;
}

} // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "The C++ side of the lowp package; use the lowp module instead.";
  // The passes that run_pipeline names (lowp-quantize and the rest).
  lowp::registerAllPasses();

  // The exception classes live in Python; importing them here fails the
  // import early if the package is incomplete.
  py::module_ errors = py::module_::import("lowp._errors");
  py::register_exception_translator([](std::exception_ptr pointer) {
    try {
      if (pointer)
        std::rethrow_exception(pointer);
    } catch (const LowpError &error) {
      py::object kind =
          py::module_::import("lowp._errors").attr(error.kind.c_str());
      PyErr_SetObject(kind.ptr(), py::str(error.message).ptr());
    }
  });
  (void)errors;

  m.def("format_info", &formatInfo, py::arg("format"));
  m.def(
      "encode",
      [](const std::string &format, const py::array &values,
         const std::string &rounding, bool saturate,
         const std::optional<py::array> &randomBits, unsigned randomBitCount,
         unsigned threads) {
        return encodeOrRound(format, values, rounding, saturate, randomBits,
                             randomBitCount, threads, /*roundOnly=*/false);
      },
      py::arg("format"), py::arg("values"), py::arg("rounding"),
      py::arg("saturate"), py::arg("random_bits"), py::arg("random_bit_count"),
      py::arg("threads"));
  m.def(
      "round",
      [](const std::string &format, const py::array &values,
         const std::string &rounding, bool saturate,
         const std::optional<py::array> &randomBits, unsigned randomBitCount,
         unsigned threads) {
        return encodeOrRound(format, values, rounding, saturate, randomBits,
                             randomBitCount, threads, /*roundOnly=*/true);
      },
      py::arg("format"), py::arg("values"), py::arg("rounding"),
      py::arg("saturate"), py::arg("random_bits"), py::arg("random_bit_count"),
      py::arg("threads"));
  m.def("decode", &decode, py::arg("format"), py::arg("codes"),
        py::arg("to_f64"), py::arg("threads"));
  m.def("quantize", &quantize, py::arg("values"), py::arg("encoding"),
        py::arg("element"), py::arg("axis"), py::arg("rounding"),
        py::arg("saturate"), py::arg("random_bits"),
        py::arg("random_bit_count"));
  m.def("dequantize", &dequantize, py::arg("shape"), py::arg("element_format"),
        py::arg("encoding"), py::arg("elements"), py::arg("scales"),
        py::arg("zero_points"), py::arg("tensor_scale"),
        py::arg("selectors") = py::none());
  m.def("presets", &getQuantizationPresetNames);
  m.def(
      "part_formats",
      [](const std::string &element, const std::string &encoding,
         unsigned rank) {
        return partFormats(lookupEncoding(encoding, element, rank, -1));
      },
      py::arg("element"), py::arg("encoding"), py::arg("rank"));
  m.def("run_pipeline", &runPipeline, py::arg("source"), py::arg("pipeline"));

  py::class_<Module>(m, "Module")
      .def(py::init<const std::string &, bool, unsigned, const std::string &,
                    unsigned, const std::string &>(),
           py::arg("source"), py::arg("is_path"), py::arg("threads"),
           py::arg("cpu_features"), py::arg("opt_level"),
           py::arg("target") = "cpu")
      .def("functions", &Module::functions)
      .def("signature", &Module::signature, py::arg("name"), py::arg("results"))
      .def("call", &Module::call, py::arg("name"), py::arg("arguments"))
      .def("encodings", &Module::encodings, py::arg("name"), py::arg("results"))
      .def_property_readonly("text", &Module::getText);
}
