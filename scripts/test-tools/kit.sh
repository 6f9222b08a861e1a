#!/usr/bin/env bash
# Installs, idempotently, what the container-kit tests need:
#   apt: shellcheck docker-compose (v1) podman buildah catatonit runc debootstrap
#   (runc: crun cannot create containers on this kind of host: "cgroups in hybrid mode not supported")
#   npm: dclint, dockerfile-utils  -> <repo>/.test-tools/
# Safe to run again: it only installs what is missing. Not root: apt packages are skipped with a note
# (the tests that need them then say so and skip).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/.test-tools"
DCLINT_VERSION=3.1.0
DFUTILS_VERSION=0.16.3

log() { printf '[test-tools/kit] %s\n' "$*"; }

# ---- apt packages --------------------------------------------------------------------------------
# package -> a command it provides (so "is it there?" is a cheap PATH check)
declare -A APT_CMD=(
  [shellcheck]=shellcheck
  [docker-compose]=docker-compose
  [podman]=podman
  [buildah]=buildah
  [catatonit]=catatonit
  [runc]=runc
  [debootstrap]=debootstrap
)
missing=()
for pkg in "${!APT_CMD[@]}"; do
  cmd="${APT_CMD[$pkg]}"
  if ! command -v "$cmd" >/dev/null 2>&1 && ! [ -x "/usr/bin/$cmd" ] && ! [ -x "/usr/sbin/$cmd" ] && ! [ -x "/usr/libexec/podman/$cmd" ]; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "not root: cannot apt-get install ${missing[*]} (tests needing them will skip)"
  elif ! command -v apt-get >/dev/null 2>&1; then
    log "no apt-get: cannot install ${missing[*]} (tests needing them will skip)"
  else
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Update the lists only when a package is not installable from the current ones.
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/kit-apt.log 2>&1; then
      apt-get update -q >/dev/null 2>&1 || true
      apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/kit-apt.log 2>&1 \
        || { log "apt-get install failed (see /tmp/kit-apt.log); tests needing ${missing[*]} will skip"; tail -5 /tmp/kit-apt.log || true; }
    fi
  fi
else
  log "apt tools present"
fi

# ---- npm tools -----------------------------------------------------------------------------------
mkdir -p "$TOOLS"
[ -f "$TOOLS/package.json" ] || printf '{"name":"qms-test-tools","private":true}\n' >"$TOOLS/package.json"
want=()
have_version() { # name version
  local pj="$TOOLS/node_modules/$1/package.json"
  [ -f "$pj" ] && node -e 'process.exit(require(process.argv[1]).version===process.argv[2]?0:1)' "$pj" "$2"
}
have_version dclint "$DCLINT_VERSION" || want+=("dclint@$DCLINT_VERSION")
have_version dockerfile-utils "$DFUTILS_VERSION" || want+=("dockerfile-utils@$DFUTILS_VERSION")
if [ "${#want[@]}" -gt 0 ]; then
  log "npm i ${want[*]} (into .test-tools)"
  npm i --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "${want[@]}" >/dev/null
else
  log "npm tools present"
fi
