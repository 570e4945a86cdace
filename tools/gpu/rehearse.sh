#!/usr/bin/env bash
# CI step (.ci/run): the device check rehearsed on this machine's CPU. Fetches the Debian packages
# (tools/gpu/prepare.sh), checks the three bad inputs of the device check (one line each), then runs
# tools/gpu/device_check.sh --mode cpu --quick against Debian's LibTorch (/usr, the stand-in for the device's own)
# in a fresh prefix: the CMake build from the manifest, isolation from the system's libraries and headers, the
# real-training run twice + replay, and the throughput harnesses. Prints the step's time; exit 0 when all pass.
set -uo pipefail
cd "$(dirname "$0")/../.."
start=$(date +%s)
status=0
tools/gpu/prepare.sh || { echo "rehearse: tools/gpu/prepare.sh failed" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gpu_rehearse.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# expect NAME WANT_LINES PATTERN... -- ARGS: device_check must exit 1 with exactly WANT_LINES stderr lines, each
# `device_check: ...`, one matching each PATTERN, and build nothing.
expect() {
  local name=$1 want=$2; shift 2
  local pats=()
  while [ "$1" != -- ]; do pats+=("$1"); shift; done; shift
  rm -rf "$tmp/out"
  tools/gpu/device_check.sh --python /usr/bin/python3 --out "$tmp/out" "$@" 2>"$tmp/err" >/dev/null
  local rc=$? ok=1
  [ $rc = 1 ] || ok=0
  [ "$(grep -c . "$tmp/err")" = "$want" ] || ok=0
  [ "$(grep -vc '^device_check: ' "$tmp/err")" = 0 ] || ok=0
  for p in "${pats[@]}"; do grep -q -- "$p" "$tmp/err" || ok=0; done
  [ ! -s "$tmp/out/report.txt" ] || ok=0
  if [ $ok = 1 ]; then echo "rehearse: bad input '$name': ok: $(tr '\n' ' ' < "$tmp/err" | cut -c1-220)"
  else echo "rehearse: bad input '$name': FAILED (exit $rc): $(cat "$tmp/err")" >&2; status=1; fi
}
# No GPU on this machine, and Debian's LibTorch has no CUDA: two bad inputs, a line each.
if ! nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
  expect "no CUDA device; LibTorch without CUDA" 2 "no CUDA device is visible" "has no CUDA (.*no libtorch_cuda.so)" \
    -- --mode cuda --torch /usr
fi
# A prefix missing a library: every package but libcurl4 (libhdf5 loads libcurl.so.4).
mkdir -p "$tmp/prefix"
for f in .gpu/carry/debs/*.deb; do
  case "$(basename "$f")" in libcurl4_*) ;; *) dpkg-deb -x "$f" "$tmp/prefix" ;; esac
done
expect "prefix missing a library" 1 "lacks libcurl.so.4 (needed by usr/lib/x86_64-linux-gnu/libhdf5_serial" \
  -- --mode cpu --torch /usr --prefix "$tmp/prefix" --keep-prefix
expect "not a LibTorch" 1 "not a LibTorch" -- --mode cpu --torch "$tmp/prefix"
# A --prefix that device_check did not make is never emptied.
expect "foreign prefix" 1 "did not make: refusing to empty it" -- --mode cpu --torch /usr --prefix "$tmp/prefix"
[ -e "$tmp/prefix/usr/bin/protoc" ] || { echo "rehearse: the foreign prefix was modified" >&2; status=1; }

# The check itself, CPU mode, fresh prefix (.gpu/prefix is emptied and unpacked again).
# Debian's python3-torch (/usr/bin/python3, not a python3 of another installation) for the Python reference.
tools/gpu/device_check.sh --mode cpu --torch /usr --python /usr/bin/python3 --quick --out .gpu/out-rehearsal || status=1
echo "rehearse: $([ $status = 0 ] && echo ok || echo FAILED) in $(($(date +%s) - start)) s (load $(cut -d' ' -f1-3 /proc/loadavg))"
exit $status
