#!/bin/bash
# Builds, or resumes, the shards of this table with one fixed binary at the lowest CPU priority, then merges
# them once every shard exists. Any session can start it again: finished shards are skipped, a shard with a
# journal resumes from it (the values are the same as an uninterrupted build).
#
#   datasets/nb201_fmnist2k/build_shards.sh [WORKERS]      (default 2 workers, one intra-op thread each)
#
# TABLEBUILD (default /work/tablebuild) holds bin/nas and bin/nas-torch (checked against nas-torch.sha256
# beside this script: another binary trains to other values), shards/shard_I_of_N.h5 (+ .journal while
# running), logs/shard_I_of_N.log, and the merged table nb201_fmnist2k.h5. A shard committed beside this
# script (shards/shard_I_of_N.h5.gz, `gzip -9 -n` of the shard table) counts as done. Worker w builds shards
# w, w + WORKERS, ... in order. Run it in the background so it outlives the session, e.g.
#   setsid nohup datasets/nb201_fmnist2k/build_shards.sh 2 > /work/tablebuild/driver.out 2>&1 < /dev/null &
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${TABLEBUILD:-/work/tablebuild}
WORKERS=${1:-2}
N=$(cat "$HERE/SHARDS")
SPEC="$HERE/build.textproto"
BIN="$ROOT/bin"
mkdir -p "$ROOT/shards" "$ROOT/logs"
exec 9> "$ROOT/build.lock"
flock -n 9 || { echo "$ROOT/build.lock: a build is already running there" >&2; exit 1; }

want=$(cut -d' ' -f1 "$HERE/nas-torch.sha256")
have=$(sha256sum "$BIN/nas-torch" 2>/dev/null | cut -d' ' -f1)
if [ "$want" != "$have" ]; then
  echo "$BIN/nas-torch: SHA-256 '${have:-missing}' is not the build's $want (nas-torch.sha256)" >&2
  exit 1
fi

done_shard() {
  [ -f "$ROOT/shards/shard_${1}_of_$N.h5" ] || [ -f "$HERE/shards/shard_${1}_of_$N.h5.gz" ]
}

worker() {
  local w=$1 i out resume
  for ((i = w; i < N; i += WORKERS)); do
    done_shard "$i" && continue
    out="$ROOT/shards/shard_${i}_of_$N.h5"
    resume=""
    [ -f "$out.journal" ] && resume="--resume"
    echo "$(date -u +%FT%TZ) shard $i/$N start $resume" >> "$ROOT/logs/driver.log"
    OMP_NUM_THREADS=1 nice -n 19 "$BIN/nas-torch" build-table "$SPEC" "$out" --shard "$i/$N" --threads 1 $resume \
      >> "$ROOT/logs/shard_${i}_of_$N.log" 2>&1
    echo "$(date -u +%FT%TZ) shard $i/$N exit $?" >> "$ROOT/logs/driver.log"
  done
}

for ((w = 0; w < WORKERS; ++w)); do worker "$w" & done
wait

shards=()
for ((i = 0; i < N; ++i)); do
  out="$ROOT/shards/shard_${i}_of_$N.h5"
  if [ ! -f "$out" ] && [ -f "$HERE/shards/shard_${i}_of_$N.h5.gz" ]; then
    gzip -dc "$HERE/shards/shard_${i}_of_$N.h5.gz" > "$out.tmp" && mv "$out.tmp" "$out"
  fi
  [ -f "$out" ] || { echo "shard $i/$N is not built yet; run this script again" >&2; exit 1; }
  shards+=("$out")
done
"$BIN/nas" merge-tables "$ROOT/nb201_fmnist2k.h5" "${shards[@]}" >> "$ROOT/logs/driver.log" 2>&1 &&
  echo "$(date -u +%FT%TZ) merged into $ROOT/nb201_fmnist2k.h5" >> "$ROOT/logs/driver.log"
