//===- lowp-format.cpp - The numerics core from the command line ----------===//
//
//   lowp-format info FORMAT
//   lowp-format table FORMAT
//   lowp-format encode FORMAT [--rounding=MODE] [--saturate]
//                             [--random-bits=R] [--random-bit-count=K]
//                             [VALUE...]
//
// FORMAT is an MLIR type as text (f8E4M3FN, bf16, i4, !lowp.float<e3m3>,
// !lowp.codebook<nf4>, !lowp.posit<16, 1>, !lowp.hif8, !lowp.lns<4, 3>). Values
// are decimal or C99 hex floats, nan, inf; decimals that no double equals are
// still rounded exactly.
//
//===----------------------------------------------------------------------===//

#include "lowp/Dialect/Lowp/IR/LowpDialect.h"
#include "lowp/Dialect/Lowp/IR/LowpTypes.h"
#include "lowp/Numerics/Parse.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <cerrno>
#include <cfenv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace lowp::numerics;

namespace {

const char *const usage =
    R"(usage: lowp-format COMMAND FORMAT [OPTIONS] [VALUE...]

Ask lowp's numerics core about a number format.

Commands:
  info FORMAT     bits, bias, max, min normal, min subnormal, epsilon and
                  the special values, like numpy's finfo
  table FORMAT    every code and its value (formats up to 20 bits)
  encode FORMAT   round each VALUE (or each line of standard input when no
                  VALUE is given) into FORMAT and print "0xCODE VALUE", the
                  value written so that it reads back exactly

FORMAT is an MLIR type: f4E2M1FN, f6E2M3FN, f6E3M2FN, f8E4M3FN, f8E5M2,
f8E4M3, f8E3M4, f8E4M3FNUZ, f8E5M2FNUZ, f8E4M3B11FNUZ, f8E8M0FNU, f16, bf16,
tf32, f32, iN / siN / uiN (N <= 32), !lowp.float<e3m3, ...>,
!lowp.codebook<...>, !lowp.posit<n, es>, !lowp.hif8 or !lowp.lns<I, F>.
Quote it in the shell.

Options for encode:
  --rounding=MODE        to_nearest_even (default), to_nearest_away,
                         toward_zero, upward, downward, stochastic
  --saturate             out-of-range values and infinities become +-max
  --random-bits=R        the random number of stochastic rounding
  --random-bit-count=K   how many random bits stochastic rounding uses
                         (1..32, default 32)

VALUE: decimal (0.3, -1e-5) or C99 hex (0x1.8p3), nan, inf, -inf.

Examples:
  lowp-format info '!lowp.float<e3m3>'
  lowp-format encode f4E2M1FN --rounding=downward 0.3
  seq 0 0.001 1 | lowp-format encode f8E4M3FN
)";

[[noreturn]] void fail(const std::string &message) {
  std::fprintf(stderr, "lowp-format: error: %s\n", message.c_str());
  std::exit(1);
}

/// Parses FORMAT as an MLIR type and asks it for its number format.
Format parseFormat(mlir::MLIRContext &context, const std::string &text) {
  std::string error;
  std::optional<Format> format = lowp::parseNumericFormat(context, text, error);
  if (!format)
    fail(error);
  return *format;
}

std::string hexCode(const Format &format, uint32_t code) {
  char buffer[16];
  int digits = int((format.getBitWidth() + 3) / 4);
  std::snprintf(buffer, sizeof(buffer), "0x%0*X", digits, code);
  return buffer;
}

void printInfo(const Format &format) {
  auto line = [](const char *key, const std::string &value) {
    std::printf("%-14s %s\n", key, value.c_str());
  };
  line("bits", std::to_string(format.getBitWidth()));
  switch (format.getKind()) {
  case Format::Kind::Float: {
    const FloatFormat &f = format.getFloat();
    line("kind", "float");
    line("exponent bits", std::to_string(f.exponentBits));
    line("mantissa bits", std::to_string(f.mantissaBits));
    line("bias", std::to_string(f.bias));
    line("signed", f.isSigned ? "yes" : "no");
    line("specials", stringifySpecialValues(f.specials));
    break;
  }
  case Format::Kind::Integer:
    line("kind", "integer");
    line("signed", format.getInteger().isSigned ? "yes" : "no");
    break;
  case Format::Kind::Codebook:
    line("kind", "codebook");
    line("entries", std::to_string(format.getCodebook().values.size()));
    break;
  case Format::Kind::Posit:
    line("kind", "posit (tapered; rounds on the bit pattern)");
    line("es", std::to_string(format.getPosit().exponentBits));
    break;
  case Format::Kind::HiFloat8:
    line("kind", "hifloat8 (tapered; 1..3 mantissa bits by binade)");
    break;
  case Format::Kind::Logarithmic:
    line("kind", "logarithmic (values 2^(L/2^F); shown as nearest doubles)");
    line("integer bits", std::to_string(format.getLogarithmic().integerBits));
    line("fraction bits", std::to_string(format.getLogarithmic().fractionBits));
    break;
  }
  line("max", formatValue(format.getMaxFinite()));
  line("min", formatValue(format.getMinFinite()));
  if (format.isPosit() || format.isLogarithmic()) {
    line("min positive", formatValue(format.getMinPositive()));
    line("epsilon", formatValue(format.getEpsilon()));
    line("max exponent", std::to_string(format.getMaxExponent()));
  } else if (format.isFloat() || format.isHiFloat8()) {
    line("min normal", formatValue(format.getMinNormal()));
    line("min subnormal", formatValue(format.getMinPositive()));
    line("epsilon", formatValue(format.getEpsilon()));
    line("max exponent", std::to_string(format.getMaxExponent()));
  } else {
    line("min positive", formatValue(format.getMinPositive()));
  }
  line("inf", format.hasInfinity()
                  ? hexCode(format, format.getInfCode(false)) + ", -inf " +
                        hexCode(format, format.getInfCode(true))
                  : "none");
  line("nan", format.hasNaN() ? hexCode(format, format.getNaNCode()) +
                                    " (the code lowp writes for NaN)"
                              : "none");
  line("-0", format.hasNegativeZero()
                 ? hexCode(format, format.encode(-0.0, RoundingOptions{}))
                 : "none");
}

void printTable(const Format &format) {
  if (format.getBitWidth() > 20)
    fail("a table of " + std::to_string(format.getBitWidth()) +
         "-bit codes has too many lines; 'table' takes formats up to 20 "
         "bits");
  std::string out;
  for (uint64_t code = 0; code < format.getNumCodes(); ++code) {
    out += hexCode(format, uint32_t(code));
    out += ' ';
    out += formatValue(format.decode(uint32_t(code)));
    out += '\n';
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

int encodeValues(const Format &format, const RoundingOptions &options,
                 const std::vector<std::string> &values) {
  std::string out;
  auto encodeOne = [&](const std::string &text, const std::string &where) {
    RealValue parsed;
    if (!parseReal(text, parsed))
      fail(where + "'" + text + "' is not a number");
    uint32_t code = format.encode(parsed.value, parsed.sticky, options);
    out += hexCode(format, code);
    out += ' ';
    out += formatValue(format.decode(code));
    out += '\n';
    if (out.size() > (1 << 16)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  };
  if (!values.empty()) {
    for (const std::string &value : values)
      encodeOne(value, "");
  } else {
    char *line = nullptr;
    size_t capacity = 0;
    ssize_t length;
    uint64_t lineNumber = 0;
    while ((length = getline(&line, &capacity, stdin)) != -1) {
      ++lineNumber;
      std::string text(line, size_t(length));
      if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        continue;
      if (text.back() == '\n')
        text.pop_back();
      encodeOne(text, "line " + std::to_string(lineNumber) + ": ");
    }
    std::free(line);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

bool parseUnsigned(const std::string &text, uint64_t &value) {
  if (text.empty() || text[0] == '-')
    return false;
  char *end = nullptr;
  errno = 0;
  value = std::strtoull(text.c_str(), &end, 0);
  return errno == 0 && end == text.c_str() + text.size();
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(usage, args.empty() ? stderr : stdout);
    return args.empty() ? 1 : 0;
  }
  const std::string command = args[0];
  if (command != "info" && command != "table" && command != "encode")
    fail("unknown command '" + command +
         "'; expected info, table or encode (see --help)");
  if (args.size() < 2)
    fail("'" + command + "' needs a FORMAT (see --help)");

  mlir::MLIRContext context;
  context.loadDialect<lowp::LowpDialect>();
  Format format = parseFormat(context, args[1]);

  RoundingOptions options;
  bool haveRandomBits = false, haveRandomBitCount = false;
  std::vector<std::string> values;
  bool optionsAllowed = command == "encode";
  for (size_t i = 2; i < args.size(); ++i) {
    const std::string &arg = args[i];
    bool isOption = arg.rfind("--", 0) == 0;
    if (!isOption && optionsAllowed) {
      values.push_back(arg);
      continue;
    }
    if (!optionsAllowed)
      fail("'" + command + "' takes no argument after FORMAT, got '" + arg +
           "'");
    uint64_t number = 0;
    if (arg.rfind("--rounding=", 0) == 0) {
      std::optional<RoundingMode> mode = symbolizeRoundingMode(arg.substr(11));
      if (!mode)
        fail("unknown rounding mode '" + arg.substr(11) +
             "'; expected to_nearest_even, to_nearest_away, toward_zero, "
             "upward, downward or stochastic");
      options.mode = *mode;
    } else if (arg == "--saturate") {
      options.saturate = true;
    } else if (arg.rfind("--random-bits=", 0) == 0) {
      if (!parseUnsigned(arg.substr(14), number))
        fail("'" + arg.substr(14) + "' is not an unsigned integer");
      options.randomBits = number;
      haveRandomBits = true;
    } else if (arg.rfind("--random-bit-count=", 0) == 0) {
      if (!parseUnsigned(arg.substr(19), number) || number > 64)
        fail("'" + arg.substr(19) + "' is not a bit count");
      options.randomBitCount = unsigned(number);
      haveRandomBitCount = true;
    } else if (arg == "--") {
      values.insert(values.end(), args.begin() + long(i) + 1, args.end());
      break;
    } else {
      fail("unknown option '" + arg + "' (see --help)");
    }
  }
  bool stochastic = options.mode == RoundingMode::Stochastic;
  if (stochastic && !haveRandomBits)
    fail("stochastic rounding needs --random-bits=R");
  if (!stochastic && (haveRandomBits || haveRandomBitCount))
    fail("--random-bits and --random-bit-count apply only to "
         "--rounding=stochastic");
  std::string roundingError = format.verifyRounding(options);
  if (!roundingError.empty())
    fail(roundingError);

  if (command == "info")
    printInfo(format);
  else if (command == "table")
    printTable(format);
  else
    return encodeValues(format, options, values);
  return 0;
}
