//===- VectorTarget.h - The vector instructions kernels may use -*- C++ -*-===//
//
// One answer, shared by the passes that emit lowp's kernels and the passes
// that lower them, to "which vector instructions may this code use".
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_CONVERSION_VECTORTARGET_H
#define LOWP_CONVERSION_VECTORTARGET_H

#include "llvm/ADT/StringRef.h"

#include <optional>

namespace lowp {

struct VectorTarget {
  /// AVX-512F: 16-entry tables in one register (vpermps, vpermd).
  bool avx512 = false;
  /// AVX512_BF16: vdpbf16ps, pairs of bf16 products summed into f32 lanes at
  /// twice the rate of f32 FMAs.
  bool avx512bf16 = false;
  /// AVX512_VNNI: vpdpbusd, four products of unsigned and signed bytes
  /// summed into i32 lanes, at twice the rate of vdpbf16ps.
  bool avx512vnni = false;

  /// The CPU this runs on, from its features.
  static VectorTarget host();
  /// By name: "host", "avx512-bf16" (AVX-512 with AVX512_BF16 and
  /// AVX512_VNNI, which every CPU with AVX512_BF16 has), "avx512-vnni"
  /// (AVX-512 with AVX512_VNNI), "avx512", "avx2" or "generic" (the last two
  /// use no x86 intrinsics); nullopt for any other name.
  static std::optional<VectorTarget> byName(llvm::StringRef name);
};

} // namespace lowp

#endif // LOWP_CONVERSION_VECTORTARGET_H
