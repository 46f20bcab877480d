// RUN: tessera-opt %s --tessera-to-schedule -split-input-file -verify-diagnostics | FileCheck %s

// A custom schedule without 'rate = @fn' gets alpha(t) = dbeta/dt from the
// compiler: one derivative function per beta function, built by reverse mode
// next to it, and called where the rate is needed (bfn.rate and the
// continuous-time loss alike).
// CHECK-LABEL: func.func @beta
// CHECK: func.func private @beta_rate(%[[T:.*]]: f32) -> f32
// CHECK-DAG: math.expm1 %[[T]]
// CHECK-DAG: math.tanh %[[T]]
// CHECK: return
// CHECK-NOT: func.func private @beta_rate
// CHECK-LABEL: func.func @rates
// CHECK: call @beta_rate
// CHECK: call @beta_rate
// CHECK-NOT: call @beta(
// CHECK: return
func.func @beta(%t: f32) -> f32 {
  %e = math.expm1 %t : f32
  %h = math.tanh %t : f32
  %s = arith.addf %e, %h : f32
  return %s : f32
}
func.func @rates(%t: f32, %u: f32) -> (f32, f32) {
  %r = bfn.rate #bfn.schedule<custom, beta1 = 2.48, beta = @beta>(%t) : f32 -> f32
  %q = bfn.rate #bfn.schedule<custom, beta1 = 2.48, beta = @beta>(%u) : f32 -> f32
  return %r, %q : f32, f32
}

// -----

// A rate the user names is used as is.
// CHECK-LABEL: func.func @given
// CHECK: call @r(
// CHECK-NOT: func.func private @b_rate
func.func private @b(f32) -> f32
func.func private @r(f32) -> f32
func.func @given(%t: f32) -> f32 {
  %r = bfn.rate #bfn.schedule<custom, beta1 = 1.0, beta = @b, rate = @r>(%t) : f32 -> f32
  return %r : f32
}

// -----

// A beta without a body has no derivative to form.
func.func private @ext(f32) -> f32
func.func @ext_rate(%t: f32) -> f32 {
  // expected-error @+1 {{tessera-to-schedule: cannot differentiate '@ext': it needs a straight-line body}}
  %r = bfn.rate #bfn.schedule<custom, beta1 = 1.0, beta = @ext>(%t) : f32 -> f32
  return %r : f32
}

// -----

// Every op in beta needs a derivative rule.
func.func @atan_beta(%t: f32) -> f32 {
  %a = math.atan %t : f32
  return %a : f32
}
func.func @loss(%x: tensor<4xf32>, %xh: tensor<4xf32>, %t: f32) -> tensor<4xf32> {
  // expected-error @+1 {{tessera-to-schedule: cannot differentiate 'math.atan' in '@atan_beta'}}
  %l = bfn.continuous_loss %x, %xh at #bfn.schedule<custom, beta1 = 1.0, beta = @atan_beta>(%t) {reduction = #bfn.reduction<none>} : tensor<4xf32>, tensor<4xf32>, f32 -> tensor<4xf32>
  return %l : tensor<4xf32>
}

// -----

// Branches are not differentiated.
func.func @branchy(%t: f32) -> f32 {
  %z = arith.constant 0.5 : f32
  %c = arith.cmpf olt, %t, %z : f32
  %r = scf.if %c -> f32 {
    scf.yield %t : f32
  } else {
    scf.yield %z : f32
  }
  return %r : f32
}
func.func @branchy_rate(%t: f32) -> f32 {
  // expected-error @+1 {{tessera-to-schedule: cannot differentiate '@branchy': it needs a straight-line body}}
  %r = bfn.rate #bfn.schedule<custom, beta1 = 0.5, beta = @branchy>(%t) : f32 -> f32
  return %r : f32
}
