//===- Support.cpp - Buffers, random data and clocks for lowp-bench -------===//

#include "Support.h"

#include <fstream>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sys/mman.h>
#include <unistd.h>

namespace lowp_bench {

namespace {
constexpr size_t kHugePage = size_t(2) << 20;
} // namespace

Buffer::Buffer(size_t bytes) : bytes_(bytes) {
  if (bytes == 0)
    return;
  // Small buffers (activations, scalars) only need cache-line alignment.
  size_t alignment = bytes < kHugePage ? 64 : kHugePage;
  size_t rounded = (bytes + alignment - 1) / alignment * alignment;
  data_ = std::aligned_alloc(alignment, rounded);
  if (!data_)
    throw std::bad_alloc();
  // Only a hint: with THP set to "never" the buffer stays on 4 KiB pages.
  if (alignment == kHugePage)
    madvise(data_, rounded, MADV_HUGEPAGE);
  std::memset(data_, 0, rounded);
}

Buffer::~Buffer() { std::free(data_); }

Buffer::Buffer(Buffer &&other) noexcept
    : data_(other.data_), bytes_(other.bytes_) {
  other.data_ = nullptr;
  other.bytes_ = 0;
}

Buffer &Buffer::operator=(Buffer &&other) noexcept {
  std::swap(data_, other.data_);
  std::swap(bytes_, other.bytes_);
  return *this;
}

void Random::fillBytes(void *data, size_t bytes) {
  auto *out = static_cast<unsigned char *>(data);
  size_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    uint64_t bits = next();
    std::memcpy(out + i, &bits, 8);
  }
  uint64_t bits = next();
  for (; i < bytes; ++i, bits >>= 8)
    out[i] = static_cast<unsigned char>(bits);
}

double median(std::vector<double> samples) {
  if (samples.empty())
    return 0;
  size_t mid = samples.size() / 2;
  std::nth_element(samples.begin(), samples.begin() + mid, samples.end());
  double upper = samples[mid];
  if (samples.size() % 2)
    return upper;
  double lower = *std::max_element(samples.begin(), samples.begin() + mid);
  return (lower + upper) / 2;
}

size_t lastLevelCacheBytes() {
  // What the kernel says this machine's cores share. glibc's sysconf reads
  // CPUID, which in a VM can report the whole host socket's L3 (320 MiB
  // here against 32 MiB): copies sized by it exhaust the memory.
  std::ifstream sysfs("/sys/devices/system/cpu/cpu0/cache/index3/size");
  size_t kib = 0;
  char unit = 0;
  if (sysfs >> kib >> unit && unit == 'K' && kib > 0)
    return kib << 10;
  long bytes = sysconf(_SC_LEVEL3_CACHE_SIZE);
  if (bytes <= 0)
    bytes = sysconf(_SC_LEVEL2_CACHE_SIZE);
  return bytes > 0 ? static_cast<size_t>(bytes) : size_t(32) << 20;
}

int copiesToDefeatCaches(size_t bytes) {
  size_t wanted = 4 * lastLevelCacheBytes();
  size_t copies = (wanted + bytes - 1) / std::max<size_t>(bytes, 1);
  return static_cast<int>(std::clamp<size_t>(copies, 2, 64));
}

} // namespace lowp_bench
