// RUN: lowp-opt %s --convert-lowp-to-llvm=vector-target=avx512-vnni | FileCheck %s --check-prefix=VNNI
// RUN: lowp-opt %s --convert-lowp-to-llvm=vector-target=avx512 | FileCheck %s --check-prefix=PORTABLE

// Tests that lowp.dot_bytes is one vpdpbusd on AVX512_VNNI (its bytes
// passed as 64 x i8, the unsigned operand first), and elsewhere the bytes
// widened (unsigned: zero-extended, signed: sign-extended), multiplied,
// and each lane's four products (lanes 4l + j of the widened vector)
// added to the accumulator.
// VNNI-LABEL: func.func @dot_bytes(
// VNNI-SAME:      %[[ACC:[^:]+]]: vector<16xi32>, %[[U:[^:]+]]: vector<16xi32>, %[[S:[^:]+]]: vector<16xi32>)
// VNNI:         %[[UB:.+]] = vector.bitcast %[[U]] : vector<16xi32> to vector<64xi8>
// VNNI:         %[[SB:.+]] = vector.bitcast %[[S]] : vector<16xi32> to vector<64xi8>
// VNNI:         %[[R:.+]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%[[ACC]], %[[UB]], %[[SB]]) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// VNNI-NOT:     lowp.dot_bytes
// VNNI:         return %[[R]]
// PORTABLE-LABEL: func.func @dot_bytes(
// PORTABLE-SAME:      %[[ACC:[^:]+]]: vector<16xi32>, %[[U:[^:]+]]: vector<16xi32>, %[[S:[^:]+]]: vector<16xi32>)
// PORTABLE-NOT:   llvm.call_intrinsic
// PORTABLE:       %[[UB:.+]] = vector.bitcast %[[U]] : vector<16xi32> to vector<64xi8>
// PORTABLE:       %[[UW:.+]] = arith.extui %[[UB]] : vector<64xi8> to vector<64xi32>
// PORTABLE:       %[[SB:.+]] = vector.bitcast %[[S]] : vector<16xi32> to vector<64xi8>
// PORTABLE:       %[[SW:.+]] = arith.extsi %[[SB]] : vector<64xi8> to vector<64xi32>
// PORTABLE:       %[[P:.+]] = arith.muli %[[UW]], %[[SW]] : vector<64xi32>
// PORTABLE:       %[[B0:.+]] = vector.shuffle %[[P]], %[[P]] [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60]
// PORTABLE:       %[[S0:.+]] = arith.addi %[[ACC]], %[[B0]]
// PORTABLE:       %[[B1:.+]] = vector.shuffle %[[P]], %[[P]] [1, 5, 9, 13, 17, 21, 25, 29, 33, 37, 41, 45, 49, 53, 57, 61]
// PORTABLE:       %[[S1:.+]] = arith.addi %[[S0]], %[[B1]]
// PORTABLE:       %[[B2:.+]] = vector.shuffle %[[P]], %[[P]] [2, 6, 10, 14, 18, 22, 26, 30, 34, 38, 42, 46, 50, 54, 58, 62]
// PORTABLE:       %[[S2:.+]] = arith.addi %[[S1]], %[[B2]]
// PORTABLE:       %[[B3:.+]] = vector.shuffle %[[P]], %[[P]] [3, 7, 11, 15, 19, 23, 27, 31, 35, 39, 43, 47, 51, 55, 59, 63]
// PORTABLE:       %[[S3:.+]] = arith.addi %[[S2]], %[[B3]]
// PORTABLE:       return %[[S3]]
func.func @dot_bytes(%acc: vector<16xi32>, %u: vector<16xi32>, %s: vector<16xi32>) -> vector<16xi32> {
  %0 = lowp.dot_bytes %acc, %u, %s : vector<16xi32>
  return %0 : vector<16xi32>
}
