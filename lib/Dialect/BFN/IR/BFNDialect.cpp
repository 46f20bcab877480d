//===- BFNDialect.cpp - BFN dialect registration --------------------------===//

#include "tessera/Dialect/BFN/IR/BFN.h"

#include "mlir/IR/DialectImplementation.h"

using namespace mlir;
using namespace tessera::bfn;

#include "tessera/Dialect/BFN/IR/BFNDialect.cpp.inc"

namespace {
/// Schedules recur on many ops of a module; an alias keeps the IR readable.
struct BFNOpAsmInterface : public OpAsmDialectInterface {
  using OpAsmDialectInterface::OpAsmDialectInterface;
  AliasResult getAlias(Attribute attr, raw_ostream &os) const override {
    if (isa<ScheduleAttr>(attr)) {
      os << "schedule";
      return AliasResult::FinalAlias;
    }
    return AliasResult::NoAlias;
  }
};
} // namespace

void BFNDialect::initialize() {
  registerTypes();
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "tessera/Dialect/BFN/IR/BFNOps.cpp.inc"
      >();
  addInterfaces<BFNOpAsmInterface>();
}

Operation *BFNDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto floatAttr = dyn_cast<FloatAttr>(value);
  if (isa<AccuracyType>(type) && floatAttr)
    return AccuracyConstantOp::create(builder, loc,
                                      builder.getF64FloatAttr(
                                          floatAttr.getValueAsDouble()));
  if (arith::ConstantOp::isBuildableWith(value, type))
    return arith::ConstantOp::create(builder, loc, type,
                                     cast<TypedAttr>(value));
  return nullptr;
}
