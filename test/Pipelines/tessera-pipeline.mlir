// RUN: tessera-opt %s --tessera-pipeline=stop-after=graph | FileCheck %s --check-prefix=GRAPH
// RUN: tessera-opt %s --tessera-pipeline=stop-after=schedule | FileCheck %s --check-prefix=SCHEDULE
// RUN: not tessera-opt %s --tessera-pipeline="target=opencl" 2>&1 | FileCheck %s --check-prefix=BADTARGET
// RUN: not tessera-opt %s --tessera-pipeline="stop-after=llvm" 2>&1 | FileCheck %s --check-prefix=BADSTAGE
// RUN: tessera-opt %s --tessera-pipeline="target=nvvm chip=sm_90 stop-after=graph" --dump-pass-pipeline 2>&1 | FileCheck %s --check-prefix=PIPE

// The graph stage folds and normalises; the Schedule stage leaves only
// upstream dialects.

// GRAPH-LABEL: func.func @step
// GRAPH: bfn.accuracy_constant 5.625000e-01
// GRAPH-NOT: bfn.alpha
// GRAPH: ebt.argmin
// GRAPH: ebt.select
// SCHEDULE-LABEL: func.func @step
// SCHEDULE-SAME: -> (f32, tensor<2x3xf32>)
// SCHEDULE: arith.constant 5.625000e-01 : f32
// SCHEDULE: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// SCHEDULE: linalg.generic
// SCHEDULE-NOT: bfn.
// SCHEDULE-NOT: ebt.
// BADTARGET: tessera-pipeline: unknown target 'opencl' or stop-after 'target'
// BADSTAGE: tessera-pipeline: unknown target 'cpu' or stop-after 'llvm'
// PIPE: tessera-bfn-canonicalize
// PIPE-NEXT: tessera-ebt-canonicalize
// PIPE-NEXT: canonicalize
// PIPE-NEXT: cse
// PIPE-NEXT: )
func.func @step(%e: tensor<4x2xf32>, %y: tensor<4x2x3xf32>) -> (!bfn.accuracy, tensor<2x3xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %a = bfn.alpha #bfn.schedule<paper_discrete, beta1 = 9.0>(%c1 of %c4) : index, index -> !bfn.accuracy
  %b = ebt.self_verify token %e, %y : tensor<4x2xf32>, tensor<4x2x3xf32> -> tensor<2x3xf32>
  return %a, %b : !bfn.accuracy, tensor<2x3xf32>
}
