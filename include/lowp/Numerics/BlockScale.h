//===- BlockScale.h - Block-scaled quantization -----------------*- C++ -*-===//
//
// How a block of real numbers becomes element codes plus a shared scale (and
// optionally a zero point and a per-tensor scale), under the scale rules that
// the #lowp.block_scaled encoding names. The logical value of an element is
//   (element - zeroPoint) * blockScale * tensorScale
// with absent parts reading as 0 (zero point) and 1 (scales). Every stored
// number is the exact real result of its formula rounded once; see
// docs/Numerics.md, "Block scaling".
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_NUMERICS_BLOCKSCALE_H
#define LOWP_NUMERICS_BLOCKSCALE_H

#include "lowp/Numerics/Format.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lowp::numerics {

/// How a block's scale is chosen.
enum class ScaleRule {
  /// OCP MX v1.0: 2^(floor(log2 amax) - emax_elem).
  Floor,
  /// NVIDIA: 2^ceil(log2(amax / max_elem)); never clips.
  RCeil,
  /// NVFP4 as NVIDIA defines it (TransformerEngine's reference quantizer):
  /// a tensor-level f32 encode scale S_enc = (max_scale * max_elem) / amax,
  /// per block the scale f32(amax_b * f32(S_enc * f32(1 / max_elem)))
  /// rounded into the scale format, elements round(f32(x * f32(1 / f32(s_b
  /// * S_dec)))) with S_dec = f32(1 / S_enc), the stored tensor scale; every
  /// step in f32, in this order. See docs/Numerics.md.
  NVFP4,
  /// Symmetric: amax / max_elem rounded into the scale format.
  AbsMax,
  /// Asymmetric (GPTQ/AWQ): (max - min) / (qmax - qmin) with an integer zero
  /// point; the range always includes 0.
  MinMax,
};

/// floor, rceil, nvfp4, absmax, minmax.
const char *stringifyScaleRule(ScaleRule rule);
std::optional<ScaleRule> symbolizeScaleRule(const std::string &name);

/// The formats and rule of one block-scaled encoding.
struct BlockScaling {
  Format element;
  Format scale;
  ScaleRule rule;
  std::optional<Format> tensorScale;
  std::optional<Format> zeroPoint;
  /// Per-group format choice (BitMoD): when not empty, the element formats
  /// a block may choose from, all of one code width; `element` is then the
  /// unsigned integer format of the codes, and each block stores a selector
  /// (its index in this list) besides its scale. See docs/Numerics.md,
  /// "Per-group format choice".
  std::vector<Format> choices = {};

  /// Checks that the formats can play their parts under the rule; returns an
  /// empty string when they can.
  static std::string verify(const Format &element, const Format &scale,
                            ScaleRule rule,
                            const std::optional<Format> &tensorScale,
                            const std::optional<Format> &zeroPoint);
  /// The checks of verify() that do not involve the element format.
  static std::string verifyParts(const Format &scale, ScaleRule rule,
                                 const std::optional<Format> &tensorScale,
                                 const std::optional<Format> &zeroPoint);
  /// The checks of verify() on the element format alone.
  static std::string verifyElement(const Format &element, ScaleRule rule);
  /// Checks a list of element format choices under `rule` (2..16 formats of
  /// one width that verifyElement accepts, a rule without a zero point or
  /// tensor scale); returns an empty string when they can be used.
  static std::string verifyChoices(const std::vector<Format> &choices,
                                   ScaleRule rule);

  bool hasChoices() const { return !choices.empty(); }
  /// The width of a block's selector: ceil(log2(#choices)), at least 1; 0
  /// without choices.
  unsigned getSelectorBits() const { return selectorBits(choices.size()); }
  static unsigned selectorBits(size_t choiceCount);
  /// The unsigned integer format of a block's selector; requires choices.
  Format getSelectorFormat() const;
  /// The scaling of the blocks that chose choices[choice]: that element
  /// format, no choices. Without choices, this scaling.
  BlockScaling getChosen(unsigned choice) const;

  /// The value one unit of an element code stands for before scaling: MX
  /// reads integer elements as fixed point with one integer bit (MXINT8 is
  /// 1.6), every other combination as the element's own value. 1 with
  /// choices: each choice's is getChosen(c).getElementUnit().
  double getElementUnit() const;
  /// The largest element value, in units of getElementUnit() applied.
  double getMaxElementValue() const;
  /// Whether element codes keep to +-max_elem: MX integer elements (signed,
  /// under floor and rceil) never take the most negative code, -2^(w-1), as
  /// microxcaling's MXINT8 keeps to +-127 (docs/Numerics.md).
  bool isSymmetricInteger() const;
};

/// One quantized block.
struct QuantizedBlock {
  std::vector<uint32_t> elements;
  uint32_t scale = 0;
  uint32_t zeroPoint = 0;
  /// The index of the block's element format among the choices (0 without).
  uint32_t selector = 0;
};

/// The tensor-level numbers of the nvfp4 rule for a tensor whose largest
/// magnitude is `amax` (NaN if it holds a NaN); for the other rules, the
/// default: no tensor scale.
struct TensorScaling {
  /// S_enc, the f32 factor that brings amax to max_scale * max_elem.
  float encodeScale = 1.0f;
  /// The stored tensor scale: S_dec = f32(1 / S_enc) in the tensor scale
  /// format.
  uint32_t code = 0;
  /// The stored tensor scale's value (1 without one).
  double decoded = 1.0;
};

/// The nvfp4 rule's tensor scaling for a tensor of largest magnitude `amax`
/// (its f32 values' amax: NaN-propagating).
TensorScaling computeTensorScaling(const BlockScaling &scaling, float amax);

/// Quantizes one block. With choices, the block is quantized under each
/// choice in turn (the same rounding and random bits for each), and takes
/// the one whose dequantized values have the least sum of squared errors,
/// summed in double in element order; a later choice wins only with a
/// strictly smaller sum, so ties and NaN sums keep the earlier one.
/// `tensor` holds the tensor-level numbers (the
/// default when the encoding has none). `randomBits`, when not null, holds
/// one random number per element for stochastic rounding of the elements.
QuantizedBlock quantizeBlock(const BlockScaling &scaling,
                             const std::vector<double> &values,
                             const TensorScaling &tensor,
                             const RoundingOptions &elementRounding,
                             const uint64_t *randomBits = nullptr);

/// The logical value of one element (of a scaling without choices: pass
/// getChosen(selector) for one with).
double dequantizeElement(const BlockScaling &scaling, uint32_t element,
                         uint32_t scale, uint32_t zeroPoint,
                         double tensorScale);

/// The squared error sum that decides a block's choice: sum over the block,
/// in element order, of (value - dequantized)^2, each step in double.
double blockSquaredError(const BlockScaling &chosen,
                         const std::vector<double> &values,
                         const QuantizedBlock &block);

/// A whole tensor in block-scaled form, row-major.
struct BlockScaledTensor {
  std::vector<int64_t> shape;
  /// Block sizes of the trailing dimensions; leading dimensions not named
  /// have blocks of 1.
  std::vector<int64_t> block;
  std::vector<int64_t> scaleShape;
  std::vector<uint32_t> elements;
  std::vector<uint32_t> scales;
  std::vector<uint32_t> zeroPoints;
  /// One per block, with choices.
  std::vector<uint32_t> selectors;
  uint32_t tensorScale = 0;
};

/// Checks that `block` (trailing-aligned) tiles `shape`; returns an empty
/// string when it does. Negative sizes in `shape` are dynamic and only their
/// rank is checked.
std::string verifyBlockShape(const std::vector<int64_t> &shape,
                             const std::vector<int64_t> &block);

/// Quantizes a row-major tensor. Requires verifyBlockShape to pass.
BlockScaledTensor quantizeTensor(const BlockScaling &scaling,
                                 const std::vector<int64_t> &shape,
                                 const std::vector<int64_t> &block,
                                 const std::vector<double> &values,
                                 const RoundingOptions &elementRounding,
                                 const uint64_t *randomBits = nullptr);

/// The logical values of a block-scaled tensor, row-major.
std::vector<double> dequantizeTensor(const BlockScaling &scaling,
                                     const BlockScaledTensor &tensor);

/// Rounds the exact quotient numerator / denominator once into `format`
/// (denominator nonzero and finite). Stochastic rounding is exact while the
/// format's mantissa bits plus the random bits stay below 52.
uint32_t encodeQuotient(const Format &format, double numerator,
                        double denominator, const RoundingOptions &options);

} // namespace lowp::numerics

#endif // LOWP_NUMERICS_BLOCKSCALE_H
