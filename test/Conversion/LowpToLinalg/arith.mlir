// RUN: lowp-opt %s --convert-elementwise-to-linalg --convert-lowp-to-linalg --split-input-file | FileCheck %s

// Tests that an addition of E4M3 tensors becomes a loop over i8 codes that
// decodes both operands to f64, adds in f64 and encodes the sum.
// CHECK-LABEL: func.func @addf
// CHECK-SAME: (%{{.+}}: tensor<4xi8>, %{{.+}}: tensor<4xi8>) -> tensor<4xi8>
// CHECK: linalg.generic
// CHECK: ^bb0(%{{.+}}: i8, %{{.+}}: i8, %{{.+}}: i8):
// CHECK: %[[SUM:.+]] = arith.addf %{{.+}}, %{{.+}} : f64
// CHECK: linalg.yield %{{.+}} : i8
func.func @addf(%a: tensor<4xf8E4M3FN>, %b: tensor<4xf8E4M3FN>) -> tensor<4xf8E4M3FN> {
  %0 = arith.addf %a, %b : tensor<4xf8E4M3FN>
  return %0 : tensor<4xf8E4M3FN>
}

// -----

// Tests that a truncation with a rounding mode into bf16 is lowp's (LLVM
// rounds into bf16 to nearest even only, through a runtime call).
// CHECK-LABEL: func.func @truncf_bf16
// CHECK-SAME: -> i16
// CHECK-NOT: arith.truncf
// CHECK: return
func.func @truncf_bf16(%x: f32) -> bf16 {
  %0 = arith.truncf %x upward : f32 to bf16
  return %0 : bf16
}

// -----

// Tests that comparisons read exact values.
// CHECK-LABEL: func.func @cmpf
// CHECK: arith.cmpf olt, %{{.+}}, %{{.+}} : f64
func.func @cmpf(%a: f4E2M1FN, %b: f4E2M1FN) -> i1 {
  %0 = arith.cmpf olt, %a, %b : f4E2M1FN
  return %0 : i1
}
