#!/usr/bin/env bash
# Bazel --workspace_status_command: the commit a binary was built from (embedded into `nas` for provenance).
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit-dirty"; fi
echo "STABLE_GIT_COMMIT $commit"
