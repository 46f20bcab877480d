// A contraction the tile stage puts on tensor cores (TF32 mma, three per
// product) lowers to PTX mma.sync, which ptxas assembles for sm_80 and
// sm_90 (tessera-compile runs it).
// RUN: tessera-opt %s --tessera-pipeline="target=nvvm chip=sm_90 stop-after=tile" | tessera-opt --tessera-to-target="target=nvvm chip=sm_90 format=isa" | FileCheck %s
// RUN: tessera-compile %s --target=nvvm --chip=sm_90 -o %t.sm90.so
// RUN: tessera-compile %s --target=nvvm --chip=sm_80 -o %t.sm80.so
// CHECK-DAG: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
func.func @mm(%a: tensor<1024x64xf32>, %b: tensor<64x1024xf32>) -> tensor<1024x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1024x1024xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %c = linalg.matmul ins(%a, %b : tensor<1024x64xf32>, tensor<64x1024xf32>) outs(%z : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  return %c : tensor<1024x1024xf32>
}

// bf16 and f16 operands: m16n8k16 mma on them, fragments by ldmatrix (b's
// transposed).
// CHECK-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// CHECK-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
func.func @mm_bf16(%a: tensor<1024x64xbf16>, %b: tensor<64x1024xbf16>) -> tensor<1024x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1024x1024xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %c = linalg.matmul ins(%a, %b : tensor<1024x64xbf16>, tensor<64x1024xbf16>) outs(%z : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  return %c : tensor<1024x1024xf32>
}

func.func @mm_f16(%a: tensor<1024x64xf16>, %b: tensor<64x1024xf16>) -> tensor<1024x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1024x1024xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %c = linalg.matmul ins(%a, %b : tensor<1024x64xf16>, tensor<64x1024xf16>) outs(%z : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  return %c : tensor<1024x1024xf32>
}

// b stored along the reduction (G W^T of the EBT gradient): its fragments
// by ldmatrix without transposing, from a rows x steps tile.
func.func @mm_bf16_bt(%a: tensor<1024x64xbf16>, %b: tensor<1024x64xbf16>) -> tensor<1024x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1024x1024xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %c = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%a, %b : tensor<1024x64xbf16>, tensor<1024x64xbf16>) outs(%z : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  return %c : tensor<1024x1024xf32>
}

// A long bf16 reduction (8 stages of 128): its stages in a cp.async ring in
// dynamic shared memory, which PTX declares as the kernel's extern array
// (not a static variable the stage tiles would be laid out around). The PTX
// is an escaped string here: \09 is its tab.
// CHECK-DAG: .extern .shared .align 16 .b8 __dynamic_shmem__0[];
// CHECK-DAG: cp.async.ca.shared.global [%r
// CHECK-DAG: cp.async.commit_group;
// CHECK-DAG: cp.async.wait_group \091;
// CHECK-DAG: cp.async.wait_group \090;
func.func @mm_bf16_ring(%a: tensor<2048x1024xbf16>, %b: tensor<256x1024xbf16>) -> tensor<2048x256xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2048x256xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2048x256xf32>) -> tensor<2048x256xf32>
  %c = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%a, %b : tensor<2048x1024xbf16>, tensor<256x1024xbf16>) outs(%z : tensor<2048x256xf32>) -> tensor<2048x256xf32>
  return %c : tensor<2048x256xf32>
}
