// RUN: tessera-opt %s --tessera-ebt-lower %cpu_pipeline | %run_cpu | FileCheck %s

// Keyed Langevin inference and noise initialisation over dynamic shapes (K
// candidates and tokens known at run time) draw the same Philox stream as
// the static shapes: the results are bit-identical.

func.func private @tesseraCheckTensor(tensor<*xf32> {bufferization.access = "read"}, tensor<*xf64> {bufferization.access = "read"}, f64, i64) attributes {llvm.emit_c_interface}

// Token-wise E(h, y)_l = sum_d (y_ld - h_d)^2 / 2.
func.func @quad(%h: tensor<4xf32>, %y: tensor<3x4xf32>) -> tensor<3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<3xf32>) -> tensor<3xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(l, d) -> (d)>, affine_map<(l, d) -> (l, d)>, affine_map<(l, d) -> (l)>], iterator_types = ["parallel", "reduction"]} ins(%h, %y : tensor<4xf32>, tensor<3x4xf32>) outs(%z : tensor<3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %half = arith.constant 0.5 : f32
    %d = arith.subf %b, %a : f32
    %sq = arith.mulf %d, %d : f32
    %w = arith.mulf %sq, %half : f32
    %s = arith.addf %acc, %w : f32
    linalg.yield %s : f32
  } -> tensor<3xf32>
  return %r : tensor<3xf32>
}

func.func @quad_dyn(%h: tensor<4xf32>, %y: tensor<?x4xf32>) -> tensor<?xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %n = tensor.dim %y, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(l, d) -> (d)>, affine_map<(l, d) -> (l, d)>, affine_map<(l, d) -> (l)>], iterator_types = ["parallel", "reduction"]} ins(%h, %y : tensor<4xf32>, tensor<?x4xf32>) outs(%z : tensor<?xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %half = arith.constant 0.5 : f32
    %d = arith.subf %b, %a : f32
    %sq = arith.mulf %d, %d : f32
    %w = arith.mulf %sq, %half : f32
    %s = arith.addf %acc, %w : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

func.func @static(%h: tensor<4xf32>, %x: tensor<3x4xf32>, %seed: i64) -> tensor<2x3x4xf32> {
  %eta = arith.constant 0.1 : f32
  %t = arith.constant 4 : index
  %o = arith.constant 7 : i64
  %y0 = ebt.decode_init noise %x rng(%seed, %o) : tensor<3x4xf32> -> tensor<2x3x4xf32>
  %y, %e = ebt.infer #ebt.policy<langevin, sigma = 0.5> @quad(%h, %y0) steps %t eta %eta rng(%seed, %o) : (tensor<4xf32>, tensor<2x3x4xf32>, index, f32, i64, i64) -> (tensor<2x3x4xf32>, tensor<2x3xf32>)
  return %y : tensor<2x3x4xf32>
}

func.func @dynamic(%h: tensor<4xf32>, %x: tensor<?x4xf32>, %seed: i64) -> tensor<?x?x4xf32> {
  %eta = arith.constant 0.1 : f32
  %t = arith.constant 4 : index
  %o = arith.constant 7 : i64
  %y0s = ebt.decode_init noise %x rng(%seed, %o) : tensor<?x4xf32> -> tensor<2x?x4xf32>
  %y0 = tensor.cast %y0s : tensor<2x?x4xf32> to tensor<?x?x4xf32>
  %y, %e = ebt.infer #ebt.policy<langevin, sigma = 0.5> @quad_dyn(%h, %y0) steps %t eta %eta rng(%seed, %o) : (tensor<4xf32>, tensor<?x?x4xf32>, index, f32, i64, i64) -> (tensor<?x?x4xf32>, tensor<?x?xf32>)
  return %y : tensor<?x?x4xf32>
}

func.func @main() {
  %h = arith.constant dense<[0.5, -1.0, 0.25, 2.0]> : tensor<4xf32>
  %x = arith.constant dense<0.0> : tensor<3x4xf32>
  %seed = arith.constant 99 : i64
  %zero = arith.constant 0.0 : f64
  %i1 = arith.constant 1 : i64
  %s = call @static(%h, %x, %seed) : (tensor<4xf32>, tensor<3x4xf32>, i64) -> tensor<2x3x4xf32>
  %xd = tensor.cast %x : tensor<3x4xf32> to tensor<?x4xf32>
  %d = call @dynamic(%h, %xd, %seed) : (tensor<4xf32>, tensor<?x4xf32>, i64) -> tensor<?x?x4xf32>
  %du = tensor.cast %d : tensor<?x?x4xf32> to tensor<*xf32>
  %s64 = arith.extf %s : tensor<2x3x4xf32> to tensor<2x3x4xf64>
  %su = tensor.cast %s64 : tensor<2x3x4xf64> to tensor<*xf64>
  // CHECK: check 1: ok
  call @tesseraCheckTensor(%du, %su, %zero, %i1) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  return
}
