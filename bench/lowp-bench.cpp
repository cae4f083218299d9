//===- lowp-bench.cpp - lowp's speed against same-run baselines -----------===//
//
// Times lowp's ahead-of-time compiled kernels (GEMV at batch 1 in several
// weight formats; GEMM at batch 2 to 512 and a transformer block stand-in;
// conversions and MXFP4 quantization) next to what bounds or rivals them,
// measured in the same process: DRAM read, write and copy bandwidth, the f32
// FMA peak, and OpenBLAS's sgemv and sgemm. All of them run in interleaved
// rounds, so that a change in the machine's load during the run (it is shared)
// shifts the baselines and the kernels alike; every figure is a median.
// Each kernel's first result is checked against an f64 reference computed
// from the format definitions, so a fast but wrong kernel shows as WRONG.
//
// See docs/Benchmarks.md for how to read the output.
//
//===----------------------------------------------------------------------===//

#include "Bandwidth.h"
#include "Benchmark.h"
#include "Support.h"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace lowp_bench;

namespace {

struct Options {
  int rounds = 5;
  int threads = std::max(1u, std::thread::hardware_concurrency());
  bool quick = false;
  bool list = false;
  std::vector<std::string> filters; // empty: everything
};

const char *const kHelp = R"(usage: lowp-bench [OPTIONS]

Times lowp's compiled kernels against baselines measured in the same run:
DRAM read bandwidth (a vector read-sum of 1 GiB), write and copy
bandwidth, the f32 FMA peak, OpenBLAS cblas_sgemv on the same GEMV shape
(K = 4096, N = 14336, batch 1) and OpenBLAS cblas_sgemm on the same GEMM
shapes (M x K x N = 2, 4 and 8 x 4096 x 14336 with cold weights,
64 x 4096 x 4096 and 512 x 4096 x 14336), and a transformer block
stand-in (block_mxfp4_512: one Llama-3-8B layer's seven MXFP4
projections and silu(gate) * up at M = 512) against the same seven
sgemm calls and silu in C++ (openblas_block_512).
Prints medians, bytes moved per call, GB/s, the share of the measured
bandwidth, and speed-ups over OpenBLAS sgemv on 1 thread; for the GEMMs
GFLOP/s (2 M N K / time; the block's counts its seven matmuls), the
share of the FMA peak on as many threads, speed-ups over OpenBLAS on the
same shape and thread count, for M = 2, 4, 8 the time per row over
gemv_mxfp4's (M = 1), and the block kernel's compile time.
Every kernel's first result is checked against an f64 reference (a
GEMM's on up to 8 rows of its result, the block's on 4 rows of o, k, v
and d); a wrong one is marked WRONG and makes the exit status 1. See
docs/Benchmarks.md.

Options:
  --rounds=N     interleaved rounds (default 5): each round runs every
                 benchmark in turn; a benchmark runs 1 to 10 times per
                 round, once if a call takes more than 0.5 s
  --quick        one round, and kernels slower than 0.5 s a call are
                 timed by their first call alone (a first look, noisy)
  --filter=A,B   run only the benchmarks whose names contain A or B (the
                 yardsticks, the memory probes and openblas_sgemv_1t,
                 always run, and so do the OpenBLAS rows that a
                 selected GEMM or block is compared with, and the
                 gemv_mxfp4 rows that the M = 2, 4, 8 GEMMs are); e.g.
                 --filter=mxfp4, --filter=gemv_,convert, --filter=gemm
                 (the GEMMs, and the GEMV table's sgemm with M = 1),
                 --filter=block (the transformer block)
  --threads=N    the thread count for the multi-threaded probes, the
                 OpenBLAS rows and the second row of each lowp GEMV and
                 GEMM (default: the hardware's, here %d); lowp's GEMVs
                 and GEMMs and OpenBLAS's sgemv and sgemm also run on 1
                 thread
  --list         list the benchmarks and exit
  --help         this text

Progress goes to stderr, the tables to stdout.
)";

bool parseInt(const std::string &text, int &value) {
  char *end = nullptr;
  long parsed = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || parsed < 1 || parsed > 1000)
    return false;
  value = static_cast<int>(parsed);
  return true;
}

/// Parses argv into `options`; returns false (after printing why) on
/// anything it does not understand.
bool parseOptions(int argc, char **argv, Options &options, bool &help) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    size_t equals = arg.find('=');
    if (arg.rfind("--", 0) == 0 && equals != std::string::npos) {
      value = arg.substr(equals + 1);
      arg = arg.substr(0, equals);
    } else if ((arg == "--rounds" || arg == "--filter" || arg == "--threads") &&
               i + 1 < argc) {
      value = argv[++i];
    }
    if (arg == "--help" || arg == "-h") {
      help = true;
    } else if (arg == "--quick") {
      options.quick = true;
    } else if (arg == "--list") {
      options.list = true;
    } else if (arg == "--rounds") {
      if (!parseInt(value, options.rounds)) {
        std::fprintf(stderr, "lowp-bench: --rounds wants a count 1..1000\n");
        return false;
      }
    } else if (arg == "--threads") {
      if (!parseInt(value, options.threads)) {
        std::fprintf(stderr, "lowp-bench: --threads wants a count 1..1000\n");
        return false;
      }
    } else if (arg == "--filter") {
      size_t start = 0;
      while (start <= value.size()) {
        size_t comma = value.find(',', start);
        if (comma == std::string::npos)
          comma = value.size();
        if (comma > start)
          options.filters.push_back(value.substr(start, comma - start));
        start = comma + 1;
      }
    } else {
      std::fprintf(stderr, "lowp-bench: unknown option '%s' (see --help)\n",
                   argv[i]);
      return false;
    }
  }
  return true;
}

/// The yardsticks that the ratios in the tables need (a few seconds).
bool isYardstick(const Benchmark &benchmark) {
  return benchmark.section() == Section::Memory ||
         benchmark.section() == Section::Compute ||
         benchmark.name() == "openblas_sgemv_1t";
}

bool selected(const Benchmark &benchmark, const Options &options) {
  if (options.filters.empty() || isYardstick(benchmark))
    return true;
  for (const std::string &filter : options.filters)
    if (benchmark.name().find(filter) != std::string::npos)
      return true;
  return false;
}

std::string cpuName() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("model name", 0) == 0)
      return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

/// What the driver learns about one benchmark.
struct Measurement {
  explicit Measurement(Benchmark *benchmark) : benchmark(benchmark) {}

  Benchmark *benchmark;
  double firstCall = 0; ///< seconds; untimed warm-up, checked
  int runsPerRound = 1;
  int64_t nextCall = 1; ///< call 0 is the warm-up
  CheckResult check;
  std::vector<double> samples; ///< seconds per call

  double seconds() const { return median(samples); }
  double gigabytesPerSecond() const {
    return (benchmark->bytesRead() + benchmark->bytesWritten()) / seconds() /
           1e9;
  }
};

/// Columns of text, each padded to its widest cell: left-aligned for the
/// first `textColumns`, right-aligned (numbers) for the rest.
class Table {
public:
  Table(std::vector<std::string> header, size_t textColumns)
      : textColumns_(textColumns) {
    rows_.push_back(std::move(header));
  }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print() const {
    std::vector<size_t> width(rows_[0].size());
    for (const auto &row : rows_)
      for (size_t c = 0; c < row.size(); ++c)
        width[c] = std::max(width[c], row[c].size());
    for (const auto &row : rows_) {
      std::string line = " ";
      for (size_t c = 0; c < row.size(); ++c) {
        std::string pad(width[c] - row[c].size(), ' ');
        line += ' ';
        line += c < textColumns_ ? row[c] + pad : pad + row[c];
      }
      while (!line.empty() && line.back() == ' ')
        line.pop_back();
      std::printf("%s\n", line.c_str());
    }
  }

private:
  size_t textColumns_;
  std::vector<std::vector<std::string>> rows_;
};

std::string format(const char *spec, double value) {
  char text[64];
  std::snprintf(text, sizeof text, spec, value);
  return text;
}

std::string milliseconds(double seconds) {
  double ms = seconds * 1e3;
  return format(ms < 10 ? "%.3f" : ms < 100 ? "%.2f" : "%.1f", ms);
}

std::string megabytes(uint64_t bytes) { return format("%.1f", bytes / 1e6); }

const char *statusWord(const CheckResult &check) {
  switch (check.status) {
  case CheckResult::Status::Ok:
    return "ok";
  case CheckResult::Status::Wrong:
    return "WRONG";
  case CheckResult::Status::NotChecked:
    break;
  }
  return "-";
}

/// Prepares, warms up and checks `m`, and decides its runs per round.
void calibrate(Measurement &m, const Options &options) {
  Benchmark &b = *m.benchmark;
  std::fprintf(stderr, "lowp-bench: preparing %s\n", b.name().c_str());
  b.prepare();
  m.firstCall = b.run(0);
  m.check = b.check();
  // Slow kernels (lowp's matmul is naive today) run once a round, so that
  // the whole benchmark stays within minutes; fast ones fill ~0.2 s. Under
  // --quick a slow kernel's first call is its only sample: its inputs were
  // evicted from cache by the copies prepared after them, so it is as fair
  // a sample as any.
  if (m.firstCall > 0.5) {
    m.runsPerRound = options.quick ? 0 : 1;
    if (options.quick)
      m.samples.push_back(m.firstCall);
  } else {
    m.runsPerRound =
        std::clamp(static_cast<int>(0.2 / std::max(m.firstCall, 1e-6)), 1, 10);
  }
  std::string plan =
      m.runsPerRound == 0
          ? "the only sample"
          : std::to_string(m.runsPerRound) +
                (m.runsPerRound == 1 ? " run a round" : " runs a round");
  std::fprintf(stderr, "lowp-bench:   first call %s ms, check %s; %s\n",
               milliseconds(m.firstCall).c_str(), statusWord(m.check),
               plan.c_str());
}

void runRounds(std::vector<Measurement> &measurements, const Options &options) {
  int rounds = options.quick ? 1 : options.rounds;
  for (int round = 1; round <= rounds; ++round) {
    std::fprintf(stderr, "lowp-bench: round %d of %d\n", round, rounds);
    for (Measurement &m : measurements) {
      double started = now();
      for (int r = 0; r < m.runsPerRound; ++r)
        m.samples.push_back(m.benchmark->run(m.nextCall++));
      if (now() - started > 1.0)
        std::fprintf(stderr, "lowp-bench:   %s: %s ms\n",
                     m.benchmark->name().c_str(),
                     milliseconds(m.samples.back()).c_str());
      // OpenBLAS's idle workers spin for a while after a call: let them
      // stop before a 1-thread benchmark shares the cores with them.
      if (m.benchmark->threads() > 1)
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

const Measurement *find(const std::vector<Measurement> &measurements,
                        const std::string &name) {
  for (const Measurement &m : measurements)
    if (m.benchmark->name() == name)
      return &m;
  return nullptr;
}

/// DRAM read bandwidth in bytes per second on `threads` threads (1
/// thread's if that count was not measured).
double readBandwidth(const std::vector<Measurement> &measurements,
                     int threads) {
  const Measurement *probe =
      find(measurements, "read_" + std::to_string(threads) + "t");
  if (!probe)
    probe = find(measurements, "read_1t");
  return probe->gigabytesPerSecond() * 1e9;
}

/// How long scripts/bench.sh took to compile bench/kernels/NAME.mlir
/// (lowp-translate --emit=obj, wall clock), from the compile-seconds.txt it
/// writes next to the kernels ("NAME SECONDS" lines), as a line of text.
std::string compileTime(const std::string &kernel) {
  std::ifstream times(std::string(LOWP_BENCH_KERNEL_DIR) +
                      "/compile-seconds.txt");
  std::string name;
  double seconds = 0;
  while (times >> name >> seconds)
    if (name == kernel)
      return kernel + " compiled in " + format("%.2f", seconds) +
             " s (bench/kernels/" + kernel +
             ".mlir, lowp-translate --emit=obj, wall clock, timed by "
             "scripts/bench.sh)";
  return kernel + ": compile time unknown (scripts/bench.sh times it)";
}

void report(const std::vector<Measurement> &measurements,
            const std::vector<std::string> &notBuilt, const Options &options) {
  std::printf("\nlowp-bench: %s; medians of %d round%s; GB = 1e9 bytes, MB "
              "= 1e6 bytes\n",
              cpuName().c_str(), options.quick ? 1 : options.rounds,
              options.quick || options.rounds == 1 ? "" : "s");
  std::printf("OpenBLAS: core %s, %s\n", openblas_get_corename(),
              openblas_get_config());
  for (const char *variable : {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                               "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"})
    if (const char *value = std::getenv(variable))
      std::printf("note: %s=%s is set\n", variable, value);

  // Memory: the yardsticks. A conversion's roofline is the longest of the
  // times that the probes' rates allow for its bytes: reading them at the
  // read-sum's rate, writing them at the faster fill's, moving both at the
  // faster copy's. Each probe meets its own roofline exactly; on one core
  // reads and non-temporal writes overlap, so a copy beats the sum of its
  // read and write times, and the roofline does not assume they add up.
  auto rate = [&](const std::string &name) {
    const Measurement *m = find(measurements, name);
    return m ? m->gigabytesPerSecond() * 1e9 : 0.0;
  };
  struct Rates {
    double read, write, copy;
  };
  // On 1 thread the faster of ordinary and non-temporal stores; on more,
  // the non-temporal probes (the only ones run there).
  auto ratesOn = [&](int threads) {
    std::string suffix = "_" + std::to_string(threads) + "t";
    Rates rates{readBandwidth(measurements, threads),
                std::max(rate("write" + suffix), rate("write_nt" + suffix)),
                std::max(rate("copy" + suffix), rate("copy_nt" + suffix))};
    if (rates.write == 0 || rates.copy == 0)
      rates = {readBandwidth(measurements, 1),
               std::max(rate("write_1t"), rate("write_nt_1t")),
               std::max(rate("copy_1t"), rate("copy_nt_1t"))};
    return rates;
  };
  auto roofline = [&](const Benchmark &b) {
    Rates rates = ratesOn(b.threads());
    double read = b.bytesRead(), written = b.bytesWritten();
    return std::max({read / rates.read, written / rates.write,
                     (read + written) / rates.copy});
  };

  std::printf("\nMemory bandwidth (GB/s counts bytes read + written)\n");
  Table memory({"probe", "what", "threads", "median ms", "GB/s", "runs"}, 2);
  for (const Measurement &m : measurements) {
    const Benchmark &b = *m.benchmark;
    if (b.section() != Section::Memory)
      continue;
    memory.add({b.name(), b.description(), std::to_string(b.threads()),
                milliseconds(m.seconds()),
                format("%.1f", m.gigabytesPerSecond()),
                std::to_string(m.samples.size())});
  }
  memory.print();

  // The FMA peak, and what it leaves of a GEMV's DRAM share: its K x N
  // multiply-adds at the peak against reading a 4-bit weight (MXFP4, 4.25
  // bits an element with its scales) at DRAM speed.
  std::printf("\nCompute peak\n");
  Table compute({"probe", "what", "threads", "median ms", "GFLOP/s", "runs"},
                2);
  auto fmaRate = [&](int threads) {
    const Measurement *fma =
        find(measurements, "fma_" + std::to_string(threads) + "t");
    return fma ? 2.0 * kFmaPeakLanes * kFmaPeakIterations * threads /
                     fma->seconds()
               : 0;
  };
  for (const Measurement &m : measurements) {
    const Benchmark &b = *m.benchmark;
    if (b.section() != Section::Compute)
      continue;
    compute.add({b.name(), b.description(), std::to_string(b.threads()),
                 milliseconds(m.seconds()),
                 format("%.1f", fmaRate(b.threads()) / 1e9),
                 std::to_string(m.samples.size())});
  }
  compute.print();
  for (int threads : {1, options.threads}) {
    double flops = fmaRate(threads);
    if (flops == 0)
      continue;
    double fmaSeconds = 2.0 * 4096 * 14336 / flops;
    double readSeconds =
        4096.0 * 14336 * 4.25 / 8 / readBandwidth(measurements, threads);
    std::printf("  GEMV 4096 x 14336 on %d thread%s: its f32 multiply-adds "
                "alone take %.2f ms at this peak, a 4-bit weight's read "
                "%.2f ms: %%DRAM <= %.0f\n",
                threads, threads == 1 ? "" : "s", fmaSeconds * 1e3,
                readSeconds * 1e3,
                std::min(100.0, readSeconds / fmaSeconds * 100));
    if (options.threads == 1)
      break;
  }

  // GEMV.
  const Measurement *sgemv = find(measurements, "openblas_sgemv_1t");
  std::printf("\nGEMV y = x W at batch 1: x 1x4096 f32, W 4096x14336 "
              "(_nk: stored N x K, 14336x4096), y 1x14336 f32\n"
              "  %%DRAM: GB/s as a share of DRAM read bandwidth on as many "
              "threads; vs sgemv: OpenBLAS sgemv (1 thread) time / this "
              "time\n");
  Table gemv({"kernel", "weights", "threads", "MB/call", "median ms", "GB/s",
              "%DRAM", "vs sgemv", "check", "runs"},
             2);
  for (const Measurement &m : measurements) {
    const Benchmark &b = *m.benchmark;
    if (b.section() != Section::Gemv)
      continue;
    bool wrong = m.check.status == CheckResult::Status::Wrong;
    double share = m.gigabytesPerSecond() * 1e9 /
                   readBandwidth(measurements, b.threads()) * 100;
    gemv.add({b.name(), b.description(), std::to_string(b.threads()),
              megabytes(b.bytesRead() + b.bytesWritten()),
              milliseconds(m.seconds()), format("%.1f", m.gigabytesPerSecond()),
              format("%.1f", share),
              wrong ? "WRONG" : format("%.2fx", sgemv->seconds() / m.seconds()),
              statusWord(m.check), std::to_string(m.samples.size())});
  }
  gemv.print();

  // GEMM: compute bound, so compared with the FMA peak and with OpenBLAS
  // sgemm on the same shape and thread count (each GEMM's baseline()); the
  // small batches also with M calls of the GEMV (gemvPerRow()).
  bool anyGemm = false, anySmall = false, anyBlock = false;
  for (const Measurement &m : measurements) {
    const Benchmark &b = *m.benchmark;
    if (b.section() != Section::Gemm)
      continue;
    anyGemm = true;
    anySmall |= !b.gemvPerRow().empty();
    anyBlock |= b.gemmShape().label != nullptr;
  }
  if (anyGemm) {
    std::string peaks = "fma_1t";
    if (options.threads > 1)
      peaks += ", fma_" + std::to_string(options.threads) + "t";
    std::printf("\nGEMM y = x W: x MxK (f32 unless named), W KxN (stored K x "
                "N), y MxN f32; shape M x K x N\n"
                "  GFLOP/s: 2 M N K / time; %%FMA: GFLOP/s as a share of the "
                "f32 FMA peak (%s) on as many threads;\n"
                "  vs sgemm: OpenBLAS sgemm time on the same shape and thread "
                "count / this time (on f32 x and W);\n"
                "  target: the speed-up the project asks for (docs/"
                "Benchmarks.md), met or short\n",
                peaks.c_str());
    if (anySmall)
      std::printf("  M = 2, 4, 8 (_m2, _m4, _m8): cold weights, as the "
                  "GEMVs'; row/gemv: (this time / M) / gemv_mxfp4's time "
                  "(M = 1) on as many threads,\n"
                  "  below 1.00 a batch of M rows costs less than M GEMV "
                  "calls\n");
    if (anyBlock)
      std::printf("  block: one Llama-3-8B layer at M = 512, x (512x4096) "
                  "through Wq, Wk, Wv, Wo (o = q Wo), Wgate, Wup, Wdown "
                  "(d = (silu(x Wgate) * x Wup) Wdown);\n"
                  "  GFLOP/s counts the seven matmuls' 2 M N K (%.1f "
                  "GFLOP); vs sgemm: OpenBLAS's block (openblas_block_512, "
                  "7 sgemm + C++ silu) time / this time\n",
                  [&] {
                    for (const Measurement &m : measurements)
                      if (m.benchmark->gemmShape().label)
                        return m.benchmark->gemmShape().flops() / 1e9;
                    return 0.0;
                  }());
    Table gemm({"kernel", "weights", "shape", "threads", "median ms", "GFLOP/s",
                "%FMA", "vs sgemm", "target", "row/gemv", "check", "runs"},
               3);
    for (const Measurement &m : measurements) {
      const Benchmark &b = *m.benchmark;
      if (b.section() != Section::Gemm)
        continue;
      GemmShape shape = b.gemmShape();
      double flops = shape.flops() / m.seconds();
      double peak = fmaRate(b.threads());
      const Measurement *sgemm = find(measurements, b.baseline());
      const Measurement *gemv =
          b.gemvPerRow().empty() ? nullptr : find(measurements, b.gemvPerRow());
      bool wrong = m.check.status == CheckResult::Status::Wrong;
      gemm.add(
          {b.name(), b.description(),
           shape.label
               ? shape.label
               : std::to_string(shape.m) + "x" + std::to_string(shape.k) + "x" +
                     std::to_string(shape.n),
           std::to_string(b.threads()), milliseconds(m.seconds()),
           format("%.1f", flops / 1e9),
           peak > 0 ? format("%.1f", flops / peak * 100) : "-",
           wrong   ? "WRONG"
           : sgemm ? format("%.2fx", sgemm->seconds() / m.seconds())
                   : "-",
           b.target() <= 0 || !sgemm
               ? "-"
               : ">= " + format("%.1fx", b.target()) +
                     (!wrong && sgemm->seconds() / m.seconds() >= b.target()
                          ? " met"
                          : " short"),
           wrong  ? "WRONG"
           : gemv ? format("%.2f", m.seconds() / shape.m / gemv->seconds())
                  : "-",
           statusWord(m.check), std::to_string(m.samples.size())});
    }
    gemm.print();
    if (anyBlock)
      std::printf("  %s\n", compileTime("block_mxfp4_512").c_str());
  }

  // Conversions.
  bool anyConversion = false;
  for (const Measurement &m : measurements)
    anyConversion |= m.benchmark->section() == Section::Conversion;
  if (anyConversion) {
    Rates one = ratesOn(1), all = ratesOn(options.threads);
    std::printf("\nConversions on 64Mi elements\n"
                "  %%roofline: the least time the memory probes allow, the "
                "longest of\n"
                "  read / %.1f GB/s, written / %.1f GB/s and (read + written) "
                "/ %.1f GB/s on 1 thread\n"
                "  (%.1f, %.1f and %.1f GB/s on %d), / this time\n",
                one.read / 1e9, one.write / 1e9, one.copy / 1e9, all.read / 1e9,
                all.write / 1e9, all.copy / 1e9, options.threads);
    Table conversions({"kernel", "what", "threads", "MB read", "MB written",
                       "median ms", "GB/s", "%roofline", "check", "runs"},
                      2);
    for (const Measurement &m : measurements) {
      const Benchmark &b = *m.benchmark;
      if (b.section() != Section::Conversion)
        continue;
      bool wrong = m.check.status == CheckResult::Status::Wrong;
      conversions.add(
          {b.name(), b.description(), std::to_string(b.threads()),
           megabytes(b.bytesRead()), megabytes(b.bytesWritten()),
           milliseconds(m.seconds()), format("%.1f", m.gigabytesPerSecond()),
           wrong ? "WRONG" : format("%.1f", roofline(b) / m.seconds() * 100),
           statusWord(m.check), std::to_string(m.samples.size())});
    }
    conversions.print();
  }

  std::printf("\nChecks (first call of each kernel)\n");
  for (const Measurement &m : measurements)
    if (m.check.status != CheckResult::Status::NotChecked)
      std::printf("  %-20s %-5s %s\n", m.benchmark->name().c_str(),
                  statusWord(m.check), m.check.detail.c_str());
  for (const std::string &name : notBuilt)
    std::printf("  %-20s not built: lowp-translate could not compile "
                "bench/kernels/%s.mlir (scripts/bench.sh printed why)\n",
                name.c_str(), name.c_str());
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  bool help = false;
  if (!parseOptions(argc, argv, options, help))
    return 2;
  if (help) {
    std::printf(kHelp, options.threads);
    return 0;
  }

  std::vector<std::string> notBuilt;
  BenchmarkList all = makeMemoryProbes(options.threads);
  for (auto &benchmark : makeGemvBenchmarks(options.threads, notBuilt))
    all.push_back(std::move(benchmark));
  for (auto &benchmark : makeGemmBenchmarks(options.threads, notBuilt))
    all.push_back(std::move(benchmark));
  for (auto &benchmark : makeConversionBenchmarks(options.threads, notBuilt))
    all.push_back(std::move(benchmark));

  if (options.list) {
    for (const auto &benchmark : all)
      std::printf("%-20s %s\n", benchmark->name().c_str(),
                  benchmark->description().c_str());
    for (const std::string &name : notBuilt)
      std::printf("%-20s (not built)\n", name.c_str());
    return 0;
  }

  // What --filter selects, and the baselines that their speed-up columns
  // divide by (a GEMM's OpenBLAS sgemm on the same shape and threads, and
  // a small-M GEMM's GEMV at M = 1).
  std::set<std::string> wanted;
  for (const auto &benchmark : all)
    if (selected(*benchmark, options)) {
      wanted.insert(benchmark->name());
      if (!benchmark->baseline().empty())
        wanted.insert(benchmark->baseline());
      if (!benchmark->gemvPerRow().empty())
        wanted.insert(benchmark->gemvPerRow());
    }
  std::vector<Measurement> measurements;
  for (const auto &benchmark : all)
    if (wanted.count(benchmark->name()))
      measurements.emplace_back(benchmark.get());

  for (Measurement &m : measurements)
    calibrate(m, options);
  runRounds(measurements, options);
  report(measurements, notBuilt, options);

  for (const Measurement &m : measurements)
    if (m.check.status == CheckResult::Status::Wrong)
      return 1;
  return 0;
}
