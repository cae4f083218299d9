// RUN: lowp-opt %s --lowp-quantize='recipe=weights:mxfp4;activations:mxfp8_e4m3' -verify-diagnostics | FileCheck %s

// Tests that operands whose K the block does not divide stay f32 with a
// warning at the matmul, and that weights already in a low-precision format
// and non-constant rhs are left alone.

// CHECK-LABEL: func.func @odd
// CHECK:         lowp.matmul %{{.+}}, %{{.+}} {accumulator = f32} : tensor<2x24xf32>, tensor<24x8xf32>
// CHECK:         lowp.matmul %{{.+}}, %{{.+}} {accumulator = f32} : tensor<2x32xf32>, tensor<32x8xbf16>
// CHECK:         lowp.matmul %{{.+}}, %{{.+}} {accumulator = f32} : tensor<2x32xf32>, tensor<32x8xf32>
func.func @odd(%x: tensor<2x24xf32>, %z: tensor<2x32xf32>, %r: tensor<32x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) {
  %w = arith.constant dense<1.0> : tensor<24x8xf32>
  %v = arith.constant dense<1.0> : tensor<32x8xbf16>
  // expected-warning @+2 {{lowp-quantize: the weight 'tensor<24x8xf32>' stays f32: block size 32 does not divide dimension 0 of size 24}}
  // expected-warning @+1 {{lowp-quantize: the activations 'tensor<2x24xf32>' stays f32: block size 32 does not divide dimension 1 of size 24}}
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<2x24xf32>, tensor<24x8xf32> -> tensor<2x8xf32>
  %u = lowp.matmul %z, %v {accumulator = f32} : tensor<2x32xf32>, tensor<32x8xbf16> -> tensor<2x8xf32>
  %t = lowp.matmul %z, %r {accumulator = f32} : tensor<2x32xf32>, tensor<32x8xf32> -> tensor<2x8xf32>
  return %y, %u, %t : tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>
}
