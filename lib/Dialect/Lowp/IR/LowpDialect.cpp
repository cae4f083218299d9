//===- LowpDialect.cpp - The lowp dialect ---------------------------------===//

#include "lowp/Dialect/Lowp/IR/LowpDialect.h"
#include "lowp/Dialect/Lowp/IR/LowpTypes.h"

using namespace mlir;
using namespace lowp;

#include "lowp/Dialect/Lowp/IR/LowpDialect.cpp.inc"

void LowpDialect::initialize() {
  registerTypes();
  registerAttributes();
  // Builtin types answer "which format" only through lowp; attaching here
  // means that wherever lowp is loaded, every type can be asked.
  attachBuiltinNumericFormatModels(*getContext());
}
