//===- Format.h - Low-precision number formats and their codes --*- C++ -*-===//
//
// The numerics core: what a format's codes mean and how a real number becomes
// a code. Plain C++ with no MLIR or LLVM dependency, so that the constant
// folder, the runner, the Python emulation API and the test oracles can all
// share one definition. The policy this implements is written out in
// docs/Numerics.md; every rule there has a test in unittests/Numerics.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_NUMERICS_FORMAT_H
#define LOWP_NUMERICS_FORMAT_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lowp::numerics {

/// Which codes of a minifloat are not ordinary finite numbers.
enum class SpecialValues {
  /// IEEE 754: the all-ones exponent holds +-inf (zero mantissa) and NaNs.
  IEEE,
  /// No infinities; the single all-ones code (per sign) is NaN (E4M3FN).
  FN,
  /// No infinities, no negative zero; the sign-only code is the one NaN.
  FNUZ,
  /// Every code is a finite number (E2M1, E2M3, E3M2).
  Finite,
  /// Powers of two without zero: the zero exponent field is a normal number,
  /// there are no subnormals, and the all-ones code is NaN (E8M0).
  E8M0,
};

/// The spelling used in IR and on the command line: ieee, fn, fnuz, finite,
/// e8m0.
const char *stringifySpecialValues(SpecialValues specials);
std::optional<SpecialValues> symbolizeSpecialValues(const std::string &name);

/// Rounding modes, named as MLIR's arith dialect names them.
enum class RoundingMode {
  NearestEven,
  NearestAway,
  TowardZero,
  Upward,
  Downward,
  /// Round away from zero iff floor(fraction * 2^k) + r >= 2^k, where the
  /// fraction is the exact discarded part in units of the result's last place
  /// and r is an explicit k-bit random number (PTX cvt.rs semantics).
  Stochastic,
};

/// to_nearest_even, to_nearest_away, toward_zero, upward, downward,
/// stochastic.
const char *stringifyRoundingMode(RoundingMode mode);
std::optional<RoundingMode> symbolizeRoundingMode(const std::string &name);

/// Everything that decides how a real number becomes a code.
struct RoundingOptions {
  RoundingMode mode = RoundingMode::NearestEven;
  /// Out-of-range results and infinities become the largest finite value of
  /// the right sign instead of inf or NaN.
  bool saturate = false;
  /// The random number r of stochastic rounding; only its low
  /// `randomBitCount` bits are used.
  uint64_t randomBits = 0;
  /// k of stochastic rounding, 1..32.
  unsigned randomBitCount = 32;
};

/// A minifloat: optional sign, `exponentBits` exponent bits, `mantissaBits`
/// stored mantissa bits, an exponent bias and a special-value family.
struct FloatFormat {
  unsigned exponentBits = 0;
  unsigned mantissaBits = 0;
  int bias = 0;
  bool isSigned = true;
  SpecialValues specials = SpecialValues::IEEE;

  /// The default bias 2^(E-1) - 1.
  static int defaultBias(unsigned exponentBits) {
    return (1 << (exponentBits - 1)) - 1;
  }
  bool operator==(const FloatFormat &other) const {
    return exponentBits == other.exponentBits &&
           mantissaBits == other.mantissaBits && bias == other.bias &&
           isSigned == other.isSigned && specials == other.specials;
  }
};

/// An integer of 1..32 bits, two's complement when signed.
struct IntegerFormat {
  unsigned width = 0;
  bool isSigned = true;
  bool operator==(const IntegerFormat &other) const {
    return width == other.width && isSigned == other.isSigned;
  }
};

/// An n-bit code indexing a table of up to 2^n finite values (NF4, any4,
/// ternary). Codes past the end of the table are unused and decode to NaN.
struct CodebookFormat {
  unsigned bits = 0;
  std::vector<double> values;
  bool operator==(const CodebookFormat &other) const {
    return bits == other.bits && values == other.values;
  }
};

/// A posit of the 2022 Posit Standard: `width` bits (2..32) of two's
/// complement sign, regime, `exponentBits` (0..4) exponent bits and fraction;
/// one zero (all zeros) and one NaR (the sign bit alone).
struct PositFormat {
  unsigned width = 0;
  unsigned exponentBits = 0;
  bool operator==(const PositFormat &other) const {
    return width == other.width && exponentBits == other.exponentBits;
  }
};

/// A logarithmic number: a sign bit over a biased fixed-point base-2
/// logarithm of `integerBits` (1..8) integer and `fractionBits` (0..10)
/// fraction bits; field 0 is zero (the sign alone: NaN). At most 16 bits.
struct LogarithmicFormat {
  unsigned integerBits = 0;
  unsigned fractionBits = 0;
  bool operator==(const LogarithmicFormat &other) const {
    return integerBits == other.integerBits &&
           fractionBits == other.fractionBits;
  }
};

/// One number format: a minifloat, an integer, a codebook, a posit,
/// HiFloat8 (Ascend's tapered 8-bit float) or a logarithmic number. Built
/// only through the checked factories, so every Format in existence is
/// valid.
class Format {
public:
  enum class Kind { Float, Integer, Codebook, Posit, HiFloat8, Logarithmic };

  /// Returns the format, or an error message saying which constraint of
  /// docs/Numerics.md ("Supported formats") the parameters break.
  static std::optional<Format> tryMakeFloat(const FloatFormat &params,
                                            std::string *error);
  static std::optional<Format> tryMakeInteger(unsigned width, bool isSigned,
                                              std::string *error);
  static std::optional<Format> tryMakeCodebook(unsigned bits,
                                               std::vector<double> values,
                                               std::string *error);
  static std::optional<Format>
  tryMakePosit(unsigned width, unsigned exponentBits, std::string *error);
  /// HiFloat8 has no parameters.
  static Format makeHiFloat8();
  static std::optional<Format> tryMakeLogarithmic(unsigned integerBits,
                                                  unsigned fractionBits,
                                                  std::string *error);

  /// Checks minifloat parameters; returns an empty string when they are valid.
  static std::string verifyFloat(const FloatFormat &params);
  static std::string verifyInteger(unsigned width);
  static std::string verifyCodebook(unsigned bits,
                                    const std::vector<double> &values);
  static std::string verifyPosit(int64_t width, int64_t exponentBits);
  // Signed, so that a parser reports a negative parameter as written.
  static std::string verifyLogarithmic(int64_t integerBits,
                                       int64_t fractionBits);

  Kind getKind() const { return kind; }
  bool isFloat() const { return kind == Kind::Float; }
  bool isInteger() const { return kind == Kind::Integer; }
  bool isCodebook() const { return kind == Kind::Codebook; }
  bool isPosit() const { return kind == Kind::Posit; }
  bool isHiFloat8() const { return kind == Kind::HiFloat8; }
  bool isLogarithmic() const { return kind == Kind::Logarithmic; }
  const LogarithmicFormat &getLogarithmic() const { return logParams; }
  const FloatFormat &getFloat() const { return floatParams; }
  const IntegerFormat &getInteger() const { return integerParams; }
  const CodebookFormat &getCodebook() const { return codebookParams; }
  const PositFormat &getPosit() const { return positParams; }

  /// Bits in one code.
  unsigned getBitWidth() const;
  /// Number of distinct codes, 2^bitWidth.
  uint64_t getNumCodes() const { return uint64_t(1) << getBitWidth(); }

  /// The exact value of a code: every value of every supported format is a
  /// double except those of logarithmic formats, 2^(L/2^F), which decode to
  /// the nearest double. NaN codes and unused codebook codes give NaN.
  double decode(uint32_t code) const;
  /// The value as decode() gives it, and in `sticky` on which side of it
  /// (-1, 0, +1) the exact value lies: encode(decode(c, s), s, ...) rounds
  /// the exact value, whatever the format. 0 except for logarithmic formats.
  double decode(uint32_t code, int &sticky) const;
  bool isNaNCode(uint32_t code) const;
  bool isInfCode(uint32_t code) const;

  /// Rounds `value` (exact, any double) into this format under the policy.
  /// Requires verifyRounding(options) to have returned no error.
  uint32_t encode(double value, const RoundingOptions &options) const;
  /// Rounds the real number `value + sticky * epsilon`, for an infinitesimal
  /// epsilon > 0 and sticky in {-1, 0, 1}: the exact encoding of a real
  /// number that lies strictly between `value` and its neighbouring double
  /// (a decimal input that no double equals, say).
  uint32_t encode(double value, int sticky,
                  const RoundingOptions &options) const;
  /// Checks that `options` are meaningful for this format: stochastic
  /// rounding needs a binary grid (not a codebook) and 1..32 random bits.
  std::string verifyRounding(const RoundingOptions &options) const;

  bool hasInfinity() const;
  bool hasNaN() const;
  bool hasNegativeZero() const;
  /// Largest finite value.
  double getMaxFinite() const;
  /// Smallest positive normal value (for integers and codebooks: the
  /// smallest positive value).
  double getMinNormal() const;
  /// Smallest positive value.
  double getMinPositive() const;
  /// The most negative finite value (the largest one negated for signed
  /// minifloats; -2^(w-1) for signed integers; the smallest entry of a
  /// codebook); 0 for unsigned formats.
  double getMinFinite() const;
  /// Distance from 1 to the next larger value (minifloats, posits and
  /// HiFloat8; 0 for integers and codebooks).
  double getEpsilon() const;
  /// Codes of special values; meaningful only when the format has them.
  uint32_t getNaNCode() const;
  uint32_t getInfCode(bool negative) const;
  uint32_t getMaxFiniteCode(bool negative) const;
  /// The largest binade exponent e such that 2^e <= max finite (minifloats:
  /// emax of the OCP MX spec; integers: width - 2 for signed).
  int getMaxExponent() const;

  bool operator==(const Format &other) const;
  bool operator!=(const Format &other) const { return !(*this == other); }

private:
  Format() = default;
  uint32_t encodeFloat(double value, int sticky,
                       const RoundingOptions &options) const;
  uint32_t encodeInteger(double value, int sticky,
                         const RoundingOptions &options) const;
  uint32_t encodeCodebook(double value, int sticky,
                          const RoundingOptions &options) const;
  uint32_t encodePosit(double value, int sticky,
                       const RoundingOptions &options) const;
  uint32_t encodeHiFloat8(double value, int sticky,
                          const RoundingOptions &options) const;
  double decodePosit(uint32_t code) const;
  uint32_t encodeLogarithmic(double value, int sticky,
                             const RoundingOptions &options) const;
  double decodeLogarithmic(uint32_t code, int &sticky) const;

  Kind kind = Kind::Float;
  FloatFormat floatParams;
  IntegerFormat integerParams;
  CodebookFormat codebookParams;
  PositFormat positParams;
  LogarithmicFormat logParams;
  /// Codebook codes sorted by (value, code), so encoding is a binary search.
  std::vector<uint32_t> codebookOrder;
};

/// HiFloat8's fixed codes and fields (docs/Numerics.md, "HiFloat8"). A code
/// is a sign bit over a 7-bit magnitude; the magnitude reads, from the top,
/// a prefix-coded dot field D (11: 4, 10: 3, 01: 2, 001: 1, 0001: 0, 0000:
/// denormal), D exponent bits (the exponent's sign, then its magnitude below
/// an implicit leading 1) and the mantissa.
namespace hif8 {
constexpr uint32_t SignBit = 0x80;
/// The code a negative zero would have.
constexpr uint32_t NaNCode = 0x80;
/// Where 1.5 * 2^15 would be.
constexpr uint32_t InfMagnitude = 0x6F;
/// 2^15.
constexpr uint32_t MaxMagnitude = 0x6E;
constexpr int MaxExponent = 15;
constexpr int MinNormalExponent = -15;
/// The denormal mode's powers of two reach down to 2^-22.
constexpr int MinExponent = -22;
/// Stored mantissa bits in the binade of 2^e (e in -22..15): 3 for |e| <= 3,
/// 2 for |e| <= 7, 1 for |e| <= 15 and 0 for the denormal powers of two.
unsigned mantissaBits(int e);
/// The magnitude code of 2^e, e in -22..15.
uint32_t powerCode(int e);
/// The value of a magnitude code 0..0x7F other than InfMagnitude.
double decodeMagnitude(uint32_t magnitude);
} // namespace hif8

/// The exact tables of logarithmic formats with F fraction bits, computed
/// once per F with MPFR (correctly rounded exp2). Comparing a double's
/// 53-bit significand M (2^52 <= M < 2^53) with them is exact, because every
/// threshold 2^(t/2^F) other than 1 is irrational, so no double equals one.
namespace lns {
struct Tables {
  /// RN(2^(j/2^F)) for j in [0, 2^F), and the side (-1, 0, +1) of it the
  /// exact value lies on.
  std::vector<double> values;
  std::vector<int8_t> sticky;
  /// The least M with M/2^52 >= 2^(j/2^F) (j in [0, 2^F); 2^52 for j = 0).
  std::vector<uint64_t> grid;
  /// The least M with M/2^52 > 2^((j+1/2)/2^F), the midpoints.
  std::vector<uint64_t> midpoints;
};
const Tables &getTables(unsigned fractionBits);
} // namespace lns

/// Converts a code of `from` into `to`: the exact value of the code, rounded
/// once. (Every value is a double, or for logarithmic formats the nearest
/// double and the side the exact value lies on, so there is no double
/// rounding.)
uint32_t convert(uint32_t code, const Format &from, const Format &to,
                 const RoundingOptions &options);

/// The formats MLIR names as builtin types, by their MLIR spelling
/// ("f8E4M3FN", "bf16", "f32", ...); nullopt for other names.
std::optional<FloatFormat> getBuiltinFloatFormat(const std::string &mlirName);
/// Every builtin float type lowp supports, by MLIR spelling.
const std::vector<std::string> &getBuiltinFloatFormatNames();

/// The value printed so that it reads back exactly: the shortest decimal
/// that round-trips through double, or nan / inf / -inf.
std::string formatValue(double value);

} // namespace lowp::numerics

#endif // LOWP_NUMERICS_FORMAT_H
