//===- Quantize.cpp - Quantize matmul operands by a recipe ----------------===//
//
// lowp-quantize: a recipe names a format for the weights (constant rhs) and
// the activations (their lhs) of the f32 matmuls an importer emits. The
// pass only inserts conversions, which the matmul then reads encoded;
// canonicalization folds the quantization of constant weights.
//
//===----------------------------------------------------------------------===//

#include "lowp/Dialect/Lowp/IR/LowpOps.h"
#include "lowp/Dialect/Lowp/IR/Presets.h"
#include "lowp/Dialect/Lowp/Transforms/Passes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"

namespace lowp {
#define GEN_PASS_DEF_LOWPQUANTIZE
#include "lowp/Dialect/Lowp/Transforms/Passes.h.inc"
} // namespace lowp

using namespace mlir;
using namespace lowp;

namespace {

/// What a recipe makes of one operand.
struct OperandFormat {
  enum class Kind { Keep, Convert, Encode, PerTensor };
  Kind kind = Kind::Keep;
  /// The value as the recipe writes it (Encode: the encoding's text).
  std::string text;
  /// Convert and PerTensor: the element type of the operand's codes.
  Type elementType;
};

struct Recipe {
  OperandFormat weights, activations, firstLast;
  bool hasFirstLast = false;
  /// `hadamard:B[/SEED]`: both operands transformed along K first.
  int64_t hadamardBlock = 0;
  std::optional<int64_t> hadamardSeed;
};

/// Parses `B` or `B/SEED` of a hadamard entry.
LogicalResult parseHadamard(llvm::StringRef value, Recipe &recipe,
                            std::string &error) {
  auto [blockText, seedText] = value.split('/');
  int64_t block = 0, seed = 0;
  if (blockText.trim().getAsInteger(10, block) || block < 2 || block > 1024 ||
      !llvm::isPowerOf2_64(uint64_t(block)) ||
      (!seedText.empty() && seedText.trim().getAsInteger(10, seed))) {
    error = "expected hadamard:B or hadamard:B/SEED, B a power of two from "
            "2 to 1024 and SEED an integer";
    return failure();
  }
  recipe.hadamardBlock = block;
  if (!seedText.empty())
    recipe.hadamardSeed = seed;
  return success();
}

/// The recipes that have names, as the entries they stand for.
std::optional<std::string> namedRecipe(llvm::StringRef name) {
  for (llvm::StringRef preset :
       {"mxfp4", "nvfp4", "int4_g128", "nf4", "mxfp8_e4m3", "mxfp8_e5m2",
        "mxfp6_e2m3", "mxfp6_e3m2", "mxint8"})
    if (name == preset)
      return ("weights:" + preset).str();
  if (name == "mxfp8")
    return std::string("weights:mxfp8_e4m3;activations:mxfp8_e4m3");
  if (name == "mxfp4-mxfp8")
    return std::string("weights:mxfp4;activations:mxfp8_e4m3");
  return std::nullopt;
}

LogicalResult parseOperandFormat(MLIRContext *context, llvm::StringRef text,
                                 OperandFormat &format, std::string &error) {
  format.text = text.str();
  // "FORMAT per-tensor": one f32 absmax scale for the whole operand (the
  // per-tensor FP8 scaling of torch._scaled_mm), as a block-scaled
  // encoding whose one block is the operand's static shape.
  if (text.consume_back(" per-tensor")) {
    text = text.trim();
    std::string formatError;
    if (!parseNumericFormat(*context, text.str(), formatError)) {
      error = formatError;
      return failure();
    }
    size_t consumed = 0;
    format.elementType = parseType(text, context, &consumed);
    format.kind = OperandFormat::Kind::PerTensor;
    format.text = text.str();
    return success();
  }
  bool isPreset = llvm::is_contained(getQuantizationPresetNames(), text.str());
  if (isPreset || text.contains("#lowp.block_scaled")) {
    // Checked here on a rank-2 tensor; each operand is checked again with
    // its own shape.
    auto encoding = parseBlockEncoding(*context, text, "", 2, -1);
    if (!encoding) {
      error = llvm::toString(encoding.takeError());
      return failure();
    }
    format.kind = OperandFormat::Kind::Encode;
    return success();
  }
  std::string formatError;
  if (!parseNumericFormat(*context, text.str(), formatError) && text != "f32") {
    error = "'" + text.str() +
            "' is neither a block-scaled encoding (a preset such as mxfp4, "
            "or 'ELEMENT, #lowp.block_scaled<...>') nor a format: " +
            formatError;
    return failure();
  }
  size_t consumed = 0;
  format.elementType = parseType(text, context, &consumed);
  format.kind = format.elementType.isF32() ? OperandFormat::Kind::Keep
                                           : OperandFormat::Kind::Convert;
  return success();
}

FailureOr<Recipe> parseRecipe(MLIRContext *context, llvm::StringRef text,
                              std::string &error) {
  Recipe recipe;
  std::string expanded = text.trim().str();
  if (std::optional<std::string> named = namedRecipe(expanded))
    expanded = *named;
  llvm::SmallVector<llvm::StringRef> entries;
  llvm::StringRef(expanded).split(entries, ';', -1, /*KeepEmpty=*/false);
  if (entries.empty()) {
    error = "the recipe is empty: give entries such as "
            "'weights:mxfp4;activations:mxfp8_e4m3' or a recipe's name";
    return failure();
  }
  for (llvm::StringRef entry : entries) {
    auto [key, value] = entry.split(':');
    key = key.trim();
    value = value.trim();
    if (key == "hadamard") {
      if (failed(parseHadamard(value, recipe, error))) {
        error = "recipe entry '" + entry.trim().str() + "': " + error;
        return failure();
      }
      continue;
    }
    OperandFormat *slot = key == "weights"       ? &recipe.weights
                          : key == "activations" ? &recipe.activations
                          : key == "first-last"  ? &recipe.firstLast
                                                 : nullptr;
    if (!slot || value.empty()) {
      error = "'" + entry.trim().str() +
              "' is not a recipe entry: expected weights:VALUE, "
              "activations:VALUE or first-last:VALUE, or one of the "
              "recipes mxfp4, nvfp4, int4_g128, nf4, mxfp8_e4m3, mxfp8, "
              "mxfp4-mxfp8";
      return failure();
    }
    if (failed(parseOperandFormat(context, value, *slot, error))) {
      error = "recipe entry '" + entry.trim().str() + "': " + error;
      return failure();
    }
    recipe.hasFirstLast |= key == "first-last";
  }
  return recipe;
}

/// Gives operand `index` of `matmul` the format `format`, blocks along
/// dimension `axis`; warns and keeps it when the blocks do not fit.
void rewriteOperand(MatmulOp matmul, unsigned index,
                    const OperandFormat &format, int axis) {
  if (format.kind == OperandFormat::Kind::Keep)
    return;
  Value operand = matmul->getOperand(index);
  auto type = cast<RankedTensorType>(operand.getType());
  OpBuilder builder(matmul);
  Location loc = matmul.getLoc();
  if (format.kind == OperandFormat::Kind::Convert) {
    auto converted = RankedTensorType::get(type.getShape(), format.elementType);
    Value value = ConvertOp::create(builder, loc, converted, operand, Value(),
                                    Rounding::to_nearest_even,
                                    /*saturate=*/true);
    matmul->setOperand(index, value);
    return;
  }
  const char *role = index == 0 ? "activations" : "weight";
  std::string encodingText = format.text;
  if (format.kind == OperandFormat::Kind::PerTensor) {
    if (!type.hasStaticShape()) {
      matmul.emitWarning() << "lowp-quantize: the " << role << " " << type
                           << " stays f32: a per-tensor scale needs a "
                              "static shape";
      return;
    }
    std::string block;
    for (int64_t d : type.getShape())
      block += (block.empty() ? "" : ", ") + std::to_string(d);
    encodingText = format.text + ", #lowp.block_scaled<block = [" + block +
                   "], scale = f32, rule = absmax>";
    axis = -1;
  }
  auto encoding = parseBlockEncoding(*matmul.getContext(), encodingText, "",
                                     unsigned(type.getRank()), axis);
  std::string problem;
  if (!encoding) {
    problem = llvm::toString(encoding.takeError());
  } else {
    std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
    problem = numerics::verifyBlockShape(
        shape, encoding->getBlock(unsigned(type.getRank())));
  }
  if (!problem.empty()) {
    matmul.emitWarning() << "lowp-quantize: the " << role << " " << type
                         << " stays f32: " << problem;
    return;
  }
  auto encoded = RankedTensorType::get(type.getShape(), encoding->elementType,
                                       encoding->encoding);
  // lowp.matmul multiplies the operands' logical values, so it takes the
  // encoded tensor itself: the same product as of its dequantize, without
  // one that canonicalization would fold back into an f32 constant.
  Value quantized = QuantizeOp::create(builder, loc, encoded, operand, Value(),
                                       Rounding::to_nearest_even);
  matmul->setOperand(index, quantized);
}

/// Both operands of `matmul` transformed along K by the recipe's Hadamard
/// transform (the product is unchanged: the matrix is orthonormal), or a
/// warning at the matmul when the block does not divide K.
void transformOperands(MatmulOp matmul, const Recipe &recipe, int weightAxis) {
  auto lhsType = cast<RankedTensorType>(matmul.getLhs().getType());
  int64_t lhsAxis = lhsType.getRank() - 1;
  int64_t depth = lhsType.getDimSize(lhsAxis);
  if (ShapedType::isDynamic(depth) || depth % recipe.hadamardBlock != 0) {
    matmul.emitWarning() << "lowp-quantize: no Hadamard transform here: its "
                            "block "
                         << recipe.hadamardBlock << " does not divide K ("
                         << lhsType << ")";
    return;
  }
  OpBuilder builder(matmul);
  auto seed = recipe.hadamardSeed
                  ? builder.getI64IntegerAttr(*recipe.hadamardSeed)
                  : IntegerAttr();
  auto transform = [&](Value operand, int64_t axis) {
    return HadamardOp::create(builder, matmul.getLoc(), operand.getType(),
                              operand, builder.getI64IntegerAttr(axis),
                              builder.getI64IntegerAttr(recipe.hadamardBlock),
                              seed)
        .getResult();
  };
  matmul->setOperand(0, transform(matmul.getLhs(), lhsAxis));
  matmul->setOperand(1, transform(matmul.getRhs(), weightAxis));
}

/// A matmul the recipe applies to: f32 plain operands, a constant rhs.
bool isWeightMatmul(MatmulOp matmul) {
  for (Value operand : matmul->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || type.getEncoding() || !type.getElementType().isF32())
      return false;
  }
  return matchPattern(matmul.getRhs(), m_Constant());
}

struct QuantizePass : public lowp::impl::LowpQuantizeBase<QuantizePass> {
  using LowpQuantizeBase::LowpQuantizeBase;

  void runOnOperation() override {
    std::string error;
    FailureOr<Recipe> parsed = parseRecipe(&getContext(), recipe, error);
    if (failed(parsed)) {
      getOperation().emitError() << "lowp-quantize: " << error;
      return signalPassFailure();
    }
    for (auto function : getOperation().getOps<func::FuncOp>()) {
      SmallVector<MatmulOp> matmuls;
      function.walk([&](MatmulOp matmul) {
        if (isWeightMatmul(matmul))
          matmuls.push_back(matmul);
      });
      for (auto [i, matmul] : llvm::enumerate(matmuls)) {
        bool edge = parsed->hasFirstLast && (i == 0 || i + 1 == matmuls.size());
        int rank =
            int(cast<RankedTensorType>(matmul.getRhs().getType()).getRank());
        // K is the rows of a K x N weight and the columns of an N x K one
        // and of the activations.
        int weightAxis = matmul.getTransposeRhs() ? rank - 1 : rank - 2;
        // The transform comes before quantizing: it spreads outliers over
        // each block, which then quantizes with less error.
        if (parsed->hadamardBlock)
          transformOperands(matmul, *parsed, weightAxis);
        rewriteOperand(matmul, 1, edge ? parsed->firstLast : parsed->weights,
                       weightAxis);
        rewriteOperand(matmul, 0, parsed->activations, rank - 1);
      }
    }
  }
};

} // namespace
