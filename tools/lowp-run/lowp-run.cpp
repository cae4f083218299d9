//===- lowp-run.cpp - Compile a lowp function for this CPU and run it -----===//
//
//   lowp-run FILE.mlir [--entry=NAME] [--input=IN.npy ...] [--output=OUT.npy
//   ...]
//            [--repeat=N] [--print] [--reference] [--check]
//
// Compiles FILE with lowp-cpu-pipeline, runs the entry function through the
// MLIR ExecutionEngine on arguments read from .npy files, and writes its
// results as .npy. --reference runs the reference interpreter instead, and
// --check runs both and compares them bit for bit (lowp.matmul, whose
// summation order is unspecified, within its error bound).
//
// At the boundary each block-scaled tensor is its parts, in order: elements,
// scales, then the tensor scale and zero points where the encoding has them.
// f16, f32 and f64 tensors are numpy float arrays; integer types are numpy
// integer arrays of their values; every other format is an integer array of
// its codes.
//
//===----------------------------------------------------------------------===//

#include "lowp/Conversion/LowpToLinalg/StorageTypes.h"
#include "lowp/Dialect/Lowp/IR/LowpOps.h"
#include "lowp/Dialect/Lowp/Transforms/Passes.h"
#include "lowp/ExecutionEngine/Cuda.h"
#include "lowp/ExecutionEngine/ExecutionEngine.h"
#include "lowp/InitAll.h"
#include "lowp/Reference/Interpreter.h"
#include "lowp/Runtime/Boundary.h"
#include "lowp/Runtime/HostValue.h"
#include "lowp/Runtime/Npy.h"
#include "lowp/Runtime/Packing.h"
#include "lowp/Runtime/ResultShapes.h"
#include "lowp/Support/ParserGuard.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <unistd.h>

using namespace mlir;
using namespace lowp;

namespace cl = llvm::cl;

static cl::OptionCategory toolCategory("lowp-run options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("FILE.mlir"),
                                      cl::Required, cl::cat(toolCategory));
static cl::opt<std::string>
    entryName("entry",
              cl::desc("Function to run (default: @main, or the only public "
                       "function with a body)"),
              cl::value_desc("NAME"), cl::cat(toolCategory));
static cl::list<std::string>
    inputs("input",
           cl::desc("An argument as a .npy file, one per boundary argument "
                    "in order (a block-scaled tensor takes one per part)"),
           cl::value_desc("IN.npy"), cl::cat(toolCategory));
static cl::list<std::string>
    outputs("output",
            cl::desc("Where to write a result as .npy, one per boundary "
                     "result in order"),
            cl::value_desc("OUT.npy"), cl::cat(toolCategory));
static cl::opt<unsigned>
    repeat("repeat", cl::desc("Run N more times and print a timing summary"),
           cl::value_desc("N"), cl::init(0), cl::cat(toolCategory));
static cl::opt<std::string> vectorTarget(
    "vector-target",
    cl::desc("Vector instructions lowp's kernels may use: host (default), "
             "avx512-bf16, avx512-vnni, avx512, avx2 or generic"),
    cl::value_desc("NAME"), cl::init("host"), cl::cat(toolCategory));
// --threads=N is read before LLVM's option parser, which already has an
// option of that name from libLLVM.
static unsigned threadCount = 0;
static cl::extrahelp threadsHelp("\n  --threads=<N>   Threads for the kernels' "
                                 "parallel loops (default: the\n"
                                 "                  OpenMP runtime's choice, "
                                 "OMP_NUM_THREADS or every core)\n");
static cl::opt<bool> print("print", cl::desc("Print the results as text"),
                           cl::cat(toolCategory));
static cl::opt<bool>
    useReference("reference",
                 cl::desc("Run the reference interpreter instead of "
                          "compiled code"),
                 cl::cat(toolCategory));
enum class Target { CPU, CUDA };
static cl::opt<Target> target(
    "target", cl::desc("Where to run compiled code"), cl::init(Target::CPU),
    cl::values(clEnumValN(Target::CPU, "cpu", "the host CPU (default)"),
               clEnumValN(Target::CUDA, "cuda",
                          "the NVIDIA GPU the CUDA driver reports first "
                          "(lowp-cuda-pipeline; --repeat times with CUDA "
                          "events)")),
    cl::cat(toolCategory));
static cl::opt<bool> check("check",
                           cl::desc("Run compiled code and the reference "
                                    "interpreter and compare their results"),
                           cl::cat(toolCategory));

namespace {

[[noreturn]] void fail(const std::string &message) {
  llvm::errs() << "lowp-run: error: " << message << "\n";
  std::exit(1);
}

std::string typeString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}

/// Reads one argument from a .npy file, checking it against the boundary.
HostValue loadArgument(const std::string &path, const BoundaryValue &boundary) {
  npy::Array array;
  std::string error;
  if (!npy::read(path, array, error))
    fail(error);
  HostValue value;
  if (!toHostValue(std::move(array), boundary,
                   boundary.name + " ('" + path + "')", value, error))
    fail(error);
  return value;
}

void printValue(const HostValue &value) {
  llvm::outs() << value.boundary.name << ": "
               << typeString(value.boundary.elementType) << " "
               << npy::shapeString(value.shape) << "\n";
  std::optional<ValueFormat> format =
      getValueFormat(value.boundary.elementType);
  bool showCodes = !isNativeFloat(value.boundary.elementType) &&
                   !isa<IntegerType>(value.boundary.elementType);
  for (int64_t i = 0; i < value.numElements(); ++i) {
    uint64_t code = value.code(i);
    if (isBoolean(value.boundary.elementType)) {
      llvm::outs() << (code ? "true" : "false") << "\n";
      continue;
    }
    if (isWideInteger(value.boundary.elementType)) {
      if (isUnsignedInteger(value.boundary.elementType))
        llvm::outs() << code << "\n";
      else
        llvm::outs() << int64_t(code) << "\n";
      continue;
    }
    double decoded = format->decode(code);
    if (showCodes)
      llvm::outs() << llvm::format("0x%llX ", (unsigned long long)code);
    llvm::outs() << numerics::formatValue(decoded) << "\n";
  }
}

func::FuncOp findEntry(ModuleOp module) {
  SmallVector<func::FuncOp> candidates;
  for (auto function : module.getOps<func::FuncOp>())
    if (!function.isExternal())
      candidates.push_back(function);
  if (!entryName.empty()) {
    for (func::FuncOp function : candidates)
      if (function.getSymName() == entryName)
        return function;
    std::string names;
    for (func::FuncOp function : candidates)
      names += (names.empty() ? "@" : ", @") + function.getSymName().str();
    fail("no function @" + entryName + " in '" + inputFile + "'" +
         (names.empty() ? "" : " (it has " + names + ")"));
  }
  for (func::FuncOp function : candidates)
    if (function.getSymName() == "main")
      return function;
  SmallVector<func::FuncOp> publicOnes;
  for (func::FuncOp function : candidates)
    if (function.isPublic())
      publicOnes.push_back(function);
  if (publicOnes.size() != 1)
    fail("'" + inputFile + "' has " + std::to_string(publicOnes.size()) +
         " public functions and no @main; name one with --entry");
  return publicOnes.front();
}

/// `module` with only what `entry` needs: every other public function made
/// private, then what nothing uses dropped (symbol-dce), so that one run
/// does not compile the file's other entry points.
OwningOpRef<ModuleOp> moduleFor(ModuleOp module, StringRef entry) {
  OwningOpRef<ModuleOp> pruned = module.clone();
  for (auto function : pruned->getOps<func::FuncOp>())
    if (function.isPublic() && function.getSymName() != entry)
      function.setPrivate();
  PassManager pm(module.getContext());
  pm.addPass(createSymbolDCEPass());
  if (failed(pm.run(*pruned)))
    fail("could not drop the functions that @" + entry.str() + " does not use");
  return pruned;
}

/// The entry point compiled for this CPU, with its arguments stored once so
/// that repeated runs time the call alone.
class CompiledFunction {
public:
  CompiledFunction(ModuleOp module, func::FuncOp entry)
      : name(entry.getSymName().str()) {
    ExecutionOptions options;
    options.vectorTarget = vectorTarget;
    options.threads = threadCount;
    OwningOpRef<ModuleOp> needed = moduleFor(module, name);
    auto compiledModule = CompiledModule::compile(*needed, options);
    if (!compiledModule)
      fail("compiling '" + inputFile + "' for the CPU failed: " +
           llvm::toString(compiledModule.takeError()));
    compiled = std::move(*compiledModule);
  }

  void setArguments(std::vector<HostValue> &arguments) {
    storedArguments.clear();
    storedArguments.reserve(arguments.size());
    for (HostValue &argument : arguments)
      storedArguments.push_back(store(argument));
  }

  /// Runs on the stored arguments and writes `results` (preallocated);
  /// returns seconds.
  double run(std::vector<HostValue> &results) {
    std::vector<StoredValue> storedResults;
    storedResults.reserve(results.size());
    for (HostValue &result : results)
      storedResults.push_back(store(result));
    std::vector<BoundaryBuffer> argumentBuffers, resultBuffers;
    for (StoredValue &stored : storedArguments)
      argumentBuffers.push_back(stored.buffer());
    for (StoredValue &stored : storedResults)
      resultBuffers.push_back(stored.buffer());
    auto start = std::chrono::steady_clock::now();
    llvm::Error error = compiled->call(name, argumentBuffers, resultBuffers);
    auto stop = std::chrono::steady_clock::now();
    if (error)
      fail(llvm::toString(std::move(error)));
    for (size_t i = 0; i < results.size(); ++i)
      load(results[i], storedResults[i]);
    return std::chrono::duration<double>(stop - start).count();
  }

private:
  std::string name;
  std::unique_ptr<CompiledModule> compiled;
  std::vector<StoredValue> storedArguments;
};

/// The same on the GPU: the stored values are copied to device buffers,
/// the results back; times are the device's (CUDA events).
class CudaFunction {
public:
  CudaFunction(ModuleOp module, func::FuncOp entry)
      : name(entry.getSymName().str()) {
    auto device = cuda::getDevice();
    if (!device)
      fail("--target=cuda: " + llvm::toString(device.takeError()));
    OwningOpRef<ModuleOp> needed = moduleFor(module, name);
    auto compiledModule = cuda::CudaModule::compile(*needed);
    if (!compiledModule)
      fail("compiling '" + inputFile + "' for " + device->name + " (" +
           device->chip +
           ") failed: " + llvm::toString(compiledModule.takeError()));
    compiled = std::move(*compiledModule);
  }

  void setArguments(std::vector<HostValue> &arguments) {
    storedArguments.clear();
    storedArguments.reserve(arguments.size());
    deviceArguments.clear();
    for (HostValue &argument : arguments) {
      storedArguments.push_back(store(argument));
      deviceArguments.push_back(toDevice(storedArguments.back(), true));
    }
  }

  double run(std::vector<HostValue> &results) {
    std::vector<StoredValue> storedResults;
    storedResults.reserve(results.size());
    std::vector<cuda::DeviceBuffer> deviceResults;
    for (HostValue &result : results) {
      storedResults.push_back(store(result));
      deviceResults.push_back(toDevice(storedResults.back(), false));
    }
    std::vector<BoundaryBuffer> argumentBuffers, resultBuffers;
    for (auto [stored, device] : llvm::zip(storedArguments, deviceArguments))
      argumentBuffers.push_back(onDevice(stored, device));
    for (auto [stored, device] : llvm::zip(storedResults, deviceResults))
      resultBuffers.push_back(onDevice(stored, device));
    auto milliseconds = cuda::timeOnDevice(
        [&] { return compiled->call(name, argumentBuffers, resultBuffers); });
    if (!milliseconds)
      fail(llvm::toString(milliseconds.takeError()));
    for (size_t i = 0; i < results.size(); ++i) {
      if (!storedResults[i].isScalar)
        if (llvm::Error error =
                deviceResults[i].copyToHost(storedResults[i].buffer().data))
          fail(llvm::toString(std::move(error)));
      load(results[i], storedResults[i]);
    }
    return *milliseconds / 1e3;
  }

private:
  /// A device copy of a stored tensor (empty for scalars, which are passed
  /// by value).
  static cuda::DeviceBuffer toDevice(StoredValue &stored, bool copy) {
    if (stored.isScalar)
      return cuda::DeviceBuffer();
    BoundaryBuffer host = stored.buffer();
    int64_t count = 1;
    for (int64_t d : host.shape)
      count *= d;
    uint64_t bytes = stored.isPacked ? stored.packed.size()
                                     : uint64_t(count) * stored.elementBytes;
    auto buffer = cuda::DeviceBuffer::allocate(bytes);
    if (!buffer)
      fail(llvm::toString(buffer.takeError()));
    if (copy)
      if (llvm::Error error = buffer->copyFromHost(host.data))
        fail(llvm::toString(std::move(error)));
    return std::move(*buffer);
  }

  static BoundaryBuffer onDevice(StoredValue &stored,
                                 const cuda::DeviceBuffer &device) {
    if (stored.isScalar)
      return stored.buffer();
    BoundaryBuffer buffer = stored.buffer();
    buffer.data = device.get();
    return buffer;
  }

  std::string name;
  std::unique_ptr<cuda::CudaModule> compiled;
  std::vector<StoredValue> storedArguments;
  std::vector<cuda::DeviceBuffer> deviceArguments;
};

reference::Tensor toReference(const HostValue &value) {
  reference::Tensor tensor;
  tensor.elementType = value.boundary.elementType;
  tensor.shape = value.shape;
  for (int64_t i = 0; i < value.numElements(); ++i)
    tensor.codes.push_back(value.code(i));
  return tensor;
}

/// The bytes of memory this machine has.
uint64_t physicalMemory() {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? uint64_t(pages) * uint64_t(size)
                               : ~uint64_t(0);
}

/// The results, sized for the arguments: dynamic sizes follow from the
/// arguments' (lowp/Runtime/ResultShapes.h).
std::vector<HostValue>
allocateResults(func::FuncOp entry, const std::vector<HostValue> &arguments) {
  std::vector<std::vector<int64_t>> shapes;
  SizeRelations sizes = SizeRelations::analyze(entry);
  if (sizes.hasDynamicSizes()) {
    std::vector<std::vector<int64_t>> argumentShapes;
    for (const HostValue &argument : arguments)
      if (argument.boundary.part == 0)
        argumentShapes.push_back(argument.shape);
    auto inferred = sizes.resultShapes(argumentShapes);
    if (!inferred)
      fail(llvm::toString(inferred.takeError()));
    shapes = std::move(*inferred);
  }
  std::vector<HostValue> results;
  uint64_t total = 0;
  for (const BoundaryValue &boundary :
       getBoundaryValues(entry.getResultTypes(), "result")) {
    std::vector<int64_t> shape = boundary.shape;
    if (!shapes.empty() && boundary.part == 0)
      shape = shapes[boundary.position];
    for (int64_t d : shape)
      if (ShapedType::isDynamic(d))
        fail(boundary.name + " has a dynamic shape that lowp-run cannot "
                             "size");
    HostValue value{boundary, shape, {}};
    // Every result lives in memory at once, and with --check or
    // --reference also as the reference's 8-byte codes: a size past the
    // machine's memory is an error here, not an allocation failure later.
    uint64_t bytes = boundary.storageBytes();
    bool overflows = false;
    for (int64_t d : shape)
      overflows |= __builtin_mul_overflow(bytes, uint64_t(d), &bytes);
    overflows |= __builtin_add_overflow(total, bytes, &total);
    if (check || useReference) {
      uint64_t codes = bytes / std::max<uint64_t>(1, boundary.storageBytes());
      overflows |= __builtin_mul_overflow(codes, uint64_t(8), &codes);
      overflows |= __builtin_add_overflow(total, codes, &total);
    }
    if (overflows || total > physicalMemory())
      fail(boundary.name + " of shape " + npy::shapeString(shape) + " needs " +
           (overflows ? std::string("more than 2^64") : std::to_string(bytes)) +
           " bytes" +
           (!overflows && total != bytes
                ? " (" + std::to_string(total) + " with the results before it)"
                : "") +
           ", more than this machine's " + std::to_string(physicalMemory()) +
           " bytes of memory");
    value.bytes.assign(size_t(bytes), 0);
    results.push_back(value);
  }
  if (std::count_if(results.begin(), results.end(),
                    [](const HostValue &v) { return v.boundary.isScalar; }) > 1)
    fail("@" + entry.getSymName().str() +
         " returns more than one scalar; lowp-run takes at most one");
  return results;
}

/// Compares compiled results with the reference; returns the mismatches.
int64_t compare(const std::vector<HostValue> &compiled,
                const std::vector<reference::Tensor> &expected) {
  int64_t total = 0;
  for (size_t r = 0; r < compiled.size(); ++r) {
    const HostValue &value = compiled[r];
    const reference::Tensor &want = expected[r];
    std::optional<ValueFormat> format =
        getValueFormat(value.boundary.elementType);
    bool nativeNaNs = value.boundary.elementType.isF32() ||
                      value.boundary.elementType.isF64();
    int64_t mismatches = 0, shown = 0;
    bool bounded = !want.tolerance.empty();
    for (int64_t i = 0; i < value.numElements(); ++i) {
      uint64_t code = value.code(i);
      bool ok;
      if (bounded) {
        // The reference's rounded code first: an overflowing result is inf
        // in both, and inf - inf is NaN, never within a bound.
        double got = format->decode(code);
        // An infinite bound: the order of summation decides (partial sums
        // that may overflow), so any result is the op's.
        ok = code == want.codes[i] || std::isinf(want.tolerance[i]) ||
             std::fabs(got - want.values[i]) <= want.tolerance[i] ||
             (std::isnan(got) && std::isnan(want.values[i]));
      } else {
        ok = code == want.codes[i];
        // f32 and f64 arithmetic is the hardware's, whose NaNs carry
        // payloads and signs IEEE 754 leaves open: any NaN matches any NaN
        // there. lowp's own formats have the policy's one NaN per sign.
        if (!ok && nativeNaNs)
          ok = std::isnan(format->decode(code)) &&
               std::isnan(format->decode(want.codes[i]));
      }
      if (ok)
        continue;
      ++mismatches;
      if (shown++ < 5)
        llvm::outs()
            << "  " << value.boundary.name << "[" << i << "]: compiled "
            << llvm::format("0x%llX", (unsigned long long)code) << " ("
            << (format ? numerics::formatValue(format->decode(code))
                       : std::to_string(int64_t(code)))
            << "), reference "
            << llvm::format("0x%llX", (unsigned long long)want.codes[i]) << " ("
            << (bounded  ? numerics::formatValue(want.values[i])
                : format ? numerics::formatValue(format->decode(want.codes[i]))
                         : std::to_string(int64_t(want.codes[i])))
            << ")\n";
    }
    llvm::outs() << value.boundary.name << ": " << value.numElements()
                 << " elements, " << mismatches
                 << (bounded ? " outside the error bound\n"
                             : " bit mismatches\n");
    total += mismatches;
  }
  return total;
}

} // namespace

/// Removes --threads=N (or -threads=N) from the arguments into threadCount.
void takeThreadsOption(int &argc, char **argv) {
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef argument = argv[i];
    if (argument.consume_front("--threads=") ||
        argument.consume_front("-threads=")) {
      if (argument.getAsInteger(10, threadCount) || threadCount == 0)
        fail("--threads takes a positive number, got '" + argument.str() + "'");
      continue;
    }
    argv[kept++] = argv[i];
  }
  argc = kept;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  takeThreadsOption(argc, argv);
  cl::HideUnrelatedOptions(toolCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "lowp-run: compile a lowp function for this CPU and run it on .npy "
      "data\n\n"
      "At the boundary each block-scaled tensor is its parts, in order:\n"
      "elements, scales, then the tensor scale, zero points and selectors\n"
      "(per-group format choice) where the encoding has them. f16/f32/f64 "
      "tensors are numpy float arrays,\n"
      "integer types numpy integer arrays of values, and every other format\n"
      "an integer array of its codes.\n");
  if (useReference && check)
    fail("--reference and --check exclude each other");

  DialectRegistry registry;
  registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::string error;
  auto file = openInputFile(inputFile, &error);
  if (!file)
    fail(error);
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  if (lowp::reportParserHazard(sourceMgr))
    return 1;
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;
  // The default entry is chosen among the functions as written.
  if (entryName.empty())
    entryName = findEntry(*module).getSymName().str();
  // The entry points lowp-cpu-pipeline adds (NAME_prepack, NAME_prepacked)
  // can be run, and checked against the reference, like those written.
  PassManager layouts(&context);
  layouts.addPass(createLowpAssignLayouts());
  if (failed(layouts.run(*module)))
    return 1;
  func::FuncOp entry = findEntry(*module);
  for (auto [role, types] :
       {std::pair{"argument", TypeRange(entry.getArgumentTypes())},
        std::pair{"result", TypeRange(entry.getResultTypes())}})
    for (auto [i, type] : llvm::enumerate(types))
      if (std::optional<std::string> why = unsupportedBoundaryType(type))
        fail("@" + entry.getSymName().str() + " " + role + " " +
             std::to_string(i) + ": " + *why);

  std::vector<BoundaryValue> argumentBoundary =
      getBoundaryValues(entry.getArgumentTypes(), "argument");
  if (inputs.size() != argumentBoundary.size()) {
    std::string expected;
    // Each as the .npy it takes: its shape (? where any size goes) and the
    // element type whose codes or values it holds.
    for (const BoundaryValue &boundary : argumentBoundary) {
      std::string shape = "[";
      for (size_t d = 0; d < boundary.shape.size(); ++d)
        shape += (d ? ", " : "") + (ShapedType::isDynamic(boundary.shape[d])
                                        ? std::string("?")
                                        : std::to_string(boundary.shape[d]));
      expected += "\n  " + boundary.name + ": " +
                  typeString(boundary.elementType) + " " + shape + "]";
    }
    fail("@" + entry.getSymName().str() + " takes " +
         std::to_string(argumentBoundary.size()) + " inputs, got " +
         std::to_string(inputs.size()) + " --input files" +
         (expected.empty() ? "" : ":" + expected));
  }
  std::vector<HostValue> arguments;
  for (size_t i = 0; i < inputs.size(); ++i)
    arguments.push_back(loadArgument(inputs[i], argumentBoundary[i]));
  std::vector<HostValue> results = allocateResults(entry, arguments);
  if (!outputs.empty() && outputs.size() != results.size())
    fail("@" + entry.getSymName().str() + " has " +
         std::to_string(results.size()) + " results, got " +
         std::to_string(outputs.size()) + " --output files");

  std::vector<reference::Tensor> expected;
  if (useReference || check) {
    std::vector<reference::Tensor> referenceArguments;
    for (const HostValue &argument : arguments)
      referenceArguments.push_back(toReference(argument));
    std::string message;
    if (!reference::run(entry, referenceArguments, expected, message))
      fail("reference interpreter: " + message);
  }
  if (useReference) {
    for (size_t r = 0; r < results.size(); ++r)
      for (int64_t i = 0; i < results[r].numElements(); ++i)
        results[r].setCode(i, expected[r].codes[i]);
  } else {
    auto runAndTime = [&](auto &compiled) {
      compiled.setArguments(arguments);
      compiled.run(results);
      if (repeat == 0)
        return;
      std::vector<double> times;
      std::vector<HostValue> scratch = results;
      for (unsigned i = 0; i < repeat; ++i)
        times.push_back(compiled.run(scratch));
      std::sort(times.begin(), times.end());
      double total = 0;
      for (double t : times)
        total += t;
      llvm::outs() << llvm::format(
          "@%s: %u runs, median %.3f ms, min %.3f ms, mean %.3f ms\n",
          entry.getSymName().str().c_str(), unsigned(repeat),
          times[times.size() / 2] * 1e3, times.front() * 1e3,
          total / times.size() * 1e3);
    };
    if (target == Target::CUDA) {
      CudaFunction compiled(*module, entry);
      runAndTime(compiled);
    } else {
      CompiledFunction compiled(*module, entry);
      runAndTime(compiled);
    }
  }

  for (size_t r = 0; r < outputs.size(); ++r) {
    std::string message;
    if (!npy::write(outputs[r], toNpy(results[r]), message))
      fail(message);
  }
  if (print)
    for (const HostValue &result : results)
      printValue(result);
  if (check && compare(results, expected) != 0) {
    llvm::errs() << "lowp-run: compiled code and the reference disagree\n";
    return 1;
  }
  return 0;
}
