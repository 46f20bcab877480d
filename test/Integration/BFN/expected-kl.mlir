// RUN: tessera-opt %s %cpu_pipeline | %run_cpu | FileCheck %s

// docs/bfn-math.md G4: the expected per-step KL E_{y ~ p_S}[ln p_S - ln p_R]
// for K = 2, x = the first class, p_O = (0.6, 0.4), alpha = 0.5, by
// quadrature over y: the compiled bfn.kl (paper joint receiver, and the
// reference code's factorised receiver) is evaluated at every node of a
// 801 x 801 grid over y = mu_x + z, z in [-8, 8]^2 (p_S has variance
// alpha K = 1), and the test sums Simpson weights x N(z; 0, 1) densities
// x the compiled values in f64. Expected: 0.1378497455 (paper) and
// 0.1489955373 (reference estimator), from mpmath quadrature.

func.func private @tessera_check_close_f64(f64, f64, f64, i64)

func.func @kl(%x: tensor<641601xi32>, %p: !bfn.simplex<641601x2xf32, log>, %y: tensor<641601x2xf32>) -> tensor<641601xf32> {
  %a = bfn.accuracy_constant 0.5
  %s = bfn.sender %x, %a : tensor<641601xi32>, !bfn.accuracy -> !bfn.sender<categorical, 641601x2xf32>
  %r = bfn.receiver %p, %a : !bfn.simplex<641601x2xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 641601x2xf32>
  %kl = bfn.kl %s, %r at %y : !bfn.sender<categorical, 641601x2xf32>, !bfn.receiver<categorical, 641601x2xf32>, tensor<641601x2xf32> -> tensor<641601xf32>
  return %kl : tensor<641601xf32>
}

func.func @kl_reference(%x: tensor<641601xi32>, %p: !bfn.simplex<641601x2xf32, log>, %y: tensor<641601x2xf32>) -> tensor<641601xf32> {
  %a = bfn.accuracy_constant 0.5
  %s = bfn.sender %x, %a : tensor<641601xi32>, !bfn.accuracy -> !bfn.sender<categorical, 641601x2xf32>
  %r = bfn.receiver %p, %a : !bfn.simplex<641601x2xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 641601x2xf32>
  %kl = bfn.kl %s, %r at %y {receiver_form = #bfn.receiver_form<factorized>} : !bfn.sender<categorical, 641601x2xf32>, !bfn.receiver<categorical, 641601x2xf32>, tensor<641601x2xf32> -> tensor<641601xf32>
  return %kl : tensor<641601xf32>
}

// z at grid index i: -8 + i h, h = 16 / 800, in f64.
func.func @node(%i: index) -> f64 {
  %h = arith.constant 0.02 : f64
  %lo = arith.constant -8.0 : f64
  %ii = arith.index_cast %i : index to i64
  %f = arith.sitofp %ii : i64 to f64
  %m = arith.mulf %f, %h : f64
  %z = arith.addf %m, %lo : f64
  return %z : f64
}

// Composite Simpson weight (h/3 x 1, 4, 2, ..., 4, 1) times the N(0, 1)
// density at the node.
func.func @weight(%i: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %last = arith.constant 800 : index
  %one = arith.constant 1.0 : f64
  %two = arith.constant 2.0 : f64
  %four = arith.constant 4.0 : f64
  %h3 = arith.constant 0.006666666666666667 : f64
  %half = arith.constant -0.5 : f64
  %rsqrt2pi = arith.constant 0.3989422804014327 : f64
  %first = arith.cmpi eq, %i, %c0 : index
  %end = arith.cmpi eq, %i, %last : index
  %edge = arith.ori %first, %end : i1
  %r = arith.remui %i, %c2 : index
  %odd = arith.cmpi ne, %r, %c0 : index
  %inner = arith.select %odd, %four, %two : f64
  %s = arith.select %edge, %one, %inner : f64
  %z = func.call @node(%i) : (index) -> f64
  %zz = arith.mulf %z, %z : f64
  %e = arith.mulf %zz, %half : f64
  %phi0 = math.exp %e : f64
  %phi = arith.mulf %phi0, %rsqrt2pi : f64
  %w0 = arith.mulf %s, %h3 : f64
  %w = arith.mulf %w0, %phi : f64
  return %w : f64
}

// sum_s w(i) w(j) v[s], s = 801 i + j.
func.func @integrate(%v: tensor<641601xf32>) -> f64 {
  %zero = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %init = linalg.fill ins(%zero : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %sum = linalg.generic {indexing_maps = [affine_map<(s) -> (s)>, affine_map<(s) -> ()>], iterator_types = ["reduction"]}
      ins(%v : tensor<641601xf32>) outs(%init : tensor<f64>) {
  ^bb0(%x: f32, %acc: f64):
    %s = linalg.index 0 : index
    %m = arith.constant 801 : index
    %i = arith.divui %s, %m : index
    %j = arith.remui %s, %m : index
    %wi = func.call @weight(%i) : (index) -> f64
    %wj = func.call @weight(%j) : (index) -> f64
    %w = arith.mulf %wi, %wj : f64
    %xd = arith.extf %x : f32 to f64
    %t = arith.mulf %w, %xd : f64
    %n = arith.addf %acc, %t : f64
    linalg.yield %n : f64
  } -> tensor<f64>
  %r = tensor.extract %sum[] : tensor<f64>
  return %r : f64
}

func.func @main() {
  // y = mu_x + z with mu_x = alpha (K e_x - 1) = (0.5, -0.5); y_0 runs over
  // the grid's rows, y_1 over its columns.
  %e = tensor.empty() : tensor<641601x2xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(s, k) -> (s, k)>], iterator_types = ["parallel", "parallel"]}
      outs(%e : tensor<641601x2xf32>) {
  ^bb0(%o: f32):
    %s = linalg.index 0 : index
    %k = linalg.index 1 : index
    %m = arith.constant 801 : index
    %c0 = arith.constant 0 : index
    %i = arith.divui %s, %m : index
    %j = arith.remui %s, %m : index
    %isFirst = arith.cmpi eq, %k, %c0 : index
    %g = arith.select %isFirst, %i, %j : index
    %z = func.call @node(%g) : (index) -> f64
    %pos = arith.constant 0.5 : f64
    %neg = arith.constant -0.5 : f64
    %mu = arith.select %isFirst, %pos, %neg : f64
    %yd = arith.addf %mu, %z : f64
    %yf = arith.truncf %yd : f64 to f32
    linalg.yield %yf : f32
  } -> tensor<641601x2xf32>
  %lp = linalg.generic {indexing_maps = [affine_map<(s, k) -> (s, k)>], iterator_types = ["parallel", "parallel"]}
      outs(%e : tensor<641601x2xf32>) {
  ^bb0(%o: f32):
    %k = linalg.index 1 : index
    %c0 = arith.constant 0 : index
    %isFirst = arith.cmpi eq, %k, %c0 : index
    %l6 = arith.constant -0.5108256237659907 : f32  // ln 0.6
    %l4 = arith.constant -0.916290731874155 : f32   // ln 0.4
    %v = arith.select %isFirst, %l6, %l4 : f32
    linalg.yield %v : f32
  } -> tensor<641601x2xf32>
  %p = bfn.pack %lp : tensor<641601x2xf32> -> !bfn.simplex<641601x2xf32, log>
  %zero = arith.constant 0 : i32
  %xe = tensor.empty() : tensor<641601xi32>
  %x = linalg.fill ins(%zero : i32) outs(%xe : tensor<641601xi32>) -> tensor<641601xi32>

  %kl = func.call @kl(%x, %p, %y) : (tensor<641601xi32>, !bfn.simplex<641601x2xf32, log>, tensor<641601x2xf32>) -> tensor<641601xf32>
  %ekl = func.call @integrate(%kl) : (tensor<641601xf32>) -> f64
  %want = arith.constant 0.1378497455 : f64
  %tol = arith.constant 1.0e-5 : f64
  %id1 = arith.constant 1 : i64
  func.call @tessera_check_close_f64(%ekl, %want, %tol, %id1) : (f64, f64, f64, i64) -> ()
  // CHECK: check 1: ok

  %klr = func.call @kl_reference(%x, %p, %y) : (tensor<641601xi32>, !bfn.simplex<641601x2xf32, log>, tensor<641601x2xf32>) -> tensor<641601xf32>
  %eklr = func.call @integrate(%klr) : (tensor<641601xf32>) -> f64
  %wantr = arith.constant 0.1489955373 : f64
  %id2 = arith.constant 2 : i64
  func.call @tessera_check_close_f64(%eklr, %wantr, %tol, %id2) : (f64, f64, f64, i64) -> ()
  // CHECK: check 2: ok
  return
}
