//===- Oracles.h - Independent references for the numerics core -*- C++ -*-===//
//
// Two oracles that share no rounding code with lib/Numerics: one rounds with
// GNU MPFR (precision M+1, emin/emax set, mpfr_subnormalize), the other looks
// the answer up in an exact table of a format's values and the midpoints
// between them. Both apply the special-value policy of docs/Numerics.md as
// written there, cell by cell, in code of their own.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_UNITTESTS_NUMERICS_ORACLES_H
#define LOWP_UNITTESTS_NUMERICS_ORACLES_H

#include "lowp/Numerics/Format.h"

#include <string>
#include <vector>

namespace lowp::oracle {

/// What a rounding produced, independent of code assignment.
struct Outcome {
  enum Kind { Finite, Infinity, NaN } kind = Finite;
  /// The value (for Finite), or the sign of an infinity.
  double value = 0;

  static Outcome of(double value) {
    if (value != value)
      return {NaN, 0};
    if (value == 1.0 / 0.0 || value == -1.0 / 0.0)
      return {Infinity, value};
    return {Finite, value};
  }
  bool operator==(const Outcome &other) const;
  std::string str() const;
};

/// Decodes a code from the bit fields with MPFR (exact).
double decodeWithMpfr(const numerics::FloatFormat &format, uint32_t code);

/// Largest finite value, derived from the parameters alone.
double maxFinite(const numerics::FloatFormat &format);

/// Rounds with MPFR.
Outcome roundWithMpfr(const numerics::FloatFormat &format, double x,
                      const numerics::RoundingOptions &options);

/// Rounds the real quotient numerator / denominator into the format with
/// MPFR (4400-bit division, far past any tie a quotient of two doubles can
/// come near).
Outcome roundQuotientWithMpfr(const numerics::FloatFormat &format,
                              double numerator, double denominator,
                              const numerics::RoundingOptions &options);

/// Every finite value of a format (decoded with MPFR) with its magnitude
/// code, sorted; rounds by looking up neighbours and exact midpoints.
class ValueTable {
public:
  explicit ValueTable(const numerics::FloatFormat &format);
  Outcome round(double x, const numerics::RoundingOptions &options) const;
  /// Positive finite magnitudes, ascending (excluding zero).
  const std::vector<double> &magnitudes() const { return values; }

private:
  numerics::FloatFormat format;
  std::vector<double> values;
  std::vector<uint32_t> codes;
  double next;
};

/// What the core produced for `x`, as an Outcome.
Outcome roundWithCore(const numerics::Format &format, double x,
                      const numerics::RoundingOptions &options);

} // namespace lowp::oracle

#endif
