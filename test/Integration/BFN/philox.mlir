// RUN: tessera-opt %s %cpu_pipeline | %run_cpu | FileCheck %s

// rng(seed, offset) draws the documented Philox4x32-10 stream: the keyed
// form equals the draws(...) form fed with an independent C reference of the
// stream (itself checked against Random123's known answers), for normals
// (sender sample, Bayesian flow) and uniforms (receiver class draw); the same
// key gives the same numbers, another offset other numbers. Dynamic site
// dims draw the same stream as static ones.

func.func private @tessera_philox_selftest(i64)
func.func private @tesseraCheckTensor(tensor<*xf32> {bufferization.access = "read"}, tensor<*xf64> {bufferization.access = "read"}, f64, i64) attributes {llvm.emit_c_interface}
func.func private @tessera_philox_draw(i64, i64, i64, i64, i64) -> f32

// Reference stream tensors, element e = row-major position.
func.func @ref_2x3x5(%seed: i64, %off: i64, %stream: i64, %normal: i64) -> tensor<2x3x5xf32> {
  %init = tensor.empty() : tensor<2x3x5xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(a, b, c) -> (a, b, c)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%init : tensor<2x3x5xf32>) {
  ^bb0(%o: f32):
    %a = linalg.index 0 : index
    %b = linalg.index 1 : index
    %c = linalg.index 2 : index
    %c15 = arith.constant 15 : index
    %c5 = arith.constant 5 : index
    %ea = arith.muli %a, %c15 : index
    %eb = arith.muli %b, %c5 : index
    %e1 = arith.addi %ea, %eb : index
    %e2 = arith.addi %e1, %c : index
    %e = arith.index_cast %e2 : index to i64
    %v = func.call @tessera_philox_draw(%seed, %off, %e, %stream, %normal) : (i64, i64, i64, i64, i64) -> f32
    linalg.yield %v : f32
  } -> tensor<2x3x5xf32>
  return %r : tensor<2x3x5xf32>
}

func.func @ref_6x4(%seed: i64, %off: i64, %stream: i64, %normal: i64) -> tensor<6x4xf32> {
  %init = tensor.empty() : tensor<6x4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(a, b) -> (a, b)>], iterator_types = ["parallel", "parallel"]} outs(%init : tensor<6x4xf32>) {
  ^bb0(%o: f32):
    %a = linalg.index 0 : index
    %b = linalg.index 1 : index
    %c4 = arith.constant 4 : index
    %ea = arith.muli %a, %c4 : index
    %e1 = arith.addi %ea, %b : index
    %e = arith.index_cast %e1 : index to i64
    %v = func.call @tessera_philox_draw(%seed, %off, %e, %stream, %normal) : (i64, i64, i64, i64, i64) -> f32
    linalg.yield %v : f32
  } -> tensor<6x4xf32>
  return %r : tensor<6x4xf32>
}

func.func @ref_6(%seed: i64, %off: i64, %stream: i64, %normal: i64) -> tensor<6xf32> {
  %init = tensor.empty() : tensor<6xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(a) -> (a)>], iterator_types = ["parallel"]} outs(%init : tensor<6xf32>) {
  ^bb0(%o: f32):
    %a = linalg.index 0 : index
    %e = arith.index_cast %a : index to i64
    %v = func.call @tessera_philox_draw(%seed, %off, %e, %stream, %normal) : (i64, i64, i64, i64, i64) -> f32
    linalg.yield %v : f32
  } -> tensor<6xf32>
  return %r : tensor<6xf32>
}

// y = x + eps / sqrt(alpha) with x = 0, alpha = 1: the raw normals.
func.func @normals_rng(%seed: i64, %off: i64) -> tensor<2x3x5xf32> {
  %x = arith.constant dense<0.0> : tensor<2x3x5xf32>
  %a = bfn.accuracy_constant 1.0
  %s = bfn.sender %x, %a : tensor<2x3x5xf32>, !bfn.accuracy -> !bfn.sender<gaussian, 2x3x5xf32>
  %y = bfn.sample %s rng(%seed, %off) : !bfn.sender<gaussian, 2x3x5xf32> -> tensor<2x3x5xf32>
  return %y : tensor<2x3x5xf32>
}

// Receiver class draw (uniform stream 0) then y (normal stream 1), K = 4.
func.func @receiver(%logits: tensor<6x4xf32>, %seed: i64, %off: i64, %u: tensor<6xf32>, %e: tensor<6x4xf32>) -> (tensor<6x4xf32>, tensor<6x4xf32>) {
  %a = bfn.accuracy_constant 2.0
  %p = bfn.output %logits : (tensor<6x4xf32>) -> !bfn.simplex<6x4xf32, log>
  %r = bfn.receiver %p, %a : !bfn.simplex<6x4xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 6x4xf32>
  %keyed = bfn.sample %r rng(%seed, %off) : !bfn.receiver<categorical, 6x4xf32> -> tensor<6x4xf32>
  %given = bfn.sample %r draws(%u, %e : tensor<6xf32>, tensor<6x4xf32>) : !bfn.receiver<categorical, 6x4xf32> -> tensor<6x4xf32>
  return %keyed, %given : tensor<6x4xf32>, tensor<6x4xf32>
}

// Bayesian flow (K normals per site, stream 0).
func.func @flow(%x: tensor<6xi32>, %seed: i64, %off: i64, %e: tensor<6x4xf32>) -> (tensor<6x4xf32>, tensor<6x4xf32>) {
  %t = arith.constant 0.7 : f32
  %k = bfn.paramize %x at #bfn.schedule<paper_discrete, beta1 = 3.0>(%t) rng(%seed, %off) : tensor<6xi32>, f32 -> !bfn.simplex<6x4xf32, log>
  %g = bfn.paramize %x at #bfn.schedule<paper_discrete, beta1 = 3.0>(%t) draws(%e : tensor<6x4xf32>) : tensor<6xi32>, f32 -> !bfn.simplex<6x4xf32, log>
  %kt = bfn.unpack %k : !bfn.simplex<6x4xf32, log> -> tensor<6x4xf32>
  %gt = bfn.unpack %g : !bfn.simplex<6x4xf32, log> -> tensor<6x4xf32>
  return %kt, %gt : tensor<6x4xf32>, tensor<6x4xf32>
}

// The same three draws with dynamic site dims.
func.func @normals_dyn(%x: tensor<?x3x?xf32>, %seed: i64, %off: i64) -> tensor<?x3x?xf32> {
  %a = bfn.accuracy_constant 1.0
  %s = bfn.sender %x, %a : tensor<?x3x?xf32>, !bfn.accuracy -> !bfn.sender<gaussian, ?x3x?xf32>
  %y = bfn.sample %s rng(%seed, %off) : !bfn.sender<gaussian, ?x3x?xf32> -> tensor<?x3x?xf32>
  return %y : tensor<?x3x?xf32>
}

func.func @receiver_dyn(%logits: tensor<?x4xf32>, %seed: i64, %off: i64) -> tensor<?x4xf32> {
  %a = bfn.accuracy_constant 2.0
  %p = bfn.output %logits : (tensor<?x4xf32>) -> !bfn.simplex<?x4xf32, log>
  %r = bfn.receiver %p, %a : !bfn.simplex<?x4xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, ?x4xf32>
  %y = bfn.sample %r rng(%seed, %off) : !bfn.receiver<categorical, ?x4xf32> -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

func.func @flow_dyn(%x: tensor<?xi32>, %seed: i64, %off: i64) -> tensor<?x4xf32> {
  %t = arith.constant 0.7 : f32
  %k = bfn.paramize %x at #bfn.schedule<paper_discrete, beta1 = 3.0>(%t) rng(%seed, %off) : tensor<?xi32>, f32 -> !bfn.simplex<?x4xf32, log>
  %kt = bfn.unpack %k : !bfn.simplex<?x4xf32, log> -> tensor<?x4xf32>
  return %kt : tensor<?x4xf32>
}

func.func @main() {
  %seed = arith.constant 20261121 : i64
  %off = arith.constant 4096 : i64
  %rtol = arith.constant 1.0e-6 : f64
  %s0 = arith.constant 0 : i64
  %s1 = arith.constant 1 : i64
  %i1 = arith.constant 1 : i64
  %i2 = arith.constant 2 : i64
  %i3 = arith.constant 3 : i64
  %i4 = arith.constant 4 : i64
  %i5 = arith.constant 5 : i64
  %i6 = arith.constant 6 : i64
  // CHECK: check 1: ok
  call @tessera_philox_selftest(%i1) : (i64) -> ()

  // Normals.
  %y = call @normals_rng(%seed, %off) : (i64, i64) -> tensor<2x3x5xf32>
  %refn = call @ref_2x3x5(%seed, %off, %s0, %s1) : (i64, i64, i64, i64) -> tensor<2x3x5xf32>
  %refn64 = arith.extf %refn : tensor<2x3x5xf32> to tensor<2x3x5xf64>
  %yu = tensor.cast %y : tensor<2x3x5xf32> to tensor<*xf32>
  %rn = tensor.cast %refn64 : tensor<2x3x5xf64> to tensor<*xf64>
  // CHECK: check 2: ok
  call @tesseraCheckTensor(%yu, %rn, %rtol, %i2) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()

  // Same key, same numbers; next offset, different numbers.
  %y2 = call @normals_rng(%seed, %off) : (i64, i64) -> tensor<2x3x5xf32>
  %y2u = tensor.cast %y2 : tensor<2x3x5xf32> to tensor<*xf32>
  %y64 = arith.extf %y : tensor<2x3x5xf32> to tensor<2x3x5xf64>
  %y64u = tensor.cast %y64 : tensor<2x3x5xf64> to tensor<*xf64>
  %zero = arith.constant 0.0 : f64
  // CHECK: check 3: ok
  call @tesseraCheckTensor(%y2u, %y64u, %zero, %i3) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %off2 = arith.constant 4097 : i64
  %y3 = call @normals_rng(%seed, %off2) : (i64, i64) -> tensor<2x3x5xf32>
  %y3u = tensor.cast %y3 : tensor<2x3x5xf32> to tensor<*xf32>
  // CHECK: check 4: FAIL element 0
  call @tesseraCheckTensor(%y3u, %y64u, %rtol, %i4) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()

  // Uniforms (receiver class) and normals (y), K = 4.
  %logits = arith.constant dense<[[0.1, 0.2, 0.3, 0.4], [2.0, -1.0, 0.0, 0.5], [-3.0, 0.0, 3.0, 1.0], [0.0, 0.0, 0.0, 0.0], [1.0, 1.5, -0.5, 0.25], [4.0, -4.0, 0.0, 0.0]]> : tensor<6x4xf32>
  %u = call @ref_6(%seed, %off, %s0, %s0) : (i64, i64, i64, i64) -> tensor<6xf32>
  %e = call @ref_6x4(%seed, %off, %s1, %s1) : (i64, i64, i64, i64) -> tensor<6x4xf32>
  %keyed, %given = call @receiver(%logits, %seed, %off, %u, %e) : (tensor<6x4xf32>, i64, i64, tensor<6xf32>, tensor<6x4xf32>) -> (tensor<6x4xf32>, tensor<6x4xf32>)
  %ku = tensor.cast %keyed : tensor<6x4xf32> to tensor<*xf32>
  %g64 = arith.extf %given : tensor<6x4xf32> to tensor<6x4xf64>
  %gu = tensor.cast %g64 : tensor<6x4xf64> to tensor<*xf64>
  // CHECK: check 5: ok
  call @tesseraCheckTensor(%ku, %gu, %rtol, %i5) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()

  // Bayesian flow.
  %x = arith.constant dense<[0, 1, 2, 3, 0, 2]> : tensor<6xi32>
  %e0 = call @ref_6x4(%seed, %off, %s0, %s1) : (i64, i64, i64, i64) -> tensor<6x4xf32>
  %fk, %fg = call @flow(%x, %seed, %off, %e0) : (tensor<6xi32>, i64, i64, tensor<6x4xf32>) -> (tensor<6x4xf32>, tensor<6x4xf32>)
  %fku = tensor.cast %fk : tensor<6x4xf32> to tensor<*xf32>
  %fg64 = arith.extf %fg : tensor<6x4xf32> to tensor<6x4xf64>
  %fgu = tensor.cast %fg64 : tensor<6x4xf64> to tensor<*xf64>
  // CHECK: check 6: ok
  call @tesseraCheckTensor(%fku, %fgu, %rtol, %i6) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()

  // Dynamic site dims: bit-identical to the static forms.
  %i7 = arith.constant 7 : i64
  %i8 = arith.constant 8 : i64
  %i9 = arith.constant 9 : i64
  %xz = arith.constant dense<0.0> : tensor<2x3x5xf32>
  %xzd = tensor.cast %xz : tensor<2x3x5xf32> to tensor<?x3x?xf32>
  %yd = call @normals_dyn(%xzd, %seed, %off) : (tensor<?x3x?xf32>, i64, i64) -> tensor<?x3x?xf32>
  %ydu = tensor.cast %yd : tensor<?x3x?xf32> to tensor<*xf32>
  // CHECK: check 7: ok
  call @tesseraCheckTensor(%ydu, %y64u, %zero, %i7) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %logitsd = tensor.cast %logits : tensor<6x4xf32> to tensor<?x4xf32>
  %rd = call @receiver_dyn(%logitsd, %seed, %off) : (tensor<?x4xf32>, i64, i64) -> tensor<?x4xf32>
  %rdu = tensor.cast %rd : tensor<?x4xf32> to tensor<*xf32>
  %k64 = arith.extf %keyed : tensor<6x4xf32> to tensor<6x4xf64>
  %k64u = tensor.cast %k64 : tensor<6x4xf64> to tensor<*xf64>
  // CHECK: check 8: ok
  call @tesseraCheckTensor(%rdu, %k64u, %zero, %i8) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %xd = tensor.cast %x : tensor<6xi32> to tensor<?xi32>
  %fd = call @flow_dyn(%xd, %seed, %off) : (tensor<?xi32>, i64, i64) -> tensor<?x4xf32>
  %fdu = tensor.cast %fd : tensor<?x4xf32> to tensor<*xf32>
  %fk64 = arith.extf %fk : tensor<6x4xf32> to tensor<6x4xf64>
  %fk64u = tensor.cast %fk64 : tensor<6x4xf64> to tensor<*xf64>
  // The flow's draws are the same with dynamic dims; its log-softmax over
  // the 4 classes is reduced in another order (a class at a time where the
  // static rows reduce in two passes), hence a few ulp.
  // CHECK: check 9: ok
  %ulps = arith.constant 1.0e-6 : f64
  call @tesseraCheckTensor(%fdu, %fk64u, %ulps, %i9) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  return
}
