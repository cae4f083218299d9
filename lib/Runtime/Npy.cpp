//===- Npy.cpp - NumPy .npy files -----------------------------------------===//

#include "lowp/Runtime/Npy.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

using namespace lowp::npy;

std::string DType::str() const {
  char kindChar = kind == Kind::Bool       ? 'b'
                  : kind == Kind::Signed   ? 'i'
                  : kind == Kind::Unsigned ? 'u'
                                           : 'f';
  return std::string(bytes == 1 ? "|" : "<") + kindChar + std::to_string(bytes);
}

int64_t Array::numElements() const {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return count;
}

std::string lowp::npy::shapeString(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

namespace {
/// The value of `key` in the header dictionary, as raw text.
bool findValue(const std::string &header, const std::string &key,
               std::string &value) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    return false;
  size_t colon = header.find(':', at);
  if (colon == std::string::npos)
    return false;
  size_t start = header.find_first_not_of(" ", colon + 1);
  if (start == std::string::npos)
    return false;
  size_t end = start;
  if (header[start] == '(') {
    end = header.find(')', start);
    if (end == std::string::npos)
      return false;
    ++end;
  } else {
    end = header.find_first_of(",}", start);
    if (end == std::string::npos)
      return false;
  }
  value = header.substr(start, end - start);
  while (!value.empty() && std::isspace((unsigned char)value.back()))
    value.pop_back();
  return true;
}

bool parseDType(std::string text, DType &dtype, std::string &error) {
  if (text.size() < 4 || (text.front() != '\'' && text.front() != '"')) {
    error = "unsupported dtype " + text;
    return false;
  }
  text = text.substr(1, text.size() - 2);
  char order = text[0], kind = text[1];
  if (order == '>') {
    error = "big-endian arrays are not supported (dtype " + text + ")";
    return false;
  }
  if (order != '<' && order != '|' && order != '=') {
    error = "unsupported dtype " + text;
    return false;
  }
  unsigned bytes = 0;
  try {
    bytes = unsigned(std::stoul(text.substr(2)));
  } catch (...) {
    error = "unsupported dtype " + text;
    return false;
  }
  switch (kind) {
  case 'b':
    dtype.kind = Kind::Bool;
    break;
  case 'i':
    dtype.kind = Kind::Signed;
    break;
  case 'u':
    dtype.kind = Kind::Unsigned;
    break;
  case 'f':
    dtype.kind = Kind::Float;
    break;
  default:
    error =
        "unsupported dtype " + text + " (lowp reads bool, integers and floats)";
    return false;
  }
  bool sizeOk = dtype.kind == Kind::Float
                    ? (bytes == 2 || bytes == 4 || bytes == 8)
                    : (bytes == 1 || bytes == 2 || bytes == 4 || bytes == 8);
  if (!sizeOk || (dtype.kind == Kind::Bool && bytes != 1)) {
    error = "unsupported dtype " + text;
    return false;
  }
  dtype.bytes = bytes;
  return true;
}

bool parseShape(const std::string &text, std::vector<int64_t> &shape,
                std::string &error) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') {
    error = "malformed shape " + text;
    return false;
  }
  // A Python tuple: () for a scalar, (N,) for one dimension, (N, M) or
  // (N, M,) for more; an empty item anywhere else, as in (4,,), or (4)
  // (an integer, not a tuple) is not one.
  std::string inner = text.substr(1, text.size() - 2);
  std::vector<std::string> items;
  std::stringstream stream(inner);
  for (std::string item; std::getline(stream, item, ',');)
    items.push_back(item);
  if (!inner.empty() && inner.back() == ',')
    items.push_back("");
  auto blank = [](const std::string &item) {
    return item.find_first_not_of(" ") == std::string::npos;
  };
  if (items.size() == 1 && blank(items[0]))
    items.clear();
  else if (!items.empty() && blank(items.back()))
    items.pop_back();
  else if (items.size() == 1) {
    error = "malformed shape " + text + " (one dimension is written (N,))";
    return false;
  }
  for (std::string item : items) {
    size_t first = item.find_first_not_of(" ");
    if (first == std::string::npos) {
      error = "malformed shape " + text;
      return false;
    }
    item = item.substr(first);
    while (!item.empty() && (item.back() == ' ' || item.back() == 'L'))
      item.pop_back();
    if (item.empty() ||
        item.find_first_not_of("0123456789") != std::string::npos ||
        item.size() > 15) {
      error = "malformed shape " + text;
      return false;
    }
    shape.push_back(std::stoll(item));
  }
  return true;
}
} // namespace

bool lowp::npy::read(const std::string &path, Array &array,
                     std::string &error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = "cannot open '" + path + "'";
    return false;
  }
  return read(file, path, array, error);
}

bool lowp::npy::read(std::istream &file, const std::string &path, Array &array,
                     std::string &error) {
  char magic[8];
  if (!file.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    error = "'" + path + "' is not a .npy file";
    return false;
  }
  unsigned major = (unsigned char)magic[6];
  uint32_t headerLength = 0;
  if (major == 1) {
    unsigned char length[2];
    if (!file.read((char *)length, 2)) {
      error = "'" + path + "': truncated header";
      return false;
    }
    headerLength = length[0] | (length[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char length[4];
    if (!file.read((char *)length, 4)) {
      error = "'" + path + "': truncated header";
      return false;
    }
    headerLength = length[0] | (length[1] << 8) | (length[2] << 16) |
                   (uint32_t(length[3]) << 24);
  } else {
    error = "'" + path + "': unsupported .npy version " + std::to_string(major);
    return false;
  }
  if (headerLength > (1u << 20)) {
    error = "'" + path + "': header of " + std::to_string(headerLength) +
            " bytes is too large";
    return false;
  }
  std::string header(headerLength, '\0');
  if (!file.read(header.data(), headerLength)) {
    error = "'" + path + "': truncated header";
    return false;
  }
  // Python reads a dictionary with a repeated key as its last value; lowp
  // reads the first. Neither is what the writer meant.
  for (const char *key : {"descr", "fortran_order", "shape"}) {
    std::string quoted = "'" + std::string(key) + "'";
    size_t first = header.find(quoted);
    if (first != std::string::npos &&
        header.find(quoted, first + 1) != std::string::npos) {
      error =
          "'" + path + "': malformed header: key '" + key + "' appears twice";
      return false;
    }
  }
  std::string descr, fortran, shapeText;
  if (!findValue(header, "descr", descr) ||
      !findValue(header, "fortran_order", fortran) ||
      !findValue(header, "shape", shapeText)) {
    error = "'" + path + "': malformed header";
    return false;
  }
  if (fortran != "False") {
    error = "'" + path + "': Fortran-ordered arrays are not supported";
    return false;
  }
  std::string detail;
  if (!parseDType(descr, array.dtype, detail) ||
      !parseShape(shapeText, array.shape, detail)) {
    error = "'" + path + "': " + detail;
    return false;
  }
  // Refuse absurd sizes before allocating.
  const int64_t limit = int64_t(1) << 40;
  int64_t count = 1;
  for (int64_t d : array.shape) {
    if (d != 0 && count > limit / d) {
      error =
          "'" + path + "': shape " + shapeString(array.shape) + " is too large";
      return false;
    }
    count *= d;
  }
  uint64_t bytes = uint64_t(count) * array.dtype.bytes;
  // Only as much memory as the file has data for: a header may promise
  // terabytes.
  std::streampos start = file.tellg();
  file.seekg(0, std::ios::end);
  std::streampos end = file.tellg();
  file.seekg(start);
  if (start < 0 || end < start || uint64_t(end - start) < bytes) {
    error = "'" + path + "': holds fewer than the " + std::to_string(count) +
            " elements its header promises";
    return false;
  }
  array.data.resize(bytes);
  if (bytes && !file.read((char *)array.data.data(), std::streamsize(bytes))) {
    error = "'" + path + "': holds fewer than the " + std::to_string(count) +
            " elements its header promises";
    return false;
  }
  return true;
}

bool lowp::npy::write(const std::string &path, const Array &array,
                      std::string &error) {
  std::string shape = "(";
  for (size_t i = 0; i < array.shape.size(); ++i)
    shape +=
        std::to_string(array.shape[i]) +
        (array.shape.size() == 1 ? ","
                                 : (i + 1 < array.shape.size() ? ", " : ""));
  shape += ")";
  std::string header = "{'descr': '" + array.dtype.str() +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so that the data starts at a multiple of 64 bytes.
  size_t total = 10 + header.size() + 1;
  header += std::string((64 - total % 64) % 64, ' ') + "\n";
  std::ofstream file(path, std::ios::binary);
  if (!file) {
    error = "cannot write '" + path + "'";
    return false;
  }
  uint16_t length = uint16_t(header.size());
  file.write("\x93NUMPY\x01\x00", 8);
  file.put(char(length & 0xFF));
  file.put(char(length >> 8));
  file.write(header.data(), std::streamsize(header.size()));
  file.write((const char *)array.data.data(),
             std::streamsize(array.data.size()));
  // Buffered bytes reach the file only here: a full disk shows on close.
  file.close();
  if (!file) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    return false;
  }
  return true;
}
