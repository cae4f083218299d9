//===- Cpu.cpp - lowp to LLVM IR, objects and C headers -------------------===//

#include "lowp/Target/Cpu.h"

#include "lowp/Pipelines/Pipelines.h"
#include "lowp/Runtime/Boundary.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <map>
#include <set>

using namespace mlir;
using namespace lowp;

std::unique_ptr<llvm::TargetMachine>
lowp::createCpuTargetMachine(const CpuTargetOptions &options,
                             std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = options.cpu;
  std::string features;
  if (!cpu.empty()) {
    // LLVM only warns about an unknown CPU and then fails fatally in code
    // generation ("64-bit code requested on a subtarget that doesn't
    // support it"): refuse it here.
    std::unique_ptr<llvm::MCSubtargetInfo> generic(
        target->createMCSubtargetInfo(triple, "generic", ""));
    if (!generic || !generic->isCPUStringValid(cpu)) {
      error = "unknown CPU '" + cpu + "' for " + triple.str() +
              "; `llc-22 -mcpu=help` lists the names (e.g. znver4, "
              "skylake-avx512, x86-64-v3)";
      return nullptr;
    }
  }
  if (cpu.empty()) {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures featureSet;
    for (auto &feature : llvm::sys::getHostCPUFeatures())
      featureSet.AddFeature(feature.first(), feature.second);
    features = featureSet.getString();
  }
  llvm::CodeGenOptLevel level =
      options.optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
      : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
      : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
                              : llvm::CodeGenOptLevel::None;
  std::unique_ptr<llvm::TargetMachine> machine(
      target->createTargetMachine(triple, cpu, features, llvm::TargetOptions(),
                                  llvm::Reloc::PIC_, std::nullopt, level));
  if (!machine)
    error = "cannot create a target machine for CPU '" + cpu + "'";
  return machine;
}

std::unique_ptr<llvm::Module>
lowp::compileToLLVMIR(ModuleOp module, llvm::LLVMContext &context,
                      const CpuTargetOptions &options, std::string &error) {
  std::unique_ptr<llvm::TargetMachine> machine =
      createCpuTargetMachine(options, error);
  if (!machine)
    return nullptr;
  // The kernels use the vector instructions of the CPU compiled for, which
  // need not be this one.
  CpuPipelineOptions pipeline;
  const llvm::MCSubtargetInfo *subtarget = machine->getMCSubtargetInfo();
  pipeline.vectorTarget =
      !subtarget->checkFeatures("+avx512f")                 ? "generic"
      : subtarget->checkFeatures("+avx512bf16,+avx512vnni") ? "avx512-bf16"
      : subtarget->checkFeatures("+avx512vnni")             ? "avx512-vnni"
                                                            : "avx512";
  OwningOpRef<ModuleOp> lowered = module.clone();
  PassManager pm(module.getContext());
  buildCpuPipeline(pm, pipeline);
  if (failed(pm.run(*lowered))) {
    error = "lowering to the LLVM dialect failed (see the diagnostics above)";
    return nullptr;
  }
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*lowered, context);
  if (!llvmModule) {
    error = "translation to LLVM IR failed";
    return nullptr;
  }
  llvmModule->setTargetTriple(machine->getTargetTriple());
  llvmModule->setDataLayout(machine->createDataLayout());
  auto optimize = makeOptimizingTransformer(options.optLevel, 0, machine.get());
  if (llvm::Error failure = optimize(llvmModule.get())) {
    error = llvm::toString(std::move(failure));
    return nullptr;
  }
  return llvmModule;
}

bool lowp::emitObjectFile(llvm::Module &module, const CpuTargetOptions &options,
                          llvm::raw_pwrite_stream &os, std::string &error) {
  std::unique_ptr<llvm::TargetMachine> machine =
      createCpuTargetMachine(options, error);
  if (!machine)
    return false;
  llvm::legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, os, nullptr,
                                   llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return false;
  }
  passes.run(module);
  return true;
}

namespace {
/// The C type of one stored element.
std::string cElementType(const BoundaryValue &value) {
  if (value.packedWidth)
    return "uint8_t";
  Type storage = value.storageType;
  if (storage.isF32())
    return "float";
  if (storage.isF64())
    return "double";
  unsigned width = storage.getIntOrFloatBitWidth();
  auto integer = dyn_cast<IntegerType>(value.elementType);
  bool isSigned = integer && !integer.isUnsigned();
  return std::string(isSigned ? "int" : "uint") + std::to_string(width) + "_t";
}

std::string cIdentifier(std::string text) {
  for (char &c : text)
    if (!isalnum((unsigned char)c))
      c = '_';
  return text;
}

std::string descriptorName(const BoundaryValue &value) {
  std::string element = cElementType(value);
  if (element.size() > 2 && element.substr(element.size() - 2) == "_t")
    element = element.substr(0, element.size() - 2);
  return "lowp_memref_" + element + "_" + std::to_string(value.shape.size()) +
         "d";
}

std::string typeString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}

std::string describe(const BoundaryValue &value) {
  std::string text = typeString(value.elementType) + " [";
  for (size_t d = 0; d < value.shape.size(); ++d)
    text += (d ? ", " : "") + (ShapedType::isDynamic(value.shape[d])
                                   ? std::string("?")
                                   : std::to_string(value.shape[d]));
  text += "]";
  if (value.packedWidth) {
    std::vector<int64_t> bytes = value.storageShape();
    text += ", packed: " + std::to_string(value.packedWidth) +
            "-bit codes, each row a little-endian bit stream of " +
            std::to_string(bytes.back()) + " bytes";
    return text;
  }
  bool codes = !value.storageType.isF32() && !value.storageType.isF64() &&
               !isa<IntegerType>(value.elementType);
  if (codes)
    text += ", one code per element";
  return text;
}
} // namespace

std::string lowp::emitCHeader(ModuleOp module, llvm::StringRef guardName) {
  std::string out;
  llvm::raw_string_ostream os(out);
  std::string guard = cIdentifier(guardName.upper());
  os << "/* Generated by lowp-translate --emit=header; do not edit.\n"
        " *\n"
        " * Each function takes its arguments and then its results as memref\n"
        " * descriptors (MLIR's C interface): pointers to row-major data with\n"
        " * its sizes and strides. A block-scaled tensor is its parts in\n"
        " * order: elements, scales, then the tensor scale, zero points and\n"
        " * selectors where its encoding has them. Formats without a C type "
        "are stored\n"
        " * as their codes, one per element; formats narrower than 8 bits are\n"
        " * packed: each row (innermost dimension) is a little-endian bit\n"
        " * stream, code j in bits [j*w, (j+1)*w), padded to whole bytes.\n"
        " * Results are written into the buffers the caller passes.\n"
        " */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  std::set<std::string> declared;
  std::vector<std::string> declarations;
  auto declareDescriptor = [&](const BoundaryValue &value) {
    std::string name = descriptorName(value);
    if (!declared.insert(name).second)
      return name;
    std::string element = cElementType(value);
    size_t rank = value.storageShape().size();
    // Guarded, so that the headers of several modules (which declare the
    // same descriptors) can be included in one file.
    std::string defined = llvm::StringRef(name).upper() + "_DEFINED";
    std::string body = "#ifndef " + defined + "\n#define " + defined +
                       "\ntypedef struct {\n  " + element + " *allocated;\n  " +
                       element + " *aligned;\n  int64_t offset;\n";
    if (rank)
      body += "  int64_t sizes[" + std::to_string(rank) +
              "];\n  int64_t strides[" + std::to_string(rank) + "];\n";
    body += "} " + name + ";\n#endif\n\n";
    declarations.push_back(body);
    return name;
  };
  std::string functions;
  for (auto function : module.getOps<func::FuncOp>()) {
    if (!function.isPublic() || function.isExternal())
      continue;
    std::vector<BoundaryValue> arguments =
        getBoundaryValues(function.getArgumentTypes(), "argument");
    std::vector<BoundaryValue> results =
        getBoundaryValues(function.getResultTypes(), "result");
    std::string comment = "/* @" + function.getSymName().str() + "\n";
    std::string parameters;
    std::string returnType = "void";
    auto addParameter = [&](const BoundaryValue &value) {
      comment += " *   " + value.name + ": " + describe(value) + "\n";
      std::string parameter =
          value.isScalar
              ? cElementType(value) + " " + cIdentifier(value.name)
              : declareDescriptor(value) + " *" + cIdentifier(value.name);
      parameters += (parameters.empty() ? "" : ",\n    ") + parameter;
    };
    for (const BoundaryValue &value : arguments)
      addParameter(value);
    for (const BoundaryValue &value : results) {
      if (value.isScalar) {
        comment +=
            " *   " + value.name + ": " + describe(value) + " (returned)\n";
        returnType = cElementType(value);
        continue;
      }
      addParameter(value);
    }
    comment += " */\n";
    functions += comment + returnType + " _mlir_ciface_" +
                 function.getSymName().str() + "(\n    " +
                 (parameters.empty() ? "void" : parameters) + ");\n\n";
  }
  for (const std::string &declaration : declarations)
    os << declaration;
  os << functions << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard
     << " */\n";
  return out;
}
