#!/bin/bash
# SIGKILLs `nas run CONFIG --flush_every 1 --flush_interval_ms 0` (a commit per episode) at random moments, KILLS
# times, and counts the logs left, the logs `nas recover` refuses (must be 0) and those with a damaged run.
# Usage: benchmarks/torn_kill_loop.sh NAS CONFIG TABLE [KILLS=300] [MAX_DELAY_S=1.5]
set -u
nas=$1 config=$2 table=$3 kills=${4:-300} max_delay=${5:-1.5}
dir=$(mktemp -d)
left=0 refused=0 damaged=0
for ((i = 0; i < kills; i++)); do
  rm -f "$dir"/log.h5*
  "$nas" run "$config" --table "$table" --out "$dir/log.h5" --flush_every 1 --flush_interval_ms 0 --quiet \
    > /dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v s="$RANDOM" -v m="$max_delay" 'BEGIN { srand(s); printf "%.3f", rand() * m }')"
  kill -9 "$pid" 2> /dev/null
  wait "$pid" 2> /dev/null
  [[ -f "$dir/log.h5" ]] || continue
  left=$((left + 1))
  if ! out=$("$nas" recover "$dir/log.h5" 2>&1); then
    refused=$((refused + 1))
    echo "refused: $out"
  elif [[ "$out" == *"damaged run"* ]]; then
    damaged=$((damaged + 1))
    echo "damaged: $out"
  fi
done
rm -rf "$dir"
echo "kills $kills, logs left $left, logs refused by nas recover $refused (goal 0), logs with a damaged run $damaged;" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
