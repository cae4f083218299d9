//===- Parse.cpp - Real numbers from text, exactly ------------------------===//

#include "lowp/Numerics/Parse.h"

#include <cerrno>
#include <cfenv>
#include <cmath>
#include <cstdlib>

using namespace lowp::numerics;

namespace {
double parseWithRounding(const char *text, int mode, char **end) {
  std::fesetround(mode);
  errno = 0;
  double value = std::strtod(text, end);
  std::fesetround(FE_TONEAREST);
  return value;
}
} // namespace

bool lowp::numerics::parseReal(std::string text, RealValue &parsed) {
  size_t first = text.find_first_not_of(" \t\r\n");
  size_t last = text.find_last_not_of(" \t\r\n");
  if (first == std::string::npos)
    return false;
  text = text.substr(first, last - first + 1);
  // strtod stops at an embedded NUL; the whole text must be the number.
  if (text.find('\0') != std::string::npos)
    return false;
  char *end = nullptr;
  double nearest = parseWithRounding(text.c_str(), FE_TONEAREST, &end);
  if (end != text.c_str() + text.size())
    return false;
  if (std::isnan(nearest)) {
    parsed = {nearest, 0};
    return true;
  }
  // glibc's strtod honours the rounding mode: the two directed parses
  // bracket the real number, and are equal exactly when a double is it.
  double below = parseWithRounding(text.c_str(), FE_DOWNWARD, &end);
  double above = parseWithRounding(text.c_str(), FE_UPWARD, &end);
  if (below == above) {
    parsed = {nearest, 0};
    return true;
  }
  // A finite number beyond the doubles stands as the largest double plus a
  // little; every format overflows the same way for both.
  if (std::isinf(nearest))
    parsed = nearest > 0 ? RealValue{below, 1} : RealValue{above, -1};
  else
    parsed = {nearest, nearest == below ? 1 : -1};
  return true;
}
