// The examples' runner entries, called through the runtime's runners
// (tessera-run --bfn-loss / --bfn-sample / --ebt-infer), give what each
// example's main computes with the same configuration compiled in.
// RUN: tessera-compile %tessera_src/examples/bfn/categorical_loss.mlir -o %t.cat.so
// RUN: tessera-run %t.cat.so --entry main > %t.cat.ref
// RUN: tessera-run %t.cat.so --entry text --out %t.x.npy
// RUN: tessera-run %t.cat.so --entry losses --in %t.x.npy --bfn-loss n=10,step=3,seed=42,offset=0 > %t.losses
// RUN: %python %S/Inputs/same-prints.py %t.cat.ref %t.losses --scalars | FileCheck %s --check-prefix=LOSSES
// Another step is another loss from the same artifact.
// RUN: tessera-run %t.cat.so --entry losses --in %t.x.npy --bfn-loss n=10,step=9,seed=42 | FileCheck %s --check-prefix=STEP9
// RUN: not tessera-run %t.cat.so --entry losses --in %t.x.npy --bfn-loss n=10,step=11 2>&1 | FileCheck %s --check-prefix=BADSTEP
//
// RUN: tessera-compile %tessera_src/examples/bfn/sampling.mlir -o %t.smp.so
// RUN: tessera-run %t.smp.so --entry main > %t.smp.ref
// RUN: tessera-run %t.smp.so --entry weights --out %t.w.npy
// RUN: tessera-run %t.smp.so --entry sample --in %t.w.npy --bfn-sample n=20,seed=2026,offset=0 --out %t.s.npy
// RUN: %python %S/Inputs/runner-vs-main.py sample %t.smp.ref %t.s.npy | FileCheck %s --check-prefix=SAMPLES
// RUN: not tessera-run %t.smp.so --entry sample --in %t.w.npy --bfn-sample n=0 2>&1 | FileCheck %s --check-prefix=BADN
//
// RUN: tessera-compile %tessera_src/examples/ebt/mlp_infer.mlir -o %t.mlp.so
// RUN: tessera-run %t.mlp.so --entry main > %t.mlp.ref
// RUN: tessera-run %t.mlp.so --entry context --out %t.h.npy
// RUN: tessera-run %t.mlp.so --entry infer --in %t.h.npy --ebt-infer T=0,K=4,eta=0.5,seed=11 --out %t.y0.npy --out %t.e0.npy
// RUN: %python %S/Inputs/runner-vs-main.py ebt %t.mlp.ref 0 %t.e0.npy | FileCheck %s --check-prefix=EBT
// RUN: tessera-run %t.mlp.so --entry infer --in %t.h.npy --ebt-infer T=16,K=4,eta=0.5,seed=11,noise=0 --out %t.y.npy --out %t.e.npy | FileCheck %s --check-prefix=KEPT
// RUN: %python %S/Inputs/runner-vs-main.py ebt %t.mlp.ref 1 %t.e.npy | FileCheck %s --check-prefix=EBT
// All candidates without self-verification; more of them; Langevin noise.
// RUN: tessera-run %t.mlp.so --entry infer --in %t.h.npy --ebt-infer T=16,K=8,eta=0.5,seed=11,noise=0.25,verify=0 | FileCheck %s --check-prefix=ALL
// RUN: not tessera-run %t.mlp.so --entry infer --in %t.h.npy --ebt-infer T=16,K=9 2>&1 | FileCheck %s --check-prefix=BADK
// RUN: not tessera-run %t.mlp.so --entry main --ebt-infer T=1,K=1 2>&1 | FileCheck %s --check-prefix=NOTRUNNER

// LOSSES: same values
// STEP9: output 0: f32[] values {{[0-9.]+}}
// STEP9: output 1: f32[] values {{[0-9.]+}}
// BADSTEP: tessera-run: tessera_bfn_loss: step = 11 is outside 1 .. n_steps = 10
// SAMPLES: same samples
// BADN: tessera-run: tessera_bfn_sample: n_steps = 0; it must be >= 1
// EBT: same energies
// KEPT: output 0: f32[16x32]
// KEPT: output 1: f32[4x16]
// ALL: output 0: f32[8x16x32]
// ALL: output 1: f32[8x16]
// BADK: tessera-run: tessera_ebt_infer: K = 9 candidates; entry 'infer' runs 1 to 8
// NOTRUNNER: tessera-run: main is not an EBT runner entry (it has 0 results, not 3)
