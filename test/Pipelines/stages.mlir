// RUN: tessera-opt %s --tessera-pipeline="target=rocdl chip=gfx942 features=+wavefrontsize64" --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s

// All four stages, in order, with the target options passed down.
// CHECK: builtin.module(
// CHECK-NEXT: tessera-bfn-canonicalize
// CHECK-NEXT: tessera-ebt-canonicalize
// CHECK-NEXT: canonicalize
// CHECK-NEXT: cse
// CHECK-NEXT: tessera-ebt-lower
// CHECK-NEXT: tessera-to-schedule
// CHECK-NEXT: tessera-to-tile{block-size=256 cpu-threads=true out-params=false target=rocdl vector-width=16}
// CHECK-NEXT: tessera-to-target{chip=gfx942 features=+wavefrontsize64 format=bin target=rocdl toolkit=}
module {}
