// RUN: lowp-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(lowp-parallelize-elementwise))' | FileCheck %s
// RUN: lowp-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(lowp-parallelize-elementwise{chunks=3 min-iterations=1000}))' | FileCheck %s --check-prefix=OPTIONS
// RUN: not lowp-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(lowp-parallelize-elementwise{chunks=0}))' 2>&1 | FileCheck %s --check-prefix=BAD

#id = affine_map<(d0) -> (d0)>

// Tests that a large elementwise op becomes 8 chunks of one scf.forall,
// each a slice of the op, and that the options change the count and the
// threshold.
// CHECK-LABEL: func.func @large
// CHECK: scf.forall (%[[I:.+]]) = (0) to (1048576) step (131072) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<1048576xi8>)
// CHECK: tensor.extract_slice %{{.+}}[%[[I]]] [131072] [1] : tensor<1048576xf32> to tensor<131072xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.+}} : tensor<131072xf32>) outs(%{{.+}} : tensor<131072xi8>)
// CHECK: tensor.parallel_insert_slice %{{.+}} into %[[OUT]][%[[I]]] [131072] [1]
// OPTIONS-LABEL: func.func @large
// OPTIONS: scf.forall (%{{.+}}) = (0) to (1048576) step (349526)
func.func @large(%x: tensor<1048576xf32>) -> tensor<1048576xi8> {
  %e = tensor.empty() : tensor<1048576xi8>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<1048576xf32>) outs(%e : tensor<1048576xi8>) {
  ^bb0(%in: f32, %out: i8):
    %c = arith.fptosi %in : f32 to i8
    linalg.yield %c : i8
  } -> tensor<1048576xi8>
  return %y : tensor<1048576xi8>
}

// BAD: error: lowp-parallelize-elementwise: chunks and min-iterations must be positive

// -----

// Tests that an op below 64Ki points stays whole (by default; the OPTIONS
// run's threshold of 1000 splits it into 3).
// CHECK-LABEL: func.func @small
// CHECK-NOT: scf.forall
// CHECK: linalg.generic
// OPTIONS-LABEL: func.func @small
// OPTIONS: scf.forall (%{{.+}}) = (0) to (4096) step (1366)
func.func @small(%x: tensor<4096xf32>) -> tensor<4096xf32> {
  %e = tensor.empty() : tensor<4096xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%x : tensor<4096xf32>) outs(%e : tensor<4096xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<4096xf32>
  return %y : tensor<4096xf32>
}

// -----

// Tests that the chunks split the outermost dimension with a point for each
// chunk: 4 rows are too few for 8 chunks, so the columns are split, and
// linalg.index of the split dimension is offset by the chunk's start.
// CHECK-LABEL: func.func @rows
// CHECK: scf.forall (%[[J:.+]]) = (0) to (65536) step (8192)
// CHECK: tensor.extract_slice %{{.+}}[0, %[[J]]] [4, 8192] [1, 1]
// CHECK: %[[INDEX:.+]] = linalg.index 1 : index
// CHECK: affine.apply #{{.+}}(%[[J]])[%[[INDEX]]]
func.func @rows() -> tensor<4x65536xi32> {
  %e = tensor.empty() : tensor<4x65536xi32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      outs(%e : tensor<4x65536xi32>) {
  ^bb0(%out: i32):
    %j = linalg.index 1 : index
    %v = arith.index_cast %j : index to i32
    linalg.yield %v : i32
  } -> tensor<4x65536xi32>
  return %y : tensor<4x65536xi32>
}

// -----

// Tests that a pure reduction and dynamic shapes are left as they are.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: scf.forall
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction"]
// CHECK-NOT: scf.forall
// CHECK: linalg.generic {{.*}}ins(%{{.+}} : tensor<?xf32>)
// OPTIONS-LABEL: func.func @left_alone
// OPTIONS-NOT: scf.forall
func.func @left_alone(%x: tensor<1048576xf32>, %d: tensor<?xf32>) -> (tensor<f32>, tensor<?xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]}
      ins(%x : tensor<1048576xf32>) outs(%init : tensor<f32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %d, %c0 : tensor<?xf32>
  %de = tensor.empty(%n) : tensor<?xf32>
  %neg = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%d : tensor<?xf32>) outs(%de : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.negf %in : f32
    linalg.yield %v : f32
  } -> tensor<?xf32>
  return %sum, %neg : tensor<f32>, tensor<?xf32>
}

// -----

// Tests a loop nest with a reduction inside (the dequantizing matmul's m, k,
// n): the outermost parallel dimension with 8 points is n, not m (1 point)
// and never k; each chunk computes 16 whole columns of the result.
// CHECK-LABEL: func.func @matmul_nest
// CHECK: scf.forall (%[[N:.+]]) = (0) to (128) step (16) shared_outs(%[[O:.+]] = %{{.+}}) -> (tensor<1x128xf32>)
// CHECK: tensor.extract_slice %{{.+}}[0, %[[N]]] [1024, 16] [1, 1] : tensor<1024x128xf32> to tensor<1024x16xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-SAME: ins(%{{.+}}, %{{.+}} : tensor<1x1024xf32>, tensor<1024x16xf32>) outs(%{{.+}} : tensor<1x16xf32>)
// CHECK: tensor.parallel_insert_slice %{{.+}} into %[[O]][0, %[[N]]] [1, 16] [1, 1]
// OPTIONS-LABEL: func.func @matmul_nest
// OPTIONS: scf.forall (%{{.+}}) = (0) to (128) step (43)
func.func @matmul_nest(%x: tensor<1x1024xf32>, %w: tensor<1024x128xf32>, %init: tensor<1x128xf32>) -> tensor<1x128xf32> {
  %y = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>],
                       iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x, %w : tensor<1x1024xf32>, tensor<1024x128xf32>) outs(%init : tensor<1x128xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x128xf32>
  return %y : tensor<1x128xf32>
}
