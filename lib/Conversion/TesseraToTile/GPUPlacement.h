//===- GPUPlacement.h - Host/device placement of Tile IR --------*- C++ -*-===//
//
// The steps of tessera-to-tile for the GPU targets that upstream has no pass
// for. Host functions keep control flow, allocation, calls and launches;
// everything that reads or writes buffer contents runs on the device.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_LIB_CONVERSION_TESSERATOTILE_GPUPLACEMENT_H
#define TESSERA_LIB_CONVERSION_TESSERATOTILE_GPUPLACEMENT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

namespace tessera::gpu_tile {

/// On bufferized host functions whose linalg ops are parallel loops: gives
/// constants and host-stack buffers a device copy, stages the operands of
/// external (host library) calls through host memory, turns every
/// host-level scf.parallel into a one-dimensional loop tiled by
/// \p blockSize (ready for gpu-map-parallel-loops), and wraps straight-line
/// buffer code between them into one-thread gpu.launch ops, reading back
/// the scalars the host needs through one-element device buffers.
llvm::LogicalResult placeHostCode(mlir::ModuleOp module, llvm::StringRef stage,
                                  int64_t blockSize);

/// After kernel outlining (one gpu.module per launch): moves every kernel,
/// and the module-level symbols they use, into the first gpu.module, each
/// kernel named after the module it came from, and points the launches at
/// it. The target stage then builds one device binary per artifact: device
/// libraries are linked and the assembler runs once, not once per kernel.
void mergeKernelModules(mlir::ModuleOp module);

/// Host-level memref.alloc -> gpu.alloc (after kernel outlining, before
/// buffer deallocation, so that ownership tracking sees device buffers).
void allocateOnDevice(mlir::ModuleOp module);

/// bufferization.dealloc -> scf.if + gpu.dealloc with the upstream alias
/// semantics (a retained buffer is never freed; a buffer listed twice is
/// freed once), without the host metadata arrays of the generic lowering.
void lowerDeviceDeallocs(mlir::ModuleOp module);

} // namespace tessera::gpu_tile

#endif // TESSERA_LIB_CONVERSION_TESSERATOTILE_GPUPLACEMENT_H
