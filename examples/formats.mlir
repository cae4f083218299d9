// Formats and block-scaled encodings that lowp can express. Try:
//   build/bin/lowp-opt examples/formats.mlir
// which parses, verifies and prints this file back.

// The formats MLIR already has are used as they are; lowp adds the others.
func.func private @element_formats(
  f8E4M3FN,                               // OCP FP8 E4M3
  f4E2M1FN,                               // OCP FP4
  !lowp.float<e3m3>,                      // an FP7 with inf and NaN
  !lowp.float<e2m2, finite>,              // an FP5 where every code is a number
  !lowp.float<e5m3, unsigned, fn>,        // UE5M3
  !lowp.codebook<nf4>,                    // QLoRA's NormalFloat-4
  !lowp.codebook<2, [-1.0, 0.0, 1.0]>,    // ternary
  !lowp.posit<16, 1>,                     // a 16-bit posit (2022 standard)
  !lowp.hif8,                             // Ascend's tapered HiFloat8
  !lowp.lns<4, 3>,                        // sign and a 4.3 fixed-point log2
  ui4)

// Block-scaled tensors: the element type plus an encoding that says how
// the elements share scales.
func.func private @weights(
  tensor<4096x4096xf4E2M1FN, #lowp.block_scaled<mx>>,          // MXFP4
  tensor<4096x4096xf8E4M3FN, #lowp.block_scaled<mx>>,          // MXFP8 (E4M3)
  tensor<4096x4096xi8, #lowp.block_scaled<mx>>,                // MXINT8
  tensor<4096x4096xf4E2M1FN, #lowp.block_scaled<nvfp4>>,       // NVFP4
  tensor<4096x4096xui4, #lowp.block_scaled<int4_g128>>,        // int4, group 128
  tensor<4096x4096xf8E4M3FN,                                   // 2D blocks
         #lowp.block_scaled<block = [128, 128], scale = f32, rule = absmax>>,
  tensor<4096x4096xui4,                                        // each block of 32
         #lowp.block_scaled<block = [32], scale = f8E8M0FNU,   // picks its format
             rule = floor, choices = [f4E2M1FN, i4, !lowp.float<e3m0, finite>]>>)
