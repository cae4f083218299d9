//===- Bandwidth.h - What the memory system delivers ----------------------===//
//
// The probes that every figure in lowp-bench's tables is compared with:
// how fast this machine reads, writes and copies DRAM. They are measured in the
// same run, interleaved with the kernels, because on a shared machine
// yesterday's figure is no baseline.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_BENCH_BANDWIDTH_H
#define LOWP_BENCH_BANDWIDTH_H

#include "Support.h"

#include <cstdint>

namespace lowp_bench {

/// Sums `buffer` as 32-bit integers with `threads` threads, each over its
/// own contiguous slice, with vector loads and 8 independent accumulators
/// (enough to keep the loads, not the adds, the limit). Returns the
/// seconds from the first thread's start to the last one's end, so thread
/// start-up is not counted but any imbalance is. `checksum` receives the
/// sum, which keeps the compiler from dropping the loads.
double timeReadSum(const Buffer &buffer, int threads, uint64_t &checksum);

/// Fills `buffer` on `threads` threads with vector stores, ordinary (each
/// line is read before it is written) or non-temporal (straight to DRAM).
/// Returns seconds, as timeReadSum.
double timeFill(Buffer &buffer, bool nonTemporal, int threads);

/// Multiply-adds of 16 f32 lanes (one 512-bit FMA each, -march=native) in
/// 12 independent chains, `iterations` rounds of them on each of `threads`
/// threads: the most f32 multiply-adds one core retires, which bounds every
/// kernel whose products are f32 FMAs. Returns seconds, as timeReadSum;
/// `sink` receives a sum of the chains.
double timeFmaPeak(int threads, uint64_t iterations, float &sink);

/// The f32 multiply-adds timeFmaPeak does per thread and round, and the
/// rounds of one probe call (some 15 ms of FMAs on one core).
constexpr uint64_t kFmaPeakLanes = 12 * 16;
constexpr uint64_t kFmaPeakIterations = uint64_t(1) << 22;

/// Copies `source` into `destination` (at least as large) on `threads`
/// threads with vector loads and either ordinary stores, which read each
/// destination line before writing it (what compiled loops do), or
/// non-temporal stores, which do not. Returns seconds, as timeReadSum.
double timeCopy(const Buffer &source, Buffer &destination, bool nonTemporal,
                int threads);

} // namespace lowp_bench

#endif // LOWP_BENCH_BANDWIDTH_H
