//===- Gemv.cpp - GEMV at batch 1: OpenBLAS and lowp ----------------------===//
//
// y (1 x N) = x (1 x K) W (K x N) with K = 4096, N = 14336 (one of
// Llama-3-8B's MLP projections): f32 activations and results, the weights
// in one storage format per kernel. The _nk kernels take the weights
// stored N x K (PyTorch nn.Linear, ggml, safetensors), through
// lowp.matmul's transpose_rhs: y[n] = sum_k x[k] W[n][k].
// At batch 1 every weight is used once, so the kernel's speed limit is how
// fast it can stream W from DRAM; the 4-bit formats read an eighth of f32's
// bytes and could run up to ~7x faster than OpenBLAS's f32 sgemv.
//
//===----------------------------------------------------------------------===//

#include "Benchmark.h"
#include "Formats.h"
#include "LowpKernels.h"
#include "Support.h"
#include "Weights.h"

#include <cblas.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>

namespace lowp_bench {

namespace {

constexpr int64_t kK = 4096;
constexpr int64_t kN = 14336;

/// What the GEMV benchmarks share: activations, results, and the check
/// against an f64 reference.
class GemvBenchmark : public Benchmark {
public:
  GemvBenchmark(std::string name, std::shared_ptr<WeightMatrix> weights,
                int threads)
      : name_(std::move(name)), weights_(std::move(weights)),
        logical_(weights_), threads_(threads) {}

  std::string name() const override { return name_; }
  std::string description() const override {
    return std::string(weights_->format().description) +
           (weights_->layout() == Layout::NxK ? ", N x K" : "");
  }
  Section section() const override { return Section::Gemv; }
  int threads() const override { return threads_; }
  uint64_t bytesRead() const override {
    return weights_->bytesPerCopy() + kK * sizeof(float);
  }
  uint64_t bytesWritten() const override { return kN * sizeof(float); }

  void prepare() override {
    weights_->prepare();
    x_ = Buffer(kK * sizeof(float));
    y_ = Buffer(kN * sizeof(float));
    Random random(0xAC7);
    for (int64_t k = 0; k < kK; ++k)
      x_.as<float>()[k] = random.uniform(-1, 1);
  }

  double run(int64_t call) override {
    int copy = static_cast<int>(call % weights_->copies());
    double start = now();
    multiply(copy);
    return now() - start;
  }

  /// Compares every result with the f64 sum of exact products, within the
  /// bound that lowp.matmul's f32 accumulator promises (docs/Dialects/
  /// LowpOps.md): (K + 3) u sum|x w|, u = 2^-24, plus one u for rounding
  /// NVFP4's logical values to f32 and one for the result. A kernel that
  /// misreads codes, scales or layout is far outside it.
  CheckResult check() override {
    std::vector<double> exact(kN), magnitude(kN), row(logical_->columns());
    const float *x = x_.as<float>();
    if (logical_->layout() == Layout::KxN) {
      // Row k of W: x[k] times it adds to every result.
      for (int64_t k = 0; k < kK; ++k) {
        logical_->decodeRow(k, row.data());
        for (int64_t n = 0; n < kN; ++n) {
          double product = double(x[k]) * row[n];
          exact[n] += product;
          magnitude[n] += std::fabs(product);
        }
      }
    } else {
      // Row n of W (N x K): its dot product with x is result n.
      for (int64_t n = 0; n < kN; ++n) {
        logical_->decodeRow(n, row.data());
        for (int64_t k = 0; k < kK; ++k) {
          double product = double(x[k]) * row[k];
          exact[n] += product;
          magnitude[n] += std::fabs(product);
        }
      }
    }
    const double unit = 0x1p-24, allowed = (kK + 5) * unit;
    const float *y = y_.as<float>();
    double worst = 0;
    int64_t worstAt = 0, outside = 0;
    for (int64_t n = 0; n < kN; ++n) {
      double error = std::fabs(double(y[n]) - exact[n]);
      double relative = magnitude[n] > 0 ? error / magnitude[n] : error;
      if (!(relative <= allowed)) // NaN counts as outside
        ++outside;
      if (!(relative <= worst)) {
        worst = relative;
        worstAt = n;
      }
    }
    char detail[200];
    std::snprintf(detail, sizeof detail,
                  "max |y - exact| = %.1e sum|xw| (bound %.1e)", worst,
                  allowed);
    CheckResult result{CheckResult::Status::Ok, detail};
    if (outside) {
      std::snprintf(detail, sizeof detail,
                    "%lld of %lld results outside %.1e sum|xw|; y[%lld] = "
                    "%.9g, exact %.9g",
                    (long long)outside, (long long)kN, allowed,
                    (long long)worstAt, y[worstAt], exact[worstAt]);
      result = {CheckResult::Status::Wrong, detail};
    }
    return result;
  }

protected:
  virtual void multiply(int copy) = 0;

  std::string name_;
  std::shared_ptr<WeightMatrix> weights_;
  /// The weights whose product check() computes: weights_, or the K x N
  /// weights that prepacked ones were made from (so that a wrong prepack
  /// fails the check too).
  std::shared_ptr<WeightMatrix> logical_;
  int threads_;
  Buffer x_, y_;
};

/// cblas_sgemv (or sgemm with one row) on the f32 weights, row-major:
/// y = W^T x with W stored K x N.
class OpenBlasGemv : public GemvBenchmark {
public:
  OpenBlasGemv(std::shared_ptr<WeightMatrix> weights, int threads, bool gemm)
      : GemvBenchmark(
            std::string(gemm ? "openblas_sgemm_" : "openblas_sgemv_") +
                std::to_string(threads) + "t",
            std::move(weights), threads),
        gemm_(gemm) {}

  std::string description() const override {
    return gemm_ ? "f32, cblas_sgemm (M = 1)" : "f32, cblas_sgemv";
  }

  double run(int64_t call) override {
    // Outside the timed region: the thread count is a per-process setting
    // that each OpenBLAS benchmark sets for itself.
    openblas_set_num_threads(threads_);
    return GemvBenchmark::run(call);
  }

protected:
  void multiply(int copy) override {
    const float *w = static_cast<const float *>(weights_->elements(copy));
    if (gemm_)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, kN, kK, 1.0f,
                  x_.as<float>(), kK, w, kN, 0.0f, y_.as<float>(), kN);
    else
      cblas_sgemv(CblasRowMajor, CblasTrans, kK, kN, 1.0f, w, kN,
                  x_.as<float>(), 1, 0.0f, y_.as<float>(), 1);
  }

private:
  bool gemm_;
};

extern "C" void omp_set_num_threads(int threads);

/// Calls one lowp kernel: x, the weight parts of one copy, y.
using LowpGemvCall = void (*)(WeightMatrix &weights, int copy, float *x,
                              float *y);

class LowpGemv : public GemvBenchmark {
public:
  LowpGemv(std::string name, std::shared_ptr<WeightMatrix> weights,
           LowpGemvCall call, int threads)
      : GemvBenchmark(std::move(name) + "_" + std::to_string(threads) + "t",
                      std::move(weights), threads),
        call_(call) {}

protected:
  void multiply(int copy) override {
    // lowp's kernels run their parallel loops on the OpenMP runtime.
    omp_set_num_threads(threads_);
    call_(*weights_, copy, x_.as<float>(), y_.as<float>());
  }

private:
  LowpGemvCall call_;
};

/// A K x N kernel's NAME_prepacked on weights its NAME_prepack made once,
/// outside the timed region, from the K x N weights: the decode loop that
/// lowp-assign-layouts sets up for weights that arrive at run time.
class LowpPrepackedGemv : public LowpGemv {
public:
  LowpPrepackedGemv(std::string name, std::shared_ptr<WeightMatrix> weights,
                    std::shared_ptr<WeightMatrix> source, PrepackCall prepack,
                    LowpGemvCall call, int threads)
      : LowpGemv(std::move(name), std::move(weights), call, threads),
        prepack_(prepack) {
    logical_ = std::move(source);
  }

  std::string description() const override {
    char prepack[64];
    std::snprintf(prepack, sizeof prepack, ", prepacked once in %.0f ms",
                  weights_->prepackSeconds() * 1e3);
    return std::string(weights_->format().description) +
           (weights_->prepackSeconds() > 0 ? prepack : ", prepacked");
  }

  void prepare() override {
    weights_->prepareFrom(*logical_, prepack_);
    LowpGemv::prepare();
  }

private:
  PrepackCall prepack_;
};

// One adapter per kernel: the kernels' signatures differ in their parts
// and descriptor types, which the generated header spells out. A kernel
// that did not compile has an empty adapter and is never called.

void callGemvF32(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_f32
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto wd = describe<lowp_memref_float_2d>(w.elements(copy), {kK, kN});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  _mlir_ciface_gemv_f32(&xd, &wd, &yd);
#endif
}

// The E2M1 / E3M0 / NF4 / ui4 element codes of a row of N weights are N/2
// bytes; scales and zero points have a row per block.

void callGemvMxfp4(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_mxfp4
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kK, kN / 2});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {kK / 32, kN});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  _mlir_ciface_gemv_mxfp4(&xd, &ed, &sd, &yd);
#endif
}

void callGemvNvfp4(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_nvfp4
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kK, kN / 2});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {kK / 16, kN});
  auto td = describeScalar<lowp_memref_float_0d>(w.tensorScale(copy));
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  _mlir_ciface_gemv_nvfp4(&xd, &ed, &sd, &td, &yd);
#endif
}

void callGemvInt4G128(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_int4_g128
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kK, kN / 2});
  auto sd = describe<lowp_memref_uint16_2d>(w.scales(copy), {kK / 128, kN});
  auto zd =
      describe<lowp_memref_uint8_2d>(w.zeroPoints(copy), {kK / 128, kN / 2});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  _mlir_ciface_gemv_int4_g128(&xd, &ed, &sd, &zd, &yd);
#endif
}

void callGemvMxfp8(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_mxfp8
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kK, kN});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {kK / 32, kN});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  _mlir_ciface_gemv_mxfp8(&xd, &ed, &sd, &yd);
#endif
}

void callGemvNf4(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_nf4
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kK, kN / 2});
  auto sd = describe<lowp_memref_float_2d>(w.scales(copy), {kK / 64, kN});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  _mlir_ciface_gemv_nf4(&xd, &ed, &sd, &yd);
#endif
}

void callGemvE3M0(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_e3m0
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kK, kN / 2});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {kK / 32, kN});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  _mlir_ciface_gemv_e3m0(&xd, &ed, &sd, &yd);
#endif
}

// The N x K twins (transpose_rhs): a row of K = 4096 4-bit codes is 2048
// bytes; each weight row n has its own row of K / block scales (and of
// zero points, 4-bit and packed too: int4's 32 per row are 16 bytes).

#if LOWP_BENCH_HAVE_gemv_mxfp4_nk || LOWP_BENCH_HAVE_gemv_mxfp4 ||             \
    LOWP_BENCH_HAVE_gemv_mxfp4_nk_dynamic
/// The arguments of an N x K Mxfp4 kernel: the _nk twin, or NAME_prepacked.
template <typename Kernel>
void callMxfp4NxK(Kernel kernel, WeightMatrix &w, int copy, float *x,
                  float *y) {
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kN, kK / 2});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {kN, kK / 32});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  kernel(&xd, &ed, &sd, &yd);
}
#endif

void callGemvMxfp4Nk(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_mxfp4_nk
  callMxfp4NxK(_mlir_ciface_gemv_mxfp4_nk, w, copy, x, y);
#endif
}

void callGemvMxfp4NkDynamic(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_mxfp4_nk_dynamic
  callMxfp4NxK(_mlir_ciface_gemv_mxfp4_nk_dynamic, w, copy, x, y);
#endif
}

void callGemvMxfp4Prepacked(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_mxfp4
  callMxfp4NxK(_mlir_ciface_gemv_mxfp4_prepacked, w, copy, x, y);
#endif
}

#if LOWP_BENCH_HAVE_gemv_nvfp4_nk || LOWP_BENCH_HAVE_gemv_nvfp4
/// The arguments of an N x K Nvfp4 kernel: the _nk twin, or NAME_prepacked.
template <typename Kernel>
void callNvfp4NxK(Kernel kernel, WeightMatrix &w, int copy, float *x,
                  float *y) {
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kN, kK / 2});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {kN, kK / 16});
  auto td = describeScalar<lowp_memref_float_0d>(w.tensorScale(copy));
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  kernel(&xd, &ed, &sd, &td, &yd);
}
#endif

void callGemvNvfp4Nk(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_nvfp4_nk
  callNvfp4NxK(_mlir_ciface_gemv_nvfp4_nk, w, copy, x, y);
#endif
}

void callGemvNvfp4Prepacked(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_nvfp4
  callNvfp4NxK(_mlir_ciface_gemv_nvfp4_prepacked, w, copy, x, y);
#endif
}

#if LOWP_BENCH_HAVE_gemv_int4_g128_nk || LOWP_BENCH_HAVE_gemv_int4_g128
/// The arguments of an N x K Int4G128 kernel: the _nk twin, or NAME_prepacked.
template <typename Kernel>
void callInt4G128NxK(Kernel kernel, WeightMatrix &w, int copy, float *x,
                     float *y) {
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kN, kK / 2});
  auto sd = describe<lowp_memref_uint16_2d>(w.scales(copy), {kN, kK / 128});
  auto zd =
      describe<lowp_memref_uint8_2d>(w.zeroPoints(copy), {kN, kK / 128 / 2});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  kernel(&xd, &ed, &sd, &zd, &yd);
}
#endif

void callGemvInt4G128Nk(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_int4_g128_nk
  callInt4G128NxK(_mlir_ciface_gemv_int4_g128_nk, w, copy, x, y);
#endif
}

void callGemvInt4G128Prepacked(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_int4_g128
  callInt4G128NxK(_mlir_ciface_gemv_int4_g128_prepacked, w, copy, x, y);
#endif
}

#if LOWP_BENCH_HAVE_gemv_mxfp8_nk || LOWP_BENCH_HAVE_gemv_mxfp8
/// The arguments of an N x K Mxfp8 kernel: the _nk twin, or NAME_prepacked.
template <typename Kernel>
void callMxfp8NxK(Kernel kernel, WeightMatrix &w, int copy, float *x,
                  float *y) {
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kN, kK});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {kN, kK / 32});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  kernel(&xd, &ed, &sd, &yd);
}
#endif

void callGemvMxfp8Nk(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_mxfp8_nk
  callMxfp8NxK(_mlir_ciface_gemv_mxfp8_nk, w, copy, x, y);
#endif
}

void callGemvMxfp8Prepacked(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_mxfp8
  callMxfp8NxK(_mlir_ciface_gemv_mxfp8_prepacked, w, copy, x, y);
#endif
}

#if LOWP_BENCH_HAVE_gemv_nf4_nk || LOWP_BENCH_HAVE_gemv_nf4
/// The arguments of an N x K Nf4 kernel: the _nk twin, or NAME_prepacked.
template <typename Kernel>
void callNf4NxK(Kernel kernel, WeightMatrix &w, int copy, float *x, float *y) {
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kN, kK / 2});
  auto sd = describe<lowp_memref_float_2d>(w.scales(copy), {kN, kK / 64});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  kernel(&xd, &ed, &sd, &yd);
}
#endif

void callGemvNf4Nk(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_nf4_nk
  callNf4NxK(_mlir_ciface_gemv_nf4_nk, w, copy, x, y);
#endif
}

void callGemvNf4Prepacked(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_nf4
  callNf4NxK(_mlir_ciface_gemv_nf4_prepacked, w, copy, x, y);
#endif
}

#if LOWP_BENCH_HAVE_gemv_e3m0_nk || LOWP_BENCH_HAVE_gemv_e3m0
/// The arguments of an N x K E3M0 kernel: the _nk twin, or NAME_prepacked.
template <typename Kernel>
void callE3M0NxK(Kernel kernel, WeightMatrix &w, int copy, float *x, float *y) {
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kN, kK / 2});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {kN, kK / 32});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  kernel(&xd, &ed, &sd, &yd);
}
#endif

void callGemvE3M0Nk(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_e3m0_nk
  callE3M0NxK(_mlir_ciface_gemv_e3m0_nk, w, copy, x, y);
#endif
}

void callGemvE3M0Prepacked(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_e3m0
  callE3M0NxK(_mlir_ciface_gemv_e3m0_prepacked, w, copy, x, y);
#endif
}

void callGemvChoice3Nk(WeightMatrix &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_choice3_nk
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kN, kK / 2});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {kN, kK / 32});
  // Four 2-bit selectors a byte along each row of the scales.
  auto cd = describe<lowp_memref_uint8_2d>(w.selectors(copy), {kN, kK / 128});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  _mlir_ciface_gemv_choice3_nk(&xd, &ed, &sd, &cd, &yd);
#endif
}

// The NAME_prepack adapters: the K x N parts in, the N x K parts out.

#if LOWP_BENCH_HAVE_gemv_mxfp4 || LOWP_BENCH_HAVE_gemv_e3m0
/// The prepack of packed 4-bit codes under one-byte scales per 32 (MXFP4,
/// E3M0).
template <typename Kernel>
void prepackCodes4Scales32(Kernel kernel, WeightMatrix &from, int fromCopy,
                           WeightMatrix &to, int toCopy) {
  auto ei =
      describe<lowp_memref_uint8_2d>(from.elements(fromCopy), {kK, kN / 2});
  auto si =
      describe<lowp_memref_uint8_2d>(from.scales(fromCopy), {kK / 32, kN});
  auto eo = describe<lowp_memref_uint8_2d>(to.elements(toCopy), {kN, kK / 2});
  auto so = describe<lowp_memref_uint8_2d>(to.scales(toCopy), {kN, kK / 32});
  kernel(&ei, &si, &eo, &so);
}
#endif

void prepackMxfp4(WeightMatrix &from, int fromCopy, WeightMatrix &to,
                  int toCopy) {
#if LOWP_BENCH_HAVE_gemv_mxfp4
  prepackCodes4Scales32(_mlir_ciface_gemv_mxfp4_prepack, from, fromCopy, to,
                        toCopy);
#endif
}

void prepackNvfp4(WeightMatrix &from, int fromCopy, WeightMatrix &to,
                  int toCopy) {
#if LOWP_BENCH_HAVE_gemv_nvfp4
  auto ei =
      describe<lowp_memref_uint8_2d>(from.elements(fromCopy), {kK, kN / 2});
  auto si =
      describe<lowp_memref_uint8_2d>(from.scales(fromCopy), {kK / 16, kN});
  auto ti = describeScalar<lowp_memref_float_0d>(from.tensorScale(fromCopy));
  auto eo = describe<lowp_memref_uint8_2d>(to.elements(toCopy), {kN, kK / 2});
  auto so = describe<lowp_memref_uint8_2d>(to.scales(toCopy), {kN, kK / 16});
  auto to_ = describeScalar<lowp_memref_float_0d>(to.tensorScale(toCopy));
  _mlir_ciface_gemv_nvfp4_prepack(&ei, &si, &ti, &eo, &so, &to_);
#endif
}

void prepackInt4G128(WeightMatrix &from, int fromCopy, WeightMatrix &to,
                     int toCopy) {
#if LOWP_BENCH_HAVE_gemv_int4_g128
  auto ei =
      describe<lowp_memref_uint8_2d>(from.elements(fromCopy), {kK, kN / 2});
  auto si =
      describe<lowp_memref_uint16_2d>(from.scales(fromCopy), {kK / 128, kN});
  auto zi = describe<lowp_memref_uint8_2d>(from.zeroPoints(fromCopy),
                                           {kK / 128, kN / 2});
  auto eo = describe<lowp_memref_uint8_2d>(to.elements(toCopy), {kN, kK / 2});
  auto so = describe<lowp_memref_uint16_2d>(to.scales(toCopy), {kN, kK / 128});
  auto zo =
      describe<lowp_memref_uint8_2d>(to.zeroPoints(toCopy), {kN, kK / 128 / 2});
  _mlir_ciface_gemv_int4_g128_prepack(&ei, &si, &zi, &eo, &so, &zo);
#endif
}

void prepackMxfp8(WeightMatrix &from, int fromCopy, WeightMatrix &to,
                  int toCopy) {
#if LOWP_BENCH_HAVE_gemv_mxfp8
  auto ei = describe<lowp_memref_uint8_2d>(from.elements(fromCopy), {kK, kN});
  auto si =
      describe<lowp_memref_uint8_2d>(from.scales(fromCopy), {kK / 32, kN});
  auto eo = describe<lowp_memref_uint8_2d>(to.elements(toCopy), {kN, kK});
  auto so = describe<lowp_memref_uint8_2d>(to.scales(toCopy), {kN, kK / 32});
  _mlir_ciface_gemv_mxfp8_prepack(&ei, &si, &eo, &so);
#endif
}

void prepackNf4(WeightMatrix &from, int fromCopy, WeightMatrix &to,
                int toCopy) {
#if LOWP_BENCH_HAVE_gemv_nf4
  auto ei =
      describe<lowp_memref_uint8_2d>(from.elements(fromCopy), {kK, kN / 2});
  auto si =
      describe<lowp_memref_float_2d>(from.scales(fromCopy), {kK / 64, kN});
  auto eo = describe<lowp_memref_uint8_2d>(to.elements(toCopy), {kN, kK / 2});
  auto so = describe<lowp_memref_float_2d>(to.scales(toCopy), {kN, kK / 64});
  _mlir_ciface_gemv_nf4_prepack(&ei, &si, &eo, &so);
#endif
}

void prepackE3M0(WeightMatrix &from, int fromCopy, WeightMatrix &to,
                 int toCopy) {
#if LOWP_BENCH_HAVE_gemv_e3m0
  prepackCodes4Scales32(_mlir_ciface_gemv_e3m0_prepack, from, fromCopy, to,
                        toCopy);
#endif
}

struct LowpGemvKernel {
  const char *name; ///< the function in bench/kernels/NAME.mlir
  bool built;
  const WeightFormat &format;
  LowpGemvCall call;
  Layout layout = Layout::KxN;
  /// For a prepacked entry: the K x N kernel's NAME_prepack, which makes
  /// the N x K weights from the previous entry's.
  PrepackCall prepack = nullptr;
};

// Each K x N kernel is followed by itself on prepacked weights, then by its
// N x K twin (MXFP4's also with dynamic rows).
const LowpGemvKernel kLowpGemvs[] = {
    {"gemv_f32", LOWP_BENCH_HAVE_gemv_f32, kF32, callGemvF32},
    {"gemv_mxfp4", LOWP_BENCH_HAVE_gemv_mxfp4, kMxfp4, callGemvMxfp4},
    {"gemv_mxfp4_prepacked", LOWP_BENCH_HAVE_gemv_mxfp4, kMxfp4,
     callGemvMxfp4Prepacked, Layout::NxK, prepackMxfp4},
    {"gemv_mxfp4_nk", LOWP_BENCH_HAVE_gemv_mxfp4_nk, kMxfp4, callGemvMxfp4Nk,
     Layout::NxK},
    {"gemv_mxfp4_nk_dynamic", LOWP_BENCH_HAVE_gemv_mxfp4_nk_dynamic, kMxfp4,
     callGemvMxfp4NkDynamic, Layout::NxK},
    {"gemv_nvfp4", LOWP_BENCH_HAVE_gemv_nvfp4, kNvfp4, callGemvNvfp4},
    {"gemv_nvfp4_prepacked", LOWP_BENCH_HAVE_gemv_nvfp4, kNvfp4,
     callGemvNvfp4Prepacked, Layout::NxK, prepackNvfp4},
    {"gemv_nvfp4_nk", LOWP_BENCH_HAVE_gemv_nvfp4_nk, kNvfp4, callGemvNvfp4Nk,
     Layout::NxK},
    {"gemv_int4_g128", LOWP_BENCH_HAVE_gemv_int4_g128, kInt4G128,
     callGemvInt4G128},
    {"gemv_int4_g128_prepacked", LOWP_BENCH_HAVE_gemv_int4_g128, kInt4G128,
     callGemvInt4G128Prepacked, Layout::NxK, prepackInt4G128},
    {"gemv_int4_g128_nk", LOWP_BENCH_HAVE_gemv_int4_g128_nk, kInt4G128,
     callGemvInt4G128Nk, Layout::NxK},
    {"gemv_mxfp8", LOWP_BENCH_HAVE_gemv_mxfp8, kMxfp8, callGemvMxfp8},
    {"gemv_mxfp8_prepacked", LOWP_BENCH_HAVE_gemv_mxfp8, kMxfp8,
     callGemvMxfp8Prepacked, Layout::NxK, prepackMxfp8},
    {"gemv_mxfp8_nk", LOWP_BENCH_HAVE_gemv_mxfp8_nk, kMxfp8, callGemvMxfp8Nk,
     Layout::NxK},
    {"gemv_nf4", LOWP_BENCH_HAVE_gemv_nf4, kNf4, callGemvNf4},
    {"gemv_nf4_prepacked", LOWP_BENCH_HAVE_gemv_nf4, kNf4, callGemvNf4Prepacked,
     Layout::NxK, prepackNf4},
    {"gemv_nf4_nk", LOWP_BENCH_HAVE_gemv_nf4_nk, kNf4, callGemvNf4Nk,
     Layout::NxK},
    {"gemv_e3m0", LOWP_BENCH_HAVE_gemv_e3m0, kE3M0, callGemvE3M0},
    {"gemv_e3m0_prepacked", LOWP_BENCH_HAVE_gemv_e3m0, kE3M0,
     callGemvE3M0Prepacked, Layout::NxK, prepackE3M0},
    {"gemv_e3m0_nk", LOWP_BENCH_HAVE_gemv_e3m0_nk, kE3M0, callGemvE3M0Nk,
     Layout::NxK},
    {"gemv_choice3_nk", LOWP_BENCH_HAVE_gemv_choice3_nk, kChoice3,
     callGemvChoice3Nk, Layout::NxK},
};

} // namespace

BenchmarkList makeGemvBenchmarks(int threads,
                                 std::vector<std::string> &notBuilt) {
  BenchmarkList list;
  auto f32 = std::make_shared<WeightMatrix>(kF32, kK, kN);
  list.push_back(std::make_unique<OpenBlasGemv>(f32, 1, false));
  if (threads > 1)
    list.push_back(std::make_unique<OpenBlasGemv>(f32, threads, false));
  list.push_back(std::make_unique<OpenBlasGemv>(f32, 1, true));
  // The K x N weights of the last K x N kernel, which its prepacked entry
  // is made from.
  std::shared_ptr<WeightMatrix> kxn;
  for (const LowpGemvKernel &kernel : kLowpGemvs) {
    if (!kernel.built) {
      notBuilt.push_back(kernel.name);
      continue;
    }
    auto weights = &kernel.format == &kF32 && kernel.layout == Layout::KxN
                       ? f32
                       : std::make_shared<WeightMatrix>(kernel.format, kK, kN,
                                                        kernel.layout);
    if (kernel.layout == Layout::KxN)
      kxn = weights;
    for (int t : {1, threads}) {
      if (t == threads && threads == 1)
        break;
      if (kernel.prepack)
        list.push_back(std::make_unique<LowpPrepackedGemv>(
            kernel.name, weights, kxn, kernel.prepack, kernel.call, t));
      else
        list.push_back(
            std::make_unique<LowpGemv>(kernel.name, weights, kernel.call, t));
    }
  }
  return list;
}

} // namespace lowp_bench
