// RUN: tessera-opt %s %cpu_pipeline | %run_cpu | FileCheck %s

// The n-step sampling loop with a tiny fixed network (logits = theta W,
// weights below) draws the same samples as a plain C reference of the loop
// for the same rng(seed, offset): K = 4, 256 sites, n = 10 and n = 50,
// beta1 = 3, final mode. With the sites dynamic (the prior packed from a
// tensor<?x4xf32>), the same samples.

func.func private @tesseraCheckGenerateCategorical(tensor<*xi32> {bufferization.access = "read"}, tensor<*xf32> {bufferization.access = "read"}, i64, f64, i64, i64, i64) attributes {llvm.emit_c_interface}

func.func @net(%theta: tensor<256x4xf32>, %t: f32, %w: tensor<4x4xf32>) -> tensor<256x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<256x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<256x4xf32>) -> tensor<256x4xf32>
  %l = linalg.matmul ins(%theta, %w : tensor<256x4xf32>, tensor<4x4xf32>) outs(%z : tensor<256x4xf32>) -> tensor<256x4xf32>
  return %l : tensor<256x4xf32>
}

func.func @sample(%w: tensor<4x4xf32>, %n: index, %seed: i64, %off: i64) -> tensor<256xi32> {
  %prior = bfn.prior : !bfn.simplex<256x4xf32, log>
  %x = bfn.generate %prior steps %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %off) network @net(%w) : !bfn.simplex<256x4xf32, log>, index, tensor<4x4xf32> -> tensor<256xi32>
  return %x : tensor<256xi32>
}

func.func @net_dyn(%theta: tensor<?x4xf32>, %t: f32, %w: tensor<4x4xf32>) -> tensor<?x4xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %n = tensor.dim %theta, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
  %l = linalg.matmul ins(%theta, %w : tensor<?x4xf32>, tensor<4x4xf32>) outs(%z : tensor<?x4xf32>) -> tensor<?x4xf32>
  return %l : tensor<?x4xf32>
}

func.func @sample_dyn(%sites: index, %w: tensor<4x4xf32>, %n: index, %seed: i64, %off: i64) -> tensor<?xi32> {
  %ln = arith.constant -1.38629436 : f32
  %e = tensor.empty(%sites) : tensor<?x4xf32>
  %u = linalg.fill ins(%ln : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
  %prior = bfn.pack %u : tensor<?x4xf32> -> !bfn.simplex<?x4xf32, log>
  %x = bfn.generate %prior steps %n, #bfn.schedule<paper_discrete, beta1 = 3.0> rng(%seed, %off) network @net_dyn(%w) : !bfn.simplex<?x4xf32, log>, index, tensor<4x4xf32> -> tensor<?xi32>
  return %x : tensor<?xi32>
}

func.func @main() {
  %w = arith.constant dense<[[1.5, -0.5, 0.2, 0.0], [0.3, 2.0, -1.0, 0.4], [-0.7, 0.1, 1.2, 0.9], [0.0, 0.6, -0.3, 1.8]]> : tensor<4x4xf32>
  %uw = tensor.cast %w : tensor<4x4xf32> to tensor<*xf32>
  %seed = arith.constant 31337 : i64
  %off = arith.constant 123 : i64
  %b1 = arith.constant 3.0 : f64
  %c10 = arith.constant 10 : index
  %c50 = arith.constant 50 : index
  %n10 = arith.constant 10 : i64
  %n50 = arith.constant 50 : i64
  %i1 = arith.constant 1 : i64
  %i2 = arith.constant 2 : i64
  %x10 = call @sample(%w, %c10, %seed, %off) : (tensor<4x4xf32>, index, i64, i64) -> tensor<256xi32>
  %u10 = tensor.cast %x10 : tensor<256xi32> to tensor<*xi32>
  // CHECK: check 1: ok
  call @tesseraCheckGenerateCategorical(%u10, %uw, %n10, %b1, %seed, %off, %i1) : (tensor<*xi32>, tensor<*xf32>, i64, f64, i64, i64, i64) -> ()
  %x50 = call @sample(%w, %c50, %seed, %off) : (tensor<4x4xf32>, index, i64, i64) -> tensor<256xi32>
  %u50 = tensor.cast %x50 : tensor<256xi32> to tensor<*xi32>
  // CHECK: check 2: ok
  call @tesseraCheckGenerateCategorical(%u50, %uw, %n50, %b1, %seed, %off, %i2) : (tensor<*xi32>, tensor<*xf32>, i64, f64, i64, i64, i64) -> ()
  %c256 = arith.constant 256 : index
  %i3 = arith.constant 3 : i64
  %xd = call @sample_dyn(%c256, %w, %c10, %seed, %off) : (index, tensor<4x4xf32>, index, i64, i64) -> tensor<?xi32>
  %ud = tensor.cast %xd : tensor<?xi32> to tensor<*xi32>
  // CHECK: check 3: ok
  call @tesseraCheckGenerateCategorical(%ud, %uw, %n10, %b1, %seed, %off, %i3) : (tensor<*xi32>, tensor<*xf32>, i64, f64, i64, i64, i64) -> ()
  return
}
