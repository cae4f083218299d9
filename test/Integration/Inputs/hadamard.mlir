// lowp.hadamard: blocks along the last axis with random signs, along the
// first axis without, every block size from 2 to 1024 on one tensor each
// way, and the transform applied twice (H is its own inverse).
func.func @rows(%x: tensor<3x64xf32>) -> tensor<3x64xf32> {
  %y = lowp.hadamard %x {axis = 1 : i64, block = 32 : i64, seed = 7 : i64} : tensor<3x64xf32>
  return %y : tensor<3x64xf32>
}
func.func @columns(%x: tensor<16x5xf32>) -> tensor<16x5xf32> {
  %y = lowp.hadamard %x {axis = 0 : i64, block = 16 : i64} : tensor<16x5xf32>
  return %y : tensor<16x5xf32>
}
func.func @sizes(%x: tensor<1024xf32>) -> (tensor<1024xf32>, tensor<1024xf32>, tensor<1024xf32>, tensor<1024xf32>) {
  %a = lowp.hadamard %x {axis = 0 : i64, block = 2 : i64, seed = 1 : i64} : tensor<1024xf32>
  %b = lowp.hadamard %x {axis = 0 : i64, block = 64 : i64, seed = 2 : i64} : tensor<1024xf32>
  %c = lowp.hadamard %x {axis = 0 : i64, block = 128 : i64} : tensor<1024xf32>
  %d = lowp.hadamard %x {axis = 0 : i64, block = 1024 : i64, seed = 3 : i64} : tensor<1024xf32>
  return %a, %b, %c, %d : tensor<1024xf32>, tensor<1024xf32>, tensor<1024xf32>, tensor<1024xf32>
}
func.func @twice(%x: tensor<2x128xf32>) -> tensor<2x128xf32> {
  %y = lowp.hadamard %x {axis = 1 : i64, block = 128 : i64} : tensor<2x128xf32>
  %z = lowp.hadamard %y {axis = 1 : i64, block = 128 : i64} : tensor<2x128xf32>
  return %z : tensor<2x128xf32>
}
