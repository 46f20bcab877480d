// RUN: tessera-opt %s --tessera-to-tile="target=nvvm wgmma=true" -split-input-file | FileCheck %s
// RUN: tessera-opt %s --tessera-to-tile="target=nvvm" -split-input-file | FileCheck %s --check-prefix=MMA
// RUN: tessera-opt %s --tessera-pipeline="target=nvvm chip=sm_90a stop-after=tile" -split-input-file | FileCheck %s --check-prefix=SM90A
// MMA-NOT: nvvm.wgmma
// SM90A: nvvm.wgmma.mma_async

// y W on sm_90a's warpgroup tensor cores: 2048 x 1024 over 256 in 128 x 64
// tiles (256 blocks: a block per SM with two warpgroups, each 64 rows),
// 4 stages of 64 steps, all in the ring (96 KB, two blocks per SM: one
// wave) and all copied first. a's tile holds rows of 64 steps, b's (stored
// columns innermost) steps of 64 columns, each line's 16-byte vector c at
// c ^ (line % 8): wgmma's 128-byte swizzle. The rings start at the first
// 1024-byte boundary of the dynamic shared memory (the launch asks for
// 1 KB more). Per stage: the stage's copies have landed, the proxy fence
// makes them visible to wgmma, the barrier to every thread; four
// m64n64k16 wgmma (b N-major: "row"), their commit, an empty copy group
// (the ring is never refilled) and the wait for the wgmma.
// CHECK-LABEL: func.func @wgmma_n(
// CHECK:         gpu.launch_func {{.*}} blocks in (%c16, %c16, %c1) threads in (%c256, %c1, %c1) dynamic_shared_memory_size %c99328_i32
// CHECK:       gpu.func @wgmma_n_kernel(%[[Y:.*]]: memref<2048x256xbf16>, %[[W:.*]]: memref<256x1024xbf16>, %[[OUT:.*]]: memref<2048x1024xf32>)
// CHECK:         %[[DYN:.*]] = gpu.dynamic_shared_memory
// CHECK:         %[[PTR:.*]] = memref.extract_aligned_pointer_as_index %[[DYN]]
// CHECK:         %[[MIS:.*]] = arith.remui %[[PTR]], %c1024
// CHECK:         %[[GAP:.*]] = arith.subi %c1024, %[[MIS]]
// CHECK:         %[[PAD:.*]] = arith.remui %[[GAP]], %c1024
// CHECK:         %[[AR:.*]] = memref.view %[[DYN]][%[[PAD]]][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<4x1x128x64xbf16, #gpu.address_space<workgroup>>
// CHECK:         %[[BOFF:.*]] = arith.addi %[[PAD]], %c65536
// CHECK:         %[[BR:.*]] = memref.view %[[DYN]][%[[BOFF]]][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<4x1x64x64xbf16, #gpu.address_space<workgroup>>
// CHECK:         %[[LINE:.*]] = arith.divui %thread_id_x, %c8
// CHECK:         %[[C:.*]] = arith.remui %thread_id_x, %c8
// CHECK:         %[[BLOCK:.*]] = arith.divui %[[C]], %c8
// CHECK:         %[[L8:.*]] = arith.remui %[[LINE]], %c8
// CHECK:         %[[C8:.*]] = arith.remui %[[C]], %c8
// CHECK:         %[[X:.*]] = arith.xori %[[C8]], %[[L8]]
// CHECK:         %[[AT:.*]] = arith.muli %[[X]], %c8
// CHECK:         %[[STEP:.*]] = arith.muli %[[C]], %c8
// CHECK:         nvgpu.device_async_copy %[[Y]][%{{.*}}, %[[STEP]]], %[[AR]][%c0, %[[BLOCK]], %[[LINE]], %[[AT]]], 8
// CHECK-COUNT-3: nvgpu.device_async_copy %[[Y]]
// CHECK:         nvgpu.device_async_copy %[[W]][%[[LINE]], %{{.*}}], %[[BR]][%c0, %[[BLOCK]], %[[LINE]], %[[AT]]], 8
// CHECK:         nvgpu.device_async_copy %[[W]]
// CHECK-NEXT:    nvvm.cp.async.commit.group
// CHECK-COUNT-6: nvgpu.device_async_copy
// CHECK-NEXT:    nvvm.cp.async.commit.group
// CHECK-COUNT-6: nvgpu.device_async_copy
// CHECK-NEXT:    nvvm.cp.async.commit.group
// CHECK-COUNT-6: nvgpu.device_async_copy
// CHECK-NEXT:    nvvm.cp.async.commit.group
// CHECK:         scf.for %{{.*}} = %c0 to %c256 step %c64
// CHECK-NEXT:      nvvm.cp.async.wait.group 3
// CHECK-NEXT:      nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK-NEXT:      gpu.barrier
// CHECK:           nvvm.wgmma.fence.aligned
// CHECK-COUNT-4:   nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 64, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <row>]
// CHECK:           nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT:      nvvm.cp.async.commit.group
// CHECK-NEXT:      nvvm.wgmma.wait.group.sync.aligned 0
// CHECK-NEXT:      scf.yield
// CHECK:         nvvm.cp.async.wait.group 0
// CHECK-COUNT-16: vector.store %{{.*}}, %[[OUT]]
// CHECK-NEXT:    gpu.return
func.func @wgmma_n(%y: tensor<2048x256xbf16>, %w: tensor<256x1024xbf16>) -> tensor<2048x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2048x1024xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2048x1024xf32>) -> tensor<2048x1024xf32>
  %c = linalg.matmul ins(%y, %w : tensor<2048x256xbf16>, tensor<256x1024xbf16>) outs(%z : tensor<2048x1024xf32>) -> tensor<2048x1024xf32>
  return %c : tensor<2048x1024xf32>
}

// -----

// G W^T: b stored along the reduction, so its tile holds rows of steps
// too (K-major: "col"). 128-row tiles would give 64 blocks: one warpgroup
// per 64 x 64 tile instead (128 blocks); the reduction is 8 stages of 128
// steps (two 64-step blocks of rows per tile), 4 in the ring, each
// refilled 3 stages ahead once read. The descriptors: the slot's tile
// address, step j's offset (j % 4 times 32 bytes into the lines of block
// j / 4), >> 4 in bits 0-13, leading and stride offsets of 1024 bytes and
// the 128-byte swizzle (1 << 62).
// CHECK-LABEL: func.func @wgmma_k(
// CHECK:         gpu.launch_func {{.*}} blocks in (%c4, %c32, %c1) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c132096_i32
// CHECK:       gpu.func @wgmma_k_kernel(
// CHECK:         memref.view {{.*}} to memref<4x2x64x64xbf16, #gpu.address_space<workgroup>>
// CHECK:         memref.view {{.*}} to memref<4x2x64x64xbf16, #gpu.address_space<workgroup>>
// CHECK:         scf.for %{{.*}} = %c0 to %c1024 step %c128
// CHECK-NEXT:      nvvm.cp.async.wait.group 2
// CHECK:           nvvm.wgmma.fence.aligned
// CHECK:           %[[SH:.*]] = arith.shrui %{{.*}}, %c4_i64 : i64
// CHECK-NEXT:      %[[FIELD:.*]] = arith.andi %[[SH]], %c16383_i64 : i64
// CHECK-NEXT:      %[[DESC:.*]] = arith.ori %[[FIELD]], %c4611686293309489152_i64 : i64
// CHECK:           nvvm.wgmma.mma_async %[[DESC]], %{{.*}}, B[<bf16>, <one>, <col>]
// CHECK:           arith.addi %{{.*}}, %c32_i64 : i64
// CHECK-COUNT-3:   B[<bf16>, <one>, <col>]
// CHECK:           arith.addi %{{.*}}, %c8192_i64 : i64
// CHECK-COUNT-4:   B[<bf16>, <one>, <col>]
// CHECK:           nvvm.wgmma.commit.group.sync.aligned
// CHECK:           scf.if
// CHECK-COUNT-12:    nvgpu.device_async_copy
// CHECK:           }
// CHECK-NEXT:      nvvm.cp.async.commit.group
// CHECK-NEXT:      nvvm.wgmma.wait.group.sync.aligned 0
func.func @wgmma_k(%g: tensor<2048x1024xbf16>, %w: tensor<256x1024xbf16>) -> tensor<2048x256xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2048x256xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2048x256xf32>) -> tensor<2048x256xf32>
  %c = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%g, %w : tensor<2048x1024xbf16>, tensor<256x1024xbf16>) outs(%z : tensor<2048x256xf32>) -> tensor<2048x256xf32>
  return %c : tensor<2048x256xf32>
}

// -----

// Edges: 1000 x 1000 outputs over 64 in 128 x 64 tiles (128 blocks, nearly
// one per SM; one stage: a ring of 1, copied once, and no loop). Rows past
// 1000 are clamped to 999 for the copies, b's columns to the last whole vector
// (992: 1000 is a multiple of 8, so a clamped vector lies wholly past the
// edge); the stores past either edge are skipped.
// CHECK-LABEL: func.func @wgmma_edges(
// CHECK:         gpu.launch_func {{.*}} blocks in (%c16, %c8, %c1) threads in (%c256, %c1, %c1) dynamic_shared_memory_size %c25600_i32
// CHECK:         arith.minui %{{.*}}, %c999
// CHECK:         arith.minui %{{.*}}, %c992
// CHECK:         nvvm.cp.async.commit.group
// CHECK:         nvvm.cp.async.wait.group 0
// CHECK-NEXT:    nvvm.fence.proxy
// CHECK-NOT:     scf.if
// CHECK:         nvvm.wgmma.mma_async
// CHECK:         %[[ROW:.*]] = arith.cmpi ult, %{{.*}}, %c1000
// CHECK:         %[[COL:.*]] = arith.cmpi ult, %{{.*}}, %c1000
// CHECK:         %[[LIVE:.*]] = arith.andi %[[ROW]], %[[COL]]
// CHECK:         scf.if %[[LIVE]]
// CHECK-NEXT:      vector.from_elements
// CHECK-NEXT:      vector.store
func.func @wgmma_edges(%a: tensor<1000x64xbf16>, %b: tensor<64x1000xbf16>) -> tensor<1000x1000xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1000x1000xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1000x1000xf32>) -> tensor<1000x1000xf32>
  %c = linalg.matmul ins(%a, %b : tensor<1000x64xbf16>, tensor<64x1000xbf16>) outs(%z : tensor<1000x1000xf32>) -> tensor<1000x1000xf32>
  return %c : tensor<1000x1000xf32>
}

// -----

// What wgmma does not take keeps mma.sync: a stored along the rows (wgmma
// reads a's K-major tiles only), f32 operands.
// CHECK-LABEL: func.func @mma_sync(
// CHECK-NOT:     nvvm.wgmma
// CHECK:         nvvm.mma.sync
// CHECK-NOT:     nvvm.wgmma
// CHECK:         nvgpu.mma.sync
// CHECK-NOT:     nvvm.wgmma
// CHECK:         return
func.func @mma_sync(%at: tensor<256x2048xbf16>, %w: tensor<256x1024xbf16>,
                    %a32: tensor<1024x64xf32>, %b32: tensor<64x1024xf32>)
    -> (tensor<2048x1024xf32>, tensor<1024x1024xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2048x1024xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2048x1024xf32>) -> tensor<2048x1024xf32>
  %c = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>] ins(%at, %w : tensor<256x2048xbf16>, tensor<256x1024xbf16>) outs(%z : tensor<2048x1024xf32>) -> tensor<2048x1024xf32>
  %e2 = tensor.empty() : tensor<1024x1024xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %d = linalg.matmul ins(%a32, %b32 : tensor<1024x64xf32>, tensor<64x1024xf32>) outs(%z2 : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  return %c, %d : tensor<2048x1024xf32>, tensor<1024x1024xf32>
}
