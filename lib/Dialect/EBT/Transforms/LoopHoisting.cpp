//===- LoopHoisting.cpp - Loop-invariant work of inference loops ---------===//

#include "LoopHoisting.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

using namespace mlir;

namespace {
/// Recomputed in the body, a light op is written in place and can fuse with
/// its consumer.
bool isLight(Operation *op) {
  return isa<tensor::EmptyOp, tensor::SplatOp, linalg::FillOp,
             linalg::BroadcastOp>(op) &&
         isMemoryEffectFree(op);
}

} // namespace

void tessera::ebt::rematerializeLightOps(LoopLikeOpInterface loop) {
  SmallVector<Region *> regions = loop.getLoopRegions();
  if (regions.size() != 1 || !regions.front()->hasOneBlock())
    return;
  Block &body = regions.front()->front();
  OpBuilder b(&body, body.begin());
  IRMapping clones;
  SmallVector<Operation *> originals;
  std::function<Value(Value)> inside = [&](Value v) -> Value {
    if (Value c = clones.lookupOrNull(v))
      return c;
    Operation *def = v.getDefiningOp();
    if (!def || !isLight(def) || loop->isAncestor(def))
      return v;
    for (Value operand : def->getOperands())
      inside(operand); // chains of light ops come along, in order
    Operation *copy = b.clone(*def, clones);
    b.setInsertionPointAfter(copy);
    originals.push_back(def);
    return clones.lookup(v);
  };
  SmallVector<Operation *> users;
  loop->walk([&](Operation *op) {
    if (op != loop.getOperation())
      users.push_back(op);
  });
  for (Operation *op : users)
    for (OpOperand &use : op->getOpOperands())
      if (Value v = inside(use.get()); v != use.get())
        use.set(v);
  for (Operation *op : llvm::reverse(originals))
    if (op->use_empty())
      op->erase();
}

void tessera::ebt::hoistInferenceWork(ModuleOp module) {
  SmallVector<func::CallOp> calls;
  module.walk([&](func::CallOp call) {
    Operation *loop = call->getParentOp();
    while (loop && !isa<LoopLikeOpInterface>(loop))
      loop = loop->getParentOp();
    if (loop && loop->hasAttr("tessera.mapping"))
      calls.push_back(call);
  });
  SymbolTableCollection tables;
  llvm::SetVector<func::FuncOp> callees;
  for (func::CallOp call : calls) {
    auto callee =
        tables.lookupNearestSymbolFrom<func::FuncOp>(call, call.getCalleeAttr());
    // Energies are single-block functions of upstream ops (the verifier of
    // the energy signature and the differentiation see to it).
    if (!callee || callee.isExternal() || !callee.getBody().hasOneBlock())
      continue;
    Block &body = callee.front();
    OpBuilder b(call);
    IRMapping map;
    map.map(body.getArguments(), call.getOperands());
    for (Operation &op : body.without_terminator())
      b.clone(op, map);
    SmallVector<Value> results;
    for (Value v : body.getTerminator()->getOperands())
      results.push_back(map.lookupOrDefault(v));
    call.replaceAllUsesWith(results);
    call.erase();
    callees.insert(callee);
  }
  // Post-order: inner loops first, so work hoisted out of the candidates
  // loop can leave the steps loop too.
  SmallVector<LoopLikeOpInterface> loops;
  module.walk([&](LoopLikeOpInterface loop) {
    if (loop->hasAttr("tessera.mapping"))
      loops.push_back(loop);
  });
  for (LoopLikeOpInterface loop : loops)
    moveLoopInvariantCode(loop);
  // Hoisted copies of the same work (the weights used by the gradient and
  // by the final energies) become one.
  llvm::SetVector<Operation *> functions;
  for (LoopLikeOpInterface loop : loops)
    if (auto fn = loop->getParentOfType<FunctionOpInterface>())
      functions.insert(fn);
  IRRewriter rewriter(module.getContext());
  for (Operation *fn : functions) {
    DominanceInfo dominance(fn);
    eliminateCommonSubExpressions(rewriter, dominance, fn);
  }
  for (LoopLikeOpInterface loop : loops)
    rematerializeLightOps(loop);
  for (func::FuncOp callee : callees)
    if (callee.isPrivate() &&
        SymbolTable::symbolKnownUseEmpty(callee, module))
      callee.erase();
}
