//===- Embedding.cpp - What the C API and Python share --------------------===//

#include "lowp/ExecutionEngine/Embedding.h"

#include "lowp/Dialect/Lowp/IR/LowpOps.h"
#include "lowp/InitAll.h"
#include "lowp/Support/ParserGuard.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace lowp;

namespace {
llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::string printLocation(Location location) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (auto file = dyn_cast<FileLineColLoc>(location))
    os << file.getFilename().getValue() << ":" << file.getLine() << ":"
       << file.getColumn();
  else
    location.print(os);
  return text;
}

const char *severityName(DiagnosticSeverity severity) {
  switch (severity) {
  case DiagnosticSeverity::Error:
    return "error";
  case DiagnosticSeverity::Warning:
    return "warning";
  case DiagnosticSeverity::Note:
    return "note";
  case DiagnosticSeverity::Remark:
    return "remark";
  }
  return "error";
}
} // namespace

std::unique_ptr<MLIRContext> lowp::createEmbeddingContext() {
  DialectRegistry registry;
  registerAllDialects(registry);
  auto context =
      std::make_unique<MLIRContext>(registry, MLIRContext::Threading::DISABLED);
  context->loadAllAvailableDialects();
  // A diagnostic would otherwise carry the whole operation it is on as a
  // note: for an error on a module, every weight of a model.
  context->printOpOnDiagnostic(false);
  return context;
}

DiagnosticCollector::DiagnosticCollector(MLIRContext &context)
    : context(context) {
  handler = context.getDiagEngine().registerHandler([this](Diagnostic &diag) {
    auto add = [this](Diagnostic &one) {
      if (!collected.empty())
        collected += "\n";
      collected += printLocation(one.getLocation()) + ": " +
                   severityName(one.getSeverity()) + ": " + one.str();
    };
    add(diag);
    for (Diagnostic &note : diag.getNotes())
      add(note);
    return success();
  });
}

DiagnosticCollector::~DiagnosticCollector() {
  context.getDiagEngine().eraseHandler(handler);
}

std::string DiagnosticCollector::take() {
  std::string text = std::move(collected);
  collected.clear();
  return text;
}

llvm::Error lowp::makeErrorWithDiagnostics(const std::string &message,
                                           DiagnosticCollector &diagnostics) {
  std::string text = diagnostics.take();
  return makeError(text.empty() ? message : message + "\n" + text);
}

static llvm::Expected<OwningOpRef<ModuleOp>>
parseBuffer(MLIRContext &context, std::unique_ptr<llvm::MemoryBuffer> buffer) {
  DiagnosticCollector diagnostics(context);
  llvm::SourceMgr sourceMgr;
  std::string name = buffer->getBufferIdentifier().str();
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  // The parser hazards are reported through the SourceMgr's own handler,
  // which prints; read them here instead.
  if (std::optional<ParserHazard> hazard = findParserHazard(
          sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())->getBuffer())) {
    auto [line, column] =
        sourceMgr.getLineAndColumn(llvm::SMLoc::getFromPointer(
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
                ->getBufferStart() +
            hazard->offset));
    return makeError(name + ":" + llvm::Twine(line) + ":" +
                     llvm::Twine(column) + ": error: " + hazard->message);
  }
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return makeErrorWithDiagnostics("cannot parse " + name, diagnostics);
  if (failed(verify(*module)))
    return makeErrorWithDiagnostics(name + " does not verify", diagnostics);
  return std::move(module);
}

llvm::Expected<OwningOpRef<ModuleOp>>
lowp::parseModule(MLIRContext &context, llvm::StringRef source,
                  llvm::StringRef bufferName) {
  return parseBuffer(context,
                     llvm::MemoryBuffer::getMemBufferCopy(source, bufferName));
}

llvm::Expected<OwningOpRef<ModuleOp>>
lowp::parseModuleFile(MLIRContext &context, llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return makeError("cannot read '" + path +
                     "': " + buffer.getError().message());
  return parseBuffer(context, std::move(*buffer));
}

llvm::Expected<numerics::Format> lowp::parseFormat(MLIRContext &context,
                                                   llvm::StringRef text) {
  std::string error;
  std::optional<numerics::Format> format =
      parseNumericFormat(context, text.trim().str(), error);
  if (!format)
    return makeError(error);
  return *format;
}
