// RUN: tessera-opt %s %cpu_pipeline | %run_cpu | FileCheck %s
// RUN: tessera-opt %s --tessera-to-schedule | FileCheck %s --check-prefix=IR

// A chain of six written-out flow steps whose draws' offsets are constants
// out of progression runs as one loop reading the offsets from a table
// (@rolled); the same six steps with the chain cut in two by an extra use
// of step 3's result stay six calls (@cut). Both draw the same Philox
// streams, so the parameters agree bit for bit, and differ from the chain
// with the last two offsets swapped (@swapped).
// IR-LABEL: func.func @rolled(
// IR:         arith.constant dense<[0, 5000, 1024, 77, 9999, 300]> : tensor<6xi64>
// IR:         scf.for
// IR-COUNT-1:   call @__bfn_flow_step
// IR:         return
// IR-LABEL: func.func @swapped(
// IR:         arith.constant dense<[0, 5000, 1024, 77, 300, 9999]> : tensor<6xi64>
// IR:         scf.for
// IR-LABEL: func.func @cut(
// IR-NOT:     scf.for
// IR-COUNT-6: call @__bfn_flow_step
// IR-NOT:     scf.for
// IR:         return

func.func private @tesseraCheckTensor(tensor<*xf32> {bufferization.access = "read"}, tensor<*xf64> {bufferization.access = "read"}, f64, i64) attributes {llvm.emit_c_interface}
func.func private @tessera_check_eq(i64, i64, i64)

func.func @net(%theta: tensor<64x4xf32>, %t: f32, %w: tensor<4x4xf32>) -> tensor<64x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<64x4xf32>) -> tensor<64x4xf32>
  %l = linalg.matmul ins(%theta, %w : tensor<64x4xf32>, tensor<4x4xf32>) outs(%z : tensor<64x4xf32>) -> tensor<64x4xf32>
  return %l : tensor<64x4xf32>
}

func.func @rolled(%w: tensor<4x4xf32>, %seed: i64) -> tensor<64x4xf32> {
  %n = arith.constant 6 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %c6 = arith.constant 6 : index
  %o1 = arith.constant 0 : i64
  %o2 = arith.constant 5000 : i64
  %o3 = arith.constant 1024 : i64
  %o4 = arith.constant 77 : i64
  %o5 = arith.constant 9999 : i64
  %o6 = arith.constant 300 : i64
  %p0 = bfn.prior : !bfn.simplex<64x4xf32, log>
  %p1 = bfn.flow_step %p0 step %c1 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o1) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %p2 = bfn.flow_step %p1 step %c2 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o2) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %p3 = bfn.flow_step %p2 step %c3 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o3) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %p4 = bfn.flow_step %p3 step %c4 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o4) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %p5 = bfn.flow_step %p4 step %c5 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o5) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %p6 = bfn.flow_step %p5 step %c6 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o6) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %r = bfn.unpack %p6 : !bfn.simplex<64x4xf32, log> -> tensor<64x4xf32>
  return %r : tensor<64x4xf32>
}

func.func @swapped(%w: tensor<4x4xf32>, %seed: i64) -> tensor<64x4xf32> {
  %n = arith.constant 6 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %c6 = arith.constant 6 : index
  %o1 = arith.constant 0 : i64
  %o2 = arith.constant 5000 : i64
  %o3 = arith.constant 1024 : i64
  %o4 = arith.constant 77 : i64
  %o5 = arith.constant 300 : i64
  %o6 = arith.constant 9999 : i64
  %p0 = bfn.prior : !bfn.simplex<64x4xf32, log>
  %p1 = bfn.flow_step %p0 step %c1 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o1) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %p2 = bfn.flow_step %p1 step %c2 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o2) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %p3 = bfn.flow_step %p2 step %c3 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o3) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %p4 = bfn.flow_step %p3 step %c4 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o4) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %p5 = bfn.flow_step %p4 step %c5 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o5) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %p6 = bfn.flow_step %p5 step %c6 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o6) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %r = bfn.unpack %p6 : !bfn.simplex<64x4xf32, log> -> tensor<64x4xf32>
  return %r : tensor<64x4xf32>
}

func.func @cut(%w: tensor<4x4xf32>, %seed: i64) -> (tensor<64x4xf32>, tensor<64x4xf32>) {
  %n = arith.constant 6 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %c6 = arith.constant 6 : index
  %o1 = arith.constant 0 : i64
  %o2 = arith.constant 5000 : i64
  %o3 = arith.constant 1024 : i64
  %o4 = arith.constant 77 : i64
  %o5 = arith.constant 9999 : i64
  %o6 = arith.constant 300 : i64
  %p0 = bfn.prior : !bfn.simplex<64x4xf32, log>
  %p1 = bfn.flow_step %p0 step %c1 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o1) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %p2 = bfn.flow_step %p1 step %c2 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o2) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %p3 = bfn.flow_step %p2 step %c3 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o3) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %p4 = bfn.flow_step %p3 step %c4 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o4) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %p5 = bfn.flow_step %p4 step %c5 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o5) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %p6 = bfn.flow_step %p5 step %c6 of %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %o6) network @net(%w) : !bfn.simplex<64x4xf32, log>, index, index, tensor<4x4xf32>
  %r3 = bfn.unpack %p3 : !bfn.simplex<64x4xf32, log> -> tensor<64x4xf32>
  %r = bfn.unpack %p6 : !bfn.simplex<64x4xf32, log> -> tensor<64x4xf32>
  return %r3, %r : tensor<64x4xf32>, tensor<64x4xf32>
}

func.func @main() {
  %w = arith.constant dense<[[1.5, -0.5, 0.2, 0.0], [0.3, 2.0, -1.0, 0.4], [-0.7, 0.1, 1.2, 0.9], [0.0, 0.6, -0.3, 1.8]]> : tensor<4x4xf32>
  %seed = arith.constant 31337 : i64
  %a = call @rolled(%w, %seed) : (tensor<4x4xf32>, i64) -> tensor<64x4xf32>
  %b3, %b = call @cut(%w, %seed) : (tensor<4x4xf32>, i64) -> (tensor<64x4xf32>, tensor<64x4xf32>)
  %c = call @swapped(%w, %seed) : (tensor<4x4xf32>, i64) -> tensor<64x4xf32>
  %bw = arith.extf %b : tensor<64x4xf32> to tensor<64x4xf64>
  %ua = tensor.cast %a : tensor<64x4xf32> to tensor<*xf32>
  %ub = tensor.cast %bw : tensor<64x4xf64> to tensor<*xf64>
  %zero = arith.constant 0.0 : f64
  %i1 = arith.constant 1 : i64
  // CHECK: check 1: ok
  call @tesseraCheckTensor(%ua, %ub, %zero, %i1) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  // Swapped offsets draw differently, so the check above can fail.
  %i2 = arith.constant 2 : i64
  %cw = arith.extf %c : tensor<64x4xf32> to tensor<64x4xf64>
  %uc = tensor.cast %cw : tensor<64x4xf64> to tensor<*xf64>
  // CHECK: check 2: FAIL element
  call @tesseraCheckTensor(%ua, %uc, %zero, %i2) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  return
}
