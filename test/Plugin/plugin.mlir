// REQUIRES: plugin
// The packaged mlir-opt loads both dialects and the passes from the plugin.
// RUN: %asan_preload %mlir_opt --load-dialect-plugin=%tessera_libs/TesseraPlugin%shlibext --show-dialects | FileCheck %s --check-prefix=DIALECTS
// RUN: %asan_preload %mlir_opt --load-dialect-plugin=%tessera_libs/TesseraPlugin%shlibext --load-pass-plugin=%tessera_libs/TesseraPlugin%shlibext %s --pass-pipeline="builtin.module(tessera-bfn-canonicalize,tessera-ebt-canonicalize)" | FileCheck %s
// RUN: %asan_preload %mlir_opt --load-dialect-plugin=%tessera_libs/TesseraPlugin%shlibext --load-pass-plugin=%tessera_libs/TesseraPlugin%shlibext %s --pass-pipeline="builtin.module(tessera-pipeline{stop-after=graph})" | FileCheck %s

// DIALECTS: Available Dialects:
// DIALECTS-SAME: bfn
// DIALECTS-SAME: ebt

// CHECK-LABEL: func.func @f
// CHECK: bfn.accuracy_constant 5.625000e-01
// CHECK: ebt.argmin
func.func @f(%e: tensor<4x2xf32>, %y: tensor<4x2x3xf32>) -> (!bfn.accuracy, tensor<2x3xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %a = bfn.alpha #bfn.schedule<paper_discrete, beta1 = 9.0>(%c1 of %c4) : index, index -> !bfn.accuracy
  %b = ebt.self_verify token %e, %y : tensor<4x2xf32>, tensor<4x2x3xf32> -> tensor<2x3xf32>
  return %a, %b : !bfn.accuracy, tensor<2x3xf32>
}
