//===- Cpu.h - lowp to LLVM IR, objects and C headers -----------*- C++ -*-===//
//
// The ahead-of-time path: a lowp module compiled with lowp-cpu-pipeline,
// translated to LLVM IR, optimized and emitted as an object file for the
// host CPU (or a named one), with a C header that declares each public
// function's C interface and documents its boundary.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_TARGET_CPU_H
#define LOWP_TARGET_CPU_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <memory>
#include <string>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace lowp {

struct CpuTargetOptions {
  /// LLVM CPU name; empty for the host's CPU and features.
  std::string cpu;
  /// LLVM optimization level, 0..3.
  unsigned optLevel = 2;
};

/// A TargetMachine for the host (CPU name and every feature it reports) or
/// for `options.cpu`; null with `error` set when LLVM cannot make one.
std::unique_ptr<llvm::TargetMachine>
createCpuTargetMachine(const CpuTargetOptions &options, std::string &error);

/// Runs lowp-cpu-pipeline on (a clone of) `module` and translates the result
/// to optimized LLVM IR for the target; null after emitting diagnostics.
std::unique_ptr<llvm::Module> compileToLLVMIR(mlir::ModuleOp module,
                                              llvm::LLVMContext &context,
                                              const CpuTargetOptions &options,
                                              std::string &error);

/// Emits `module` as a native object file.
bool emitObjectFile(llvm::Module &module, const CpuTargetOptions &options,
                    llvm::raw_pwrite_stream &os, std::string &error);

/// A C header declaring `_mlir_ciface_NAME` for each public function of
/// `module` (as written, before lowering), its memref descriptor types, and
/// a comment per argument saying what it holds.
std::string emitCHeader(mlir::ModuleOp module, llvm::StringRef guardName);

} // namespace lowp

#endif // LOWP_TARGET_CPU_H
