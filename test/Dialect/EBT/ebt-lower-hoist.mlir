// RUN: tessera-opt %s --tessera-ebt-lower -split-input-file | FileCheck %s

// By default the energy and gradient calls of the inference loops are
// inlined and what does not depend on the candidates leaves the loops: the
// head's weight (a generic with no inputs) is computed once, before the
// steps, for the gradients and the final energies, and so is the context's
// projection h W (once in the gradient's generalised form, once in the
// energy's); the generated gradient function, now without calls, is gone.
// Then the candidate loops become the same ops over all K candidates: each
// linalg op a leading parallel dim, the projection broadcast along K as
// the matmul's initial value. Between the two contractions of a step, the
// gradient of u * u (its two contributions, their tensor sum and the seed
// they scale) is one elementwise op.
func.func @E(%h: tensor<8x16xf32>, %y: tensor<8x16xf32>) -> tensor<8xf32> {
  %zero = arith.constant 0.0 : f32
  %ew = tensor.empty() : tensor<16x16xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} outs(%ew : tensor<16x16xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %s = arith.addi %i, %j : index
    %si = arith.index_cast %s : index to i64
    %f = arith.sitofp %si : i64 to f32
    %v = math.sin %f : f32
    linalg.yield %v : f32
  } -> tensor<16x16xf32>
  %e = tensor.empty() : tensor<8x16xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %hw = linalg.matmul ins(%h, %w : tensor<8x16xf32>, tensor<16x16xf32>) outs(%z : tensor<8x16xf32>) -> tensor<8x16xf32>
  %u = linalg.matmul ins(%y, %w : tensor<8x16xf32>, tensor<16x16xf32>) outs(%hw : tensor<8x16xf32>) -> tensor<8x16xf32>
  %sq = linalg.mul ins(%u, %u : tensor<8x16xf32>, tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %e1 = tensor.empty() : tensor<8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<8xf32>) -> tensor<8xf32>
  %r = linalg.reduce ins(%sq : tensor<8x16xf32>) outs(%z1 : tensor<8xf32>) dimensions = [1]
    (%a: f32, %b: f32) {
      %t = arith.addf %a, %b : f32
      linalg.yield %t : f32
    }
  return %r : tensor<8xf32>
}

// CHECK-NOT: func.func private @E_grad_y
// CHECK-LABEL: func.func @infer
// CHECK-SAME: (%[[H:.*]]: tensor<8x16xf32>, %[[Y0:.*]]: tensor<4x8x16xf32>
// CHECK: %[[W:.*]] = linalg.generic
// CHECK: math.sin
// CHECK: %[[HW:.*]] = linalg.generic {{.*}} ins(%[[H]], %[[W]] :
// CHECK-NOT: math.sin
// CHECK: scf.for %{{.*}} iter_args(%[[Y:.*]] = %[[Y0]])
// CHECK-NOT: scf.for
// CHECK-NOT: func.call
// CHECK:   %[[HWK:.*]] = linalg.broadcast ins(%[[HW]] : tensor<8x16xf32>) outs(%{{.*}} : tensor<4x8x16xf32>) dimensions = [0]
// CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[Y]], %[[W]] : tensor<4x8x16xf32>, tensor<16x16xf32>) outs(%[[HWK]] :
// CHECK-NOT: arith.addf %{{.*}} : tensor
// CHECK:   %[[DU:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{[^,]*}} : tensor<4x8x16xf32>)
// CHECK-NOT: linalg.generic
// CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%{{.*}}, %[[DU]] :
// CHECK: } {tessera.mapping = "steps"}
// CHECK-NOT: math.sin
// CHECK: %[[HW2:.*]] = linalg.matmul ins(%[[H]], %[[W]] :
// CHECK-NOT: scf.for
// CHECK: linalg.broadcast ins(%[[HW2]] : tensor<8x16xf32>) outs(%{{.*}} : tensor<4x8x16xf32>) dimensions = [0]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.*}} : tensor<4x8x16xf32>) outs(%{{.*}} : tensor<4x8xf32>)
// CHECK-NOT: tessera.mapping = "candidates"
func.func @infer(%h: tensor<8x16xf32>, %y0: tensor<4x8x16xf32>, %t: index, %eta: f32) -> (tensor<4x8x16xf32>, tensor<4x8xf32>) {
  %y, %e = ebt.infer #ebt.policy<sgd> @E(%h, %y0) steps %t eta %eta : (tensor<8x16xf32>, tensor<4x8x16xf32>, index, f32) -> (tensor<4x8x16xf32>, tensor<4x8xf32>)
  return %y, %e : tensor<4x8x16xf32>, tensor<4x8xf32>
}

// -----

// Zero steps (energies before inference): the steps loop folds away before
// any gradient is generated; only the final energies remain.
func.func @E(%h: tensor<8x16xf32>, %y: tensor<8x16xf32>) -> tensor<8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %sq = linalg.mul ins(%y, %h : tensor<8x16xf32>, tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %e1 = tensor.empty() : tensor<8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<8xf32>) -> tensor<8xf32>
  %r = linalg.reduce ins(%sq : tensor<8x16xf32>) outs(%z1 : tensor<8xf32>) dimensions = [1]
    (%a: f32, %b: f32) {
      %t = arith.addf %a, %b : f32
      linalg.yield %t : f32
    }
  return %r : tensor<8xf32>
}
// CHECK-NOT: @E_grad_y
// CHECK-LABEL: func.func @before
// CHECK-NOT: tessera.mapping = "steps"
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.*}} : tensor<4x8x16xf32>) outs(%{{.*}} : tensor<4x8xf32>)
// CHECK: return
func.func @before(%h: tensor<8x16xf32>, %y0: tensor<4x8x16xf32>, %eta: f32) -> (tensor<4x8x16xf32>, tensor<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %y, %e = ebt.infer #ebt.policy<sgd> @E(%h, %y0) steps %c0 eta %eta : (tensor<8x16xf32>, tensor<4x8x16xf32>, index, f32) -> (tensor<4x8x16xf32>, tensor<4x8xf32>)
  return %y, %e : tensor<4x8x16xf32>, tensor<4x8xf32>
}
