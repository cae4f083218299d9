//===- MemoryProbes.cpp - The bandwidth yardsticks ------------------------===//

#include "Bandwidth.h"
#include "Benchmark.h"

namespace lowp_bench {

namespace {

// 1 GiB to read, 512 MiB to write and to copy: each is 16 or more times
// the 32 MiB L3, so what the previous call left in cache changes nothing.
constexpr size_t kReadBytes = size_t(1) << 30;
constexpr size_t kWriteBytes = size_t(512) << 20;
constexpr size_t kCopyBytes = size_t(512) << 20;

// The probes move random data, like the kernels: on this project's machine
// (an AMD EPYC VM) writing all-zero lines is ~2.5x faster than writing any
// other data, so a probe over zero-filled buffers would overstate what a
// kernel can write.
Buffer randomBuffer(size_t bytes) {
  Buffer buffer(bytes);
  Random(0xB0B).fillBytes(buffer.as<void>(), bytes);
  return buffer;
}

class ReadProbe : public Benchmark {
public:
  ReadProbe(std::shared_ptr<Buffer> buffer, int threads)
      : buffer_(std::move(buffer)), threads_(threads) {}

  std::string name() const override {
    return "read_" + std::to_string(threads_) + "t";
  }
  std::string description() const override {
    return "DRAM read: vector read-sum of 1 GiB";
  }
  Section section() const override { return Section::Memory; }
  int threads() const override { return threads_; }
  uint64_t bytesRead() const override { return kReadBytes; }
  uint64_t bytesWritten() const override { return 0; }
  void prepare() override {
    if (buffer_->size() == 0)
      *buffer_ = randomBuffer(kReadBytes);
  }
  double run(int64_t) override {
    uint64_t checksum;
    double seconds = timeReadSum(*buffer_, threads_, checksum);
    sink_ = checksum;
    return seconds;
  }

private:
  std::shared_ptr<Buffer> buffer_;
  int threads_;
  volatile uint64_t sink_ = 0;
};

/// "_1t", "_2t"...
std::string threadSuffix(int threads) {
  return "_" + std::to_string(threads) + "t";
}

class WriteProbe : public Benchmark {
public:
  WriteProbe(bool nonTemporal, int threads)
      : nonTemporal_(nonTemporal), threads_(threads) {}

  std::string name() const override {
    return (nonTemporal_ ? "write_nt" : "write") + threadSuffix(threads_);
  }
  std::string description() const override {
    return nonTemporal_ ? "DRAM write: fill 512 MiB, non-temporal stores"
                        : "DRAM write: fill 512 MiB, ordinary stores";
  }
  Section section() const override { return Section::Memory; }
  int threads() const override { return threads_; }
  uint64_t bytesRead() const override { return 0; }
  uint64_t bytesWritten() const override { return kWriteBytes; }
  void prepare() override { buffer_ = Buffer(kWriteBytes); }
  double run(int64_t) override {
    return timeFill(buffer_, nonTemporal_, threads_);
  }

private:
  bool nonTemporal_;
  int threads_;
  Buffer buffer_;
};

class CopyProbe : public Benchmark {
public:
  CopyProbe(bool nonTemporal, int threads)
      : nonTemporal_(nonTemporal), threads_(threads) {}

  std::string name() const override {
    return (nonTemporal_ ? "copy_nt" : "copy") + threadSuffix(threads_);
  }
  std::string description() const override {
    return nonTemporal_ ? "copy of 512 MiB, non-temporal stores"
                        : "copy of 512 MiB, ordinary stores";
  }
  Section section() const override { return Section::Memory; }
  int threads() const override { return threads_; }
  uint64_t bytesRead() const override { return kCopyBytes; }
  uint64_t bytesWritten() const override { return kCopyBytes; }
  void prepare() override {
    source_ = randomBuffer(kCopyBytes);
    destination_ = Buffer(kCopyBytes);
  }
  double run(int64_t) override {
    return timeCopy(source_, destination_, nonTemporal_, threads_);
  }

private:
  bool nonTemporal_;
  int threads_;
  Buffer source_, destination_;
};

} // namespace

/// The f32 FMA peak: its "bytes" are none; lowp-bench prints GFLOP/s.
class FmaProbe : public Benchmark {
public:
  explicit FmaProbe(int threads) : threads_(threads) {}

  std::string name() const override {
    return "fma_" + std::to_string(threads_) + "t";
  }
  std::string description() const override {
    return "f32 FMA peak: 512-bit FMAs in 12 chains";
  }
  Section section() const override { return Section::Compute; }
  int threads() const override { return threads_; }
  uint64_t bytesRead() const override { return 0; }
  uint64_t bytesWritten() const override { return 0; }
  double run(int64_t) override {
    float sink;
    double seconds = timeFmaPeak(threads_, kFmaPeakIterations, sink);
    sink_ = sink;
    return seconds;
  }

private:
  int threads_;
  volatile float sink_ = 0;
};

BenchmarkList makeMemoryProbes(int threads) {
  BenchmarkList probes;
  auto readBuffer = std::make_shared<Buffer>();
  probes.push_back(std::make_unique<ReadProbe>(readBuffer, 1));
  if (threads > 1)
    probes.push_back(std::make_unique<ReadProbe>(readBuffer, threads));
  // Writes and copies on 1 thread, and non-temporal ones on all threads:
  // the rooflines of the conversions on each count.
  probes.push_back(std::make_unique<WriteProbe>(false, 1));
  probes.push_back(std::make_unique<WriteProbe>(true, 1));
  probes.push_back(std::make_unique<CopyProbe>(false, 1));
  probes.push_back(std::make_unique<CopyProbe>(true, 1));
  if (threads > 1) {
    probes.push_back(std::make_unique<WriteProbe>(true, threads));
    probes.push_back(std::make_unique<CopyProbe>(true, threads));
  }
  probes.push_back(std::make_unique<FmaProbe>(1));
  if (threads > 1)
    probes.push_back(std::make_unique<FmaProbe>(threads));
  return probes;
}

} // namespace lowp_bench
