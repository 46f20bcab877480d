// bf16 contractions compiled for sm_90a run on warpgroup tensor cores:
// PTX wgmma.mma_async on two shared-memory matrix descriptors (the last
// immediate is b's transpose: 1 where b is stored columns innermost), the
// proxy fence between cp.async's tiles and wgmma's reads, and the fence,
// commit and wait around each stage's wgmma; ptxas assembles it for
// sm_90a (tessera-compile runs it). For sm_90 the same contractions stay
// on mma.sync, which every chip from sm_80 has.
// RUN: tessera-opt %s --tessera-pipeline="target=nvvm chip=sm_90a stop-after=tile" | tessera-opt --tessera-to-target="target=nvvm chip=sm_90a format=isa" | FileCheck %s
// RUN: tessera-compile %s --target=nvvm --chip=sm_90a -o %t.so
// RUN: tessera-opt %s --tessera-pipeline="target=nvvm chip=sm_90 stop-after=tile" | FileCheck %s --check-prefix=SM90
// SM90-NOT: wgmma
// SM90: nvvm.mma.sync
// (The PTX is one escaped string: \09 is a tab, \0A a new line.)
// CHECK: .target sm_90a
// CHECK: .extern .shared .align {{[0-9]+}} .b8 __dynamic_shmem
// CHECK: .entry y_w_kernel(
// CHECK: cp.async.ca.shared.global [%rd{{[0-9]+}}], [%rd{{[0-9]+}}], 16;
// CHECK: cp.async.commit_group;
// CHECK: cp.async.wait_group \09{{[0-9]}};\0A\09fence.proxy.async.shared::cta;\0A\09bar.sync \090;\0A\09wgmma.fence.sync.aligned;
// CHECK: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{{[^}]*}}}, %rd{{[0-9]+}}, %rd{{[0-9]+}}, p, 1,  1, 0,  1;
// CHECK: wgmma.commit_group.sync.aligned;
// CHECK: wgmma.wait_group.sync.aligned \090;
// CHECK: .entry g_wt_kernel(
// CHECK: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{{[^}]*}}}, %rd{{[0-9]+}}, %rd{{[0-9]+}}, p, 1,  1, 0,  0;
func.func @y_w(%y: tensor<2048x256xbf16>, %w: tensor<256x1024xbf16>) -> tensor<2048x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2048x1024xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2048x1024xf32>) -> tensor<2048x1024xf32>
  %c = linalg.matmul ins(%y, %w : tensor<2048x256xbf16>, tensor<256x1024xbf16>) outs(%z : tensor<2048x1024xf32>) -> tensor<2048x1024xf32>
  return %c : tensor<2048x1024xf32>
}

func.func @g_wt(%g: tensor<2048x1024xbf16>, %w: tensor<256x1024xbf16>) -> tensor<2048x256xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2048x256xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2048x256xf32>) -> tensor<2048x256xf32>
  %c = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%g, %w : tensor<2048x1024xbf16>, tensor<256x1024xbf16>) outs(%z : tensor<2048x256xf32>) -> tensor<2048x256xf32>
  return %c : tensor<2048x256xf32>
}
