//===- Passes.td - lowp conversion passes ------------------*- tablegen -*-===//

#ifndef LOWP_CONVERSION_PASSES_TD
#define LOWP_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertLowpToLinalg : Pass<"convert-lowp-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower lowp ops to linalg, tensor and arith on storage types";
  let description = [{
    Rewrites every lowp op into linalg.generic (and linalg.matmul) on
    tensors whose elements are storage types: f64 and f32 stay themselves,
    every other number format (f16 and bf16 included) becomes its code in
    an i8, i16 or i32. arith and math ops on such formats are computed on
    the exact values in f64 and rounded back to nearest even (truncf by its
    rounding mode). Block-scaled tensors become their parts (elements, scales, and the
    tensor scale and zero points where the encoding has them), function
    signatures included, so a function taking a block-scaled tensor takes
    its parts after this pass. The element code computes exactly what the
    numerics core computes (lib/Conversion/LowpToLinalg/ElementCodegen.cpp).

    lowp.matmul of a plain activation with a weight blocked along K becomes
    block-factored vector code (lib/Conversion/LowpToLinalg/MatmulKernel.cpp):
    per K-block the dot product of unscaled elements, then one multiply by
    the block's scales, reading packed codes where the function boundary
    packed them. Other matmuls dequantize their operands to f32 first.

    Sub-byte elements are stored one per byte at this stage; packing them
    is a layout decision for lowp-assign-layouts. Rounding into a codebook
    is not lowered yet and is reported as an error.
  }];
  // lowp is loaded even where no lowp op appears: its builtin-type format
  // models say how f8E4M3FN and friends are stored.
  let dependentDialects = [
    "::lowp::LowpDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def ConvertLowpToLLVM : Pass<"convert-lowp-to-llvm", "::mlir::ModuleOp"> {
  let summary = "Lower the lowp ops of vector kernels to LLVM intrinsics or "
                "portable vector code";
  let description = [{
    Runs after bufferization, on the vector building blocks that lowp's
    kernels are made of. `lowp.lookup` of a 16-entry 32-bit table becomes
    one `vpermps`/`vpermd` (`llvm.x86.avx512.permvar.*`) when the vector
    target has AVX-512, and a tree of `arith.select`s on the index bits
    otherwise; either reads only the index bits that lookup defines.
  }];
  let options = [
    Option<"vectorTarget", "vector-target", "std::string", /*default=*/"\"host\"",
           "Vector instructions the code may use: host (the CPU this runs "
           "on), avx512, avx2 or generic">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::vector::VectorDialect",
  ];
}

#endif // LOWP_CONVERSION_PASSES_TD
