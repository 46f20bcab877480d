// RUN: not tessera-opt %s --tessera-to-tile=target=tpu 2>&1 | FileCheck %s
// RUN: not tessera-opt %s --tessera-to-target=target=opencl 2>&1 | FileCheck %s --check-prefix=TARGET

// CHECK: error: tessera-to-tile: unknown target 'tpu'; expected cpu, nvvm or rocdl
// TARGET: error: tessera-to-target: unknown target 'opencl'; expected cpu, nvvm or rocdl
module {}
