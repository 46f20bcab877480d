// RUN: tessera-opt %s --tessera-to-tile=target=nvvm -split-input-file | FileCheck %s

// The gradient of a matmul through W, scaled per row: out[l, d] = sum_f
// g[l, f] W[d, f] s[l] reads W with the reduction innermost and the lanes
// (d) strided. Three operands are no tiled contraction
// (gpu-tiled-contraction.mlir); with 256 x 256 outputs a thread each fills
// the GPU, and W is read once per row l, so it is transposed once and the
// contraction's threads read W^T[f, d] with consecutive d.
// CHECK-LABEL: gpu.func @grad_kernel(
// CHECK-SAME: %[[W:.*]]: memref<256x64xf32>, %[[WT:.*]]: memref<64x256xf32>
// CHECK: memref.load %[[W]][%[[D:.*]], %[[F:.*]]] : memref<256x64xf32>
// CHECK: memref.store %{{.*}}, %[[WT]][%[[F]], %[[D]]] : memref<64x256xf32>
// CHECK-LABEL: gpu.func @grad_kernel_0(
// CHECK-SAME: %[[G:arg[0-9]+]]: memref<256x64xf32>, %[[T:arg[0-9]+]]: memref<64x256xf32>
// CHECK: scf.for %[[K:.*]] = %c0 to %c64
// CHECK: memref.load %[[G]][%{{.*}}, %[[K]]] : memref<256x64xf32>
// CHECK: memref.load %[[T]][%[[K]], %{{.*}}] : memref<64x256xf32>
#out = affine_map<(l, f, d) -> (l, d)>
#w = affine_map<(l, f, d) -> (d, f)>
#g = affine_map<(l, f, d) -> (l, f)>
#s = affine_map<(l, f, d) -> (l)>
func.func @grad(%g: tensor<256x64xf32>, %w: tensor<256x64xf32>, %s: tensor<256xf32>) -> tensor<256x256xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<256x256xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<256x256xf32>) -> tensor<256x256xf32>
  %r = linalg.generic {indexing_maps = [#g, #w, #s, #out], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%g, %w, %s : tensor<256x64xf32>, tensor<256x64xf32>, tensor<256xf32>) outs(%z : tensor<256x256xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %n = arith.mulf %m, %c : f32
    %t = arith.addf %o, %n : f32
    linalg.yield %t : f32
  } -> tensor<256x256xf32>
  return %r : tensor<256x256xf32>
}

// -----

// Two rows: W is read twice, a copy would not pay off; it stays as is.
// CHECK-LABEL: gpu.func @two_rows_kernel(
// CHECK-SAME: %{{.*}}: memref<2x64xf32>, %[[W:.*]]: memref<20000x64xf32>
// CHECK: scf.for %[[K:.*]] = %c0 to %c64
// CHECK: memref.load %[[W]][%{{.*}}, %[[K]]] : memref<20000x64xf32>
// CHECK-NOT: gpu.func
#out = affine_map<(l, f, d) -> (l, d)>
#w = affine_map<(l, f, d) -> (d, f)>
#g = affine_map<(l, f, d) -> (l, f)>
func.func @two_rows(%g: tensor<2x64xf32>, %w: tensor<20000x64xf32>) -> tensor<2x20000xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x20000xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x20000xf32>) -> tensor<2x20000xf32>
  %r = linalg.generic {indexing_maps = [#g, #w, #out], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%g, %w : tensor<2x64xf32>, tensor<20000x64xf32>) outs(%z : tensor<2x20000xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x20000xf32>
  return %r : tensor<2x20000xf32>
}

// -----

// 16 x 128 outputs over 512: a thread each would leave the GPU nearly idle
// (2048 threads), so a warp per output splits the reduction (lane l sums
// f = 4l .. 4l + 3, 4l + 128 .., reading W[d, f] and g[l, f] along f four
// at a time), merged by xor shuffles; the output index is delinearised
// from the warp's site, and lane 0 writes. W is not transposed.
// CHECK-LABEL: gpu.func @small_kernel(
// CHECK-SAME: %[[G:.*]]: memref<16x512xf32>, %[[W:.*]]: memref<128x512xf32>, %[[O:.*]]: memref<16x128xf32>
// CHECK-SAME: known_block_size = array<i32: 32, 8, 1>, known_grid_size = array<i32: 256, 1, 1>
// CHECK: %[[D:.*]] = arith.remui %{{.*}}, %c128
// CHECK: %[[L:.*]] = arith.divui %{{.*}}, %c128
// CHECK: scf.for %[[F:.*]] = %{{.*}} to %c512 step %c128
// CHECK: vector.load %[[G]][%[[L]], %[[F]]] {alignment = 16 : i64} : memref<16x512xf32>, vector<4xf32>
// CHECK: vector.load %[[W]][%[[D]], %[[F]]] {alignment = 16 : i64} : memref<128x512xf32>, vector<4xf32>
// CHECK: gpu.shuffle xor
// CHECK: memref.store %{{.*}}, %[[O]][%[[L]], %[[D]]]
#out = affine_map<(l, f, d) -> (l, d)>
#w = affine_map<(l, f, d) -> (d, f)>
#g = affine_map<(l, f, d) -> (l, f)>
func.func @small(%g: tensor<16x512xf32>, %w: tensor<128x512xf32>) -> tensor<16x128xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x128xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<16x128xf32>) -> tensor<16x128xf32>
  %r = linalg.generic {indexing_maps = [#g, #w, #out], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%g, %w : tensor<16x512xf32>, tensor<128x512xf32>) outs(%z : tensor<16x128xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x128xf32>
  return %r : tensor<16x128xf32>
}

// -----

// The same split followed by the sgd update y - 0.1 G (the EBT step): the
// update runs in the same kernel, where lane 0 writes each output, from
// the merged sum in registers; G itself is never stored.
// CHECK-LABEL: func.func @step(
// CHECK:         gpu.launch_func
// CHECK-NOT:     gpu.launch_func
// CHECK-LABEL: gpu.func @step_kernel(
// CHECK-SAME: %[[G:.*]]: memref<16x512xf32>, %[[W:.*]]: memref<128x512xf32>, %[[Y:.*]]: memref<16x128xf32>, %[[O:.*]]: memref<16x128xf32>
// CHECK: %[[D:.*]] = arith.remui %{{.*}}, %c128
// CHECK: %[[L:.*]] = arith.divui %{{.*}}, %c128
// CHECK: scf.for %{{.*}} = %{{.*}} to %c512 step %c128
// CHECK: vector.load %[[G]]
// CHECK: vector.load %[[W]]
// CHECK: gpu.shuffle xor
// CHECK: scf.if
// CHECK:   %[[YV:.*]] = memref.load %[[Y]][%[[L]], %[[D]]]
// CHECK:   %[[T:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK:   %[[N:.*]] = arith.subf %[[YV]], %[[T]] : f32
// CHECK:   memref.store %[[N]], %[[O]][%[[L]], %[[D]]]
// CHECK-NOT: memref.store
// CHECK: gpu.return
func.func @step(%g: tensor<16x512xf32>, %w: tensor<128x512xf32>, %y: tensor<16x128xf32>) -> tensor<16x128xf32> {
  %zero = arith.constant 0.0 : f32
  %eta = arith.constant 0.1 : f32
  %e = tensor.empty() : tensor<16x128xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<16x128xf32>) -> tensor<16x128xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(l, f, d) -> (l, f)>, affine_map<(l, f, d) -> (d, f)>, affine_map<(l, f, d) -> (l, d)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%g, %w : tensor<16x512xf32>, tensor<128x512xf32>) outs(%z : tensor<16x128xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x128xf32>
  %e2 = tensor.empty() : tensor<16x128xf32>
  %u = linalg.generic {indexing_maps = [affine_map<(l, d) -> (l, d)>, affine_map<(l, d) -> (l, d)>, affine_map<(l, d) -> (l, d)>], iterator_types = ["parallel", "parallel"]}
      ins(%y, %r : tensor<16x128xf32>, tensor<16x128xf32>) outs(%e2 : tensor<16x128xf32>) {
  ^bb0(%yv: f32, %gv: f32, %o: f32):
    %t = arith.mulf %eta, %gv : f32
    %n = arith.subf %yv, %t : f32
    linalg.yield %n : f32
  } -> tensor<16x128xf32>
  return %u : tensor<16x128xf32>
}
