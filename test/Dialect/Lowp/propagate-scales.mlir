// RUN: lowp-opt %s --lowp-propagate-scales --split-input-file | FileCheck %s

!mx = tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

// Tests that a matmul of a weight dequantized to f32 reads the encoded
// weight, and that the dequantize, now dead, is gone.
// CHECK-LABEL: func.func @dequantized_weight(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4x64xf32>, %[[Q:[^:]+]]: tensor<64x16xf4E2M1FN
// CHECK-NOT:     lowp.dequantize
// CHECK:         lowp.matmul %[[X]], %[[Q]] {accumulator = f32} : tensor<4x64xf32>, tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<4x16xf32>
func.func @dequantized_weight(%x: tensor<4x64xf32>, %q: !mx) -> tensor<4x16xf32> {
  %w = lowp.dequantize %q : !mx to tensor<64x16xf32>
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<4x64xf32>, tensor<64x16xf32> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

!mx = tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

// Tests that a dequantize with other uses stays for them.
// CHECK-LABEL: func.func @shared_dequantize(
// CHECK-SAME:      %{{[^:]+}}: tensor<4x64xf32>, %[[Q:[^:]+]]: tensor<64x16xf4E2M1FN
// CHECK:         %[[W:.+]] = lowp.dequantize %[[Q]]
// CHECK:         %[[Y:.+]] = lowp.matmul %{{.+}}, %[[Q]]
// CHECK:         return %[[Y]], %[[W]]
func.func @shared_dequantize(%x: tensor<4x64xf32>, %q: !mx) -> (tensor<4x16xf32>, tensor<64x16xf32>) {
  %w = lowp.dequantize %q : !mx to tensor<64x16xf32>
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<4x64xf32>, tensor<64x16xf32> -> tensor<4x16xf32>
  return %y, %w : tensor<4x16xf32>, tensor<64x16xf32>
}

// -----

!mx = tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

// Tests that a dequantize to bf16 is kept: the matmul rounds its operands
// to f32, and a bf16 operand has been rounded further.
// CHECK-LABEL: func.func @bf16_dequantize(
// CHECK:         %[[W:.+]] = lowp.dequantize
// CHECK:         lowp.matmul %{{.+}}, %[[W]]
func.func @bf16_dequantize(%x: tensor<4x64xf32>, %q: !mx) -> tensor<4x16xf32> {
  %w = lowp.dequantize %q : !mx to tensor<64x16xbf16>
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<4x64xf32>, tensor<64x16xbf16> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

!nk = tensor<16x64xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>

// Tests the same on an N x K weight and a dequantized activation.
// CHECK-LABEL: func.func @both_operands(
// CHECK-SAME:      %[[A:[^:]+]]: tensor<4x64xf4E2M1FN, {{.+}}>, %[[Q:[^:]+]]: tensor<16x64xf4E2M1FN
// CHECK:         lowp.matmul %[[A]], %[[Q]] {accumulator = f32, transpose_rhs}
func.func @both_operands(%a: tensor<4x64xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>, %q: !nk) -> tensor<4x16xf32> {
  %x = lowp.dequantize %a : tensor<4x64xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>> to tensor<4x64xf32>
  %w = lowp.dequantize %q : !nk to tensor<16x64xf32>
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<4x64xf32>, tensor<16x64xf32> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

!nvfp4 = tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [16, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>>
!int4 = tensor<128x16xui4, #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>>

// Tests NVFP4 (a tensor scale) and int4-g128 (zero points) weights: the
// matmuls read them encoded, tensor scale and zero points included.
// CHECK-LABEL: func.func @nvfp4_and_int4(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4x64xf32>, %[[N:[^:]+]]: tensor<64x16xf4E2M1FN, {{.+}}>, %[[H:[^:]+]]: tensor<4x128xf32>, %[[I:[^:]+]]: tensor<128x16xui4, {{.+}}>)
// CHECK-NOT:     lowp.dequantize
// CHECK:         lowp.matmul %[[X]], %[[N]] {accumulator = f32} : tensor<4x64xf32>, tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [16, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>> -> tensor<4x16xf32>
// CHECK:         lowp.matmul %[[H]], %[[I]] {accumulator = f32} : tensor<4x128xf32>, tensor<128x16xui4, #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>> -> tensor<4x16xf32>
func.func @nvfp4_and_int4(%x: tensor<4x64xf32>, %n: !nvfp4, %h: tensor<4x128xf32>, %i: !int4) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %wn = lowp.dequantize %n : !nvfp4 to tensor<64x16xf32>
  %wi = lowp.dequantize %i : !int4 to tensor<128x16xf32>
  %y = lowp.matmul %x, %wn {accumulator = f32} : tensor<4x64xf32>, tensor<64x16xf32> -> tensor<4x16xf32>
  %z = lowp.matmul %h, %wi {accumulator = f32} : tensor<4x128xf32>, tensor<128x16xf32> -> tensor<4x16xf32>
  return %y, %z : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

!tiles = tensor<64x32xf8E4M3FN, #lowp.block_scaled<block = [16, 16], scale = f32, rule = absmax>>

// Tests 2D blocks, which no matmul kernel covers yet: the matmul still
// reads the encoded weight (lowp-vectorize or convert-lowp-to-linalg
// dequantize it where they lower it), so the pattern does not depend on
// what the kernels cover.
// CHECK-LABEL: func.func @tiles(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<2x64xf32>, %[[Q:[^:]+]]: tensor<64x32xf8E4M3FN, {{.+}}>)
// CHECK-NEXT:    %[[Y:.+]] = lowp.matmul %[[X]], %[[Q]] {accumulator = f32} : tensor<2x64xf32>, tensor<64x32xf8E4M3FN, #lowp.block_scaled<block = [16, 16], scale = f32, rule = absmax>> -> tensor<2x32xf32>
// CHECK-NEXT:    return %[[Y]]
func.func @tiles(%x: tensor<2x64xf32>, %q: !tiles) -> tensor<2x32xf32> {
  %w = lowp.dequantize %q : !tiles to tensor<64x32xf32>
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<2x64xf32>, tensor<64x32xf32> -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}

// -----

!mx = tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

// Tests mixed operands: a bf16 activation stays as it is (it is already
// plain) and the MX weight is read encoded.
// CHECK-LABEL: func.func @mixed(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4x64xbf16>, %[[Q:[^:]+]]: tensor<64x16xf4E2M1FN
// CHECK:         lowp.matmul %[[X]], %[[Q]] {accumulator = f32} : tensor<4x64xbf16>, tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<4x16xf32>
func.func @mixed(%x: tensor<4x64xbf16>, %q: !mx) -> tensor<4x16xf32> {
  %w = lowp.dequantize %q : !mx to tensor<64x16xf32>
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<4x64xbf16>, tensor<64x16xf32> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

!nk = tensor<16x64xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>

// Tests PyTorch's x @ W.T on an N x K weight, as importers write it (the
// weight dequantized, then transposed): the matmul reads the encoded
// weight as stored, through transpose_rhs, with no dequantize or transpose
// left.
// CHECK-LABEL: func.func @linear(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4x64xf32>, %[[Q:[^:]+]]: tensor<16x64xf4E2M1FN
// CHECK-NOT:     lowp.dequantize
// CHECK-NOT:     linalg.transpose
// CHECK-NOT:     lowp.relayout
// CHECK:         lowp.matmul %[[X]], %[[Q]] {accumulator = f32, transpose_rhs} : tensor<4x64xf32>, tensor<16x64xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>> -> tensor<4x16xf32>
func.func @linear(%x: tensor<4x64xf32>, %q: !nk) -> tensor<4x16xf32> {
  %w = lowp.dequantize %q : !nk to tensor<16x64xf32>
  %init = tensor.empty() : tensor<64x16xf32>
  %wt = linalg.transpose ins(%w : tensor<16x64xf32>) outs(%init : tensor<64x16xf32>) permutation = [1, 0]
  %y = lowp.matmul %x, %wt {accumulator = f32} : tensor<4x64xf32>, tensor<64x16xf32> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

!q = tensor<2x16x64xf4E2M1FN, #lowp.block_scaled<block = [1, 1, 16], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>>

// Tests a batched weight relaid out and already transpose_rhs: the swap
// of its matrix axes undoes transpose_rhs, and the NVFP4 blocks (with the
// tensor scale) move with their elements.
// CHECK-LABEL: func.func @batched_relayout(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<2x4x16xf32>, %[[Q:[^:]+]]: tensor<2x16x64xf4E2M1FN
// CHECK-NOT:     lowp.dequantize
// CHECK-NOT:     lowp.relayout
// CHECK:         lowp.matmul %[[X]], %[[Q]] {accumulator = f32} : tensor<2x4x16xf32>, tensor<2x16x64xf4E2M1FN, #lowp.block_scaled<block = [1, 1, 16], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>> -> tensor<2x4x64xf32>
func.func @batched_relayout(%x: tensor<2x4x16xf32>, %q: !q) -> tensor<2x4x64xf32> {
  %w = lowp.dequantize %q : !q to tensor<2x16x64xf32>
  %wt = lowp.relayout %w {permutation = array<i64: 0, 2, 1>} : tensor<2x16x64xf32> to tensor<2x64x16xf32>
  %y = lowp.matmul %x, %wt {accumulator = f32, transpose_rhs} : tensor<2x4x16xf32>, tensor<2x64x16xf32> -> tensor<2x4x64xf32>
  return %y : tensor<2x4x64xf32>
}

// -----

!q = tensor<16x2x64xf4E2M1FN, #lowp.block_scaled<block = [1, 1, 32], scale = f8E8M0FNU, rule = floor>>

// Tests a permutation that moves the batch axis: not what transpose_rhs
// says, so the matmul keeps a transposed operand, but the dequantize moves
// after the relayout (of the encoded weight, its blocks permuted along)
// and then into the matmul.
// CHECK-LABEL: func.func @batch_moved(
// CHECK-SAME:      %{{[^:]+}}: tensor<2x4x16xf32>, %[[Q:[^:]+]]: tensor<16x2x64xf4E2M1FN
// CHECK:         %[[R:.+]] = lowp.relayout %[[Q]] {permutation = array<i64: 1, 0, 2>} : tensor<16x2x64xf4E2M1FN, #lowp.block_scaled<block = [1, 1, 32], scale = f8E8M0FNU, rule = floor>> to tensor<2x16x64xf4E2M1FN, #lowp.block_scaled<mx>>
// CHECK-NOT:     lowp.dequantize
// CHECK:         lowp.matmul %{{.+}}, %[[R]] {accumulator = f32}
func.func @batch_moved(%x: tensor<2x4x16xf32>, %q: !q) -> tensor<2x4x64xf32> {
  %w = lowp.dequantize %q : !q to tensor<16x2x64xf32>
  %wt = lowp.relayout %w {permutation = array<i64: 1, 0, 2>} : tensor<16x2x64xf32> to tensor<2x16x64xf32>
  %y = lowp.matmul %x, %wt {accumulator = f32} : tensor<2x4x16xf32>, tensor<2x16x64xf32> -> tensor<2x4x64xf32>
  return %y : tensor<2x4x64xf32>
}

// -----

!nk = tensor<16x64xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>

// Tests that a dequantize the program also returns is not moved: the
// weight would be dequantized twice. The transpose still folds into
// transpose_rhs.
// CHECK-LABEL: func.func @shared_before_transpose(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4x64xf32>, %[[Q:[^:]+]]: tensor<16x64xf4E2M1FN
// CHECK:         %[[W:.+]] = lowp.dequantize %[[Q]]
// CHECK-NOT:     linalg.transpose
// CHECK:         %[[Y:.+]] = lowp.matmul %[[X]], %[[Q]] {accumulator = f32, transpose_rhs}
// CHECK:         return %[[Y]], %[[W]]
func.func @shared_before_transpose(%x: tensor<4x64xf32>, %q: !nk) -> (tensor<4x16xf32>, tensor<16x64xf32>) {
  %w = lowp.dequantize %q : !nk to tensor<16x64xf32>
  %init = tensor.empty() : tensor<64x16xf32>
  %wt = linalg.transpose ins(%w : tensor<16x64xf32>) outs(%init : tensor<64x16xf32>) permutation = [1, 0]
  %y = lowp.matmul %x, %wt {accumulator = f32} : tensor<4x64xf32>, tensor<64x16xf32> -> tensor<4x16xf32>
  return %y, %w : tensor<4x16xf32>, tensor<16x64xf32>
}

// -----

// Tests that a plain f32 weight transposed for a matmul is read as stored.
// CHECK-LABEL: func.func @plain_transpose(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4x64xf32>, %[[W:[^:]+]]: tensor<16x64xf32>
// CHECK-NOT:     linalg.transpose
// CHECK:         lowp.matmul %[[X]], %[[W]] {accumulator = f32, transpose_rhs} : tensor<4x64xf32>, tensor<16x64xf32> -> tensor<4x16xf32>
func.func @plain_transpose(%x: tensor<4x64xf32>, %w: tensor<16x64xf32>) -> tensor<4x16xf32> {
  %init = tensor.empty() : tensor<64x16xf32>
  %wt = linalg.transpose ins(%w : tensor<16x64xf32>) outs(%init : tensor<64x16xf32>) permutation = [1, 0]
  %y = lowp.matmul %x, %wt {accumulator = f32} : tensor<4x64xf32>, tensor<64x16xf32> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

!q = tensor<2x32xf4E2M1FN, #lowp.block_scaled<block = [1, 16], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>>

// Tests that relu stays after the dequantize when scales may be negative
// (E4M3, and an f32 tensor scale) and for maxnumf, which turns a NaN
// product into 0: neither is relu of the elements.
// CHECK-LABEL: func.func @relu_not_moved(
// CHECK-NOT:     lowp.disassemble
// CHECK:         %[[D:.+]] = lowp.dequantize
// CHECK:         arith.maximumf %[[D]]
// CHECK:         arith.maxnumf
func.func @relu_not_moved(%q: !q, %p: tensor<2x64xf4E2M1FN, #lowp.block_scaled<mx>>) -> (tensor<2x32xf32>, tensor<2x64xf32>) {
  %d = lowp.dequantize %q : !q to tensor<2x32xf32>
  %z = arith.constant dense<0.0> : tensor<2x32xf32>
  %r = arith.maximumf %d, %z : tensor<2x32xf32>
  %e = lowp.dequantize %p : tensor<2x64xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<2x64xf32>
  %z2 = arith.constant dense<0.0> : tensor<2x64xf32>
  %s = arith.maxnumf %e, %z2 : tensor<2x64xf32>
  return %r, %s : tensor<2x32xf32>, tensor<2x64xf32>
}

// -----

!tiles = tensor<32x32xf8E4M3FN, #lowp.block_scaled<block = [16, 16], scale = f32, rule = absmax>>

// Tests that reshapes which would split a block stay after the dequantize:
// 16 x 16 tiles in rows of 32 are not runs of the collapsed dimension, and
// 32 elements along a row do not fit rows of 24.
// CHECK-LABEL: func.func @reshape_splits_blocks(
// CHECK:         %[[D:.+]] = lowp.dequantize %{{.+}} : tensor<32x32xf8E4M3FN
// CHECK:         tensor.collapse_shape %[[D]]
// CHECK:         %[[E:.+]] = lowp.dequantize %{{.+}} : tensor<2x96xf4E2M1FN
// CHECK:         tensor.expand_shape %[[E]]
func.func @reshape_splits_blocks(%q: !tiles, %p: tensor<2x96xf4E2M1FN, #lowp.block_scaled<mx>>) -> (tensor<1024xf32>, tensor<2x4x24xf32>) {
  %d = lowp.dequantize %q : !tiles to tensor<32x32xf32>
  %c = tensor.collapse_shape %d [[0, 1]] : tensor<32x32xf32> into tensor<1024xf32>
  %e = lowp.dequantize %p : tensor<2x96xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<2x96xf32>
  %x = tensor.expand_shape %e [[0], [1, 2]] output_shape [2, 4, 24] : tensor<2x96xf32> into tensor<2x4x24xf32>
  return %c, %x : tensor<1024xf32>, tensor<2x4x24xf32>
}

// -----

!int4 = tensor<128x16xui4, #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>>
!mx = tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

// Tests that a scaled operand stays scaled when the factor is not a power
// of two (3 times a value is rounded), and when the scaled values may leave
// f32's range (E8M0 scales reach 2^127) without fastmath<reassoc>.
// CHECK-LABEL: func.func @scaling_kept(
// CHECK:         %[[D:.+]] = lowp.dequantize %{{.+}} : tensor<128x16xui4
// CHECK:         %[[S:.+]] = arith.mulf %[[D]]
// CHECK:         lowp.matmul %{{.+}}, %[[S]]
// CHECK:         %[[E:.+]] = lowp.dequantize %{{.+}} : tensor<64x16xf4E2M1FN
// CHECK:         %[[T:.+]] = arith.mulf %[[E]]
// CHECK:         lowp.matmul %{{.+}}, %[[T]]
func.func @scaling_kept(%x: tensor<3x128xf32>, %q: !int4, %h: tensor<3x64xf32>, %p: !mx) -> (tensor<3x16xf32>, tensor<3x16xf32>) {
  %w = lowp.dequantize %q : !int4 to tensor<128x16xf32>
  %three = arith.constant dense<3.0> : tensor<128x16xf32>
  %s = arith.mulf %w, %three : tensor<128x16xf32>
  %y = lowp.matmul %x, %s {accumulator = f32} : tensor<3x128xf32>, tensor<128x16xf32> -> tensor<3x16xf32>
  %v = lowp.dequantize %p : !mx to tensor<64x16xf32>
  %half = arith.constant dense<0.5> : tensor<64x16xf32>
  %t = arith.mulf %v, %half : tensor<64x16xf32>
  %z = lowp.matmul %h, %t {accumulator = f32} : tensor<3x64xf32>, tensor<64x16xf32> -> tensor<3x16xf32>
  return %y, %z : tensor<3x16xf32>, tensor<3x16xf32>
}

// -----

!mx = tensor<64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

// Tests that a weight broadcast along the batch of a matmul is not copied:
// the B x M rows meet it in one matrix product. And that elsewhere a
// broadcast dequantize becomes a broadcast of the parts.
// CHECK-LABEL: func.func @broadcasts(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<2x3x64xf32>, %[[Q:[^:]+]]: tensor<64x16xf4E2M1FN
// CHECK:         %[[R:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<2x3x64xf32> into tensor<6x64xf32>
// CHECK:         %[[Y:.+]] = lowp.matmul %[[R]], %[[Q]] {accumulator = f32} : tensor<6x64xf32>, tensor<64x16xf4E2M1FN, {{.+}}> -> tensor<6x16xf32>
// CHECK:         %[[Z:.+]] = tensor.expand_shape %[[Y]] {{\[\[}}0, 1], [2]] output_shape [2, 3, 16]
// CHECK:         %[[E:.+]], %[[S:.+]] = lowp.disassemble %[[Q]]
// CHECK:         linalg.broadcast ins(%[[E]] : tensor<64x16xf4E2M1FN>) outs(%{{.+}} : tensor<4x64x16xf4E2M1FN>) dimensions = [0]
// CHECK:         linalg.broadcast ins(%[[S]] : tensor<2x16xf8E8M0FNU>) outs(%{{.+}} : tensor<4x2x16xf8E8M0FNU>) dimensions = [0]
// CHECK:         %[[B:.+]] = lowp.dequantize %{{.+}} : tensor<4x64x16xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> to tensor<4x64x16xf32>
// CHECK:         return %[[Z]], %[[B]]
func.func @broadcasts(%x: tensor<2x3x64xf32>, %q: !mx) -> (tensor<2x3x16xf32>, tensor<4x64x16xf32>) {
  %w = lowp.dequantize %q : !mx to tensor<64x16xf32>
  %init = tensor.empty() : tensor<2x64x16xf32>
  %b = linalg.broadcast ins(%w : tensor<64x16xf32>) outs(%init : tensor<2x64x16xf32>) dimensions = [0]
  %y = lowp.matmul %x, %b {accumulator = f32} : tensor<2x3x64xf32>, tensor<2x64x16xf32> -> tensor<2x3x16xf32>
  %v = lowp.dequantize %q : !mx to tensor<64x16xf32>
  %init4 = tensor.empty() : tensor<4x64x16xf32>
  %c = linalg.broadcast ins(%v : tensor<64x16xf32>) outs(%init4 : tensor<4x64x16xf32>) dimensions = [0]
  return %y, %c : tensor<2x3x16xf32>, tensor<4x64x16xf32>
}

// -----

!mxfp8 = tensor<4x64xf8E4M3FN, #lowp.block_scaled<mx>>
!mxfp4 = tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>

// Tests that a quantize of a dequantize to f32 becomes one requantize
// (with the quantize's rounding), and that a dequantize read elsewhere, or
// to bf16, or a quantize with random bits, stays as written.
// CHECK-LABEL: func.func @requantize(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<4x64xf8E4M3FN, #lowp.block_scaled<mx>>
// CHECK:         %[[R:.+]] = lowp.requantize %[[Q]] toward_zero : tensor<4x64xf8E4M3FN, #lowp.block_scaled<mx>> to tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>
// CHECK:         %[[D:.+]] = lowp.dequantize %[[Q]] : {{.+}} to tensor<4x64xf32>
// CHECK:         %[[S:.+]] = lowp.quantize %[[D]] :
// CHECK:         %[[B:.+]] = lowp.dequantize %[[Q]] : {{.+}} to tensor<4x64xbf16>
// CHECK:         lowp.quantize %[[B]] :
// CHECK:         %[[E:.+]] = lowp.dequantize %[[Q]] : {{.+}} to tensor<4x64xf32>
// CHECK:         lowp.quantize %[[E]] random
// CHECK:         return %[[R]], %[[S]], %[[D]]
func.func @requantize(%q: !mxfp8, %bits: tensor<4x64xi8>) -> (!mxfp4, !mxfp4, tensor<4x64xf32>, !mxfp4, !mxfp4) {
  %d = lowp.dequantize %q : !mxfp8 to tensor<4x64xf32>
  %r = lowp.quantize %d toward_zero : tensor<4x64xf32> to !mxfp4
  %shared = lowp.dequantize %q : !mxfp8 to tensor<4x64xf32>
  %s = lowp.quantize %shared : tensor<4x64xf32> to !mxfp4
  %b = lowp.dequantize %q : !mxfp8 to tensor<4x64xbf16>
  %t = lowp.quantize %b : tensor<4x64xbf16> to !mxfp4
  %e = lowp.dequantize %q : !mxfp8 to tensor<4x64xf32>
  %u = lowp.quantize %e random(%bits : tensor<4x64xi8>) stochastic : tensor<4x64xf32> to !mxfp4
  return %r, %s, %shared, %t, %u : !mxfp4, !mxfp4, tensor<4x64xf32>, !mxfp4, !mxfp4
}

// -----

!int4 = tensor<128x16xui4, #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>>

// Tests that a scaled weight of a matmul with dynamic rows stays scaled (the
// factor would need a result of static shape), and its dequantize with it.
// CHECK-LABEL: func.func @scaling_dynamic_rows(
// CHECK:         %[[D:.+]] = lowp.dequantize
// CHECK:         %[[S:.+]] = arith.mulf %[[D]]
// CHECK:         lowp.matmul %{{.+}}, %[[S]] {accumulator = f32} : tensor<?x128xf32>, tensor<128x16xf32> -> tensor<?x16xf32>
func.func @scaling_dynamic_rows(%x: tensor<?x128xf32>, %q: !int4) -> tensor<?x16xf32> {
  %w = lowp.dequantize %q : !int4 to tensor<128x16xf32>
  %c = arith.constant dense<0.125> : tensor<128x16xf32>
  %s = arith.mulf %w, %c : tensor<128x16xf32>
  %y = lowp.matmul %x, %s {accumulator = f32} : tensor<?x128xf32>, tensor<128x16xf32> -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
