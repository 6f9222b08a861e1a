#!/bin/sh
# Container entrypoint: hands over to `qms container-entrypoint`, which waits for the host's QMS MCP server
# (QMS_WAIT_SECONDS, total), registers it with Claude Code (both auth headers, only when URL/token changed),
# trusts the project directory, then runs `claude "$@"` - or, with SETUP_ONLY=1, prints
# "Setup complete. Waiting for docker exec..." and waits (attach with: docker exec -it <container> claude).
set -eu
exec qms container-entrypoint -- "$@"
