// RUN: lowp-opt %s --lowp-cpu-pipeline | FileCheck %s

// Tests that the CPU pipeline reaches the LLVM dialect and that its ABI
// takes results through out-parameters: @quantize has one input and two
// result parts (elements, scales), so its C wrapper takes three descriptor
// pointers and returns nothing.
// No lowp or linalg op is left anywhere: before the C wrapper (which the
// pipeline emits last) and after it.
// CHECK-NOT: {{lowp\.|linalg\.}}
// CHECK-LABEL: llvm.func @_mlir_ciface_quantize
// CHECK-SAME: (%{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr)
// CHECK-NOT: lowp.
// CHECK-NOT: linalg.
func.func @quantize(%x: tensor<4x64xf32>) -> tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>> {
  %0 = lowp.quantize %x : tensor<4x64xf32> to tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>
  return %0 : tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>
}
