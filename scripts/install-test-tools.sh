#!/usr/bin/env bash
# Install what the test suite needs beyond package.json (Claude Code CLI, MCP inspector and conformance suite,
# shellcheck, docker-compose v1, podman, linters). Idempotent: each part checks before it installs.
set -euo pipefail
cd "$(dirname "$0")/.."
for part in scripts/test-tools/*.sh; do
  [ -f "$part" ] || continue
  bash "$part"
done
