//===- EBTLower.cpp - tessera-ebt-lower ------------------------------------===//

#include "tessera/Dialect/EBT/Transforms/Passes.h"
#include "tessera/Conversion/Passes.h"

namespace tessera::ebt {
#define GEN_PASS_DEF_EBTLOWERPASS
#include "tessera/Dialect/EBT/Transforms/Passes.h.inc"
} // namespace tessera::ebt

using namespace mlir;

using namespace tessera::ebt;

namespace {
struct EBTLowerPass
    : public tessera::ebt::impl::EBTLowerPassBase<EBTLowerPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTableCollection tables;
    // energy -> call; grad_y -> call of the generated gradient.
    SmallVector<Operation *> calls;
    module.walk([&](Operation *op) {
      if (isa<EnergyOp, GradYOp>(op))
        calls.push_back(op);
    });
    for (Operation *op : calls) {
      auto sym = op->getAttrOfType<FlatSymbolRefAttr>("energy");
      auto energy = tables.lookupNearestSymbolFrom<func::FuncOp>(op, sym);
      func::FuncOp callee = energy;
      if (isa<GradYOp>(op)) {
        FailureOr<func::FuncOp> grad = getOrCreateEnergyGradient(energy, tables);
        if (failed(grad)) {
          signalPassFailure();
          return;
        }
        callee = *grad;
      }
      OpBuilder b(op);
      auto call = func::CallOp::create(b, op->getLoc(), callee,
                                       ValueRange{op->getOperand(0), op->getOperand(1)});
      op->replaceAllUsesWith(call.getResults());
      op->erase();
    }
    Dialect *ebt = getContext().getLoadedDialect<tessera::ebt::EBTDialect>();
    if (failed(tessera::reportUnimplemented(
            getOperation(), "tessera-ebt-lower",
            [&](Operation *op) { return ebt && op->getDialect() == ebt; })))
      signalPassFailure();
  }
};
} // namespace
