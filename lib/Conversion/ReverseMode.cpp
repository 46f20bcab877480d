//===- ReverseMode.cpp - Reverse-mode differentiation of scalar code ------===//

#include "tessera/Conversion/ReverseMode.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/IRMapping.h"

#include <cmath>

using namespace mlir;

namespace {
Value cst(OpBuilder &b, Location loc, Type t, double v) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(t, v));
}
} // namespace

Operation *tessera::scalarReverse(OpBuilder &b, ArrayRef<Operation *> ops,
                                  DenseMap<Value, Value> &adj) {
  auto add = [&](Value v, Value a) {
    if (!isa<FloatType>(v.getType()))
      return;
    if (a.getType() != v.getType())
      a = v.getType().getIntOrFloatBitWidth() > a.getType().getIntOrFloatBitWidth()
              ? Value(arith::ExtFOp::create(b, a.getLoc(), v.getType(), a))
              : Value(arith::TruncFOp::create(b, a.getLoc(), v.getType(), a));
    auto it = adj.find(v);
    if (it == adj.end())
      adj[v] = a;
    else
      it->second = arith::AddFOp::create(b, a.getLoc(), it->second, a);
  };
  for (Operation *op : llvm::reverse(ops)) {
    if (op->getNumResults() != 1)
      continue;
    Value r = op->getResult(0);
    auto it = adj.find(r);
    if (it == adj.end() || !isa<FloatType>(r.getType()))
      continue;
    Value a = it->second;
    Location l = op->getLoc();
    Type t = r.getType();
    // The adjoint's ops inherit the primal op's fast-math flags: an op the
    // user lets approximate (`afn`: an approximate exp, division) lets its
    // derivative do the same. Those ops are the ones inserted from here on.
    Block *block = b.getInsertionBlock();
    Block::iterator end = b.getInsertionPoint();
    Operation *before = end == block->begin() ? nullptr : &*std::prev(end);
    auto mul = [&](Value x, Value y) -> Value { return arith::MulFOp::create(b, l, x, y); };
    if (isa<arith::ConstantOp, arith::SIToFPOp, arith::UIToFPOp>(op))
      continue;
    if (auto o = dyn_cast<arith::AddFOp>(op)) {
      add(o.getLhs(), a);
      add(o.getRhs(), a);
    } else if (auto o = dyn_cast<arith::SubFOp>(op)) {
      add(o.getLhs(), a);
      add(o.getRhs(), arith::NegFOp::create(b, l, a));
    } else if (auto o = dyn_cast<arith::MulFOp>(op)) {
      add(o.getLhs(), mul(a, o.getRhs()));
      add(o.getRhs(), mul(a, o.getLhs()));
    } else if (auto o = dyn_cast<arith::DivFOp>(op)) {
      // d rhs = -a lhs / rhs^2 = -(a / rhs) r: one division for both
      // (a division is several instructions on GPUs, a multiply one).
      Value g = arith::DivFOp::create(b, l, a, o.getRhs());
      add(o.getLhs(), g);
      add(o.getRhs(), arith::NegFOp::create(b, l, mul(g, r)));
    } else if (auto o = dyn_cast<arith::NegFOp>(op)) {
      add(o.getOperand(), arith::NegFOp::create(b, l, a));
    } else if (isa<arith::MaximumFOp, arith::MinimumFOp, arith::MaxNumFOp,
                   arith::MinNumFOp>(op)) {
      // Subgradient: the selected operand (the first on ties).
      bool isMax = isa<arith::MaximumFOp, arith::MaxNumFOp>(op);
      Value x = op->getOperand(0), y = op->getOperand(1);
      Value first = arith::CmpFOp::create(
          b, l, isMax ? arith::CmpFPredicate::OGE : arith::CmpFPredicate::OLE, x, y);
      Value zero = cst(b, l, t, 0.0);
      add(x, arith::SelectOp::create(b, l, first, a, zero));
      add(y, arith::SelectOp::create(b, l, first, zero, a));
    } else if (auto o = dyn_cast<arith::SelectOp>(op)) {
      Value zero = cst(b, l, t, 0.0);
      add(o.getTrueValue(), arith::SelectOp::create(b, l, o.getCondition(), a, zero));
      add(o.getFalseValue(), arith::SelectOp::create(b, l, o.getCondition(), zero, a));
    } else if (auto o = dyn_cast<arith::ExtFOp>(op)) {
      add(o.getIn(), a);
    } else if (auto o = dyn_cast<arith::TruncFOp>(op)) {
      add(o.getIn(), a);
    } else if (auto o = dyn_cast<math::ExpOp>(op)) {
      add(o.getOperand(), mul(a, r));
    } else if (auto o = dyn_cast<math::LogOp>(op)) {
      add(o.getOperand(), arith::DivFOp::create(b, l, a, o.getOperand()));
    } else if (auto o = dyn_cast<math::TanhOp>(op)) {
      Value one = cst(b, l, t, 1.0);
      add(o.getOperand(), mul(a, arith::SubFOp::create(b, l, one, mul(r, r))));
    } else if (auto o = dyn_cast<math::SqrtOp>(op)) {
      add(o.getOperand(), arith::DivFOp::create(b, l, mul(a, cst(b, l, t, 0.5)), r));
    } else if (auto o = dyn_cast<math::RsqrtOp>(op)) {
      add(o.getOperand(), mul(a, mul(cst(b, l, t, -0.5), mul(r, mul(r, r)))));
    } else if (auto o = dyn_cast<math::ErfOp>(op)) {
      Value x = o.getOperand();
      Value g = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, mul(x, x)));
      add(x, mul(a, mul(g, cst(b, l, t, 2.0 / std::sqrt(M_PI)))));
    } else if (auto o = dyn_cast<math::SinOp>(op)) {
      add(o.getOperand(), mul(a, math::CosOp::create(b, l, o.getOperand())));
    } else if (auto o = dyn_cast<math::CosOp>(op)) {
      add(o.getOperand(),
          arith::NegFOp::create(b, l, mul(a, math::SinOp::create(b, l, o.getOperand()))));
    } else if (auto o = dyn_cast<math::AbsFOp>(op)) {
      Value s = math::CopySignOp::create(b, l, cst(b, l, t, 1.0), o.getOperand());
      add(o.getOperand(), mul(a, s));
    } else if (auto o = dyn_cast<math::Log1pOp>(op)) {
      add(o.getOperand(),
          arith::DivFOp::create(b, l, a,
                                arith::AddFOp::create(b, l, o.getOperand(),
                                                      cst(b, l, t, 1.0))));
    } else if (auto o = dyn_cast<math::ExpM1Op>(op)) {
      add(o.getOperand(),
          mul(a, arith::AddFOp::create(b, l, r, cst(b, l, t, 1.0))));
    } else if (auto o = dyn_cast<math::Exp2Op>(op)) {
      add(o.getOperand(), mul(a, mul(r, cst(b, l, t, M_LN2))));
    } else if (auto o = dyn_cast<math::Log2Op>(op)) {
      add(o.getOperand(),
          arith::DivFOp::create(b, l, a, mul(o.getOperand(), cst(b, l, t, M_LN2))));
    } else if (auto o = dyn_cast<math::TanOp>(op)) {
      Value one = cst(b, l, t, 1.0);
      add(o.getOperand(), mul(a, arith::AddFOp::create(b, l, one, mul(r, r))));
    } else if (auto o = dyn_cast<math::FmaOp>(op)) {
      add(o.getA(), mul(a, o.getB()));
      add(o.getB(), mul(a, o.getA()));
      add(o.getC(), a);
    } else if (isa<math::FloorOp, math::CeilOp, math::RoundOp,
                   math::RoundEvenOp, math::TruncOp>(op)) {
      continue; // piecewise constant: zero almost everywhere
    } else if (auto o = dyn_cast<math::PowFOp>(op)) {
      Value x = o.getLhs(), p = o.getRhs();
      Value pm1 = arith::SubFOp::create(b, l, p, cst(b, l, t, 1.0));
      add(x, mul(a, mul(p, math::PowFOp::create(b, l, x, pm1))));
      add(p, mul(a, mul(r, math::LogOp::create(b, l, x))));
    } else {
      return op;
    }
    auto fmf = dyn_cast<arith::ArithFastMathInterface>(op);
    arith::FastMathFlagsAttr flags =
        fmf ? fmf.getFastMathFlagsAttr() : arith::FastMathFlagsAttr();
    if (!flags || flags.getValue() == arith::FastMathFlags::none)
      continue;
    for (Operation &created : llvm::make_range(
             before ? std::next(before->getIterator()) : block->begin(), end))
      if (auto c = dyn_cast<arith::ArithFastMathInterface>(&created))
        created.setAttr(c.getFastMathAttrName(), flags);
  }
  return nullptr;
}

LogicalResult tessera::inlineCalls(func::FuncOp fn, StringRef stage,
                                   StringRef what,
                                   SymbolTableCollection &tables) {
  // Each round inlines one level of calls; deeper than this is recursion.
  constexpr int kMaxDepth = 32;
  for (int depth = 0;; ++depth) {
    SmallVector<func::CallOp> calls;
    fn.walk([&](func::CallOp c) { calls.push_back(c); });
    if (calls.empty())
      return success();
    if (depth == kMaxDepth)
      return calls.front()->emitError()
             << stage << ": calls in " << what << " nest deeper than " << kMaxDepth << " (recursion?)";
    for (func::CallOp call : calls) {
      auto callee =
          tables.lookupNearestSymbolFrom<func::FuncOp>(call, call.getCalleeAttr());
      if (!callee || callee.isExternal() || !callee.getBody().hasOneBlock())
        return call->emitError()
               << stage << ": cannot differentiate through the call of '@"
               << call.getCallee() << "' in " << what << ": the callee must be a func.func with a straight-line body";
      inlineCall(call, callee);
    }
  }
}

void tessera::inlineCall(func::CallOp call, func::FuncOp callee) {
  Block &body = callee.getBody().front();
  IRMapping map;
  map.map(body.getArguments(), call.getOperands());
  OpBuilder b(call);
  for (Operation &op : body.without_terminator())
    b.clone(op, map);
  for (auto [res, ret] :
       llvm::zip(call.getResults(), body.getTerminator()->getOperands()))
    res.replaceAllUsesWith(map.lookupOrDefault(ret));
  call->erase();
}


FailureOr<func::FuncOp>
tessera::createScalarDerivative(func::FuncOp fn, StringRef name, Operation *user,
                                StringRef stage, SymbolTableCollection &tables) {
  FunctionType ft = fn.getFunctionType();
  std::string what = ("'@" + fn.getName() + "'").str();
  if (ft.getNumInputs() != 1 || ft.getNumResults() != 1 ||
      !isa<FloatType>(ft.getInput(0)) || ft.getInput(0) != ft.getResult(0))
    return user->emitError() << stage << ": cannot differentiate " << what
                             << ": it is not a function of one float to the "
                                "same float type";
  if (fn.isExternal() || !fn.getBody().hasOneBlock())
    return user->emitError() << stage << ": cannot differentiate " << what
                             << ": it needs a straight-line body";
  OpBuilder b(fn.getContext());
  b.setInsertionPointAfter(fn);
  auto d = func::FuncOp::create(b, fn.getLoc(), name, ft);
  d.setPrivate();
  tables.getSymbolTable(fn->getParentOfType<ModuleOp>()).insert(d);
  IRMapping map;
  fn.getBody().cloneInto(&d.getBody(), map);
  auto fail = [&]() -> FailureOr<func::FuncOp> {
    d.erase();
    return failure();
  };
  if (failed(inlineCalls(d, stage, what, tables)))
    return fail();
  Block &block = d.getBody().front();
  if (llvm::any_of(block.without_terminator(),
                   [](Operation &op) { return op.getNumRegions() > 0; })) {
    user->emitError() << stage << ": cannot differentiate " << what
                      << ": it needs a straight-line body";
    return fail();
  }
  auto ret = cast<func::ReturnOp>(block.getTerminator());
  SmallVector<Operation *> ops =
      llvm::to_vector(llvm::make_pointer_range(block.without_terminator()));
  b.setInsertionPoint(ret);
  Location loc = ret.getLoc();
  Type t = ft.getInput(0);
  DenseMap<Value, Value> adj;
  adj[ret.getOperand(0)] = cst(b, loc, t, 1.0);
  if (Operation *bad = scalarReverse(b, ops, adj)) {
    user->emitError() << stage << ": cannot differentiate '" << bad->getName()
                      << "' in " << what;
    return fail();
  }
  auto it = adj.find(block.getArgument(0));
  Value g = it == adj.end() ? cst(b, loc, t, 0.0) : it->second;
  ret->setOperands(ValueRange{g});
  return d;
}
