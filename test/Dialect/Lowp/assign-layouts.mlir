// RUN: lowp-opt %s --lowp-assign-layouts --split-input-file | FileCheck %s
// RUN: lowp-opt %s --lowp-assign-layouts --lowp-assign-layouts --split-input-file | FileCheck %s
// RUN: lowp-opt %s --lowp-assign-layouts=target=none --split-input-file | FileCheck %s --check-prefix=NONE
// RUN: lowp-opt %s --lowp-assign-layouts=prepack=false --split-input-file | FileCheck %s --check-prefix=NOPREPACK
// RUN: lowp-opt %s --lowp-assign-layouts --canonicalize --split-input-file | FileCheck %s --check-prefix=FOLDED
// RUN: not lowp-opt %s --lowp-assign-layouts=target=tpu 2>&1 | FileCheck %s --check-prefix=TARGET

// TARGET: error: lowp-assign-layouts: unknown target 'tpu' (known: cpu, none)

// Tests a run-time K x N MXFP4 weight: @gemv stays as written; @gemv_prepack
// returns the weight N x K, its blocks along the last axis; @gemv_prepacked
// reads it with transpose_rhs. The second RUN line shows that a second run
// adds nothing.
// CHECK-LABEL: func.func @gemv(
// CHECK-SAME: %[[X:.+]]: tensor<1x256xf32>, %[[W:.+]]: tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>)
// CHECK-NEXT: lowp.matmul %[[X]], %[[W]] {accumulator = f32} :
// CHECK-LABEL: func.func @gemv_prepack(
// CHECK-SAME: %[[W:.+]]: tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>) -> tensor<64x256xf4E2M1FN, #lowp.block_scaled<mx>>
// CHECK-NEXT: %[[T:.+]] = lowp.relayout %[[W]] {permutation = array<i64: 1, 0>} : tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> to tensor<64x256xf4E2M1FN, #lowp.block_scaled<mx>>
// CHECK-NEXT: return %[[T]]
// CHECK-LABEL: func.func @gemv_prepacked(
// CHECK-SAME: %[[X:.+]]: tensor<1x256xf32>, %[[T:.+]]: tensor<64x256xf4E2M1FN, #lowp.block_scaled<mx>>) -> tensor<1x64xf32>
// CHECK-NEXT: %[[Y:.+]] = lowp.matmul %[[X]], %[[T]] {accumulator = f32, transpose_rhs} : tensor<1x256xf32>, tensor<64x256xf4E2M1FN, #lowp.block_scaled<mx>> -> tensor<1x64xf32>
// CHECK-NEXT: return %[[Y]]
// CHECK-NOT: func.func @gemv_prepack
// NONE-NOT: lowp.relayout
// NONE-NOT: @gemv_prepack
// NOPREPACK-NOT: @gemv_prepack
func.func @gemv(%x: tensor<1x256xf32>, %w: tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>) -> tensor<1x64xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<1x256xf32>, tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}

// -----

// Tests int4-g128 with zero points and NVFP4 under a tensor scale as two
// weights of one function: @mlp_prepack takes and returns both, in order,
// and the weight's other use (its dequantize) reads it relaid out back.
// CHECK-LABEL: func.func @mlp_prepack(
// CHECK-SAME: %[[A:.+]]: tensor<128x32xui4, #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>>, %[[B:.+]]: tensor<256x16xf4E2M1FN, #lowp.block_scaled<block = [16, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>>)
// CHECK-SAME: -> (tensor<32x128xui4, #lowp.block_scaled<int4_g128>>, tensor<16x256xf4E2M1FN, #lowp.block_scaled<nvfp4>>)
// CHECK-LABEL: func.func @mlp_prepacked(
// CHECK-SAME: %[[X:.+]]: tensor<1x128xf32>, %[[A:.+]]: tensor<32x128xui4, #lowp.block_scaled<int4_g128>>, %[[H:.+]]: tensor<1x256xf32>, %[[B:.+]]: tensor<16x256xf4E2M1FN, #lowp.block_scaled<nvfp4>>)
// CHECK-NEXT: %[[BACK:.+]] = lowp.relayout %[[A]] {permutation = array<i64: 1, 0>} : tensor<32x128xui4, #lowp.block_scaled<int4_g128>> to tensor<128x32xui4, #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>>
// CHECK-NEXT: lowp.matmul %[[X]], %[[A]] {accumulator = f32, transpose_rhs}
// CHECK-NEXT: lowp.matmul %[[H]], %[[B]] {accumulator = f32, transpose_rhs}
// CHECK-NEXT: lowp.dequantize %[[BACK]]
func.func @mlp(%x: tensor<1x128xf32>, %a: tensor<128x32xui4, #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>>,
               %h: tensor<1x256xf32>, %b: tensor<256x16xf4E2M1FN, #lowp.block_scaled<block = [16, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>>)
    -> (tensor<1x32xf32>, tensor<1x16xf32>, tensor<128x32xf32>) {
  %0 = lowp.matmul %x, %a {accumulator = f32} : tensor<1x128xf32>, tensor<128x32xui4, #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>> -> tensor<1x32xf32>
  %1 = lowp.matmul %h, %b {accumulator = f32} : tensor<1x256xf32>, tensor<256x16xf4E2M1FN, #lowp.block_scaled<block = [16, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>> -> tensor<1x16xf32>
  %2 = lowp.dequantize %a : tensor<128x32xui4, #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>> to tensor<128x32xf32>
  return %0, %1, %2 : tensor<1x32xf32>, tensor<1x16xf32>, tensor<128x32xf32>
}

// -----

// Tests the weights that keep their layout: K = 64 is shorter than the
// N x K kernel's 128-code rows; a weight already N x K; blocks along N; a
// private function's argument (its callers decide its layout); a weight
// read by 6 rows or more, which the K x N kernel's GEMM reads fastest as
// it is.
// CHECK-LABEL: func.func @short_rows
// CHECK-NOT: lowp.relayout
// CHECK-NOT: _prepack
func.func @short_rows(%x: tensor<1x64xf32>, %w: tensor<64x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>) -> tensor<1x64xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<1x64xf32>, tensor<64x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}
func.func @already_nk(%x: tensor<1x256xf32>, %w: tensor<64x256xf4E2M1FN, #lowp.block_scaled<mx>>) -> tensor<1x64xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<1x256xf32>, tensor<64x256xf4E2M1FN, #lowp.block_scaled<mx>> -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}
func.func @blocks_along_n(%x: tensor<1x256xf32>, %w: tensor<256x64xf4E2M1FN, #lowp.block_scaled<mx>>) -> tensor<1x64xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<1x256xf32>, tensor<256x64xf4E2M1FN, #lowp.block_scaled<mx>> -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}
func.func @gemm_rows(%x: tensor<6x256xf32>, %w: tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>) -> tensor<6x64xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<6x256xf32>, tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<6x64xf32>
  return %y : tensor<6x64xf32>
}
func.func private @inner(%x: tensor<1x256xf32>, %w: tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>) -> tensor<1x64xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<1x256xf32>, tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}

// -----

// Tests a constant weight: relaid out where it is read, which the
// canonicalizer folds into N x K constants (the FOLDED lines; 0.5 is E2M1 4 times
// the block scale 2^-3), even with prepack off.
// CHECK-LABEL: func.func @constant_weight
// CHECK: %[[Q:.+]] = lowp.quantize
// CHECK-NEXT: %[[T:.+]] = lowp.relayout %[[Q]] {permutation = array<i64: 1, 0>}
// CHECK-NEXT: lowp.matmul %{{.+}}, %[[T]] {accumulator = f32, transpose_rhs}
// CHECK-NOT: @constant_weight_prepack
// NOPREPACK: lowp.relayout
// FOLDED-LABEL: func.func @constant_weight
// FOLDED-DAG: %[[E:.+]] = arith.constant dense<4.000000e+00> : tensor<8x128xf4E2M1FN>
// FOLDED-DAG: %[[S:.+]] = arith.constant dense<1.250000e-01> : tensor<8x4xf8E8M0FNU>
// FOLDED: %[[W:.+]] = lowp.assemble %[[E]], %[[S]] : tensor<8x128xf4E2M1FN>, tensor<8x4xf8E8M0FNU> to tensor<8x128xf4E2M1FN, #lowp.block_scaled<mx>>
// FOLDED-NEXT: lowp.matmul %{{.+}}, %[[W]] {accumulator = f32, transpose_rhs} : tensor<1x128xf32>, tensor<8x128xf4E2M1FN, #lowp.block_scaled<mx>> -> tensor<1x8xf32>
func.func @constant_weight(%x: tensor<1x128xf32>) -> tensor<1x8xf32> {
  %c = arith.constant dense<0.5> : tensor<128x8xf32>
  %w = lowp.quantize %c : tensor<128x8xf32> to tensor<128x8xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<1x128xf32>, tensor<128x8xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

