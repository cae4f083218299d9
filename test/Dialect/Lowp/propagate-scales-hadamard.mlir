// RUN: lowp-opt %s --lowp-propagate-scales --split-input-file | FileCheck %s --check-prefix=KEEP
// RUN: lowp-opt %s --pass-pipeline='builtin.module(lowp-propagate-scales{cancel-hadamard})' --split-input-file | FileCheck %s --check-prefix=CANCEL

// Tests that a matmul of two transforms along K with the same block and
// signs reads their inputs under cancel-hadamard, and keeps them without
// it (the rewrite changes the rounding, not the real product).
// KEEP-LABEL: func.func @pair
// KEEP-COUNT-2: lowp.hadamard
// KEEP: lowp.matmul
// CANCEL-LABEL: func.func @pair(
// CANCEL-SAME: %[[X:[^:]+]]: tensor<4x64xf32>, %[[W:[^:]+]]: tensor<64x8xf32>
// CANCEL-NOT: lowp.hadamard
// CANCEL: lowp.matmul %[[X]], %[[W]] {accumulator = f32}
func.func @pair(%x: tensor<4x64xf32>, %w: tensor<64x8xf32>) -> tensor<4x8xf32> {
  %hx = lowp.hadamard %x {axis = 1 : i64, block = 32 : i64, seed = 7 : i64} : tensor<4x64xf32>
  %hw = lowp.hadamard %w {axis = 0 : i64, block = 32 : i64, seed = 7 : i64} : tensor<64x8xf32>
  %y = lowp.matmul %hx, %hw {accumulator = f32} : tensor<4x64xf32>, tensor<64x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Tests the N x K weight (transpose_rhs: K is its last axis) and a batch.
// CANCEL-LABEL: func.func @transposed_batch(
// CANCEL-SAME: %[[X:[^:]+]]: tensor<2x4x64xf32>, %[[W:[^:]+]]: tensor<2x8x64xf32>
// CANCEL-NOT: lowp.hadamard
// CANCEL: lowp.matmul %[[X]], %[[W]] {accumulator = f32, transpose_rhs}
func.func @transposed_batch(%x: tensor<2x4x64xf32>, %w: tensor<2x8x64xf32>) -> tensor<2x4x8xf32> {
  %hx = lowp.hadamard %x {axis = 2 : i64, block = 64 : i64} : tensor<2x4x64xf32>
  %hw = lowp.hadamard %w {axis = 2 : i64, block = 64 : i64} : tensor<2x8x64xf32>
  %y = lowp.matmul %hx, %hw {accumulator = f32, transpose_rhs} : tensor<2x4x64xf32>, tensor<2x8x64xf32> -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

// Tests what is never cancelled: different signs, different blocks, a
// transform along N, and a transform that feeds a quantization (what
// lowp-quantize's hadamard:B entry writes).
// CANCEL-LABEL: func.func @not_pairs
// CANCEL: %[[A:.+]] = lowp.hadamard %arg0
// CANCEL: %[[B:.+]] = lowp.hadamard %arg1 {{.*}}seed = 8
// CANCEL: lowp.matmul %[[A]], %[[B]]
// CANCEL: %[[C:.+]] = lowp.hadamard %arg1 {{.*}}block = 16
// CANCEL: lowp.matmul %[[A]], %[[C]]
// CANCEL: %[[D:.+]] = lowp.hadamard %arg2 {axis = 1
// CANCEL: lowp.matmul %[[A]], %[[D]]
// CANCEL: %[[E:.+]] = lowp.hadamard %arg1
// CANCEL: %[[Q:.+]] = lowp.quantize %[[E]]
// CANCEL: lowp.matmul %[[A]], %[[Q]]
func.func @not_pairs(%x: tensor<4x64xf32>, %w: tensor<64x8xf32>, %v: tensor<64x32xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x32xf32>, tensor<4x8xf32>) {
  %a = lowp.hadamard %x {axis = 1 : i64, block = 32 : i64, seed = 7 : i64} : tensor<4x64xf32>
  %b = lowp.hadamard %w {axis = 0 : i64, block = 32 : i64, seed = 8 : i64} : tensor<64x8xf32>
  %0 = lowp.matmul %a, %b {accumulator = f32} : tensor<4x64xf32>, tensor<64x8xf32> -> tensor<4x8xf32>
  %c = lowp.hadamard %w {axis = 0 : i64, block = 16 : i64, seed = 7 : i64} : tensor<64x8xf32>
  %1 = lowp.matmul %a, %c {accumulator = f32} : tensor<4x64xf32>, tensor<64x8xf32> -> tensor<4x8xf32>
  %d = lowp.hadamard %v {axis = 1 : i64, block = 32 : i64, seed = 7 : i64} : tensor<64x32xf32>
  %2 = lowp.matmul %a, %d {accumulator = f32} : tensor<4x64xf32>, tensor<64x32xf32> -> tensor<4x32xf32>
  %e = lowp.hadamard %w {axis = 0 : i64, block = 32 : i64, seed = 7 : i64} : tensor<64x8xf32>
  %q = lowp.quantize %e : tensor<64x8xf32> to tensor<64x8xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>
  %3 = lowp.matmul %a, %q {accumulator = f32} : tensor<4x64xf32>, tensor<64x8xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<4x8xf32>
  return %0, %1, %2, %3 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x32xf32>, tensor<4x8xf32>
}
