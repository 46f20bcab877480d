// RUN: tessera-opt %s --tessera-to-tile=target=cpu | FileCheck %s

// Site loops with enough work (2^15 steps or more, or unknown bounds) are
// OpenMP worksharing loops; smaller ones run sequentially, without a fork.
// Bodies keep no alloca scope (scf-to-cf would split it).

// CHECK-LABEL: func.func @big(
// CHECK:         omp.parallel {
// CHECK-NEXT:      omp.wsloop {
// CHECK-NEXT:        omp.loop_nest (%{{.*}}, %{{.*}}) : index = (%{{.*}}, %{{.*}}) to (%c1048576, %c27) step (%c1, %c16) collapse(2) {
// CHECK:               vector.maskedload
// CHECK-NOT:           memref.alloca_scope
// CHECK:               omp.yield
// CHECK-LABEL: func.func @small(
// CHECK-NOT:     omp.
// CHECK:         scf.for %{{.*}} = %{{.*}} to %c37
// CHECK:           scf.for %{{.*}} = %{{.*}} to %c27 step %c16
// CHECK-LABEL: func.func @dynamic(
// CHECK:         %[[N:.*]] = memref.dim
// CHECK:         omp.parallel {
// CHECK:           omp.loop_nest (%{{.*}}) : index = (%{{.*}}) to (%[[N]]) step (%c16)
func.func @big(%a: tensor<1048576x27xf32>, %b: tensor<1048576x27xf32>) -> tensor<1048576x27xf32> {
  %r = arith.addf %a, %b : tensor<1048576x27xf32>
  return %r : tensor<1048576x27xf32>
}
func.func @small(%a: tensor<37x27xf32>, %b: tensor<37x27xf32>) -> tensor<37x27xf32> {
  %r = arith.addf %a, %b : tensor<37x27xf32>
  return %r : tensor<37x27xf32>
}
func.func @dynamic(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %r = arith.addf %a, %b : tensor<?xf32>
  return %r : tensor<?xf32>
}

// A small loop nested in a small loop: both sequential, the inner rebuilt
// before the outer clones it.
// CHECK-LABEL: func.func @nested(
// CHECK-NOT:     scf.parallel
// CHECK:         scf.for %[[I:.*]] = %{{.*}} to %c4
// CHECK-NEXT:      scf.for %[[J:.*]] = %{{.*}} to %c8
// CHECK-NEXT:        memref.store %{{.*}}, %{{.*}}[%[[I]], %[[J]]]
// CHECK-NOT:     scf.parallel
func.func @nested(%m: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
      memref.store %one, %m[%i, %j] : memref<4x8xf32>
    }
  }
  return
}
