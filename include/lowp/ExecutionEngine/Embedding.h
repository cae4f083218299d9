//===- Embedding.h - What the C API and Python share ------------*- C++ -*-===//
//
// Programs that embed lowp (the C API, the Python package) work in an
// MLIRContext of their own, hand it MLIR text, and get every diagnostic
// back as a message rather than on stderr. These are the pieces both need
// on top of the execution library: the context, diagnostics as text,
// parsing modules and formats from the spellings users write (block
// encodings and the quantization presets are lowp/Dialect/Lowp/IR/
// Presets.h).
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_EXECUTIONENGINE_EMBEDDING_H
#define LOWP_EXECUTIONENGINE_EMBEDDING_H

#include "lowp/Dialect/Lowp/IR/Presets.h"
#include "lowp/Numerics/BlockScale.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace lowp {

/// An MLIRContext with every dialect lowp's tools accept, loaded, and
/// multi-threading off (embedders call from their own threads).
std::unique_ptr<mlir::MLIRContext> createEmbeddingContext();

/// Collects the diagnostics emitted in a context while it lives, each as
/// "LOCATION: error: MESSAGE" with its notes, instead of printing them.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(mlir::MLIRContext &context);
  ~DiagnosticCollector();
  /// Everything collected so far, one diagnostic per line; empty if none.
  std::string take();

private:
  mlir::MLIRContext &context;
  mlir::DiagnosticEngine::HandlerID handler;
  std::string collected;
};

/// `message`, followed by the collected diagnostics when there are any.
llvm::Error makeErrorWithDiagnostics(const std::string &message,
                                     DiagnosticCollector &diagnostics);

/// Parses and verifies `source`, MLIR text that `bufferName` names in
/// locations. Errors hold the parser's or verifier's diagnostics.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
parseModule(mlir::MLIRContext &context, llvm::StringRef source,
            llvm::StringRef bufferName = "<source>");
/// The same for a file.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
parseModuleFile(mlir::MLIRContext &context, llvm::StringRef path);

/// The number format an MLIR type spelling names ("f8E4M3FN",
/// "!lowp.float<e3m3>", "!lowp.codebook<nf4>", "i4").
llvm::Expected<numerics::Format> parseFormat(mlir::MLIRContext &context,
                                             llvm::StringRef text);

} // namespace lowp

#endif // LOWP_EXECUTIONENGINE_EMBEDDING_H
