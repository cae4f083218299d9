//===- NpyFuzzer.cpp - libFuzzer target: the .npy reader ------------------===//
//
// Each input is a file's bytes. The reader must accept it or refuse it with
// an error message; a crash, a sanitizer report or an allocation beyond the
// input's size is a finding.
//
//===----------------------------------------------------------------------===//

#include "lowp/Runtime/Npy.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::istringstream file(
      std::string(reinterpret_cast<const char *>(data), size));
  lowp::npy::Array array;
  std::string error;
  if (!lowp::npy::read(file, "input", array, error)) {
    if (error.empty()) {
      std::fprintf(stderr, "refused without a message\n");
      std::abort();
    }
    return 0;
  }
  // What is accepted is consistent: the data holds every element.
  uint64_t count = 1;
  for (int64_t d : array.shape)
    count *= uint64_t(d);
  if (array.data.size() != count * array.dtype.bytes) {
    std::fprintf(stderr, "accepted %zu bytes for %llu elements of %u bytes\n",
                 array.data.size(), (unsigned long long)count,
                 array.dtype.bytes);
    std::abort();
  }
  return 0;
}
