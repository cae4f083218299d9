// Functions for the lowp-run tests: each test runs one with --entry.

func.func @make() -> (tensor<2x32xf32>, tensor<4xf32>, f32) {
  %x = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0],
                              [0.5, -1.5, 0.25, 3.0, -4.0, 5.0, 6.0, 7.5, 0.125, 9.0, 10.0, 11.0, -12.0, 13.0, 14.0, 15.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -100.0]]> : tensor<2x32xf32>
  %y = arith.constant dense<[1.0, -2.5, 7.0, -9.0]> : tensor<4xf32>
  %s = arith.constant 0.3 : f32
  return %x, %y, %s : tensor<2x32xf32>, tensor<4xf32>, f32
}

func.func @quantize(%x: tensor<2x32xf32>) -> tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>> {
  %0 = lowp.quantize %x : tensor<2x32xf32> to tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>>
  return %0 : tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>>
}

func.func @dequantize(%q: tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>>) -> tensor<2x32xf32> {
  %0 = lowp.dequantize %q : tensor<2x32xf4E2M1FN, #lowp.block_scaled<nvfp4>> to tensor<2x32xf32>
  return %0 : tensor<2x32xf32>
}

func.func @to_i4(%x: tensor<4xf32>) -> tensor<4xi4> {
  %0 = lowp.convert %x : tensor<4xf32> to tensor<4xi4>
  return %0 : tensor<4xi4>
}

func.func @from_i4(%x: tensor<4xi4>) -> tensor<4xf32> {
  %0 = lowp.convert %x : tensor<4xi4> to tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func @scalar(%x: f32) -> f32 {
  %0 = lowp.convert %x : f32 to f8E4M3FN
  %1 = lowp.convert %0 : f8E4M3FN to f32
  return %1 : f32
}

func.func @dynamic(%x: tensor<?xf32>) -> tensor<?xf8E5M2> {
  %0 = lowp.convert %x : tensor<?xf32> to tensor<?xf8E5M2>
  return %0 : tensor<?xf8E5M2>
}

func.func @from_fp4(%x: tensor<4xf4E2M1FN>) -> tensor<4xf32> {
  %0 = lowp.convert %x : tensor<4xf4E2M1FN> to tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Two dynamic sizes that must agree at run time.
func.func @add_rows(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = arith.addf %a, %b : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// A result size that lowp-run does not derive: a product of sizes.
func.func @collapsed(%a: tensor<?x4xf32>) -> tensor<?xf32> {
  %0 = tensor.collapse_shape %a [[0, 1]] : tensor<?x4xf32> into tensor<?xf32>
  return %0 : tensor<?xf32>
}

func.func private @doubled(%a: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = arith.addf %a, %a : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// Calls whose results have dynamic sizes (inlined when compiled), one
// callee at two sizes: each call site's sizes are its own.
func.func @through_calls(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = func.call @doubled(%a) : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %1 = func.call @doubled(%b) : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0, %1 : tensor<?x4xf32>, tensor<?x4xf32>
}
