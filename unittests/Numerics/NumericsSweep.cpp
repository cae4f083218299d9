//===- NumericsSweep.cpp - Every f32 input through one format -------------===//
//
// lowp-numerics-sweep FORMAT MODE [--saturate] [--threads=N]
// Converts all 2^32 f32 bit patterns with the core and with the exact value
// table oracle, and prints the number of disagreements (0 is the only
// passing answer). Opt-in: it takes minutes per format. Results for every
// builtin format under to_nearest_even are recorded in docs/Numerics.md.
//
//===----------------------------------------------------------------------===//

#include "Oracles.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

using namespace lowp;
using namespace lowp::numerics;

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: lowp-numerics-sweep FORMAT MODE [--saturate] "
                         "[--threads=N]\n");
    return 2;
  }
  std::optional<FloatFormat> params = getBuiltinFloatFormat(argv[1]);
  std::optional<RoundingMode> mode = symbolizeRoundingMode(argv[2]);
  if (!params || !mode || *mode == RoundingMode::Stochastic) {
    std::fprintf(stderr,
                 "error: unknown builtin format or deterministic mode\n");
    return 2;
  }
  RoundingOptions options;
  options.mode = *mode;
  unsigned threads = std::thread::hardware_concurrency();
  for (int i = 3; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--saturate"))
      options.saturate = true;
    else if (!std::strncmp(argv[i], "--threads=", 10))
      threads = unsigned(std::stoul(argv[i] + 10));
  }
  Format format = *Format::tryMakeFloat(*params, nullptr);
  oracle::ValueTable table(*params);
  std::atomic<uint64_t> mismatches{0};
  std::atomic<uint64_t> firstMismatch{~uint64_t(0)};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      uint64_t local = 0;
      for (uint64_t bits = t; bits < (uint64_t(1) << 32); bits += threads) {
        uint32_t word = uint32_t(bits);
        float f;
        std::memcpy(&f, &word, sizeof(f));
        if (!(oracle::roundWithCore(format, f, options) ==
              table.round(f, options))) {
          if (local++ == 0)
            firstMismatch = bits;
        }
      }
      mismatches += local;
    });
  for (std::thread &worker : workers)
    worker.join();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf("%s %s%s: 4294967296 inputs, %llu mismatches, %.0f s\n", argv[1],
              argv[2], options.saturate ? " saturate" : "",
              (unsigned long long)mismatches.load(), seconds);
  if (mismatches)
    std::printf("first mismatch: f32 bits 0x%08llx\n",
                (unsigned long long)firstMismatch.load());
  return mismatches ? 1 : 0;
}
