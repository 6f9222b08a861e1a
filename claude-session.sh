#!/usr/bin/env bash
# Start a Claude Code session in the agent container, connected to the QMS MCP server on this host.
# A thin wrapper over `qms session up` (run it from your QMS project, or pass --project-root DIR):
#   ./claude-session.sh [--agent USER] [--rebuild] [--keep] [--port N] [--mode http|proxy] ...
# Stop everything with `qms session down`; reset Claude Code's login with `qms session reset`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -f "$here/dist/src/cli/main.js" ]; then
  echo "claude-session.sh: the qms CLI is not built yet; run: (cd \"$here\" && npm install && npm run build)" >&2
  exit 1
fi
exec node "$here/bin/qms.js" session up "$@"
