//===- ExecutionEngineTest.cpp - The execution library's size checks ------===//
//
// Callers of the execution library allocate the results, so with dynamic
// sizes they ask resultShapes first, and call() refuses buffers whose sizes
// disagree with each other or with what the arguments give, rather than
// running compiled code out of bounds.
//
//===----------------------------------------------------------------------===//

#include "lowp/ExecutionEngine/ExecutionEngine.h"
#include "lowp/InitAll.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace lowp;

namespace {

// Rows of activations dynamic, against a static weight (f32 here, so that
// the values are easy to state; the block-scaled kernels have integration
// tests).
constexpr const char *kModule = R"mlir(
func.func @rows(%x: tensor<?x3xf32>, %w: tensor<3x2xf32>) -> tensor<?x2xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : tensor<?x3xf32>, tensor<3x2xf32> -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
func.func @sum(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %c = arith.addf %a, %b : tensor<?xf32>
  return %c : tensor<?xf32>
}
)mlir";

class ExecutionEngineTest : public ::testing::Test {
protected:
  void SetUp() override {
    DialectRegistry registry;
    registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    module = parseSourceString<ModuleOp>(kModule, &context);
    ASSERT_TRUE(module);
    auto compiled = CompiledModule::compile(*module);
    ASSERT_TRUE(bool(compiled)) << llvm::toString(compiled.takeError());
    engine = std::move(*compiled);
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  std::unique_ptr<CompiledModule> engine;
};

TEST_F(ExecutionEngineTest, ResultShapesFollowTheArguments) {
  auto shapes = engine->resultShapes("rows", {{5, 3}, {3, 2}});
  ASSERT_TRUE(bool(shapes)) << llvm::toString(shapes.takeError());
  EXPECT_EQ(*shapes, (std::vector<std::vector<int64_t>>{{5, 2}}));
  auto none = engine->resultShapes("rows", {{0, 3}, {3, 2}});
  ASSERT_TRUE(bool(none)) << llvm::toString(none.takeError());
  EXPECT_EQ(*none, (std::vector<std::vector<int64_t>>{{0, 2}}));
}

TEST_F(ExecutionEngineTest, CallsWithDynamicRows) {
  float x[2][3] = {{1, 2, 3}, {-1, 0.5f, 4}};
  float w[3][2] = {{1, 0}, {0, 1}, {2, -1}};
  float y[2][2] = {};
  llvm::Error error = engine->call(
      "rows",
      {BoundaryBuffer::tensor(x, {2, 3}), BoundaryBuffer::tensor(w, {3, 2})},
      {BoundaryBuffer::tensor(y, {2, 2})});
  ASSERT_FALSE(bool(error)) << llvm::toString(std::move(error));
  EXPECT_EQ(y[0][0], 7.0f);
  EXPECT_EQ(y[0][1], -1.0f);
  EXPECT_EQ(y[1][0], 7.0f);
  EXPECT_EQ(y[1][1], -3.5f);
}

TEST_F(ExecutionEngineTest, RefusesAResultBufferOfOtherRows) {
  float x[2][3] = {}, w[3][2] = {}, y[3][2] = {};
  llvm::Error error = engine->call(
      "rows",
      {BoundaryBuffer::tensor(x, {2, 3}), BoundaryBuffer::tensor(w, {3, 2})},
      {BoundaryBuffer::tensor(y, {3, 2})});
  ASSERT_TRUE(bool(error));
  EXPECT_EQ(llvm::toString(std::move(error)),
            "@rows: for these arguments result 0 is stored as [2x2], got a "
            "[3x2] buffer");
}

TEST_F(ExecutionEngineTest, RefusesArgumentsWhoseSizesDisagree) {
  float a[4] = {}, b[3] = {}, c[4] = {};
  llvm::Error error = engine->call(
      "sum", {BoundaryBuffer::tensor(a, {4}), BoundaryBuffer::tensor(b, {3})},
      {BoundaryBuffer::tensor(c, {4})});
  ASSERT_TRUE(bool(error));
  std::string message = llvm::toString(std::move(error));
  EXPECT_NE(message.find("@sum: argument 1 dimension 0 is 3, but it must "
                         "equal argument 0 dimension 0 (4), as 'arith.addf'"),
            std::string::npos)
      << message;
}

// A public function whose boundary no caller could pass is refused when
// the module is compiled, naming the function and the argument.
TEST(ExecutionEngineBoundary, RefusesUnrankedArguments) {
  DialectRegistry registry;
  registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(R"mlir(
func.func @unranked(%x: tensor<*xf8E4M3FN>) -> tensor<*xf8E4M3FN> {
  return %x : tensor<*xf8E4M3FN>
}
)mlir",
                                                             &context);
  ASSERT_TRUE(module);
  auto compiled = CompiledModule::compile(*module);
  ASSERT_FALSE(bool(compiled));
  EXPECT_EQ(llvm::toString(compiled.takeError()),
            "@unranked argument 0: unranked tensors (tensor<*xf8E4M3FN>) have "
            "no fixed layout; give the tensor a rank");
}

} // namespace
