//===- Gemm.cpp - GEMM at batch 2 to 512, and a block: OpenBLAS and lowp --===//
//
// y (M x N) = x (M x K) W (K x N) with f32 activations and results, on five
// shapes: M = 2, 4 and 8 with K = 4096, N = 14336 (a batched decode through
// one of Llama-3-8B's MLP projections), M = 64, K = N = 4096 (a small batch
// through a square projection) and M = 512, K = 4096, N = 14336 (a prefill
// of 512 tokens through the MLP projection). At M = 64 and 512 each weight
// is used M times, so a GEMM is compute bound: its limit is the f32 FMA
// peak, and OpenBLAS's f32 sgemm on the same shape and thread count is the
// reference; one copy of the weights is enough. At M = 2 to 8 a call is
// still mostly memory bound: the weights are cycled through cold copies as
// the GEMVs' are, and lowp's kernels are also compared with M calls of the
// GEMV (gemv_mxfp4, M = 1). lowp's kernels take the weights K x N in the
// GEMV kernels' formats (Weights.h).
//
// The transformer block stand-in (block_mxfp4_512) is the seven
// projections of one Llama-3-8B layer at M = 512, with silu(gate) * up
// between the MLP's matmuls: lowp's one kernel file against OpenBLAS
// sgemm on the same (decoded, f32) weights with the same steps in C++.
//
//===----------------------------------------------------------------------===//

#include "Benchmark.h"
#include "LowpKernels.h"
#include "Support.h"
#include "Weights.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace lowp_bench {

namespace {

constexpr GemmShape kBatch2 = {2, 4096, 14336};
constexpr GemmShape kBatch4 = {4, 4096, 14336};
constexpr GemmShape kBatch8 = {8, 4096, 14336};
constexpr GemmShape kBatch64 = {64, 4096, 4096};
constexpr GemmShape kBatch512 = {512, 4096, 14336};

/// Rows of y the check compares, spread over M from the first to the last
/// (all of them when M is at most this).
constexpr int64_t kCheckedRows = 8;

bool sameShape(const GemmShape &a, const GemmShape &b) {
  return a.m == b.m && a.k == b.k && a.n == b.n;
}

/// A small batch: memory bound, so its weights are cold (cycled through
/// copies, as the GEMVs' are), and it is named "m2", "m4", "m8".
bool smallBatch(const GemmShape &shape) { return shape.m <= 8; }

/// The part of a GEMM's name that gives its shape: "m2" .. "m8", "64",
/// "512".
std::string shapeTag(const GemmShape &shape) {
  return (smallBatch(shape) ? "m" : "") + std::to_string(shape.m);
}

/// "_1t", "_2t"...
std::string threadSuffix(int threads) {
  return "_" + std::to_string(threads) + "t";
}

/// How a GEMM's activations x are stored: f32, or the codes (and scales)
/// of a low-precision format, which lowp's kernel reads as they are.
enum class Activations {
  F32,
  /// FP8 E4M3 codes (magnitudes 2^-9 .. 448, no NaN).
  E4M3,
  /// E4M3 codes and one f32 scale for all of x (2^-8 .. 2^-4), which the
  /// kernel applies to the f32 product with the weight's tensor scale:
  /// y = (x W) * (x_scale * w_scale), torch._scaled_mm's W8A8.
  E4M3PerTensor,
  /// MXFP8: E4M3 codes and an E8M0 scale per 32 values of a row
  /// (2^-7 .. 2^0).
  Mxfp8,
  /// int8 codes (-127 .. 127) and an f32 scale per row (0.001 .. 0.01).
  Int8PerRow,
};

/// How the rows of the GEMM table name the activations: "" for f32.
const char *describeActivations(Activations activations) {
  switch (activations) {
  case Activations::F32:
    return "";
  case Activations::E4M3:
    return "E4M3 activations, ";
  case Activations::E4M3PerTensor:
    return "E4M3 activations (an f32 scale per tensor), ";
  case Activations::Mxfp8:
    return "MXFP8 activations (E4M3, E8M0 per 32), ";
  case Activations::Int8PerRow:
    return "int8 activations (an f32 scale per row), ";
  }
  return "";
}

/// What the benchmarks of one kernel (or of OpenBLAS) on one shape share,
/// whatever their thread counts: the weights (a small batch's are shared
/// by its three shapes), the activations, and the f64 reference of the
/// rows the check samples, computed once.
class GemmProblem {
public:
  GemmProblem(GemmShape shape, std::shared_ptr<WeightMatrix> weights,
              Activations activations = Activations::F32)
      : shape_(shape), weights_(std::move(weights)), activations_(activations) {
  }

  const GemmShape &shape() const { return shape_; }
  WeightMatrix &weights() { return *weights_; }
  Activations activations() const { return activations_; }
  /// x's values (for f32 activations what the kernels read; for others
  /// the decoded codes, which the reference reads: without a per-tensor
  /// scale, which the reference multiplies by in f64, since the product
  /// of an E4M3 value and an f32 scale need not be an f32).
  float *x() { return x_.as<float>(); }
  /// The codes and scales of low-precision activations.
  void *xCodes() { return xCodes_.as<void>(); }
  void *xScales() { return xScales_.as<void>(); }

  /// Fills the weights and x (uniform in [-1, 1), or random codes and
  /// scales, decoded into x); a no-op after the first call.
  void prepare() {
    weights_->prepare();
    if (x_.size())
      return;
    const int64_t count = shape_.m * shape_.k;
    x_ = Buffer(count * sizeof(float));
    Random random(0xAC7 + shape_.m);
    float *x = x_.as<float>();
    if (activations_ == Activations::F32) {
      for (int64_t i = 0; i < count; ++i)
        x[i] = random.uniform(-1, 1);
      return;
    }
    xCodes_ = Buffer(count);
    if (activations_ == Activations::Int8PerRow) {
      xScales_ = Buffer(shape_.m * sizeof(float));
      auto *codes = xCodes_.as<int8_t>();
      auto *scales = xScales_.as<float>();
      for (int64_t m = 0; m < shape_.m; ++m) {
        scales[m] = random.uniform(0.001f, 0.01f);
        for (int64_t k = 0; k < shape_.k; ++k) {
          codes[m * shape_.k + k] = int8_t(random.between(-127, 127));
          // lowp.matmul rounds each activation's value to f32.
          x[m * shape_.k + k] =
              float(double(codes[m * shape_.k + k]) * double(scales[m]));
        }
      }
      return;
    }
    auto *codes = xCodes_.as<uint8_t>();
    for (int64_t i = 0; i < count; ++i) {
      // Any E4M3 code but the NaNs (0x7F, 0xFF).
      codes[i] = uint8_t(random.between(0, 0x7E) | (random.between(0, 1) << 7));
      x[i] = float(decodeE4M3(codes[i]));
    }
    if (activations_ == Activations::E4M3PerTensor) {
      xScales_ = Buffer(sizeof(float));
      *xScales_.as<float>() = random.uniform(0x1p-8f, 0x1p-4f);
    }
    if (activations_ == Activations::Mxfp8) {
      const int64_t blocks = shape_.k / 32;
      xScales_ = Buffer(shape_.m * blocks);
      auto *scales = xScales_.as<uint8_t>();
      for (int64_t i = 0; i < shape_.m * blocks; ++i)
        scales[i] = uint8_t(random.between(120, 127));
      for (int64_t i = 0; i < count; ++i)
        x[i] = float(double(x[i]) * decodeE8M0(scales[i / 32]));
    }
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
    if (shape_.m <= kCheckedRows)
      for (int64_t r = 0; r < shape_.m; ++r)
        rows_.push_back(r);
    else
      for (int64_t r = 0; r < kCheckedRows; ++r)
        rows_.push_back(r * (shape_.m - 1) / (kCheckedRows - 1));
    const int64_t k = shape_.k, n = shape_.n;
    exact_.assign(rows_.size() * n, 0);
    magnitude_.assign(rows_.size() * n, 0);
    std::vector<double> w(n);
    const float *x = x_.as<float>();
    // x_scale * x[k] is exact in f64 (4 + 24 bits), as are the weights'
    // values; their products round in f64, 2^-53 of sum|x w| at most.
    const double xScale = activations_ == Activations::E4M3PerTensor
                              ? double(*xScales_.as<float>())
                              : 1;
    for (int64_t kk = 0; kk < k; ++kk) {
      weights_->decodeRow(kk, w.data());
      for (size_t r = 0; r < rows_.size(); ++r) {
        double xValue = x[rows_[r] * k + kk] * xScale;
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
  std::shared_ptr<WeightMatrix> weights_;
  Activations activations_;
  Buffer x_, xCodes_, xScales_;
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
    return describeActivations(problem_->activations()) +
           std::string(problem_->weights().format().description);
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
    return "openblas_sgemm_" + shapeTag(problem_->shape()) +
           threadSuffix(threads_);
  }

  void prepare() override {
    problem_->prepare();
    const GemmShape &s = problem_->shape();
    y_ = Buffer(s.m * s.n * sizeof(float));
  }

  double run(int64_t call) override {
    // Outside the timed region: the thread count is a per-process setting
    // (OpenBLAS's, or the OpenMP runtime's) that each benchmark sets for
    // itself.
    setThreads();
    int copy = static_cast<int>(call % problem_->weights().copies());
    double start = now();
    multiply(copy);
    return now() - start;
  }

  /// Compares all N results of kCheckedRows rows of y (the first and the
  /// last among them) with the f64 sums of exact products, within the
  /// GEMV check's bound: (K + 3) u sum|x w|, u = 2^-24, lowp.matmul's f32
  /// accumulator's promise (docs/Dialects/LowpOps.md), plus one u for
  /// rounding NVFP4's logical values to f32 and one for the result.
  /// Per-tensor scales add two f32 roundings after the matmul (x_scale *
  /// w_scale, then the product times it), so two u more; the products of
  /// the matmul's error with those (2 (K + 4) u^2, under 0.001 u here)
  /// fit in the u such a kernel does not use for NVFP4.
  CheckResult check() override {
    const GemmShape &s = problem_->shape();
    const std::vector<int64_t> &rows = problem_->checkedRows();
    const int scaleRoundings =
        problem_->activations() == Activations::E4M3PerTensor ? 2 : 0;
    const double unit = 0x1p-24, allowed = (s.k + 5 + scaleRoundings) * unit;
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
  /// One product on copy `copy` of the weights (call 0, the checked one,
  /// uses copy 0).
  virtual void multiply(int copy) = 0;

  std::string name_;
  std::shared_ptr<GemmProblem> problem_;
  int threads_;
  Buffer y_;
};

/// cblas_sgemm on the f32 weights, row-major, neither operand transposed.
class OpenBlasGemm : public GemmBenchmark {
public:
  OpenBlasGemm(std::shared_ptr<GemmProblem> problem, int threads)
      : GemmBenchmark("openblas_sgemm_" + shapeTag(problem->shape()), problem,
                      threads) {}

  std::string description() const override { return "f32, cblas_sgemm"; }

protected:
  void setThreads() override { openblas_set_num_threads(threads_); }
  void multiply(int copy) override {
    const GemmShape &s = problem_->shape();
    const float *w =
        static_cast<const float *>(problem_->weights().elements(copy));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s.m, s.n, s.k, 1.0f,
                problem_->x(), s.k, w, s.n, 0.0f, y_.as<float>(), s.n);
  }
};

extern "C" void omp_set_num_threads(int threads);

/// Calls one lowp kernel: x (the problem's, f32 or codes and scales), the
/// weight parts of one copy, y.
using LowpGemmCall = void (*)(GemmProblem &problem, int copy, float *y);

class LowpGemm : public GemmBenchmark {
public:
  LowpGemm(std::string name, std::shared_ptr<GemmProblem> problem,
           LowpGemmCall call, const char *gemvPerRow, int threads)
      : GemmBenchmark(std::move(name), std::move(problem), threads),
        call_(call), gemvPerRow_(gemvPerRow ? gemvPerRow : "") {}

  /// The GEMV on the same weights at M = 1, on as many threads.
  std::string gemvPerRow() const override {
    return gemvPerRow_.empty() ? "" : gemvPerRow_ + threadSuffix(threads_);
  }
  /// At M = 64 and 512: f32 activations at least sgemm's speed, narrow
  /// activations (W8A8, W4A8) twice it.
  double target() const override {
    if (smallBatch(problem_->shape()))
      return 0;
    return problem_->activations() == Activations::F32 ? 1.0 : 2.0;
  }

protected:
  // lowp's kernels run their parallel loops on the OpenMP runtime.
  void setThreads() override { omp_set_num_threads(threads_); }
  void multiply(int copy) override { call_(*problem_, copy, y_.as<float>()); }

private:
  LowpGemmCall call_;
  std::string gemvPerRow_;
};

// One adapter per kernel, as in Gemv.cpp: packed 4-bit codes are passed
// with their sizes in bytes (a row of N codes is N / 2 bytes), scales and
// zero points have a row per block of K. A kernel that did not compile has
// an empty adapter and is never called.

#if LOWP_BENCH_HAVE_gemm_mxfp4_64 || LOWP_BENCH_HAVE_gemm_mxfp4_512 ||         \
    LOWP_BENCH_HAVE_gemm_mxfp4_m2 || LOWP_BENCH_HAVE_gemm_mxfp4_m4 ||          \
    LOWP_BENCH_HAVE_gemm_mxfp4_m8
template <typename Kernel>
void callMxfp4(Kernel kernel, GemmProblem &p, int copy, float *y) {
  const GemmShape &s = p.shape();
  WeightMatrix &w = p.weights();
  auto xd = describe<lowp_memref_float_2d>(p.x(), {s.m, s.k});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {s.k, s.n / 2});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {s.k / 32, s.n});
  auto yd = describe<lowp_memref_float_2d>(y, {s.m, s.n});
  kernel(&xd, &ed, &sd, &yd);
}
#endif

void callGemmMxfp4Batch2(GemmProblem &p, int copy, float *y) {
#if LOWP_BENCH_HAVE_gemm_mxfp4_m2
  callMxfp4(_mlir_ciface_gemm_mxfp4_m2, p, copy, y);
#endif
}

void callGemmMxfp4Batch4(GemmProblem &p, int copy, float *y) {
#if LOWP_BENCH_HAVE_gemm_mxfp4_m4
  callMxfp4(_mlir_ciface_gemm_mxfp4_m4, p, copy, y);
#endif
}

void callGemmMxfp4Batch8(GemmProblem &p, int copy, float *y) {
#if LOWP_BENCH_HAVE_gemm_mxfp4_m8
  callMxfp4(_mlir_ciface_gemm_mxfp4_m8, p, copy, y);
#endif
}

void callGemmMxfp4Batch64(GemmProblem &p, int copy, float *y) {
#if LOWP_BENCH_HAVE_gemm_mxfp4_64
  callMxfp4(_mlir_ciface_gemm_mxfp4_64, p, copy, y);
#endif
}

void callGemmMxfp4Batch512(GemmProblem &p, int copy, float *y) {
#if LOWP_BENCH_HAVE_gemm_mxfp4_512
  callMxfp4(_mlir_ciface_gemm_mxfp4_512, p, copy, y);
#endif
}

void callGemmNvfp4Batch512(GemmProblem &p, int copy, float *y) {
#if LOWP_BENCH_HAVE_gemm_nvfp4_512
  const GemmShape &s = p.shape();
  WeightMatrix &w = p.weights();
  auto xd = describe<lowp_memref_float_2d>(p.x(), {s.m, s.k});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {s.k, s.n / 2});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {s.k / 16, s.n});
  auto td = describeScalar<lowp_memref_float_0d>(w.tensorScale(copy));
  auto yd = describe<lowp_memref_float_2d>(y, {s.m, s.n});
  _mlir_ciface_gemm_nvfp4_512(&xd, &ed, &sd, &td, &yd);
#endif
}

void callGemmInt4G128Batch512(GemmProblem &p, int copy, float *y) {
#if LOWP_BENCH_HAVE_gemm_int4_g128_512
  const GemmShape &s = p.shape();
  WeightMatrix &w = p.weights();
  auto xd = describe<lowp_memref_float_2d>(p.x(), {s.m, s.k});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {s.k, s.n / 2});
  auto sd = describe<lowp_memref_uint16_2d>(w.scales(copy), {s.k / 128, s.n});
  auto zd =
      describe<lowp_memref_uint8_2d>(w.zeroPoints(copy), {s.k / 128, s.n / 2});
  auto yd = describe<lowp_memref_float_2d>(y, {s.m, s.n});
  _mlir_ciface_gemm_int4_g128_512(&xd, &ed, &sd, &zd, &yd);
#endif
}

// Low-precision activations: their codes and scales, then the weight's
// parts.

template <typename Kernel>
void callMxfp8Mxfp4(Kernel kernel, GemmProblem &p, int copy, float *y) {
  const GemmShape &s = p.shape();
  WeightMatrix &w = p.weights();
  auto xe = describe<lowp_memref_uint8_2d>(p.xCodes(), {s.m, s.k});
  auto xs = describe<lowp_memref_uint8_2d>(p.xScales(), {s.m, s.k / 32});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {s.k, s.n / 2});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {s.k / 32, s.n});
  auto yd = describe<lowp_memref_float_2d>(y, {s.m, s.n});
  kernel(&xe, &xs, &ed, &sd, &yd);
}

void callGemmMxfp8Mxfp4Batch64(GemmProblem &p, int copy, float *y) {
#if LOWP_BENCH_HAVE_gemm_mxfp8_mxfp4_64
  callMxfp8Mxfp4(_mlir_ciface_gemm_mxfp8_mxfp4_64, p, copy, y);
#endif
}

void callGemmMxfp8Mxfp4Batch512(GemmProblem &p, int copy, float *y) {
#if LOWP_BENCH_HAVE_gemm_mxfp8_mxfp4_512
  callMxfp8Mxfp4(_mlir_ciface_gemm_mxfp8_mxfp4_512, p, copy, y);
#endif
}

void callGemmE4m3Mxfp8Batch512(GemmProblem &p, int copy, float *y) {
#if LOWP_BENCH_HAVE_gemm_e4m3_mxfp8_512
  const GemmShape &s = p.shape();
  WeightMatrix &w = p.weights();
  auto xe = describe<lowp_memref_uint8_2d>(p.xCodes(), {s.m, s.k});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {s.k, s.n});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {s.k / 32, s.n});
  auto yd = describe<lowp_memref_float_2d>(y, {s.m, s.n});
  _mlir_ciface_gemm_e4m3_mxfp8_512(&xe, &ed, &sd, &yd);
#endif
}

void callGemmE4m3E4m3Batch512(GemmProblem &p, int copy, float *y) {
#if LOWP_BENCH_HAVE_gemm_e4m3_e4m3_512
  const GemmShape &s = p.shape();
  WeightMatrix &w = p.weights();
  auto xe = describe<lowp_memref_uint8_2d>(p.xCodes(), {s.m, s.k});
  auto xs = describeScalar<lowp_memref_float_0d>(p.xScales());
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {s.k, s.n});
  auto ws = describeScalar<lowp_memref_float_0d>(w.tensorScale(copy));
  auto yd = describe<lowp_memref_float_2d>(y, {s.m, s.n});
  _mlir_ciface_gemm_e4m3_e4m3_512(&xe, &xs, &ed, &ws, &yd);
#endif
}

void callGemmInt8Int4G128Batch512(GemmProblem &p, int copy, float *y) {
#if LOWP_BENCH_HAVE_gemm_int8_int4_g128_512
  const GemmShape &s = p.shape();
  WeightMatrix &w = p.weights();
  auto xe = describe<lowp_memref_int8_2d>(p.xCodes(), {s.m, s.k});
  auto xs = describe<lowp_memref_float_2d>(p.xScales(), {s.m, 1});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {s.k, s.n / 2});
  auto sd = describe<lowp_memref_uint16_2d>(w.scales(copy), {s.k / 128, s.n});
  auto zd =
      describe<lowp_memref_uint8_2d>(w.zeroPoints(copy), {s.k / 128, s.n / 2});
  auto yd = describe<lowp_memref_float_2d>(y, {s.m, s.n});
  _mlir_ciface_gemm_int8_int4_g128_512(&xe, &xs, &ed, &sd, &zd, &yd);
#endif
}

struct LowpGemmKernel {
  const char *name; ///< the function in bench/kernels/NAME.mlir
  bool built;
  const WeightFormat &format;
  GemmShape shape;
  LowpGemmCall call;
  /// The GEMV (M = 1) on the same format and weight shape that a small
  /// batch's time per row is compared with.
  const char *gemvPerRow = nullptr;
  Activations activations = Activations::F32;
};

const LowpGemmKernel kLowpGemms[] = {
    {"gemm_mxfp4_m2", LOWP_BENCH_HAVE_gemm_mxfp4_m2, kMxfp4, kBatch2,
     callGemmMxfp4Batch2, "gemv_mxfp4"},
    {"gemm_mxfp4_m4", LOWP_BENCH_HAVE_gemm_mxfp4_m4, kMxfp4, kBatch4,
     callGemmMxfp4Batch4, "gemv_mxfp4"},
    {"gemm_mxfp4_m8", LOWP_BENCH_HAVE_gemm_mxfp4_m8, kMxfp4, kBatch8,
     callGemmMxfp4Batch8, "gemv_mxfp4"},
    {"gemm_mxfp4_64", LOWP_BENCH_HAVE_gemm_mxfp4_64, kMxfp4, kBatch64,
     callGemmMxfp4Batch64},
    {"gemm_mxfp4_512", LOWP_BENCH_HAVE_gemm_mxfp4_512, kMxfp4, kBatch512,
     callGemmMxfp4Batch512},
    {"gemm_nvfp4_512", LOWP_BENCH_HAVE_gemm_nvfp4_512, kNvfp4, kBatch512,
     callGemmNvfp4Batch512},
    {"gemm_int4_g128_512", LOWP_BENCH_HAVE_gemm_int4_g128_512, kInt4G128,
     kBatch512, callGemmInt4G128Batch512},
    // W4A8 and W8A8: both operands narrow, multiplied as bf16 pairs.
    {"gemm_mxfp8_mxfp4_64", LOWP_BENCH_HAVE_gemm_mxfp8_mxfp4_64, kMxfp4,
     kBatch64, callGemmMxfp8Mxfp4Batch64, nullptr, Activations::Mxfp8},
    {"gemm_mxfp8_mxfp4_512", LOWP_BENCH_HAVE_gemm_mxfp8_mxfp4_512, kMxfp4,
     kBatch512, callGemmMxfp8Mxfp4Batch512, nullptr, Activations::Mxfp8},
    {"gemm_e4m3_mxfp8_512", LOWP_BENCH_HAVE_gemm_e4m3_mxfp8_512, kMxfp8,
     kBatch512, callGemmE4m3Mxfp8Batch512, nullptr, Activations::E4M3},
    {"gemm_e4m3_e4m3_512", LOWP_BENCH_HAVE_gemm_e4m3_e4m3_512, kE4m3, kBatch512,
     callGemmE4m3E4m3Batch512, nullptr, Activations::E4M3PerTensor},
    {"gemm_int8_int4_g128_512", LOWP_BENCH_HAVE_gemm_int8_int4_g128_512,
     kInt4G128, kBatch512, callGemmInt8Int4G128Batch512, nullptr,
     Activations::Int8PerRow},
};

//===----------------------------------------------------------------------===//
// The transformer block stand-in: one Llama-3-8B layer's projections
//===----------------------------------------------------------------------===//

// x (512 x 4096) through the seven K x N weights of one layer, in the
// order bench/kernels/block_mxfp4_512.mlir takes them:
//   q = x Wq, k = x Wk, v = x Wv, o = q Wo,
//   h = silu(x Wgate) * (x Wup), silu(t) = t / (1 + exp(-t)), d = h Wdown;
// the results are o, k, v and d.
enum BlockWeight { kWq, kWk, kWv, kWo, kWgate, kWup, kWdown, kBlockWeights };
enum BlockOutput { kOutO, kOutK, kOutV, kOutD, kBlockOutputs };

constexpr int64_t kBlockM = 512;
struct BlockWeightShape {
  int64_t k, n;
};
constexpr BlockWeightShape kBlockWeightShapes[kBlockWeights] = {
    {4096, 4096},  {4096, 1024},  {4096, 1024}, {4096, 4096},
    {4096, 14336}, {4096, 14336}, {14336, 4096}};
constexpr const char *kBlockOutputNames[kBlockOutputs] = {"o", "k", "v", "d"};
constexpr int64_t kBlockOutputColumns[kBlockOutputs] = {4096, 1024, 1024, 4096};
/// The seven matmuls' 2 M N K: 223.3 GFLOP (silu and the product with up
/// are not counted).
constexpr GemmShape kBlockShape = {kBlockM, 4096, 0, "512, 7 matmuls",
                                   2.0 * kBlockM * 4096 *
                                       (4096 + 1024 + 1024 + 4096 + 3 * 14336)};

/// Rows of the results the check compares: the first and the last, and
/// two between.
constexpr int64_t kBlockCheckedRows[] = {0, 170, 340, 511};

/// A checked row of an intermediate or a result: its exact value (f64,
/// from the decoded weights) and how far from it a result computed by
/// lowp's rules (lowp.matmul's f32 products and sums, f32 elementwise
/// arithmetic) may be, the errors of its inputs included.
struct Bounded {
  std::vector<double> value, bound;
};

constexpr double kUnit = 0x1p-24; ///< f32's unit roundoff

/// The error bound of an f32 dot product of length K, relative to the sum
/// of the magnitudes of its products: gamma_(K+5) = (K + 5) u / (1 - (K +
/// 5) u). That is lowp.matmul's documented (K + 3) u plus one u for the
/// result and one for rounding logical values (the GEMM check's bound),
/// in the form that also bounds any order of f32 summation (Higham's
/// gamma_n), so that OpenBLAS's sgemm meets it too.
double dotBound(int64_t k) {
  double n = double(k + 5) * kUnit;
  return n / (1 - n);
}

/// The exponent of the lowest set bit of `v` (not 0): v is an integer
/// multiple of 2^lowestBit(v).
int lowestBit(double v) {
  int exponent = 0;
  double fraction = std::frexp(std::fabs(v), &exponent);
  auto mantissa = static_cast<uint64_t>(std::ldexp(fraction, 53));
  return exponent - 53 + __builtin_ctzll(mantissa);
}

/// The checked rows of in W (K x N, decoded row by row from the format
/// definitions): value = in W in f64; bound = gamma_(K+5) sum_k (|in_k| +
/// e_k) |w_kn| (the f32 matmul's own error, on inputs that may be off by
/// their bounds e_k) + sum_k e_k |w_kn| (the inputs' errors carried
/// through); or 0 where the f32 matmul is exact: when the inputs are exact
/// multiples of 2^a and the weights of 2^b, every product and every
/// partial sum, in any order, is a multiple of 2^(a+b) no larger than
/// sum_k |in_k w_kn|, so while that is at most 2^(24+a+b) each is an f32
/// and lowp.matmul's f32 products and sums (docs/Dialects/LowpOps.md)
/// make no rounding error at all (nor do sgemm's, nor lowp's kernels'
/// sums of x times E2M1 codes per block, then times the power-of-two
/// scale).
std::vector<Bounded> boundedProduct(const WeightMatrix &w,
                                    const std::vector<Bounded> &in) {
  const int64_t k = w.k(), n = w.n();
  constexpr int kNoBits = 1000; // the grain of all zeros
  bool inputsExact = true;
  int inGrain = kNoBits, wGrain = kNoBits;
  for (const Bounded &row : in)
    for (int64_t kk = 0; kk < k; ++kk) {
      inputsExact &= row.bound[kk] == 0;
      if (row.value[kk] != 0)
        inGrain = std::min(inGrain, lowestBit(row.value[kk]));
    }
  std::vector<Bounded> out(in.size());
  std::vector<std::vector<double>> magnitude(in.size()), carried(in.size());
  for (size_t r = 0; r < in.size(); ++r) {
    out[r].value.assign(n, 0);
    magnitude[r].assign(n, 0);
    carried[r].assign(n, 0);
  }
  std::vector<double> row(n), absRow(n);
  for (int64_t kk = 0; kk < k; ++kk) {
    w.decodeRow(kk, row.data());
    for (int64_t c = 0; c < n; ++c) {
      absRow[c] = std::fabs(row[c]);
      if (row[c] != 0)
        wGrain = std::min(wGrain, lowestBit(row[c]));
    }
    for (size_t r = 0; r < in.size(); ++r) {
      double a = in[r].value[kk], e = in[r].bound[kk];
      double big = std::fabs(a) + e;
      double *value = out[r].value.data();
      double *mag = magnitude[r].data(), *car = carried[r].data();
      for (int64_t c = 0; c < n; ++c) {
        value[c] += a * row[c];
        mag[c] += big * absRow[c];
        car[c] += e * absRow[c];
      }
    }
  }
  const double gamma = dotBound(k);
  const double exactBelow =
      inputsExact ? std::ldexp(1.0, 24 + std::min(inGrain + wGrain, 1000)) : -1;
  for (size_t r = 0; r < in.size(); ++r) {
    out[r].bound.resize(n);
    for (int64_t c = 0; c < n; ++c)
      out[r].bound[c] = magnitude[r][c] <= exactBelow
                            ? 0
                            : gamma * magnitude[r][c] + carried[r][c];
  }
  return out;
}

/// h = silu(gate) * up, silu(t) = t / (1 + exp(-t)), with the bound of
/// its f32 evaluation: exp within 4 ulp (8 u relative; lowp lowers
/// math.exp to libm's expf, under 1 ulp), the add and the divide rounded
/// once each (silu's relative error <= 8 u + 3 u, the 3rd u covering the
/// second-order terms), silu's slope at most 1.1 (1.0998 at t = 2.4) for
/// the error of gate, one rounding for the product; plus 1e-30 for exp's
/// overflow and underflow (silu(t) < 1e-36 where exp(-t) overflows).
Bounded swiglu(const Bounded &gate, const Bounded &up) {
  constexpr double expError = 8 * kUnit, slope = 1.1, tiny = 1e-30;
  const size_t n = gate.value.size();
  Bounded h;
  h.value.resize(n);
  h.bound.resize(n);
  for (size_t c = 0; c < n; ++c) {
    double g = gate.value[c], eg = gate.bound[c];
    double p = up.value[c], ep = up.bound[c];
    double silu = g / (1 + std::exp(-g));
    double es = (expError + 3 * kUnit) * (std::fabs(silu) + slope * eg) +
                slope * eg + tiny;
    double bigSilu = std::fabs(silu) + es;
    h.value[c] = silu * p;
    h.bound[c] = kUnit * bigSilu * (std::fabs(p) + ep) + bigSilu * ep +
                 std::fabs(p) * es;
  }
  return h;
}

/// What the block's benchmarks share: x, the MXFP4 weights (one copy:
/// 116 MB, read once per 223 GFLOP), their decoded f32 values for
/// OpenBLAS (872 MB, made only if an OpenBLAS row runs) and the f64
/// reference of the checked rows, computed once.
class BlockProblem {
public:
  BlockProblem() {
    for (int w = 0; w < kBlockWeights; ++w)
      weights_.push_back(std::make_unique<WeightMatrix>(
          kMxfp4, kBlockWeightShapes[w].k, kBlockWeightShapes[w].n, Layout::KxN,
          1, /*seed=*/w + 1));
  }

  WeightMatrix &weights(int w) { return *weights_[w]; }
  float *x() { return x_.as<float>(); }
  const float *f32Weights(int w) const { return f32_[w].as<float>(); }
  uint64_t mxfp4Bytes() const {
    uint64_t bytes = 0;
    for (const auto &w : weights_)
      bytes += w->bytesPerCopy();
    return bytes;
  }
  uint64_t f32Bytes() const {
    uint64_t bytes = 0;
    for (const BlockWeightShape &s : kBlockWeightShapes)
      bytes += s.k * s.n * sizeof(float);
    return bytes;
  }

  /// The MXFP4 weights (distinct random codes for each) and x, uniform on
  /// the multiples of 1/16 in [-1, 1]; a no-op after the first call. On
  /// such an x the first five matmuls are exact in f32 (boundedProduct:
  /// sum_k |x w| is about 1200 here, 2^24 / 16 / 256 = 4096 allowed), so
  /// the check can hold o and d to their own matmul's bound, where f32
  /// rounding errors of q, gate and up, carried through at worst case,
  /// would allow about 30% of |o| and 100% of |d|.
  void prepare() {
    for (auto &w : weights_)
      w->prepare();
    if (x_.size())
      return;
    x_ = Buffer(kBlockM * 4096 * sizeof(float));
    Random random(0xB10C);
    for (int64_t i = 0; i < kBlockM * 4096; ++i)
      x_.as<float>()[i] = random.between(-16, 16) / 16.0f;
  }

  /// The MXFP4 weights' exact values as f32 (E2M1 times a power of two),
  /// so that OpenBLAS computes the same block as lowp.
  void prepareF32() {
    prepare();
    if (!f32_.empty())
      return;
    for (int w = 0; w < kBlockWeights; ++w) {
      const int64_t k = kBlockWeightShapes[w].k, n = kBlockWeightShapes[w].n;
      f32_.emplace_back(k * n * sizeof(float));
      std::vector<double> row(n);
      float *out = f32_.back().as<float>();
      for (int64_t kk = 0; kk < k; ++kk) {
        weights_[w]->decodeRow(kk, row.data());
        for (int64_t c = 0; c < n; ++c)
          out[kk * n + c] = static_cast<float>(row[c]);
      }
    }
  }

  /// Checked row r (an index into kBlockCheckedRows) of result `output`.
  const Bounded &reference(int output, size_t r) {
    computeReference();
    return reference_[output][r];
  }

private:
  /// The block in f64 on the checked rows of x, with the weights decoded
  /// by Weights.h (not by lowp), each step's bound carried to the next.
  void computeReference() {
    if (!reference_[0].empty())
      return;
    std::vector<Bounded> x;
    for (int64_t row : kBlockCheckedRows) {
      Bounded b;
      b.value.assign(x_.as<float>() + row * 4096,
                     x_.as<float>() + (row + 1) * 4096);
      b.bound.assign(4096, 0); // x is exact
      x.push_back(std::move(b));
    }
    std::vector<Bounded> q = boundedProduct(*weights_[kWq], x);
    reference_[kOutO] = boundedProduct(*weights_[kWo], q);
    reference_[kOutK] = boundedProduct(*weights_[kWk], x);
    reference_[kOutV] = boundedProduct(*weights_[kWv], x);
    std::vector<Bounded> gate = boundedProduct(*weights_[kWgate], x);
    std::vector<Bounded> up = boundedProduct(*weights_[kWup], x);
    std::vector<Bounded> h;
    for (size_t r = 0; r < x.size(); ++r)
      h.push_back(swiglu(gate[r], up[r]));
    reference_[kOutD] = boundedProduct(*weights_[kWdown], h);
  }

  std::vector<std::unique_ptr<WeightMatrix>> weights_;
  Buffer x_;
  std::vector<Buffer> f32_;
  std::vector<Bounded> reference_[kBlockOutputs];
};

/// What the block's benchmarks share: the results and their check.
class BlockBenchmark : public Benchmark {
public:
  BlockBenchmark(std::string name, std::shared_ptr<BlockProblem> problem,
                 int threads)
      : name_(std::move(name) + threadSuffix(threads)),
        problem_(std::move(problem)), threads_(threads) {}

  std::string name() const override { return name_; }
  Section section() const override { return Section::Gemm; }
  int threads() const override { return threads_; }
  GemmShape gemmShape() const override { return kBlockShape; }
  uint64_t bytesWritten() const override {
    uint64_t bytes = 0;
    for (int64_t columns : kBlockOutputColumns)
      bytes += kBlockM * columns * sizeof(float);
    return bytes;
  }
  /// OpenBLAS's block on the same thread count.
  std::string baseline() const override {
    return "openblas_block_512" + threadSuffix(threads_);
  }

  void prepare() override {
    for (int o = 0; o < kBlockOutputs; ++o)
      outputs_[o] = Buffer(kBlockM * kBlockOutputColumns[o] * sizeof(float));
  }

  double run(int64_t) override {
    setThreads(); // outside the timed region, as the GEMMs'
    double start = now();
    compute();
    return now() - start;
  }

  /// Compares all columns of the checked rows of o, k, v and d with the
  /// f64 reference, each within its bound (BlockProblem, boundedProduct,
  /// swiglu): k and v exactly (so q, gate and up are exact too, by the
  /// same rule), o and d within gamma_(K+5) of their matmul, d's bound
  /// also carrying silu's f32 rounding.
  CheckResult check() override {
    int64_t outside = 0, total = 0;
    double worst[kBlockOutputs] = {};
    bool allExact[kBlockOutputs];
    std::string firstOutside;
    for (int o = 0; o < kBlockOutputs; ++o) {
      allExact[o] = true;
      const int64_t columns = kBlockOutputColumns[o];
      const float *y = outputs_[o].as<float>();
      for (size_t r = 0; r < std::size(kBlockCheckedRows); ++r) {
        const Bounded &exact = problem_->reference(o, r);
        const int64_t row = kBlockCheckedRows[r];
        for (int64_t c = 0; c < columns; ++c, ++total) {
          double got = y[row * columns + c];
          double error = std::fabs(got - exact.value[c]);
          double bound = exact.bound[c];
          allExact[o] &= bound == 0;
          if (!(error <= bound) && !outside++) { // NaN counts as outside
            char where[160];
            std::snprintf(where, sizeof where,
                          "; first: %s[%lld][%lld] = %.9g, exact %.9g, "
                          "bound %.2g",
                          kBlockOutputNames[o], (long long)row, (long long)c,
                          got, exact.value[c], bound);
            firstOutside = where;
          }
          if (bound > 0 && !(error / bound <= worst[o]))
            worst[o] = error / bound;
        }
      }
    }
    char detail[320];
    if (outside) {
      std::snprintf(detail, sizeof detail,
                    "%lld of %lld checked results (rows 0, 170, 340, 511 of "
                    "o, k, v, d) outside their bounds%s",
                    (long long)outside, (long long)total, firstOutside.c_str());
      return {CheckResult::Status::Wrong, detail};
    }
    std::string shares;
    for (int o = 0; o < kBlockOutputs; ++o) {
      char share[48];
      if (allExact[o])
        std::snprintf(share, sizeof share, "%s%s exact", o ? ", " : "",
                      kBlockOutputNames[o]);
      else
        std::snprintf(share, sizeof share, "%s%s %.1e", o ? ", " : "",
                      kBlockOutputNames[o], worst[o]);
      shares += share;
    }
    std::snprintf(detail, sizeof detail,
                  "rows 0, 170, 340, 511, all columns; |y - exact| / bound: "
                  "%s (bound: k, v exact, o, d gamma_(K+5) of their matmul)",
                  shares.c_str());
    return {CheckResult::Status::Ok, detail};
  }

protected:
  virtual void setThreads() = 0;
  virtual void compute() = 0;

  std::string name_;
  std::shared_ptr<BlockProblem> problem_;
  int threads_;
  Buffer outputs_[kBlockOutputs];
};

/// h = silu(gate) * up in place of gate, as lowp's kernel computes it in
/// f32: t / (1 + exp(-t)), then the product; split over `threads` threads
/// in contiguous chunks.
void swigluF32(float *gate, const float *up, int64_t count, int threads) {
  auto chunk = [gate, up](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      float t = gate[i];
      float silu = t / (1.0f + std::exp(-t));
      gate[i] = silu * up[i];
    }
  };
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t)
    workers.emplace_back(chunk, count * t / threads, count * (t + 1) / threads);
  chunk(0, count / threads);
  for (std::thread &worker : workers)
    worker.join();
}

/// The block with OpenBLAS: seven cblas_sgemm calls (row-major, neither
/// operand transposed) on the decoded f32 weights, silu and the product
/// with up in a C++ loop between them.
class OpenBlasBlock : public BlockBenchmark {
public:
  OpenBlasBlock(std::shared_ptr<BlockProblem> problem, int threads)
      : BlockBenchmark("openblas_block_512", std::move(problem), threads) {}

  std::string description() const override {
    return "f32, 7 cblas_sgemm + C++ silu";
  }
  uint64_t bytesRead() const override {
    return problem_->f32Bytes() + kBlockM * 4096 * sizeof(float);
  }

  void prepare() override {
    problem_->prepareF32();
    BlockBenchmark::prepare();
    q_ = Buffer(kBlockM * 4096 * sizeof(float));
    gate_ = Buffer(kBlockM * 14336 * sizeof(float));
    up_ = Buffer(kBlockM * 14336 * sizeof(float));
  }

protected:
  void setThreads() override { openblas_set_num_threads(threads_); }
  void compute() override {
    const float *x = problem_->x();
    auto sgemm = [this](const float *a, int w, float *c) {
      const int64_t k = kBlockWeightShapes[w].k, n = kBlockWeightShapes[w].n;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, kBlockM, n, k,
                  1.0f, a, k, problem_->f32Weights(w), n, 0.0f, c, n);
    };
    sgemm(x, kWq, q_.as<float>());
    sgemm(x, kWk, outputs_[kOutK].as<float>());
    sgemm(x, kWv, outputs_[kOutV].as<float>());
    sgemm(q_.as<float>(), kWo, outputs_[kOutO].as<float>());
    sgemm(x, kWgate, gate_.as<float>());
    sgemm(x, kWup, up_.as<float>());
    swigluF32(gate_.as<float>(), up_.as<float>(), kBlockM * 14336, threads_);
    sgemm(gate_.as<float>(), kWdown, outputs_[kOutD].as<float>());
  }

private:
  Buffer q_, gate_, up_;
};

/// The block with lowp: one call of bench/kernels/block_mxfp4_512.mlir.
void callBlockMxfp4(BlockProblem &p, Buffer (&outputs)[kBlockOutputs]) {
#if LOWP_BENCH_HAVE_block_mxfp4_512
  auto xd = describe<lowp_memref_float_2d>(p.x(), {kBlockM, 4096});
  lowp_memref_uint8_2d e[kBlockWeights], s[kBlockWeights];
  for (int w = 0; w < kBlockWeights; ++w) {
    const int64_t k = kBlockWeightShapes[w].k, n = kBlockWeightShapes[w].n;
    e[w] = describe<lowp_memref_uint8_2d>(p.weights(w).elements(0), {k, n / 2});
    s[w] = describe<lowp_memref_uint8_2d>(p.weights(w).scales(0), {k / 32, n});
  }
  lowp_memref_float_2d y[kBlockOutputs];
  for (int o = 0; o < kBlockOutputs; ++o)
    y[o] = describe<lowp_memref_float_2d>(outputs[o].as<float>(),
                                          {kBlockM, kBlockOutputColumns[o]});
  _mlir_ciface_block_mxfp4_512(&xd, &e[0], &s[0], &e[1], &s[1], &e[2], &s[2],
                               &e[3], &s[3], &e[4], &s[4], &e[5], &s[5], &e[6],
                               &s[6], &y[0], &y[1], &y[2], &y[3]);
#endif
}

class LowpBlock : public BlockBenchmark {
public:
  LowpBlock(std::shared_ptr<BlockProblem> problem, int threads)
      : BlockBenchmark("block_mxfp4_512", std::move(problem), threads) {}

  std::string description() const override {
    return "MXFP4: E2M1, E8M0 per 32";
  }
  double target() const override { return 1.0; }
  uint64_t bytesRead() const override {
    return problem_->mxfp4Bytes() + kBlockM * 4096 * sizeof(float);
  }

  void prepare() override {
    problem_->prepare();
    BlockBenchmark::prepare();
  }

protected:
  void setThreads() override { omp_set_num_threads(threads_); }
  void compute() override { callBlockMxfp4(*problem_, outputs_); }
};

} // namespace

BenchmarkList makeGemmBenchmarks(int threads,
                                 std::vector<std::string> &notBuilt) {
  BenchmarkList list;
  // A small batch's weights are cold copies (memory bound, as the GEMVs),
  // one set per format shared by M = 2, 4 and 8; the others use one copy.
  std::map<const WeightFormat *, std::shared_ptr<WeightMatrix>> cold;
  auto weightsFor = [&](const GemmShape &shape, const WeightFormat &format) {
    if (!smallBatch(shape))
      return std::make_shared<WeightMatrix>(format, shape.k, shape.n,
                                            Layout::KxN, 1);
    std::shared_ptr<WeightMatrix> &weights = cold[&format];
    if (!weights)
      weights = std::make_shared<WeightMatrix>(format, shape.k, shape.n);
    return weights;
  };
  for (const GemmShape &shape :
       {kBatch2, kBatch4, kBatch8, kBatch64, kBatch512}) {
    // OpenBLAS first: each shape's rows are compared with its sgemm.
    auto f32 = std::make_shared<GemmProblem>(shape, weightsFor(shape, kF32));
    for (int t : {1, threads}) {
      list.push_back(std::make_unique<OpenBlasGemm>(f32, t));
      if (threads == 1)
        break;
    }
    for (const LowpGemmKernel &kernel : kLowpGemms) {
      if (!sameShape(kernel.shape, shape))
        continue;
      if (!kernel.built) {
        notBuilt.push_back(kernel.name);
        continue;
      }
      auto problem = std::make_shared<GemmProblem>(
          shape, weightsFor(shape, kernel.format), kernel.activations);
      for (int t : {1, threads}) {
        list.push_back(std::make_unique<LowpGemm>(
            kernel.name, problem, kernel.call, kernel.gemvPerRow, t));
        if (threads == 1)
          break;
      }
    }
  }

  auto block = std::make_shared<BlockProblem>();
  for (int t : {1, threads}) {
    list.push_back(std::make_unique<OpenBlasBlock>(block, t));
    if (threads == 1)
      break;
  }
  if (LOWP_BENCH_HAVE_block_mxfp4_512) {
    for (int t : {1, threads}) {
      list.push_back(std::make_unique<LowpBlock>(block, t));
      if (threads == 1)
        break;
    }
  } else {
    notBuilt.push_back("block_mxfp4_512");
  }
  return list;
}

} // namespace lowp_bench
