//===- Format.cpp - Low-precision number formats and their codes ----------===//
//
// Encoding works on the magnitude code: for a minifloat with E exponent and M
// mantissa bits, the E+M magnitude bits read as an integer are monotonic in
// the value, and within one binade the value is linear in the code. Rounding
// |x| to M+1 significant bits at the quantum of its binade (or of the
// subnormal range) therefore yields the magnitude code directly, a mantissa
// carry moving into the next binade by itself. Overflow and the special-value
// policy are then decided on that code.
//
//===----------------------------------------------------------------------===//

#include "lowp/Numerics/Format.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

using namespace lowp::numerics;

namespace {
using uint128 = unsigned __int128;

/// The magnitude as an integer significand m < 2^53 times 2^exponent, and
/// L = floor(log2 |x|). `x` must be finite and nonzero.
struct Significand {
  uint64_t m;
  int exponent;
  int log2Floor;
};

/// `sticky` moves |x| by an infinitesimal: the significand gains one more
/// bit, set to stand for "a little more" (2m + 1) or "a little less"
/// (2m - 1) than |x|.
Significand decompose(double x, int sticky = 0) {
  int ex = 0;
  double fraction = std::frexp(std::fabs(x), &ex);
  Significand sig{static_cast<uint64_t>(std::ldexp(fraction, 53)), ex - 53,
                  ex - 1};
  if (sticky == 0)
    return sig;
  bool larger = (sticky > 0) != std::signbit(x);
  sig.m = 2 * sig.m + (larger ? 1 : -1);
  sig.exponent -= 1;
  sig.log2Floor = sig.exponent + 63 - __builtin_clzll(sig.m);
  return sig;
}

/// Whether the magnitude I.rem (rem has `shift` fraction bits; shift >= 120
/// stands for "nonzero and far below half") must be incremented. Ties to even
/// go to the even *code*: for formats with mantissa bits that is the even
/// significand, and for E8M0-like formats (one significant bit, where both
/// neighbours have significand 1) it is the even exponent field.
bool roundsAway(bool lowerCodeIsOdd, uint128 rem, int shift, bool negative,
                const RoundingOptions &options) {
  if (rem == 0)
    return false;
  bool tiny = shift >= 120;
  uint128 half = tiny ? 0 : uint128(1) << (shift - 1);
  switch (options.mode) {
  case RoundingMode::TowardZero:
    return false;
  case RoundingMode::Upward:
    return !negative;
  case RoundingMode::Downward:
    return negative;
  case RoundingMode::NearestAway:
    return !tiny && rem >= half;
  case RoundingMode::NearestEven:
    return !tiny && (rem > half || (rem == half && lowerCodeIsOdd));
  case RoundingMode::Stochastic: {
    unsigned k = options.randomBitCount;
    uint64_t r = options.randomBits & ((uint64_t(1) << k) - 1);
    // floor(fraction * 2^k): rem < 2^53, so rem << 32 fits in 128 bits.
    uint128 top = tiny ? 0 : (rem << k) >> shift;
    return top + r >= (uint128(1) << k);
  }
  }
  return false;
}

/// Rounds |x| = m * 2^exponent to an integer multiple of 2^quantum, returning
/// the multiple. The code of multiple I is I + codeOffset.
uint128 roundToQuantum(const Significand &sig, int quantum, bool negative,
                       const RoundingOptions &options, int64_t codeOffset) {
  int shift = quantum - sig.exponent;
  if (shift <= 0)
    return uint128(sig.m) << -shift;
  uint128 full = sig.m;
  uint128 integerPart = shift >= 120 ? 0 : full >> shift;
  uint128 rem = shift >= 120 ? full : full & ((uint128(1) << shift) - 1);
  bool lowerCodeIsOdd = ((uint64_t(integerPart) + uint64_t(codeOffset)) & 1);
  return integerPart +
         (roundsAway(lowerCodeIsOdd, rem, shift, negative, options) ? 1 : 0);
}

bool roundsTowardZero(const RoundingOptions &options, bool negative) {
  return options.mode == RoundingMode::TowardZero ||
         (options.mode == RoundingMode::Upward && negative) ||
         (options.mode == RoundingMode::Downward && !negative);
}
} // namespace

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

const char *lowp::numerics::stringifySpecialValues(SpecialValues specials) {
  switch (specials) {
  case SpecialValues::IEEE:
    return "ieee";
  case SpecialValues::FN:
    return "fn";
  case SpecialValues::FNUZ:
    return "fnuz";
  case SpecialValues::Finite:
    return "finite";
  case SpecialValues::E8M0:
    return "e8m0";
  }
  return "";
}

std::optional<SpecialValues>
lowp::numerics::symbolizeSpecialValues(const std::string &name) {
  for (SpecialValues s :
       {SpecialValues::IEEE, SpecialValues::FN, SpecialValues::FNUZ,
        SpecialValues::Finite, SpecialValues::E8M0})
    if (name == stringifySpecialValues(s))
      return s;
  return std::nullopt;
}

const char *lowp::numerics::stringifyRoundingMode(RoundingMode mode) {
  switch (mode) {
  case RoundingMode::NearestEven:
    return "to_nearest_even";
  case RoundingMode::NearestAway:
    return "to_nearest_away";
  case RoundingMode::TowardZero:
    return "toward_zero";
  case RoundingMode::Upward:
    return "upward";
  case RoundingMode::Downward:
    return "downward";
  case RoundingMode::Stochastic:
    return "stochastic";
  }
  return "";
}

std::optional<RoundingMode>
lowp::numerics::symbolizeRoundingMode(const std::string &name) {
  for (RoundingMode m : {RoundingMode::NearestEven, RoundingMode::NearestAway,
                         RoundingMode::TowardZero, RoundingMode::Upward,
                         RoundingMode::Downward, RoundingMode::Stochastic})
    if (name == stringifyRoundingMode(m))
      return m;
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Construction
//===----------------------------------------------------------------------===//

static uint32_t maxMagnitudeCode(const FloatFormat &f) {
  uint32_t allOnes = (uint32_t(1) << (f.exponentBits + f.mantissaBits)) - 1;
  switch (f.specials) {
  case SpecialValues::IEEE:
    return (((uint32_t(1) << f.exponentBits) - 1) << f.mantissaBits) - 1;
  case SpecialValues::FN:
  case SpecialValues::E8M0:
    return allOnes - 1;
  case SpecialValues::FNUZ:
  case SpecialValues::Finite:
    return allOnes;
  }
  return allOnes;
}

std::string Format::verifyFloat(const FloatFormat &f) {
  if (f.exponentBits < 1 || f.exponentBits > 8)
    return "exponent width " + std::to_string(f.exponentBits) +
           " is outside the supported range 1..8";
  if (f.mantissaBits > 23)
    return "mantissa width " + std::to_string(f.mantissaBits) +
           " is outside the supported range 0..23";
  if (f.bias < -256 || f.bias > 512)
    return "bias " + std::to_string(f.bias) +
           " is outside the supported range -256..512";
  if (f.specials == SpecialValues::IEEE && f.mantissaBits == 0)
    return "'ieee' special values need at least one mantissa bit to tell NaN "
           "from infinity";
  if (f.specials == SpecialValues::IEEE && f.exponentBits < 2)
    return "'ieee' special values need at least two exponent bits, one "
           "binade for numbers and one for inf and NaN";
  if (f.specials == SpecialValues::FNUZ && !f.isSigned)
    return "'fnuz' special values need a sign bit: their NaN is the "
           "negative-zero code";
  if (f.specials == SpecialValues::E8M0 && f.isSigned)
    return "'e8m0' special values describe unsigned formats only";
  if (f.specials != SpecialValues::E8M0 && maxMagnitudeCode(f) == 0)
    return "format has no positive finite value";
  return "";
}

std::string Format::verifyInteger(unsigned width) {
  if (width < 1 || width > 32)
    return "integer width " + std::to_string(width) +
           " is outside the supported range 1..32";
  return "";
}

std::string Format::verifyCodebook(unsigned bits,
                                   const std::vector<double> &values) {
  if (bits < 1 || bits > 16)
    return "codebook code width " + std::to_string(bits) +
           " is outside the supported range 1..16";
  if (values.empty())
    return "codebook has no values";
  if (values.size() > (size_t(1) << bits))
    return "codebook has " + std::to_string(values.size()) +
           " values, more than " + std::to_string(size_t(1) << bits) +
           " codes of " + std::to_string(bits) + " bits can index";
  for (double v : values)
    if (!std::isfinite(v) || std::fabs(v) > 0x1p1000)
      return "codebook value " + formatValue(v) +
             " is not a finite number of magnitude at most 2^1000";
  return "";
}

std::string Format::verifyPosit(int64_t width, int64_t exponentBits) {
  if (width < 2 || width > 32)
    return "posit width " + std::to_string(width) +
           " is outside the supported range 2..32";
  if (exponentBits < 0 || exponentBits > 4)
    return "posit exponent size " + std::to_string(exponentBits) +
           " is outside the supported range 0..4";
  return "";
}

std::optional<Format> Format::tryMakePosit(unsigned width,
                                           unsigned exponentBits,
                                           std::string *error) {
  std::string message = verifyPosit(width, exponentBits);
  if (!message.empty()) {
    if (error)
      *error = message;
    return std::nullopt;
  }
  Format format;
  format.kind = Kind::Posit;
  format.positParams = {width, exponentBits};
  return format;
}

Format Format::makeHiFloat8() {
  Format format;
  format.kind = Kind::HiFloat8;
  return format;
}

std::optional<Format> Format::tryMakeFloat(const FloatFormat &params,
                                           std::string *error) {
  std::string message = verifyFloat(params);
  if (!message.empty()) {
    if (error)
      *error = message;
    return std::nullopt;
  }
  Format format;
  format.kind = Kind::Float;
  format.floatParams = params;
  return format;
}

std::optional<Format> Format::tryMakeInteger(unsigned width, bool isSigned,
                                             std::string *error) {
  std::string message = verifyInteger(width);
  if (!message.empty()) {
    if (error)
      *error = message;
    return std::nullopt;
  }
  Format format;
  format.kind = Kind::Integer;
  format.integerParams = {width, isSigned};
  return format;
}

std::optional<Format> Format::tryMakeCodebook(unsigned bits,
                                              std::vector<double> values,
                                              std::string *error) {
  std::string message = verifyCodebook(bits, values);
  if (!message.empty()) {
    if (error)
      *error = message;
    return std::nullopt;
  }
  Format format;
  format.kind = Kind::Codebook;
  format.codebookParams = {bits, std::move(values)};
  const std::vector<double> &table = format.codebookParams.values;
  format.codebookOrder.resize(table.size());
  for (uint32_t i = 0; i < table.size(); ++i)
    format.codebookOrder[i] = i;
  std::sort(format.codebookOrder.begin(), format.codebookOrder.end(),
            [&](uint32_t a, uint32_t b) {
              return table[a] < table[b] || (table[a] == table[b] && a < b);
            });
  return format;
}

std::string Format::verifyRounding(const RoundingOptions &options) const {
  if (options.mode != RoundingMode::Stochastic)
    return "";
  if (isCodebook())
    return "stochastic rounding is not defined for codebook formats: their "
           "values do not lie on a binary grid";
  if (isLogarithmic())
    return "stochastic rounding is not defined for logarithmic formats: "
           "their values do not lie on a binary grid";
  if (options.randomBitCount < 1 || options.randomBitCount > 32)
    return "stochastic rounding takes 1..32 random bits, not " +
           std::to_string(options.randomBitCount);
  if (options.randomBitCount < 64 &&
      (options.randomBits >> options.randomBitCount) != 0)
    return "random bits " + std::to_string(options.randomBits) +
           " do not fit in " + std::to_string(options.randomBitCount) + " bits";
  return "";
}

bool Format::operator==(const Format &other) const {
  if (kind != other.kind)
    return false;
  switch (kind) {
  case Kind::Float:
    return floatParams == other.floatParams;
  case Kind::Integer:
    return integerParams == other.integerParams;
  case Kind::Codebook:
    return codebookParams == other.codebookParams;
  case Kind::Posit:
    return positParams == other.positParams;
  case Kind::HiFloat8:
    return true;
  case Kind::Logarithmic:
    return logParams == other.logParams;
  }
  return false;
}

//===----------------------------------------------------------------------===//
// Properties
//===----------------------------------------------------------------------===//

unsigned Format::getBitWidth() const {
  switch (kind) {
  case Kind::Float:
    return floatParams.exponentBits + floatParams.mantissaBits +
           (floatParams.isSigned ? 1 : 0);
  case Kind::Integer:
    return integerParams.width;
  case Kind::Codebook:
    return codebookParams.bits;
  case Kind::Posit:
    return positParams.width;
  case Kind::HiFloat8:
    return 8;
  case Kind::Logarithmic:
    return 1 + logParams.integerBits + logParams.fractionBits;
  }
  return 0;
}

bool Format::hasInfinity() const {
  return isHiFloat8() ||
         (isFloat() && floatParams.specials == SpecialValues::IEEE);
}

bool Format::hasNaN() const {
  return isPosit() || isHiFloat8() || isLogarithmic() ||
         (isFloat() && floatParams.specials != SpecialValues::Finite);
}

bool Format::hasNegativeZero() const {
  return isFloat() && floatParams.isSigned &&
         floatParams.specials != SpecialValues::FNUZ &&
         floatParams.specials != SpecialValues::E8M0;
}

uint32_t Format::getNaNCode() const {
  if (isPosit())
    return uint32_t(1) << (positParams.width - 1);
  if (isHiFloat8())
    return hif8::NaNCode;
  if (isLogarithmic())
    return uint32_t(1) << (logParams.integerBits + logParams.fractionBits);
  const FloatFormat &f = floatParams;
  unsigned n = f.exponentBits + f.mantissaBits;
  switch (f.specials) {
  case SpecialValues::IEEE:
    // The canonical quiet NaN: top exponent, leading mantissa bit set.
    return (((uint32_t(1) << f.exponentBits) - 1) << f.mantissaBits) |
           (uint32_t(1) << (f.mantissaBits - 1));
  case SpecialValues::FN:
  case SpecialValues::E8M0:
    return (uint32_t(1) << n) - 1;
  case SpecialValues::FNUZ:
    return uint32_t(1) << n;
  case SpecialValues::Finite:
    break;
  }
  return getMaxFiniteCode(false);
}

uint32_t Format::getInfCode(bool negative) const {
  if (isHiFloat8())
    return hif8::InfMagnitude | (negative ? hif8::SignBit : 0);
  const FloatFormat &f = floatParams;
  unsigned n = f.exponentBits + f.mantissaBits;
  uint32_t sign = negative && f.isSigned ? uint32_t(1) << n : 0;
  return sign | (((uint32_t(1) << f.exponentBits) - 1) << f.mantissaBits);
}

uint32_t Format::getMaxFiniteCode(bool negative) const {
  switch (kind) {
  case Kind::Float: {
    const FloatFormat &f = floatParams;
    unsigned n = f.exponentBits + f.mantissaBits;
    uint32_t sign = negative && f.isSigned ? uint32_t(1) << n : 0;
    return sign | maxMagnitudeCode(f);
  }
  case Kind::Integer: {
    const IntegerFormat &i = integerParams;
    uint64_t mask = (uint64_t(1) << i.width) - 1;
    if (!i.isSigned)
      return negative ? 0 : uint32_t(mask);
    uint64_t maxValue = (uint64_t(1) << (i.width - 1)) - 1;
    return uint32_t((negative ? ~maxValue : maxValue) & mask);
  }
  case Kind::Codebook: {
    // The lowest code holding the smallest or the largest value.
    if (negative)
      return codebookOrder.front();
    const std::vector<double> &table = codebookParams.values;
    return *std::lower_bound(
        codebookOrder.begin(), codebookOrder.end(), table[codebookOrder.back()],
        [&](uint32_t code, double v) { return table[code] < v; });
  }
  case Kind::Posit: {
    // maxpos is the all-ones magnitude; -maxpos its two's complement.
    uint32_t nar = uint32_t(1) << (positParams.width - 1);
    return negative ? nar + 1 : nar - 1;
  }
  case Kind::HiFloat8:
    return hif8::MaxMagnitude | (negative ? hif8::SignBit : 0);
  case Kind::Logarithmic: {
    uint32_t sign = getNaNCode();
    return (negative ? sign : 0) | (sign - 1);
  }
  }
  return 0;
}

double Format::getMaxFinite() const { return decode(getMaxFiniteCode(false)); }

double Format::getMinNormal() const {
  if (isHiFloat8())
    return std::ldexp(1.0, hif8::MinNormalExponent);
  if (!isFloat())
    return getMinPositive();
  const FloatFormat &f = floatParams;
  int eminNormal = (f.specials == SpecialValues::E8M0 ? 0 : 1) - f.bias;
  return std::ldexp(1.0, eminNormal);
}

double Format::getMinFinite() const {
  bool isUnsignedFloat = isFloat() && !floatParams.isSigned;
  return decode(isUnsignedFloat ? 0 : getMaxFiniteCode(true));
}

double Format::getMinPositive() const {
  switch (kind) {
  case Kind::Float:
    return floatParams.specials == SpecialValues::E8M0 ? decode(0) : decode(1);
  case Kind::Integer:
    return 1.0;
  case Kind::Codebook: {
    double best = INFINITY;
    for (double v : codebookParams.values)
      if (v > 0)
        best = std::min(best, v);
    return std::isinf(best) ? 0.0 : best;
  }
  case Kind::Posit:
  case Kind::HiFloat8:
  case Kind::Logarithmic:
    return decode(1);
  }
  return 0.0;
}

double Format::getEpsilon() const {
  if (isHiFloat8())
    return std::ldexp(1.0, -int(hif8::mantissaBits(0)));
  if (isPosit()) {
    // The code after 1 (regime "10", nothing else set); a 2-bit posit has
    // only NaR there.
    unsigned n = positParams.width;
    if (n < 3)
      return 0.0;
    return decode((uint32_t(1) << (n - 2)) + 1) - 1.0;
  }
  if (isLogarithmic()) {
    // 2^(1/2^F) - 1, from the code of 1 (the bias) and the next one.
    uint32_t one = uint32_t(1)
                   << (logParams.integerBits + logParams.fractionBits - 1);
    return decode(one + 1) - 1.0;
  }
  if (!isFloat())
    return 0.0;
  return std::ldexp(1.0, -int(floatParams.mantissaBits));
}

int Format::getMaxExponent() const {
  int exponent = 0;
  std::frexp(getMaxFinite(), &exponent);
  return exponent - 1;
}

//===----------------------------------------------------------------------===//
// Decoding
//===----------------------------------------------------------------------===//

bool Format::isNaNCode(uint32_t code) const {
  if (code >= getNumCodes())
    return true;
  switch (kind) {
  case Kind::Float: {
    const FloatFormat &f = floatParams;
    unsigned n = f.exponentBits + f.mantissaBits;
    uint32_t magnitude = code & ((uint32_t(1) << n) - 1);
    bool negative = f.isSigned && (code >> n) & 1;
    uint32_t field = magnitude >> f.mantissaBits;
    uint32_t fraction = magnitude & ((uint32_t(1) << f.mantissaBits) - 1);
    switch (f.specials) {
    case SpecialValues::IEEE:
      return field == (uint32_t(1) << f.exponentBits) - 1 && fraction != 0;
    case SpecialValues::FN:
    case SpecialValues::E8M0:
      return magnitude == (uint32_t(1) << n) - 1;
    case SpecialValues::FNUZ:
      return negative && magnitude == 0;
    case SpecialValues::Finite:
      return false;
    }
    return false;
  }
  case Kind::Integer:
    return false;
  case Kind::Codebook:
    return code >= codebookParams.values.size();
  case Kind::Posit:
  case Kind::HiFloat8:
  case Kind::Logarithmic:
    return code == getNaNCode();
  }
  return false;
}

bool Format::isInfCode(uint32_t code) const {
  if (!hasInfinity() || code >= getNumCodes())
    return false;
  return code == getInfCode(false) || code == getInfCode(true);
}

double Format::decode(uint32_t code, int &sticky) const {
  sticky = 0;
  if (isLogarithmic() && !isNaNCode(code))
    return decodeLogarithmic(code, sticky);
  return decode(code);
}

double Format::decode(uint32_t code) const {
  if (isNaNCode(code))
    return NAN;
  switch (kind) {
  case Kind::Float: {
    const FloatFormat &f = floatParams;
    unsigned n = f.exponentBits + f.mantissaBits;
    bool negative = f.isSigned && (code >> n) & 1;
    if (isInfCode(code))
      return negative ? -INFINITY : INFINITY;
    uint32_t magnitude = code & ((uint32_t(1) << n) - 1);
    int field = int(magnitude >> f.mantissaBits);
    uint32_t fraction = magnitude & ((uint32_t(1) << f.mantissaBits) - 1);
    int m = int(f.mantissaBits);
    double value;
    if (field == 0 && f.specials != SpecialValues::E8M0)
      value = std::ldexp(double(fraction), 1 - f.bias - m);
    else
      value =
          std::ldexp(double((uint32_t(1) << m) + fraction), field - f.bias - m);
    return negative ? -value : value;
  }
  case Kind::Integer: {
    const IntegerFormat &i = integerParams;
    if (i.isSigned && (code >> (i.width - 1)) & 1)
      return double(int64_t(code) - (int64_t(1) << i.width));
    return double(code);
  }
  case Kind::Codebook:
    return codebookParams.values[code];
  case Kind::Posit:
    return decodePosit(code);
  case Kind::HiFloat8: {
    if (isInfCode(code))
      return code & hif8::SignBit ? -INFINITY : INFINITY;
    double value = hif8::decodeMagnitude(code & ~hif8::SignBit);
    return code & hif8::SignBit ? -value : value;
  }
  case Kind::Logarithmic: {
    int sticky = 0;
    return decodeLogarithmic(code, sticky);
  }
  }
  return NAN;
}

//===----------------------------------------------------------------------===//
// Encoding
//===----------------------------------------------------------------------===//

uint32_t Format::encode(double value, const RoundingOptions &options) const {
  return encode(value, 0, options);
}

uint32_t Format::encode(double value, int sticky,
                        const RoundingOptions &options) const {
  if (!std::isfinite(value))
    sticky = 0;
  if (value == 0 && sticky != 0) {
    // Every supported format's smallest value is far above the smallest
    // double, so the smallest double stands for the infinitesimal exactly.
    value = std::copysign(std::numeric_limits<double>::denorm_min(), sticky);
    sticky = 0;
  }
  switch (kind) {
  case Kind::Float:
    return encodeFloat(value, sticky, options);
  case Kind::Integer:
    return encodeInteger(value, sticky, options);
  case Kind::Codebook:
    return encodeCodebook(value, sticky, options);
  case Kind::Posit:
    return encodePosit(value, sticky, options);
  case Kind::HiFloat8:
    return encodeHiFloat8(value, sticky, options);
  case Kind::Logarithmic:
    return encodeLogarithmic(value, sticky, options);
  }
  return 0;
}

uint32_t Format::encodeFloat(double x, int sticky,
                             const RoundingOptions &options) const {
  const FloatFormat &f = floatParams;
  const unsigned n = f.exponentBits + f.mantissaBits;
  const bool isE8M0 = f.specials == SpecialValues::E8M0;
  // The least code: +0, or the smallest power of two where there is no zero.
  const uint32_t leastCode = 0;

  if (std::isnan(x))
    return getNaNCode();
  bool negative = std::signbit(x);
  if (negative && !f.isSigned) {
    if (x == 0 || options.saturate || !hasNaN())
      return leastCode;
    return getNaNCode();
  }
  uint32_t sign = negative ? uint32_t(1) << n : 0;

  auto overflow = [&]() -> uint32_t {
    if (options.saturate || roundsTowardZero(options, negative) ||
        f.specials == SpecialValues::Finite)
      return getMaxFiniteCode(negative);
    if (f.specials == SpecialValues::IEEE)
      return getInfCode(negative);
    return getNaNCode();
  };

  if (std::isinf(x)) {
    if (f.specials == SpecialValues::IEEE && !options.saturate)
      return getInfCode(negative);
    // Infinity is not "rounded toward zero" to max: it is exact in the
    // source, so only saturation or a finite-only target makes it max.
    if (options.saturate || f.specials == SpecialValues::Finite)
      return getMaxFiniteCode(negative);
    return getNaNCode();
  }
  if (x == 0) {
    if (isE8M0 || f.specials == SpecialValues::FNUZ)
      return leastCode;
    return sign;
  }

  Significand sig = decompose(x, sticky);
  const int m = int(f.mantissaBits);
  const int eminNormal = (isE8M0 ? 0 : 1) - f.bias;
  const int topField = (1 << f.exponentBits) - 1;
  if (isE8M0 && sig.log2Floor < eminNormal)
    return leastCode;
  if (sig.log2Floor + f.bias > topField)
    return overflow();

  int quantum = std::max(sig.log2Floor, eminNormal) - m;
  // Significand I in the binade of x has code I + codeOffset.
  int64_t codeOffset =
      sig.log2Floor >= eminNormal
          ? (int64_t(sig.log2Floor + f.bias) << m) - (int64_t(1) << m)
          : 0;
  uint128 significand =
      roundToQuantum(sig, quantum, negative, options, codeOffset);
  int64_t magnitude = int64_t(significand) + codeOffset;
  if (magnitude > int64_t(maxMagnitudeCode(f)))
    return overflow();
  if (magnitude == 0 && f.specials == SpecialValues::FNUZ)
    return 0;
  return sign | uint32_t(magnitude);
}

uint32_t Format::encodeInteger(double x, int sticky,
                               const RoundingOptions &options) const {
  const IntegerFormat &i = integerParams;
  const uint64_t mask = (uint64_t(1) << i.width) - 1;
  const int64_t maxValue =
      i.isSigned ? (int64_t(1) << (i.width - 1)) - 1 : int64_t(mask);
  const int64_t minValue = i.isSigned ? -(int64_t(1) << (i.width - 1)) : 0;
  auto toCode = [&](int64_t v) {
    v = std::clamp(v, minValue, maxValue);
    return uint32_t(uint64_t(v) & mask);
  };
  if (std::isnan(x))
    return 0;
  bool negative = std::signbit(x);
  if (std::isinf(x) || std::fabs(x) >= 0x1p40)
    return toCode(negative ? minValue : maxValue);
  if (x == 0)
    return 0;
  Significand sig = decompose(x, sticky);
  int64_t magnitude = int64_t(roundToQuantum(sig, 0, negative, options, 0));
  return toCode(negative ? -magnitude : magnitude);
}

/// a + b = sum + error exactly (Knuth's TwoSum).
static double twoSumError(double a, double b, double sum) {
  double bPart = sum - a;
  double aPart = sum - bPart;
  return (a - aPart) + (b - bPart);
}

/// Compares 2x with lo + hi exactly; returns -1, 0 or 1.
static int compareWithMidpoint(double x, double lo, double hi) {
  double sum = lo + hi;
  double sumError = twoSumError(lo, hi, sum);
  double twice = 2 * x;
  double difference = twice - sum;
  // If the subtraction was exact, comparing it with the sum's error is exact.
  // If it was not, twice and sum are more than a factor of two apart
  // (Sterbenz), so the difference dwarfs the error and its sign decides.
  if (twoSumError(twice, -sum, difference) == 0)
    return difference < sumError ? -1 : (difference > sumError ? 1 : 0);
  return difference < 0 ? -1 : 1;
}

uint32_t Format::encodeCodebook(double x, int sticky,
                                const RoundingOptions &options) const {
  const std::vector<double> &table = codebookParams.values;
  const std::vector<uint32_t> &order = codebookOrder;
  // Codebooks have neither NaN nor infinity; like the finite-only minifloats,
  // NaN becomes the largest value and everything outside the table's range
  // clamps to its ends.
  double largest = table[order.back()], smallest = table[order.front()];
  if (std::isnan(x) || x > largest || (x == largest && sticky >= 0))
    return getMaxFiniteCode(false);
  if (x < smallest || (x == smallest && sticky <= 0))
    return order.front();
  auto it = std::lower_bound(
      order.begin(), order.end(), x,
      [&](uint32_t code, double v) { return table[code] < v; });
  if (table[*it] == x) {
    // A value just off an entry rounds to it unless the mode is directed
    // away from it.
    bool up = options.mode == RoundingMode::Upward ||
              (options.mode == RoundingMode::TowardZero && x < 0);
    bool down = options.mode == RoundingMode::Downward ||
                (options.mode == RoundingMode::TowardZero && x > 0);
    // (x is strictly inside the table here, so both neighbours exist.)
    if (sticky > 0 && up)
      return *std::upper_bound(
          order.begin(), order.end(), x,
          [&](double v, uint32_t code) { return v < table[code]; });
    if (sticky < 0 && down)
      return *std::lower_bound(
          order.begin(), order.end(), table[*(it - 1)],
          [&](uint32_t code, double v) { return table[code] < v; });
    return *it;
  }
  uint32_t hiCode = *it;
  // The lowest code holding the value just below x.
  auto loIt = std::lower_bound(
      order.begin(), order.end(), table[*(it - 1)],
      [&](uint32_t code, double v) { return table[code] < v; });
  uint32_t loCode = *loIt;
  double lo = table[loCode], hi = table[hiCode];
  switch (options.mode) {
  case RoundingMode::Upward:
    return hiCode;
  case RoundingMode::Downward:
    return loCode;
  case RoundingMode::TowardZero:
    return x > 0 ? loCode : hiCode;
  case RoundingMode::NearestEven:
  case RoundingMode::NearestAway:
  case RoundingMode::Stochastic: {
    int side = compareWithMidpoint(x, lo, hi);
    if (side == 0)
      side = sticky;
    if (side != 0)
      return side < 0 ? loCode : hiCode;
    if (options.mode == RoundingMode::NearestAway)
      return std::fabs(lo) > std::fabs(hi) ? loCode : hiCode;
    bool loEven = (loCode & 1) == 0, hiEven = (hiCode & 1) == 0;
    if (loEven != hiEven)
      return loEven ? loCode : hiCode;
    return std::min(loCode, hiCode);
  }
  }
  return loCode;
}

//===----------------------------------------------------------------------===//
// Posits
//===----------------------------------------------------------------------===//
//
// A posit's magnitude codes (the code itself for positive values, its two's
// complement for negative ones) are monotonic and contiguous in the value:
// the bits after the sign are a regime, es exponent bits and a fraction, and
// one more increment of a full fraction (or exponent) field carries into the
// next regime with the right pattern. Rounding is therefore rounding of the
// infinitely long bit string of |x| to n - 1 bits, which is exactly the
// standard's rule (compare with the (n+1)-bit posit that appends a 1, ties to
// the even pattern): where exponent bits are cut off the midpoint is the
// geometric one, which this rounding gives by itself.

/// floor(a / 2^shift) for any sign of a.
static int floorShift(int a, unsigned shift) {
  return a >= 0 ? a >> shift : -((-a + (1 << shift) - 1) >> shift);
}

double Format::decodePosit(uint32_t code) const {
  const unsigned n = positParams.width, es = positParams.exponentBits;
  if (code == 0)
    return 0.0;
  bool negative = (code >> (n - 1)) & 1;
  uint64_t magnitude = negative ? (uint64_t(1) << n) - code : code;
  // Bits n-2 .. 0 after the sign: the regime run, its terminator, the
  // exponent (missing low bits are zeros) and the fraction.
  int index = int(n) - 2;
  uint64_t first = (magnitude >> index) & 1;
  int run = 0;
  while (index >= 0 && ((magnitude >> index) & 1) == first) {
    ++run;
    --index;
  }
  int regime = first ? run - 1 : -run;
  --index;
  int exponent = 0;
  for (unsigned i = 0; i < es; ++i) {
    exponent <<= 1;
    if (index >= 0)
      exponent |= int((magnitude >> index--) & 1);
  }
  int fractionBits = std::max(index + 1, 0);
  uint64_t fraction = magnitude & ((uint64_t(1) << fractionBits) - 1);
  double value = std::ldexp(double((uint64_t(1) << fractionBits) + fraction),
                            regime * (1 << es) + exponent - fractionBits);
  return negative ? -value : value;
}

uint32_t Format::encodePosit(double x, int sticky,
                             const RoundingOptions &options) const {
  const int n = int(positParams.width);
  const unsigned es = positParams.exponentBits;
  const uint32_t nar = uint32_t(1) << (n - 1);
  const uint64_t mask = (uint64_t(1) << n) - 1;
  if (std::isnan(x))
    return nar;
  bool negative = std::signbit(x);
  auto withSign = [&](uint64_t magnitude) {
    return uint32_t((negative ? 0 - magnitude : magnitude) & mask);
  };
  // Posits neither overflow nor underflow: beyond maxpos is maxpos, below
  // minpos is minpos, in every rounding mode. Infinity is not a real number
  // and becomes NaR unless saturating.
  if (std::isinf(x))
    return options.saturate ? withSign(nar - 1) : nar;
  if (x == 0)
    return 0;
  Significand sig = decompose(x, sticky);
  int scale = sig.log2Floor;
  int regime = floorShift(scale, es);
  if (regime >= n - 2)
    return withSign(nar - 1);
  if (regime < -(n - 2))
    return withSign(1);
  int exponent = scale - regime * (1 << es);
  // The regime with its terminator: k+1 ones and a zero, or -k zeros and a
  // one; together n-1 bits at most here.
  int regimeLength = regime >= 0 ? regime + 2 : -regime + 1;
  uint64_t regimeBits =
      regime >= 0 ? ((uint64_t(1) << (regime + 1)) - 1) << 1 : 1;
  int available = n - 1 - regimeLength;
  // After the regime: the exponent, then |x|'s fraction below its leading
  // one (f bits), as one fixed-point number; round it to `available` bits.
  int f = scale - sig.exponent;
  uint128 tail =
      (uint128(exponent) << f) | (uint128(sig.m) - (uint128(1) << f));
  int shift = int(es) + f - available;
  uint64_t kept = uint64_t(tail >> shift);
  uint128 rem = tail & ((uint128(1) << shift) - 1);
  uint64_t code = (regimeBits << available) | kept;
  bool away = roundsAway(code & 1, rem, shift, negative, options);
  return withSign(code + (away ? 1 : 0));
}

//===----------------------------------------------------------------------===//
// HiFloat8
//===----------------------------------------------------------------------===//

unsigned lowp::numerics::hif8::mantissaBits(int e) {
  int magnitude = std::abs(e);
  if (e < MinNormalExponent)
    return 0;
  return magnitude <= 3 ? 3 : magnitude <= 7 ? 2 : 1;
}

uint32_t lowp::numerics::hif8::powerCode(int e) {
  if (e < MinNormalExponent)
    return uint32_t(e - MinExponent + 1);
  if (e == 0)
    return 0x08;
  // Dot field, exponent sign, exponent magnitude below its leading one,
  // then zeros for the mantissa.
  int magnitude = std::abs(e);
  unsigned width = magnitude == 1   ? 1
                   : magnitude <= 3 ? 2
                   : magnitude <= 7 ? 3
                                    : 4;
  uint32_t dot = width == 1   ? 0x10
                 : width == 2 ? 0x20
                 : width == 3 ? 0x40
                              : 0x60;
  unsigned m = mantissaBits(e);
  uint32_t field = (uint32_t(e < 0) << (width - 1)) |
                   (uint32_t(magnitude) - (uint32_t(1) << (width - 1)));
  return dot | (field << m);
}

double lowp::numerics::hif8::decodeMagnitude(uint32_t magnitude) {
  if (magnitude < 0x08)
    return magnitude == 0 ? 0.0
                          : std::ldexp(1.0, int(magnitude) - 1 + MinExponent);
  unsigned width = magnitude >= 0x60   ? 4
                   : magnitude >= 0x40 ? 3
                   : magnitude >= 0x20 ? 2
                   : magnitude >= 0x10 ? 1
                                       : 0;
  unsigned m = width == 4 ? 1 : width == 3 ? 2 : 3;
  int e = 0;
  if (width > 0) {
    uint32_t field = (magnitude >> m) & ((uint32_t(1) << width) - 1);
    int exponentMagnitude = int((uint32_t(1) << (width - 1)) |
                                (field & ((uint32_t(1) << (width - 1)) - 1)));
    e = (field >> (width - 1)) ? -exponentMagnitude : exponentMagnitude;
  }
  uint32_t fraction = magnitude & ((uint32_t(1) << m) - 1);
  return std::ldexp(double((uint32_t(1) << m) + fraction), e - int(m));
}

// Rounding works in the binade of |x|, at the quantum of its mantissa width,
// as for minifloats. Magnitude codes are not monotonic across binades (the
// exponent is sign-magnitude), so a carry out of the binade takes the next
// power of two's code rather than code + 1; within a binade the mantissa is
// the low bits of the code, so ties to even compare the significand's
// parity. Below 2^-15 the grid is the powers of two 2^-16..2^-22 and zero,
// with the linear midpoints between neighbours.
uint32_t Format::encodeHiFloat8(double x, int sticky,
                                const RoundingOptions &options) const {
  using namespace hif8;
  if (std::isnan(x))
    return NaNCode;
  bool negative = std::signbit(x);
  uint32_t sign = negative ? SignBit : 0;
  auto overflow = [&]() -> uint32_t {
    if (options.saturate || roundsTowardZero(options, negative))
      return sign | MaxMagnitude;
    return sign | InfMagnitude;
  };
  if (std::isinf(x))
    return sign | (options.saturate ? MaxMagnitude : InfMagnitude);
  if (x == 0)
    return 0;
  Significand sig = decompose(x, sticky);
  int e = sig.log2Floor;
  if (e > MaxExponent)
    return overflow();
  uint32_t magnitude;
  if (e < MinExponent) {
    // Between zero and 2^-22: significand 0 (code 0) or 1 (code 1).
    magnitude =
        uint32_t(roundToQuantum(sig, MinExponent, negative, options, 0));
  } else {
    int m = int(mantissaBits(e));
    // The code of significand I in this binade is I + offset (for the
    // parity of ties; the denormal powers of two have consecutive codes).
    int64_t offset = m == 0 ? int64_t(powerCode(e)) - 1 : 0;
    uint64_t significand =
        uint64_t(roundToQuantum(sig, e - m, negative, options, offset));
    if (significand == (uint64_t(2) << m)) {
      if (e + 1 > MaxExponent)
        return overflow();
      magnitude = powerCode(e + 1);
    } else {
      magnitude = powerCode(e) + uint32_t(significand - (uint64_t(1) << m));
      if (magnitude == InfMagnitude)
        return overflow();
    }
  }
  // One zero: a negative value that rounds to zero is +0 (0x80 is NaN).
  return magnitude == 0 ? 0 : sign | magnitude;
}

uint32_t lowp::numerics::convert(uint32_t code, const Format &from,
                                 const Format &to,
                                 const RoundingOptions &options) {
  int sticky = 0;
  double value = from.decode(code, sticky);
  return to.encode(value, sticky, options);
}

//===----------------------------------------------------------------------===//
// Builtin formats and printing
//===----------------------------------------------------------------------===//

namespace {
struct BuiltinFloat {
  const char *name;
  FloatFormat format;
};
const BuiltinFloat builtinFloats[] = {
    {"f4E2M1FN", {2, 1, 1, true, SpecialValues::Finite}},
    {"f6E2M3FN", {2, 3, 1, true, SpecialValues::Finite}},
    {"f6E3M2FN", {3, 2, 3, true, SpecialValues::Finite}},
    {"f8E3M4", {3, 4, 3, true, SpecialValues::IEEE}},
    {"f8E4M3", {4, 3, 7, true, SpecialValues::IEEE}},
    {"f8E4M3FN", {4, 3, 7, true, SpecialValues::FN}},
    {"f8E4M3FNUZ", {4, 3, 8, true, SpecialValues::FNUZ}},
    {"f8E4M3B11FNUZ", {4, 3, 11, true, SpecialValues::FNUZ}},
    {"f8E5M2", {5, 2, 15, true, SpecialValues::IEEE}},
    {"f8E5M2FNUZ", {5, 2, 16, true, SpecialValues::FNUZ}},
    {"f8E8M0FNU", {8, 0, 127, false, SpecialValues::E8M0}},
    {"f16", {5, 10, 15, true, SpecialValues::IEEE}},
    {"bf16", {8, 7, 127, true, SpecialValues::IEEE}},
    {"tf32", {8, 10, 127, true, SpecialValues::IEEE}},
    {"f32", {8, 23, 127, true, SpecialValues::IEEE}},
};
} // namespace

std::optional<FloatFormat>
lowp::numerics::getBuiltinFloatFormat(const std::string &mlirName) {
  for (const BuiltinFloat &builtin : builtinFloats)
    if (mlirName == builtin.name)
      return builtin.format;
  return std::nullopt;
}

const std::vector<std::string> &lowp::numerics::getBuiltinFloatFormatNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> result;
    for (const BuiltinFloat &builtin : builtinFloats)
      result.push_back(builtin.name);
    return result;
  }();
  return names;
}

std::string lowp::numerics::formatValue(double value) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value < 0 ? "-inf" : "inf";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}
