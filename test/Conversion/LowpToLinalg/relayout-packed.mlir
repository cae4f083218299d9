// RUN: lowp-opt %s --lowp-pack-boundaries --canonicalize --convert-lowp-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// Tests what lowp-assign-layouts' NAME_prepack becomes at the boundary for
// 4-bit codes: they arrive packed (256 rows of 32 bytes) and leave packed
// (64 rows of 128 bytes) without an unpacked copy, in parallel tiles of 16
// rows by 32 columns: 16 rows of 16 bytes read as vectors and split into
// nibbles, rows 2j and 2j + 1 paired into result bytes, one shuffle of the
// 256 bytes into the result's 32 rows of 8 bytes, one 2-D write. The
// scales, one per byte, move in 16 x 16 vector tiles (relayout.mlir).
// CHECK-LABEL: func.func @prepack
// CHECK-SAME: (%[[E:.+]]: tensor<256x32xi8>, %[[S:.+]]: tensor<8x64xi8>) -> (tensor<64x128xi8>, tensor<64x8xi8>)
// CHECK:       %[[OUT:.+]] = memref.alloc() {alignment = 64 : i64} : memref<64x128xi8>
// CHECK:       scf.forall (%[[TK:.+]], %[[TN:.+]]) in (16, 2) {
// CHECK-COUNT-16: vector.transfer_read %[[E]][%{{.+}}, %{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<256x32xi8>, vector<16xi8>
// CHECK-NOT:     tensor.extract
// CHECK:         %[[TILE:.+]] = vector.shuffle %{{.+}}, %{{.+}} [0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 1, 17,
// CHECK-SAME:        : vector<128xi8>, vector<128xi8>
// CHECK:         %[[ROWS:.+]] = vector.shape_cast %[[TILE]] : vector<256xi8> to vector<32x8xi8>
// CHECK:         vector.transfer_write %[[ROWS]], %[[OUT]][%{{.+}}, %{{.+}}] {in_bounds = [true, true]} : vector<32x8xi8>, memref<64x128xi8>
// CHECK:       %[[P:.+]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK:       vector.transfer_read %[[S]]
// CHECK:       %[[T:.+]] = bufferization.to_tensor
// CHECK:       return %[[P]], %[[T]]
func.func @prepack(%w: tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>)
    -> tensor<64x256xf4E2M1FN, #lowp.block_scaled<mx>> {
  %0 = lowp.relayout %w {permutation = array<i64: 1, 0>} : tensor<256x64xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> to tensor<64x256xf4E2M1FN, #lowp.block_scaled<mx>>
  return %0 : tensor<64x256xf4E2M1FN, #lowp.block_scaled<mx>>
}

// -----

// Tests the loop for other widths (2-bit codes here, four to a byte): one
// loop writes each result byte from the four codes it holds (rows 4j ..
// 4j + 3 at column n, each in input byte n / 4), still without an unpacked
// copy; 33 columns leave the last input byte partly padding.
// CHECK-LABEL: func.func @prepack_int2
// CHECK-SAME: (%[[E:.+]]: tensor<64x9xi8>, %[[S:.+]]: tensor<2x33xi16>) -> (tensor<33x16xi8>, tensor<33x2xi16>)
// CHECK: %[[P:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<33x16xi8>)
// CHECK-DAG: %[[N:.+]] = linalg.index 0 : index
// CHECK-DAG: %[[COL:.+]] = arith.divui %[[N]], %c4 : index
// CHECK-COUNT-4: tensor.extract %[[E]][%{{.+}}, %[[COL]]] : tensor<64x9xi8>
// CHECK: linalg.yield %{{.+}} : i8
// CHECK: return %[[P]], %{{.+}}
func.func @prepack_int2(%w: tensor<64x33xi2, #lowp.block_scaled<block = [32, 1], scale = f16, rule = absmax>>)
    -> tensor<33x64xi2, #lowp.block_scaled<block = [1, 32], scale = f16, rule = absmax>> {
  %0 = lowp.relayout %w {permutation = array<i64: 1, 0>} : tensor<64x33xi2, #lowp.block_scaled<block = [32, 1], scale = f16, rule = absmax>> to tensor<33x64xi2, #lowp.block_scaled<block = [1, 32], scale = f16, rule = absmax>>
  return %0 : tensor<33x64xi2, #lowp.block_scaled<block = [1, 32], scale = f16, rule = absmax>>
}
