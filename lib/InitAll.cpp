//===- InitAll.cpp - Everything lowp's tools register ---------------------===//

#include "lowp/InitAll.h"
#include "lowp/Dialect/Lowp/IR/LowpDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

void lowp::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<lowp::LowpDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect, mlir::tensor::TensorDialect>();
}

void lowp::registerAllPasses() { mlir::registerTransformsPasses(); }
