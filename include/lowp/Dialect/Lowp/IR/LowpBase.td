//===- LowpBase.td - The lowp dialect ----------------------*- tablegen -*-===//

#ifndef LOWP_DIALECT_LOWP_IR_LOWPBASE_TD
#define LOWP_DIALECT_LOWP_IR_LOWPBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Lowp_Dialect : Dialect {
  let name = "lowp";
  let cppNamespace = "::lowp";
  let summary = "Tensor programs in arbitrary low-precision number formats";
  let description = [{
    The lowp dialect expresses the number formats MLIR lacks (parametric
    minifloats and codebooks), one interface that says which format any
    type is, builtin and lowp alike, and block scaling as a tensor encoding.
    The meaning of every code and every rounding is defined by the numerics
    core (lib/Numerics) and written down in docs/Numerics.md.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let hasConstantMaterializer = 1;
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerTypes();
    void registerAttributes();
  }];
}

#endif // LOWP_DIALECT_LOWP_IR_LOWPBASE_TD
