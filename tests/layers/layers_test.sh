#!/usr/bin/env bash
# The layers of the C++ code: nothing under nas/ depends on tools/, tests/ or benchmarks/ (neither a BUILD
# dependency nor an #include), and the folders of nas/ (nas/search, nas/experiment, ...) depend on one another
# without a cycle. The graph comes from Bazel (layers.bzl): BUILD deps of every reachable cc rule, and the
# #include lines of their sources. On failure it prints the offending rule or file, or the folders of the cycle.
set -euo pipefail
graph="$1"
[ -s "$graph" ] || { echo "empty folder graph: $graph"; exit 1; }
folder() {  # nas/search/torch -> nas/search; tools/cli -> tools
  case "$1" in nas/*) echo "$1" | cut -d/ -f1-2 ;; *) echo "$1" | cut -d/ -f1 ;; esac
}
fail=0
edges=$(mktemp "${TEST_TMPDIR:-/tmp}/edges.XXXXXX")
# BUILD dependencies.
while read -r kind from to; do
  [ "$kind" = dep ] || continue
  f=$(folder "$from"); t=$(folder "$to")
  case "$f" in nas/*) ;; *) continue ;; esac
  case "$t" in nas/*) [ "$f" = "$t" ] || echo "$f $t" >>"$edges" ;;
    *) echo "BUILD: //$from depends on //$to (nas/ must not depend on $t/)"; fail=1 ;;
  esac
done <"$graph"
# #include lines.
nsrc=0
while read -r kind path; do
  [ "$kind" = src ] || continue
  nsrc=$((nsrc + 1))
  [ -f "$path" ] || { echo "missing source in runfiles: $path"; fail=1; continue; }
  f=$(folder "$(dirname "$path")")
  case "$f" in nas/*) ;; *) continue ;; esac
  while read -r inc; do
    t=$(folder "$(dirname "$inc")")
    case "$t" in nas/*) [ "$f" = "$t" ] || echo "$f $t" >>"$edges" ;;
      tools|tests|benchmarks) echo "$path includes $inc (nas/ must not include $t/)"; fail=1 ;;
    esac
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$path")
done <"$graph"
[ "$nsrc" -gt 100 ] || { echo "only $nsrc sources in the graph: the aspect found too little"; fail=1; }
sort -u "$edges" -o "$edges"
if ! order=$(tsort "$edges" 2>"$edges.err"); then
  echo "the folders of nas/ depend on one another in a cycle:"; cat "$edges.err"; fail=1
elif [ -s "$edges.err" ]; then
  echo "the folders of nas/ depend on one another in a cycle:"; cat "$edges.err"; fail=1
fi
echo "$nsrc sources, $(wc -l <"$edges") folder edges under nas/"
[ "$fail" = 0 ] && echo "layers: no dependency from nas/ on tools/, tests/ or benchmarks/; no folder cycle; order (top first):" && echo "$order" | tr '\n' ' ' && echo
exit $fail
