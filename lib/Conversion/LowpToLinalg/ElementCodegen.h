//===- ElementCodegen.h - The numerics core as scalar arith code -*- C++
//-*-===//
//
// Emits, for one element, arith/math code that computes exactly what
// lib/Numerics computes: the value of a code (decode) and the code of a value
// under a rounding mode, saturation, random bits and a sticky direction
// (encode). The format is a compile-time constant; the code is branch-free
// (selects only), so it vectorizes. Generated code and the numerics core are
// checked against each other on every code and every rounding class by the
// integration tests in test/Integration.
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

  mlir::ImplicitLocOpBuilder &b;
};

} // namespace lowp

#endif // LOWP_LIB_CONVERSION_LOWPTOLINALG_ELEMENTCODEGEN_H
