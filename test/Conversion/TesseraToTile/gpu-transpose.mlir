// RUN: tessera-opt %s --tessera-to-tile=target=nvvm -split-input-file | FileCheck %s

// The gradient of a matmul through W: out[l, d] = sum_f g[l, f] W[d, f]
// reads W with the reduction innermost and the lanes (d) strided. W is
// read once per row l (16 rows), so it is transposed once and the
// contraction's threads read W^T[f, d] with consecutive d.
// CHECK-LABEL: gpu.func @grad_kernel(
// CHECK-SAME: %[[W:.*]]: memref<32x64xf32>, %[[WT:.*]]: memref<64x32xf32>
// CHECK: memref.load %[[W]][%[[D:.*]], %[[F:.*]]] : memref<32x64xf32>
// CHECK: memref.store %{{.*}}, %[[WT]][%[[F]], %[[D]]] : memref<64x32xf32>
// CHECK-LABEL: gpu.func @grad_kernel_0(
// CHECK-SAME: %[[G:.*]]: memref<16x64xf32>, %[[T:.*]]: memref<64x32xf32>
// CHECK: scf.for %[[K:.*]] = %c0 to %c64
// CHECK: memref.load %[[G]][%{{.*}}, %[[K]]] : memref<16x64xf32>
// CHECK: memref.load %[[T]][%[[K]], %{{.*}}] : memref<64x32xf32>
#out = affine_map<(l, f, d) -> (l, d)>
#w = affine_map<(l, f, d) -> (d, f)>
#g = affine_map<(l, f, d) -> (l, f)>
func.func @grad(%g: tensor<16x64xf32>, %w: tensor<32x64xf32>) -> tensor<16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<16x32xf32>) -> tensor<16x32xf32>
  %r = linalg.generic {indexing_maps = [#g, #w, #out], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%g, %w : tensor<16x64xf32>, tensor<32x64xf32>) outs(%z : tensor<16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x32xf32>
  return %r : tensor<16x32xf32>
}

// -----

// Two rows: W is read twice, a copy would not pay off; it stays as is.
// CHECK-LABEL: gpu.func @two_rows_kernel(
// CHECK-SAME: %{{.*}}: memref<2x64xf32>, %[[W:.*]]: memref<32x64xf32>
// CHECK: scf.for %[[K:.*]] = %c0 to %c64
// CHECK: memref.load %[[W]][%{{.*}}, %[[K]]] : memref<32x64xf32>
// CHECK-NOT: gpu.func
#out = affine_map<(l, f, d) -> (l, d)>
#w = affine_map<(l, f, d) -> (d, f)>
#g = affine_map<(l, f, d) -> (l, f)>
func.func @two_rows(%g: tensor<2x64xf32>, %w: tensor<32x64xf32>) -> tensor<2x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x32xf32>) -> tensor<2x32xf32>
  %r = linalg.generic {indexing_maps = [#g, #w, #out], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%g, %w : tensor<2x64xf32>, tensor<32x64xf32>) outs(%z : tensor<2x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x32xf32>
  return %r : tensor<2x32xf32>
}
