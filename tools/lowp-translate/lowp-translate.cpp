//===- lowp-translate.cpp - lowp to LLVM IR, objects and C headers --------===//
//
//   lowp-translate FILE.mlir [--emit=llvm|obj|header] [--cpu=NAME] [-O N] [-o
//   OUT]
//   lowp-translate FILE.mlir --target=cuda [--gpu-arch=sm_XX] --emit=ptx|obj
//
// Compiles a lowp module with lowp-cpu-pipeline for the host CPU (or --cpu)
// and writes optimized LLVM IR, a native object file, or the C header that
// declares the object's functions; or with lowp-cuda-pipeline for an NVIDIA
// GPU and writes its kernels' PTX, or the host code that launches them
// (their PTX embedded) as an object file.
//
//===----------------------------------------------------------------------===//

#include "lowp/Dialect/Lowp/Transforms/Passes.h"
#include "lowp/InitAll.h"
#include "lowp/Pipelines/Pipelines.h"
#include "lowp/Runtime/Boundary.h"
#include "lowp/Support/ParserGuard.h"
#include "lowp/Target/Cpu.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory toolCategory("lowp-translate options");

enum class Emit { LLVM, Object, Header, PTX };
enum class Target { CPU, CUDA };

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("FILE.mlir"),
                                      cl::init("-"), cl::cat(toolCategory));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("OUT"), cl::init("-"),
                                       cl::cat(toolCategory));
static cl::opt<Emit> emit(
    "emit", cl::desc("What to write"), cl::init(Emit::LLVM),
    cl::values(clEnumValN(Emit::LLVM, "llvm", "optimized LLVM IR (default)"),
               clEnumValN(Emit::Object, "obj", "a native object file"),
               clEnumValN(Emit::Header, "header",
                          "a C header declaring the object's functions"),
               clEnumValN(Emit::PTX, "ptx",
                          "the kernels' PTX (--target=cuda)")),
    cl::cat(toolCategory));
static cl::opt<Target>
    target("target", cl::desc("What to compile for"), cl::init(Target::CPU),
           cl::values(clEnumValN(Target::CPU, "cpu", "the host CPU (default)"),
                      clEnumValN(Target::CUDA, "cuda",
                                 "NVIDIA GPUs: PTX for --gpu-arch")),
           cl::cat(toolCategory));
static cl::opt<std::string>
    gpuArch("gpu-arch",
            cl::desc("The GPU to generate PTX for with --target=cuda: sm_80, "
                     "sm_89 (default), sm_90a or sm_100a"),
            cl::value_desc("sm_XX"), cl::init("sm_89"), cl::cat(toolCategory));
static cl::opt<std::string>
    cpu("cpu",
        cl::desc("LLVM CPU to compile for (default: this machine's "
                 "CPU and features)"),
        cl::value_desc("NAME"), cl::cat(toolCategory));
static cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimization level"),
                                  cl::Prefix, cl::init(2),
                                  cl::cat(toolCategory));

static int fail(const std::string &message) {
  llvm::errs() << "lowp-translate: error: " << message << "\n";
  return 1;
}

/// Keeps the output if everything reached it; a failed write (a full disk)
/// is an error, not LLVM's fatal "IO failure" when the stream closes.
static int keep(llvm::ToolOutputFile &output) {
  output.os().flush();
  if (std::error_code failure = output.os().error()) {
    llvm::errs() << "lowp-translate: cannot write '" << output.getFilename()
                 << "': " << failure.message() << "\n";
    output.os().clear_error();
    return 1;
  }
  output.keep();
  return 0;
}

/// --target=cuda: lowp-cuda-pipeline, then the PTX of the module's kernels
/// (--emit=ptx), or the host code with the PTX embedded as an object file
/// for a generic x86-64 CPU unless --cpu says otherwise (--emit=obj), which
/// lib/ExecutionEngine/lowp_cuda_runtime.c links with on a machine with a GPU.
static int writeCuda(ModuleOp module, MLIRContext *context) {
  PassManager pm(context);
  lowp::CudaPipelineOptions options;
  options.chip = gpuArch;
  lowp::buildCudaPipeline(pm, options);
  if (failed(pm.run(module)))
    return 1;
  if (emit == Emit::Object) {
    lowp::CpuTargetOptions target;
    target.cpu = cpu.empty() ? "x86-64" : cpu.getValue();
    target.optLevel = optLevel;
    std::string error;
    std::unique_ptr<llvm::TargetMachine> machine =
        lowp::createCpuTargetMachine(target, error);
    if (!machine)
      return fail(error);
    llvm::LLVMContext llvmContext;
    std::unique_ptr<llvm::Module> llvmModule =
        translateModuleToLLVMIR(module, llvmContext);
    if (!llvmModule)
      return fail("translation of the host code to LLVM IR failed");
    llvmModule->setTargetTriple(machine->getTargetTriple());
    llvmModule->setDataLayout(machine->createDataLayout());
    auto output = openOutputFile(outputFile, &error);
    if (!output)
      return fail(error);
    if (!lowp::emitObjectFile(*llvmModule, target, output->os(), error))
      return fail(error);
    return keep(*output);
  }
  std::string ptx;
  module.walk([&](gpu::BinaryOp binary) {
    for (Attribute object : binary.getObjectsAttr())
      if (auto gpuObject = dyn_cast<gpu::ObjectAttr>(object))
        ptx += gpuObject.getObject().getValue().str();
  });
  if (ptx.empty())
    return fail("the module has no kernels: no function does elementwise "
                "work on tensors");
  std::string error;
  auto output = openOutputFile(outputFile, &error);
  if (!output)
    return fail(error);
  output->os() << ptx;
  return keep(*output);
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(toolCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "lowp-translate: compile lowp IR to LLVM IR, an object file or a C "
      "header\n\n"
      "  lowp-translate model.mlir --emit=obj -o model.o\n"
      "  lowp-translate model.mlir --emit=header -o model.h\n"
      "  lowp-translate model.mlir --target=cuda --gpu-arch=sm_89 --emit=ptx "
      "-o model.ptx\n"
      "  lowp-translate model.mlir --target=cuda --gpu-arch=sm_90a "
      "--emit=obj -o model.o\n"
      "  cc -shared -fPIC model.o lib/ExecutionEngine/lowp_cuda_runtime.c "
      "-Iinclude -ldl -lpthread -o "
      "libmodel.so\n"
      "  cc app.c model.o -o app\n");
  if (optLevel > 3)
    return fail("-O takes 0 to 3");
  if (target == Target::CUDA ? emit != Emit::PTX && emit != Emit::Object
                             : emit == Emit::PTX)
    return fail(target == Target::CUDA
                    ? "--target=cuda writes PTX (--emit=ptx) or an object "
                      "file with the PTX embedded (--emit=obj)"
                    : "--emit=ptx needs --target=cuda");
  if (target == Target::CUDA && !lowp::isSupportedCudaChip(gpuArch)) {
    std::string chips;
    for (const std::string &chip : lowp::getSupportedCudaChips())
      chips += (chips.empty() ? "" : ", ") + chip;
    return fail("--gpu-arch=" + gpuArch +
                " is not a chip lowp generates PTX "
                "for: " +
                chips);
  }

  DialectRegistry registry;
  lowp::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // Diagnostics point at the source; the lowered op they are on (a whole
  // kernel, a module of weights) would bury them.
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::string error;
  auto file = openInputFile(inputFile, &error);
  if (!file)
    return fail(error);
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  if (lowp::reportParserHazard(sourceMgr))
    return 1;
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;
  if (target == Target::CUDA)
    return writeCuda(*module, &context);
  // The header declares the entry points lowp-cpu-pipeline adds
  // (NAME_prepack, NAME_prepacked) with those written.
  PassManager layouts(&context);
  layouts.addPass(lowp::createLowpAssignLayouts());
  if (failed(layouts.run(*module)))
    return 1;

  // The C interface returns at most one scalar by value.
  for (auto function : module->getOps<func::FuncOp>()) {
    if (function.isPublic() && !function.isExternal())
      for (auto [role, types] :
           {std::pair{"argument", TypeRange(function.getArgumentTypes())},
            std::pair{"result", TypeRange(function.getResultTypes())}})
        for (auto [i, type] : llvm::enumerate(types))
          if (std::optional<std::string> why =
                  lowp::unsupportedBoundaryType(type))
            return fail("@" + function.getSymName().str() + " " + role + " " +
                        std::to_string(i) + ": " + *why);
    auto results = lowp::getBoundaryValues(function.getResultTypes(), "result");
    if (llvm::count_if(results, [](const lowp::BoundaryValue &v) {
          return v.isScalar;
        }) > 1)
      return fail("@" + function.getSymName().str() +
                  " returns more than one scalar; return them as 0-d "
                  "tensors");
  }

  auto output = openOutputFile(outputFile, &error);
  if (!output)
    return fail(error);
  if (emit == Emit::Header) {
    std::string guard =
        "LOWP_" +
        llvm::sys::path::stem(outputFile == "-" ? inputFile : outputFile)
            .str() +
        "_H";
    output->os() << lowp::emitCHeader(*module, guard);
    return keep(*output);
  }
  lowp::CpuTargetOptions options;
  options.cpu = cpu;
  options.optLevel = optLevel;
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      lowp::compileToLLVMIR(*module, llvmContext, options, error);
  if (!llvmModule)
    return fail(error);
  if (emit == Emit::LLVM) {
    llvmModule->print(output->os(), nullptr);
  } else if (!lowp::emitObjectFile(*llvmModule, options, output->os(), error)) {
    return fail(error);
  }
  return keep(*output);
}
