//===- Conversions.cpp - Elementwise conversions and block quantization ---===//
//
// lowp's kernels that turn 64Mi f32 values into FP8 E4M3, packed FP4 E2M1,
// packed FP6 E2M3, E8M0, bf16 and f16, and into MXFP4, NVFP4 and
// int4-g128 parts, and back. Each reads its input once and writes its
// output once, so the speed limit is the memory system's read plus write
// cost, which the driver estimates from the read and copy probes.
//
//===----------------------------------------------------------------------===//

#include "Benchmark.h"
#include "Formats.h"
#include "LowpKernels.h"
#include "Support.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace lowp_bench {

namespace {

constexpr int64_t kCount = int64_t(1) << 26; // 64Mi elements
constexpr int64_t kBlock = 32;               // MXFP4's block
constexpr int64_t kNvfp4Block = 16;
constexpr int64_t kInt4Block = 128;

/// What a conversion reads or writes.
enum class Data {
  F32,         ///< 4 bytes a value, magnitudes 2^-12 .. 4, either sign
  PositiveF32, ///< 4 bytes a value, 2^-126 .. 2^127 (E8M0's inputs)
  E4M3,        ///< one code a byte
  E2M1,        ///< two codes a byte, low nibble first
  E2M3,        ///< four 6-bit codes per 3 bytes, a little-endian bit stream
  E8M0,        ///< one code a byte
  BF16,        ///< one 16-bit code per value
  F16,         ///< one 16-bit code per value
  Mxfp4,       ///< packed E2M1 elements, then one E8M0 scale per 32
  Nvfp4,       ///< packed E2M1, one E4M3 scale per 16, one f32 tensor scale
  Int4G128,    ///< packed ui4, per 128 an f16 scale and a packed ui4 zero
};
constexpr int kDataKinds = static_cast<int>(Data::Int4G128) + 1;

size_t valueBytes(Data data) {
  switch (data) {
  case Data::F32:
  case Data::PositiveF32:
    return kCount * sizeof(float);
  case Data::BF16:
  case Data::F16:
    return kCount * 2;
  case Data::E4M3:
  case Data::E8M0:
    return kCount;
  case Data::E2M3:
    return kCount / 4 * 3;
  case Data::E2M1:
  case Data::Mxfp4:
  case Data::Nvfp4:
  case Data::Int4G128:
    return kCount / 2;
  }
  return 0;
}

size_t scaleBytes(Data data) {
  switch (data) {
  case Data::Mxfp4:
    return kCount / kBlock; // E8M0
  case Data::Nvfp4:
    return kCount / kNvfp4Block; // E4M3
  case Data::Int4G128:
    return kCount / kInt4Block * 2; // f16
  default:
    return 0;
  }
}

/// int4-g128's ui4 zero points, packed two per byte.
size_t zeroPointBytes(Data data) {
  return data == Data::Int4G128 ? kCount / kInt4Block / 2 : 0;
}

/// NVFP4's f32 tensor scale (a 0-d memref at the boundary).
size_t tensorScaleBytes(Data data) {
  return data == Data::Nvfp4 ? sizeof(float) : 0;
}

size_t totalBytes(Data data) {
  return valueBytes(data) + scaleBytes(data) + zeroPointBytes(data) +
         tensorScaleBytes(data);
}

/// One input or output of a conversion: values or element codes, and the
/// block-scaled formats' other parts.
struct Parts {
  Buffer values, scales, zeroPoints, tensorScale;
  /// The largest magnitude among the values of an f32 input (what NVFP4's
  /// tensor scale is computed from).
  double amax = 0;
  const float *f32() const { return values.as<float>(); }
  const uint8_t *codes() const { return values.as<uint8_t>(); }
  const uint16_t *codes16() const { return values.as<uint16_t>(); }
};

uint32_t nibble(const uint8_t *codes, int64_t i) {
  return (codes[i / 2] >> (4 * (i % 2))) & 15;
}

/// Code `i` of packed 6-bit codes: bits [6i, 6i + 6) of a little-endian
/// bit stream.
uint32_t sixBits(const uint8_t *codes, int64_t i) {
  int64_t bit = 6 * i;
  uint32_t word = codes[bit / 8];
  if (bit % 8 > 2) // the code runs into the next byte
    word |= uint32_t(codes[bit / 8 + 1]) << 8;
  return (word >> (bit % 8)) & 63;
}

Buffer duplicate(const Buffer &buffer) {
  Buffer copy(buffer.size());
  if (buffer.size())
    std::memcpy(copy.as<void>(), buffer.as<void>(), buffer.size());
  return copy;
}

/// Allocates every part of `data` (zero-filled).
void allocate(Parts &parts, Data data) {
  parts.values = Buffer(valueBytes(data));
  parts.scales = Buffer(scaleBytes(data));
  parts.zeroPoints = Buffer(zeroPointBytes(data));
  parts.tensorScale = Buffer(tensorScaleBytes(data));
}

/// Copies of one input. The f32 input is shared by several benchmarks.
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
    copies_.resize(copiesToDefeatCaches(totalBytes(data_)));
    Random random(0xC0DE);
    Parts &first = copies_[0];
    allocate(first, data_);
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
    case Data::PositiveF32: {
      // 2^e times uniform [1, 2) for e in -126 .. 126, one in 16 exactly
      // 1.5 * 2^e (a tie between two E8M0 codes): positive normal f32
      // values inside E8M0's range (2^-127 .. 2^127), none rounding past it.
      auto *f32 = static_cast<float *>(values);
      for (int64_t i = 0; i < kCount; ++i) {
        float significand =
            random.next() % 16 == 0 ? 1.5f : random.uniform(1, 2);
        f32[i] = std::ldexp(significand, random.between(-126, 126));
      }
      break;
    }
    case Data::E4M3:
      fillE4M3Codes(values, valueBytes(data_), random);
      break;
    case Data::E8M0: {
      auto *codes = static_cast<uint8_t *>(values);
      for (int64_t i = 0; i < kCount; ++i) // every code but NaN (0xFF)
        codes[i] = static_cast<uint8_t>(random.between(0, 254));
      break;
    }
    case Data::BF16:
      fillIeee16Codes(values, valueBytes(data_), 7, random);
      break;
    case Data::F16:
      fillIeee16Codes(values, valueBytes(data_), 10, random);
      break;
    case Data::E2M1:
    case Data::E2M3:
    case Data::Mxfp4:
    case Data::Nvfp4:
    case Data::Int4G128:
      random.fillBytes(values, valueBytes(data_)); // every code is finite
      break;
    }
    if (data_ == Data::F32) {
      const float *f32 = first.f32();
      for (int64_t i = 0; i < kCount; ++i)
        first.amax = std::max(first.amax, double(std::fabs(f32[i])));
    }
    if (data_ == Data::Mxfp4) {
      auto *scales = first.scales.as<uint8_t>();
      for (size_t i = 0; i < scaleBytes(data_); ++i)
        scales[i] = static_cast<uint8_t>(random.between(117, 137));
    }
    if (data_ == Data::Nvfp4) {
      // Every non-negative E4M3 code but NaN (0x7F): zero, subnormals and
      // normals up to 448. The tensor scale is not a power of two, so the
      // products carry more bits than f32 holds and must be rounded.
      auto *scales = first.scales.as<uint8_t>();
      for (size_t i = 0; i < scaleBytes(data_); ++i)
        scales[i] = static_cast<uint8_t>(random.between(0, 0x7E));
      *first.tensorScale.as<float>() = 3.7203e-4f;
    }
    if (data_ == Data::Int4G128) {
      // Positive f16 scales 2^-10 .. 2^-3 and random zero points.
      auto *scales = first.scales.as<uint16_t>();
      for (size_t i = 0; i < scaleBytes(data_) / 2; ++i)
        scales[i] = static_cast<uint16_t>(random.between(5, 12) << 10 |
                                          random.between(0, 1023));
      random.fillBytes(first.zeroPoints.as<void>(), zeroPointBytes(data_));
    }
    for (size_t c = 1; c < copies_.size(); ++c) {
      copies_[c].values = duplicate(first.values);
      copies_[c].scales = duplicate(first.scales);
      copies_[c].zeroPoints = duplicate(first.zeroPoints);
      copies_[c].tensorScale = duplicate(first.tensorScale);
      copies_[c].amax = first.amax;
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
  /// How often the kernel must read its input from memory: NVFP4's
  /// quantizer needs the tensor's amax before it can scale any block, so
  /// its roofline is two reads of a tensor larger than the caches.
  int inputPasses = 1;
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
    return totalBytes(kernel_.input) * kernel_.inputPasses;
  }
  uint64_t bytesWritten() const override { return totalBytes(kernel_.output); }

  void prepare() override {
    input_->prepare();
    allocate(output_, kernel_.output);
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
/// Whether MXFP4 block `b` of `out` is the quantization of the 32 values
/// of `block`.
bool checkMxfp4Block(const float *block, const Parts &out, int64_t b,
                     std::string &why) {
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

bool checkQuantizeMxfp4(const Parts &in, const Parts &out, int64_t b,
                        std::string &why) {
  return checkMxfp4Block(in.f32() + b * kBlock, out, b, why);
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

std::string describeCodeMismatch(int64_t i, double input, uint32_t got,
                                 uint32_t expected, DecodeFn decode) {
  char text[200];
  std::snprintf(text, sizeof text,
                "element %lld (%.9g): code 0x%X (%.9g), expected 0x%X (%.9g)",
                (long long)i, input, got, decode(got), expected,
                decode(expected));
  return text;
}

bool checkF32ToE2M3(const Parts &in, const Parts &out, int64_t i,
                    std::string &why) {
  uint32_t expected = encodeNearestEven(in.f32()[i], decodeE2M3, 64);
  uint32_t got = sixBits(out.codes(), i);
  if (got == expected)
    return true;
  why = describeCodeMismatch(i, in.f32()[i], got, expected, decodeE2M3);
  return false;
}

bool checkE2M3ToF32(const Parts &in, const Parts &out, int64_t i,
                    std::string &why) {
  double expected = decodeE2M3(sixBits(in.codes(), i)), got = out.f32()[i];
  if (sameValue(got, expected))
    return true;
  why = describeMismatch(i, got, expected);
  return false;
}

bool checkF32ToE8M0(const Parts &in, const Parts &out, int64_t i,
                    std::string &why) {
  uint32_t expected = encodeE8M0NearestEven(in.f32()[i]);
  uint32_t got = out.codes()[i];
  if (got == expected)
    return true;
  why = describeCodeMismatch(i, in.f32()[i], got, expected, decodeE8M0);
  return false;
}

bool checkE8M0ToF32(const Parts &in, const Parts &out, int64_t i,
                    std::string &why) {
  double expected = decodeE8M0(in.codes()[i]), got = out.f32()[i];
  if (sameValue(got, expected))
    return true;
  why = describeMismatch(i, got, expected);
  return false;
}

bool checkF32ToBF16(const Parts &in, const Parts &out, int64_t i,
                    std::string &why) {
  uint32_t expected = encodeBF16NearestEven(in.f32()[i]);
  uint32_t got = out.codes16()[i];
  if (got == expected)
    return true;
  why = describeCodeMismatch(i, in.f32()[i], got, expected, decodeBF16);
  return false;
}

bool checkBF16ToF32(const Parts &in, const Parts &out, int64_t i,
                    std::string &why) {
  double expected = decodeBF16(in.codes16()[i]), got = out.f32()[i];
  if (sameValue(got, expected))
    return true;
  why = describeMismatch(i, got, expected);
  return false;
}

bool checkF32ToF16(const Parts &in, const Parts &out, int64_t i,
                   std::string &why) {
  uint32_t expected = encodeF16NearestEven(in.f32()[i]);
  uint32_t got = out.codes16()[i];
  if (got == expected)
    return true;
  why = describeCodeMismatch(i, in.f32()[i], got, expected, decodeF16);
  return false;
}

bool checkF16ToF32(const Parts &in, const Parts &out, int64_t i,
                   std::string &why) {
  double expected = decodeF16(in.codes16()[i]), got = out.f32()[i];
  if (sameValue(got, expected))
    return true;
  why = describeMismatch(i, got, expected);
  return false;
}

/// min(x, bound), NaN kept.
float atMost(float x, float bound) { return x > bound ? bound : x; }

/// Block `b` under the nvfp4 rule (docs/Numerics.md: NVIDIA's steps, each
/// one f32 operation), re-implemented: S_enc = min(2688 / amax, FLT_MAX)
/// (1 if 0), the tensor scale S_dec = 1 / S_enc; the block's E4M3 scale
/// min(amax_b * (S_enc * (1 / 6)), 448) rounded to nearest even; elements
/// x * min(1 / (s_b * S_dec), FLT_MAX) rounded to nearest even into E2M1,
/// saturating at +-6. The inputs are finite.
bool checkQuantizeNvfp4(const Parts &in, const Parts &out, int64_t b,
                        std::string &why) {
  char text[200];
  const float floatMax = std::numeric_limits<float>::max();
  float encode = atMost(2688.0f / float(in.amax), floatMax);
  if (encode == 0.0f)
    encode = 1.0f;
  float tensorScale = 1.0f / encode;
  float gotTensorScale = *out.tensorScale.as<float>();
  if (std::memcmp(&gotTensorScale, &tensorScale, sizeof(float)) != 0) {
    std::snprintf(text, sizeof text,
                  "tensor scale %.9g, expected %.9g (amax %.9g)",
                  gotTensorScale, tensorScale, in.amax);
    why = text;
    return false;
  }
  const float *block = in.f32() + b * kNvfp4Block;
  float amax = 0;
  for (int j = 0; j < kNvfp4Block; ++j)
    amax = std::fmax(amax, std::fabs(block[j]));
  float multiplier = encode * (1.0f / 6.0f);
  float scale = atMost(atMost(amax * multiplier, floatMax), 448.0f);
  uint32_t expectedScale = encodeNearestEven(scale, decodeE4M3, 256);
  uint32_t gotScale = out.scales.as<uint8_t>()[b];
  if (gotScale != expectedScale) {
    std::snprintf(text, sizeof text,
                  "block %lld: scale code 0x%X, expected 0x%X (amax %.9g)",
                  (long long)b, gotScale, expectedScale, amax);
    why = text;
    return false;
  }
  float product = float(decodeE4M3(expectedScale)) * tensorScale;
  float reciprocal = atMost(1.0f / product, floatMax);
  for (int j = 0; j < kNvfp4Block; ++j) {
    int64_t i = b * kNvfp4Block + j;
    float scaled = block[j] * reciprocal;
    uint32_t expected = encodeNearestEven(scaled, decodeE2M1, 16);
    uint32_t got = nibble(out.codes(), i);
    if (got != expected) {
      std::snprintf(text, sizeof text,
                    "element %lld (%.9g, times %.9g): code 0x%X, expected 0x%X",
                    (long long)i, block[j], reciprocal, got, expected);
      why = text;
      return false;
    }
  }
  return true;
}

bool checkDequantizeNvfp4(const Parts &in, const Parts &out, int64_t i,
                          std::string &why) {
  // E2M1 * E4M3 * f32 is exact in double (at most 2 + 4 + 24 significant
  // bits); lowp rounds it once to f32.
  double product = decodeE2M1(nibble(in.codes(), i)) *
                   decodeE4M3(in.scales.as<uint8_t>()[i / kNvfp4Block]) *
                   double(*in.tensorScale.as<float>());
  double expected = static_cast<float>(product), got = out.f32()[i];
  if (sameValue(got, expected))
    return true;
  why = describeMismatch(i, got, expected);
  return false;
}

/// Block `b` under the minmax rule (docs/Numerics.md), re-implemented
/// exactly for ui4 elements and zero points (qmin 0, qmax 15): with
/// lo = min(0, min x) and hi = max(0, max x), the f16 scale s is
/// (hi - lo) / 15 rounded to nearest even; the zero point z is
/// round(-lo / s) clamped to 0 .. 15 (0 if s is 0); each element is
/// clamp(round(x / s) + z, 0, 15), rounding to nearest even throughout.
/// hi - lo is computed in double, as lowp's reference does; it is exact
/// unless one end is below 2^-28 while the other is near 4, which the
/// minimum and maximum of 128 of these inputs never are. The quotients
/// (by 15, and of an f32 by an f16) round like the exact ones: each is of
/// an f32 by a number of at most 28 significant bits, so one that is not
/// exact is never within 2^-53 (relative) of a tie.
bool checkQuantizeInt4G128(const Parts &in, const Parts &out, int64_t b,
                           std::string &why) {
  char text[200];
  const float *block = in.f32() + b * kInt4Block;
  double lo = 0, hi = 0;
  for (int j = 0; j < kInt4Block; ++j) {
    lo = std::min(lo, double(block[j]));
    hi = std::max(hi, double(block[j]));
  }
  uint32_t expectedScale = encodeF16NearestEven((hi - lo) / 15.0);
  uint32_t gotScale = out.scales.as<uint16_t>()[b];
  if (gotScale != expectedScale) {
    std::snprintf(text, sizeof text,
                  "block %lld: scale code 0x%04X (%.9g), expected 0x%04X "
                  "(%.9g; min %.9g, max %.9g)",
                  (long long)b, gotScale, decodeF16(gotScale), expectedScale,
                  decodeF16(expectedScale), lo, hi);
    why = text;
    return false;
  }
  double scale = decodeF16(expectedScale);
  double zero =
      scale == 0 ? 0 : std::clamp(std::nearbyint(-lo / scale), 0.0, 15.0);
  uint32_t expectedZero = static_cast<uint32_t>(zero);
  uint32_t gotZero = nibble(out.zeroPoints.as<uint8_t>(), b);
  if (gotZero != expectedZero) {
    std::snprintf(text, sizeof text,
                  "block %lld: zero point %u, expected %u (scale %.9g, min "
                  "%.9g)",
                  (long long)b, gotZero, expectedZero, scale, lo);
    why = text;
    return false;
  }
  for (int j = 0; j < kInt4Block; ++j) {
    int64_t i = b * kInt4Block + j;
    double q = zero;
    if (scale != 0)
      q += std::nearbyint(block[j] / scale);
    uint32_t expected = static_cast<uint32_t>(std::clamp(q, 0.0, 15.0));
    uint32_t got = nibble(out.codes(), i);
    if (got != expected) {
      std::snprintf(text, sizeof text,
                    "element %lld (%.9g, scale %.9g, zero %u): %u, expected %u",
                    (long long)i, block[j], scale, expectedZero, got, expected);
      why = text;
      return false;
    }
  }
  return true;
}

/// int4-g128 value `i` of `in`: (q - z) * s, exact in f32.
float int4G128Value(const Parts &in, int64_t i) {
  int64_t b = i / kInt4Block;
  double difference = double(nibble(in.codes(), i)) -
                      double(nibble(in.zeroPoints.as<uint8_t>(), b));
  return float(difference * decodeF16(in.scales.as<uint16_t>()[b]));
}

bool checkDequantizeInt4G128(const Parts &in, const Parts &out, int64_t i,
                             std::string &why) {
  // (q - z) * s: at most 5 and 11 significant bits, exact in f32.
  double expected = int4G128Value(in, i);
  double got = out.f32()[i];
  if (sameValue(got, expected))
    return true;
  why = describeMismatch(i, got, expected);
  return false;
}

bool checkRequantizeInt4G128ToMxfp4(const Parts &in, const Parts &out,
                                    int64_t b, std::string &why) {
  float block[kBlock];
  for (int j = 0; j < kBlock; ++j)
    block[j] = int4G128Value(in, b * kBlock + j);
  return checkMxfp4Block(block, out, b, why);
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

void callF32ToE2M3(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_convert_f32_to_e2m3
  auto x = describe<lowp_memref_float_1d>(in.values.as<void>(), {kCount});
  auto y =
      describe<lowp_memref_uint8_1d>(out.values.as<void>(), {kCount / 4 * 3});
  _mlir_ciface_convert_f32_to_e2m3(&x, &y);
#endif
}

void callE2M3ToF32(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_convert_e2m3_to_f32
  auto x =
      describe<lowp_memref_uint8_1d>(in.values.as<void>(), {kCount / 4 * 3});
  auto y = describe<lowp_memref_float_1d>(out.values.as<void>(), {kCount});
  _mlir_ciface_convert_e2m3_to_f32(&x, &y);
#endif
}

void callF32ToE8M0(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_convert_f32_to_e8m0
  auto x = describe<lowp_memref_float_1d>(in.values.as<void>(), {kCount});
  auto y = describe<lowp_memref_uint8_1d>(out.values.as<void>(), {kCount});
  _mlir_ciface_convert_f32_to_e8m0(&x, &y);
#endif
}

void callE8M0ToF32(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_convert_e8m0_to_f32
  auto x = describe<lowp_memref_uint8_1d>(in.values.as<void>(), {kCount});
  auto y = describe<lowp_memref_float_1d>(out.values.as<void>(), {kCount});
  _mlir_ciface_convert_e8m0_to_f32(&x, &y);
#endif
}

void callF32ToBF16(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_convert_f32_to_bf16
  auto x = describe<lowp_memref_float_1d>(in.values.as<void>(), {kCount});
  auto y = describe<lowp_memref_uint16_1d>(out.values.as<void>(), {kCount});
  _mlir_ciface_convert_f32_to_bf16(&x, &y);
#endif
}

void callBF16ToF32(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_convert_bf16_to_f32
  auto x = describe<lowp_memref_uint16_1d>(in.values.as<void>(), {kCount});
  auto y = describe<lowp_memref_float_1d>(out.values.as<void>(), {kCount});
  _mlir_ciface_convert_bf16_to_f32(&x, &y);
#endif
}

void callF32ToF16(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_convert_f32_to_f16
  auto x = describe<lowp_memref_float_1d>(in.values.as<void>(), {kCount});
  auto y = describe<lowp_memref_uint16_1d>(out.values.as<void>(), {kCount});
  _mlir_ciface_convert_f32_to_f16(&x, &y);
#endif
}

void callF16ToF32(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_convert_f16_to_f32
  auto x = describe<lowp_memref_uint16_1d>(in.values.as<void>(), {kCount});
  auto y = describe<lowp_memref_float_1d>(out.values.as<void>(), {kCount});
  _mlir_ciface_convert_f16_to_f32(&x, &y);
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

void callQuantizeNvfp4(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_quantize_nvfp4
  auto x = describe<lowp_memref_float_1d>(in.values.as<void>(), {kCount});
  auto e = describe<lowp_memref_uint8_1d>(out.values.as<void>(), {kCount / 2});
  auto s = describe<lowp_memref_uint8_1d>(out.scales.as<void>(),
                                          {kCount / kNvfp4Block});
  auto t = describeScalar<lowp_memref_float_0d>(out.tensorScale.as<void>());
  _mlir_ciface_quantize_nvfp4(&x, &e, &s, &t);
#endif
}

void callDequantizeNvfp4(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_dequantize_nvfp4
  auto e = describe<lowp_memref_uint8_1d>(in.values.as<void>(), {kCount / 2});
  auto s = describe<lowp_memref_uint8_1d>(in.scales.as<void>(),
                                          {kCount / kNvfp4Block});
  auto t = describeScalar<lowp_memref_float_0d>(
      const_cast<void *>(in.tensorScale.as<void>()));
  auto y = describe<lowp_memref_float_1d>(out.values.as<void>(), {kCount});
  _mlir_ciface_dequantize_nvfp4(&e, &s, &t, &y);
#endif
}

void callQuantizeInt4G128(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_quantize_int4_g128
  auto x = describe<lowp_memref_float_1d>(in.values.as<void>(), {kCount});
  auto e = describe<lowp_memref_uint8_1d>(out.values.as<void>(), {kCount / 2});
  auto s = describe<lowp_memref_uint16_1d>(out.scales.as<void>(),
                                           {kCount / kInt4Block});
  auto z = describe<lowp_memref_uint8_1d>(out.zeroPoints.as<void>(),
                                          {kCount / kInt4Block / 2});
  _mlir_ciface_quantize_int4_g128(&x, &e, &s, &z);
#endif
}

void callDequantizeInt4G128(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_dequantize_int4_g128
  auto e = describe<lowp_memref_uint8_1d>(in.values.as<void>(), {kCount / 2});
  auto s = describe<lowp_memref_uint16_1d>(in.scales.as<void>(),
                                           {kCount / kInt4Block});
  auto z = describe<lowp_memref_uint8_1d>(in.zeroPoints.as<void>(),
                                          {kCount / kInt4Block / 2});
  auto y = describe<lowp_memref_float_1d>(out.values.as<void>(), {kCount});
  _mlir_ciface_dequantize_int4_g128(&e, &s, &z, &y);
#endif
}

void callRequantizeInt4G128ToMxfp4(const Parts &in, Parts &out) {
#if LOWP_BENCH_HAVE_requantize_int4_g128_to_mxfp4
  auto e = describe<lowp_memref_uint8_1d>(in.values.as<void>(), {kCount / 2});
  auto s = describe<lowp_memref_uint16_1d>(in.scales.as<void>(),
                                           {kCount / kInt4Block});
  auto z = describe<lowp_memref_uint8_1d>(in.zeroPoints.as<void>(),
                                          {kCount / kInt4Block / 2});
  auto y = describe<lowp_memref_uint8_1d>(out.values.as<void>(), {kCount / 2});
  auto t =
      describe<lowp_memref_uint8_1d>(out.scales.as<void>(), {kCount / kBlock});
  _mlir_ciface_requantize_int4_g128_to_mxfp4(&e, &s, &z, &y, &t);
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
    {"convert_f32_to_e2m3", LOWP_BENCH_HAVE_convert_f32_to_e2m3,
     "f32 -> FP6 E2M3FN (packed), lowp.convert", Data::F32, Data::E2M3,
     callF32ToE2M3, checkF32ToE2M3, kCount},
    {"convert_e2m3_to_f32", LOWP_BENCH_HAVE_convert_e2m3_to_f32,
     "FP6 E2M3FN (packed) -> f32, lowp.convert", Data::E2M3, Data::F32,
     callE2M3ToF32, checkE2M3ToF32, kCount},
    {"convert_f32_to_e8m0", LOWP_BENCH_HAVE_convert_f32_to_e8m0,
     "f32 (positive) -> E8M0FNU, lowp.convert", Data::PositiveF32, Data::E8M0,
     callF32ToE8M0, checkF32ToE8M0, kCount},
    {"convert_e8m0_to_f32", LOWP_BENCH_HAVE_convert_e8m0_to_f32,
     "E8M0FNU -> f32, lowp.convert", Data::E8M0, Data::F32, callE8M0ToF32,
     checkE8M0ToF32, kCount},
    {"convert_f32_to_bf16", LOWP_BENCH_HAVE_convert_f32_to_bf16,
     "f32 -> bf16, lowp.convert", Data::F32, Data::BF16, callF32ToBF16,
     checkF32ToBF16, kCount},
    {"convert_bf16_to_f32", LOWP_BENCH_HAVE_convert_bf16_to_f32,
     "bf16 -> f32, lowp.convert", Data::BF16, Data::F32, callBF16ToF32,
     checkBF16ToF32, kCount},
    {"convert_f32_to_f16", LOWP_BENCH_HAVE_convert_f32_to_f16,
     "f32 -> f16, lowp.convert", Data::F32, Data::F16, callF32ToF16,
     checkF32ToF16, kCount},
    {"convert_f16_to_f32", LOWP_BENCH_HAVE_convert_f16_to_f32,
     "f16 -> f32, lowp.convert", Data::F16, Data::F32, callF16ToF32,
     checkF16ToF32, kCount},
    {"quantize_mxfp4", LOWP_BENCH_HAVE_quantize_mxfp4,
     "f32 -> MXFP4 parts, lowp.quantize", Data::F32, Data::Mxfp4,
     callQuantizeMxfp4, checkQuantizeMxfp4, kCount / kBlock},
    {"dequantize_mxfp4", LOWP_BENCH_HAVE_dequantize_mxfp4,
     "MXFP4 parts -> f32, lowp.dequantize", Data::Mxfp4, Data::F32,
     callDequantizeMxfp4, checkDequantizeMxfp4, kCount},
    {"quantize_nvfp4", LOWP_BENCH_HAVE_quantize_nvfp4,
     "f32 -> NVFP4 parts, lowp.quantize (2 reads)", Data::F32, Data::Nvfp4,
     callQuantizeNvfp4, checkQuantizeNvfp4, kCount / kNvfp4Block,
     /*inputPasses=*/2},
    {"dequantize_nvfp4", LOWP_BENCH_HAVE_dequantize_nvfp4,
     "NVFP4 parts -> f32, lowp.dequantize", Data::Nvfp4, Data::F32,
     callDequantizeNvfp4, checkDequantizeNvfp4, kCount},
    {"quantize_int4_g128", LOWP_BENCH_HAVE_quantize_int4_g128,
     "f32 -> int4-g128 parts, lowp.quantize", Data::F32, Data::Int4G128,
     callQuantizeInt4G128, checkQuantizeInt4G128, kCount / kInt4Block},
    {"dequantize_int4_g128", LOWP_BENCH_HAVE_dequantize_int4_g128,
     "int4-g128 parts -> f32, lowp.dequantize", Data::Int4G128, Data::F32,
     callDequantizeInt4G128, checkDequantizeInt4G128, kCount},
    {"requantize_int4_g128_to_mxfp4",
     LOWP_BENCH_HAVE_requantize_int4_g128_to_mxfp4,
     "int4-g128 parts -> MXFP4 parts, lowp.requantize", Data::Int4G128,
     Data::Mxfp4, callRequantizeInt4G128ToMxfp4, checkRequantizeInt4G128ToMxfp4,
     kCount / kBlock},
};

} // namespace

BenchmarkList makeConversionBenchmarks(int threads,
                                       std::vector<std::string> &notBuilt) {
  BenchmarkList list;
  std::shared_ptr<ConversionInput> inputs[kDataKinds];
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
