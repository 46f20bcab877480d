// RUN: tessera-opt %s --tessera-ebt-lower %cpu_pipeline | %run_cpu | FileCheck %s

// The gradient with respect to a bf16 y accumulates in f32. E_l = sum_j (y
// W)_lj with W all ones over 1024 columns: dE/dy_ld = sum_j W_dj = 1024,
// which bf16 holds exactly, but a bf16 running sum stops at 256 (256 + 1
// rounds back to 256 in 8 significant bits).

func.func private @tesseraCheckTensor(tensor<*xf32> {bufferization.access = "read"}, tensor<*xf64> {bufferization.access = "read"}, f64, i64) attributes {llvm.emit_c_interface}

#yw = affine_map<(l, d, j) -> (l, d)>
#w = affine_map<(l, d, j) -> (d, j)>
#u = affine_map<(l, d, j) -> (l, j)>
func.func @long(%h: tensor<2x4xbf16>, %y: tensor<2x4xbf16>) -> tensor<2xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<1.0> : tensor<4x1024xbf16>
  %e = tensor.empty() : tensor<2x1024xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x1024xf32>) -> tensor<2x1024xf32>
  %u = linalg.generic {indexing_maps = [#yw, #w, #u], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%y, %w : tensor<2x4xbf16>, tensor<4x1024xbf16>) outs(%z : tensor<2x1024xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x1024xf32>
  %e1 = tensor.empty() : tensor<2xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2xf32>) -> tensor<2xf32>
  %r = linalg.reduce ins(%u : tensor<2x1024xf32>) outs(%z1 : tensor<2xf32>) dimensions = [1]
    (%x: f32, %acc: f32) {
      %t = arith.addf %x, %acc : f32
      linalg.yield %t : f32
    }
  return %r : tensor<2xf32>
}

func.func @main() {
  %h = arith.constant dense<0.0> : tensor<2x4xbf16>
  %y = arith.constant dense<[[0.5, -1.0, 0.25, 2.0], [1.5, 0.75, -0.5, 3.0]]> : tensor<2x4xbf16>
  %g = ebt.grad_y @long(%h, %y) : (tensor<2x4xbf16>, tensor<2x4xbf16>) -> tensor<2x4xbf16>
  %g32 = arith.extf %g : tensor<2x4xbf16> to tensor<2x4xf32>
  %gu = tensor.cast %g32 : tensor<2x4xf32> to tensor<*xf32>
  %want = arith.constant dense<1024.0> : tensor<2x4xf64>
  %wu = tensor.cast %want : tensor<2x4xf64> to tensor<*xf64>
  %zero = arith.constant 0.0 : f64
  %id = arith.constant 1 : i64
  // CHECK: check 1: ok
  call @tesseraCheckTensor(%gu, %wu, %zero, %id) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  return
}
