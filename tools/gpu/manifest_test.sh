#!/usr/bin/env bash
# The committed manifest (what the CMake build compiles) must equal the one generated from Bazel's graph.
set -euo pipefail
generated=$1 committed=$2
if ! diff -u "$committed" "$generated"; then
  echo "tools/gpu/nas_torch.manifest is stale: run tools/gpu/update_manifest.sh and commit the result" >&2
  exit 1
fi
echo "manifest up to date: $(grep -c '^src ' "$committed") library sources, $(grep -c '^proto ' "$committed") protos"
