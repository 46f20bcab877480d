// RUN: tessera-opt %s %cpu_pipeline | %run_cpu | FileCheck %s

// The categorical Bayesian update in log space on the CPU, against the
// plain C reference in test/lib (double precision): 37 sites (two vectors
// of 16 and a tail of 5) for K = 2 and 5 (the normalisation over the tile's
// rows taken flat), 16, 27 and 256 (a row at a time, 27 with a tail of
// 11 classes), and bf16 storage at K = 2 and 27 (the reference reads the
// same bf16 inputs; the output is rounded to bf16). Inputs are
// deterministic functions of the site and class indices.

func.func private @tesseraCheckCategoricalUpdate(tensor<*xf32> {bufferization.access = "read"}, tensor<*xf32> {bufferization.access = "read"}, tensor<*xf32> {bufferization.access = "read"}, i64, f64, f64, i64) attributes {llvm.emit_c_interface}

// 3 sin(a s + b k + 0.1 s k) over n sites x k classes.
func.func @wave(%n: index, %k: index, %a: f32, %b: f32) -> tensor<?x?xf32> {
  %init = tensor.empty(%n, %k) : tensor<?x?xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(s, c) -> (s, c)>], iterator_types = ["parallel", "parallel"]} outs(%init : tensor<?x?xf32>) {
  ^bb0(%o: f32):
    %s = linalg.index 0 : index
    %c = linalg.index 1 : index
    %si = arith.index_cast %s : index to i64
    %ci = arith.index_cast %c : index to i64
    %sf = arith.sitofp %si : i64 to f32
    %cf = arith.sitofp %ci : i64 to f32
    %c01 = arith.constant 0.1 : f32
    %three = arith.constant 3.0 : f32
    %as = arith.mulf %sf, %a : f32
    %bc = arith.mulf %cf, %b : f32
    %sc = arith.mulf %sf, %cf : f32
    %t = arith.mulf %sc, %c01 : f32
    %u = arith.addf %as, %bc : f32
    %v = arith.addf %u, %t : f32
    %sn = math.sin %v : f32
    %w = arith.mulf %sn, %three : f32
    linalg.yield %w : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

func.func @update_2_f32(%lt: tensor<37x2xf32>, %y: tensor<37x2xf32>) -> tensor<37x2xf32> {
  %p = bfn.pack %lt : tensor<37x2xf32> -> !bfn.simplex<37x2xf32, log>
  %q = bfn.bayes_update %p, %y : !bfn.simplex<37x2xf32, log>, tensor<37x2xf32>
  %r = bfn.unpack %q : !bfn.simplex<37x2xf32, log> -> tensor<37x2xf32>
  return %r : tensor<37x2xf32>
}

func.func @update_5_f32(%lt: tensor<37x5xf32>, %y: tensor<37x5xf32>) -> tensor<37x5xf32> {
  %p = bfn.pack %lt : tensor<37x5xf32> -> !bfn.simplex<37x5xf32, log>
  %q = bfn.bayes_update %p, %y : !bfn.simplex<37x5xf32, log>, tensor<37x5xf32>
  %r = bfn.unpack %q : !bfn.simplex<37x5xf32, log> -> tensor<37x5xf32>
  return %r : tensor<37x5xf32>
}

func.func @update_16_f32(%lt: tensor<37x16xf32>, %y: tensor<37x16xf32>) -> tensor<37x16xf32> {
  %p = bfn.pack %lt : tensor<37x16xf32> -> !bfn.simplex<37x16xf32, log>
  %q = bfn.bayes_update %p, %y : !bfn.simplex<37x16xf32, log>, tensor<37x16xf32>
  %r = bfn.unpack %q : !bfn.simplex<37x16xf32, log> -> tensor<37x16xf32>
  return %r : tensor<37x16xf32>
}

func.func @update_27_f32(%lt: tensor<37x27xf32>, %y: tensor<37x27xf32>) -> tensor<37x27xf32> {
  %p = bfn.pack %lt : tensor<37x27xf32> -> !bfn.simplex<37x27xf32, log>
  %q = bfn.bayes_update %p, %y : !bfn.simplex<37x27xf32, log>, tensor<37x27xf32>
  %r = bfn.unpack %q : !bfn.simplex<37x27xf32, log> -> tensor<37x27xf32>
  return %r : tensor<37x27xf32>
}

func.func @update_256_f32(%lt: tensor<37x256xf32>, %y: tensor<37x256xf32>) -> tensor<37x256xf32> {
  %p = bfn.pack %lt : tensor<37x256xf32> -> !bfn.simplex<37x256xf32, log>
  %q = bfn.bayes_update %p, %y : !bfn.simplex<37x256xf32, log>, tensor<37x256xf32>
  %r = bfn.unpack %q : !bfn.simplex<37x256xf32, log> -> tensor<37x256xf32>
  return %r : tensor<37x256xf32>
}

func.func @update_2_bf16(%lt: tensor<37x2xbf16>, %y: tensor<37x2xf32>) -> tensor<37x2xbf16> {
  %p = bfn.pack %lt : tensor<37x2xbf16> -> !bfn.simplex<37x2xbf16, log>
  %q = bfn.bayes_update %p, %y : !bfn.simplex<37x2xbf16, log>, tensor<37x2xf32>
  %r = bfn.unpack %q : !bfn.simplex<37x2xbf16, log> -> tensor<37x2xbf16>
  return %r : tensor<37x2xbf16>
}

func.func @update_27_bf16(%lt: tensor<37x27xbf16>, %y: tensor<37x27xf32>) -> tensor<37x27xbf16> {
  %p = bfn.pack %lt : tensor<37x27xbf16> -> !bfn.simplex<37x27xbf16, log>
  %q = bfn.bayes_update %p, %y : !bfn.simplex<37x27xbf16, log>, tensor<37x27xf32>
  %r = bfn.unpack %q : !bfn.simplex<37x27xbf16, log> -> tensor<37x27xbf16>
  return %r : tensor<37x27xbf16>
}

func.func @main() {
  %sites = arith.constant 37 : index
  %nsites = arith.constant 37 : i64
  %a1 = arith.constant 1.3 : f32
  %b1 = arith.constant 0.7 : f32
  %a2 = arith.constant 0.9 : f32
  %b2 = arith.constant -0.4 : f32
  %rtol = arith.constant 1.0e-5 : f64
  %atol = arith.constant 1.0e-5 : f64
  %rtol16 = arith.constant 8.0e-3 : f64
  %atol16 = arith.constant 2.0e-2 : f64

  %k2_f32 = arith.constant 2 : index
  %dl2_f32 = call @wave(%sites, %k2_f32, %a1, %b1) : (index, index, f32, f32) -> tensor<?x?xf32>
  %dy2_f32 = call @wave(%sites, %k2_f32, %a2, %b2) : (index, index, f32, f32) -> tensor<?x?xf32>
  %l2_f32 = tensor.cast %dl2_f32 : tensor<?x?xf32> to tensor<37x2xf32>
  %y2_f32 = tensor.cast %dy2_f32 : tensor<?x?xf32> to tensor<37x2xf32>
  %r2_f32 = call @update_2_f32(%l2_f32, %y2_f32) : (tensor<37x2xf32>, tensor<37x2xf32>) -> tensor<37x2xf32>
  %ur2_f32 = tensor.cast %r2_f32 : tensor<37x2xf32> to tensor<*xf32>
  %ul2_f32 = tensor.cast %l2_f32 : tensor<37x2xf32> to tensor<*xf32>
  %uy2_f32 = tensor.cast %y2_f32 : tensor<37x2xf32> to tensor<*xf32>
  %id2_f32 = arith.constant 1 : i64
  call @tesseraCheckCategoricalUpdate(%ur2_f32, %ul2_f32, %uy2_f32, %nsites, %rtol, %atol, %id2_f32) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, i64, f64, f64, i64) -> ()

  %k5_f32 = arith.constant 5 : index
  %dl5_f32 = call @wave(%sites, %k5_f32, %a1, %b1) : (index, index, f32, f32) -> tensor<?x?xf32>
  %dy5_f32 = call @wave(%sites, %k5_f32, %a2, %b2) : (index, index, f32, f32) -> tensor<?x?xf32>
  %l5_f32 = tensor.cast %dl5_f32 : tensor<?x?xf32> to tensor<37x5xf32>
  %y5_f32 = tensor.cast %dy5_f32 : tensor<?x?xf32> to tensor<37x5xf32>
  %r5_f32 = call @update_5_f32(%l5_f32, %y5_f32) : (tensor<37x5xf32>, tensor<37x5xf32>) -> tensor<37x5xf32>
  %ur5_f32 = tensor.cast %r5_f32 : tensor<37x5xf32> to tensor<*xf32>
  %ul5_f32 = tensor.cast %l5_f32 : tensor<37x5xf32> to tensor<*xf32>
  %uy5_f32 = tensor.cast %y5_f32 : tensor<37x5xf32> to tensor<*xf32>
  %id5_f32 = arith.constant 2 : i64
  call @tesseraCheckCategoricalUpdate(%ur5_f32, %ul5_f32, %uy5_f32, %nsites, %rtol, %atol, %id5_f32) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, i64, f64, f64, i64) -> ()

  %k16_f32 = arith.constant 16 : index
  %dl16_f32 = call @wave(%sites, %k16_f32, %a1, %b1) : (index, index, f32, f32) -> tensor<?x?xf32>
  %dy16_f32 = call @wave(%sites, %k16_f32, %a2, %b2) : (index, index, f32, f32) -> tensor<?x?xf32>
  %l16_f32 = tensor.cast %dl16_f32 : tensor<?x?xf32> to tensor<37x16xf32>
  %y16_f32 = tensor.cast %dy16_f32 : tensor<?x?xf32> to tensor<37x16xf32>
  %r16_f32 = call @update_16_f32(%l16_f32, %y16_f32) : (tensor<37x16xf32>, tensor<37x16xf32>) -> tensor<37x16xf32>
  %ur16_f32 = tensor.cast %r16_f32 : tensor<37x16xf32> to tensor<*xf32>
  %ul16_f32 = tensor.cast %l16_f32 : tensor<37x16xf32> to tensor<*xf32>
  %uy16_f32 = tensor.cast %y16_f32 : tensor<37x16xf32> to tensor<*xf32>
  %id16_f32 = arith.constant 3 : i64
  call @tesseraCheckCategoricalUpdate(%ur16_f32, %ul16_f32, %uy16_f32, %nsites, %rtol, %atol, %id16_f32) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, i64, f64, f64, i64) -> ()

  %k27_f32 = arith.constant 27 : index
  %dl27_f32 = call @wave(%sites, %k27_f32, %a1, %b1) : (index, index, f32, f32) -> tensor<?x?xf32>
  %dy27_f32 = call @wave(%sites, %k27_f32, %a2, %b2) : (index, index, f32, f32) -> tensor<?x?xf32>
  %l27_f32 = tensor.cast %dl27_f32 : tensor<?x?xf32> to tensor<37x27xf32>
  %y27_f32 = tensor.cast %dy27_f32 : tensor<?x?xf32> to tensor<37x27xf32>
  %r27_f32 = call @update_27_f32(%l27_f32, %y27_f32) : (tensor<37x27xf32>, tensor<37x27xf32>) -> tensor<37x27xf32>
  %ur27_f32 = tensor.cast %r27_f32 : tensor<37x27xf32> to tensor<*xf32>
  %ul27_f32 = tensor.cast %l27_f32 : tensor<37x27xf32> to tensor<*xf32>
  %uy27_f32 = tensor.cast %y27_f32 : tensor<37x27xf32> to tensor<*xf32>
  %id27_f32 = arith.constant 4 : i64
  call @tesseraCheckCategoricalUpdate(%ur27_f32, %ul27_f32, %uy27_f32, %nsites, %rtol, %atol, %id27_f32) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, i64, f64, f64, i64) -> ()

  %k256_f32 = arith.constant 256 : index
  %dl256_f32 = call @wave(%sites, %k256_f32, %a1, %b1) : (index, index, f32, f32) -> tensor<?x?xf32>
  %dy256_f32 = call @wave(%sites, %k256_f32, %a2, %b2) : (index, index, f32, f32) -> tensor<?x?xf32>
  %l256_f32 = tensor.cast %dl256_f32 : tensor<?x?xf32> to tensor<37x256xf32>
  %y256_f32 = tensor.cast %dy256_f32 : tensor<?x?xf32> to tensor<37x256xf32>
  %r256_f32 = call @update_256_f32(%l256_f32, %y256_f32) : (tensor<37x256xf32>, tensor<37x256xf32>) -> tensor<37x256xf32>
  %ur256_f32 = tensor.cast %r256_f32 : tensor<37x256xf32> to tensor<*xf32>
  %ul256_f32 = tensor.cast %l256_f32 : tensor<37x256xf32> to tensor<*xf32>
  %uy256_f32 = tensor.cast %y256_f32 : tensor<37x256xf32> to tensor<*xf32>
  %id256_f32 = arith.constant 5 : i64
  call @tesseraCheckCategoricalUpdate(%ur256_f32, %ul256_f32, %uy256_f32, %nsites, %rtol, %atol, %id256_f32) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, i64, f64, f64, i64) -> ()

  %k2_bf16 = arith.constant 2 : index
  %dl2_bf16 = call @wave(%sites, %k2_bf16, %a1, %b1) : (index, index, f32, f32) -> tensor<?x?xf32>
  %dy2_bf16 = call @wave(%sites, %k2_bf16, %a2, %b2) : (index, index, f32, f32) -> tensor<?x?xf32>
  %l2_bf16 = tensor.cast %dl2_bf16 : tensor<?x?xf32> to tensor<37x2xf32>
  %y2_bf16 = tensor.cast %dy2_bf16 : tensor<?x?xf32> to tensor<37x2xf32>
  %lb2_bf16 = arith.truncf %l2_bf16 : tensor<37x2xf32> to tensor<37x2xbf16>
  %rb2_bf16 = call @update_2_bf16(%lb2_bf16, %y2_bf16) : (tensor<37x2xbf16>, tensor<37x2xf32>) -> tensor<37x2xbf16>
  %r2_bf16 = arith.extf %rb2_bf16 : tensor<37x2xbf16> to tensor<37x2xf32>
  %le2_bf16 = arith.extf %lb2_bf16 : tensor<37x2xbf16> to tensor<37x2xf32>
  %ur2_bf16 = tensor.cast %r2_bf16 : tensor<37x2xf32> to tensor<*xf32>
  %ul2_bf16 = tensor.cast %le2_bf16 : tensor<37x2xf32> to tensor<*xf32>
  %uy2_bf16 = tensor.cast %y2_bf16 : tensor<37x2xf32> to tensor<*xf32>
  %id2_bf16 = arith.constant 6 : i64
  call @tesseraCheckCategoricalUpdate(%ur2_bf16, %ul2_bf16, %uy2_bf16, %nsites, %rtol16, %atol16, %id2_bf16) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, i64, f64, f64, i64) -> ()

  %k27_bf16 = arith.constant 27 : index
  %dl27_bf16 = call @wave(%sites, %k27_bf16, %a1, %b1) : (index, index, f32, f32) -> tensor<?x?xf32>
  %dy27_bf16 = call @wave(%sites, %k27_bf16, %a2, %b2) : (index, index, f32, f32) -> tensor<?x?xf32>
  %l27_bf16 = tensor.cast %dl27_bf16 : tensor<?x?xf32> to tensor<37x27xf32>
  %y27_bf16 = tensor.cast %dy27_bf16 : tensor<?x?xf32> to tensor<37x27xf32>
  %lb27_bf16 = arith.truncf %l27_bf16 : tensor<37x27xf32> to tensor<37x27xbf16>
  %rb27_bf16 = call @update_27_bf16(%lb27_bf16, %y27_bf16) : (tensor<37x27xbf16>, tensor<37x27xf32>) -> tensor<37x27xbf16>
  %r27_bf16 = arith.extf %rb27_bf16 : tensor<37x27xbf16> to tensor<37x27xf32>
  %le27_bf16 = arith.extf %lb27_bf16 : tensor<37x27xbf16> to tensor<37x27xf32>
  %ur27_bf16 = tensor.cast %r27_bf16 : tensor<37x27xf32> to tensor<*xf32>
  %ul27_bf16 = tensor.cast %le27_bf16 : tensor<37x27xf32> to tensor<*xf32>
  %uy27_bf16 = tensor.cast %y27_bf16 : tensor<37x27xf32> to tensor<*xf32>
  %id27_bf16 = arith.constant 7 : i64
  call @tesseraCheckCategoricalUpdate(%ur27_bf16, %ul27_bf16, %uy27_bf16, %nsites, %rtol16, %atol16, %id27_bf16) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, i64, f64, f64, i64) -> ()

  return
}

// CHECK: check 1: ok
// CHECK: check 2: ok
// CHECK: check 3: ok
// CHECK: check 4: ok
// CHECK: check 5: ok
// CHECK: check 6: ok
// CHECK: check 7: ok
