//===- Artifact.cpp - compile a module into a loadable artifact -----------===//
//
// Lowers through tessera-pipeline with the artifact ABI (memref results as
// caller-allocated out-parameters, C interfaces on public functions), adds
// one `_tessera_entry_<name>(void **args)` trampoline per public function and
// the `tessera_manifest` table, translates to LLVM IR, optimises, emits a
// host object and links it into a shared object with the host C driver.
// For nvvm/rocdl the device binaries are embedded in that object and loaded
// by its constructors through the runtime's mgpu* functions.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/Artifact.h"
#include "tessera/Conversion/Passes.h"
#include "tessera/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

namespace {
/// One argument or result of an entry as the manifest records it.
struct ManifestValue {
  bool isTensor;
  std::string dtype;
  SmallVector<int64_t> shape;
};

struct ManifestEntry {
  std::string name;
  SmallVector<ManifestValue> inputs, results;
};
} // namespace

static FailureOr<std::string> dtypeName(Type type) {
  if (type.isF32())
    return std::string("f32");
  if (type.isF16())
    return std::string("f16");
  if (type.isBF16())
    return std::string("bf16");
  if (type.isF64())
    return std::string("f64");
  if (type.isIndex())
    return std::string("i64");
  if (auto i = dyn_cast<IntegerType>(type))
    if (i.isSignless() && llvm::is_contained({1u, 8u, 16u, 32u, 64u},
                                             i.getWidth()))
      return "i" + std::to_string(i.getWidth());
  return failure();
}

static FailureOr<ManifestValue> describe(func::FuncOp func, Type type,
                                         StringRef role, unsigned index) {
  auto fail = [&](StringRef why) {
    return func.emitError() << "entry @" << func.getSymName() << ": " << role
                            << " #" << index << " of type " << type << " "
                            << why;
  };
  ManifestValue value;
  Type element = type;
  if (auto shaped = dyn_cast<ShapedType>(type)) {
    if (!isa<RankedTensorType, MemRefType>(type))
      return fail("is not a ranked tensor or memref");
    if (!shaped.hasStaticShape())
      return fail("has a dynamic shape; artifact entry points take static "
                  "shapes (callers allocate every buffer)");
    if (auto memref = dyn_cast<MemRefType>(type);
        memref && !memref.getLayout().isIdentity())
      return fail("has a non-identity layout");
    value.isTensor = true;
    value.shape.assign(shaped.getShape().begin(), shaped.getShape().end());
    element = shaped.getElementType();
  } else if (isa<IntegerType, FloatType, IndexType>(type)) {
    value.isTensor = false;
  } else {
    return fail("is neither a tensor nor a scalar; entry points take and "
                "return tensors and scalars (unpack bfn/ebt values first)");
  }
  FailureOr<std::string> dtype = dtypeName(element);
  if (failed(dtype))
    return fail("has an element type artifacts do not carry (expected f32, "
                "f16, bf16, f64, index or signless i1/i8/i16/i32/i64)");
  value.dtype = *dtype;
  return value;
}

/// Entries: every public function with a body.
static bool isEntry(func::FuncOp func) {
  return !func.isPrivate() && !func.isExternal();
}

static FailureOr<std::vector<ManifestEntry>> collectEntries(ModuleOp module) {
  std::vector<ManifestEntry> entries;
  bool ok = true;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!isEntry(func))
      continue;
    ManifestEntry entry;
    entry.name = func.getSymName().str();
    for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
      FailureOr<ManifestValue> v = describe(func, type, "argument", i);
      ok &= succeeded(v);
      if (succeeded(v))
        entry.inputs.push_back(*v);
    }
    for (auto [i, type] : llvm::enumerate(func.getResultTypes())) {
      FailureOr<ManifestValue> v = describe(func, type, "result", i);
      ok &= succeeded(v);
      if (succeeded(v))
        entry.results.push_back(*v);
    }
    entries.push_back(std::move(entry));
  }
  if (!ok)
    return failure();
  if (entries.empty())
    return module.emitError("tessera-compile: the module has no public "
                            "function to export");
  return entries;
}

static std::string manifestText(ArrayRef<ManifestEntry> entries,
                                StringRef target) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "tessera-artifact 1\ntarget " << target << "\n";
  auto print = [&](StringRef role, const ManifestValue &v) {
    os << role << ' ' << (v.isTensor ? 'T' : 'S') << ' ' << v.dtype << ' '
       << v.shape.size();
    for (int64_t d : v.shape)
      os << ' ' << d;
    os << '\n';
  };
  for (const ManifestEntry &e : entries) {
    os << "entry " << e.name << ' ' << e.inputs.size() << ' '
       << e.results.size() << '\n';
    for (const ManifestValue &v : e.inputs)
      print("in", v);
    for (const ManifestValue &v : e.results)
      print("out", v);
  }
  return text;
}

/// `_tessera_entry_<name>(void **args)`: args[0..nin) point at the inputs
/// (a memref descriptor or a scalar), then one descriptor per tensor result
/// (the out-parameters, in result order), then, when there are scalar
/// results, one pointer to where they are stored (a struct with natural
/// alignment when there are several). It forwards to `_mlir_ciface_<name>`.
static LogicalResult addTrampoline(ModuleOp module, const ManifestEntry &e) {
  MLIRContext *ctx = module.getContext();
  auto ciface = module.lookupSymbol<LLVM::LLVMFuncOp>("_mlir_ciface_" + e.name);
  if (!ciface)
    return module.emitError() << "tessera-compile: no C interface was "
                                 "generated for entry @"
                              << e.name;
  unsigned numTensorResults =
      llvm::count_if(e.results, [](auto &v) { return v.isTensor; });
  unsigned numScalarResults = e.results.size() - numTensorResults;
  unsigned numSlots = e.inputs.size() + numTensorResults;
  LLVM::LLVMFunctionType cType = ciface.getFunctionType();
  bool resultThroughPointer = cType.getNumParams() == numSlots + 1;
  bool resultReturned = !isa<LLVM::LLVMVoidType>(cType.getReturnType());
  if (cType.getNumParams() != numSlots + (resultThroughPointer ? 1 : 0) ||
      (numScalarResults > 1) != resultThroughPointer ||
      (numScalarResults == 1) != resultReturned)
    return ciface.emitError() << "tessera-compile: the C interface of @"
                              << e.name
                              << " does not match its signature (a result "
                                 "the artifact ABI cannot pass?)";

  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  Location loc = ciface.getLoc();
  auto ptrTy = LLVM::LLVMPointerType::get(ctx);
  auto fnTy =
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptrTy});
  auto entry = LLVM::LLVMFuncOp::create(b, loc, "_tessera_entry_" + e.name,
                                        fnTy);
  Block *body = entry.addEntryBlock(b);
  b.setInsertionPointToStart(body);
  Value args = body->getArgument(0);
  auto slot = [&](int32_t i) -> Value {
    Value addr = LLVM::GEPOp::create(b, loc, ptrTy, ptrTy, args,
                                     ArrayRef<LLVM::GEPArg>{i});
    return LLVM::LoadOp::create(b, loc, ptrTy, addr);
  };
  SmallVector<Value> operands;
  if (resultThroughPointer)
    operands.push_back(slot(numSlots));
  ArrayRef<Type> params = cType.getParams().drop_front(resultThroughPointer);
  for (auto [i, type] : llvm::enumerate(params)) {
    Value p = slot(i);
    // Descriptors are passed by pointer; scalars by value.
    operands.push_back(isa<LLVM::LLVMPointerType>(type)
                           ? p
                           : LLVM::LoadOp::create(b, loc, type, p).getResult());
  }
  auto call = LLVM::CallOp::create(b, loc, ciface, operands);
  if (resultReturned)
    LLVM::StoreOp::create(b, loc, call.getResult(), slot(numSlots));
  LLVM::ReturnOp::create(b, loc, ValueRange{});
  return success();
}

static FailureOr<std::unique_ptr<llvm::TargetMachine>>
createHostTargetMachine(ModuleOp module, const tessera::ArtifactOptions &o) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return module.emitError() << "tessera-compile: no LLVM target for "
                              << triple.str() << ": " << error;
  std::string cpu = o.chip.empty() ? llvm::sys::getHostCPUName().str() : o.chip;
  std::string features = o.features;
  if (o.chip.empty() && features.empty()) {
    SmallVector<std::string> list;
    for (auto &f : llvm::sys::getHostCPUFeatures())
      list.push_back((f.second ? "+" : "-") + f.first().str());
    features = llvm::join(list, ",");
  }
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_));
  if (!tm)
    return module.emitError() << "tessera-compile: cannot create a target "
                                 "machine for cpu '"
                              << cpu << "'";
  return tm;
}

static LogicalResult compile(ModuleOp module,
                             const tessera::ArtifactOptions &options,
                             StringRef outputPath) {
  MLIRContext *ctx = module.getContext();
  if (failed(tessera::verifyTargetName(options.target)))
    return module.emitError() << "tessera-compile: unknown target '"
                              << options.target
                              << "'; expected cpu, nvvm or rocdl";
  FailureOr<std::vector<ManifestEntry>> entries = collectEntries(module);
  if (failed(entries))
    return failure();
  for (auto func : module.getOps<func::FuncOp>())
    if (isEntry(func))
      func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                    UnitAttr::get(ctx));

  tessera::TesseraPipelineOptions pipeline;
  pipeline.target = options.target;
  pipeline.chip = options.chip;
  pipeline.features = options.features;
  pipeline.outParams = true;
  pipeline.stopAfter = "tile";
  PassManager toTile(ctx);
  if (failed(tessera::buildTesseraPipeline(toTile, pipeline)) ||
      failed(toTile.run(module)))
    return failure();
  // The artifact ABI: an entry's buffers do not overlap (the runtime checks
  // the caller's), which lets LLVM keep reduction state in registers.
  for (auto func : module.getOps<func::FuncOp>())
    if (isEntry(func))
      for (auto [i, type] : llvm::enumerate(func.getArgumentTypes()))
        if (isa<MemRefType>(type))
          func.setArgAttr(i, LLVM::LLVMDialect::getNoAliasAttrName(),
                          UnitAttr::get(ctx));
  PassManager toTarget(ctx);
  tessera::buildToTargetPipeline(toTarget, pipeline);
  if (failed(toTarget.run(module)))
    return failure();

  // Bufferization hints on declarations (`bufferization.access`) mean
  // nothing to LLVM; the translator would warn about each of them.
  for (auto llvmFunc : module.getOps<LLVM::LLVMFuncOp>())
    for (unsigned i = 0, e = llvmFunc.getNumArguments(); i < e; ++i) {
      auto func = cast<FunctionOpInterface>(llvmFunc.getOperation());
      SmallVector<NamedAttribute> kept;
      for (NamedAttribute attr : func.getArgAttrs(i))
        if (!attr.getName().strref().starts_with("bufferization."))
          kept.push_back(attr);
      func.setArgAttrs(i, kept);
    }
  for (const ManifestEntry &e : *entries)
    if (failed(addTrampoline(module, e)))
      return failure();
  {
    std::string text = manifestText(*entries, options.target);
    text.push_back('\0');
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto type = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8),
                                         text.size());
    LLVM::GlobalOp::create(b, module.getLoc(), type, /*isConstant=*/true,
                           LLVM::Linkage::External, "tessera_manifest",
                           b.getStringAttr(text));
  }

  // GPU targets: gpu.binary embeds the device code, gpu.launch_func becomes
  // mgpu* calls (SelectObjectAttr's translation).
  DialectRegistry translations;
  registerAllToLLVMIRTranslations(translations);
  ctx->appendDialectRegistry(translations);
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "tessera-artifact");
  if (!llvmModule)
    return module.emitError("tessera-compile: translation to LLVM IR failed");
  // chip and features name the device for nvvm/rocdl; the host code is
  // compiled for this machine.
  tessera::ArtifactOptions host = options;
  if (options.target != "cpu")
    host.chip = host.features = "";
  FailureOr<std::unique_ptr<llvm::TargetMachine>> tm =
      createHostTargetMachine(module, host);
  if (failed(tm))
    return failure();
  llvmModule->setTargetTriple((*tm)->getTargetTriple());
  llvmModule->setDataLayout((*tm)->createDataLayout());
  if (llvm::Error err = makeOptimizingTransformer(options.optLevel, 0,
                                                  tm->get())(llvmModule.get()))
    return module.emitError() << "tessera-compile: LLVM optimisation failed: "
                              << llvm::toString(std::move(err));

  SmallString<128> objectPath;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
          "tessera-artifact", "o", objectPath))
    return module.emitError() << "tessera-compile: cannot create a temporary "
                                 "object file: "
                              << ec.message();
  llvm::scope_exit removeObject([&] { llvm::sys::fs::remove(objectPath); });
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(objectPath, ec, llvm::sys::fs::OF_None);
    if (ec)
      return module.emitError() << "tessera-compile: cannot write "
                                << objectPath << ": " << ec.message();
    llvm::legacy::PassManager codegen;
    if ((*tm)->addPassesToEmitFile(codegen, os, nullptr,
                                   llvm::CodeGenFileType::ObjectFile))
      return module.emitError("tessera-compile: the target cannot emit "
                              "object files");
    codegen.run(*llvmModule);
  }

  // The host C driver knows where libc and libm live; the MLIR runner
  // utilities are linked only when the module prints, libomp only when it
  // has threaded site loops (--as-needed).
  llvm::ErrorOr<std::string> cc = llvm::sys::findProgramByName("cc");
  if (!cc)
    return module.emitError("tessera-compile: no host C compiler driver "
                            "'cc' on PATH to link the artifact");
  std::string out = outputPath.str(), obj = objectPath.str().str();
  std::string libDir = TESSERA_LLVM_LIBRARY_DIR;
  SmallVector<std::string> argv = {*cc,   "-shared", "-o", out, obj,
                                   "-Wl,--as-needed", "-L" + libDir,
                                   "-lmlir_c_runner_utils", "-lmlir_runner_utils",
                                   "-Wl,-rpath," + libDir, "-lm", "-lomp"};
  SmallVector<StringRef> argvRefs(argv.begin(), argv.end());
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(*cc, argvRefs, std::nullopt, {}, 0, 0,
                                     &error);
  if (rc != 0)
    return module.emitError() << "tessera-compile: linking " << outputPath
                              << " failed (" << (error.empty() ? "exit code " + std::to_string(rc) : error)
                              << ")";
  return success();
}

LogicalResult tessera::compileToArtifact(ModuleOp module,
                                         const ArtifactOptions &options,
                                         StringRef outputPath) {
  if (succeeded(compile(module, options, outputPath)))
    return success();
  // Never leave an earlier artifact at the path of a failed compilation.
  llvm::sys::fs::remove(outputPath);
  return failure();
}
