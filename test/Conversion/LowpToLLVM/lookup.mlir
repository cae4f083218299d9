// RUN: lowp-opt %s --convert-lowp-to-llvm=vector-target=avx512 --split-input-file | FileCheck %s --check-prefix=AVX512
// RUN: lowp-opt %s --convert-lowp-to-llvm=vector-target=generic --split-input-file | FileCheck %s --check-prefix=GENERIC
// RUN: not lowp-opt %s --convert-lowp-to-llvm=vector-target=sse9 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: unknown vector-target 'sse9'; expected host, avx512-bf16, avx512-vnni, avx512, avx2 or generic

// Tests that a 16-entry f32 lookup is one vpermps on AVX-512, and a tree
// of 15 selects on the four low index bits elsewhere.
// AVX512-LABEL: func.func @f32_table
// AVX512:         %[[R:.+]] = llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"(%{{.+}}, %{{.+}}) : (vector<16xf32>, vector<16xi32>) -> vector<16xf32>
// AVX512-NOT:     lowp.lookup
// AVX512:         return %[[R]]
// GENERIC-LABEL: func.func @f32_table
// GENERIC-NOT:    llvm.call_intrinsic
// GENERIC-DAG:    arith.constant dense<8> : vector<16xi32>
// GENERIC-DAG:    arith.constant dense<1> : vector<16xi32>
// GENERIC-COUNT-15: arith.select
// GENERIC-NOT:    arith.select
// GENERIC-NOT:    lowp.lookup
func.func @f32_table(%table: vector<16xf32>, %codes: vector<16xi32>) -> vector<16xf32> {
  %0 = lowp.lookup %table[%codes] : vector<16xf32>, vector<16xi32> -> vector<16xf32>
  return %0 : vector<16xf32>
}

// -----

// Tests that i32 tables use vpermd.
// AVX512-LABEL: func.func @i32_table
// AVX512:         llvm.call_intrinsic "llvm.x86.avx512.permvar.si.512"
// GENERIC-LABEL: func.func @i32_table
// GENERIC-COUNT-15: arith.select %{{.+}} : vector<16xi1>, vector<16xi32>
func.func @i32_table(%table: vector<16xi32>, %codes: vector<16xi32>) -> vector<16xi32> {
  %0 = lowp.lookup %table[%codes] : vector<16xi32>, vector<16xi32> -> vector<16xi32>
  return %0 : vector<16xi32>
}

// -----

// Tests that lookups that are not one 512-bit permute take the selects on
// AVX-512 too: 32 lanes, and a 4-entry table (two selects levels).
// AVX512-LABEL: func.func @other_shapes
// AVX512-NOT:     llvm.call_intrinsic
// AVX512-COUNT-3: arith.select %{{.+}} : vector<32xi1>, vector<32xf32>
// AVX512-COUNT-3: arith.select %{{.+}} : vector<16xi1>, vector<16xf32>
// AVX512-NOT:     arith.select
func.func @other_shapes(%t16: vector<16xf32>, %t4: vector<4xf32>, %wide: vector<32xi32>, %codes: vector<16xi32>) -> (vector<32xf32>, vector<16xf32>) {
  %0 = lowp.lookup %t4[%wide] : vector<4xf32>, vector<32xi32> -> vector<32xf32>
  %1 = lowp.lookup %t4[%codes] : vector<4xf32>, vector<16xi32> -> vector<16xf32>
  return %0, %1 : vector<32xf32>, vector<16xf32>
}

// -----

// Tests that a lookup of one index (a block's zero point) widens it to 16
// lanes around one vpermps on AVX-512 and takes lane 0 back, rather than a
// tree of selects.
// AVX512-LABEL: func.func @one_index
// AVX512:         %[[WIDE:.+]] = vector.shuffle %[[I:.+]], %[[I]] [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] : vector<1xi32>, vector<1xi32>
// AVX512:         %[[R:.+]] = llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"(%{{.+}}, %[[WIDE]]) : (vector<16xf32>, vector<16xi32>) -> vector<16xf32>
// AVX512:         %[[ONE:.+]] = vector.shuffle %[[R]], %[[R]] [0] : vector<16xf32>, vector<16xf32>
// AVX512-NOT:     arith.select
// AVX512:         return %[[ONE]] : vector<1xf32>
// GENERIC-LABEL: func.func @one_index
// GENERIC-COUNT-15: arith.select
func.func @one_index(%table: vector<16xf32>, %codes: vector<1xi32>) -> vector<1xf32> {
  %0 = lowp.lookup %table[%codes] : vector<16xf32>, vector<1xi32> -> vector<1xf32>
  return %0 : vector<1xf32>
}

// -----

// Tests that 32- and 64-entry f32 tables (per-group format choice: the
// selector above the code bits) are one vpermt2ps, or two and a select on
// index bit 5, on AVX-512; selects on five or six bits elsewhere.
// AVX512-LABEL: func.func @two_source_tables
// AVX512:         arith.constant dense<32> : vector<16xi32>
// AVX512:         %[[A:.+]] = vector.extract_strided_slice %arg0 {offsets = [0], sizes = [16], strides = [1]} : vector<32xf32> to vector<16xf32>
// AVX512:         %[[B:.+]] = vector.extract_strided_slice %arg0 {offsets = [16], sizes = [16], strides = [1]} : vector<32xf32> to vector<16xf32>
// AVX512:         %[[R32:.+]] = llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.ps.512"(%[[A]], %arg2, %[[B]])
// AVX512-COUNT-2: llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.ps.512"
// AVX512:         %[[R64:.+]] = arith.select %{{.+}} : vector<16xi1>, vector<16xf32>
// AVX512-NOT:     lowp.lookup
// AVX512:         return %[[R32]], %[[R64]]
// GENERIC-LABEL: func.func @two_source_tables
// GENERIC-COUNT-94: arith.select
// GENERIC-NOT:    arith.select
func.func @two_source_tables(%t32: vector<32xf32>, %t64: vector<64xf32>, %codes: vector<16xi32>) -> (vector<16xf32>, vector<16xf32>) {
  %0 = lowp.lookup %t32[%codes] : vector<32xf32>, vector<16xi32> -> vector<16xf32>
  %1 = lowp.lookup %t64[%codes] : vector<64xf32>, vector<16xi32> -> vector<16xf32>
  return %0, %1 : vector<16xf32>, vector<16xf32>
}
