//===- ParserGuard.cpp - Inputs upstream MLIR's parser crashes on ---------===//
//
// A small lexer over MLIR text: enough to skip comments, strings and
// prefixed names (%x, @f, #a, !t, ^bb), to see bare op names and keywords,
// and to track nesting, so that the keyword a linalg parser reads is told
// apart from the same word inside a type or an attribute dictionary.
//
//===----------------------------------------------------------------------===//

#include "lowp/Support/ParserGuard.h"

#include "llvm/Support/SourceMgr.h"

#include <cctype>
#include <cstdint>

using namespace lowp;

namespace {

bool isIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         c == '.';
}

class Scanner {
public:
  explicit Scanner(llvm::StringRef text) : text(text) {}

  std::optional<ParserHazard> run();

private:
  bool atEnd() const { return pos >= text.size(); }
  char peek() const { return atEnd() ? '\0' : text[pos]; }

  /// Skips whitespace and `//` comments.
  void skipTrivia() {
    while (!atEnd()) {
      char c = text[pos];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos;
      } else if (text.substr(pos).starts_with("//")) {
        size_t end = text.find('\n', pos);
        pos = end == llvm::StringRef::npos ? text.size() : end + 1;
      } else {
        return;
      }
    }
  }

  void skipString() {
    for (++pos; !atEnd(); ++pos) {
      if (text[pos] == '\\') {
        ++pos;
      } else if (text[pos] == '"' || text[pos] == '\n') {
        ++pos;
        return;
      }
    }
  }

  /// Whether the integer list at `pos` is one upstream's parser reads:
  /// `[` (integer (`,` integer)*)? `]`, each an optionally negative decimal
  /// or hexadecimal literal. Values beyond 2^62 are refused too: upstream
  /// crashes on those past 2^63, and none of them names a dimension.
  bool parseIntegerList() {
    if (peek() != '[')
      return false;
    ++pos;
    skipTrivia();
    if (peek() == ']')
      return true;
    while (true) {
      if (peek() == '-') {
        ++pos;
        skipTrivia();
      }
      if (!std::isdigit(static_cast<unsigned char>(peek())))
        return false;
      bool hex = text.substr(pos).starts_with("0x");
      if (hex)
        pos += 2;
      uint64_t value = 0;
      size_t digits = 0;
      for (; !atEnd(); ++pos, ++digits) {
        char c = text[pos];
        int digit;
        if (std::isdigit(static_cast<unsigned char>(c)))
          digit = c - '0';
        else if (hex && std::isxdigit(static_cast<unsigned char>(c)))
          digit = std::tolower(c) - 'a' + 10;
        else
          break;
        value = value * (hex ? 16 : 10) + digit;
        if (value > (uint64_t(1) << 62))
          return false;
      }
      if (digits == 0 || isIdentifierChar(peek()))
        return false;
      skipTrivia();
      if (peek() == ']')
        return true;
      if (peek() != ',')
        return false;
      ++pos;
      skipTrivia();
    }
  }

  llvm::StringRef text;
  size_t pos = 0;
};

std::optional<ParserHazard> Scanner::run() {
  // The op whose keyword is awaited, the keyword, and the nesting depth at
  // the op's name: the keyword counts only at that depth.
  llvm::StringRef op, keyword;
  int opDepth = 0, depth = 0;
  while (true) {
    skipTrivia();
    if (atEnd())
      return std::nullopt;
    char c = text[pos];
    if (c == '"') {
      skipString();
    } else if (c == '%' || c == '@' || c == '#' || c == '!' || c == '^') {
      ++pos;
      if (peek() == '"')
        skipString();
      while (!atEnd() && (isIdentifierChar(text[pos]) || text[pos] == '-'))
        ++pos;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      // Numbers and shapes such as 4x8xf32.
      while (!atEnd() && isIdentifierChar(text[pos]))
        ++pos;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = pos;
      while (!atEnd() && isIdentifierChar(text[pos]))
        ++pos;
      llvm::StringRef word = text.slice(start, pos);
      if (word == "linalg.transpose" || word == "linalg.broadcast" ||
          word == "linalg.reduce") {
        op = word;
        keyword = word == "linalg.transpose" ? "permutation" : "dimensions";
        opDepth = depth;
      } else if (!keyword.empty() && word == keyword && depth == opDepth) {
        llvm::StringRef awaited = keyword;
        keyword = {};
        skipTrivia();
        if (peek() != '=')
          continue;
        ++pos;
        skipTrivia();
        size_t listStart = pos;
        if (!parseIntegerList())
          return ParserHazard{listStart,
                              ("'" + op +
                               "' expects a list of integers such as "
                               "[1, 0] after '" +
                               awaited + " ='")
                                  .str()};
      }
    } else {
      ++pos;
      if (c == '(' || c == '[' || c == '{')
        ++depth;
      else if (c == ')' || c == ']' || c == '}')
        --depth;
      if (depth < opDepth)
        keyword = {};
    }
  }
}

} // namespace

std::optional<ParserHazard> lowp::findParserHazard(llvm::StringRef text) {
  return Scanner(text).run();
}

bool lowp::reportParserHazard(llvm::SourceMgr &sourceMgr) {
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  std::optional<ParserHazard> hazard = findParserHazard(buffer->getBuffer());
  if (!hazard)
    return false;
  sourceMgr.PrintMessage(
      llvm::SMLoc::getFromPointer(buffer->getBufferStart() + hazard->offset),
      llvm::SourceMgr::DK_Error, hazard->message);
  return true;
}
