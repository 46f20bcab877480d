// RUN: tessera-opt %s --tessera-to-tile="target=nvvm out-params=true" -split-input-file | FileCheck %s
// RUN: tessera-opt %s --tessera-to-tile="target=rocdl out-params=true block-size=64" -split-input-file | FileCheck %s --check-prefix=B64

// A site-parallel op: the 1000x3 loop is collapsed to 3000 points and tiled
// by the block size (12 blocks of 256 threads, a guard for the tail); the
// result goes straight into the caller's buffer, the input is never written.
// CHECK-LABEL: func.func @scale(
// CHECK-SAME:      %[[IN:.*]]: memref<1000x3xf32>, %[[OUT:.*]]: memref<1000x3xf32>)
// CHECK:         %[[T0:.*]] = gpu.wait async
// CHECK:         %[[T1:.*]] = gpu.launch_func async [%[[T0]]] @scale_kernel::@scale_kernel blocks in (%c12, %c1, %c1) threads in (%c256, %c1, %c1) args({{.*}}%[[IN]] : memref<1000x3xf32>, %[[OUT]] : memref<1000x3xf32>)
// CHECK-NEXT:    gpu.wait [%[[T1]]]
// CHECK-NEXT:    return
// CHECK:       gpu.module @scale_kernel
// CHECK:         gpu.func @scale_kernel({{.*}}) kernel attributes {known_block_size = array<i32: 256, 1, 1>, known_grid_size = array<i32: 12, 1, 1>}
// CHECK:           gpu.block_id x
// CHECK:           gpu.thread_id x
// CHECK:           scf.if
// CHECK:             memref.load
// CHECK:             arith.mulf
// CHECK:             memref.store

// B64-LABEL: func.func @scale(
// B64:         gpu.launch_func {{.*}} blocks in (%c47, %c1, %c1) threads in (%c64, %c1, %c1)
func.func @scale(%a: tensor<1000x3xf32>) -> tensor<1000x3xf32> {
  %b = arith.mulf %a, %a : tensor<1000x3xf32>
  return %b : tensor<1000x3xf32>
}

// -----

// A whole-tensor reduction is straight-line buffer code: one thread; the
// scalar the host returns comes back through a one-element device buffer,
// read into a host cell allocated at function entry.
// CHECK-LABEL: func.func @total(
// CHECK:         %[[CELL:.*]] = memref.alloca() : memref<1xf32>
// CHECK:         %[[ACC:.*]], %{{.*}} = gpu.alloc async {{.*}} () : memref<f32>
// CHECK:         %[[DEV:.*]], %{{.*}} = gpu.alloc async {{.*}} () : memref<1xf32>
// CHECK:         %[[L:.*]] = gpu.launch_func async {{.*}} @total_kernel::@total_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
// CHECK:         %[[C:.*]] = gpu.memcpy async [%[[L]]] %[[CELL]], %[[DEV]]
// CHECK:         gpu.wait [%[[C]]]
// CHECK:         %[[V:.*]] = memref.load %[[CELL]]
// CHECK:         gpu.dealloc async {{.*}} %[[ACC]]
// CHECK:         gpu.dealloc async {{.*}} %[[DEV]]
// CHECK:         return %[[V]] : f32
// CHECK:       gpu.func @total_kernel(
// CHECK:         scf.for
// CHECK:           arith.addf
// CHECK:         memref.store {{.*}} : memref<1xf32>
func.func @total(%a: tensor<1000xf32>) -> f32 {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%a : tensor<1000xf32>) outs(%init : tensor<f32>) dimensions = [0]
    (%x: f32, %acc: f32) {
      %y = arith.addf %x, %acc : f32
      linalg.yield %y : f32
    }
  %v = tensor.extract %s[] : tensor<f32>
  return %v : f32
}

// -----

// A constant gets a device copy; an external host function is handed a
// host copy of its (read-only) operand.
// CHECK-LABEL: func.func @show()
// CHECK:         %[[G:.*]] = memref.get_global @__constant_2xf32
// CHECK:         %[[D:.*]], %{{.*}} = gpu.alloc async
// CHECK:         gpu.memcpy async {{.*}} %[[D]], %[[G]]
// CHECK:         gpu.launch_func
// CHECK:         %[[H:.*]] = memref.alloca() : memref<2xf32>
// CHECK:         %[[TH:.*]] = gpu.memcpy async {{.*}} %[[H]], %{{.*}}
// CHECK:         %[[U:.*]] = memref.cast %[[H]] : memref<2xf32> to memref<*xf32>
// CHECK:         gpu.wait [%[[TH]]]
// CHECK-NEXT:    call @printMemrefF32(%[[U]])
// CHECK-NOT:     gpu.memcpy
// CHECK:         return
func.func private @printMemrefF32(memref<*xf32> {bufferization.access = "read"})
func.func @show() {
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %d = arith.addf %c, %c : tensor<2xf32>
  %m = bufferization.to_buffer %d : tensor<2xf32> to memref<2xf32>
  %u = memref.cast %m : memref<2xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

// -----

// Without the read-only marker the host copy goes back to the device.
// CHECK-LABEL: func.func @fill_on_host(
// CHECK:         call @fill
// CHECK-NEXT:    gpu.wait async
// CHECK-NEXT:    gpu.memcpy async
func.func private @fill(memref<*xf32>)
func.func @fill_on_host(%m: memref<4xf32>) {
  %u = memref.cast %m : memref<4xf32> to memref<*xf32>
  call @fill(%u) : (memref<*xf32>) -> ()
  return
}
