//===- Support.h - Buffers, random data and clocks for lowp-bench ---------===//
//
// Small pieces every benchmark uses: memory that is resident before it is
// timed, a fast deterministic random generator, a clock and a median.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_BENCH_SUPPORT_H
#define LOWP_BENCH_SUPPORT_H

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lowp_bench {

/// A zero-filled heap buffer with every page touched on allocation and, if
/// it is large, 2 MiB aligned and advised onto transparent huge pages: a
/// timed run must measure memory traffic, not page faults or the TLB misses
/// of 4 KiB pages. The baselines and lowp's kernels get the same buffers.
class Buffer {
public:
  Buffer() = default;
  explicit Buffer(size_t bytes);
  ~Buffer();
  Buffer(Buffer &&other) noexcept;
  Buffer &operator=(Buffer &&other) noexcept;
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;

  template <class T> T *as() { return static_cast<T *>(data_); }
  template <class T> const T *as() const {
    return static_cast<const T *>(data_);
  }
  size_t size() const { return bytes_; }

private:
  void *data_ = nullptr;
  size_t bytes_ = 0;
};

/// splitmix64: fast, and deterministic so that every run benchmarks the
/// same data.
class Random {
public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [lo, hi), with 24 random bits.
  float uniform(float lo, float hi) {
    return lo + (hi - lo) * static_cast<float>(next() >> 40) * 0x1p-24f;
  }
  /// Uniform in [lo, hi].
  int between(int lo, int hi) {
    return lo + static_cast<int>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  /// Fills `bytes` bytes with random bits.
  void fillBytes(void *data, size_t bytes);

private:
  uint64_t state_;
};

inline double now() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

/// The median of `samples` (the mean of the middle two for an even count).
double median(std::vector<double> samples);

/// The size of the last-level cache in bytes (32 MiB if the system does not
/// say).
size_t lastLevelCacheBytes();

/// How many copies of a data set of `bytes` bytes a benchmark cycles
/// through so that each call reads memory that the previous calls pushed
/// out of every cache level: at least two, and together at least four
/// times the last-level cache.
int copiesToDefeatCaches(size_t bytes);

} // namespace lowp_bench

#endif // LOWP_BENCH_SUPPORT_H
