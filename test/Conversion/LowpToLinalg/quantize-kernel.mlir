// RUN: lowp-opt %s --lowp-pack-boundaries --lowp-vectorize --convert-lowp-to-linalg --canonicalize | FileCheck %s

// Tests the shape of lowp.quantize's vector kernel on MXFP4 returned packed
// (512 values: exactly one span of 16 blocks of 32). Pass 1: each block's
// amax as the integer maximum of |x|'s bits (NaN and inf order above every
// finite value), the 16 blocks' maxima merged pairwise by shuffles into
// one vector, lane k for block k. The scale exponents in i32 lanes, a
// subnormal amax normalized by an exact int-to-float conversion; the 16
// E8M0 codes stored at once. Pass 2, a loop over groups of 32 codes: each
// block's 2^-e broadcast by lowp.lookup, the product rounded into E2M1 in
// i32 lanes, an unrepresentable block's NaN quotient mapped to the
// reference's code, and pairs of codes packed into bytes straight into the
// packed result (no unpacked temporary, no separate lowp.pack loop).
// CHECK-LABEL: func.func @mxfp4
// CHECK-SAME: (%[[X:.+]]: tensor<4x128xf32>) -> (tensor<4x64xi8>, tensor<4x4xi8>)
// CHECK-DAG: %[[ABS:.+]] = arith.constant dense<2147483647> : vector<16xi32>
// CHECK-DAG: %[[FLAT:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1]] : tensor<4x128xf32> into tensor<512xf32>
// CHECK-DAG: %[[CODES:.+]] = memref.alloc() {alignment = 64 : i64} : memref<256xi8>
// CHECK-DAG: %[[SCALES:.+]] = memref.alloc() {alignment = 64 : i64} : memref<16xi8>
// CHECK: %[[V0:.+]] = vector.transfer_read %[[FLAT]][%{{.+}}]{{.*}} : tensor<512xf32>, vector<16xf32>
// CHECK: %[[B0:.+]] = arith.bitcast %[[V0]] : vector<16xf32> to vector<16xi32>
// CHECK: arith.andi %[[B0]], %[[ABS]] : vector<16xi32>
// CHECK: arith.maxsi
// CHECK: vector.shuffle %{{.+}}, %{{.+}} [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23] : vector<16xi32>, vector<16xi32>
// CHECK: vector.shuffle %{{.+}}, %{{.+}} [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31] : vector<16xi32>, vector<16xi32>
// CHECK: %[[LAST_LOW:.+]] = vector.shuffle %{{.+}}, %{{.+}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]
// CHECK: %[[LAST_HIGH:.+]] = vector.shuffle %{{.+}}, %{{.+}} [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31]
// CHECK: %[[AMAX:.+]] = arith.maxsi %[[LAST_LOW]], %[[LAST_HIGH]] : vector<16xi32>
// CHECK: arith.sitofp %[[AMAX]] : vector<16xi32> to vector<16xf32>
// CHECK: %[[SCALE_CODES:.+]] = arith.trunci %{{.+}} : vector<16xi32> to vector<16xi8>
// CHECK: vector.transfer_write %[[SCALE_CODES]], %[[SCALES]][%{{.+}}] {in_bounds = [true]} : vector<16xi8>, memref<16xi8>
// CHECK: %[[RECIPROCALS:.+]] = arith.bitcast %{{.+}} : vector<16xi32> to vector<16xf32>
// CHECK: scf.for %[[G:.+]] = %{{.+}} to %{{.+}} step %{{.+}} {
// CHECK: %[[R:.+]] = lowp.lookup %[[RECIPROCALS]][%{{.+}}] : vector<16xf32>, vector<16xi32> -> vector<16xf32>
// CHECK: %[[VALUES:.+]] = vector.transfer_read %[[FLAT]][%[[G]]]
// CHECK: %[[Q:.+]] = arith.mulf %[[VALUES]], %[[R]] : vector<16xf32>
// CHECK: %[[NAN:.+]] = arith.cmpf uno, %[[Q]], %[[Q]] : vector<16xf32>
// CHECK: arith.select %[[NAN]]
// CHECK: %[[EVEN:.+]], %[[ODD:.+]] = vector.deinterleave %{{.+}} : vector<32xi32> -> vector<16xi32>
// CHECK: %[[HIGH:.+]] = arith.shli
// CHECK: %[[BYTES:.+]] = arith.ori %{{.+}}, %[[HIGH]] : vector<16xi32>
// CHECK: %[[PACKED:.+]] = arith.trunci %[[BYTES]] : vector<16xi32> to vector<16xi8>
// CHECK: vector.transfer_write %[[PACKED]], %[[CODES]][%{{.+}}] {in_bounds = [true]} : vector<16xi8>, memref<256xi8>
// CHECK: bufferization.to_tensor %[[CODES]] restrict writable : memref<256xi8> to tensor<256xi8>
// CHECK: bufferization.to_tensor %[[SCALES]] restrict writable : memref<16xi8> to tensor<16xi8>
// CHECK-NOT: linalg.generic
func.func @mxfp4(%x: tensor<4x128xf32>) -> tensor<4x128xf4E2M1FN, #lowp.block_scaled<mx>> {
  %0 = lowp.quantize %x : tensor<4x128xf32> to tensor<4x128xf4E2M1FN, #lowp.block_scaled<mx>>
  return %0 : tensor<4x128xf4E2M1FN, #lowp.block_scaled<mx>>
}
