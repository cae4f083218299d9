// relu of dequantized MX tensors, which lowp-propagate-scales turns into
// relu of the elements under the same E8M0 scales.
!mxfp4 = tensor<2x64xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>
!mxfp8 = tensor<2x64xf8E4M3FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>

func.func @relu_mxfp4(%q: !mxfp4) -> tensor<2x64xf32> {
  %d = lowp.dequantize %q : !mxfp4 to tensor<2x64xf32>
  %z = arith.constant dense<0.0> : tensor<2x64xf32>
  %r = arith.maximumf %d, %z : tensor<2x64xf32>
  return %r : tensor<2x64xf32>
}

func.func @relu_mxfp8(%q: !mxfp8) -> tensor<2x64xf32> {
  %d = lowp.dequantize %q : !mxfp8 to tensor<2x64xf32>
  %z = arith.constant dense<-0.0> : tensor<2x64xf32>
  %r = arith.maximumf %z, %d : tensor<2x64xf32>
  return %r : tensor<2x64xf32>
}
