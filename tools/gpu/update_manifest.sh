#!/usr/bin/env bash
# Regenerates tools/gpu/nas_torch.manifest from Bazel's graph (//tools/gpu:manifest) and prints what changed.
set -euo pipefail
cd "$(dirname "$0")/../.."
bazel build //tools/gpu:manifest >/dev/null
cp -f bazel-bin/tools/gpu/manifest_from_bazel.txt tools/gpu/nas_torch.manifest
chmod 644 tools/gpu/nas_torch.manifest
git --no-pager diff --stat -- tools/gpu/nas_torch.manifest || true
