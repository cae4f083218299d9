//===- Conversions.cpp - Elementwise conversions and MXFP4 quantization ---===//
//
// lowp's kernels that turn 64Mi f32 values into FP8 E4M3, packed FP4 E2M1
// and MXFP4 parts, and back. Each reads its input once and writes its
// output once, so the speed limit is the memory system's read plus write
// cost, which the driver estimates from the read and copy probes.
//
//===----------------------------------------------------------------------===//

#include "Benchmark.h"
#include "Formats.h"
#include "LowpKernels.h"
#include "Support.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace lowp_bench {

namespace {

constexpr int64_t kCount = int64_t(1) << 26; // 64Mi elements
constexpr int64_t kBlock = 32;               // MXFP4's block

/// What a conversion reads or writes.
enum class Data {
  F32,   ///< 4 bytes a value
  E4M3,  ///< one code a byte
  E2M1,  ///< two codes a byte, low nibble first
  Mxfp4, ///< packed E2M1 elements, then one E8M0 scale per 32
};

size_t valueBytes(Data data) {
  switch (data) {
  case Data::F32:
    return kCount * sizeof(float);
  case Data::E4M3:
    return kCount;
  case Data::E2M1:
  case Data::Mxfp4:
    return kCount / 2;
  }
  return 0;
}

size_t scaleBytes(Data data) {
  return data == Data::Mxfp4 ? kCount / kBlock : 0;
}

/// One input or output of a conversion: values or element codes, and
/// MXFP4's scales.
struct Parts {
  Buffer values, scales;
  const float *f32() const { return values.as<float>(); }
  const uint8_t *codes() const { return values.as<uint8_t>(); }
};

uint32_t nibble(const uint8_t *codes, int64_t i) {
  return (codes[i / 2] >> (4 * (i % 2))) & 15;
}

/// Copies of one input. The f32 input is shared by three benchmarks.
class ConversionInput {
public:
  explicit ConversionInput(Data data) : data_(data) {}

  Data data() const { return data_; }
  int copies() const { return static_cast<int>(copies_.size()); }
  const Parts &copy(int c) const { return copies_[c]; }

  /// Allocates and fills the copies once.
  void prepare() {
    if (!copies_.empty())
      return;
    copies_.resize(copiesToDefeatCaches(valueBytes(data_) + scaleBytes(data_)));
    Random random(0xC0DE);
    Parts &first = copies_[0];
    first.values = Buffer(valueBytes(data_));
    void *values = first.values.as<void>();
    switch (data_) {
    case Data::F32: {
      // Magnitudes 2^-12 .. 4: inside E2M1's range (so no input depends on
      // the overflow policy), through E4M3's subnormals and below them.
      float scale[15];
      for (int e = 0; e < 15; ++e)
        scale[e] = std::ldexp(1.0f, e - 12);
      auto *f32 = static_cast<float *>(values);
      for (int64_t i = 0; i < kCount; ++i)
        f32[i] = random.uniform(-1, 1) * scale[random.next() % 15];
      break;
    }
    case Data::E4M3:
      fillE4M3Codes(values, valueBytes(data_), random);
      break;
    case Data::E2M1:
    case Data::Mxfp4:
      random.fillBytes(values, valueBytes(data_)); // every code is finite
      break;
    }
    if (data_ == Data::Mxfp4) {
      first.scales = Buffer(scaleBytes(data_));
      auto *scales = first.scales.as<uint8_t>();
      for (size_t i = 0; i < scaleBytes(data_); ++i)
        scales[i] = static_cast<uint8_t>(random.between(117, 137));
    }
    for (size_t c = 1; c < copies_.size(); ++c) {
      copies_[c].values = Buffer(first.values.size());
      std::memcpy(copies_[c].values.as<void>(), values, first.values.size());
      copies_[c].scales = Buffer(first.scales.size());
      if (first.scales.size())
        std::memcpy(copies_[c].scales.as<void>(), first.scales.as<void>(),
                    first.scales.size());
    }
  }

private:
  Data data_;
  std::vector<Parts> copies_;
};

/// Calls one lowp kernel on an input copy and the output.
using ConversionCall = void (*)(const Parts &in, Parts &out);

/// Whether unit `i` (an element, or a block for quantization) of the output
/// is what the format definitions say; if not, describes it in `why`.
using ConversionCheck = bool (*)(const Parts &in, const Parts &out, int64_t i,
                                 std::string &why);

struct ConversionKernel {
  const char *name; ///< the function in bench/kernels/NAME.mlir
  bool built;
  const char *description;
  Data input, output;
  ConversionCall call;
  ConversionCheck check;
  int64_t checkUnits; ///< how many units check() can be asked about
};

extern "C" void omp_set_num_threads(int threads);

class ConversionBenchmark : public Benchmark {
public:
  ConversionBenchmark(const ConversionKernel &kernel,
                      std::shared_ptr<ConversionInput> input, int threads)
      : kernel_(kernel), input_(std::move(input)), threads_(threads) {}

  std::string name() const override {
    return std::string(kernel_.name) + "_" + std::to_string(threads_) + "t";
  }
  int threads() const override { return threads_; }
  std::string description() const override { return kernel_.description; }
  Section section() const override { return Section::Conversion; }
  uint64_t bytesRead() const override {
    return valueBytes(kernel_.input) + scaleBytes(kernel_.input);
  }
  uint64_t bytesWritten() const override {
    return valueBytes(kernel_.output) + scaleBytes(kernel_.output);
  }

  void prepare() override {
    input_->prepare();
    output_.values = Buffer(valueBytes(kernel_.output));
    output_.scales = Buffer(scaleBytes(kernel_.output));
  }

  double run(int64_t call) override {
    const Parts &in = input_->copy(static_cast<int>(call % input_->copies()));
    // The kernels with parallel loops run them on the OpenMP runtime.
    omp_set_num_threads(threads_);
    double start = now();
    kernel_.call(in, output_);
    return now() - start;
  }

  /// Checks a random sample of 2^16 units plus the first and the last.
  CheckResult check() override {
    const Parts &in = input_->copy(0);
    Random random(0xCEC);
    int64_t samples = 0, wrong = 0;
    std::string firstWrong;
    auto checkUnit = [&](int64_t i) {
      std::string why;
      ++samples;
      if (!kernel_.check(in, output_, i, why) && wrong++ == 0)
        firstWrong = why;
    };
    checkUnit(0);
    checkUnit(kernel_.checkUnits - 1);
    for (int s = 0; s < (1 << 16); ++s)
      checkUnit(static_cast<int64_t>(random.next() % kernel_.checkUnits));
    const char *unit = kernel_.checkUnits == kCount ? "elements" : "blocks";
    char detail[300];
    if (wrong == 0) {
      std::snprintf(detail, sizeof detail, "%lld sampled %s exact",
                    (long long)samples, unit);
      return {CheckResult::Status::Ok, detail};
    }
    std::snprintf(detail, sizeof detail, "%lld of %lld sampled %s wrong; %s",
                  (long long)wrong, (long long)samples, unit,
                  firstWrong.c_str());
    return {CheckResult::Status::Wrong, detail};
  }

private:
  const ConversionKernel &kernel_;
  std::shared_ptr<ConversionInput> input_;
  int threads_;
  Parts output_;
};

// Checks. Encoding is round to nearest even (lowp.convert's default, and
// lowp.quantize's element rounding); decoding is exact.

std::string describeMismatch(int64_t i, double got, double expected) {
  char text[160];
  std::snprintf(text, sizeof text, "element %lld: got %.9g, expected %.9g",
                (long long)i, got, expected);
  return text;
}

bool sameValue(double a, double b) {
  return a == b && std::signbit(a) == std::signbit(b);
}

bool checkF32ToE4M3(const Parts &in, const Parts &out, int64_t i,
                    std::string &why) {
  uint32_t expected = encodeNearestEven(in.f32()[i], decodeE4M3, 256);
  uint32_t got = out.codes()[i];
  if (got == expected)
    return true;
  why = describeMismatch(i, decodeE4M3(got), decodeE4M3(expected));
  return false;
}

bool checkE4M3ToF32(const Parts &in, const Parts &out, int64_t i,
                    std::string &why) {
  double expected = decodeE4M3(in.codes()[i]), got = out.f32()[i];
  if (sameValue(got, expected))
    return true;
  why = describeMismatch(i, got, expected);
  return false;
}

bool checkF32ToE2M1(const Parts &in, const Parts &out, int64_t i,
                    std::string &why) {
  uint32_t expected = encodeNearestEven(in.f32()[i], decodeE2M1, 16);
  uint32_t got = nibble(out.codes(), i);
  if (got == expected)
    return true;
  why = describeMismatch(i, decodeE2M1(got), decodeE2M1(expected));
  return false;
}

bool checkE2M1ToF32(const Parts &in, const Parts &out, int64_t i,
                    std::string &why) {
  double expected = decodeE2M1(nibble(in.codes(), i)), got = out.f32()[i];
  if (sameValue(got, expected))
    return true;
  why = describeMismatch(i, got, expected);
  return false;
}

/// Block `b` under the OCP MX floor rule: scale 2^(floor(log2 amax) - 2)
/// (E2M1's largest binade is 2^2), clamped to E8M0's 2^-127 .. 2^127, the
/// smallest for an all-zero block; elements value / scale rounded to
/// nearest even, saturating at +-6.
bool checkQuantizeMxfp4(const Parts &in, const Parts &out, int64_t b,
                        std::string &why) {
  const float *block = in.f32() + b * kBlock;
  double amax = 0;
  for (int j = 0; j < kBlock; ++j)
    amax = std::fmax(amax, std::fabs(block[j]));
  int exponent = amax == 0 ? -127 : std::ilogb(amax) - 2;
  exponent = std::min(std::max(exponent, -127), 127);
  uint32_t expectedScale = static_cast<uint32_t>(exponent + 127);
  uint32_t gotScale = out.scales.as<uint8_t>()[b];
  char text[200];
  if (gotScale != expectedScale) {
    std::snprintf(text, sizeof text,
                  "block %lld: scale code %u, expected %u (amax %.9g)",
                  (long long)b, gotScale, expectedScale, amax);
    why = text;
    return false;
  }
  for (int j = 0; j < kBlock; ++j) {
    int64_t i = b * kBlock + j;
    uint32_t expected = encodeNearestEven(
        std::ldexp(double(block[j]), -exponent), decodeE2M1, 16);
    uint32_t got = nibble(out.codes(), i);
    if (got != expected) {
      std::snprintf(text, sizeof text,
                    "element %lld (%.9g, scale 2^%d): code 0x%X, expected 0x%X",
                    (long long)i, block[j], exponent, got, expected);
      why = text;
      return false;
    }
  }
  return true;
}

bool checkDequantizeMxfp4(const Parts &in, const Parts &out, int64_t i,
                          std::string &why) {
  double expected = decodeE2M1(nibble(in.codes(), i)) *
                    decodeE8M0(in.scales.as<uint8_t>()[i / kBlock]);
  double got = out.f32()[i];
  if (sameValue(got, expected))
    return true;
  why = describeMismatch(i, got, expected);
  return false;
}

// Adapters from parts to the generated descriptors; empty for a kernel
// that did not compile (never called).

void callF32ToE4M3(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_convert_f32_to_e4m3
  auto x = describe<lowp_memref_float_1d>(in.values.as<void>(), {kCount});
  auto y = describe<lowp_memref_uint8_1d>(out.values.as<void>(), {kCount});
  _mlir_ciface_convert_f32_to_e4m3(&x, &y);
#endif
}

void callE4M3ToF32(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_convert_e4m3_to_f32
  auto x = describe<lowp_memref_uint8_1d>(in.values.as<void>(), {kCount});
  auto y = describe<lowp_memref_float_1d>(out.values.as<void>(), {kCount});
  _mlir_ciface_convert_e4m3_to_f32(&x, &y);
#endif
}

void callF32ToE2M1(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_convert_f32_to_e2m1
  auto x = describe<lowp_memref_float_1d>(in.values.as<void>(), {kCount});
  auto y = describe<lowp_memref_uint8_1d>(out.values.as<void>(), {kCount / 2});
  _mlir_ciface_convert_f32_to_e2m1(&x, &y);
#endif
}

void callE2M1ToF32(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_convert_e2m1_to_f32
  auto x = describe<lowp_memref_uint8_1d>(in.values.as<void>(), {kCount / 2});
  auto y = describe<lowp_memref_float_1d>(out.values.as<void>(), {kCount});
  _mlir_ciface_convert_e2m1_to_f32(&x, &y);
#endif
}

void callQuantizeMxfp4(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_quantize_mxfp4
  auto x = describe<lowp_memref_float_1d>(in.values.as<void>(), {kCount});
  auto e = describe<lowp_memref_uint8_1d>(out.values.as<void>(), {kCount / 2});
  auto s =
      describe<lowp_memref_uint8_1d>(out.scales.as<void>(), {kCount / kBlock});
  _mlir_ciface_quantize_mxfp4(&x, &e, &s);
#endif
}

void callDequantizeMxfp4(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_dequantize_mxfp4
  auto e = describe<lowp_memref_uint8_1d>(in.values.as<void>(), {kCount / 2});
  auto s =
      describe<lowp_memref_uint8_1d>(in.scales.as<void>(), {kCount / kBlock});
  auto y = describe<lowp_memref_float_1d>(out.values.as<void>(), {kCount});
  _mlir_ciface_dequantize_mxfp4(&e, &s, &y);
#endif
}

const ConversionKernel kConversions[] = {
    {"convert_f32_to_e4m3", LOWP_BENCH_HAVE_convert_f32_to_e4m3,
     "f32 -> FP8 E4M3FN, lowp.convert", Data::F32, Data::E4M3, callF32ToE4M3,
     checkF32ToE4M3, kCount},
    {"convert_e4m3_to_f32", LOWP_BENCH_HAVE_convert_e4m3_to_f32,
     "FP8 E4M3FN -> f32, lowp.convert", Data::E4M3, Data::F32, callE4M3ToF32,
     checkE4M3ToF32, kCount},
    {"convert_f32_to_e2m1", LOWP_BENCH_HAVE_convert_f32_to_e2m1,
     "f32 -> FP4 E2M1 (packed), lowp.convert", Data::F32, Data::E2M1,
     callF32ToE2M1, checkF32ToE2M1, kCount},
    {"convert_e2m1_to_f32", LOWP_BENCH_HAVE_convert_e2m1_to_f32,
     "FP4 E2M1 (packed) -> f32, lowp.convert", Data::E2M1, Data::F32,
     callE2M1ToF32, checkE2M1ToF32, kCount},
    {"quantize_mxfp4", LOWP_BENCH_HAVE_quantize_mxfp4,
     "f32 -> MXFP4 parts, lowp.quantize", Data::F32, Data::Mxfp4,
     callQuantizeMxfp4, checkQuantizeMxfp4, kCount / kBlock},
    {"dequantize_mxfp4", LOWP_BENCH_HAVE_dequantize_mxfp4,
     "MXFP4 parts -> f32, lowp.dequantize", Data::Mxfp4, Data::F32,
     callDequantizeMxfp4, checkDequantizeMxfp4, kCount},
};

} // namespace

BenchmarkList makeConversionBenchmarks(int threads,
                                       std::vector<std::string> &notBuilt) {
  BenchmarkList list;
  std::shared_ptr<ConversionInput> inputs[4];
  for (const ConversionKernel &kernel : kConversions) {
    if (!kernel.built) {
      notBuilt.push_back(kernel.name);
      continue;
    }
    auto &input = inputs[static_cast<int>(kernel.input)];
    if (!input)
      input = std::make_shared<ConversionInput>(kernel.input);
    list.push_back(std::make_unique<ConversionBenchmark>(kernel, input, 1));
    if (threads > 1)
      list.push_back(
          std::make_unique<ConversionBenchmark>(kernel, input, threads));
  }
  return list;
}

} // namespace lowp_bench
