#!/usr/bin/env bash
# The README's main job: set up, then run RL-NAS (the Zoph & Le LSTM controller and the NB201 authors' per-edge
# REINFORCE) and the baselines (random search, regularized evolution, local search) on the embedded default
# table (datasets/nb201_fmnist: every NB201 cell trained on Fashion-MNIST by this project's own pipeline), 100
# runs each, and print the comparison. The log goes to runs/embedded-<UTC time>.h5 (never overwriting one).
#   NAS_TABLE=... NAS_CONFIG=...  run another table / config (e.g. an imported NAS-Bench-201 CSV with
#   benchmarks/experiments/nb201_5methods.textproto).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build/setup.sh

CONFIG=${NAS_CONFIG:-benchmarks/experiments/embedded_protocol.textproto}
TABLE=${NAS_TABLE:-datasets/nb201_fmnist/nb201_fmnist.h5}
OUT="runs/$(basename "$CONFIG" .textproto)-$(date -u +%Y%m%dT%H%M%SZ).h5"
mkdir -p runs
bazel build -c opt //tools:nas
NAS=bazel-bin/tools/nas
"$NAS" run "$CONFIG" --table "$TABLE" --out "$OUT" --threads "$(nproc)"
"$NAS" compare "$OUT" --plot "${OUT%.h5}.png"
echo "main_job: log $OUT, anytime plot ${OUT%.h5}.png; check it with: $NAS replay $OUT"
