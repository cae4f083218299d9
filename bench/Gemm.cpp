//===- Gemm.cpp - GEMM at batch 64 and 512: OpenBLAS and lowp -------------===//
//
// y (M x N) = x (M x K) W (K x N) with f32 activations and results, on two
// shapes: M = 64, K = N = 4096 (a small batch through a square projection)
// and M = 512, K = 4096, N = 14336 (a prefill of 512 tokens through one of
// Llama-3-8B's MLP projections). Each weight is used M times, so a GEMM is
// compute bound: its limit is the f32 FMA peak, and OpenBLAS's f32 sgemm
// on the same shape and thread count is the reference. lowp's kernels take
// the weights K x N in the GEMV kernels' formats (Weights.h); the weights
// fit the 32 MiB L3 or nearly, and one copy of them is enough.
//
//===----------------------------------------------------------------------===//

#include "Benchmark.h"
#include "LowpKernels.h"
#include "Support.h"
#include "Weights.h"

#include <cblas.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace lowp_bench {

namespace {

constexpr GemmShape kBatch64 = {64, 4096, 4096};
constexpr GemmShape kBatch512 = {512, 4096, 14336};

/// Rows of y the check compares, spread over M from the first to the last.
constexpr int64_t kCheckedRows = 8;

/// "_1t", "_2t"...
std::string threadSuffix(int threads) {
  return "_" + std::to_string(threads) + "t";
}

/// What the benchmarks of one kernel (or of OpenBLAS) on one shape share,
/// whatever their thread counts: the weights, the activations, and the f64
/// reference of the rows the check samples, computed once.
class GemmProblem {
public:
  GemmProblem(GemmShape shape, const WeightFormat &format)
      : shape_(shape), weights_(format, shape.k, shape.n, Layout::KxN, 1) {}

  const GemmShape &shape() const { return shape_; }
  WeightMatrix &weights() { return weights_; }
  float *x() { return x_.as<float>(); }

  /// Fills the weights and x (uniform in [-1, 1)); a no-op after the first
  /// call.
  void prepare() {
    weights_.prepare();
    if (x_.size())
      return;
    x_ = Buffer(shape_.m * shape_.k * sizeof(float));
    Random random(0xAC7 + shape_.m);
    float *x = x_.as<float>();
    for (int64_t i = 0; i < shape_.m * shape_.k; ++i)
      x[i] = random.uniform(-1, 1);
  }

  /// The rows of y that the check compares.
  const std::vector<int64_t> &checkedRows() {
    computeReference();
    return rows_;
  }
  /// For checked row r (an index into checkedRows()) and column n: the f64
  /// sum of the exact products x[row][k] w[k][n], and the sum of their
  /// magnitudes.
  double exact(size_t r, int64_t n) const { return exact_[r * shape_.n + n]; }
  double magnitude(size_t r, int64_t n) const {
    return magnitude_[r * shape_.n + n];
  }

private:
  /// Decodes W row by row (Weights.h: from the format definitions, not by
  /// lowp) and adds x[row][k] times row k to every checked row.
  void computeReference() {
    if (!rows_.empty())
      return;
    for (int64_t r = 0; r < kCheckedRows; ++r)
      rows_.push_back(r * (shape_.m - 1) / (kCheckedRows - 1));
    const int64_t k = shape_.k, n = shape_.n;
    exact_.assign(rows_.size() * n, 0);
    magnitude_.assign(rows_.size() * n, 0);
    std::vector<double> w(n);
    const float *x = x_.as<float>();
    for (int64_t kk = 0; kk < k; ++kk) {
      weights_.decodeRow(kk, w.data());
      for (size_t r = 0; r < rows_.size(); ++r) {
        double xValue = x[rows_[r] * k + kk];
        double *exact = exact_.data() + r * n;
        double *magnitude = magnitude_.data() + r * n;
        for (int64_t c = 0; c < n; ++c) {
          double product = xValue * w[c];
          exact[c] += product;
          magnitude[c] += std::fabs(product);
        }
      }
    }
  }

  GemmShape shape_;
  WeightMatrix weights_;
  Buffer x_;
  std::vector<int64_t> rows_;
  std::vector<double> exact_, magnitude_;
};

/// What the GEMM benchmarks share: the problem, the result, and the check
/// against the f64 reference.
class GemmBenchmark : public Benchmark {
public:
  GemmBenchmark(std::string name, std::shared_ptr<GemmProblem> problem,
                int threads)
      : name_(std::move(name) + threadSuffix(threads)),
        problem_(std::move(problem)), threads_(threads) {}

  std::string name() const override { return name_; }
  std::string description() const override {
    return problem_->weights().format().description;
  }
  Section section() const override { return Section::Gemm; }
  int threads() const override { return threads_; }
  GemmShape gemmShape() const override { return problem_->shape(); }
  uint64_t bytesRead() const override {
    const GemmShape &s = problem_->shape();
    return problem_->weights().bytesPerCopy() + s.m * s.k * sizeof(float);
  }
  uint64_t bytesWritten() const override {
    const GemmShape &s = problem_->shape();
    return s.m * s.n * sizeof(float);
  }
  /// OpenBLAS sgemm on the same shape and thread count.
  std::string baseline() const override {
    return "openblas_sgemm_" + std::to_string(problem_->shape().m) +
           threadSuffix(threads_);
  }

  void prepare() override {
    problem_->prepare();
    const GemmShape &s = problem_->shape();
    y_ = Buffer(s.m * s.n * sizeof(float));
  }

  double run(int64_t) override {
    // Outside the timed region: the thread count is a per-process setting
    // (OpenBLAS's, or the OpenMP runtime's) that each benchmark sets for
    // itself.
    setThreads();
    double start = now();
    multiply();
    return now() - start;
  }

  /// Compares all N results of kCheckedRows rows of y (the first and the
  /// last among them) with the f64 sums of exact products, within the
  /// GEMV check's bound: (K + 3) u sum|x w|, u = 2^-24, lowp.matmul's f32
  /// accumulator's promise (docs/Dialects/LowpOps.md), plus one u for
  /// rounding NVFP4's logical values to f32 and one for the result.
  CheckResult check() override {
    const GemmShape &s = problem_->shape();
    const std::vector<int64_t> &rows = problem_->checkedRows();
    const double unit = 0x1p-24, allowed = (s.k + 5) * unit;
    const float *y = y_.as<float>();
    double worst = 0;
    int64_t outside = 0, worstRow = 0, worstColumn = 0;
    for (size_t r = 0; r < rows.size(); ++r) {
      for (int64_t n = 0; n < s.n; ++n) {
        double exact = problem_->exact(r, n);
        double magnitude = problem_->magnitude(r, n);
        double error = std::fabs(double(y[rows[r] * s.n + n]) - exact);
        double relative = magnitude > 0 ? error / magnitude : error;
        if (!(relative <= allowed)) // NaN counts as outside
          ++outside;
        // The first NaN is the worst; after it, nothing replaces it.
        if (std::isnan(relative) ? !std::isnan(worst) : relative > worst) {
          worst = relative;
          worstRow = rows[r];
          worstColumn = n;
        }
      }
    }
    char detail[240];
    std::snprintf(detail, sizeof detail,
                  "rows 0 to %lld (%lld of them), all %lld columns: max |y - "
                  "exact| = %.1e sum|xw| (bound %.1e)",
                  (long long)(s.m - 1), (long long)rows.size(), (long long)s.n,
                  worst, allowed);
    CheckResult result{CheckResult::Status::Ok, detail};
    if (outside) {
      double exact = 0;
      for (size_t r = 0; r < rows.size(); ++r)
        if (rows[r] == worstRow)
          exact = problem_->exact(r, worstColumn);
      std::snprintf(detail, sizeof detail,
                    "%lld of %lld checked results (%lld rows) outside %.1e "
                    "sum|xw|; y[%lld][%lld] = %.9g, exact %.9g",
                    (long long)outside, (long long)(rows.size() * s.n),
                    (long long)rows.size(), allowed, (long long)worstRow,
                    (long long)worstColumn, y[worstRow * s.n + worstColumn],
                    exact);
      result = {CheckResult::Status::Wrong, detail};
    }
    return result;
  }

protected:
  virtual void setThreads() = 0;
  virtual void multiply() = 0;

  std::string name_;
  std::shared_ptr<GemmProblem> problem_;
  int threads_;
  Buffer y_;
};

/// cblas_sgemm on the f32 weights, row-major, neither operand transposed.
class OpenBlasGemm : public GemmBenchmark {
public:
  OpenBlasGemm(std::shared_ptr<GemmProblem> problem, int threads)
      : GemmBenchmark("openblas_sgemm_" + std::to_string(problem->shape().m),
                      problem, threads) {}

  std::string description() const override { return "f32, cblas_sgemm"; }

protected:
  void setThreads() override { openblas_set_num_threads(threads_); }
  void multiply() override {
    const GemmShape &s = problem_->shape();
    const float *w =
        static_cast<const float *>(problem_->weights().elements(0));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s.m, s.n, s.k, 1.0f,
                problem_->x(), s.k, w, s.n, 0.0f, y_.as<float>(), s.n);
  }
};

extern "C" void omp_set_num_threads(int threads);

/// Calls one lowp kernel: x, the weight parts, y.
using LowpGemmCall = void (*)(const GemmShape &shape, WeightMatrix &weights,
                              float *x, float *y);

class LowpGemm : public GemmBenchmark {
public:
  LowpGemm(std::string name, std::shared_ptr<GemmProblem> problem,
           LowpGemmCall call, int threads)
      : GemmBenchmark(std::move(name), std::move(problem), threads),
        call_(call) {}

protected:
  // lowp's kernels run their parallel loops on the OpenMP runtime.
  void setThreads() override { omp_set_num_threads(threads_); }
  void multiply() override {
    call_(problem_->shape(), problem_->weights(), problem_->x(),
          y_.as<float>());
  }

private:
  LowpGemmCall call_;
};

// One adapter per kernel, as in Gemv.cpp: packed 4-bit codes are passed
// with their sizes in bytes (a row of N codes is N / 2 bytes), scales and
// zero points have a row per block of K. A kernel that did not compile has
// an empty adapter and is never called.

#if LOWP_BENCH_HAVE_gemm_mxfp4_64 || LOWP_BENCH_HAVE_gemm_mxfp4_512
template <typename Kernel>
void callMxfp4(Kernel kernel, const GemmShape &s, WeightMatrix &w, float *x,
               float *y) {
  auto xd = describe<lowp_memref_float_2d>(x, {s.m, s.k});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(0), {s.k, s.n / 2});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(0), {s.k / 32, s.n});
  auto yd = describe<lowp_memref_float_2d>(y, {s.m, s.n});
  kernel(&xd, &ed, &sd, &yd);
}
#endif

void callGemmMxfp4Batch64(const GemmShape &s, WeightMatrix &w, float *x,
                          float *y) {
#if LOWP_BENCH_HAVE_gemm_mxfp4_64
  callMxfp4(_mlir_ciface_gemm_mxfp4_64, s, w, x, y);
#endif
}

void callGemmMxfp4Batch512(const GemmShape &s, WeightMatrix &w, float *x,
                           float *y) {
#if LOWP_BENCH_HAVE_gemm_mxfp4_512
  callMxfp4(_mlir_ciface_gemm_mxfp4_512, s, w, x, y);
#endif
}

void callGemmNvfp4Batch512(const GemmShape &s, WeightMatrix &w, float *x,
                           float *y) {
#if LOWP_BENCH_HAVE_gemm_nvfp4_512
  auto xd = describe<lowp_memref_float_2d>(x, {s.m, s.k});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(0), {s.k, s.n / 2});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(0), {s.k / 16, s.n});
  auto td = describeScalar<lowp_memref_float_0d>(w.tensorScale(0));
  auto yd = describe<lowp_memref_float_2d>(y, {s.m, s.n});
  _mlir_ciface_gemm_nvfp4_512(&xd, &ed, &sd, &td, &yd);
#endif
}

void callGemmInt4G128Batch512(const GemmShape &s, WeightMatrix &w, float *x,
                              float *y) {
#if LOWP_BENCH_HAVE_gemm_int4_g128_512
  auto xd = describe<lowp_memref_float_2d>(x, {s.m, s.k});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(0), {s.k, s.n / 2});
  auto sd = describe<lowp_memref_uint16_2d>(w.scales(0), {s.k / 128, s.n});
  auto zd =
      describe<lowp_memref_uint8_2d>(w.zeroPoints(0), {s.k / 128, s.n / 2});
  auto yd = describe<lowp_memref_float_2d>(y, {s.m, s.n});
  _mlir_ciface_gemm_int4_g128_512(&xd, &ed, &sd, &zd, &yd);
#endif
}

struct LowpGemmKernel {
  const char *name; ///< the function in bench/kernels/NAME.mlir
  bool built;
  const WeightFormat &format;
  GemmShape shape;
  LowpGemmCall call;
};

const LowpGemmKernel kLowpGemms[] = {
    {"gemm_mxfp4_64", LOWP_BENCH_HAVE_gemm_mxfp4_64, kMxfp4, kBatch64,
     callGemmMxfp4Batch64},
    {"gemm_mxfp4_512", LOWP_BENCH_HAVE_gemm_mxfp4_512, kMxfp4, kBatch512,
     callGemmMxfp4Batch512},
    {"gemm_nvfp4_512", LOWP_BENCH_HAVE_gemm_nvfp4_512, kNvfp4, kBatch512,
     callGemmNvfp4Batch512},
    {"gemm_int4_g128_512", LOWP_BENCH_HAVE_gemm_int4_g128_512, kInt4G128,
     kBatch512, callGemmInt4G128Batch512},
};

} // namespace

BenchmarkList makeGemmBenchmarks(int threads,
                                 std::vector<std::string> &notBuilt) {
  BenchmarkList list;
  for (const GemmShape &shape : {kBatch64, kBatch512}) {
    // OpenBLAS first: each shape's rows are compared with its sgemm.
    auto f32 = std::make_shared<GemmProblem>(shape, kF32);
    for (int t : {1, threads}) {
      list.push_back(std::make_unique<OpenBlasGemm>(f32, t));
      if (threads == 1)
        break;
    }
    for (const LowpGemmKernel &kernel : kLowpGemms) {
      if (kernel.shape.m != shape.m || kernel.shape.k != shape.k ||
          kernel.shape.n != shape.n)
        continue;
      if (!kernel.built) {
        notBuilt.push_back(kernel.name);
        continue;
      }
      auto problem = std::make_shared<GemmProblem>(shape, kernel.format);
      for (int t : {1, threads}) {
        list.push_back(
            std::make_unique<LowpGemm>(kernel.name, problem, kernel.call, t));
        if (threads == 1)
          break;
      }
    }
  }
  return list;
}

} // namespace lowp_bench
