// RUN: tessera-opt %s --tessera-ebt-lower %cpu_pipeline | %run_cpu | FileCheck %s

// docs/ebt-math.md G1 (bilinear head: energy and gradient), G3 (token-wise
// sum, mean and pooled heads with the G2 silu MLP), G5 (bilinear head with
// (lambda/2)||y||^2: three sgd steps equal the closed form), G8 (ties go to
// the lowest index; token and sequence granularity pick differently) and
// the same Philox key giving the same inference result.

func.func private @tessera_check_close(f32, f64, f64, i64)
func.func private @tessera_check_eq(i64, i64, i64)
func.func private @tesseraCheckTensor(tensor<*xf32> {bufferization.access = "read"}, tensor<*xf64> {bufferization.access = "read"}, f64, i64) attributes {llvm.emit_c_interface}

// G1: E = sum_l y_l^T W h_l + b.
func.func @bilinear(%h: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> tensor<f32> {
  %w = arith.constant dense<[[0.2, -0.1, 0.4], [0.0, 0.3, -0.2], [0.5, 0.1, 0.1]]> : tensor<3x3xf32>
  %b = arith.constant dense<0.05> : tensor<f32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  // (W h_l)_i = sum_j W_ij h_lj
  %wh = linalg.generic {indexing_maps = [affine_map<(l, i, j) -> (i, j)>, affine_map<(l, i, j) -> (l, j)>, affine_map<(l, i, j) -> (l, i)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%w, %h : tensor<3x3xf32>, tensor<2x3xf32>) outs(%z : tensor<2x3xf32>) {
  ^bb0(%a: f32, %c: f32, %acc: f32):
    %p = arith.mulf %a, %c : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  } -> tensor<2x3xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.generic {indexing_maps = [affine_map<(l, i) -> (l, i)>, affine_map<(l, i) -> (l, i)>, affine_map<(l, i) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%y, %wh : tensor<2x3xf32>, tensor<2x3xf32>) outs(%z0 : tensor<f32>) {
  ^bb0(%a: f32, %c: f32, %acc: f32):
    %p = arith.mulf %a, %c : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  %en = arith.addf %s, %b : tensor<f32>
  return %en : tensor<f32>
}

// G5: y^T W h + (lambda / 2)||y||^2, lambda = 0.5, one token.
func.func @bilinear_l2(%h: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<f32> {
  %w = arith.constant dense<[[0.2, -0.1, 0.4], [0.0, 0.3, -0.2], [0.5, 0.1, 0.1]]> : tensor<3x3xf32>
  %zero = arith.constant 0.0 : f32
  %e3 = tensor.empty() : tensor<3xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<3xf32>) -> tensor<3xf32>
  %wh = linalg.matvec ins(%w, %h : tensor<3x3xf32>, tensor<3xf32>) outs(%z3 : tensor<3xf32>) -> tensor<3xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> ()>], iterator_types = ["reduction"]} ins(%y, %wh : tensor<3xf32>, tensor<3xf32>) outs(%z0 : tensor<f32>) {
  ^bb0(%a: f32, %c: f32, %acc: f32):
    %quarter = arith.constant 0.25 : f32
    %p = arith.mulf %a, %c : f32
    %a2 = arith.mulf %a, %a : f32
    %q = arith.mulf %a2, %quarter : f32
    %t = arith.addf %p, %q : f32
    %r = arith.addf %acc, %t : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  return %s : tensor<f32>
}

// The G2 silu MLP for one token (h in R^2, y in R^3), as a scalar energy.
func.func @mlp1(%h: tensor<2xf32>, %y: tensor<3xf32>) -> tensor<f32> {
  %wh = arith.constant dense<[[0.3, -0.2], [-0.6, 0.4], [0.1, 0.9], [0.4, -0.1]]> : tensor<4x2xf32>
  %wy = arith.constant dense<[[0.5, 0.1, -0.4], [0.2, -0.3, 0.8], [-0.5, 0.7, 0.2], [0.3, 0.6, -0.2]]> : tensor<4x3xf32>
  %b1 = arith.constant dense<[0.1, -0.2, 0.05, 0.0]> : tensor<4xf32>
  %w2 = arith.constant dense<[0.7, -0.5, 0.3, 0.9]> : tensor<4xf32>
  %b2 = arith.constant dense<-0.1> : tensor<f32>
  %zero = arith.constant 0.0 : f32
  %e4 = tensor.empty() : tensor<4xf32>
  %z4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<4xf32>) -> tensor<4xf32>
  %uh = linalg.matvec ins(%wh, %h : tensor<4x2xf32>, tensor<2xf32>) outs(%z4 : tensor<4xf32>) -> tensor<4xf32>
  %uy = linalg.matvec ins(%wy, %y : tensor<4x3xf32>, tensor<3xf32>) outs(%uh : tensor<4xf32>) -> tensor<4xf32>
  %u = arith.addf %uy, %b1 : tensor<4xf32>
  %phi = linalg.generic {indexing_maps = [affine_map<(j) -> (j)>, affine_map<(j) -> (j)>], iterator_types = ["parallel"]} ins(%u : tensor<4xf32>) outs(%e4 : tensor<4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %nx = arith.negf %x : f32
    %ex = math.exp %nx : f32
    %den = arith.addf %one, %ex : f32
    %v = arith.divf %x, %den : f32
    linalg.yield %v : f32
  } -> tensor<4xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %d = linalg.dot ins(%w2, %phi : tensor<4xf32>, tensor<4xf32>) outs(%z0 : tensor<f32>) -> tensor<f32>
  %energy = arith.addf %d, %b2 : tensor<f32>
  return %energy : tensor<f32>
}

// G3 pooled: E = e(mean_l h_l, mean_l y_l), two tokens; the slices, the
// pooling sum and the scaling are differentiated through.
func.func @pooled(%h: tensor<2x2xf32>, %y: tensor<2x3xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %eh = tensor.empty() : tensor<2xf32>
  %zh = linalg.fill ins(%zero : f32) outs(%eh : tensor<2xf32>) -> tensor<2xf32>
  %sh = linalg.reduce ins(%h : tensor<2x2xf32>) outs(%zh : tensor<2xf32>) dimensions = [0]
    (%a: f32, %b: f32) {
      %r = arith.addf %a, %b : f32
      linalg.yield %r : f32
    }
  %ey = tensor.empty() : tensor<3xf32>
  %zy = linalg.fill ins(%zero : f32) outs(%ey : tensor<3xf32>) -> tensor<3xf32>
  %sy = linalg.reduce ins(%y : tensor<2x3xf32>) outs(%zy : tensor<3xf32>) dimensions = [0]
    (%a: f32, %b: f32) {
      %r = arith.addf %a, %b : f32
      linalg.yield %r : f32
    }
  %halfh = arith.constant dense<0.5> : tensor<2xf32>
  %halfy = arith.constant dense<0.5> : tensor<3xf32>
  %mh = arith.mulf %sh, %halfh : tensor<2xf32>
  %my = arith.mulf %sy, %halfy : tensor<3xf32>
  %e = func.call @mlp1(%mh, %my) : (tensor<2xf32>, tensor<3xf32>) -> tensor<f32>
  return %e : tensor<f32>
}

func.func @g1(%h: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> (tensor<f32>, tensor<2x3xf32>) {
  %e = ebt.energy @bilinear(%h, %y) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<f32>
  %g = ebt.grad_y @bilinear(%h, %y) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %e, %g : tensor<f32>, tensor<2x3xf32>
}

func.func @g5(%h: tensor<3xf32>, %y0: tensor<1x3xf32>) -> tensor<1x3xf32> {
  %eta = arith.constant 0.1 : f32
  %t = arith.constant 3 : index
  %y, %e = ebt.infer #ebt.policy<sgd> @bilinear_l2(%h, %y0) steps %t eta %eta : (tensor<3xf32>, tensor<1x3xf32>, index, f32) -> (tensor<1x3xf32>, tensor<1xf32>)
  return %y : tensor<1x3xf32>
}

func.func @verify(%e: tensor<3xf32>, %y: tensor<3x2xf32>) -> tensor<2xf32> {
  %b = ebt.self_verify token %e, %y : tensor<3xf32>, tensor<3x2xf32> -> tensor<2xf32>
  return %b : tensor<2xf32>
}

func.func @granularity(%e: tensor<3x2xf32>, %y: tensor<3x2x1xf32>) -> (tensor<2x1xf32>, tensor<2x1xf32>) {
  %t = ebt.self_verify token %e, %y : tensor<3x2xf32>, tensor<3x2x1xf32> -> tensor<2x1xf32>
  %s = ebt.self_verify sequence %e, %y : tensor<3x2xf32>, tensor<3x2x1xf32> -> tensor<2x1xf32>
  return %t, %s : tensor<2x1xf32>, tensor<2x1xf32>
}

func.func @keyed(%h: tensor<2xf32>, %y0: tensor<2x3xf32>, %seed: i64) -> tensor<2x3xf32> {
  %eta = arith.constant 0.1 : f32
  %t = arith.constant 3 : index
  %off = arith.constant 0 : i64
  %y, %e = ebt.infer #ebt.policy<langevin, sigma = 0.5> @mlp1(%h, %y0) steps %t eta %eta rng(%seed, %off) : (tensor<2xf32>, tensor<2x3xf32>, index, f32, i64, i64) -> (tensor<2x3xf32>, tensor<2xf32>)
  return %y : tensor<2x3xf32>
}

func.func @main() {
  %rtol = arith.constant 1.0e-5 : f64
  // G1
  %h1 = arith.constant dense<[[1.0, -0.5, 0.25], [0.3, 0.8, -1.2]]> : tensor<2x3xf32>
  %y1 = arith.constant dense<[[0.1, 0.2, -0.3], [-0.4, 0.5, 0.6]]> : tensor<2x3xf32>
  %e1, %g1 = call @g1(%h1, %y1) : (tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<f32>, tensor<2x3xf32>)
  %ev1 = tensor.extract %e1[] : tensor<f32>
  %ge1 = arith.constant 0.4085 : f64
  %i1 = arith.constant 1 : i64
  // CHECK: check 1: ok
  call @tessera_check_close(%ev1, %ge1, %rtol, %i1) : (f32, f64, f64, i64) -> ()
  %gg1 = arith.constant dense<[[0.35, -0.2, 0.475], [-0.5, 0.48, 0.11]]> : tensor<2x3xf64>
  %ug1 = tensor.cast %g1 : tensor<2x3xf32> to tensor<*xf32>
  %ugg1 = tensor.cast %gg1 : tensor<2x3xf64> to tensor<*xf64>
  %i2 = arith.constant 2 : i64
  // CHECK: check 2: ok
  call @tesseraCheckTensor(%ug1, %ugg1, %rtol, %i2) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()

  // G5: from y1 of G1 (first token) with h1 of G1.
  %h5 = arith.constant dense<[1.0, -0.5, 0.25]> : tensor<3xf32>
  %y5 = arith.constant dense<[[0.1, 0.2, -0.3]]> : tensor<1x3xf32>
  %r5 = call @g5(%h5, %y5) : (tensor<3xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  %gg5 = arith.constant dense<[[-0.0141, 0.228525, -0.39270625]]> : tensor<1x3xf64>
  %ur5 = tensor.cast %r5 : tensor<1x3xf32> to tensor<*xf32>
  %ugg5 = tensor.cast %gg5 : tensor<1x3xf64> to tensor<*xf64>
  %i3 = arith.constant 3 : i64
  // CHECK: check 3: ok
  call @tesseraCheckTensor(%ur5, %ugg5, %rtol, %i3) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()

  // G3 pooled: h = ((0.5, -1), (-0.3, 0.8)), y = ((0.2, -0.3, 0.7), (-0.5, 0.4, 0.1)).
  %h3 = arith.constant dense<[[0.5, -1.0], [-0.3, 0.8]]> : tensor<2x2xf32>
  %y3 = arith.constant dense<[[0.2, -0.3, 0.7], [-0.5, 0.4, 0.1]]> : tensor<2x3xf32>
  %e3 = call @pooled(%h3, %y3) : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<f32>
  %ev3 = tensor.extract %e3[] : tensor<f32>
  %ge3 = arith.constant -0.1145872553 : f64
  %i4 = arith.constant 4 : i64
  // CHECK: check 4: ok
  call @tessera_check_close(%ev3, %ge3, %rtol, %i4) : (f32, f64, f64, i64) -> ()

  // G8 ties: energies (0.7, 0.2, 0.2) select candidate 1.
  %et = arith.constant dense<[0.7, 0.2, 0.2]> : tensor<3xf32>
  %yt = arith.constant dense<[[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]> : tensor<3x2xf32>
  %bt = call @verify(%et, %yt) : (tensor<3xf32>, tensor<3x2xf32>) -> tensor<2xf32>
  %gbt = arith.constant dense<[1.0, 1.0]> : tensor<2xf64>
  %ubt = tensor.cast %bt : tensor<2xf32> to tensor<*xf32>
  %ugbt = tensor.cast %gbt : tensor<2xf64> to tensor<*xf64>
  %i5 = arith.constant 5 : i64
  // CHECK: check 5: ok
  call @tesseraCheckTensor(%ubt, %ugbt, %rtol, %i5) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  // G8 granularity: per-token E = ((0.1, 0.9), (0.5, 0.2), (0.3, 0.3)): token
  // picks (0, 1), sequence (sums 1.0, 0.7, 0.6) picks 2. Candidate k holds k.
  %eg = arith.constant dense<[[0.1, 0.9], [0.5, 0.2], [0.3, 0.3]]> : tensor<3x2xf32>
  %yg = arith.constant dense<[[[0.0], [0.0]], [[1.0], [1.0]], [[2.0], [2.0]]]> : tensor<3x2x1xf32>
  %tok, %seq = call @granularity(%eg, %yg) : (tensor<3x2xf32>, tensor<3x2x1xf32>) -> (tensor<2x1xf32>, tensor<2x1xf32>)
  %gtok = arith.constant dense<[[0.0], [1.0]]> : tensor<2x1xf64>
  %gseq = arith.constant dense<[[2.0], [2.0]]> : tensor<2x1xf64>
  %utok = tensor.cast %tok : tensor<2x1xf32> to tensor<*xf32>
  %useq = tensor.cast %seq : tensor<2x1xf32> to tensor<*xf32>
  %ugtok = tensor.cast %gtok : tensor<2x1xf64> to tensor<*xf64>
  %ugseq = tensor.cast %gseq : tensor<2x1xf64> to tensor<*xf64>
  %i6 = arith.constant 6 : i64
  %i7 = arith.constant 7 : i64
  // CHECK: check 6: ok
  call @tesseraCheckTensor(%utok, %ugtok, %rtol, %i6) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  // CHECK: check 7: ok
  call @tesseraCheckTensor(%useq, %ugseq, %rtol, %i7) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()

  // Same key, same result; another key, another.
  %hk = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %yk = arith.constant dense<[[0.2, -0.3, 0.7], [-1.0, 0.5, 0.0]]> : tensor<2x3xf32>
  %s1 = arith.constant 17 : i64
  %s2 = arith.constant 18 : i64
  %ka = call @keyed(%hk, %yk, %s1) : (tensor<2xf32>, tensor<2x3xf32>, i64) -> tensor<2x3xf32>
  %kb = call @keyed(%hk, %yk, %s1) : (tensor<2xf32>, tensor<2x3xf32>, i64) -> tensor<2x3xf32>
  %kc = call @keyed(%hk, %yk, %s2) : (tensor<2xf32>, tensor<2x3xf32>, i64) -> tensor<2x3xf32>
  %ka64 = arith.extf %ka : tensor<2x3xf32> to tensor<2x3xf64>
  %uka = tensor.cast %ka64 : tensor<2x3xf64> to tensor<*xf64>
  %ukb = tensor.cast %kb : tensor<2x3xf32> to tensor<*xf32>
  %ukc = tensor.cast %kc : tensor<2x3xf32> to tensor<*xf32>
  %exact = arith.constant 0.0 : f64
  %i8 = arith.constant 8 : i64
  %i9 = arith.constant 9 : i64
  // CHECK: check 8: ok
  call @tesseraCheckTensor(%ukb, %uka, %exact, %i8) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  // CHECK: check 9: FAIL
  call @tesseraCheckTensor(%ukc, %uka, %rtol, %i9) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  return
}
