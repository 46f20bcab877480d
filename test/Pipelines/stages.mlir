// RUN: tessera-opt %s --tessera-pipeline="target=rocdl chip=gfx942 features=+wavefrontsize64" --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s
// RUN: tessera-opt %s --tessera-pipeline="target=nvvm" --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=SM90
// RUN: tessera-opt %s --tessera-pipeline="target=nvvm chip=sm_80" --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=SM90
// RUN: tessera-opt %s --tessera-pipeline="target=nvvm chip=sm_75" --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=SM75
// RUN: tessera-opt %s --tessera-pipeline="target=nvvm chip=sm_90a" --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=SM90A

// All four stages, in order, with the target options passed down.
// CHECK: builtin.module(
// CHECK-NEXT: tessera-bfn-canonicalize
// CHECK-NEXT: tessera-ebt-canonicalize
// CHECK-NEXT: canonicalize
// CHECK-NEXT: cse
// CHECK-NEXT: tessera-ebt-lower
// CHECK-NEXT: tessera-to-schedule
// CHECK-NEXT: tessera-to-tile{block-size=256 cpu-threads=true out-params=false target=rocdl tensor-cores=false vector-width=16 wgmma=false}
// CHECK-NEXT: tessera-to-target{chip=gfx942 features=+wavefrontsize64 format=bin target=rocdl toolkit=}
// Tensor cores (TF32 mma.sync) from sm_80 on; the default chip is sm_90.
// wgmma for sm_90a code alone (arch-specific: sm_90 and later chips lack it).
// SM90: tessera-to-tile{{.*}} target=nvvm tensor-cores=true vector-width=16 wgmma=false}
// SM75: tessera-to-tile{{.*}} target=nvvm tensor-cores=false
// SM90A: tessera-to-tile{{.*}} target=nvvm tensor-cores=true vector-width=16 wgmma=true}
// SM90A: tessera-to-target{chip=sm_90a
module {}
