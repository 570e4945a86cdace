#!/usr/bin/env bash
# Installs everything the build, the tests and the benchmarks need, from Debian 12 packages only, and selects
# OpenBLAS as the system BLAS. Idempotent: a second run installs nothing and changes nothing.
#   tools/build/setup.sh              everything (what CI and `bazel test //...` need)
#   tools/build/setup.sh --main-job   only what tools/main_job.sh builds and runs (MAIN_JOB_PACKAGES, without
#                                     recommended packages): about 435 packages / 464 MB instead of 790 / 832 MB
set -euo pipefail
MODE=${1:-all}
case "$MODE" in
  all|--main-job) ;;
  *) echo "setup: unknown option '$MODE' (valid: --main-job, or none for everything)" >&2; exit 1 ;;
esac

# What the main job (a tabular search with the LSTM controller, the comparison and the anytime plot) needs.
MAIN_JOB_PACKAGES=(
  bazel-bootstrap bazel-rules-cc bazel-rules-java bazel-rules-proto bazel-skylib bazel-platforms g++ git
  libtorch-dev libprotobuf-dev protobuf-compiler libhdf5-dev libabsl-dev libssl-dev libbz2-dev
  libopenblas0-pthread gnuplot-nox fonts-liberation
)

PACKAGES=(
  # Build: Bazel 4.2.3 and the rule sets it loads, all offline from Debian.
  bazel-bootstrap bazel-rules-cc bazel-rules-java bazel-rules-proto bazel-skylib bazel-platforms
  g++ git
  # Libraries.
  libtorch-dev          # LibTorch 1.13.1 (CPU): the LSTM controller
  libprotobuf-dev protobuf-compiler  # experiment configs and schemas
  libhdf5-dev hdf5-tools            # tables and episode logs (h5dump for humans)
  libabsl-dev           # Status/StatusOr, string utilities
  libssl-dev            # SHA-256 of tables (provenance)
  libbz2-dev            # bzip2 (NATS-Bench's .pickle.pbz2 files, nas import nats-tss)
  libgtest-dev libgmock-dev libbenchmark-dev
  libopenblas0-pthread  # the BLAS LibTorch calls (selected below)
  python3-h5py python3-pandas  # the README's log-reading example (offline analysis in Python)
  gnuplot-nox           # `nas compare --plot` (anytime plots, svg/pngcairo terminals; run as a program)
  dataset-fashion-mnist # Fashion-MNIST IDX files (/usr/share/datasets/fashion-mnist): real child training
  clang libclang-rt-14-dev  # libFuzzer + ASan/UBSan runtimes: the fuzz targets of tests/fuzz (tools/fuzz/fuzz.sh)
  python3-torch         # //benchmarks:side_by_side's PyTorch-Python reference (benchmarks/nb201_train_reference.py)
  libopenmpi-dev openmpi-bin  # MPI build of nas (`--define mpi=1`, mpirun): children trained on other ranks
)

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

APT_OPTIONS=()
if [ "$MODE" = --main-job ]; then
  PACKAGES=("${MAIN_JOB_PACKAGES[@]}")
  APT_OPTIONS=(--no-install-recommends)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  # --force-unsafe-io: dpkg skips its fsync per unpacked file (as Debian's own container images do); an
  # install cut by a power loss may need `apt-get install --reinstall` of the packages named here.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o Dpkg::Options::=--force-unsafe-io \
    "${APT_OPTIONS[@]}" "${missing[@]}" >/dev/null
fi

# One BLAS for every run: OpenBLAS (pthread build). Logs record the BLAS file and thread count; bit-exact
# replay is promised for the same binary, BLAS and threads.
ARCH_TRIPLET=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
OPENBLAS=/usr/lib/$ARCH_TRIPLET/openblas-pthread/libblas.so.3
if [ -e "$OPENBLAS" ]; then
  current=$(update-alternatives --query "libblas.so.3-$ARCH_TRIPLET" 2>/dev/null | awk '/^Value:/{print $2}')
  if [ "$current" != "$OPENBLAS" ]; then
    $SUDO update-alternatives --set "libblas.so.3-$ARCH_TRIPLET" "$OPENBLAS"
  fi
fi
echo "setup: ok (bazel-bootstrap $(dpkg-query -W -f='${Version}' bazel-bootstrap), BLAS $(readlink -f /usr/lib/$ARCH_TRIPLET/libblas.so.3))"
