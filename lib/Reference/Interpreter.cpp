//===- Interpreter.cpp - lowp's executable reference ----------------------===//

#include "lowp/Reference/Interpreter.h"
#include "lowp/Numerics/Hadamard.h"
#include "lowp/Numerics/Philox.h"

#include "lowp/Dialect/Lowp/IR/LowpOps.h"
#include "lowp/Numerics/BlockScale.h"
#include "lowp/Runtime/Boundary.h"
#include "lowp/Runtime/Packing.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cstring>

#include <cmath>
#include <limits>

using namespace mlir;
using namespace lowp;
using namespace lowp::numerics;
using lowp::reference::Tensor;

int64_t Tensor::numElements() const {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return count;
}

namespace {

BlockScaledEncodingAttr getEncoding(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return dyn_cast_or_null<BlockScaledEncodingAttr>(tensor.getEncoding());
  return {};
}

std::vector<int64_t> shapeOf(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return std::vector<int64_t>(shaped.getShape().begin(),
                                shaped.getShape().end());
  return {};
}

/// Each SSA value's parts: one tensor, or a block-scaled tensor's parts.
using Values = llvm::DenseMap<Value, std::vector<Tensor>>;

class Interpreter {
public:
  explicit Interpreter(std::string &error) : error(error) {}

private:
  /// The loop indices of the structured ops being run, innermost last, for
  /// linalg.index.
  std::vector<std::vector<int64_t>> points;

public:
  bool run(func::FuncOp function, const std::vector<Tensor> &arguments,
           std::vector<Tensor> &results) {
    if (function.isExternal())
      return fail(function, "has no body to interpret");
    if (!function.getBody().hasOneBlock())
      return fail(function, "has more than one block, which the reference "
                            "interpreter does not take");
    Values values;
    size_t next = 0;
    for (BlockArgument argument : function.getArguments()) {
      size_t parts =
          getBoundaryValues(TypeRange{argument.getType()}, "argument").size();
      if (next + parts > arguments.size())
        return fail(function, "was given too few arguments");
      values[argument].assign(arguments.begin() + next,
                              arguments.begin() + next + parts);
      next += parts;
    }
    std::vector<std::vector<Tensor>> returned;
    if (!runBlock(function.getBody().front(), values, returned))
      return false;
    for (const std::vector<Tensor> &value : returned)
      llvm::append_range(results, value);
    return true;
  }

private:
  bool fail(Operation *op, const std::string &message) {
    std::string name = op->getName().getStringRef().str();
    if (auto function = dyn_cast<func::FuncOp>(op))
      name = "@" + function.getSymName().str();
    error = name + " " + message;
    return false;
  }

  /// An empty tensor of `type`, its dynamic sizes those of `like` (an
  /// operand of the same shape).
  static Tensor plain(Type type, const Tensor *like = nullptr) {
    Tensor tensor;
    tensor.elementType = getElementTypeOrSelf(type);
    tensor.shape = shapeOf(type);
    if (like && like->shape.size() == tensor.shape.size())
      for (size_t d = 0; d < tensor.shape.size(); ++d)
        if (ShapedType::isDynamic(tensor.shape[d]))
          tensor.shape[d] = like->shape[d];
    return tensor;
  }

  /// Runs the ops of `block`, whose arguments are bound, up to its
  /// terminator (func.return, scf.yield, scf.condition), and gives the
  /// terminator's operands.
  bool runBlock(Block &block, Values &values,
                std::vector<std::vector<Tensor>> &yielded) {
    for (Operation &op : block) {
      if (op.hasTrait<OpTrait::IsTerminator>()) {
        for (Value operand : op.getOperands())
          yielded.push_back(values[operand]);
        return true;
      }
      if (!step(op, values))
        return false;
    }
    return fail(block.getParentOp(), "has a block without a terminator");
  }

  /// Binds `block`'s arguments to `parts`, one entry per argument.
  static void bind(Block &block, ArrayRef<std::vector<Tensor>> parts,
                   Values &values) {
    for (auto [argument, value] : llvm::zip(block.getArguments(), parts))
      values[argument] = value;
  }

  /// The bit width of an integer or index code.
  static unsigned integerWidth(Type type) {
    return isa<IndexType>(type) ? 64 : type.getIntOrFloatBitWidth();
  }

  /// A code of `width` bits read as a signed or an unsigned integer.
  static int64_t signedValue(uint64_t code, unsigned width) {
    if (width >= 64)
      return int64_t(code);
    uint64_t sign = uint64_t(1) << (width - 1);
    code &= (sign << 1) - 1;
    return int64_t((code ^ sign) - sign);
  }
  static uint64_t unsignedValue(uint64_t code, unsigned width) {
    return width >= 64 ? code : code & ((uint64_t(1) << width) - 1);
  }
  static uint64_t truncated(uint64_t value, unsigned width) {
    return unsignedValue(value, width);
  }

  /// The 0-d tensor of one integer or index value.
  static Tensor scalarOf(Type type, int64_t value) {
    Tensor tensor;
    tensor.elementType = type;
    tensor.codes = {truncated(uint64_t(value), integerWidth(type))};
    return tensor;
  }

  /// The row-major offset of the element at `indices`, which `op` reads or
  /// writes.
  bool offsetOf(Operation *op, const Tensor &tensor, ArrayRef<int64_t> indices,
                int64_t &offset) {
    offset = 0;
    for (auto [d, i] : llvm::enumerate(indices)) {
      if (i < 0 || i >= tensor.shape[d])
        return fail(op, "reads or writes index " + std::to_string(i) +
                            " of a dimension of size " +
                            std::to_string(tensor.shape[d]));
      offset = offset * tensor.shape[d] + i;
    }
    return true;
  }

  /// The same at `indices` given as index scalars.
  bool offsetOf(Operation *op, const Tensor &tensor, ValueRange indices,
                Values &values, int64_t &offset) {
    SmallVector<int64_t> at;
    for (Value index : indices)
      at.push_back(int64_t(values[index][0].codes[0]));
    return offsetOf(op, tensor, at, offset);
  }

  /// An elementwise op on integer or index codes (also of i1, the result
  /// of comparisons): `apply` maps the operands' codes to the result's.
  template <typename Apply>
  bool elementwise(Operation *op, Values &values, Apply apply) {
    std::vector<const Tensor *> operands;
    for (Value operand : op->getOperands())
      operands.push_back(&values[operand][0]);
    const Tensor *shaped = operands[0];
    for (const Tensor *operand : operands)
      if (!operand->shape.empty())
        shaped = operand;
    for (const Tensor *operand : operands)
      if (operand->codes.size() != shaped->codes.size() &&
          operand->codes.size() != 1)
        return fail(op, "has operands of different shapes");
    Tensor result = plain(op->getResult(0).getType(), shaped);
    std::vector<uint64_t> codes(operands.size());
    for (size_t i = 0; i < shaped->codes.size(); ++i) {
      for (size_t k = 0; k < operands.size(); ++k)
        codes[k] = operands[k]->codes.size() == 1 ? operands[k]->codes[0]
                                                  : operands[k]->codes[i];
      result.codes.push_back(apply(codes));
    }
    values[op->getResult(0)] = {result};
    return true;
  }

  /// Integer and index arithmetic, comparisons and casts (loop bounds,
  /// indices, masks): the ops arith defines on two's complement codes.
  bool stepInteger(Operation &op, Values &values) {
    Type operandType = getElementTypeOrSelf(op.getOperand(0).getType());
    Type resultType = getElementTypeOrSelf(op.getResult(0).getType());
    unsigned w = integerWidth(operandType);
    unsigned rw = integerWidth(resultType);
    auto s = [w](uint64_t c) { return signedValue(c, w); };
    auto u = [w](uint64_t c) { return unsignedValue(c, w); };
    auto out = [rw](uint64_t v) { return truncated(v, rw); };
    bool divideByZero = false;
    auto divisor = [&](uint64_t c) {
      if (u(c) == 0)
        divideByZero = true;
      return u(c) ? c : 1;
    };
    using Codes = std::vector<uint64_t>;
    auto binary = [&](auto apply) {
      return elementwise(
          &op, values, [&](const Codes &c) { return out(apply(c[0], c[1])); });
    };
    bool ok =
        llvm::TypeSwitch<Operation *, bool>(&op)
            .Case([&](arith::AddIOp) {
              return binary([&](uint64_t a, uint64_t b) { return a + b; });
            })
            .Case([&](arith::SubIOp) {
              return binary([&](uint64_t a, uint64_t b) { return a - b; });
            })
            .Case([&](arith::MulIOp) {
              return binary([&](uint64_t a, uint64_t b) { return a * b; });
            })
            .Case([&](arith::DivSIOp) {
              return binary([&](uint64_t a, uint64_t b) {
                // -1 wraps the most negative value to itself, as arith's
                // two's complement does, without C++'s overflow.
                return s(b) == -1 ? 0 - a : uint64_t(s(a) / s(divisor(b)));
              });
            })
            .Case([&](arith::DivUIOp) {
              return binary(
                  [&](uint64_t a, uint64_t b) { return u(a) / u(divisor(b)); });
            })
            .Case([&](arith::RemSIOp) {
              return binary([&](uint64_t a, uint64_t b) {
                return s(b) == -1 ? 0 : uint64_t(s(a) % s(divisor(b)));
              });
            })
            .Case([&](arith::RemUIOp) {
              return binary(
                  [&](uint64_t a, uint64_t b) { return u(a) % u(divisor(b)); });
            })
            .Case([&](arith::AndIOp) {
              return binary([&](uint64_t a, uint64_t b) { return a & b; });
            })
            .Case([&](arith::OrIOp) {
              return binary([&](uint64_t a, uint64_t b) { return a | b; });
            })
            .Case([&](arith::XOrIOp) {
              return binary([&](uint64_t a, uint64_t b) { return a ^ b; });
            })
            .Case([&](arith::MaxSIOp) {
              return binary([&](uint64_t a, uint64_t b) {
                return uint64_t(std::max(s(a), s(b)));
              });
            })
            .Case([&](arith::MinSIOp) {
              return binary([&](uint64_t a, uint64_t b) {
                return uint64_t(std::min(s(a), s(b)));
              });
            })
            .Case([&](arith::MaxUIOp) {
              return binary(
                  [&](uint64_t a, uint64_t b) { return std::max(u(a), u(b)); });
            })
            .Case([&](arith::MinUIOp) {
              return binary(
                  [&](uint64_t a, uint64_t b) { return std::min(u(a), u(b)); });
            })
            .Case([&](arith::CmpIOp compare) {
              arith::CmpIPredicate predicate = compare.getPredicate();
              return elementwise(&op, values, [&](const Codes &c) -> uint64_t {
                using P = arith::CmpIPredicate;
                switch (predicate) {
                case P::eq:
                  return u(c[0]) == u(c[1]);
                case P::ne:
                  return u(c[0]) != u(c[1]);
                case P::slt:
                  return s(c[0]) < s(c[1]);
                case P::sle:
                  return s(c[0]) <= s(c[1]);
                case P::sgt:
                  return s(c[0]) > s(c[1]);
                case P::sge:
                  return s(c[0]) >= s(c[1]);
                case P::ult:
                  return u(c[0]) < u(c[1]);
                case P::ule:
                  return u(c[0]) <= u(c[1]);
                case P::ugt:
                  return u(c[0]) > u(c[1]);
                case P::uge:
                  return u(c[0]) >= u(c[1]);
                }
                return 0;
              });
            })
            .Case<arith::ExtSIOp, arith::IndexCastOp>([&](Operation *) {
              return elementwise(&op, values, [&](const Codes &c) {
                return out(uint64_t(s(c[0])));
              });
            })
            .Case<arith::ExtUIOp, arith::IndexCastUIOp, arith::TruncIOp>(
                [&](Operation *) {
                  return elementwise(&op, values, [&](const Codes &c) {
                    return out(u(c[0]));
                  });
                })
            .Default([&](Operation *other) {
              return fail(other,
                          "is not implemented by the reference interpreter");
            });
    if (ok && divideByZero)
      return fail(&op, "divides by zero, which arith leaves undefined");
    return ok;
  }

  bool isIntegerOp(Operation &op) {
    return isa<arith::AddIOp, arith::SubIOp, arith::MulIOp, arith::DivSIOp,
               arith::DivUIOp, arith::RemSIOp, arith::RemUIOp, arith::AndIOp,
               arith::OrIOp, arith::XOrIOp, arith::MaxSIOp, arith::MinSIOp,
               arith::MaxUIOp, arith::MinUIOp, arith::CmpIOp, arith::ExtSIOp,
               arith::ExtUIOp, arith::TruncIOp, arith::IndexCastOp,
               arith::IndexCastUIOp>(op);
  }

  /// scf.for, scf.if and scf.while: their regions run on the carried
  /// values' parts, as many times as the loop says.
  bool stepControlFlow(Operation &op, Values &values) {
    return llvm::TypeSwitch<Operation *, bool>(&op)
        .Case([&](scf::ForOp loop) {
          unsigned w = integerWidth(loop.getInductionVar().getType());
          bool isUnsigned = loop.getUnsignedCmp();
          auto read = [&](Value v) {
            uint64_t code = values[v][0].codes[0];
            return isUnsigned ? int64_t(unsignedValue(code, w))
                              : signedValue(code, w);
          };
          int64_t lower = read(loop.getLowerBound()),
                  upper = read(loop.getUpperBound()),
                  stride = read(loop.getStep());
          if (stride <= 0)
            return fail(&op, "has a step that is not positive");
          std::vector<std::vector<Tensor>> carried;
          for (Value init : loop.getInitArgs())
            carried.push_back(values[init]);
          Block &body = *loop.getBody();
          auto below = [&](int64_t i) {
            return isUnsigned ? uint64_t(i) < uint64_t(upper) : i < upper;
          };
          for (int64_t i = lower; below(i); i += stride) {
            values[body.getArgument(0)] = {
                scalarOf(loop.getInductionVar().getType(), i)};
            for (auto [k, value] : llvm::enumerate(carried))
              values[body.getArgument(k + 1)] = value;
            std::vector<std::vector<Tensor>> yielded;
            if (!runBlock(body, values, yielded))
              return false;
            carried = std::move(yielded);
            if (i > std::numeric_limits<int64_t>::max() - stride)
              break;
          }
          for (auto [result, value] : llvm::zip(loop.getResults(), carried))
            values[result] = value;
          return true;
        })
        .Case([&](scf::IfOp branch) {
          bool taken = values[branch.getCondition()][0].codes[0] & 1;
          Region &region =
              taken ? branch.getThenRegion() : branch.getElseRegion();
          if (region.empty())
            return true;
          std::vector<std::vector<Tensor>> yielded;
          if (!runBlock(region.front(), values, yielded))
            return false;
          for (auto [result, value] : llvm::zip(branch.getResults(), yielded))
            values[result] = value;
          return true;
        })
        .Case([&](scf::WhileOp loop) {
          std::vector<std::vector<Tensor>> carried;
          for (Value init : loop.getInits())
            carried.push_back(values[init]);
          while (true) {
            bind(loop.getBefore().front(), carried, values);
            std::vector<std::vector<Tensor>> condition;
            if (!runBlock(loop.getBefore().front(), values, condition))
              return false;
            std::vector<std::vector<Tensor>> forwarded(condition.begin() + 1,
                                                       condition.end());
            if (!(condition[0][0].codes[0] & 1)) {
              for (auto [result, value] :
                   llvm::zip(loop.getResults(), forwarded))
                values[result] = value;
              return true;
            }
            bind(loop.getAfter().front(), forwarded, values);
            carried.clear();
            if (!runBlock(loop.getAfter().front(), values, carried))
              return false;
          }
        })
        .Default([&](Operation *other) {
          return fail(other, "is not implemented by the reference interpreter");
        });
  }

  /// tensor.extract, tensor.insert and tensor.from_elements: elements are
  /// codes, moved as they are.
  bool stepElements(Operation &op, Values &values) {
    return llvm::TypeSwitch<Operation *, bool>(&op)
        .Case([&](tensor::ExtractOp extract) {
          const Tensor &tensor = values[extract.getTensor()][0];
          int64_t offset;
          if (!offsetOf(&op, tensor, extract.getIndices(), values, offset))
            return false;
          Tensor element;
          element.elementType = tensor.elementType;
          element.codes = {tensor.codes[offset]};
          if (!tensor.values.empty()) {
            element.values = {tensor.values[offset]};
            element.tolerance = {tensor.tolerance[offset]};
          }
          values[extract.getResult()] = {element};
          return true;
        })
        .Case([&](tensor::InsertOp insert) {
          Tensor tensor = values[insert.getDest()][0];
          int64_t offset;
          if (!offsetOf(&op, tensor, insert.getIndices(), values, offset))
            return false;
          tensor.codes[offset] = values[insert.getScalar()][0].codes[0];
          // A bound no longer describes the tensor it came with.
          tensor.values.clear();
          tensor.tolerance.clear();
          values[insert.getResult()] = {tensor};
          return true;
        })
        .Case([&](tensor::FromElementsOp from) {
          Tensor tensor = plain(from.getType());
          for (Value element : from.getElements())
            tensor.codes.push_back(values[element][0].codes[0]);
          values[from.getResult()] = {tensor};
          return true;
        })
        .Default([&](Operation *other) {
          return fail(other, "is not implemented by the reference interpreter");
        });
  }

  /// arith.cmpf of the operands' exact values, and arith.select of codes
  /// (a scalar condition chooses whole values, a block-scaled tensor's
  /// parts with them).
  bool stepCompareSelect(Operation &op, Values &values) {
    using Codes = std::vector<uint64_t>;
    if (auto compare = dyn_cast<arith::CmpFOp>(op)) {
      ValueFormat lhs =
          *getValueFormat(getElementTypeOrSelf(compare.getLhs().getType()));
      ValueFormat rhs =
          *getValueFormat(getElementTypeOrSelf(compare.getRhs().getType()));
      arith::CmpFPredicate predicate = compare.getPredicate();
      return elementwise(&op, values, [&](const Codes &c) -> uint64_t {
        double a = lhs.decode(c[0]), b = rhs.decode(c[1]);
        bool unordered = std::isnan(a) || std::isnan(b);
        using P = arith::CmpFPredicate;
        switch (predicate) {
        case P::AlwaysFalse:
          return 0;
        case P::OEQ:
          return !unordered && a == b;
        case P::OGT:
          return !unordered && a > b;
        case P::OGE:
          return !unordered && a >= b;
        case P::OLT:
          return !unordered && a < b;
        case P::OLE:
          return !unordered && a <= b;
        case P::ONE:
          return !unordered && a != b;
        case P::ORD:
          return !unordered;
        case P::UEQ:
          return unordered || a == b;
        case P::UGT:
          return unordered || a > b;
        case P::UGE:
          return unordered || a >= b;
        case P::ULT:
          return unordered || a < b;
        case P::ULE:
          return unordered || a <= b;
        case P::UNE:
          return unordered || a != b;
        case P::UNO:
          return unordered;
        case P::AlwaysTrue:
          return 1;
        }
        return 0;
      });
    }
    auto select = cast<arith::SelectOp>(op);
    const Tensor &condition = values[select.getCondition()][0];
    if (!isa<ShapedType>(select.getCondition().getType())) {
      std::vector<Tensor> chosen =
          values[condition.codes[0] & 1 ? select.getTrueValue()
                                        : select.getFalseValue()];
      values[select.getResult()] = chosen;
      return true;
    }
    return elementwise(&op, values,
                       [](const Codes &c) { return c[0] & 1 ? c[1] : c[2]; });
  }

  /// arith.scaling_extf / scaling_truncf as docs/Numerics.md defines them:
  /// the exact input times or divided by the scale's value, a scale of 16
  /// bits or more first rounded into f8E8M0FNU, the result rounded once.
  bool stepScaling(Operation &op, Values &values) {
    const Tensor &input = values[op.getOperand(0)][0];
    const Tensor &scale = values[op.getOperand(1)][0];
    if (input.codes.size() != scale.codes.size())
      return fail(&op, "has a scale of another shape than its input");
    Tensor result = plain(op.getResult(0).getType(), &input);
    ValueFormat from = *getValueFormat(input.elementType);
    ValueFormat scaleFormat = *getValueFormat(scale.elementType);
    ValueFormat to = *getValueFormat(result.elementType);
    ValueFormat e8m0 = *getValueFormat(Float8E8M0FNUType::get(op.getContext()));
    bool wideScale = scale.elementType.getIntOrFloatBitWidth() >= 16;
    auto truncate = dyn_cast<arith::ScalingTruncFOp>(op);
    RoundingOptions options;
    if (truncate)
      options.mode = toNumerics(truncate.getRoundingmode());
    for (size_t i = 0; i < input.codes.size(); ++i) {
      double factor = scaleFormat.decode(scale.codes[i]);
      if (wideScale)
        factor = e8m0.decode(e8m0.encode(factor, 0, RoundingOptions{}));
      double x = from.decode(input.codes[i]);
      result.codes.push_back(
          to.encode(truncate ? x / factor : x * factor, 0, options));
    }
    values[op.getResult(0)] = {result};
    return true;
  }

  /// vector.transfer_read and transfer_write between a tensor and a vector
  /// along the tensor's innermost dimensions (a minor identity map): codes
  /// moved as they are, the padding where a read leaves the tensor.
  bool stepTransfer(Operation &op, Values &values) {
    auto read = dyn_cast<vector::TransferReadOp>(op);
    auto write = dyn_cast<vector::TransferWriteOp>(op);
    AffineMap map = read ? read.getPermutationMap() : write.getPermutationMap();
    Value source = read ? read.getBase() : write.getBase();
    if (!isa<RankedTensorType>(source.getType()) || !map.isMinorIdentity() ||
        (read ? read.getMask() : write.getMask()))
      return fail(&op, "is implemented by the reference interpreter only on "
                       "tensors, unmasked, along their innermost dimensions");
    const Tensor &tensor = values[source][0];
    VectorType vectorType = read ? read.getVectorType() : write.getVectorType();
    std::vector<int64_t> offsets;
    for (Value index : read ? read.getIndices() : write.getIndices())
      offsets.push_back(int64_t(values[index][0].codes[0]));
    size_t lead = tensor.shape.size() - vectorType.getRank();
    Tensor vector = read ? plain(vectorType) : values[write.getVector()][0];
    Tensor result = read ? vector : tensor;
    if (read)
      vector.codes.assign(vectorType.getNumElements(),
                          values[read.getPadding()][0].codes[0]);
    std::vector<int64_t> at(vectorType.getRank(), 0);
    for (int64_t i = 0; i < vectorType.getNumElements(); ++i) {
      int64_t offset = 0;
      bool inside = true;
      for (size_t d = 0; d < tensor.shape.size(); ++d) {
        int64_t index = offsets[d] + (d >= lead ? at[d - lead] : 0);
        inside &= index >= 0 && index < tensor.shape[d];
        offset = offset * tensor.shape[d] + index;
      }
      if (inside) {
        if (read)
          vector.codes[i] = tensor.codes[offset];
        else
          result.codes[offset] = vector.codes[i];
      }
      advance(at, vectorType.getShape());
    }
    if (read) {
      values[read.getResult()] = {vector};
      return true;
    }
    result.values.clear();
    result.tolerance.clear();
    values[write.getResult()] = {result};
    return true;
  }

  /// arith.fptosi / fptoui into integers of any width (toward zero,
  /// saturating, NaN 0, as lowp-legalize-arith defines them) and
  /// arith.sitofp / uitofp (the integer's value, rounded to nearest even).
  bool stepIntegerFloatCast(Operation &op, Values &values) {
    const Tensor &input = values[op.getOperand(0)][0];
    Tensor result = plain(op.getResult(0).getType(), &input);
    bool toInteger = isa<arith::FPToSIOp, arith::FPToUIOp>(op);
    bool isSigned = isa<arith::FPToSIOp, arith::SIToFPOp>(op);
    if (toInteger) {
      ValueFormat from = *getValueFormat(input.elementType);
      unsigned w = integerWidth(result.elementType);
      double bound = std::ldexp(1.0, isSigned ? w - 1 : w);
      for (uint64_t code : input.codes) {
        double v = std::trunc(from.decode(code));
        uint64_t out;
        if (std::isnan(v))
          out = 0;
        else if (isSigned)
          out = v >= bound   ? (uint64_t(1) << (w - 1)) - 1
                : v < -bound ? uint64_t(0) - (uint64_t(1) << (w - 1))
                             : uint64_t(int64_t(v));
        else
          out = v >= bound ? ~uint64_t(0) : v <= -1 ? 0 : uint64_t(v);
        result.codes.push_back(truncated(out, w));
      }
    } else {
      unsigned w = integerWidth(input.elementType);
      ValueFormat to = *getValueFormat(result.elementType);
      for (uint64_t code : input.codes) {
        double v = isSigned ? double(signedValue(code, w))
                            : double(unsignedValue(code, w));
        result.codes.push_back(to.encode(v, 0, RoundingOptions{}));
      }
    }
    values[op.getResult(0)] = {result};
    return true;
  }

  /// The math dialect's functions, as compiled code computes them: on f32
  /// by the C library's float function (what math-to-llvm's intrinsics
  /// become), on every other type by its double function on the exact
  /// value, rounded once (what lowp-legalize-arith computes).
  bool stepMath(Operation &op, Values &values) {
    using Unary = std::pair<double (*)(double), float (*)(float)>;
    static const llvm::StringMap<Unary> unary = {
        {"math.absf", {std::fabs, std::fabs}},
        {"math.sqrt", {std::sqrt, std::sqrt}},
        {"math.exp", {std::exp, std::exp}},
        {"math.exp2", {std::exp2, std::exp2}},
        {"math.expm1", {std::expm1, std::expm1}},
        {"math.log", {std::log, std::log}},
        {"math.log2", {std::log2, std::log2}},
        {"math.log10", {std::log10, std::log10}},
        {"math.log1p", {std::log1p, std::log1p}},
        {"math.sin", {std::sin, std::sin}},
        {"math.cos", {std::cos, std::cos}},
        {"math.tan", {std::tan, std::tan}},
        {"math.tanh", {std::tanh, std::tanh}},
        {"math.sinh", {std::sinh, std::sinh}},
        {"math.cosh", {std::cosh, std::cosh}},
        {"math.asin", {std::asin, std::asin}},
        {"math.acos", {std::acos, std::acos}},
        {"math.atan", {std::atan, std::atan}},
        {"math.erf", {std::erf, std::erf}},
        {"math.cbrt", {std::cbrt, std::cbrt}},
        {"math.floor", {std::floor, std::floor}},
        {"math.ceil", {std::ceil, std::ceil}},
        {"math.round", {std::round, std::round}},
        {"math.roundeven", {std::nearbyint, std::nearbyint}},
        {"math.trunc", {std::trunc, std::trunc}},
    };
    using Binary =
        std::pair<double (*)(double, double), float (*)(float, float)>;
    static const llvm::StringMap<Binary> binary = {
        {"math.atan2", {std::atan2, std::atan2}},
        {"math.powf", {std::pow, std::pow}},
        {"math.copysign", {std::copysign, std::copysign}},
    };
    StringRef name = op.getName().getStringRef();
    const Tensor &first = values[op.getOperand(0)][0];
    Tensor result = plain(op.getResult(0).getType(), &first);
    ValueFormat to = *getValueFormat(result.elementType);
    bool isF32 = result.elementType.isF32();
    std::vector<ValueFormat> formats;
    std::vector<const Tensor *> operands;
    for (Value operand : op.getOperands()) {
      operands.push_back(&values[operand][0]);
      formats.push_back(*getValueFormat(operands.back()->elementType));
      if (operands.back()->codes.size() != first.codes.size())
        return fail(&op, "has operands of different shapes");
    }
    auto unaryIt = unary.find(name);
    auto binaryIt = binary.find(name);
    bool isRsqrt = name == "math.rsqrt", isFma = name == "math.fma";
    if (unaryIt == unary.end() && binaryIt == binary.end() && !isRsqrt &&
        !isFma)
      return fail(&op, "is not implemented by the reference interpreter");
    for (size_t i = 0; i < first.codes.size(); ++i) {
      std::vector<double> x;
      for (size_t k = 0; k < operands.size(); ++k)
        x.push_back(formats[k].decode(operands[k]->codes[i]));
      double r;
      if (isRsqrt)
        r = isF32 ? double(1.0f / std::sqrt(float(x[0])))
                  : 1.0 / std::sqrt(x[0]);
      else if (isFma)
        r = isF32 ? double(std::fma(float(x[0]), float(x[1]), float(x[2])))
                  : std::fma(x[0], x[1], x[2]);
      else if (unaryIt != unary.end())
        r = isF32 ? double(unaryIt->second.second(float(x[0])))
                  : unaryIt->second.first(x[0]);
      else
        r = isF32 ? double(binaryIt->second.second(float(x[0]), float(x[1])))
                  : binaryIt->second.first(x[0], x[1]);
      result.codes.push_back(to.encode(r, 0, RoundingOptions{}));
    }
    values[op.getResult(0)] = {result};
    return true;
  }

  bool step(Operation &op, Values &values) {
    if (isa<arith::FPToSIOp, arith::FPToUIOp, arith::SIToFPOp, arith::UIToFPOp>(
            op))
      return stepIntegerFloatCast(op, values);
    if (op.getDialect() && isa<math::MathDialect>(op.getDialect()) &&
        !isa<math::IsNaNOp, math::IsInfOp, math::IsFiniteOp, math::IsNormalOp>(
            op))
      return stepMath(op, values);
    if (isa<vector::TransferReadOp, vector::TransferWriteOp>(op))
      return stepTransfer(op, values);
    if (isa<arith::ScalingExtFOp, arith::ScalingTruncFOp>(op))
      return stepScaling(op, values);
    if (isa<arith::CmpFOp, arith::SelectOp>(op))
      return stepCompareSelect(op, values);
    if (isIntegerOp(op))
      return stepInteger(op, values);
    if (isa<scf::ForOp, scf::IfOp, scf::WhileOp>(op))
      return stepControlFlow(op, values);
    if (isa<tensor::ExtractOp, tensor::InsertOp, tensor::FromElementsOp>(op))
      return stepElements(op, values);
    if (isa<linalg::LinalgOp>(op) &&
        !isa<linalg::TransposeOp, linalg::BroadcastOp>(op))
      return stepStructured(cast<linalg::LinalgOp>(op), values);
    if (isa<linalg::IndexOp, tensor::SplatOp, tensor::PadOp, tensor::GenerateOp,
            tensor::ReshapeOp, vector::BroadcastOp>(op))
      return stepFillLike(op, values);
    return stepOther(op, values);
  }

  /// The value of `expr` at the loop indices `point`.
  static int64_t evaluate(AffineExpr expr, ArrayRef<int64_t> point) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr))
      return point[dim.getPosition()];
    if (auto constant = dyn_cast<AffineConstantExpr>(expr))
      return constant.getValue();
    auto binary = cast<AffineBinaryOpExpr>(expr);
    int64_t a = evaluate(binary.getLHS(), point);
    int64_t b = evaluate(binary.getRHS(), point);
    switch (expr.getKind()) {
    case AffineExprKind::Add:
      return a + b;
    case AffineExprKind::Mul:
      return a * b;
    case AffineExprKind::Mod:
      return ((a % b) + b) % b;
    case AffineExprKind::FloorDiv:
      return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
    case AffineExprKind::CeilDiv:
      return a / b + ((a % b != 0) && ((a < 0) == (b < 0)));
    default:
      return 0;
    }
  }

  /// linalg.generic and every named structured op (linalg.matmul,
  /// linalg.reduce, linalg.fill, ...): its body run at every point of its
  /// loops, in lexicographic order, on the elements its indexing maps
  /// read, each yielded value stored where its output's map says. The
  /// compiled loops visit the points in the same order, so reductions
  /// round in the same order too.
  bool stepStructured(linalg::LinalgOp op, Values &values) {
    if (!op.hasPureTensorSemantics())
      return fail(op, "is on memrefs, which the reference interpreter does "
                      "not take (lowp's programs are on tensors)");
    // The loops' sizes: static ones from the op, dynamic ones from the
    // operands' run-time shapes.
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic)) {
      AffineMap shapesToLoops = op.getShapesToLoopsMap();
      if (!shapesToLoops)
        return fail(op, "has dynamic loop sizes that its operands' shapes "
                        "do not determine");
      SmallVector<int64_t> shapes;
      for (OpOperand &operand : op->getOpOperands())
        llvm::append_range(shapes, values[operand.get()][0].shape);
      for (auto [d, expr] : llvm::enumerate(shapesToLoops.getResults()))
        if (ShapedType::isDynamic(ranges[d]))
          ranges[d] = evaluate(expr, shapes) + 1;
    }
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    SmallVector<const Tensor *> inputs;
    for (OpOperand *input : op.getDpsInputOperands())
      inputs.push_back(&values[input->get()][0]);
    std::vector<Tensor> outputs;
    for (OpOperand &init : op.getDpsInitsMutable()) {
      Tensor output = values[init.get()][0];
      output.values.clear();
      output.tolerance.clear();
      outputs.push_back(std::move(output));
    }
    // The row-major offset of the element `map` reads at `point`.
    auto offsetAt = [&](AffineMap map, const Tensor &tensor,
                        ArrayRef<int64_t> point, int64_t &offset) {
      SmallVector<int64_t> at;
      for (AffineExpr expr : map.getResults())
        at.push_back(evaluate(expr, point));
      return offsetOf(op, tensor, at, offset);
    };
    auto element = [](const Tensor &tensor, int64_t offset) {
      Tensor scalar;
      scalar.elementType = tensor.elementType;
      scalar.codes = {tensor.codes[offset]};
      return scalar;
    };
    Block &body = *op.getBlock();
    size_t numInputs = inputs.size();
    SmallVector<int64_t> point(ranges.size(), 0);
    bool empty = llvm::any_of(ranges, [](int64_t size) { return size <= 0; });
    // Each point runs the body op by op (about a microsecond): beyond
    // 2^24 points a check would seem to hang.
    double count = 1;
    for (int64_t size : ranges)
      count *= double(std::max<int64_t>(size, 0));
    if (count > double(1 << 24))
      return fail(op, "has " + std::to_string(int64_t(count)) +
                          " loop points, more than the reference interpreter "
                          "runs (2^24): check a smaller instance");
    points.push_back({});
    for (bool more = !empty; more;) {
      points.back().assign(point.begin(), point.end());
      for (auto [k, input] : llvm::enumerate(inputs)) {
        int64_t offset;
        if (!offsetAt(maps[k], *input, point, offset))
          return false;
        values[body.getArgument(k)] = {element(*input, offset)};
      }
      SmallVector<int64_t> outputOffsets;
      for (auto [k, output] : llvm::enumerate(outputs)) {
        int64_t offset;
        if (!offsetAt(maps[numInputs + k], output, point, offset))
          return false;
        outputOffsets.push_back(offset);
        values[body.getArgument(numInputs + k)] = {element(output, offset)};
      }
      std::vector<std::vector<Tensor>> yielded;
      if (!runBlock(body, values, yielded))
        return false;
      for (auto [k, output] : llvm::enumerate(outputs))
        output.codes[outputOffsets[k]] = yielded[k][0].codes[0];
      // The next point, the last loop fastest.
      more = false;
      for (size_t d = point.size(); d-- > 0;) {
        if (++point[d] < ranges[d]) {
          more = true;
          break;
        }
        point[d] = 0;
      }
    }
    points.pop_back();
    for (auto [result, output] : llvm::zip(op->getResults(), outputs))
      values[result] = {std::move(output)};
    return true;
  }

  /// The code the region `body` of a tensor.pad or tensor.generate yields
  /// at `index`.
  bool yieldedAt(Block &body, ArrayRef<int64_t> index, Values &values,
                 uint64_t &code) {
    for (auto [d, argument] : llvm::enumerate(body.getArguments()))
      values[argument] = {scalarOf(argument.getType(), index[d])};
    std::vector<std::vector<Tensor>> yielded;
    if (!runBlock(body, values, yielded))
      return false;
    code = yielded[0][0].codes[0];
    return true;
  }

  /// The dynamic sizes of `tensor`'s shape, in order, from index values.
  static void setDynamicSizes(Tensor &tensor, ValueRange sizes,
                              Values &values) {
    auto next = sizes.begin();
    for (int64_t &size : tensor.shape)
      if (ShapedType::isDynamic(size))
        size = int64_t(values[*next++][0].codes[0]);
  }

  /// linalg.index, and the ops that fill a tensor or vector with one value
  /// (tensor.splat, vector.broadcast) or pad one (tensor.pad).
  bool stepFillLike(Operation &op, Values &values) {
    return llvm::TypeSwitch<Operation *, bool>(&op)
        .Case([&](linalg::IndexOp index) {
          values[index.getResult()] = {
              scalarOf(index.getType(), points.back()[index.getDim()])};
          return true;
        })
        .Case([&](tensor::SplatOp splat) {
          Tensor result = plain(splat.getType());
          setDynamicSizes(result, splat.getDynamicSizes(), values);
          result.codes.assign(result.numElements(),
                              values[splat.getInput()][0].codes[0]);
          values[splat.getResult()] = {result};
          return true;
        })
        .Case([&](tensor::GenerateOp generate) {
          Tensor result = plain(generate.getType());
          setDynamicSizes(result, generate.getDynamicExtents(), values);
          Block &body = generate.getBody().front();
          std::vector<int64_t> index(result.shape.size(), 0);
          for (int64_t i = 0, n = result.numElements(); i < n; ++i) {
            uint64_t code;
            if (!yieldedAt(body, index, values, code))
              return false;
            result.codes.push_back(code);
            advance(index, result.shape);
          }
          values[generate.getResult()] = {result};
          return true;
        })
        // The same codes in the same order, the shape the shape operand
        // holds.
        .Case([&](tensor::ReshapeOp reshape) {
          Tensor result = values[reshape.getSource()][0];
          result.shape.clear();
          for (uint64_t size : values[reshape.getShape()][0].codes)
            result.shape.push_back(int64_t(size));
          if (result.numElements() != int64_t(result.codes.size()))
            return fail(&op, "has a shape of " +
                                 std::to_string(result.numElements()) +
                                 " elements for a source of " +
                                 std::to_string(result.codes.size()));
          values[reshape.getResult()] = {result};
          return true;
        })
        .Case([&](vector::BroadcastOp broadcast) {
          // numpy's broadcasting: leading dimensions added, dimensions of
          // size 1 repeated.
          const Tensor &source = values[broadcast.getSource()][0];
          Tensor result = plain(broadcast.getResultVectorType());
          std::vector<int64_t> index(result.shape.size(), 0);
          size_t lead = result.shape.size() - source.shape.size();
          for (int64_t i = 0, n = result.numElements(); i < n; ++i) {
            int64_t offset = 0;
            for (size_t d = 0; d < source.shape.size(); ++d)
              offset = offset * source.shape[d] +
                       (source.shape[d] == 1 ? 0 : index[lead + d]);
            result.codes.push_back(source.codes[offset]);
            advance(index, result.shape);
          }
          values[broadcast.getResult()] = {result};
          return true;
        })
        .Case([&](tensor::PadOp pad) {
          const Tensor &source = values[pad.getSource()][0];
          auto sizeOf = [&](OpFoldResult size) {
            if (auto attr = dyn_cast<Attribute>(size))
              return cast<IntegerAttr>(attr).getInt();
            return int64_t(values[cast<Value>(size)][0].codes[0]);
          };
          SmallVector<OpFoldResult> low = pad.getMixedLowPad();
          SmallVector<OpFoldResult> high = pad.getMixedHighPad();
          Tensor result;
          result.elementType = source.elementType;
          for (size_t d = 0; d < source.shape.size(); ++d)
            result.shape.push_back(sizeOf(low[d]) + source.shape[d] +
                                   sizeOf(high[d]));
          Block &body = pad.getRegion().front();
          std::vector<int64_t> index(result.shape.size(), 0);
          for (int64_t i = 0, n = result.numElements(); i < n; ++i) {
            int64_t offset = 0;
            bool inside = true;
            for (size_t d = 0; d < index.size(); ++d) {
              int64_t from = index[d] - sizeOf(low[d]);
              inside &= from >= 0 && from < source.shape[d];
              offset = offset * source.shape[d] + from;
            }
            if (inside) {
              result.codes.push_back(source.codes[offset]);
            } else {
              uint64_t code;
              if (!yieldedAt(body, index, values, code))
                return false;
              result.codes.push_back(code);
            }
            advance(index, result.shape);
          }
          values[pad.getResult()] = {result};
          return true;
        })
        .Default([&](Operation *other) {
          return fail(other, "is not implemented by the reference interpreter");
        });
  }

  bool stepOther(Operation &op, Values &values) {
    auto in = [&](Value value) -> const std::vector<Tensor> & {
      return values[value];
    };
    return llvm::TypeSwitch<Operation *, bool>(&op)
        .Case([&](arith::ConstantOp constant) {
          Tensor tensor = plain(constant.getType());
          if (!constantCodes(constant.getValue(), tensor))
            return fail(&op, "holds a constant the interpreter cannot read");
          values[constant.getResult()] = {tensor};
          return true;
        })
        .Case([&](func::CallOp call) {
          auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
              call, call.getCalleeAttr());
          std::vector<Tensor> arguments, results;
          for (Value operand : call.getOperands())
            for (const Tensor &part : in(operand))
              arguments.push_back(part);
          if (!callee || !run(callee, arguments, results))
            return callee ? false : fail(&op, "calls an unknown function");
          size_t next = 0;
          for (Value result : call.getResults()) {
            size_t parts =
                getBoundaryValues(TypeRange{result.getType()}, "result").size();
            values[result].assign(results.begin() + next,
                                  results.begin() + next + parts);
            next += parts;
          }
          return true;
        })
        .Case([&](HadamardOp hadamard) {
          Tensor tensor = in(hadamard.getInput())[0];
          if (!tensor.values.empty())
            return fail(&op, "transforms a value that is defined only up to "
                             "rounding (a matmul's), which has no bits to "
                             "transform");
          if (tensor.codes.empty()) {
            values[hadamard.getResult()] = {tensor};
            return true;
          }
          std::vector<float> numbers(tensor.codes.size());
          for (size_t i = 0; i < numbers.size(); ++i) {
            uint32_t bits = uint32_t(tensor.codes[i]);
            std::memcpy(&numbers[i], &bits, sizeof bits);
          }
          SmallVector<float> signs = hadamard.getSigns();
          numerics::hadamardTensor(numbers.data(), tensor.shape.data(),
                                   int64_t(tensor.shape.size()),
                                   int64_t(hadamard.getAxis()),
                                   int64_t(hadamard.getBlock()), signs.data());
          for (size_t i = 0; i < numbers.size(); ++i) {
            uint32_t bits;
            std::memcpy(&bits, &numbers[i], sizeof bits);
            tensor.codes[i] = bits;
          }
          values[hadamard.getResult()] = {tensor};
          return true;
        })
        .Case([&](RandomBitsOp random) {
          Tensor tensor = plain(random.getType());
          uint64_t seed = in(random.getSeed())[0].codes[0];
          uint64_t offset = in(random.getOffset())[0].codes[0];
          unsigned width = random.getType().getElementTypeBitWidth();
          uint64_t mask = (uint64_t(1) << width) - 1;
          tensor.codes.resize(tensor.numElements());
          for (int64_t i = 0; i < tensor.numElements(); ++i)
            tensor.codes[i] =
                numerics::randomBits(seed, offset, uint64_t(i)) & mask;
          values[random.getResult()] = {tensor};
          return true;
        })
        .Case([&](ConvertOp convert) {
          values[convert.getResult()] = {runConvert(
              convert, in(convert.getInput())[0],
              convert.getRandom() ? &in(convert.getRandom())[0] : nullptr)};
          return true;
        })
        .Case([&](QuantizeOp quantize) {
          values[quantize.getResult()] = runQuantize(
              quantize.getType(), quantize.getRounding(),
              in(quantize.getInput())[0],
              quantize.getRandom() ? &in(quantize.getRandom())[0] : nullptr);
          return true;
        })
        .Case([&](RequantizeOp requantize) {
          // The logical values rounded to f32, then quantized: the pair it
          // stands for.
          auto f32 = Float32Type::get(requantize.getContext());
          Tensor rounded = runDequantize(
              requantize.getInput().getType(), in(requantize.getInput()),
              RankedTensorType::get(
                  cast<RankedTensorType>(requantize.getType()).getShape(),
                  f32));
          values[requantize.getResult()] = runQuantize(
              requantize.getType(), requantize.getRounding(), rounded, nullptr);
          return true;
        })
        .Case([&](DequantizeOp dequantize) {
          values[dequantize.getResult()] = {
              runDequantize(dequantize.getInput().getType(),
                            in(dequantize.getInput()), dequantize.getType())};
          return true;
        })
        .Case([&](AssembleOp assemble) {
          std::vector<Tensor> parts;
          for (Value operand : assemble.getOperands())
            parts.push_back(in(operand)[0]);
          values[assemble.getResult()] = parts;
          return true;
        })
        .Case([&](DisassembleOp disassemble) {
          const std::vector<Tensor> &parts = in(disassemble.getInput());
          for (auto [index, result] : llvm::enumerate(disassemble.getResults()))
            values[result] = {parts[index]};
          return true;
        })
        .Case([&](RelayoutOp relayout) {
          std::vector<Tensor> parts = in(relayout.getInput());
          for (Tensor &part : parts)
            if (part.shape.size() == relayout.getPermutation().size())
              part = permuted(part, relayout.getPermutation());
          values[relayout.getResult()] = parts;
          return true;
        })
        .Case([&](linalg::TransposeOp transpose) {
          values[transpose->getResult(0)] = {permuted(
              in(transpose.getInput())[0], transpose.getPermutation())};
          return true;
        })
        .Case([&](linalg::BroadcastOp broadcast) {
          auto shape = shapeOf(broadcast.getInit().getType());
          if (llvm::any_of(shape, ShapedType::isDynamic))
            return fail(&op, "has a dynamic result size, which the reference "
                             "interpreter does not take from a tensor.empty");
          values[broadcast->getResult(0)] = {broadcasted(
              in(broadcast.getInput())[0], shape, broadcast.getDimensions())};
          return true;
        })
        .Case([&](tensor::ExtractSliceOp slice) {
          if (llvm::any_of(slice.getStaticOffsets(), ShapedType::isDynamic) ||
              llvm::any_of(slice.getStaticSizes(), ShapedType::isDynamic) ||
              llvm::any_of(slice.getStaticStrides(), ShapedType::isDynamic))
            return fail(&op, "has dynamic offsets, sizes or strides, which "
                             "the reference interpreter does not take");
          values[slice.getResult()] = {
              sliced(in(slice.getSource())[0], slice.getStaticOffsets(),
                     slice.getStaticSizes(), slice.getStaticStrides(),
                     shapeOf(slice.getType()))};
          return true;
        })
        .Case([&](tensor::ConcatOp concat) {
          int64_t dim = concat.getDim();
          std::vector<const Tensor *> inputs;
          for (Value input : concat.getInputs())
            inputs.push_back(&in(input)[0]);
          Tensor result;
          result.elementType = inputs[0]->elementType;
          result.shape = inputs[0]->shape;
          result.shape[dim] = 0;
          for (const Tensor *input : inputs)
            result.shape[dim] += input->shape[dim];
          // Rows of the dimensions before `dim`, each the inputs' runs.
          int64_t outer = 1, inner = 1;
          for (int64_t d = 0; d < dim; ++d)
            outer *= result.shape[d];
          for (size_t d = dim + 1; d < result.shape.size(); ++d)
            inner *= result.shape[d];
          // Exact sums and bounds travel along where an input has them;
          // the other inputs' values are exact.
          bool bounded = llvm::any_of(
              inputs, [](const Tensor *t) { return !t->values.empty(); });
          std::vector<Tensor> exact;
          exact.reserve(inputs.size());
          for (const Tensor *&input : inputs)
            if (bounded && input->values.empty()) {
              Tensor &copy = exact.emplace_back(*input);
              ValueFormat format = *getValueFormat(copy.elementType);
              for (uint64_t code : copy.codes)
                copy.values.push_back(format.decode(code));
              copy.tolerance.assign(copy.codes.size(), 0.0);
              input = &copy;
            }
          for (int64_t row = 0; row < outer; ++row)
            for (const Tensor *input : inputs) {
              int64_t run = input->shape[dim] * inner;
              result.codes.insert(result.codes.end(),
                                  input->codes.begin() + row * run,
                                  input->codes.begin() + (row + 1) * run);
              if (bounded) {
                result.values.insert(result.values.end(),
                                     input->values.begin() + row * run,
                                     input->values.begin() + (row + 1) * run);
                result.tolerance.insert(result.tolerance.end(),
                                        input->tolerance.begin() + row * run,
                                        input->tolerance.begin() +
                                            (row + 1) * run);
              }
            }
          values[concat.getResult()] = {result};
          return true;
        })
        .Case([&](tensor::CollapseShapeOp collapse) {
          Tensor result = in(collapse.getSrc())[0];
          std::vector<int64_t> shape;
          for (const ReassociationIndices &group :
               collapse.getReassociationIndices()) {
            int64_t size = 1;
            for (int64_t d : group)
              size *= result.shape[d];
            shape.push_back(size);
          }
          result.shape = shape;
          values[collapse.getResult()] = {result};
          return true;
        })
        .Case([&](tensor::ExpandShapeOp expand) {
          Tensor result = in(expand.getSrc())[0];
          std::vector<int64_t> shape = shapeOf(expand.getType());
          // At most one dynamic size per group: the rest of its source's.
          for (auto [source, group] :
               llvm::enumerate(expand.getReassociationIndices())) {
            int64_t known = 1;
            for (int64_t d : group)
              if (!ShapedType::isDynamic(shape[d]))
                known *= shape[d];
            for (int64_t d : group)
              if (ShapedType::isDynamic(shape[d]))
                shape[d] = known ? result.shape[source] / known : 0;
          }
          result.shape = shape;
          values[expand.getResult()] = {result};
          return true;
        })
        // The init of a transpose, a broadcast or a vector write; the
        // elements a write leaves alone are zero codes here, and undefined
        // in compiled code, so --check compares only what was written.
        .Case([&](tensor::EmptyOp empty) {
          for (OpOperand &use : empty->getUses())
            if (!isa<linalg::LinalgOp, vector::TransferWriteOp>(use.getOwner()))
              return fail(&op, "is implemented by the reference interpreter "
                               "only as the init of a linalg op or a "
                               "vector.transfer_write");
          RankedTensorType type = empty.getType();
          if (type.hasStaticShape()) {
            Tensor zeros = plain(type);
            zeros.codes.assign(type.getNumElements(), 0);
            values[empty.getResult()] = {zeros};
          }
          return true;
        })
        // The same bits: codes of equal width.
        .Case([&](arith::BitcastOp bitcast) {
          Tensor result = in(bitcast.getIn())[0];
          result.elementType = getElementTypeOrSelf(bitcast.getType());
          result.values.clear();
          result.tolerance.clear();
          values[bitcast.getResult()] = {result};
          return true;
        })
        .Case([&](arith::TruncFOp trunc) {
          values[trunc.getResult()] = {
              runCast(trunc.getType(), in(trunc.getIn())[0],
                      toNumerics(trunc.getRoundingmode()))};
          return true;
        })
        .Case([&](arith::ExtFOp ext) {
          values[ext.getResult()] = {runCast(ext.getType(), in(ext.getIn())[0],
                                             RoundingMode::NearestEven)};
          return true;
        })
        .Case<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp,
              arith::MaximumFOp, arith::MinimumFOp, arith::MaxNumFOp,
              arith::MinNumFOp, arith::RemFOp>([&](Operation *binary) {
          if (in(binary->getOperand(0))[0].shape !=
              in(binary->getOperand(1))[0].shape)
            return fail(binary, "has operands of different shapes");
          values[binary->getResult(0)] = {
              runBinary(binary, in(binary->getOperand(0))[0],
                        in(binary->getOperand(1))[0])};
          return true;
        })
        .Case([&](arith::NegFOp neg) {
          const Tensor &input = in(neg.getOperand())[0];
          Tensor result = plain(neg.getType(), &input);
          ValueFormat format = *getValueFormat(result.elementType);
          for (uint64_t code : input.codes)
            result.codes.push_back(
                format.encode(-format.decode(code), 0, RoundingOptions{}));
          values[neg.getResult()] = {result};
          return true;
        })
        .Case<math::IsNaNOp, math::IsInfOp, math::IsFiniteOp, math::IsNormalOp>(
            [&](Operation *classify) {
              // Of the exact value; normal in the operand's own format.
              const Tensor &input = in(classify->getOperand(0))[0];
              Tensor result = plain(classify->getResult(0).getType(), &input);
              Type elementType = input.elementType;
              ValueFormat format = *getValueFormat(elementType);
              std::optional<numerics::Format> numeric =
                  getNumericFormat(elementType);
              double smallestNormal = numeric
                                          ? numeric->getMinNormal()
                                          : std::numeric_limits<double>::min();
              for (uint64_t code : input.codes) {
                double v = format.decode(code);
                bool answer =
                    isa<math::IsNaNOp>(classify)   ? std::isnan(v)
                    : isa<math::IsInfOp>(classify) ? std::isinf(v)
                    : isa<math::IsFiniteOp>(classify)
                        ? std::isfinite(v)
                        : std::isfinite(v) && std::fabs(v) >= smallestNormal;
                result.codes.push_back(answer ? 1 : 0);
              }
              values[classify->getResult(0)] = {result};
              return true;
            })
        .Case([&](PackOp pack) {
          const Tensor &input = in(pack.getInput())[0];
          Tensor result = plain(pack.getType(), &input);
          unsigned width = getNumericFormat(input.elementType)->getBitWidth();
          if (!result.shape.empty())
            result.shape.back() = packedRowBytes(input.shape.back(), width);
          for (uint8_t byte : packRows(input.codes, input.shape.back(), width))
            result.codes.push_back(byte);
          values[pack.getResult()] = {result};
          return true;
        })
        .Case([&](UnpackOp unpack) {
          const Tensor &input = in(unpack.getInput())[0];
          Tensor result = plain(unpack.getType(), &input);
          unsigned width = getNumericFormat(result.elementType)->getBitWidth();
          if (!result.shape.empty())
            result.shape.back() =
                cast<RankedTensorType>(unpack.getType()).getShape().back();
          std::vector<uint8_t> bytes(input.codes.begin(), input.codes.end());
          result.codes = unpackRows(bytes, result.shape.back(), width);
          values[unpack.getResult()] = {result};
          return true;
        })
        .Case([&](MatmulOp matmul) {
          values[matmul.getResult()] = {
              runMatmul(matmul, in(matmul.getLhs()), in(matmul.getRhs()))};
          return true;
        })
        .Default([&](Operation *other) {
          return fail(other, "is not implemented by the reference interpreter");
        });
  }

  static bool constantCodes(Attribute attr, Tensor &tensor) {
    auto codeOf = [](Attribute element) -> std::optional<uint64_t> {
      if (auto f = dyn_cast<FloatAttr>(element))
        return f.getValue().bitcastToAPInt().getZExtValue();
      if (auto i = dyn_cast<IntegerAttr>(element))
        return i.getValue().getZExtValue();
      return std::nullopt;
    };
    if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
      for (Attribute element : dense.getValues<Attribute>()) {
        std::optional<uint64_t> code = codeOf(element);
        if (!code)
          return false;
        tensor.codes.push_back(*code);
      }
      return true;
    }
    std::optional<uint64_t> code = codeOf(attr);
    if (!code)
      return false;
    tensor.codes.push_back(*code);
    return true;
  }

  /// Widths of integer codes: masks for the bits that hold a code.
  static uint64_t codeMask(Type elementType) {
    if (elementType.isF64())
      return ~uint64_t(0);
    unsigned width = getNumericFormat(elementType)->getBitWidth();
    return width >= 64 ? ~uint64_t(0) : (uint64_t(1) << width) - 1;
  }

  /// arith.truncf / arith.extf: the exact source value rounded once.
  Tensor runCast(Type resultType, const Tensor &input, RoundingMode mode) {
    Tensor result = plain(resultType, &input);
    ValueFormat from = *getValueFormat(input.elementType);
    ValueFormat to = *getValueFormat(result.elementType);
    RoundingOptions options;
    options.mode = mode;
    for (uint64_t code : input.codes)
      result.codes.push_back(to.encode(from.decode(code), 0, options));
    return result;
  }

  /// Float arithmetic: the exact operands in f64, the op in f64, the result
  /// rounded to nearest even (correct rounding for every type lowp
  /// computes this way).
  Tensor runBinary(Operation *op, const Tensor &lhs, const Tensor &rhs) {
    Tensor result = plain(op->getResult(0).getType(), &lhs);
    ValueFormat format = *getValueFormat(result.elementType);
    ValueFormat lhsFormat = *getValueFormat(lhs.elementType);
    ValueFormat rhsFormat = *getValueFormat(rhs.elementType);
    for (size_t i = 0; i < lhs.codes.size(); ++i) {
      double a = lhsFormat.decode(lhs.codes[i]);
      double b = rhsFormat.decode(rhs.codes[i]);
      double r = 0;
      if (isa<arith::AddFOp>(op))
        r = a + b;
      else if (isa<arith::SubFOp>(op))
        r = a - b;
      else if (isa<arith::MulFOp>(op))
        r = a * b;
      else if (isa<arith::DivFOp>(op))
        r = a / b;
      else if (isa<arith::RemFOp>(op))
        r = std::fmod(a, b); // exact, as frem is
      else if (isa<arith::MaxNumFOp, arith::MinNumFOp>(op) &&
               (std::isnan(a) || std::isnan(b))) {
        // The other operand itself, bit for bit, where one is NaN (the
        // selects that lowp-legalize-arith makes of them).
        result.codes.push_back(std::isnan(a) ? rhs.codes[i] : lhs.codes[i]);
        continue;
      } else if (std::isnan(a) || std::isnan(b))
        r = NAN;
      else if (isa<arith::MaximumFOp, arith::MaxNumFOp>(op))
        r = (a == b) ? (std::signbit(a) ? b : a) : std::max(a, b);
      else
        r = (a == b) ? (std::signbit(a) ? a : b) : std::min(a, b);
      result.codes.push_back(format.encode(r, 0, RoundingOptions{}));
    }
    return result;
  }

  Tensor runConvert(ConvertOp op, const Tensor &input, const Tensor *random) {
    Tensor result = plain(op.getType(), &input);
    ValueFormat from = *getValueFormat(input.elementType);
    ValueFormat to = *getValueFormat(result.elementType);
    RoundingOptions options;
    options.mode = toNumerics(op.getRounding());
    options.saturate = op.getSaturate();
    if (random)
      options.randomBitCount = random->elementType.getIntOrFloatBitWidth();
    for (size_t i = 0; i < input.codes.size(); ++i) {
      if (random)
        options.randomBits = random->codes[i] & codeMask(random->elementType);
      // The exact value (a logarithmic one as its double and side).
      int sticky = 0;
      double value = from.decode(input.codes[i], sticky);
      result.codes.push_back(to.encode(value, sticky, options));
    }
    return result;
  }

  std::vector<Tensor> runQuantize(Type resultType, Rounding rounding,
                                  const Tensor &input, const Tensor *random) {
    auto type = cast<RankedTensorType>(resultType);
    auto encoding = getEncoding(type);
    BlockScaling scaling = encoding.getScaling(type.getElementType());
    ValueFormat from = *getValueFormat(input.elementType);
    std::vector<double> values;
    for (uint64_t code : input.codes)
      values.push_back(from.decode(code));
    std::vector<uint64_t> randomBits;
    RoundingOptions options;
    options.mode = toNumerics(rounding);
    if (random) {
      options.randomBitCount = random->elementType.getIntOrFloatBitWidth();
      for (uint64_t code : random->codes)
        randomBits.push_back(code & codeMask(random->elementType));
    }
    std::vector<int64_t> block(encoding.getBlock().begin(),
                               encoding.getBlock().end());
    BlockScaledTensor quantized =
        quantizeTensor(scaling, shapeOf(type), block, values, options,
                       random ? randomBits.data() : nullptr);
    std::vector<Tensor> parts;
    for (const BoundaryValue &boundary :
         getBoundaryValues(TypeRange{type}, "result")) {
      Tensor part;
      part.elementType = boundary.elementType;
      part.shape = boundary.shape;
      parts.push_back(part);
    }
    parts[0].codes.assign(quantized.elements.begin(), quantized.elements.end());
    parts[1].codes.assign(quantized.scales.begin(), quantized.scales.end());
    size_t next = 2;
    if (scaling.tensorScale)
      parts[next++].codes = {quantized.tensorScale};
    if (scaling.zeroPoint)
      parts[next++].codes.assign(quantized.zeroPoints.begin(),
                                 quantized.zeroPoints.end());
    if (scaling.hasChoices())
      parts[next].codes.assign(quantized.selectors.begin(),
                               quantized.selectors.end());
    return parts;
  }

  /// `tensor` stored in the order of `permutation` (lowp.relayout).
  static Tensor permuted(const Tensor &tensor, ArrayRef<int64_t> permutation) {
    Tensor result;
    result.elementType = tensor.elementType;
    for (int64_t d : permutation)
      result.shape.push_back(tensor.shape[d]);
    for (int64_t source :
         RelayoutOp::getSourceOffsets(tensor.shape, permutation)) {
      result.codes.push_back(tensor.codes[source]);
      // A matmul's result carries its exact sums and bounds along.
      if (!tensor.values.empty())
        result.values.push_back(tensor.values[source]);
      if (!tensor.tolerance.empty())
        result.tolerance.push_back(tensor.tolerance[source]);
    }
    return result;
  }

  /// The row-major successor of `index` within `shape`.
  static void advance(std::vector<int64_t> &index, ArrayRef<int64_t> shape) {
    for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        return;
      index[d] = 0;
    }
  }

  /// `tensor` broadcast to `shape` along the added `dimensions`
  /// (linalg.broadcast).
  static Tensor broadcasted(const Tensor &tensor, ArrayRef<int64_t> shape,
                            ArrayRef<int64_t> dimensions) {
    Tensor result;
    result.elementType = tensor.elementType;
    result.shape.assign(shape.begin(), shape.end());
    int64_t count = result.numElements();
    std::vector<int64_t> index(shape.size(), 0);
    for (int64_t i = 0; i < count; ++i) {
      int64_t source = 0;
      for (size_t d = 0, kept = 0; d < shape.size(); ++d) {
        if (llvm::is_contained(dimensions, int64_t(d)))
          continue;
        source = source * tensor.shape[kept++] + index[d];
      }
      result.codes.push_back(tensor.codes[source]);
      if (!tensor.values.empty())
        result.values.push_back(tensor.values[source]);
      if (!tensor.tolerance.empty())
        result.tolerance.push_back(tensor.tolerance[source]);
      advance(index, shape);
    }
    return result;
  }

  /// The slice of `tensor` at static `offsets`, `sizes` and `strides`
  /// (tensor.extract_slice), of `shape` (which drops unit dimensions when
  /// the slice is rank-reducing).
  static Tensor sliced(const Tensor &tensor, ArrayRef<int64_t> offsets,
                       ArrayRef<int64_t> sizes, ArrayRef<int64_t> strides,
                       const std::vector<int64_t> &shape) {
    Tensor result;
    result.elementType = tensor.elementType;
    result.shape = shape;
    int64_t count = 1;
    for (int64_t size : sizes)
      count *= size;
    std::vector<int64_t> index(sizes.size(), 0);
    for (int64_t i = 0; i < count; ++i) {
      int64_t source = 0;
      for (size_t d = 0; d < sizes.size(); ++d)
        source = source * tensor.shape[d] + offsets[d] + index[d] * strides[d];
      result.codes.push_back(tensor.codes[source]);
      // A matmul's result carries its exact sums and bounds along.
      if (!tensor.values.empty())
        result.values.push_back(tensor.values[source]);
      if (!tensor.tolerance.empty())
        result.tolerance.push_back(tensor.tolerance[source]);
      advance(index, sizes);
    }
    return result;
  }

  /// Exact logical values of a value given as parts (one part if plain).
  static std::vector<double> logicalValues(Type type,
                                           const std::vector<Tensor> &parts) {
    auto encoding = getEncoding(type);
    if (!encoding) {
      ValueFormat format = *getValueFormat(parts[0].elementType);
      std::vector<double> values;
      for (uint64_t code : parts[0].codes)
        values.push_back(format.decode(code));
      return values;
    }
    auto tensorType = cast<RankedTensorType>(type);
    BlockScaling scaling = encoding.getScaling(tensorType.getElementType());
    BlockScaledTensor tensor;
    tensor.shape = shapeOf(type);
    tensor.block.assign(encoding.getBlock().begin(), encoding.getBlock().end());
    tensor.elements.assign(parts[0].codes.begin(), parts[0].codes.end());
    tensor.scales.assign(parts[1].codes.begin(), parts[1].codes.end());
    size_t next = 2;
    if (scaling.tensorScale)
      tensor.tensorScale = uint32_t(parts[next++].codes[0]);
    if (scaling.zeroPoint) {
      tensor.zeroPoints.assign(parts[next].codes.begin(),
                               parts[next].codes.end());
      ++next;
    }
    if (scaling.hasChoices())
      tensor.selectors.assign(parts[next].codes.begin(),
                              parts[next].codes.end());
    return dequantizeTensor(scaling, tensor);
  }

  Tensor runDequantize(Type inputType, const std::vector<Tensor> &parts,
                       Type resultType) {
    Tensor result = plain(resultType);
    ValueFormat to = *getValueFormat(result.elementType);
    for (double value : logicalValues(inputType, parts))
      result.codes.push_back(to.encode(value, 0, RoundingOptions{}));
    return result;
  }

  Tensor runMatmul(MatmulOp op, const std::vector<Tensor> &lhsParts,
                   const std::vector<Tensor> &rhsParts) {
    // The operands' shapes as they are: the rows of lhs may be dynamic.
    std::vector<int64_t> lhsShape = lhsParts[0].shape;
    std::vector<int64_t> rhsShape = rhsParts[0].shape;
    Tensor result = plain(op.getType());
    result.shape = lhsShape;
    result.shape.back() = shapeOf(op.getType()).back();
    std::vector<double> a = logicalValues(op.getLhs().getType(), lhsParts);
    std::vector<double> b = logicalValues(op.getRhs().getType(), rhsParts);
    bool batched = lhsShape.size() == 3;
    int64_t batches = batched ? lhsShape[0] : 1;
    bool transposed = op.getTransposeRhs();
    int64_t m = lhsShape[lhsShape.size() - 2], k = lhsShape.back(),
            n = transposed ? rhsShape[rhsShape.size() - 2] : rhsShape.back();
    ValueFormat to = *getValueFormat(result.elementType);
    bool exact = op.getAccumulator().isSignlessInteger(32);
    // f32 accumulation: each operand rounded to f32, each product and each
    // of the K partial sums rounded once more, and the result rounded into
    // its format.
    double resultEpsilon = to.isF64 ? 0 : to.format->getEpsilon() / 2;
    double resultTiny = to.isF64 ? 0 : to.format->getMinPositive();
    for (int64_t batch = 0; batch < batches; ++batch)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double sum = 0, magnitude = 0;
          // Products that are infinite or NaN in f32 decide the f32 sum
          // in any order, unless its finite part could overflow.
          bool nan = false, plusInf = false, minusInf = false;
          for (int64_t l = 0; l < k; ++l) {
            double x = a[(batch * m + i) * k + l];
            double y = transposed ? b[(batch * n + j) * k + l]
                                  : b[(batch * k + l) * n + j];
            double product = x * y;
            if (!exact) {
              float rounded = float(double(float(x)) * double(float(y)));
              if (std::isnan(rounded)) {
                nan = true;
                continue;
              }
              if (std::isinf(rounded)) {
                (rounded > 0 ? plusInf : minusInf) = true;
                continue;
              }
            }
            sum += product;
            magnitude += std::fabs(product);
          }
          if (!exact && (nan || (plusInf && minusInf)))
            sum = NAN;
          else if (!exact && (plusInf || minusInf))
            sum = plusInf ? INFINITY : -INFINITY;
          uint64_t code = to.encode(sum, 0, RoundingOptions{});
          result.codes.push_back(code);
          if (!exact) {
            double bound = double(k + 3) * 0x1p-24 * magnitude;
            // Partial sums that could pass f32's largest value make the
            // result depend on the order of summation, which is left open:
            // any result, infinities and NaN included, is then allowed.
            bool orderDecides =
                magnitude + bound >= 0x1.fffffep127 && !std::isnan(sum);
            result.values.push_back(sum);
            result.tolerance.push_back(
                orderDecides
                    ? INFINITY
                    : bound + std::fabs(sum) * resultEpsilon + resultTiny);
          }
        }
    return result;
  }

  std::string &error;
};
} // namespace

bool lowp::reference::run(func::FuncOp function,
                          const std::vector<Tensor> &arguments,
                          std::vector<Tensor> &results, std::string &error) {
  Interpreter interpreter(error);
  return interpreter.run(function, arguments, results);
}
