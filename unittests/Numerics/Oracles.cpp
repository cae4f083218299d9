//===- Oracles.cpp - Independent references for the numerics core ---------===//

#include "Oracles.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mpfr.h>

using namespace lowp;
using namespace lowp::oracle;
using numerics::FloatFormat;
using numerics::RoundingMode;
using numerics::RoundingOptions;
using numerics::SpecialValues;

bool Outcome::operator==(const Outcome &other) const {
  if (kind != other.kind)
    return false;
  if (kind == NaN)
    return true;
  return value == other.value &&
         std::signbit(value) == std::signbit(other.value);
}

std::string Outcome::str() const {
  if (kind == NaN)
    return "NaN";
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%a", value);
  return buffer;
}

//===----------------------------------------------------------------------===//
// The policy of docs/Numerics.md, restated
//===----------------------------------------------------------------------===//

namespace {
bool hasNaN(const FloatFormat &f) {
  return f.specials != SpecialValues::Finite;
}

double leastValue(const FloatFormat &f) {
  return f.specials == SpecialValues::E8M0 ? std::ldexp(1.0, -f.bias) : 0.0;
}

Outcome maxOf(const FloatFormat &f, bool negative) {
  double m = maxFinite(f);
  return {Outcome::Finite, negative && f.isSigned ? -m : m};
}

/// NaN, infinities, zeros and negatives in unsigned formats; returns true
/// when `x` is one of them.
bool specialInput(const FloatFormat &f, double x, const RoundingOptions &o,
                  Outcome &out) {
  if (std::isnan(x)) {
    // Finite-only formats: +max, as NVIDIA's cvt.
    out = hasNaN(f) ? Outcome{Outcome::NaN, 0} : maxOf(f, false);
    return true;
  }
  bool negative = std::signbit(x);
  if (negative && !f.isSigned) {
    if (x == 0 || o.saturate || !hasNaN(f))
      out = {Outcome::Finite, leastValue(f)};
    else
      out = {Outcome::NaN, 0};
    return true;
  }
  if (std::isinf(x)) {
    if (f.specials == SpecialValues::IEEE && !o.saturate)
      out = {Outcome::Infinity, x};
    else if (o.saturate || f.specials == SpecialValues::Finite)
      out = maxOf(f, negative);
    else
      out = {Outcome::NaN, 0};
    return true;
  }
  if (x == 0) {
    if (f.specials == SpecialValues::E8M0)
      out = {Outcome::Finite, leastValue(f)};
    else if (f.specials == SpecialValues::FNUZ)
      out = {Outcome::Finite, 0.0};
    else
      out = {Outcome::Finite, x};
    return true;
  }
  if (f.specials == SpecialValues::E8M0 && std::fabs(x) < leastValue(f)) {
    out = {Outcome::Finite, leastValue(f)};
    return true;
  }
  return false;
}

bool towardZero(const RoundingOptions &o, bool negative) {
  return o.mode == RoundingMode::TowardZero ||
         (o.mode == RoundingMode::Upward && negative) ||
         (o.mode == RoundingMode::Downward && !negative);
}

/// Turns a magnitude rounded on the format's grid (exponent unbounded above)
/// into the outcome: overflow handling, and the sign of zero.
Outcome finish(const FloatFormat &f, double magnitude, bool negative,
               const RoundingOptions &o) {
  if (magnitude > maxFinite(f)) {
    if (o.saturate || towardZero(o, negative) ||
        f.specials == SpecialValues::Finite)
      return maxOf(f, negative);
    if (f.specials == SpecialValues::IEEE)
      return {Outcome::Infinity, negative ? -INFINITY : INFINITY};
    return {Outcome::NaN, 0};
  }
  if (magnitude == 0 && f.specials == SpecialValues::FNUZ)
    return {Outcome::Finite, 0.0};
  return {Outcome::Finite, negative ? -magnitude : magnitude};
}

/// The magnitude-domain direction of a directed mode.
bool roundsUpInMagnitude(const RoundingOptions &o, bool negative) {
  return o.mode == RoundingMode::Upward ? !negative : negative;
}

/// Stochastic choice between lo < |x| < hi: up iff floor(frac*2^k) + r >= 2^k.
bool stochasticUp(double fractionTimes2k, const RoundingOptions &o) {
  double top = std::floor(fractionTimes2k);
  uint64_t r = o.randomBits & ((uint64_t(1) << o.randomBitCount) - 1);
  return top + double(r) >= std::ldexp(1.0, int(o.randomBitCount));
}
} // namespace

double lowp::oracle::maxFinite(const FloatFormat &f) {
  int e = int(f.exponentBits), m = int(f.mantissaBits);
  int topExponent = (1 << e) - 1 - f.bias;
  switch (f.specials) {
  case SpecialValues::IEEE:
    return (2 - std::ldexp(1.0, -m)) * std::ldexp(1.0, topExponent - 1);
  case SpecialValues::FN:
  case SpecialValues::E8M0:
    if (m == 0)
      return std::ldexp(1.0, topExponent - 1);
    return (2 - std::ldexp(1.0, 1 - m)) * std::ldexp(1.0, topExponent);
  case SpecialValues::FNUZ:
  case SpecialValues::Finite:
    return (2 - std::ldexp(1.0, -m)) * std::ldexp(1.0, topExponent);
  }
  return 0;
}

double lowp::oracle::decodeWithMpfr(const FloatFormat &f, uint32_t code) {
  unsigned n = f.exponentBits + f.mantissaBits;
  bool negative = f.isSigned && ((code >> n) & 1);
  uint32_t exponentField =
      (code >> f.mantissaBits) & ((1u << f.exponentBits) - 1);
  uint32_t mantissa = code & ((1u << f.mantissaBits) - 1);
  bool allOnes = exponentField == (1u << f.exponentBits) - 1 &&
                 mantissa == (1u << f.mantissaBits) - 1;
  switch (f.specials) {
  case SpecialValues::IEEE:
    if (exponentField == (1u << f.exponentBits) - 1)
      return mantissa ? NAN : (negative ? -INFINITY : INFINITY);
    break;
  case SpecialValues::FN:
  case SpecialValues::E8M0:
    if (allOnes)
      return NAN;
    break;
  case SpecialValues::FNUZ:
    if (negative && exponentField == 0 && mantissa == 0)
      return NAN;
    break;
  case SpecialValues::Finite:
    break;
  }
  mpfr_t v;
  mpfr_init2(v, 64);
  bool subnormal = exponentField == 0 && f.specials != SpecialValues::E8M0;
  unsigned long significand =
      subnormal ? mantissa : ((1ul << f.mantissaBits) | mantissa);
  long exponent =
      (subnormal ? 1 : long(exponentField)) - f.bias - long(f.mantissaBits);
  mpfr_set_ui_2exp(v, significand, exponent, MPFR_RNDN);
  if (negative)
    mpfr_neg(v, v, MPFR_RNDN);
  double result = mpfr_get_d(v, MPFR_RNDN);
  mpfr_clear(v);
  return result;
}

//===----------------------------------------------------------------------===//
// MPFR oracle
//===----------------------------------------------------------------------===//

namespace {
/// Rounds the MPFR number |x| to the format's grid in one direction.
double mpfrRoundMagnitude(const FloatFormat &f, mpfr_srcptr magnitude,
                          mpfr_rnd_t rnd) {
  const bool isE8M0 = f.specials == SpecialValues::E8M0;
  const long eminNormal = (isE8M0 ? 0 : 1) - f.bias;
  mpfr_t r;
  mpfr_init2(r, f.mantissaBits + 1);
  // Round to M+1 bits in MPFR's full exponent range (where the input lives),
  // then narrow the range: mpfr_check_range and mpfr_subnormalize use the
  // ternary value so that the second rounding is not a double rounding.
  int ternary = mpfr_set(r, magnitude, rnd);
  // MPFR writes x = 0.1b...b * 2^e: the smallest subnormal 2^(eminNormal-M)
  // has MPFR exponent eminNormal - M + 1. The exponent above is unbounded in
  // effect so that overflow is decided by the policy, not by MPFR.
  mpfr_set_emin(isE8M0 ? eminNormal + 1
                       : eminNormal - long(f.mantissaBits) + 1);
  mpfr_set_emax(4096);
  ternary = mpfr_check_range(r, ternary, rnd);
  if (!isE8M0)
    mpfr_subnormalize(r, ternary, rnd);
  double result = mpfr_get_d(r, MPFR_RNDN);
  mpfr_clear(r);
  mpfr_set_emin(mpfr_get_emin_min());
  mpfr_set_emax(mpfr_get_emax_max());
  return result;
}

/// floor((x - lo) / (hi - lo) * 2^k), exact for dyadic x and to 4400 bits
/// otherwise (far past where a quotient of doubles could matter).
double stochasticTop(mpfr_srcptr x, double lo, double hi, unsigned k) {
  mpfr_t a, b;
  mpfr_inits2(4400, a, b, (mpfr_ptr) nullptr);
  mpfr_sub_d(a, x, lo, MPFR_RNDN);
  mpfr_set_d(b, hi, MPFR_RNDN);
  mpfr_sub_d(b, b, lo, MPFR_RNDN);
  mpfr_div(a, a, b, MPFR_RNDN);
  mpfr_mul_2ui(a, a, k, MPFR_RNDN);
  mpfr_floor(a, a);
  double result = mpfr_get_d(a, MPFR_RNDN);
  mpfr_clears(a, b, (mpfr_ptr) nullptr);
  return result;
}

/// Compares x - lo with hi - x; x with 4400 bits, lo and hi doubles.
int compareDistances(mpfr_srcptr x, double lo, double hi) {
  mpfr_t a, b;
  mpfr_inits2(4400, a, b, (mpfr_ptr) nullptr);
  mpfr_sub_d(a, x, lo, MPFR_RNDN);
  mpfr_set_d(b, hi, MPFR_RNDN);
  mpfr_sub(b, b, x, MPFR_RNDN);
  int c = mpfr_cmp(a, b);
  mpfr_clears(a, b, (mpfr_ptr) nullptr);
  return c;
}

/// Rounds a positive magnitude by the mode (MPFR's directed roundings, and
/// lowp's rules for ties and stochastic rounding built on them), then
/// applies overflow and zero-sign rules.
Outcome roundMagnitude(const FloatFormat &f, mpfr_srcptr magnitude,
                       bool negative, const RoundingOptions &o) {
  if (f.specials == SpecialValues::E8M0 &&
      mpfr_cmp_d(magnitude, leastValue(f)) < 0)
    return {Outcome::Finite, leastValue(f)};
  double lo = mpfrRoundMagnitude(f, magnitude, MPFR_RNDZ);
  double hi = mpfrRoundMagnitude(f, magnitude, MPFR_RNDA);
  double rounded = lo;
  switch (o.mode) {
  case RoundingMode::NearestEven:
    rounded = mpfrRoundMagnitude(f, magnitude, MPFR_RNDN);
    if (f.mantissaBits == 0 && lo != hi &&
        compareDistances(magnitude, lo, hi) == 0) {
      // With one significant bit MPFR breaks ties away from zero; lowp's
      // policy breaks them toward the even code, i.e. the even exponent
      // field (docs/Numerics.md, "Ties to even").
      int exponent = 0;
      std::frexp(lo, &exponent);
      bool loFieldEven = lo == 0 || ((exponent - 1 + f.bias) & 1) == 0;
      rounded = loFieldEven ? lo : hi;
    }
    break;
  case RoundingMode::TowardZero:
    rounded = lo;
    break;
  case RoundingMode::Upward:
  case RoundingMode::Downward:
    rounded = roundsUpInMagnitude(o, negative) ? hi : lo;
    break;
  case RoundingMode::NearestAway:
    rounded = lo == hi || compareDistances(magnitude, lo, hi) < 0 ? lo : hi;
    break;
  case RoundingMode::Stochastic:
    rounded =
        lo == hi || !stochasticUp(
                        stochasticTop(magnitude, lo, hi, o.randomBitCount), o)
            ? lo
            : hi;
    break;
  }
  return finish(f, rounded, negative, o);
}
} // namespace

Outcome lowp::oracle::roundWithMpfr(const FloatFormat &f, double x,
                                    const RoundingOptions &o) {
  Outcome out;
  if (specialInput(f, x, o, out))
    return out;
  mpfr_t magnitude;
  mpfr_init2(magnitude, 64);
  mpfr_set_d(magnitude, std::fabs(x), MPFR_RNDN);
  out = roundMagnitude(f, magnitude, std::signbit(x), o);
  mpfr_clear(magnitude);
  return out;
}

Outcome lowp::oracle::roundQuotientWithMpfr(const FloatFormat &f,
                                            double numerator,
                                            double denominator,
                                            const RoundingOptions &o) {
  // Callers pass finite operands and a nonzero denominator.
  bool negative = std::signbit(numerator) != std::signbit(denominator);
  Outcome out;
  if (numerator == 0 || (negative && !f.isSigned)) {
    specialInput(f, numerator == 0 ? (negative ? -0.0 : 0.0) : -1.0, o, out);
    return out;
  }
  mpfr_t q;
  mpfr_init2(q, 4400);
  mpfr_set_d(q, std::fabs(numerator), MPFR_RNDN);
  mpfr_div_d(q, q, std::fabs(denominator), MPFR_RNDN);
  out = roundMagnitude(f, q, negative, o);
  mpfr_clear(q);
  return out;
}

//===----------------------------------------------------------------------===//
// Table oracle
//===----------------------------------------------------------------------===//

ValueTable::ValueTable(const FloatFormat &f) : format(f) {
  unsigned n = f.exponentBits + f.mantissaBits;
  for (uint32_t code = 0; code < (1u << n); ++code) {
    double v = decodeWithMpfr(f, code);
    if (std::isfinite(v) && v > 0) {
      values.push_back(v);
      codes.push_back(code);
    }
  }
  // Codes are monotonic in value; the sort only guards that belief.
  std::vector<size_t> order(values.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> sortedValues;
  std::vector<uint32_t> sortedCodes;
  for (size_t i : order) {
    sortedValues.push_back(values[i]);
    sortedCodes.push_back(codes[i]);
  }
  values = sortedValues;
  codes = sortedCodes;
  // The grid continues above max with the top binade's spacing: the value
  // that max's neighbour code would have if it were a number.
  double top = values.back();
  int exponent = 0;
  std::frexp(top, &exponent);
  next = top + std::ldexp(1.0, exponent - 1 - int(f.mantissaBits));
}

Outcome ValueTable::round(double x, const RoundingOptions &o) const {
  Outcome out;
  if (specialInput(format, x, o, out))
    return out;
  bool negative = std::signbit(x);
  double magnitude = std::fabs(x);
  if (magnitude >= next)
    return finish(format, next, negative, o);
  size_t index = std::upper_bound(values.begin(), values.end(), magnitude) -
                 values.begin();
  if (index > 0 && values[index - 1] == magnitude)
    return finish(format, magnitude, negative, o);
  double lo = index > 0 ? values[index - 1] : 0.0;
  bool loEven = index > 0 ? (codes[index - 1] & 1) == 0 : true;
  double hi = index < values.size() ? values[index] : next;
  bool hiEven =
      index < values.size() ? (codes[index] & 1) == 0 : (codes.back() & 1) == 1;
  double mid = (lo + hi) / 2; // exact: both have at most 24 significant bits
  bool up = false;
  switch (o.mode) {
  case RoundingMode::TowardZero:
    up = false;
    break;
  case RoundingMode::Upward:
  case RoundingMode::Downward:
    up = roundsUpInMagnitude(o, negative);
    break;
  case RoundingMode::NearestEven:
    up = magnitude > mid || (magnitude == mid && !loEven && hiEven);
    break;
  case RoundingMode::NearestAway:
    up = magnitude >= mid;
    break;
  case RoundingMode::Stochastic:
    // hi - lo is one unit in the last place, a power of two.
    up = stochasticUp(
        std::ldexp((magnitude - lo) / (hi - lo), int(o.randomBitCount)), o);
    break;
  }
  return finish(format, up ? hi : lo, negative, o);
}

Outcome lowp::oracle::roundWithCore(const numerics::Format &format, double x,
                                    const RoundingOptions &options) {
  return Outcome::of(format.decode(format.encode(x, options)));
}
