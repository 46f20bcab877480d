// RUN: tessera-opt %s --tessera-to-tile=target=nvvm | FileCheck %s

// A reduction over 27 classes of site-major rows: its own launch of
// ceil(1000 / 256) blocks. Each block stages its 256 sites x 32 classes
// through a shared tile padded to 33 columns (consecutive threads load
// consecutive classes of a row; rows past the last site and classes past
// the 27th are clamped), then each thread reduces its own row of the tile
// between two barriers, the state in registers, and finishes max + log sum
// once; the store is guarded, the loads are not (every thread reaches the
// barriers). The running state's fills are gone, and no scratch buffers are
// allocated.
// CHECK-LABEL: func.func @lse(
// CHECK-NOT:     gpu.alloc
// CHECK:         %[[OUT:.*]], %{{.*}} = gpu.alloc async
// CHECK-NOT:     gpu.alloc
// CHECK:         gpu.launch_func async [%{{.*}}] @lse_kernel::@lse_kernel blocks in (%c4, %c1, %c1) threads in (%c256, %c1, %c1)
// CHECK-NOT:     gpu.launch_func
// CHECK:         return %[[OUT]]
// CHECK:       gpu.module @lse_kernel {
// CHECK:         gpu.func @lse_kernel(
// CHECK-DAG:       %[[BLOCK:.*]] = gpu.block_id  x
// CHECK-DAG:       %[[T:.*]] = gpu.thread_id  x
// CHECK-DAG:       %[[TILE:.*]] = memref.get_global @[[STAGE:.*]] : memref<256x33xf32, #gpu.address_space<workgroup>>
// CHECK:           scf.for
// CHECK:             %[[ROW:.*]] = arith.divui
// CHECK:             %[[COL:.*]] = arith.remui
// CHECK:             %[[V:.*]] = memref.load %{{.*}}[%{{.*}}, %{{.*}}] : memref<1000x27xf32>
// CHECK:             memref.store %[[V]], %[[TILE]][%[[ROW]], %[[COL]]]
// CHECK:           gpu.barrier
// CHECK:           %[[R:.*]]:2 = scf.for {{.*}} -> (f32, f32) {
// CHECK:             memref.load %[[TILE]][%[[T]], %{{.*}}]
// CHECK-NOT:         math.log
// CHECK:             scf.yield
// CHECK:           gpu.barrier
// CHECK:           math.log %[[R]]#1 : f32
// CHECK:           scf.if
// CHECK:             memref.store
// CHECK:         memref.global "private" @[[STAGE]] : memref<256x33xf32, #gpu.address_space<workgroup>>
// The host module keeps no workgroup global.
// CHECK-NOT:     #gpu.address_space<workgroup>
#row = affine_map<(d0, d1) -> (d0, d1)>
#site = affine_map<(d0, d1) -> (d0)>
func.func @lse(%a: tensor<1000x27xf32>) -> tensor<1000xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1000xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e : tensor<1000xf32>) -> tensor<1000xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<1000xf32>) -> tensor<1000xf32>
  %r:3 = linalg.generic {indexing_maps = [#row, #site, #site, #site], iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<1000x27xf32>) outs(%m0, %s0, %e : tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>) {
  ^bb0(%in: f32, %m: f32, %s: f32, %unused: f32):
    %nm = arith.maximumf %m, %in : f32
    %d0 = arith.subf %m, %nm : f32
    %d1 = arith.subf %in, %nm : f32
    %e0 = math.exp %d0 : f32
    %e1 = math.exp %d1 : f32
    %t = arith.mulf %s, %e0 : f32
    %ns = arith.addf %t, %e1 : f32
    %l = math.log %ns : f32
    %f = arith.addf %nm, %l : f32
    linalg.yield %nm, %ns, %f : f32, f32, f32
  } -> (tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>)
  return %r#2 : tensor<1000xf32>
}
