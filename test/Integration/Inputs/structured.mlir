// linalg's structured ops (named and generic), tensor.pad, tensor.splat and
// vector.broadcast on low-precision formats: the ops that only place codes
// lower on them; those that compute are rewritten as linalg.generic and
// their bodies computed as scalar arith is, each step rounded into the type.

func.func @fill() -> tensor<8xf8E4M3FN> {
  %c = arith.constant 1.5 : f8E4M3FN
  %e = tensor.empty() : tensor<8xf8E4M3FN>
  %f = linalg.fill ins(%c : f8E4M3FN) outs(%e : tensor<8xf8E4M3FN>) -> tensor<8xf8E4M3FN>
  return %f : tensor<8xf8E4M3FN>
}

// The padding value depends on the position, through the region's indices.
func.func @pad(%x: tensor<3x5xf4E2M1FN>) -> tensor<5x8xf4E2M1FN> {
  %p = tensor.pad %x low[1, 2] high[1, 1] {
  ^bb0(%i: index, %j: index):
    %k = arith.addi %i, %j : index
    %n = arith.index_cast %k : index to i32
    %v = arith.sitofp %n : i32 to f4E2M1FN
    tensor.yield %v : f4E2M1FN
  } : tensor<3x5xf4E2M1FN> to tensor<5x8xf4E2M1FN>
  return %p : tensor<5x8xf4E2M1FN>
}

func.func @splat(%s: f8E5M2) -> tensor<4x3xf8E5M2> {
  %t = tensor.splat %s : tensor<4x3xf8E5M2>
  return %t : tensor<4x3xf8E5M2>
}

// An index argument (int64 at lowp-run's boundary) picks the element.
func.func @extract_index(%x: tensor<16xf8E4M3FN>, %i: index) -> f8E4M3FN {
  %e = tensor.extract %x[%i] : tensor<16xf8E4M3FN>
  return %e : f8E4M3FN
}

// Every product and every partial sum rounded to bf16, k ascending.
func.func @matmul_bf16(%a: tensor<4x8xbf16>, %b: tensor<8x3xbf16>) -> tensor<4x3xbf16> {
  %z = arith.constant 0.0 : bf16
  %e = tensor.empty() : tensor<4x3xbf16>
  %f = linalg.fill ins(%z : bf16) outs(%e : tensor<4x3xbf16>) -> tensor<4x3xbf16>
  %m = linalg.matmul ins(%a, %b : tensor<4x8xbf16>, tensor<8x3xbf16>) outs(%f : tensor<4x3xbf16>) -> tensor<4x3xbf16>
  return %m : tensor<4x3xbf16>
}

func.func @dot_bf16(%a: tensor<1x2xbf16>, %b: tensor<2x1xbf16>) -> tensor<1x1xbf16> {
  %z = arith.constant 0.0 : bf16
  %e = tensor.empty() : tensor<1x1xbf16>
  %f = linalg.fill ins(%z : bf16) outs(%e : tensor<1x1xbf16>) -> tensor<1x1xbf16>
  %m = linalg.matmul ins(%a, %b : tensor<1x2xbf16>, tensor<2x1xbf16>) outs(%f : tensor<1x1xbf16>) -> tensor<1x1xbf16>
  return %m : tensor<1x1xbf16>
}

// E4M3 operands extended to f32, which accumulates.
func.func @matmul_f8_f32(%a: tensor<4x8xf8E4M3FN>, %b: tensor<8x3xf8E4M3FN>) -> tensor<4x3xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x3xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x3xf32>) -> tensor<4x3xf32>
  %m = linalg.matmul ins(%a, %b : tensor<4x8xf8E4M3FN>, tensor<8x3xf8E4M3FN>) outs(%f : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %m : tensor<4x3xf32>
}

// i4 products and sums, modulo 16.
func.func @matmul_i4(%a: tensor<4x8xi4>, %b: tensor<8x3xi4>) -> tensor<4x3xi4> {
  %z = arith.constant 0 : i4
  %e = tensor.empty() : tensor<4x3xi4>
  %f = linalg.fill ins(%z : i4) outs(%e : tensor<4x3xi4>) -> tensor<4x3xi4>
  %m = linalg.matmul ins(%a, %b : tensor<4x8xi4>, tensor<8x3xi4>) outs(%f : tensor<4x3xi4>) -> tensor<4x3xi4>
  return %m : tensor<4x3xi4>
}

// A convolution: indexing maps that add loop indices (h + kh).
func.func @conv(%x: tensor<1x8x8x2xbf16>, %w: tensor<3x3x2x4xbf16>, %o: tensor<1x6x6x4xbf16>) -> tensor<1x6x6x4xbf16> {
  %r = linalg.conv_2d_nhwc_hwcf ins(%x, %w : tensor<1x8x8x2xbf16>, tensor<3x3x2x4xbf16>) outs(%o : tensor<1x6x6x4xbf16>) -> tensor<1x6x6x4xbf16>
  return %r : tensor<1x6x6x4xbf16>
}

func.func @reduce(%a: tensor<4x16xf8E4M3FN>) -> tensor<4xf8E4M3FN> {
  %z = arith.constant 0.0 : f8E4M3FN
  %e = tensor.empty() : tensor<4xf8E4M3FN>
  %f = linalg.fill ins(%z : f8E4M3FN) outs(%e : tensor<4xf8E4M3FN>) -> tensor<4xf8E4M3FN>
  %r = linalg.reduce ins(%a : tensor<4x16xf8E4M3FN>) outs(%f : tensor<4xf8E4M3FN>) dimensions = [1]
    (%x: f8E4M3FN, %acc: f8E4M3FN) {
      %s = arith.addf %x, %acc : f8E4M3FN
      linalg.yield %s : f8E4M3FN
    }
  return %r : tensor<4xf8E4M3FN>
}

func.func @map(%a: tensor<4x16xf8E4M3FN>, %b: tensor<4x16xf8E4M3FN>) -> tensor<4x16x!lowp.float<e3m2>> {
  %e = tensor.empty() : tensor<4x16x!lowp.float<e3m2>>
  %m = linalg.map ins(%a, %b : tensor<4x16xf8E4M3FN>, tensor<4x16xf8E4M3FN>) outs(%e : tensor<4x16x!lowp.float<e3m2>>)
    (%x: f8E4M3FN, %y: f8E4M3FN, %o: !lowp.float<e3m2>) {
      %p = arith.mulf %x, %y : f8E4M3FN
      %q = lowp.convert %p : f8E4M3FN to !lowp.float<e3m2>
      linalg.yield %q : !lowp.float<e3m2>
    }
  return %m : tensor<4x16x!lowp.float<e3m2>>
}

// A generic that reads its loop indices: x[i, j] * (i - j), in FP6.
#id = affine_map<(i, j) -> (i, j)>
func.func @generic_index(%x: tensor<3x5xf6E3M2FN>) -> tensor<3x5xf6E3M2FN> {
  %e = tensor.empty() : tensor<3x5xf6E3M2FN>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<3x5xf6E3M2FN>) outs(%e : tensor<3x5xf6E3M2FN>) {
  ^bb0(%v: f6E3M2FN, %o: f6E3M2FN):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %d = arith.subi %i, %j : index
    %n = arith.index_cast %d : index to i32
    %f = arith.sitofp %n : i32 to f6E3M2FN
    %p = arith.mulf %v, %f : f6E3M2FN
    linalg.yield %p : f6E3M2FN
  } -> tensor<3x5xf6E3M2FN>
  return %g : tensor<3x5xf6E3M2FN>
}

func.func @copy(%x: tensor<3x5x!lowp.float<e2m3>>) -> tensor<3x5x!lowp.float<e2m3>> {
  %e = tensor.empty() : tensor<3x5x!lowp.float<e2m3>>
  %c = linalg.copy ins(%x : tensor<3x5x!lowp.float<e2m3>>) outs(%e : tensor<3x5x!lowp.float<e2m3>>) -> tensor<3x5x!lowp.float<e2m3>>
  return %c : tensor<3x5x!lowp.float<e2m3>>
}

// A scalar broadcast into a vector, written out.
func.func @vector_broadcast(%s: f8E4M3FN) -> tensor<16xf8E4M3FN> {
  %c0 = arith.constant 0 : index
  %v = vector.broadcast %s : f8E4M3FN to vector<16xf8E4M3FN>
  %e = tensor.empty() : tensor<16xf8E4M3FN>
  %w = vector.transfer_write %v, %e[%c0] {in_bounds = [true]} : vector<16xf8E4M3FN>, tensor<16xf8E4M3FN>
  return %w : tensor<16xf8E4M3FN>
}

// tensor.generate: each element computed from its indices, i * 4 + j in
// E4M3.
func.func @generate() -> tensor<3x4xf8E4M3FN> {
  %t = tensor.generate {
  ^bb0(%i: index, %j: index):
    %c4 = arith.constant 4 : index
    %k = arith.muli %i, %c4 : index
    %l = arith.addi %k, %j : index
    %n = arith.index_cast %l : index to i32
    %v = arith.sitofp %n : i32 to f8E4M3FN
    tensor.yield %v : f8E4M3FN
  } : tensor<3x4xf8E4M3FN>
  return %t : tensor<3x4xf8E4M3FN>
}

func.func @reshape(%x: tensor<3x5xf6E3M2FN>) -> tensor<5x3xf6E3M2FN> {
  %s = arith.constant dense<[5, 3]> : tensor<2xindex>
  %r = tensor.reshape %x(%s) : (tensor<3x5xf6E3M2FN>, tensor<2xindex>) -> tensor<5x3xf6E3M2FN>
  return %r : tensor<5x3xf6E3M2FN>
}
