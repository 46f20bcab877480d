// RUN: tessera-opt %s --tessera-to-schedule -split-input-file | FileCheck %s

// Flow steps that repeat (same schedule, network, draws form and types)
// share one private step function, called once per step, so that a chain
// of n steps is n calls and not n copies of the step's loops; a step that
// differs (here its schedule) lowers in place.
// CHECK-LABEL: func.func @chain(
// CHECK:         %[[P1:.*]] = call @__bfn_flow_step(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (tensor<8x4xf32>, index, index, i64, i64, tensor<4x4xf32>) -> tensor<8x4xf32>
// CHECK:         %[[P2:.*]] = call @__bfn_flow_step(%[[P1]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
// CHECK:         %[[P3:.*]] = call @__bfn_flow_step(%[[P2]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
// CHECK-NOT:     call @__bfn_flow_step
// CHECK:         call @net(
// CHECK:         return
// CHECK:       func.func private @__bfn_flow_step(%{{.*}}: tensor<8x4xf32>, %{{.*}}: index, %{{.*}}: index, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: tensor<4x4xf32>) -> tensor<8x4xf32>
// CHECK:         call @net(
// CHECK-NOT:   func.func private @__bfn_flow_step
func.func @net(%theta: tensor<8x4xf32>, %t: f32, %w: tensor<4x4xf32>) -> tensor<8x4xf32> {
  return %theta : tensor<8x4xf32>
}
func.func @chain(%w: tensor<4x4xf32>, %seed: i64) -> !bfn.simplex<8x4xf32, log> {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %o1 = arith.constant 0 : i64
  %o2 = arith.constant 1024 : i64
  %o3 = arith.constant 2048 : i64
  %p0 = bfn.prior : !bfn.simplex<8x4xf32, log>
  %p1 = bfn.flow_step %p0 step %c1 of %c4, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o1) network @net(%w) : !bfn.simplex<8x4xf32, log>, index, index, tensor<4x4xf32>
  %p2 = bfn.flow_step %p1 step %c2 of %c4, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o2) network @net(%w) : !bfn.simplex<8x4xf32, log>, index, index, tensor<4x4xf32>
  %p3 = bfn.flow_step %p2 step %c3 of %c4, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o3) network @net(%w) : !bfn.simplex<8x4xf32, log>, index, index, tensor<4x4xf32>
  %p4 = bfn.flow_step %p3 step %c4 of %c4, #bfn.schedule<linear, beta1 = 3.0> rng(%seed, %o3) network @net(%w) : !bfn.simplex<8x4xf32, log>, index, index, tensor<4x4xf32>
  return %p4 : !bfn.simplex<8x4xf32, log>
}

// -----

// Five steps in a chain, the step index and the draws' offset constants in
// arithmetic progression, everything else the same: one loop over the step
// function's calls (step 2 + k, offset 1024 + 1024 k), its result what the
// chain returned.
// CHECK-LABEL: func.func @rolled(
// CHECK-SAME:    %[[W:.*]]: tensor<4x4xf32>, %[[SEED:.*]]: i64)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C5:.*]] = arith.constant 5 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK:         %[[R:.*]] = scf.for %[[K:.*]] = %[[C0]] to %[[C5]] step %[[C1]] iter_args(%[[T:.*]] = %{{.*}}) -> (tensor<8x4xf32>) {
// CHECK:           %[[S:.*]] = arith.addi %[[K]], %{{.*}} : index
// CHECK:           %[[KI:.*]] = arith.index_cast %[[K]] : index to i64
// CHECK:           %[[KO:.*]] = arith.muli %[[KI]], %{{.*}} : i64
// CHECK:           %[[O:.*]] = arith.addi %[[KO]], %{{.*}} : i64
// CHECK:           %[[N:.*]] = func.call @__bfn_flow_step(%[[T]], %[[S]], %{{.*}}, %[[SEED]], %[[O]], %[[W]])
// CHECK:           scf.yield %[[N]]
// CHECK-NOT:     call @__bfn_flow_step
// CHECK:         return %[[R]]
func.func @net(%theta: tensor<8x4xf32>, %t: f32, %w: tensor<4x4xf32>) -> tensor<8x4xf32> {
  return %theta : tensor<8x4xf32>
}
func.func @rolled(%w: tensor<4x4xf32>, %seed: i64) -> tensor<8x4xf32> {
  %n = arith.constant 6 : index
  %p0 = bfn.prior : !bfn.simplex<8x4xf32, log>
  %c2 = arith.constant 2 : index
  %o2 = arith.constant 1024 : i64
  %p1 = bfn.flow_step %p0 step %c2 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o2) network @net(%w) : !bfn.simplex<8x4xf32, log>, index, index, tensor<4x4xf32>
  %c3 = arith.constant 3 : index
  %o3 = arith.constant 2048 : i64
  %p2 = bfn.flow_step %p1 step %c3 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o3) network @net(%w) : !bfn.simplex<8x4xf32, log>, index, index, tensor<4x4xf32>
  %c4 = arith.constant 4 : index
  %o4 = arith.constant 3072 : i64
  %p3 = bfn.flow_step %p2 step %c4 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o4) network @net(%w) : !bfn.simplex<8x4xf32, log>, index, index, tensor<4x4xf32>
  %c5 = arith.constant 5 : index
  %o5 = arith.constant 4096 : i64
  %p4 = bfn.flow_step %p3 step %c5 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o5) network @net(%w) : !bfn.simplex<8x4xf32, log>, index, index, tensor<4x4xf32>
  %c6 = arith.constant 6 : index
  %o6 = arith.constant 5120 : i64
  %p5 = bfn.flow_step %p4 step %c6 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o6) network @net(%w) : !bfn.simplex<8x4xf32, log>, index, index, tensor<4x4xf32>
  %r = bfn.unpack %p5 : !bfn.simplex<8x4xf32, log> -> tensor<8x4xf32>
  return %r : tensor<8x4xf32>
}

// -----

// The draws' offsets are constants but not in progression (and the time
// steps are): the loop reads each step's offset from a constant table.
// CHECK-LABEL: func.func @table(
// CHECK-SAME:    %[[W:.*]]: tensor<4x4xf32>, %[[SEED:.*]]: i64)
// CHECK:         %[[TAB:.*]] = arith.constant dense<[0, 5000, 1024, 77]> : tensor<4xi64>
// CHECK:         scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[T:.*]] = %{{.*}}) -> (tensor<8x4xf32>) {
// CHECK:           %[[S:.*]] = arith.addi %[[K]], %{{.*}} : index
// CHECK:           %[[O:.*]] = tensor.extract %[[TAB]][%[[K]]] : tensor<4xi64>
// CHECK:           func.call @__bfn_flow_step(%[[T]], %[[S]], %{{.*}}, %[[SEED]], %[[O]], %[[W]])
// CHECK-NOT:     call @__bfn_flow_step
func.func @net(%theta: tensor<8x4xf32>, %t: f32, %w: tensor<4x4xf32>) -> tensor<8x4xf32> {
  return %theta : tensor<8x4xf32>
}
func.func @table(%w: tensor<4x4xf32>, %seed: i64) -> tensor<8x4xf32> {
  %n = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %o1 = arith.constant 0 : i64
  %o2 = arith.constant 5000 : i64
  %o3 = arith.constant 1024 : i64
  %o4 = arith.constant 77 : i64
  %p0 = bfn.prior : !bfn.simplex<8x4xf32, log>
  %p1 = bfn.flow_step %p0 step %c1 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o1) network @net(%w) : !bfn.simplex<8x4xf32, log>, index, index, tensor<4x4xf32>
  %p2 = bfn.flow_step %p1 step %c2 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o2) network @net(%w) : !bfn.simplex<8x4xf32, log>, index, index, tensor<4x4xf32>
  %p3 = bfn.flow_step %p2 step %c3 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o3) network @net(%w) : !bfn.simplex<8x4xf32, log>, index, index, tensor<4x4xf32>
  %p4 = bfn.flow_step %p3 step %c4 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o4) network @net(%w) : !bfn.simplex<8x4xf32, log>, index, index, tensor<4x4xf32>
  %r = bfn.unpack %p4 : !bfn.simplex<8x4xf32, log> -> tensor<8x4xf32>
  return %r : tensor<8x4xf32>
}

// -----

// A step whose seed is an argument of its own is not a constant: the chain
// stays written out.
// CHECK-LABEL: func.func @seeds(
// CHECK-NOT:     scf.for
// CHECK-COUNT-4: call @__bfn_flow_step
// CHECK-NOT:     scf.for
// CHECK:         return
func.func @net(%theta: tensor<8x4xf32>, %t: f32, %w: tensor<4x4xf32>) -> tensor<8x4xf32> {
  return %theta : tensor<8x4xf32>
}
func.func @seeds(%w: tensor<4x4xf32>, %s1: i64, %s2: i64) -> tensor<8x4xf32> {
  %n = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %o = arith.constant 0 : i64
  %p0 = bfn.prior : !bfn.simplex<8x4xf32, log>
  %p1 = bfn.flow_step %p0 step %c1 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%s1, %o) network @net(%w) : !bfn.simplex<8x4xf32, log>, index, index, tensor<4x4xf32>
  %p2 = bfn.flow_step %p1 step %c2 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%s1, %o) network @net(%w) : !bfn.simplex<8x4xf32, log>, index, index, tensor<4x4xf32>
  %p3 = bfn.flow_step %p2 step %c3 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%s2, %o) network @net(%w) : !bfn.simplex<8x4xf32, log>, index, index, tensor<4x4xf32>
  %p4 = bfn.flow_step %p3 step %c4 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%s1, %o) network @net(%w) : !bfn.simplex<8x4xf32, log>, index, index, tensor<4x4xf32>
  %r = bfn.unpack %p4 : !bfn.simplex<8x4xf32, log> -> tensor<8x4xf32>
  return %r : tensor<8x4xf32>
}
