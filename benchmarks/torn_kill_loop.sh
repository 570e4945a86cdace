#!/bin/bash
# SIGKILLs `nas run CONFIG --flush_every 1 --flush_interval_ms 0 --print_acks` (every episode acknowledged at
# once, by its journal record) at random moments, KILLS times, and counts the logs left, the logs `nas recover`
# refuses (must be 0), those with a damaged run, and the acknowledged episodes missing after `nas recover`
# (must be 0: every run's `nas export` rows are compared with the last `ack` printed for it).
# Usage: benchmarks/torn_kill_loop.sh NAS CONFIG TABLE [KILLS=300] [MAX_DELAY_S=1.5]
set -u
nas=$1 config=$2 table=$3 kills=${4:-300} max_delay=${5:-1.5}
dir=$(mktemp -d)
left=0 refused=0 damaged=0 short=0 acked_total=0
for ((i = 0; i < kills; i++)); do
  rm -f "$dir"/log.h5* "$dir"/acks.txt "$dir"/log.csv
  "$nas" run "$config" --table "$table" --out "$dir/log.h5" --flush_every 1 --flush_interval_ms 0 --quiet \
    --print_acks > "$dir/acks.txt" 2> /dev/null &
  pid=$!
  sleep "$(awk -v s="$RANDOM" -v m="$max_delay" 'BEGIN { srand(s); printf "%.3f", rand() * m }')"
  kill -9 "$pid" 2> /dev/null
  wait "$pid" 2> /dev/null
  [[ -f "$dir/log.h5" ]] || continue
  left=$((left + 1))
  if ! out=$("$nas" recover "$dir/log.h5" 2>&1); then
    refused=$((refused + 1))
    echo "refused: $out"
    continue
  elif [[ "$out" == *"damaged run"* ]]; then
    damaged=$((damaged + 1))
    echo "damaged: $out"
  fi
  # Acknowledged episodes per run (the last ack line of each) against the rows `nas export` gives per run.
  if ! "$nas" export "$dir/log.h5" --csv "$dir/log.csv" > /dev/null 2>&1; then
    echo "export failed after recover"
    refused=$((refused + 1))
    continue
  fi
  missing=$(awk -F'[ ,]' '
    FNR == NR { if ($1 == "ack") { split($2, lr, "/"); want[lr[1] "/" lr[2]] = $3 } next }
    FNR > 1 { have[$1 "/" $3]++ }
    END { m = 0; t = 0; for (k in want) { t += want[k]; if (have[k] < want[k]) m += want[k] - have[k] }
          print m, t }' "$dir/acks.txt" "$dir/log.csv")
  short=$((short + ${missing% *}))
  acked_total=$((acked_total + ${missing#* }))
  [[ "${missing% *}" == 0 ]] || echo "missing acknowledged episodes: ${missing% *} (kill $i)"
done
rm -rf "$dir"
echo "kills $kills, logs left $left, logs refused by nas recover $refused (goal 0), logs with a damaged run $damaged," \
  "acknowledged episodes $acked_total, of them missing after recover $short (goal 0);" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
