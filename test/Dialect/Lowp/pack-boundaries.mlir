// RUN: lowp-opt %s --lowp-pack-boundaries --split-input-file | FileCheck %s

// Tests that a block-scaled argument becomes its parts, the 4-bit elements
// packed, reassembled on entry.
// CHECK-LABEL: func.func @dequantize
// CHECK-SAME: (%[[E:.+]]: tensor<4x32xi8>, %[[S:.+]]: tensor<4x2xf8E8M0FNU>) -> tensor<4x64xf32>
// CHECK: %[[U:.+]] = lowp.unpack %[[E]] : tensor<4x32xi8> to tensor<4x64xf4E2M1FN>
// CHECK: %[[Q:.+]] = lowp.assemble %[[U]], %[[S]]
// CHECK: lowp.dequantize %[[Q]]
func.func @dequantize(%w: tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>) -> tensor<4x64xf32> {
  %0 = lowp.dequantize %w : tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}

// -----

// Tests NVFP4 results: disassembled, elements packed, the tensor scale as a
// 0-d tensor.
// CHECK-LABEL: func.func @quantize
// CHECK-SAME: -> (tensor<2x16xi8>, tensor<2x2xf8E4M3FN>, tensor<f32>)
// CHECK: %[[E:.+]], %[[S:.+]], %[[T:.+]] = lowp.disassemble
// CHECK: %[[T0:.+]] = tensor.from_elements %[[T]] : tensor<f32>
// CHECK: %[[P:.+]] = lowp.pack %[[E]] : tensor<2x32xf4E2M1FN> to tensor<2x16xi8>
// CHECK: return %[[P]], %[[S]], %[[T0]]
func.func @quantize(%x: tensor<2x32xf32>) -> tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>> {
  %0 = lowp.quantize %x : tensor<2x32xf32> to tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>>
  return %0 : tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>>
}

// -----

// Tests that calls follow the new signature and that private functions
// and 8-bit formats are left alone.
// CHECK-LABEL: func.func @caller
// CHECK: %[[P:.+]] = lowp.pack %{{.+}} : tensor<7x!lowp.float<e3m3>> to tensor<7xi8>
// CHECK: %[[R:.+]] = call @callee(%[[P]]) : (tensor<7xi8>) -> tensor<7xi8>
// CHECK: lowp.unpack %[[R]] : tensor<7xi8> to tensor<7x!lowp.float<e3m3>>
// CHECK-LABEL: func.func @callee
// CHECK-SAME: (%{{.+}}: tensor<7xi8>) -> tensor<7xi8>
// CHECK-LABEL: func.func private @helper
// CHECK-SAME: (%{{.+}}: tensor<7x!lowp.float<e3m3>>, %{{.+}}: tensor<7xf8E4M3FN>)
func.func @caller(%x: tensor<7x!lowp.float<e3m3>>) -> tensor<7x!lowp.float<e3m3>> {
  %0 = func.call @callee(%x) : (tensor<7x!lowp.float<e3m3>>) -> tensor<7x!lowp.float<e3m3>>
  return %0 : tensor<7x!lowp.float<e3m3>>
}
func.func @callee(%x: tensor<7x!lowp.float<e3m3>>) -> tensor<7x!lowp.float<e3m3>> {
  return %x : tensor<7x!lowp.float<e3m3>>
}
func.func private @helper(%x: tensor<7x!lowp.float<e3m3>>, %y: tensor<7xf8E4M3FN>) {
  return
}
