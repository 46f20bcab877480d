// RUN: tessera-opt %s %cpu_pipeline | %run_cpu | FileCheck %s
// RUN: tessera-opt %s --tessera-to-schedule --tessera-to-tile="target=cpu vector-width=0" --tessera-to-target=target=cpu | %run_cpu | FileCheck %s

// The CPU site vectorisation on the shapes that exercise its edges, against
// references written as plain scf loops in f64 (which it leaves scalar):
// 37 sites (two full vectors of 16 and a masked tail of 5) x 40 classes
// (rows read as transposed 16 x 16 blocks, the last one masked at 8) and
// x 5 classes (gathered), a reduction of dynamic extent
// (also 0) with an output finished after the loop, and a matmul (lanes along its 21 output columns). The same checks pass with
// vectorisation off (second RUN).

func.func private @tessera_check_close(f32, f64, f64, i64)

// Fused receiver+KL at y: y_x - LSE_k(ln p(k) + y_k), one value per site.
func.func @kl(%x: tensor<37xi32>, %lp: tensor<37x40xf32>, %y: tensor<37x40xf32>) -> tensor<37xf32> {
  %a = bfn.accuracy_constant 0.5
  %p = bfn.pack %lp : tensor<37x40xf32> -> !bfn.simplex<37x40xf32, log>
  %s = bfn.sender %x, %a : tensor<37xi32>, !bfn.accuracy -> !bfn.sender<categorical, 37x40xf32>
  %r = bfn.receiver %p, %a : !bfn.simplex<37x40xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 37x40xf32>
  %kl = bfn.kl %s, %r at %y : !bfn.sender<categorical, 37x40xf32>, !bfn.receiver<categorical, 37x40xf32>, tensor<37x40xf32> -> tensor<37xf32>
  return %kl : tensor<37xf32>
}

// The same with 5 classes: shorter rows than a vector, gathered.
func.func @kl5(%x: tensor<37xi32>, %lp: tensor<37x5xf32>, %y: tensor<37x5xf32>) -> tensor<37xf32> {
  %a = bfn.accuracy_constant 0.5
  %p = bfn.pack %lp : tensor<37x5xf32> -> !bfn.simplex<37x5xf32, log>
  %s = bfn.sender %x, %a : tensor<37xi32>, !bfn.accuracy -> !bfn.sender<categorical, 37x5xf32>
  %r = bfn.receiver %p, %a : !bfn.simplex<37x5xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 37x5xf32>
  %kl = bfn.kl %s, %r at %y : !bfn.sender<categorical, 37x5xf32>, !bfn.receiver<categorical, 37x5xf32>, tensor<37x5xf32> -> tensor<37xf32>
  return %kl : tensor<37xf32>
}

func.func @kl_ref(%x: tensor<37xi32>, %lp: tensor<37x?xf32>, %y: tensor<37x?xf32>, %s: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c40 = tensor.dim %lp, %c1 : tensor<37x?xf32>
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %zero = arith.constant 0.0 : f64
  %m = scf.for %k = %c0 to %c40 step %c1 iter_args(%acc = %ninf) -> f64 {
    %l = tensor.extract %lp[%s, %k] : tensor<37x?xf32>
    %v = tensor.extract %y[%s, %k] : tensor<37x?xf32>
    %a = arith.addf %l, %v : f32
    %a64 = arith.extf %a : f32 to f64
    %n = arith.maximumf %acc, %a64 : f64
    scf.yield %n : f64
  }
  %sum = scf.for %k = %c0 to %c40 step %c1 iter_args(%acc = %zero) -> f64 {
    %l = tensor.extract %lp[%s, %k] : tensor<37x?xf32>
    %v = tensor.extract %y[%s, %k] : tensor<37x?xf32>
    %a = arith.addf %l, %v : f32
    %a64 = arith.extf %a : f32 to f64
    %d = arith.subf %a64, %m : f64
    %e = math.exp %d : f64
    %n = arith.addf %acc, %e : f64
    scf.yield %n : f64
  }
  %lse0 = math.log %sum : f64
  %lse = arith.addf %lse0, %m : f64
  %xi = tensor.extract %x[%s] : tensor<37xi32>
  %xk = arith.index_cast %xi : i32 to index
  %yx = tensor.extract %y[%s, %xk] : tensor<37x?xf32>
  %yx64 = arith.extf %yx : f32 to f64
  %r = arith.subf %yx64, %lse : f64
  return %r : f64
}

#row = affine_map<(d0, d1) -> (d0, d1)>
#site = affine_map<(d0, d1) -> (d0)>
// Output 0 carries the row sum; output 1 (log of it) is never read back, so
// it is finished after the loop.
func.func @rowlog(%a: tensor<?x?xf32>, %init: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %a, %c0 : tensor<?x?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %r:2 = linalg.generic {indexing_maps = [#row, #site, #site], iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<?x?xf32>) outs(%z, %init : tensor<?xf32>, tensor<?xf32>) {
  ^bb0(%in: f32, %sum: f32, %unused: f32):
    %s = arith.addf %sum, %in : f32
    %l = math.log %s : f32
    linalg.yield %s, %l : f32, f32
  } -> (tensor<?xf32>, tensor<?xf32>)
  return %r#0, %r#1 : tensor<?xf32>, tensor<?xf32>
}

func.func @matmul(%a: tensor<5x37xf32>, %b: tensor<37x21xf32>) -> tensor<5x21xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<5x21xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<5x21xf32>) -> tensor<5x21xf32>
  %c = linalg.matmul ins(%a, %b : tensor<5x37xf32>, tensor<37x21xf32>) outs(%z : tensor<5x21xf32>) -> tensor<5x21xf32>
  return %c : tensor<5x21xf32>
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c37 = arith.constant 37 : index
  %c40 = arith.constant 40 : index
  %rtol = arith.constant 1.0e-5 : f64
  // Inputs that differ per site and class: lp = -((3s + 7k) mod 11) / 4,
  // y = ((5s + 2k) mod 13) / 3 - 2, x = (7s) mod 40.
  %e0 = tensor.empty() : tensor<37x40xf32>
  %lp = linalg.generic {indexing_maps = [#row], iterator_types = ["parallel", "parallel"]} outs(%e0 : tensor<37x40xf32>) {
  ^bb0(%o: f32):
    %s = linalg.index 0 : index
    %k = linalg.index 1 : index
    %c3 = arith.constant 3 : index
    %c7 = arith.constant 7 : index
    %c11 = arith.constant 11 : index
    %t0 = arith.muli %s, %c3 : index
    %t1 = arith.muli %k, %c7 : index
    %t2 = arith.addi %t0, %t1 : index
    %t3 = arith.remui %t2, %c11 : index
    %t4 = arith.index_cast %t3 : index to i32
    %t5 = arith.sitofp %t4 : i32 to f32
    %q = arith.constant -0.25 : f32
    %v = arith.mulf %t5, %q : f32
    linalg.yield %v : f32
  } -> tensor<37x40xf32>
  %y = linalg.generic {indexing_maps = [#row], iterator_types = ["parallel", "parallel"]} outs(%e0 : tensor<37x40xf32>) {
  ^bb0(%o: f32):
    %s = linalg.index 0 : index
    %k = linalg.index 1 : index
    %c5 = arith.constant 5 : index
    %c2 = arith.constant 2 : index
    %c13 = arith.constant 13 : index
    %t0 = arith.muli %s, %c5 : index
    %t1 = arith.muli %k, %c2 : index
    %t2 = arith.addi %t0, %t1 : index
    %t3 = arith.remui %t2, %c13 : index
    %t4 = arith.index_cast %t3 : index to i32
    %t5 = arith.sitofp %t4 : i32 to f32
    %third = arith.constant 0.333333333 : f32
    %two = arith.constant 2.0 : f32
    %t6 = arith.mulf %t5, %third : f32
    %v = arith.subf %t6, %two : f32
    linalg.yield %v : f32
  } -> tensor<37x40xf32>
  %ex = tensor.empty() : tensor<37xi32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%ex : tensor<37xi32>) {
  ^bb0(%o: i32):
    %s = linalg.index 0 : index
    %c7 = arith.constant 7 : index
    %t0 = arith.muli %s, %c7 : index
    %t1 = arith.remui %t0, %c40 : index
    %v = arith.index_cast %t1 : index to i32
    linalg.yield %v : i32
  } -> tensor<37xi32>

  // CHECK-COUNT-37: check {{[0-9]+}}: ok
  %kl = call @kl(%x, %lp, %y) : (tensor<37xi32>, tensor<37x40xf32>, tensor<37x40xf32>) -> tensor<37xf32>
  %lpd = tensor.cast %lp : tensor<37x40xf32> to tensor<37x?xf32>
  %yd = tensor.cast %y : tensor<37x40xf32> to tensor<37x?xf32>
  scf.for %s = %c0 to %c37 step %c1 {
    %got = tensor.extract %kl[%s] : tensor<37xf32>
    %want = func.call @kl_ref(%x, %lpd, %yd, %s) : (tensor<37xi32>, tensor<37x?xf32>, tensor<37x?xf32>, index) -> f64
    %id = arith.index_cast %s : index to i64
    func.call @tessera_check_close(%got, %want, %rtol, %id) : (f32, f64, f64, i64) -> ()
  }

  // The first 5 classes, labels x mod 5: ids 200 + site.
  // CHECK-COUNT-37: check {{2[0-9][0-9]}}: ok
  %lp5 = tensor.extract_slice %lp[0, 0] [37, 5] [1, 1] : tensor<37x40xf32> to tensor<37x5xf32>
  %y5 = tensor.extract_slice %y[0, 0] [37, 5] [1, 1] : tensor<37x40xf32> to tensor<37x5xf32>
  %five = arith.constant dense<5> : tensor<37xi32>
  %x5 = arith.remui %x, %five : tensor<37xi32>
  %kl5 = call @kl5(%x5, %lp5, %y5) : (tensor<37xi32>, tensor<37x5xf32>, tensor<37x5xf32>) -> tensor<37xf32>
  %lp5d = tensor.cast %lp5 : tensor<37x5xf32> to tensor<37x?xf32>
  %y5d = tensor.cast %y5 : tensor<37x5xf32> to tensor<37x?xf32>
  %i200 = arith.constant 200 : i64
  scf.for %s = %c0 to %c37 step %c1 {
    %got = tensor.extract %kl5[%s] : tensor<37xf32>
    %want = func.call @kl_ref(%x5, %lp5d, %y5d, %s) : (tensor<37xi32>, tensor<37x?xf32>, tensor<37x?xf32>, index) -> f64
    %i = arith.index_cast %s : index to i64
    %id = arith.addi %i, %i200 : i64
    func.call @tessera_check_close(%got, %want, %rtol, %id) : (f32, f64, f64, i64) -> ()
  }

  // Rows of 3 twos: sum 6, log 6; rows of nothing: sum 0 (the log output
  // of an empty reduction is undefined: bufferization does not copy the
  // initial value of an output the body never reads).
  %two = arith.constant 2.0 : f32
  %seven = arith.constant 7.0 : f32
  %c19 = arith.constant 19 : index
  %c3 = arith.constant 3 : index
  %a3e = tensor.empty(%c19, %c3) : tensor<?x?xf32>
  %a3 = linalg.fill ins(%two : f32) outs(%a3e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %a0 = tensor.empty(%c19, %c0) : tensor<?x?xf32>
  %ie = tensor.empty(%c19) : tensor<?xf32>
  %init = linalg.fill ins(%seven : f32) outs(%ie : tensor<?xf32>) -> tensor<?xf32>
  %s3, %l3 = call @rowlog(%a3, %init) : (tensor<?x?xf32>, tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>)
  %s0, %unused = call @rowlog(%a0, %init) : (tensor<?x?xf32>, tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>)
  %c18 = arith.constant 18 : index
  %ln6 = arith.constant 1.791759469228055 : f64
  %f6 = arith.constant 6.0 : f64
  %f0 = arith.constant 0.0 : f64
  %i100 = arith.constant 100 : i64
  %i101 = arith.constant 101 : i64
  %i102 = arith.constant 102 : i64
  %v100 = tensor.extract %s3[%c18] : tensor<?xf32>
  %v101 = tensor.extract %l3[%c18] : tensor<?xf32>
  %v102 = tensor.extract %s0[%c18] : tensor<?xf32>
  // CHECK: check 100: ok
  call @tessera_check_close(%v100, %f6, %rtol, %i100) : (f32, f64, f64, i64) -> ()
  // CHECK: check 101: ok
  call @tessera_check_close(%v101, %ln6, %rtol, %i101) : (f32, f64, f64, i64) -> ()
  // CHECK: check 102: ok
  call @tessera_check_close(%v102, %f0, %rtol, %i102) : (f32, f64, f64, i64) -> ()

  // 37 products of 0.5 and 0.25 per output: 4.625, at the last column of
  // the last row (in the masked tail of the lanes).
  %half = arith.constant 0.5 : f32
  %quarter = arith.constant 0.25 : f32
  %ae = tensor.empty() : tensor<5x37xf32>
  %am = linalg.fill ins(%half : f32) outs(%ae : tensor<5x37xf32>) -> tensor<5x37xf32>
  %be = tensor.empty() : tensor<37x21xf32>
  %bm = linalg.fill ins(%quarter : f32) outs(%be : tensor<37x21xf32>) -> tensor<37x21xf32>
  %cm = call @matmul(%am, %bm) : (tensor<5x37xf32>, tensor<37x21xf32>) -> tensor<5x21xf32>
  %c4 = arith.constant 4 : index
  %c20 = arith.constant 20 : index
  %v104 = tensor.extract %cm[%c4, %c20] : tensor<5x21xf32>
  %f4625 = arith.constant 4.625 : f64
  %i104 = arith.constant 104 : i64
  // CHECK: check 104: ok
  call @tessera_check_close(%v104, %f4625, %rtol, %i104) : (f32, f64, f64, i64) -> ()
  return
}
