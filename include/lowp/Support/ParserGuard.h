//===- ParserGuard.h - Inputs upstream MLIR's parser crashes on -*- C++ -*-===//
//
// MLIR 22's parsers of linalg.transpose, linalg.broadcast and linalg.reduce
// store the result of parsing their integer list (`permutation = [...]`,
// `dimensions = [...]`) without checking it: when the list does not parse,
// they have already reported the error and then dereference a null
// attribute. lowp cannot change those parsers, which live in libMLIR, so
// its tools look for such lists in the text before parsing it and report
// the first at its location instead of crashing (docs/Fuzzing.md).
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_SUPPORT_PARSERGUARD_H
#define LOWP_SUPPORT_PARSERGUARD_H

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <optional>
#include <string>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace lowp {

/// An integer list in MLIR text that upstream's parser would crash on.
struct ParserHazard {
  /// Offset in the text of the list's first character.
  size_t offset;
  std::string message;
};

/// Returns the first integer list in `text` that upstream MLIR 22's parser
/// would crash on, or nothing. Accepts every list that parser accepts and
/// whose values could name a dimension.
std::optional<ParserHazard> findParserHazard(llvm::StringRef text);

/// Reports the first hazard in the main buffer of `sourceMgr` as an error at
/// its location, the way MLIR's own parse errors are printed, and returns
/// true when there was one.
bool reportParserHazard(llvm::SourceMgr &sourceMgr);

} // namespace lowp

#endif // LOWP_SUPPORT_PARSERGUARD_H
