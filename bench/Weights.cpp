//===- Weights.cpp - Weight matrices in lowp-bench's storage formats ------===//

#include "Weights.h"

#include <cstring>

namespace lowp_bench {

namespace {

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

} // namespace

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
// A per-tensor FP8 checkpoint's weight scale is amax / 448; this one
// (amax 4.1, in 2^-7 .. 2^-6) is not a power of two, so that the product
// of the scales is rounded and the check sees it.
const WeightFormat kE4m3 = {"E4M3 (plain), f32 per tensor",
                            {8, decodeE4M3, fillE4M3Codes},
                            {},
                            false,
                            9.1797e-3f};
const WeightFormat kNf4 = {"NF4: codebook, f32 per 64",
                           {4, decodeNF4, fillRandomBytes},
                           {64, 4, decodeF32Bits, randomF32Scale}};
const WeightFormat kE3M0 = {"E3M0 (lowp only), E8M0 per 32",
                            {4, decodeE3M0, fillRandomBytes},
                            {32, 1, decodeE8M0, randomE8M0ForE3M0}};
// The element decoder is unused with choices: each block's selector picks.
const WeightFormat kChoice3 = {"choice of E2M1/INT4/E3M0, E8M0 + sel per 32",
                               {4, decodeUnsigned, fillRandomBytes},
                               {32, 1, decodeE8M0, randomE8M0ForE3M0},
                               false,
                               0,
                               {3, 2, {decodeE2M1, decodeMxInt4, decodeE3M0}}};

void WeightMatrix::prepare() {
  if (!copies_.empty())
    return;
  copies_.resize(copiesWanted());
  // Every copy holds the same codes: a check of any copy checks them all.
  // (The N x K weights are other random codes, drawn in their own order.)
  Random random((layout_ == Layout::KxN ? 0x5EED : 0x5EED7) + 0x1000 * seed_);
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
  if (format_.choices.count) {
    // Every field a valid selector: 0 .. count - 1.
    first.selectors = Buffer(selectorBytes());
    auto *bytes = first.selectors.as<uint8_t>();
    const int bits = format_.choices.bits, perByte = 8 / bits;
    for (size_t i = 0; i < selectorBytes(); ++i) {
      uint8_t byte = 0;
      for (int j = 0; j < perByte; ++j)
        byte |= uint8_t(random.next() % format_.choices.count) << (j * bits);
      bytes[i] = byte;
    }
  }
  duplicateFirst();
}

void WeightMatrix::prepareFrom(WeightMatrix &source, PrepackCall prepack) {
  if (!copies_.empty())
    return;
  source.prepare();
  copies_.resize(copiesWanted());
  Copy &first = copies_[0];
  first.elements = Buffer(elementBytes());
  first.scales = Buffer(scaleBytes());
  first.zeroPoints = Buffer(zeroPointBytes());
  first.tensorScale = Buffer(tensorScaleBytes());
  first.selectors = Buffer(selectorBytes());
  double start = now();
  prepack(source, 0, *this, 0);
  prepackSeconds_ = now() - start;
  duplicateFirst();
}

namespace {

Buffer duplicate(const Buffer &from) {
  Buffer to(from.size());
  if (from.size())
    std::memcpy(to.as<void>(), from.as<void>(), from.size());
  return to;
}

// Code n of a row of 4-bit codes, low nibble first.
uint32_t nibble(const uint8_t *row, int64_t n) {
  return (row[n / 2] >> (4 * (n % 2))) & 15;
}

} // namespace

void WeightMatrix::duplicateFirst() {
  const Copy &first = copies_[0];
  for (size_t c = 1; c < copies_.size(); ++c) {
    copies_[c].elements = duplicate(first.elements);
    copies_[c].scales = duplicate(first.scales);
    copies_[c].zeroPoints = duplicate(first.zeroPoints);
    copies_[c].tensorScale = duplicate(first.tensorScale);
    copies_[c].selectors = duplicate(first.selectors);
  }
}

void WeightMatrix::decodeRow(int64_t r, double *row) const {
  const Copy &copy = copies_[0];
  const int64_t columns = this->columns();
  if (format_.element.bits == 32) {
    const float *values = copy.elements.as<float>() + r * columns;
    for (int64_t c = 0; c < columns; ++c)
      row[c] = values[c];
    return;
  }
  // Tables of the element and (1-byte) scale values: the reference visits
  // every weight, and ldexp per weight would take seconds.
  double elementValue[256], scaleValue[256];
  for (uint32_t code = 0; code < 256; ++code) {
    elementValue[code] = format_.element.decode(code);
    scaleValue[code] = format_.scale.block ? format_.scale.decode(code) : 1;
  }
  const auto *elements = copy.elements.as<uint8_t>();
  const int block = format_.scale.block;
  // Where the scales and zero points of row r start, how many a row of
  // them holds, and which of them column c uses: K x N weights share a row
  // of N per block of rows, N x K ones have their own row of K / block,
  // one per block of columns.
  const bool kxn = layout_ == Layout::KxN;
  const int64_t blockRow = !block ? 0 : kxn ? r / block : r;
  const int64_t blocksPerRow = !block ? 0 : kxn ? n_ : k_ / block;
  auto blockOf = [&](int64_t c) { return kxn ? c : c / block; };
  double tensorScale = format_.tensorScale != 0 ? format_.tensorScale : 1;
  for (int64_t c = 0; c < columns; ++c) {
    uint32_t code = format_.element.bits == 8
                        ? elements[r * columns + c]
                        : nibble(elements + r * columns / 2, c);
    double value = elementValue[code];
    if (format_.choices.count) {
      const int bits = format_.choices.bits;
      int64_t field = blockRow * blocksPerRow + blockOf(c);
      uint32_t selector = (copy.selectors.as<uint8_t>()[field * bits / 8] >>
                           (field * bits % 8)) &
                          ((1u << bits) - 1);
      value = format_.choices.decode[selector](code);
    }
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

} // namespace lowp_bench
