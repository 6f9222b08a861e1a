#!/usr/bin/env bash
# Installs the linter (Biome, pinned) into .test-tools/. Kept out of package.json: its per-platform binaries are
# optional dependencies that registry mirrors often lack, which would leave package-lock.json unusable for `npm ci`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/.test-tools"
BIOME_VERSION=2.6.8
if [ -x "$TOOLS/node_modules/.bin/biome" ] && [ "$("$TOOLS/node_modules/.bin/biome" --version 2>/dev/null)" = "Version: $BIOME_VERSION" ]; then
  echo "[test-tools/lint] biome $BIOME_VERSION present"
  exit 0
fi
mkdir -p "$TOOLS"
[ -f "$TOOLS/package.json" ] || printf '{"name":"qms-test-tools","private":true}\n' >"$TOOLS/package.json"
echo "[test-tools/lint] npm i @biomejs/biome@$BIOME_VERSION (into .test-tools)"
npm i --prefix "$TOOLS" --save-exact --no-audit --no-fund --loglevel=error "@biomejs/biome@$BIOME_VERSION" >/dev/null
