// RUN: lowp-opt %s --split-input-file | lowp-opt --split-input-file | FileCheck %s

// Tests that parametric minifloats print with their defaults elided and
// round-trip.
// CHECK-LABEL: func.func @minifloats
// CHECK-SAME: !lowp.float<e3m3>
// CHECK-SAME: !lowp.float<e2m2, finite>
// CHECK-SAME: !lowp.float<e5m3, unsigned, fn>
// CHECK-SAME: !lowp.float<e4m3, bias = 9, fnuz>
// CHECK-SAME: !lowp.float<e1m2, finite>
// CHECK-SAME: !lowp.float<e8m23, bias = -3>
func.func @minifloats(%a: !lowp.float<e3m3, bias = 3, signed, ieee>,
                      %b: !lowp.float<e2m2, finite>,
                      %c: !lowp.float<e5m3, unsigned, fn>,
                      %d: !lowp.float<e4m3, bias = 9, fnuz>,
                      %e: !lowp.float<e1m2, finite>,
                      %f: !lowp.float<e8m23, bias = -3>) {
  return
}

// -----

// Tests that codebooks print their values exactly and that the NF4 table
// prints as its preset name, whichever way it was written.
// CHECK-LABEL: func.func @codebooks
// CHECK-SAME: !lowp.codebook<2, [-1.0, 0.0, 1.0]>
// CHECK-SAME: !lowp.codebook<nf4>
// CHECK-SAME: !lowp.codebook<nf4>
// CHECK-SAME: !lowp.codebook<1, [0.1, 1.0e-05]>
func.func @codebooks(%a: !lowp.codebook<2, [-1.0, 0.0, 1.0]>,
                     %b: !lowp.codebook<nf4>,
                     %c: !lowp.codebook<4, [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0]>,
                     %d: !lowp.codebook<1, [0.1, 0.00001]>) {
  return
}

// -----

// Tests that posits, HiFloat8 and logarithmic numbers round-trip (the
// tapered formats also as block-scaled elements).
// CHECK-LABEL: func.func @tapered
// CHECK-SAME: !lowp.posit<8, 0>
// CHECK-SAME: !lowp.posit<32, 2>
// CHECK-SAME: !lowp.hif8
// CHECK-SAME: tensor<4x32x!lowp.posit<16, 1>, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>
// CHECK-SAME: !lowp.lns<4, 3>
// CHECK-SAME: tensor<8x!lowp.lns<5, 10>>
func.func @tapered(%a: !lowp.posit<8, 0>, %b: !lowp.posit<32, 2>,
                   %c: !lowp.hif8,
                   %d: tensor<4x32x!lowp.posit<16, 1>, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>,
                   %e: !lowp.lns<4, 3>, %f: tensor<8x!lowp.lns<5, 10>>) {
  return
}

// -----

// Tests the block-scaled presets: each named format is a builtin element
// type plus a preset, and the full form of a preset prints short.
// CHECK-LABEL: func.func @presets
// CHECK-SAME: tensor<64x64xf8E4M3FN, #lowp.block_scaled<mx>>
// CHECK-SAME: tensor<64x64xf8E5M2, #lowp.block_scaled<mx>>
// CHECK-SAME: tensor<64x64xf6E2M3FN, #lowp.block_scaled<mx>>
// CHECK-SAME: tensor<64x64xf6E3M2FN, #lowp.block_scaled<mx>>
// CHECK-SAME: tensor<64x64xf4E2M1FN, #lowp.block_scaled<mx>>
// CHECK-SAME: tensor<64x64xi8, #lowp.block_scaled<mx>>
// CHECK-SAME: tensor<64x64xf4E2M1FN, #lowp.block_scaled<nvfp4>>
// CHECK-SAME: tensor<64x256xui4, #lowp.block_scaled<int4_g128>>
// CHECK-SAME: tensor<4x32xf4E2M1FN, #lowp.block_scaled<mx>>
func.func @presets(
    %mxfp8_e4m3: tensor<64x64xf8E4M3FN, #lowp.block_scaled<mx>>,
    %mxfp8_e5m2: tensor<64x64xf8E5M2, #lowp.block_scaled<mx>>,
    %mxfp6_e2m3: tensor<64x64xf6E2M3FN, #lowp.block_scaled<mx>>,
    %mxfp6_e3m2: tensor<64x64xf6E3M2FN, #lowp.block_scaled<mx>>,
    %mxfp4: tensor<64x64xf4E2M1FN, #lowp.block_scaled<mx>>,
    %mxint8: tensor<64x64xi8, #lowp.block_scaled<mx>>,
    %nvfp4: tensor<64x64xf4E2M1FN, #lowp.block_scaled<nvfp4>>,
    %int4: tensor<64x256xui4, #lowp.block_scaled<int4_g128>>,
    %spelled: tensor<4x32xf4E2M1FN, #lowp.block_scaled<block = [32], scale = f8E8M0FNU, rule = floor>>) {
  return
}

// -----

// Tests the full form: 2D blocks, blocks along a leading axis, every rule,
// optional parts, lowp element types and dynamic dimensions.
// CHECK-LABEL: func.func @full_forms
// CHECK-SAME: #lowp.block_scaled<block = [16, 16], scale = f32, rule = absmax>
// CHECK-SAME: #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = rceil>
// CHECK-SAME: #lowp.block_scaled<block = [16], scale = f8E4M3FN, rule = nvfp4, tensor_scale = bf16>
// CHECK-SAME: #lowp.block_scaled<block = [64], scale = bf16, rule = minmax, zero_point = i8>
// CHECK-SAME: tensor<?x64x!lowp.codebook<nf4>, #lowp.block_scaled<block = [64], scale = f32, rule = absmax>>
// CHECK-SAME: tensor<128x!lowp.float<e3m3>, #lowp.block_scaled<block = [32], scale = !lowp.float<e5m3, unsigned, fn>, rule = floor>>
func.func @full_forms(
    %a: tensor<32x32xf8E4M3FN, #lowp.block_scaled<block = [16, 16], scale = f32, rule = absmax>>,
    %b: tensor<64x8xi8, #lowp.block_scaled<rule = rceil, block = [32, 1], scale = f8E8M0FNU>>,
    %c: tensor<2x32xf4E2M1FN, #lowp.block_scaled<block = [16], scale = f8E4M3FN, rule = nvfp4, tensor_scale = bf16>>,
    %d: tensor<64xi4, #lowp.block_scaled<block = [64], scale = bf16, rule = minmax, zero_point = i8>>,
    %e: tensor<?x64x!lowp.codebook<nf4>, #lowp.block_scaled<block = [64], scale = f32, rule = absmax>>,
    %f: tensor<128x!lowp.float<e3m3>, #lowp.block_scaled<block = [32], scale = !lowp.float<e5m3, unsigned, fn>, rule = floor>>) {
  return
}

// -----

// Tests the assembly format of every op, with optional parts present and
// absent.
// CHECK-LABEL: func.func @ops
// CHECK: lowp.convert %{{.*}} : tensor<4x64xf32> to tensor<4x64xf8E4M3FN>
// CHECK: lowp.convert %{{.*}} downward saturate : tensor<4x64xf32> to tensor<4x64x!lowp.float<e3m3>>
// CHECK: lowp.convert %{{.*}} random(%{{.*}} : tensor<4x64xi8>) stochastic : tensor<4x64xf32> to tensor<4x64xf4E2M1FN>
// CHECK: lowp.convert %{{.*}} : f32 to f6E3M2FN
// CHECK: lowp.convert %{{.*}} : tensor<4x64xf4E2M1FN> to tensor<4x64xf64>
// CHECK: lowp.quantize %{{.*}} : tensor<4x64xf32> to tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>
// CHECK: lowp.quantize %{{.*}} random(%{{.*}} : tensor<4x64xi8>) stochastic : tensor<4x64xf32> to tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>
// CHECK: lowp.dequantize %{{.*}} : tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<4x64xf32>
// CHECK: lowp.assemble %{{.*}}, %{{.*}} : tensor<4x64xf4E2M1FN>, tensor<4x2xf8E8M0FNU> to tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>
// CHECK: lowp.assemble %{{.*}}, %{{.*}} tensor_scale(%{{.*}} : f32) : tensor<2x32xf4E2M1FN>, tensor<2x2xf8E4M3FN> to tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>>
// CHECK: lowp.assemble %{{.*}}, %{{.*}} zero_points(%{{.*}} : tensor<2x1xui4>) : tensor<2x128xui4>, tensor<2x1xf16> to tensor<2x128xui4, #lowp.block_scaled<int4_g128>>
// CHECK: lowp.disassemble %{{.*}} : tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<4x64xf4E2M1FN>, tensor<4x2xf8E8M0FNU>
// CHECK: lowp.disassemble %{{.*}} : tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>> to tensor<2x32xf4E2M1FN>, tensor<2x2xf8E4M3FN> tensor_scale(f32)
// CHECK: lowp.matmul %{{.*}}, %{{.*}} {accumulator = f32} : tensor<4x64xf32>, tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<4x16xf32>
// CHECK: lowp.matmul %{{.*}}, %{{.*}} {accumulator = i32} : tensor<2x4x8xi8>, tensor<2x8x3xi8> -> tensor<2x4x3xf32>
func.func @ops(%x: tensor<4x64xf32>, %r: tensor<4x64xi8>, %s: f32,
               %q: tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>,
               %e: tensor<4x64xf4E2M1FN>, %sc: tensor<4x2xf8E8M0FNU>,
               %ne: tensor<2x32xf4E2M1FN>, %ns: tensor<2x2xf8E4M3FN>, %nt: f32,
               %ie: tensor<2x128xui4>, %is: tensor<2x1xf16>, %iz: tensor<2x1xui4>,
               %n: tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>>,
               %w: tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>,
               %ba: tensor<2x4x8xi8>, %bb: tensor<2x8x3xi8>) {
  %0 = lowp.convert %x : tensor<4x64xf32> to tensor<4x64xf8E4M3FN>
  %1 = lowp.convert %x downward saturate : tensor<4x64xf32> to tensor<4x64x!lowp.float<e3m3>>
  %2 = lowp.convert %x random(%r : tensor<4x64xi8>) stochastic : tensor<4x64xf32> to tensor<4x64xf4E2M1FN>
  %3 = lowp.convert %s to_nearest_even : f32 to f6E3M2FN
  %4 = lowp.convert %e : tensor<4x64xf4E2M1FN> to tensor<4x64xf64>
  %5 = lowp.quantize %x : tensor<4x64xf32> to tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>
  %6 = lowp.quantize %x random(%r : tensor<4x64xi8>) stochastic : tensor<4x64xf32> to tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>
  %7 = lowp.dequantize %q : tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<4x64xf32>
  %8 = lowp.assemble %e, %sc : tensor<4x64xf4E2M1FN>, tensor<4x2xf8E8M0FNU> to tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>
  %9 = lowp.assemble %ne, %ns tensor_scale(%nt : f32) : tensor<2x32xf4E2M1FN>, tensor<2x2xf8E4M3FN> to tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>>
  %10 = lowp.assemble %ie, %is zero_points(%iz : tensor<2x1xui4>) : tensor<2x128xui4>, tensor<2x1xf16> to tensor<2x128xui4, #lowp.block_scaled<int4_g128>>
  %11:2 = lowp.disassemble %q : tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<4x64xf4E2M1FN>, tensor<4x2xf8E8M0FNU>
  %12:3 = lowp.disassemble %n : tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>> to tensor<2x32xf4E2M1FN>, tensor<2x2xf8E4M3FN> tensor_scale(f32)
  %13 = lowp.matmul %x, %w {accumulator = f32} : tensor<4x64xf32>, tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<4x16xf32>
  %14 = lowp.matmul %ba, %bb {accumulator = i32} : tensor<2x4x8xi8>, tensor<2x8x3xi8> -> tensor<2x4x3xf32>
  return
}

// -----

// Tests the packing ops, for a 4-bit and a 7-bit format.
// CHECK-LABEL: func.func @packing
// CHECK: lowp.pack %{{.*}} : tensor<16x64xf4E2M1FN> to tensor<16x32xi8>
// CHECK: lowp.unpack %{{.*}} : tensor<5xi8> to tensor<5x!lowp.float<e3m3>>
func.func @packing(%x: tensor<16x64xf4E2M1FN>, %p: tensor<5xi8>) {
  %0 = lowp.pack %x : tensor<16x64xf4E2M1FN> to tensor<16x32xi8>
  %1 = lowp.unpack %p : tensor<5xi8> to tensor<5x!lowp.float<e3m3>>
  return
}

// -----

// Tests lowp.lookup's round trip: a 16-entry table read at 32 lanes.
// CHECK-LABEL: func.func @lookup
// CHECK: lowp.lookup %{{.+}}[%{{.+}}] : vector<16xf32>, vector<32xi32> -> vector<32xf32>
func.func @lookup(%table: vector<16xf32>, %codes: vector<32xi32>) -> vector<32xf32> {
  %0 = lowp.lookup %table[%codes] : vector<16xf32>, vector<32xi32> -> vector<32xf32>
  return %0 : vector<32xf32>
}

// -----

// Tests lowp.matmul's round trip with an N x K weight.
// CHECK-LABEL: func.func @matmul_transposed
// CHECK: lowp.matmul %{{.+}}, %{{.+}} {accumulator = f32, transpose_rhs} : tensor<4x64xf32>, tensor<16x64xf32> -> tensor<4x16xf32>
func.func @matmul_transposed(%x: tensor<4x64xf32>, %w: tensor<16x64xf32>) -> tensor<4x16xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<4x64xf32>, tensor<16x64xf32> -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Tests lowp.relayout's round trip: a K x N MX weight stored N x K (its
// blocks move to the last axis) and a plain 3-D tensor.
// CHECK-LABEL: func.func @relayout
// CHECK: lowp.relayout %{{.+}} {permutation = array<i64: 1, 0>} : tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> to tensor<16x64xf4E2M1FN, #lowp.block_scaled<mx>>
// CHECK: lowp.relayout %{{.+}} {permutation = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> to tensor<4x2x3xf32>
func.func @relayout(%w: tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>, %x: tensor<2x3x4xf32>)
    -> (tensor<16x64xf4E2M1FN, #lowp.block_scaled<mx>>, tensor<4x2x3xf32>) {
  %0 = lowp.relayout %w {permutation = array<i64: 1, 0>} : tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> to tensor<16x64xf4E2M1FN, #lowp.block_scaled<mx>>
  %1 = lowp.relayout %x {permutation = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> to tensor<4x2x3xf32>
  return %0, %1 : tensor<16x64xf4E2M1FN, #lowp.block_scaled<mx>>, tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @random_bits(
// CHECK: lowp.random_bits %{{.*}}, %{{.*}} : tensor<4x8xui16>
func.func @random_bits(%seed: i64, %offset: i64) -> tensor<4x8xui16> {
  %r = lowp.random_bits %seed, %offset : tensor<4x8xui16>
  return %r : tensor<4x8xui16>
}

// -----

// CHECK-LABEL: func.func @hadamard(
// CHECK: lowp.hadamard %{{.*}} {axis = 1 : i64, block = 64 : i64, seed = 5 : i64} : tensor<2x128xf32>
func.func @hadamard(%x: tensor<2x128xf32>) -> tensor<2x128xf32> {
  %y = lowp.hadamard %x {axis = 1 : i64, block = 64 : i64, seed = 5 : i64} : tensor<2x128xf32>
  return %y : tensor<2x128xf32>
}

// -----

// Tests that per-group format choice prints its choices and that assemble
// and disassemble take the selectors.
// CHECK-LABEL: func.func @choices(
// CHECK-SAME: tensor<4x64xui4, #lowp.block_scaled<block = [32], scale = f8E8M0FNU, rule = floor, choices = [f4E2M1FN, i4, !lowp.float<e3m0, finite>]>>
// CHECK: lowp.assemble %{{.*}}, %{{.*}} selectors(%{{.*}} : tensor<4x2xui2>) : tensor<4x64xui4>, tensor<4x2xf8E8M0FNU> to
// CHECK: lowp.disassemble %{{.*}} : {{.*}} to tensor<4x64xui4>, tensor<4x2xf8E8M0FNU> selectors(tensor<4x2xui2>)
!mixed = tensor<4x64xui4, #lowp.block_scaled<block = [32], scale = f8E8M0FNU, rule = floor, choices = [f4E2M1FN, i4, !lowp.float<e3m0, finite>]>>
func.func @choices(%e: tensor<4x64xui4>, %s: tensor<4x2xf8E8M0FNU>, %c: tensor<4x2xui2>) -> (!mixed, tensor<4x2xui2>) {
  %q = lowp.assemble %e, %s selectors(%c : tensor<4x2xui2>) : tensor<4x64xui4>, tensor<4x2xf8E8M0FNU> to !mixed
  %e2, %s2, %c2 = lowp.disassemble %q : !mixed to tensor<4x64xui4>, tensor<4x2xf8E8M0FNU> selectors(tensor<4x2xui2>)
  return %q, %c2 : !mixed, tensor<4x2xui2>
}
