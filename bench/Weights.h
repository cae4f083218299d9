//===- Weights.h - Weight matrices in lowp-bench's storage formats --------===//
//
// The weights that the GEMV and GEMM benchmarks feed to OpenBLAS and to
// lowp's kernels: a storage format (element codes, block scales, zero
// points, a tensor scale), a K x N or N x K layout, random valid codes, and
// an exact decoder written from the format definitions (Formats.h), so
// that the checks do not share a bug with the compiler.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_BENCH_WEIGHTS_H
#define LOWP_BENCH_WEIGHTS_H

#include "Formats.h"
#include "Support.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lowp_bench {

/// How a weight matrix is stored: element codes (packed two per byte along
/// each row, low nibble first, when 4 bits wide), one scale per `block`
/// consecutive values along K, and optionally a ui4 zero point per block
/// and an f32 tensor scale. Its logical values are
/// (element - zero_point) * scale * tensor_scale. The layout (K x N or
/// N x K) is WeightMatrix's.
struct WeightFormat {
  const char *description;
  struct {
    int bits;        ///< 4, 8, or 32 for plain f32
    DecodeFn decode; ///< (4 and 8 bits)
    /// Fills `bytes` bytes with valid codes.
    void (*fill)(void *data, size_t bytes, Random &random);
  } element;
  struct {
    int block = 0; ///< values along K per scale; 0: no scales
    int bytes = 0;
    DecodeFn decode = nullptr;
    /// A random valid code, in a realistic range.
    uint32_t (*random)(Random &random) = nullptr;
  } scale;
  bool zeroPoints = false;
  float tensorScale = 0; ///< 0: none
  /// Per-group format choice: each block's element format is
  /// choices[selector], the selectors ceil(log2 count) bits each, packed
  /// along the rows of the scales, low bits first; count 0: none (the
  /// element decoder is then the only one).
  struct {
    int count = 0;
    int bits = 0;
    DecodeFn decode[4] = {};
  } choices;
};

/// f32, uniform in [-1, 1) (read as floats, not decoded).
extern const WeightFormat kF32;
/// MXFP4: E2M1, an E8M0 scale per 32 (2^-7 .. 2^0).
extern const WeightFormat kMxfp4;
/// NVFP4: E2M1, a positive E4M3 scale per 16 (0.5 .. 30), an f32 tensor
/// scale.
extern const WeightFormat kNvfp4;
/// int4-g128: ui4, an f16 scale (2^-10 .. 2^-3) and a ui4 zero point per
/// 128.
extern const WeightFormat kInt4G128;
/// MXFP8: E4M3 (no NaN), an E8M0 scale per 32.
extern const WeightFormat kMxfp8;
/// Plain E4M3 (no NaN, no block scales), an f32 tensor scale (the
/// per-tensor FP8 checkpoints' form, torch._scaled_mm's W8A8).
extern const WeightFormat kE4m3;
/// NF4: the codebook, an f32 absmax scale (0.01 .. 0.1) per 64.
extern const WeightFormat kNf4;
/// !lowp.float<e3m0, finite>, an E8M0 scale per 32 (2^-9 .. 2^-2).
extern const WeightFormat kE3M0;
/// Per-group format choice among E2M1, MX INT4 and E3M0, an E8M0 scale and
/// a 2-bit selector per 32.
extern const WeightFormat kChoice3;

/// How a weight matrix is stored, row-major. KxN: row k holds W[k][0 .. N),
/// scales and zero points are (K / B) x N, one row of them per B rows of
/// weights (block = [B, 1]). NxK (transpose_rhs): row n holds
/// W[n][0 .. K), scales and zero points are N x (K / B), one per B
/// consecutive values of a row (block = [1, B]). Packed 4-bit codes and
/// zero points run along the rows, low nibble first.
enum class Layout { KxN, NxK };

class WeightMatrix;
/// Writes copy `toCopy` of `to` (N x K) from copy `fromCopy` of `from`
/// (K x N) through a kernel's NAME_prepack.
using PrepackCall = void (*)(WeightMatrix &from, int fromCopy, WeightMatrix &to,
                             int toCopy);

/// Copies of one K x N weight matrix in one format and layout: enough of
/// them (by default) that consecutive calls stream weights that no cache
/// level holds, or as many as asked for.
class WeightMatrix {
public:
  /// `copies` 0: as many as copiesToDefeatCaches says. Matrices of one
  /// format, shape and layout hold the same random codes unless their
  /// `seed`s differ (the transformer block's seven weights).
  WeightMatrix(const WeightFormat &format, int64_t k, int64_t n,
               Layout layout = Layout::KxN, int copies = 0, uint64_t seed = 0)
      : format_(format), layout_(layout), k_(k), n_(n),
        requestedCopies_(copies), seed_(seed) {}

  const WeightFormat &format() const { return format_; }
  Layout layout() const { return layout_; }
  int64_t k() const { return k_; }
  int64_t n() const { return n_; }
  /// The stored matrix's row length: N (K x N) or K (N x K).
  int64_t columns() const { return layout_ == Layout::KxN ? n_ : k_; }
  size_t elementBytes() const { return k_ * n_ * format_.element.bits / 8; }
  size_t scaleBytes() const {
    return format_.scale.block
               ? k_ / format_.scale.block * n_ * format_.scale.bytes
               : 0;
  }
  size_t zeroPointBytes() const {
    return format_.zeroPoints ? k_ / format_.scale.block * n_ / 2 : 0;
  }
  size_t tensorScaleBytes() const {
    return format_.tensorScale != 0 ? sizeof(float) : 0;
  }
  size_t selectorBytes() const {
    return format_.choices.count
               ? k_ / format_.scale.block * n_ * format_.choices.bits / 8
               : 0;
  }
  uint64_t bytesPerCopy() const {
    return elementBytes() + scaleBytes() + zeroPointBytes() +
           tensorScaleBytes() + selectorBytes();
  }
  int copies() const { return static_cast<int>(copies_.size()); }

  /// Allocates and fills the copies; a no-op after the first call, since
  /// several benchmarks share one matrix.
  void prepare();

  /// Fills the copies with what `prepack` makes of `source`'s (the same
  /// weights, K x N): the N x K weights that lowp-assign-layouts'
  /// NAME_prepack returns. The one call it times is prepackSeconds().
  void prepareFrom(WeightMatrix &source, PrepackCall prepack);
  double prepackSeconds() const { return prepackSeconds_; }

  void *elements(int copy) { return copies_[copy].elements.as<void>(); }
  void *scales(int copy) { return copies_[copy].scales.as<void>(); }
  void *zeroPoints(int copy) { return copies_[copy].zeroPoints.as<void>(); }
  void *tensorScale(int copy) { return copies_[copy].tensorScale.as<void>(); }
  void *selectors(int copy) { return copies_[copy].selectors.as<void>(); }

  /// The exact logical values of stored row r (columns() values: row k of
  /// K x N weights, row n of N x K ones), as the format and the layout
  /// define them, computed here independently of lowp.
  void decodeRow(int64_t r, double *row) const;

private:
  struct Copy {
    Buffer elements, scales, zeroPoints, tensorScale, selectors;
  };

  int copiesWanted() const {
    return requestedCopies_ > 0 ? requestedCopies_
                                : copiesToDefeatCaches(bytesPerCopy());
  }
  /// Copies 1 .. copies() - 1 of copy 0.
  void duplicateFirst();

  const WeightFormat &format_;
  Layout layout_;
  int64_t k_, n_;
  int requestedCopies_;
  uint64_t seed_;
  std::vector<Copy> copies_;
  double prepackSeconds_ = 0;
};

} // namespace lowp_bench

#endif // LOWP_BENCH_WEIGHTS_H
