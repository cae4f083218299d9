//===- LowpInterfaces.td - Format interface ----------------*- tablegen -*-===//

#ifndef LOWP_DIALECT_LOWP_IR_LOWPINTERFACES_TD
#define LOWP_DIALECT_LOWP_IR_LOWPINTERFACES_TD

include "mlir/IR/OpBase.td"

def Lowp_NumericFormatTypeInterface : TypeInterface<"NumericFormatTypeInterface"> {
  let cppNamespace = "::lowp";
  let description = [{
    A type whose values are stored as codes of one number format. lowp's own
    types implement it directly; the builtin float types (f4E2M1FN ... f32)
    and integer types (iN, siN, uiN for N in 1..32) get it as an external
    model when the lowp dialect is loaded. The answer is the numerics core's
    Format, which defines every code's value and every rounding.
  }];
  let methods = [
    InterfaceMethod<
      /*desc=*/"The number format of this type's values, or nullopt where "
               "the type is outside what the numerics core supports "
               "(integers wider than 32 bits).",
      /*retTy=*/"std::optional<::lowp::numerics::Format>",
      /*methodName=*/"getNumericFormat">,
  ];
}

#endif // LOWP_DIALECT_LOWP_IR_LOWPINTERFACES_TD
