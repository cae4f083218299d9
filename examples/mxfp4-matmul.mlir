// A matmul with MXFP4 weights and f32 activations, next to the same matmul
// in f32. scripts/main-job.sh runs it step by step with lowp-run:
//   @generate          -> x (64x1024 activations), w (1024x1024 weights)
//   @quantize_weights  w -> its MXFP4 parts (E2M1 codes, E8M0 scales);
//                      blocks of 32 run along K, the reduction dimension
//   @matmul_mxfp4      x, parts -> y         (timed with --repeat)
//   @matmul_f32        x, w -> y_ref         (timed with --repeat)
//   @relative_error    y, y_ref -> ||y - y_ref|| / ||y_ref||, max |y - y_ref|

!x = tensor<64x1024xf32>
!w = tensor<1024x1024xf32>
!y = tensor<64x1024xf32>
!wq = tensor<1024x1024xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

#identity = affine_map<(i, j) -> (i, j)>
#all = affine_map<(i, j) -> ()>

// A deterministic pseudo-random value in [-scale, scale): a hash of the
// element's indices, so the data needs no input files.
func.func private @hash(%i: index, %j: index, %seed: i32, %scale: f32) -> f32 {
  %ii = arith.index_cast %i : index to i32
  %jj = arith.index_cast %j : index to i32
  %c1 = arith.constant 73856093 : i32
  %c2 = arith.constant 19349663 : i32
  %c3 = arith.constant 83492791 : i32
  %c15 = arith.constant 15 : i32
  %mask = arith.constant 65535 : i32
  %a = arith.muli %ii, %c1 : i32
  %b = arith.muli %jj, %c2 : i32
  %h0 = arith.xori %a, %b : i32
  %h1 = arith.xori %h0, %seed : i32
  %h2 = arith.muli %h1, %c3 : i32
  %h3 = arith.shrui %h2, %c15 : i32
  %h4 = arith.xori %h2, %h3 : i32
  %h5 = arith.andi %h4, %mask : i32
  %f = arith.uitofp %h5 : i32 to f32
  %half = arith.constant 32768.0 : f32
  %one = arith.constant 1.0 : f32
  %u = arith.divf %f, %half : f32
  %v = arith.subf %u, %one : f32
  %r = arith.mulf %v, %scale : f32
  return %r : f32
}

func.func @generate() -> (!x, !w) {
  %s1 = arith.constant 12345 : i32
  %s2 = arith.constant 67890 : i32
  %one = arith.constant 1.0 : f32
  %small = arith.constant 0.05 : f32
  %x0 = tensor.empty() : !x
  %x = linalg.generic {indexing_maps = [#identity], iterator_types = ["parallel", "parallel"]}
      outs(%x0 : !x) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %v = func.call @hash(%i, %j, %s1, %one) : (index, index, i32, f32) -> f32
    linalg.yield %v : f32
  } -> !x
  %w0 = tensor.empty() : !w
  %w = linalg.generic {indexing_maps = [#identity], iterator_types = ["parallel", "parallel"]}
      outs(%w0 : !w) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %v = func.call @hash(%i, %j, %s2, %small) : (index, index, i32, f32) -> f32
    linalg.yield %v : f32
  } -> !w
  return %x, %w : !x, !w
}

func.func @quantize_weights(%w: !w) -> !wq {
  %0 = lowp.quantize %w : !w to !wq
  return %0 : !wq
}

func.func @matmul_mxfp4(%x: !x, %w: !wq) -> !y {
  %0 = lowp.matmul %x, %w {accumulator = f32} : !x, !wq -> !y
  return %0 : !y
}

func.func @matmul_f32(%x: !x, %w: !w) -> !y {
  %0 = lowp.matmul %x, %w {accumulator = f32} : !x, !w -> !y
  return %0 : !y
}

func.func @relative_error(%y: !y, %ref: !y) -> (tensor<f32>, tensor<f32>) {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<f32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %sums:3 = linalg.generic {indexing_maps = [#identity, #identity, #all, #all, #all],
                            iterator_types = ["reduction", "reduction"]}
      ins(%y, %ref : !y, !y) outs(%acc, %acc, %acc : tensor<f32>, tensor<f32>, tensor<f32>) {
  ^bb0(%a: f32, %b: f32, %err2: f32, %ref2: f32, %maxerr: f32):
    %d = arith.subf %a, %b : f32
    %d2 = arith.mulf %d, %d : f32
    %b2 = arith.mulf %b, %b : f32
    %e = arith.addf %err2, %d2 : f32
    %r = arith.addf %ref2, %b2 : f32
    %ad = math.absf %d : f32
    %m = arith.maximumf %maxerr, %ad : f32
    linalg.yield %e, %r, %m : f32, f32, f32
  } -> (tensor<f32>, tensor<f32>, tensor<f32>)
  %e1 = tensor.empty() : tensor<f32>
  %rel = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>, affine_map<() -> ()>],
                         iterator_types = []}
      ins(%sums#0, %sums#1 : tensor<f32>, tensor<f32>) outs(%e1 : tensor<f32>) {
  ^bb0(%e: f32, %r: f32, %out: f32):
    %q = arith.divf %e, %r : f32
    %s = math.sqrt %q : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %rel, %sums#2 : tensor<f32>, tensor<f32>
}
