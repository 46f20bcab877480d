// RUN: tessera-opt %s %cpu_pipeline | %run_cpu | FileCheck %s

// docs/bfn-math.md G11: sampling traces with fixed draws and stand-in
// networks. Discrete: K = 3, n = 2, beta1 = 0.5625, p_O := theta (the
// network returns ln theta as logits), class draws u = (0.5, 0.9), normals
// eps1 = (0.1, 0.2, -0.3), eps2 = (-0.4, 0.5, 0); final mode = class 2.
// Continuous: sigma1 = 0.1, n = 2, eps_hat := 0, normals (0.5, -1);
// final x_hat = 0.0708400709, and rho_n = sigma1^-2 = 100 exactly.

func.func private @tessera_check_close(f32, f64, f64, i64)
func.func private @tessera_check_eq(i64, i64, i64)
func.func private @tesseraCheckTensor(tensor<*xf32> {bufferization.access = "read"}, tensor<*xf64> {bufferization.access = "read"}, f64, i64) attributes {llvm.emit_c_interface}

// p_O := theta.
func.func @log_net(%theta: tensor<1x3xf32>, %t: f32) -> tensor<1x3xf32> {
  %e = tensor.empty() : tensor<1x3xf32>
  %l = linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%theta : tensor<1x3xf32>) outs(%e : tensor<1x3xf32>) {
  ^bb0(%p: f32, %o: f32):
    %v = math.log %p : f32
    linalg.yield %v : f32
  } -> tensor<1x3xf32>
  return %l : tensor<1x3xf32>
}

// eps_hat := 0.
func.func @zero_net(%mu: tensor<1xf32>, %t: f32) -> tensor<1xf32> {
  %z = arith.constant dense<0.0> : tensor<1xf32>
  return %z : tensor<1xf32>
}

func.func @discrete_steps(%u: tensor<2x1xf32>, %eps: tensor<2x1x3xf32>) -> (tensor<1x3xf32>, tensor<1x3xf32>, tensor<1xi32>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c0 = arith.constant 0 : index
  %p0 = bfn.prior : !bfn.simplex<1x3xf32, log>
  %u1 = tensor.extract_slice %u[0, 0] [1, 1] [1, 1] : tensor<2x1xf32> to tensor<1xf32>
  %e1 = tensor.extract_slice %eps[0, 0, 0] [1, 1, 3] [1, 1, 1] : tensor<2x1x3xf32> to tensor<1x3xf32>
  %u2 = tensor.extract_slice %u[1, 0] [1, 1] [1, 1] : tensor<2x1xf32> to tensor<1xf32>
  %e2 = tensor.extract_slice %eps[1, 0, 0] [1, 1, 3] [1, 1, 1] : tensor<2x1x3xf32> to tensor<1x3xf32>
  %p1 = bfn.flow_step %p0 step %c1 of %c2, #bfn.schedule<paper_discrete, beta1 = 0.5625> draws(%u1, %e1 : tensor<1xf32>, tensor<1x3xf32>) network @log_net() : !bfn.simplex<1x3xf32, log>, index, index
  %p2 = bfn.flow_step %p1 step %c2 of %c2, #bfn.schedule<paper_discrete, beta1 = 0.5625> draws(%u2, %e2 : tensor<1xf32>, tensor<1x3xf32>) network @log_net() : !bfn.simplex<1x3xf32, log>, index, index
  %q1 = bfn.simplex_cast %p1 : !bfn.simplex<1x3xf32, log> to !bfn.simplex<1x3xf32>
  %q2 = bfn.simplex_cast %p2 : !bfn.simplex<1x3xf32, log> to !bfn.simplex<1x3xf32>
  %t1 = bfn.unpack %q1 : !bfn.simplex<1x3xf32> -> tensor<1x3xf32>
  %t2 = bfn.unpack %q2 : !bfn.simplex<1x3xf32> -> tensor<1x3xf32>
  // The whole loop at once, with the same draws stacked over the steps.
  %x = bfn.generate %p0 steps %c2, #bfn.schedule<paper_discrete, beta1 = 0.5625> draws(%u, %eps : tensor<2x1xf32>, tensor<2x1x3xf32>) network @log_net() : !bfn.simplex<1x3xf32, log>, index -> tensor<1xi32>
  return %t1, %t2, %x : tensor<1x3xf32>, tensor<1x3xf32>, tensor<1xi32>
}

// The same trace on logits: the updates skip the normalisation, the
// network still sees probabilities.
func.func @logits_steps(%u: tensor<2x1xf32>, %eps: tensor<2x1x3xf32>) -> (tensor<1x3xf32>, tensor<1xi32>) {
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  %p0 = bfn.prior : !bfn.simplex<1x3xf32, logits>
  %u1 = tensor.extract_slice %u[0, 0] [1, 1] [1, 1] : tensor<2x1xf32> to tensor<1xf32>
  %e1 = tensor.extract_slice %eps[0, 0, 0] [1, 1, 3] [1, 1, 1] : tensor<2x1x3xf32> to tensor<1x3xf32>
  %u2 = tensor.extract_slice %u[1, 0] [1, 1] [1, 1] : tensor<2x1xf32> to tensor<1xf32>
  %e2 = tensor.extract_slice %eps[1, 0, 0] [1, 1, 3] [1, 1, 1] : tensor<2x1x3xf32> to tensor<1x3xf32>
  %p1 = bfn.flow_step %p0 step %c1 of %c2, #bfn.schedule<paper_discrete, beta1 = 0.5625> draws(%u1, %e1 : tensor<1xf32>, tensor<1x3xf32>) network @log_net() : !bfn.simplex<1x3xf32, logits>, index, index
  %p2 = bfn.flow_step %p1 step %c2 of %c2, #bfn.schedule<paper_discrete, beta1 = 0.5625> draws(%u2, %e2 : tensor<1xf32>, tensor<1x3xf32>) network @log_net() : !bfn.simplex<1x3xf32, logits>, index, index
  %q2 = bfn.simplex_cast %p2 : !bfn.simplex<1x3xf32, logits> to !bfn.simplex<1x3xf32>
  %t2 = bfn.unpack %q2 : !bfn.simplex<1x3xf32> -> tensor<1x3xf32>
  %x = bfn.generate %p0 steps %c2, #bfn.schedule<paper_discrete, beta1 = 0.5625> draws(%u, %eps : tensor<2x1xf32>, tensor<2x1x3xf32>) network @log_net() : !bfn.simplex<1x3xf32, logits>, index -> tensor<1xi32>
  return %t2, %x : tensor<1x3xf32>, tensor<1xi32>
}

// final = sample (paper): the class is drawn from p_O(theta_n; 1) = theta_n
// = (0.1024, 0.4586, 0.4390) with the last uniform: u = 0.05, 0.3, 0.99 ->
// classes 1, 2, 3 (0-based 0, 1, 2).
func.func @final_sample(%u: tensor<2x1xf32>, %eps: tensor<2x1x3xf32>, %uf: tensor<1xf32>) -> i64 {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %p0 = bfn.prior : !bfn.simplex<1x3xf32, log>
  %x = bfn.generate %p0 steps %c2, #bfn.schedule<paper_discrete, beta1 = 0.5625> draws(%u, %eps, %uf : tensor<2x1xf32>, tensor<2x1x3xf32>, tensor<1xf32>) network @log_net() attributes {final = #bfn.final<sample>} : !bfn.simplex<1x3xf32, log>, index -> tensor<1xi32>
  %v = tensor.extract %x[%c0] : tensor<1xi32>
  %w = arith.extsi %v : i32 to i64
  return %w : i64
}

func.func @continuous(%eps: tensor<2x1xf32>) -> (tensor<1xf32>, f32, f32) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c0 = arith.constant 0 : index
  %g0 = bfn.prior : !bfn.gauss<1xf32>
  %x = bfn.generate %g0 steps %c2, #bfn.schedule<paper_cts, sigma1 = 0.1> draws(%eps : tensor<2x1xf32>) network @zero_net() : !bfn.gauss<1xf32>, index -> tensor<1xf32>
  %e1 = tensor.extract_slice %eps[0, 0] [1, 1] [1, 1] : tensor<2x1xf32> to tensor<1xf32>
  %e2 = tensor.extract_slice %eps[1, 0] [1, 1] [1, 1] : tensor<2x1xf32> to tensor<1xf32>
  %g1 = bfn.flow_step %g0 step %c1 of %c2, #bfn.schedule<paper_cts, sigma1 = 0.1> draws(%e1 : tensor<1xf32>) network @zero_net() : !bfn.gauss<1xf32>, index, index
  %g2 = bfn.flow_step %g1 step %c2 of %c2, #bfn.schedule<paper_cts, sigma1 = 0.1> draws(%e2 : tensor<1xf32>) network @zero_net() : !bfn.gauss<1xf32>, index, index
  %mu, %rho = bfn.unpack %g2 : !bfn.gauss<1xf32> -> tensor<1xf32>, tensor<1xf32>
  %m = tensor.extract %mu[%c0] : tensor<1xf32>
  %r = tensor.extract %rho[%c0] : tensor<1xf32>
  return %x, %m, %r : tensor<1xf32>, f32, f32
}

func.func @main() {
  %rtol = arith.constant 1.0e-5 : f64
  %c0 = arith.constant 0 : index
  %u = arith.constant dense<[[0.5], [0.9]]> : tensor<2x1xf32>
  %eps = arith.constant dense<[[[0.1, 0.2, -0.3]], [[-0.4, 0.5, 0.0]]]> : tensor<2x1x3xf32>
  %t1, %t2, %x = call @discrete_steps(%u, %eps) : (tensor<2x1xf32>, tensor<2x1x3xf32>) -> (tensor<1x3xf32>, tensor<1x3xf32>, tensor<1xi32>)
  %g1 = arith.constant dense<[[0.2942608942, 0.4788051235, 0.2269339822]]> : tensor<1x3xf64>
  %g2 = arith.constant dense<[[0.1023891439, 0.4585675439, 0.4390433122]]> : tensor<1x3xf64>
  %u1 = tensor.cast %t1 : tensor<1x3xf32> to tensor<*xf32>
  %u2 = tensor.cast %t2 : tensor<1x3xf32> to tensor<*xf32>
  %ug1 = tensor.cast %g1 : tensor<1x3xf64> to tensor<*xf64>
  %ug2 = tensor.cast %g2 : tensor<1x3xf64> to tensor<*xf64>
  %i1 = arith.constant 1 : i64
  %i2 = arith.constant 2 : i64
  %i3 = arith.constant 3 : i64
  // CHECK: check 1: ok
  call @tesseraCheckTensor(%u1, %ug1, %rtol, %i1) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  // CHECK: check 2: ok
  call @tesseraCheckTensor(%u2, %ug2, %rtol, %i2) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %x0 = tensor.extract %x[%c0] : tensor<1xi32>
  %x64 = arith.extsi %x0 : i32 to i64
  // class 2 (0-based 1)
  %want = arith.constant 1 : i64
  // CHECK: check 3: ok
  call @tessera_check_eq(%x64, %want, %i3) : (i64, i64, i64) -> ()

  %ua = arith.constant dense<0.05> : tensor<1xf32>
  %ub = arith.constant dense<0.3> : tensor<1xf32>
  %uc = arith.constant dense<0.99> : tensor<1xf32>
  %fa = call @final_sample(%u, %eps, %ua) : (tensor<2x1xf32>, tensor<2x1x3xf32>, tensor<1xf32>) -> i64
  %fb = call @final_sample(%u, %eps, %ub) : (tensor<2x1xf32>, tensor<2x1x3xf32>, tensor<1xf32>) -> i64
  %fc = call @final_sample(%u, %eps, %uc) : (tensor<2x1xf32>, tensor<2x1x3xf32>, tensor<1xf32>) -> i64
  %k0 = arith.constant 0 : i64
  %k1 = arith.constant 1 : i64
  %k2 = arith.constant 2 : i64
  %i7 = arith.constant 7 : i64
  %i8 = arith.constant 8 : i64
  %i9 = arith.constant 9 : i64
  // CHECK: check 7: ok
  call @tessera_check_eq(%fa, %k0, %i7) : (i64, i64, i64) -> ()
  // CHECK: check 8: ok
  call @tessera_check_eq(%fb, %k1, %i8) : (i64, i64, i64) -> ()
  // CHECK: check 9: ok
  call @tessera_check_eq(%fc, %k2, %i9) : (i64, i64, i64) -> ()

  %ce = arith.constant dense<[[0.5], [-1.0]]> : tensor<2x1xf32>
  %xh, %mu, %rho = call @continuous(%ce) : (tensor<2x1xf32>) -> (tensor<1xf32>, f32, f32)
  %xh0 = tensor.extract %xh[%c0] : tensor<1xf32>
  %gx = arith.constant 0.0708400709 : f64
  %gm = arith.constant 0.07013167019 : f64
  %gr = arith.constant 100.0 : f64
  %i4 = arith.constant 4 : i64
  %i5 = arith.constant 5 : i64
  %i6 = arith.constant 6 : i64
  // CHECK: check 4: ok
  call @tessera_check_close(%xh0, %gx, %rtol, %i4) : (f32, f64, f64, i64) -> ()
  // CHECK: check 5: ok
  call @tessera_check_close(%mu, %gm, %rtol, %i5) : (f32, f64, f64, i64) -> ()
  // CHECK: check 6: ok
  call @tessera_check_close(%rho, %gr, %rtol, %i6) : (f32, f64, f64, i64) -> ()

  %lt2, %lx = call @logits_steps(%u, %eps) : (tensor<2x1xf32>, tensor<2x1x3xf32>) -> (tensor<1x3xf32>, tensor<1xi32>)
  %ul2 = tensor.cast %lt2 : tensor<1x3xf32> to tensor<*xf32>
  %i10 = arith.constant 10 : i64
  %i11 = arith.constant 11 : i64
  // CHECK: check 10: ok
  call @tesseraCheckTensor(%ul2, %ug2, %rtol, %i10) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %lx0 = tensor.extract %lx[%c0] : tensor<1xi32>
  %lx64 = arith.extsi %lx0 : i32 to i64
  // CHECK: check 11: ok
  call @tessera_check_eq(%lx64, %want, %i11) : (i64, i64, i64) -> ()
  return
}
