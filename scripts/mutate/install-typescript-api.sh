#!/usr/bin/env bash
# The TypeScript compiler API for Stryker's type checker (see typescript-api.mjs), pinned, into .stryker-tools/.
# Kept out of package.json: a second `typescript` would clash with the native TypeScript 7 compiler's `tsc`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/.stryker-tools"
TS_API_VERSION=5.9.3
if [ -f "$TOOLS/node_modules/typescript/package.json" ] && grep -q "\"version\": \"$TS_API_VERSION\"" "$TOOLS/node_modules/typescript/package.json"; then
  exit 0
fi
mkdir -p "$TOOLS"
[ -f "$TOOLS/package.json" ] || printf '{"name":"qms-stryker-tools","private":true}\n' >"$TOOLS/package.json"
echo "[mutate] npm i typescript@$TS_API_VERSION (into .stryker-tools, for the Stryker type checker)"
npm i --prefix "$TOOLS" --save-exact --no-audit --no-fund --loglevel=error "typescript@$TS_API_VERSION" >/dev/null
