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

def Lowp_PositType : Lowp_Type<"Posit", "posit",
    [DeclareTypeInterfaceMethods<Lowp_NumericFormatTypeInterface>]> {
  let summary = "A posit of the 2022 Posit Standard: n bits, es exponent bits";
  let description = [{
    An `n`-bit posit (2..32) with `es` exponent bits (0..4): after the sign,
    a run of equal bits (the regime k), its terminating opposite bit, `es`
    exponent bits and the fraction, worth
    (-1)^s * 2^(k * 2^es + e) * (1 + f); a negative value is the two's
    complement of its magnitude's code. One zero (all zeros) and one NaR
    (the sign bit alone): no infinities, no negative zero.

    Rounding follows the standard: round to nearest with ties to the even
    bit pattern, where the midpoint between two neighbours is the (n+1)-bit
    posit between them (the geometric mean where exponent bits are cut
    off); a nonzero real never becomes zero and a finite one never NaR
    (values beyond maxpos give maxpos, values below minpos give minpos, in
    every mode). NaN becomes NaR; so do infinities unless the conversion
    saturates. The directed modes and stochastic rounding act on the bit
    pattern (docs/Numerics.md, "Posits").

    Posits are not MLIR floats: `lowp.convert` to and from a builtin float
    is the way in and out.

    ```mlir
    !lowp.posit<8, 0>    // posit8 of the 2017 draft
    !lowp.posit<16, 1>
    !lowp.posit<32, 2>   // the standard's posit32
    ```
  }];
  let parameters = (ins "unsigned":$width, "unsigned":$exponentBits);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def Lowp_HiFloat8Type : Lowp_Type<"HiFloat8", "hif8",
    [DeclareTypeInterfaceMethods<Lowp_NumericFormatTypeInterface>]> {
  let summary = "HiFloat8 (Ascend HiF8): an 8-bit float of tapered precision";
  let description = [{
    Sign, a prefix-coded dot field that gives the exponent's width (11: 4
    bits, 10: 3, 01: 2, 001: 1, 0001: 0, 0000: the denormal mode), a
    sign-magnitude exponent with an implicit leading 1, and 1, 2, 3, 3 or 3
    mantissa bits for widths 4, 3, 2, 1, 0. Normal values run from 2^-15 to
    2^15 with 3 mantissa bits near 1 and 1 at the ends; the denormal mode
    holds the powers of two 2^-16 .. 2^-22. One zero (0x00), NaN 0x80 (the
    negative-zero code), and +-inf at 0x6F / 0xEF, where 1.5 * 2^15 would
    be.

    Rounding is to the nearest value (linear midpoints) with the mode's tie
    rule: `to_nearest_away` is the paper's rounding, `to_nearest_even` ties
    to the even code. Values past 2^15 overflow like IEEE formats (to inf,
    or to 2^15 toward zero or when saturating); a negative value that
    rounds to zero is 0x00. See docs/Numerics.md, "HiFloat8".

    ```mlir
    %h = lowp.convert %x to_nearest_away : tensor<64xf32> to tensor<64x!lowp.hif8>
    ```
  }];
  let hasCustomAssemblyFormat = 1;
}

def Lowp_LogarithmicType : Lowp_Type<"Logarithmic", "lns",
    [DeclareTypeInterfaceMethods<Lowp_NumericFormatTypeInterface>]> {
  let summary = "A logarithmic number: sign and a fixed-point base-2 logarithm";
  let description = [{
    `!lowp.lns<I, F>`: a sign bit over an (I + F)-bit field holding the
    base-2 logarithm of the magnitude as a fixed-point number with I integer
    bits (1..8, the sign of the logarithm included) and F fraction bits
    (0..10), biased by 2^(I+F-1): field f is 2^((f - 2^(I+F-1)) / 2^F).
    Field 0 is zero, and with the sign bit NaN. At most 16 bits; no
    infinities, no negative zero.

    Multiplication is addition of the fields, so products of logarithmic
    numbers are exact (within the range). Conversion from any format rounds
    in the log domain: 2^F log2|x| to an integer by the mode (ties cannot
    happen); magnitudes beyond the largest saturate; below the smallest, 0
    and the smallest magnitude are chosen by value. Values are irrational:
    decoding gives the nearest double and on which side the exact value
    lies, so conversion to another format still rounds the exact value
    once. Stochastic rounding is refused. See docs/Numerics.md,
    "Logarithmic numbers".

    Only `lowp.convert` (and ops that move codes) take logarithmic tensors:
    convert to a float to compute.

    ```mlir
    !lowp.lns<4, 3>    // 8 bits: magnitudes 2^-7.875 .. 2^7.875, step 2^(1/8)
    !lowp.lns<5, 10>   // 16 bits
    ```
  }];
  let parameters = (ins "unsigned":$integerBits, "unsigned":$fractionBits);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

#endif // LOWP_DIALECT_LOWP_IR_LOWPTYPES_TD
