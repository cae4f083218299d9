//===- Arrays.h - The numerics core on whole arrays, fast -------*- C++ -*-===//
//
// Encoding and decoding millions of values at once, for the emulation APIs
// (the C API's lowpFormatEncode, Python's lowp.encode/round): exactly
// Format::encode and Format::decode, element for element, at memory speed.
//
// Decoding reads a table of every code's value. Encoding f32 inputs under a
// deterministic mode reads a table indexed by the top bits of the f32
// pattern: rounding is monotone in the value, so the codes of the 2^r
// consecutive patterns that share a prefix are one code, or two codes
// split at one pattern, or (rarely, where the format's grid is finer than
// the prefix) several; each entry stores the first two cases and sends the
// third to Format::encode. Every entry is computed from Format::encode
// itself, so the table cannot disagree with it. Stochastic rounding, and
// doubles that no f32 equals, take Format::encode directly. Work is split
// over threads in contiguous chunks.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_NUMERICS_ARRAYS_H
#define LOWP_NUMERICS_ARRAYS_H

#include "lowp/Numerics/Format.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace lowp::numerics {

/// Bytes of the smallest unsigned integer that holds `format`'s codes: 1, 2
/// or 4.
unsigned getCodeBytes(const Format &format);

/// Encodes and decodes arrays for one format and one set of rounding
/// options. Building one for a format of more than 8 bits takes a few
/// milliseconds (its f32 table); reuse it.
class ArrayCodec {
public:
  /// `options` must pass format.verifyRounding(); for stochastic rounding
  /// its randomBits are ignored (each element takes its own).
  ArrayCodec(const Format &format, const RoundingOptions &options);
  ~ArrayCodec();

  const Format &getFormat() const { return format; }
  /// Bytes per code in the arrays this codec writes and reads.
  unsigned getCodeBytes() const { return codeBytes; }

  /// Writes the codes of `count` values to `codes` (getCodeBytes() bytes
  /// each, native byte order). For stochastic rounding, `randomBits` holds
  /// one random number per value; it is ignored otherwise. `threads` 0
  /// means every core.
  void encode(const float *values, int64_t count, void *codes,
              const uint64_t *randomBits = nullptr, unsigned threads = 0) const;
  void encode(const double *values, int64_t count, void *codes,
              const uint64_t *randomBits = nullptr, unsigned threads = 0) const;

  /// The values of `count` codes (getCodeBytes() bytes each); codes past
  /// the format's width are an error the caller checks with
  /// findInvalidCode first.
  void decode(const void *codes, int64_t count, float *values,
              unsigned threads = 0) const;
  void decode(const void *codes, int64_t count, double *values,
              unsigned threads = 0) const;
  /// The index of the first code with bits above the format's width, or -1.
  int64_t findInvalidCode(const void *codes, int64_t count) const;

  /// decode(encode(x)) in one pass, without storing the codes.
  void round(const float *values, int64_t count, float *rounded,
             const uint64_t *randomBits = nullptr, unsigned threads = 0) const;
  void round(const double *values, int64_t count, double *rounded,
             const uint64_t *randomBits = nullptr, unsigned threads = 0) const;

  struct Table;

private:
  uint32_t encodeOne(float value) const;
  uint32_t encodeOne(double value, const uint64_t *randomBits,
                     int64_t index) const;

  Format format;
  RoundingOptions options;
  unsigned codeBytes;
  /// Every code's value, as double and float (formats of up to 16 bits).
  std::vector<double> valuesF64;
  std::vector<float> valuesF32;
  /// The f32 prefix table (deterministic modes, formats of up to 16 bits).
  std::unique_ptr<Table> table;
};

} // namespace lowp::numerics

#endif // LOWP_NUMERICS_ARRAYS_H
