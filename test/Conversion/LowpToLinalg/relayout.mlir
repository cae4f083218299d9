// RUN: lowp-opt %s --convert-lowp-to-linalg --split-input-file | FileCheck %s

// Tests a K x N MX weight relaid out N x K: its codes (128 x 64, stored
// one per byte here) are transposed in 64 x 64 tiles by a parallel loop,
// two tiles along the new rows' 128 codes; its 4 x 64 scales become
// 64 x 4 in one tile along the 4.
// CHECK-LABEL: func.func @weight
// CHECK-SAME: (%[[E:.+]]: tensor<128x64xi8>, %[[S:.+]]: tensor<4x64xi8>) -> (tensor<64x128xi8>, tensor<64x4xi8>)
// CHECK: %[[TE:.+]] = scf.forall (%[[I:.+]], %[[J:.+]]) in (1, 2) shared_outs(%[[O:.+]] = %{{.+}}) -> (tensor<64x128xi8>)
// CHECK-DAG: %[[R:.+]] = arith.muli %[[I]], %c64
// CHECK-DAG: %[[C:.+]] = arith.muli %[[J]], %c64
// CHECK: %[[SRC:.+]] = tensor.extract_slice %[[E]][%[[C]], %[[R]]] [64, 64] [1, 1]
// CHECK: %[[DST:.+]] = tensor.extract_slice %[[O]][%[[R]], %[[C]]] [64, 64] [1, 1]
// CHECK: %[[T:.+]] = linalg.transpose ins(%[[SRC]] : tensor<64x64xi8>) outs(%[[DST]] : tensor<64x64xi8>) permutation = [1, 0]
// CHECK: tensor.parallel_insert_slice %[[T]] into %[[O]][%[[R]], %[[C]]] [64, 64] [1, 1]
// CHECK: %[[TS:.+]] = scf.forall (%{{.+}}, %{{.+}}) in (1, 1) shared_outs(%{{.+}} = %{{.+}}) -> (tensor<64x4xi8>)
// CHECK: linalg.transpose ins(%{{.+}} : tensor<4x64xi8>) outs(%{{.+}} : tensor<64x4xi8>) permutation = [1, 0]
// CHECK: return %[[TE]], %[[TS]]
func.func @weight(%w: tensor<128x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>)
    -> tensor<64x128xf4E2M1FN, #lowp.block_scaled<mx>> {
  %0 = lowp.relayout %w {permutation = array<i64: 1, 0>} : tensor<128x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> to tensor<64x128xf4E2M1FN, #lowp.block_scaled<mx>>
  return %0 : tensor<64x128xf4E2M1FN, #lowp.block_scaled<mx>>
}

// -----

// Tests a permutation of three dimensions: one linalg.transpose.
// CHECK-LABEL: func.func @rank3
// CHECK: linalg.transpose ins(%{{.+}} : tensor<2x3x4xf32>) outs(%{{.+}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
func.func @rank3(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = lowp.relayout %x {permutation = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> to tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}
