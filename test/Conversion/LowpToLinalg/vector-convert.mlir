// RUN: lowp-opt %s --convert-lowp-to-linalg --split-input-file | FileCheck %s

// Tests that lowp.convert on a vector whose formats the f32-lane element
// code covers is that code on the whole vector, in i32 lanes, with no
// element extracted, and that the vector of codes is its storage type.
// CHECK-LABEL: func.func @e4m3(
// CHECK-SAME:      %[[X:[^:]+]]: vector<16xf32>) -> vector<16xi8>
// CHECK-NOT:     vector.extract
// CHECK:         arith.bitcast %[[X]] : vector<16xf32> to vector<16xi32>
// CHECK:         %[[CODES:.+]] = arith.trunci %{{.+}} : vector<16xi32> to vector<16xi8>
// CHECK:         return %[[CODES]] : vector<16xi8>
func.func @e4m3(%x: vector<16xf32>) -> vector<16xf8E4M3FN> {
  %0 = lowp.convert %x : vector<16xf32> to vector<16xf8E4M3FN>
  return %0 : vector<16xf8E4M3FN>
}

// -----

// Tests that stochastic rounding, which the f64 element code does, runs
// element by element: each element and its random bits extracted, the
// codes gathered into the vector.
// CHECK-LABEL: func.func @stochastic(
// CHECK-SAME:      %[[X:[^:]+]]: vector<2x2xf32>, %[[R:[^:]+]]: vector<2x2xi8>) -> vector<2x2xi8>
// CHECK:         vector.extract %[[X]][0, 0] : f32 from vector<2x2xf32>
// CHECK:         vector.extract %[[R]][0, 0] : i8 from vector<2x2xi8>
// CHECK:         vector.extract %[[X]][1, 1] : f32 from vector<2x2xf32>
// CHECK:         vector.extract %[[R]][1, 1] : i8 from vector<2x2xi8>
// CHECK:         %[[CODES:.+]] = vector.from_elements %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : vector<2x2xi8>
// CHECK:         return %[[CODES]]
func.func @stochastic(%x: vector<2x2xf32>, %r: vector<2x2xi8>) -> vector<2x2xf4E2M1FN> {
  %0 = lowp.convert %x random(%r : vector<2x2xi8>) stochastic : vector<2x2xf32> to vector<2x2xf4E2M1FN>
  return %0 : vector<2x2xf4E2M1FN>
}

// -----

// Tests that arith.bitcast between a format stored as its code and the
// integer of its width is the code itself.
// CHECK-LABEL: func.func @bitcast(
// CHECK-SAME:      %[[X:[^:]+]]: vector<8xi8>) -> vector<8xi8>
// CHECK-NEXT:    return %[[X]] : vector<8xi8>
func.func @bitcast(%x: vector<8xf8E5M2>) -> vector<8xi8> {
  %0 = arith.bitcast %x : vector<8xf8E5M2> to vector<8xi8>
  return %0 : vector<8xi8>
}
