//===- CudaMatmul.cpp - lowp.matmul as CUDA kernels -----------------------===//
//
// lowp-cuda-matmul rewrites each lowp.matmul that a CUDA kernel covers into
// a gpu.launch over the operands' stored parts (codes as they arrive, packed
// sub-byte rows included, and their block scales), decoding in registers:
// nothing the size of an operand is materialized. Which kernel, per chip
// and operand formats:
//
//   RowDot   (every chip)  f32 activations x an N x K weight of codes of at
//                          most 8 bits (any format, codebooks included,
//                          decoded through a table in shared memory),
//                          blocked along K, with scales, zero points and a
//                          tensor scale: one warp per output column, a
//                          decode (GEMV) kernel that streams the weight.
//   MmaF16   (every chip)  mma.sync m16n8k16 on f16 or bf16 fragments: f16
//                          or bf16 operands, or codes of at most 8 bits that
//                          the fragment type holds exactly, decoded through
//                          a table.
//   MmaF8    (sm_89 on)    mma.sync m16n8k32 e4m3/e5m2 on the codes
//                          themselves.
//   Wgmma    (sm_90a)      FP8: wgmma m64n64k32 from tiles in shared memory.
//   Tcgen05  (sm_100a)     FP8, MXFP8, MXFP4 x MXFP4, NVFP4 x NVFP4:
//                          tcgen05.mma with the accumulator (and the block
//                          scales) in tensor memory.
//
// The mma.sync and wgmma kernels apply block scales per K step in f32, as
// the CPU kernels factor them: each step's product starts from zero and is
// added, times the rows' and columns' scales, to f32 accumulators held in
// registers; tcgen05's block-scaled kinds apply them in the tensor core.
// docs/GPU.md has the fragment, shared-memory and tensor-memory layouts and
// the bounds.
//
//===----------------------------------------------------------------------===//

#include "ElementCodegen.h"
#include "StorageLowering.h"

#include "lowp/Conversion/Passes.h"
#include "lowp/Dialect/Lowp/IR/LowpOps.h"
#include "lowp/Numerics/BlockScale.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/APFloat.h"

#include <cmath>

namespace lowp {
#define GEN_PASS_DEF_LOWPCUDAMATMUL
#include "lowp/Conversion/Passes.h.inc"
} // namespace lowp

using namespace mlir;
using namespace lowp;
using numerics::BlockScaling;
using numerics::Format;

namespace {

constexpr int64_t kWarpLanes = 32;

//===----------------------------------------------------------------------===//
// What the kernels cover
//===----------------------------------------------------------------------===//

enum class KernelKind { RowDot, MmaF16, MmaF8, Wgmma, Tcgen05 };

/// An operand of the matmul as the kernels read it: rows of codes along K
/// (the M x K activation, the N x K weight), each row's blocks of K sharing
/// a scale when it is block-scaled.
struct OperandLayout {
  explicit OperandLayout(Format element) : element(std::move(element)) {}

  Format element;
  std::optional<BlockScaling> scaling;
  /// K per scale; 0 without scales.
  int64_t block = 0;
  /// Bits per code in memory: the packed width, or the storage's width.
  unsigned width = 8;
  /// The width of packed zero points, 8 when one per byte; 0 without.
  unsigned zeroPointWidth = 0;
};

/// The formats whose codes kernels decode through a table: at most 8 bits.
bool isTableFormat(const Format &format) { return format.getBitWidth() <= 8; }

/// Whether a scale-like part (a block scale, tensor scale or zero point) of
/// `format` decodes exactly to f32 in kernel code.
bool decodesInKernel(const Format &format) {
  if (format.isFloat() && format.getBitWidth() == 32 &&
      format.getFloat().mantissaBits == 23)
    return true;
  return ElementCodegen::canDecodeToF32(format);
}

bool isF32Format(const Format &format) {
  return format.isFloat() && format.getBitWidth() == 32 &&
         format.getFloat().mantissaBits == 23;
}

std::optional<OperandLayout> layoutOf(Value operand) {
  auto type = cast<RankedTensorType>(operand.getType());
  if (type.getRank() != 2 || !type.hasStaticShape())
    return std::nullopt;
  std::optional<Format> element = getNumericFormat(type.getElementType());
  if (!element)
    return std::nullopt;
  OperandLayout layout(*element);
  unsigned bits = element->getBitWidth();
  layout.width = bits <= 8 ? 8 : bits <= 16 ? 16 : 32;
  if (auto encoding = getBlockScaledEncoding(type)) {
    SmallVector<int64_t> block = encoding.getFullBlock(2);
    if (block[0] != 1 || encoding.hasChoices())
      return std::nullopt;
    layout.block = block[1];
    layout.scaling = encoding.getScaling(type.getElementType());
    if (unsigned packed = packedWidthOf(operand))
      layout.width = packed;
    if (!decodesInKernel(layout.scaling->scale) ||
        (layout.scaling->tensorScale &&
         !decodesInKernel(*layout.scaling->tensorScale)))
      return std::nullopt;
    if (layout.scaling->zeroPoint) {
      if (!decodesInKernel(*layout.scaling->zeroPoint))
        return std::nullopt;
      layout.zeroPointWidth = 8;
      if (auto assemble = operand.getDefiningOp<AssembleOp>())
        if (Value zeroPoints = assemble.getZeroPoints())
          if (zeroPoints.getDefiningOp<UnpackOp>()) {
            // kernelParts reads them packed where whole rows fill bytes.
            unsigned zeroBits = layout.scaling->zeroPoint->getBitWidth();
            auto zeroType = cast<RankedTensorType>(zeroPoints.getType());
            if (8 % zeroBits != 0 ||
                zeroType.getShape().back() * zeroBits % 8 != 0)
              return std::nullopt;
            layout.zeroPointWidth = zeroBits;
          }
    }
  } else if (type.getEncoding()) {
    return std::nullopt;
  } else if (operand.getDefiningOp<UnpackOp>()) {
    layout.width = bits;
  }
  return layout;
}

/// Whether every value of `format` is one of `semantics` exactly (NaN and
/// infinities included, as such).
bool holdsEveryValue(const Format &format,
                     const llvm::fltSemantics &semantics) {
  for (uint64_t code = 0; code < format.getNumCodes(); ++code) {
    double value = format.decode(uint32_t(code));
    if (std::isnan(value))
      continue;
    llvm::APFloat converted(value);
    bool losesInfo = false;
    converted.convert(semantics, llvm::APFloat::rmNearestTiesToEven,
                      &losesInfo);
    if (losesInfo)
      return false;
  }
  return true;
}

bool isFp8(const Format &format) {
  return format.isFloat() && format.getBitWidth() == 8 &&
         ((format.getFloat().exponentBits == 4 &&
           format.getFloat().mantissaBits == 3) ||
          (format.getFloat().exponentBits == 5 &&
           format.getFloat().mantissaBits == 2));
}

/// The PTX type of an FP8 element format (e4m3 or e5m2).
llvm::StringRef ptxTypeOf(Type elementType) {
  return isa<Float8E5M2Type>(elementType) ? "e5m2" : "e4m3";
}

/// The element type of an MmaF16 kernel's fragments for `lhs` x `rhs`: bf16
/// when either is bf16, else f16; null when an operand's values are not all
/// values of that type.
Type halfFragmentType(Type lhs, Type rhs, const OperandLayout &lhsLayout,
                      const OperandLayout &rhsLayout) {
  MLIRContext *context = lhs.getContext();
  bool bf16 = lhs.isBF16() || rhs.isBF16();
  Type fragment =
      bf16 ? Type(BFloat16Type::get(context)) : Type(Float16Type::get(context));
  const llvm::fltSemantics &semantics =
      bf16 ? llvm::APFloat::BFloat() : llvm::APFloat::IEEEhalf();
  auto fits = [&](Type type, const OperandLayout &layout) {
    if (type == fragment)
      return true;
    return isTableFormat(layout.element) && !layout.element.isCodebook() &&
           holdsEveryValue(layout.element, semantics);
  };
  return fits(lhs, lhsLayout) && fits(rhs, rhsLayout) ? fragment : Type();
}

/// The K step between scale applications for the mma kernels.
int64_t stepOf(KernelKind kind) { return kind == KernelKind::MmaF16 ? 16 : 32; }

/// Which kernel lowers `op` on `chip`, if any.
std::optional<KernelKind> chooseKernel(MatmulOp op, llvm::StringRef chip) {
  auto resultType = cast<RankedTensorType>(op.getType());
  if (!op.getTransposeRhs() || !op.getAccumulator().isF32() ||
      !resultType.getElementType().isF32() || !resultType.hasStaticShape())
    return std::nullopt;
  std::optional<OperandLayout> lhs = layoutOf(op.getLhs());
  std::optional<OperandLayout> rhs = layoutOf(op.getRhs());
  if (!lhs || !rhs)
    return std::nullopt;
  auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
  auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
  int64_t depth = lhsType.getDimSize(1);

  auto stepFits = [&](KernelKind kind) {
    int64_t step = stepOf(kind);
    auto fits = [&](const OperandLayout &layout) {
      return !layout.zeroPointWidth &&
             (!layout.block || layout.block % step == 0) &&
             (layout.width == 4 || layout.width == 8 || layout.width == 16);
    };
    return depth % step == 0 && fits(*lhs) && fits(*rhs);
  };
  // Packed E2M1 x E2M1 with MX (E8M0, 32) or NVFP4 (E4M3, 16) scales on
  // both: tcgen05.mma kind::mxf4nvf4 on sm_100a.
  auto fp4Scaled = [&](const OperandLayout &layout) {
    if (!layout.scaling || layout.width != 4 || layout.zeroPointWidth ||
        !layout.element.isFloat() || layout.element.getBitWidth() != 4 ||
        layout.element.getFloat().exponentBits != 2)
      return 0;
    const Format &scale = layout.scaling->scale;
    if (layout.block == 32 && scale.isFloat() && scale.getBitWidth() == 8 &&
        scale.getFloat().mantissaBits == 0 && !layout.scaling->tensorScale)
      return 32;
    if (layout.block == 16 && scale.isFloat() && scale.getBitWidth() == 8 &&
        scale.getFloat().mantissaBits == 3)
      return 16;
    return 0;
  };
  if (chip == "sm_100a" && depth % 64 == 0 && fp4Scaled(*lhs) &&
      fp4Scaled(*lhs) == fp4Scaled(*rhs))
    return KernelKind::Tcgen05;
  bool fp8Capable = chip != "sm_80";
  if (fp8Capable && isFp8(lhs->element) && isFp8(rhs->element) &&
      lhs->width == 8 && rhs->width == 8 && stepFits(KernelKind::MmaF8)) {
    if (chip == "sm_90a")
      return KernelKind::Wgmma;
    // tcgen05.mma accumulates in tensor memory over all of K: plain FP8
    // (kind::f8f6f4), or both operands MX-scaled (kind::mxf8f6f4 with E8M0
    // scales in tensor memory, one per 32 of K).
    auto mxScaled = [](const OperandLayout &layout) {
      return layout.block && layout.block % 32 == 0 &&
             !layout.scaling->tensorScale && layout.scaling->scale.isFloat() &&
             layout.scaling->scale.getBitWidth() == 8 &&
             layout.scaling->scale.getFloat().mantissaBits == 0;
    };
    if (chip == "sm_100a" &&
        ((!lhs->block && !rhs->block) || (mxScaled(*lhs) && mxScaled(*rhs))))
      return KernelKind::Tcgen05;
    return KernelKind::MmaF8;
  }
  if (halfFragmentType(lhsType.getElementType(), rhsType.getElementType(), *lhs,
                       *rhs) &&
      stepFits(KernelKind::MmaF16))
    return KernelKind::MmaF16;

  // RowDot: f32 activations, a weight of table-decoded codes whose rows are
  // whole 32-bit words.
  if (!lhsType.getElementType().isF32() || lhs->scaling)
    return std::nullopt;
  if (!isTableFormat(rhs->element) || 8 % rhs->width != 0)
    return std::nullopt;
  int64_t codesPerWord = 32 / rhs->width;
  if (depth % codesPerWord != 0)
    return std::nullopt;
  if (rhs->block && rhs->block % codesPerWord != 0 &&
      codesPerWord % rhs->block != 0)
    return std::nullopt;
  (void)rhsType;
  return KernelKind::RowDot;
}

//===----------------------------------------------------------------------===//
// Kernel code
//===----------------------------------------------------------------------===//

/// One operand's parts as buffers, with its layout.
struct KernelOperand {
  KernelOperand(OperandLayout layout, RankedTensorType type)
      : layout(std::move(layout)), type(type) {}

  OperandLayout layout;
  RankedTensorType type;
  /// rows x (bytes of codes) i8, or rows x K of i16 / f32 storage.
  Value codes;
  Value scales, tensorScale, zeroPoints;
};

MemRefType identityBuffer(Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return MemRefType::get(type.getShape(), type.getElementType());
}

Value toBuffer(ImplicitLocOpBuilder &b, Value tensor) {
  if (!tensor)
    return {};
  return bufferization::ToBufferOp::create(b, identityBuffer(tensor), tensor,
                                           /*read_only=*/true);
}

/// The parts of the matmul operand `original` (whose lowered values are
/// `lowered`) as buffers.
KernelOperand bufferOperand(ImplicitLocOpBuilder &b, Value original,
                            ValueRange lowered,
                            ConversionPatternRewriter &rewriter) {
  KernelOperand operand(*layoutOf(original),
                        cast<RankedTensorType>(original.getType()));
  if (getBlockScaledEncoding(operand.type)) {
    BlockScaledParts parts = kernelParts(original, lowered, rewriter);
    operand.codes = toBuffer(b, parts.elements);
    operand.scales = toBuffer(b, parts.scales);
    // lowp-pack-boundaries passes the tensor scale as a 0-d tensor that the
    // assemble reads one element of: the kernels read that tensor.
    Value tensorScale = parts.tensorScale;
    if (auto assemble = original.getDefiningOp<AssembleOp>())
      if (Value scalar = assemble.getTensorScale())
        if (auto extract = scalar.getDefiningOp<tensor::ExtractOp>())
          tensorScale = rewriter.getRemappedValue(extract.getTensor());
    operand.tensorScale = toBuffer(b, tensorScale);
    operand.zeroPoints = toBuffer(b, parts.zeroPoints);
    return operand;
  }
  Value codes = lowered[0];
  if (auto unpack = original.getDefiningOp<UnpackOp>())
    codes = rewriter.getRemappedValue(unpack.getInput());
  operand.codes = toBuffer(b, codes);
  return operand;
}

/// Builds code inside a kernel.
class KernelCode {
public:
  explicit KernelCode(ImplicitLocOpBuilder &b) : b(b) {}

  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, value);
  }
  Value i32(int64_t value) {
    return arith::ConstantIntOp::create(b, b.getI32Type(), value);
  }
  Value f32(float value) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(value));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value addIndex(Value x, int64_t y) { return y ? add(x, index(y)) : x; }
  Value minIndex(Value x, int64_t bound) {
    return arith::MinUIOp::create(b, x, index(bound));
  }
  Value less(Value x, int64_t bound) {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::ult, x, index(bound));
  }
  Value toIndex(Value i32Value) {
    return arith::IndexCastUIOp::create(b, b.getIndexType(), i32Value);
  }
  /// x * y + acc rounded once: llvm.fma, which NVPTX selects as fma.rn.f32
  /// (math.fma would become a call into libdevice, which lowp does not
  /// link).
  Value fma(Value x, Value y, Value acc) {
    return LLVM::FMAOp::create(b, x, y, acc);
  }

  /// The code at column `column` (index) of row `row` of a buffer of codes:
  /// packed rows of `width` bits (dividing 8), or one code per element of
  /// an i8 / i16 / i32 buffer; as i32.
  Value loadCode(Value buffer, Value row, Value column, unsigned width) {
    auto type = cast<MemRefType>(buffer.getType());
    if (width < 8 && type.getElementType().isInteger(8)) {
      int64_t perByte = 8 / width;
      Value byteIndex = arith::DivUIOp::create(b, column, index(perByte));
      Value byte =
          memref::LoadOp::create(b, buffer, ValueRange{row, byteIndex});
      Value word = arith::ExtUIOp::create(b, b.getI32Type(), byte);
      Value phase = arith::RemUIOp::create(b, column, index(perByte));
      Value shift = arith::MulIOp::create(
          b, arith::IndexCastUIOp::create(b, b.getI32Type(), phase),
          i32(width));
      Value shifted = arith::ShRUIOp::create(b, word, shift);
      return arith::AndIOp::create(b, shifted, i32((1 << width) - 1));
    }
    Value stored = memref::LoadOp::create(b, buffer, ValueRange{row, column});
    if (isa<FloatType>(stored.getType()))
      return arith::BitcastOp::create(b, b.getI32Type(), stored);
    if (stored.getType().isInteger(32))
      return stored;
    return arith::ExtUIOp::create(b, b.getI32Type(), stored);
  }

  /// The f32 value of an i32 `code` of `format` (decodesInKernel).
  Value decode(const Format &format, Value code) {
    if (isF32Format(format))
      return arith::BitcastOp::create(b, b.getF32Type(), code);
    ElementCodegen codegen(b);
    return codegen.decodeToF32(format, code);
  }

  /// The entry for `format`'s i32 `code` (below 2^bits) in a kernel's table:
  /// its f32 value, or with `half` the code of that value in `half` (f16 or
  /// bf16, which holds it exactly) as i16. Up to 16 codes (any format,
  /// codebooks included) take a chain of selects over the exact values, more
  /// the element code.
  Value tableEntry(const Format &format, Value code,
                   const std::optional<Format> &half) {
    numerics::RoundingOptions nearest;
    auto constant = [&](uint32_t c) -> Value {
      double value = format.decode(c);
      if (!half)
        return f32(float(value));
      return arith::ConstantIntOp::create(b, b.getI16Type(),
                                          half->encode(value, nearest));
    };
    if (format.getNumCodes() > 16) {
      Value value = decode(format, code);
      if (!half)
        return value;
      ElementCodegen codegen(b);
      return arith::TruncIOp::create(b, b.getI16Type(),
                                     codegen.encodeF32(*half, value, nearest));
    }
    Value value = constant(0);
    for (uint32_t c = 1; c < format.getNumCodes(); ++c) {
      Value is =
          arith::CmpIOp::create(b, arith::CmpIPredicate::eq, code, i32(c));
      value = arith::SelectOp::create(b, is, constant(c), value);
    }
    return value;
  }

  /// Fills `table` (a workgroup buffer of one entry per code of `format`,
  /// tableEntry's) from the block's threads, then waits for all of them.
  void fillTable(Value table, const Format &format, Value thread,
                 int64_t threads, const std::optional<Format> &half = {}) {
    int64_t codes = int64_t(format.getNumCodes());
    scf::ForOp::create(
        b, thread, index(codes), index(threads), ValueRange{},
        [&](OpBuilder &nested, Location loc, Value t, ValueRange) {
          ImplicitLocOpBuilder body(loc, nested);
          KernelCode code(body);
          Value value = code.tableEntry(
              format, arith::IndexCastUIOp::create(body, body.getI32Type(), t),
              half);
          memref::StoreOp::create(body, value, table, ValueRange{t});
          scf::YieldOp::create(body);
        });
    gpu::BarrierOp::create(b);
  }

  /// The scale of block `blockIndex` of row `row` of `operand`, as f32.
  Value scale(const KernelOperand &operand, Value row, Value blockIndex) {
    Value code = loadCode(operand.scales, row, blockIndex,
                          /*width=*/8);
    return decode(operand.layout.scaling->scale, code);
  }

  /// The zero point of block `blockIndex` of row `row`, as f32.
  Value zeroPoint(const KernelOperand &operand, Value row, Value blockIndex) {
    Value code = loadCode(operand.zeroPoints, row, blockIndex,
                          operand.layout.zeroPointWidth);
    return decode(*operand.layout.scaling->zeroPoint, code);
  }

  /// What multiplies every product of `operand`: its tensor scale times its
  /// element unit; null when both are 1.
  Value factor(const KernelOperand &operand) {
    if (!operand.layout.scaling)
      return {};
    Value factor;
    if (operand.tensorScale) {
      Value stored =
          memref::LoadOp::create(b, operand.tensorScale, ValueRange{});
      Value code =
          isa<FloatType>(stored.getType())
              ? arith::BitcastOp::create(b, b.getI32Type(), stored).getResult()
          : stored.getType().isInteger(32)
              ? stored
              : arith::ExtUIOp::create(b, b.getI32Type(), stored).getResult();
      factor = decode(*operand.layout.scaling->tensorScale, code);
    }
    double unit = operand.layout.scaling->getElementUnit();
    if (unit == 1.0)
      return factor;
    // Exact: the unit is a power of two.
    Value unitValue = f32(float(unit));
    return factor ? arith::MulFOp::create(b, factor, unitValue).getResult()
                  : unitValue;
  }

  /// The product of both operands' factors (null when it is 1).
  Value factor(const KernelOperand &a, const KernelOperand &w) {
    Value product;
    for (const KernelOperand *operand : {&a, &w})
      if (Value f = factor(*operand))
        product =
            product ? arith::MulFOp::create(b, product, f).getResult() : f;
    return product;
  }

  /// `body` under `condition`.
  void ifThen(Value condition,
              llvm::function_ref<void(ImplicitLocOpBuilder &)> body) {
    scf::IfOp::create(b, condition, [&](OpBuilder &nested, Location loc) {
      ImplicitLocOpBuilder inside(loc, nested);
      body(inside);
      scf::YieldOp::create(inside);
    });
  }

  /// Stores `value` times `factor` (if any) at (row, column) of `out`
  /// (rows x columns) when that lies inside it.
  void storeInside(Value value, Value factor, Value out, Value row,
                   Value column, int64_t rows, int64_t columns) {
    if (factor)
      value = arith::MulFOp::create(b, value, factor);
    Value inside =
        arith::AndIOp::create(b, less(row, rows), less(column, columns));
    scf::IfOp::create(b, inside, [&](OpBuilder &nested, Location loc) {
      memref::StoreOp::create(nested, loc, value, out, ValueRange{row, column});
      scf::YieldOp::create(nested, loc);
    });
  }

  /// The sum of `value` over the warp's lanes, in every lane.
  Value warpSum(Value value) {
    for (int64_t offset = kWarpLanes / 2; offset >= 1; offset /= 2) {
      Value other =
          gpu::ShuffleOp::create(b, value, int32_t(offset), int32_t(kWarpLanes),
                                 gpu::ShuffleMode::XOR)
              .getShuffleResult();
      value = arith::AddFOp::create(b, value, other);
    }
    return value;
  }

  ImplicitLocOpBuilder &b;
};

/// A gpu.launch of `blocks` (x, y) blocks of `threads` threads, with
/// `workgroup` buffers in shared memory; `body` builds the kernel and gets
/// the block and thread ids and the workgroup buffers.
void launch(ImplicitLocOpBuilder &b, int64_t blocksX, int64_t blocksY,
            int64_t threads, TypeRange workgroup,
            llvm::function_ref<void(ImplicitLocOpBuilder &, Value blockX,
                                    Value blockY, Value thread, ValueRange)>
                body) {
  KernelCode code(b);
  auto op = gpu::LaunchOp::create(
      b, code.index(blocksX), code.index(blocksY), code.index(1),
      code.index(threads), code.index(1), code.index(1),
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/ValueRange{}, workgroup);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&op.getBody().front());
  body(b, op.getBlockIds().x, op.getBlockIds().y, op.getThreadIds().x,
       op.getWorkgroupAttributions());
  gpu::TerminatorOp::create(b);
}

MemRefType workgroupBuffer(MLIRContext *context, int64_t size, Type element) {
  return MemRefType::get(
      {size}, element, MemRefLayoutAttrInterface(),
      gpu::AddressSpaceAttr::get(context, gpu::AddressSpace::Workgroup));
}

//===----------------------------------------------------------------------===//
// RowDot: the decode (GEMV) kernel
//===----------------------------------------------------------------------===//

/// y (M x N) = x (M x K, f32) times the N x K weight `w`:
///
///   one block of 8 warps per 8 columns n and up to 8 rows m of x
///     the table of w's code values, filled by the block's threads
///     each warp, its column n:
///       for each chunk of V words of n's codes (lane l: chunks l, l+32, ..)
///         for each run of S codes within one K-block
///           v[j] = table[code j] - zero point            (S values)
///           for each row m: acc[m] += s_block * sum_j x[m][k+j] * v[j]
///       acc[m] summed over the lanes (shuffles), times the tensor scale
///
/// The chunk is V = 4, 2 or 1 32-bit words of codes, one 16-, 8- or 4-byte
/// load a lane: a warp reads 512, 256 or 128 consecutive bytes of a row.
class RowDotKernel {
public:
  static constexpr int64_t kWarps = 8;
  static constexpr int64_t kMaxRows = 8;

  RowDotKernel(ImplicitLocOpBuilder &b, Value x, const KernelOperand &w,
               Value out)
      : b(b), x(x), w(w), out(out) {
    auto xType = cast<MemRefType>(x.getType());
    rows = xType.getDimSize(0);
    depth = xType.getDimSize(1);
    columns = w.type.getDimSize(0);
    width = w.layout.width;
    codesPerWord = 32 / width;
    int64_t rowBytes = depth * width / 8;
    block = w.layout.block;
    for (int64_t words : {4, 2, 1}) {
      int64_t codes = words * codesPerWord;
      if (rowBytes % (4 * words) == 0 &&
          (!block || codes % block == 0 || block % codes == 0)) {
        chunkWords = words;
        break;
      }
    }
    chunkCodes = chunkWords * codesPerWord;
    runCodes = block ? std::min(block, chunkCodes) : chunkCodes;
    passRows = std::min(rows, kMaxRows);
  }

  void emit() {
    MLIRContext *context = b.getContext();
    Type tableType = workgroupBuffer(
        context, int64_t(w.layout.element.getNumCodes()), b.getF32Type());
    launch(b, llvm::divideCeil(columns, kWarps),
           llvm::divideCeil(rows, passRows), kWarps * kWarpLanes, tableType,
           [&](ImplicitLocOpBuilder &k, Value blockX, Value blockY,
               Value thread, ValueRange workgroup) {
             emitBody(k, blockX, blockY, thread, workgroup[0]);
           });
  }

private:
  void emitBody(ImplicitLocOpBuilder &k, Value blockX, Value blockY,
                Value thread, Value table) {
    KernelCode code(k);
    code.fillTable(table, w.layout.element, thread, kWarps * kWarpLanes);
    Value warp = arith::DivUIOp::create(k, thread, code.index(kWarpLanes));
    Value lane = arith::RemUIOp::create(k, thread, code.index(kWarpLanes));
    Value column = code.add(code.mul(blockX, code.index(kWarps)), warp);
    Value firstRow = code.mul(blockY, code.index(passRows));
    scf::IfOp::create(k, code.less(column, columns),
                      [&](OpBuilder &nested, Location loc) {
                        ImplicitLocOpBuilder inside(loc, nested);
                        emitColumn(inside, table, lane, column, firstRow);
                        scf::YieldOp::create(inside);
                      });
  }

  void emitColumn(ImplicitLocOpBuilder &k, Value table, Value lane,
                  Value column, Value firstRow) {
    KernelCode code(k);
    int64_t chunks = depth / chunkCodes;
    SmallVector<Value> zeros(passRows, code.f32(0));
    auto loop = scf::ForOp::create(
        k, lane, code.index(chunks), code.index(kWarpLanes), zeros,
        [&](OpBuilder &nested, Location loc, Value chunk, ValueRange sums) {
          ImplicitLocOpBuilder body(loc, nested);
          scf::YieldOp::create(
              body, emitChunk(body, table, column, firstRow, chunk, sums));
        });
    Value factor = code.factor(w);
    SmallVector<Value> totals;
    for (Value sum : loop.getResults())
      totals.push_back(code.warpSum(sum));
    Value first =
        arith::CmpIOp::create(k, arith::CmpIPredicate::eq, lane, code.index(0));
    code.ifThen(first, [&](ImplicitLocOpBuilder &inside) {
      KernelCode store(inside);
      for (int64_t r = 0; r < passRows; ++r)
        store.storeInside(totals[r], factor, out, store.addIndex(firstRow, r),
                          column, rows, columns);
    });
  }

  SmallVector<Value> emitChunk(ImplicitLocOpBuilder &k, Value table,
                               Value column, Value firstRow, Value chunk,
                               ValueRange sums) {
    KernelCode code(k);
    int64_t chunkBytes = 4 * chunkWords;
    Value byteOffset = code.mul(chunk, code.index(chunkBytes));
    auto bytesType = VectorType::get({chunkBytes}, k.getI8Type());
    Value bytes = vector::LoadOp::create(
        k, bytesType, w.codes, ValueRange{column, byteOffset},
        /*nontemporal=*/false, llvm::MaybeAlign(chunkBytes));
    Value words = vector::BitCastOp::create(
        k, VectorType::get({chunkWords}, k.getI32Type()), bytes);
    SmallVector<Value> wordValues;
    for (int64_t i = 0; i < chunkWords; ++i)
      wordValues.push_back(vector::ExtractOp::create(k, words, i));
    Value firstCode = code.mul(chunk, code.index(chunkCodes));
    SmallVector<Value> next(sums.begin(), sums.end());
    // Rows past the last read the last row (in bounds); their sums are not
    // stored.
    SmallVector<Value> xRows;
    for (int64_t r = 0; r < passRows; ++r)
      xRows.push_back(code.minIndex(code.addIndex(firstRow, r), rows - 1));
    int64_t xAlign = depth % 4 == 0 && runCodes % 4 == 0 ? 16 : 4;
    for (int64_t run = 0; run < chunkCodes / runCodes; ++run) {
      Value k0 = code.addIndex(firstCode, run * runCodes);
      SmallVector<Value> values;
      for (int64_t j = 0; j < runCodes; ++j) {
        int64_t q = run * runCodes + j;
        Value word = wordValues[q / codesPerWord];
        int64_t shift = (q % codesPerWord) * width;
        Value bits =
            shift ? arith::ShRUIOp::create(k, word, code.i32(shift)).getResult()
                  : word;
        if (width < 32)
          bits = arith::AndIOp::create(k, bits, code.i32((1 << width) - 1));
        values.push_back(
            memref::LoadOp::create(k, table, ValueRange{code.toIndex(bits)}));
      }
      Value blockIndex;
      if (block)
        blockIndex = arith::DivUIOp::create(k, k0, code.index(block));
      if (w.zeroPoints) {
        Value zero = code.zeroPoint(w, column, blockIndex);
        for (Value &value : values)
          value = arith::SubFOp::create(k, value, zero);
      }
      Value scale = block ? code.scale(w, column, blockIndex) : Value();
      for (int64_t r = 0; r < passRows; ++r) {
        Value xs = vector::LoadOp::create(
            k, VectorType::get({runCodes}, k.getF32Type()), x,
            ValueRange{xRows[r], k0}, false, llvm::MaybeAlign(xAlign));
        Value partial = code.f32(0);
        for (int64_t j = 0; j < runCodes; ++j)
          partial =
              code.fma(vector::ExtractOp::create(k, xs, j), values[j], partial);
        next[r] = scale
                      ? code.fma(partial, scale, next[r])
                      : arith::AddFOp::create(k, next[r], partial).getResult();
      }
    }
    return next;
  }

  ImplicitLocOpBuilder &b;
  Value x;
  const KernelOperand &w;
  Value out;
  int64_t rows, depth, columns;
  unsigned width;
  int64_t codesPerWord, block;
  int64_t chunkWords = 1, chunkCodes, runCodes, passRows;
};

//===----------------------------------------------------------------------===//
// mma.sync kernels
//===----------------------------------------------------------------------===//

/// What a tensor-core kernel computes: y (rows x columns, `out`) = a (rows
/// x depth) times w (columns x depth) transposed.
struct TensorCoreMatmul {
  TensorCoreMatmul(ImplicitLocOpBuilder &b, const KernelOperand &a,
                   const KernelOperand &w, Value out)
      : b(b), a(a), w(w), out(out), rows(a.type.getDimSize(0)),
        depth(a.type.getDimSize(1)), columns(w.type.getDimSize(0)) {}

  ImplicitLocOpBuilder &b;
  const KernelOperand &a, &w;
  Value out;
  int64_t rows, depth, columns;
};

/// y (M x N) = a (M x K) times the N x K b, on tensor cores with mma.sync:
///
///   blocks of 4 warps own 64 x 64 tiles of y; each warp a 32 x 32 tile,
///   2 x 4 fragments of 16 x 8 f32 accumulators
///     for each K step (32 for FP8, 16 for f16/bf16 fragments)
///       each lane loads its words of a's and b's fragments from memory
///       (codes as they are for FP8; codes decoded through a table into
///       f16/bf16 otherwise)
///       d = mma(a, b, 0) per fragment pair
///       acc += d * scale_a[row][step's block] * scale_b[col][block]
///   acc times the tensor scales, stored where inside y
///
/// Fragment layouts (PTX ISA, mma.m16n8k32 for 8-bit types and m16n8k16 for
/// f16/bf16), lane = 4 * g + t: A register r holds row g + 8 * (r % 2) and
/// K columns t * e + 16 * (r / 2) .. + e - 1 (e = 4 codes a word for FP8)
/// or t * 2 + 8 * (r / 2) .. + 1 (f16); B register r holds column g and the
/// same K columns as A's register 2 * r; C register i holds row g + 8 *
/// (i / 2), column 2 * t + i % 2.
class MmaKernel : TensorCoreMatmul {
public:
  static constexpr int64_t kBlockTile = 64;
  static constexpr int64_t kWarpTile = 32;

  MmaKernel(ImplicitLocOpBuilder &b, KernelKind kind, const KernelOperand &a,
            const KernelOperand &w, Type fragment, Value out)
      : TensorCoreMatmul(b, a, w, out), kind(kind), fragment(fragment),
        step(stepOf(kind)) {}

  void emit() {
    MLIRContext *context = b.getContext();
    SmallVector<Type> tables;
    if (kind == KernelKind::MmaF16) {
      for (const KernelOperand *operand : {&a, &w})
        if (needsTable(*operand))
          tables.push_back(workgroupBuffer(
              context, int64_t(operand->layout.element.getNumCodes()),
              b.getI16Type()));
    }
    launch(b, llvm::divideCeil(columns, kBlockTile),
           llvm::divideCeil(rows, kBlockTile), 4 * kWarpLanes, tables,
           [&](ImplicitLocOpBuilder &k, Value blockX, Value blockY,
               Value thread, ValueRange workgroup) {
             emitBody(k, blockX, blockY, thread, workgroup);
           });
  }

private:
  bool needsTable(const KernelOperand &operand) const {
    return operand.layout.width < 16 && kind == KernelKind::MmaF16;
  }

  void emitBody(ImplicitLocOpBuilder &k, Value blockX, Value blockY,
                Value thread, ValueRange workgroup) {
    KernelCode code(k);
    unsigned next = 0;
    for (const KernelOperand *operand : {&a, &w}) {
      Value table;
      if (needsTable(*operand)) {
        table = workgroup[next++];
        // Exact: the fragment type holds every value.
        code.fillTable(table, operand->layout.element, thread, 4 * kWarpLanes,
                       getNumericFormat(fragment));
      }
      (operand == &a ? aTable : wTable) = table;
    }
    Value warp = arith::DivUIOp::create(k, thread, code.index(kWarpLanes));
    Value lane = arith::RemUIOp::create(k, thread, code.index(kWarpLanes));
    group = arith::DivUIOp::create(k, lane, code.index(4));
    inGroup = arith::RemUIOp::create(k, lane, code.index(4));
    Value warpRow = arith::DivUIOp::create(k, warp, code.index(2));
    Value warpColumn = arith::RemUIOp::create(k, warp, code.index(2));
    rowBase = code.add(code.mul(blockY, code.index(kBlockTile)),
                       code.mul(warpRow, code.index(kWarpTile)));
    columnBase = code.add(code.mul(blockX, code.index(kBlockTile)),
                          code.mul(warpColumn, code.index(kWarpTile)));

    SmallVector<Value> zeros(kFragments * 4, code.f32(0));
    auto loop = scf::ForOp::create(
        k, code.index(0), code.index(depth), code.index(step), zeros,
        [&](OpBuilder &nested, Location loc, Value k0, ValueRange acc) {
          ImplicitLocOpBuilder body(loc, nested);
          scf::YieldOp::create(body, emitStep(body, k0, acc));
        });
    emitStore(k, loop.getResults());
  }

  static constexpr int64_t kRowFragments = kWarpTile / 16;
  static constexpr int64_t kColumnFragments = kWarpTile / 8;
  static constexpr int64_t kFragments = kRowFragments * kColumnFragments;

  /// The row of y (or a) that accumulator i of row fragment f holds, and
  /// the column of y (or of w's rows) that accumulator i of column fragment
  /// f holds; unclamped.
  Value accumulatorRow(KernelCode &code, int64_t f, int64_t i) {
    return code.add(code.addIndex(rowBase, f * 16 + 8 * (i / 2)), group);
  }
  Value accumulatorColumn(KernelCode &code, int64_t f, int64_t i) {
    return code.add(code.addIndex(columnBase, f * 8 + i % 2),
                    code.mul(inGroup, code.index(2)));
  }

  /// The 32-bit fragment register holding the codes at K columns `k0 +
  /// offset + [0, e)` of row `row` of `operand`.
  Value fragmentWord(ImplicitLocOpBuilder &k, const KernelOperand &operand,
                     Value table, Value row, Value column) {
    KernelCode code(k);
    if (kind == KernelKind::MmaF8) {
      Value bytes = vector::LoadOp::create(
          k, VectorType::get({4}, k.getI8Type()), operand.codes,
          ValueRange{row, column}, false, llvm::MaybeAlign(4));
      Value word = vector::BitCastOp::create(
          k, VectorType::get({1}, k.getI32Type()), bytes);
      return vector::ExtractOp::create(k, word, int64_t(0));
    }
    if (operand.layout.width == 16) {
      Value pair = vector::LoadOp::create(
          k, VectorType::get({2}, k.getI16Type()), operand.codes,
          ValueRange{row, column}, false, llvm::MaybeAlign(4));
      Value word = vector::BitCastOp::create(
          k, VectorType::get({1}, k.getI32Type()), pair);
      return vector::ExtractOp::create(k, word, int64_t(0));
    }
    // Two codes decoded into 16-bit codes of the fragment type, the first
    // in the low half (f16x2 and bf16x2 registers are little-endian pairs).
    Value word;
    for (int64_t e = 0; e < 2; ++e) {
      Value c = code.loadCode(operand.codes, row, code.addIndex(column, e),
                              operand.layout.width);
      Value half =
          memref::LoadOp::create(k, table, ValueRange{code.toIndex(c)});
      Value wide = arith::ExtUIOp::create(k, k.getI32Type(), half);
      if (e == 0) {
        word = wide;
        continue;
      }
      Value high = arith::ShLIOp::create(k, wide, code.i32(16));
      word = arith::OrIOp::create(k, word, high);
    }
    return word;
  }

  /// One mma.sync of the kernel's shape on fragments of 32-bit registers, as
  /// PTX: the NVVM dialect's mma.sync has no FP8 forms, and lowp keeps f16
  /// and bf16 values as codes (i16) everywhere.
  SmallVector<Value> mma(ImplicitLocOpBuilder &k, ArrayRef<Value> aRegs,
                         ArrayRef<Value> bRegs, ArrayRef<Value> cRegs) {
    std::string types;
    if (kind == KernelKind::MmaF8)
      types = (llvm::Twine(ptxTypeOf(a.type.getElementType())) + "." +
               ptxTypeOf(w.type.getElementType()))
                  .str();
    else
      types = fragment.isBF16() ? "bf16.bf16" : "f16.f16";
    std::string instruction =
        (llvm::Twine("mma.sync.aligned.m16n8k") + llvm::Twine(step) +
         ".row.col.f32." + types +
         ".f32 {$0, $1, $2, $3}, {$4, $5, $6, $7}, {$8, $9}, "
         "{$10, $11, $12, $13};")
            .str();
    Type f32 = k.getF32Type();
    auto resultType =
        LLVM::LLVMStructType::getLiteral(k.getContext(), {f32, f32, f32, f32});
    SmallVector<Value> operands(aRegs.begin(), aRegs.end());
    operands.append(bRegs.begin(), bRegs.end());
    operands.append(cRegs.begin(), cRegs.end());
    auto op = LLVM::InlineAsmOp::create(
        k, resultType, operands, instruction, "=f,=f,=f,=f,r,r,r,r,r,r,f,f,f,f",
        /*has_side_effects=*/false,
        /*is_align_stack=*/false, LLVM::TailCallKind::None,
        LLVM::AsmDialectAttr::get(k.getContext(), LLVM::AsmDialect::AD_ATT),
        /*operand_attrs=*/ArrayAttr());
    SmallVector<Value> results;
    for (int64_t i = 0; i < 4; ++i)
      results.push_back(LLVM::ExtractValueOp::create(k, op.getResult(0), i));
    return results;
  }

  SmallVector<Value> emitStep(ImplicitLocOpBuilder &k, Value k0,
                              ValueRange acc) {
    KernelCode code(k);
    int64_t perLane = kind == KernelKind::MmaF8 ? 4 : 2;
    int64_t half = step / 2;
    Value laneColumn = code.add(k0, code.mul(inGroup, code.index(perLane)));
    // A fragments: rows clamped into a (their results are not stored).
    SmallVector<SmallVector<Value>> aFragments;
    for (int64_t f = 0; f < kRowFragments; ++f) {
      SmallVector<Value> regs;
      for (int64_t r = 0; r < 4; ++r) {
        Value row = code.minIndex(
            code.add(code.addIndex(rowBase, f * 16 + 8 * (r % 2)), group),
            rows - 1);
        regs.push_back(fragmentWord(k, a, aTable, row,
                                    code.addIndex(laneColumn, half * (r / 2))));
      }
      aFragments.push_back(regs);
    }
    SmallVector<SmallVector<Value>> wFragments;
    for (int64_t f = 0; f < kColumnFragments; ++f) {
      Value row = code.minIndex(
          code.add(code.addIndex(columnBase, f * 8), group), columns - 1);
      SmallVector<Value> regs;
      for (int64_t r = 0; r < 2; ++r)
        regs.push_back(fragmentWord(k, w, wTable, row,
                                    code.addIndex(laneColumn, half * r)));
      wFragments.push_back(regs);
    }
    // The step's scales: rows g and g + 8 of each row fragment, columns
    // 2t and 2t + 1 of each column fragment.
    SmallVector<Value> aScales, wScales;
    if (a.layout.block) {
      Value blockIndex =
          arith::DivUIOp::create(k, k0, code.index(a.layout.block));
      for (int64_t f = 0; f < kRowFragments; ++f)
        for (int64_t i : {0, 2})
          aScales.push_back(
              code.scale(a, code.minIndex(accumulatorRow(code, f, i), rows - 1),
                         blockIndex));
    }
    if (w.layout.block) {
      Value blockIndex =
          arith::DivUIOp::create(k, k0, code.index(w.layout.block));
      for (int64_t f = 0; f < kColumnFragments; ++f)
        for (int64_t i : {0, 1})
          wScales.push_back(code.scale(
              w, code.minIndex(accumulatorColumn(code, f, i), columns - 1),
              blockIndex));
    }

    SmallVector<Value> zero(4, code.f32(0));
    SmallVector<Value> next(acc.begin(), acc.end());
    for (int64_t fr = 0; fr < kRowFragments; ++fr) {
      for (int64_t fc = 0; fc < kColumnFragments; ++fc) {
        SmallVector<Value> d = mma(k, aFragments[fr], wFragments[fc], zero);
        for (int64_t i = 0; i < 4; ++i) {
          Value product = d[i];
          if (!aScales.empty())
            product =
                arith::MulFOp::create(k, product, aScales[fr * 2 + i / 2]);
          if (!wScales.empty())
            product =
                arith::MulFOp::create(k, product, wScales[fc * 2 + i % 2]);
          Value &sum = next[(fr * kColumnFragments + fc) * 4 + i];
          sum = arith::AddFOp::create(k, sum, product);
        }
      }
    }
    return next;
  }

  void emitStore(ImplicitLocOpBuilder &k, ValueRange acc) {
    KernelCode code(k);
    Value factor = code.factor(a, w);
    for (int64_t fr = 0; fr < kRowFragments; ++fr)
      for (int64_t fc = 0; fc < kColumnFragments; ++fc)
        for (int64_t i = 0; i < 4; ++i)
          code.storeInside(acc[(fr * kColumnFragments + fc) * 4 + i], factor,
                           out, accumulatorRow(code, fr, i),
                           accumulatorColumn(code, fc, i), rows, columns);
  }

  KernelKind kind;
  Type fragment;
  int64_t step;
  Value aTable, wTable;
  Value group, inGroup, rowBase, columnBase;
};

//===----------------------------------------------------------------------===//
// wgmma (sm_90a)
//===----------------------------------------------------------------------===//

/// A PTX instruction (or block of them) with outputs of `resultTypes`
/// (32-bit: f32 or i32) and `operands` whose constraints are
/// `operandConstraints` (after the outputs'), kept in order with the others.
SmallVector<Value> inlinePtx(ImplicitLocOpBuilder &b, llvm::StringRef text,
                             TypeRange resultTypes, ValueRange operands,
                             llvm::StringRef operandConstraints) {
  std::string constraints;
  for (Type type : resultTypes)
    constraints += std::string(constraints.empty() ? "" : ",") +
                   (type.isF32() ? "=f" : "=r");
  if (!operandConstraints.empty())
    constraints += (constraints.empty() ? "" : ",") + operandConstraints.str();
  Type resultType;
  if (resultTypes.size() == 1)
    resultType = resultTypes.front();
  else if (resultTypes.size() > 1)
    resultType = LLVM::LLVMStructType::getLiteral(
        b.getContext(), SmallVector<Type>(resultTypes));
  auto op = LLVM::InlineAsmOp::create(
      b, resultType ? TypeRange{resultType} : TypeRange{}, operands, text,
      constraints, /*has_side_effects=*/true, /*is_align_stack=*/false,
      LLVM::TailCallKind::None,
      LLVM::AsmDialectAttr::get(b.getContext(), LLVM::AsmDialect::AD_ATT),
      /*operand_attrs=*/ArrayAttr());
  SmallVector<Value> values;
  if (resultTypes.size() == 1)
    values.push_back(op.getResult(0));
  for (size_t i = 0; resultTypes.size() > 1 && i < resultTypes.size(); ++i)
    values.push_back(LLVM::ExtractValueOp::create(b, op.getResult(0), i));
  return values;
}

/// inlinePtx with `results` f32 outputs.
SmallVector<Value> inlinePtx(ImplicitLocOpBuilder &b, llvm::StringRef text,
                             int64_t results, ValueRange operands,
                             llvm::StringRef operandConstraints) {
  return inlinePtx(b, text, SmallVector<Type>(results, b.getF32Type()),
                   operands, operandConstraints);
}

/// The operand list "$first, ..., $(first + count - 1)" of a PTX
/// instruction.
std::string ptxOperandList(int64_t first, int64_t count) {
  std::string list;
  for (int64_t i = 0; i < count; ++i)
    list += (i ? ", $" : "$") + std::to_string(first + i);
  return list;
}

/// The shared-memory layout that wgmma and tcgen05.mma read without
/// swizzling, for a tile of `rows` rows of 32 bytes of K (K-major): 8 x 16
/// byte core matrices, each 128 contiguous bytes (row i of the core matrix
/// at byte 16 i), the two of an 8-row group along K kLeadingBytes apart and
/// 8-row groups kStrideBytes apart:
///
///   byte(r, c) = (r / 8) * 256 + (c / 16) * 128 + (r % 8) * 16 + c % 16
///
/// The buffer holds 16-byte units (vector<4xi32>), unit(r, h) for the h-th
/// 16 bytes of row r.
constexpr int64_t kLeadingBytes = 128;
constexpr int64_t kStrideBytes = 256;

Value tileUnit(KernelCode &code, Value row, Value half) {
  Value group = arith::DivUIOp::create(code.b, row, code.index(8));
  Value inGroup = arith::RemUIOp::create(code.b, row, code.index(8));
  return code.add(code.add(code.mul(group, code.index(kStrideBytes / 16)),
                           code.mul(half, code.index(kLeadingBytes / 16))),
                  inGroup);
}

/// Copies 16 bytes of K (half `half` of the step's 32) of row `first +
/// row` (clamped into the operand's `rows`) of `operand`, from column `k0`
/// on, into row `row` of `tile`.
void copyToTile(ImplicitLocOpBuilder &k, const KernelOperand &operand,
                Value tile, Value first, Value row, Value half, Value k0,
                int64_t rows) {
  KernelCode code(k);
  Value source = code.minIndex(code.add(first, row), rows - 1);
  Value column = code.add(k0, code.mul(half, code.index(16)));
  Value bytes = vector::LoadOp::create(
      k, VectorType::get({16}, k.getI8Type()), operand.codes,
      ValueRange{source, column}, false, llvm::MaybeAlign(16));
  Value unit =
      vector::BitCastOp::create(k, VectorType::get({4}, k.getI32Type()), bytes);
  memref::StoreOp::create(k, unit, tile, ValueRange{tileUnit(code, row, half)});
}

/// The shared-memory address of a workgroup buffer, as i64.
Value sharedAddress(ImplicitLocOpBuilder &k, Value buffer) {
  Value pointer = memref::ExtractAlignedPointerAsIndexOp::create(k, buffer);
  return arith::IndexCastUIOp::create(k, k.getI64Type(), pointer);
}

/// y = a x w^T for FP8 a (M x K) and w (N x K) with wgmma:
///
///   one warpgroup (128 threads) per 64 x 64 tile of y
///     for each K step of 32:
///       the step's 64 x 32 bytes of a and of w copied into shared memory
///       in the layout above (one 16-byte unit a thread, each), then
///       fence.proxy.async and a barrier
///       d = wgmma.m64n64k32(a tile, w tile) with scale-d = 0 (d = the
///       step's product alone), committed and waited for
///       acc += d * scale_a[row][block] * scale_w[col][block]
///   acc times the tensor scales, stored where inside y
///
/// Accumulator i of thread t of warp v holds row 16 v + g + 8 ((i / 2) %
/// 2), column 8 (i / 4) + 2 t' + i % 2 (g = lane / 4, t' = lane % 4).
class WgmmaKernel : TensorCoreMatmul {
public:
  static constexpr int64_t kTile = 64;
  static constexpr int64_t kThreads = 128;

  using TensorCoreMatmul::TensorCoreMatmul;

  void emit() {
    // 16-byte units: the buffers are 16-byte aligned, as the descriptors'
    // addresses (in units of 16 bytes) need.
    Type tileType = workgroupBuffer(b.getContext(), kTile * 32 / 16,
                                    VectorType::get({4}, b.getI32Type()));
    launch(b, llvm::divideCeil(columns, kTile), llvm::divideCeil(rows, kTile),
           kThreads, {tileType, tileType},
           [&](ImplicitLocOpBuilder &k, Value blockX, Value blockY,
               Value thread, ValueRange workgroup) {
             emitBody(k, blockX, blockY, thread, workgroup[0], workgroup[1]);
           });
  }

private:
  static constexpr int64_t kAccumulators = kTile / 2;

  /// A wgmma descriptor for a tile at shared address `address`: start
  /// address, leading and stride byte offsets in units of 16 bytes, no
  /// swizzling (bits 62-63 zero).
  Value descriptor(ImplicitLocOpBuilder &k, Value address) {
    auto i64 = [&](int64_t value) {
      return arith::ConstantIntOp::create(k, k.getI64Type(), value);
    };
    Value start = arith::ShRUIOp::create(
        k, arith::AndIOp::create(k, address, i64(0x3FFFF)), i64(4));
    int64_t offsets =
        ((kLeadingBytes >> 4) << 16) | (int64_t(kStrideBytes >> 4) << 32);
    return arith::OrIOp::create(k, start, i64(offsets));
  }

  void emitBody(ImplicitLocOpBuilder &k, Value blockX, Value blockY,
                Value thread, Value aTile, Value wTile) {
    KernelCode code(k);
    Value warp = arith::DivUIOp::create(k, thread, code.index(kWarpLanes));
    Value lane = arith::RemUIOp::create(k, thread, code.index(kWarpLanes));
    group = arith::DivUIOp::create(k, lane, code.index(4));
    inGroup = arith::RemUIOp::create(k, lane, code.index(4));
    rowBase = code.add(code.mul(blockY, code.index(kTile)),
                       code.mul(warp, code.index(16)));
    columnBase = code.mul(blockX, code.index(kTile));
    Value tileRow = arith::DivUIOp::create(k, thread, code.index(2));
    Value tileHalf = arith::RemUIOp::create(k, thread, code.index(2));
    Value firstRow = code.mul(blockY, code.index(kTile));
    Value aDescriptor = descriptor(k, sharedAddress(k, aTile));
    Value wDescriptor = descriptor(k, sharedAddress(k, wTile));

    SmallVector<Value> zeros(kAccumulators, code.f32(0));
    auto loop = scf::ForOp::create(
        k, code.index(0), code.index(depth), code.index(32), zeros,
        [&](OpBuilder &nested, Location loc, Value k0, ValueRange acc) {
          ImplicitLocOpBuilder body(loc, nested);
          // Thread t copies unit t % 2 of row t / 2 of each tile.
          copyToTile(body, a, aTile, firstRow, tileRow, tileHalf, k0, rows);
          copyToTile(body, w, wTile, columnBase, tileRow, tileHalf, k0,
                     columns);
          scf::YieldOp::create(
              body, emitStep(body, k0, acc, aDescriptor, wDescriptor));
        });
    emitStore(k, loop.getResults());
  }

  Value accumulatorRow(KernelCode &code, int64_t i) {
    return code.add(code.addIndex(rowBase, 8 * ((i / 2) % 2)), group);
  }
  Value accumulatorColumn(KernelCode &code, int64_t i) {
    return code.add(code.addIndex(columnBase, 8 * (i / 4) + i % 2),
                    code.mul(inGroup, code.index(2)));
  }

  SmallVector<Value> emitStep(ImplicitLocOpBuilder &k, Value k0, ValueRange acc,
                              Value aDescriptor, Value wDescriptor) {
    KernelCode code(k);
    // The generic proxy's stores, seen by wgmma's async proxy, from every
    // thread.
    inlinePtx(k, "fence.proxy.async.shared::cta;", 0, {}, "");
    gpu::BarrierOp::create(k);
    inlinePtx(k, "wgmma.fence.sync.aligned;", 0, {}, "");
    std::string registers = ptxOperandList(0, kAccumulators);
    std::string text = (llvm::Twine("{\n.reg .pred p;\nsetp.ne.b32 p, $") +
                        llvm::Twine(kAccumulators + 2) +
                        ", 0;\nwgmma.mma_async.sync.aligned.m64n64k32.f32." +
                        ptxTypeOf(a.type.getElementType()) + "." +
                        ptxTypeOf(w.type.getElementType()) + " {" + registers +
                        "}, $" + llvm::Twine(kAccumulators) + ", $" +
                        llvm::Twine(kAccumulators + 1) + ", p, 1, 1;\n}")
                           .str();
    SmallVector<Value> d =
        inlinePtx(k, text, kAccumulators,
                  ValueRange{aDescriptor, wDescriptor, code.i32(0)}, "l,l,r");
    inlinePtx(k, "wgmma.commit_group.sync.aligned;", 0, {}, "");
    inlinePtx(k, "wgmma.wait_group.sync.aligned 0;", 0, {}, "");
    // The tiles are rewritten by the next step only after every warp's
    // wgmma has read them.
    gpu::BarrierOp::create(k);

    SmallVector<Value> next(acc.begin(), acc.end());
    Value aBlock =
        a.layout.block
            ? arith::DivUIOp::create(k, k0, code.index(a.layout.block))
                  .getResult()
            : Value();
    Value wBlock =
        w.layout.block
            ? arith::DivUIOp::create(k, k0, code.index(w.layout.block))
                  .getResult()
            : Value();
    SmallVector<Value> rowScales, columnScales;
    for (int64_t i = 0; i < kAccumulators; ++i) {
      Value product = d[i];
      if (aBlock) {
        if (i < 4 && i % 2 == 0)
          rowScales.push_back(code.scale(
              a, code.minIndex(accumulatorRow(code, i), rows - 1), aBlock));
        product = arith::MulFOp::create(k, product, rowScales[(i / 2) % 2]);
      }
      if (wBlock) {
        if (i % 4 < 2)
          columnScales.push_back(code.scale(
              w, code.minIndex(accumulatorColumn(code, i), columns - 1),
              wBlock));
        product = arith::MulFOp::create(k, product,
                                        columnScales[(i / 4) * 2 + i % 2]);
      }
      next[i] = arith::AddFOp::create(k, next[i], product);
    }
    return next;
  }

  void emitStore(ImplicitLocOpBuilder &k, ValueRange acc) {
    KernelCode code(k);
    Value factor = code.factor(a, w);
    for (int64_t i = 0; i < kAccumulators; ++i)
      code.storeInside(acc[i], factor, out, accumulatorRow(code, i),
                       accumulatorColumn(code, i), rows, columns);
  }

  Value group, inGroup, rowBase, columnBase;
};

//===----------------------------------------------------------------------===//
// tcgen05.mma (sm_100a)
//===----------------------------------------------------------------------===//

/// y = a x w^T for plain FP8 a (M x K) and w (N x K) with tcgen05.mma, the
/// accumulator in tensor memory:
///
///   one block of 4 warps per 128 x 64 tile of y
///     warp 0 allocates 64 columns of tensor memory (128 lanes x 64 f32)
///     for each K step of 32:
///       the step's 128 x 32 bytes of a and 64 x 32 of w copied into shared
///       memory in the layout above, fence.proxy.async, a barrier
///       thread 0: tcgen05.mma.cta_group::1.kind::f8f6f4 (d += a w^T but
///       on the first step), tcgen05.commit to an mbarrier
///       every thread waits on the mbarrier (the tiles are then free)
///     warp v reads lanes 32 v .. 32 v + 31 (rows), 64 columns each, with
///     tcgen05.ld.32x32b.x64; row 32 v + lane of the tile is its thread's
///   times the tensor scales, stored where inside y
class Tcgen05Kernel : TensorCoreMatmul {
public:
  static constexpr int64_t kRows = 128;
  static constexpr int64_t kColumns = 64;
  static constexpr int64_t kThreads = 128;

  using TensorCoreMatmul::TensorCoreMatmul;

  void emit() {
    scaled = a.layout.block != 0;
    fp4 = a.layout.width == 4;
    elementsPerByte = fp4 ? 2 : 1;
    MLIRContext *context = b.getContext();
    auto units = VectorType::get({4}, b.getI32Type());
    SmallVector<Type> workgroup = {
        workgroupBuffer(context, kRows * 32 / 16, units),
        workgroupBuffer(context, kColumns * 32 / 16, units),
        // The tensor memory address tcgen05.alloc writes, and the mbarrier.
        workgroupBuffer(context, 1, b.getI32Type()),
        workgroupBuffer(context, 1, b.getI64Type())};
    launch(b, llvm::divideCeil(columns, kColumns),
           llvm::divideCeil(rows, kRows), kThreads, workgroup,
           [&](ImplicitLocOpBuilder &k, Value blockX, Value blockY,
               Value thread, ValueRange buffers) {
             emitBody(k, blockX, blockY, thread, buffers);
           });
  }

private:
  /// Tensor memory columns: the accumulator's 64 f32 columns, then (MX)
  /// one column of a's scales and one of w's; allocations are powers of two
  /// from 32 columns.
  static constexpr int64_t kScaleColumnA = kColumns;
  static constexpr int64_t kScaleColumnW = kColumns + 1;
  int64_t allocatedColumns() const { return scaled ? 2 * kColumns : kColumns; }

  /// The instruction descriptor (PTX ISA, "Instruction descriptor"): A and
  /// B formats (bits 7-9, 10-12: E4M3 0, E5M2 1), both K-major (bits 15,
  /// 16 = 0), N / 8 (bits 17-22), M / 16 (bits 24-28: M = 128 is bit 27).
  /// kind::f8f6f4 adds f32 D (bits 4-5 = 1); kind::mxf8f6f4 (f32 D
  /// implied) the E8M0 scale type (bit 23 = 1) and scale data ids 0 for A
  /// (bits 29-30) and B (bits 4-5): each scale in byte 0 of its 32-bit
  /// tensor memory cell.
  ///
  /// kind::mxf4nvf4 (E2M1 operands, format 1) sets bit 23 for E8M0 scales
  /// (MXFP4, scale_vec::2X: two 32-element blocks a step) and clears it for
  /// E4M3 scales (NVFP4, scale_vec::4X: four 16-element blocks).
  int64_t instructionDescriptor() const {
    auto format = [&](Type type) {
      return fp4 ? 1 : isa<Float8E5M2Type>(type) ? 1 : 0;
    };
    int64_t common = (format(a.type.getElementType()) << 7) |
                     (format(w.type.getElementType()) << 10) |
                     ((kColumns >> 3) << 17) | ((kRows >> 4) << 24);
    if (!scaled)
      return common | (1 << 4);
    bool e8m0 = a.layout.scaling->scale.getFloat().mantissaBits == 0;
    return e8m0 ? common | (1 << 23) : common;
  }

  /// K values a step multiplies: the 32 bytes of each row's tile.
  int64_t stepElements() const { return 32 * elementsPerByte; }

  /// The instruction, by kind.
  std::string mmaInstruction() const {
    if (!scaled)
      return "tcgen05.mma.cta_group::1.kind::f8f6f4";
    if (!fp4)
      return "tcgen05.mma.cta_group::1.kind::mxf8f6f4.block_scale."
             "scale_vec::1X";
    return a.layout.block == 32
               ? "tcgen05.mma.cta_group::1.kind::mxf4nvf4.block_scale."
                 "scale_vec::2X"
               : "tcgen05.mma.cta_group::1.kind::mxf4nvf4.block_scale."
                 "scale_vec::4X";
  }

  /// Writes each thread's row (a) or column (w) scale for the step at
  /// `k0` into its tensor memory lane, column kScaleColumnA or
  /// kScaleColumnW: scale_vec::1X reads lane r's byte 0 as row r's scale
  /// for the 32 values of K the instruction multiplies. Warp v writes
  /// lanes 32 v .. 32 v + 31 (tcgen05.st, the lanes a warp may access);
  /// w's 64 columns are written by warps 0 and 1.
  void storeScales(ImplicitLocOpBuilder &k, Value k0, Value warp, Value lane,
                   Value firstRow, Value firstColumn, Value accumulator) {
    KernelCode code(k);
    Value laneIndex = code.add(code.mul(warp, code.index(kWarpLanes)), lane);
    Value laneBits = arith::ShLIOp::create(
        k,
        arith::IndexCastUIOp::create(k, k.getI32Type(),
                                     code.mul(warp, code.index(kWarpLanes))),
        code.i32(16));
    auto store = [&](ImplicitLocOpBuilder &at, const KernelOperand &operand,
                     Value first, int64_t count, int64_t column) {
      KernelCode in(at);
      Value row = in.minIndex(in.add(first, laneIndex), count - 1);
      Value firstBlock =
          arith::DivUIOp::create(at, k0, in.index(operand.layout.block));
      // The step's blocks' scales, the first in byte 0 (scale_vec::1X,
      // 2X, 4X: one, two or four a step).
      Value scale;
      int64_t blocks =
          std::max<int64_t>(1, stepElements() / operand.layout.block);
      for (int64_t i = 0; i < blocks; ++i) {
        Value byte =
            in.loadCode(operand.scales, row, in.addIndex(firstBlock, i), 8);
        if (i)
          byte = arith::ShLIOp::create(at, byte, in.i32(8 * i));
        scale =
            scale ? arith::OrIOp::create(at, scale, byte).getResult() : byte;
      }
      Value address = arith::AddIOp::create(
          at, arith::AddIOp::create(at, accumulator, laneBits), in.i32(column));
      inlinePtx(at, "tcgen05.st.sync.aligned.32x32b.x1.b32 [$0], {$1};", 0,
                ValueRange{address, scale}, "r,r");
    };
    store(k, a, firstRow, rows, kScaleColumnA);
    code.ifThen(code.less(warp, kColumns / kWarpLanes),
                [&](ImplicitLocOpBuilder &in) {
                  store(in, w, firstColumn, columns, kScaleColumnW);
                });
    inlinePtx(k, "tcgen05.wait::st.sync.aligned;", 0, {}, "");
    inlinePtx(k, "tcgen05.fence::before_thread_sync;", 0, {}, "");
  }

  /// A shared memory descriptor for tcgen05 (PTX ISA, "Shared memory
  /// descriptor"): start address, leading and stride byte offsets in units
  /// of 16 bytes, the fixed 0b001 of bits 46-48, no swizzling.
  Value descriptor(ImplicitLocOpBuilder &k, Value address) {
    auto i64 = [&](int64_t value) {
      return arith::ConstantIntOp::create(k, k.getI64Type(), value);
    };
    Value start = arith::ShRUIOp::create(
        k, arith::AndIOp::create(k, address, i64(0x3FFFF)), i64(4));
    int64_t fields = ((kLeadingBytes >> 4) << 16) |
                     (int64_t(kStrideBytes >> 4) << 32) | (int64_t(1) << 46);
    return arith::OrIOp::create(k, start, i64(fields));
  }

  void emitBody(ImplicitLocOpBuilder &k, Value blockX, Value blockY,
                Value thread, ValueRange buffers) {
    KernelCode code(k);
    Value aTile = buffers[0], wTile = buffers[1], slot = buffers[2],
          barrier = buffers[3];
    Value slotAddress = sharedAddress(k, slot);
    Value barrierAddress = sharedAddress(k, barrier);
    Value warp = arith::DivUIOp::create(k, thread, code.index(kWarpLanes));
    Value lane = arith::RemUIOp::create(k, thread, code.index(kWarpLanes));
    Value firstWarp =
        arith::CmpIOp::create(k, arith::CmpIPredicate::eq, warp, code.index(0));
    Value firstThread = arith::CmpIOp::create(k, arith::CmpIPredicate::eq,
                                              thread, code.index(0));
    code.ifThen(firstWarp, [&](ImplicitLocOpBuilder &in) {
      inlinePtx(in,
                "tcgen05.alloc.cta_group::1.sync.aligned.shared::cta.b32 "
                "[$0], " +
                    std::to_string(allocatedColumns()) + ";",
                0, ValueRange{slotAddress}, "l");
      inlinePtx(in,
                "tcgen05.relinquish_alloc_permit.cta_group::1.sync.aligned;", 0,
                {}, "");
    });
    code.ifThen(firstThread, [&](ImplicitLocOpBuilder &in) {
      inlinePtx(in, "mbarrier.init.shared::cta.b64 [$0], 1;", 0,
                ValueRange{barrierAddress}, "l");
      inlinePtx(in, "fence.mbarrier_init.release.cluster;", 0, {}, "");
    });
    inlinePtx(k, "tcgen05.fence::before_thread_sync;", 0, {}, "");
    gpu::BarrierOp::create(k);
    inlinePtx(k, "tcgen05.fence::after_thread_sync;", 0, {}, "");
    Value accumulator =
        memref::LoadOp::create(k, slot, ValueRange{code.index(0)});

    Value firstRow = code.mul(blockY, code.index(kRows));
    Value firstColumn = code.mul(blockX, code.index(kColumns));
    Value tileRow = arith::DivUIOp::create(k, thread, code.index(2));
    Value tileHalf = arith::RemUIOp::create(k, thread, code.index(2));
    Value aDescriptor = descriptor(k, sharedAddress(k, aTile));
    Value wDescriptor = descriptor(k, sharedAddress(k, wTile));
    Value instruction = code.i32(instructionDescriptor());

    scf::ForOp::create(
        k, code.index(0), code.index(depth * 8 / a.layout.width),
        code.index(32), ValueRange{},
        [&](OpBuilder &nested, Location loc, Value byteOffset, ValueRange) {
          ImplicitLocOpBuilder body(loc, nested);
          KernelCode step(body);
          // The step's 32 bytes of each row hold its first K value k0 on.
          Value k0 = step.mul(byteOffset, step.index(elementsPerByte));
          Value stepIndex =
              arith::DivUIOp::create(body, byteOffset, step.index(32));
          // 128 threads copy a's 256 units (two each) and w's 128.
          copyToTile(body, a, aTile, firstRow, tileRow, tileHalf, byteOffset,
                     rows);
          copyToTile(body, a, aTile, firstRow, step.addIndex(tileRow, 64),
                     tileHalf, byteOffset, rows);
          copyToTile(body, w, wTile, firstColumn, tileRow, tileHalf, byteOffset,
                     columns);
          inlinePtx(body, "fence.proxy.async.shared::cta;", 0, {}, "");
          if (scaled)
            storeScales(body, k0, warp, lane, firstRow, firstColumn,
                        accumulator);
          gpu::BarrierOp::create(body);
          Value accumulate = arith::IndexCastUIOp::create(
              body, body.getI32Type(),
              arith::MinUIOp::create(body, k0, step.index(1)));
          step.ifThen(firstThread, [&](ImplicitLocOpBuilder &in) {
            inlinePtx(in, "tcgen05.fence::after_thread_sync;", 0, {}, "");
            if (scaled) {
              KernelCode columnsOf(in);
              Value aScales = arith::AddIOp::create(
                  in, accumulator, columnsOf.i32(kScaleColumnA));
              Value wScales = arith::AddIOp::create(
                  in, accumulator, columnsOf.i32(kScaleColumnW));
              inlinePtx(in,
                        "{\n.reg .pred p;\nsetp.ne.b32 p, $6, 0;\n" +
                            mmaInstruction() +
                            " [$0], $1, $2, $3, [$4], [$5], p;\n}",
                        0,
                        ValueRange{accumulator, aDescriptor, wDescriptor,
                                   instruction, aScales, wScales, accumulate},
                        "r,l,l,r,r,r,r");
            } else {
              inlinePtx(in,
                        "{\n.reg .pred p;\nsetp.ne.b32 p, $4, 0;\n"
                        "tcgen05.mma.cta_group::1.kind::f8f6f4 [$0], $1, $2, "
                        "$3, p;\n}",
                        0,
                        ValueRange{accumulator, aDescriptor, wDescriptor,
                                   instruction, accumulate},
                        "r,l,l,r,r");
            }
            inlinePtx(in,
                      "tcgen05.commit.cta_group::1.mbarrier::arrive::one."
                      "shared::cluster.b64 [$0];",
                      0, ValueRange{barrierAddress}, "l");
          });
          // Each step completes the mbarrier's phase `step % 2`.
          Value parity = arith::IndexCastUIOp::create(
              body, body.getI32Type(),
              arith::RemUIOp::create(body, stepIndex, step.index(2)));
          emitWait(body, barrierAddress, parity);
          scf::YieldOp::create(body);
        });
    inlinePtx(k, "tcgen05.fence::after_thread_sync;", 0, {}, "");

    // Warp v's lanes of tensor memory: address (32 v) << 16 | column.
    Value laneOffset = arith::ShLIOp::create(
        k,
        arith::IndexCastUIOp::create(k, k.getI32Type(),
                                     code.mul(warp, code.index(kWarpLanes))),
        code.i32(16));
    Value address = arith::AddIOp::create(k, accumulator, laneOffset);
    SmallVector<Value> values = inlinePtx(
        k,
        "tcgen05.ld.sync.aligned.32x32b.x64.b32 {" +
            ptxOperandList(0, kColumns) + "}, [$" + std::to_string(kColumns) +
            "];\ntcgen05.wait::ld.sync.aligned;",
        kColumns, ValueRange{address}, "r");

    Value factor = code.factor(a, w);
    Value row =
        code.add(code.add(firstRow, code.mul(warp, code.index(32))), lane);
    for (int64_t j = 0; j < kColumns; ++j)
      code.storeInside(values[j], factor, out, row,
                       code.addIndex(firstColumn, j), rows, columns);

    inlinePtx(k, "tcgen05.fence::before_thread_sync;", 0, {}, "");
    gpu::BarrierOp::create(k);
    code.ifThen(firstWarp, [&](ImplicitLocOpBuilder &in) {
      inlinePtx(in,
                "tcgen05.dealloc.cta_group::1.sync.aligned.b32 $0, " +
                    std::to_string(allocatedColumns()) + ";",
                0, ValueRange{accumulator}, "r");
    });
  }

  /// Waits until the mbarrier at `address` completes the phase of `parity`.
  void emitWait(ImplicitLocOpBuilder &k, Value address, Value parity) {
    auto loop = scf::WhileOp::create(
        k, TypeRange{}, ValueRange{},
        [&](OpBuilder &nested, Location loc, ValueRange) {
          ImplicitLocOpBuilder before(loc, nested);
          Value done = inlinePtx(before,
                                 "{\n.reg .pred p;\n"
                                 "mbarrier.try_wait.parity.shared::cta.b64 "
                                 "p, [$1], $2;\nselp.b32 $0, 1, 0, p;\n}",
                                 TypeRange{before.getI32Type()},
                                 ValueRange{address, parity}, "l,r")[0];
          Value waiting = arith::CmpIOp::create(
              before, arith::CmpIPredicate::eq, done,
              arith::ConstantIntOp::create(before, before.getI32Type(), 0));
          scf::ConditionOp::create(before, waiting, ValueRange{});
        },
        [&](OpBuilder &nested, Location loc, ValueRange) {
          scf::YieldOp::create(nested, loc);
        });
    (void)loop;
  }

  /// Whether both operands are block-scaled (kind::mxf8f6f4, mxf4nvf4).
  bool scaled = false;
  /// Whether the operands are packed E2M1 (kind::mxf4nvf4).
  bool fp4 = false;
  int64_t elementsPerByte = 1;
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct CudaMatmul : OpConversionPattern<MatmulOp> {
  CudaMatmul(const TypeConverter &converter, MLIRContext *context,
             std::string chip)
      : OpConversionPattern(converter, context), chip(std::move(chip)) {}

  LogicalResult
  matchAndRewrite(MatmulOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    std::optional<KernelKind> kind = chooseKernel(op, chip);
    if (!kind)
      return failure();
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    KernelOperand lhs =
        bufferOperand(b, op.getLhs(), adaptor.getLhs(), rewriter);
    KernelOperand rhs =
        bufferOperand(b, op.getRhs(), adaptor.getRhs(), rewriter);
    auto resultType = cast<RankedTensorType>(op.getType());
    Value out = memref::AllocOp::create(
        b, MemRefType::get(resultType.getShape(), b.getF32Type()));
    switch (*kind) {
    case KernelKind::RowDot:
      RowDotKernel(b, lhs.codes, rhs, out).emit();
      break;
    case KernelKind::MmaF16:
    case KernelKind::MmaF8: {
      Type fragment;
      if (*kind == KernelKind::MmaF16)
        fragment =
            halfFragmentType(lhs.type.getElementType(),
                             rhs.type.getElementType(), lhs.layout, rhs.layout);
      MmaKernel(b, *kind, lhs, rhs, fragment, out).emit();
      break;
    }
    case KernelKind::Wgmma:
      WgmmaKernel(b, lhs, rhs, out).emit();
      break;
    case KernelKind::Tcgen05:
      Tcgen05Kernel(b, lhs, rhs, out).emit();
      break;
    }
    Value result = bufferization::ToTensorOp::create(
        b, resultType, out, /*restrict=*/true, /*writable=*/true);
    rewriter.replaceOp(op, result);
    return success();
  }

  std::string chip;
};

/// A matmul a kernel covers but for its result's format: lowp.matmul
/// rounds the f32 sum once into the result's type, which is the f32
/// matmul followed by that conversion (to nearest even).
struct MatmulResultToF32 : OpRewritePattern<MatmulOp> {
  MatmulResultToF32(MLIRContext *context, std::string chip)
      : OpRewritePattern(context), chip(std::move(chip)) {}

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    if (type.getElementType().isF32() ||
        !getNumericFormat(type.getElementType()) ||
        !op.getAccumulator().isF32())
      return failure();
    auto f32Type =
        RankedTensorType::get(type.getShape(), rewriter.getF32Type());
    auto f32Matmul = MatmulOp::create(
        rewriter, op.getLoc(), f32Type, op.getLhs(), op.getRhs(),
        op.getAccumulatorAttr(), op.getTransposeRhsAttr());
    if (!chooseKernel(f32Matmul, chip)) {
      rewriter.eraseOp(f32Matmul);
      return failure();
    }
    rewriter.replaceOpWithNewOp<ConvertOp>(op, type, f32Matmul.getResult());
    return success();
  }

  std::string chip;
};

struct LowpCudaMatmulPass : lowp::impl::LowpCudaMatmulBase<LowpCudaMatmulPass> {
  using LowpCudaMatmulBase::LowpCudaMatmulBase;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    std::string chipName = chip;
    RewritePatternSet preparation(context);
    preparation.add<MatmulResultToF32>(context, chipName);
    if (failed(applyPatternsGreedily(getOperation(), std::move(preparation))))
      return signalPassFailure();
    KernelTypeConverter converter;
    ConversionTarget target(*context);
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    target.addDynamicallyLegalOp<MatmulOp>(
        [&](MatmulOp op) { return !chooseKernel(op, chipName); });
    RewritePatternSet patterns(context);
    patterns.add<CudaMatmul>(converter, context, chipName);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
