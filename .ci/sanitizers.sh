#!/usr/bin/env bash
# CI step: the unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (--config=asan in .bazelrc; UBSan
# reports fail the test: halt_on_error). Excluded, found by query rather than by a list: tests that link
# LibTorch (@system_libs//:torch: the LSTM controller, child training, and the CLI tests, whose `nas` binary
# links it), and tests tagged no_sanitizer (an LD_PRELOAD shim that ASan's runtime refuses). Each of their TUs includes torch/torch.h (~16 s and 1.2 GB per TU at -O2, more under ASan), which
# would take most of CI's time on 2 cores, and LibTorch itself is not instrumented; their non-Torch code paths
# are covered by the library tests and the fuzz corpus tests that do run here.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=$(bazel query --noshow_progress \
  'tests(//tests/... + //benchmarks/...) except rdeps(//tests/... + //benchmarks/..., @system_libs//:torch) except attr(tags, "no_sanitizer", tests(//tests/... + //benchmarks/...))' 2>/dev/null)
echo "sanitizers: $(echo "$targets" | wc -w) test targets under --config=asan"
# ASAN_OUTPUT_BASE: run it in its own Bazel server (e.g. next to a busy one while developing); CI uses the main one.
bazel ${ASAN_OUTPUT_BASE:+--output_base=$ASAN_OUTPUT_BASE} test ${ASAN_OUTPUT_BASE:+--symlink_prefix=/} --config=asan --test_env=UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $targets
