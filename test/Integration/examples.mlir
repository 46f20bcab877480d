// The main job's examples keep parsing, verifying and cleaning up.
// RUN: tessera-opt %tessera_src/examples/bfn/categorical_loss.mlir --tessera-pipeline=stop-after=graph | FileCheck %s --check-prefix=CAT
// RUN: tessera-opt %tessera_src/examples/bfn/continuous_loss.mlir --tessera-pipeline=stop-after=graph | FileCheck %s --check-prefix=CTS
// RUN: tessera-opt %tessera_src/examples/bfn/sampling.mlir --tessera-pipeline=stop-after=graph | FileCheck %s --check-prefix=SAMPLE
// RUN: tessera-opt %tessera_src/examples/bfn/categorical_loss.mlir --tessera-pipeline=target=cpu | %run_example | FileCheck %s --check-prefix=RUNCAT
// RUN: tessera-opt %tessera_src/examples/bfn/continuous_loss.mlir --tessera-pipeline=target=cpu | %run_example | FileCheck %s --check-prefix=RUNCTS
// RUN: tessera-opt %tessera_src/examples/bfn/sampling.mlir --tessera-pipeline=target=cpu | %run_example | FileCheck %s --check-prefix=RUNSAMPLE
// RUN: tessera-opt %tessera_src/examples/ebt/mlp_infer.mlir --tessera-pipeline=target=cpu | %run_example | FileCheck %s --check-prefix=RUNEBT
// RUN: tessera-opt %tessera_src/examples/ebt/attention_infer.mlir --tessera-pipeline=target=cpu | %run_example | FileCheck %s --check-prefix=RUNEBT
// RUN: tessera-opt %tessera_src/examples/ebt/bilinear_verify.mlir --tessera-pipeline=stop-after=graph | FileCheck %s --check-prefix=BIL

// The step and step count are run-time inputs of @losses.
// CAT: bfn.alpha #{{.*}}(%{{.*}} of %{{.*}}) : index, index -> !bfn.accuracy
// CAT: bfn.discrete_loss
// The examples run on the CPU and print their results (finite numbers).
// RUNCAT: sizes = [2]
// RUNCAT-NEXT: [{{[0-9]+\.[0-9]+}},  {{[0-9]+\.[0-9]+}}]
// RUNCTS: sizes = [3]
// RUNCTS-NEXT: [{{[0-9]+\.[0-9]+}},  {{[0-9]+\.[0-9]+}},  {{[0-9]+\.[0-9]+}}]
// RUNSAMPLE: sizes = []
// RUNSAMPLE-NEXT: [0.{{[0-9]+}}]
// RUNSAMPLE: sizes = [28]
// RUNSAMPLE-NEXT: [{{[01](,  [01])+}}]
// CTS: bfn.output {{.*}} given
// CTS: bfn.continuous_loss
// SAMPLE: func.func private @sample_network_0(%{{.*}}: tensor<784x2xf32>, %{{.*}}: f32, %{{.*}}: tensor<2x2xf32>) -> tensor<784x2xf32>
// SAMPLE: bfn.generate {{.*}} network @sample_network_0(
// EBT inference prints energies before and after, then the kept candidates.
// RUNEBT: sizes = [4]
// RUNEBT-NEXT: [{{-?[0-9]+\.[0-9]+}},  {{-?[0-9]+\.[0-9]+}},  {{-?[0-9]+\.[0-9]+}},  {{-?[0-9]+\.[0-9]+}}]
// RUNEBT: sizes = [4]
// RUNEBT-NEXT: [{{-?[0-9]+\.[0-9]+}},  {{-?[0-9]+\.[0-9]+}},  {{-?[0-9]+\.[0-9]+}},  {{-?[0-9]+\.[0-9]+}}]
// RUNEBT: sizes = [16]
// RUNEBT-NEXT: [{{[0-3](,  [0-3])+}}]
// BIL: linalg.reduce
// BIL: ebt.argmin
// BIL: ebt.select
