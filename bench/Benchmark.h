//===- Benchmark.h - One thing lowp-bench times ---------------------------===//
//
// Every row of lowp-bench's output is a Benchmark: a memory probe, an
// OpenBLAS baseline or a kernel that lowp compiled ahead of time. The
// driver (lowp-bench.cpp) prepares each, calls it once to check it and to
// see how long it takes, then times it in interleaved rounds.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_BENCH_BENCHMARK_H
#define LOWP_BENCH_BENCHMARK_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lowp_bench {

/// Which table a benchmark's row goes in, and what its figures are
/// compared with.
enum class Section {
  Memory,     ///< a bandwidth probe: the yardstick
  Gemv,       ///< y = x W at batch 1: compared with DRAM read bandwidth
  Gemm,       ///< y = x W at batch 2 to 512, and a transformer block stand-in:
              ///< compared with OpenBLAS sgemm
  Conversion, ///< elementwise: compared with a read + write roofline
  Compute,    ///< a compute peak (f32 FMA): the other yardstick
};

/// A GEMM's problem size (Section::Gemm): y (M x N) = x (M x K) W (K x N),
/// 2 M N K floating-point operations. A benchmark of several products (the
/// transformer block) gives their total and a label for the shape column.
struct GemmShape {
  int64_t m = 0, k = 0, n = 0;
  const char *label = nullptr; ///< nullptr: "MxKxN"
  double totalFlops = 0;       ///< 0: 2 M N K
  double flops() const { return totalFlops ? totalFlops : 2.0 * m * n * k; }
};

struct CheckResult {
  enum class Status { Ok, Wrong, NotChecked };
  Status status = Status::NotChecked;
  /// What was compared and the largest error found.
  std::string detail;
};

class Benchmark {
public:
  virtual ~Benchmark() = default;

  /// A short unique name, matched by --filter.
  virtual std::string name() const = 0;
  /// What is computed, in which formats.
  virtual std::string description() const = 0;
  virtual Section section() const = 0;
  /// The threads one call uses; its bandwidth figure is compared with the
  /// DRAM bandwidth measured on as many threads.
  virtual int threads() const { return 1; }
  /// Bytes one call reads and writes, counted as stored (packed codes,
  /// scales, activations, results), not as the format's logical size.
  virtual uint64_t bytesRead() const = 0;
  virtual uint64_t bytesWritten() const = 0;
  /// The problem size of a Section::Gemm benchmark.
  virtual GemmShape gemmShape() const { return {}; }
  /// The name of the benchmark whose time this one's speed-up column
  /// divides (empty: none, or a yardstick that always runs). The driver
  /// runs it whenever it runs this one, whatever --filter says.
  virtual std::string baseline() const { return {}; }
  /// The GEMV (M = 1, Section::Gemv) whose time a small-M GEMM's time per
  /// row is compared with (empty: none). The driver runs it whenever it
  /// runs this one, whatever --filter says.
  virtual std::string gemvPerRow() const { return {}; }
  /// The speed-up over the baseline that the project's targets ask of this
  /// benchmark (docs/Benchmarks.md); 0 when none does.
  virtual double target() const { return 0; }
  /// Allocates and fills the inputs (only for benchmarks that run).
  virtual void prepare() {}
  /// One call; returns its duration in seconds. `call` counts the calls
  /// made so far; it picks the copy of the inputs, so that consecutive
  /// calls read memory that no cache holds.
  virtual double run(int64_t call) = 0;
  /// Checks the results of call 0, which the driver makes right before.
  virtual CheckResult check() { return {}; }
};

using BenchmarkList = std::vector<std::unique_ptr<Benchmark>>;

/// DRAM read bandwidth on 1 and on `threads` threads; write (fill) and
/// copy bandwidth with ordinary and with non-temporal stores on 1 thread;
/// the f32 FMA peak on 1 and on `threads` threads.
BenchmarkList makeMemoryProbes(int threads);

/// OpenBLAS sgemv on the GEMV shape, on 1 and on `threads` threads, and
/// sgemm with one row for reference; then lowp's GEMV kernels. Appends to
/// `notBuilt` the lowp kernels that scripts/bench.sh could not compile.
BenchmarkList makeGemvBenchmarks(int threads,
                                 std::vector<std::string> &notBuilt);

/// OpenBLAS sgemm on f32 weights and lowp's GEMM kernels, on five shapes
/// (M = 2, 4, 8, 64, 512), and a transformer block stand-in (OpenBLAS and
/// lowp), each on 1 and on `threads` threads; appends to `notBuilt` as
/// makeGemvBenchmarks.
BenchmarkList makeGemmBenchmarks(int threads,
                                 std::vector<std::string> &notBuilt);

/// lowp's conversion, quantization and dequantization kernels; appends to
/// `notBuilt` as makeGemvBenchmarks.
BenchmarkList makeConversionBenchmarks(int threads,
                                       std::vector<std::string> &notBuilt);

} // namespace lowp_bench

#endif // LOWP_BENCH_BENCHMARK_H
