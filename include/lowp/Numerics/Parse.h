//===- Parse.h - Real numbers from text, exactly ----------------*- C++ -*-===//
//
// A decimal or C99 hex number as the numerics core rounds it: the nearest
// double, and on which side of it the real number lies when no double is
// it, so that a format narrower than double rounds the real number, not
// the double (0.1 into a format is the rounding of 1/10).
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_NUMERICS_PARSE_H
#define LOWP_NUMERICS_PARSE_H

#include <string>

namespace lowp::numerics {

/// A real number: `value` the nearest double, `sticky` -1, 0 or +1 as the
/// real number lies below, at or above it (Format::encode's sticky).
struct RealValue {
  double value = 0;
  int sticky = 0;
};

/// Parses decimal (0.3, -1e-5), C99 hex (0x1.8p3), nan, inf and -inf,
/// surrounded by optional white space. False for anything else.
bool parseReal(std::string text, RealValue &parsed);

} // namespace lowp::numerics

#endif // LOWP_NUMERICS_PARSE_H
