//===- TesseraToTarget.cpp - tessera-to-target ----------------------------===//
//
// Tile IR -> Target IR. cpu: the llvm dialect (strided metadata expanded,
// structured control flow to branches, libm for the math the LLVM
// intrinsics lack: erfc, expm1, log1p, tan, ...). nvvm/rocdl: kernels to
// NVVM/ROCDL, host code to the llvm dialect with mgpu* runtime calls,
// gpu.modules serialised to cubin/PTX or HSACO/assembly.
//
//===----------------------------------------------------------------------===//

#include "tessera/Conversion/LinalgBuilders.h"
#include "tessera/Conversion/Passes.h"

#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/TargetParser/Host.h"

#include <cstdlib>
#include "llvm/Support/Path.h"

namespace tessera {
#define GEN_PASS_DEF_TESSERATOTARGETPASS
#include "tessera/Conversion/Passes.h.inc"
} // namespace tessera

using namespace mlir;

static void addExpandRsqrt(OpPassManager &pm) {
  math::MathExpandOpsPassOptions expand;
  expand.opMnemonics = {"rsqrt"};
  pm.addPass(math::createMathExpandOpsPass(expand));
}

namespace {
/// exp of f32 vectors on AVX-512: 2^n p(r) with n = roundeven(x log2 e),
/// r = x - n ln 2 in two parts (Cody-Waite), p Cephes' expf polynomial
/// (degree 7, about 1 ulp on |r| <= ln 2 / 2), and the scaling by 2^n one
/// vscalefps (llvm.ldexp), which overflows to inf by itself: 18
/// instructions where upstream's approximation, patching each edge, takes
/// 21. x is clamped to [-87, 89] first, so that +-inf reduce to finite r
/// and no lane makes a subnormal (each one a microcode assist: with the
/// clamp at -104, exp(-inf) of the first online log-sum-exp step in every
/// tile took the fused KL at 4M x 2 from 13 to 35 ms); results below
/// exp(-87) are 0, as FTZ code would give. A NaN passes both clamps and
/// stays NaN.
struct Avx512Exp : OpRewritePattern<math::ExpOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::ExpOp op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<VectorType>(op.getType());
    if (!type || !type.getElementType().isF32() || type.isScalable() ||
        type.getRank() != 1)
      return failure();
    Location loc = op.getLoc();
    ImplicitLocOpBuilder b(loc, rewriter);
    auto splat = [&](double v) { return tessera::cstLike(b, loc, type, v); };
    auto fma = [&](Value a, Value x, Value c) -> Value {
      return math::FmaOp::create(b, a, x, c);
    };
    Value x = op.getOperand();
    Value lo = splat(-87.0), hi = splat(89.0);
    Value under = arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, x, lo);
    x = arith::SelectOp::create(b, under, lo, x);
    x = arith::SelectOp::create(
        b, arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, x, hi), hi, x);
    Value n = math::RoundEvenOp::create(
        b, arith::MulFOp::create(b, x, splat(1.44269504088896341)));
    Value r = fma(n, splat(-0.693359375), x);
    r = fma(n, splat(2.12194440e-4), r);
    Value p = splat(1.9875691500e-4);
    for (double c : {1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2,
                     1.6666665459e-1, 5.0000001201e-1, 1.0, 1.0})
      p = fma(p, r, splat(c));
    Value k = arith::FPToSIOp::create(
        b, VectorType::get(type.getShape(), b.getI32Type()), n);
    // llvm.intr.ldexp takes a scalar exponent only; LLVM's intrinsic takes
    // a vector of them.
    std::string name = "llvm.ldexp.v" + std::to_string(type.getNumElements()) +
                       "f32.v" + std::to_string(type.getNumElements()) + "i32";
    Value e = LLVM::CallIntrinsicOp::create(b, Type(type),
                                            rewriter.getStringAttr(name),
                                            ValueRange{p, k})
                  .getResult(0);
    rewriter.replaceOpWithNewOp<arith::SelectOp>(op, under, splat(0.0), e);
    return success();
  }
};
} // namespace

/// Whether CPU code for \p chip with \p features has AVX-512F: named by
/// the features, or the host's when neither is given.
static bool targetsAvx512(StringRef chip, StringRef features) {
  if (features.contains("-avx512f"))
    return false;
  if (features.contains("+avx512f"))
    return true;
  return chip.empty() && features.empty() &&
         llvm::sys::getHostCPUFeatures().lookup("avx512f");
}

/// Math on the CPU, before convert-to-llvm. Vector exp/log/tanh/erf from
/// the vectorised site loops become upstream's polynomial approximations
/// (a few ulp, well within the 1e-5 relative the golden values ask for);
/// left to LLVM they would be one libm call per lane. Vector ops with an
/// LLVM vector intrinsic (fma, floor, ... which the approximations use)
/// stay for convert-to-llvm. Everything else goes to libm, scalars
/// included: convert-to-llvm would expand expm1/log1p into exp - 1 /
/// log(1 + x) and lose the digits they exist for, and libm has no rsqrtf,
/// so rsqrt becomes 1 / sqrt first. Only math ops and what their rewrites
/// create are touched.
static LogicalResult lowerCpuMath(ModuleOp module, bool avx512) {
  static const StringLiteral approximated[] = {"exp",  "expm1", "log", "log1p",
                                               "log2", "tanh",  "erf"};
  static const StringLiteral vectorIntrinsics[] = {
      "absf",  "ceil",      "copysign", "floor", "fma",
      "round", "roundeven", "sqrt",     "trunc"};
  auto mnemonic = [](StringRef name) {
    name.consume_front("math.");
    return name;
  };
  auto isApproximated = [&](StringRef name) {
    return llvm::is_contained(approximated, mnemonic(name));
  };
  auto collect = [&](function_ref<bool(Operation *)> pred) {
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<math::MathDialect>(op->getDialect()) && pred(op))
        ops.push_back(op);
    });
    return ops;
  };
  auto isVector = [](Operation *op) {
    return op->getNumResults() == 1 &&
           isa<VectorType>(op->getResult(0).getType());
  };
  GreedyRewriteConfig config;
  config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
  config.enableFolding(false);
  auto apply = [&](ArrayRef<Operation *> ops, RewritePatternSet &&patterns) {
    return ops.empty() ? success()
                       : applyOpPatternsGreedily(ops, std::move(patterns),
                                                 config);
  };

  RewritePatternSet approximate(module.getContext());
  if (avx512)
    approximate.add<Avx512Exp>(module.getContext(), /*benefit=*/2);
  populateMathPolynomialApproximationPatterns(approximate, isApproximated);
  RewritePatternSet expand(module.getContext());
  math::populateExpansionPatterns(expand, {"rsqrt"});
  RewritePatternSet libm(module.getContext());
  populateMathToLibmConversionPatterns(libm);
  if (failed(apply(collect([&](Operation *op) {
                     return isVector(op) &&
                            isApproximated(op->getName().getStringRef());
                   }),
                   std::move(approximate))) ||
      failed(apply(collect([](Operation *op) { return isa<math::RsqrtOp>(op); }),
                   std::move(expand))))
    return failure();
  return apply(collect([&](Operation *op) {
                 return !isVector(op) ||
                        !llvm::is_contained(
                            vectorIntrinsics,
                            mnemonic(op->getName().getStringRef()));
               }),
               std::move(libm));
}

static void buildCpuTargetPipeline(OpPassManager &pm) {
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // Masks and gathers of the vectorised site loops need the vector
  // lowerings that convert-to-llvm's interface leaves out.
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

struct GpuTargetOptions {
  std::string target, chip, features, format, toolkit;
};

/// Kernels to NVVM or ROCDL (their dynamic shared memory fixed up after
/// this: externalizeDynamicSharedMemory), then buildGpuHostPipeline.
static void buildGpuKernelPipeline(OpPassManager &pm,
                                   const GpuTargetOptions &options) {
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  if (options.target == "nvvm") {
    GpuNVVMAttachTargetOptions attach;
    attach.chip = options.chip;
    attach.features = options.features;
    attach.optLevel = 3;
    pm.addPass(createGpuNVVMAttachTarget(attach));
    // Tensor-core tiles (nvgpu.mma.sync) first.
    pm.addNestedPass<gpu::GPUModuleOp>(createConvertNVGPUToNVVMPass());
    pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps());
    // NVVM ops written as inline PTX (wgmma.mma_async).
    pm.addNestedPass<gpu::GPUModuleOp>(createConvertNVVMToLLVMPass());
  } else {
    GpuROCDLAttachTargetOptions attach;
    attach.chip = options.chip;
    attach.features = options.features;
    attach.optLevel = 3;
    pm.addPass(createGpuROCDLAttachTarget(attach));
    ConvertGpuOpsToROCDLOpsOptions rocdl;
    rocdl.chipset = options.chip;
    rocdl.runtime = gpu::amd::Runtime::HIP;
    pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToROCDLOps(rocdl));
  }
}

/// A kernel's dynamic shared memory is a zero-size workgroup global, which
/// the GPU-to-NVVM/ROCDL lowering makes internal; the NVPTX backend then
/// demotes it into its kernel as a one-byte static variable, laid out
/// among the others (a tiled contraction's cp.async ring then overlapped
/// its warp groups' sum tile), instead of the `.extern .shared` array that
/// begins the launch's dynamic shared memory. External, it is that.
static void externalizeDynamicSharedMemory(ModuleOp module) {
  module.walk([](LLVM::GlobalOp global) {
    auto array = dyn_cast<LLVM::LLVMArrayType>(global.getGlobalType());
    if (array && array.getNumElements() == 0 && global.getAddrSpace() != 0 &&
        !global.getValueOrNull() && global.getInitializerRegion().empty())
      global.setLinkage(LLVM::Linkage::External);
  });
}

/// Host code to the llvm dialect and the kernels to binaries.
static void buildGpuHostPipeline(OpPassManager &pm,
                                 const GpuTargetOptions &options) {
  // Host code: kernels have no math left by now, so libm only sees the
  // host's scalar math.
  addExpandRsqrt(pm);
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  binary.toolkitPath = options.toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

/// The ROCDL serialiser expects a ROCm tree: `amdgcn/bitcode/*.bc` and
/// `llvm/bin/ld.lld`. Debian ships both, in other places; a temporary
/// directory of two links stands in for the tree.
namespace {
class RocmToolkit {
public:
  LogicalResult create(Operation *op, StringRef stage) {
    const char *candidates[] = {"/usr/lib/x86_64-linux-gnu/amdgcn",
                                "/usr/lib/aarch64-linux-gnu/amdgcn",
                                "/opt/rocm/amdgcn"};
    std::string deviceLibs;
    for (const char *dir : candidates)
      if (llvm::sys::fs::exists(llvm::Twine(dir) + "/bitcode/ocml.bc")) {
        deviceLibs = dir;
        break;
      }
    if (deviceLibs.empty())
      return op->emitError() << stage
                             << ": ROCm device libraries not found (install "
                                "rocm-device-libs, or pass toolkit=<dir>)";
    std::string lld = TESSERA_LLVM_TOOLS_DIR "/ld.lld";
    if (!llvm::sys::fs::exists(lld))
      return op->emitError() << stage << ": " << lld
                             << " not found (install lld-22, or pass "
                                "toolkit=<dir>)";
    SmallString<128> dir;
    if (llvm::sys::fs::createUniqueDirectory("tessera-rocm", dir))
      return op->emitError() << stage << ": cannot create a temporary "
                                         "directory";
    path = std::string(dir);
    SmallString<128> bin(dir);
    llvm::sys::path::append(bin, "llvm", "bin");
    if (llvm::sys::fs::create_directories(bin) ||
        llvm::sys::fs::create_link(deviceLibs, dir + "/amdgcn") ||
        llvm::sys::fs::create_link(lld, bin + "/ld.lld"))
      return op->emitError() << stage << ": cannot populate " << path;
    return success();
  }
  ~RocmToolkit() {
    if (!path.empty())
      (void)llvm::sys::fs::remove_directories(path);
  }
  std::string path;
};
} // namespace

namespace {
struct TesseraToTargetPass
    : public tessera::impl::TesseraToTargetPassBase<TesseraToTargetPass> {
  using TesseraToTargetPassBase::TesseraToTargetPassBase;

  void getDependentDialects(DialectRegistry &registry) const override {
    TesseraToTargetPassBase::getDependentDialects(registry);
    OpPassManager pm(ModuleOp::getOperationName());
    buildCpuTargetPipeline(pm);
    pm.getDependentDialects(registry);
    OpPassManager nvvm(ModuleOp::getOperationName());
    buildGpuKernelPipeline(nvvm, {"nvvm", "sm_90", "", "bin", ""});
    buildGpuHostPipeline(nvvm, {"nvvm", "sm_90", "", "bin", ""});
    nvvm.getDependentDialects(registry);
    OpPassManager rocdl(ModuleOp::getOperationName());
    buildGpuKernelPipeline(rocdl, {"rocdl", "gfx90a", "", "bin", ""});
    buildGpuHostPipeline(rocdl, {"rocdl", "gfx90a", "", "bin", ""});
    rocdl.getDependentDialects(registry);
  }

  LogicalResult initialize(MLIRContext *ctx) override {
    if (succeeded(tessera::verifyTargetName(target)))
      return success();
    return emitError(UnknownLoc::get(ctx))
           << "tessera-to-target: unknown target '" << target
           << "'; expected cpu, nvvm or rocdl";
  }

  void runOnOperation() override {
    std::string stage = "tessera-to-target{target=" + target +
                        (chip.empty() ? "" : " chip=" + chip) + "}";
    // Tile IR only: tensors and graph ops need the earlier stages.
    if (failed(tessera::reportUnimplemented(
            getOperation(), stage, [](Operation *op) {
              auto isTensor = [](Type t) { return isa<TensorType>(t); };
              return tessera::isTesseraGraphOp(op) ||
                     llvm::any_of(op->getOperandTypes(), isTensor) ||
                     llvm::any_of(op->getResultTypes(), isTensor);
            }))) {
      signalPassFailure();
      return;
    }
    OpPassManager pm(ModuleOp::getOperationName());
    if (target == "cpu") {
      if (failed(lowerCpuMath(getOperation(), targetsAvx512(chip, features)))) {
        getOperation().emitError()
            << stage << ": lowering math to approximations and libm failed";
        return signalPassFailure();
      }
      buildCpuTargetPipeline(pm);
      if (failed(runPipeline(pm, getOperation())))
        signalPassFailure();
      return;
    }
    if (format != "bin" && format != "isa") {
      getOperation().emitError()
          << stage << ": format must be bin or isa, got '" << format << "'";
      return signalPassFailure();
    }
    GpuTargetOptions options{target, chip, features, format, toolkit};
    if (options.chip.empty())
      options.chip = target == "nvvm" ? "sm_90" : "gfx90a";
    // Without a toolkit path the NVVM serialiser looks only at the
    // environment, and silently leaves libdevice calls unresolved.
    if (target == "nvvm" && toolkit.empty()) {
      options.toolkit = "/usr/local/cuda";
      for (const char *var : {"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"})
        if (const char *dir = std::getenv(var); dir && *dir) {
          options.toolkit = dir;
          break;
        }
      if (!llvm::sys::fs::exists(options.toolkit +
                                 "/nvvm/libdevice/libdevice.10.bc")) {
        getOperation().emitError()
            << stage << ": libdevice not found under " << options.toolkit
            << " (set CUDA_HOME, or pass toolkit=<CUDA directory>)";
        return signalPassFailure();
      }
    }
    RocmToolkit rocm;
    if (target == "rocdl" && toolkit.empty()) {
      if (failed(rocm.create(getOperation(), stage)))
        return signalPassFailure();
      options.toolkit = rocm.path;
    }
    OpPassManager host(ModuleOp::getOperationName());
    buildGpuKernelPipeline(pm, options);
    buildGpuHostPipeline(host, options);
    if (failed(runPipeline(pm, getOperation())))
      return signalPassFailure();
    externalizeDynamicSharedMemory(getOperation());
    if (failed(runPipeline(host, getOperation())))
      signalPassFailure();
  }
};
} // namespace
