#!/usr/bin/env bash
# The GPU device check (tools/gpu/README.md): builds nas-torch and train_throughput with CMake against a LibTorch,
# the other libraries from the Debian packages of .gpu/carry/debs unpacked into a private prefix, then measures
# and writes a report.
#
#   tools/gpu/device_check.sh [--mode cuda|cpu] [--torch python|DIR] [--prefix DIR] [--keep-prefix] [--quick]
#                             [--out DIR] [--python PYTHON]
#
# --mode cuda (default): needs a visible GPU and a LibTorch with CUDA. --torch python (default): the LibTorch of
# python3's torch; DIR: a LibTorch directory (include/, lib/) or a system prefix such as /usr (Debian's
# libtorch-dev). --prefix (default .gpu/prefix) is emptied and the .debs unpacked into it, unless --keep-prefix
# (use it as it is). --quick: the rehearsal's sizes. --python (default python3): the Python with torch for the
# PyTorch-Python reference (and for --torch python). --out (default $OUT, else .gpu/out): report.txt, log.txt.
# Bad input (no GPU, a LibTorch without CUDA, a prefix missing a library, ...): one line each on stderr,
# `device_check: <what>`, exit 1, before anything is built.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
START=$(date +%s.%N)
mode=cuda torch=python prefix=.gpu/prefix keep=0 quick=0 out=${OUT:-.gpu/out} python=python3
while [ $# -gt 0 ]; do
  case "$1" in
    --mode) mode=$2; shift 2 ;;
    --torch) torch=$2; shift 2 ;;
    --prefix) prefix=$2; shift 2 ;;
    --keep-prefix) keep=1; shift ;;
    --quick) quick=1; shift ;;
    --out) out=$2; shift 2 ;;
    --python) python=$2; shift 2 ;;
    *) echo "device_check: unknown argument '$1' (known: --mode --torch --prefix --keep-prefix --quick --out --python)" >&2
       exit 1 ;;
  esac
done
case "$mode" in cuda|cpu) ;; *) echo "device_check: --mode '$mode' (known: cuda, cpu)" >&2; exit 1 ;; esac
case "$prefix" in /*) ;; *) prefix=$ROOT/$prefix ;; esac
mkdir -p "$out" && out=$(cd "$out" && pwd)
report=$out/report.txt log=$out/log.txt
: > "$log"
errors=()
system_libs='^(libc|libm|libdl|librt|libpthread|libresolv|libstdc\+\+|libgcc_s|ld-linux-x86-64)\.so'
fail() { errors+=("$1"); }

# --- Preflight: every problem found is one line; nothing is built when there is one. ---
# The machine.
if [ "$mode" = cuda ]; then
  if ! command -v nvidia-smi >/dev/null; then gpus="nvidia-smi not found"; else gpus=$(nvidia-smi -L 2>&1); fi
  if ! grep -q '^GPU ' <<<"$gpus"; then
    fail "--mode cuda but no CUDA device is visible on this machine ($(head -1 <<<"${gpus:-nvidia-smi -L lists no GPU}" | cut -c1-80)); use --mode cpu"
  fi
fi
"$python" -c 'import torch' 2>/dev/null || fail "$python cannot import torch (the PyTorch-Python reference needs it; --python PYTHON)"
for tool in cmake ninja g++ readelf; do
  command -v "$tool" >/dev/null || fail "$tool is not installed on this machine"
done
# A .deb is an ar archive; dpkg-deb where there is one, else ar and tar.
unpack() {
  if command -v dpkg-deb >/dev/null; then dpkg-deb -x "$1" "$2"
  else (cd "$2" && ar p "$1" "$(ar t "$1" | grep '^data\.tar')" | tar -x --auto-compress -f - 2>/dev/null ||
        ar p "$1" "$(ar t "$1" | grep '^data\.tar')" | xz -dc | tar -x -f -); fi
}
# LibTorch: include directories, libraries, ABI, CUDA.
torch_inc=() torch_libs=() torch_rpath="" torch_linkdirs="" torch_cfg="" torch_desc=""
if [ "$torch" = python ]; then
  tdir=$("$python" -c 'import os, torch; print(os.path.dirname(torch.__file__))' 2>/dev/null) ||
    fail "--torch python: $python cannot import torch; give --torch DIR (a LibTorch directory)"
  torch=${tdir:-python}
fi
if [ -d "$torch/include/torch/csrc/api/include" ] && [ -e "$torch/lib/libtorch_cpu.so" ]; then
  tlib=$torch/lib                           # LibTorch's own layout (also python's torch package)
  torch_inc=("$torch/include" "$torch/include/torch/csrc/api/include")
  torch_rpath=$tlib
elif [ -d "$torch/include/torch/csrc/api/include" ] && [ -e "$torch/lib/x86_64-linux-gnu/libtorch_cpu.so" ]; then
  tlib=$torch/lib/x86_64-linux-gnu          # a system prefix (Debian's libtorch-dev in /usr); its include/ is the
  torch_inc=("$torch/include/torch/csrc/api/include")  # compiler's own, searched after the private prefix
else
  tlib=""
  fail "--torch $torch: not a LibTorch (no include/torch/csrc/api/include with lib/libtorch_cpu.so)"
fi
if [ -n "$tlib" ]; then
  for l in torch torch_cpu c10; do torch_libs+=("$tlib/lib$l.so"); done
  torch_cfg=$(find "$torch/share/cmake/Torch" "$tlib/cmake/Torch" -name TorchConfig.cmake 2>/dev/null | head -1)
  abi=$(grep -o '_GLIBCXX_USE_CXX11_ABI=[01]' "$torch_cfg" 2>/dev/null | head -1 | cut -d= -f2)
  if [ -n "${tdir:-}" ]; then
    abi=$("$python" -c 'import torch; print(int(torch.compiled_with_cxx11_abi()))' 2>/dev/null || echo "$abi")
  fi
  [ "${abi:-1}" = 1 ] || fail "--torch $torch: LibTorch is built with the pre-C++11 string ABI (_GLIBCXX_USE_CXX11_ABI=0); Debian's libraries need the C++11 ABI"
  if [ -e "$tlib/libtorch_cuda.so" ]; then
    torch_libs+=("$tlib/libtorch_cuda.so" "$tlib/libc10_cuda.so")
    # What libtorch_cuda loads (python's nvidia-* packages), for the linker only.
    torch_linkdirs=$(find "$(dirname "$torch")/nvidia" -maxdepth 3 -type d -name lib 2>/dev/null | tr '\n' ';')
  elif [ "$mode" = cuda ]; then
    fail "--mode cuda but the LibTorch at $torch has no CUDA ($tlib has no libtorch_cuda.so); use --mode cpu or a CUDA LibTorch"
  fi
  torch_desc="$torch (ABI ${abi:-1}$([ -e "$tlib/libtorch_cuda.so" ] && echo ", CUDA" || echo ", CPU only"))"
fi
# C++ standard: 20 when LibTorch's headers refuse 17.
std=17
if [ -n "$tlib" ] && { grep -rqs --include='*.h' -e 'C++20 or later' -e '__cplusplus < 202002L' \
    "${torch_inc[0]}/c10/util/C++17.h" "${torch_inc[0]}/c10/macros" "${torch_inc[0]}/ATen/ATen.h" \
    "${torch_inc[0]}/ATen/core" || grep -qs 'cxx_std_20' "$torch_cfg"; }; then
  std=20
fi
# The prefix: unpacked from the carried .debs, then every DT_NEEDED of its libraries must resolve inside it (or
# be the C/C++ runtime, which is the machine's).
debs=$ROOT/.gpu/carry/debs
if [ "$keep" = 0 ]; then
  mapfile -t pkgs < <(grep -v '^\s*#' tools/gpu/packages.txt | sed 's/\s*$//' | grep -v '^$')
  lacking=()
  for p in "${pkgs[@]}"; do compgen -G "$debs/${p}_*.deb" >/dev/null || lacking+=("$p"); done
  if [ ${#lacking[@]} -gt 0 ]; then
    fail ".gpu/carry/debs lacks ${#lacking[@]} of the packages of tools/gpu/packages.txt (${lacking[*]:0:3} ...): run tools/gpu/prepare.sh here and carry .gpu/carry"
  elif [ -d "$prefix" ] && [ -n "$(ls -A "$prefix")" ] && [ ! -e "$prefix/.nas_gpu_prefix" ]; then
    fail "--prefix $prefix is a non-empty directory that device_check did not make: refusing to empty it"
  elif [ ${#errors[@]} -eq 0 ]; then
    rm -rf "$prefix" && mkdir -p "$prefix" && touch "$prefix/.nas_gpu_prefix"
    for p in "${pkgs[@]}"; do unpack "$(compgen -G "$debs/${p}_*.deb" | head -1)" "$prefix" || fail "unpacking $p failed"; done
  fi
fi
if [ ${#errors[@]} -eq 0 ] || [ "$keep" = 1 ]; then
  if [ ! -x "$prefix/usr/bin/protoc" ]; then
    fail "prefix $prefix lacks usr/bin/protoc (package protobuf-compiler)"
  fi
  declare -A have=()
  while IFS= read -r f; do have[$(basename "$f")]=1; done < <(find "$prefix" \( -type f -o -type l \) -name 'lib*.so*')
  missing_lib="" needer=""
  while IFS= read -r f; do
    for need in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
      [[ $need =~ $system_libs ]] && continue
      [ -n "${have[$need]:-}" ] || { missing_lib=$need needer=${f#$prefix/}; break 2; }
    done
  done < <(find "$prefix" -type f \( -name 'lib*.so*' -o -path '*/usr/bin/protoc*' \) | sort)
  [ -z "$missing_lib" ] || fail "prefix $prefix lacks $missing_lib (needed by $needer): a package is missing from tools/gpu/packages.txt or was not unpacked"
  for need in libprotobuf.so libhdf5.so libcrypto.so libbz2.so libz.so libabsl_status.so; do
    [ -n "$(find "$prefix" -name "$need" -print -quit)" ] || fail "prefix $prefix lacks $need (the link name of a -dev package)"
  done
fi
if [ ${#errors[@]} -gt 0 ]; then
  printf 'device_check: %s\n' "${errors[@]}" >&2
  exit 1
fi

# --- From here on a failure is reported in the report and the exit status. ---
status=0
section() { echo "== $*" >>"$log"; }
rep() { echo "$*" | tee -a "$report"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
: > "$report"
rep "nas-torch device check ($(date -u '+%Y-%m-%d %H:%M UTC')), mode $mode$([ $quick = 1 ] && echo ' (quick)')"
rep "commit: $(git rev-parse HEAD 2>/dev/null || cat .gpu/carry/commit 2>/dev/null || echo unknown)"
rep "machine: $(nproc) cores, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)$([ "$mode" = cuda ] && echo ", $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)")"
rep "compiler: $(g++ --version | head -1); cmake $(cmake --version | head -1 | awk '{print $3}'); C++$std"
rep "LibTorch: $torch_desc"
rep "prefix: $prefix ($(ls "$debs"/*.deb 2>/dev/null | wc -l) Debian packages)"

# Build.
build=$ROOT/.gpu/build-$mode
commit=$(git rev-parse HEAD 2>/dev/null || cat .gpu/carry/commit 2>/dev/null || echo unknown)
t=$(now)
section "cmake"
if cmake -G Ninja -S tools/gpu -B "$build" -DNAS_PREFIX="$prefix" \
     -DNAS_TORCH_INCLUDE_DIRS="$(IFS=';'; echo "${torch_inc[*]}")" \
     -DNAS_TORCH_LIBRARIES="$(IFS=';'; echo "${torch_libs[*]}")" -DNAS_TORCH_RPATH="$torch_rpath" \
     -DNAS_LINK_DIRS_EXTRA="$torch_linkdirs" -DNAS_CXX_STANDARD=$std -DNAS_GIT_COMMIT="$commit" >>"$log" 2>&1 &&
   ninja -C "$build" -j "$(nproc)" nas-torch train_throughput >>"$log" 2>&1; then
  rep "build: $(secs "$t") s (cmake + ninja -j$(nproc), nas-torch and train_throughput, $(grep -c '^src ' tools/gpu/nas_torch.manifest) library sources)"
else
  rep "build: FAILED after $(secs "$t") s (see log.txt)"
  tail -30 "$log" >&2
  exit 1
fi
NT=$build/nas-torch TT=$build/train_throughput
# Nothing from the system where the prefix must provide it: the loaded libraries and the compiled headers.
# nas-torch's own libraries (its DT_NEEDED, less LibTorch's and the C/C++ runtime) must load from the prefix;
# what the machine's LibTorch loads is the machine's.
own=$(readelf -d "$NT" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | grep -Ev "$system_libs|^lib(torch|c10)" | tr '\n' '|')
bad=$(ldd "$NT" | awk '/=>/ {print $1, $3}' | grep -E "^(${own%|}) " | grep -v " $prefix/" || true)
[ -z "$bad" ] || { rep "libraries: FAILED, from outside the prefix: $(echo $bad)"; status=1; }
# Every protobuf, Abseil, HDF5, OpenSSL, bzip2 and zlib header compiled must be the prefix's (not the system's,
# not a copy shipped inside LibTorch).
hdrs=$(ninja -C "$build" -t deps 2>/dev/null | awk '$1 ~ /^\// {print $1}' |
       grep -E '/include/(google/protobuf/|absl/|hdf5/|H5[^/]*\.h$|openssl/|x86_64-linux-gnu/openssl/|bzlib\.h$|zlib\.h$|zconf\.h$)' |
       grep -v "^$prefix/" | sort -u | head -3 || true)
[ -z "$hdrs" ] || { rep "headers: FAILED, not from the prefix: $(echo $hdrs)"; status=1; }
[ -n "$bad$hdrs" ] || rep "isolation: ok (nas-torch's $(tr '|' '\n' <<<"${own%|}" | grep -c .) libraries besides LibTorch's load from the prefix; every protobuf, HDF5, Abseil, OpenSSL, bz2 and zlib header from the prefix)"

# The real-training experiment: twice on the mode's device, replay, and on the CPU for contrast.
cfg=tools/gpu/train_check.textproto threads=8
[ $quick = 1 ] && cfg=tools/gpu/train_check_quick.textproto threads=2
runs=$ROOT/.gpu/runs-$mode
rm -rf "$runs" && mkdir -p "$runs"
sed "s/device: \"cuda\"/device: \"$mode\"/" "$cfg" > "$runs/check.textproto"
sed 's/device: "cuda"/device: "cpu"/' "$cfg" > "$runs/check_cpu.textproto"
run_exp() {  # label config log
  local t; t=$(now); section "nas-torch run $1"
  "$NT" run "$2" --out "$3" --threads $threads >"$3.out" 2>&1
  local rc=$?
  cat "$3.out" >>"$log"
  if [ $rc = 0 ]; then
    rep "run $1: $(secs "$t") s ($(basename "$cfg") on $1, --threads $threads)"
  else rep "run $1: FAILED after $(secs "$t") s"; status=1; fi
}
run_exp "$mode #1" "$runs/check.textproto" "$runs/a.h5"
run_exp "$mode #2" "$runs/check.textproto" "$runs/b.h5"
# The two runs' episodes, every field but the wall-clock ones, must be identical.
for x in a b; do
  "$NT" export "$runs/$x.h5" --csv "$runs/$x.csv" >>"$log" 2>&1
  "$python" - "$runs/$x.csv" > "$runs/$x.cmp" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
keep = [i for i, h in enumerate(rows[0]) if "time" not in h]
for r in rows:
    print(",".join(r[i] for i in keep))
PY
done
if [ -s "$runs/a.cmp" ] && cmp -s "$runs/a.cmp" "$runs/b.cmp"; then
  rep "identical: run #1 and #2 give the same episodes ($(($(wc -l < "$runs/a.cmp") - 1)) rows, every field but times)"
else
  rep "identical: FAILED, run #1 and #2 differ: $(diff "$runs/a.cmp" "$runs/b.cmp" | head -2 | tr '\n' ' ' | cut -c1-200)"; status=1
fi
t=$(now); section "nas-torch replay"
if "$NT" replay "$runs/a.h5" >>"$log" 2>&1; then rep "replay: identical, $(secs "$t") s"
else rep "replay: FAILED ($(tail -1 "$log" | cut -c1-200))"; status=1; fi
if [ "$mode" = cuda ]; then run_exp "cpu (contrast)" "$runs/check_cpu.textproto" "$runs/cpu.h5"; fi
for x in a cpu; do
  [ -e "$runs/$x.h5.out" ] && grep -E '^(reinforce_lstm|random) ' "$runs/$x.h5.out" |
    sed "s/^/  summary ($([ $x = a ] && echo "$mode #1" || echo cpu)): /" | tee -a "$report"
done

# Throughput: the NB201 net (C=16, N=5, 32x32) in the harness and in PyTorch-Python; concurrent workers.
secs_m=3 shape="16 5 32" workers="1 2 4 8"
[ $quick = 1 ] && secs_m=0.5 shape="8 1 16" workers="1 2"
section "train_throughput"
for b in 64 256; do
  line=$("$TT" "$mode" $b $secs_m 1 $shape 2>>"$log") || { line="FAILED"; status=1; }
  rep "harness: $line"
done
section "nb201_reference"
py=$("$python" tools/gpu/nb201_reference.py "$mode" $secs_m 64 256 --shape $shape 2>>"$log") || { py="FAILED"; status=1; }
echo "$py" | sed 's/^/python: /' | tee -a "$report"
for w in $workers; do
  line=$("$TT" "$mode" 256 $secs_m "$w" $shape 2>>"$log") || { line="FAILED ($(tail -1 "$log"))"; status=1; }
  rep "concurrent: $line"
done
rep "status: $([ $status = 0 ] && echo ok || echo FAILED) (total $(secs "$START") s)"
exit $status
