//===- Unimplemented.cpp - shared checks of the pipeline stages -----------===//

#include "tessera/Conversion/Passes.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;

LogicalResult tessera::reportUnimplemented(
    Operation *root, StringRef stage,
    const std::function<bool(Operation *)> &needsWork) {
  llvm::StringSet<> reported;
  root->walk([&](Operation *op) {
    if (op == root || !needsWork(op))
      return;
    if (reported.insert(op->getName().getStringRef()).second)
      op->emitError() << stage << ": lowering of '" << op->getName()
                      << "' is not yet implemented";
  });
  return failure(!reported.empty());
}

bool tessera::isTesseraGraphOp(Operation *op) {
  StringRef ns = op->getName().getDialectNamespace();
  return ns == "bfn" || ns == "ebt";
}

LogicalResult tessera::verifyTargetName(StringRef target) {
  return success(target == "cpu" || target == "nvvm" || target == "rocdl");
}
