// RUN: lowp-opt %s --lowp-legalize-arith --split-input-file | FileCheck %s

// Tests arithmetic on a format stored as a code: operands exactly to f64,
// the op in f64, one rounding back.
// CHECK-LABEL: func.func @add
// CHECK-SAME: (%[[A:.+]]: f8E4M3FN, %[[B:.+]]: f8E4M3FN)
// CHECK-NEXT: %[[WA:.+]] = lowp.convert %[[A]] : f8E4M3FN to f64
// CHECK-NEXT: %[[WB:.+]] = lowp.convert %[[B]] : f8E4M3FN to f64
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[WA]], %[[WB]] : f64
// CHECK-NEXT: %[[R:.+]] = lowp.convert %[[S]] : f64 to f8E4M3FN
// CHECK-NEXT: return %[[R]] : f8E4M3FN
func.func @add(%a: f8E4M3FN, %b: f8E4M3FN) -> f8E4M3FN {
  %0 = arith.addf %a, %b : f8E4M3FN
  return %0 : f8E4M3FN
}

// -----

// Tests math ops and negation on bf16, which lowp stores as a code too.
// CHECK-LABEL: func.func @sqrt_neg
// CHECK: %[[W:.+]] = lowp.convert %{{.+}} : bf16 to f64
// CHECK-NEXT: %[[Q:.+]] = math.sqrt %[[W]] : f64
// CHECK-NEXT: %[[R:.+]] = lowp.convert %[[Q]] : f64 to bf16
// CHECK-NEXT: %[[W2:.+]] = lowp.convert %[[R]] : bf16 to f64
// CHECK-NEXT: %[[N:.+]] = arith.negf %[[W2]] : f64
// CHECK-NEXT: lowp.convert %[[N]] : f64 to bf16
func.func @sqrt_neg(%a: bf16) -> bf16 {
  %0 = math.sqrt %a : bf16
  %1 = arith.negf %0 : bf16
  return %1 : bf16
}

// -----

// Tests casts: truncf keeps its rounding mode, extf is exact, comparisons
// and integer conversions go through f64, and fptosi saturates: the bounds
// +-2^31 compared in f64, NaN 0.
// CHECK-LABEL: func.func @casts
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0 : i32
// CHECK-DAG: %[[MAX:.+]] = arith.constant 2147483647 : i32
// CHECK-DAG: %[[MIN:.+]] = arith.constant -2147483648 : i32
// CHECK-DAG: %[[LOW:.+]] = arith.constant 0xC1E0000000000000 : f64
// CHECK-DAG: %[[HIGH:.+]] = arith.constant 0x41E0000000000000 : f64
// CHECK: lowp.convert %{{.+}} toward_zero : f32 to f4E2M1FN
// CHECK: lowp.convert %{{.+}} : f4E2M1FN to f32
// CHECK: %[[L:.+]] = lowp.convert %{{.+}} : f4E2M1FN to f64
// CHECK: %[[R:.+]] = lowp.convert %{{.+}} : f4E2M1FN to f64
// CHECK: arith.cmpf olt, %[[L]], %[[R]] : f64
// CHECK: %[[I:.+]] = arith.sitofp %{{.+}} : i32 to f64
// CHECK-NEXT: lowp.convert %[[I]] : f64 to f8E5M2
// CHECK: %[[F:.+]] = lowp.convert %{{.+}} : f8E5M2 to f64
// CHECK-NEXT: %[[ABOVE:.+]] = arith.cmpf oge, %[[F]], %[[HIGH]] : f64
// CHECK-NEXT: %[[BELOW:.+]] = arith.cmpf olt, %[[F]], %[[LOW]] : f64
// CHECK-NEXT: %[[NAN:.+]] = arith.cmpf uno, %[[F]], %[[F]] : f64
// CHECK-NEXT: %[[CAST:.+]] = arith.fptosi %[[F]] {lowp.saturated} : f64 to i32
// CHECK-NEXT: %[[S1:.+]] = arith.select %[[BELOW]], %[[MIN]], %[[CAST]] : i32
// CHECK-NEXT: %[[S2:.+]] = arith.select %[[ABOVE]], %[[MAX]], %[[S1]] : i32
// CHECK-NEXT: arith.select %[[NAN]], %[[ZERO]], %[[S2]] : i32
func.func @casts(%x: f32, %i: i32) -> (f32, i1, i32) {
  %0 = arith.truncf %x toward_zero : f32 to f4E2M1FN
  %1 = arith.extf %0 : f4E2M1FN to f32
  %2 = arith.cmpf olt, %0, %0 : f4E2M1FN
  %3 = arith.sitofp %i : i32 to f8E5M2
  %4 = arith.fptosi %3 : f8E5M2 to i32
  return %1, %2, %4 : f32, i1, i32
}

// -----

// Tests what is left: f32 and f64 arithmetic, and ops on tensors.
// CHECK-LABEL: func.func @left
// CHECK-NOT: lowp.convert
// CHECK: arith.addf %{{.+}}, %{{.+}} : f32
// CHECK: arith.mulf %{{.+}}, %{{.+}} : f64
// CHECK: arith.addf %{{.+}}, %{{.+}} : tensor<4xf8E4M3FN>
func.func @left(%a: f32, %b: f64, %t: tensor<4xf8E4M3FN>) -> (f32, f64, tensor<4xf8E4M3FN>) {
  %0 = arith.addf %a, %a : f32
  %1 = arith.mulf %b, %b : f64
  %2 = arith.addf %t, %t : tensor<4xf8E4M3FN>
  return %0, %1, %2 : f32, f64, tensor<4xf8E4M3FN>
}

// -----

// Tests arith.scaling_truncf and scaling_extf: the exact values in f64, one
// product or quotient by the scale (a 16-bit or wider scale first rounded
// into E8M0), one rounding by the op's mode.
// CHECK-LABEL: func.func @scaling
// CHECK-SAME:    (%[[X:.+]]: f32, %[[S:.+]]: f32, %[[E:.+]]: f4E2M1FN, %[[T:.+]]: f8E8M0FNU)
// CHECK:       %[[S8:.+]] = lowp.convert %[[S]] : f32 to f8E8M0FNU
// CHECK:       %[[XW:.+]] = lowp.convert %[[X]] : f32 to f64
// CHECK:       %[[SW:.+]] = lowp.convert %[[S8]] : f8E8M0FNU to f64
// CHECK:       %[[Q:.+]] = arith.divf %[[XW]], %[[SW]] : f64
// CHECK:       %[[R:.+]] = lowp.convert %[[Q]] toward_zero : f64 to f4E2M1FN
// CHECK:       %[[EW:.+]] = lowp.convert %[[E]] : f4E2M1FN to f64
// CHECK:       %[[TW:.+]] = lowp.convert %[[T]] : f8E8M0FNU to f64
// CHECK:       %[[P:.+]] = arith.mulf %[[EW]], %[[TW]] : f64
// CHECK:       %[[B:.+]] = lowp.convert %[[P]] : f64 to bf16
// CHECK:       return %[[R]], %[[B]]
func.func @scaling(%x: f32, %s: f32, %e: f4E2M1FN, %t: f8E8M0FNU) -> (f4E2M1FN, bf16) {
  %r = arith.scaling_truncf %x, %s toward_zero : f32, f32 to f4E2M1FN
  %b = arith.scaling_extf %e, %t : f4E2M1FN, f8E8M0FNU to bf16
  return %r, %b : f4E2M1FN, bf16
}

// -----

// Tests that a named linalg op computing on bf16 becomes a linalg.generic
// whose body is legalized like any scalar arith (each product and sum
// rounded to bf16), and that one on f32 is left as it is.
// CHECK-LABEL: func.func @matmul_bf16
// CHECK-NOT:     linalg.matmul
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:         ^bb0(%[[A:.+]]: bf16, %[[B:.+]]: bf16, %[[C:.+]]: bf16):
// CHECK:           %[[A64:.+]] = lowp.convert %[[A]] : bf16 to f64
// CHECK:           %[[B64:.+]] = lowp.convert %[[B]] : bf16 to f64
// CHECK:           %[[P64:.+]] = arith.mulf %[[A64]], %[[B64]] : f64
// CHECK:           %[[P:.+]] = lowp.convert %[[P64]] : f64 to bf16
// CHECK:           %[[S64:.+]] = arith.addf
// CHECK:           %[[S:.+]] = lowp.convert %[[S64]] : f64 to bf16
// CHECK:           linalg.yield %[[S]] : bf16
// CHECK-LABEL: func.func @matmul_f32
// CHECK:         linalg.matmul
func.func @matmul_bf16(%a: tensor<4x8xbf16>, %b: tensor<8x3xbf16>, %c: tensor<4x3xbf16>) -> tensor<4x3xbf16> {
  %m = linalg.matmul ins(%a, %b : tensor<4x8xbf16>, tensor<8x3xbf16>) outs(%c : tensor<4x3xbf16>) -> tensor<4x3xbf16>
  return %m : tensor<4x3xbf16>
}
func.func @matmul_f32(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>, %c: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %m = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x3xf32>) outs(%c : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %m : tensor<4x3xf32>
}

// -----

// Tests that linalg.fill on a format stored as a code is not generalized:
// it places one code and lowers as a fill on storage.
// CHECK-LABEL: func.func @fill
// CHECK:         linalg.fill ins(%{{.+}} : f8E4M3FN)
func.func @fill(%c: f8E4M3FN, %t: tensor<8xf8E4M3FN>) -> tensor<8xf8E4M3FN> {
  %f = linalg.fill ins(%c : f8E4M3FN) outs(%t : tensor<8xf8E4M3FN>) -> tensor<8xf8E4M3FN>
  return %f : tensor<8xf8E4M3FN>
}
