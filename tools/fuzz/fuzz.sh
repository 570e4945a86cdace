#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ (clang, ASan + UBSan, in a separate Bazel output base) and fuzzes
# each for SECONDS (default 30: the CI smoke), starting from the committed seeds. A crash, leak, sanitizer
# report or hang (> 10 s on one input) fails; the input is kept under $FUZZ_OUT/<target>/ (default
# /tmp/nas_fuzz), ready to be copied to tests/fuzz/regressions/<target>/ and fixed.
#   tools/fuzz/fuzz.sh [SECONDS] [TARGET...]      e.g. tools/fuzz/fuzz.sh 600 pickle
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_TARGET=${1:-30}
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then TARGETS=(pickle bz2 tfrecord nb201_csv config table log); fi
OUT=${FUZZ_OUT:-/tmp/nas_fuzz}
# Its own output base (not `bazel info`: that would wait for a busy main server), keyed by the checkout.
BASE=${FUZZ_OUTPUT_BASE:-$HOME/.cache/bazel-fuzz/$(printf %s "$PWD" | md5sum | cut -c1-32)}
bins=()
for t in "${TARGETS[@]}"; do bins+=("//tests/fuzz:${t}_fuzzer"); done
# --symlink_prefix=/: no bazel-* links from this server (the main one would descend into them on //...).
bazel --output_base="$BASE" build --config=fuzz --symlink_prefix=/ "${bins[@]}"
BIN=$(bazel --output_base="$BASE" info --config=fuzz --symlink_prefix=/ bazel-bin 2>/dev/null)/tests/fuzz
SUPP=$(pwd)/tests/fuzz/lsan.supp  # known leaks inside HDF5 (see the file)
status=0
for t in "${TARGETS[@]}"; do
  work="$OUT/$t"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp -n tests/fuzz/corpus/"$t"/* "$work/corpus/"
  echo "fuzz: $t for ${SECONDS_PER_TARGET}s"
  # -rss_limit_mb: a parser must not need 2 GB for a small input; -timeout: a hang.
  if ! (cd "$work" && ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions="$SUPP" "$BIN/${t}_fuzzer" corpus -max_total_time="$SECONDS_PER_TARGET" \
        -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix=artifacts/ \
        > "$work/fuzz.log" 2>&1); then
    echo "fuzz: $t FAILED; input under $work/artifacts, log $work/fuzz.log"
    grep -E "ERROR|SUMMARY|Test unit written" "$work/fuzz.log" | head -5 || true
    status=1
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$work/fuzz.log" | tr '\n' ' ' || true
  echo
done
bazel --output_base="$BASE" shutdown || true
exit $status
