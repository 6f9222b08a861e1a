#!/usr/bin/env bash
# Fill docker/prepared/ on the host so docker/Dockerfile builds without reaching the npm registry
# (air-gapped machines, TLS-intercepting proxies). Uses the host's npm and its cache.
#   docker/prepare-offline.sh [--claude-from DIR]   # DIR: an existing node_modules holding @anthropic-ai/claude-code
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/prepared"
claude_from=""
if [ "${1:-}" = "--claude-from" ]; then claude_from="${2:?--claude-from needs a node_modules folder}"; fi
version="$(sed -n 's/^ARG CLAUDE_CODE_VERSION=//p' "$here/Dockerfile")"

# 1. The qms CLI's production dependencies.
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp "$root/package.json" "$root/package-lock.json" "$stage/"
# npm ci when the lock file is in sync; otherwise npm install (same versions where the lock has them).
(cd "$stage" && { npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null 2>&1 \
  || npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null; })
rm -rf "$out/qms-node_modules"
mv "$stage/node_modules" "$out/qms-node_modules"
echo "prepared: qms-node_modules ($(du -sh "$out/qms-node_modules" | cut -f1))"

# 2. Claude Code at the pinned version (copied from an existing install, or installed here).
rm -rf "$out/claude-code"
mkdir -p "$out/claude-code/node_modules/@anthropic-ai" "$out/claude-code/node_modules/.bin"
if [ -n "$claude_from" ] && [ -f "$claude_from/@anthropic-ai/claude-code/package.json" ]; then
  have="$(node -p 'require(process.argv[1]).version' "$claude_from/@anthropic-ai/claude-code/package.json")"
  if [ "$have" != "$version" ]; then
    echo "prepare-offline: $claude_from has Claude Code $have, the Dockerfile pins $version" >&2
    exit 1
  fi
  cp -al "$claude_from/@anthropic-ai/claude-code" "$out/claude-code/node_modules/@anthropic-ai/" 2>/dev/null \
    || cp -a "$claude_from/@anthropic-ai/claude-code" "$out/claude-code/node_modules/@anthropic-ai/"
else
  npm i --prefix "$out/claude-code" --no-audit --no-fund --loglevel=error "@anthropic-ai/claude-code@$version" >/dev/null
fi
ln -sf ../@anthropic-ai/claude-code/bin/claude.exe "$out/claude-code/node_modules/.bin/claude"
"$out/claude-code/node_modules/.bin/claude" --version
echo "prepared: claude-code $version ($(du -sh "$out/claude-code" | cut -f1))"
