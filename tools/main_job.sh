#!/usr/bin/env bash
# The README's main job: set up, then run RL-NAS (LSTM and per-edge REINFORCE) and the baselines (random search,
# regularized evolution, local search) on NAS-Bench-201 CIFAR-10, 20 runs each, and print the comparison.
# The log goes to runs/nb201_5methods-<UTC time>.h5 (never overwriting an earlier one).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build/setup.sh

TABLE=${NAS_TABLE:-runs/nb201_cifar10.h5}
CSV=${NB201_CSV:-../shared/data/nasbench201/nasbench201_cifar10.csv}
mkdir -p runs
if [ ! -e "$TABLE" ]; then
  if [ ! -e "$CSV" ]; then
    echo "main_job: no table: $TABLE is missing and the NAS-Bench-201 CSV ($CSV) was not found." >&2
    echo "main_job: set NB201_CSV=/path/to/nasbench201_cifar10.csv or NAS_TABLE=/path/to/table.h5." >&2
    exit 1
  fi
  bazel run -c opt //tools:nas -- import nb201-csv "$CSV" "$TABLE"
fi
bazel run -c opt //tools:nas -- run benchmarks/experiments/nb201_5methods.textproto --table "$TABLE" \
  --out "runs/nb201_5methods-$(date -u +%Y%m%dT%H%M%SZ).h5" --threads "$(nproc)"
