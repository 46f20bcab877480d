// RUN: tessera-opt %s --tessera-to-schedule -split-input-file | FileCheck %s

// Receiver + KL are ONE linalg op per step: a single pass over the alphabet
// that carries the max-shifted log-sum-exp (running max m, rescaled sum s,
// one exp per class), picks y_x, and yields y_x - (m + log s) as its last
// output: the op's result is the per-site KL. No K x K tensor, no
// materialised receiver, no second op.

// CHECK-DAG: #[[SK:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[S:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @categorical_kl
// CHECK-SAME: (%[[X:.*]]: tensor<16x8xi32>, %[[A:.*]]: f32, %[[LOGP:.*]]: tensor<16x8x27xf32>, %[[Y:.*]]: tensor<16x8x27xf32>) -> tensor<16x8xf32>
// CHECK-NOT: linalg.generic
// CHECK: %[[R:.*]]:4 = linalg.generic {indexing_maps = [#[[S]], #[[SK]], #[[SK]], #[[S]], #[[S]], #[[S]], #[[S]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[Y]], %[[LOGP]] : tensor<16x8xi32>, tensor<16x8x27xf32>, tensor<16x8x27xf32>)
// CHECK-SAME: outs({{.*}} : tensor<16x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>)
// CHECK: ^bb0(%{{.*}}: i32, %[[YK:.*]]: f32, %{{.*}}: f32, %[[M:.*]]: f32, %[[SUM:.*]]: f32, %[[YX:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[K:.*]] = linalg.index 2 : index
// CHECK: %[[V:.*]] = arith.addf %{{.*}}, %[[YK]] : f32
// CHECK: %[[MX:.*]] = arith.maximumf %[[M]], %[[V]] : f32
// CHECK: %[[D:.*]] = arith.subf %[[V]], %[[M]] : f32
// CHECK: %[[AD:.*]] = math.absf %[[D]] : f32
// CHECK: %[[ND:.*]] = arith.negf %[[AD]] : f32
// CHECK: %[[E:.*]] = math.exp %[[ND]] : f32
// CHECK-NOT: math.exp
// CHECK: arith.cmpi eq, %[[K]]
// CHECK: %[[L:.*]] = math.log %[[NS:.*]] : f32
// CHECK: %[[LSE:.*]] = arith.addf %[[MX]], %[[L]] : f32
// CHECK: %[[KL:.*]] = arith.subf %{{.*}}, %[[LSE]] : f32
// CHECK: linalg.yield %[[MX]], %[[NS]], %{{.*}}, %[[KL]] : f32, f32, f32, f32
// CHECK-NOT: linalg.generic
// CHECK-NOT: 27x27
// CHECK: return %[[R]]#3
func.func @categorical_kl(%x: tensor<16x8xi32>, %a: !bfn.accuracy, %p: !bfn.simplex<16x8x27xf32, log>, %y: tensor<16x8x27xf32>) -> tensor<16x8xf32> {
  %s = bfn.sender %x, %a : tensor<16x8xi32>, !bfn.accuracy -> !bfn.sender<categorical, 16x8x27xf32>
  %r = bfn.receiver %p, %a : !bfn.simplex<16x8x27xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 16x8x27xf32>
  %kl = bfn.kl %s, %r at %y : !bfn.sender<categorical, 16x8x27xf32>, !bfn.receiver<categorical, 16x8x27xf32>, tensor<16x8x27xf32> -> tensor<16x8xf32>
  return %kl : tensor<16x8xf32>
}

// -----

// bf16 storage: the simplex is widened to fp32 inside the fused op.
// CHECK-LABEL: func.func @categorical_kl_bf16
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: ^bb0(%{{.*}}: i32, %{{.*}}: f32, %[[LP:.*]]: bf16, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK: arith.extf %[[LP]] : bf16 to f32
func.func @categorical_kl_bf16(%x: tensor<64xi32>, %a: !bfn.accuracy, %p: !bfn.simplex<64x256xbf16, log>, %y: tensor<64x256xf32>) -> tensor<64xf32> {
  %s = bfn.sender %x, %a : tensor<64xi32>, !bfn.accuracy -> !bfn.sender<categorical, 64x256xf32>
  %r = bfn.receiver %p, %a : !bfn.simplex<64x256xbf16, log>, !bfn.accuracy -> !bfn.receiver<categorical, 64x256xf32>
  %kl = bfn.kl %s, %r at %y : !bfn.sender<categorical, 64x256xf32>, !bfn.receiver<categorical, 64x256xf32>, tensor<64x256xf32> -> tensor<64xf32>
  return %kl : tensor<64xf32>
}

// -----

// The Gaussian KL is exact and elementwise: (alpha / 2)(x - x_hat)^2.
// CHECK-LABEL: func.func @gaussian_kl
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel"]
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @gaussian_kl(%x: tensor<32xf32>, %a: !bfn.accuracy, %xh: tensor<32xf32>) -> tensor<32xf32> {
  %s = bfn.sender %x, %a : tensor<32xf32>, !bfn.accuracy -> !bfn.sender<gaussian, 32xf32>
  %r = bfn.receiver %xh, %a : tensor<32xf32>, !bfn.accuracy -> !bfn.receiver<gaussian, 32xf32>
  %kl = bfn.kl %s, %r : !bfn.sender<gaussian, 32xf32>, !bfn.receiver<gaussian, 32xf32> -> tensor<32xf32>
  return %kl : tensor<32xf32>
}

// -----

// The discretised KL is one op reducing over the bins as well.
// CHECK-LABEL: func.func @discretized_kl
// CHECK-NOT: linalg.generic
// CHECK: %[[R:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: math.log1p
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]#1
func.func @discretized_kl(%x: tensor<32xf32>, %a: !bfn.accuracy, %p: !bfn.simplex<32x16xf32, log>, %y: tensor<32xf32>) -> tensor<32xf32> {
  %s = bfn.sender %x, %a : tensor<32xf32>, !bfn.accuracy -> !bfn.sender<discretized<16>, 32xf32>
  %r = bfn.receiver %p, %a : !bfn.simplex<32x16xf32, log>, !bfn.accuracy -> !bfn.receiver<discretized<16>, 32xf32>
  %kl = bfn.kl %s, %r at %y : !bfn.sender<discretized<16>, 32xf32>, !bfn.receiver<discretized<16>, 32xf32>, tensor<32xf32> -> tensor<32xf32>
  return %kl : tensor<32xf32>
}
