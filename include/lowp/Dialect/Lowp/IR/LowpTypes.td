//===- LowpTypes.td - lowp number format types -------------*- tablegen -*-===//

#ifndef LOWP_DIALECT_LOWP_IR_LOWPTYPES_TD
#define LOWP_DIALECT_LOWP_IR_LOWPTYPES_TD

include "lowp/Dialect/Lowp/IR/LowpBase.td"
include "lowp/Dialect/Lowp/IR/LowpInterfaces.td"

class Lowp_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<Lowp_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def Lowp_MinifloatType : Lowp_Type<"Minifloat", "float",
    [DeclareTypeInterfaceMethods<Lowp_NumericFormatTypeInterface>]> {
  let summary = "A parametric minifloat: sign, exponent, mantissa, bias, specials";
  let description = [{
    A binary floating-point format with `E` exponent bits (1..8), `M` stored
    mantissa bits (0..23), an exponent bias (default 2^(E-1) - 1), an
    optional sign bit and a special-value family:

    | family   | meaning |
    |----------|---------|
    | `ieee`   | (default) inf and NaNs in the all-ones exponent |
    | `fn`     | no inf; the all-ones code is NaN (like f8E4M3FN) |
    | `fnuz`   | no inf, no -0; the sign-only code is NaN (needs a sign) |
    | `finite` | every code is a number (like f4E2M1FN) |
    | `e8m0`   | no zero, no subnormals, all-ones is NaN (unsigned only) |

    A value with exponent field e > 0 is (1 + f/2^M) * 2^(e - bias); field 0
    holds subnormals f/2^M * 2^(1 - bias), except in the `e8m0` family. Use
    a builtin type where one exists (f8E4M3FN, f6E3M2FN, ...); this type is
    for the rest.

    It is not an MLIR `FloatType`, so `arith` and `math` ops refuse it
    ("must be floating-point-like"): convert to a builtin float with
    `lowp.convert`, compute, and convert back (one rounding, in the mode
    you choose), or quantize and dequantize whole tensors.

    Examples:

    ```mlir
    !lowp.float<e3m3>                  // signed, bias 3, ieee
    !lowp.float<e2m2, finite>          // an FP5 with every code a number
    !lowp.float<e5m3, unsigned, fn>    // UE5M3
    !lowp.float<e4m3, bias = 9, fnuz>  // an FP8 with a shifted range
    ```

    A parameter set that a builtin type already spells (e4m3 with bias 7 and
    `fn` is f8E4M3FN) is rejected in favour of the builtin type, so that
    each format has one type and types compare equal when formats do.
  }];
  let parameters = (ins
    "unsigned":$exponentBits,
    "unsigned":$mantissaBits,
    "int":$bias,
    "bool":$isSigned,
    "::lowp::numerics::SpecialValues":$specials
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    ::lowp::numerics::FloatFormat getFloatFormat() const {
      return {getExponentBits(), getMantissaBits(), getBias(), getIsSigned(),
              getSpecials()};
    }
  }];
}

def Lowp_CodebookType : Lowp_Type<"Codebook", "codebook",
    [DeclareTypeInterfaceMethods<Lowp_NumericFormatTypeInterface>]> {
  let summary = "n-bit codes indexing a table of values";
  let description = [{
    Code i stands for the i-th value of the table. The table holds at most
    2^bits finite values; codes past its end are unused (they decode to NaN).
    Rounding into a codebook picks a neighbouring entry by the rounding mode
    (ties to the even code); values beyond the table clamp to its ends and
    NaN becomes the largest entry.

    `nf4` is the 16-value NormalFloat table of QLoRA (bitsandbytes).

    Codebook values are not MLIR floats either: `arith` and `math` refuse
    them, and `lowp.convert` to and from a builtin float is the way in and
    out.

    ```mlir
    !lowp.codebook<2, [-1.0, 0.0, 1.0]>   // ternary
    !lowp.codebook<nf4>
    ```
  }];
  let parameters = (ins
    "unsigned":$bits,
    "::mlir::DenseF64ArrayAttr":$values
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

#endif // LOWP_DIALECT_LOWP_IR_LOWPTYPES_TD
