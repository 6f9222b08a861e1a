#!/usr/bin/env bash
# A real container run of the kit (npm run test:container). Host networking only; loopback traffic only.
#  1. podman (+ docker-compose v1, catatonit, debootstrap) from scripts/test-tools/kit.sh; skip with a reason
#     only when podman cannot be had at all.
#  2. Base image without a registry: debootstrap bookworm + the host's node/npm, imported as
#     docker.io/library/node:20-bookworm-slim (cached in podman's store after the first run).
#  3. Our image: docker/prepare-offline.sh, then `podman build --network=none -f docker/Dockerfile .`.
#  4. `qms session up --no-attach -f docker/compose.test.yml` with engine docker-compose (v1) talking to
#     podman's Docker API: the launcher starts the server (bound to 127.0.0.1), mints the token, writes the
#     agent's env file (outside the project), starts the container, waits for the entrypoint's ready line.
#  5. From inside: registration, `claude mcp list` Connected, /workspace/QMS read-only, own workspace
#     writable, `qms doctor --from-container`, a document created through MCP (via `qms proxy`) appears on
#     the host with an audit line naming the agent's QMS user; a symlink planted in the workspace from inside
#     cannot make the host reveal a file; no agent's token is readable from inside.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE_IMAGE=docker.io/library/node:20-bookworm-slim
# what the offline base holds besides node/npm; the build installs nothing from the network, so the
# Dockerfile's APT_PACKAGES must all be here (a cached base from an older list is rebuilt)
BASE_PACKAGES=ca-certificates,git,tmux
IMAGE=qms-agent:test
T0=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1fs", b - a }'; }
log() { printf '[test-container] %s\n' "$*"; }
fail() { log "FAIL: $*"; exit 1; }

if ! command -v podman >/dev/null 2>&1; then
  bash "$ROOT/scripts/test-tools/kit.sh" || true
fi
if ! command -v podman >/dev/null 2>&1; then
  log "SKIP: podman is not installed and could not be installed (needs root and Debian apt); no container test run."
  exit 0
fi
for tool in docker-compose debootstrap catatonit docker; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || fail "$tool is missing (scripts/test-tools/kit.sh installs it; docker is the client only)"
done
[ -f "$ROOT/dist/bundle/launch.cjs" ] || (cd "$ROOT" && npm run build >/dev/null)

W="$(mktemp -d /tmp/qms-container-test.XXXXXX)"
SERVICE_PID=""
cleanup() {
  set +e
  if [ -n "${PROJ:-}" ] && [ -d "$PROJ" ]; then
    (cd "$PROJ" && env "${ENGINE_ENV[@]}" node "$ROOT/bin/qms.js" session down -f docker/compose.test.yml >/dev/null 2>&1)
  fi
  podman volume rm -f docker_claude-config >/dev/null 2>&1
  if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null; wait "$SERVICE_PID" 2>/dev/null; fi
  rm -rf "$W" "$ROOT/docker/prepared/qms-node_modules" "$ROOT/docker/prepared/claude-code"
}
trap cleanup EXIT

# Every podman run here needs these limits (the sandbox lacks CAP_SYS_RESOURCE).
# crun refuses hybrid cgroup hosts ("cgroups in hybrid mode not supported"); runc works.
{
  printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n'
  if command -v runc >/dev/null 2>&1; then printf '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'; fi
} >"$W/containers.conf"
export CONTAINERS_CONF="$W/containers.conf"

# ---- 2. base image ----------------------------------------------------------------------------------------
t=$(date +%s.%N)
if podman image exists "$BASE_IMAGE" && [ "$(podman image inspect -f '{{ index .Labels "qms.base-packages" }}' "$BASE_IMAGE" 2>/dev/null)" != "$BASE_PACKAGES" ]; then
  log "cached base image lacks some of $BASE_PACKAGES: rebuilding it"
  podman rmi -f "$BASE_IMAGE" >/dev/null 2>&1 || true
fi
if podman image exists "$BASE_IMAGE"; then
  log "base image $BASE_IMAGE present (cached)"
else
  mirror="$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)"
  [ -n "$mirror" ] || mirror="$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)"
  [ -n "$mirror" ] || fail "no Debian mirror found in /etc/apt/sources.list(.d)"
  log "debootstrap bookworm from $mirror"
  debootstrap --variant=minbase --include="$BASE_PACKAGES" bookworm "$W/rootfs" "$mirror" >"$W/debootstrap.log" 2>&1 || { tail -20 "$W/debootstrap.log"; fail "debootstrap"; }
  cp "$(command -v node)" "$W/rootfs/usr/local/bin/node"
  npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  mkdir -p "$W/rootfs/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$W/rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$W/rootfs/usr/local/bin/npm"
  echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$W/rootfs/etc/passwd"
  echo 'node:x:1000:' >>"$W/rootfs/etc/group"
  mkdir -p "$W/rootfs/home/node" && chown 1000:1000 "$W/rootfs/home/node"
  rm -rf "$W/rootfs/var/cache/apt/archives/"*.deb
  tar -C "$W/rootfs" -c . | podman import --change 'CMD ["node"]' --change "LABEL qms.base-packages=$BASE_PACKAGES" - "$BASE_IMAGE" >/dev/null
  rm -rf "$W/rootfs"
fi
BASE_TIME=$(since "$t")
log "base image ready ($BASE_TIME)"

# ---- 3. our image --------------------------------------------------------------------------------------------
t=$(date +%s.%N)
claude_from="$ROOT/.test-tools/node_modules"
if [ -f "$claude_from/@anthropic-ai/claude-code/package.json" ]; then
  bash "$ROOT/docker/prepare-offline.sh" --claude-from "$claude_from" >"$W/prepare.log" 2>&1 || { cat "$W/prepare.log"; fail "prepare-offline"; }
else
  bash "$ROOT/docker/prepare-offline.sh" >"$W/prepare.log" 2>&1 || { cat "$W/prepare.log"; fail "prepare-offline"; }
fi
PREP_TIME=$(since "$t")
t=$(date +%s.%N)
podman build --pull=never --network=none -f "$ROOT/docker/Dockerfile" -t "$IMAGE" "$ROOT" >"$W/build.log" 2>&1 || { tail -30 "$W/build.log"; fail "podman build"; }
BUILD_TIME=$(since "$t")
log "image $IMAGE built offline ($BUILD_TIME; prepare $PREP_TIME): $(podman image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%.0f MB", $1/1e6 }')"

# ---- 4. the launcher, for real ---------------------------------------------------------------------------
podman system service --time=0 "unix://$W/podman.sock" >"$W/podman-service.log" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 50); do [ -S "$W/podman.sock" ] && break; sleep 0.1; done
[ -S "$W/podman.sock" ] || fail "podman system service did not start"

PROJ="$W/project"
mkdir -p "$PROJ"
node "$ROOT/bin/qms.js" init --root "$PROJ" --yes >/dev/null
cp -a "$ROOT/docker" "$PROJ/docker"
rm -rf "$PROJ/docker/prepared" "$PROJ/docker/.env"
PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
ENGINE_ENV=(
  "DOCKER_HOST=unix://$W/podman.sock"
  "QMS_CONTAINER_ENGINE=docker-compose"
  "QMS_TOKEN_STORE=$W/tokens.json"
  "QMS_IMAGE=$IMAGE"
  "COMPOSE_PROJECT_NAME=docker"
  "QMS_STATE_DIR=$W/state"
)
echo "QMS_IMAGE=$IMAGE" >"$PROJ/docker/.env"
t=$(date +%s.%N)
(cd "$PROJ" && env "${ENGINE_ENV[@]}" node "$ROOT/bin/qms.js" session up --no-attach --bind 127.0.0.1 --port "$PORT" \
  -f docker/compose.test.yml --ready-timeout 90) | tee "$W/up.log" || { tail -40 "$W/state/run/server.log" 2>/dev/null; fail "qms session up"; }
UP_TIME=$(since "$t")
CID="$(env "${ENGINE_ENV[@]}" docker-compose -f "$PROJ/docker/docker-compose.yml" -f "$PROJ/docker/compose.test.yml" -p docker ps -q claude-agent | tail -1)"
[ -n "$CID" ] || fail "no container"
ex() { podman exec -e CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 -e DISABLE_TELEMETRY=1 "$CID" "$@"; }
checks=0
ok() { checks=$((checks + 1)); log "ok $checks - $*"; }

# 5a. the entrypoint registered the server (user scope, both headers), and trusted /workspace
podman logs "$CID" >"$W/container.log" 2>&1 || true
# (grep -q on a pipe would end the writer early: with pipefail that reads as a failure, so grep a file)
grep -q "registered 'qms' at user scope" "$W/container.log" || { podman logs "$CID"; fail "no registration in the entrypoint log"; }
ex node -e 'const c=require("/claude-config/.claude.json"); const s=c.mcpServers.qms; if(!s||!s.headers["X-API-Key"]||!/^Bearer /.test(s.headers.Authorization)||c.projects["/workspace"].hasTrustDialogAccepted!==true) process.exit(1)' \
  || fail "user-scope registration / trust missing in /claude-config/.claude.json"
ok "entrypoint registered qms at user scope with both headers and trusted /workspace"
[ "$(ex id -u)" = 1000 ] || fail "container user is not uid 1000"
ok "runs as uid 1000 (non-root)"

# 5b. claude mcp list: Connected (the project's .mcp.json overlay, enabled by the settings overlay)
list="$(ex claude mcp list 2>&1)" || true
printf '%s\n' "$list" | sed 's/^/    | /'
printf '%s\n' "$list" | grep -q "qms: .* - ✔ Connected" || fail "claude mcp list does not show qms Connected"
ok "claude mcp list inside the container: qms ✔ Connected"

# 5c. the project is read-only; the agent's workspace is writable
if err="$(ex sh -c 'echo x > /workspace/QMS/intruder.md' 2>&1)"; then fail "writing under /workspace/QMS succeeded"; fi
printf '%s\n' "$err" | grep -qi "read-only" || fail "unexpected error writing /workspace/QMS: $err"
[ ! -e "$PROJ/QMS/intruder.md" ] || fail "file appeared on the host"
ok "writing under /workspace/QMS fails: $err"
ex sh -c 'echo draft > /workspace/.claude/users/claude/workspace/probe.md' || fail "the agent's workspace is not writable"
[ -f "$PROJ/.claude/users/claude/workspace/probe.md" ] || fail "workspace write did not reach the host"
ok "the agent's own workspace is writable and shared with the host"

# 5d. doctor from inside
ex qms doctor --from-container >"$W/doctor.log" 2>&1 || { cat "$W/doctor.log"; fail "qms doctor --from-container"; }
ok "qms doctor --from-container: $(tail -1 "$W/doctor.log")"

# 5e. a document created through MCP from inside (over the stdio proxy) appears on the host, audited as the agent
out="$(printf '%s\n' \
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"container-test","version":"1"}}}' \
  '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
  '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"qms_create","arguments":{"doc_type":"SOP","title":"Created from the container"}}}' \
  | podman exec -i "$CID" sh -c 'qms proxy "$QMS_MCP_URL"')"
printf '%s\n' "$out" | grep '"id":2' | grep -q '"isError":true' && fail "qms_create failed: $out"
doc="$(find "$PROJ/QMS" -name 'SOP-*.md' -newer "$W/up.log" | head -1)"
[ -n "$doc" ] || fail "no SOP document on the host after qms_create: $out"
id="$(basename "$doc" .md)"; id="${id%%-draft}"
auditf="$(find "$PROJ/QMS/.audit" -name "${id}*.jsonl" | head -1)"
if [ -z "$auditf" ] || ! grep -q '"user": *"claude"' "$auditf"; then fail "no audit line naming user claude for $id ($auditf)"; fi
ok "qms_create through MCP from inside: $(realpath --relative-to="$PROJ" "$doc") on the host, audit: $(head -c 160 "$auditf")"

# 5f. issue 13: a symlink planted in the workspace from inside cannot make the host server reveal a host file
mcp_in() { # one tools/call through the stdio proxy, from inside the container
  printf '%s\n' \
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"container-test","version":"1"}}}' \
    '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"$1\",\"arguments\":$2}}" \
    | podman exec -i "$CID" sh -c 'qms proxy "$QMS_MCP_URL"'
}
ex ln -sf /etc/passwd "/workspace/.claude/users/claude/workspace/$id.md" || fail "could not plant a symlink in the workspace"
checkin="$(mcp_in qms_checkin "{\"doc_id\":\"$id\"}")"
printf '%s\n' "$checkin" | grep '"id":2' | grep -q 'symbolic link' || fail "checkin of a symlinked workspace copy was not refused: $checkin"
draft="$(mcp_in qms_read "{\"doc_id\":\"$id\",\"draft\":true}")"
if printf '%s\n%s\n' "$checkin" "$draft" | grep -q 'root:x\?:0:0'; then fail "the host's /etc/passwd reached the agent"; fi
if grep -rq 'root:x\?:0:0' "$PROJ/QMS"; then fail "the host's /etc/passwd was copied into the QMS"; fi
ok "a symlink to /etc/passwd planted from inside: qms_checkin refused it, nothing of the host file reached the agent or the QMS"

# 5g. issue 13: no agent's token can be read from inside (tokens and run files live outside the project)
QA_TOKEN="$(cd "$PROJ" && env "${ENGINE_ENV[@]}" node "$ROOT/bin/qms.js" token create --user qa --label qa-container 2>/dev/null | head -1)"
OWN_TOKEN="$(sed -n 's/^QMS_TOKEN=//p' "$W/state/agents/claude.env")"
if [ -z "$QA_TOKEN" ] || [ -z "$OWN_TOKEN" ]; then fail "could not mint the second agent's token / read the first"; fi
for tok in "$QA_TOKEN" "$OWN_TOKEN"; do
  if ex sh -c "grep -rqsF '$tok' /workspace /home /tmp"; then fail "an agent token is readable inside the container's files"; fi
done
ex sh -c 'test ! -e /workspace/.qms/run && ! grep -qs "^QMS_TOKEN=." /workspace/docker/.env' || fail "run files or a token env file are visible under /workspace"
ok "neither another agent's token nor the server's run files are readable from inside (only the agent's own env var)"

# 5h. proxy mode: the same container kit with Claude Code running `qms proxy` over stdio
(cd "$PROJ" && env "${ENGINE_ENV[@]}" node "$ROOT/bin/qms.js" session up --no-attach --mode proxy \
  -f docker/compose.test.yml --ready-timeout 90) >"$W/up-proxy.log" || { cat "$W/up-proxy.log"; fail "qms session up --mode proxy"; }
CID="$(env "${ENGINE_ENV[@]}" docker-compose -f "$PROJ/docker/docker-compose.yml" -f "$PROJ/docker/compose.test.yml" -p docker ps -q claude-agent | tail -1)"
podman logs "$CID" >"$W/container.log" 2>&1 || true
grep -q "re-registering" "$W/container.log" || { podman logs "$CID"; fail "the mode change did not re-register"; }
list="$(ex claude mcp list 2>&1)" || true
printf '%s\n' "$list" | sed 's/^/    | /'
printf '%s\n' "$list" | grep -q "qms: qms proxy .* - ✔ Connected" || fail "proxy mode: claude mcp list does not show qms Connected"
ok "proxy mode (QMS_MCP_MODE=proxy): re-registered, claude mcp list: qms proxy ✔ Connected"

TOTAL=$(since "$T0")
log "container test: all $checks checks passed. Times: base image $BASE_TIME, prepare $PREP_TIME, image build $BUILD_TIME, session up $UP_TIME, total $TOTAL"
