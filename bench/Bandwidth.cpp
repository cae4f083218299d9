//===- Bandwidth.cpp - What the memory system delivers --------------------===//

#include "Bandwidth.h"

#include <algorithm>
#include <thread>
#include <vector>

namespace lowp_bench {

namespace {

// 64 bytes: one cache line, and one AVX-512 register where the target has
// them (two AVX2 registers otherwise). Vector extensions rather than
// intrinsics keep the probe portable to whatever -march=native means.
typedef uint32_t Line __attribute__((vector_size(64), aligned(64)));

// Lines per loop iteration: 8 independent accumulators.
constexpr size_t kUnroll = 8;

uint64_t sumLines(const Line *lines, size_t count) {
  Line a0 = {}, a1 = {}, a2 = {}, a3 = {}, a4 = {}, a5 = {}, a6 = {}, a7 = {};
  size_t i = 0;
  for (; i + kUnroll <= count; i += kUnroll) {
    a0 += lines[i];
    a1 += lines[i + 1];
    a2 += lines[i + 2];
    a3 += lines[i + 3];
    a4 += lines[i + 4];
    a5 += lines[i + 5];
    a6 += lines[i + 6];
    a7 += lines[i + 7];
  }
  for (; i < count; ++i)
    a0 += lines[i];
  Line total = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
  uint64_t sum = 0;
  for (int lane = 0; lane < 16; ++lane)
    sum += total[lane];
  return sum;
}

// no_builtin keeps clang from turning the loops into calls to memset and
// memcpy, whose glibc versions switch to non-temporal stores for large
// sizes: these probes must be the ordinary-store ones they say they are.
__attribute__((no_builtin("memset"))) void fillLines(Line *destination,
                                                     size_t count, Line value) {
  for (size_t i = 0; i < count; ++i)
    destination[i] = value;
}

void fillLinesNonTemporal(Line *destination, size_t count, Line value) {
  for (size_t i = 0; i < count; ++i)
    __builtin_nontemporal_store(value, &destination[i]);
#if defined(__x86_64__)
  __builtin_ia32_sfence();
#endif
}

__attribute__((no_builtin("memcpy"))) void
copyLines(const Line *source, Line *destination, size_t count) {
  for (size_t i = 0; i < count; ++i)
    destination[i] = source[i];
}

void copyLinesNonTemporal(const Line *source, Line *destination, size_t count) {
  for (size_t i = 0; i < count; ++i)
    __builtin_nontemporal_store(source[i], &destination[i]);
#if defined(__x86_64__)
  __builtin_ia32_sfence();
#endif
}

/// Runs `work(first, count)` on `threads` threads over `lines` lines split
/// into contiguous slices; returns the seconds from the earliest start to
/// the latest end.
template <class Work>
double timeOnSlices(size_t lines, int threads, Work work) {
  threads = std::max(threads, 1);
  std::vector<double> starts(threads), ends(threads);
  std::vector<std::thread> pool;
  size_t perThread = (lines + threads - 1) / threads;
  for (int t = 0; t < threads; ++t) {
    size_t first = std::min(lines, t * perThread);
    size_t count = std::min(lines - first, perThread);
    pool.emplace_back([&, t, first, count] {
      starts[t] = now();
      work(t, first, count);
      ends[t] = now();
    });
  }
  for (std::thread &thread : pool)
    thread.join();
  return *std::max_element(ends.begin(), ends.end()) -
         *std::min_element(starts.begin(), starts.end());
}

} // namespace

double timeReadSum(const Buffer &buffer, int threads, uint64_t &checksum) {
  const Line *lines = buffer.as<Line>();
  std::vector<uint64_t> sums(std::max(threads, 1));
  double seconds = timeOnSlices(buffer.size() / sizeof(Line), threads,
                                [&](int t, size_t first, size_t count) {
                                  sums[t] = sumLines(lines + first, count);
                                });
  checksum = 0;
  for (uint64_t sum : sums)
    checksum += sum;
  return seconds;
}

double timeFmaPeak(int threads, uint64_t iterations, float &sink) {
  typedef float Lanes __attribute__((vector_size(64)));
  std::vector<float> sums(std::max(threads, 1));
  double seconds = timeOnSlices(
      size_t(std::max(threads, 1)), threads, [&](int t, size_t, size_t) {
        // x -> x * m + c stays near c / (1 - m): no overflow, no
        // subnormals to slow it down.
        Lanes m, c, chain[12];
        for (int lane = 0; lane < 16; ++lane) {
          m[lane] = 0.999f;
          c[lane] = 0.001f * float(t + 1);
        }
        for (int k = 0; k < 12; ++k)
          chain[k] = c * float(k);
        for (uint64_t i = 0; i < iterations; ++i)
          for (int k = 0; k < 12; ++k)
            chain[k] = __builtin_elementwise_fma(chain[k], m, c);
        Lanes total = {};
        for (int k = 0; k < 12; ++k)
          total += chain[k];
        float sum = 0;
        for (int lane = 0; lane < 16; ++lane)
          sum += total[lane];
        sums[t] = sum;
      });
  sink = 0;
  for (float sum : sums)
    sink += sum;
  return seconds;
}

double timeFill(Buffer &buffer, bool nonTemporal, int threads) {
  Line *lines = buffer.as<Line>();
  // Not zero: this machine writes all-zero lines faster than data.
  Line value;
  for (int lane = 0; lane < 16; ++lane)
    value[lane] = 0x01010101u * static_cast<uint32_t>(lane + 1);
  return timeOnSlices(buffer.size() / sizeof(Line), threads,
                      [&](int, size_t first, size_t count) {
                        if (nonTemporal)
                          fillLinesNonTemporal(lines + first, count, value);
                        else
                          fillLines(lines + first, count, value);
                      });
}

double timeCopy(const Buffer &source, Buffer &destination, bool nonTemporal,
                int threads) {
  const Line *from = source.as<Line>();
  Line *to = destination.as<Line>();
  size_t lines = std::min(source.size(), destination.size()) / sizeof(Line);
  return timeOnSlices(lines, threads, [&](int, size_t first, size_t count) {
    if (nonTemporal)
      copyLinesNonTemporal(from + first, to + first, count);
    else
      copyLines(from + first, to + first, count);
  });
}

} // namespace lowp_bench
