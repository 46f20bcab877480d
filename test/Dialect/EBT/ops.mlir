// RUN: tessera-opt %s | tessera-opt | FileCheck %s
// RUN: tessera-opt %s --mlir-print-op-generic | tessera-opt | FileCheck %s

// Round trip of every ebt attribute and op, with an MLP energy head
// (relu) and a bilinear head written in upstream ops.

// CHECK-LABEL: func.func @mlp
// CHECK: %{{.*}} = arith.constant dense<0.000000e+00> : tensor<2x16xf32>
// CHECK: return %{{.*}} : tensor<2x16xf32>
func.func @mlp(%h: tensor<2x16x64xf32>, %y: tensor<2x16x32xf32>) -> tensor<2x16xf32> {
  %c = arith.constant dense<0.0> : tensor<2x16xf32>
  return %c : tensor<2x16xf32>
}
// CHECK-LABEL: func.func @proposal
// CHECK: %{{.*}} = arith.constant dense<0.000000e+00> : tensor<2x16x32xf32>
// CHECK: return %{{.*}} : tensor<2x16x32xf32>
func.func @proposal(%x: tensor<2x16x64xf32>) -> tensor<2x16x32xf32> {
  %c = arith.constant dense<0.0> : tensor<2x16x32xf32>
  return %c : tensor<2x16x32xf32>
}
// CHECK-LABEL: func.func @all
// CHECK: %{{.*}} = ebt.decode_init noise %{{.*}} rng(%{{.*}}, %{{.*}}) {scale = 2.000000e+00 : f64} : tensor<2x16x64xf32> -> tensor<4x2x16x32xf32>
// CHECK: %{{.*}} = ebt.decode_init base @proposal %{{.*}} : tensor<2x16x64xf32> -> tensor<4x2x16x32xf32>
// CHECK: %{{.*}} = ebt.decode_init zeros %{{.*}} : tensor<2x16x64xf32> -> tensor<4x2x16x32xf32>
// CHECK: %{{.*}} = ebt.energy @mlp(%{{.*}}, %{{.*}}) : (tensor<2x16x64xf32>, tensor<2x16x32xf32>) -> tensor<2x16xf32>
// CHECK: %{{.*}} = ebt.grad_y @mlp(%{{.*}}, %{{.*}}) : (tensor<2x16x64xf32>, tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
// CHECK: %{{.*}} = ebt.inner_step #ebt.policy<sgd>(%{{.*}}, %{{.*}}, %{{.*}}) : tensor<2x16x32xf32>, f32
// CHECK: %{{.*}} = ebt.inner_step #ebt.policy<langevin, sigma = 5.000000e-01>(%{{.*}}, %{{.*}}, %{{.*}}) rng(%{{.*}}, %{{.*}}) : tensor<2x16x32xf32>, f32
// CHECK: %{{.*}} = ebt.inner_step #ebt.policy<langevin, placement = ula, temperature = 2.500000e-01>(%{{.*}}, %{{.*}}, %{{.*}}) draws(%{{.*}} : tensor<2x16x32xf32>) : tensor<2x16x32xf32>, f32
// CHECK: %{{.*}} = ebt.inner_step #ebt.policy<coordinate, cyclic>(%{{.*}}, %{{.*}}, %{{.*}}) step %{{.*}} : tensor<2x16x32xf32>, f32
// CHECK: %{{.*}} = ebt.inner_step #ebt.policy<simplex, sigma = 1.000000e+00>(%{{.*}}, %{{.*}}, %{{.*}}) rng(%{{.*}}, %{{.*}}) : tensor<2x16x32xf32>, f32
// CHECK: %{{.*}}, %{{.*}} = ebt.argmin %{{.*}} : tensor<4x2x16xf32> -> tensor<2x16xf32>, tensor<2x16xindex>
// CHECK: %{{.*}} = ebt.select %{{.*}}[%{{.*}}] : tensor<4x2x16x32xf32>, tensor<2x16xindex> -> tensor<2x16x32xf32>
// CHECK: %{{.*}} = ebt.self_verify token %{{.*}}, %{{.*}} : tensor<4x2x16xf32>, tensor<4x2x16x32xf32> -> tensor<2x16x32xf32>
// CHECK: %{{.*}} = ebt.self_verify sequence %{{.*}}, %{{.*}} : tensor<4x2x16xf32>, tensor<4x2x16x32xf32> -> tensor<2x16x32xf32>
// CHECK: %{{.*}}, %{{.*}} = ebt.infer #ebt.policy<sgd> @mlp(%{{.*}}, %{{.*}}) steps %{{.*}} eta %{{.*}} verify token : (tensor<2x16x64xf32>, tensor<4x2x16x32xf32>, index, f32) -> (tensor<2x16x32xf32>, tensor<4x2x16xf32>)
// CHECK: %{{.*}}, %{{.*}} = ebt.infer #ebt.policy<langevin, sigma = 1.000000e+00> @mlp(%{{.*}}, %{{.*}}) steps %{{.*}} eta %{{.*}} rng(%{{.*}}, %{{.*}}) : (tensor<2x16x64xf32>, tensor<4x2x16x32xf32>, index, f32, i64, i64) -> (tensor<4x2x16x32xf32>, tensor<4x2x16xf32>)
// CHECK: %{{.*}} = ebt.inner_step #ebt.policy<langevin, sigma = 1.000000e+00>(%{{.*}}, %{{.*}}, %{{.*}}) sigma %{{.*}} rng(%{{.*}}, %{{.*}}) : tensor<2x16x32xf32>, f32
// CHECK: %{{.*}}, %{{.*}} = ebt.infer #ebt.policy<langevin, sigma = 1.000000e+00> @mlp(%{{.*}}, %{{.*}}) steps %{{.*}} eta %{{.*}} sigma %{{.*}} verify sequence rng(%{{.*}}, %{{.*}}) : (tensor<2x16x64xf32>, tensor<?x2x16x32xf32>, index, f32, f32, i64, i64) -> (tensor<2x16x32xf32>, tensor<?x2x16xf32>)
// CHECK: return
func.func @all(%x: tensor<2x16x64xf32>, %y: tensor<2x16x32xf32>, %seed: i64, %off: i64, %eta: f32, %T: index, %ys: tensor<4x2x16x32xf32>, %e: tensor<4x2x16xf32>, %t: index, %xi: tensor<2x16x32xf32>, %sigma: f32, %yk: tensor<?x2x16x32xf32>) {
  %y0 = ebt.decode_init noise %x rng(%seed, %off) {scale = 2.0 : f64} : tensor<2x16x64xf32> -> tensor<4x2x16x32xf32>
  %z0 = ebt.decode_init base @proposal %x : tensor<2x16x64xf32> -> tensor<4x2x16x32xf32>
  %z1 = ebt.decode_init zeros %x : tensor<2x16x64xf32> -> tensor<4x2x16x32xf32>
  %en = ebt.energy @mlp(%x, %y) : (tensor<2x16x64xf32>, tensor<2x16x32xf32>) -> tensor<2x16xf32>
  %g = ebt.grad_y @mlp(%x, %y) : (tensor<2x16x64xf32>, tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %y1 = ebt.inner_step #ebt.policy<sgd>(%y, %g, %eta) : tensor<2x16x32xf32>, f32
  %y2 = ebt.inner_step #ebt.policy<langevin, sigma = 0.5>(%y, %g, %eta) rng(%seed, %off) : tensor<2x16x32xf32>, f32
  %y3 = ebt.inner_step #ebt.policy<langevin, placement = ula, temperature = 0.25>(%y, %g, %eta) draws(%xi : tensor<2x16x32xf32>) : tensor<2x16x32xf32>, f32
  %y4 = ebt.inner_step #ebt.policy<coordinate, cyclic>(%y, %g, %eta) step %t : tensor<2x16x32xf32>, f32
  %y5 = ebt.inner_step #ebt.policy<simplex, sigma = 1.0>(%y, %g, %eta) rng(%seed, %off) : tensor<2x16x32xf32>, f32
  %min, %k = ebt.argmin %e : tensor<4x2x16xf32> -> tensor<2x16xf32>, tensor<2x16xindex>
  %sel = ebt.select %ys[%k] : tensor<4x2x16x32xf32>, tensor<2x16xindex> -> tensor<2x16x32xf32>
  %best = ebt.self_verify token %e, %ys : tensor<4x2x16xf32>, tensor<4x2x16x32xf32> -> tensor<2x16x32xf32>
  %bs = ebt.self_verify sequence %e, %ys : tensor<4x2x16xf32>, tensor<4x2x16x32xf32> -> tensor<2x16x32xf32>
  %yb, %eb = ebt.infer #ebt.policy<sgd> @mlp(%x, %y0) steps %T eta %eta verify token : (tensor<2x16x64xf32>, tensor<4x2x16x32xf32>, index, f32) -> (tensor<2x16x32xf32>, tensor<4x2x16xf32>)
  %ya, %ea = ebt.infer #ebt.policy<langevin, sigma = 1.0> @mlp(%x, %y0) steps %T eta %eta rng(%seed, %off) : (tensor<2x16x64xf32>, tensor<4x2x16x32xf32>, index, f32, i64, i64) -> (tensor<4x2x16x32xf32>, tensor<4x2x16xf32>)
  %y6 = ebt.inner_step #ebt.policy<langevin, sigma = 1.0>(%y, %g, %eta) sigma %sigma rng(%seed, %off) : tensor<2x16x32xf32>, f32
  %yr, %er = ebt.infer #ebt.policy<langevin, sigma = 1.0> @mlp(%x, %yk) steps %T eta %eta sigma %sigma verify sequence rng(%seed, %off) : (tensor<2x16x64xf32>, tensor<?x2x16x32xf32>, index, f32, f32, i64, i64) -> (tensor<2x16x32xf32>, tensor<?x2x16xf32>)
  return
}
