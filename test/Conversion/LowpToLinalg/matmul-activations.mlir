// RUN: lowp-opt %s --lowp-pack-boundaries --canonicalize --lowp-vectorize=vector-target=avx512-bf16 --convert-lowp-to-linalg --canonicalize --cse --split-input-file | FileCheck %s --check-prefixes=CHECK,BF16
// RUN: lowp-opt %s --lowp-pack-boundaries --canonicalize --lowp-vectorize=vector-target=avx512 --convert-lowp-to-linalg --canonicalize --cse --split-input-file | FileCheck %s --check-prefixes=CHECK,F32
// RUN: not lowp-opt %s --lowp-vectorize=vector-target=sse9 --split-input-file 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: unknown vector-target 'sse9'; expected host, avx512-bf16, avx512-vnni, avx512, avx2 or generic

// Tests that an MXFP8 activation reaches the K x N kernel as its parts:
// its E4M3 codes decoded once (to bf16 codes where the target has
// AVX512_BF16, every E4M3 and E2M1 value being a bf16 value; to f32
// otherwise), its E8M0 scales once into an 8 x 2 f32 tensor.
//
// With AVX512_BF16 the kernel first finds the smallest scale code of the
// weight and of x and checks that scaled values and their products stay
// multiples of 2^-126 (x's exponent >= -126 + 9 for E4M3's lowest bit
// 2^-9, the weight's >= -126 + 1 for E2M1's 2^-1, their sum >= -126 + 10).
// Then (scf.if) the GEMM multiplies the operands' values: x's codes
// decoded times their block's scale into bf16 codes, the panel's words
// pairs of weight values times their block's scale, one pass of all 64
// rows of K over both blocks, and each register tile's sums added to y
// unscaled. Otherwise (else) it multiplies codes: the panel holds two rows
// of bf16 codes per word (16 words a column for a pass of 32 rows, the two
// 64-column slabs of the register tiles stacked), and each register tile's
// sums are multiplied by its row's scale before the weight's. The
// register tile is 16 vdpbf16ps per pair of rows; without AVX512_BF16, 16
// f32 FMAs per row and no guard.
// CHECK-LABEL: func.func @mxfp8_mxfp4(
// CHECK-SAME:      %[[CODES:[^:]+]]: tensor<8x64xi8>, %[[XSCALES:[^:]+]]: tensor<8x2xi8>, %{{[^:]+}}: tensor<64x64xi8>, %[[WSCALES:[^:]+]]: tensor<2x128xi8>)
// CHECK-NOT:     lowp.dequantize
// BF16-DAG:      %[[PRODUCTLIMIT:.+]] = arith.constant -116 : i32
// BF16-DAG:      %[[WLIMIT:.+]] = arith.constant -125 : i32
// BF16-DAG:      %[[XLIMIT:.+]] = arith.constant -117 : i32
// BF16-DAG:      %[[BIAS:.+]] = arith.constant 127 : i32
// BF16:          vector.transfer_read %[[WSCALES]][%{{.+}}, %{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<2x128xi8>, vector<64xi8>
// BF16:          %[[WMIN:.+]] = vector.reduction <minui>, %{{.+}} : vector<64xi8> into i8
// BF16:          %[[WCODE:.+]] = arith.extui %[[WMIN]] : i8 to i32
// BF16:          %[[WEXP:.+]] = arith.subi %[[WCODE]], %[[BIAS]] : i32
// BF16:          vector.transfer_read %[[XSCALES]][%{{.+}}, %{{.+}}], %{{.+}} : tensor<8x2xi8>, vector<64xi8>
// BF16:          %[[XMIN:.+]] = vector.reduction <minui>, %{{.+}} : vector<64xi8> into i8
// BF16:          %[[XCODE:.+]] = arith.extui %[[XMIN]] : i8 to i32
// BF16:          %[[XEXP:.+]] = arith.subi %[[XCODE]], %[[BIAS]] : i32
// BF16:          %[[XOK:.+]] = arith.cmpi sge, %[[XEXP]], %[[XLIMIT]] : i32
// BF16:          %[[WOK:.+]] = arith.cmpi sge, %[[WEXP]], %[[WLIMIT]] : i32
// BF16:          %[[BOTH:.+]] = arith.andi %[[XOK]], %[[WOK]] : i1
// BF16:          %[[SUM:.+]] = arith.addi %[[XEXP]], %[[WEXP]] : i32
// BF16:          %[[PRODUCTOK:.+]] = arith.cmpi sge, %[[SUM]], %[[PRODUCTLIMIT]] : i32
// BF16:          %[[GUARD:.+]] = arith.andi %[[BOTH]], %[[PRODUCTOK]] : i1
// BF16:          scf.if %[[GUARD]] -> (tensor<8x128xf32>) {
// BF16:            %[[SCALEDSCALES:.+]] = scf.for {{.+}} -> (tensor<8x2xf32>)
// BF16:            %[[SCALEDPAIRS:.+]] = scf.for {{.+}} -> (tensor<8x64xi16>)
// BF16:              %[[XSCALE:.+]] = tensor.extract %[[SCALEDSCALES]]
// BF16:              %[[XSCALES16:.+]] = vector.broadcast %[[XSCALE]]
// BF16:              %[[XVALUE:.+]] = arith.mulf %{{.+}}, %[[XSCALES16]] : vector<16xf32>
// BF16:              arith.bitcast %[[XVALUE]]
// BF16:              arith.trunci %{{.+}} : vector<16xi32> to vector<16xi16>
// BF16:            %[[VALUEPANEL:.+]] = bufferization.alloc_tensor() : tensor<64x64xi32>
// BF16:            scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{.+}} = %[[VALUEPANEL]]) -> (tensor<64x64xi32>)
// BF16:              scf.for %{{.+}} = %{{.+}} to %[[C16:.+]] step %{{.+}} iter_args(%{{.+}}) -> (tensor<64x64xi32>)
// BF16:                %[[LOW:.+]] = arith.mulf
// BF16:                %[[HIGH:.+]] = arith.mulf
// BF16:                arith.bitcast %[[LOW]]
// BF16:                arith.bitcast %[[HIGH]]
// BF16:                arith.ori
// BF16:            scf.for
// BF16:              %[[VALUESUMS:.+]]:16 = scf.for
// BF16-COUNT-16:       x86vector.avx512.dot
// BF16:                scf.yield
// BF16:              %[[OLD:.+]] = vector.transfer_read
// BF16-NEXT:         arith.addf %[[OLD]], %[[VALUESUMS]]#0 : vector<16xf32>
// BF16:          } else {
// CHECK:         %[[ROWSCALES:.+]] = scf.for {{.+}} -> (tensor<8x2xf32>)
// CHECK:           vector.transfer_read %[[XSCALES]]
// BF16:          %[[PAIRS:.+]] = scf.for {{.+}} -> (tensor<8x64xi16>)
// BF16:            vector.transfer_read %[[CODES]]
// BF16:            arith.trunci %{{.+}} : vector<16xi32> to vector<16xi16>
// F32:           %[[VALUES:.+]] = scf.for {{.+}} -> (tensor<8x64xf32>)
// F32:             vector.transfer_read %[[CODES]]
// BF16:          bufferization.alloc_tensor() : tensor<32x64xi32>
// F32:           bufferization.alloc_tensor() : tensor<64x64xf32>
// BF16:          scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{.+}}) -> (tensor<32x64xi32>)
// BF16:            arith.shrui
// BF16:            arith.andi
// BF16:            arith.ori
// BF16:          scf.for %[[PAIR:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args({{.+}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// BF16-COUNT-4:      vector.bitcast %{{.+}} : vector<16xi32> to vector<32xbf16>
// BF16:              vector.transfer_read %[[PAIRS]][%{{.+}}, %{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<8x64xi16>, vector<2xi16>
// BF16-COUNT-16:     x86vector.avx512.dot %{{.+}}, %{{.+}}, %{{.+}} : vector<32xbf16> -> vector<16xf32>
// BF16-NOT:          vector.fma
// BF16:              scf.yield
// F32-NOT:       x86vector
// F32-NOT:       scf.if
// F32:           scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args({{.+}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// F32:               tensor.extract %[[VALUES]]
// F32-COUNT-4:       vector.fma
// F32:               scf.yield
// CHECK:         %[[ROWSCALE:.+]] = tensor.extract %[[ROWSCALES]]
// CHECK:         %[[BROADCAST:.+]] = vector.broadcast %[[ROWSCALE]] : f32 to vector<16xf32>
// CHECK:         %[[SCALED:.+]] = arith.mulf %{{.+}}, %[[BROADCAST]] : vector<16xf32>
// CHECK:         vector.fma %[[SCALED]], %{{.+}}, %{{.+}} : vector<16xf32>
func.func @mxfp8_mxfp4(%x: tensor<8x64xf8E4M3FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>, %w: tensor<64x128xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>) -> tensor<8x128xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<8x64xf8E4M3FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>, tensor<64x128xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<8x128xf32>
  return %0 : tensor<8x128xf32>
}

// -----

// Tests that NF4's values, which bf16 does not hold, keep f32 FMAs even
// where the target has AVX512_BF16.
// CHECK-LABEL: func.func @e4m3_nf4(
// CHECK-NOT:     x86vector
// CHECK:         vector.fma
// CHECK-NOT:     x86vector
func.func @e4m3_nf4(%x: tensor<8x64xf8E4M3FN>, %w: tensor<64x128x!lowp.codebook<nf4>, #lowp.block_scaled<block = [64, 1], scale = f32, rule = absmax>>) -> tensor<8x128xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<8x64xf8E4M3FN>, tensor<64x128x!lowp.codebook<nf4>, #lowp.block_scaled<block = [64, 1], scale = f32, rule = absmax>> -> tensor<8x128xf32>
  return %0 : tensor<8x128xf32>
}

// -----

// Tests that the N x K kernel, which reads f32 activations, gets the MXFP8
// activation dequantized first by the dequantize kernel (into 512 f32
// values, shaped 8 x 64), and no bf16 pairs.
// CHECK-LABEL: func.func @mxfp8_mxfp4_nk(
// CHECK-NOT:     x86vector
// CHECK-NOT:     tensor<8x64xi16>
// CHECK:         tensor.expand_shape %{{.+}} {{\[\[}}0, 1]] output_shape [8, 64] : tensor<512xf32> into tensor<8x64xf32>
// CHECK-NOT:     x86vector
func.func @mxfp8_mxfp4_nk(%x: tensor<8x64xf8E4M3FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>, %w: tensor<128x64xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>) -> tensor<8x128xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<8x64xf8E4M3FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>, tensor<128x64xf4E2M1FN, #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>> -> tensor<8x128xf32>
  return %0 : tensor<8x128xf32>
}

// -----

// Tests that bf16 activations, whose subnormals vdpbf16ps would flush to
// zero, keep f32 FMAs where the target has AVX512_BF16.
// CHECK-LABEL: func.func @bf16_mxfp4(
// CHECK-NOT:     x86vector
// CHECK:         vector.fma
// CHECK-NOT:     x86vector
func.func @bf16_mxfp4(%x: tensor<8x64xbf16>, %w: tensor<64x128xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>) -> tensor<8x128xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<8x64xbf16>, tensor<64x128xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<8x128xf32>
  return %0 : tensor<8x128xf32>
}

// -----

// Tests that int8 activations (an f32 scale per row) times int4-g128
// weights (ui4 codes, f16 scales, ui4 zero points) multiply bytes with
// VNNI on AVX512_VNNI: once per call, each row's sum of x's codes over each
// pass of 128 rows (8 x 2); the panel holds four rows of codes a word (32
// words a column for the pass, two stacked 64-column slabs); the register
// tile is 16 lowp.dot_bytes (vpdpbusd) per four rows, its i32 sums
// converted to f32 less zero point times the row's pass sum, then scaled.
// Without VNNI (F32) the codes are decoded to f32 and multiplied by FMAs.
// CHECK-LABEL: func.func @int8_int4
// CHECK-SAME:      %[[CODES:[^:]+]]: tensor<8x256xi8>
// BF16:          %[[PASSSUMS:.+]] = scf.for {{.+}} -> (tensor<8x2xf32>)
// BF16:            vector.transfer_read %[[CODES]]{{.+}} : tensor<8x256xi8>, vector<128xi8>
// BF16:            arith.extsi %{{.+}} : vector<128xi8> to vector<128xi32>
// BF16:            vector.reduction <add>, %{{.+}} : vector<128xi32> into i32
// BF16:          bufferization.alloc_tensor() : tensor<64x64xi32>
// BF16:          bufferization.alloc_tensor() : tensor<256xf32>
// BF16:          %[[SUMS:.+]]:16 = scf.for {{.+}} -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// BF16:            vector.transfer_read %[[CODES]]{{.+}} : tensor<8x256xi8>, vector<4xi8>
// BF16-COUNT-16:   lowp.dot_bytes
// BF16-NOT:        vector.fma
// BF16:            scf.yield
// BF16:          %[[PASSSUM:.+]] = tensor.extract %[[PASSSUMS]]
// BF16:          %[[ROWSUM:.+]] = vector.broadcast %[[PASSSUM]] : f32 to vector<16xf32>
// BF16:          %[[EXACT:.+]] = arith.sitofp %[[SUMS]]#0 : vector<16xi32> to vector<16xf32>
// BF16:          %[[CORRECTION:.+]] = arith.mulf %{{.+}}, %[[ROWSUM]] : vector<16xf32>
// BF16:          arith.subf %[[EXACT]], %[[CORRECTION]] : vector<16xf32>
// F32-NOT:       lowp.dot_bytes
// F32:           vector.fma
func.func @int8_int4(%x: tensor<8x256xi8, #lowp.block_scaled<block = [1, 256], scale = f32, rule = absmax>>, %w: tensor<256x128xui4, #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>>) -> tensor<8x128xf32> {
  %0 = lowp.matmul %x, %w {accumulator = f32} : tensor<8x256xi8, #lowp.block_scaled<block = [1, 256], scale = f32, rule = absmax>>, tensor<256x128xui4, #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>> -> tensor<8x128xf32>
  return %0 : tensor<8x128xf32>
}
