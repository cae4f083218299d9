//===- ggml-mulmat.cpp - ggml's MUL_MAT on lowp-bench's GEMM shapes -------===//
//
// An optional yardstick for lowp's GEMMs: ggml's CPU MUL_MAT in the same
// weight formats (mxfp4, q4_0, q8_0, nvfp4 where this ggml has it, and f32)
// on lowp-bench's shapes, so that "ahead of ggml's same-format MUL_MAT" is
// a measurement rather than a recollection. ggml is not a dependency of
// lowp: scripts/bench-ggml.sh builds this file against a ggml checkout the
// user names, and nothing else in lowp includes it. It calls ggml's public
// API only (ggml.h, ggml-cpu.h, ggml-backend.h, ggml-alloc.h).
//
// y (M x N) = x (M x K) W (K x N). ggml's mul_mat(src0, src1) takes the
// weights as src0 with ne = {K, N} (N rows of K contiguous values, the
// layout of PyTorch's nn.Linear) and f32 activations as src1 with
// ne = {K, M}; its result has ne = {N, M}, i.e. y row-major M x N.
//
// Each type runs in up to two ways:
//   ggml_TYPE_SHAPE         the weights in an ordinary CPU buffer: what
//                           ggml_mul_mat gives a plain ggml program;
//   ggml_TYPE_repack_SHAPE  the weights in the CPU backend's CPU_REPACK
//                           buffer, which interleaves the blocks of 8 rows
//                           for its GEMM kernels (q4_0 and mxfp4 on AVX2
//                           machines): what llama.cpp runs by default.
//                           Only for the types this ggml repacks here.
// Both go through the CPU backend (ggml_backend_graph_compute), which
// converts the activations to the type's vec_dot_type (q8_0 for these
// quantized types) inside the timed call, as a real model's MUL_MAT does.
//
// All cases run in interleaved rounds, as lowp-bench's do, so that a change
// in the (shared) machine's load moves every figure alike; each figure is
// a median. The first call of each case is checked against an f64
// reference computed from ggml's own view of the operands: its dequantized
// weights (the type's to_float) and the activations after the round trip
// through the vec_dot_type. A wrong result is marked WRONG and makes the
// exit status 1.
//
//===----------------------------------------------------------------------===//

#include "Support.h"

#include "ggml-alloc.h"
#include "ggml-backend.h"
#include "ggml-cpu.h"
#include "ggml.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <sys/mman.h>
#include <thread>
#include <vector>

using namespace lowp_bench;

namespace {

struct Shape {
  int64_t m, k, n;
};

constexpr Shape kDefaultShapes[] = {{512, 4096, 14336}, {64, 4096, 4096}};

/// The formats compared, by ggml's type names; a name this ggml does not
/// know (nvfp4 before ggml had it) is reported and skipped.
const char *const kTypeNames[] = {"mxfp4", "q4_0", "q8_0", "nvfp4", "f32"};

/// Rows of y the check compares, spread over M from the first to the last.
constexpr int64_t kCheckedRows = 8;

/// The largest |y - ref| allowed, as a share of the sum of |x_k w_k| of that
/// element: the reference already uses the activations as ggml quantizes
/// them, so what is left is f32 accumulation order and, in the repacked
/// kernels, their own quantization of x (which may round a value the other
/// way), far below this.
constexpr double kTolerance = 2e-2;

struct Options {
  std::vector<int> threads = {1, 2};
  int rounds = 5;
  std::vector<std::string> filters; // empty: everything
  std::vector<Shape> shapes{std::begin(kDefaultShapes),
                            std::end(kDefaultShapes)};
  bool repack = true;
};

const char *const kHelp = R"(usage: ggml-mulmat [OPTIONS]

Times ggml's CPU MUL_MAT, y (MxN) = x (MxK) W (KxN) with f32 x and y, in
the weight formats lowp's GEMMs use (mxfp4, q4_0, q8_0, nvfp4 if this ggml
has it, f32), on lowp-bench's GEMM shapes (512x4096x14336 and
64x4096x4096), weights quantized from random f32 values by
ggml_quantize_chunk. Types that ggml's CPU backend repacks on this machine
(CPU_REPACK: q4_0 and mxfp4 on AVX2) also run repacked, as llama.cpp runs
them (ggml_TYPE_repack_SHAPE). All cases run in interleaved rounds after
one warm-up call each; a case whose call takes under 0.5 s runs up to 10
times a round (about 0.2 s), a slower one once. Each line gives the median
time, GFLOP/s (2 M K N / time), the weights' size, and the check of the
first call against an f64 reference on 8 rows of y (WRONG makes the exit
status 1). Usually run through scripts/bench-ggml.sh.

Options:
  --threads=A,B     thread counts (default 1,2)
  --rounds=N        interleaved rounds (default 5)
  --filter=A,B      only the cases whose names contain A or B, e.g.
                    --filter=mxfp4 or --filter=_512
  --shapes=MxKxN,.. the shapes (default 512x4096x14336,64x4096x4096); K
                    must be a multiple of the types' block sizes (64 for
                    nvfp4, 32 for the others)
  --no-repack       skip the repacked (CPU_REPACK) cases
  --help            this text

Output: '#' lines describe the run; then one line per case and thread
count:
  NAME  threads=T  ms=MEDIAN  gflops=G  weight_mb=MB  check=ok|WRONG  err=E
where E is the check's largest |y - ref| / sum |x w|.
)";

bool parseList(const std::string &text, std::vector<std::string> &items) {
  items.clear();
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find(',', begin);
    if (end == std::string::npos)
      end = text.size();
    if (end == begin)
      return false;
    items.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return !items.empty();
}

bool parseCount(const std::string &text, int lo, int hi, int &value) {
  char *end = nullptr;
  long parsed = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || parsed < lo || parsed > hi)
    return false;
  value = static_cast<int>(parsed);
  return true;
}

bool parseShape(const std::string &text, Shape &shape) {
  long long m, k, n;
  char tail;
  if (std::sscanf(text.c_str(), "%lldx%lldx%lld%c", &m, &k, &n, &tail) != 3 ||
      m < 1 || k < 1 || n < 1)
    return false;
  shape = {m, k, n};
  return true;
}

/// Returns 0 to run, 1 for a usage error, 2 after --help.
int parseOptions(int argc, char **argv, Options &options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *prefix) -> std::optional<std::string> {
      size_t length = std::strlen(prefix);
      if (arg.compare(0, length, prefix) != 0)
        return std::nullopt;
      return arg.substr(length);
    };
    std::vector<std::string> items;
    if (arg == "--help" || arg == "-h") {
      std::printf("%s", kHelp);
      return 2;
    } else if (arg == "--no-repack") {
      options.repack = false;
    } else if (auto text = value("--threads=")) {
      options.threads.clear();
      int count;
      bool ok = parseList(*text, items);
      for (const std::string &item : items)
        if ((ok = ok && parseCount(item, 1, 512, count)))
          options.threads.push_back(count);
      if (!ok) {
        std::fprintf(stderr, "ggml-mulmat: --threads wants counts 1..512, "
                             "e.g. --threads=1,2\n");
        return 1;
      }
    } else if (auto text = value("--rounds=")) {
      if (!parseCount(*text, 1, 1000, options.rounds)) {
        std::fprintf(stderr, "ggml-mulmat: --rounds wants a count 1..1000\n");
        return 1;
      }
    } else if (auto text = value("--filter=")) {
      if (!parseList(*text, options.filters)) {
        std::fprintf(stderr, "ggml-mulmat: --filter wants names, e.g. "
                             "--filter=mxfp4,q8_0\n");
        return 1;
      }
    } else if (auto text = value("--shapes=")) {
      options.shapes.clear();
      Shape shape;
      bool ok = parseList(*text, items);
      for (const std::string &item : items)
        if ((ok = ok && parseShape(item, shape)))
          options.shapes.push_back(shape);
      if (!ok) {
        std::fprintf(stderr, "ggml-mulmat: --shapes wants MxKxN,... e.g. "
                             "--shapes=512x4096x14336\n");
        return 1;
      }
    } else {
      std::fprintf(stderr, "ggml-mulmat: unknown option '%s' (see --help)\n",
                   argv[i]);
      return 1;
    }
  }
  return 0;
}

/// ggml's type named `name`, looked up at run time so that one source
/// builds against ggml versions with and without a type (nvfp4 is recent).
std::optional<ggml_type> typeNamed(const char *name) {
  for (int t = 0; t < GGML_TYPE_COUNT; ++t) {
    const ggml_type_traits *traits = ggml_get_type_traits(ggml_type(t));
    if (traits && traits->type_name && traits->blck_size > 0 &&
        std::strcmp(traits->type_name, name) == 0)
      return ggml_type(t);
  }
  return std::nullopt;
}

/// The part of a case's name that gives its shape: M for lowp-bench's
/// shapes ("512", "64", as its gemm_*_512 and gemm_*_64), MxKxN otherwise.
std::string shapeTag(const Shape &shape) {
  for (const Shape &known : kDefaultShapes)
    if (known.m == shape.m && known.k == shape.k && known.n == shape.n)
      return std::to_string(shape.m);
  return std::to_string(shape.m) + "x" + std::to_string(shape.k) + "x" +
         std::to_string(shape.n);
}

bool selected(const std::string &name, const Options &options) {
  if (options.filters.empty())
    return true;
  for (const std::string &filter : options.filters)
    if (name.find(filter) != std::string::npos)
      return true;
  return false;
}

/// Asks for transparent huge pages on a buffer that ggml allocated but
/// nothing has touched yet (its CPU buffers come from posix_memalign and are
/// not cleared): lowp-bench's Buffer does the same for lowp's operands, so
/// neither side pays 4 KiB pages' TLB misses that the other does not.
void adviseHugePages(ggml_backend_buffer_t buffer) {
  constexpr uintptr_t kHugePage = uintptr_t(2) << 20;
  auto begin =
      reinterpret_cast<uintptr_t>(ggml_backend_buffer_get_base(buffer));
  uintptr_t end = begin + ggml_backend_buffer_get_size(buffer);
  begin = (begin + kHugePage - 1) & ~(kHugePage - 1);
  end &= ~(kHugePage - 1);
  if (end > begin)
    madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE);
}

/// Runs body(begin, end) over [0, count) split across the machine's cores:
/// quantizing and the reference are set-up, not timed, but at 512 x 4096 x
/// 14336 they would otherwise take longer than the benchmark.
template <typename Body> void parallelFor(int64_t count, Body body) {
  int64_t workers = std::max(1u, std::thread::hardware_concurrency());
  workers = std::min(workers, count);
  std::vector<std::thread> threads;
  for (int64_t w = 0; w < workers; ++w)
    threads.emplace_back(
        [&, w] { body(count * w / workers, count * (w + 1) / workers); });
  for (std::thread &thread : threads)
    thread.join();
}

/// Dequantizes `count` values of type `type` at `data` into `out`.
void toFloat(ggml_type type, const void *data, float *out, int64_t count) {
  if (type == GGML_TYPE_F32)
    std::memcpy(out, data, count * sizeof(float));
  else
    ggml_get_type_traits(type)->to_float(data, out, count);
}

/// The weights and activations of one type on one shape, the ggml tensors
/// holding them, and the f64 reference of the rows the check samples.
class Problem {
public:
  /// Quantizes `source` (N x K f32) to `type`; with `repack`, also places a
  /// second copy in `repackType` if ggml's CPU backend repacks this type.
  Problem(std::string name, Shape shape, ggml_type type,
          const std::vector<float> &source, const std::vector<float> &x,
          ggml_backend_buffer_type_t repackType);
  ~Problem();
  Problem(const Problem &) = delete;
  Problem &operator=(const Problem &) = delete;

  const std::string &name() const { return name_; }
  const Shape &shape() const { return shape_; }
  bool repacked() const { return yRepacked_ != nullptr; }
  size_t weightBytes() const { return ggml_nbytes(weights_); }
  ggml_cgraph *graph(bool repacked) {
    return repacked ? graphRepacked_ : graph_;
  }

  /// The check of y (plain or repacked) after a call: the largest
  /// |y - ref| / sum |x w| over the sampled rows.
  double error(bool repacked) const;

private:
  void computeReference(const std::vector<uint8_t> &codes,
                        const std::vector<float> &x);

  std::string name_;
  Shape shape_;
  ggml_type type_;
  ggml_context *weightContext_ = nullptr;
  ggml_context *repackContext_ = nullptr;
  ggml_context *context_ = nullptr;
  ggml_backend_buffer_t weightBuffer_ = nullptr;
  ggml_backend_buffer_t repackBuffer_ = nullptr;
  ggml_backend_buffer_t buffer_ = nullptr;
  ggml_tensor *weights_ = nullptr;
  ggml_tensor *y_ = nullptr;
  ggml_tensor *yRepacked_ = nullptr;
  ggml_cgraph *graph_ = nullptr;
  ggml_cgraph *graphRepacked_ = nullptr;
  std::vector<int64_t> checkedRows_;
  /// ref and sum |x w| for each checked row, N values each.
  std::vector<double> reference_, magnitude_;
};

ggml_context *newContext(size_t tensors, size_t graphs) {
  ggml_init_params params = {};
  params.mem_size =
      tensors * ggml_tensor_overhead() + graphs * ggml_graph_overhead() + 1024;
  params.no_alloc = true; // the data lives in backend buffers
  return ggml_init(params);
}

Problem::Problem(std::string name, Shape shape, ggml_type type,
                 const std::vector<float> &source, const std::vector<float> &x,
                 ggml_backend_buffer_type_t repackType)
    : name_(std::move(name)), shape_(shape), type_(type) {
  const int64_t k = shape.k, n = shape.n, m = shape.m;
  const size_t rowBytes = ggml_row_size(type, k);
  std::vector<uint8_t> codes(rowBytes * n);
  ggml_quantize_init(type); // once, before the threads share it
  parallelFor(n, [&](int64_t begin, int64_t end) {
    ggml_quantize_chunk(type, source.data(), codes.data(), begin * k,
                        end - begin, k, nullptr);
  });
  computeReference(codes, x);

  weightContext_ = newContext(1, 0);
  weights_ = ggml_new_tensor_2d(weightContext_, type, k, n);
  weightBuffer_ = ggml_backend_alloc_ctx_tensors_from_buft(
      weightContext_, ggml_backend_cpu_buffer_type());
  adviseHugePages(weightBuffer_);
  ggml_backend_tensor_set(weights_, codes.data(), 0, codes.size());

  // The repack buffer's init_tensor picks a layout for the tensor (its
  // `extra`) or none; only a tensor with one may be set, which repacks it.
  ggml_tensor *repacked = nullptr;
  if (repackType) {
    repackContext_ = newContext(1, 0);
    repacked = ggml_new_tensor_2d(repackContext_, type, k, n);
    repackBuffer_ =
        ggml_backend_alloc_ctx_tensors_from_buft(repackContext_, repackType);
    if (repackBuffer_ && repacked->extra) {
      adviseHugePages(repackBuffer_);
      ggml_backend_tensor_set(repacked, codes.data(), 0, codes.size());
    } else {
      repacked = nullptr;
    }
  }

  context_ = newContext(4, 2);
  ggml_tensor *xTensor = ggml_new_tensor_2d(context_, GGML_TYPE_F32, k, m);
  y_ = ggml_mul_mat(context_, weights_, xTensor);
  if (repacked)
    yRepacked_ = ggml_mul_mat(context_, repacked, xTensor);
  buffer_ = ggml_backend_alloc_ctx_tensors_from_buft(
      context_, ggml_backend_cpu_buffer_type());
  adviseHugePages(buffer_);
  ggml_backend_tensor_set(xTensor, x.data(), 0, m * k * sizeof(float));
  graph_ = ggml_new_graph(context_);
  ggml_build_forward_expand(graph_, y_);
  if (yRepacked_) {
    graphRepacked_ = ggml_new_graph(context_);
    ggml_build_forward_expand(graphRepacked_, yRepacked_);
  }
}

Problem::~Problem() {
  for (ggml_backend_buffer_t buffer : {buffer_, repackBuffer_, weightBuffer_})
    if (buffer)
      ggml_backend_buffer_free(buffer);
  for (ggml_context *context : {context_, repackContext_, weightContext_})
    if (context)
      ggml_free(context);
}

void Problem::computeReference(const std::vector<uint8_t> &codes,
                               const std::vector<float> &x) {
  const int64_t k = shape_.k, n = shape_.n, m = shape_.m;
  int64_t rows = std::min(kCheckedRows, m);
  for (int64_t r = 0; r < rows; ++r)
    checkedRows_.push_back(rows == 1 ? 0 : r * (m - 1) / (rows - 1));

  // The activations as ggml's vec_dot sees them: quantized to the weights'
  // vec_dot_type (q8_0 here) by the CPU backend's own from_float, then
  // dequantized, so that the check measures the kernel, not the format.
  ggml_type dotType = ggml_get_type_traits_cpu(type_)->vec_dot_type;
  std::vector<double> xSeen(rows * k);
  std::vector<float> row(k);
  std::vector<uint8_t> rowCodes(ggml_row_size(dotType, k));
  for (int64_t r = 0; r < rows; ++r) {
    const float *xRow = x.data() + checkedRows_[r] * k;
    if (dotType == GGML_TYPE_F32) {
      std::copy(xRow, xRow + k, row.begin());
    } else {
      ggml_get_type_traits_cpu(dotType)->from_float(xRow, rowCodes.data(), k);
      toFloat(dotType, rowCodes.data(), row.data(), k);
    }
    std::copy(row.begin(), row.end(), xSeen.begin() + r * k);
  }

  reference_.assign(rows * n, 0.0);
  magnitude_.assign(rows * n, 0.0);
  const size_t rowBytes = ggml_row_size(type_, k);
  parallelFor(n, [&](int64_t begin, int64_t end) {
    std::vector<float> w(k);
    for (int64_t j = begin; j < end; ++j) {
      toFloat(type_, codes.data() + j * rowBytes, w.data(), k);
      for (int64_t r = 0; r < rows; ++r) {
        const double *xr = xSeen.data() + r * k;
        double sum = 0, magnitude = 0;
        for (int64_t i = 0; i < k; ++i) {
          double product = xr[i] * double(w[i]);
          sum += product;
          magnitude += std::fabs(product);
        }
        reference_[r * n + j] = sum;
        magnitude_[r * n + j] = magnitude;
      }
    }
  });
}

double Problem::error(bool repacked) const {
  const ggml_tensor *y = repacked ? yRepacked_ : y_;
  const int64_t n = shape_.n;
  std::vector<float> row(n);
  double worst = 0;
  for (size_t r = 0; r < checkedRows_.size(); ++r) {
    ggml_backend_tensor_get(y, row.data(), checkedRows_[r] * n * sizeof(float),
                            n * sizeof(float));
    for (int64_t j = 0; j < n; ++j) {
      double scale = std::max(magnitude_[r * n + j], 1e-30);
      double error = std::fabs(row[j] - reference_[r * n + j]) / scale;
      // NaN compares false: count it as wrong.
      worst = error <= worst ? worst : (std::isnan(error) ? INFINITY : error);
    }
  }
  return worst;
}

/// One line of the output: a problem, plain or repacked, on T threads.
struct Case {
  Problem *problem = nullptr;
  bool repacked = false;
  int threads = 1;
  std::string name;
  double firstCall = 0;
  int runsPerRound = 1;
  double error = 0;
  std::vector<double> samples;
};

/// The CPU backend's CPU_REPACK buffer type, or null if this ggml has none.
ggml_backend_buffer_type_t repackBufferType() {
  ggml_backend_reg_t reg = ggml_backend_cpu_reg();
  ggml_backend_dev_t device = ggml_backend_reg_dev_get(reg, 0);
  auto getExtra = reinterpret_cast<ggml_backend_dev_get_extra_bufts_t>(
      ggml_backend_reg_get_proc_address(reg,
                                        "ggml_backend_dev_get_extra_bufts"));
  if (!getExtra)
    return nullptr;
  for (ggml_backend_buffer_type_t *t = getExtra(device); t && *t; ++t)
    if (std::strcmp(ggml_backend_buft_name(*t), "CPU_REPACK") == 0)
      return *t;
  return nullptr;
}

double timedCall(ggml_backend_t backend, Case &c) {
  ggml_backend_cpu_set_n_threads(backend, c.threads);
  double started = now();
  if (ggml_backend_graph_compute(backend, c.problem->graph(c.repacked)) !=
      GGML_STATUS_SUCCESS) {
    std::fprintf(stderr, "ggml-mulmat: %s: ggml_backend_graph_compute failed\n",
                 c.name.c_str());
    std::exit(1);
  }
  double seconds = now() - started;
  // OpenMP's idle workers spin for a while after a call (KMP_BLOCKTIME):
  // let them stop before a 1-thread case shares the cores with them.
  if (c.threads > 1)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  return seconds;
}

std::string cpuFeatures() {
  std::string features;
  auto add = [&](const char *name, int has) {
    if (has)
      features += (features.empty() ? "" : " ") + std::string(name);
  };
  add("AVX2", ggml_cpu_has_avx2());
  add("FMA", ggml_cpu_has_fma());
  add("F16C", ggml_cpu_has_f16c());
  add("AVX512", ggml_cpu_has_avx512());
  add("AVX512_VBMI", ggml_cpu_has_avx512_vbmi());
  add("AVX512_VNNI", ggml_cpu_has_avx512_vnni());
  add("AVX512_BF16", ggml_cpu_has_avx512_bf16());
  add("AVX_VNNI", ggml_cpu_has_avx_vnni());
  add("NEON", ggml_cpu_has_neon());
  add("LLAMAFILE", ggml_cpu_has_llamafile());
  return features.empty() ? "none" : features;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  if (int status = parseOptions(argc, argv, options))
    return status == 2 ? 0 : status;

  ggml_cpu_init();
  ggml_backend_t backend = ggml_backend_cpu_init();
  ggml_backend_buffer_type_t repackType =
      options.repack ? repackBufferType() : nullptr;

#ifdef GGML_COMMIT
  const char *commit = GGML_COMMIT;
#else
  const char *commit = ggml_commit();
#endif
  std::printf("# ggml-mulmat: ggml %s (version %s), CPU features: %s\n", commit,
              ggml_version(), cpuFeatures().c_str());

  // The set-up: the types this ggml has, and for each shape one set of
  // random weights and activations that every type quantizes, so that the
  // formats are compared on the same values.
  std::vector<std::unique_ptr<Problem>> problems;
  std::vector<Case> cases;
  for (const Shape &shape : options.shapes) {
    std::vector<float> source, x;
    for (const char *typeName : kTypeNames) {
      std::string name = std::string("ggml_") + typeName;
      std::string tag = "_" + shapeTag(shape);
      bool plainWanted = selected(name + tag, options);
      bool repackWanted =
          repackType && selected(name + "_repack" + tag, options);
      if (!plainWanted && !repackWanted)
        continue;
      std::optional<ggml_type> type = typeNamed(typeName);
      if (!type) {
        if (&shape == &options.shapes.front())
          std::printf("# %s not in this ggml\n", typeName);
        continue;
      }
      if (shape.k % ggml_blck_size(*type) != 0) {
        std::printf("# %s%s: K = %lld is not a multiple of %s's block of "
                    "%lld; skipped\n",
                    name.c_str(), tag.c_str(), (long long)shape.k, typeName,
                    (long long)ggml_blck_size(*type));
        continue;
      }
      if (source.empty()) {
        std::fprintf(stderr, "ggml-mulmat: random data for %lldx%lldx%lld\n",
                     (long long)shape.m, (long long)shape.k,
                     (long long)shape.n);
        Random random(0x5EED0000 + shape.m);
        source.resize(shape.n * shape.k);
        for (float &value : source)
          value = random.uniform(-1.0f, 1.0f);
        x.resize(shape.m * shape.k);
        for (float &value : x)
          value = random.uniform(-1.0f, 1.0f);
      }
      std::fprintf(stderr, "ggml-mulmat: preparing %s%s\n", name.c_str(),
                   tag.c_str());
      problems.push_back(
          std::make_unique<Problem>(name + tag, shape, *type, source, x,
                                    repackWanted ? repackType : nullptr));
      Problem *problem = problems.back().get();
      for (bool repacked : {false, true}) {
        if (repacked ? !problem->repacked() : !plainWanted)
          continue;
        for (int threads : options.threads) {
          Case c;
          c.problem = problem;
          c.repacked = repacked;
          c.threads = threads;
          c.name = name + (repacked ? "_repack" : "") + tag;
          cases.push_back(std::move(c));
        }
      }
    }
  }
  if (cases.empty()) {
    std::fprintf(stderr, "ggml-mulmat: no case matches the filter\n");
    return 1;
  }

  // The warm-up call of each case, in turn (so that no case finds its
  // weights left in cache by its own previous call), is the one checked;
  // like lowp-bench, a fast case then runs several times a round.
  bool allOk = true;
  for (Case &c : cases) {
    c.firstCall = timedCall(backend, c);
    c.error = c.problem->error(c.repacked);
    allOk = allOk && c.error <= kTolerance;
    c.runsPerRound =
        c.firstCall > 0.5
            ? 1
            : std::clamp(static_cast<int>(0.2 / std::max(c.firstCall, 1e-6)), 1,
                         10);
    std::fprintf(stderr,
                 "ggml-mulmat:   %s threads=%d: first call %.1f ms, error "
                 "%.2g\n",
                 c.name.c_str(), c.threads, c.firstCall * 1e3, c.error);
  }
  for (int round = 1; round <= options.rounds; ++round) {
    std::fprintf(stderr, "ggml-mulmat: round %d of %d\n", round,
                 options.rounds);
    for (Case &c : cases)
      for (int r = 0; r < c.runsPerRound; ++r)
        c.samples.push_back(timedCall(backend, c));
  }

  std::printf("# medians of %d round%s; GFLOP/s = 2 M K N / time; "
              "weight_mb = 1e6 bytes; check: f64 reference on %lld rows, "
              "err = max |y - ref| / sum |x w| (tolerance %.0e)\n",
              options.rounds, options.rounds == 1 ? "" : "s",
              (long long)kCheckedRows, kTolerance);
  size_t width = 0;
  for (const Case &c : cases)
    width = std::max(width, c.name.size());
  for (const Case &c : cases) {
    const Shape &s = c.problem->shape();
    double seconds = median(c.samples);
    double gflops = 2.0 * s.m * s.k * s.n / seconds / 1e9;
    std::printf("%-*s  threads=%d  ms=%.3f  gflops=%.2f  weight_mb=%.1f  "
                "check=%s  err=%.2e\n",
                int(width), c.name.c_str(), c.threads, seconds * 1e3, gflops,
                c.problem->weightBytes() / 1e6,
                c.error <= kTolerance ? "ok" : "WRONG", c.error);
  }
  problems.clear();
  ggml_backend_free(backend);
  ggml_quantize_free();
  return allOk ? 0 : 1;
}
