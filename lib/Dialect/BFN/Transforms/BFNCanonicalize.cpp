//===- BFNCanonicalize.cpp - tessera-bfn-canonicalize ---------------------===//

#include "tessera/Dialect/BFN/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tessera::bfn {
#define GEN_PASS_DEF_BFNCANONICALIZEPASS
#include "tessera/Dialect/BFN/Transforms/Passes.h.inc"
} // namespace tessera::bfn

using namespace mlir;
using namespace tessera::bfn;

void tessera::bfn::populateBFNCanonicalizationPatterns(
    RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  Dialect *bfn = ctx->getLoadedDialect<BFNDialect>();
  bfn->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : ctx->getRegisteredOperations())
    if (&op.getDialect() == bfn)
      op.getCanonicalizationPatterns(patterns, ctx);
}

/// Moves the inline network of \p op into a new private func.func placed
/// before the function that holds \p op, and names it as the callee.
template <typename NetOpT>
static void outlineNetwork(NetOpT op, SymbolTable &symbols, unsigned &counter) {
  Operation *parentFn = op->template getParentOfType<FunctionOpInterface>();
  ModuleOp module = op->template getParentOfType<ModuleOp>();
  std::string base = "bfn_network";
  if (parentFn)
    base = (SymbolTable::getSymbolName(parentFn).getValue() + "_network").str();

  Block &body = op.getBody().front();
  auto yield = cast<YieldOp>(body.getTerminator());
  OpBuilder builder(op->getContext());
  if (parentFn)
    builder.setInsertionPoint(parentFn);
  else
    builder.setInsertionPointToStart(module.getBody());
  auto fnType = FunctionType::get(op->getContext(), body.getArgumentTypes(),
                                  yield.getResults().getTypes());
  auto fn = func::FuncOp::create(builder, op.getLoc(),
                                 base + "_" + std::to_string(counter++), fnType);
  fn.setPrivate();
  symbols.insert(fn); // renames on collision
  fn.getBody().takeBody(op.getBody());
  builder.setInsertionPoint(yield);
  func::ReturnOp::create(builder, yield.getLoc(), yield.getResults());
  yield.erase();
  op.setNetworkAttr(FlatSymbolRefAttr::get(fn.getSymNameAttr()));
}

void tessera::bfn::outlineNetworks(ModuleOp module) {
  SymbolTable symbols(module);
  unsigned counter = 0;
  SmallVector<Operation *> netOps;
  module.walk([&](Operation *op) {
    if (isa<FlowStepOp, GenerateOp>(op))
      netOps.push_back(op);
  });
  for (Operation *op : netOps) {
    if (auto step = dyn_cast<FlowStepOp>(op); step && step.hasInlineNetwork())
      outlineNetwork(step, symbols, counter);
    else if (auto gen = dyn_cast<GenerateOp>(op); gen && gen.hasInlineNetwork())
      outlineNetwork(gen, symbols, counter);
  }
}

namespace {
struct BFNCanonicalizePass
    : public tessera::bfn::impl::BFNCanonicalizePassBase<BFNCanonicalizePass> {
  using BFNCanonicalizePassBase::BFNCanonicalizePassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (outlineNetworks)
      tessera::bfn::outlineNetworks(module);

    RewritePatternSet patterns(&getContext());
    populateBFNCanonicalizationPatterns(patterns);
    if (failed(applyPatternsGreedily(module, std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
