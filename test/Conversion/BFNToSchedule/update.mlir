// RUN: tessera-opt %s --tessera-to-schedule -split-input-file | FileCheck %s

// The Gaussian update is one elementwise op with both outputs; a batched
// accuracy is indexed by the leading site dims only.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @gaussian
// CHECK-SAME: (%[[MU:.*]]: tensor<4x8xf32>, %[[RHO:.*]]: tensor<4x8xf32>, %[[Y:.*]]: tensor<4x8xf32>, %[[A:.*]]: tensor<4xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK: %[[U:.*]]:2 = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]], #[[B]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[MU]], %[[RHO]], %[[Y]], %[[A]] :
// CHECK-NOT: linalg.generic
// CHECK: return %[[U]]#0, %[[U]]#1
func.func @gaussian(%g: !bfn.gauss<4x8xf32>, %y: tensor<4x8xf32>, %a: tensor<4x!bfn.accuracy>) -> !bfn.gauss<4x8xf32> {
  %u = bfn.bayes_update %g, %y, %a : !bfn.gauss<4x8xf32>, tensor<4x8xf32>, tensor<4x!bfn.accuracy>
  return %u : !bfn.gauss<4x8xf32>
}

// -----

// The categorical update normalises in log space: ln theta + y, one online
// (max, sum-exp) pass over K, then the normalised log-probabilities.
// CHECK-LABEL: func.func @categorical
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: math.log
// CHECK: arith.subf
// CHECK-NOT: math.exp
// CHECK: linalg.yield
func.func @categorical(%p: !bfn.simplex<8x27xf32, log>, %y: tensor<8x27xf32>) -> !bfn.simplex<8x27xf32, log> {
  %u = bfn.bayes_update %p, %y : !bfn.simplex<8x27xf32, log>, tensor<8x27xf32>
  return %u : !bfn.simplex<8x27xf32, log>
}

// -----

// On logits the categorical update is one elementwise add: no reduction,
// no normalisation.
// CHECK-LABEL: func.func @categorical_logits
// CHECK-SAME: (%[[P:.*]]: tensor<8x27xf32>, %[[Y:.*]]: tensor<8x27xf32>)
// CHECK: %[[U:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[P]], %[[Y]] :
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.addf
// CHECK-NEXT: linalg.yield
// CHECK-NOT: linalg.generic
// CHECK: return %[[U]]
func.func @categorical_logits(%p: !bfn.simplex<8x27xf32, logits>, %y: tensor<8x27xf32>) -> !bfn.simplex<8x27xf32, logits> {
  %u = bfn.bayes_update %p, %y : !bfn.simplex<8x27xf32, logits>, tensor<8x27xf32>
  return %u : !bfn.simplex<8x27xf32, logits>
}

// -----

// Readers normalise logits once, with the same two-pass log-softmax, before
// the fused receiver + KL (which stays one op).
// CHECK-LABEL: func.func @kl_of_logits
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: math.log
// CHECK: arith.subf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-NOT: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
func.func @kl_of_logits(%x: tensor<8xi32>, %p: !bfn.simplex<8x27xf32, logits>, %a: !bfn.accuracy, %y: tensor<8x27xf32>) -> tensor<8xf32> {
  %s = bfn.sender %x, %a : tensor<8xi32>, !bfn.accuracy -> !bfn.sender<categorical, 8x27xf32>
  %r = bfn.receiver %p, %a : !bfn.simplex<8x27xf32, logits>, !bfn.accuracy -> !bfn.receiver<categorical, 8x27xf32>
  %l = bfn.kl %s, %r at %y : !bfn.sender<categorical, 8x27xf32>, !bfn.receiver<categorical, 8x27xf32>, tensor<8x27xf32> -> tensor<8xf32>
  return %l : tensor<8xf32>
}

// -----

// The prior on logits is zero.
// CHECK-LABEL: func.func @prior_logits
// CHECK: arith.constant dense<0.000000e+00> : tensor<8x4xf32>
func.func @prior_logits() -> !bfn.simplex<8x4xf32, logits> {
  %p = bfn.prior : !bfn.simplex<8x4xf32, logits>
  return %p : !bfn.simplex<8x4xf32, logits>
}

// -----

// Function boundaries: !bfn.gauss is two tensors, !bfn.accuracy an f32,
// !bfn.simplex its storage tensor; calls and returns follow.
// CHECK-LABEL: func.func @callee(%{{.*}}: tensor<8xf16>, %{{.*}}: tensor<8xf16>, %{{.*}}: f32, %{{.*}}: tensor<8x4xbf16>) -> (tensor<8xf16>, tensor<8xf16>, f32)
func.func @callee(%g: !bfn.gauss<8xf16>, %a: !bfn.accuracy, %p: !bfn.simplex<8x4xbf16>) -> (!bfn.gauss<8xf16>, !bfn.accuracy) {
  return %g, %a : !bfn.gauss<8xf16>, !bfn.accuracy
}
// CHECK-LABEL: func.func @caller
// CHECK: call @callee(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (tensor<8xf16>, tensor<8xf16>, f32, tensor<8x4xbf16>) -> (tensor<8xf16>, tensor<8xf16>, f32)
func.func @caller(%g: !bfn.gauss<8xf16>, %a: !bfn.accuracy, %p: !bfn.simplex<8x4xbf16>) -> !bfn.gauss<8xf16> {
  %r, %b = call @callee(%g, %a, %p) : (!bfn.gauss<8xf16>, !bfn.accuracy, !bfn.simplex<8x4xbf16>) -> (!bfn.gauss<8xf16>, !bfn.accuracy)
  return %r : !bfn.gauss<8xf16>
}

// -----

// Parameters carried by a loop are converted with it.
// CHECK-LABEL: func.func @loop
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<8xf32>, tensor<8xf32>)
func.func @loop(%g: !bfn.gauss<8xf32>, %y: tensor<8xf32>, %a: !bfn.accuracy, %n: index) -> !bfn.gauss<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%t = %g) -> (!bfn.gauss<8xf32>) {
    %u = bfn.bayes_update %t, %y, %a : !bfn.gauss<8xf32>, tensor<8xf32>, !bfn.accuracy
    scf.yield %u : !bfn.gauss<8xf32>
  }
  return %r : !bfn.gauss<8xf32>
}

// -----

// Schedule values are computed in f64 and rounded once.
// CHECK-LABEL: func.func @alpha(%{{.*}}: index, %{{.*}}: index) -> f32
// CHECK: math.expm1 %{{.*}} : f64
// CHECK: arith.truncf %{{.*}} : f64 to f32
func.func @alpha(%i: index, %n: index) -> !bfn.accuracy {
  %a = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%i of %n) : index, index -> !bfn.accuracy
  return %a : !bfn.accuracy
}

// -----

// The prior is a constant: -ln K in log space, (0, 1) for Gaussian parameters.
// CHECK-LABEL: func.func @prior
// CHECK-DAG: arith.constant dense<-1.38629{{[0-9]*}}> : tensor<8x4xf32>
// CHECK-DAG: arith.constant dense<0.000000e+00> : tensor<8xf32>
// CHECK-DAG: arith.constant dense<1.000000e+00> : tensor<8xf32>
func.func @prior() -> (!bfn.simplex<8x4xf32, log>, !bfn.gauss<8xf32>) {
  %p = bfn.prior : !bfn.simplex<8x4xf32, log>
  %g = bfn.prior : !bfn.gauss<8xf32>
  return %p, %g : !bfn.simplex<8x4xf32, log>, !bfn.gauss<8xf32>
}
