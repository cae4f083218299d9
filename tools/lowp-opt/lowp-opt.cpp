//===- lowp-opt.cpp - The lowp optimizer driver ---------------------------===//
//
// mlir-opt for lowp: parses, verifies, runs passes and pipelines, and prints.
// Registers only the dialects lowp uses. The output file is lowp-opt's own
// so that a failed write (a full disk, /dev/full) is an error message and
// exit status 1, not LLVM's fatal "IO failure" when the stream closes.
//
//===----------------------------------------------------------------------===//

#include "lowp/InitAll.h"
#include "lowp/Support/ParserGuard.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

/// Hides the options LLVM's libraries register for themselves (backends,
/// optimizers: some 600 lines) from --help, so that it shows MLIR's and
/// lowp's: every option registered before this runs is LLVM's, and
/// --help-hidden still lists them all.
static void hideLibraryOptions() {
  for (auto &[name, option] : llvm::cl::getRegisteredOptions()) {
    if (name == "help" || name == "help-list" || name == "version" ||
        name == "color")
      continue;
    if (option->getOptionHiddenFlag() == llvm::cl::NotHidden)
      option->setHiddenFlag(llvm::cl::Hidden);
  }
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  hideLibraryOptions();
  mlir::DialectRegistry registry;
  lowp::registerAllDialects(registry);
  lowp::registerAllPasses();
  auto [inputFile, outputFile] = mlir::registerAndParseCLIOptions(
      argc, argv,
      "lowp optimizer driver: low-precision tensor programs\n\n"
      "Parses a file of MLIR, verifies it, runs the passes and pipelines named "
      "on the command line in order, and prints the result. lowp's own:\n"
      "  --lowp-cpu-pipeline             everything, down to the LLVM "
      "dialect for this CPU\n"
      "  --lowp-propagate-scales         keep block-scaled operands encoded "
      "up to their uses\n"
      "  --lowp-assign-layouts           store weights in the order their "
      "kernel reads fastest\n"
      "  --lowp-pack-boundaries          public functions take packed, plain "
      "parts\n"
      "  --lowp-legalize-arith           arith and math on low-precision "
      "floats in f64\n"
      "  --lowp-vectorize                the vector kernels (matmul, "
      "quantize, conversions)\n"
      "  --convert-lowp-to-linalg        every other lowp op, on storage "
      "types\n"
      "  --lowp-parallelize-elementwise  large elementwise loops across the "
      "cores\n"
      "  --convert-lowp-to-llvm          the kernels' vector ops to AVX-512 "
      "or portable code\n"
      "The options of each are listed under Passes below; docs/Tools.md has "
      "examples. LLVM's own options are under --help-hidden.\n",
      registry);
  mlir::MlirOptMainConfig config =
      mlir::MlirOptMainConfig::createFromCLOptions();
  // Listing dialects or passes reads no input: upstream's driver does it.
  if (config.shouldShowDialects() || config.shouldListPasses())
    return mlir::asMainReturnCode(
        mlir::MlirOptMain(argc, argv, inputFile, outputFile, registry));

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      mlir::openInputFile(inputFile, &error);
  if (!input) {
    llvm::errs() << "lowp-opt: " << error << "\n";
    return 1;
  }
  {
    llvm::SourceMgr guard;
    guard.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBuffer(input->getMemBufferRef(), false),
        llvm::SMLoc());
    if (lowp::reportParserHazard(guard))
      return 1;
  }
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(outputFile, &error);
  if (!output) {
    llvm::errs() << "lowp-opt: " << error << "\n";
    return 1;
  }
  if (mlir::failed(
          mlir::MlirOptMain(output->os(), std::move(input), registry, config)))
    return 1;
  output->os().flush();
  if (std::error_code failure = output->os().error()) {
    llvm::errs() << "lowp-opt: cannot write '" << outputFile
                 << "': " << failure.message() << "\n";
    output->os().clear_error();
    return 1;
  }
  output->keep();
  return 0;
}
