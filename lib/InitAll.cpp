//===- InitAll.cpp - Everything lowp's tools register ---------------------===//

#include "lowp/InitAll.h"
#include "lowp/Dialect/Lowp/IR/LowpDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"

void lowp::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<lowp::LowpDialect, mlir::func::FuncDialect>();
}
