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

#include <cblas.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>

namespace lowp_bench {

namespace {

constexpr int64_t kK = 4096;
constexpr int64_t kN = 14336;

/// How a weight matrix is stored: element codes (packed two per byte along
/// each row, low nibble first, when 4 bits wide), one scale per `block`
/// consecutive values along K, and optionally a ui4 zero point per block
/// and an f32 tensor scale. Its logical values are
/// (element - zero_point) * scale * tensor_scale. The layout (K x N or
/// N x K) is GemvWeights'.
struct WeightFormat {
  const char *description;
  struct {
    int bits;        ///< 4, 8, or 32 for plain f32
    DecodeFn decode; ///< (4 and 8 bits)
    /// Fills `bytes` bytes with valid codes.
    void (*fill)(void *data, size_t bytes, Random &random);
  } element;
  struct {
    int block = 0; ///< values along K per scale; 0: no scales
    int bytes = 0;
    DecodeFn decode = nullptr;
    /// A random valid code, in a realistic range.
    uint32_t (*random)(Random &random) = nullptr;
  } scale;
  bool zeroPoints = false;
  float tensorScale = 0; ///< 0: none
};

void fillRandomBytes(void *data, size_t bytes, Random &random) {
  random.fillBytes(data, bytes);
}

void fillF32(void *data, size_t bytes, Random &random) {
  auto *values = static_cast<float *>(data);
  for (size_t i = 0; i < bytes / sizeof(float); ++i)
    values[i] = random.uniform(-1, 1);
}

// E8M0 scales 2^-7 .. 2^0: what the floor rule gives blocks of weights of
// magnitude ~0.01 .. 1 with E2M1 or E4M3 elements.
uint32_t randomE8M0(Random &random) { return 127 - random.between(0, 7); }
// E3M0 elements reach 16 (2^4), so their scales sit 2 binades lower.
uint32_t randomE8M0ForE3M0(Random &random) {
  return 125 - random.between(0, 7);
}
// Positive E4M3 scales 0.5 .. 30 (exponent fields 6 .. 10).
uint32_t randomE4M3Scale(Random &random) {
  return 0x30 + random.between(0, 0x27);
}
// Positive f16 scales 2^-10 .. 2^-3.
uint32_t randomF16Scale(Random &random) {
  return uint32_t(random.between(5, 12)) << 10 |
         uint32_t(random.between(0, 1023));
}
uint32_t randomF32Scale(Random &random) {
  float value = random.uniform(0.01f, 0.1f);
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// f32 elements are read as floats, not decoded.
const WeightFormat kF32 = {"f32", {32, nullptr, fillF32}, {}};
const WeightFormat kMxfp4 = {"MXFP4: E2M1, E8M0 per 32",
                             {4, decodeE2M1, fillRandomBytes},
                             {32, 1, decodeE8M0, randomE8M0}};
// NVFP4's tensor scale is any f32 (the decode scale amax / (448 * 6)); one
// that is not a power of two makes its logical values carry many bits.
const WeightFormat kNvfp4 = {"NVFP4: E2M1, E4M3 per 16, f32 tensor",
                             {4, decodeE2M1, fillRandomBytes},
                             {16, 1, decodeE4M3, randomE4M3Scale},
                             false,
                             3.7203e-4f};
const WeightFormat kInt4G128 = {"int4: ui4, f16 + ui4 zero per 128",
                                {4, decodeUnsigned, fillRandomBytes},
                                {128, 2, decodeF16, randomF16Scale},
                                true};
const WeightFormat kMxfp8 = {"MXFP8: E4M3, E8M0 per 32",
                             {8, decodeE4M3, fillE4M3Codes},
                             {32, 1, decodeE8M0, randomE8M0}};
const WeightFormat kNf4 = {"NF4: codebook, f32 per 64",
                           {4, decodeNF4, fillRandomBytes},
                           {64, 4, decodeF32Bits, randomF32Scale}};
const WeightFormat kE3M0 = {"E3M0 (lowp only), E8M0 per 32",
                            {4, decodeE3M0, fillRandomBytes},
                            {32, 1, decodeE8M0, randomE8M0ForE3M0}};

/// How a weight matrix is stored, row-major. KxN: row k holds W[k][0 .. N),
/// scales and zero points are (K / B) x N, one row of them per B rows of
/// weights (block = [B, 1]). NxK (transpose_rhs): row n holds
/// W[n][0 .. K), scales and zero points are N x (K / B), one per B
/// consecutive values of a row (block = [1, B]). Packed 4-bit codes and
/// zero points run along the rows, low nibble first.
enum class Layout { KxN, NxK };

class GemvWeights;
/// Writes copy `toCopy` of `to` (N x K) from copy `fromCopy` of `from`
/// (K x N) through a kernel's NAME_prepack.
using PrepackCall = void (*)(GemvWeights &from, int fromCopy, GemvWeights &to,
                             int toCopy);

/// Copies of one weight matrix in one format and layout, so that
/// consecutive calls stream weights that no cache level holds.
class GemvWeights {
public:
  explicit GemvWeights(const WeightFormat &format, Layout layout = Layout::KxN)
      : format_(format), layout_(layout) {}

  const WeightFormat &format() const { return format_; }
  Layout layout() const { return layout_; }
  /// The stored matrix's row length: N (K x N) or K (N x K).
  int64_t columns() const { return layout_ == Layout::KxN ? kN : kK; }
  size_t elementBytes() const { return kK * kN * format_.element.bits / 8; }
  size_t scaleBytes() const {
    return format_.scale.block
               ? kK / format_.scale.block * kN * format_.scale.bytes
               : 0;
  }
  size_t zeroPointBytes() const {
    return format_.zeroPoints ? kK / format_.scale.block * kN / 2 : 0;
  }
  size_t tensorScaleBytes() const {
    return format_.tensorScale != 0 ? sizeof(float) : 0;
  }
  uint64_t bytesPerCopy() const {
    return elementBytes() + scaleBytes() + zeroPointBytes() +
           tensorScaleBytes();
  }
  int copies() const { return static_cast<int>(copies_.size()); }

  /// Allocates and fills the copies; a no-op after the first call, since
  /// several benchmarks share the f32 weights.
  void prepare() {
    if (!copies_.empty())
      return;
    copies_.resize(copiesToDefeatCaches(bytesPerCopy()));
    // Every copy holds the same codes: a check of any copy checks them all.
    // (The N x K weights are other random codes, drawn in their own order.)
    Random random(layout_ == Layout::KxN ? 0x5EED : 0x5EED7);
    Copy &first = copies_[0];
    first.elements = Buffer(elementBytes());
    format_.element.fill(first.elements.as<void>(), elementBytes(), random);
    if (format_.scale.block) {
      first.scales = Buffer(scaleBytes());
      auto *scales = first.scales.as<uint8_t>();
      for (size_t i = 0; i < scaleBytes(); i += format_.scale.bytes) {
        uint32_t code = format_.scale.random(random);
        std::memcpy(scales + i, &code, format_.scale.bytes); // little-endian
      }
    }
    if (format_.zeroPoints) {
      first.zeroPoints = Buffer(zeroPointBytes());
      random.fillBytes(first.zeroPoints.as<void>(), zeroPointBytes());
    }
    if (format_.tensorScale != 0) {
      first.tensorScale = Buffer(sizeof(float));
      *first.tensorScale.as<float>() = format_.tensorScale;
    }
    for (size_t c = 1; c < copies_.size(); ++c) {
      copies_[c].elements = duplicate(first.elements);
      copies_[c].scales = duplicate(first.scales);
      copies_[c].zeroPoints = duplicate(first.zeroPoints);
      copies_[c].tensorScale = duplicate(first.tensorScale);
    }
  }

  /// Fills the copies with what `prepack` makes of `source`'s (the same
  /// weights, K x N): the N x K weights that lowp-assign-layouts'
  /// NAME_prepack returns. The one call it times is prepackSeconds().
  void prepareFrom(GemvWeights &source, PrepackCall prepack) {
    if (!copies_.empty())
      return;
    source.prepare();
    copies_.resize(copiesToDefeatCaches(bytesPerCopy()));
    Copy &first = copies_[0];
    first.elements = Buffer(elementBytes());
    first.scales = Buffer(scaleBytes());
    first.zeroPoints = Buffer(zeroPointBytes());
    first.tensorScale = Buffer(tensorScaleBytes());
    double start = now();
    prepack(source, 0, *this, 0);
    prepackSeconds_ = now() - start;
    for (size_t c = 1; c < copies_.size(); ++c) {
      copies_[c].elements = duplicate(first.elements);
      copies_[c].scales = duplicate(first.scales);
      copies_[c].zeroPoints = duplicate(first.zeroPoints);
      copies_[c].tensorScale = duplicate(first.tensorScale);
    }
  }
  double prepackSeconds() const { return prepackSeconds_; }

  void *elements(int copy) { return copies_[copy].elements.as<void>(); }
  void *scales(int copy) { return copies_[copy].scales.as<void>(); }
  void *zeroPoints(int copy) { return copies_[copy].zeroPoints.as<void>(); }
  void *tensorScale(int copy) { return copies_[copy].tensorScale.as<void>(); }

  /// The exact logical values of stored row r (columns() values: row k of
  /// K x N weights, row n of N x K ones), as the format and the layout
  /// define them, computed here independently of lowp.
  void decodeRow(int64_t r, double *row) const {
    const Copy &copy = copies_[0];
    const int64_t columns = this->columns();
    if (format_.element.bits == 32) {
      const float *values = copy.elements.as<float>() + r * columns;
      for (int64_t c = 0; c < columns; ++c)
        row[c] = values[c];
      return;
    }
    // Tables of the element and (1-byte) scale values: the reference
    // visits every weight, and ldexp per weight would take seconds.
    double elementValue[256], scaleValue[256];
    for (uint32_t code = 0; code < 256; ++code) {
      elementValue[code] = format_.element.decode(code);
      scaleValue[code] = format_.scale.block ? format_.scale.decode(code) : 1;
    }
    const auto *elements = copy.elements.as<uint8_t>();
    const int block = format_.scale.block;
    // Where the scales and zero points of row r start, how many a row of
    // them holds, and which of them column c uses: K x N weights share a
    // row of N per block of rows, N x K ones have their own row of K /
    // block, one per block of columns.
    const bool kxn = layout_ == Layout::KxN;
    const int64_t blockRow = !block ? 0 : kxn ? r / block : r;
    const int64_t blocksPerRow = !block ? 0 : kxn ? kN : kK / block;
    auto blockOf = [&](int64_t c) { return kxn ? c : c / block; };
    double tensorScale = format_.tensorScale != 0 ? format_.tensorScale : 1;
    for (int64_t c = 0; c < columns; ++c) {
      double value = elementValue[format_.element.bits == 8
                                      ? elements[r * columns + c]
                                      : nibble(elements + r * columns / 2, c)];
      if (format_.zeroPoints)
        value -=
            nibble(copy.zeroPoints.as<uint8_t>() + blockRow * blocksPerRow / 2,
                   blockOf(c));
      if (block) {
        const uint8_t *scale =
            copy.scales.as<uint8_t>() +
            (blockRow * blocksPerRow + blockOf(c)) * format_.scale.bytes;
        if (format_.scale.bytes == 1) {
          value *= scaleValue[*scale];
        } else {
          uint32_t code = 0;
          std::memcpy(&code, scale, format_.scale.bytes); // little-endian
          value *= format_.scale.decode(code);
        }
      }
      row[c] = value * tensorScale;
    }
  }

private:
  struct Copy {
    Buffer elements, scales, zeroPoints, tensorScale;
  };

  static Buffer duplicate(const Buffer &from) {
    Buffer to(from.size());
    if (from.size())
      std::memcpy(to.as<void>(), from.as<void>(), from.size());
    return to;
  }
  // Code n of a row of 4-bit codes, low nibble first.
  static uint32_t nibble(const uint8_t *row, int64_t n) {
    return (row[n / 2] >> (4 * (n % 2))) & 15;
  }

  const WeightFormat &format_;
  Layout layout_;
  std::vector<Copy> copies_;
  double prepackSeconds_ = 0;
};

/// What the GEMV benchmarks share: activations, results, and the check
/// against an f64 reference.
class GemvBenchmark : public Benchmark {
public:
  GemvBenchmark(std::string name, std::shared_ptr<GemvWeights> weights,
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
  std::shared_ptr<GemvWeights> weights_;
  /// The weights whose product check() computes: weights_, or the K x N
  /// weights that prepacked ones were made from (so that a wrong prepack
  /// fails the check too).
  std::shared_ptr<GemvWeights> logical_;
  int threads_;
  Buffer x_, y_;
};

/// cblas_sgemv (or sgemm with one row) on the f32 weights, row-major:
/// y = W^T x with W stored K x N.
class OpenBlasGemv : public GemvBenchmark {
public:
  OpenBlasGemv(std::shared_ptr<GemvWeights> weights, int threads, bool gemm)
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
using LowpGemvCall = void (*)(GemvWeights &weights, int copy, float *x,
                              float *y);

class LowpGemv : public GemvBenchmark {
public:
  LowpGemv(std::string name, std::shared_ptr<GemvWeights> weights,
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
  LowpPrepackedGemv(std::string name, std::shared_ptr<GemvWeights> weights,
                    std::shared_ptr<GemvWeights> source, PrepackCall prepack,
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

void callGemvF32(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_f32
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto wd = describe<lowp_memref_float_2d>(w.elements(copy), {kK, kN});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  _mlir_ciface_gemv_f32(&xd, &wd, &yd);
#endif
}

// The E2M1 / E3M0 / NF4 / ui4 element codes of a row of N weights are N/2
// bytes; scales and zero points have a row per block.

void callGemvMxfp4(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_mxfp4
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kK, kN / 2});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {kK / 32, kN});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  _mlir_ciface_gemv_mxfp4(&xd, &ed, &sd, &yd);
#endif
}

void callGemvNvfp4(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_nvfp4
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kK, kN / 2});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {kK / 16, kN});
  auto td = describeScalar<lowp_memref_float_0d>(w.tensorScale(copy));
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  _mlir_ciface_gemv_nvfp4(&xd, &ed, &sd, &td, &yd);
#endif
}

void callGemvInt4G128(GemvWeights &w, int copy, float *x, float *y) {
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

void callGemvMxfp8(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_mxfp8
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kK, kN});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {kK / 32, kN});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  _mlir_ciface_gemv_mxfp8(&xd, &ed, &sd, &yd);
#endif
}

void callGemvNf4(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_nf4
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kK, kN / 2});
  auto sd = describe<lowp_memref_float_2d>(w.scales(copy), {kK / 64, kN});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  _mlir_ciface_gemv_nf4(&xd, &ed, &sd, &yd);
#endif
}

void callGemvE3M0(GemvWeights &w, int copy, float *x, float *y) {
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
void callMxfp4NxK(Kernel kernel, GemvWeights &w, int copy, float *x, float *y) {
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kN, kK / 2});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {kN, kK / 32});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  kernel(&xd, &ed, &sd, &yd);
}
#endif

void callGemvMxfp4Nk(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_mxfp4_nk
  callMxfp4NxK(_mlir_ciface_gemv_mxfp4_nk, w, copy, x, y);
#endif
}

void callGemvMxfp4NkDynamic(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_mxfp4_nk_dynamic
  callMxfp4NxK(_mlir_ciface_gemv_mxfp4_nk_dynamic, w, copy, x, y);
#endif
}

void callGemvMxfp4Prepacked(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_mxfp4
  callMxfp4NxK(_mlir_ciface_gemv_mxfp4_prepacked, w, copy, x, y);
#endif
}

#if LOWP_BENCH_HAVE_gemv_nvfp4_nk || LOWP_BENCH_HAVE_gemv_nvfp4
/// The arguments of an N x K Nvfp4 kernel: the _nk twin, or NAME_prepacked.
template <typename Kernel>
void callNvfp4NxK(Kernel kernel, GemvWeights &w, int copy, float *x, float *y) {
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kN, kK / 2});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {kN, kK / 16});
  auto td = describeScalar<lowp_memref_float_0d>(w.tensorScale(copy));
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  kernel(&xd, &ed, &sd, &td, &yd);
}
#endif

void callGemvNvfp4Nk(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_nvfp4_nk
  callNvfp4NxK(_mlir_ciface_gemv_nvfp4_nk, w, copy, x, y);
#endif
}

void callGemvNvfp4Prepacked(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_nvfp4
  callNvfp4NxK(_mlir_ciface_gemv_nvfp4_prepacked, w, copy, x, y);
#endif
}

#if LOWP_BENCH_HAVE_gemv_int4_g128_nk || LOWP_BENCH_HAVE_gemv_int4_g128
/// The arguments of an N x K Int4G128 kernel: the _nk twin, or NAME_prepacked.
template <typename Kernel>
void callInt4G128NxK(Kernel kernel, GemvWeights &w, int copy, float *x,
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

void callGemvInt4G128Nk(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_int4_g128_nk
  callInt4G128NxK(_mlir_ciface_gemv_int4_g128_nk, w, copy, x, y);
#endif
}

void callGemvInt4G128Prepacked(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_int4_g128
  callInt4G128NxK(_mlir_ciface_gemv_int4_g128_prepacked, w, copy, x, y);
#endif
}

#if LOWP_BENCH_HAVE_gemv_mxfp8_nk || LOWP_BENCH_HAVE_gemv_mxfp8
/// The arguments of an N x K Mxfp8 kernel: the _nk twin, or NAME_prepacked.
template <typename Kernel>
void callMxfp8NxK(Kernel kernel, GemvWeights &w, int copy, float *x, float *y) {
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kN, kK});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {kN, kK / 32});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  kernel(&xd, &ed, &sd, &yd);
}
#endif

void callGemvMxfp8Nk(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_mxfp8_nk
  callMxfp8NxK(_mlir_ciface_gemv_mxfp8_nk, w, copy, x, y);
#endif
}

void callGemvMxfp8Prepacked(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_mxfp8
  callMxfp8NxK(_mlir_ciface_gemv_mxfp8_prepacked, w, copy, x, y);
#endif
}

#if LOWP_BENCH_HAVE_gemv_nf4_nk || LOWP_BENCH_HAVE_gemv_nf4
/// The arguments of an N x K Nf4 kernel: the _nk twin, or NAME_prepacked.
template <typename Kernel>
void callNf4NxK(Kernel kernel, GemvWeights &w, int copy, float *x, float *y) {
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kN, kK / 2});
  auto sd = describe<lowp_memref_float_2d>(w.scales(copy), {kN, kK / 64});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  kernel(&xd, &ed, &sd, &yd);
}
#endif

void callGemvNf4Nk(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_nf4_nk
  callNf4NxK(_mlir_ciface_gemv_nf4_nk, w, copy, x, y);
#endif
}

void callGemvNf4Prepacked(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_nf4
  callNf4NxK(_mlir_ciface_gemv_nf4_prepacked, w, copy, x, y);
#endif
}

#if LOWP_BENCH_HAVE_gemv_e3m0_nk || LOWP_BENCH_HAVE_gemv_e3m0
/// The arguments of an N x K E3M0 kernel: the _nk twin, or NAME_prepacked.
template <typename Kernel>
void callE3M0NxK(Kernel kernel, GemvWeights &w, int copy, float *x, float *y) {
  auto xd = describe<lowp_memref_float_2d>(x, {1, kK});
  auto ed = describe<lowp_memref_uint8_2d>(w.elements(copy), {kN, kK / 2});
  auto sd = describe<lowp_memref_uint8_2d>(w.scales(copy), {kN, kK / 32});
  auto yd = describe<lowp_memref_float_2d>(y, {1, kN});
  kernel(&xd, &ed, &sd, &yd);
}
#endif

void callGemvE3M0Nk(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_e3m0_nk
  callE3M0NxK(_mlir_ciface_gemv_e3m0_nk, w, copy, x, y);
#endif
}

void callGemvE3M0Prepacked(GemvWeights &w, int copy, float *x, float *y) {
#if LOWP_BENCH_HAVE_gemv_e3m0
  callE3M0NxK(_mlir_ciface_gemv_e3m0_prepacked, w, copy, x, y);
#endif
}

// The NAME_prepack adapters: the K x N parts in, the N x K parts out.

#if LOWP_BENCH_HAVE_gemv_mxfp4 || LOWP_BENCH_HAVE_gemv_e3m0
/// The prepack of packed 4-bit codes under one-byte scales per 32 (MXFP4,
/// E3M0).
template <typename Kernel>
void prepackCodes4Scales32(Kernel kernel, GemvWeights &from, int fromCopy,
                           GemvWeights &to, int toCopy) {
  auto ei =
      describe<lowp_memref_uint8_2d>(from.elements(fromCopy), {kK, kN / 2});
  auto si =
      describe<lowp_memref_uint8_2d>(from.scales(fromCopy), {kK / 32, kN});
  auto eo = describe<lowp_memref_uint8_2d>(to.elements(toCopy), {kN, kK / 2});
  auto so = describe<lowp_memref_uint8_2d>(to.scales(toCopy), {kN, kK / 32});
  kernel(&ei, &si, &eo, &so);
}
#endif

void prepackMxfp4(GemvWeights &from, int fromCopy, GemvWeights &to,
                  int toCopy) {
#if LOWP_BENCH_HAVE_gemv_mxfp4
  prepackCodes4Scales32(_mlir_ciface_gemv_mxfp4_prepack, from, fromCopy, to,
                        toCopy);
#endif
}

void prepackNvfp4(GemvWeights &from, int fromCopy, GemvWeights &to,
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

void prepackInt4G128(GemvWeights &from, int fromCopy, GemvWeights &to,
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

void prepackMxfp8(GemvWeights &from, int fromCopy, GemvWeights &to,
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

void prepackNf4(GemvWeights &from, int fromCopy, GemvWeights &to, int toCopy) {
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

void prepackE3M0(GemvWeights &from, int fromCopy, GemvWeights &to, int toCopy) {
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
};

} // namespace

BenchmarkList makeGemvBenchmarks(int threads,
                                 std::vector<std::string> &notBuilt) {
  BenchmarkList list;
  auto f32 = std::make_shared<GemvWeights>(kF32);
  list.push_back(std::make_unique<OpenBlasGemv>(f32, 1, false));
  if (threads > 1)
    list.push_back(std::make_unique<OpenBlasGemv>(f32, threads, false));
  list.push_back(std::make_unique<OpenBlasGemv>(f32, 1, true));
  // The K x N weights of the last K x N kernel, which its prepacked entry
  // is made from.
  std::shared_ptr<GemvWeights> kxn;
  for (const LowpGemvKernel &kernel : kLowpGemvs) {
    if (!kernel.built) {
      notBuilt.push_back(kernel.name);
      continue;
    }
    auto weights =
        &kernel.format == &kF32 && kernel.layout == Layout::KxN
            ? f32
            : std::make_shared<GemvWeights>(kernel.format, kernel.layout);
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
