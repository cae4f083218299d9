//===- InitAll.h - Everything lowp's tools register -------------*- C++ -*-===//

#ifndef LOWP_INITALL_H
#define LOWP_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace lowp {
/// The lowp dialect and the few upstream dialects its tests and pipelines
/// use. Tools register only this, not every upstream dialect.
void registerAllDialects(mlir::DialectRegistry &registry);

/// lowp's passes and pipelines, and the generic upstream passes
/// (canonicalize, cse, ...) that tests and pipelines name.
void registerAllPasses();
} // namespace lowp

#endif // LOWP_INITALL_H
