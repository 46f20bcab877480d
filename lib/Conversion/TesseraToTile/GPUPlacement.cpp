//===- GPUPlacement.cpp - Host/device placement of Tile IR ----------------===//
//
// Buffers live in device memory: entry arguments are device pointers handed
// over by the runtime, and every buffer the host code allocates is a
// gpu.alloc. So the host may compute addresses, sizes and loop bounds, but
// never dereference a buffer; each op that does is moved into a kernel.
//
//===----------------------------------------------------------------------===//

#include "GPUPlacement.h"
#include "SiteLoops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "llvm/ADT/StringSet.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/SetVector.h"

#include <numeric>

using namespace mlir;

namespace {

/// Where an op of a host function runs.
enum class Placement {
  Parallel, // a parallel loop: becomes a grid
  Control,  // holds host work (launches, calls, allocations): stays, recursed
  Device,   // reads or writes buffer contents: moves into a kernel
  Host,     // no memory effects beyond allocation: stays, may be hoisted over
  Barrier,  // anything else: runs on the host in program order
};

bool accessesBuffers(Operation *op) {
  return isa<memref::LoadOp, memref::StoreOp, memref::AtomicRMWOp,
             memref::GenericAtomicRMWOp, memref::CopyOp, linalg::LinalgOp,
             vector::TransferReadOp, vector::TransferWriteOp, vector::LoadOp,
             vector::StoreOp, vector::MaskedLoadOp, vector::MaskedStoreOp,
             vector::GatherOp, vector::ScatterOp>(op);
}

/// Ops that only the host can run.
bool isHostOnly(Operation *op) {
  return isa<scf::ParallelOp, func::CallOp, memref::AllocOp, memref::AllocaOp,
             memref::DeallocOp, memref::GetGlobalOp>(op) ||
         isa<gpu::GPUDialect>(op->getDialect());
}

Placement classify(Operation *op) {
  if (isa<scf::ParallelOp>(op))
    return Placement::Parallel;
  // Launches the site loops built themselves (staged through shared memory).
  if (isa<gpu::LaunchOp>(op))
    return Placement::Barrier;
  if (op->getNumRegions() != 0) {
    bool host = false, device = false;
    op->walk([&](Operation *nested) {
      if (nested == op)
        return;
      host |= isHostOnly(nested);
      device |= accessesBuffers(nested);
    });
    if (host)
      return Placement::Control;
    if (device)
      return Placement::Device;
    return isMemoryEffectFree(op) ? Placement::Host : Placement::Barrier;
  }
  if (accessesBuffers(op))
    return Placement::Device;
  if (op->hasTrait<OpTrait::IsTerminator>())
    return Placement::Barrier;
  if (isMemoryEffectFree(op) || isa<memref::AllocOp, memref::AllocaOp>(op))
    return Placement::Host;
  return Placement::Barrier;
}

/// Places the ops of one host block, recursing into host control flow.
class BlockPlacer {
public:
  BlockPlacer(StringRef stage, int64_t blockSize, Block &entry)
      : stage(stage), blockSize(blockSize), entry(entry) {}

  LogicalResult place(Block &block) {
    for (Operation &op : llvm::make_early_inc_range(block)) {
      Placement placement = classify(&op);
      bool dependent = dependsOnRun(&op);
      if (placement == Placement::Device ||
          (placement == Placement::Host && dependent &&
           isMemoryEffectFree(&op))) {
        run.push_back(&op);
        inRun.insert(&op);
        continue;
      }
      if (placement == Placement::Host && !dependent)
        continue;
      if (failed(flush()))
        return failure();
      if (placement == Placement::Parallel) {
        if (failed(tileForGrid(cast<scf::ParallelOp>(op))))
          return failure();
      } else if (placement == Placement::Control) {
        for (Region &region : op.getRegions())
          for (Block &nested : region)
            if (failed(place(nested)))
              return failure();
      }
    }
    return flush();
  }

private:
  bool dependsOnRun(Operation *op) {
    if (inRun.empty())
      return false;
    bool found = false;
    op->walk([&](Operation *nested) {
      for (Value operand : nested->getOperands())
        if (Operation *def = operand.getDefiningOp())
          found |= inRun.contains(def);
    });
    return found;
  }

  /// Moves the current run into a one-thread kernel placed where its last op
  /// was: the ops skipped in between neither read nor write buffers nor use
  /// a value of the run, so moving the run past them keeps the program's
  /// meaning.
  LogicalResult flush() {
    if (run.empty())
      return success();
    Operation *last = run.back();
    Block *block = last->getBlock();
    Location loc = run.front()->getLoc();

    llvm::SetVector<Value> escaping;
    for (Operation *op : run)
      for (Value result : op->getResults())
        for (Operation *user : result.getUsers()) {
          Operation *ancestor = block->findAncestorOpInBlock(*user);
          if (!ancestor || !inRun.contains(ancestor))
            escaping.insert(result);
        }
    for (Value value : escaping)
      if (!value.getType().isIntOrIndexOrFloat())
        return value.getDefiningOp()->emitOpError()
               << "result of type " << value.getType()
               << " is computed from device buffers and used on the host; "
               << stage << " hands only scalars back to the host";

    OpBuilder b(last);
    SmallVector<Value> deviceCells;
    for (Value value : escaping)
      deviceCells.push_back(memref::AllocOp::create(
          b, loc, MemRefType::get({1}, value.getType())));
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto launch = gpu::LaunchOp::create(b, loc, one, one, one, one, one, one);
    OpBuilder inside = OpBuilder::atBlockEnd(&launch.getBody().front());
    Operation *terminator = gpu::TerminatorOp::create(inside, loc);
    for (Operation *op : run)
      op->moveBefore(terminator);
    inside.setInsertionPoint(terminator);
    if (!escaping.empty()) {
      Value zero = arith::ConstantIndexOp::create(inside, loc, 0);
      for (auto [value, cell] : llvm::zip(escaping, deviceCells))
        memref::StoreOp::create(inside, loc, value, cell, zero);
    }

    // Read back through a host cell allocated once per call, at function
    // entry, so that a read-back in a loop does not grow the stack.
    b.setInsertionPointAfter(launch);
    for (auto [escaped, cell] : llvm::zip(escaping, deviceCells)) {
      Value value = escaped;
      OpBuilder atEntry = OpBuilder::atBlockBegin(&entry);
      Value hostCell = memref::AllocaOp::create(
          atEntry, loc, cast<MemRefType>(cell.getType()));
      gpu::MemcpyOp::create(b, loc, Type(), ValueRange(), hostCell, cell);
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value hostValue = memref::LoadOp::create(b, loc, hostCell, zero);
      value.replaceUsesWithIf(hostValue, [&](OpOperand &use) {
        return !launch->isAncestor(use.getOwner());
      });
    }
    run.clear();
    inRun.clear();
    return success();
  }

  /// One grid dimension: the loop collapsed to one dimension and tiled by
  /// the block size (the tile loop becomes blocks, the point loop threads).
  LogicalResult tileForGrid(scf::ParallelOp loop) {
    if (loop.getNumResults() != 0)
      return loop.emitOpError()
             << "parallel reductions are not mapped to the GPU by " << stage;
    // The block size must be a constant for the conversion to gpu.launch;
    // a grid smaller than one block gets a block of its size.
    int64_t tile = blockSize;
    std::optional<int64_t> trips = tessera::site_loops::staticTripCount(loop);
    if (trips && *trips == 0) {
      loop.erase();
      return success();
    }
    if (trips)
      tile = std::min(tile, *trips);
    if (loop.getNumLoops() > 1) {
      IRRewriter rewriter(loop.getContext());
      Operation *before = loop->getPrevNode();
      Block *block = loop->getBlock();
      std::vector<unsigned> dims(loop.getNumLoops());
      std::iota(dims.begin(), dims.end(), 0u);
      collapseParallelLoops(rewriter, loop, {dims});
      Operation *next = before ? before->getNextNode() : &block->front();
      while (!isa<scf::ParallelOp>(next))
        next = next->getNextNode();
      loop = cast<scf::ParallelOp>(next);
    }
    scf::tileParallelLoop(loop, {tile}, /*noMinMaxBounds=*/false);
    return success();
  }

  StringRef stage;
  int64_t blockSize;
  Block &entry;
  SmallVector<Operation *> run;
  llvm::SmallPtrSet<Operation *, 16> inRun;
};

bool isHostLevel(Operation *op) {
  return !op->getParentOfType<scf::ParallelOp>() &&
         !op->getParentOfType<gpu::LaunchOp>();
}

/// The host function's view of a constant is a host global: give it a
/// device copy (the ownership pass frees it like any other buffer).
void copyGlobalsToDevice(func::FuncOp func) {
  func.walk([&](memref::GetGlobalOp global) {
    if (!isHostLevel(global))
      return;
    OpBuilder b(global);
    b.setInsertionPointAfter(global);
    auto type = cast<MemRefType>(global.getType());
    Value device = memref::AllocOp::create(b, global.getLoc(), type);
    auto copy = gpu::MemcpyOp::create(b, global.getLoc(), Type(), ValueRange(),
                                      device, global.getResult());
    global.getResult().replaceAllUsesExcept(device, copy);
  });
}

/// Buffers that bufferization put on the host stack are buffers like any
/// other: allocate them on the device.
void moveStackBuffersToDevice(func::FuncOp func) {
  func.walk([&](memref::AllocaOp alloca) {
    if (!isHostLevel(alloca))
      return;
    OpBuilder b(alloca);
    Value device = memref::AllocOp::create(
        b, alloca.getLoc(), alloca.getType(), alloca.getDynamicSizes(),
        alloca.getSymbolOperands(), alloca.getAlignmentAttr());
    alloca.replaceAllUsesWith(device);
    alloca.erase();
  });
}

/// External functions (printMemrefF32, ...) run on the host and read host
/// memory: pass them a host copy, and copy it back unless the argument is
/// marked read-only.
LogicalResult stageExternalCalls(ModuleOp module, func::FuncOp func,
                                 StringRef stage) {
  constexpr int64_t kMaxStagedBytes = 1 << 20;
  WalkResult result = func.walk([&](func::CallOp call) {
    auto callee = module.lookupSymbol<func::FuncOp>(call.getCalleeAttr());
    if (!callee || !callee.isExternal())
      return WalkResult::advance();
    for (unsigned i = 0, e = call.getNumOperands(); i < e; ++i) {
      Value operand = call.getOperand(i);
      if (!isa<BaseMemRefType>(operand.getType()))
        continue;
      Value ranked = operand;
      auto unranked = operand.getDefiningOp<memref::CastOp>();
      if (isa<UnrankedMemRefType>(operand.getType())) {
        if (!unranked)
          return call.emitOpError()
                     << "operand #" << i << " is an unranked buffer of unknown "
                     << "shape; " << stage
                     << " cannot copy it to the host for the call",
                 WalkResult::interrupt();
        ranked = unranked.getSource();
      }
      auto type = dyn_cast<MemRefType>(ranked.getType());
      if (!type || !type.hasStaticShape() || !type.getLayout().isIdentity() ||
          type.getNumElements() * type.getElementTypeBitWidth() / 8 >
              kMaxStagedBytes)
        return call.emitOpError()
                   << "operand #" << i << " (" << ranked.getType()
                   << ") must be a contiguous static buffer of at most 1 MiB "
                   << "for " << stage << " to copy it to the host for the "
                   << "call of external function @" << callee.getSymName(),
               WalkResult::interrupt();
      OpBuilder b(call);
      Location loc = call.getLoc();
      Value host = memref::AllocaOp::create(b, loc, type);
      gpu::MemcpyOp::create(b, loc, Type(), ValueRange(), host, ranked);
      Value passed = host;
      if (isa<UnrankedMemRefType>(operand.getType()))
        passed = memref::CastOp::create(b, loc, operand.getType(), host);
      call.setOperand(i, passed);
      auto access =
          callee.getArgAttrOfType<StringAttr>(i, "bufferization.access");
      if (!access || access.getValue() != "read") {
        b.setInsertionPointAfter(call);
        gpu::MemcpyOp::create(b, loc, Type(), ValueRange(), ranked, host);
      }
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

} // namespace

LogicalResult tessera::gpu_tile::placeHostCode(ModuleOp module,
                                               StringRef stage,
                                               int64_t blockSize) {
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    moveStackBuffersToDevice(func);
    copyGlobalsToDevice(func);
    if (failed(stageExternalCalls(module, func, stage)))
      return failure();
    Block &entry = func.getBody().front();
    BlockPlacer placer(stage, blockSize, entry);
    for (Block &block : func.getBody())
      if (failed(placer.place(block)))
        return failure();
    // Fold the bound arithmetic of collapsing and tiling into constants
    // (the launch needs a constant block size), without the loop
    // canonicalisations that would drop a one-block grid loop.
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    (void)applyPatternsGreedily(func, FrozenRewritePatternSet(), config);
  }
  return success();
}

void tessera::gpu_tile::allocateOnDevice(ModuleOp module) {
  for (auto func : module.getOps<func::FuncOp>())
    func.walk([](memref::AllocOp alloc) {
      if (alloc->getParentOfType<gpu::LaunchOp>())
        return;
      OpBuilder b(alloc);
      auto device = gpu::AllocOp::create(
          b, alloc.getLoc(), alloc.getType(), /*asyncToken=*/Type(),
          /*asyncDependencies=*/ValueRange(), alloc.getDynamicSizes(),
          alloc.getSymbolOperands(), /*hostShared=*/false);
      alloc.replaceAllUsesWith(device.getMemref());
      alloc.erase();
    });
}

void tessera::gpu_tile::lowerDeviceDeallocs(ModuleOp module) {
  module.walk([](bufferization::DeallocOp dealloc) {
    OpBuilder b(dealloc);
    Location loc = dealloc.getLoc();
    auto pointerOf = [&](Value memref) -> Value {
      return memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
    };
    SmallVector<Value> pointers =
        llvm::map_to_vector(dealloc.getMemrefs(), pointerOf);
    SmallVector<Value> retained =
        llvm::map_to_vector(dealloc.getRetained(), pointerOf);
    auto same = [&](Value x, Value y) -> Value {
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, y);
    };
    auto both = [&](Value x, Value y) -> Value {
      return arith::AndIOp::create(b, loc, x, y);
    };
    auto not_ = [&](Value x) -> Value {
      Value one = arith::ConstantIntOp::create(b, loc, 1, 1);
      return arith::XOrIOp::create(b, loc, x, one);
    };
    for (auto [i, memref] : llvm::enumerate(dealloc.getMemrefs())) {
      Value free = dealloc.getConditions()[i];
      for (Value keep : retained)
        free = both(free, not_(same(pointers[i], keep)));
      for (size_t k = 0; k < i; ++k)
        free = both(free, not_(both(dealloc.getConditions()[k],
                                    same(pointers[k], pointers[i]))));
      auto ifOp = scf::IfOp::create(b, loc, free, /*withElseRegion=*/false);
      OpBuilder then = ifOp.getThenBodyBuilder();
      gpu::DeallocOp::create(then, loc, /*asyncToken=*/Type(),
                             /*asyncDependencies=*/ValueRange(), memref);
    }
    SmallVector<Value> owned;
    for (Value keep : retained) {
      Value any = arith::ConstantIntOp::create(b, loc, 0, 1);
      for (auto [i, pointer] : llvm::enumerate(pointers))
        any = arith::OrIOp::create(
            b, loc, any, both(dealloc.getConditions()[i], same(pointer, keep)));
      owned.push_back(any);
    }
    dealloc.replaceAllUsesWith(owned);
    dealloc.erase();
  });
}

void tessera::gpu_tile::mergeKernelModules(ModuleOp module) {
  SmallVector<gpu::GPUModuleOp> kernels(module.getOps<gpu::GPUModuleOp>());
  if (kernels.size() < 2)
    return;
  gpu::GPUModuleOp into = kernels.front();
  llvm::StringSet<> taken;
  for (Operation &op : into.getBody()->getOperations())
    if (auto name = op.getAttrOfType<StringAttr>(
            SymbolTable::getSymbolAttrName()))
      taken.insert(name.getValue());
  // (module, symbol) -> name in the merged module.
  DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
  MLIRContext *ctx = module.getContext();
  for (gpu::GPUModuleOp from : llvm::drop_begin(kernels)) {
    // Unique names first, uses inside the module updated with them: the
    // kernel takes its module's name (unique among modules), other symbols
    // are prefixed with it.
    for (Operation &op : from.getBody()->getOperations()) {
      auto name = op.getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName());
      if (!name)
        continue;
      auto fn = dyn_cast<gpu::GPUFuncOp>(op);
      std::string base = fn && fn.isKernel()
                             ? from.getName().str()
                             : (from.getName() + "_" + name.getValue()).str();
      std::string unique = base;
      for (unsigned i = 0; taken.contains(unique); ++i)
        unique = base + "_" + std::to_string(i);
      taken.insert(unique);
      auto newName = StringAttr::get(ctx, unique);
      if (newName != name) {
        (void)SymbolTable::replaceAllSymbolUses(&op, newName, from);
        SymbolTable::setSymbolName(&op, newName);
      }
      renamed[{from.getNameAttr(), name}] = newName;
    }
    SmallVector<Operation *> ops = llvm::to_vector(
        llvm::make_pointer_range(from.getBody()->getOperations()));
    for (Operation *op : ops)
      op->moveBefore(into.getBody(), into.getBody()->end());
  }
  module.walk([&](gpu::LaunchFuncOp launch) {
    auto it = renamed.find(
        {launch.getKernelModuleName(), launch.getKernelName()});
    if (it == renamed.end())
      return;
    launch.setKernelAttr(SymbolRefAttr::get(
        into.getNameAttr(), {FlatSymbolRefAttr::get(it->second)}));
  });
  for (gpu::GPUModuleOp from : llvm::drop_begin(kernels))
    from.erase();
}
