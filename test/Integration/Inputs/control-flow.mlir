// Low-precision and block-scaled tensors carried by scf.for, scf.if and
// scf.while, and their elements moved by tensor.extract, tensor.insert and
// tensor.from_elements (control-flow.test runs each function compiled and
// in the reference interpreter).

!mxfp4 = tensor<64xf4E2M1FN, #lowp.block_scaled<mx>>

// x doubled n times, rounded into E4M3FN after each step.
func.func @double_e4m3(%x: tensor<8xf8E4M3FN>, %n32: i32) -> tensor<8xf8E4M3FN> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.index_cast %n32 : i32 to index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%a = %x) -> tensor<8xf8E4M3FN> {
    %f = lowp.convert %a : tensor<8xf8E4M3FN> to tensor<8xf32>
    %g = arith.addf %f, %f : tensor<8xf32>
    %h = lowp.convert %g : tensor<8xf32> to tensor<8xf8E4M3FN>
    scf.yield %h : tensor<8xf8E4M3FN>
  }
  return %r : tensor<8xf8E4M3FN>
}

// -x where c holds, x itself otherwise.
func.func @negate_if_fp4(%x: tensor<8xf4E2M1FN>, %c: i1) -> tensor<8xf4E2M1FN> {
  %r = scf.if %c -> tensor<8xf4E2M1FN> {
    %f = lowp.convert %x : tensor<8xf4E2M1FN> to tensor<8xf32>
    %g = arith.negf %f : tensor<8xf32>
    %h = lowp.convert %g : tensor<8xf32> to tensor<8xf4E2M1FN>
    scf.yield %h : tensor<8xf4E2M1FN>
  } else {
    scf.yield %x : tensor<8xf4E2M1FN>
  }
  return %r : tensor<8xf4E2M1FN>
}

// An MXFP4 tensor scaled by 1.5 and requantized n times: its elements and
// scales both travel through the loop.
func.func @scale_mxfp4(%x: !mxfp4, %n32: i32) -> !mxfp4 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.index_cast %n32 : i32 to index
  %k = arith.constant dense<1.5> : tensor<64xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%a = %x) -> !mxfp4 {
    %f = lowp.dequantize %a : !mxfp4 to tensor<64xf32>
    %g = arith.mulf %f, %k : tensor<64xf32>
    %h = lowp.quantize %g : tensor<64xf32> to !mxfp4
    scf.yield %h : !mxfp4
  }
  return %r : !mxfp4
}

// Doubles x in E5M2 while its first element is below 100, and counts the
// steps.
func.func @grow_e5m2(%x: tensor<4xf8E5M2>) -> (tensor<4xf8E5M2>, i32) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0 : i32
  %one = arith.constant 1 : i32
  %limit = arith.constant 100.0 : f32
  %r:2 = scf.while (%a = %x, %n = %zero) : (tensor<4xf8E5M2>, i32) -> (tensor<4xf8E5M2>, i32) {
    %f = lowp.convert %a : tensor<4xf8E5M2> to tensor<4xf32>
    %first = tensor.extract %f[%c0] : tensor<4xf32>
    %below = arith.cmpf olt, %first, %limit : f32
    scf.condition(%below) %a, %n : tensor<4xf8E5M2>, i32
  } do {
  ^bb0(%a: tensor<4xf8E5M2>, %n: i32):
    %f = lowp.convert %a : tensor<4xf8E5M2> to tensor<4xf32>
    %g = arith.addf %f, %f : tensor<4xf32>
    %h = lowp.convert %g : tensor<4xf32> to tensor<4xf8E5M2>
    %m = arith.addi %n, %one : i32
    scf.yield %h, %m : tensor<4xf8E5M2>, i32
  }
  return %r#0, %r#1 : tensor<4xf8E5M2>, i32
}

// t[i] and t[0] as a new tensor, and t with t[i] written over t[3]: codes
// of a packed 6-bit format moved one by one.
func.func @elements_fp6(%t: tensor<4xf6E2M3FN>, %i32: i32) -> (tensor<2xf6E2M3FN>, tensor<4xf6E2M3FN>) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %i = arith.index_cast %i32 : i32 to index
  %e = tensor.extract %t[%i] : tensor<4xf6E2M3FN>
  %first = tensor.extract %t[%c0] : tensor<4xf6E2M3FN>
  %pair = tensor.from_elements %e, %first : tensor<2xf6E2M3FN>
  %w = tensor.insert %e into %t[%c3] : tensor<4xf6E2M3FN>
  return %pair, %w : tensor<2xf6E2M3FN>, tensor<4xf6E2M3FN>
}

// i1 at the boundary, as numpy bool: a comparison, an xor with an
// argument, and one random bit a value for stochastic rounding (i1 and
// ui1 alike).
func.func @booleans(%x: tensor<8xf32>, %b: tensor<8xi1>, %u: tensor<8xui1>) -> (tensor<8xi1>, tensor<8xi1>, tensor<8xf4E2M1FN>, tensor<8xf4E2M1FN>) {
  %z = arith.constant dense<0.0> : tensor<8xf32>
  %c = arith.cmpf olt, %x, %z : tensor<8xf32>
  %d = arith.xori %c, %b : tensor<8xi1>
  %y = lowp.convert %x random(%b : tensor<8xi1>) stochastic : tensor<8xf32> to tensor<8xf4E2M1FN>
  %w = lowp.convert %x random(%u : tensor<8xui1>) stochastic : tensor<8xf32> to tensor<8xf4E2M1FN>
  return %c, %d, %y, %w : tensor<8xi1>, tensor<8xi1>, tensor<8xf4E2M1FN>, tensor<8xf4E2M1FN>
}
