// RUN: lowp-opt %s --lowp-vectorize --convert-lowp-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// Tests that rounding f32 into FP8 is the encode kernel: i32 arithmetic on
// 16 f32s' bits (the normal range through A + C, the subnormal one through
// an exact f32 addition), with no i64 or f64 left to halve the lanes, and
// one vector store of the 16 codes.
// CHECK-LABEL: func.func @encode_e4m3
// CHECK: scf.for
// CHECK: %[[IN:.+]] = vector.transfer_read %{{.+}} : tensor<64xf32>, vector<16xf32>
// CHECK: %[[BITS:.+]] = arith.bitcast %[[IN]] : vector<16xf32> to vector<16xi32>
// CHECK: arith.andi %[[BITS]], %{{.+}} : vector<16xi32>
// CHECK-NOT: {{i64|f64}}
// CHECK: arith.addf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK-NOT: {{i64|f64}}
// CHECK: %[[CODE:.+]] = arith.trunci %{{.+}} : vector<16xi32> to vector<16xi8>
// CHECK-NEXT: vector.store %[[CODE]], %{{.+}} : memref<64xi8>, vector<16xi8>
func.func @encode_e4m3(%x: tensor<64xf32>) -> tensor<64xf8E4M3FN> {
  %0 = lowp.convert %x : tensor<64xf32> to tensor<64xf8E4M3FN>
  return %0 : tensor<64xf8E4M3FN>
}

// -----

// Tests that decoding FP8 to f32 is the vector kernel of BlockKernels.cpp
// without scales: the code's fields moved into an f32, scaled by 2^(127 -
// 7), the NaN code selected and the sign put back, in 16 lanes, NaN made
// the reference's (0x7FC00000), and stored.
// CHECK-LABEL: func.func @decode_e4m3
// CHECK-DAG: %[[NAN:.+]] = arith.constant dense<0x7FC00000> : vector<16xf32>
// CHECK-DAG: %[[SCALE:.+]] = arith.constant dense<1.329228E+36> : vector<16xf32>
// CHECK: %[[OUT:.+]] = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
// CHECK: scf.for
// CHECK: %[[STORED:.+]] = vector.transfer_read %{{.+}} : tensor<64xi8>, vector<16xi8>
// CHECK: arith.extui %[[STORED]] : vector<16xi8> to vector<16xi32>
// CHECK-NOT: {{i64|f64}}
// CHECK: %[[FIELDS:.+]] = arith.bitcast %{{.+}} : vector<16xi32> to vector<16xf32>
// CHECK: arith.mulf %[[FIELDS]], %[[SCALE]] : vector<16xf32>
// CHECK: arith.select %{{.+}}, %[[NAN]], %{{.+}} : vector<16xi1>, vector<16xf32>
// CHECK-NOT: {{i64|f64}}
// CHECK: %[[VALUE:.+]] = arith.select %{{.+}}, %[[NAN]], %{{.+}} : vector<16xi1>, vector<16xf32>
// CHECK-NEXT: vector.store %[[VALUE]], %[[OUT]][%{{.+}}] : memref<64xf32>, vector<16xf32>
func.func @decode_e4m3(%x: tensor<64xf8E4M3FN>) -> tensor<64xf32> {
  %0 = lowp.convert %x : tensor<64xf8E4M3FN> to tensor<64xf32>
  return %0 : tensor<64xf32>
}

// -----

// Tests that a conversion between two formats that f32 holds goes through
// f32 (exact) and i32, not f64.
// CHECK-LABEL: func.func @e4m3_to_e5m2
// CHECK: linalg.generic
// CHECK-NOT: {{i64|f64}}
// CHECK: arith.mulf
// CHECK-NOT: {{i64|f64}}
// CHECK: linalg.yield %{{.+}} : i8
func.func @e4m3_to_e5m2(%x: tensor<64xf8E4M3FN>) -> tensor<64xf8E5M2> {
  %0 = lowp.convert %x downward : tensor<64xf8E4M3FN> to tensor<64xf8E5M2>
  return %0 : tensor<64xf8E5M2>
}

// -----

// Tests that E8M0, whose range reaches into f32's subnormals, normalizes
// them with a leading-zero count, still in i32.
// CHECK-LABEL: func.func @encode_e8m0
// CHECK: scf.for
// CHECK-NOT: {{i64|f64}}
// CHECK: math.ctlz %{{.+}} : vector<16xi32>
// CHECK-NOT: {{i64|f64}}
// CHECK: vector.store %{{.+}} : memref<64xi8>, vector<16xi8>
func.func @encode_e8m0(%x: tensor<64xf32>) -> tensor<64xf8E8M0FNU> {
  %0 = lowp.convert %x upward : tensor<64xf32> to tensor<64xf8E8M0FNU>
  return %0 : tensor<64xf8E8M0FNU>
}

// -----

// Tests that rounding f32 to an integer is an f32 rounding to an integral
// value, a range check on it and a 32-bit conversion.
// CHECK-LABEL: func.func @encode_int8
// CHECK: scf.for
// CHECK: %[[R:.+]] = math.trunc %{{.+}} : vector<16xf32>
// CHECK: arith.fptosi %{{.+}} : vector<16xf32> to vector<16xi32>
// CHECK-NOT: {{i64|f64}}
// CHECK: arith.trunci %{{.+}} : vector<16xi32> to vector<16xi8>
func.func @encode_int8(%x: tensor<64xf32>) -> tensor<64xi8> {
  %0 = lowp.convert %x toward_zero : tensor<64xf32> to tensor<64xi8>
  return %0 : tensor<64xi8>
}

// -----

// Tests that stochastic rounding, which the f32 lanes do not cover, keeps
// the f64 path.
// CHECK-LABEL: func.func @stochastic
// CHECK: linalg.generic
// CHECK: arith.extui %{{.+}} : i32 to i64
// CHECK: arith.trunci %{{.+}} : i64 to i8
func.func @stochastic(%x: tensor<64xf32>, %r: tensor<64xi8>) -> tensor<64xf8E4M3FN> {
  %0 = lowp.convert %x random(%r : tensor<64xi8>) stochastic : tensor<64xf32> to tensor<64xf8E4M3FN>
  return %0 : tensor<64xf8E4M3FN>
}

// -----

// Tests that a codebook source decodes through a 16-entry f32 table held in
// a register (its values are all f32s), with no NaN to canonicalize.
// CHECK-LABEL: func.func @codebook
// CHECK: %[[TABLE:.+]] = arith.constant dense<[-1.000000e+00, -0.6961928, {{.*}}, 1.000000e+00]> : vector<16xf32>
// CHECK: %[[VALUES:.+]] = lowp.lookup %[[TABLE]][%{{.+}}] : vector<16xf32>, vector<16xi32> -> vector<16xf32>
// CHECK-NEXT: vector.store %[[VALUES]]
func.func @codebook(%x: tensor<64x!lowp.codebook<nf4>>) -> tensor<64xf32> {
  %0 = lowp.convert %x : tensor<64x!lowp.codebook<nf4>> to tensor<64xf32>
  return %0 : tensor<64xf32>
}

// -----

// Tests that packing a conversion's FP4 result is vector code straight into
// the packed bytes (BlockKernels.cpp): per 32 values, two reads of 16 f32,
// each rounded in i32 lanes, the codes deinterleaved into even and odd and
// joined by a shift into 16 bytes, one store; no unpacked codes and no
// lowp.pack loop.
// CHECK-LABEL: func.func @pack_fp4
// CHECK-SAME: (%[[X:.+]]: tensor<4x64xf32>) -> tensor<4x32xi8>
// CHECK-NOT: linalg.generic
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1]] : tensor<4x64xf32> into tensor<256xf32>
// CHECK: %[[BYTES:.+]] = memref.alloc() {alignment = 64 : i64} : memref<128xi8>
// CHECK: scf.for
// CHECK-COUNT-2: vector.transfer_read %[[FLAT]][%{{.+}}]{{.*}} : tensor<256xf32>, vector<16xf32>
// CHECK: %[[EVEN:.+]], %[[ODD:.+]] = vector.deinterleave %{{.+}} : vector<32xi32> -> vector<16xi32>
// CHECK: %[[HIGH:.+]] = arith.shli %{{.+}}, %{{.+}} : vector<16xi32>
// CHECK: %[[JOINED:.+]] = arith.ori %{{.+}}, %[[HIGH]] : vector<16xi32>
// CHECK: %[[PACKED:.+]] = arith.trunci %[[JOINED]] : vector<16xi32> to vector<16xi8>
// CHECK: vector.transfer_write %[[PACKED]], %[[BYTES]][%{{.+}}] {in_bounds = [true]} : vector<16xi8>, memref<128xi8>
// CHECK: %[[T:.+]] = bufferization.to_tensor %[[BYTES]] restrict writable
// CHECK: %[[R:.+]] = tensor.expand_shape %[[T]] {{\[\[}}0, 1]] output_shape [4, 32]
// CHECK: return %[[R]]
func.func @pack_fp4(%x: tensor<4x64xf32>) -> tensor<4x32xi8> {
  %0 = lowp.convert %x : tensor<4x64xf32> to tensor<4x64xf4E2M1FN>
  %1 = lowp.pack %0 : tensor<4x64xf4E2M1FN> to tensor<4x32xi8>
  return %1 : tensor<4x32xi8>
}

// -----

// Tests that packing 6-bit codes, which straddle bytes, converts straight
// into the packed bytes in one loop over groups of four codes (three
// bytes), its tensor materialized in the allocation it started from so
// that bufferization writes the caller's buffer (an allocation, not
// tensor.empty, which CSE would merge with another conversion's).
// CHECK-LABEL: func.func @pack_fp6
// CHECK-SAME: (%[[X:.+]]: tensor<4x64xf32>) -> tensor<4x48xi8>
// CHECK-NOT: linalg.generic
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1]] : tensor<4x64xf32> into tensor<256xf32>
// CHECK: %[[EMPTY:.+]] = bufferization.alloc_tensor() : tensor<4x48xi8>
// CHECK: %[[INIT:.+]] = tensor.collapse_shape %[[EMPTY]] {{\[\[}}0, 1]] : tensor<4x48xi8> into tensor<192xi8>
// CHECK: %[[LOOP:.+]] = scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %[[INIT]]) -> (tensor<192xi8>)
// CHECK-COUNT-4: tensor.extract %[[FLAT]]
// CHECK: tensor.insert %{{.+}} into %[[ACC]]
// CHECK: tensor.insert
// CHECK: %[[NEW:.+]] = tensor.insert
// CHECK-NEXT: scf.yield %[[NEW]]
// CHECK: %[[SHAPED:.+]] = tensor.expand_shape %[[LOOP]] {{\[\[}}0, 1]] output_shape [4, 48]
// CHECK: %[[R:.+]] = bufferization.materialize_in_destination %[[SHAPED]] in %[[EMPTY]]
// CHECK: return %[[R]]
func.func @pack_fp6(%x: tensor<4x64xf32>) -> tensor<4x48xi8> {
  %0 = lowp.convert %x : tensor<4x64xf32> to tensor<4x64xf6E2M3FN>
  %1 = lowp.pack %0 : tensor<4x64xf6E2M3FN> to tensor<4x48xi8>
  return %1 : tensor<4x48xi8>
}

// -----

// Tests that converting unpacked FP6 reads the packed bytes itself: one
// loop over groups of 3 bytes holding 4 codes.
// CHECK-LABEL: func.func @unpack_fp6
// CHECK-NOT: linalg.generic
// CHECK: scf.for
// CHECK-COUNT-3: tensor.extract %{{.+}} : tensor<192xi8>
// CHECK-COUNT-4: tensor.insert %{{.+}} : tensor<256xf32>
// CHECK: scf.yield
// CHECK: bufferization.materialize_in_destination
func.func @unpack_fp6(%p: tensor<4x48xi8>) -> tensor<4x64xf32> {
  %0 = lowp.unpack %p : tensor<4x48xi8> to tensor<4x64xf6E2M3FN>
  %1 = lowp.convert %0 : tensor<4x64xf6E2M3FN> to tensor<4x64xf32>
  return %1 : tensor<4x64xf32>
}

// -----

// Tests that rows ending inside a byte (7 FP4 codes) are converted and then
// packed, in two loops.
// CHECK-LABEL: func.func @ragged_rows
// CHECK: %[[CODES:.+]] = linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<4x7xi8>)
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<4x4xi8>)
// CHECK: tensor.extract %[[CODES]]
func.func @ragged_rows(%x: tensor<4x7xf32>) -> tensor<4x4xi8> {
  %0 = lowp.convert %x : tensor<4x7xf32> to tensor<4x7xf4E2M1FN>
  %1 = lowp.pack %0 : tensor<4x7xf4E2M1FN> to tensor<4x4xi8>
  return %1 : tensor<4x4xi8>
}

// -----

// Tests that arith.truncf and arith.extf on scalars take the same f32
// lanes: truncf into E4M3FN toward zero and extf of E2M1 have no i64 or
// f64 in them.
// CHECK-LABEL: func.func @arith_casts
// CHECK-NOT: {{i64|f64}}
// CHECK: arith.bitcast %{{.+}} : f32 to i32
// CHECK-NOT: {{i64|f64}}
// CHECK: return
func.func @arith_casts(%x: f32, %c: f4E2M1FN) -> (f8E4M3FN, f32) {
  %0 = arith.truncf %x toward_zero : f32 to f8E4M3FN
  %1 = arith.extf %c : f4E2M1FN to f32
  return %0, %1 : f8E4M3FN, f32
}
