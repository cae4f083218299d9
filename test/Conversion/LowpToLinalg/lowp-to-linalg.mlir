// RUN: lowp-opt %s --convert-lowp-to-linalg --split-input-file | FileCheck %s

// Tests that a conversion becomes one elementwise linalg.generic whose
// result holds codes in the storage type (i8 for FP8).
// CHECK-LABEL: func.func @convert
// CHECK-SAME: (%[[X:.+]]: tensor<8x4xf32>) -> tensor<8x4xi8>
// CHECK: %[[E:.+]] = tensor.empty() : tensor<8x4xi8>
// CHECK: %[[G:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[X]] : tensor<8x4xf32>) outs(%[[E]] : tensor<8x4xi8>)
// CHECK: linalg.yield %{{.+}} : i8
// CHECK: return %[[G]]
func.func @convert(%x: tensor<8x4xf32>) -> tensor<8x4xf8E4M3FN> {
  %0 = lowp.convert %x : tensor<8x4xf32> to tensor<8x4xf8E4M3FN>
  return %0 : tensor<8x4xf8E4M3FN>
}

// -----

// Tests that a block-scaled argument becomes its parts in the signature
// (the tensor scale as a 0-d tensor) and that dequantize to a format other
// than f32 (no vector kernel: the result is rounded from f64) reads each
// element's block scale through a floordiv indexing map.
// CHECK: #[[$BLOCK:.+]] = affine_map<(d0, d1) -> (d0, d1 floordiv 16)>
// CHECK-LABEL: func.func @dequantize
// CHECK-SAME: (%[[E:.+]]: tensor<2x32xi8>, %[[S:.+]]: tensor<2x2xi8>, %[[T:.+]]: tensor<f32>) -> tensor<2x32xi16>
// CHECK: linalg.generic
// CHECK-SAME: #[[$BLOCK]]
// CHECK-SAME: ins(%[[E]], %[[S]] : tensor<2x32xi8>, tensor<2x2xi8>)
func.func @dequantize(%q: tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>>) -> tensor<2x32xbf16> {
  %0 = lowp.dequantize %q : tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>> to tensor<2x32xbf16>
  return %0 : tensor<2x32xbf16>
}

// -----

// Tests the shape of elementwise quantization (stochastic rounding, which
// the vector kernel does not take): blocks become an expanded dimension
// pair, amax is a reduction over the block dimensions, and the elements are
// collapsed back.
// CHECK-LABEL: func.func @quantize
// CHECK-SAME: (%{{.+}}: tensor<4x64xf32>, %{{.+}}: tensor<4x64xi8>) -> (tensor<4x64xi8>, tensor<4x2xi8>)
// CHECK: %[[X:.+]] = tensor.expand_shape %{{.+}} {{\[\[}}0, 1], [2, 3]] output_shape [4, 1, 2, 32]
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction", "parallel", "reduction"]
// CHECK-SAME: ins(%[[X]] : tensor<4x1x2x32xf32>)
// CHECK: arith.maximumf
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2, 3]] : tensor<4x1x2x32xi8> into tensor<4x64xi8>
func.func @quantize(%x: tensor<4x64xf32>, %r: tensor<4x64xi8>) -> tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>> {
  %0 = lowp.quantize %x random(%r : tensor<4x64xi8>) stochastic : tensor<4x64xf32> to tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>
  return %0 : tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>
}

// -----

// Tests that assemble and disassemble only regroup the parts.
// CHECK-LABEL: func.func @parts
// CHECK-SAME: (%[[E:.+]]: tensor<32xi8>, %[[S:.+]]: tensor<1xi8>) -> (tensor<32xi8>, tensor<1xi8>)
// CHECK-NEXT: return %[[E]], %[[S]]
func.func @parts(%e: tensor<32xf4E2M1FN>, %s: tensor<1xf8E8M0FNU>) -> (tensor<32xf4E2M1FN>, tensor<1xf8E8M0FNU>) {
  %q = lowp.assemble %e, %s : tensor<32xf4E2M1FN>, tensor<1xf8E8M0FNU> to tensor<32xf4E2M1FN, #lowp.block_scaled<mx>>
  %e2, %s2 = lowp.disassemble %q : tensor<32xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<32xf4E2M1FN>, tensor<1xf8E8M0FNU>
  return %e2, %s2 : tensor<32xf4E2M1FN>, tensor<1xf8E8M0FNU>
}

// -----

// Tests that a low-precision constant keeps its bits in storage.
// CHECK-LABEL: func.func @constant
// CHECK: arith.constant dense<[126, 127, -128]> : tensor<3xi8>
func.func @constant() -> tensor<3xf8E4M3FN> {
  %c = arith.constant dense<[448.0, 0x7F, -0.0]> : tensor<3xf8E4M3FN>
  return %c : tensor<3xf8E4M3FN>
}

// -----

// Tests a matmul whose weight blocks run along N, not K, so that no scale
// factors out of the dot product: the weights are dequantized to f32 and
// multiplied in a loop nest m, k, n, whose innermost loop runs along rows
// of the weight and of the result. (Blocks along K: matmul-kernel.mlir.)
// CHECK-DAG: #[[$LHS:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$RHS:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @matmul
// CHECK: %[[W:.+]] = linalg.generic
// CHECK: %[[Z:.+]] = linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$OUT]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.+}}, %[[W]] : tensor<4x64xf32>, tensor<64x16xf32>) outs(%[[Z]] : tensor<4x16xf32>)
// CHECK-NEXT: ^bb0(%[[A:.+]]: f32, %[[B:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK-NEXT: %[[P:.+]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
func.func @matmul(%x: tensor<4x64xf32>, %w: tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [1, 8], scale = f8E8M0FNU, rule = floor>>) -> tensor<4x16xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<4x64xf32>, tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [1, 8], scale = f8E8M0FNU, rule = floor>> -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Tests that ops that only place codes lower as the same op on storage:
// the fill, pad and splat values are the codes of 1.5 (0x3C) and -3 (0xD);
// a broadcast of a constant folds into a vector constant of codes.
// CHECK-LABEL: func.func @placing
// CHECK-SAME:      %[[A:[^:]+]]: i8
// CHECK-DAG:     %[[C:.+]] = arith.constant 60 : i8
// CHECK-DAG:     %[[P:.+]] = arith.constant 13 : i8
// CHECK-DAG:     %[[V:.+]] = arith.constant dense<60> : vector<16xi8>
// CHECK:         linalg.fill ins(%[[C]] : i8) outs(%{{.+}} : tensor<8xi8>) -> tensor<8xi8>
// CHECK:         tensor.pad %{{.+}} low[1] high[2]
// CHECK:           tensor.yield %[[P]] : i8
// CHECK:         } : tensor<4xi8> to tensor<7xi8>
// CHECK:         tensor.splat %[[A]] : tensor<2x3xi8>
// CHECK:         %[[B:.+]] = vector.broadcast %[[A]] : i8 to vector<16xi8>
// CHECK:         vector.transfer_write %[[B]]
// CHECK:         vector.transfer_write %[[V]]
func.func @placing(%a: f8E4M3FN, %t: tensor<8xf8E4M3FN>, %x: tensor<4xf4E2M1FN>, %w: tensor<16xf8E4M3FN>) -> (tensor<8xf8E4M3FN>, tensor<7xf4E2M1FN>, tensor<2x3xf8E4M3FN>, tensor<16xf8E4M3FN>) {
  %c = arith.constant 1.5 : f8E4M3FN
  %m = arith.constant -3.0 : f4E2M1FN
  %f = linalg.fill ins(%c : f8E4M3FN) outs(%t : tensor<8xf8E4M3FN>) -> tensor<8xf8E4M3FN>
  %p = tensor.pad %x low[1] high[2] {
  ^bb0(%i: index):
    tensor.yield %m : f4E2M1FN
  } : tensor<4xf4E2M1FN> to tensor<7xf4E2M1FN>
  %s = tensor.splat %a : tensor<2x3xf8E4M3FN>
  %c0 = arith.constant 0 : index
  %v = vector.broadcast %a : f8E4M3FN to vector<16xf8E4M3FN>
  %o = vector.transfer_write %v, %w[%c0] {in_bounds = [true]} : vector<16xf8E4M3FN>, tensor<16xf8E4M3FN>
  %k = vector.broadcast %c : f8E4M3FN to vector<16xf8E4M3FN>
  %q = vector.transfer_write %k, %o[%c0] {in_bounds = [true]} : vector<16xf8E4M3FN>, tensor<16xf8E4M3FN>
  return %f, %p, %s, %q : tensor<8xf8E4M3FN>, tensor<7xf4E2M1FN>, tensor<2x3xf8E4M3FN>, tensor<16xf8E4M3FN>
}
