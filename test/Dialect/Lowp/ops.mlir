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
