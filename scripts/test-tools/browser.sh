#!/usr/bin/env bash
# Installs, idempotently, the browser the web-view tests drive: Debian's Chromium at /usr/bin/chromium
# (playwright-core drives it; no browser is ever downloaded through Playwright). Not root or no apt-get:
# a note, and the browser tests skip.
set -euo pipefail

log() { printf '[test-tools/browser] %s\n' "$*"; }

if [ -x /usr/bin/chromium ]; then
  log "chromium present ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  log "not root: cannot apt-get install chromium (the browser tests will skip)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  log "no apt-get: cannot install chromium (the browser tests will skip)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
log "apt-get install chromium"
# Update the package lists only when chromium is not installable from the current ones.
if ! apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >/tmp/browser-apt.log 2>&1; then
  apt-get update -q >/dev/null 2>&1 || true
  apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >/tmp/browser-apt.log 2>&1 \
    || { log "apt-get install failed (see /tmp/browser-apt.log); the browser tests will skip"; tail -5 /tmp/browser-apt.log || true; }
fi
[ -x /usr/bin/chromium ] && log "installed: $(/usr/bin/chromium --version 2>/dev/null || true)"
exit 0
