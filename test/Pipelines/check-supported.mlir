// RUN: lowp-opt %s --lowp-cpu-pipeline --split-input-file --verify-diagnostics

// Tests that ops outside lowp, calls, returns and scf's control flow are
// refused at their location when they take a block-scaled tensor, which
// lowers to its parts, instead of failing to legalize later.
func.func @extract(%x: tensor<64xf4E2M1FN, #lowp.block_scaled<mx>>) -> f4E2M1FN {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'tensor.extract' op on a block-scaled tensor is not lowered: lowp.dequantize it first, or take its parts with lowp.disassemble}}
  %e = tensor.extract %x[%c0] : tensor<64xf4E2M1FN, #lowp.block_scaled<mx>>
  return %e : f4E2M1FN
}

// -----

func.func @select(%x: tensor<64xf4E2M1FN, #lowp.block_scaled<mx>>, %y: tensor<64xf4E2M1FN, #lowp.block_scaled<mx>>, %c: i1) -> tensor<64xf4E2M1FN, #lowp.block_scaled<mx>> {
  // expected-error @below {{'arith.select' op on a block-scaled tensor is not lowered: lowp.dequantize it first, or take its parts with lowp.disassemble (or choose between whole tensors with scf.if)}}
  %s = arith.select %c, %x, %y : tensor<64xf4E2M1FN, #lowp.block_scaled<mx>>
  return %s : tensor<64xf4E2M1FN, #lowp.block_scaled<mx>>
}

// -----

func.func @collapse(%x: tensor<2x32xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>) -> tensor<64xf4E2M1FN, #lowp.block_scaled<mx>> {
  // expected-error @below {{'tensor.collapse_shape' op on a block-scaled tensor is not lowered}}
  %s = tensor.collapse_shape %x [[0, 1]] : tensor<2x32xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>> into tensor<64xf4E2M1FN, #lowp.block_scaled<mx>>
  return %s : tensor<64xf4E2M1FN, #lowp.block_scaled<mx>>
}

// -----

// A scale that is not a power of two has no meaning upstream and none here.
func.func @scaling_e4m3(%x: tensor<4xf32>, %s: tensor<4xf8E4M3FN>) -> tensor<4xf4E2M1FN> {
  // expected-error @below {{'arith.scaling_truncf' op with a 'f8E4M3FN' scale is not lowered: the scale is read as a power of two, so it is f8E8M0FNU or a float of 16 or more bits (rounded into f8E8M0FNU); for other block scales use lowp.quantize or lowp.dequantize with a #lowp.block_scaled encoding}}
  %r = arith.scaling_truncf %x, %s : tensor<4xf32>, tensor<4xf8E4M3FN> to tensor<4xf4E2M1FN>
  return %r : tensor<4xf4E2M1FN>
}

// -----

// An op convert-lowp-to-linalg has no lowering for is named at its
// location, not reported as MLIR's "failed to legalize".
func.func @load(%m: memref<8xf8E4M3FN>) -> f8E4M3FN {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'memref.load' on these types is not lowered by lowp yet (docs/Lowering.md, "Not lowered yet")}}
  %v = memref.load %m[%c0] : memref<8xf8E4M3FN>
  return %v : f8E4M3FN
}
