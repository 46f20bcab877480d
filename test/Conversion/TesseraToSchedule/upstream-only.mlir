// RUN: tessera-opt %s --tessera-to-schedule | FileCheck %s

// IR without graph ops has nothing to lower and passes unchanged.
// CHECK-LABEL: func.func @upstream_only
func.func @upstream_only(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: arith.addf
  %b = arith.addf %a, %a : tensor<4xf32>
  return %b : tensor<4xf32>
}
