//===- IrFuzzer.cpp - libFuzzer target: parse, verify, compile ------------===//
//
// Each input is MLIR text. What parses and verifies goes through
// lowp-cpu-pipeline down to the LLVM dialect. Diagnostics are expected;
// a crash, a sanitizer report, a hang or a pass that fails without a
// diagnostic is a finding (docs/Fuzzing.md).
//
//===----------------------------------------------------------------------===//

#include "lowp/InitAll.h"
#include "lowp/Pipelines/Pipelines.h"
#include "lowp/Support/ParserGuard.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <cstdio>
#include <cstdlib>

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static MLIRContext *context = [] {
    DialectRegistry registry;
    lowp::registerAllDialects(registry);
    auto *created = new MLIRContext(registry, MLIRContext::Threading::DISABLED);
    created->loadAllAvailableDialects();
    return created;
  }();
  bool diagnosed = false;
  ScopedDiagnosticHandler quiet(context, [&](Diagnostic &diag) {
    diagnosed |= diag.getSeverity() == DiagnosticSeverity::Error;
    return success();
  });
  std::string text(reinterpret_cast<const char *>(data), size);
  // What the tools refuse before parsing (lowp/Support/ParserGuard.h).
  if (lowp::findParserHazard(text))
    return 0;
  ParserConfig config(context);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, config);
  if (!module || failed(verify(*module)))
    return 0;
  PassManager pm(context);
  lowp::CpuPipelineOptions options;
  lowp::buildCpuPipeline(pm, options);
  // A pipeline that fails must say why: a failure without an error
  // diagnostic is what a user would see as a silent exit 1.
  if (failed(pm.run(*module)) && !diagnosed) {
    std::fprintf(stderr, "lowp-cpu-pipeline failed without a diagnostic\n");
    std::abort();
  }
  return 0;
}
