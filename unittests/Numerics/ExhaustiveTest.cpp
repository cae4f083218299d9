//===- ExhaustiveTest.cpp - The core against MPFR and the value table -----===//
//
// Tests that every conversion the core performs agrees with both oracles:
// every code of every builtin format decoded; all 2^16 f16 and bf16 inputs
// into every builtin low-precision format under every deterministic mode,
// saturating and not; an f32 sweep by rounding class; a grid of formats
// (E 1..8, M 0..7, every special-value family, signed and unsigned); and
// stochastic rounding by enumerating the random bits.
//
//===----------------------------------------------------------------------===//

#include "Oracles.h"

#include "lowp/Numerics/Format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

using namespace lowp;
using namespace lowp::numerics;
using lowp::oracle::Outcome;

namespace {

const RoundingMode deterministicModes[] = {
    RoundingMode::NearestEven, RoundingMode::NearestAway,
    RoundingMode::TowardZero, RoundingMode::Upward, RoundingMode::Downward};

/// The builtin formats narrower than 16 bits: the targets of the sweeps.
std::vector<std::string> lowPrecisionBuiltins() {
  std::vector<std::string> names;
  for (const std::string &name : getBuiltinFloatFormatNames()) {
    FloatFormat f = *getBuiltinFloatFormat(name);
    if (f.exponentBits + f.mantissaBits + f.isSigned < 16)
      names.push_back(name);
  }
  return names;
}

Format makeFormat(const FloatFormat &params) {
  std::string error;
  std::optional<Format> format = Format::tryMakeFloat(params, &error);
  EXPECT_TRUE(format) << error;
  return *format;
}

std::string describe(const FloatFormat &f) {
  return "e" + std::to_string(f.exponentBits) + "m" +
         std::to_string(f.mantissaBits) + " bias " + std::to_string(f.bias) +
         (f.isSigned ? " signed " : " unsigned ") +
         stringifySpecialValues(f.specials);
}

/// Checks one input against both oracles; returns false (after reporting)
/// on the first disagreement so that a broken build does not print millions
/// of lines.
bool agrees(const Format &format, const oracle::ValueTable *table, double x,
            const RoundingOptions &options, bool useMpfr = true) {
  Outcome core = oracle::roundWithCore(format, x, options);
  if (table) {
    Outcome fromTable = table->round(x, options);
    if (!(core == fromTable)) {
      ADD_FAILURE() << describe(format.getFloat()) << " x=" << std::hexfloat
                    << x << " mode=" << stringifyRoundingMode(options.mode)
                    << " saturate=" << options.saturate
                    << " r=" << options.randomBits << ": core " << core.str()
                    << ", table " << fromTable.str();
      return false;
    }
  }
  if (useMpfr) {
    Outcome fromMpfr = oracle::roundWithMpfr(format.getFloat(), x, options);
    if (!(core == fromMpfr)) {
      ADD_FAILURE() << describe(format.getFloat()) << " x=" << std::hexfloat
                    << x << " mode=" << stringifyRoundingMode(options.mode)
                    << " saturate=" << options.saturate
                    << " r=" << options.randomBits << ": core " << core.str()
                    << ", mpfr " << fromMpfr.str();
      return false;
    }
  }
  return true;
}

/// Inputs that probe every rounding class of a format: each value, the
/// midpoints between neighbours, and one f32/f64 step either side of both.
std::vector<double> roundingClassInputs(const oracle::ValueTable &table,
                                        bool f32Steps) {
  std::vector<double> inputs;
  const std::vector<double> &values = table.magnitudes();
  auto nudge = [&](double v) {
    inputs.push_back(v);
    if (f32Steps) {
      float f = float(v);
      if (double(f) == v) {
        inputs.push_back(std::nextafter(f, INFINITY));
        inputs.push_back(std::nextafter(f, -INFINITY));
        return;
      }
    }
    inputs.push_back(std::nextafter(v, INFINITY));
    inputs.push_back(std::nextafter(v, -INFINITY));
  };
  double previous = 0;
  for (double v : values) {
    nudge(v);
    nudge((previous + v) / 2);
    previous = v;
  }
  // Above max: the midpoint to the next grid value and beyond.
  double top = values.back();
  double step = values.size() > 1 ? top - values[values.size() - 2] : top;
  nudge(top + step / 2);
  nudge(top + step);
  nudge(top * 4);
  // Below the smallest value.
  nudge(values.front() / 2);
  nudge(values.front() / 4);
  std::vector<double> signedInputs;
  for (double v : inputs) {
    signedInputs.push_back(v);
    signedInputs.push_back(-v);
  }
  for (double special :
       {0.0, -0.0, double(INFINITY), double(-INFINITY), double(NAN)})
    signedInputs.push_back(special);
  return signedInputs;
}

} // namespace

// Tests that decoding every code of every builtin format (f32 excepted: 2^32
// codes) matches the MPFR decoder.
TEST(Exhaustive, DecodeEveryBuiltinCode) {
  for (const std::string &name : getBuiltinFloatFormatNames()) {
    if (name == "f32")
      continue;
    Format format = makeFormat(*getBuiltinFloatFormat(name));
    for (uint64_t code = 0; code < format.getNumCodes(); ++code) {
      double core = format.decode(uint32_t(code));
      double oracle = oracle::decodeWithMpfr(format.getFloat(), uint32_t(code));
      ASSERT_TRUE(Outcome::of(core) == Outcome::of(oracle))
          << name << " code " << code << ": core " << core << ", mpfr "
          << oracle;
    }
  }
}

// Tests every f16 and bf16 input into every builtin low-precision format,
// in every deterministic mode, saturating and not, against both oracles.
TEST(Exhaustive, AllHalfInputsIntoLowPrecisionBuiltins) {
  for (const char *sourceName : {"f16", "bf16"}) {
    FloatFormat source = *getBuiltinFloatFormat(sourceName);
    std::vector<double> inputs;
    for (uint32_t code = 0; code < 0x10000; ++code)
      inputs.push_back(oracle::decodeWithMpfr(source, code));
    for (const std::string &name : lowPrecisionBuiltins()) {
      Format format = makeFormat(*getBuiltinFloatFormat(name));
      oracle::ValueTable table(format.getFloat());
      for (RoundingMode mode : deterministicModes)
        for (bool saturate : {false, true}) {
          RoundingOptions options;
          options.mode = mode;
          options.saturate = saturate;
          for (double x : inputs)
            ASSERT_TRUE(agrees(format, &table, x, options))
                << sourceName << " -> " << name;
        }
    }
  }
}

// Tests f32 inputs chosen by rounding class (exact values, exact ties, one
// f32 ulp either side, around max and the subnormal boundary) plus random
// low bits, into every builtin format including f16, bf16 and tf32.
TEST(Exhaustive, F32RoundingClasses) {
  std::mt19937 random(1234);
  for (const std::string &name : getBuiltinFloatFormatNames()) {
    if (name == "f32")
      continue;
    Format format = makeFormat(*getBuiltinFloatFormat(name));
    oracle::ValueTable table(format.getFloat());
    std::vector<double> inputs = roundingClassInputs(table, true);
    // Wide formats have too many values to take all of them at MPFR speed.
    bool wide = format.getBitWidth() > 12;
    std::vector<double> sampled;
    for (size_t i = 0; i < inputs.size(); ++i)
      if (!wide || random() % 16 == 0)
        sampled.push_back(inputs[i]);
    for (int i = 0; i < 20000; ++i) {
      uint32_t bits = random();
      float f;
      std::memcpy(&f, &bits, sizeof(f));
      sampled.push_back(f);
    }
    for (RoundingMode mode : deterministicModes)
      for (bool saturate : {false, true}) {
        RoundingOptions options;
        options.mode = mode;
        options.saturate = saturate;
        for (double x : sampled)
          ASSERT_TRUE(agrees(format, &table, x, options)) << name;
      }
  }
}

// Tests a generated grid of formats: E in 1..8, M in 0..7, every family,
// signed and unsigned, with a bias that is not the default one too. Every
// rounding class is checked against the table; MPFR sees a sample.
TEST(Exhaustive, GeneratedFormatGrid) {
  int formats = 0;
  for (unsigned e = 1; e <= 8; ++e)
    for (unsigned m = 0; m <= 7; ++m)
      for (SpecialValues specials :
           {SpecialValues::IEEE, SpecialValues::FN, SpecialValues::FNUZ,
            SpecialValues::Finite, SpecialValues::E8M0})
        for (bool isSigned : {true, false})
          for (int biasShift : {0, 3}) {
            FloatFormat params{e, m, FloatFormat::defaultBias(e) + biasShift,
                               isSigned, specials};
            if (!Format::verifyFloat(params).empty())
              continue;
            ++formats;
            Format format = makeFormat(params);
            for (uint64_t code = 0; code < format.getNumCodes(); ++code)
              ASSERT_TRUE(
                  Outcome::of(format.decode(uint32_t(code))) ==
                  Outcome::of(oracle::decodeWithMpfr(params, uint32_t(code))))
                  << describe(params) << " code " << code;
            oracle::ValueTable table(params);
            std::vector<double> inputs = roundingClassInputs(table, false);
            for (RoundingMode mode : deterministicModes)
              for (bool saturate : {false, true}) {
                RoundingOptions options;
                options.mode = mode;
                options.saturate = saturate;
                for (size_t i = 0; i < inputs.size(); ++i)
                  ASSERT_TRUE(agrees(format, &table, inputs[i], options,
                                     /*useMpfr=*/i % 7 == 0));
              }
          }
  // The grid must not silently shrink if verifyFloat grows stricter.
  EXPECT_GT(formats, 500);
}

// Tests stochastic rounding exactly: for inputs with d discarded bits and
// k >= d random bits, enumerating every r rounds up exactly
// fraction * 2^k times, and every single choice agrees with both oracles.
TEST(Exhaustive, StochasticRoundingEnumeratesRandomBits) {
  for (const char *name : {"f8E4M3FN", "f8E5M2", "f4E2M1FN", "f6E3M2FN",
                           "f8E4M3FNUZ", "f8E8M0FNU"}) {
    Format format = makeFormat(*getBuiltinFloatFormat(name));
    oracle::ValueTable table(format.getFloat());
    const std::vector<double> &values = table.magnitudes();
    for (size_t i = 0; i + 1 < values.size(); i += 3) {
      double lo = values[i], hi = values[i + 1];
      for (unsigned k : {4u, 8u}) {
        // Inputs between lo and hi whose fraction has at most k bits.
        for (unsigned step = 1; step < (1u << k); step += 5) {
          double x = lo + (hi - lo) * std::ldexp(double(step), -int(k));
          for (double sign : {1.0, -1.0}) {
            if (sign < 0 && !format.getFloat().isSigned)
              continue;
            uint64_t ups = 0;
            for (uint64_t r = 0; r < (uint64_t(1) << k); ++r) {
              RoundingOptions options;
              options.mode = RoundingMode::Stochastic;
              options.randomBits = r;
              options.randomBitCount = k;
              options.saturate = true;
              ASSERT_TRUE(agrees(format, &table, sign * x, options,
                                 /*useMpfr=*/r % 5 == 0));
              double result = format.decode(format.encode(sign * x, options));
              ups += std::fabs(result) == hi;
            }
            EXPECT_EQ(ups, step) << name << " x=" << x << " k=" << k;
          }
        }
      }
    }
  }
}

// Tests format-to-format conversion: every E5M2 code into E4M3FN and E2M1
// in every mode equals rounding the code's exact value with MPFR, so
// converting never double-rounds.
TEST(Exhaustive, ConvertBetweenFormats) {
  Format e5m2 = makeFormat(*getBuiltinFloatFormat("f8E5M2"));
  for (const char *name : {"f8E4M3FN", "f4E2M1FN", "f6E3M2FN"}) {
    Format target = makeFormat(*getBuiltinFloatFormat(name));
    for (RoundingMode mode : deterministicModes)
      for (bool saturate : {false, true}) {
        RoundingOptions options;
        options.mode = mode;
        options.saturate = saturate;
        for (uint32_t code = 0; code < 256; ++code) {
          double exact = oracle::decodeWithMpfr(e5m2.getFloat(), code);
          Outcome converted =
              Outcome::of(target.decode(convert(code, e5m2, target, options)));
          ASSERT_TRUE(converted ==
                      oracle::roundWithMpfr(target.getFloat(), exact, options))
              << name << " code " << code;
        }
      }
  }
}
