//===- LowpDialect.cpp - The lowp dialect ---------------------------------===//

#include "lowp/Dialect/Lowp/IR/LowpDialect.h"
#include "lowp/Dialect/Lowp/IR/LowpOps.h"
#include "lowp/Dialect/Lowp/IR/LowpTypes.h"

using namespace mlir;
using namespace lowp;

#include "lowp/Dialect/Lowp/IR/LowpDialect.cpp.inc"

void LowpDialect::initialize() {
  registerTypes();
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "lowp/Dialect/Lowp/IR/LowpOps.cpp.inc"
      >();
  // Builtin types answer "which format" only through lowp; attaching here
  // means that wherever lowp is loaded, every type can be asked.
  attachBuiltinNumericFormatModels(*getContext());
  // arith and math reject !lowp.float and codebook types in their own
  // verifiers ("must be floating-point-like"), which cannot know about
  // lowp: add what to write instead, and let the diagnostic go on to the
  // tool's handler.
  getContext()->getDiagEngine().registerHandler(
      [](Diagnostic &diag) {
        if (diag.getSeverity() != DiagnosticSeverity::Error)
          return failure();
        std::string message = diag.str();
        StringRef text(message);
        if (text.contains("!lowp.") && text.contains("must be floating-point"))
          diag.attachNote()
              << "arith and math take MLIR's builtin float types; convert "
                 "!lowp.float and codebook values with lowp.convert (to f32, "
                 "say), compute, and convert the result back";
        return failure();
      });
}

Operation *LowpDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || typed.getType() != type)
    return nullptr;
  return arith::ConstantOp::create(builder, loc, typed);
}
