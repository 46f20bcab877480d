// RUN: tessera-opt %s %cpu_pipeline | %run_cpu | FileCheck %s

// Discrete- and continuous-time losses of every family against the plain C
// references in test/lib (double precision): categorical K = 2
// (binarised-MNIST-like), 27 (text8-like), 256 (8-bit pixels), both receiver
// forms; discretised 16 and 256 bins (output distribution and per-step value);
// continuous data with sigma1 = 0.001 and 0.02 (flow, x_hat, L^inf).
// Inputs are deterministic functions of the site and class indices; the
// sender samples come from the Philox stream.

func.func private @tesseraCheckCategoricalKL(tensor<*xf32> {bufferization.access = "read"}, tensor<*xi32> {bufferization.access = "read"}, tensor<*xf32> {bufferization.access = "read"}, tensor<*xf32> {bufferization.access = "read"}, f64, i64, f64, i64) attributes {llvm.emit_c_interface}
func.func private @tesseraCheckCategoricalLinf(tensor<*xf32> {bufferization.access = "read"}, tensor<*xi32> {bufferization.access = "read"}, tensor<*xf32> {bufferization.access = "read"}, f64, f64, f64, i64) attributes {llvm.emit_c_interface}
func.func private @tesseraCheckDiscretizedBins(tensor<*xf32> {bufferization.access = "read"}, tensor<*xf32> {bufferization.access = "read"}, f64, f64, tensor<*xf32> {bufferization.access = "read"}, tensor<*xf32> {bufferization.access = "read"}, f64, i64) attributes {llvm.emit_c_interface}
func.func private @tesseraCheckDiscretizedKL(tensor<*xf32> {bufferization.access = "read"}, tensor<*xf32> {bufferization.access = "read"}, tensor<*xf32> {bufferization.access = "read"}, tensor<*xf32> {bufferization.access = "read"}, f64, f64, i64) attributes {llvm.emit_c_interface}
func.func private @tesseraCheckContinuousLinf(tensor<*xf32> {bufferization.access = "read"}, tensor<*xf32> {bufferization.access = "read"}, tensor<*xf32> {bufferization.access = "read"}, tensor<*xf32> {bufferization.access = "read"}, f64, f64, f64, i64) attributes {llvm.emit_c_interface}

// f(s) = a sin(b s + c) over S sites.
func.func @wave(%a: f32, %b: f32, %c: f32) -> tensor<64xf32> {
  %init = tensor.empty() : tensor<64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(s) -> (s)>], iterator_types = ["parallel"]} outs(%init : tensor<64xf32>) {
  ^bb0(%o: f32):
    %s = linalg.index 0 : index
    %si = arith.index_cast %s : index to i64
    %sf = arith.sitofp %si : i64 to f32
    %bs = arith.mulf %sf, %b : f32
    %arg = arith.addf %bs, %c : f32
    %sn = math.sin %arg : f32
    %v = arith.mulf %sn, %a : f32
    linalg.yield %v : f32
  } -> tensor<64xf32>
  return %r : tensor<64xf32>
}


// ---- categorical, K = 2
func.func @inputs_2() -> (tensor<64xi32>, tensor<64x2xf32>) {
  %xi = tensor.empty() : tensor<64xi32>
  %x = linalg.generic {indexing_maps = [affine_map<(s) -> (s)>], iterator_types = ["parallel"]} outs(%xi : tensor<64xi32>) {
  ^bb0(%o: i32):
    %s = linalg.index 0 : index
    %c7 = arith.constant 7 : index
    %c3 = arith.constant 3 : index
    %cK = arith.constant 2 : index
    %a = arith.muli %s, %c7 : index
    %b = arith.addi %a, %c3 : index
    %m = arith.remui %b, %cK : index
    %v = arith.index_cast %m : index to i32
    linalg.yield %v : i32
  } -> tensor<64xi32>
  %li = tensor.empty() : tensor<64x2xf32>
  %l = linalg.generic {indexing_maps = [affine_map<(s, k) -> (s, k)>], iterator_types = ["parallel", "parallel"]} outs(%li : tensor<64x2xf32>) {
  ^bb0(%o: f32):
    %s = linalg.index 0 : index
    %k = linalg.index 1 : index
    %si = arith.index_cast %s : index to i64
    %ki = arith.index_cast %k : index to i64
    %sf = arith.sitofp %si : i64 to f32
    %kf = arith.sitofp %ki : i64 to f32
    %c13 = arith.constant 1.3 : f32
    %c07 = arith.constant 0.7 : f32
    %c01 = arith.constant 0.1 : f32
    %a = arith.mulf %sf, %c13 : f32
    %b = arith.mulf %kf, %c07 : f32
    %sk = arith.mulf %sf, %kf : f32
    %c = arith.mulf %sk, %c01 : f32
    %ab = arith.addf %a, %b : f32
    %abc = arith.addf %ab, %c : f32
    %sn = math.sin %abc : f32
    %three = arith.constant 3.0 : f32
    %v = arith.mulf %sn, %three : f32
    linalg.yield %v : f32
  } -> tensor<64x2xf32>
  return %x, %l : tensor<64xi32>, tensor<64x2xf32>
}

func.func @kl_2(%x: tensor<64xi32>, %logits: tensor<64x2xf32>, %alpha: !bfn.accuracy, %seed: i64) -> (tensor<64x2xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) {
  %p = bfn.output %logits : (tensor<64x2xf32>) -> !bfn.simplex<64x2xf32, log>
  %s = bfn.sender %x, %alpha : tensor<64xi32>, !bfn.accuracy -> !bfn.sender<categorical, 64x2xf32>
  %r = bfn.receiver %p, %alpha : !bfn.simplex<64x2xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 64x2xf32>
  %y = bfn.sample %s rng(%seed, %seed) : !bfn.sender<categorical, 64x2xf32> -> tensor<64x2xf32>
  %joint = bfn.kl %s, %r at %y : !bfn.sender<categorical, 64x2xf32>, !bfn.receiver<categorical, 64x2xf32>, tensor<64x2xf32> -> tensor<64xf32>
  %fact = bfn.kl %s, %r at %y {receiver_form = #bfn.receiver_form<factorized>} : !bfn.sender<categorical, 64x2xf32>, !bfn.receiver<categorical, 64x2xf32>, tensor<64x2xf32> -> tensor<64xf32>
  %t = arith.constant 0.4 : f32
  %linf = bfn.continuous_loss %x, %p at #bfn.schedule<paper_discrete, beta1 = 0.5625>(%t) {reduction = #bfn.reduction<none>} : tensor<64xi32>, !bfn.simplex<64x2xf32, log>, f32 -> tensor<64xf32>
  return %y, %joint, %fact, %linf : tensor<64x2xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>
}


// ---- categorical, K = 27
func.func @inputs_27() -> (tensor<64xi32>, tensor<64x27xf32>) {
  %xi = tensor.empty() : tensor<64xi32>
  %x = linalg.generic {indexing_maps = [affine_map<(s) -> (s)>], iterator_types = ["parallel"]} outs(%xi : tensor<64xi32>) {
  ^bb0(%o: i32):
    %s = linalg.index 0 : index
    %c7 = arith.constant 7 : index
    %c3 = arith.constant 3 : index
    %cK = arith.constant 27 : index
    %a = arith.muli %s, %c7 : index
    %b = arith.addi %a, %c3 : index
    %m = arith.remui %b, %cK : index
    %v = arith.index_cast %m : index to i32
    linalg.yield %v : i32
  } -> tensor<64xi32>
  %li = tensor.empty() : tensor<64x27xf32>
  %l = linalg.generic {indexing_maps = [affine_map<(s, k) -> (s, k)>], iterator_types = ["parallel", "parallel"]} outs(%li : tensor<64x27xf32>) {
  ^bb0(%o: f32):
    %s = linalg.index 0 : index
    %k = linalg.index 1 : index
    %si = arith.index_cast %s : index to i64
    %ki = arith.index_cast %k : index to i64
    %sf = arith.sitofp %si : i64 to f32
    %kf = arith.sitofp %ki : i64 to f32
    %c13 = arith.constant 1.3 : f32
    %c07 = arith.constant 0.7 : f32
    %c01 = arith.constant 0.1 : f32
    %a = arith.mulf %sf, %c13 : f32
    %b = arith.mulf %kf, %c07 : f32
    %sk = arith.mulf %sf, %kf : f32
    %c = arith.mulf %sk, %c01 : f32
    %ab = arith.addf %a, %b : f32
    %abc = arith.addf %ab, %c : f32
    %sn = math.sin %abc : f32
    %three = arith.constant 3.0 : f32
    %v = arith.mulf %sn, %three : f32
    linalg.yield %v : f32
  } -> tensor<64x27xf32>
  return %x, %l : tensor<64xi32>, tensor<64x27xf32>
}

func.func @kl_27(%x: tensor<64xi32>, %logits: tensor<64x27xf32>, %alpha: !bfn.accuracy, %seed: i64) -> (tensor<64x27xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) {
  %p = bfn.output %logits : (tensor<64x27xf32>) -> !bfn.simplex<64x27xf32, log>
  %s = bfn.sender %x, %alpha : tensor<64xi32>, !bfn.accuracy -> !bfn.sender<categorical, 64x27xf32>
  %r = bfn.receiver %p, %alpha : !bfn.simplex<64x27xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 64x27xf32>
  %y = bfn.sample %s rng(%seed, %seed) : !bfn.sender<categorical, 64x27xf32> -> tensor<64x27xf32>
  %joint = bfn.kl %s, %r at %y : !bfn.sender<categorical, 64x27xf32>, !bfn.receiver<categorical, 64x27xf32>, tensor<64x27xf32> -> tensor<64xf32>
  %fact = bfn.kl %s, %r at %y {receiver_form = #bfn.receiver_form<factorized>} : !bfn.sender<categorical, 64x27xf32>, !bfn.receiver<categorical, 64x27xf32>, tensor<64x27xf32> -> tensor<64xf32>
  %t = arith.constant 0.4 : f32
  %linf = bfn.continuous_loss %x, %p at #bfn.schedule<paper_discrete, beta1 = 0.5625>(%t) {reduction = #bfn.reduction<none>} : tensor<64xi32>, !bfn.simplex<64x27xf32, log>, f32 -> tensor<64xf32>
  return %y, %joint, %fact, %linf : tensor<64x27xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>
}


// ---- categorical, K = 256
func.func @inputs_256() -> (tensor<64xi32>, tensor<64x256xf32>) {
  %xi = tensor.empty() : tensor<64xi32>
  %x = linalg.generic {indexing_maps = [affine_map<(s) -> (s)>], iterator_types = ["parallel"]} outs(%xi : tensor<64xi32>) {
  ^bb0(%o: i32):
    %s = linalg.index 0 : index
    %c7 = arith.constant 7 : index
    %c3 = arith.constant 3 : index
    %cK = arith.constant 256 : index
    %a = arith.muli %s, %c7 : index
    %b = arith.addi %a, %c3 : index
    %m = arith.remui %b, %cK : index
    %v = arith.index_cast %m : index to i32
    linalg.yield %v : i32
  } -> tensor<64xi32>
  %li = tensor.empty() : tensor<64x256xf32>
  %l = linalg.generic {indexing_maps = [affine_map<(s, k) -> (s, k)>], iterator_types = ["parallel", "parallel"]} outs(%li : tensor<64x256xf32>) {
  ^bb0(%o: f32):
    %s = linalg.index 0 : index
    %k = linalg.index 1 : index
    %si = arith.index_cast %s : index to i64
    %ki = arith.index_cast %k : index to i64
    %sf = arith.sitofp %si : i64 to f32
    %kf = arith.sitofp %ki : i64 to f32
    %c13 = arith.constant 1.3 : f32
    %c07 = arith.constant 0.7 : f32
    %c01 = arith.constant 0.1 : f32
    %a = arith.mulf %sf, %c13 : f32
    %b = arith.mulf %kf, %c07 : f32
    %sk = arith.mulf %sf, %kf : f32
    %c = arith.mulf %sk, %c01 : f32
    %ab = arith.addf %a, %b : f32
    %abc = arith.addf %ab, %c : f32
    %sn = math.sin %abc : f32
    %three = arith.constant 3.0 : f32
    %v = arith.mulf %sn, %three : f32
    linalg.yield %v : f32
  } -> tensor<64x256xf32>
  return %x, %l : tensor<64xi32>, tensor<64x256xf32>
}

func.func @kl_256(%x: tensor<64xi32>, %logits: tensor<64x256xf32>, %alpha: !bfn.accuracy, %seed: i64) -> (tensor<64x256xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) {
  %p = bfn.output %logits : (tensor<64x256xf32>) -> !bfn.simplex<64x256xf32, log>
  %s = bfn.sender %x, %alpha : tensor<64xi32>, !bfn.accuracy -> !bfn.sender<categorical, 64x256xf32>
  %r = bfn.receiver %p, %alpha : !bfn.simplex<64x256xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 64x256xf32>
  %y = bfn.sample %s rng(%seed, %seed) : !bfn.sender<categorical, 64x256xf32> -> tensor<64x256xf32>
  %joint = bfn.kl %s, %r at %y : !bfn.sender<categorical, 64x256xf32>, !bfn.receiver<categorical, 64x256xf32>, tensor<64x256xf32> -> tensor<64xf32>
  %fact = bfn.kl %s, %r at %y {receiver_form = #bfn.receiver_form<factorized>} : !bfn.sender<categorical, 64x256xf32>, !bfn.receiver<categorical, 64x256xf32>, tensor<64x256xf32> -> tensor<64xf32>
  %t = arith.constant 0.4 : f32
  %linf = bfn.continuous_loss %x, %p at #bfn.schedule<paper_discrete, beta1 = 0.5625>(%t) {reduction = #bfn.reduction<none>} : tensor<64xi32>, !bfn.simplex<64x256xf32, log>, f32 -> tensor<64xf32>
  return %y, %joint, %fact, %linf : tensor<64x256xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>
}


// ---- discretised, 16 bins (sigma1 = 1e-3, t = 0.6)
func.func @disc_16(%mu: tensor<64xf32>, %me: tensor<64xf32>, %ls: tensor<64xf32>, %x: tensor<64xf32>, %y: tensor<64xf32>) -> (tensor<64x16xf32>, tensor<64xf32>) {
  %t = arith.constant 0.6 : f32
  %one = arith.constant dense<1.0> : tensor<64xf32>
  %g = bfn.pack %mu, %one : tensor<64xf32>, tensor<64xf32> -> !bfn.gauss<64xf32>
  %p = bfn.output %me, %ls given %g at #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%t) : (tensor<64xf32>, tensor<64xf32>, !bfn.gauss<64xf32>, f32) -> !bfn.simplex<64x16xf32, log>
  %a = bfn.accuracy_constant 100.0
  %s = bfn.sender %x, %a : tensor<64xf32>, !bfn.accuracy -> !bfn.sender<discretized<16>, 64xf32>
  %r = bfn.receiver %p, %a : !bfn.simplex<64x16xf32, log>, !bfn.accuracy -> !bfn.receiver<discretized<16>, 64xf32>
  %kl = bfn.kl %s, %r at %y : !bfn.sender<discretized<16>, 64xf32>, !bfn.receiver<discretized<16>, 64xf32>, tensor<64xf32> -> tensor<64xf32>
  %lp = bfn.unpack %p : !bfn.simplex<64x16xf32, log> -> tensor<64x16xf32>
  return %lp, %kl : tensor<64x16xf32>, tensor<64xf32>
}


// ---- discretised, 256 bins (sigma1 = 1e-3, t = 0.6)
func.func @disc_256(%mu: tensor<64xf32>, %me: tensor<64xf32>, %ls: tensor<64xf32>, %x: tensor<64xf32>, %y: tensor<64xf32>) -> (tensor<64x256xf32>, tensor<64xf32>) {
  %t = arith.constant 0.6 : f32
  %one = arith.constant dense<1.0> : tensor<64xf32>
  %g = bfn.pack %mu, %one : tensor<64xf32>, tensor<64xf32> -> !bfn.gauss<64xf32>
  %p = bfn.output %me, %ls given %g at #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%t) : (tensor<64xf32>, tensor<64xf32>, !bfn.gauss<64xf32>, f32) -> !bfn.simplex<64x256xf32, log>
  %a = bfn.accuracy_constant 100.0
  %s = bfn.sender %x, %a : tensor<64xf32>, !bfn.accuracy -> !bfn.sender<discretized<256>, 64xf32>
  %r = bfn.receiver %p, %a : !bfn.simplex<64x256xf32, log>, !bfn.accuracy -> !bfn.receiver<discretized<256>, 64xf32>
  %kl = bfn.kl %s, %r at %y : !bfn.sender<discretized<256>, 64xf32>, !bfn.receiver<discretized<256>, 64xf32>, tensor<64xf32> -> tensor<64xf32>
  %lp = bfn.unpack %p : !bfn.simplex<64x256xf32, log> -> tensor<64x256xf32>
  return %lp, %kl : tensor<64x256xf32>, tensor<64xf32>
}


// ---- continuous data, sigma1 = 1.0e-3, t = 0.3
func.func @cts_s3(%x: tensor<64xf32>, %eps: tensor<64xf32>, %eh: tensor<64xf32>) -> tensor<64xf32> {
  %t = arith.constant 0.3 : f32
  %g = bfn.paramize %x at #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%t) draws(%eps : tensor<64xf32>) : tensor<64xf32>, f32 -> !bfn.gauss<64xf32>
  %xh = bfn.output %eh given %g at #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%t) : (tensor<64xf32>, !bfn.gauss<64xf32>, f32) -> tensor<64xf32>
  %l = bfn.continuous_loss %x, %xh at #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%t) {reduction = #bfn.reduction<none>} : tensor<64xf32>, tensor<64xf32>, f32 -> tensor<64xf32>
  return %l : tensor<64xf32>
}


// ---- continuous data, sigma1 = 0.02, t = 0.3
func.func @cts_s02(%x: tensor<64xf32>, %eps: tensor<64xf32>, %eh: tensor<64xf32>) -> tensor<64xf32> {
  %t = arith.constant 0.3 : f32
  %g = bfn.paramize %x at #bfn.schedule<paper_cts, sigma1 = 0.02>(%t) draws(%eps : tensor<64xf32>) : tensor<64xf32>, f32 -> !bfn.gauss<64xf32>
  %xh = bfn.output %eh given %g at #bfn.schedule<paper_cts, sigma1 = 0.02>(%t) : (tensor<64xf32>, !bfn.gauss<64xf32>, f32) -> tensor<64xf32>
  %l = bfn.continuous_loss %x, %xh at #bfn.schedule<paper_cts, sigma1 = 0.02>(%t) {reduction = #bfn.reduction<none>} : tensor<64xf32>, tensor<64xf32>, f32 -> tensor<64xf32>
  return %l : tensor<64xf32>
}

func.func @main() {
  %rtol = arith.constant 1.0e-5 : f64
  %rtol4 = arith.constant 1.0e-4 : f64
  %zero = arith.constant 0 : i64
  %onei = arith.constant 1 : i64
  %seed = arith.constant 99 : i64
  %t04 = arith.constant 0.4 : f64
  %b1 = arith.constant 0.5625 : f64

  %x2, %l2 = call @inputs_2() : () -> (tensor<64xi32>, tensor<64x2xf32>)
  %a2 = bfn.accuracy_constant 0.5
  %af2 = arith.constant 0.5 : f64
  %y2, %j2, %f2, %li2 = call @kl_2(%x2, %l2, %a2, %seed) : (tensor<64xi32>, tensor<64x2xf32>, !bfn.accuracy, i64) -> (tensor<64x2xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>)
  %ux2 = tensor.cast %x2 : tensor<64xi32> to tensor<*xi32>
  %ul2 = tensor.cast %l2 : tensor<64x2xf32> to tensor<*xf32>
  %uy2 = tensor.cast %y2 : tensor<64x2xf32> to tensor<*xf32>
  %uj2 = tensor.cast %j2 : tensor<64xf32> to tensor<*xf32>
  %uf2 = tensor.cast %f2 : tensor<64xf32> to tensor<*xf32>
  %uli2 = tensor.cast %li2 : tensor<64xf32> to tensor<*xf32>
  %id1 = arith.constant 1 : i64
  %id2 = arith.constant 2 : i64
  %id3 = arith.constant 3 : i64
  call @tesseraCheckCategoricalKL(%uj2, %ux2, %ul2, %uy2, %af2, %zero, %rtol, %id1) : (tensor<*xf32>, tensor<*xi32>, tensor<*xf32>, tensor<*xf32>, f64, i64, f64, i64) -> ()
  call @tesseraCheckCategoricalKL(%uf2, %ux2, %ul2, %uy2, %af2, %onei, %rtol, %id2) : (tensor<*xf32>, tensor<*xi32>, tensor<*xf32>, tensor<*xf32>, f64, i64, f64, i64) -> ()
  call @tesseraCheckCategoricalLinf(%uli2, %ux2, %ul2, %t04, %b1, %rtol, %id3) : (tensor<*xf32>, tensor<*xi32>, tensor<*xf32>, f64, f64, f64, i64) -> ()

  %x27, %l27 = call @inputs_27() : () -> (tensor<64xi32>, tensor<64x27xf32>)
  %a27 = bfn.accuracy_constant 0.05
  %af27 = arith.constant 0.05 : f64
  %y27, %j27, %f27, %li27 = call @kl_27(%x27, %l27, %a27, %seed) : (tensor<64xi32>, tensor<64x27xf32>, !bfn.accuracy, i64) -> (tensor<64x27xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>)
  %ux27 = tensor.cast %x27 : tensor<64xi32> to tensor<*xi32>
  %ul27 = tensor.cast %l27 : tensor<64x27xf32> to tensor<*xf32>
  %uy27 = tensor.cast %y27 : tensor<64x27xf32> to tensor<*xf32>
  %uj27 = tensor.cast %j27 : tensor<64xf32> to tensor<*xf32>
  %uf27 = tensor.cast %f27 : tensor<64xf32> to tensor<*xf32>
  %uli27 = tensor.cast %li27 : tensor<64xf32> to tensor<*xf32>
  %id4 = arith.constant 4 : i64
  %id5 = arith.constant 5 : i64
  %id6 = arith.constant 6 : i64
  call @tesseraCheckCategoricalKL(%uj27, %ux27, %ul27, %uy27, %af27, %zero, %rtol, %id4) : (tensor<*xf32>, tensor<*xi32>, tensor<*xf32>, tensor<*xf32>, f64, i64, f64, i64) -> ()
  call @tesseraCheckCategoricalKL(%uf27, %ux27, %ul27, %uy27, %af27, %onei, %rtol, %id5) : (tensor<*xf32>, tensor<*xi32>, tensor<*xf32>, tensor<*xf32>, f64, i64, f64, i64) -> ()
  call @tesseraCheckCategoricalLinf(%uli27, %ux27, %ul27, %t04, %b1, %rtol, %id6) : (tensor<*xf32>, tensor<*xi32>, tensor<*xf32>, f64, f64, f64, i64) -> ()

  %x256, %l256 = call @inputs_256() : () -> (tensor<64xi32>, tensor<64x256xf32>)
  %a256 = bfn.accuracy_constant 0.002
  %af256 = arith.constant 0.002 : f64
  %y256, %j256, %f256, %li256 = call @kl_256(%x256, %l256, %a256, %seed) : (tensor<64xi32>, tensor<64x256xf32>, !bfn.accuracy, i64) -> (tensor<64x256xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>)
  %ux256 = tensor.cast %x256 : tensor<64xi32> to tensor<*xi32>
  %ul256 = tensor.cast %l256 : tensor<64x256xf32> to tensor<*xf32>
  %uy256 = tensor.cast %y256 : tensor<64x256xf32> to tensor<*xf32>
  %uj256 = tensor.cast %j256 : tensor<64xf32> to tensor<*xf32>
  %uf256 = tensor.cast %f256 : tensor<64xf32> to tensor<*xf32>
  %uli256 = tensor.cast %li256 : tensor<64xf32> to tensor<*xf32>
  %id7 = arith.constant 7 : i64
  %id8 = arith.constant 8 : i64
  %id9 = arith.constant 9 : i64
  call @tesseraCheckCategoricalKL(%uj256, %ux256, %ul256, %uy256, %af256, %zero, %rtol, %id7) : (tensor<*xf32>, tensor<*xi32>, tensor<*xf32>, tensor<*xf32>, f64, i64, f64, i64) -> ()
  call @tesseraCheckCategoricalKL(%uf256, %ux256, %ul256, %uy256, %af256, %onei, %rtol, %id8) : (tensor<*xf32>, tensor<*xi32>, tensor<*xf32>, tensor<*xf32>, f64, i64, f64, i64) -> ()
  call @tesseraCheckCategoricalLinf(%uli256, %ux256, %ul256, %t04, %b1, %rtol, %id9) : (tensor<*xf32>, tensor<*xi32>, tensor<*xf32>, f64, f64, f64, i64) -> ()

  %c09 = arith.constant 0.9 : f32
  %c037 = arith.constant 0.37 : f32
  %c03 = arith.constant 0.3 : f32
  %c05 = arith.constant 0.5 : f32
  %c0 = arith.constant 0.0 : f32
  %c1 = arith.constant 1.0 : f32
  %c157 = arith.constant 1.5707963 : f32
  %cm1 = arith.constant -1.0 : f32
  %mu = call @wave(%c09, %c037, %c0) : (f32, f32, f32) -> tensor<64xf32>
  %me = call @wave(%c03, %c05, %c157) : (f32, f32, f32) -> tensor<64xf32>
  %lsw = call @wave(%c05, %c1, %c0) : (f32, f32, f32) -> tensor<64xf32>
  %off = arith.constant dense<-1.0> : tensor<64xf32>
  %ls = arith.addf %lsw, %off : tensor<64xf32>
  %xd = call @wave(%c09, %c037, %c03) : (f32, f32, f32) -> tensor<64xf32>
  %yd = call @wave(%c09, %c037, %c05) : (f32, f32, f32) -> tensor<64xf32>
  %umu = tensor.cast %mu : tensor<64xf32> to tensor<*xf32>
  %ume = tensor.cast %me : tensor<64xf32> to tensor<*xf32>
  %uls = tensor.cast %ls : tensor<64xf32> to tensor<*xf32>
  %uxd = tensor.cast %xd : tensor<64xf32> to tensor<*xf32>
  %uyd = tensor.cast %yd : tensor<64xf32> to tensor<*xf32>
  %t06 = arith.constant 0.6 : f64
  %s3 = arith.constant 1.0e-3 : f64
  %a100 = arith.constant 100.0 : f64

  %lp16, %kld16 = call @disc_16(%mu, %me, %ls, %xd, %yd) : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<64x16xf32>, tensor<64xf32>)
  %ulp16 = tensor.cast %lp16 : tensor<64x16xf32> to tensor<*xf32>
  %ukl16 = tensor.cast %kld16 : tensor<64xf32> to tensor<*xf32>
  %id10 = arith.constant 10 : i64
  %id11 = arith.constant 11 : i64
  call @tesseraCheckDiscretizedBins(%ulp16, %umu, %t06, %s3, %ume, %uls, %rtol4, %id10) : (tensor<*xf32>, tensor<*xf32>, f64, f64, tensor<*xf32>, tensor<*xf32>, f64, i64) -> ()
  call @tesseraCheckDiscretizedKL(%ukl16, %uxd, %ulp16, %uyd, %a100, %rtol, %id11) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, f64, f64, i64) -> ()

  %lp256, %kld256 = call @disc_256(%mu, %me, %ls, %xd, %yd) : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<64x256xf32>, tensor<64xf32>)
  %ulp256 = tensor.cast %lp256 : tensor<64x256xf32> to tensor<*xf32>
  %ukl256 = tensor.cast %kld256 : tensor<64xf32> to tensor<*xf32>
  %id12 = arith.constant 12 : i64
  %id13 = arith.constant 13 : i64
  call @tesseraCheckDiscretizedBins(%ulp256, %umu, %t06, %s3, %ume, %uls, %rtol4, %id12) : (tensor<*xf32>, tensor<*xf32>, f64, f64, tensor<*xf32>, tensor<*xf32>, f64, i64) -> ()
  call @tesseraCheckDiscretizedKL(%ukl256, %uxd, %ulp256, %uyd, %a100, %rtol, %id13) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, f64, f64, i64) -> ()

  %eps = call @wave(%c1, %c037, %c05) : (f32, f32, f32) -> tensor<64xf32>
  %ehat = call @wave(%c09, %c05, %c03) : (f32, f32, f32) -> tensor<64xf32>
  %ueps = tensor.cast %eps : tensor<64xf32> to tensor<*xf32>
  %ueh = tensor.cast %ehat : tensor<64xf32> to tensor<*xf32>
  %t03 = arith.constant 0.3 : f64
  %s02 = arith.constant 0.02 : f64

  %lcs3 = call @cts_s3(%xd, %eps, %ehat) : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  %ulcs3 = tensor.cast %lcs3 : tensor<64xf32> to tensor<*xf32>
  %id14 = arith.constant 14 : i64
  call @tesseraCheckContinuousLinf(%ulcs3, %uxd, %ueps, %ueh, %t03, %s3, %rtol, %id14) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, f64, f64, f64, i64) -> ()

  %lcs02 = call @cts_s02(%xd, %eps, %ehat) : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  %ulcs02 = tensor.cast %lcs02 : tensor<64xf32> to tensor<*xf32>
  %id15 = arith.constant 15 : i64
  call @tesseraCheckContinuousLinf(%ulcs02, %uxd, %ueps, %ueh, %t03, %s02, %rtol, %id15) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, f64, f64, f64, i64) -> ()

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
// CHECK: check 13: ok
// CHECK: check 14: ok
// CHECK: check 15: ok
