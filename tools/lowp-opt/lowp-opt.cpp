//===- lowp-opt.cpp - The lowp optimizer driver ---------------------------===//
//
// mlir-opt for lowp: parses, verifies, runs passes and pipelines, and prints.
// Registers only the dialects lowp uses.
//
//===----------------------------------------------------------------------===//

#include "lowp/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  lowp::registerAllDialects(registry);
  lowp::registerAllPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "lowp optimizer driver: low-precision tensor programs\n",
      registry));
}
