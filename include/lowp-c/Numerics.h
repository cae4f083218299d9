/*===-- lowp-c/Numerics.h - The numerics core on arrays -----------*- C -*-===*\
|*                                                                            *|
|* Formats by their MLIR spelling ("f8E4M3FN", "!lowp.float<e3m3>",          *|
|* "!lowp.codebook<nf4>", "i4"), what they hold (finfo), and conversion of   *|
|* whole arrays: encode (round into codes), decode, round (both in one       *|
|* pass), under every rounding mode, stochastic rounding with one random      *|
|* number per element, and block quantization. Exactly the bits of           *|
|* docs/Numerics.md's policy, on every core.                                  *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef LOWP_C_NUMERICS_H
#define LOWP_C_NUMERICS_H

#include "lowp-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

/// A number format; independent of the context it was parsed in once made.
typedef struct LowpFormat {
  void *ptr;
} LowpFormat;

typedef enum LowpRoundingMode {
  LowpRoundingNearestEven = 0,
  LowpRoundingNearestAway = 1,
  LowpRoundingTowardZero = 2,
  LowpRoundingUpward = 3,
  LowpRoundingDownward = 4,
  /// Round away from zero iff floor(fraction * 2^k) + r >= 2^k for the
  /// element's k-bit random number r (PTX cvt.rs).
  LowpRoundingStochastic = 5,
} LowpRoundingMode;

typedef struct LowpRounding {
  LowpRoundingMode mode;
  /// Out-of-range values become the largest finite value of their sign.
  bool saturate;
  /// k of stochastic rounding, 1..32.
  unsigned randomBitCount;
} LowpRounding;

/// To nearest even, not saturating, 32 random bits.
LOWP_CAPI_EXPORTED LowpRounding lowpRoundingGetDefault(void);
/// The mode named as in IR ("to_nearest_even", ..., "stochastic").
LOWP_CAPI_EXPORTED LowpStatus lowpRoundingModeFromName(LowpStringRef name,
                                                       LowpRoundingMode *mode);

LOWP_CAPI_EXPORTED LowpStatus lowpFormatParse(LowpContext context,
                                              LowpStringRef text,
                                              LowpFormat *format);
LOWP_CAPI_EXPORTED void lowpFormatDestroy(LowpFormat format);

/// Bits per code, and bytes per code in the arrays below (1, 2 or 4: the
/// smallest unsigned integer that holds a code).
LOWP_CAPI_EXPORTED unsigned lowpFormatGetBitWidth(LowpFormat format);
LOWP_CAPI_EXPORTED unsigned lowpFormatGetCodeBytes(LowpFormat format);

/// What numpy's finfo tells, for any format.
typedef struct LowpFormatInfo {
  unsigned bits;
  /// Largest finite value, its negation or (unsigned) the smallest value.
  double max, min;
  /// Smallest positive normal value (integers and codebooks: smallest
  /// positive value), smallest positive value.
  double smallestNormal, smallestSubnormal;
  /// Distance from 1 to the next value (minifloats, posits, HiFloat8; 0
  /// otherwise).
  double eps;
  /// Largest binade exponent, and the smallest normal one (minifloats,
  /// HiFloat8; the smallest binade for posits).
  int maxExponent, minExponent;
  /// Stored exponent and mantissa bits and bias (minifloats; a posit's es
  /// in exponentBits; a logarithmic format's integer and fraction bits;
  /// 0 otherwise).
  unsigned exponentBits, mantissaBits;
  int bias;
  bool isSigned, hasInfinity, hasNaN, hasNegativeZero;
  /// "float", "integer", "codebook", "posit", "hifloat8" or "logarithmic";
  /// "ieee", "fn", "fnuz", "finite", "e8m0" for minifloats, else "". Static
  /// strings.
  const char *kind, *specialValues;
} LowpFormatInfo;

LOWP_CAPI_EXPORTED LowpFormatInfo lowpFormatGetInfo(LowpFormat format);

/// The exact value of one code (NaN for NaN codes and unused codebook
/// codes).
LOWP_CAPI_EXPORTED double lowpFormatDecodeOne(LowpFormat format, uint32_t code);

/// Rounds `count` values into codes (lowpFormatGetCodeBytes bytes each).
/// `randomBits` holds one number per value for stochastic rounding and
/// must be null otherwise. `threads` 0 uses every core.
LOWP_CAPI_EXPORTED LowpStatus lowpFormatEncodeF32(
    LowpFormat format, LowpRounding rounding, const float *values,
    int64_t count, const uint64_t *randomBits, void *codes, unsigned threads);
LOWP_CAPI_EXPORTED LowpStatus lowpFormatEncodeF64(
    LowpFormat format, LowpRounding rounding, const double *values,
    int64_t count, const uint64_t *randomBits, void *codes, unsigned threads);
/// The values of `count` codes; a code wider than the format is an error
/// naming its index.
LOWP_CAPI_EXPORTED LowpStatus lowpFormatDecodeF32(LowpFormat format,
                                                  const void *codes,
                                                  int64_t count, float *values,
                                                  unsigned threads);
LOWP_CAPI_EXPORTED LowpStatus lowpFormatDecodeF64(LowpFormat format,
                                                  const void *codes,
                                                  int64_t count, double *values,
                                                  unsigned threads);
/// decode(encode(values)) in one pass.
LOWP_CAPI_EXPORTED LowpStatus lowpFormatRoundF32(
    LowpFormat format, LowpRounding rounding, const float *values,
    int64_t count, const uint64_t *randomBits, float *rounded,
    unsigned threads);
LOWP_CAPI_EXPORTED LowpStatus lowpFormatRoundF64(
    LowpFormat format, LowpRounding rounding, const double *values,
    int64_t count, const uint64_t *randomBits, double *rounded,
    unsigned threads);

/// A block-scaled encoding over an element format, for tensors of one rank.
typedef struct LowpBlockEncoding {
  void *ptr;
} LowpBlockEncoding;

/// `text` is a preset (mxfp4, mxfp6_e2m3, mxfp6_e3m2, mxfp8_e4m3,
/// mxfp8_e5m2, mxint8, nvfp4, int4_g128, nf4), "ELEMENT,
/// #lowp.block_scaled<...>", or the encoding alone with `elementType`
/// naming the element format (else empty). One-dimensional blocks run
/// along `axis` (negative: from the end; -1 keeps the block as written).
LOWP_CAPI_EXPORTED LowpStatus lowpBlockEncodingParse(
    LowpContext context, LowpStringRef text, LowpStringRef elementType,
    unsigned rank, int axis, LowpBlockEncoding *encoding);
LOWP_CAPI_EXPORTED void lowpBlockEncodingDestroy(LowpBlockEncoding encoding);

/// The formats of the parts: elements, scales, and the tensor scale and
/// zero points (null handles when the encoding has none). Owned by the
/// encoding.
LOWP_CAPI_EXPORTED LowpFormat
lowpBlockEncodingGetElementFormat(LowpBlockEncoding encoding);
LOWP_CAPI_EXPORTED LowpFormat
lowpBlockEncodingGetScaleFormat(LowpBlockEncoding encoding);
LOWP_CAPI_EXPORTED LowpFormat
lowpBlockEncodingGetTensorScaleFormat(LowpBlockEncoding encoding);
LOWP_CAPI_EXPORTED LowpFormat
lowpBlockEncodingGetZeroPointFormat(LowpBlockEncoding encoding);

/// The block sizes of each of the rank dimensions, into `block` (rank
/// entries).
/// The format of a block's selector (ui1, ui2, ...) for an encoding with
/// per-group format choice (`choices = [...]`); null without.
LOWP_CAPI_EXPORTED LowpFormat
lowpBlockEncodingGetSelectorFormat(LowpBlockEncoding encoding);
LOWP_CAPI_EXPORTED void lowpBlockEncodingGetBlock(LowpBlockEncoding encoding,
                                                  int64_t *block);
/// The tensor type's spelling ("tensor<64x64xf4E2M1FN,
/// #lowp.block_scaled<mx>>") for `shape`, through `callback`.
LOWP_CAPI_EXPORTED void
lowpBlockEncodingPrintTensorType(LowpBlockEncoding encoding,
                                 const int64_t *shape,
                                 LowpStringCallback callback, void *userData);

/// Quantizes a row-major tensor of `shape` (the encoding's rank). Writes
/// element codes (one uint32_t per element), scale codes (one per block,
/// row-major over the scale shape: each dimension divided by its block),
/// zero point codes (one per block, when the encoding has them, else
/// ignored and may be null) and the tensor scale's code (may be null
/// without one). `randomBits`: one per element for stochastic rounding of
/// the elements, else null.
LOWP_CAPI_EXPORTED LowpStatus lowpBlockEncodingQuantizeF32(
    LowpBlockEncoding encoding, const int64_t *shape, const float *values,
    LowpRounding rounding, const uint64_t *randomBits, uint32_t *elements,
    uint32_t *scales, uint32_t *zeroPoints, uint32_t *tensorScale);
/// The logical values of a quantized tensor (the parts as above).
LOWP_CAPI_EXPORTED LowpStatus lowpBlockEncodingDequantizeF32(
    LowpBlockEncoding encoding, const int64_t *shape, const uint32_t *elements,
    const uint32_t *scales, const uint32_t *zeroPoints, uint32_t tensorScale,
    float *values);
/// The two calls above for an encoding with choices (which has no zero
/// points or tensor scale), whose blocks also have a selector: one
/// uint32_t per block, row-major over the scale shape, the index of the
/// block's element format among the choices. The calls above refuse such
/// encodings, and these the others.
LOWP_CAPI_EXPORTED LowpStatus lowpBlockEncodingQuantizeWithSelectorsF32(
    LowpBlockEncoding encoding, const int64_t *shape, const float *values,
    LowpRounding rounding, const uint64_t *randomBits, uint32_t *elements,
    uint32_t *scales, uint32_t *selectors);
LOWP_CAPI_EXPORTED LowpStatus lowpBlockEncodingDequantizeWithSelectorsF32(
    LowpBlockEncoding encoding, const int64_t *shape, const uint32_t *elements,
    const uint32_t *scales, const uint32_t *selectors, float *values);

#ifdef __cplusplus
}
#endif

#endif // LOWP_C_NUMERICS_H
