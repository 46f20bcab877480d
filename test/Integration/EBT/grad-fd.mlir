// RUN: tessera-opt %s --tessera-ebt-lower %cpu_pipeline | %run_cpu | FileCheck %s

// Compiler-generated dE/dy (ebt.grad_y, reverse mode over the energy's IR):
// docs/ebt-math.md G2 (MLP head with relu, gelu (tanh) and silu: energy and
// gradient golden values), and central finite differences for a token-wise
// MLP head (L = 8 tokens, silu and gelu), a sequence-wise (mean over tokens)
// head and a bilinear head with (lambda/2)||y||^2, on several points.

func.func private @tessera_check_close(f32, f64, f64, i64)
func.func private @tesseraCheckTensor(tensor<*xf32> {bufferization.access = "read"}, tensor<*xf64> {bufferization.access = "read"}, f64, i64) attributes {llvm.emit_c_interface}
func.func private @tesseraCheckClose(tensor<*xf32> {bufferization.access = "read"}, tensor<*xf32> {bufferization.access = "read"}, f64, f64, i64) attributes {llvm.emit_c_interface}

// G2 weights: rows of W1 over [h; y], b1, w2, b2 = -0.1.
func.func @mlp_relu(%h: tensor<2xf32>, %y: tensor<3xf32>) -> tensor<f32> {
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
    %v = arith.maximumf %x, %zero : f32
    linalg.yield %v : f32
  } -> tensor<4xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %d = linalg.dot ins(%w2, %phi : tensor<4xf32>, tensor<4xf32>) outs(%z0 : tensor<f32>) -> tensor<f32>
  %energy = arith.addf %d, %b2 : tensor<f32>
  return %energy : tensor<f32>
}

func.func @g2_relu(%h: tensor<2xf32>, %y: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  %e = ebt.energy @mlp_relu(%h, %y) : (tensor<2xf32>, tensor<3xf32>) -> tensor<f32>
  %g = ebt.grad_y @mlp_relu(%h, %y) : (tensor<2xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %e, %g : tensor<f32>, tensor<3xf32>
}

// G2 weights: rows of W1 over [h; y], b1, w2, b2 = -0.1.
func.func @mlp_silu(%h: tensor<2xf32>, %y: tensor<3xf32>) -> tensor<f32> {
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

func.func @g2_silu(%h: tensor<2xf32>, %y: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  %e = ebt.energy @mlp_silu(%h, %y) : (tensor<2xf32>, tensor<3xf32>) -> tensor<f32>
  %g = ebt.grad_y @mlp_silu(%h, %y) : (tensor<2xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %e, %g : tensor<f32>, tensor<3xf32>
}

// G2 weights: rows of W1 over [h; y], b1, w2, b2 = -0.1.
func.func @mlp_gelu(%h: tensor<2xf32>, %y: tensor<3xf32>) -> tensor<f32> {
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
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %k = arith.constant 0.7978845608028654 : f32
    %c = arith.constant 0.044715 : f32
    %x2 = arith.mulf %x, %x : f32
    %x3 = arith.mulf %x2, %x : f32
    %cx3 = arith.mulf %c, %x3 : f32
    %in = arith.addf %x, %cx3 : f32
    %kin = arith.mulf %k, %in : f32
    %th = math.tanh %kin : f32
    %p = arith.addf %one, %th : f32
    %hx = arith.mulf %half, %x : f32
    %v = arith.mulf %hx, %p : f32
    linalg.yield %v : f32
  } -> tensor<4xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %d = linalg.dot ins(%w2, %phi : tensor<4xf32>, tensor<4xf32>) outs(%z0 : tensor<f32>) -> tensor<f32>
  %energy = arith.addf %d, %b2 : tensor<f32>
  return %energy : tensor<f32>
}

func.func @g2_gelu(%h: tensor<2xf32>, %y: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  %e = ebt.energy @mlp_gelu(%h, %y) : (tensor<2xf32>, tensor<3xf32>) -> tensor<f32>
  %g = ebt.grad_y @mlp_gelu(%h, %y) : (tensor<2xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %e, %g : tensor<f32>, tensor<3xf32>
}

// Token-wise MLP head over L = 8 tokens: E_l = w2 . phi(W_h h_l + W_y y_l + b1).
func.func @tok_silu(%h: tensor<8x16xf32>, %y: tensor<8x4xf32>) -> tensor<8xf32> {
  %wh = arith.constant dense<0.05> : tensor<16x12xf32>
  %wy = arith.constant dense<[[0.3, -0.2, 0.5, 0.1, -0.4, 0.6, 0.2, -0.1, 0.0, 0.7, -0.3, 0.25], [-0.6, 0.4, 0.2, -0.3, 0.8, 0.1, -0.5, 0.3, 0.9, -0.2, 0.4, 0.05], [0.1, 0.9, -0.5, 0.7, 0.2, -0.8, 0.3, 0.6, -0.4, 0.1, 0.2, -0.6], [0.4, -0.1, 0.3, 0.6, -0.2, 0.5, -0.7, 0.2, 0.1, -0.3, 0.8, 0.4]]> : tensor<4x12xf32>
  %w2 = arith.constant dense<[0.7, -0.5, 0.3, 0.9, -0.2, 0.4, 0.1, -0.6, 0.5, 0.2, -0.3, 0.8]> : tensor<12xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x12xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x12xf32>) -> tensor<8x12xf32>
  %uh = linalg.matmul ins(%h, %wh : tensor<8x16xf32>, tensor<16x12xf32>) outs(%z : tensor<8x12xf32>) -> tensor<8x12xf32>
  %u = linalg.matmul ins(%y, %wy : tensor<8x4xf32>, tensor<4x12xf32>) outs(%uh : tensor<8x12xf32>) -> tensor<8x12xf32>
  %phi = linalg.generic {indexing_maps = [affine_map<(l, j) -> (l, j)>, affine_map<(l, j) -> (l, j)>], iterator_types = ["parallel", "parallel"]} ins(%u : tensor<8x12xf32>) outs(%e : tensor<8x12xf32>) {
  ^bb0(%x: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %nx = arith.negf %x : f32
    %ex = math.exp %nx : f32
    %den = arith.addf %one, %ex : f32
    %v = arith.divf %x, %den : f32
    linalg.yield %v : f32
  } -> tensor<8x12xf32>
  %e8 = tensor.empty() : tensor<8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<8xf32>) -> tensor<8xf32>
  %energy = linalg.matvec ins(%phi, %w2 : tensor<8x12xf32>, tensor<12xf32>) outs(%z8 : tensor<8xf32>) -> tensor<8xf32>
  return %energy : tensor<8xf32>
}

// Token-wise MLP head over L = 8 tokens: E_l = w2 . phi(W_h h_l + W_y y_l + b1).
func.func @tok_gelu(%h: tensor<8x16xf32>, %y: tensor<8x4xf32>) -> tensor<8xf32> {
  %wh = arith.constant dense<0.05> : tensor<16x12xf32>
  %wy = arith.constant dense<[[0.3, -0.2, 0.5, 0.1, -0.4, 0.6, 0.2, -0.1, 0.0, 0.7, -0.3, 0.25], [-0.6, 0.4, 0.2, -0.3, 0.8, 0.1, -0.5, 0.3, 0.9, -0.2, 0.4, 0.05], [0.1, 0.9, -0.5, 0.7, 0.2, -0.8, 0.3, 0.6, -0.4, 0.1, 0.2, -0.6], [0.4, -0.1, 0.3, 0.6, -0.2, 0.5, -0.7, 0.2, 0.1, -0.3, 0.8, 0.4]]> : tensor<4x12xf32>
  %w2 = arith.constant dense<[0.7, -0.5, 0.3, 0.9, -0.2, 0.4, 0.1, -0.6, 0.5, 0.2, -0.3, 0.8]> : tensor<12xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x12xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x12xf32>) -> tensor<8x12xf32>
  %uh = linalg.matmul ins(%h, %wh : tensor<8x16xf32>, tensor<16x12xf32>) outs(%z : tensor<8x12xf32>) -> tensor<8x12xf32>
  %u = linalg.matmul ins(%y, %wy : tensor<8x4xf32>, tensor<4x12xf32>) outs(%uh : tensor<8x12xf32>) -> tensor<8x12xf32>
  %phi = linalg.generic {indexing_maps = [affine_map<(l, j) -> (l, j)>, affine_map<(l, j) -> (l, j)>], iterator_types = ["parallel", "parallel"]} ins(%u : tensor<8x12xf32>) outs(%e : tensor<8x12xf32>) {
  ^bb0(%x: f32, %o: f32):
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %k = arith.constant 0.7978845608028654 : f32
    %c = arith.constant 0.044715 : f32
    %x2 = arith.mulf %x, %x : f32
    %x3 = arith.mulf %x2, %x : f32
    %cx3 = arith.mulf %c, %x3 : f32
    %in = arith.addf %x, %cx3 : f32
    %kin = arith.mulf %k, %in : f32
    %th = math.tanh %kin : f32
    %p = arith.addf %one, %th : f32
    %hx = arith.mulf %half, %x : f32
    %v = arith.mulf %hx, %p : f32
    linalg.yield %v : f32
  } -> tensor<8x12xf32>
  %e8 = tensor.empty() : tensor<8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<8xf32>) -> tensor<8xf32>
  %energy = linalg.matvec ins(%phi, %w2 : tensor<8x12xf32>, tensor<12xf32>) outs(%z8 : tensor<8xf32>) -> tensor<8xf32>
  return %energy : tensor<8xf32>
}

// Sequence-wise: the mean over tokens of y_l . (W h_l) + (1/2)||y||^2-type
// quadratic (a bilinear head with lambda = 0.5), one scalar per sequence.
func.func @bilinear(%h: tensor<8x16xf32>, %y: tensor<8x4xf32>) -> tensor<f32> {
  %w = arith.constant dense<0.08> : tensor<16x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %wh = linalg.matmul ins(%h, %w : tensor<8x16xf32>, tensor<16x4xf32>) outs(%z : tensor<8x4xf32>) -> tensor<8x4xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %energy = linalg.generic {indexing_maps = [affine_map<(l, d) -> (l, d)>, affine_map<(l, d) -> (l, d)>, affine_map<(l, d) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%y, %wh : tensor<8x4xf32>, tensor<8x4xf32>) outs(%z0 : tensor<f32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %lam = arith.constant 0.25 : f32
    %inv = arith.constant 0.125 : f32
    %ab = arith.mulf %a, %b : f32
    %aa = arith.mulf %a, %a : f32
    %q = arith.mulf %lam, %aa : f32
    %t = arith.addf %ab, %q : f32
    %tm = arith.mulf %t, %inv : f32
    %r = arith.addf %acc, %tm : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  return %energy : tensor<f32>
}

// Central differences of sum E over every coordinate of y, step 1e-2.
func.func @fd_tok_silu(%h: tensor<8x16xf32>, %y: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c4 = arith.constant 4 : index
  %step = arith.constant 1.0e-2 : f32
  %twostep = arith.constant 2.0e-2 : f32
  %init = tensor.empty() : tensor<8x4xf32>
  %g = scf.for %i = %c0 to %c8 step %c1 iter_args(%gi = %init) -> (tensor<8x4xf32>) {
   %gj = scf.for %j = %c0 to %c4 step %c1 iter_args(%acc = %gi) -> (tensor<8x4xf32>) {
    %v = tensor.extract %y[%i, %j] : tensor<8x4xf32>
    %vp = arith.addf %v, %step : f32
    %vm = arith.subf %v, %step : f32
    %yp = tensor.insert %vp into %y[%i, %j] : tensor<8x4xf32>
    %ym = tensor.insert %vm into %y[%i, %j] : tensor<8x4xf32>
    %ep = func.call @tok_silu(%h, %yp) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8xf32>
    %em = func.call @tok_silu(%h, %ym) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8xf32>
    %zero = arith.constant 0.0 : f32
    %ee = tensor.empty() : tensor<f32>
    %zz = linalg.fill ins(%zero : f32) outs(%ee : tensor<f32>) -> tensor<f32>
    %sp = linalg.reduce ins(%ep : tensor<8xf32>) outs(%zz : tensor<f32>) dimensions = [0]
      (%a: f32, %b: f32) {
        %r = arith.addf %a, %b : f32
        linalg.yield %r : f32
      }
    %sm = linalg.reduce ins(%em : tensor<8xf32>) outs(%zz : tensor<f32>) dimensions = [0]
      (%a: f32, %b: f32) {
        %r = arith.addf %a, %b : f32
        linalg.yield %r : f32
      }
    %fp = tensor.extract %sp[] : tensor<f32>
    %fm = tensor.extract %sm[] : tensor<f32>
    %d = arith.subf %fp, %fm : f32
    %q = arith.divf %d, %twostep : f32
    %next = tensor.insert %q into %acc[%i, %j] : tensor<8x4xf32>
    scf.yield %next : tensor<8x4xf32>
   }
   scf.yield %gj : tensor<8x4xf32>
  }
  return %g : tensor<8x4xf32>
}

func.func @ad_tok_silu(%h: tensor<8x16xf32>, %y: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %g = ebt.grad_y @tok_silu(%h, %y) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  return %g : tensor<8x4xf32>
}

// Central differences of sum E over every coordinate of y, step 1e-2.
func.func @fd_tok_gelu(%h: tensor<8x16xf32>, %y: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c4 = arith.constant 4 : index
  %step = arith.constant 1.0e-2 : f32
  %twostep = arith.constant 2.0e-2 : f32
  %init = tensor.empty() : tensor<8x4xf32>
  %g = scf.for %i = %c0 to %c8 step %c1 iter_args(%gi = %init) -> (tensor<8x4xf32>) {
   %gj = scf.for %j = %c0 to %c4 step %c1 iter_args(%acc = %gi) -> (tensor<8x4xf32>) {
    %v = tensor.extract %y[%i, %j] : tensor<8x4xf32>
    %vp = arith.addf %v, %step : f32
    %vm = arith.subf %v, %step : f32
    %yp = tensor.insert %vp into %y[%i, %j] : tensor<8x4xf32>
    %ym = tensor.insert %vm into %y[%i, %j] : tensor<8x4xf32>
    %ep = func.call @tok_gelu(%h, %yp) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8xf32>
    %em = func.call @tok_gelu(%h, %ym) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8xf32>
    %zero = arith.constant 0.0 : f32
    %ee = tensor.empty() : tensor<f32>
    %zz = linalg.fill ins(%zero : f32) outs(%ee : tensor<f32>) -> tensor<f32>
    %sp = linalg.reduce ins(%ep : tensor<8xf32>) outs(%zz : tensor<f32>) dimensions = [0]
      (%a: f32, %b: f32) {
        %r = arith.addf %a, %b : f32
        linalg.yield %r : f32
      }
    %sm = linalg.reduce ins(%em : tensor<8xf32>) outs(%zz : tensor<f32>) dimensions = [0]
      (%a: f32, %b: f32) {
        %r = arith.addf %a, %b : f32
        linalg.yield %r : f32
      }
    %fp = tensor.extract %sp[] : tensor<f32>
    %fm = tensor.extract %sm[] : tensor<f32>
    %d = arith.subf %fp, %fm : f32
    %q = arith.divf %d, %twostep : f32
    %next = tensor.insert %q into %acc[%i, %j] : tensor<8x4xf32>
    scf.yield %next : tensor<8x4xf32>
   }
   scf.yield %gj : tensor<8x4xf32>
  }
  return %g : tensor<8x4xf32>
}

func.func @ad_tok_gelu(%h: tensor<8x16xf32>, %y: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %g = ebt.grad_y @tok_gelu(%h, %y) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  return %g : tensor<8x4xf32>
}

// Central differences of sum E over every coordinate of y, step 1e-2.
func.func @fd_bilinear(%h: tensor<8x16xf32>, %y: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c4 = arith.constant 4 : index
  %step = arith.constant 1.0e-2 : f32
  %twostep = arith.constant 2.0e-2 : f32
  %init = tensor.empty() : tensor<8x4xf32>
  %g = scf.for %i = %c0 to %c8 step %c1 iter_args(%gi = %init) -> (tensor<8x4xf32>) {
   %gj = scf.for %j = %c0 to %c4 step %c1 iter_args(%acc = %gi) -> (tensor<8x4xf32>) {
    %v = tensor.extract %y[%i, %j] : tensor<8x4xf32>
    %vp = arith.addf %v, %step : f32
    %vm = arith.subf %v, %step : f32
    %yp = tensor.insert %vp into %y[%i, %j] : tensor<8x4xf32>
    %ym = tensor.insert %vm into %y[%i, %j] : tensor<8x4xf32>
    %ep = func.call @bilinear(%h, %yp) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<f32>
    %em = func.call @bilinear(%h, %ym) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<f32>
    %fp = tensor.extract %ep[] : tensor<f32>
    %fm = tensor.extract %em[] : tensor<f32>
    %d = arith.subf %fp, %fm : f32
    %q = arith.divf %d, %twostep : f32
    %next = tensor.insert %q into %acc[%i, %j] : tensor<8x4xf32>
    scf.yield %next : tensor<8x4xf32>
   }
   scf.yield %gj : tensor<8x4xf32>
  }
  return %g : tensor<8x4xf32>
}

func.func @ad_bilinear(%h: tensor<8x16xf32>, %y: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %g = ebt.grad_y @bilinear(%h, %y) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  return %g : tensor<8x4xf32>
}

// A deterministic test point: a sin(b i + c j + d).
func.func @point(%rows: index, %a: f32, %b: f32, %c: f32, %d: f32) -> tensor<8x16xf32> {
  %init = tensor.empty() : tensor<8x16xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} outs(%init : tensor<8x16xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %ii = arith.index_cast %i : index to i64
    %jj = arith.index_cast %j : index to i64
    %fi = arith.sitofp %ii : i64 to f32
    %fj = arith.sitofp %jj : i64 to f32
    %x1 = arith.mulf %fi, %b : f32
    %x2 = arith.mulf %fj, %c : f32
    %x3 = arith.addf %x1, %x2 : f32
    %x4 = arith.addf %x3, %d : f32
    %s = math.sin %x4 : f32
    %v = arith.mulf %s, %a : f32
    linalg.yield %v : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

func.func @main() {
  %rtol = arith.constant 1.0e-5 : f64
  %h = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %y = arith.constant dense<[0.2, -0.3, 0.7]> : tensor<3xf32>
  %e_relu, %g_relu = call @g2_relu(%h, %y) : (tensor<2xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  %ev_relu = tensor.extract %e_relu[] : tensor<f32>
  %ge_relu = arith.constant 0.104 : f64
  %id1 = arith.constant 1 : i64
  call @tessera_check_close(%ev_relu, %ge_relu, %rtol, %id1) : (f32, f64, f64, i64) -> ()
  %gg_relu = arith.constant dense<[0.62, 0.61, -0.46]> : tensor<3xf64>
  %ug_relu = tensor.cast %g_relu : tensor<3xf32> to tensor<*xf32>
  %ugg_relu = tensor.cast %gg_relu : tensor<3xf64> to tensor<*xf64>
  %id2 = arith.constant 2 : i64
  call @tesseraCheckTensor(%ug_relu, %ugg_relu, %rtol, %id2) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %e_gelu, %g_gelu = call @g2_gelu(%h, %y) : (tensor<2xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  %ev_gelu = tensor.extract %e_gelu[] : tensor<f32>
  %ge_gelu = arith.constant 0.01391829996 : f64
  %id3 = arith.constant 3 : i64
  call @tessera_check_close(%ev_gelu, %ge_gelu, %rtol, %id3) : (f32, f64, f64, i64) -> ()
  %gg_gelu = arith.constant dense<[0.3621749822, 0.3697802045, -0.4268187319]> : tensor<3xf64>
  %ug_gelu = tensor.cast %g_gelu : tensor<3xf32> to tensor<*xf32>
  %ugg_gelu = tensor.cast %gg_gelu : tensor<3xf64> to tensor<*xf64>
  %id4 = arith.constant 4 : i64
  call @tesseraCheckTensor(%ug_gelu, %ugg_gelu, %rtol, %id4) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %e_silu, %g_silu = call @g2_silu(%h, %y) : (tensor<2xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  %ev_silu = tensor.extract %e_silu[] : tensor<f32>
  %ge_silu = arith.constant -0.02059071156 : f64
  %id5 = arith.constant 5 : i64
  call @tessera_check_close(%ev_silu, %ge_silu, %rtol, %id5) : (f32, f64, f64, i64) -> ()
  %gg_silu = arith.constant dense<[0.3051913106, 0.4006053479, -0.4202935801]> : tensor<3xf64>
  %ug_silu = tensor.cast %g_silu : tensor<3xf32> to tensor<*xf32>
  %ugg_silu = tensor.cast %gg_silu : tensor<3xf64> to tensor<*xf64>
  %id6 = arith.constant 6 : i64
  call @tesseraCheckTensor(%ug_silu, %ugg_silu, %rtol, %id6) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %c8 = arith.constant 8 : index
  %rtolfd = arith.constant 1.0e-3 : f64
  %atolfd = arith.constant 1.0e-4 : f64
  %pa0 = arith.constant 1.0 : f32
  %pb0 = arith.constant 0.7 : f32
  %pc0 = arith.constant 0.3 : f32
  %pd0 = arith.constant 0.1 : f32
  %qa0 = arith.constant 0.9 : f32
  %qb0 = arith.constant 0.45 : f32
  %qc0 = arith.constant 0.8 : f32
  %qd0 = arith.constant 0.2 : f32
  %hh0 = call @point(%c8, %pa0, %pb0, %pc0, %pd0) : (index, f32, f32, f32, f32) -> tensor<8x16xf32>
  %yy16_0 = call @point(%c8, %qa0, %qb0, %qc0, %qd0) : (index, f32, f32, f32, f32) -> tensor<8x16xf32>
  %yy0 = tensor.extract_slice %yy16_0[0, 0] [8, 4] [1, 1] : tensor<8x16xf32> to tensor<8x4xf32>
  %ad_tok_silu_0 = call @ad_tok_silu(%hh0, %yy0) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %fd_tok_silu_0 = call @fd_tok_silu(%hh0, %yy0) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %uad_tok_silu_0 = tensor.cast %ad_tok_silu_0 : tensor<8x4xf32> to tensor<*xf32>
  %ufd_tok_silu_0 = tensor.cast %fd_tok_silu_0 : tensor<8x4xf32> to tensor<*xf32>
  %id7 = arith.constant 7 : i64
  call @tesseraCheckClose(%uad_tok_silu_0, %ufd_tok_silu_0, %rtolfd, %atolfd, %id7) : (tensor<*xf32>, tensor<*xf32>, f64, f64, i64) -> ()
  %ad_tok_gelu_0 = call @ad_tok_gelu(%hh0, %yy0) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %fd_tok_gelu_0 = call @fd_tok_gelu(%hh0, %yy0) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %uad_tok_gelu_0 = tensor.cast %ad_tok_gelu_0 : tensor<8x4xf32> to tensor<*xf32>
  %ufd_tok_gelu_0 = tensor.cast %fd_tok_gelu_0 : tensor<8x4xf32> to tensor<*xf32>
  %id8 = arith.constant 8 : i64
  call @tesseraCheckClose(%uad_tok_gelu_0, %ufd_tok_gelu_0, %rtolfd, %atolfd, %id8) : (tensor<*xf32>, tensor<*xf32>, f64, f64, i64) -> ()
  %ad_bilinear_0 = call @ad_bilinear(%hh0, %yy0) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %fd_bilinear_0 = call @fd_bilinear(%hh0, %yy0) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %uad_bilinear_0 = tensor.cast %ad_bilinear_0 : tensor<8x4xf32> to tensor<*xf32>
  %ufd_bilinear_0 = tensor.cast %fd_bilinear_0 : tensor<8x4xf32> to tensor<*xf32>
  %id9 = arith.constant 9 : i64
  call @tesseraCheckClose(%uad_bilinear_0, %ufd_bilinear_0, %rtolfd, %atolfd, %id9) : (tensor<*xf32>, tensor<*xf32>, f64, f64, i64) -> ()
  %pa1 = arith.constant 2.0 : f32
  %pb1 = arith.constant 1.3 : f32
  %pc1 = arith.constant 0.17 : f32
  %pd1 = arith.constant -0.4 : f32
  %qa1 = arith.constant 1.5 : f32
  %qb1 = arith.constant -0.6 : f32
  %qc1 = arith.constant 1.1 : f32
  %qd1 = arith.constant 0.3 : f32
  %hh1 = call @point(%c8, %pa1, %pb1, %pc1, %pd1) : (index, f32, f32, f32, f32) -> tensor<8x16xf32>
  %yy16_1 = call @point(%c8, %qa1, %qb1, %qc1, %qd1) : (index, f32, f32, f32, f32) -> tensor<8x16xf32>
  %yy1 = tensor.extract_slice %yy16_1[0, 0] [8, 4] [1, 1] : tensor<8x16xf32> to tensor<8x4xf32>
  %ad_tok_silu_1 = call @ad_tok_silu(%hh1, %yy1) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %fd_tok_silu_1 = call @fd_tok_silu(%hh1, %yy1) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %uad_tok_silu_1 = tensor.cast %ad_tok_silu_1 : tensor<8x4xf32> to tensor<*xf32>
  %ufd_tok_silu_1 = tensor.cast %fd_tok_silu_1 : tensor<8x4xf32> to tensor<*xf32>
  %id10 = arith.constant 10 : i64
  call @tesseraCheckClose(%uad_tok_silu_1, %ufd_tok_silu_1, %rtolfd, %atolfd, %id10) : (tensor<*xf32>, tensor<*xf32>, f64, f64, i64) -> ()
  %ad_tok_gelu_1 = call @ad_tok_gelu(%hh1, %yy1) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %fd_tok_gelu_1 = call @fd_tok_gelu(%hh1, %yy1) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %uad_tok_gelu_1 = tensor.cast %ad_tok_gelu_1 : tensor<8x4xf32> to tensor<*xf32>
  %ufd_tok_gelu_1 = tensor.cast %fd_tok_gelu_1 : tensor<8x4xf32> to tensor<*xf32>
  %id11 = arith.constant 11 : i64
  call @tesseraCheckClose(%uad_tok_gelu_1, %ufd_tok_gelu_1, %rtolfd, %atolfd, %id11) : (tensor<*xf32>, tensor<*xf32>, f64, f64, i64) -> ()
  %ad_bilinear_1 = call @ad_bilinear(%hh1, %yy1) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %fd_bilinear_1 = call @fd_bilinear(%hh1, %yy1) : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %uad_bilinear_1 = tensor.cast %ad_bilinear_1 : tensor<8x4xf32> to tensor<*xf32>
  %ufd_bilinear_1 = tensor.cast %fd_bilinear_1 : tensor<8x4xf32> to tensor<*xf32>
  %id12 = arith.constant 12 : i64
  call @tesseraCheckClose(%uad_bilinear_1, %ufd_bilinear_1, %rtolfd, %atolfd, %id12) : (tensor<*xf32>, tensor<*xf32>, f64, f64, i64) -> ()
  return
}

// CHECK: check 1: ok
// CHECK: check 2: ok
// CHECK: check 3: ok
// CHECK: check 4: ok
// CHECK: check 5: ok
// CHECK: check 6: ok
// CHECK: check 7: ok
// CHECK: check 8: ok
// CHECK: check 9: ok
// CHECK: check 10: ok
// CHECK: check 11: ok
// CHECK: check 12: ok
