// RUN: tessera-opt %s --tessera-ebt-lower -split-input-file -verify-diagnostics | FileCheck %s

// ebt.grad_y becomes a call of @<energy>_grad_y, generated once per energy
// by reverse-mode differentiation; ebt.energy a call of the energy.

// CHECK-LABEL: func.func @E(
func.func @E(%h: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %d = linalg.dot ins(%h, %y : tensor<4xf32>, tensor<4xf32>) outs(%z : tensor<f32>) -> tensor<f32>
  return %d : tensor<f32>
}
// The gradient of h . y with respect to y: a generic that replays h * y and
// returns dE * h, one per operand it reads.
// CHECK-LABEL: func.func private @E_grad_y(%{{.*}}: tensor<4xf32>, %{{.*}}: tensor<4xf32>) -> tensor<4xf32>
// CHECK: linalg.generic
// CHECK: return
// CHECK-LABEL: func.func @use
func.func @use(%h: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<f32>) {
  // CHECK: %[[G1:.*]] = call @E_grad_y(%{{.*}}, %{{.*}}) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: %[[G2:.*]] = call @E_grad_y(
  // CHECK: %[[E:.*]] = call @E(
  // CHECK-NOT: ebt.
  %g1 = ebt.grad_y @E(%h, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g2 = ebt.grad_y @E(%h, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %en = ebt.energy @E(%h, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %g1, %g2, %en : tensor<4xf32>, tensor<4xf32>, tensor<f32>
}

// -----

// A product reduction is neither a sum nor a max/min: rejected.
func.func @Emax(%h: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<f32> {
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%one : f32) outs(%e : tensor<f32>) -> tensor<f32>
  // expected-error @+1 {{tessera-ebt-lower: cannot differentiate a linalg.generic reduction whose combiner is not a sum, max or min}}
  %m = linalg.reduce ins(%y : tensor<4xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%a: f32, %b: f32) {
      %r = arith.mulf %a, %b : f32
      linalg.yield %r : f32
    }
  return %m : tensor<f32>
}
func.func @use(%h: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %g = ebt.grad_y @Emax(%h, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %g : tensor<4xf32>
}

// -----

// An unsupported scalar op in a body is named.
func.func @Eop(%h: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  // expected-error @+1 {{tessera-ebt-lower: cannot differentiate 'math.atan' in the body of this op}}
  %s = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> ()>], iterator_types = ["reduction"]} ins(%y : tensor<4xf32>) outs(%z : tensor<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %t = math.atan %a : f32
    %r = arith.addf %acc, %t : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  return %s : tensor<f32>
}
func.func @use(%h: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %g = ebt.grad_y @Eop(%h, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %g : tensor<4xf32>
}

// -----

// An energy without a body cannot be differentiated.
func.func private @Eext(tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
func.func @use(%h: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %g = ebt.grad_y @Eext(%h, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %g : tensor<4xf32>
}
// expected-error @-5 {{tessera-ebt-lower: energy '@Eext' has no body to differentiate}}

// -----

// tensor.concat: each input's adjoint is its slab of the result's adjoint;
// h (inactive) gets none. Helper calls are inlined into the gradient.
func.func @scaled(%v: tensor<8xf32>) -> tensor<8xf32> {
  %c = arith.constant dense<2.0> : tensor<8xf32>
  %r = arith.mulf %v, %c : tensor<8xf32>
  return %r : tensor<8xf32>
}
func.func @Ecat(%h: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %hy = tensor.concat dim(0) %h, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<8xf32>
  %s = func.call @scaled(%hy) : (tensor<8xf32>) -> tensor<8xf32>
  %e = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %d = linalg.dot ins(%s, %s : tensor<8xf32>, tensor<8xf32>) outs(%z : tensor<f32>) -> tensor<f32>
  return %d : tensor<f32>
}
// CHECK-LABEL: func.func private @Ecat_grad_y
// CHECK-NOT: call
// CHECK: linalg.generic
// CHECK-NOT: tensor.extract_slice
// CHECK: %[[DY:.*]] = tensor.extract_slice %{{.*}}[4] [4] [1] : tensor<8xf32> to tensor<4xf32>
// CHECK-NOT: tensor.extract_slice
// CHECK: return %[[DY]] : tensor<4xf32>
func.func @use(%h: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %g = ebt.grad_y @Ecat(%h, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %g : tensor<4xf32>
}

// -----

// A call of a function without a body cannot be differentiated through.
func.func private @opaque(tensor<4xf32>) -> tensor<4xf32>
func.func @Eopaque(%h: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{tessera-ebt-lower: cannot differentiate through the call of '@opaque' in energy '@Eopaque': the callee must be a func.func with a straight-line body}}
  %v = func.call @opaque(%y) : (tensor<4xf32>) -> tensor<4xf32>
  %e = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %d = linalg.dot ins(%h, %v : tensor<4xf32>, tensor<4xf32>) outs(%z : tensor<f32>) -> tensor<f32>
  return %d : tensor<f32>
}
func.func @use(%h: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %g = ebt.grad_y @Eopaque(%h, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %g : tensor<4xf32>
}

// -----

// Recursion never ends: reported instead of inlined forever.
func.func @loop(%v: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tessera-ebt-lower: calls in energy '@Erec' nest deeper than 32 (recursion?)}}
  %r = func.call @loop(%v) : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
func.func @Erec(%h: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %v = func.call @loop(%y) : (tensor<4xf32>) -> tensor<4xf32>
  %e = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %d = linalg.dot ins(%h, %v : tensor<4xf32>, tensor<4xf32>) outs(%z : tensor<f32>) -> tensor<f32>
  return %d : tensor<f32>
}
func.func @use(%h: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %g = ebt.grad_y @Erec(%h, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %g : tensor<4xf32>
}

// -----

// A bf16 y: E_l = sum_j (y W)_lj with W in bf16 and the contraction in f32.
// Its gradient dE/dy = 1 W^T reduces over j: the adjoint accumulates in an
// f32 tensor (the rounded contribution of the body's extf taken unrounded)
// and is rounded to bf16 once, after the reduction.
// CHECK-LABEL: func.func private @Ebf16_grad_y(%{{.*}}: tensor<4x8xbf16>, %{{.*}}: tensor<4x8xbf16>) -> tensor<4x8xbf16>
// CHECK:         %[[ACC:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK:         %[[G:.*]] = linalg.generic {{.*}} iterator_types = [{{.*}}"reduction"{{.*}}]{{.*}} outs(%[[ACC]] : tensor<4x8xf32>) {
// CHECK:         ^bb0({{.*}}, %[[OUT:.*]]: f32):
// CHECK:           %[[SUM:.*]] = arith.addf %[[OUT]], %{{.*}} : f32
// CHECK:           linalg.yield %[[SUM]] : f32
// CHECK:         } -> tensor<4x8xf32>
// CHECK:         %[[R:.*]] = linalg.generic {{.*}} ins(%[[G]] : tensor<4x8xf32>) outs(%{{.*}} : tensor<4x8xbf16>)
// CHECK:           arith.truncf %{{.*}} : f32 to bf16
// CHECK:         return %[[R]] : tensor<4x8xbf16>
#yw = affine_map<(l, d, j) -> (l, d)>
#w = affine_map<(l, d, j) -> (d, j)>
#u = affine_map<(l, d, j) -> (l, j)>
func.func @Ebf16(%h: tensor<4x8xbf16>, %y: tensor<4x8xbf16>) -> tensor<4xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<8x16xbf16>
  %e = tensor.empty() : tensor<4x16xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %u = linalg.generic {indexing_maps = [#yw, #w, #u], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%y, %w : tensor<4x8xbf16>, tensor<8x16xbf16>) outs(%z : tensor<4x16xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  %e1 = tensor.empty() : tensor<4xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.reduce ins(%u : tensor<4x16xf32>) outs(%z1 : tensor<4xf32>) dimensions = [1]
    (%x: f32, %acc: f32) {
      %t = arith.addf %x, %acc : f32
      linalg.yield %t : f32
    }
  return %r : tensor<4xf32>
}
func.func @use(%h: tensor<4x8xbf16>, %y: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  %g = ebt.grad_y @Ebf16(%h, %y) : (tensor<4x8xbf16>, tensor<4x8xbf16>) -> tensor<4x8xbf16>
  return %g : tensor<4x8xbf16>
}

// -----

// Fast-math flags carry over to the derivative: the ops of an adjoint take
// the flags of the op they differentiate (silu's exp and division let
// approximate, `afn`, make their adjoints' division and products `afn`
// too); an op without flags gives its adjoint none.
// CHECK-LABEL: func.func private @Esilu_grad_y
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel"]
// CHECK:           %[[EX:.*]] = math.exp %{{.*}} fastmath<afn> : f32
// CHECK:           %[[DEN:.*]] = arith.addf %[[EX]], %{{.*}} : f32
// CHECK:           %[[R:.*]] = arith.divf %{{.*}}, %[[DEN]] fastmath<afn> : f32
// CHECK:           %[[G:.*]] = arith.divf %{{.*}}, %[[DEN]] fastmath<afn> : f32
// CHECK:           %[[GR:.*]] = arith.mulf %[[G]], %[[R]] fastmath<afn> : f32
// CHECK:           %[[NGR:.*]] = arith.negf %[[GR]] fastmath<afn> : f32
// CHECK:           %[[DEX:.*]] = arith.mulf %[[NGR]], %[[EX]] fastmath<afn> : f32
// CHECK:           %[[NEG:.*]] = arith.negf %[[DEX]] : f32
// CHECK:           arith.addf %[[G]], %[[NEG]] : f32
func.func @Esilu(%h: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> ()>], iterator_types = ["reduction"]}
      ins(%y : tensor<4xf32>) outs(%z : tensor<f32>) {
  ^bb0(%x: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %nx = arith.negf %x : f32
    %ex = math.exp %nx fastmath<afn> : f32
    %den = arith.addf %ex, %one : f32
    %v = arith.divf %x, %den fastmath<afn> : f32
    %s = arith.addf %o, %v : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}
func.func @use(%h: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %g = ebt.grad_y @Esilu(%h, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %g : tensor<4xf32>
}
