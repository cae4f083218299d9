//===- LowpAttrs.h - lowp attributes ----------------------------*- C++ -*-===//

#ifndef LOWP_DIALECT_LOWP_IR_LOWPATTRS_H
#define LOWP_DIALECT_LOWP_IR_LOWPATTRS_H

#include "lowp/Numerics/BlockScale.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/TensorEncoding.h"

#define GET_ATTRDEF_CLASSES
#include "lowp/Dialect/Lowp/IR/LowpAttrs.h.inc"

#endif // LOWP_DIALECT_LOWP_IR_LOWPATTRS_H
