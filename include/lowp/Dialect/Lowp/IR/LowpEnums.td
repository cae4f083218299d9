//===- LowpEnums.td - lowp enums ---------------------------*- tablegen -*-===//

#ifndef LOWP_DIALECT_LOWP_IR_LOWPENUMS_TD
#define LOWP_DIALECT_LOWP_IR_LOWPENUMS_TD

include "mlir/IR/EnumAttr.td"

// The modes of docs/Numerics.md, "Rounding", spelled as arith spells its
// RoundingMode (plus stochastic), so that IR reads the same in both.
def Lowp_Rounding : I32EnumAttr<"Rounding", "rounding mode", [
    I32EnumAttrCase<"to_nearest_even", 0>,
    I32EnumAttrCase<"to_nearest_away", 1>,
    I32EnumAttrCase<"toward_zero", 2>,
    I32EnumAttrCase<"upward", 3>,
    I32EnumAttrCase<"downward", 4>,
    I32EnumAttrCase<"stochastic", 5>
  ]> {
  let cppNamespace = "::lowp";
}

#endif // LOWP_DIALECT_LOWP_IR_LOWPENUMS_TD
