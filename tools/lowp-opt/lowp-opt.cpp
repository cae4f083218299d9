//===- lowp-opt.cpp - The lowp optimizer driver ---------------------------===//
//
// mlir-opt for lowp: parses, verifies, runs passes and pipelines, and prints.
// Registers only the dialects lowp uses. The output file is lowp-opt's own
// so that a failed write (a full disk, /dev/full) is an error message and
// exit status 1, not LLVM's fatal "IO failure" when the stream closes.
//
//===----------------------------------------------------------------------===//

#include "lowp/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::DialectRegistry registry;
  lowp::registerAllDialects(registry);
  lowp::registerAllPasses();
  auto [inputFile, outputFile] = mlir::registerAndParseCLIOptions(
      argc, argv, "lowp optimizer driver: low-precision tensor programs\n",
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
