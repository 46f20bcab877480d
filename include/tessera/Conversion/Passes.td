//===- Passes.td - Tessera pipeline stages -----------------*- tablegen -*-===//

#ifndef TESSERA_CONVERSION_PASSES_TD
#define TESSERA_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def TesseraToSchedulePass : Pass<"tessera-to-schedule", "::mlir::ModuleOp"> {
  let summary = "Graph IR to Schedule IR: bfn/ebt to linalg on tensors and scf loops";
  let description = [{
    Lowers `bfn` to `linalg` on tensors plus
    `scf`, `arith`, `math` and `tensor`, in two phases:

    1. compute ops: receiver + KL become one `linalg.generic` that reduces
       over the alphabet in one pass (online max + sum of exponentials in log
       space, fp32) followed by a per-site finish; the Gaussian update is one
       elementwise op, the categorical update a log-space normalisation;
       `rng(seed, offset)` is expanded into the documented Philox4x32-10
       draws; `bfn.flow_step` becomes network call + output + receiver sample +
       update, `bfn.generate` an `scf.for` over the steps with the `alpha_i`
       table built once before the loop; inline networks are outlined first,
       and flow steps that repeat (same attributes, network and operand
       types) become calls of one private step function; a chain of four
       or more such calls in one block, each taking the previous result,
       whose other operands are the same values or scalar constants (the
       step index, the draws' offset), becomes an `scf.for` over one call,
       so that a chain of n steps compiles in time independent of n past
       parsing: constants in arithmetic progression are computed from the
       induction variable, others read from a constant table indexed by it;
    2. types: `!bfn.simplex` becomes its storage tensor, `!bfn.gauss` two
       tensors (mean, precision), `!bfn.accuracy` an `f32`, through function
       signatures, calls, returns and `scf` loops; schedules are evaluated in
       f64 and rounded once.

    `ebt` ops must have gone through `tessera-ebt-lower` (the pipeline runs
    it first); any left are reported. `rng(...)` over dynamic site
    dimensions reads the sizes off the tensor it draws for (the stream is
    the same as for static sizes). The rate of a custom schedule without
    `rate = @fn` is dbeta/dt of its `beta` function, generated once per
    function by reverse mode (`@<beta>_rate`); a beta function with branches,
    no body or an op without a derivative rule is reported.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def TesseraToTilePass : Pass<"tessera-to-tile", "::mlir::ModuleOp"> {
  let summary = "Schedule IR to Tile IR: tiling, bufferization, mapping to the target";
  let description = [{
    Tiles and fuses per target, bufferizes, and maps loops to GPU blocks and
    threads (`nvvm`, `rocdl`) or to CPU threads and vectors (`cpu`); the
    categorical alphabet reduction gets its own warp/register strategy.

    On every target, first: the accumulation `out + x * y` of a reduction's
    body (named contractions generalised) becomes one `math.fma`, one
    instruction and one rounding per step, so the CPU and GPU artifacts
    reduce each output with the same arithmetic in the same order (except
    the tensor-core tiles on `nvvm`, below: about f32 accuracy, not the same
    roundings).

    `cpu`: elementwise ops on tensors to `linalg`, one-shot bufferization
    across function boundaries (identity layouts, so entry points take plain
    memref descriptors), then site vectorisation: every `linalg` op whose
    body is elementwise `arith`/`math` (named ops generalised first) becomes
    an `scf.parallel` over its parallel dimensions with one of them, the
    one most operands store contiguously, held in `vector-width` lanes
    (masked at the edge), and `scf.for` loops over its reduction
    dimensions carrying whole vectors. Operands strided along the lanes are
    gathered, except f32 rows contiguous along a single reduction: rows of
    16 classes or more are read as 16 x 16 blocks of rows and transposed
    in registers (4 x 16 two-source shuffles), shorter rows (a static
    identity layout) as `classes` whole vectors of the tile's rows split
    into columns by shuffles, the rows of the same block 6 KB ahead
    prefetched, and the class steps of a block unrolled. Elementwise body
    ops of those rows alone (ln p + y) run on the rows, before one transpose
    of each value the rest of the body reads; an online log-sum-exp the
    other carried values never read reduces a block in two passes (a max
    tree, the exps, a sum tree, one merge into the state); a pick of such
    an input at a class given per site (the KL's y at the label) is one
    gather after the classes.
    So the alphabet reduction of the fused receiver+KL and of the
    categorical update, which carries a running (max, rescaled sum) pair
    that upstream's vectorizer has no combiner for, runs for 16 sites at
    once; outputs the reduction never reads back (the finished KL) are
    computed once after the loop, and an elementwise op right after a
    single-reduction op that reads its per-site results (the update's
    normalisation) runs in the same site loop: its per-site values once on
    the lane vectors, its elements in vectors along the rows (the tile's
    rows taken flat at fewer classes than lanes), the rows re-read from
    cache, the per-site buffers gone. Other `linalg` ops become scalar
    parallel loops; then buffer deallocation. With `cpu-threads`, each outermost
    site loop of at least 2^15 steps (its trips times those of the loops in
    it; unknown bounds count as large) becomes an OpenMP worksharing loop
    (`convert-scf-to-openmp`); smaller and nested ones run sequentially, so
    small kernels pay no thread fork. With `out-params`, memref results of every function become
    caller-allocated trailing arguments (the artifact ABI: the caller owns
    every buffer); static result shapes only.

    `nvvm`, `rocdl`: the same bufferization; buffers live in device memory
    (entry arguments are device pointers, host allocations become
    `gpu.alloc`). `linalg` ops become site loops as on the CPU with one
    site per step (the alphabet reduction's state in registers, finished
    outputs computed after it, fill-initialised scratch state gone). A
    reduction of 16 to 256 classes over site-major f32, bf16 or f16 inputs
    becomes its own launch: each block (up to `block-size` threads, fewer
    where the shared tiles would pass 40 KiB) stages sites x (up to)
    32-class tiles through shared memory, the tile's elements in row-major
    order (a warp's loads consecutive in memory where a tile holds whole
    rows; there 16 bytes per load where the input splits so, and where the
    rows have an odd length the tile is unpadded, the block's rows one run
    in shared memory too), in groups of 8 loads per thread issued before
    their stores, between barriers, and each thread
    continues its site's reduction from there. A single reduction of more
    than 64 classes over one site dimension whose every carried value has a
    merge (a sum, max or min; the online log-sum-exp of the BFN lowering; a
    pick of the class at a given index) is split across a warp instead
    (measured faster there than staging): a warp per site, `block-size / 32`
    sites per block, lane l reducing classes l, l + 32, ..., xor shuffles
    merging the lanes, lane 0 storing; with 8192 classes or more over at
    most 2048 sites (too few warps for the GPU), a site is split across the
    8 warps of a block instead, the warps' merged states then merged
    through shared memory. Where the inputs' rows are
    contiguous and the classes a multiple of 128, lane l reads classes
    4l .. 4l + 3, 4l + 128, ... with one 128-bit load per input (8 classes,
    16 bytes, when an input is bf16 or f16 and the classes a multiple of
    256; the f32-only inputs of an update with its normalisation fused keep
    one class per load, measured faster); a thread per site over 2 or 4 classes reads its row
    in one load. A contraction over several parallel dimensions (a
    gradient G W^T) is split the same way, a warp per output, when it has
    at most 32768 outputs and the reduction innermost in every input; an
    elementwise op right after it over the same outputs (the EBT step's
    update) then runs in the same kernel, from the merged value in
    registers, and an output only it reads is never stored.
    Otherwise a contraction of two inputs over one static reduction, at
    least 16 on each side (its parallel dims: batch dims that both inputs
    read, row dims that only the first reads, the output's innermost dim
    that only the second reads), is register-tiled: blocks of 64 x 64,
    64 x 32 or 32 x 32 outputs (the largest that gives a block per SM of
    an H100; 16 x 16 below that), a thread computing 4 x 4 of them (1 x 1
    in 16 x 16 tiles) in registers. Each stage of 32 reduction steps (of
    up to 128 in 16 x 16 tiles, whose stages are latency-bound), the
    block's threads store both operands' tiles, loaded during the previous
    stage (software pipelining) along whichever dim each operand stores
    innermost (16 bytes per load where a tile's columns are that dim and
    rows split into whole aligned vectors), into shared memory, and each
    thread reads its rows and
    columns there as 4-wide vectors; the output starts from its initial
    fill, from the source of a copy or broadcast written into it right
    before (read, not copied), or from what it holds. On `nvvm`, such a
    contraction whose body is an f32 multiply-add of f32, bf16 or f16
    operands, over whole steps of 8, runs on tensor cores instead: each
    warp computes 32 x 32 (or 32 x 16) of the block's outputs as m16n8k8
    TF32 `nvgpu.mma.sync` tiles, its fragments read from the shared tiles
    (f32; narrow operands extended as they are stored), each f32
    operand split into a TF32 high part and the rest and each product
    computed as three mma (3xTF32: a_lo b_hi + a_hi b_lo + a_hi b_hi), so
    the result keeps about f32 accuracy; bf16 and f16 operands are exact
    in TF32 and need no low part (two mma, or one). Two bf16 (or two f16)
    operands over whole steps of 16 run on m16n8k16 `nvvm.mma.sync`
    instead, on tiles of their own type. An operand stored along the
    reduction (and the first operand of a 16-bit one) is staged as rows of
    steps, copied 16 bytes per load and store, and its fragments read with
    one `nvgpu.ldmatrix` x4 per 16 rows or per two 8-column tiles (an f32
    as two b16); a second 16-bit operand stored the other way has its
    fragments read from its steps x columns tile by transposing ldmatrix.
    An elementwise op whose result is only the extension of a narrower
    float stores the narrow value and its readers extend it (exact; the
    EBT gradient through a bf16 pre-activation then feeds a 16-bit
    contraction). Tensor-core stages hold 64
    steps where the reduction and 40 KiB of shared memory allow. A 16-bit
    reduction of at least 8 stages whose operands are both stored along it
    keeps its stage tiles in a ring of 3 in dynamic shared memory (up to
    80 KiB; the runtime allows a kernel more than 48 KiB before launching
    it), each stage copied global to shared by `cp.async` two stages ahead
    of the mma that reads it, a commit group per stage. With `wgmma`
    (code for sm_90a, which `tessera-pipeline` sets for `chip=sm_90a`), a
    16-bit contraction whose first operand is stored along the reduction
    and whose second is stored along it or along the output columns runs
    on warpgroup tensor cores instead: a block is one or two warpgroups
    (64 or 128 rows, two where that still gives nearly a block per SM)
    over 64 columns, stages of 64 steps (128 where the reduction spans
    four stages of 128) copied by `cp.async` into a ring in dynamic shared memory laid
    out in wgmma's 128-byte swizzle (K-major rows of steps, or N-major
    steps of columns), as deep as the reduction allows up to 4 without
    adding a wave of blocks, and each stage's m64n64k16
    `nvvm.wgmma.mma_async` read both operands from there through matrix
    descriptors, the accumulators in registers in the mma.sync layout (so
    the epilogue below is the same; loaded initial values are added after
    the reduction). Where the
    grid has few warps (under 16 per SM of an H100) and the reduction
    spans several stages, groups of warps split each stage's steps, each
    group over the whole block tile, and their sums are added in group
    order through shared memory. A thread's tensor-core outputs are pairs
    of neighbouring columns, read and written as pairs (one 8-byte access)
    wherever they are consecutive in memory. When its only reader
    is an elementwise op right after it (reading it through a permutation,
    writing fresh buffers), that op runs on each output as it leaves the
    registers and the contraction's output is never stored (the EBT step:
    y W with the activation's gradient, the gradient with the update); a
    thread loads all of that op's other operands before it stores its
    first result (a load behind a store that may alias it would wait out
    each load's latency in turn).
    Other contractions
    keep a thread per output, and an input such a one reads with the
    threads' dimension strided (reduction innermost) and re-reads along
    another dimension is transposed once first (also on the CPU, where the
    lanes then load it contiguously). An elementwise op right after such a
    reduction that reads its per-site results (the normalisation of the
    log-space update) runs in the same warp after the merge, those results
    from registers, where that measured faster: with at least 8192 sites,
    or in a thread per site with at most 4 classes. Shorter reductions (5
    to 64 classes) with such a consumer are split too, over as many lanes
    as classes (a power of two), when the classes fill them; a staged
    reduction runs such a consumer in its launch: each thread puts its
    site's per-site values (what the consumer computes from the reduction's
    results and other per-site inputs) in shared memory, and after a barrier
    the block walks its sites x classes elements in order (coalesced; in
    runs of 16 bytes of output per thread where the rows are whole), rows
    of at most 32 classes read from the staged tiles. Each other parallel
    loop over the sites is collapsed to one dimension and tiled by
    `block-size` into a grid of blocks x threads (one thread per site; the alphabet
    reduction runs in the thread).
    Straight-line buffer code between grids (whole-tensor reductions,
    scalar stores) becomes a one-thread kernel, and the scalars the host
    needs from it (a returned loss, a loop bound) come back through a
    one-element device buffer. Constants get a device copy; operands of
    external host functions (`printMemrefF32`, ...) are staged through host
    memory. Constants and index computations are sunk into the launches,
    then kernels are outlined into a `gpu.module`, buffers are freed by
    ownership-based deallocation, and each host region queues its work on
    one stream (`gpu-async-region`). Not implemented yet: parallel
    whole-tensor reductions.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "Target: cpu, nvvm or rocdl">,
    Option<"outParams", "out-params", "bool", /*default=*/"false",
           "Turn memref results into caller-allocated out-parameters">,
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block of the site grids (nvvm, rocdl)">,
    Option<"tensorCores", "tensor-cores", "bool", /*default=*/"true",
           "nvvm: run the contractions that qualify on tensor cores (TF32 "
           "mma.sync: sm_80 or newer)">,
    Option<"wgmma", "wgmma", "bool", /*default=*/"false",
           "nvvm: run the 16-bit contractions that qualify on warpgroup "
           "tensor cores (wgmma.mma_async: code for sm_90a only)">,
    Option<"cpuThreads", "cpu-threads", "bool", /*default=*/"true",
           "Run the CPU site loops with enough work on OpenMP threads "
           "(libomp; OMP_NUM_THREADS picks how many)">,
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "Sites per vector on the CPU (16 fills an AVX-512 register with "
           "f32); 1: scalar site loops; 0: linalg's plain loops">
  ];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def TesseraToTargetPass : Pass<"tessera-to-target", "::mlir::ModuleOp"> {
  let summary = "Tile IR to Target IR: NVVM/ROCDL/LLVM and device binaries";
  let description = [{
    Lowers Tile IR to the `nvvm`, `rocdl` or `llvm` dialect and serialises
    device code (PTX/cubin for `sm_80`/`sm_90`, HSACO for `gfx90a`/`gfx942`)
    into the module, ready for the host artifact.

    `cpu`: the `llvm` dialect (strided metadata expanded, `scf` to branches,
    vector masks and gathers to LLVM intrinsics), runnable with
    `mlir-runner`. Math on vectors (the site loops of the tile stage):
    `exp`, `expm1`, `log`, `log1p`, `log2`, `tanh`, `erf` become upstream's
    polynomial approximations (`exp` of f32 vectors, for AVX-512 targets —
    `features` with `+avx512f`, or the host's when neither `chip` nor
    `features` is given — Cephes' polynomial scaled by 2^n in one
    `vscalefps`, 0 below exp(-87)) and `fma`, `floor`, `sqrt`, ... LLVM
    vector intrinsics, so a loop stays vectorised; scalar math and the rest call
    libm (`expm1`/`log1p` keep their accuracy, `rsqrt` is `1 / sqrt`).

    `nvvm`: kernels to NVVM (libdevice for the math), host code to the
    `llvm` dialect with `mgpu*` runtime calls (the ABI `libtessera_rt`
    provides), and each `gpu.module` serialised by `gpu-module-to-binary`:
    a cubin assembled by `ptxas` (`format=bin`) or PTX text (`format=isa`,
    JIT-compiled by the driver at load); libdevice is linked from the
    CUDA `toolkit`. A kernel's dynamic shared memory is the external array
    the launch's bytes begin at (`.extern .shared`; the GPU-to-NVVM
    lowering leaves it an internal global, which the NVPTX backend would
    lay out as a one-byte static variable among the others). `rocdl`: kernels to ROCDL linked
    with the ROCm device libraries, serialised to an HSACO (`format=bin`,
    `ld.lld`) or AMDGPU assembly (`format=isa`). `toolkit` names a ROCm
    directory (`amdgcn/bitcode`, `llvm/bin/ld.lld`); empty assembles one
    from Debian's `rocm-device-libs` and LLVM's `ld.lld`.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "Target: cpu, nvvm or rocdl">,
    Option<"chip", "chip", "std::string", /*default=*/"\"\"",
           "Chip: sm_80, sm_90 (nvvm), gfx90a, gfx942 (rocdl); empty picks the "
           "target's default (sm_90, gfx90a, host)">,
    Option<"features", "features", "std::string", /*default=*/"\"\"",
           "Target features, e.g. +ptx80 or +avx512f">,
    Option<"format", "format", "std::string", /*default=*/"\"bin\"",
           "Device code format (nvvm, rocdl): bin (cubin/HSACO) or isa "
           "(PTX/AMDGPU assembly)">,
    Option<"toolkit", "toolkit", "std::string", /*default=*/"\"\"",
           "CUDA directory for nvvm (empty: $CUDA_HOME, $CUDA_PATH, "
           "$CUDA_ROOT or /usr/local/cuda; libdevice and ptxas come from "
           "it); ROCm directory for rocdl (empty: rocm-device-libs and "
           "LLVM's ld.lld)">
  ];
}

#endif // TESSERA_CONVERSION_PASSES_TD
