// RUN: lowp-opt %s --split-input-file --verify-diagnostics

// Tests that the widths must be spelled e<E>m<M>.
// expected-error @below {{expected the widths as 'e<E>m<M>', like e3m3}}
func.func private @f(!lowp.float<e3>)

// -----

// expected-error @below {{expected the widths as 'e<E>m<M>', like e3m3}}
func.func private @f(!lowp.float<e99999999999m3>)

// -----

// expected-error @below {{exponent width 0 is outside the supported range 1..8}}
func.func private @f(!lowp.float<e0m3>)

// -----

// expected-error @below {{exponent width 9 is outside the supported range 1..8}}
func.func private @f(!lowp.float<e9m3>)

// -----

// expected-error @below {{mantissa width 24 is outside the supported range 0..23}}
func.func private @f(!lowp.float<e4m24>)

// -----

// expected-error @below {{bias 999 is outside the supported range -256..512}}
func.func private @f(!lowp.float<e4m3, bias = 999>)

// -----

// expected-error @below {{'ieee' special values need at least one mantissa bit to tell NaN from infinity}}
func.func private @f(!lowp.float<e4m0>)

// -----

// expected-error @below {{'ieee' special values need at least two exponent bits, one binade for numbers and one for inf and NaN}}
func.func private @f(!lowp.float<e1m2>)

// -----

// expected-error @below {{'fnuz' special values need a sign bit: their NaN is the negative-zero code}}
func.func private @f(!lowp.float<e4m3, unsigned, fnuz>)

// -----

// expected-error @below {{'e8m0' special values describe unsigned formats only}}
func.func private @f(!lowp.float<e8m0, e8m0>)

// -----

// Tests a format whose only nonzero code is NaN.
// expected-error @below {{format has no positive finite value}}
func.func private @f(!lowp.float<e1m0, fn>)

// -----

// Tests that a builtin type's parameters are not spelled twice.
// expected-error @below {{this format is the builtin type 'f8E4M3FN'; use it instead}}
func.func private @f(!lowp.float<e4m3, fn>)

// -----

// expected-error @below {{this format is the builtin type 'f8E8M0FNU'; use it instead}}
func.func private @f(!lowp.float<e8m0, unsigned, e8m0>)

// -----

// expected-error @below {{expected 'bias = N', 'signed', 'unsigned' or a special-value family (ieee, fn, fnuz, finite, e8m0), got 'nan'}}
func.func private @f(!lowp.float<e4m3, nan>)

// -----

// expected-error @below {{posit width 33 is outside the supported range 2..32}}
func.func private @f(!lowp.posit<33, 2>)

// -----

// expected-error @below {{posit width 1 is outside the supported range 2..32}}
func.func private @f(!lowp.posit<1, 0>)

// -----

// expected-error @below {{posit exponent size 5 is outside the supported range 0..4}}
func.func private @f(!lowp.posit<16, 5>)

// -----

// expected-error @below {{posit width -3 is outside the supported range 2..32}}
func.func private @f(!lowp.posit<-3, 1>)

// -----

// expected-error @below {{logarithm fraction bits -2 are outside the supported range 0..10}}
func.func private @f(!lowp.lns<2, -2>)

// -----

// expected-error @below {{!lowp.hif8 takes no parameters}}
func.func private @f(!lowp.hif8<3>)

// -----

// expected-error @below {{expected '!lowp.posit<n, es>': the width n (2..32) and the exponent size es (0..4)}}
func.func private @f(!lowp.posit<16>)

// -----

// expected-error @below {{logarithm integer bits 9 are outside the supported range 1..8}}
func.func private @f(!lowp.lns<9, 2>)

// -----

// expected-error @below {{logarithm fraction bits 11 are outside the supported range 0..10}}
func.func private @f(!lowp.lns<2, 11>)

// -----

// expected-error @below {{a logarithmic format of 17 bits is wider than the supported 16}}
func.func private @f(!lowp.lns<6, 10>)

// -----

// expected-error @below {{expected '!lowp.lns<I, F>': the logarithm's integer bits I (1..8) and fraction bits F (0..10)}}
func.func private @f(!lowp.lns<4>)

// -----

// expected-error @below {{element type is logarithmic: its values are irrational, and block scaling multiplies them exactly only for the other formats}}
func.func private @f(tensor<4x32x!lowp.lns<4, 3>, #lowp.block_scaled<block = [1, 32], scale = f32, rule = absmax>>)

// -----

func.func @f(%a: tensor<4x32x!lowp.lns<4, 3>>, %b: tensor<32x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{'lowp.matmul' op lhs element type '!lowp.lns<4, 3>' is logarithmic: lowp.convert it to a float first}}
  %0 = lowp.matmul %a, %b {accumulator = f32} : tensor<4x32x!lowp.lns<4, 3>>, tensor<32x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @f(%x: tensor<4x32x!lowp.lns<4, 3>>) -> tensor<4x32xf8E4M3FN, #lowp.block_scaled<mx>> {
  // expected-error @below {{'lowp.quantize' op input element type '!lowp.lns<4, 3>' is logarithmic: lowp.convert it to a float first}}
  %0 = lowp.quantize %x : tensor<4x32x!lowp.lns<4, 3>> to tensor<4x32xf8E4M3FN, #lowp.block_scaled<mx>>
  return %0 : tensor<4x32xf8E4M3FN, #lowp.block_scaled<mx>>
}

// -----

func.func @f(%x: tensor<4xf32>, %r: tensor<4xi8>) -> tensor<4x!lowp.lns<4, 3>> {
  // expected-error @below {{'lowp.convert' op stochastic rounding is not defined for logarithmic formats: their values do not lie on a binary grid}}
  %0 = lowp.convert %x random(%r : tensor<4xi8>) stochastic : tensor<4xf32> to tensor<4x!lowp.lns<4, 3>>
  return %0 : tensor<4x!lowp.lns<4, 3>>
}

// -----

// expected-error @below {{unknown codebook preset 'nf8'; expected 'nf4' or '<bits>, [values]'}}
func.func private @f(!lowp.codebook<nf8>)

// -----

// expected-error @below {{codebook code width 0 is outside the supported range 1..16}}
func.func private @f(!lowp.codebook<0, [1.0]>)

// -----

// expected-error @below {{codebook has 3 values, more than 2 codes of 1 bits can index}}
func.func private @f(!lowp.codebook<1, [1.0, 2.0, 3.0]>)

// -----

// expected-error @below {{codebook has no values}}
func.func private @f(!lowp.codebook<2, []>)

// -----

// expected-error @below {{codebook value 1e+308 is not a finite number of magnitude at most 2^1000}}
func.func private @f(!lowp.codebook<2, [0.0, 1.0e308]>)

// -----

// expected-error @below {{unknown block-scaling preset 'mxfp4'; expected mx, nvfp4 or int4_g128}}
func.func private @f(tensor<32xf4E2M1FN, #lowp.block_scaled<mxfp4>>)

// -----

// expected-error @below {{'block' is given twice}}
func.func private @f(tensor<32xf4E2M1FN, #lowp.block_scaled<block = [32], block = [16], scale = f8E8M0FNU, rule = floor>>)

// -----

// expected-error @below {{unknown key 'shape'; expected block, scale, rule, tensor_scale, zero_point or choices}}
func.func private @f(tensor<32xf4E2M1FN, #lowp.block_scaled<shape = [32], scale = f8E8M0FNU, rule = floor>>)

// -----

// expected-error @below {{unknown scale rule 'round'; expected floor, rceil, nvfp4, absmax or minmax}}
func.func private @f(tensor<32xf4E2M1FN, #lowp.block_scaled<block = [32], scale = f8E8M0FNU, rule = round>>)

// -----

// expected-error @below {{block_scaled encoding needs 'rule'}}
func.func private @f(tensor<32xf4E2M1FN, #lowp.block_scaled<block = [32], scale = f8E8M0FNU>>)

// -----

// expected-error @below {{block shape must name at least one dimension}}
func.func private @f(tensor<32xf4E2M1FN, #lowp.block_scaled<block = [], scale = f8E8M0FNU, rule = floor>>)

// -----

// Tests zero-width blocks.
// expected-error @below {{block size 0 is not positive}}
func.func private @f(tensor<32xf4E2M1FN, #lowp.block_scaled<block = [0], scale = f8E8M0FNU, rule = floor>>)

// -----

// expected-error @below {{scale type 'index' is not a number format lowp supports}}
func.func private @f(tensor<32xf4E2M1FN, #lowp.block_scaled<block = [32], scale = index, rule = floor>>)

// -----

// Tests a scale type that cannot hold scales.
// expected-error @below {{scale type cannot hold scales: it must be a floating-point format, not an integer or a codebook}}
func.func private @f(tensor<32xf4E2M1FN, #lowp.block_scaled<block = [32], scale = i8, rule = floor>>)

// -----

// expected-error @below {{scale rule 'nvfp4' needs a tensor_scale type}}
func.func private @f(tensor<32xf4E2M1FN, #lowp.block_scaled<block = [16], scale = f8E4M3FN, rule = nvfp4>>)

// -----

// expected-error @below {{tensor_scale is used only by scale rule 'nvfp4', not 'floor'}}
func.func private @f(tensor<32xf4E2M1FN, #lowp.block_scaled<block = [32], scale = f8E8M0FNU, rule = floor, tensor_scale = f32>>)

// -----

// expected-error @below {{tensor_scale type cannot hold scales: it must be a floating-point format}}
func.func private @f(tensor<32xf4E2M1FN, #lowp.block_scaled<block = [16], scale = f8E4M3FN, rule = nvfp4, tensor_scale = i32>>)

// -----

// NVFP4's steps compute in f32 with both scales.
// expected-error @below {{scale rule 'nvfp4' computes in f32: its tensor_scale type's values must all be f32 values}}
func.func private @f(tensor<32xf4E2M1FN, #lowp.block_scaled<block = [16], scale = f8E4M3FN, rule = nvfp4, tensor_scale = !lowp.float<e8m10, bias = 100>>>)

// -----

// expected-error @below {{scale rule 'nvfp4' computes in f32: its scale type's values must all be f32 values}}
func.func private @f(tensor<32xf4E2M1FN, #lowp.block_scaled<block = [16], scale = !lowp.float<e8m2, bias = 200>, rule = nvfp4, tensor_scale = f32>>)

// -----

// expected-error @below {{scale rule 'minmax' needs a zero_point type}}
func.func private @f(tensor<128xui4, #lowp.block_scaled<block = [128], scale = f16, rule = minmax>>)

// -----

// expected-error @below {{zero_point is used only by scale rule 'minmax', not 'absmax'}}
func.func private @f(tensor<128xi4, #lowp.block_scaled<block = [128], scale = f16, rule = absmax, zero_point = i4>>)

// -----

// expected-error @below {{zero_point type must be an integer type}}
func.func private @f(tensor<128xui4, #lowp.block_scaled<block = [128], scale = f16, rule = minmax, zero_point = f16>>)

// -----

// expected-error @below {{element type 'i64' of a block-scaled tensor is not a number format lowp supports}}
func.func private @f(tensor<32xi64, #lowp.block_scaled<mx>>)

// -----

// expected-error @below {{element type has no positive value to scale}}
func.func private @f(tensor<32x!lowp.codebook<1, [-1.0, 0.0]>, #lowp.block_scaled<mx>>)

// -----

// expected-error @below {{scale rule 'minmax' needs integer elements}}
func.func private @f(tensor<128xf8E4M3FN, #lowp.block_scaled<int4_g128>>)

// -----

// Tests a block that does not divide the shape.
// expected-error @below {{block size 32 does not divide dimension 1 of size 48}}
func.func private @f(tensor<4x48xf4E2M1FN, #lowp.block_scaled<mx>>)

// -----

// expected-error @below {{block has 2 dimensions but the tensor has only 1}}
func.func private @f(tensor<64xf4E2M1FN, #lowp.block_scaled<block = [2, 32], scale = f8E8M0FNU, rule = floor>>)

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @below {{'lowp.convert' op input and result must both be scalars, both ranked tensors or both vectors}}
  %0 = lowp.convert %x : tensor<4xf32> to f8E4M3FN
  return
}

// -----

func.func @f(%x: memref<4xf32>) {
  // expected-error @below {{'lowp.convert' op input and result must both be scalars, both ranked tensors or both vectors}}
  %0 = lowp.convert %x : memref<4xf32> to memref<4xf8E4M3FN>
  return
}

// -----

func.func @f(%x: tensor<32xf32>) {
  // expected-error @below {{'lowp.convert' op takes values without an encoding; block-scaled tensors go through lowp.quantize and lowp.dequantize}}
  %0 = lowp.convert %x : tensor<32xf32> to tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @below {{'lowp.convert' op input shape [4] and result shape [5] differ}}
  %0 = lowp.convert %x : tensor<4xf32> to tensor<5xf8E4M3FN>
  return
}

// -----

func.func @f(%x: tensor<4xindex>) {
  // expected-error @below {{'lowp.convert' op input element type 'index' is not a number format lowp supports}}
  %0 = lowp.convert %x : tensor<4xindex> to tensor<4xf8E4M3FN>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @below {{'lowp.convert' op result element type 'i64' is not a number format lowp supports}}
  %0 = lowp.convert %x : tensor<4xf32> to tensor<4xi64>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @below {{'lowp.convert' op stochastic rounding needs a 'random' operand}}
  %0 = lowp.convert %x stochastic : tensor<4xf32> to tensor<4xf8E4M3FN>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %r: tensor<4xi8>) {
  // expected-error @below {{'lowp.convert' op a 'random' operand needs stochastic rounding}}
  %0 = lowp.convert %x random(%r : tensor<4xi8>) : tensor<4xf32> to tensor<4xf8E4M3FN>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %r: tensor<4xi64>) {
  // expected-error @below {{'lowp.convert' op random bits must be signless or unsigned integers of 1 to 32 bits, not 'i64'}}
  %0 = lowp.convert %x random(%r : tensor<4xi64>) stochastic : tensor<4xf32> to tensor<4xf8E4M3FN>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %r: tensor<8xi8>) {
  // expected-error @below {{'lowp.convert' op random bits must have the shape of the input}}
  %0 = lowp.convert %x random(%r : tensor<8xi8>) stochastic : tensor<4xf32> to tensor<4xf8E4M3FN>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %r: tensor<4xi8>) {
  // expected-error @below {{'lowp.convert' op stochastic rounding is not defined for codebook formats: their values do not lie on a binary grid}}
  %0 = lowp.convert %x random(%r : tensor<4xi8>) stochastic : tensor<4xf32> to tensor<4x!lowp.codebook<nf4>>
  return
}

// -----

func.func @f(%x: tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>) {
  // expected-error @below {{'lowp.quantize' op input must not have an encoding}}
  %0 = lowp.quantize %x : tensor<32xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
  return
}

// -----

func.func @f(%x: tensor<32xf32>) {
  // expected-error @below {{'lowp.quantize' op result must have a #lowp.block_scaled encoding}}
  %0 = lowp.quantize %x : tensor<32xf32> to tensor<32xf4E2M1FN>
  return
}

// -----

func.func @f(%x: tensor<32xf32>) {
  // expected-error @below {{'lowp.quantize' op input shape [32] and result shape [64] differ}}
  %0 = lowp.quantize %x : tensor<32xf32> to tensor<64xf4E2M1FN, #lowp.block_scaled<mx>>
  return
}

// -----

func.func @f(%x: tensor<32xindex>) {
  // expected-error @below {{'lowp.quantize' op input element type 'index' is not a number format lowp supports}}
  %0 = lowp.quantize %x : tensor<32xindex> to tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
  return
}

// -----

func.func @f(%x: tensor<32xf32>) {
  // expected-error @below {{'lowp.dequantize' op input must have a #lowp.block_scaled encoding}}
  %0 = lowp.dequantize %x : tensor<32xf32> to tensor<32xf32>
  return
}

// -----

func.func @f(%x: tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>) {
  // expected-error @below {{'lowp.dequantize' op result must not have an encoding}}
  %0 = lowp.dequantize %x : tensor<32xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
  return
}

// -----

func.func @f(%x: tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>) {
  // expected-error @below {{'lowp.dequantize' op input shape [32] and result shape [16] differ}}
  %0 = lowp.dequantize %x : tensor<32xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<16xf32>
  return
}

// -----

func.func @f(%x: tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>) {
  // expected-error @below {{'lowp.dequantize' op result element type 'i8' must be a floating-point number format or f64}}
  %0 = lowp.dequantize %x : tensor<32xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<32xi8>
  return
}

// -----

func.func @f(%e: tensor<32xf4E2M1FN>, %s: tensor<1xf8E8M0FNU>) {
  // expected-error @below {{'lowp.assemble' op encoded tensor must have a #lowp.block_scaled encoding}}
  %0 = lowp.assemble %e, %s : tensor<32xf4E2M1FN>, tensor<1xf8E8M0FNU> to tensor<32xf4E2M1FN>
  return
}

// -----

func.func @f(%e: tensor<32xf8E4M3FN>, %s: tensor<1xf8E8M0FNU>) {
  // expected-error @below {{'lowp.assemble' op elements must be 'tensor<32xf4E2M1FN>', not 'tensor<32xf8E4M3FN>'}}
  %0 = lowp.assemble %e, %s : tensor<32xf8E4M3FN>, tensor<1xf8E8M0FNU> to tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
  return
}

// -----

func.func @f(%e: tensor<64xf4E2M1FN>, %s: tensor<1xf8E8M0FNU>) {
  // expected-error @below {{'lowp.assemble' op scales must be 'tensor<2xf8E8M0FNU>', not 'tensor<1xf8E8M0FNU>'}}
  %0 = lowp.assemble %e, %s : tensor<64xf4E2M1FN>, tensor<1xf8E8M0FNU> to tensor<64xf4E2M1FN, #lowp.block_scaled<mx>>
  return
}

// -----

func.func @f(%e: tensor<16xf4E2M1FN>, %s: tensor<1xf8E4M3FN>) {
  // expected-error @below {{'lowp.assemble' op the encoding has a tensor scale; give it}}
  %0 = lowp.assemble %e, %s : tensor<16xf4E2M1FN>, tensor<1xf8E4M3FN> to tensor<16xf4E2M1FN, #lowp.block_scaled<nvfp4>>
  return
}

// -----

func.func @f(%e: tensor<32xf4E2M1FN>, %s: tensor<1xf8E8M0FNU>, %t: f32) {
  // expected-error @below {{'lowp.assemble' op the encoding has no tensor scale}}
  %0 = lowp.assemble %e, %s tensor_scale(%t : f32) : tensor<32xf4E2M1FN>, tensor<1xf8E8M0FNU> to tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
  return
}

// -----

func.func @f(%e: tensor<16xf4E2M1FN>, %s: tensor<1xf8E4M3FN>, %t: f16) {
  // expected-error @below {{'lowp.assemble' op tensor scale must be 'f32', not 'f16'}}
  %0 = lowp.assemble %e, %s tensor_scale(%t : f16) : tensor<16xf4E2M1FN>, tensor<1xf8E4M3FN> to tensor<16xf4E2M1FN, #lowp.block_scaled<nvfp4>>
  return
}

// -----

func.func @f(%e: tensor<128xui4>, %s: tensor<1xf16>) {
  // expected-error @below {{'lowp.assemble' op the encoding has zero points; give them}}
  %0 = lowp.assemble %e, %s : tensor<128xui4>, tensor<1xf16> to tensor<128xui4, #lowp.block_scaled<int4_g128>>
  return
}

// -----

func.func @f(%e: tensor<32xf4E2M1FN>, %s: tensor<1xf8E8M0FNU>, %z: tensor<1xui4>) {
  // expected-error @below {{'lowp.assemble' op the encoding has no zero points}}
  %0 = lowp.assemble %e, %s zero_points(%z : tensor<1xui4>) : tensor<32xf4E2M1FN>, tensor<1xf8E8M0FNU> to tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
  return
}

// -----

func.func @f(%e: tensor<128xui4>, %s: tensor<1xf16>, %z: tensor<1xi8>) {
  // expected-error @below {{'lowp.assemble' op zero points must be 'tensor<1xui4>', not 'tensor<1xi8>'}}
  %0 = lowp.assemble %e, %s zero_points(%z : tensor<1xi8>) : tensor<128xui4>, tensor<1xf16> to tensor<128xui4, #lowp.block_scaled<int4_g128>>
  return
}

// -----

func.func @f(%q: tensor<64xf4E2M1FN, #lowp.block_scaled<mx>>) {
  // expected-error @below {{'lowp.disassemble' op scales must be 'tensor<2xf8E8M0FNU>', not 'tensor<2xf32>'}}
  %0:2 = lowp.disassemble %q : tensor<64xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<64xf4E2M1FN>, tensor<2xf32>
  return
}

// -----

func.func @f(%a: tensor<2x2x4x8xf32>, %b: tensor<2x2x8x3xf32>) {
  // expected-error @below {{'lowp.matmul' op operands must have rank 2 (matrices) or 3 (a batch of matrices), not 4}}
  %0 = lowp.matmul %a, %b {accumulator = f32} : tensor<2x2x4x8xf32>, tensor<2x2x8x3xf32> -> tensor<2x2x4x3xf32>
  return
}

// -----

func.func @f(%a: tensor<4x8xf32>, %b: tensor<2x8x3xf32>) {
  // expected-error @below {{'lowp.matmul' op operands and result must have the same rank}}
  %0 = lowp.matmul %a, %b {accumulator = f32} : tensor<4x8xf32>, tensor<2x8x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @f(%a: tensor<4x32xf32>, %b: tensor<32x3xf32>) {
  // expected-error @below {{'lowp.matmul' op result must not have an encoding}}
  %0 = lowp.matmul %a, %b {accumulator = f32} : tensor<4x32xf32>, tensor<32x3xf32> -> tensor<4x3xf32, #lowp.block_scaled<block = [1], scale = f32, rule = absmax>>
  return
}

// -----

func.func @f(%a: tensor<2x4x8xf32>, %b: tensor<3x8x3xf32>) {
  // expected-error @below {{'lowp.matmul' op batch sizes of the operands and result differ}}
  %0 = lowp.matmul %a, %b {accumulator = f32} : tensor<2x4x8xf32>, tensor<3x8x3xf32> -> tensor<2x4x3xf32>
  return
}

// -----

func.func @f(%a: tensor<4x8xf32>, %b: tensor<9x3xf32>) {
  // expected-error @below {{'lowp.matmul' op lhs [4, 8] and rhs [9, 3] disagree on the reduction dimension}}
  %0 = lowp.matmul %a, %b {accumulator = f32} : tensor<4x8xf32>, tensor<9x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @f(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) {
  // expected-error @below {{'lowp.matmul' op result shape [4, 4] is not the product's shape}}
  %0 = lowp.matmul %a, %b {accumulator = f32} : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @f(%a: tensor<4x8xindex>, %b: tensor<8x3xf32>) {
  // expected-error @below {{'lowp.matmul' op lhs element type 'index' is not a number format lowp supports}}
  %0 = lowp.matmul %a, %b {accumulator = f32} : tensor<4x8xindex>, tensor<8x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @f(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) {
  // expected-error @below {{'lowp.matmul' op result element type 'i32' must be a floating-point number format or f64}}
  %0 = lowp.matmul %a, %b {accumulator = f32} : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x3xi32>
  return
}

// -----

func.func @f(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) {
  // expected-error @below {{'lowp.matmul' op accumulator must be f32 or i32, not 'f16'}}
  %0 = lowp.matmul %a, %b {accumulator = f16} : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @f(%a: tensor<4x8xf32>, %b: tensor<8x3xi8>) {
  // expected-error @below {{'lowp.matmul' op an i32 accumulator needs integer operands without an encoding}}
  %0 = lowp.matmul %a, %b {accumulator = i32} : tensor<4x8xf32>, tensor<8x3xi8> -> tensor<4x3xf32>
  return
}

// -----

// i8 x i8 products reach 2^14: 2^17 of them could leave i32.
func.func @f(%a: tensor<1x131072xi8>, %b: tensor<131072x3xi8>) {
  // expected-error @below {{'lowp.matmul' op an i32 accumulator could overflow: 131072 products of magnitude up to 16384 exceed 2^31 - 1; use {accumulator = f32}, or split K into matmuls of at most 131071 and add the results}}
  %0 = lowp.matmul %a, %b {accumulator = i32} : tensor<1x131072xi8>, tensor<131072x3xi8> -> tensor<1x3xf32>
  return
}

// -----

func.func @f(%a: tensor<1x?xi8>, %b: tensor<?x3xi8>) {
  // expected-error @below {{'lowp.matmul' op an i32 accumulator needs a static reduction dimension, so that the sum's range is known}}
  %0 = lowp.matmul %a, %b {accumulator = i32} : tensor<1x?xi8>, tensor<?x3xi8> -> tensor<1x3xf32>
  return
}

// -----

func.func @f(%x: tensor<16xf8E4M3FN>) {
  // expected-error @below {{'lowp.pack' op element type 'f8E4M3FN' is not a number format narrower than 8 bits}}
  %0 = lowp.pack %x : tensor<16xf8E4M3FN> to tensor<16xi8>
  return
}

// -----

func.func @f(%x: tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>) {
  // expected-error @below {{'lowp.pack' op packs tensors without an encoding; pack a block-scaled tensor's parts}}
  %0 = lowp.pack %x : tensor<32xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<16xi8>
  return
}

// -----

func.func @f(%x: tensor<16xf4E2M1FN>) {
  // expected-error @below {{'lowp.pack' op packed bytes must be i8, not 'i16'}}
  %0 = lowp.pack %x : tensor<16xf4E2M1FN> to tensor<8xi16>
  return
}

// -----

func.func @f(%x: tensor<f4E2M1FN>) {
  // expected-error @below {{'lowp.pack' op packed and unpacked tensors must have the same rank of at least 1}}
  %0 = lowp.pack %x : tensor<f4E2M1FN> to tensor<i8>
  return
}

// -----

func.func @f(%x: tensor<4x16xf4E2M1FN>) {
  // expected-error @below {{'lowp.pack' op packed shape [5, 8] and unpacked shape [4, 16] differ outside the innermost dimension}}
  %0 = lowp.pack %x : tensor<4x16xf4E2M1FN> to tensor<5x8xi8>
  return
}

// -----

func.func @f(%x: tensor<?xf4E2M1FN>) {
  // expected-error @below {{'lowp.pack' op the innermost dimension must be static}}
  %0 = lowp.pack %x : tensor<?xf4E2M1FN> to tensor<?xi8>
  return
}

// -----

func.func @f(%x: tensor<5xi8>) {
  // expected-error @below {{'lowp.unpack' op a row of 5 elements of 6 bits packs into 4 bytes, not 5}}
  %0 = lowp.unpack %x : tensor<5xi8> to tensor<5xf6E2M3FN>
  return
}

// -----

// Tests lowp.lookup's C1: a table whose length is not a power of two.
func.func @lookup_table_length(%table: vector<12xf32>, %codes: vector<16xi32>) -> vector<16xf32> {
  // expected-error @below {{'lowp.lookup' op table length 12 is not a power of two}}
  %0 = lowp.lookup %table[%codes] : vector<12xf32>, vector<16xi32> -> vector<16xf32>
  return %0 : vector<16xf32>
}

// -----

// Tests lowp.lookup's C2: i32 indices.
func.func @lookup_index_type(%table: vector<16xf32>, %codes: vector<16xi8>) -> vector<16xf32> {
  // expected-error @below {{'lowp.lookup' op operand #1 must be vector of 32-bit signless integer values, but got 'vector<16xi8>'}}
  %0 = lowp.lookup %table[%codes] : vector<16xf32>, vector<16xi8> -> vector<16xf32>
  return %0 : vector<16xf32>
}

// -----

// Tests that the result has the table's element type.
func.func @lookup_result_type(%table: vector<16xf32>, %codes: vector<16xi32>) -> vector<16xi32> {
  // expected-error @below {{'lowp.lookup' op failed to verify that all of {table, result} have same element type}}
  %0 = lowp.lookup %table[%codes] : vector<16xf32>, vector<16xi32> -> vector<16xi32>
  return %0 : vector<16xi32>
}

// -----

// Tests that with transpose_rhs the reduction runs along rhs's last axis:
// a K x N weight no longer fits.
func.func @matmul_transposed_reduction(%x: tensor<4x64xf32>, %w: tensor<64x16xf32>) -> tensor<4x16xf32> {
  // expected-error @below {{'lowp.matmul' op lhs [4, 64] and rhs [64, 16] disagree on the reduction dimension}}
  %0 = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<4x64xf32>, tensor<64x16xf32> -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Tests that with transpose_rhs the result's columns are rhs's rows.
func.func @matmul_transposed_result(%x: tensor<4x64xf32>, %w: tensor<16x64xf32>) -> tensor<4x64xf32> {
  // expected-error @below {{'lowp.matmul' op result shape [4, 64] is not the product's shape}}
  %0 = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<4x64xf32>, tensor<16x64xf32> -> tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}

// -----

// Tests lowp.relayout's C1: a permutation that names a dimension twice.
func.func @relayout_not_a_permutation(%x: tensor<4x8xf32>) -> tensor<8x4xf32> {
  // expected-error @below {{'lowp.relayout' op permutation [1, 1] is not a permutation of the input's 2 dimensions}}
  %0 = lowp.relayout %x {permutation = array<i64: 1, 1>} : tensor<4x8xf32> to tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

// Tests lowp.relayout's C1: a permutation of the wrong rank.
func.func @relayout_rank(%x: tensor<4x8xf32>) -> tensor<8x4xf32> {
  // expected-error @below {{'lowp.relayout' op permutation [1, 0, 2] is not a permutation of the input's 2 dimensions}}
  %0 = lowp.relayout %x {permutation = array<i64: 1, 0, 2>} : tensor<4x8xf32> to tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

// Tests lowp.relayout's C2: a result shape that is not the permuted one.
func.func @relayout_shape(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{'lowp.relayout' op result must be 'tensor<8x4xf32>' (the input's dimensions and blocks permuted), not 'tensor<4x8xf32>'}}
  %0 = lowp.relayout %x {permutation = array<i64: 1, 0>} : tensor<4x8xf32> to tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests lowp.relayout's C2: blocks that did not move with their elements.
func.func @relayout_blocks(%w: tensor<64x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>)
    -> tensor<64x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> {
  // expected-error @below {{'lowp.relayout' op result must be 'tensor<64x64xf4E2M1FN, #lowp.block_scaled<mx>>' (the input's dimensions and blocks permuted), not 'tensor<64x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>'}}
  %0 = lowp.relayout %w {permutation = array<i64: 1, 0>} : tensor<64x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> to tensor<64x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>
  return %0 : tensor<64x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>
}

// -----

// Tests lowp.relayout's C2: an encoding the input does not have.
func.func @relayout_encoding(%x: tensor<64x32xf4E2M1FN>) -> tensor<32x64xf4E2M1FN, #lowp.block_scaled<mx>> {
  // expected-error @below {{'lowp.relayout' op result must be 'tensor<32x64xf4E2M1FN>' (the input's dimensions and blocks permuted), not 'tensor<32x64xf4E2M1FN, #lowp.block_scaled<mx>>'}}
  %0 = lowp.relayout %x {permutation = array<i64: 1, 0>} : tensor<64x32xf4E2M1FN> to tensor<32x64xf4E2M1FN, #lowp.block_scaled<mx>>
  return %0 : tensor<32x64xf4E2M1FN, #lowp.block_scaled<mx>>
}

// -----

func.func @requantize_plain_input(%x: tensor<32xf32>) -> tensor<32xf4E2M1FN, #lowp.block_scaled<mx>> {
  // expected-error @below {{'lowp.requantize' op input must have a #lowp.block_scaled encoding}}
  %0 = lowp.requantize %x : tensor<32xf32> to tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
  return %0 : tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
}

// -----

func.func @requantize_shapes(%q: tensor<64xf8E4M3FN, #lowp.block_scaled<mx>>) -> tensor<32xf4E2M1FN, #lowp.block_scaled<mx>> {
  // expected-error @below {{'lowp.requantize' op input shape [64] and result shape [32] differ}}
  %0 = lowp.requantize %q : tensor<64xf8E4M3FN, #lowp.block_scaled<mx>> to tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
  return %0 : tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
}

// -----

func.func @requantize_stochastic(%q: tensor<64xf8E4M3FN, #lowp.block_scaled<mx>>) -> tensor<64xf4E2M1FN, #lowp.block_scaled<mx>> {
  // expected-error @below {{'lowp.requantize' op stochastic rounding needs random bits: write lowp.quantize of lowp.dequantize with them}}
  %0 = lowp.requantize %q stochastic : tensor<64xf8E4M3FN, #lowp.block_scaled<mx>> to tensor<64xf4E2M1FN, #lowp.block_scaled<mx>>
  return %0 : tensor<64xf4E2M1FN, #lowp.block_scaled<mx>>
}

// -----

// arith's verifier rejects !lowp.float; lowp says what to write instead.
func.func @arith_on_lowp_float(%x: tensor<4x!lowp.float<e3m3>>) -> tensor<4x!lowp.float<e3m3>> {
  // expected-error @below {{'arith.addf' op operand #0 must be floating-point-like, but got 'tensor<4x!lowp.float<e3m3>>'}}
  // expected-note @below {{arith and math take MLIR's builtin float types; convert !lowp.float and codebook values with lowp.convert (to f32, say), compute, and convert the result back}}
  %r = arith.addf %x, %x : tensor<4x!lowp.float<e3m3>>
  return %r : tensor<4x!lowp.float<e3m3>>
}

// -----

// An encoding on an element type that does not parse (found by
// lowp-fuzz-ir: the parser verified the encoding with a null element type).
func.func @unknown_element(%x: tensor<7xf32>) {
  // expected-error @below {{undefined symbol alias id 'lo32xf4E2M1FN'}}
  return %x : tensor<7x!lo32xf4E2M1FN, #lowp.block_scaled<mx>>
}

// -----

func.func @random_bits_float(%s: i64) -> tensor<4xf32> {
  // expected-error @below {{'lowp.random_bits' op result element type 'f32' is not an integer of 8, 16 or 32 bits (the random bits of each element)}}
  %r = lowp.random_bits %s, %s : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @random_bits_wide(%s: i64) -> tensor<4xi64> {
  // expected-error @below {{'lowp.random_bits' op result element type 'i64' is not an integer of 8, 16 or 32 bits}}
  %r = lowp.random_bits %s, %s : tensor<4xi64>
  return %r : tensor<4xi64>
}

// -----

func.func @random_bits_dynamic(%s: i64) -> tensor<?xi8> {
  // expected-error @below {{'lowp.random_bits' op result type 'tensor<?xi8>' must have a static shape}}
  %r = lowp.random_bits %s, %s : tensor<?xi8>
  return %r : tensor<?xi8>
}

// -----

// The seed and offset are i64.
// expected-note @below {{prior use here}}
func.func @random_bits_seed(%s: i32) -> tensor<4xi8> {
  // expected-error @below {{use of value '%s' expects different type than prior uses: 'i64' vs 'i32'}}
  %r = lowp.random_bits %s, %s : tensor<4xi8>
  return %r : tensor<4xi8>
}

// -----

func.func @hadamard_f16(%x: tensor<4x32xf16>) -> tensor<4x32xf16> {
  // expected-error @below {{'lowp.hadamard' op element type 'f16' is not f32 (convert other formats to f32 first)}}
  %y = lowp.hadamard %x {axis = 1 : i64, block = 32 : i64} : tensor<4x32xf16>
  return %y : tensor<4x32xf16>
}

// -----

func.func @hadamard_block(%x: tensor<4x48xf32>) -> tensor<4x48xf32> {
  // expected-error @below {{'lowp.hadamard' op block 24 is not a power of two from 2 to 1024}}
  %y = lowp.hadamard %x {axis = 1 : i64, block = 24 : i64} : tensor<4x48xf32>
  return %y : tensor<4x48xf32>
}

// -----

func.func @hadamard_axis(%x: tensor<4x32xf32>) -> tensor<4x32xf32> {
  // expected-error @below {{'lowp.hadamard' op axis 2 is not a dimension of 'tensor<4x32xf32>'}}
  %y = lowp.hadamard %x {axis = 2 : i64, block = 32 : i64} : tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// -----

func.func @hadamard_multiple(%x: tensor<4x40xf32>) -> tensor<4x40xf32> {
  // expected-error @below {{'lowp.hadamard' op dimension 1 of 'tensor<4x40xf32>' is not a multiple of the block 16}}
  %y = lowp.hadamard %x {axis = 1 : i64, block = 16 : i64} : tensor<4x40xf32>
  return %y : tensor<4x40xf32>
}

// -----

// expected-error @below {{choices are not available under scale rule 'minmax': its tensor scale or zero points are defined for one element format}}
func.func private @f(tensor<64xui4, #lowp.block_scaled<block = [32], scale = f16, rule = minmax, zero_point = ui4, choices = [i4, ui4]>>)

// -----

// expected-error @below {{choice 1 is 8 bits wide, not the 4 bits of the first: every choice shares the element codes}}
func.func private @f(tensor<64xui4, #lowp.block_scaled<block = [32], scale = f8E8M0FNU, rule = floor, choices = [f4E2M1FN, f8E4M3FN]>>)

// -----

// expected-error @below {{choices must list 2 to 16 element formats, not 1}}
func.func private @f(tensor<64xui4, #lowp.block_scaled<block = [32], scale = f8E8M0FNU, rule = floor, choices = [f4E2M1FN]>>)

// -----

// expected-error @below {{choice 1: element type is logarithmic}}
func.func private @f(tensor<64xui4, #lowp.block_scaled<block = [32], scale = f8E8M0FNU, rule = floor, choices = [f4E2M1FN, !lowp.lns<2, 1>]>>)

// -----

// expected-error @below {{element type of a block-scaled tensor with choices must be ui4, the codes of its 4-bit choices, not 'f4E2M1FN'}}
func.func private @f(tensor<64xf4E2M1FN, #lowp.block_scaled<block = [32], scale = f8E8M0FNU, rule = floor, choices = [f4E2M1FN, i4]>>)

// -----

!mixed = tensor<64xui4, #lowp.block_scaled<block = [32], scale = f8E8M0FNU, rule = floor, choices = [f4E2M1FN, i4]>>
func.func @f(%e: tensor<64xui4>, %s: tensor<2xf8E8M0FNU>) -> !mixed {
  // expected-error @below {{'lowp.assemble' op the encoding has choices; give the selectors}}
  %q = lowp.assemble %e, %s : tensor<64xui4>, tensor<2xf8E8M0FNU> to !mixed
  return %q : !mixed
}

// -----

!mixed = tensor<64xui4, #lowp.block_scaled<block = [32], scale = f8E8M0FNU, rule = floor, choices = [f4E2M1FN, i4]>>
func.func @f(%e: tensor<64xui4>, %s: tensor<2xf8E8M0FNU>, %c: tensor<2xui2>) -> !mixed {
  // expected-error @below {{'lowp.assemble' op selectors must be 'tensor<2xui1>', not 'tensor<2xui2>'}}
  %q = lowp.assemble %e, %s selectors(%c : tensor<2xui2>) : tensor<64xui4>, tensor<2xf8E8M0FNU> to !mixed
  return %q : !mixed
}
