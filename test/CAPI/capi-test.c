/*===- capi-test.c - lowp's C API end to end --------------------------===*\
|*                                                                        *|
|* A C program as an embedder writes one: parse, compile, look at the     *|
|* boundary, call on its own buffers, the numerics core on arrays, and    *|
|* every error as a status. test/CAPI/capi.test checks what it prints.    *|
|*                                                                        *|
\*===------------------------------------------------------------------===*/

#include "lowp-c/ExecutionEngine.h"
#include "lowp-c/IR.h"
#include "lowp-c/Numerics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static LowpStringRef str(const char *s) {
  return lowpStringRefCreateFromCString(s);
}

/* Prints an expected error's message (or says that there was none). */
static void expectError(const char *what, LowpStatus status) {
  if (lowpStatusIsSuccess(status)) {
    printf("%s: unexpectedly succeeded\n", what);
    return;
  }
  printf("%s: %s\n", what, lowpStatusGetMessage(status));
  lowpStatusDestroy(status);
}

/* Exits on an unexpected error. */
static void check(const char *what, LowpStatus status) {
  if (lowpStatusIsSuccess(status))
    return;
  fprintf(stderr, "%s failed: %s\n", what, lowpStatusGetMessage(status));
  lowpStatusDestroy(status);
  exit(1);
}

static void printPiece(LowpStringRef piece, void *userData) {
  (void)userData;
  fwrite(piece.data, 1, piece.length, stdout);
}

static const char *program =
    "!w = tensor<64x8xf4E2M1FN, #lowp.block_scaled<block = [32, 1], "
    "scale = f8E8M0FNU, rule = floor>>\n"
    "func.func @matmul(%x: tensor<2x64xf32>, %w: !w) -> tensor<2x8xf32> {\n"
    "  %y = lowp.matmul %x, %w {accumulator = f32}\n"
    "      : tensor<2x64xf32>, !w -> tensor<2x8xf32>\n"
    "  return %y : tensor<2x8xf32>\n"
    "}\n"
    "func.func @add(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {\n"
    "  %c = arith.addf %a, %b : tensor<?xf32>\n"
    "  return %c : tensor<?xf32>\n"
    "}\n";

static void numerics(LowpContext context) {
  LowpFormat e4m3;
  check("parse f8E4M3FN", lowpFormatParse(context, str("f8E4M3FN"), &e4m3));
  LowpFormatInfo info = lowpFormatGetInfo(e4m3);
  printf("finfo f8E4M3FN: bits %u max %g min %g tiny %g smallest %g eps %g "
         "inf %d nan %d\n",
         info.bits, info.max, info.min, info.smallestNormal,
         info.smallestSubnormal, info.eps, info.hasInfinity, info.hasNaN);

  float values[6] = {0.1f, -1.0625f, 1.1875f, 500.0f, -0.0f, NAN};
  unsigned char codes[6];
  LowpRounding rounding = lowpRoundingGetDefault();
  check("encode",
        lowpFormatEncodeF32(e4m3, rounding, values, 6, NULL, codes, 0));
  printf("encode to_nearest_even:");
  for (int i = 0; i < 6; ++i)
    printf(" 0x%02x", codes[i]);
  printf("\n");
  rounding.saturate = true;
  rounding.mode = LowpRoundingTowardZero;
  check("encode",
        lowpFormatEncodeF32(e4m3, rounding, values, 6, NULL, codes, 0));
  printf("encode toward_zero saturate:");
  for (int i = 0; i < 6; ++i)
    printf(" 0x%02x", codes[i]);
  printf("\n");
  float decoded[6];
  check("decode", lowpFormatDecodeF32(e4m3, codes, 6, decoded, 0));
  printf("decode:");
  for (int i = 0; i < 6; ++i)
    printf(" %g", decoded[i]);
  printf("\n");

  /* Stochastic: 1.25 into E2M1 sits half way between 1 and 1.5, so with 8
     random bits exactly the numbers 128..255 round it up. */
  LowpFormat e2m1;
  check("parse f4E2M1FN", lowpFormatParse(context, str("f4E2M1FN"), &e2m1));
  float ties[256];
  uint64_t random[256];
  float rounded[256];
  for (int i = 0; i < 256; ++i) {
    ties[i] = 1.25f;
    random[i] = (uint64_t)i;
  }
  LowpRounding stochastic = {LowpRoundingStochastic, false, 8};
  check("round",
        lowpFormatRoundF32(e2m1, stochastic, ties, 256, random, rounded, 0));
  int up = 0;
  for (int i = 0; i < 256; ++i)
    up += rounded[i] == 1.5f;
  printf("stochastic 1.25 -> 1.5 for %d of 256 random numbers, first at "
         "r=%d\n",
         up, rounded[127] == 1.0f && rounded[128] == 1.5f ? 128 : -1);

  expectError(
      "stochastic without random bits",
      lowpFormatRoundF32(e2m1, stochastic, ties, 256, NULL, rounded, 0));
  unsigned char bad[3] = {1, 2, 17};
  expectError("decode a code wider than E2M1",
              lowpFormatDecodeF32(e2m1, bad, 3, decoded, 0));
  LowpFormat none;
  expectError("parse f7", lowpFormatParse(context, str("f7"), &none));
  LowpRoundingMode mode;
  expectError("rounding name", lowpRoundingModeFromName(str("nearest"), &mode));
  lowpFormatDestroy(e2m1);
  lowpFormatDestroy(e4m3);
}

/* Per-group format choice: row 0 on E2M1's grid, row 1 integers (INT4's),
   each block of 32 keeps its better format and says so in its selector. */
static void choices(LowpContext context) {
  LowpBlockEncoding encoding;
  check("parse choices",
        lowpBlockEncodingParse(
            context,
            str("ui4, #lowp.block_scaled<block = [32], scale = f8E8M0FNU, "
                "rule = floor, choices = [f4E2M1FN, i4]>"),
            str(""), 2, -1, &encoding));
  int64_t shape[2] = {2, 32};
  float x[64], back[64];
  for (int i = 0; i < 32; ++i) {
    static const float grid[8] = {0.5f, 1, 1.5f, 2, 3, 4, 6, -6};
    x[i] = grid[i % 8];
    x[32 + i] = (float)(i % 15 - 7);
  }
  uint32_t elements[64], scales[2], selectors[2];
  check("quantize with selectors",
        lowpBlockEncodingQuantizeWithSelectorsF32(
            encoding, shape, x, lowpRoundingGetDefault(), NULL, elements,
            scales, selectors));
  check("dequantize with selectors",
        lowpBlockEncodingDequantizeWithSelectorsF32(encoding, shape, elements,
                                                    scales, selectors, back));
  int exact = 1;
  for (int i = 0; i < 64; ++i)
    exact &= back[i] == x[i];
  printf("choices: selectors %u %u, selector format bits %u, round trip "
         "exact %d\n",
         selectors[0], selectors[1],
         lowpFormatGetBitWidth(lowpBlockEncodingGetSelectorFormat(encoding)),
         exact);
  expectError("quantize choices without selectors",
              lowpBlockEncodingQuantizeF32(encoding, shape, x,
                                           lowpRoundingGetDefault(), NULL,
                                           elements, scales, NULL, NULL));
  selectors[1] = 2;
  expectError("dequantize a selector past the choices",
              lowpBlockEncodingDequantizeWithSelectorsF32(
                  encoding, shape, elements, scales, selectors, back));
  lowpBlockEncodingDestroy(encoding);
}

static void matmul(LowpContext context, LowpExecutable executable) {
  LowpBlockEncoding encoding;
  choices(context);
  /* The weight: 64x8 values, quantized to MXFP4 along K by the C API. */
  check("encoding", lowpBlockEncodingParse(context, str("mxfp4"), str(""), 2,
                                           -2, &encoding));
  int64_t block[2];
  lowpBlockEncodingGetBlock(encoding, block);
  int64_t wShape[2] = {64, 8};
  printf("mxfp4 along axis -2: block [%lld, %lld], type ", (long long)block[0],
         (long long)block[1]);
  lowpBlockEncodingPrintTensorType(encoding, wShape, printPiece, NULL);
  printf("\n");

  float w[64 * 8], x[2 * 64];
  for (int i = 0; i < 64 * 8; ++i)
    w[i] = (float)((i * 37 % 29) - 14) / 8.0f;
  for (int i = 0; i < 2 * 64; ++i)
    x[i] = (float)((i * 11 % 17) - 8) / 4.0f;
  uint32_t elements[64 * 8], scales[2 * 8];
  check("quantize", lowpBlockEncodingQuantizeF32(encoding, wShape, w,
                                                 lowpRoundingGetDefault(), NULL,
                                                 elements, scales, NULL, NULL));
  float dequantized[64 * 8];
  check("dequantize",
        lowpBlockEncodingDequantizeF32(encoding, wShape, elements, scales, NULL,
                                       0, dequantized));

  /* The boundary: x, then the weight's elements (packed 4-bit rows) and
     its scales. */
  intptr_t numArguments =
      lowpExecutableGetNumArguments(executable, str("matmul"));
  printf("@matmul boundary arguments: %ld\n", (long)numArguments);
  for (intptr_t i = 0; i < numArguments; ++i) {
    LowpBoundaryValue value;
    check("argument",
          lowpExecutableGetArgument(executable, str("matmul"), i, &value));
    printf("  %.*s: %.*s stored as %.*s, shape", (int)value.name.length,
           value.name.data, (int)value.elementType.length,
           value.elementType.data, (int)value.storageType.length,
           value.storageType.data);
    for (intptr_t d = 0; d < value.rank; ++d)
      printf(" %lld", (long long)value.shape[d]);
    printf(", packed at %u bits\n", value.packedWidth);
  }

  unsigned char packed[64 * 4], scaleCodes[2 * 8];
  memset(packed, 0, sizeof packed);
  for (int k = 0; k < 64; ++k)
    for (int n = 0; n < 8; ++n)
      packed[k * 4 + n / 2] |=
          (unsigned char)(elements[k * 8 + n] << (4 * (n % 2)));
  for (int i = 0; i < 16; ++i)
    scaleCodes[i] = (unsigned char)scales[i];
  float y[2 * 8];
  int64_t xShape[2] = {2, 64}, packedShape[2] = {64, 4}, scaleShape[2] = {2, 8},
          yShape[2] = {2, 8};
  LowpBuffer arguments[3] = {{x, 2, xShape, false},
                             {packed, 2, packedShape, false},
                             {scaleCodes, 2, scaleShape, false}};
  LowpBuffer results[1] = {{y, 2, yShape, false}};
  check("call @matmul", lowpExecutableCall(executable, str("matmul"), 3,
                                           arguments, 1, results));
  double worst = 0;
  for (int m = 0; m < 2; ++m)
    for (int n = 0; n < 8; ++n) {
      double exact = 0, magnitude = 0;
      for (int k = 0; k < 64; ++k) {
        exact += (double)x[m * 64 + k] * dequantized[k * 8 + n];
        magnitude += fabs((double)x[m * 64 + k] * dequantized[k * 8 + n]);
      }
      /* lowp.matmul's bound: (K + 3) * 2^-24 * sum |products|, then one
         rounding into f32. */
      double error = fabs(y[m * 8 + n] - exact);
      double bound = 67 * ldexp(magnitude, -24) + ldexp(fabs(exact), -24);
      if (error / (bound > 0 ? bound : 1) > worst)
        worst = error / (bound > 0 ? bound : 1);
    }
  printf("@matmul against the dequantized weight: %s (error at most %.2f of "
         "the bound)\n",
         worst <= 1 ? "within the bound" : "OUT OF BOUND", worst);

  int64_t wrongShape[2] = {2, 63};
  LowpBuffer wrong[3] = {{x, 2, wrongShape, false},
                         {packed, 2, packedShape, false},
                         {scaleCodes, 2, scaleShape, false}};
  expectError(
      "call with a wrong shape",
      lowpExecutableCall(executable, str("matmul"), 3, wrong, 1, results));
  expectError(
      "call with too few buffers",
      lowpExecutableCall(executable, str("matmul"), 2, arguments, 1, results));
  lowpBlockEncodingDestroy(encoding);
}

static void dynamicAdd(LowpExecutable executable) {
  float a[5] = {1, 2, 3, 4, 5}, b[5] = {0.5f, 0.25f, -3, 8, 1e30f}, c[5];
  int64_t shape[1] = {5}, resultShape[1] = {0};
  intptr_t ranks[2] = {1, 1};
  const int64_t *shapes[2] = {shape, shape};
  check("result shape",
        lowpExecutableGetResultShape(executable, str("add"), 2, ranks, shapes,
                                     0, resultShape));
  printf("@add result shape for [5] + [5]: [%lld]\n",
         (long long)resultShape[0]);
  LowpBuffer arguments[2] = {{a, 1, shape, false}, {b, 1, shape, false}};
  LowpBuffer results[1] = {{c, 1, resultShape, false}};
  check("call @add",
        lowpExecutableCall(executable, str("add"), 2, arguments, 1, results));
  printf("@add:");
  for (int i = 0; i < 5; ++i)
    printf(" %g", c[i]);
  printf("\n");
  int64_t four[1] = {4};
  const int64_t *mismatched[2] = {shape, four};
  int64_t ignored[1];
  expectError("result shape for [5] + [4]",
              lowpExecutableGetResultShape(executable, str("add"), 2, ranks,
                                           mismatched, 0, ignored));
}

/* `lowp-capi-test cuda`: compiles for the GPU and says what happened (on
   a machine without one, the status says so). */
static int compileForCuda(void) {
  LowpContext context = lowpContextCreate();
  LowpModule module;
  check("parse",
        lowpModuleParse(context,
                        str("func.func @add(%x: tensor<4xf32>) -> "
                            "tensor<4xf32> {\n"
                            "  %y = arith.addf %x, %x : tensor<4xf32>\n"
                            "  return %y : tensor<4xf32>\n}\n"),
                        str("add.mlir"), &module));
  LowpExecutable executable;
  LowpStatus status = lowpModuleCompile(module, str("cuda"), NULL, &executable);
  if (lowpStatusIsSuccess(status)) {
    float x[4] = {1.5f, -2.0f, 0.25f, 3.0f}, y[4] = {0, 0, 0, 0};
    int64_t shape[1] = {4};
    LowpBuffer in = {x, 1, shape, false}, out = {y, 1, shape, false};
    check("call on the GPU",
          lowpExecutableCall(executable, str("add"), 1, &in, 1, &out));
    printf("compile for cuda: compiled; add: %g %g %g %g\n", y[0], y[1], y[2],
           y[3]);
    lowpExecutableDestroy(executable);
  } else {
    expectError("compile for cuda", status);
  }
  lowpModuleDestroy(module);
  lowpContextDestroy(context);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "cuda") == 0)
    return compileForCuda();
  LowpContext context = lowpContextCreate();
  numerics(context);

  LowpModule broken;
  expectError("parse", lowpModuleParse(context,
                                       str("func.func @f() {\n"
                                           "  %x = arith.constant 1 : f32\n"
                                           "  return\n}\n"),
                                       str("broken.mlir"), &broken));
  printf("broken module is null: %d\n", lowpModuleIsNull(broken));
  expectError("parse a missing file",
              lowpModuleParseFile(context, "/nonexistent/x.mlir", &broken));

  LowpModule module;
  check("parse",
        lowpModuleParse(context, str(program), str("program.mlir"), &module));
  LowpExecutable executable;
  expectError("compile for an unknown target",
              lowpModuleCompile(module, str("gpu"), NULL, &executable));
  LowpCompileOptions options = lowpCompileOptionsGetDefault();
  options.threads = 2;
  check("compile",
        lowpModuleCompile(module, str("cpu"), &options, &executable));
  printf("functions:");
  for (intptr_t i = 0; i < lowpExecutableGetNumFunctions(executable); ++i) {
    LowpStringRef name = lowpExecutableGetFunctionName(executable, i);
    printf(" @%.*s", (int)name.length, name.data);
  }
  printf("\n");
  printf("@missing arguments: %ld\n",
         (long)lowpExecutableGetNumArguments(executable, str("missing")));
  expectError("call @missing",
              lowpExecutableCall(executable, str("missing"), 0, NULL, 0, NULL));

  matmul(context, executable);
  dynamicAdd(executable);

  lowpExecutableDestroy(executable);
  lowpModuleDestroy(module);
  lowpContextDestroy(context);
  printf("done\n");
  return 0;
}
