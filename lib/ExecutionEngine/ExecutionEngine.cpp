//===- ExecutionEngine.cpp - Compile a lowp module and call it ------------===//

#include "lowp/ExecutionEngine/ExecutionEngine.h"
#include "lowp/ExecutionEngine/Cuda.h"

#include "lowp/Pipelines/Pipelines.h"
#include "lowp/Runtime/Boundary.h"
#include "lowp/Runtime/Packing.h"
#include "lowp/Runtime/ResultShapes.h"
#include "lowp/Target/Cpu.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"

#include <dlfcn.h>
#include <functional>
#include <map>

using namespace mlir;
using namespace lowp;

// The OpenMP runtime's entry point (libomp), declared here rather than
// through omp.h, which Debian installs under clang's resource directory.
extern "C" void omp_set_num_threads(int threads);

namespace {
llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Makes the OpenMP runtime's symbols visible to the JIT, which looks them
/// up in the process's global scope. A program linked against lowp has
/// them there; a Python extension module or a plugin that links lowp is
/// loaded with RTLD_LOCAL, and so is libomp with it, so compiled kernels
/// would not find __kmpc_fork_call. Reopening the already loaded library
/// with RTLD_GLOBAL promotes it.
llvm::Error exposeOpenMPRuntime() {
  static const std::string error = [] {
    Dl_info info;
    if (!dladdr(reinterpret_cast<void *>(&omp_set_num_threads), &info) ||
        !info.dli_fname)
      return std::string("cannot find the OpenMP runtime's library");
    if (!dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD))
      return "cannot make " + std::string(info.dli_fname) +
             "'s symbols global: " + dlerror();
    return std::string();
  }();
  return error.empty() ? llvm::Error::success() : makeError(error);
}

/// What each public function's boundary holds, from the module as written.
struct FunctionBoundary {
  std::vector<BoundaryValue> arguments, results;
  SizeRelations sizes;
};

/// The logical shape of each function argument from its buffers (the
/// elements' buffer of a block-scaled tensor); -1 for the length of a
/// packed row of dynamic length, which the bytes do not give.
std::vector<std::vector<int64_t>>
logicalShapes(const std::vector<BoundaryValue> &values,
              llvm::ArrayRef<BoundaryBuffer> buffers) {
  std::vector<std::vector<int64_t>> shapes;
  for (auto [value, buffer] : llvm::zip(values, buffers)) {
    if (value.part != 0)
      continue;
    std::vector<int64_t> shape;
    if (!value.isScalar) {
      shape.assign(buffer.shape.begin(), buffer.shape.end());
      if (value.packedWidth && !shape.empty())
        shape.back() = value.shape.back() >= 0 ? value.shape.back() : -1;
    }
    shapes.push_back(std::move(shape));
  }
  return shapes;
}

/// Checks the result buffers against the result shapes that the arguments'
/// sizes give.
llvm::Error checkResultSizes(llvm::StringRef function,
                             const FunctionBoundary &boundary,
                             llvm::ArrayRef<BoundaryBuffer> arguments,
                             llvm::ArrayRef<BoundaryBuffer> results) {
  auto shapes =
      boundary.sizes.resultShapes(logicalShapes(boundary.arguments, arguments));
  if (!shapes)
    return shapes.takeError();
  for (auto [value, buffer] : llvm::zip(boundary.results, results)) {
    if (value.part != 0 || value.isScalar)
      continue;
    std::vector<int64_t> want = (*shapes)[value.position];
    if (value.packedWidth && !want.empty())
      want.back() = packedRowBytes(want.back(), value.packedWidth);
    if (llvm::ArrayRef<int64_t>(want) == llvm::ArrayRef(buffer.shape))
      continue;
    std::string wantText, got;
    for (int64_t d : want)
      wantText += (wantText.empty() ? "" : "x") + std::to_string(d);
    for (int64_t d : buffer.shape)
      got += (got.empty() ? "" : "x") + std::to_string(d);
    return makeError("@" + function + ": for these arguments " + value.name +
                     " is stored as [" + wantText + "], got a [" + got +
                     "] buffer");
  }
  return llvm::Error::success();
}

llvm::Error checkBuffers(llvm::StringRef function, const char *role,
                         const std::vector<BoundaryValue> &expected,
                         llvm::ArrayRef<BoundaryBuffer> buffers) {
  if (expected.size() != buffers.size())
    return makeError("@" + function + " has " + llvm::Twine(expected.size()) +
                     " boundary " + role + "s, got " +
                     llvm::Twine(buffers.size()) + " buffers");
  for (auto [value, buffer] : llvm::zip(expected, buffers)) {
    if (value.isScalar != buffer.isScalar)
      return makeError("@" + function + ": " + value.name + " is " +
                       (value.isScalar ? "a scalar" : "a tensor") + ", got a " +
                       (buffer.isScalar ? "scalar" : "buffer"));
    if (!buffer.data)
      return makeError("@" + function + ": " + value.name +
                       " has no data pointer");
    if (value.isScalar)
      continue;
    std::vector<int64_t> shape = value.storageShape();
    bool matches = shape.size() == buffer.shape.size();
    for (size_t d = 0; matches && d < shape.size(); ++d)
      matches = buffer.shape[d] >= 0 && (ShapedType::isDynamic(shape[d]) ||
                                         shape[d] == buffer.shape[d]);
    if (!matches) {
      std::string want, got;
      for (int64_t d : shape)
        want += (want.empty() ? "" : "x") +
                (ShapedType::isDynamic(d) ? "?" : std::to_string(d));
      for (int64_t d : buffer.shape)
        got += (got.empty() ? "" : "x") + std::to_string(d);
      return makeError("@" + function + ": " + value.name + " is stored as [" +
                       want + "], got a [" + got + "] buffer");
    }
  }
  return llvm::Error::success();
}

/// A memref descriptor as the C interface lays it out: allocated and aligned
/// pointers, offset, sizes, strides (row-major).
llvm::SmallVector<int64_t, 12> makeDescriptor(const BoundaryBuffer &buffer) {
  auto pointer = reinterpret_cast<int64_t>(buffer.data);
  llvm::SmallVector<int64_t, 12> descriptor{pointer, pointer, 0};
  llvm::append_range(descriptor, buffer.shape);
  llvm::SmallVector<int64_t, 4> strides(buffer.shape.size());
  int64_t stride = 1;
  for (size_t d = buffer.shape.size(); d-- > 0;) {
    strides[d] = stride;
    stride *= buffer.shape[d];
  }
  llvm::append_range(descriptor, strides);
  return descriptor;
}
} // namespace

struct CompiledModule::Boundaries {
  std::map<std::string, FunctionBoundary, std::less<>> functions;
};

CompiledModule::CompiledModule() = default;
CompiledModule::~CompiledModule() = default;

llvm::Expected<std::unique_ptr<CompiledModule>>
CompiledModule::compile(ModuleOp module, const ExecutionOptions &options) {
  if (llvm::Error error = exposeOpenMPRuntime())
    return std::move(error);
  std::unique_ptr<CompiledModule> compiled(new CompiledModule());
  compiled->boundaries = std::make_unique<Boundaries>();
  for (auto function : module.getOps<func::FuncOp>()) {
    if (!function.isPublic() || function.isExternal())
      continue;
    for (auto [role, types] :
         {std::pair{"argument", TypeRange(function.getArgumentTypes())},
          std::pair{"result", TypeRange(function.getResultTypes())}})
      for (auto [i, type] : llvm::enumerate(types))
        if (std::optional<std::string> why = unsupportedBoundaryType(type))
          return makeError("@" + function.getSymName().str() + " " + role +
                           " " + std::to_string(i) + ": " + *why);
    compiled->boundaries->functions[function.getSymName().str()] = {
        getBoundaryValues(function.getArgumentTypes(), "argument"),
        getBoundaryValues(function.getResultTypes(), "result"),
        SizeRelations::analyze(function)};
  }

  if (options.target == "cuda") {
    auto device = cuda::getDevice();
    if (!device)
      return device.takeError();
    auto kernels = cuda::CudaModule::compile(module, options.optLevel);
    if (!kernels)
      return kernels.takeError();
    compiled->device = std::move(*kernels);
    return std::move(compiled);
  }
  if (options.target != "cpu")
    return makeError("unknown target '" + options.target +
                     "'; expected cpu or cuda");

  OwningOpRef<ModuleOp> lowered = module.clone();
  PassManager pm(module.getContext());
  CpuPipelineOptions pipeline;
  pipeline.vectorTarget = options.vectorTarget;
  buildCpuPipeline(pm, pipeline);
  if (failed(pm.run(*lowered)))
    return makeError("lowering to the LLVM dialect failed (see the "
                     "diagnostics above)");

  CpuTargetOptions target;
  target.optLevel = options.optLevel;
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createCpuTargetMachine(target, error);
  if (!machine)
    return makeError(error);
  // The optimizer needs the host's TargetMachine: without it LLVM's
  // vectorizers work without the target's cost model and vector width.
  std::function<llvm::Error(llvm::Module *)> transformer =
      makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0,
                                machine.get());
  ExecutionEngineOptions engineOptions;
  // ExecutionEngineOptions holds a reference to the transformer: it must
  // outlive create().
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel =
      options.optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
      : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
      : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
                              : llvm::CodeGenOptLevel::None;
  auto engine = ExecutionEngine::create(*lowered, engineOptions);
  if (!engine)
    return makeError("JIT compilation failed: " +
                     llvm::toString(engine.takeError()));
  compiled->engine = std::move(*engine);
  compiled->threads = options.threads;
  return std::move(compiled);
}

llvm::Expected<std::vector<std::vector<int64_t>>> CompiledModule::resultShapes(
    llvm::StringRef name,
    const std::vector<std::vector<int64_t>> &argumentShapes) const {
  auto found = boundaries->functions.find(name);
  if (found == boundaries->functions.end())
    return makeError("no public function @" + name + " in the module");
  if (!found->second.sizes.hasDynamicSizes()) {
    std::vector<std::vector<int64_t>> shapes;
    for (const BoundaryValue &value : found->second.results)
      if (value.part == 0)
        shapes.push_back(value.shape);
    return shapes;
  }
  return found->second.sizes.resultShapes(argumentShapes);
}

/// The caller's host buffers copied to device buffers (results only
/// allocated), the call, the results copied back.
llvm::Error
CompiledModule::callOnDevice(llvm::StringRef name,
                             llvm::ArrayRef<BoundaryBuffer> arguments,
                             llvm::ArrayRef<BoundaryBuffer> results) {
  const FunctionBoundary &boundary = boundaries->functions.find(name)->second;
  std::vector<cuda::DeviceBuffer> buffers;
  buffers.reserve(arguments.size() + results.size());
  auto onDevice = [&](const BoundaryValue &value, const BoundaryBuffer &host,
                      bool copy) -> llvm::Expected<BoundaryBuffer> {
    if (host.isScalar)
      return host;
    int64_t count = 1;
    for (int64_t d : host.shape)
      count *= d;
    // Packed rows are bytes; the stored shape counts them.
    int64_t bytes = count * (value.packedWidth ? 1 : value.storageBytes());
    auto buffer = cuda::DeviceBuffer::allocate(uint64_t(bytes));
    if (!buffer)
      return buffer.takeError();
    if (copy)
      if (llvm::Error error = buffer->copyFromHost(host.data))
        return std::move(error);
    BoundaryBuffer moved = host;
    moved.data = buffer->get();
    buffers.push_back(std::move(*buffer));
    return moved;
  };
  std::vector<BoundaryBuffer> deviceArguments, deviceResults;
  for (auto [value, host] : llvm::zip(boundary.arguments, arguments)) {
    auto moved = onDevice(value, host, /*copy=*/true);
    if (!moved)
      return moved.takeError();
    deviceArguments.push_back(*moved);
  }
  for (auto [value, host] : llvm::zip(boundary.results, results)) {
    auto moved = onDevice(value, host, /*copy=*/false);
    if (!moved)
      return moved.takeError();
    deviceResults.push_back(*moved);
  }
  if (llvm::Error error = device->call(name, deviceArguments, deviceResults))
    return error;
  size_t next = llvm::count_if(
      arguments, [](const BoundaryBuffer &buffer) { return !buffer.isScalar; });
  for (const BoundaryBuffer &host : results) {
    if (host.isScalar)
      continue;
    if (llvm::Error error = buffers[next++].copyToHost(host.data))
      return error;
  }
  return llvm::Error::success();
}

std::vector<std::string> CompiledModule::getFunctionNames() const {
  std::vector<std::string> names;
  for (const auto &entry : boundaries->functions)
    names.push_back(entry.first);
  return names;
}

const std::vector<BoundaryValue> *
CompiledModule::getArguments(llvm::StringRef name) const {
  auto found = boundaries->functions.find(name);
  return found == boundaries->functions.end() ? nullptr
                                              : &found->second.arguments;
}

const std::vector<BoundaryValue> *
CompiledModule::getResults(llvm::StringRef name) const {
  auto found = boundaries->functions.find(name);
  return found == boundaries->functions.end() ? nullptr
                                              : &found->second.results;
}

llvm::Error CompiledModule::call(llvm::StringRef name,
                                 llvm::ArrayRef<BoundaryBuffer> arguments,
                                 llvm::ArrayRef<BoundaryBuffer> results) {
  auto found = boundaries->functions.find(name);
  if (found == boundaries->functions.end())
    return makeError("no public function @" + name + " in the module");
  if (llvm::Error error =
          checkBuffers(name, "argument", found->second.arguments, arguments))
    return error;
  if (llvm::Error error =
          checkBuffers(name, "result", found->second.results, results))
    return error;
  if (found->second.sizes.hasDynamicSizes())
    if (llvm::Error error =
            checkResultSizes(name, found->second, arguments, results))
      return error;
  if (llvm::count_if(results, [](const BoundaryBuffer &buffer) {
        return buffer.isScalar;
      }) > 1)
    return makeError("@" + name +
                     " returns more than one scalar; the C interface "
                     "returns at most one");

  if (device)
    return callOnDevice(name, arguments, results);

  // The packed interface takes a pointer to each argument in order:
  // descriptor pointers for memrefs, the value itself for scalars; then the
  // out-parameters; then where a scalar result goes.
  size_t count = arguments.size() + results.size();
  llvm::SmallVector<llvm::SmallVector<int64_t, 12>> descriptors;
  llvm::SmallVector<void *> descriptorPointers;
  descriptors.reserve(count);
  descriptorPointers.reserve(count);
  llvm::SmallVector<void *> packed;
  auto addTensor = [&](const BoundaryBuffer &buffer) {
    descriptors.push_back(makeDescriptor(buffer));
    descriptorPointers.push_back(descriptors.back().data());
    packed.push_back(&descriptorPointers.back());
  };
  for (const BoundaryBuffer &argument : arguments) {
    if (argument.isScalar)
      packed.push_back(argument.data);
    else
      addTensor(argument);
  }
  const BoundaryBuffer *scalarResult = nullptr;
  for (const BoundaryBuffer &result : results) {
    if (result.isScalar)
      scalarResult = &result;
    else
      addTensor(result);
  }
  if (scalarResult)
    packed.push_back(scalarResult->data);
  if (threads)
    omp_set_num_threads(int(threads));
  std::string symbol = "_mlir_ciface_" + name.str();
  if (llvm::Error error = engine->invokePacked(symbol, packed))
    return makeError("calling @" + name +
                     " failed: " + llvm::toString(std::move(error)));
  return llvm::Error::success();
}
