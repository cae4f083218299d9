//===- LowpDialect.h - The lowp dialect -------------------------*- C++ -*-===//

#ifndef LOWP_DIALECT_LOWP_IR_LOWPDIALECT_H
#define LOWP_DIALECT_LOWP_IR_LOWPDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Dialect.h"

#include "lowp/Dialect/Lowp/IR/LowpDialect.h.inc"

#endif // LOWP_DIALECT_LOWP_IR_LOWPDIALECT_H
