//===- LowpKernels.h - The kernels lowp compiled for lowp-bench -----------===//
//
// scripts/bench.sh compiles every bench/kernels/*.mlir with lowp-translate
// on its own; those that compile are translated together into one object
// (kernels.o) and one C header (kernels.h, the generated declarations of
// their _mlir_ciface_ functions and memref descriptor types). It also
// writes kernels-built.h, which defines LOWP_BENCH_HAVE_<kernel> to 1 or 0
// for every file in bench/kernels, so that a kernel lowp cannot compile
// today is reported as not built instead of breaking the benchmark.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_BENCH_LOWPKERNELS_H
#define LOWP_BENCH_LOWPKERNELS_H

#include "kernels-built.h"
#include "kernels.h"

#include <cstddef>
#include <cstdint>

namespace lowp_bench {

/// A descriptor of the generated header's type `Descriptor` (MLIR's C
/// interface: allocated and aligned pointers, offset, sizes, strides) for
/// `data` as a dense row-major array of shape `sizes`. Packed 4-bit
/// tensors are passed with their sizes in bytes (two codes per byte along
/// the last dimension), as the header's comments say. MLIR's C interface
/// has no const pointers; kernels do not write their inputs.
template <class Descriptor, size_t Rank>
Descriptor describe(const void *data, const int64_t (&sizes)[Rank]) {
  Descriptor descriptor{};
  descriptor.allocated = descriptor.aligned =
      static_cast<decltype(descriptor.aligned)>(const_cast<void *>(data));
  descriptor.offset = 0;
  int64_t stride = 1;
  for (size_t i = Rank; i-- > 0;) {
    descriptor.sizes[i] = sizes[i];
    descriptor.strides[i] = stride;
    stride *= sizes[i];
  }
  return descriptor;
}

/// A descriptor of a 0-d memref (a scalar in memory, as NVFP4's tensor
/// scale).
template <class Descriptor> Descriptor describeScalar(void *data) {
  Descriptor descriptor{};
  descriptor.allocated = descriptor.aligned =
      static_cast<decltype(descriptor.aligned)>(data);
  descriptor.offset = 0;
  return descriptor;
}

} // namespace lowp_bench

#endif // LOWP_BENCH_LOWPKERNELS_H
