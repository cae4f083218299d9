//===- ElementCodegen.h - The numerics core as scalar arith code -*- C++
//-*-===//
//
// Emits, for one element, arith/math code that computes exactly what
// lib/Numerics computes: the value of a code (decode) and the code of a value
// under a rounding mode, saturation, random bits and a sticky direction
// (encode). The format is a compile-time constant; the code is branch-free
// (selects only), so it vectorizes. General code works in i64 and f64;
// conversions from and to f32 have 32-bit-lane versions (ElementCodegenF32
// .cpp) that vectorize twice as wide. Generated code and the numerics core
// are checked against each other on every code and every rounding class by
// the integration tests in test/Integration.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_LIB_CONVERSION_LOWPTOLINALG_ELEMENTCODEGEN_H
#define LOWP_LIB_CONVERSION_LOWPTOLINALG_ELEMENTCODEGEN_H

#include "lowp/Conversion/LowpToLinalg/StorageTypes.h"
#include "lowp/Dialect/Lowp/IR/LowpOps.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace lowp {

class ElementCodegen {
public:
  explicit ElementCodegen(mlir::ImplicitLocOpBuilder &builder) : b(builder) {}

  /// The code held in `stored` (a value of the storage type), as i64.
  mlir::Value loadCode(mlir::Value stored);
  /// An i64 code as a value of `storageType`.
  mlir::Value storeCode(mlir::Value code, mlir::Type storageType);

  /// The exact value of an i64 `code` of `format`, as f64. Codebooks read
  /// `table`, a tensor<Nxf64> of their values.
  mlir::Value decode(const ValueFormat &format, mlir::Value code,
                     mlir::Value table = {});
  /// decode(), and in `sticky` (an i64 -1, 0 or +1) the side of the value
  /// the exact one lies on: nonzero only for logarithmic formats, whose
  /// values are irrational. encode(..., sticky) of the pair rounds the
  /// exact value.
  mlir::Value decode(const ValueFormat &format, mlir::Value code,
                     mlir::Value table, mlir::Value &sticky);

  /// The i64 code of the real number x + sticky * epsilon (x an f64; sticky
  /// an i64 in {-1, 0, 1}, or null for 0) rounded into `format`. `random`
  /// (i64, or null) holds the random bits of stochastic rounding.
  mlir::Value encode(const ValueFormat &format, mlir::Value x,
                     const numerics::RoundingOptions &options,
                     mlir::Value random = {}, mlir::Value sticky = {});

  /// The i64 code of the exact quotient numerator / denominator (both f64,
  /// the denominator positive and finite) rounded into `format`: the double
  /// quotient plus the side its fma remainder says the real one lies on.
  mlir::Value encodeQuotient(const ValueFormat &format, mlir::Value numerator,
                             mlir::Value denominator,
                             const numerics::RoundingOptions &options,
                             mlir::Value random = {});

  // Small helpers over i64 and f64, public for the lowering patterns.
  mlir::Value i64(int64_t value);
  mlir::Value f64(double value);
  mlir::Value select(mlir::Value condition, mlir::Value a, mlir::Value b);
  /// floor(log2 |x|) of a finite nonzero f64, as i64.
  mlir::Value floorLog2(mlir::Value x);
  /// 2^e as f64 for an i64 e in the normal double range.
  mlir::Value exp2(mlir::Value e);

  //===--------------------------------------------------------------------===//
  // f32 element code in 32-bit lanes (ElementCodegenF32.cpp)
  //===--------------------------------------------------------------------===//
  //
  // Rounding an f32 into a format of at most 21 mantissa bits needs only
  // the f32's 32 bits, and every value of most formats up to 16 bits is an
  // f32: these functions work in i32 and f32 arithmetic, so that a loop of
  // them vectorizes 16 lanes to a 512-bit register. They are
  // shape-polymorphic: `x`, `code` and `stored` may be scalars or vectors
  // (or tensors) of their element type, and every constant is splat to that
  // shape, as upstream's arith-expand-ops builds its constants.

  /// Whether encodeF32 rounds an f32 into `format` by `options`: minifloats
  /// of at most 21 mantissa bits and bias in -126..254, and integers, in
  /// every deterministic mode, saturating or not (not stochastic rounding).
  static bool canEncodeF32(const numerics::Format &format,
                           const numerics::RoundingOptions &options);
  /// Whether decodeToF32 decodes `format` exactly: minifloats whose values
  /// are all f32s (and whose codes the emitted arithmetic reproduces), and
  /// integers of at most 24 bits.
  static bool canDecodeToF32(const numerics::Format &format);
  /// Whether `format` is f32 itself.
  static bool isF32(const ValueFormat &format);
  /// Whether convert() goes through f32 lanes rather than f64.
  static bool convertsThroughF32(const ValueFormat &from, const ValueFormat &to,
                                 const numerics::RoundingOptions &options,
                                 bool hasRandom);

  /// The i32 code of the f32 `x` rounded into `format` (as encode() would
  /// give for the same value; canEncodeF32 must hold).
  mlir::Value encodeF32(const numerics::Format &format, mlir::Value x,
                        const numerics::RoundingOptions &options);
  /// The f32 value of an i32 `code` of `format` (canDecodeToF32 must hold).
  mlir::Value decodeToF32(const numerics::Format &format, mlir::Value code);
  /// The code held in `stored` (a value of the storage type) as i32.
  mlir::Value loadCode32(mlir::Value stored);
  /// An i32 code as a value of the storage element type `storageType`.
  mlir::Value storeCode32(mlir::Value code, mlir::Type storageType);

  /// `stored`, an element of `from` in its storage, converted to `to` and
  /// returned in `to`'s storage type `storage`: through f32 lanes when
  /// convertsThroughF32 says so, through decode() and encode() in f64
  /// otherwise (only scalars there). `random` holds the random bits of
  /// stochastic rounding, `table` a codebook source's values.
  mlir::Value convert(const ValueFormat &from, const ValueFormat &to,
                      mlir::Value stored, mlir::Type storage,
                      const numerics::RoundingOptions &options,
                      mlir::Value random = {}, mlir::Value table = {});

private:
  mlir::Value encodeFloat(const numerics::Format &format, mlir::Value x,
                          const numerics::RoundingOptions &options,
                          mlir::Value random, mlir::Value sticky);
  mlir::Value encodeInteger(const numerics::Format &format, mlir::Value x,
                            const numerics::RoundingOptions &options,
                            mlir::Value random, mlir::Value sticky);
  mlir::Value encodeCodebook(const numerics::Format &format, mlir::Value x,
                             const numerics::RoundingOptions &options,
                             mlir::Value sticky);
  mlir::Value encodePosit(const numerics::Format &format, mlir::Value x,
                          const numerics::RoundingOptions &options,
                          mlir::Value random, mlir::Value sticky);
  mlir::Value encodeHiFloat8(mlir::Value x,
                             const numerics::RoundingOptions &options,
                             mlir::Value random, mlir::Value sticky);
  mlir::Value decodePosit(const numerics::Format &format, mlir::Value code);
  mlir::Value decodeHiFloat8(mlir::Value code);
  mlir::Value encodeLogarithmic(const numerics::Format &format, mlir::Value x,
                                const numerics::RoundingOptions &options,
                                mlir::Value sticky);
  mlir::Value decodeLogarithmic(const numerics::Format &format,
                                mlir::Value code, mlir::Value *sticky);
  /// A constant 1-D tensor of `values` (f64 or i64).
  mlir::Value constantTable(llvm::ArrayRef<double> values);
  mlir::Value constantTable(llvm::ArrayRef<int64_t> values);
  /// table[clamp(index, 0, size - 1)] for a 1-D constant table.
  mlir::Value lookup(mlir::Value table, mlir::Value index);
  /// HiFloat8's magnitude code of 2^e for an i64 e in -22..15.
  mlir::Value hiFloat8PowerCode(mlir::Value e);

  mlir::ImplicitLocOpBuilder &b;
};

} // namespace lowp

#endif // LOWP_LIB_CONVERSION_LOWPTOLINALG_ELEMENTCODEGEN_H
