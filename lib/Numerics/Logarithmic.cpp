//===- Logarithmic.cpp - Logarithmic number formats -----------------------===//
//
// A logarithmic code is a sign bit over a W = I + F bit field holding the
// base-2 logarithm L/2^F of the magnitude, biased by 2^(W-1) so that field 0
// is free for zero and the codes of magnitudes are monotonic. Rounding is
// in the log domain: L = 2^F log2|x| rounded to an integer. A double x =
// M * 2^(e-52) has 2^F log2|x| = e 2^F + 2^F log2(M/2^52), so the integer
// part comes from the exponent and the rest from comparing M with the
// tables below; the thresholds are irrational, so the comparisons are exact
// and rounding to nearest has no ties. docs/Numerics.md, "Logarithmic
// numbers", is the policy.
//
//===----------------------------------------------------------------------===//

#include "lowp/Numerics/Format.h"

#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <mutex>

using namespace lowp::numerics;

namespace {
constexpr unsigned kMaxFractionBits = 10;

/// 2^(numerator / 2^(shift)) rounded to a double in `mode`; the ternary
/// value (the sign of rounded - exact) in `ternary`.
double exp2Rational(long numerator, unsigned shift, mpfr_rnd_t mode,
                    int *ternary = nullptr) {
  mpfr_t exponent, result;
  // The exponent numerator / 2^shift is exact in 64 bits.
  mpfr_init2(exponent, 64);
  mpfr_init2(result, 53);
  mpfr_set_si_2exp(exponent, numerator, -long(shift), MPFR_RNDN);
  int t = mpfr_exp2(result, exponent, mode);
  double value = mpfr_get_d(result, MPFR_RNDN);
  if (ternary)
    *ternary = t;
  mpfr_clear(exponent);
  mpfr_clear(result);
  return value;
}

uint64_t significandOf(double oneToTwo) {
  return uint64_t(std::ldexp(oneToTwo, 52));
}
} // namespace

const lns::Tables &lowp::numerics::lns::getTables(unsigned fractionBits) {
  static Tables tables[kMaxFractionBits + 1];
  static std::once_flag built[kMaxFractionBits + 1];
  std::call_once(built[fractionBits], [&] {
    Tables &t = tables[fractionBits];
    long count = long(1) << fractionBits;
    for (long j = 0; j < count; ++j) {
      int ternary = 0;
      t.values.push_back(exp2Rational(j, fractionBits, MPFR_RNDN, &ternary));
      // ternary > 0: the double is above the exact value.
      t.sticky.push_back(int8_t(ternary > 0 ? -1 : ternary < 0 ? 1 : 0));
      t.grid.push_back(significandOf(exp2Rational(j, fractionBits, MPFR_RNDU)));
      // 2^((2j+1) / 2^(F+1)): the midpoint in the log domain.
      t.midpoints.push_back(
          significandOf(exp2Rational(2 * j + 1, fractionBits + 1, MPFR_RNDU)));
    }
  });
  return tables[fractionBits];
}

std::string Format::verifyLogarithmic(int64_t integerBits,
                                      int64_t fractionBits) {
  if (integerBits < 1 || integerBits > 8)
    return "logarithm integer bits " + std::to_string(integerBits) +
           " are outside the supported range 1..8";
  if (fractionBits < 0 || fractionBits > kMaxFractionBits)
    return "logarithm fraction bits " + std::to_string(fractionBits) +
           " are outside the supported range 0..10";
  if (1 + integerBits + fractionBits > 16)
    return "a logarithmic format of " +
           std::to_string(1 + integerBits + fractionBits) +
           " bits is wider than the supported 16";
  return "";
}

std::optional<Format> Format::tryMakeLogarithmic(unsigned integerBits,
                                                 unsigned fractionBits,
                                                 std::string *error) {
  std::string message = verifyLogarithmic(integerBits, fractionBits);
  if (!message.empty()) {
    if (error)
      *error = message;
    return std::nullopt;
  }
  Format format;
  format.kind = Kind::Logarithmic;
  format.logParams = {integerBits, fractionBits};
  return format;
}

double Format::decodeLogarithmic(uint32_t code, int &sticky) const {
  const unsigned f = logParams.fractionBits;
  const unsigned w = logParams.integerBits + f;
  sticky = 0;
  uint32_t field = code & ((uint32_t(1) << w) - 1);
  if (field == 0)
    return (code >> w) ? NAN : 0.0;
  bool negative = (code >> w) & 1;
  int64_t l = int64_t(field) - (int64_t(1) << (w - 1));
  // floor(l / 2^F) and the fraction index.
  int64_t whole = l >= 0 ? l >> f : -((-l + (int64_t(1) << f) - 1) >> f);
  int64_t j = l - whole * (int64_t(1) << f);
  const lns::Tables &tables = lns::getTables(f);
  double value = std::ldexp(tables.values[j], int(whole));
  sticky = tables.sticky[j];
  if (negative) {
    value = -value;
    sticky = -sticky;
  }
  return value;
}

uint32_t Format::encodeLogarithmic(double x, int sticky,
                                   const RoundingOptions &options) const {
  const int64_t f = logParams.fractionBits;
  const int64_t w = logParams.integerBits + f;
  const int64_t bias = int64_t(1) << (w - 1);
  const int64_t lmin = 1 - bias, lmax = bias - 1;
  const uint32_t nan = uint32_t(1) << w;
  if (std::isnan(x))
    return nan;
  bool negative = std::signbit(x);
  auto code = [&](int64_t l) {
    return (negative ? nan : 0) | uint32_t(l + bias);
  };
  // No infinities: inf is NaN unless saturating; finite values beyond the
  // largest magnitude saturate in every mode.
  if (std::isinf(x))
    return options.saturate ? code(lmax) : nan;
  if (x == 0)
    return 0;
  int s = negative ? -sticky : sticky;
  int exponent = 0;
  double fraction = std::frexp(std::fabs(x), &exponent);
  int64_t e = exponent - 1;
  uint64_t m = uint64_t(std::ldexp(fraction, 53));
  const lns::Tables &tables = lns::getTables(unsigned(f));
  // j: the fraction index floor(2^F log2(M/2^52)).
  int64_t j =
      int64_t(std::upper_bound(tables.grid.begin(), tables.grid.end(), m) -
              tables.grid.begin()) -
      1;
  bool onGrid = m == (uint64_t(1) << 52);
  // (Multiplications: shifting a negative value left is undefined.)
  const int64_t base = e * (int64_t(1) << f);
  int64_t lfloor = base + j, lceil = lfloor + 1;
  if (onGrid) {
    lceil = lfloor;
    if (s < 0)
      lfloor -= 1;
    if (s > 0)
      lceil += 1;
  }
  int64_t lnear = onGrid ? base : lfloor + (m >= tables.midpoints[j]);
  bool awayFromZero = (options.mode == RoundingMode::Upward && !negative) ||
                      (options.mode == RoundingMode::Downward && negative);
  bool towardZero = options.mode == RoundingMode::TowardZero ||
                    (options.mode == RoundingMode::Upward && negative) ||
                    (options.mode == RoundingMode::Downward && !negative);
  int64_t l;
  if (towardZero) {
    if (lfloor < lmin)
      return 0;
    l = lfloor;
  } else if (awayFromZero) {
    l = std::max(lceil, lmin);
  } else if (lnear >= lmin) {
    l = lnear;
  } else {
    // Below the smallest magnitude 2^(lmin/2^F): zero has no logarithm, so
    // the choice between 0 and minpos is by value, at minpos / 2, which
    // |x| reaches when 2^F log2|x| + 2^F >= lmin.
    bool tie = onGrid && s == 0 && lfloor + (int64_t(1) << f) == lmin;
    bool above = lfloor + (int64_t(1) << f) >= lmin && !tie;
    if (tie && options.mode == RoundingMode::NearestAway)
      above = true;
    if (!above)
      return 0;
    l = lmin;
  }
  return code(std::min(l, lmax));
}
