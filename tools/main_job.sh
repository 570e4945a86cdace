#!/usr/bin/env bash
# The README's main job: set up (tools/build/setup.sh: Debian packages through apt, root or sudo), build, then
# run the NAS-Bench-201 search protocol on the shipped CIFAR-10 and CIFAR-100 tables (datasets/nb201):
# random search, REA, the NB201 authors' per-edge REINFORCE at their two learning rates and the Zoph & Le LSTM
# controller, 500 runs each (benchmarks/experiments/main_job_{cifar10,cifar100}.textproto). It prints
#   1. the comparison with the NB201 authors' own code on the same data (//benchmarks:nb201_table5 --logs:
#      PASS/FAIL at 2 standard errors of the difference),
#   2. the `nas compare` report and the anytime plot (one panel per dataset),
#   3. the `nas replay` verdict of both logs (every run re-run and compared field by field).
# The logs and the plot go to runs/main_job-<UTC time>/ (never overwriting one).
#   NAS_THREADS=N  worker threads (default: nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
tools/build/setup.sh --main-job
t1=$(date +%s)

THREADS=${NAS_THREADS:-$(nproc)}
OUT="runs/main_job-$(date -u +%Y%m%dT%H%M%SZ)"
bazel build --config=tabular //tools:nas //benchmarks:nb201_table5
t2=$(date +%s)
NAS=bazel-bin/tools/nas
mkdir -p "$OUT"
start=$(date +%s)
logs=()
for d in cifar10 cifar100; do
  echo "== nas run benchmarks/experiments/main_job_$d.textproto --out $OUT/$d.h5 --threads $THREADS"
  "$NAS" run "benchmarks/experiments/main_job_$d.textproto" --out "$OUT/$d.h5" --threads "$THREADS"
  logs+=("$OUT/$d.h5")
done
echo
echo "== The NB201 authors' code on the same tables (benchmarks/nb201_table5.cc), judged at 2 standard errors"
bazel-bin/benchmarks/nb201_table5 --logs "$(IFS=,; echo "${logs[*]}")"
echo
echo "== nas compare ${logs[*]} --budgets 50,100 --plot $OUT/anytime.png"
"$NAS" compare "${logs[@]}" --budgets 50,100 --plot "$OUT/anytime.png"
echo
verdict=0
for log in "${logs[@]}"; do
  echo "== nas replay $log"
  "$NAS" replay "$log" --threads "$THREADS" || verdict=1
done
echo
echo "main_job: set-up $((t1 - t0)) s, build $((t2 - t1)) s, run $(( $(date +%s) - start )) s (load average $(cut -d' ' -f1-3 /proc/loadavg));" \
     "logs ${logs[*]}, anytime plot $OUT/anytime.png;" \
     "replay: $([ $verdict = 0 ] && echo "every run bit-identical" || echo "MISMATCH (see above)")"
exit $verdict
