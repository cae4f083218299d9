//===- Passes.td - lowp dialect transforms -----------------*- tablegen -*-===//

#ifndef LOWP_DIALECT_LOWP_TRANSFORMS_PASSES_TD
#define LOWP_DIALECT_LOWP_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowpPackBoundaries : Pass<"lowp-pack-boundaries", "::mlir::ModuleOp"> {
  let summary = "Make public functions take and return plain, packed parts";
  let description = [{
    Rewrites every public function (and every call to one) so that its
    signature holds only plain tensors, stored as they are in memory:

    - a block-scaled tensor becomes its parts (elements, scales, then a 0-d
      tensor scale and zero points where the encoding has them), assembled
      on entry and disassembled before returning;
    - a tensor of a format narrower than 8 bits (FP4, FP6, int4, a 3-, 5-,
      6- or 7-bit minifloat) becomes its lowp.pack'ed bytes: each row a
      bit stream, unpacked on entry and packed before returning.

    This is the calling convention of compiled code: lowp-run, lowp-translate
    headers and the C API see these parts.

    ```mlir
    // before
    func.func @f(%w: tensor<64x32xf4E2M1FN, #lowp.block_scaled<mx>>) -> tensor<64x32xf32>
    // after
    func.func @f(%elements: tensor<64x16xi8>, %scales: tensor<64x1xf8E8M0FNU>) -> tensor<64x32xf32>
    ```
  }];
  let dependentDialects = ["::lowp::LowpDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // LOWP_DIALECT_LOWP_TRANSFORMS_PASSES_TD
