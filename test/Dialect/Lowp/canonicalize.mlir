// RUN: lowp-opt %s --canonicalize --split-input-file | FileCheck %s

// Tests that convert folds constants through the numerics core: the top of
// E4M3FN (464 -> 448, 465 -> NaN), -0, and NaN.
// CHECK-LABEL: func.func @convert_constants
// CHECK: %[[C:.+]] = arith.constant dense<[4.480000e+02, 0x7F, -0.000000e+00, 0x7F]> : tensor<4xf8E4M3FN>
// CHECK-NOT: lowp.convert
// CHECK: return %[[C]]
func.func @convert_constants() -> tensor<4xf8E4M3FN> {
  %c = arith.constant dense<[464.0, 465.0, -0.0, 0x7FC00000]> : tensor<4xf32>
  %0 = lowp.convert %c : tensor<4xf32> to tensor<4xf8E4M3FN>
  return %0 : tensor<4xf8E4M3FN>
}

// -----

// Tests a scalar: -0.3 into E2M1 is -0.5 (not +0.5, the arith-expand bug).
// CHECK-LABEL: func.func @convert_scalar
// CHECK: arith.constant -5.000000e-01 : f4E2M1FN
func.func @convert_scalar() -> f4E2M1FN {
  %c = arith.constant -0.3 : f32
  %0 = lowp.convert %c : f32 to f4E2M1FN
  return %0 : f4E2M1FN
}

// -----

// Tests stochastic rounding with constant random bits: 0.75 lies halfway
// between 0.5 and 1, so with 2 random bits it rounds up iff r >= 2.
// CHECK-LABEL: func.func @convert_stochastic
// CHECK: arith.constant dense<[5.000000e-01, 1.000000e+00]> : tensor<2xf4E2M1FN>
func.func @convert_stochastic() -> tensor<2xf4E2M1FN> {
  %c = arith.constant dense<0.75> : tensor<2xf32>
  %r = arith.constant dense<[1, 2]> : tensor<2xi2>
  %0 = lowp.convert %c random(%r : tensor<2xi2>) stochastic : tensor<2xf32> to tensor<2xf4E2M1FN>
  return %0 : tensor<2xf4E2M1FN>
}

// -----

// Tests that a convert into a lowp type, which no constant can hold, stays.
// CHECK-LABEL: func.func @convert_to_lowp_type
// CHECK: lowp.convert
func.func @convert_to_lowp_type() -> tensor<2x!lowp.float<e3m3>> {
  %c = arith.constant dense<1.0> : tensor<2xf32>
  %0 = lowp.convert %c : tensor<2xf32> to tensor<2x!lowp.float<e3m3>>
  return %0 : tensor<2x!lowp.float<e3m3>>
}

// -----

// Tests that quantize of a constant becomes constant parts (E4M3 with the
// floor rule clips 957 to 896 = 448 * 2^1) and that dequantize of those
// folds to the logical values.
// CHECK-LABEL: func.func @quantize_constant
// CHECK-DAG: %[[E:.+]] = arith.constant dense<[4.480000e+02, 5.000000e-01, -1.500000e+00, 0.000000e+00]> : tensor<4xf8E4M3FN>
// CHECK-DAG: %[[S:.+]] = arith.constant dense<2.000000e+00> : tensor<1xf8E8M0FNU>
// CHECK: %[[Q:.+]] = lowp.assemble %[[E]], %[[S]]
// CHECK: return %[[Q]]
func.func @quantize_constant() -> tensor<4xf8E4M3FN, #lowp.block_scaled<block = [4], scale = f8E8M0FNU, rule = floor>> {
  %c = arith.constant dense<[957.0, 1.0, -3.0, 0.0]> : tensor<4xf32>
  %0 = lowp.quantize %c : tensor<4xf32> to tensor<4xf8E4M3FN, #lowp.block_scaled<block = [4], scale = f8E8M0FNU, rule = floor>>
  return %0 : tensor<4xf8E4M3FN, #lowp.block_scaled<block = [4], scale = f8E8M0FNU, rule = floor>>
}

// -----

// Tests that dequantize(quantize(constant)) folds to the quantized values,
// never to the original constant (the fold must be exact, not an identity).
// CHECK-LABEL: func.func @dequantize_quantize_constant
// CHECK: %[[C:.+]] = arith.constant dense<[8.960000e+02, 1.000000e+00, -3.000000e+00, 0.000000e+00]> : tensor<4xf32>
// CHECK: return %[[C]]
func.func @dequantize_quantize_constant() -> tensor<4xf32> {
  %c = arith.constant dense<[957.0, 1.0, -3.0, 0.0]> : tensor<4xf32>
  %0 = lowp.quantize %c : tensor<4xf32> to tensor<4xf8E4M3FN, #lowp.block_scaled<block = [4], scale = f8E8M0FNU, rule = floor>>
  %1 = lowp.dequantize %0 : tensor<4xf8E4M3FN, #lowp.block_scaled<block = [4], scale = f8E8M0FNU, rule = floor>> to tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Tests that dequantize(quantize(x)) of a non-constant is kept: it is not x.
// CHECK-LABEL: func.func @dequantize_quantize_kept
// CHECK: lowp.quantize
// CHECK: lowp.dequantize
func.func @dequantize_quantize_kept(%x: tensor<32xf32>) -> tensor<32xf32> {
  %0 = lowp.quantize %x : tensor<32xf32> to tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
  %1 = lowp.dequantize %0 : tensor<32xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<32xf32>
  return %1 : tensor<32xf32>
}

// -----

// Tests asymmetric int4 with a zero point: the range [0, 100] gives the f16
// scale 100/15 = 6.668 and zero point 0; 100 comes back as 15 * 6.668.
// CHECK-LABEL: func.func @minmax_constant
// CHECK: arith.constant dense<[0.000000e+00, 0.000000e+00, 0.000000e+00, 100.019531]> : tensor<4xf32>
func.func @minmax_constant() -> tensor<4xf32> {
  %c = arith.constant dense<[1.0, 2.0, 3.0, 100.0]> : tensor<4xf32>
  %0 = lowp.quantize %c : tensor<4xf32> to tensor<4xui4, #lowp.block_scaled<block = [4], scale = f16, rule = minmax, zero_point = ui4>>
  %1 = lowp.dequantize %0 : tensor<4xui4, #lowp.block_scaled<block = [4], scale = f16, rule = minmax, zero_point = ui4>> to tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Tests that disassemble(assemble(parts)) folds to the parts and
// assemble(disassemble(x)) to x.
// CHECK-LABEL: func.func @assemble_disassemble
// CHECK-SAME: (%[[E:.+]]: tensor<32xf4E2M1FN>, %[[S:.+]]: tensor<1xf8E8M0FNU>, %[[Q:.+]]: tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>)
// CHECK-NOT: lowp.{{(assemble|disassemble)}}
// CHECK: return %[[E]], %[[S]], %[[Q]]
func.func @assemble_disassemble(%e: tensor<32xf4E2M1FN>, %s: tensor<1xf8E8M0FNU>, %q: tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>)
    -> (tensor<32xf4E2M1FN>, tensor<1xf8E8M0FNU>, tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>) {
  %a = lowp.assemble %e, %s : tensor<32xf4E2M1FN>, tensor<1xf8E8M0FNU> to tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
  %e2, %s2 = lowp.disassemble %a : tensor<32xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<32xf4E2M1FN>, tensor<1xf8E8M0FNU>
  %e3, %s3 = lowp.disassemble %q : tensor<32xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<32xf4E2M1FN>, tensor<1xf8E8M0FNU>
  %q2 = lowp.assemble %e3, %s3 : tensor<32xf4E2M1FN>, tensor<1xf8E8M0FNU> to tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
  return %e2, %s2, %q2 : tensor<32xf4E2M1FN>, tensor<1xf8E8M0FNU>, tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
}

// -----

// Tests that a relayout of constant parts folds into the constants in their
// new order: the 4 x 2 elements transposed code for code, the 2 scales of
// the [2, 1] blocks along the new last axis, the tensor scale as it was.
// CHECK-LABEL: func.func @relayout_constant
// CHECK-DAG: %[[E:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 3.000000e+00, 5.000000e-01, 0.000000e+00], [2.000000e+00, 4.000000e+00, 6.000000e+00, -1.000000e+00]]> : tensor<2x4xf4E2M1FN>
// CHECK-DAG: %[[S:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [5.000000e-01, 4.000000e+00]]> : tensor<2x2xf8E4M3FN>
// CHECK-DAG: %[[T:.+]] = arith.constant 2.500000e-01 : f32
// CHECK-NOT: lowp.relayout
// CHECK: lowp.assemble %[[E]], %[[S]] tensor_scale(%[[T]] : f32) : tensor<2x4xf4E2M1FN>, tensor<2x2xf8E4M3FN> to tensor<2x4xf4E2M1FN, #lowp.block_scaled<block = [2], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>>
func.func @relayout_constant() -> tensor<2x4xf4E2M1FN, #lowp.block_scaled<block = [2], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>> {
  %e = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [0.5, 6.0], [0.0, -1.0]]> : tensor<4x2xf4E2M1FN>
  %s = arith.constant dense<[[1.0, 0.5], [2.0, 4.0]]> : tensor<2x2xf8E4M3FN>
  %t = arith.constant 0.25 : f32
  %q = lowp.assemble %e, %s tensor_scale(%t : f32) : tensor<4x2xf4E2M1FN>, tensor<2x2xf8E4M3FN> to tensor<4x2xf4E2M1FN, #lowp.block_scaled<block = [2, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>>
  %r = lowp.relayout %q {permutation = array<i64: 1, 0>} : tensor<4x2xf4E2M1FN, #lowp.block_scaled<block = [2, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>> to tensor<2x4xf4E2M1FN, #lowp.block_scaled<block = [2], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>>
  return %r : tensor<2x4xf4E2M1FN, #lowp.block_scaled<block = [2], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>>
}

// -----

// Tests that a relayout undone by another folds away, and one that is not
// stays.
// CHECK-LABEL: func.func @relayout_round_trip
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK: %[[T:.+]] = lowp.relayout %[[X]] {permutation = array<i64: 1, 0>}
// CHECK-NEXT: return %[[X]], %[[T]]
func.func @relayout_round_trip(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<8x4xf32>) {
  %0 = lowp.relayout %x {permutation = array<i64: 1, 0>} : tensor<4x8xf32> to tensor<8x4xf32>
  %1 = lowp.relayout %0 {permutation = array<i64: 1, 0>} : tensor<8x4xf32> to tensor<4x8xf32>
  return %1, %0 : tensor<4x8xf32>, tensor<8x4xf32>
}

// -----

// Tests that a splat folds as a splat, whatever its size: 10^11 elements
// (once folded element by element, for minutes and out of memory).
// CHECK-LABEL: func.func @convert_huge_splat
// CHECK: %[[C:.+]] = arith.constant dense<1.500000e+00> : tensor<100000000000xf8E4M3FN>
// CHECK-NOT: lowp.convert
// CHECK: return %[[C]]
func.func @convert_huge_splat() -> tensor<100000000000xf8E4M3FN> {
  %c = arith.constant dense<1.5> : tensor<100000000000xf32>
  %0 = lowp.convert %c : tensor<100000000000xf32> to tensor<100000000000xf8E4M3FN>
  return %0 : tensor<100000000000xf8E4M3FN>
}

// -----

// Tests that a splat quantized past the folding limit (2^24 elements) stays
// for run time, and a relayout of a splat is the splat.
// CHECK-LABEL: func.func @quantize_huge_splat
// CHECK: lowp.quantize
// CHECK-LABEL: func.func @relayout_splat
// CHECK: %[[C:.+]] = arith.constant dense<2.000000e+00> : tensor<64x32xf32>
// CHECK-NOT: lowp.relayout
// CHECK: return %[[C]]
func.func @quantize_huge_splat() -> tensor<33554432xf4E2M1FN, #lowp.block_scaled<mx>> {
  %c = arith.constant dense<1.5> : tensor<33554432xf32>
  %0 = lowp.quantize %c : tensor<33554432xf32> to tensor<33554432xf4E2M1FN, #lowp.block_scaled<mx>>
  return %0 : tensor<33554432xf4E2M1FN, #lowp.block_scaled<mx>>
}
func.func @relayout_splat() -> tensor<64x32xf32> {
  %c = arith.constant dense<2.0> : tensor<32x64xf32>
  %0 = lowp.relayout %c {permutation = array<i64: 1, 0>} : tensor<32x64xf32> to tensor<64x32xf32>
  return %0 : tensor<64x32xf32>
}

// -----

// Tests that a constant quantized with choices folds into its codes,
// scales and selectors (row 0 is E2M1's grid, row 1 integers: INT4 at
// scale 4), and that its dequantize folds back to the exact values.
// CHECK-LABEL: func.func @quantize_choices
// CHECK-DAG: %[[X:.+]] = arith.constant dense<{{\[\[}}5.000000e-01, 1.000000e+00, 1.500000e+00, 6.000000e+00], [1.000000e+00, 2.000000e+00, 3.000000e+00, -7.000000e+00]]> : tensor<2x4xf32>
// CHECK-DAG: %[[S:.+]] = arith.constant dense<{{\[\[}}false], [true]]> : tensor<2x1xui1>
// CHECK-DAG: %[[E:.+]] = arith.constant dense<{{\[\[}}1, 2, 3, 7], [1, 2, 3, 9]]> : tensor<2x4xui4>
// CHECK-DAG: %[[C:.+]] = arith.constant dense<{{\[\[}}1.000000e+00], [4.000000e+00]]> : tensor<2x1xf8E8M0FNU>
// CHECK: %[[Q:.+]] = lowp.assemble %[[E]], %[[C]] selectors(%[[S]] : tensor<2x1xui1>)
// CHECK-NOT: lowp.dequantize
// CHECK: return %[[Q]], %[[X]]
!choice = tensor<2x4xui4, #lowp.block_scaled<block = [4], scale = f8E8M0FNU, rule = floor, choices = [f4E2M1FN, i4]>>
func.func @quantize_choices() -> (!choice, tensor<2x4xf32>) {
  %x = arith.constant dense<[[0.5, 1.0, 1.5, 6.0], [1.0, 2.0, 3.0, -7.0]]> : tensor<2x4xf32>
  %q = lowp.quantize %x : tensor<2x4xf32> to !choice
  %d = lowp.dequantize %q : !choice to tensor<2x4xf32>
  return %q, %d : !choice, tensor<2x4xf32>
}
