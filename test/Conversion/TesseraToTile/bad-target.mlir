// RUN: not tessera-opt %s --tessera-to-tile=target=tpu 2>&1 | FileCheck %s
// RUN: not tessera-opt %s --tessera-to-target=target=opencl 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not tessera-opt %s --tessera-to-tile="target=nvvm block-size=3000" 2>&1 | FileCheck %s --check-prefix=BLOCK
// RUN: not tessera-opt %s --tessera-to-tile="target=cpu vector-width=300" 2>&1 | FileCheck %s --check-prefix=WIDTH

// CHECK: error: tessera-to-tile: unknown target 'tpu'; expected cpu, nvvm or rocdl
// BLOCK: error: tessera-to-tile: block-size must be in [1, 1024], got 3000
// WIDTH: error: tessera-to-tile: vector-width must be in [0, 256], got 300
// TARGET: error: tessera-to-target: unknown target 'opencl'; expected cpu, nvvm or rocdl
module {}
