#!/usr/bin/env bash
# Every file README.md's example commands write into the repository root (import outputs, --out, --csv,
# --plot) is ignored by .gitignore, so following the README leaves `git status` clean.
set -euo pipefail
root=$(pwd)
outs=$( (grep -oE -- '(--out|--csv|--plot) [^ |]+\.(h5|csv|svg|png)' README.md | awk '{print $2}' || true;
         grep -E '^\$N import ' README.md | sed 's/#.*//' | awk '{print $NF}' || true) | sort -u)
[ -n "$outs" ] || { echo "found no example outputs in README.md"; exit 1; }
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/gitignore.XXXXXX")
cp "$root/.gitignore" "$tmp/"
cd "$tmp"
git init -q .
fail=0
for f in $outs; do
  case "$f" in /*|../*) continue ;; esac
  if git check-ignore -q --no-index "$f"; then echo "ignored: $f"; else echo "NOT ignored: $f"; fail=1; fi
done
exit $fail
