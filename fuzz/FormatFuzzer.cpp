//===- FormatFuzzer.cpp - libFuzzer target: lowp-format's parsers ---------===//
//
// Each input is "FORMAT\nVALUE": the format parser (an MLIR type naming a
// number format) and the real-number parser, as lowp-format uses them.
// Where both parse, the value is encoded under every rounding mode, and
// each code must decode to a value that encodes back to itself (the
// numerics core's round trip); a crash, a sanitizer report or a broken
// round trip is a finding.
//
//===----------------------------------------------------------------------===//

#include "lowp/Dialect/Lowp/IR/LowpDialect.h"
#include "lowp/Dialect/Lowp/IR/LowpTypes.h"
#include "lowp/Numerics/Parse.h"

#include "mlir/IR/MLIRContext.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace lowp::numerics;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A context keeps every type it has uniqued: over millions of inputs
  // that alone exceeds the fuzzer's memory limit, so a fresh one serves
  // each 100,000 inputs.
  static std::unique_ptr<mlir::MLIRContext> context;
  static int uses = 0;
  if (!context || ++uses == 100000) {
    uses = 0;
    context = std::make_unique<mlir::MLIRContext>(
        mlir::MLIRContext::Threading::DISABLED);
    context->loadDialect<lowp::LowpDialect>();
  }
  std::string input(reinterpret_cast<const char *>(data), size);
  size_t newline = input.find('\n');
  std::string formatText = input.substr(0, newline);
  std::string valueText =
      newline == std::string::npos ? "" : input.substr(newline + 1);
  std::string error;
  std::optional<Format> format =
      lowp::parseNumericFormat(*context, formatText, error);
  if (!format && error.empty()) {
    std::fprintf(stderr, "format refused without a message\n");
    std::abort();
  }
  RealValue value;
  if (!format || !parseReal(valueText, value))
    return 0;
  for (RoundingMode mode : {RoundingMode::NearestEven,
                            RoundingMode::NearestAway, RoundingMode::TowardZero,
                            RoundingMode::Upward, RoundingMode::Downward}) {
    for (bool saturate : {false, true}) {
      RoundingOptions options;
      options.mode = mode;
      options.saturate = saturate;
      uint32_t code = format->encode(value.value, value.sticky, options);
      double decoded = format->decode(code);
      if (std::isnan(decoded))
        continue;
      uint32_t again = format->encode(decoded, 0, RoundingOptions{});
      if (format->decode(again) != decoded &&
          !(decoded == 0 && format->decode(again) == 0)) {
        std::fprintf(stderr, "code 0x%X decodes to %a, which encodes to 0x%X\n",
                     code, decoded, again);
        std::abort();
      }
    }
  }
  return 0;
}
