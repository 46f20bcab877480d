// RUN: tessera-opt %s --tessera-ebt-lower=inline-energy=false -split-input-file | FileCheck %s

// ebt.infer: an scf.for over the steps and, inside, one over the candidates
// for the gradients, each with its mapping attribute; the update is one
// fused elementwise linalg.generic; final energies per candidate; the
// self-verification a min-reduce over K and a gather.

func.func @E(%h: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %d = linalg.dot ins(%y, %y : tensor<4xf32>, tensor<4xf32>) outs(%z : tensor<f32>) -> tensor<f32>
  return %d : tensor<f32>
}
// CHECK-LABEL: func.func @infer
// CHECK-SAME: (%[[H:.*]]: tensor<4xf32>, %[[Y0:.*]]: tensor<3x4xf32>, %[[T:.*]]: index, %[[ETA:.*]]: f32)
// CHECK: %[[Y:.*]] = scf.for %{{.*}} = %{{.*}} to %[[T]] step %{{.*}} iter_args(%[[YT:.*]] = %[[Y0]]) -> (tensor<3x4xf32>) {
// CHECK:   %[[G:.*]] = scf.for %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (tensor<3x4xf32>) {
// CHECK:     func.call @E_grad_y(%[[H]], %{{.*}}) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK:     tensor.insert_slice
// CHECK:   } {tessera.mapping = "candidates"}
// CHECK:   %[[NEXT:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[YT]], %[[G]], %[[ETA]] : tensor<3x4xf32>, tensor<3x4xf32>, f32)
// CHECK:     arith.mulf
// CHECK:     arith.subf
// CHECK:   scf.yield %[[NEXT]]
// CHECK: } {tessera.mapping = "steps"}
// CHECK: scf.for
// CHECK:   func.call @E(%[[H]], %{{.*}})
// CHECK: } {tessera.mapping = "candidates"}
// Min-reduce over K with the lowest index on ties, then the gather.
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction"]
// CHECK:   arith.cmpf olt
// CHECK:   arith.cmpf oeq
// CHECK:   arith.cmpi ult
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel"]
// CHECK:   tensor.extract %[[Y]]
// CHECK-NOT: ebt.
func.func @infer(%h: tensor<4xf32>, %y0: tensor<3x4xf32>, %t: index, %eta: f32) -> (tensor<4xf32>, tensor<3xf32>) {
  %y, %e = ebt.infer #ebt.policy<sgd> @E(%h, %y0) steps %t eta %eta verify token : (tensor<4xf32>, tensor<3x4xf32>, index, f32) -> (tensor<4xf32>, tensor<3xf32>)
  return %y, %e : tensor<4xf32>, tensor<3xf32>
}

// -----

// Langevin with a Philox key: the noise of step t is drawn in the loop at
// offset + t * (K * C), the same numbers as draws(...) of shape T x K x C.
func.func @E(%h: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %d = linalg.dot ins(%y, %y : tensor<4xf32>, tensor<4xf32>) outs(%z : tensor<f32>) -> tensor<f32>
  return %d : tensor<f32>
}
// CHECK-LABEL: func.func @langevin
// CHECK: %[[PER:.*]] = arith.constant 8 : i64
// CHECK: scf.for %[[STEP:arg[0-9]+]] = 
// CHECK:   %[[TI:.*]] = arith.index_cast %[[STEP]] : index to i64
// CHECK:   %[[DT:.*]] = arith.muli %[[TI]], %[[PER]] : i64
// CHECK:   arith.addi %{{.*}}, %[[DT]] : i64
// CHECK:   linalg.generic
// CHECK:     arith.xori
func.func @langevin(%h: tensor<4xf32>, %y0: tensor<2x4xf32>, %t: index, %eta: f32, %s: i64, %o: i64) -> tensor<2x4xf32> {
  %y, %e = ebt.infer #ebt.policy<langevin, sigma = 0.5> @E(%h, %y0) steps %t eta %eta rng(%s, %o) : (tensor<4xf32>, tensor<2x4xf32>, index, f32, i64, i64) -> (tensor<2x4xf32>, tensor<2xf32>)
  return %y : tensor<2x4xf32>
}

// -----

// A run-time K and noise std: step t draws K x 4 normals at
// offset + t (4 K); the noise enters the update as sigma xi.
func.func @E(%h: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %d = linalg.dot ins(%y, %y : tensor<4xf32>, tensor<4xf32>) outs(%z : tensor<f32>) -> tensor<f32>
  return %d : tensor<f32>
}
// CHECK-LABEL: func.func @runtime_k_sigma
// CHECK-SAME: %[[Y0:arg1]]: tensor<?x4xf32>
// CHECK-SAME: %[[SIG:arg4]]: f32
// CHECK: %[[K:.*]] = tensor.dim %[[Y0]], %c0
// CHECK: %[[KI:.*]] = arith.index_cast %[[K]] : index to i64
// CHECK: %[[PER:.*]] = arith.muli %[[KI]], %c4_i64 : i64
// CHECK: scf.for %[[STEP:arg[0-9]+]] = {{.*}} iter_args(%[[Y:.*]] = %[[Y0]]) -> (tensor<?x4xf32>)
// CHECK:   %[[TI:.*]] = arith.index_cast %[[STEP]] : index to i64
// CHECK:   arith.muli %[[TI]], %[[PER]] : i64
// CHECK:   tensor.empty(%[[K]]) : tensor<?x4xf32>
// CHECK:   linalg.generic
// CHECK:     arith.xori
// CHECK:   linalg.generic
// CHECK:     arith.mulf %{{.*}}, %[[SIG]] : f32
// CHECK:   scf.for {{.*}} -> (tensor<?x4xf32>)
// CHECK:   linalg.generic
// CHECK:     %[[N:.*]] = arith.mulf %{{.*}}, %[[SIG]] : f32
// CHECK:     %[[Q:.*]] = arith.addf %{{.*}}, %[[N]] : f32
// CHECK:     arith.subf %[[Q]], %{{.*}} : f32
// CHECK: } {tessera.mapping = "steps"}
func.func @runtime_k_sigma(%h: tensor<4xf32>, %y0: tensor<?x4xf32>, %t: index, %eta: f32, %sigma: f32, %s: i64, %o: i64) -> tensor<?x4xf32> {
  %y, %e = ebt.infer #ebt.policy<langevin, sigma = 1.0> @E(%h, %y0) steps %t eta %eta sigma %sigma rng(%s, %o) : (tensor<4xf32>, tensor<?x4xf32>, index, f32, f32, i64, i64) -> (tensor<?x4xf32>, tensor<?xf32>)
  return %y : tensor<?x4xf32>
}
