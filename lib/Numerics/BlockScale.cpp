//===- BlockScale.cpp - Block-scaled quantization -------------------------===//

#include "lowp/Numerics/BlockScale.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

using namespace lowp::numerics;

const char *lowp::numerics::stringifyScaleRule(ScaleRule rule) {
  switch (rule) {
  case ScaleRule::Floor:
    return "floor";
  case ScaleRule::RCeil:
    return "rceil";
  case ScaleRule::NVFP4:
    return "nvfp4";
  case ScaleRule::AbsMax:
    return "absmax";
  case ScaleRule::MinMax:
    return "minmax";
  }
  return "";
}

std::optional<ScaleRule>
lowp::numerics::symbolizeScaleRule(const std::string &name) {
  for (ScaleRule rule : {ScaleRule::Floor, ScaleRule::RCeil, ScaleRule::NVFP4,
                         ScaleRule::AbsMax, ScaleRule::MinMax})
    if (name == stringifyScaleRule(rule))
      return rule;
  return std::nullopt;
}

/// Whether every value of `format` is an f32: the nvfp4 rule computes in
/// f32 with its scales.
static bool isF32Subset(const Format &format) {
  return format.isFloat() && format.getFloat().mantissaBits <= 23 &&
         format.getMaxFinite() <= std::numeric_limits<float>::max() &&
         format.getMinPositive() >= std::ldexp(1.0, -149);
}

std::string BlockScaling::verifyParts(const Format &scale, ScaleRule rule,
                                      const std::optional<Format> &tensorScale,
                                      const std::optional<Format> &zeroPoint) {
  const std::string ruleName = stringifyScaleRule(rule);
  if (!scale.isFloat())
    return "scale type cannot hold scales: it must be a floating-point "
           "format, not an integer or a codebook";
  if (rule == ScaleRule::NVFP4 && !tensorScale)
    return "scale rule 'nvfp4' needs a tensor_scale type";
  if (rule != ScaleRule::NVFP4 && tensorScale)
    return "tensor_scale is used only by scale rule 'nvfp4', not '" + ruleName +
           "'";
  if (tensorScale && !tensorScale->isFloat())
    return "tensor_scale type cannot hold scales: it must be a "
           "floating-point format";
  if (rule == ScaleRule::NVFP4 && !isF32Subset(scale))
    return "scale rule 'nvfp4' computes in f32: its scale type's values "
           "must all be f32 values";
  if (tensorScale && !isF32Subset(*tensorScale))
    return "scale rule 'nvfp4' computes in f32: its tensor_scale type's "
           "values must all be f32 values";
  if (rule == ScaleRule::MinMax && !zeroPoint)
    return "scale rule 'minmax' needs a zero_point type";
  if (rule != ScaleRule::MinMax && zeroPoint)
    return "zero_point is used only by scale rule 'minmax', not '" + ruleName +
           "'";
  if (zeroPoint && !zeroPoint->isInteger())
    return "zero_point type must be an integer type";
  return "";
}

std::string BlockScaling::verifyElement(const Format &element, ScaleRule rule) {
  if (element.isLogarithmic())
    return "element type is logarithmic: its values are irrational, and "
           "block scaling multiplies them exactly only for the other formats";
  if (element.getMaxFinite() <= 0)
    return "element type has no positive value to scale";
  if (rule == ScaleRule::MinMax && !element.isInteger())
    return "scale rule 'minmax' needs integer elements";
  return "";
}

std::string BlockScaling::verifyChoices(const std::vector<Format> &choices,
                                        ScaleRule rule) {
  if (choices.size() < 2 || choices.size() > 16)
    return "choices must list 2 to 16 element formats, not " +
           std::to_string(choices.size());
  if (rule == ScaleRule::NVFP4 || rule == ScaleRule::MinMax)
    return std::string("choices are not available under scale rule '") +
           stringifyScaleRule(rule) +
           "': its tensor scale or zero points are defined for one element "
           "format";
  const unsigned width = choices.front().getBitWidth();
  for (size_t i = 0; i < choices.size(); ++i) {
    if (choices[i].getBitWidth() != width)
      return "choice " + std::to_string(i) + " is " +
             std::to_string(choices[i].getBitWidth()) + " bits wide, not the " +
             std::to_string(width) +
             " bits of the first: every choice shares the element codes";
    std::string message = verifyElement(choices[i], rule);
    if (!message.empty())
      return "choice " + std::to_string(i) + ": " + message;
  }
  return "";
}

unsigned BlockScaling::selectorBits(size_t choiceCount) {
  if (choiceCount == 0)
    return 0;
  unsigned bits = 1;
  while ((size_t(1) << bits) < choiceCount)
    ++bits;
  return bits;
}

Format BlockScaling::getSelectorFormat() const {
  return *Format::tryMakeInteger(getSelectorBits(), false, nullptr);
}

BlockScaling BlockScaling::getChosen(unsigned choice) const {
  BlockScaling chosen = *this;
  if (!choices.empty()) {
    chosen.element = choices[choice];
    chosen.choices.clear();
  }
  return chosen;
}

std::string BlockScaling::verify(const Format &element, const Format &scale,
                                 ScaleRule rule,
                                 const std::optional<Format> &tensorScale,
                                 const std::optional<Format> &zeroPoint) {
  std::string message = verifyParts(scale, rule, tensorScale, zeroPoint);
  return message.empty() ? verifyElement(element, rule) : message;
}

double BlockScaling::getElementUnit() const {
  // With choices each choice has its own unit (getChosen(c)); the codes
  // themselves have none.
  if ((rule != ScaleRule::Floor && rule != ScaleRule::RCeil) ||
      !element.isInteger() || hasChoices())
    return 1.0;
  const IntegerFormat &i = element.getInteger();
  return std::ldexp(1.0, -int(i.width) + (i.isSigned ? 2 : 1));
}

bool BlockScaling::isSymmetricInteger() const {
  return (rule == ScaleRule::Floor || rule == ScaleRule::RCeil) &&
         element.isInteger() && element.getInteger().isSigned;
}

double BlockScaling::getMaxElementValue() const {
  return element.getMaxFinite() * getElementUnit();
}

static int floorLog2(double positive) {
  int exponent = 0;
  std::frexp(positive, &exponent);
  return exponent - 1;
}

uint32_t lowp::numerics::encodeQuotient(const Format &format, double numerator,
                                        double denominator,
                                        const RoundingOptions &options) {
  double quotient = numerator / denominator;
  if (!std::isfinite(quotient) || quotient == 0)
    return format.encode(quotient, options);
  // The remainder of a correctly rounded quotient is exact; its sign says on
  // which side of `quotient` the real quotient lies, strictly between it and
  // the neighbouring double. Every rounding boundary of a supported format is
  // a double, so the real quotient rounds like `quotient` nudged by an
  // infinitesimal that way, which encode's sticky argument expresses.
  double remainder = std::fma(-quotient, denominator, numerator);
  if (remainder == 0)
    return format.encode(quotient, options);
  bool above = (remainder > 0) == (denominator > 0);
  return format.encode(quotient, above ? 1 : -1, options);
}

/// The largest magnitude of the values rounded to f32, NaN if one is NaN.
static float f32Amax(const std::vector<double> &values) {
  float amax = 0.0f;
  for (double v : values) {
    float magnitude = std::fabs(float(v));
    amax = std::isnan(magnitude) || std::isnan(amax)
               ? NAN
               : std::max(amax, magnitude);
  }
  return amax;
}

/// min(x, FLT_MAX), NaN kept (as torch.min, which TransformerEngine's
/// reference uses, keeps it).
static float atMostFloatMax(float x) {
  return x > std::numeric_limits<float>::max()
             ? std::numeric_limits<float>::max()
             : x;
}

TensorScaling lowp::numerics::computeTensorScaling(const BlockScaling &scaling,
                                                   float amax) {
  TensorScaling tensor;
  if (!scaling.tensorScale)
    return tensor;
  // Each step is one f32 operation, as in TransformerEngine's reference:
  // S_enc = (max_scale * max_elem) / amax, at most FLT_MAX (amax 0 or tiny),
  // 1 where it is 0 (amax inf); S_dec = 1 / S_enc.
  float target =
      float(scaling.scale.getMaxFinite()) * float(scaling.getMaxElementValue());
  float encode = atMostFloatMax(target / amax);
  if (encode == 0.0f)
    encode = 1.0f;
  float decode = 1.0f / encode;
  RoundingOptions nearest;
  nearest.saturate = true;
  tensor.encodeScale = encode;
  tensor.code = scaling.tensorScale->encode(double(decode), nearest);
  tensor.decoded = scaling.tensorScale->decode(tensor.code);
  return tensor;
}

/// The nvfp4 rule on one block, every step an f32 operation in the order
/// of TransformerEngine's reference quantizer (docs/Numerics.md):
///   s_b = S(min(f32(amax_b * f32(S_enc * f32(1 / max_elem))), max_scale))
///   e   = min(f32(1 / f32(s_b * S_dec)), FLT_MAX)
///   q_i = E(f32(x_i * e))                 saturating, in the element mode
/// NaN anywhere in the tensor makes S_enc, and so every s_b and e, NaN.
static QuantizedBlock quantizeNvfp4Block(const BlockScaling &scaling,
                                         const std::vector<double> &values,
                                         const TensorScaling &tensor,
                                         const RoundingOptions &rounding,
                                         const uint64_t *randomBits) {
  QuantizedBlock block;
  block.elements.resize(values.size());
  float amax = f32Amax(values);
  float multiplier =
      tensor.encodeScale * (1.0f / float(scaling.getMaxElementValue()));
  float scale = atMostFloatMax(amax * multiplier);
  float maxScale = float(scaling.scale.getMaxFinite());
  if (scale > maxScale)
    scale = maxScale;
  RoundingOptions nearest;
  nearest.saturate = true;
  block.scale = scaling.scale.encode(double(scale), nearest);
  float product =
      float(scaling.scale.decode(block.scale)) * float(tensor.decoded);
  float encode = atMostFloatMax(1.0f / product);
  RoundingOptions elementRounding = rounding;
  for (size_t i = 0; i < values.size(); ++i) {
    float scaled = float(values[i]) * encode;
    if (randomBits)
      elementRounding.randomBits = randomBits[i];
    block.elements[i] = scaling.element.encode(double(scaled), elementRounding);
  }
  return block;
}

double lowp::numerics::blockSquaredError(const BlockScaling &chosen,
                                         const std::vector<double> &values,
                                         const QuantizedBlock &block) {
  double sum = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    double error = values[i] - dequantizeElement(chosen, block.elements[i],
                                                 block.scale, 0, 1);
    sum += error * error;
  }
  return sum;
}

QuantizedBlock lowp::numerics::quantizeBlock(
    const BlockScaling &scaling, const std::vector<double> &values,
    const TensorScaling &tensor, const RoundingOptions &elementRounding,
    const uint64_t *randomBits) {
  if (scaling.hasChoices()) {
    QuantizedBlock best;
    double bestError = 0;
    for (unsigned c = 0; c < scaling.choices.size(); ++c) {
      BlockScaling chosen = scaling.getChosen(c);
      QuantizedBlock candidate =
          quantizeBlock(chosen, values, tensor, elementRounding, randomBits);
      double error = blockSquaredError(chosen, values, candidate);
      if (c == 0 || error < bestError) {
        best = std::move(candidate);
        best.selector = c;
        bestError = error;
      }
    }
    return best;
  }
  if (scaling.rule == ScaleRule::NVFP4) {
    RoundingOptions rounding = elementRounding;
    rounding.saturate = true;
    return quantizeNvfp4Block(scaling, values, tensor, rounding, randomBits);
  }
  const Format &element = scaling.element;
  const Format &scale = scaling.scale;
  QuantizedBlock block;
  block.elements.resize(values.size());

  RoundingOptions nearest;
  nearest.saturate = true;
  RoundingOptions rounding = elementRounding;
  rounding.saturate = true;
  auto roundingFor = [&](size_t i) {
    if (randomBits)
      rounding.randomBits = randomBits[i];
    return rounding;
  };

  // A NaN or an infinity makes the whole block unrepresentable: its scale is
  // NaN (OCP MX), and its elements are what NaN encodes to.
  bool allFinite = std::all_of(values.begin(), values.end(),
                               [](double v) { return std::isfinite(v); });
  if (!allFinite) {
    block.scale =
        scale.hasNaN() ? scale.getNaNCode() : scale.getMaxFiniteCode(false);
    std::fill(block.elements.begin(), block.elements.end(),
              element.encode(NAN, nearest));
    return block;
  }

  double amax = 0, lowest = 0, highest = 0;
  for (double v : values) {
    amax = std::max(amax, std::fabs(v));
    lowest = std::min(lowest, v);
    highest = std::max(highest, v);
  }

  const double maxElement = scaling.getMaxElementValue();
  const int minScaleExponent = floorLog2(scale.getMinPositive());
  const int maxScaleExponent = floorLog2(scale.getMaxFinite());
  switch (scaling.rule) {
  case ScaleRule::Floor:
  case ScaleRule::RCeil: {
    int exponent = minScaleExponent;
    if (amax != 0) {
      if (scaling.rule == ScaleRule::Floor) {
        exponent = floorLog2(amax) - floorLog2(maxElement);
      } else {
        exponent = floorLog2(amax) - floorLog2(maxElement) - 1;
        while (std::ldexp(maxElement, exponent) < amax)
          ++exponent;
      }
    }
    if (exponent > maxScaleExponent) {
      // The block's values are finite but its scale is not (microxcaling
      // sets an overflowing shared exponent to NaN).
      block.scale =
          scale.hasNaN() ? scale.getNaNCode() : scale.getMaxFiniteCode(false);
      std::fill(block.elements.begin(), block.elements.end(),
                element.encode(NAN, nearest));
      return block;
    }
    exponent = std::max(exponent, minScaleExponent);
    block.scale = scale.encode(std::ldexp(1.0, exponent), nearest);
    break;
  }
  case ScaleRule::AbsMax:
    block.scale = encodeQuotient(scale, amax, maxElement, nearest);
    break;
  case ScaleRule::NVFP4:
    break; // quantizeNvfp4Block
  case ScaleRule::MinMax: {
    double levels =
        element.getMaxFinite() - element.decode(element.getMaxFiniteCode(true));
    block.scale = encodeQuotient(scale, highest - lowest, levels, nearest);
    break;
  }
  }

  const double blockScale = scale.decode(block.scale);
  if (scaling.rule != ScaleRule::MinMax) {
    if (blockScale == 0) {
      std::fill(block.elements.begin(), block.elements.end(),
                element.encode(0.0, nearest));
      return block;
    }
    const double step = blockScale * scaling.getElementUnit();
    const uint32_t lowest = element.getMaxFiniteCode(true);
    const uint32_t symmetricLowest =
        element.encode(-element.getMaxFinite(), nearest);
    for (size_t i = 0; i < values.size(); ++i) {
      block.elements[i] =
          encodeQuotient(element, values[i], step, roundingFor(i));
      if (scaling.isSymmetricInteger() && block.elements[i] == lowest)
        block.elements[i] = symmetricLowest;
    }
    return block;
  }

  // minmax: z = round(qmin - lowest / scale) clamped into both the element
  // and the zero-point range; q = clamp(round(v / scale) + z).
  const Format &zeroPointFormat = *scaling.zeroPoint;
  const double qmin = element.decode(element.getMaxFiniteCode(true));
  const double qmax = element.getMaxFinite();
  const double zmin = std::max(
      qmin, zeroPointFormat.decode(zeroPointFormat.getMaxFiniteCode(true)));
  const double zmax = std::min(qmax, zeroPointFormat.getMaxFinite());
  static const Format wideInteger = *Format::tryMakeInteger(32, true, nullptr);
  double zero = std::clamp(0.0, zmin, zmax);
  if (blockScale != 0) {
    double shift = wideInteger.decode(
        encodeQuotient(wideInteger, -lowest, blockScale, nearest));
    zero = std::clamp(qmin + shift, zmin, zmax);
  }
  block.zeroPoint = zeroPointFormat.encode(zero, nearest);
  for (size_t i = 0; i < values.size(); ++i) {
    double q = zero;
    if (blockScale != 0)
      q += wideInteger.decode(
          encodeQuotient(wideInteger, values[i], blockScale, roundingFor(i)));
    block.elements[i] = element.encode(std::clamp(q, qmin, qmax), nearest);
  }
  return block;
}

double lowp::numerics::dequantizeElement(const BlockScaling &scaling,
                                         uint32_t element, uint32_t scale,
                                         uint32_t zeroPoint,
                                         double tensorScale) {
  double value = scaling.element.decode(element);
  if (scaling.zeroPoint)
    value -= scaling.zeroPoint->decode(zeroPoint);
  return value * scaling.getElementUnit() * scaling.scale.decode(scale) *
         tensorScale;
}

std::string
lowp::numerics::verifyBlockShape(const std::vector<int64_t> &shape,
                                 const std::vector<int64_t> &block) {
  if (block.empty())
    return "block shape is empty";
  if (block.size() > shape.size())
    return "block has " + std::to_string(block.size()) +
           " dimensions but the tensor has only " +
           std::to_string(shape.size());
  size_t offset = shape.size() - block.size();
  for (size_t i = 0; i < block.size(); ++i) {
    if (block[i] < 1)
      return "block size " + std::to_string(block[i]) + " is not positive";
    if (shape[offset + i] >= 0 && shape[offset + i] % block[i] != 0)
      return "block size " + std::to_string(block[i]) +
             " does not divide dimension " + std::to_string(offset + i) +
             " of size " + std::to_string(shape[offset + i]);
  }
  return "";
}

namespace {
/// Visits every block of a row-major tensor, handing over the flat indices
/// of its elements.
template <typename Visit>
void forEachBlock(const std::vector<int64_t> &shape,
                  const std::vector<int64_t> &trailingBlock, Visit visit) {
  const size_t rank = shape.size();
  std::vector<int64_t> block(rank, 1);
  std::copy(trailingBlock.begin(), trailingBlock.end(),
            block.begin() + (rank - trailingBlock.size()));
  std::vector<int64_t> strides(rank, 1);
  for (size_t d = rank; d-- > 1;)
    strides[d - 1] = strides[d] * shape[d];
  std::vector<int64_t> blockCounts(rank);
  int64_t numBlocks = 1, blockSize = 1;
  for (size_t d = 0; d < rank; ++d) {
    blockCounts[d] = shape[d] / block[d];
    numBlocks *= blockCounts[d];
    blockSize *= block[d];
  }
  std::vector<int64_t> indices(blockSize);
  for (int64_t b = 0; b < numBlocks; ++b) {
    int64_t base = 0;
    for (int64_t rest = b, d = int64_t(rank) - 1; d >= 0; --d) {
      base += (rest % blockCounts[d]) * block[d] * strides[d];
      rest /= blockCounts[d];
    }
    for (int64_t e = 0; e < blockSize; ++e) {
      int64_t offset = 0;
      for (int64_t rest = e, d = int64_t(rank) - 1; d >= 0; --d) {
        offset += (rest % block[d]) * strides[d];
        rest /= block[d];
      }
      indices[e] = base + offset;
    }
    visit(b, indices);
  }
}
} // namespace

BlockScaledTensor lowp::numerics::quantizeTensor(
    const BlockScaling &scaling, const std::vector<int64_t> &shape,
    const std::vector<int64_t> &block, const std::vector<double> &values,
    const RoundingOptions &elementRounding, const uint64_t *randomBits) {
  BlockScaledTensor result;
  result.shape = shape;
  result.block = block;
  result.scaleShape = shape;
  for (size_t i = 0; i < block.size(); ++i)
    result.scaleShape[shape.size() - block.size() + i] /= block[i];
  result.elements.resize(values.size());

  TensorScaling tensor;
  if (scaling.tensorScale) {
    tensor = computeTensorScaling(scaling, f32Amax(values));
    result.tensorScale = tensor.code;
  }

  std::vector<double> blockValues;
  std::vector<uint64_t> blockRandomBits;
  forEachBlock(shape, block, [&](int64_t b, const std::vector<int64_t> &idx) {
    blockValues.resize(idx.size());
    blockRandomBits.resize(idx.size());
    for (size_t e = 0; e < idx.size(); ++e) {
      blockValues[e] = values[idx[e]];
      if (randomBits)
        blockRandomBits[e] = randomBits[idx[e]];
    }
    QuantizedBlock q =
        quantizeBlock(scaling, blockValues, tensor, elementRounding,
                      randomBits ? blockRandomBits.data() : nullptr);
    for (size_t e = 0; e < idx.size(); ++e)
      result.elements[idx[e]] = q.elements[e];
    result.scales.push_back(q.scale);
    if (scaling.zeroPoint)
      result.zeroPoints.push_back(q.zeroPoint);
    if (scaling.hasChoices())
      result.selectors.push_back(q.selector);
  });
  return result;
}

std::vector<double>
lowp::numerics::dequantizeTensor(const BlockScaling &scaling,
                                 const BlockScaledTensor &tensor) {
  std::vector<double> result(tensor.elements.size());
  double tensorScale =
      scaling.tensorScale ? scaling.tensorScale->decode(tensor.tensorScale) : 1;
  std::vector<BlockScaling> chosen;
  for (unsigned c = 0; c < std::max<size_t>(scaling.choices.size(), 1); ++c)
    chosen.push_back(scaling.getChosen(c));
  forEachBlock(tensor.shape, tensor.block,
               [&](int64_t b, const std::vector<int64_t> &idx) {
                 uint32_t zero = scaling.zeroPoint ? tensor.zeroPoints[b] : 0;
                 // A selector past the last choice has no format: NaN.
                 uint32_t selector =
                     scaling.hasChoices() ? tensor.selectors[b] : 0;
                 for (int64_t i : idx)
                   result[i] = selector < chosen.size()
                                   ? dequantizeElement(
                                         chosen[selector], tensor.elements[i],
                                         tensor.scales[b], zero, tensorScale)
                                   : NAN;
               });
  return result;
}
