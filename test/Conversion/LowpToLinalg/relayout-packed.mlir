// RUN: lowp-opt %s --lowp-pack-boundaries --canonicalize --convert-lowp-to-linalg --canonicalize --cse | FileCheck %s

// Tests what lowp-assign-layouts' NAME_prepack becomes at the boundary:
// the 4-bit codes arrive packed (256 rows of 32 bytes) and leave packed (64
// rows of 128 bytes), and one loop writes each result byte from the two
// codes it holds (rows 2j and 2j + 1 at column n, each in input byte n / 2)
// without an unpacked copy of the codes.
// CHECK-LABEL: func.func @prepack
// CHECK-SAME: (%[[E:.+]]: tensor<256x32xi8>, %[[S:.+]]: tensor<8x64xi8>) -> (tensor<64x128xi8>, tensor<64x8xi8>)
// CHECK: %[[P:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<64x128xi8>)
// CHECK-DAG: %[[N:.+]] = linalg.index 0 : index
// CHECK-DAG: %[[J:.+]] = linalg.index 1 : index
// CHECK-DAG: %[[COL:.+]] = arith.divui %[[N]], %c2 : index
// CHECK-DAG: %[[ROW:.+]] = arith.muli %[[J]], %c2 : index
// CHECK: tensor.extract %[[E]][%{{.+}}, %[[COL]]] : tensor<256x32xi8>
// CHECK: tensor.extract %[[E]][%{{.+}}, %[[COL]]] : tensor<256x32xi8>
// CHECK: linalg.yield %{{.+}} : i8
// CHECK-NOT: linalg.generic
// CHECK: %[[T:.+]] = linalg.transpose ins(%[[S]] : tensor<8x64xi8>)
// CHECK: return %[[P]], %[[T]]
func.func @prepack(%w: tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>)
    -> tensor<64x256xf4E2M1FN, #lowp.block_scaled<mx>> {
  %0 = lowp.relayout %w {permutation = array<i64: 1, 0>} : tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> to tensor<64x256xf4E2M1FN, #lowp.block_scaled<mx>>
  return %0 : tensor<64x256xf4E2M1FN, #lowp.block_scaled<mx>>
}
