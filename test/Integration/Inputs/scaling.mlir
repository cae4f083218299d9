// arith.scaling_truncf and arith.scaling_extf, MLIR's elementwise MX
// scaling (scaling.test runs each function compiled and in the reference
// interpreter, and prints the values).

// f32 into E2M1 divided by E8M0 scales, to nearest even and downward.
func.func @truncf_e2m1(%x: tensor<8xf32>, %s: tensor<8xf8E8M0FNU>) -> (tensor<8xf4E2M1FN>, tensor<8xf4E2M1FN>) {
  %n = arith.scaling_truncf %x, %s : tensor<8xf32>, tensor<8xf8E8M0FNU> to tensor<8xf4E2M1FN>
  %d = arith.scaling_truncf %x, %s downward : tensor<8xf32>, tensor<8xf8E8M0FNU> to tensor<8xf4E2M1FN>
  return %n, %d : tensor<8xf4E2M1FN>, tensor<8xf4E2M1FN>
}

// f16 into E3M2 with f32 scales, which are first rounded into E8M0.
func.func @truncf_wide_scale(%x: tensor<8xf16>, %s: tensor<8xf32>) -> tensor<8xf6E3M2FN> {
  %r = arith.scaling_truncf %x, %s : tensor<8xf16>, tensor<8xf32> to tensor<8xf6E3M2FN>
  return %r : tensor<8xf6E3M2FN>
}

// E2M1 times E8M0 scales into bf16 and f32.
func.func @extf_e2m1(%x: tensor<8xf4E2M1FN>, %s: tensor<8xf8E8M0FNU>) -> (tensor<8xbf16>, tensor<8xf32>) {
  %b = arith.scaling_extf %x, %s : tensor<8xf4E2M1FN>, tensor<8xf8E8M0FNU> to tensor<8xbf16>
  %f = arith.scaling_extf %x, %s : tensor<8xf4E2M1FN>, tensor<8xf8E8M0FNU> to tensor<8xf32>
  return %b, %f : tensor<8xbf16>, tensor<8xf32>
}

// The same ops on vectors: E5M2 codes read from and written to tensors.
func.func @vectors(%x: tensor<8xf8E5M2>, %s: tensor<8xf8E8M0FNU>) -> tensor<8xf8E4M3FN> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f8E5M2
  %padScale = arith.constant 1.0 : f8E8M0FNU
  %vx = vector.transfer_read %x[%c0], %pad : tensor<8xf8E5M2>, vector<8xf8E5M2>
  %vs = vector.transfer_read %s[%c0], %padScale : tensor<8xf8E8M0FNU>, vector<8xf8E8M0FNU>
  %wide = arith.scaling_extf %vx, %vs : vector<8xf8E5M2>, vector<8xf8E8M0FNU> to vector<8xf32>
  %narrow = arith.scaling_truncf %wide, %vs : vector<8xf32>, vector<8xf8E8M0FNU> to vector<8xf8E4M3FN>
  %init = tensor.empty() : tensor<8xf8E4M3FN>
  %r = vector.transfer_write %narrow, %init[%c0] : vector<8xf8E4M3FN>, tensor<8xf8E4M3FN>
  return %r : tensor<8xf8E4M3FN>
}
