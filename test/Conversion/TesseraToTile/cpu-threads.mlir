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
