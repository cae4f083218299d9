//===- CAPI.cpp - lowp's C API over the execution library -----------------===//
//
// Each handle points to a C++ object of this file; statuses own their
// message. Nothing here prints, exits or lets a C++ exception or an
// llvm::Error escape: every failure becomes a LowpStatus.
//
//===----------------------------------------------------------------------===//

#include "lowp-c/ExecutionEngine.h"
#include "lowp-c/IR.h"
#include "lowp-c/Numerics.h"

#include "lowp/ExecutionEngine/Embedding.h"
#include "lowp/ExecutionEngine/ExecutionEngine.h"
#include "lowp/Numerics/Arrays.h"
#include "lowp/Runtime/Boundary.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <deque>
#include <map>
#include <mutex>
#include <tuple>

using namespace mlir;
using namespace lowp;

namespace {
struct Context {
  std::unique_ptr<MLIRContext> context;
};
struct Module {
  OwningOpRef<ModuleOp> module;
};
/// A format and the codecs made for it, one per set of rounding options.
struct FormatHandle {
  explicit FormatHandle(const numerics::Format &format) : format(format) {}
  numerics::Format format;
  std::mutex mutex;
  std::map<std::tuple<int, bool, unsigned>,
           std::unique_ptr<numerics::ArrayCodec>>
      codecs;

  const numerics::ArrayCodec &codec(const numerics::RoundingOptions &options) {
    std::lock_guard<std::mutex> lock(mutex);
    auto key = std::make_tuple(int(options.mode), options.saturate,
                               options.randomBitCount);
    auto &slot = codecs[key];
    if (!slot)
      slot = std::make_unique<numerics::ArrayCodec>(format, options);
    return *slot;
  }
};
struct BlockEncodingHandle {
  BlockEncoding encoding;
  unsigned rank;
  std::unique_ptr<FormatHandle> element, scale, tensorScale, zeroPoint,
      selector;
};
struct Executable {
  std::unique_ptr<CompiledModule> compiled;
  std::vector<std::string> names;
  /// Type spellings handed out as LowpStringRefs.
  std::deque<std::string> strings;
};

LowpStatus makeStatus(const std::string &message) {
  return LowpStatus{new std::string(message)};
}
LowpStatus makeStatus(llvm::Error error) {
  if (!error)
    return LowpStatus{nullptr};
  return makeStatus(llvm::toString(std::move(error)));
}
LowpStatus okStatus() { return LowpStatus{nullptr}; }

llvm::StringRef unwrap(LowpStringRef ref) {
  return llvm::StringRef(ref.data ? ref.data : "", ref.data ? ref.length : 0);
}
Context *unwrap(LowpContext context) {
  return static_cast<Context *>(context.ptr);
}
Module *unwrap(LowpModule module) { return static_cast<Module *>(module.ptr); }
FormatHandle *unwrap(LowpFormat format) {
  return static_cast<FormatHandle *>(format.ptr);
}
BlockEncodingHandle *unwrap(LowpBlockEncoding encoding) {
  return static_cast<BlockEncodingHandle *>(encoding.ptr);
}
Executable *unwrap(LowpExecutable executable) {
  return static_cast<Executable *>(executable.ptr);
}

std::string typeString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}

/// Checks rounding options against a format and turns them into the
/// numerics core's.
LowpStatus toOptions(const numerics::Format &format, LowpRounding rounding,
                     const uint64_t *randomBits,
                     numerics::RoundingOptions &options) {
  if (int(rounding.mode) < 0 || int(rounding.mode) > 5)
    return makeStatus("rounding mode " + std::to_string(int(rounding.mode)) +
                      " is not a LowpRoundingMode");
  options.mode = numerics::RoundingMode(int(rounding.mode));
  options.saturate = rounding.saturate;
  options.randomBitCount = rounding.randomBitCount;
  std::string error = format.verifyRounding(options);
  if (!error.empty())
    return makeStatus(error);
  bool stochastic = options.mode == numerics::RoundingMode::Stochastic;
  if (stochastic && !randomBits)
    return makeStatus("stochastic rounding needs one random number per "
                      "element; randomBits is null");
  if (!stochastic && randomBits)
    return makeStatus(std::string("random bits are only read by stochastic "
                                  "rounding, not by ") +
                      numerics::stringifyRoundingMode(options.mode));
  return okStatus();
}

LowpStatus checkArray(const void *pointer, int64_t count, const char *what) {
  if (count < 0)
    return makeStatus("a count of " + std::to_string(count) +
                      " elements is negative");
  if (count > 0 && !pointer)
    return makeStatus(std::string(what) + " is null");
  return okStatus();
}
} // namespace

//===----------------------------------------------------------------------===//
// Support and IR
//===----------------------------------------------------------------------===//

const char *lowpStatusGetMessage(LowpStatus status) {
  return status.ptr ? static_cast<std::string *>(status.ptr)->c_str() : "";
}

void lowpStatusDestroy(LowpStatus status) {
  delete static_cast<std::string *>(status.ptr);
}

LowpContext lowpContextCreate(void) {
  return LowpContext{new Context{createEmbeddingContext()}};
}

void lowpContextDestroy(LowpContext context) { delete unwrap(context); }

static LowpStatus takeModule(llvm::Expected<OwningOpRef<ModuleOp>> parsed,
                             LowpModule *module) {
  if (!parsed)
    return makeStatus(parsed.takeError());
  *module = LowpModule{new Module{std::move(*parsed)}};
  return okStatus();
}

LowpStatus lowpModuleParse(LowpContext context, LowpStringRef source,
                           LowpStringRef bufferName, LowpModule *module) {
  if (!module)
    return makeStatus("lowpModuleParse: module is null");
  *module = LowpModule{nullptr};
  if (!context.ptr)
    return makeStatus("lowpModuleParse: the context is null");
  llvm::StringRef name = unwrap(bufferName);
  return takeModule(parseModule(*unwrap(context)->context, unwrap(source),
                                name.empty() ? "<source>" : name),
                    module);
}

LowpStatus lowpModuleParseFile(LowpContext context, const char *path,
                               LowpModule *module) {
  if (!module)
    return makeStatus("lowpModuleParseFile: module is null");
  *module = LowpModule{nullptr};
  if (!context.ptr || !path)
    return makeStatus("lowpModuleParseFile: the context or path is null");
  return takeModule(parseModuleFile(*unwrap(context)->context, path), module);
}

void lowpModuleDestroy(LowpModule module) { delete unwrap(module); }

void lowpModulePrint(LowpModule module, LowpStringCallback callback,
                     void *userData) {
  if (!module.ptr || !callback)
    return;
  std::string text;
  llvm::raw_string_ostream os(text);
  unwrap(module)->module->print(os);
  os.flush();
  callback(LowpStringRef{text.data(), text.size()}, userData);
}

//===----------------------------------------------------------------------===//
// Numerics
//===----------------------------------------------------------------------===//

LowpRounding lowpRoundingGetDefault(void) {
  return LowpRounding{LowpRoundingNearestEven, false, 32};
}

LowpStatus lowpRoundingModeFromName(LowpStringRef name,
                                    LowpRoundingMode *mode) {
  std::optional<numerics::RoundingMode> parsed =
      numerics::symbolizeRoundingMode(unwrap(name).str());
  if (!parsed)
    return makeStatus("'" + unwrap(name).str() +
                      "' is not a rounding mode: expected to_nearest_even, "
                      "to_nearest_away, toward_zero, upward, downward or "
                      "stochastic");
  *mode = LowpRoundingMode(int(*parsed));
  return okStatus();
}

LowpStatus lowpFormatParse(LowpContext context, LowpStringRef text,
                           LowpFormat *format) {
  if (!format)
    return makeStatus("lowpFormatParse: format is null");
  *format = LowpFormat{nullptr};
  if (!context.ptr)
    return makeStatus("lowpFormatParse: the context is null");
  auto parsed = parseFormat(*unwrap(context)->context, unwrap(text));
  if (!parsed)
    return makeStatus(parsed.takeError());
  *format = LowpFormat{new FormatHandle(*parsed)};
  return okStatus();
}

void lowpFormatDestroy(LowpFormat format) { delete unwrap(format); }

unsigned lowpFormatGetBitWidth(LowpFormat format) {
  return unwrap(format)->format.getBitWidth();
}

unsigned lowpFormatGetCodeBytes(LowpFormat format) {
  return numerics::getCodeBytes(unwrap(format)->format);
}

LowpFormatInfo lowpFormatGetInfo(LowpFormat handle) {
  const numerics::Format &format = unwrap(handle)->format;
  LowpFormatInfo info{};
  info.bits = format.getBitWidth();
  info.max = format.getMaxFinite();
  info.smallestNormal = format.getMinNormal();
  info.smallestSubnormal = format.getMinPositive();
  info.eps = format.getEpsilon();
  info.maxExponent = format.getMaxExponent();
  info.hasInfinity = format.hasInfinity();
  info.hasNaN = format.hasNaN();
  info.hasNegativeZero = format.hasNegativeZero();
  info.specialValues = "";
  switch (format.getKind()) {
  case numerics::Format::Kind::Float: {
    const numerics::FloatFormat &f = format.getFloat();
    info.kind = "float";
    info.exponentBits = f.exponentBits;
    info.mantissaBits = f.mantissaBits;
    info.bias = f.bias;
    info.isSigned = f.isSigned;
    info.specialValues = numerics::stringifySpecialValues(f.specials);
    info.minExponent = int(std::ilogb(format.getMinNormal()));
    break;
  }
  case numerics::Format::Kind::Integer:
    info.kind = "integer";
    info.isSigned = format.getInteger().isSigned;
    break;
  case numerics::Format::Kind::Codebook:
    info.kind = "codebook";
    info.isSigned = format.getMinFinite() < 0;
    break;
  case numerics::Format::Kind::Posit:
    info.kind = "posit";
    info.exponentBits = format.getPosit().exponentBits;
    info.isSigned = true;
    info.minExponent = int(std::ilogb(format.getMinPositive()));
    break;
  case numerics::Format::Kind::Logarithmic:
    info.kind = "logarithmic";
    info.exponentBits = format.getLogarithmic().integerBits;
    info.mantissaBits = format.getLogarithmic().fractionBits;
    info.isSigned = true;
    info.minExponent = int(std::floor(std::log2(format.getMinPositive())));
    break;
  case numerics::Format::Kind::HiFloat8:
    info.kind = "hifloat8";
    info.isSigned = true;
    info.minExponent = int(std::ilogb(format.getMinNormal()));
    break;
  }
  info.min = format.getMinFinite();
  return info;
}

double lowpFormatDecodeOne(LowpFormat format, uint32_t code) {
  const numerics::Format &f = unwrap(format)->format;
  if (f.getBitWidth() < 32 && code >= f.getNumCodes())
    return std::nan("");
  return f.decode(code);
}

/// Checks the arguments of an encode or round call and finds its codec.
static LowpStatus prepareConversion(LowpFormat format, LowpRounding rounding,
                                    const void *values, int64_t count,
                                    const uint64_t *randomBits,
                                    const void *output,
                                    const numerics::ArrayCodec *&codec) {
  if (!format.ptr)
    return makeStatus("the format is null");
  numerics::RoundingOptions options;
  if (LowpStatus status =
          toOptions(unwrap(format)->format, rounding, randomBits, options);
      !lowpStatusIsSuccess(status))
    return status;
  for (auto [pointer, what] :
       {std::pair<const void *, const char *>{values, "values"},
        {output, "the output"}})
    if (LowpStatus status = checkArray(pointer, count, what);
        !lowpStatusIsSuccess(status))
      return status;
  codec = &unwrap(format)->codec(options);
  return okStatus();
}

template <typename Value>
static LowpStatus encodeArray(LowpFormat format, LowpRounding rounding,
                              const Value *values, int64_t count,
                              const uint64_t *randomBits, void *codes,
                              unsigned threads) {
  const numerics::ArrayCodec *codec = nullptr;
  LowpStatus status = prepareConversion(format, rounding, values, count,
                                        randomBits, codes, codec);
  if (lowpStatusIsSuccess(status))
    codec->encode(values, count, codes, randomBits, threads);
  return status;
}

LowpStatus lowpFormatEncodeF32(LowpFormat format, LowpRounding rounding,
                               const float *values, int64_t count,
                               const uint64_t *randomBits, void *codes,
                               unsigned threads) {
  return encodeArray(format, rounding, values, count, randomBits, codes,
                     threads);
}

LowpStatus lowpFormatEncodeF64(LowpFormat format, LowpRounding rounding,
                               const double *values, int64_t count,
                               const uint64_t *randomBits, void *codes,
                               unsigned threads) {
  return encodeArray(format, rounding, values, count, randomBits, codes,
                     threads);
}

template <typename Value>
static LowpStatus decodeArray(LowpFormat format, const void *codes,
                              int64_t count, Value *values, unsigned threads) {
  if (!format.ptr)
    return makeStatus("the format is null");
  for (auto [pointer, what] :
       {std::pair<const void *, const char *>{values, "values"},
        {codes, "codes"}})
    if (LowpStatus status = checkArray(pointer, count, what);
        !lowpStatusIsSuccess(status))
      return status;
  const numerics::ArrayCodec &codec =
      unwrap(format)->codec(numerics::RoundingOptions());
  int64_t bad = codec.findInvalidCode(codes, count);
  if (bad >= 0)
    return makeStatus("the code at index " + std::to_string(bad) +
                      " has bits above the format's " +
                      std::to_string(codec.getFormat().getBitWidth()));
  codec.decode(codes, count, values, threads);
  return okStatus();
}

LowpStatus lowpFormatDecodeF32(LowpFormat format, const void *codes,
                               int64_t count, float *values, unsigned threads) {
  return decodeArray(format, codes, count, values, threads);
}

LowpStatus lowpFormatDecodeF64(LowpFormat format, const void *codes,
                               int64_t count, double *values,
                               unsigned threads) {
  return decodeArray(format, codes, count, values, threads);
}

template <typename Value>
static LowpStatus roundArray(LowpFormat format, LowpRounding rounding,
                             const Value *values, int64_t count,
                             const uint64_t *randomBits, Value *rounded,
                             unsigned threads) {
  const numerics::ArrayCodec *codec = nullptr;
  LowpStatus status = prepareConversion(format, rounding, values, count,
                                        randomBits, rounded, codec);
  if (lowpStatusIsSuccess(status))
    codec->round(values, count, rounded, randomBits, threads);
  return status;
}

LowpStatus lowpFormatRoundF32(LowpFormat format, LowpRounding rounding,
                              const float *values, int64_t count,
                              const uint64_t *randomBits, float *rounded,
                              unsigned threads) {
  return roundArray(format, rounding, values, count, randomBits, rounded,
                    threads);
}

LowpStatus lowpFormatRoundF64(LowpFormat format, LowpRounding rounding,
                              const double *values, int64_t count,
                              const uint64_t *randomBits, double *rounded,
                              unsigned threads) {
  return roundArray(format, rounding, values, count, randomBits, rounded,
                    threads);
}

LowpStatus lowpBlockEncodingParse(LowpContext context, LowpStringRef text,
                                  LowpStringRef elementType, unsigned rank,
                                  int axis, LowpBlockEncoding *encoding) {
  if (!encoding)
    return makeStatus("lowpBlockEncodingParse: encoding is null");
  *encoding = LowpBlockEncoding{nullptr};
  if (!context.ptr)
    return makeStatus("lowpBlockEncodingParse: the context is null");
  auto parsed = parseBlockEncoding(*unwrap(context)->context, unwrap(text),
                                   unwrap(elementType), rank, axis);
  if (!parsed)
    return makeStatus(parsed.takeError());
  auto *handle = new BlockEncodingHandle{*parsed, rank,    nullptr, nullptr,
                                         nullptr, nullptr, nullptr};
  const numerics::BlockScaling &scaling = parsed->scaling;
  handle->element = std::make_unique<FormatHandle>(scaling.element);
  handle->scale = std::make_unique<FormatHandle>(scaling.scale);
  if (scaling.tensorScale)
    handle->tensorScale = std::make_unique<FormatHandle>(*scaling.tensorScale);
  if (scaling.zeroPoint)
    handle->zeroPoint = std::make_unique<FormatHandle>(*scaling.zeroPoint);
  if (scaling.hasChoices())
    handle->selector =
        std::make_unique<FormatHandle>(scaling.getSelectorFormat());
  *encoding = LowpBlockEncoding{handle};
  return okStatus();
}

void lowpBlockEncodingDestroy(LowpBlockEncoding encoding) {
  delete unwrap(encoding);
}

LowpFormat lowpBlockEncodingGetElementFormat(LowpBlockEncoding encoding) {
  return LowpFormat{unwrap(encoding)->element.get()};
}
LowpFormat lowpBlockEncodingGetScaleFormat(LowpBlockEncoding encoding) {
  return LowpFormat{unwrap(encoding)->scale.get()};
}
LowpFormat lowpBlockEncodingGetTensorScaleFormat(LowpBlockEncoding encoding) {
  return LowpFormat{unwrap(encoding)->tensorScale.get()};
}
LowpFormat lowpBlockEncodingGetZeroPointFormat(LowpBlockEncoding encoding) {
  return LowpFormat{unwrap(encoding)->zeroPoint.get()};
}
LowpFormat lowpBlockEncodingGetSelectorFormat(LowpBlockEncoding encoding) {
  return LowpFormat{unwrap(encoding)->selector.get()};
}

void lowpBlockEncodingGetBlock(LowpBlockEncoding encoding, int64_t *block) {
  BlockEncodingHandle *handle = unwrap(encoding);
  std::vector<int64_t> full = handle->encoding.getBlock(handle->rank);
  std::copy(full.begin(), full.end(), block);
}

void lowpBlockEncodingPrintTensorType(LowpBlockEncoding encoding,
                                      const int64_t *shape,
                                      LowpStringCallback callback,
                                      void *userData) {
  BlockEncodingHandle *handle = unwrap(encoding);
  std::string text = handle->encoding.getTensorTypeText(
      llvm::ArrayRef<int64_t>(shape, handle->rank));
  callback(LowpStringRef{text.data(), text.size()}, userData);
}

/// Checks a tensor shape against an encoding's block; returns its element
/// count and the scale tensor's.
static LowpStatus checkBlockShape(BlockEncodingHandle *handle,
                                  const int64_t *shape,
                                  std::vector<int64_t> &dims, int64_t &count,
                                  int64_t &blocks) {
  if (!shape)
    return makeStatus("the shape is null");
  dims.assign(shape, shape + handle->rank);
  count = 1;
  blocks = 1;
  std::vector<int64_t> block = handle->encoding.getBlock(handle->rank);
  for (size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] < 0)
      return makeStatus("dimension " + std::to_string(d) + " of size " +
                        std::to_string(dims[d]) + " is negative");
    if (dims[d] > (int64_t(1) << 40) / std::max<int64_t>(count, 1))
      return makeStatus("the tensor has more than 2^40 elements");
    count *= dims[d];
    blocks *= block[d] ? dims[d] / block[d] : 0;
  }
  std::string error = numerics::verifyBlockShape(dims, block);
  if (!error.empty())
    return makeStatus(error);
  return okStatus();
}

/// Whether the caller's entry point matches the encoding's selectors: the
/// ...WithSelectors calls exactly for encodings with choices.
static LowpStatus checkSelectorEntry(const numerics::BlockScaling &scaling,
                                     bool withSelectors) {
  if (scaling.hasChoices() && !withSelectors)
    return makeStatus("the encoding has choices: its blocks have selectors; "
                      "use lowpBlockEncodingQuantizeWithSelectorsF32 and "
                      "lowpBlockEncodingDequantizeWithSelectorsF32");
  if (!scaling.hasChoices() && withSelectors)
    return makeStatus("the encoding has no choices, so no selectors");
  return okStatus();
}

static LowpStatus quantize(LowpBlockEncoding encoding, const int64_t *shape,
                           const float *values, LowpRounding rounding,
                           const uint64_t *randomBits, uint32_t *elements,
                           uint32_t *scales, uint32_t *zeroPoints,
                           uint32_t *tensorScale, bool withSelectors,
                           uint32_t *selectors) {
  if (!encoding.ptr)
    return makeStatus("the encoding is null");
  BlockEncodingHandle *handle = unwrap(encoding);
  if (LowpStatus status =
          checkSelectorEntry(handle->encoding.scaling, withSelectors);
      !lowpStatusIsSuccess(status))
    return status;
  std::vector<int64_t> dims;
  int64_t count = 0, blocks = 0;
  if (LowpStatus status = checkBlockShape(handle, shape, dims, count, blocks);
      !lowpStatusIsSuccess(status))
    return status;
  const numerics::BlockScaling &scaling = handle->encoding.scaling;
  numerics::RoundingOptions options;
  if (LowpStatus status =
          toOptions(scaling.element, rounding, randomBits, options);
      !lowpStatusIsSuccess(status))
    return status;
  if ((count && (!values || !elements)) || (blocks && !scales) ||
      (scaling.zeroPoint && blocks && !zeroPoints) ||
      (scaling.tensorScale && !tensorScale) ||
      (scaling.hasChoices() && blocks && !selectors))
    return makeStatus("a buffer the encoding's parts need is null");
  std::vector<double> input(values, values + count);
  numerics::BlockScaledTensor tensor = numerics::quantizeTensor(
      scaling, dims, handle->encoding.getBlock(handle->rank), input, options,
      randomBits);
  std::copy(tensor.elements.begin(), tensor.elements.end(), elements);
  std::copy(tensor.scales.begin(), tensor.scales.end(), scales);
  if (scaling.zeroPoint)
    std::copy(tensor.zeroPoints.begin(), tensor.zeroPoints.end(), zeroPoints);
  if (scaling.tensorScale)
    *tensorScale = tensor.tensorScale;
  if (scaling.hasChoices())
    std::copy(tensor.selectors.begin(), tensor.selectors.end(), selectors);
  return okStatus();
}

LowpStatus lowpBlockEncodingQuantizeF32(
    LowpBlockEncoding encoding, const int64_t *shape, const float *values,
    LowpRounding rounding, const uint64_t *randomBits, uint32_t *elements,
    uint32_t *scales, uint32_t *zeroPoints, uint32_t *tensorScale) {
  return quantize(encoding, shape, values, rounding, randomBits, elements,
                  scales, zeroPoints, tensorScale, false, nullptr);
}

LowpStatus lowpBlockEncodingQuantizeWithSelectorsF32(
    LowpBlockEncoding encoding, const int64_t *shape, const float *values,
    LowpRounding rounding, const uint64_t *randomBits, uint32_t *elements,
    uint32_t *scales, uint32_t *selectors) {
  return quantize(encoding, shape, values, rounding, randomBits, elements,
                  scales, nullptr, nullptr, true, selectors);
}

static LowpStatus dequantize(LowpBlockEncoding encoding, const int64_t *shape,
                             const uint32_t *elements, const uint32_t *scales,
                             const uint32_t *zeroPoints, uint32_t tensorScale,
                             bool withSelectors, const uint32_t *selectors,
                             float *values) {
  if (!encoding.ptr)
    return makeStatus("the encoding is null");
  BlockEncodingHandle *handle = unwrap(encoding);
  if (LowpStatus status =
          checkSelectorEntry(handle->encoding.scaling, withSelectors);
      !lowpStatusIsSuccess(status))
    return status;
  std::vector<int64_t> dims;
  int64_t count = 0, blocks = 0;
  if (LowpStatus status = checkBlockShape(handle, shape, dims, count, blocks);
      !lowpStatusIsSuccess(status))
    return status;
  const numerics::BlockScaling &scaling = handle->encoding.scaling;
  if ((count && (!values || !elements)) || (blocks && !scales) ||
      (scaling.zeroPoint && blocks && !zeroPoints) ||
      (scaling.hasChoices() && blocks && !selectors))
    return makeStatus("a buffer the encoding's parts need is null");
  auto checkCodes = [&](const uint32_t *codes, int64_t n,
                        const numerics::Format &format,
                        const char *part) -> LowpStatus {
    unsigned bits = format.getBitWidth();
    for (int64_t i = 0; bits < 32 && i < n; ++i)
      if (codes[i] >> bits)
        return makeStatus(std::string("the ") + part + " code at index " +
                          std::to_string(i) + " has bits above the format's " +
                          std::to_string(bits));
    return okStatus();
  };
  for (LowpStatus status :
       {checkCodes(elements, count, scaling.element, "element"),
        checkCodes(scales, blocks, scaling.scale, "scale"),
        scaling.zeroPoint
            ? checkCodes(zeroPoints, blocks, *scaling.zeroPoint, "zero point")
            : okStatus(),
        scaling.tensorScale
            ? checkCodes(&tensorScale, 1, *scaling.tensorScale, "tensor scale")
            : okStatus()})
    if (!lowpStatusIsSuccess(status))
      return status;
  for (int64_t b = 0; scaling.hasChoices() && b < blocks; ++b)
    if (selectors[b] >= scaling.choices.size())
      return makeStatus("the selector at index " + std::to_string(b) + " is " +
                        std::to_string(selectors[b]) +
                        ", but the encoding has " +
                        std::to_string(scaling.choices.size()) + " choices");
  numerics::BlockScaledTensor tensor;
  tensor.shape = dims;
  tensor.block = handle->encoding.getBlock(handle->rank);
  tensor.elements.assign(elements, elements + count);
  tensor.scales.assign(scales, scales + blocks);
  if (scaling.zeroPoint)
    tensor.zeroPoints.assign(zeroPoints, zeroPoints + blocks);
  if (scaling.hasChoices())
    tensor.selectors.assign(selectors, selectors + blocks);
  tensor.tensorScale = tensorScale;
  for (size_t d = 0; d < dims.size(); ++d)
    tensor.scaleShape.push_back(dims[d] / tensor.block[d]);
  std::vector<double> out = numerics::dequantizeTensor(scaling, tensor);
  for (int64_t i = 0; i < count; ++i)
    values[i] = float(out[i]);
  return okStatus();
}

LowpStatus lowpBlockEncodingDequantizeF32(LowpBlockEncoding encoding,
                                          const int64_t *shape,
                                          const uint32_t *elements,
                                          const uint32_t *scales,
                                          const uint32_t *zeroPoints,
                                          uint32_t tensorScale, float *values) {
  return dequantize(encoding, shape, elements, scales, zeroPoints, tensorScale,
                    false, nullptr, values);
}

LowpStatus lowpBlockEncodingDequantizeWithSelectorsF32(
    LowpBlockEncoding encoding, const int64_t *shape, const uint32_t *elements,
    const uint32_t *scales, const uint32_t *selectors, float *values) {
  return dequantize(encoding, shape, elements, scales, nullptr, 0, true,
                    selectors, values);
}

//===----------------------------------------------------------------------===//
// Execution
//===----------------------------------------------------------------------===//

LowpCompileOptions lowpCompileOptionsGetDefault(void) {
  return LowpCompileOptions{3, "host", 0};
}

LowpStatus lowpModuleCompile(LowpModule module, LowpStringRef target,
                             const LowpCompileOptions *options,
                             LowpExecutable *executable) {
  if (!executable)
    return makeStatus("lowpModuleCompile: executable is null");
  *executable = LowpExecutable{nullptr};
  if (!module.ptr)
    return makeStatus("lowpModuleCompile: the module is null");
  llvm::StringRef targetName = unwrap(target);
  if (targetName.empty())
    targetName = "cpu";
  if (targetName != "cpu" && targetName != "cuda")
    return makeStatus("target '" + targetName.str() +
                      "' is not supported: expected 'cpu' (the host) or "
                      "'cuda' (the GPU the CUDA driver reports as device 0)");
  LowpCompileOptions given =
      options ? *options : lowpCompileOptionsGetDefault();
  if (given.optLevel > 3)
    return makeStatus("optimization level " + std::to_string(given.optLevel) +
                      " is not 0..3");
  ExecutionOptions execution;
  execution.optLevel = given.optLevel;
  execution.vectorTarget = given.cpuFeatures ? given.cpuFeatures : "host";
  execution.threads = given.threads;
  execution.target = targetName.str();
  ModuleOp op = *unwrap(module)->module;
  DiagnosticCollector diagnostics(*op.getContext());
  auto compiled = CompiledModule::compile(op, execution);
  if (!compiled)
    return makeStatus(makeErrorWithDiagnostics(
        llvm::toString(compiled.takeError()), diagnostics));
  auto *handle = new Executable{std::move(*compiled), {}, {}};
  handle->names = handle->compiled->getFunctionNames();
  *executable = LowpExecutable{handle};
  return okStatus();
}

void lowpExecutableDestroy(LowpExecutable executable) {
  delete unwrap(executable);
}

intptr_t lowpExecutableGetNumFunctions(LowpExecutable executable) {
  return intptr_t(unwrap(executable)->names.size());
}

LowpStringRef lowpExecutableGetFunctionName(LowpExecutable executable,
                                            intptr_t index) {
  Executable *handle = unwrap(executable);
  if (index < 0 || size_t(index) >= handle->names.size())
    return LowpStringRef{"", 0};
  const std::string &name = handle->names[index];
  return LowpStringRef{name.data(), name.size()};
}

intptr_t lowpExecutableGetNumArguments(LowpExecutable executable,
                                       LowpStringRef function) {
  auto *values = unwrap(executable)->compiled->getArguments(unwrap(function));
  return values ? intptr_t(values->size()) : -1;
}

intptr_t lowpExecutableGetNumResults(LowpExecutable executable,
                                     LowpStringRef function) {
  auto *values = unwrap(executable)->compiled->getResults(unwrap(function));
  return values ? intptr_t(values->size()) : -1;
}

static LowpStatus describe(Executable *handle, LowpStringRef function,
                           const std::vector<BoundaryValue> *values,
                           intptr_t index, LowpBoundaryValue *value) {
  if (!values)
    return makeStatus("no public function @" + unwrap(function).str());
  if (!value)
    return makeStatus("the boundary value to write is null");
  if (index < 0 || size_t(index) >= values->size())
    return makeStatus("@" + unwrap(function).str() + " has " +
                      std::to_string(values->size()) +
                      " boundary values here; index " + std::to_string(index) +
                      " is out of range");
  const BoundaryValue &boundary = (*values)[index];
  auto keep = [&](std::string text) {
    handle->strings.push_back(std::move(text));
    return LowpStringRef{handle->strings.back().data(),
                         handle->strings.back().size()};
  };
  value->name = LowpStringRef{boundary.name.data(), boundary.name.size()};
  value->position = boundary.position;
  value->part = boundary.part;
  value->elementType = keep(typeString(boundary.elementType));
  value->storageType = keep(typeString(boundary.storageType));
  value->rank = intptr_t(boundary.shape.size());
  value->shape = boundary.shape.data();
  value->isScalar = boundary.isScalar;
  value->packedWidth = boundary.packedWidth;
  value->storageBytes = unsigned(boundary.storageBytes());
  return okStatus();
}

LowpStatus lowpExecutableGetArgument(LowpExecutable executable,
                                     LowpStringRef function, intptr_t index,
                                     LowpBoundaryValue *value) {
  Executable *handle = unwrap(executable);
  return describe(handle, function,
                  handle->compiled->getArguments(unwrap(function)), index,
                  value);
}

LowpStatus lowpExecutableGetResult(LowpExecutable executable,
                                   LowpStringRef function, intptr_t index,
                                   LowpBoundaryValue *value) {
  Executable *handle = unwrap(executable);
  return describe(handle, function,
                  handle->compiled->getResults(unwrap(function)), index, value);
}

LowpStatus lowpExecutableGetResultShape(LowpExecutable executable,
                                        LowpStringRef function,
                                        intptr_t numArguments,
                                        const intptr_t *ranks,
                                        const int64_t *const *shapes,
                                        intptr_t result, int64_t *shape) {
  Executable *handle = unwrap(executable);
  if (numArguments < 0 || (numArguments && (!ranks || !shapes)) || !shape)
    return makeStatus("lowpExecutableGetResultShape: a null array");
  std::vector<std::vector<int64_t>> argumentShapes;
  for (intptr_t i = 0; i < numArguments; ++i) {
    if (ranks[i] < 0 || (ranks[i] && !shapes[i]))
      return makeStatus("the shape of argument " + std::to_string(i) +
                        " is invalid");
    argumentShapes.emplace_back(shapes[i], shapes[i] + ranks[i]);
  }
  auto resultShapes =
      handle->compiled->resultShapes(unwrap(function), argumentShapes);
  if (!resultShapes)
    return makeStatus(resultShapes.takeError());
  if (result < 0 || size_t(result) >= resultShapes->size())
    return makeStatus("@" + unwrap(function).str() + " has " +
                      std::to_string(resultShapes->size()) +
                      " results; index " + std::to_string(result) +
                      " is out of range");
  std::copy((*resultShapes)[result].begin(), (*resultShapes)[result].end(),
            shape);
  return okStatus();
}

LowpStatus lowpExecutableCall(LowpExecutable executable, LowpStringRef function,
                              intptr_t numArguments,
                              const LowpBuffer *arguments, intptr_t numResults,
                              const LowpBuffer *results) {
  if (!executable.ptr)
    return makeStatus("lowpExecutableCall: the executable is null");
  if (numArguments < 0 || numResults < 0 || (numArguments && !arguments) ||
      (numResults && !results))
    return makeStatus("lowpExecutableCall: a null or negative array");
  auto convert = [](const LowpBuffer *buffers, intptr_t count,
                    std::vector<BoundaryBuffer> &out) -> LowpStatus {
    for (intptr_t i = 0; i < count; ++i) {
      const LowpBuffer &buffer = buffers[i];
      if (buffer.isScalar) {
        out.push_back(
            BoundaryBuffer::scalar(static_cast<uint64_t *>(buffer.data)));
        continue;
      }
      if (buffer.rank < 0 || (buffer.rank && !buffer.shape))
        return makeStatus("buffer " + std::to_string(i) +
                          " has an invalid shape");
      out.push_back(BoundaryBuffer::tensor(
          buffer.data, llvm::ArrayRef<int64_t>(buffer.shape, buffer.rank)));
    }
    return okStatus();
  };
  std::vector<BoundaryBuffer> in, out;
  if (LowpStatus status = convert(arguments, numArguments, in);
      !lowpStatusIsSuccess(status))
    return status;
  if (LowpStatus status = convert(results, numResults, out);
      !lowpStatusIsSuccess(status))
    return status;
  return makeStatus(
      unwrap(executable)->compiled->call(unwrap(function), in, out));
}
