//===- Formats.h - What the benchmark's codes mean ------------------------===//
//
// The values of the codes that lowp-bench feeds to lowp's kernels, written
// here from the format definitions (docs/Numerics.md, the OCP MX v1.0 and
// NVFP4 specifications, QLoRA's NF4 table) rather than taken from lowp, so
// that the correctness checks do not share a bug with the compiler.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_BENCH_FORMATS_H
#define LOWP_BENCH_FORMATS_H

#include "Support.h"

#include <cstdint>

namespace lowp_bench {

/// A decoder: the exact value of a code (NaN for NaN codes).
using DecodeFn = double (*)(uint32_t code);

/// f4E2M1FN (OCP FP4): sign, 2 exponent bits (bias 1), 1 mantissa bit;
/// every code finite: 0, 0.5, 1, 1.5, 2, 3, 4, 6 and their negatives.
double decodeE2M1(uint32_t code);

/// f6E2M3FN (OCP FP6): sign (bit 5), 2 exponent bits (bias 1), 3 mantissa
/// bits; every code finite: multiples of 0.125 up to 1, then up to 7.5.
double decodeE2M3(uint32_t code);

/// !lowp.float<e3m0, finite>: sign and 3 exponent bits (bias 3), no
/// mantissa; exponent field 0 is zero, field e > 0 is 2^(e - 3), so the
/// magnitudes are 0 and 0.25 .. 16 in powers of two.
double decodeE3M0(uint32_t code);

/// !lowp.codebook<nf4>: QLoRA's 16 NormalFloat values.
double decodeNF4(uint32_t code);

/// f8E4M3FN: sign, 4 exponent bits (bias 7), 3 mantissa bits; no inf,
/// S.1111.111 is NaN, max 448.
double decodeE4M3(uint32_t code);

/// f8E8M0FNU: 2^(code - 127); 0xFF is NaN.
double decodeE8M0(uint32_t code);

/// IEEE binary16 from its code.
double decodeF16(uint32_t code);

/// bfloat16 from its code (the top half of an f32's bit pattern).
double decodeBF16(uint32_t code);

/// f32 from its bit pattern (f32 scales are stored as such).
double decodeF32Bits(uint32_t code);

/// An unsigned integer code read as its value (ui4 elements and zero
/// points).
double decodeUnsigned(uint32_t code);
/// An int4 code (two's complement) in OCP MX's fixed point with one
/// integer bit: its value times 2^-2, -2 .. 1.75.
double decodeMxInt4(uint32_t code);

/// Rounds `value` to the nearest value of a format with `codeCount` codes
/// whose top code bit is the sign, ties to the even code, keeping the sign
/// of zero, and clamping to the largest finite magnitude: what lowp.convert
/// (to nearest even) and lowp.quantize's saturating element rounding give
/// for finite inputs that do not overflow. Brute force: for spot checks.
uint32_t encodeNearestEven(double value, DecodeFn decode, uint32_t codeCount);

/// f8E8M0FNU to nearest, ties to the even code (docs/Numerics.md: both
/// neighbours have significand 1, the even exponent field wins): 0 and
/// magnitudes below 2^-127 give 0x00 (E8M0 has no zero), negative inputs,
/// NaN and values that round past 2^127 give NaN (0xFF).
uint32_t encodeE8M0NearestEven(double value);

/// IEEE binary16 to nearest even, subnormals kept, overflow to inf (not
/// saturating), NaN to 0x7E00: computed directly (scaled to units of the
/// last place and rounded with nearbyint), not by a search.
uint32_t encodeF16NearestEven(double value);

/// bfloat16 to nearest even from an f32's bit pattern (the carry trick),
/// overflow to inf, NaN to 0x7FC0.
uint32_t encodeBF16NearestEven(float value);

/// Fills `bytes` bytes with random f8E4M3FN codes, none of them NaN.
void fillE4M3Codes(void *data, size_t bytes, Random &random);

/// Fills `bytes` bytes with random 16-bit codes of an IEEE-like format
/// with `mantissaBits` mantissa bits (f16: 10, bf16: 7), none of them NaN
/// (infinities kept).
void fillIeee16Codes(void *data, size_t bytes, int mantissaBits,
                     Random &random);

} // namespace lowp_bench

#endif // LOWP_BENCH_FORMATS_H
