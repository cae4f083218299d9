// Math, float arith, casts and narrow-integer arith that the CPU pipeline
// lowers, each run compiled and in the reference interpreter
// (reference-ops.test). Results are in the order of the ops.

// absf sqrt rsqrt exp exp2 expm1 log log2 log10 log1p sin cos tan tanh sinh cosh asin acos atan erf cbrt floor ceil round roundeven trunc
func.func @unary_bf16(%x: tensor<65536xbf16>) -> (tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>) {
  %0 = math.absf %x : tensor<65536xbf16>
  %1 = math.sqrt %x : tensor<65536xbf16>
  %2 = math.rsqrt %x : tensor<65536xbf16>
  %3 = math.exp %x : tensor<65536xbf16>
  %4 = math.exp2 %x : tensor<65536xbf16>
  %5 = math.expm1 %x : tensor<65536xbf16>
  %6 = math.log %x : tensor<65536xbf16>
  %7 = math.log2 %x : tensor<65536xbf16>
  %8 = math.log10 %x : tensor<65536xbf16>
  %9 = math.log1p %x : tensor<65536xbf16>
  %10 = math.sin %x : tensor<65536xbf16>
  %11 = math.cos %x : tensor<65536xbf16>
  %12 = math.tan %x : tensor<65536xbf16>
  %13 = math.tanh %x : tensor<65536xbf16>
  %14 = math.sinh %x : tensor<65536xbf16>
  %15 = math.cosh %x : tensor<65536xbf16>
  %16 = math.asin %x : tensor<65536xbf16>
  %17 = math.acos %x : tensor<65536xbf16>
  %18 = math.atan %x : tensor<65536xbf16>
  %19 = math.erf %x : tensor<65536xbf16>
  %20 = math.cbrt %x : tensor<65536xbf16>
  %21 = math.floor %x : tensor<65536xbf16>
  %22 = math.ceil %x : tensor<65536xbf16>
  %23 = math.round %x : tensor<65536xbf16>
  %24 = math.roundeven %x : tensor<65536xbf16>
  %25 = math.trunc %x : tensor<65536xbf16>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25 : tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>
}

// The same on f32, where compiled code calls the C library's float functions.
func.func @unary_f32(%x: tensor<2048xf32>) -> (tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>) {
  %0 = math.absf %x : tensor<2048xf32>
  %1 = math.sqrt %x : tensor<2048xf32>
  %2 = math.rsqrt %x : tensor<2048xf32>
  %3 = math.exp %x : tensor<2048xf32>
  %4 = math.exp2 %x : tensor<2048xf32>
  %5 = math.expm1 %x : tensor<2048xf32>
  %6 = math.log %x : tensor<2048xf32>
  %7 = math.log2 %x : tensor<2048xf32>
  %8 = math.log10 %x : tensor<2048xf32>
  %9 = math.log1p %x : tensor<2048xf32>
  %10 = math.sin %x : tensor<2048xf32>
  %11 = math.cos %x : tensor<2048xf32>
  %12 = math.tan %x : tensor<2048xf32>
  %13 = math.tanh %x : tensor<2048xf32>
  %14 = math.sinh %x : tensor<2048xf32>
  %15 = math.cosh %x : tensor<2048xf32>
  %16 = math.asin %x : tensor<2048xf32>
  %17 = math.acos %x : tensor<2048xf32>
  %18 = math.atan %x : tensor<2048xf32>
  %19 = math.erf %x : tensor<2048xf32>
  %20 = math.cbrt %x : tensor<2048xf32>
  %21 = math.floor %x : tensor<2048xf32>
  %22 = math.ceil %x : tensor<2048xf32>
  %23 = math.round %x : tensor<2048xf32>
  %24 = math.roundeven %x : tensor<2048xf32>
  %25 = math.trunc %x : tensor<2048xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25 : tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>
}

// Binary math and the float arith ops whose results depend on NaN and
// signed-zero rules.
func.func @binary_bf16(%x: tensor<65536xbf16>, %y: tensor<65536xbf16>) -> (tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>) {
  %0 = math.atan2 %x, %y : tensor<65536xbf16>
  %1 = math.powf %x, %y : tensor<65536xbf16>
  %2 = math.copysign %x, %y : tensor<65536xbf16>
  %3 = arith.maxnumf %x, %y : tensor<65536xbf16>
  %4 = arith.minnumf %x, %y : tensor<65536xbf16>
  %5 = arith.remf %x, %y : tensor<65536xbf16>
  %6 = math.fma %x, %y, %x : tensor<65536xbf16>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>, tensor<65536xbf16>
}

// maxnumf, minnumf, remf on every pair of E4M3FN codes.
func.func @binary_e4m3(%x: tensor<65536xf8E4M3FN>, %y: tensor<65536xf8E4M3FN>) -> (tensor<65536xf8E4M3FN>, tensor<65536xf8E4M3FN>, tensor<65536xf8E4M3FN>) {
  %0 = arith.maxnumf %x, %y : tensor<65536xf8E4M3FN>
  %1 = arith.minnumf %x, %y : tensor<65536xf8E4M3FN>
  %2 = arith.remf %x, %y : tensor<65536xf8E4M3FN>
  return %0, %1, %2 : tensor<65536xf8E4M3FN>, tensor<65536xf8E4M3FN>, tensor<65536xf8E4M3FN>
}

// fptosi and fptoui of f32 into i4 .. i64: toward zero, saturating, NaN 0.
func.func @to_integers(%x: tensor<2048xf32>) -> (tensor<2048xi4>, tensor<2048xi8>, tensor<2048xi16>, tensor<2048xi32>, tensor<2048xi64>, tensor<2048xi4>, tensor<2048xi8>, tensor<2048xi16>, tensor<2048xi32>, tensor<2048xi64>) {
  %0 = arith.fptosi %x : tensor<2048xf32> to tensor<2048xi4>
  %1 = arith.fptosi %x : tensor<2048xf32> to tensor<2048xi8>
  %2 = arith.fptosi %x : tensor<2048xf32> to tensor<2048xi16>
  %3 = arith.fptosi %x : tensor<2048xf32> to tensor<2048xi32>
  %4 = arith.fptosi %x : tensor<2048xf32> to tensor<2048xi64>
  %5 = arith.fptoui %x : tensor<2048xf32> to tensor<2048xi4>
  %6 = arith.fptoui %x : tensor<2048xf32> to tensor<2048xi8>
  %7 = arith.fptoui %x : tensor<2048xf32> to tensor<2048xi16>
  %8 = arith.fptoui %x : tensor<2048xf32> to tensor<2048xi32>
  %9 = arith.fptoui %x : tensor<2048xf32> to tensor<2048xi64>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9 : tensor<2048xi4>, tensor<2048xi8>, tensor<2048xi16>, tensor<2048xi32>, tensor<2048xi64>, tensor<2048xi4>, tensor<2048xi8>, tensor<2048xi16>, tensor<2048xi32>, tensor<2048xi64>
}

// sitofp and uitofp of every i8 into E4M3FN, f16 and bf16.
func.func @from_integers(%i: tensor<256xi8>) -> (tensor<256xf8E4M3FN>, tensor<256xf8E4M3FN>, tensor<256xf16>, tensor<256xbf16>) {
  %0 = arith.sitofp %i : tensor<256xi8> to tensor<256xf8E4M3FN>
  %1 = arith.uitofp %i : tensor<256xi8> to tensor<256xf8E4M3FN>
  %2 = arith.sitofp %i : tensor<256xi8> to tensor<256xf16>
  %3 = arith.uitofp %i : tensor<256xi8> to tensor<256xbf16>
  return %0, %1, %2, %3 : tensor<256xf8E4M3FN>, tensor<256xf8E4M3FN>, tensor<256xf16>, tensor<256xbf16>
}

// Integer arith on i4 (stored in bytes) over every pair with b != 0.
func.func @narrow_integers(%a: tensor<240xi4>, %b: tensor<240xi4>) -> (tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi1>, tensor<240xi1>, tensor<240xi8>, tensor<240xi8>, tensor<240xi2>) {
  %0 = arith.addi %a, %b : tensor<240xi4>
  %1 = arith.subi %a, %b : tensor<240xi4>
  %2 = arith.muli %a, %b : tensor<240xi4>
  %3 = arith.divsi %a, %b : tensor<240xi4>
  %4 = arith.remsi %a, %b : tensor<240xi4>
  %5 = arith.divui %a, %b : tensor<240xi4>
  %6 = arith.remui %a, %b : tensor<240xi4>
  %7 = arith.maxsi %a, %b : tensor<240xi4>
  %8 = arith.minsi %a, %b : tensor<240xi4>
  %9 = arith.maxui %a, %b : tensor<240xi4>
  %10 = arith.minui %a, %b : tensor<240xi4>
  %11 = arith.andi %a, %b : tensor<240xi4>
  %12 = arith.ori %a, %b : tensor<240xi4>
  %13 = arith.xori %a, %b : tensor<240xi4>
  %14 = arith.cmpi ult, %a, %b : tensor<240xi4>
  %15 = arith.cmpi slt, %a, %b : tensor<240xi4>
  %16 = arith.extsi %a : tensor<240xi4> to tensor<240xi8>
  %17 = arith.extui %a : tensor<240xi4> to tensor<240xi8>
  %18 = arith.trunci %a : tensor<240xi4> to tensor<240xi2>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18 : tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi4>, tensor<240xi1>, tensor<240xi1>, tensor<240xi8>, tensor<240xi8>, tensor<240xi2>
}
