//===- Formats.cpp - What the benchmark's codes mean ----------------------===//

#include "Formats.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace lowp_bench {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
} // namespace

double decodeE2M1(uint32_t code) {
  static const double magnitude[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
  double value = magnitude[code & 7];
  return code & 8 ? -value : value;
}

double decodeE2M3(uint32_t code) {
  unsigned exponent = (code >> 3) & 3, mantissa = code & 7;
  double value = exponent == 0 ? std::ldexp(double(mantissa), -3)
                               : std::ldexp(8.0 + mantissa, int(exponent) - 4);
  return code & 0x20 ? -value : value;
}

double decodeE3M0(uint32_t code) {
  unsigned exponent = code & 7;
  double value = exponent == 0 ? 0.0 : std::ldexp(1.0, int(exponent) - 3);
  return code & 8 ? -value : value;
}

double decodeNF4(uint32_t code) {
  // bitsandbytes' NF4 table (the f32 values it stores, as lowp's
  // !lowp.codebook<nf4> prints them).
  static const double table[16] = {-1.0,
                                   -0.6961928009986877,
                                   -0.5250730514526367,
                                   -0.39491748809814453,
                                   -0.28444138169288635,
                                   -0.18477343022823334,
                                   -0.09105003625154495,
                                   0.0,
                                   0.07958029955625534,
                                   0.16093020141124725,
                                   0.24611230194568634,
                                   0.33791524171829224,
                                   0.44070982933044434,
                                   0.5626170039176941,
                                   0.7229568362236023,
                                   1.0};
  return table[code & 15];
}

double decodeE4M3(uint32_t code) {
  unsigned exponent = (code >> 3) & 15, mantissa = code & 7;
  if (exponent == 15 && mantissa == 7)
    return kNaN;
  double value = exponent == 0 ? std::ldexp(double(mantissa), -9)
                               : std::ldexp(8.0 + mantissa, int(exponent) - 10);
  return code & 0x80 ? -value : value;
}

double decodeE8M0(uint32_t code) {
  return (code & 0xFF) == 0xFF ? kNaN : std::ldexp(1.0, int(code & 0xFF) - 127);
}

double decodeF16(uint32_t code) {
  unsigned exponent = (code >> 10) & 31, mantissa = code & 1023;
  double value;
  if (exponent == 31)
    value = mantissa ? kNaN : std::numeric_limits<double>::infinity();
  else if (exponent == 0)
    value = std::ldexp(double(mantissa), -24);
  else
    value = std::ldexp(1024.0 + mantissa, int(exponent) - 25);
  return code & 0x8000 ? -value : value;
}

double decodeBF16(uint32_t code) {
  return decodeF32Bits((code & 0xFFFF) << 16);
}

double decodeF32Bits(uint32_t code) {
  float value;
  std::memcpy(&value, &code, sizeof value);
  return value;
}

double decodeUnsigned(uint32_t code) { return double(code); }

double decodeMxInt4(uint32_t code) {
  int value = int(code & 15);
  return (value >= 8 ? value - 16 : value) * 0.25;
}

uint32_t encodeNearestEven(double value, DecodeFn decode, uint32_t codeCount) {
  // Search the codes of the value's own sign, so that -0.1 becomes -0.
  uint32_t half = codeCount / 2;
  uint32_t first = std::signbit(value) ? half : 0;
  double magnitude = std::fabs(value);
  uint32_t best = first;
  double bestDistance = std::numeric_limits<double>::infinity();
  for (uint32_t code = first; code < first + half; ++code) {
    double candidate = std::fabs(decode(code));
    if (std::isnan(candidate))
      continue;
    // The differences are exact for the small formats and f32 inputs this
    // is used on, so a tie is a true tie.
    double distance = std::fabs(magnitude - candidate);
    if (distance < bestDistance ||
        (distance == bestDistance && (code & 1) == 0)) {
      best = code;
      bestDistance = distance;
    }
  }
  return best;
}

uint32_t encodeE8M0NearestEven(double value) {
  if (!(value >= 0)) // negative or NaN
    return 0xFF;
  if (value < std::ldexp(1.0, -127)) // E8M0 has no zero
    return 0x00;
  if (std::isinf(value))
    return 0xFF;
  int exponent = std::ilogb(value);
  double significand = std::ldexp(value, -exponent); // [1, 2)
  uint32_t code = static_cast<uint32_t>(exponent + 127);
  // 2^e and 2^(e+1) are the neighbours; their midpoint is 1.5 * 2^e.
  if (significand > 1.5 || (significand == 1.5 && (code & 1)))
    ++code;
  return code > 254 ? 0xFF : code;
}

uint32_t encodeF16NearestEven(double value) {
  if (std::isnan(value))
    return 0x7E00;
  uint32_t sign = std::signbit(value) ? 0x8000 : 0;
  double magnitude = std::fabs(value);
  if (std::isinf(magnitude))
    return sign | 0x7C00;
  // The binade, or the subnormals' (which share 2^-14's spacing).
  int exponent = magnitude == 0 ? -14 : std::max(std::ilogb(magnitude), -14);
  // The magnitude in units of the binade's last place (2^(exponent - 10)),
  // rounded to an integer, ties to even (the default rounding mode): an
  // exact scaling, then one rounding.
  double units = std::nearbyint(std::ldexp(magnitude, 10 - exponent));
  if (units == 2048) { // rounded up into the next binade
    units = 1024;
    ++exponent;
  }
  if (units < 1024) // subnormal (or zero): exponent field 0
    return sign | static_cast<uint32_t>(units);
  if (exponent > 15)
    return sign | 0x7C00;
  return sign | static_cast<uint32_t>(exponent + 15) << 10 |
         static_cast<uint32_t>(units - 1024);
}

uint32_t encodeBF16NearestEven(float value) {
  if (std::isnan(value))
    return 0x7FC0;
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  // Adding 0x7FFF, plus 1 when the kept part is odd, carries into the kept
  // half exactly when the dropped half is above one half, or equal to it
  // with an odd kept part. A carry out of the largest finite binade gives
  // the inf code.
  return (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16;
}

void fillE4M3Codes(void *data, size_t bytes, Random &random) {
  random.fillBytes(data, bytes);
  auto *codes = static_cast<uint8_t *>(data);
  for (size_t i = 0; i < bytes; ++i)
    if ((codes[i] & 0x7F) == 0x7F) // NaN: use +-448 instead
      codes[i] -= 1;
}

void fillIeee16Codes(void *data, size_t bytes, int mantissaBits,
                     Random &random) {
  random.fillBytes(data, bytes);
  auto *codes = static_cast<uint16_t *>(data);
  const uint16_t mantissa = static_cast<uint16_t>((1u << mantissaBits) - 1);
  const uint16_t exponent = static_cast<uint16_t>(0x7FFF & ~mantissa);
  for (size_t i = 0; i < bytes / 2; ++i)
    if ((codes[i] & exponent) == exponent && (codes[i] & mantissa))
      codes[i] ^= static_cast<uint16_t>(1u << mantissaBits); // NaN: finite
}

} // namespace lowp_bench
