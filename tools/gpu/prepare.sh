#!/usr/bin/env bash
# Run here (Debian 12, archive reachable), before a device check: fetches what the device machine cannot.
#   .gpu/carry/debs/        the .deb files of tools/gpu/packages.txt (apt-get download), SHA256SUMS
#   .gpu/carry/data/fashion-mnist/  Fashion-MNIST's first 10,000 training and 2,000 test images (IDX, gzip),
#                           cut from Debian's dataset-fashion-mnist (the whole set would not fit the carry limit)
#   .gpu/carry/commit       the commit being checked (the device gets the working tree, not .git)
# .gpu/ is git-ignored; the device call carries .gpu/carry (tools/gpu/README.md). Idempotent: packages already
# fetched are not fetched again. Prints the carried size.
set -euo pipefail
cd "$(dirname "$0")/../.."
carry=.gpu/carry cache=.gpu/cache
mkdir -p "$carry/debs" "$cache" "$carry/data/fashion-mnist"
mapfile -t pkgs < <(grep -v '^\s*#' tools/gpu/packages.txt | sed 's/\s*$//' | grep -v '^$')
missing=()
for p in "${pkgs[@]}"; do
  compgen -G "$carry/debs/${p}_*.deb" >/dev/null || missing+=("$p")
done
# A .deb of a package that is no longer listed is removed, so the prefix holds exactly the list.
for f in "$carry"/debs/*.deb; do
  [ -e "$f" ] || continue
  name=$(basename "$f"); name=${name%%_*}
  printf '%s\n' "${pkgs[@]}" | grep -qx "$name" || rm -f "$f"
done
if [ ${#missing[@]} -gt 0 ]; then
  (cd "$carry/debs" && apt-get download -q "${missing[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
fi
for p in "${pkgs[@]}"; do
  compgen -G "$carry/debs/${p}_*.deb" >/dev/null || { echo "prepare: apt-get download $p failed" >&2; exit 1; }
done
(cd "$carry/debs" && sha256sum -- *.deb > SHA256SUMS)

if [ ! -s "$carry/data/fashion-mnist/train-images-idx3-ubyte.gz" ]; then
  if [ -d /usr/share/datasets/fashion-mnist ]; then
    src=/usr/share/datasets/fashion-mnist
  else
    (cd "$cache" && apt-get download -q dataset-fashion-mnist 2>&1 | grep -v '^W: Download' || true)
    rm -rf "$cache/fmnist" && dpkg-deb -x "$cache"/dataset-fashion-mnist_*.deb "$cache/fmnist"
    src=$cache/fmnist/usr/share/datasets/fashion-mnist
  fi
  python3 - "$src" "$carry/data/fashion-mnist" <<'PY'
import gzip, struct, sys
src, dst = sys.argv[1], sys.argv[2]
for split, n in (("train", 10000), ("t10k", 2000)):
    for kind, dims in (("images-idx3", 3), ("labels-idx1", 1)):
        raw = gzip.open(f"{src}/{split}-{kind}-ubyte.gz").read()
        head = list(struct.unpack(">" + "I" * (1 + dims), raw[:4 * (1 + dims)]))
        item = 1
        for d in head[2:]:
            item *= d
        head[1] = n
        body = raw[4 * (1 + dims):4 * (1 + dims) + n * item]
        with gzip.GzipFile(f"{dst}/{split}-{kind}-ubyte.gz", "wb", mtime=0) as f:
            f.write(struct.pack(">" + "I" * (1 + dims), *head) + body)
PY
fi
git rev-parse HEAD > "$carry/commit" 2>/dev/null || echo unknown > "$carry/commit"
tree=$(git ls-files -z --cached --others --exclude-standard | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
extra=$(du -sb "$carry" | cut -f1)
echo "prepare: ${#pkgs[@]} packages, carry $((extra / 1048576)) MiB + working tree $((tree / 1048576)) MiB" \
     "= $(((extra + tree) / 1048576)) MiB of 64 MiB"
