// A second module whose header declares the same descriptor types as
// kernels.mlir's (f32 and uint8 vectors): both headers go in one file.
func.func @to_e4m3(%x: tensor<4xf32>) -> tensor<4xf8E4M3FN> {
  %r = lowp.convert %x : tensor<4xf32> to tensor<4xf8E4M3FN>
  return %r : tensor<4xf8E4M3FN>
}
