//===- Arrays.cpp - The numerics core on whole arrays, fast ---------------===//
//
// The f32 prefix table (see Arrays.h). Entry i covers the f32 patterns
// u with u >> lowBits == i. Rounding under a deterministic mode is
// monotone in the value, and along one prefix the patterns are monotone in
// the value (increasing for +, decreasing for -), so the codes along an
// entry are one run of equal codes, or two runs, or more. For two runs the
// first pattern of the second run is found by bisection with
// Format::encode; a third run shows as encode(split) != encode(last). Two
// patterns of one prefix with equal codes have only that code between them,
// whatever the ordering of codes, because their values bound the values
// between them and only +-0 share a value (the zero patterns are handled
// apart, below).
//
//===----------------------------------------------------------------------===//

#include "lowp/Numerics/Arrays.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <thread>

using namespace lowp::numerics;

unsigned lowp::numerics::getCodeBytes(const Format &format) {
  unsigned bits = format.getBitWidth();
  return bits <= 8 ? 1 : bits <= 16 ? 2 : 4;
}

namespace {
/// An entry's split that marks it as several runs: Format::encode decides.
constexpr uint32_t kSlow = 0xFFFFFFFFu;

uint32_t floatBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}
float bitsFloat(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

/// Runs `body(begin, end)` over [0, count) in contiguous chunks, one per
/// thread; small arrays stay on the calling thread.
template <typename Body>
void parallelChunks(int64_t count, unsigned threads, Body body) {
  constexpr int64_t kMinChunk = 1 << 16;
  unsigned available = std::max(1u, std::thread::hardware_concurrency());
  unsigned wanted = threads ? threads : available;
  int64_t chunks =
      std::min<int64_t>(wanted, (count + kMinChunk - 1) / kMinChunk);
  if (chunks <= 1) {
    body(int64_t(0), count);
    return;
  }
  std::vector<std::thread> workers;
  int64_t step = (count + chunks - 1) / chunks;
  for (int64_t c = 1; c < chunks; ++c) {
    int64_t begin = c * step, end = std::min(count, begin + step);
    if (begin < end)
      workers.emplace_back(body, begin, end);
  }
  body(int64_t(0), std::min(count, step));
  for (std::thread &worker : workers)
    worker.join();
}

template <typename T> void storeCode(void *codes, int64_t i, uint32_t code) {
  static_cast<T *>(codes)[i] = static_cast<T>(code);
}
uint32_t loadCode(const void *codes, unsigned bytes, int64_t i) {
  switch (bytes) {
  case 1:
    return static_cast<const uint8_t *>(codes)[i];
  case 2:
    return static_cast<const uint16_t *>(codes)[i];
  default:
    return static_cast<const uint32_t *>(codes)[i];
  }
}

/// Prefix bits for a format: enough that two neighbouring rounding
/// boundaries rarely share an entry, at most 2^20 entries (8 MiB).
unsigned chooseIndexBits(const Format &format) {
  unsigned grid = 8;
  if (format.isFloat())
    grid = format.getFloat().mantissaBits + 2;
  else if (format.isInteger())
    grid = format.getInteger().width + 1;
  return std::clamp(9 + grid, 16u, 20u);
}
} // namespace

struct ArrayCodec::Table {
  struct Entry {
    uint32_t split;
    uint16_t below, above;
  };
  unsigned indexBits = 16, lowBits = 16;
  std::vector<Entry> entries;
  /// The codes of +0 and -0, which the zero entries leave out.
  uint16_t zeroCode[2] = {0, 0};
};

ArrayCodec::ArrayCodec(const Format &format, const RoundingOptions &options)
    : format(format), options(options),
      codeBytes(numerics::getCodeBytes(format)) {
  if (format.getBitWidth() > 16)
    return;
  uint64_t numCodes = format.getNumCodes();
  valuesF64.resize(numCodes);
  valuesF32.resize(numCodes);
  // f32 rounds the exact value once: for logarithmic formats (whose values
  // are irrational) through the double and the side the exact value lies.
  Format f32 = *Format::tryMakeFloat(*getBuiltinFloatFormat("f32"), nullptr);
  for (uint64_t code = 0; code < numCodes; ++code) {
    int sticky = 0;
    valuesF64[code] = format.decode(uint32_t(code), sticky);
    uint32_t bits = f32.encode(valuesF64[code], sticky, RoundingOptions{});
    std::memcpy(&valuesF32[code], &bits, sizeof(float));
  }
  if (options.mode == RoundingMode::Stochastic)
    return;

  table = std::make_unique<Table>();
  table->indexBits = chooseIndexBits(format);
  table->lowBits = 32 - table->indexBits;
  table->entries.resize(size_t(1) << table->indexBits);
  table->zeroCode[0] = uint16_t(format.encode(0.0, options));
  table->zeroCode[1] = uint16_t(format.encode(-0.0, options));
  const uint32_t lowMask = (uint32_t(1) << table->lowBits) - 1;
  auto encodeBits = [&](uint32_t bits) {
    return format.encode(double(bitsFloat(bits)), options);
  };
  auto buildEntries = [&](int64_t begin, int64_t end) {
    for (int64_t index = begin; index < end; ++index) {
      Table::Entry &entry = table->entries[index];
      uint32_t first = uint32_t(index) << table->lowBits;
      uint32_t last = first | lowMask;
      // Infinities and NaNs (the all-ones exponent) go to Format::encode.
      if (((first >> 23) & 0xFF) == 0xFF) {
        entry = {kSlow, 0, 0};
        continue;
      }
      // The zero entries: their first pattern, +-0, is looked up apart.
      if ((first & 0x7FFFFFFFu) == 0)
        ++first;
      uint32_t below = encodeBits(first), above = encodeBits(last);
      if (below == above) {
        entry = {lowMask + 1, uint16_t(below), uint16_t(below)};
        continue;
      }
      // The first pattern whose code is not `below`.
      uint32_t lo = first, hi = last;
      while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        (encodeBits(mid) == below ? lo : hi) = mid;
      }
      if (encodeBits(hi) != above)
        entry = {kSlow, 0, 0};
      else
        entry = {hi & lowMask, uint16_t(below), uint16_t(above)};
    }
  };
  parallelChunks(int64_t(table->entries.size()), 0, buildEntries);
}

ArrayCodec::~ArrayCodec() = default;

uint32_t ArrayCodec::encodeOne(float value) const {
  uint32_t bits = floatBits(value);
  if (table) {
    if ((bits & 0x7FFFFFFFu) == 0)
      return table->zeroCode[bits >> 31];
    const Table::Entry &entry = table->entries[bits >> table->lowBits];
    if (entry.split != kSlow) {
      uint32_t low = bits & ((uint32_t(1) << table->lowBits) - 1);
      return low >= entry.split ? entry.above : entry.below;
    }
  }
  return format.encode(double(value), options);
}

uint32_t ArrayCodec::encodeOne(double value, const uint64_t *randomBits,
                               int64_t index) const {
  if (options.mode == RoundingMode::Stochastic) {
    RoundingOptions element = options;
    element.randomBits = randomBits ? randomBits[index] : 0;
    return format.encode(value, element);
  }
  float narrow = float(value);
  if (double(narrow) == value)
    return encodeOne(narrow);
  return format.encode(value, options);
}

namespace {
template <typename Value, typename Encode>
void encodeArray(const Value *values, int64_t count, void *codes,
                 unsigned codeBytes, unsigned threads, Encode encodeOne) {
  parallelChunks(count, threads, [&](int64_t begin, int64_t end) {
    switch (codeBytes) {
    case 1:
      for (int64_t i = begin; i < end; ++i)
        storeCode<uint8_t>(codes, i, encodeOne(values[i], i));
      break;
    case 2:
      for (int64_t i = begin; i < end; ++i)
        storeCode<uint16_t>(codes, i, encodeOne(values[i], i));
      break;
    default:
      for (int64_t i = begin; i < end; ++i)
        storeCode<uint32_t>(codes, i, encodeOne(values[i], i));
    }
  });
}
} // namespace

void ArrayCodec::encode(const float *values, int64_t count, void *codes,
                        const uint64_t *randomBits, unsigned threads) const {
  if (options.mode == RoundingMode::Stochastic) {
    encodeArray(values, count, codes, codeBytes, threads,
                [&](float value, int64_t i) {
                  return encodeOne(double(value), randomBits, i);
                });
    return;
  }
  encodeArray(values, count, codes, codeBytes, threads,
              [&](float value, int64_t) { return encodeOne(value); });
}

void ArrayCodec::encode(const double *values, int64_t count, void *codes,
                        const uint64_t *randomBits, unsigned threads) const {
  encodeArray(
      values, count, codes, codeBytes, threads,
      [&](double value, int64_t i) { return encodeOne(value, randomBits, i); });
}

int64_t ArrayCodec::findInvalidCode(const void *codes, int64_t count) const {
  unsigned bits = format.getBitWidth();
  if (bits >= 32)
    return -1;
  uint32_t limit = uint32_t(1) << bits;
  for (int64_t i = 0; i < count; ++i)
    if (loadCode(codes, codeBytes, i) >= limit)
      return i;
  return -1;
}

namespace {
template <typename Value>
void decodeArray(const Format &format, const std::vector<Value> &table,
                 const void *codes, unsigned codeBytes, int64_t count,
                 Value *values, unsigned threads) {
  parallelChunks(count, threads, [&](int64_t begin, int64_t end) {
    if (codeBytes == 1) {
      const uint8_t *in = static_cast<const uint8_t *>(codes);
      for (int64_t i = begin; i < end; ++i)
        values[i] = table[in[i]];
    } else if (codeBytes == 2) {
      const uint16_t *in = static_cast<const uint16_t *>(codes);
      for (int64_t i = begin; i < end; ++i)
        values[i] = table[in[i]];
    } else {
      const uint32_t *in = static_cast<const uint32_t *>(codes);
      for (int64_t i = begin; i < end; ++i)
        values[i] = Value(format.decode(in[i]));
    }
  });
}
} // namespace

void ArrayCodec::decode(const void *codes, int64_t count, float *values,
                        unsigned threads) const {
  decodeArray(format, valuesF32, codes, codeBytes, count, values, threads);
}

void ArrayCodec::decode(const void *codes, int64_t count, double *values,
                        unsigned threads) const {
  decodeArray(format, valuesF64, codes, codeBytes, count, values, threads);
}

void ArrayCodec::round(const float *values, int64_t count, float *rounded,
                       const uint64_t *randomBits, unsigned threads) const {
  bool stochastic = options.mode == RoundingMode::Stochastic;
  parallelChunks(count, threads, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      uint32_t code = stochastic ? encodeOne(double(values[i]), randomBits, i)
                                 : encodeOne(values[i]);
      // The rounded value is a value of the format, and every format's
      // values that f32 cannot hold are outside f32's range or finer than
      // its subnormals: f32(value) is the one rounding an f32 result has.
      rounded[i] =
          valuesF32.empty() ? float(format.decode(code)) : valuesF32[code];
    }
  });
}

void ArrayCodec::round(const double *values, int64_t count, double *rounded,
                       const uint64_t *randomBits, unsigned threads) const {
  parallelChunks(count, threads, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      uint32_t code = encodeOne(values[i], randomBits, i);
      rounded[i] = valuesF64.empty() ? format.decode(code) : valuesF64[code];
    }
  });
}
