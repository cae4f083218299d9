// RUN: lowp-opt %s --lowp-pack-boundaries --lowp-vectorize --convert-lowp-to-linalg --canonicalize --split-input-file | FileCheck %s

// Tests the shape of lowp.dequantize's vector kernel on packed MXFP4: one
// read of 16 bytes per 32 elements, both nibbles decoded by lowp.lookup in
// the 16-entry E2M1 table, interleaved back into natural order, one block
// scale (E8M0: the code shifted into an f32's exponent) broadcast and
// multiplied, NaN made the reference's, and ordinary stores for a result
// this small.
// CHECK-LABEL: func.func @mxfp4
// CHECK-SAME: (%[[E:.+]]: tensor<4x32xi8>, %[[S:.+]]: tensor<4x2xi8>) -> tensor<4x64xf32>
// CHECK-DAG: %[[TABLE:.+]] = arith.constant dense<[0.000000e+00, 5.000000e-01, 1.000000e+00, 1.500000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 6.000000e+00, -0.000000e+00, -5.000000e-01, -1.000000e+00, -1.500000e+00, -2.000000e+00, -3.000000e+00, -4.000000e+00, -6.000000e+00]> : vector<16xf32>
// CHECK-DAG: %[[CODES:.+]] = tensor.collapse_shape %[[E]] {{\[\[}}0, 1]] : tensor<4x32xi8> into tensor<128xi8>
// CHECK-DAG: %[[SCALES:.+]] = tensor.collapse_shape %[[S]] {{\[\[}}0, 1]] : tensor<4x2xi8> into tensor<8xi8>
// CHECK: %[[OUT:.+]] = memref.alloc() {alignment = 64 : i64} : memref<256xf32>
// CHECK: scf.for
// CHECK: vector.transfer_read %[[SCALES]]{{.*}} : tensor<8xi8>, vector<1xi8>
// CHECK: %[[SCALE:.+]] = vector.broadcast %{{.+}} : f32 to vector<16xf32>
// CHECK: %[[BYTES:.+]] = vector.transfer_read %[[CODES]]{{.*}} : tensor<128xi8>, vector<16xi8>
// CHECK: %[[LANES:.+]] = arith.extui %[[BYTES]] : vector<16xi8> to vector<16xi32>
// CHECK: %[[LOW:.+]] = lowp.lookup %[[TABLE]][%[[LANES]]]
// CHECK: %[[HIGH_CODES:.+]] = arith.shrui %[[LANES]]
// CHECK: %[[HIGH:.+]] = lowp.lookup %[[TABLE]][%[[HIGH_CODES]]]
// CHECK: %[[NATURAL:.+]] = vector.interleave %[[LOW]], %[[HIGH]] : vector<16xf32> -> vector<32xf32>
// CHECK: %[[FIRST:.+]] = vector.extract_strided_slice %[[NATURAL]] {offsets = [0], sizes = [16], strides = [1]}
// CHECK: %[[SCALED:.+]] = arith.mulf %[[FIRST]], %[[SCALE]] : vector<16xf32>
// CHECK: arith.cmpf uno, %[[SCALED]], %[[SCALED]]
// CHECK: vector.store %{{.+}}, %[[OUT]][%{{.+}}] : memref<256xf32>, vector<16xf32>
// CHECK: vector.extract_strided_slice %[[NATURAL]] {offsets = [16], sizes = [16], strides = [1]}
// CHECK: vector.store %{{.+}}, %[[OUT]][%{{.+}}] : memref<256xf32>, vector<16xf32>
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable : memref<256xf32> to tensor<256xf32>
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0, 1]] output_shape [4, 64]
func.func @mxfp4(%q: tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>) -> tensor<4x64xf32> {
  %0 = lowp.dequantize %q : tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}

// -----

// Tests NVFP4's order of multiplies: element times block scale (exact),
// then times the tensor scale (the one rounding); two blocks of 16 per read
// of 32 codes, each with its own scale.
// CHECK-LABEL: func.func @nvfp4
// CHECK: %[[TS:.+]] = tensor.extract %{{.+}}[] : tensor<f32>
// CHECK: %[[TENSOR_SCALE:.+]] = vector.broadcast %[[TS]] : f32 to vector<16xf32>
// CHECK: scf.for
// CHECK: %[[BLOCK_SCALES:.+]] = vector.transfer_read %{{.+}} : tensor<4xi8>, vector<2xi8>
// CHECK: %[[S0:.+]] = vector.extract %[[DECODED:.+]][0] : f32 from vector<2xf32>
// CHECK: %[[B0:.+]] = vector.broadcast %[[S0]] : f32 to vector<16xf32>
// CHECK: %[[S1:.+]] = vector.extract %[[DECODED]][1] : f32 from vector<2xf32>
// CHECK: %[[B1:.+]] = vector.broadcast %[[S1]] : f32 to vector<16xf32>
// CHECK: %[[P0:.+]] = arith.mulf %{{.+}}, %[[B0]] : vector<16xf32>
// CHECK: arith.mulf %[[P0]], %[[TENSOR_SCALE]] : vector<16xf32>
// CHECK: %[[P1:.+]] = arith.mulf %{{.+}}, %[[B1]] : vector<16xf32>
// CHECK: arith.mulf %[[P1]], %[[TENSOR_SCALE]] : vector<16xf32>
func.func @nvfp4(%q: tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>>) -> tensor<2x32xf32> {
  %0 = lowp.dequantize %q : tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>> to tensor<2x32xf32>
  return %0 : tensor<2x32xf32>
}

// -----

// Tests a result past 32 MiB: chunks in parallel (scf.forall), and
// non-temporal stores, aligned to whole lines, only where the buffer is
// 64-byte aligned at run time; ordinary stores otherwise.
// CHECK-LABEL: func.func @large
// CHECK: %[[OUT:.+]] = memref.alloc() {alignment = 64 : i64} : memref<16777216xf32>
// CHECK: %[[ADDRESS:.+]] = memref.extract_aligned_pointer_as_index %[[OUT]]
// CHECK: %[[REM:.+]] = arith.remui %[[ADDRESS]], %{{.+}} : index
// CHECK: %[[ALIGNED:.+]] = arith.cmpi eq, %[[REM]]
// CHECK: scf.if %[[ALIGNED]] {
// CHECK: scf.forall
// CHECK: vector.store %{{.+}}, %[[OUT]][%{{.+}}] {alignment = 64 : i64, nontemporal = true}
// CHECK: } else {
// CHECK: scf.forall
// CHECK-NOT: nontemporal
// CHECK: vector.store %{{.+}}, %[[OUT]][%{{.+}}] : memref<16777216xf32>, vector<16xf32>
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
func.func @large(%q: tensor<16777216xf4E2M1FN, #lowp.block_scaled<mx>>) -> tensor<16777216xf32> {
  %0 = lowp.dequantize %q : tensor<16777216xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<16777216xf32>
  return %0 : tensor<16777216xf32>
}
