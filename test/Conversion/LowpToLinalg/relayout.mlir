// RUN: lowp-opt %s --convert-lowp-to-linalg --split-input-file | FileCheck %s

// Tests a K x N MX weight relaid out N x K: its codes (128 x 64, stored
// one per byte here) are transposed in 16 x 16 tiles by a parallel loop (8
// by 4 tiles), each 16 row reads, one shuffle of its 256 bytes into
// transposed order and one write; its 4 x 64 scales become 64 x 4 in the
// same tiles, masked to their 4 rows.
// CHECK-LABEL: func.func @weight
// CHECK-SAME: (%[[E:.+]]: tensor<128x64xi8>, %[[S:.+]]: tensor<4x64xi8>) -> (tensor<64x128xi8>, tensor<64x4xi8>)
// CHECK: %[[OE:.+]] = memref.alloc() {alignment = 64 : i64} : memref<64x128xi8>
// CHECK: scf.forall (%[[I:.+]], %[[J:.+]]) in (8, 4) {
// CHECK-DAG: %[[R:.+]] = arith.muli %[[I]], %c16
// CHECK-DAG: %[[C:.+]] = arith.muli %[[J]], %c16
// CHECK-COUNT-16: vector.transfer_read %[[E]][%{{.+}}, %[[C]]], %{{.+}} {in_bounds = [true]} : tensor<128x64xi8>, vector<16xi8>
// CHECK: %[[T:.+]] = vector.shuffle %{{.+}}, %{{.+}} [0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 1, 17,
// CHECK: %[[TILE:.+]] = vector.shape_cast %[[T]] : vector<256xi8> to vector<16x16xi8>
// CHECK: vector.transfer_write %[[TILE]], %[[OE]][%[[C]], %[[R]]] {in_bounds = [true, true]} : vector<16x16xi8>, memref<64x128xi8>
// CHECK: %[[TE:.+]] = bufferization.to_tensor %[[OE]]
// CHECK: %[[OS:.+]] = memref.alloc() {alignment = 64 : i64} : memref<64x4xi8>
// CHECK: scf.forall (%{{.+}}, %{{.+}}) in (1, 4) {
// CHECK: vector.transfer_read %[[S]][%{{.+}}, %{{.+}}], %{{.+}} : tensor<4x64xi8>, vector<16xi8>
// CHECK: vector.transfer_write %{{.+}}, %[[OS]][%{{.+}}, %{{.+}}] {in_bounds = [true, false]} : vector<16x16xi8>, memref<64x4xi8>
// CHECK: %[[TS:.+]] = bufferization.to_tensor %[[OS]]
// CHECK: return %[[TE]], %[[TS]]
func.func @weight(%w: tensor<128x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>)
    -> tensor<64x128xf4E2M1FN, #lowp.block_scaled<mx>> {
  %0 = lowp.relayout %w {permutation = array<i64: 1, 0>} : tensor<128x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> to tensor<64x128xf4E2M1FN, #lowp.block_scaled<mx>>
  return %0 : tensor<64x128xf4E2M1FN, #lowp.block_scaled<mx>>
}

// -----

// Tests an f32 matrix (128 x 64): transposed in 64 x 64 tiles by a
// parallel loop, two tiles along the new rows' 128 values.
// CHECK-LABEL: func.func @f32_matrix
// CHECK: %[[T:.+]] = scf.forall (%[[I:.+]], %[[J:.+]]) in (1, 2) shared_outs(%[[O:.+]] = %{{.+}}) -> (tensor<64x128xf32>)
// CHECK: linalg.transpose ins(%{{.+}} : tensor<64x64xf32>) outs(%{{.+}} : tensor<64x64xf32>) permutation = [1, 0]
// CHECK: tensor.parallel_insert_slice
// CHECK: return %[[T]]
func.func @f32_matrix(%x: tensor<128x64xf32>) -> tensor<64x128xf32> {
  %0 = lowp.relayout %x {permutation = array<i64: 1, 0>} : tensor<128x64xf32> to tensor<64x128xf32>
  return %0 : tensor<64x128xf32>
}

// -----

// Tests a permutation of three dimensions: one linalg.transpose.
// CHECK-LABEL: func.func @rank3
// CHECK: linalg.transpose ins(%{{.+}} : tensor<2x3x4xf32>) outs(%{{.+}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
func.func @rank3(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = lowp.relayout %x {permutation = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> to tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}
