import * as fs from "node:fs";
import * as path from "node:path";
import { claudeJsonPath, type Json, loadClaudeJson, projectEnables, userServer } from "./claude-config.js";
import { type DoctorFacts, readJson } from "./doctor-facts.js";
import { SERVER_NAME } from "./entrypoint.js";
import { type HealthProbe, probeHealth, resolveHost } from "./http.js";
import { usesHostNetwork } from "./kit.js";
import { listeningAddresses, onlyLoopback } from "./listening.js";
import { probeMcp } from "./mcp-probe.js";
import { isLoopbackHost } from "../core/net.js";

/** A broken link of the chain: a finding code (stable, tests and docs name it), what is wrong, and the fix. */
export class Broken {
  constructor(
    readonly code: string,
    readonly message: string,
    readonly fix: string,
  ) {}
}

/** One link of the chain from Claude Code to the server: its detail line when it works, else what broke. */
export interface Check<F = DoctorFacts> {
  id: string;
  applies(f: F): boolean;
  run(f: F): Promise<string | Broken>;
}

const always = (): boolean => true;

function healthError(p: HealthProbe): string {
  return p.error ? `${p.error.code}: ${p.error.message}` : `HTTP ${p.status}`;
}

const NO_HOST_GATEWAY_FIX =
  'Give the container a host entry: compose `extra_hosts: ["host.docker.internal:host-gateway"]` (kept in docker/docker-compose.yml), or `docker run --add-host host.docker.internal:host-gateway`. host-gateway needs Docker 20.10+ (Podman 5.3+); otherwise map it to the host\'s bridge address.';

const serverHealth: Check = {
  id: "server health",
  applies: always,
  async run(f) {
    const hostname = f.url.hostname;
    if (f.mode === "container" && !isLoopbackHost(hostname)) {
      const r = await resolveHost(hostname);
      if (r.error) return new Broken("no-host-gateway", `${hostname} does not resolve inside this container (${r.error.code}), so the host's server cannot be reached.`, NO_HOST_GATEWAY_FIX);
    }
    const p = await probeHealth(f.health, 3000);
    if (p.ok) return `${f.health} answered (${p.body?.name} ${p.body?.version ?? ""}, project ${p.body?.project ?? "?"})`;
    if (p.status !== undefined) {
      return new Broken(
        "port-foreign",
        `Something else answers on ${f.url.host}: GET /healthz gave HTTP ${p.status}, not the QMS server.`,
        `Stop the program holding port ${f.port} or run the server on another port (qms session up --port N) and update QMS_MCP_URL in docker/.env.`,
      );
    }
    const boundLoopback = f.serverHost !== undefined && isLoopbackHost(f.serverHost);
    if (f.mode === "container" && boundLoopback && !isLoopbackHost(hostname)) {
      return new Broken(
        "bound-loopback",
        `Nothing answers at ${f.health} (${healthError(p)}): the server was started bound to ${f.serverHost} on the host, which a container on Docker's network cannot reach.`,
        "On the host: `qms session down && qms session up` (binds 0.0.0.0 with token auth), or restart `qms mcp --transport streamable-http --host 0.0.0.0 ...`.",
      );
    }
    return new Broken(
      "server-down",
      `The QMS MCP server is not answering at ${f.health} (${healthError(p)}).`,
      f.mode === "container"
        ? `On the host, start it: \`qms session up\`, or \`qms mcp --transport streamable-http --host 0.0.0.0 --port ${f.port} --project-root <project>\`. If it is running, it may be bound to 127.0.0.1 only (a container cannot reach that): bind 0.0.0.0.`
        : `Start it: \`qms session up\`, or \`qms mcp --transport streamable-http --host 0.0.0.0 --port ${f.port} --project-root ${f.projectDir}\`.`,
    );
  },
};

const bindAddress: Check = {
  id: "bind address",
  applies: (f) => f.mode === "host",
  async run(f) {
    const addrs = listeningAddresses(f.port);
    if (addrs === undefined) return "cannot read /proc/net/tcp here; skipped";
    if (addrs.length === 0) return `no listening socket found for port ${f.port} in /proc/net; skipped`;
    if (onlyLoopback(addrs) && f.containerNetwork === "bridge") {
      return new Broken(
        "bound-loopback",
        `The server listens on ${addrs.join(", ")} port ${f.port} only, but the agent container reaches the host through host-gateway (Docker's bridge), not loopback: its connections will be refused.`,
        "Restart it bound to all interfaces with token auth: `qms session down && qms session up`, or `qms mcp --transport streamable-http --host 0.0.0.0 ...`. (Host networking, as in docker/compose.test.yml, is the exception: then pass --container-network host.)",
      );
    }
    return `listening on ${addrs.join(", ")}:${f.port} (fine for a ${f.containerNetwork}-network container)`;
  },
};

const hostGateway: Check = {
  id: "host-gateway",
  applies: always,
  async run(f) {
    const hostname = f.url.hostname;
    if (f.mode === "container") {
      if (isLoopbackHost(hostname)) return `${hostname} is loopback (host networking)`;
      return `${hostname} resolves to ${(await resolveHost(hostname)).address}`;
    }
    const text = f.composeText ?? "";
    if (usesHostNetwork(text) || /host\.docker\.internal:\s*\$\{QMS_HOST_GATEWAY:-host-gateway\}|host\.docker\.internal:host-gateway/.test(text)) {
      return "docker-compose.yml maps host.docker.internal to host-gateway";
    }
    return new Broken(
      "no-host-gateway",
      `${f.kitDir ?? "docker"}/docker-compose.yml has no extra_hosts entry for host.docker.internal: on Linux the container cannot resolve it.`,
      'Add to the service: extra_hosts: ["host.docker.internal:host-gateway"].',
    );
  },
};

/** The message of a JSON error body (`{"message": ...}` or `{"error": ...}`), else the text itself. */
function errorBodyMessage(text: string): string {
  try {
    const body = JSON.parse(text) as Json;
    return String(body.message ?? body.error ?? text);
  } catch {
    return text;
  }
}

const token: Check = {
  id: "token",
  applies: always,
  async run(f) {
    if (!f.token) {
      return new Broken(
        "token-missing",
        f.mode === "container" ? "QMS_TOKEN is not set in this container." : "docker/.env has no QMS_TOKEN.",
        "On the host: `qms session up` (mints a token and writes docker/.env), or `qms token create --user <agent>` and put QMS_TOKEN=<token> in docker/.env; then recreate the container.",
      );
    }
    const initialize = (await probeMcp(f.endpoint, f.token)).posts[0];
    if (initialize?.status === undefined) {
      const e = initialize?.noAnswer ?? { code: "ETIMEDOUT", message: "timed out" };
      return new Broken("server-down", `POST ${f.endpoint} failed: ${e.code} ${e.message}`, "Check the server (see the first check).");
    }
    if (initialize.status === 401) {
      return new Broken(
        "token-rejected",
        `The server rejected the token (HTTP 401: ${errorBodyMessage(initialize.errorText ?? "").slice(0, 200)}). It was revoked, belongs to another project or token store, or was mistyped.`,
        "On the host: `qms session up` (replaces an invalid docker/.env token), or `qms token create --user <agent>`, update QMS_TOKEN in docker/.env and recreate the container.",
      );
    }
    if (initialize.status === 403) {
      return new Broken("forbidden", `The server refused the request (HTTP 403: ${(initialize.errorText ?? "").slice(0, 200)}).`, "Check --allowed-host on the server for the Host/Origin you use.");
    }
    return `accepted (HTTP ${initialize.status})`;
  },
};

/** The Claude Code side: the user-scope registration, its token, the project's enablement and trust. */
const claudeConfig: Check = {
  id: "Claude Code config",
  applies: (f) => f.checkClaudeConfig,
  async run(f) {
    const file = claudeJsonPath(f.claudeEnv);
    if (!fs.existsSync(file)) {
      return new Broken("not-registered", `${file} does not exist: the entrypoint has not run.`, "Recreate the container (its entrypoint registers the server), or run `qms container-entrypoint` with SETUP_ONLY=1.");
    }
    const copy = `${file}.doctor-read`;
    fs.copyFileSync(file, copy);
    const loaded = loadClaudeJson(copy);
    fs.rmSync(copy, { force: true });
    if (loaded.corruptBackup) {
      fs.rmSync(loaded.corruptBackup, { force: true });
      return new Broken("config-corrupt", `${file} is not valid JSON.`, "Restart the container: the entrypoint moves it aside and starts a fresh one.");
    }
    const reg = userServer(loaded.data, SERVER_NAME);
    if (!reg) {
      return new Broken("not-registered", `No user-scope '${SERVER_NAME}' server in ${file}.`, "Restart the container (the entrypoint registers it), or run `qms container-entrypoint` with SETUP_ONLY=1.");
    }
    const headers = (reg.headers ?? {}) as Record<string, string>;
    const regToken = String(headers.Authorization ?? "").replace(/^Bearer\s+/i, "") || (reg.env as Record<string, string> | undefined)?.QMS_TOKEN;
    if (f.token && regToken && regToken !== f.token) {
      return new Broken("registration-stale", `The user-scope '${SERVER_NAME}' entry carries a different token than QMS_TOKEN.`, "Restart the container: the entrypoint re-registers when the token changes.");
    }
    const enabled = projectEnables(f.projectDir, SERVER_NAME);
    if (!enabled.enabled) {
      return new Broken(
        "not-enabled",
        `The project server '${SERVER_NAME}' is not enabled in settings: ${enabled.reason}. Claude Code keeps it "Pending approval".`,
        `Mount docker/claude-settings.json as ${path.join(f.projectDir, ".claude", "settings.local.json")} (docker-compose.yml does), or add {"enabledMcpjsonServers": ["${SERVER_NAME}"]} to it.`,
      );
    }
    const projects = (loaded.data.projects ?? {}) as Record<string, Json>;
    if (projects[f.projectDir]?.hasTrustDialogAccepted !== true) {
      return new Broken(
        "not-trusted",
        `The project ${f.projectDir} is not trusted in ${file} (hasTrustDialogAccepted), so its .mcp.json servers stay "Pending approval".`,
        "Run `qms container-entrypoint` (it marks the project trusted) or start `claude` once in that directory and accept the trust dialog.",
      );
    }
    return `'${SERVER_NAME}' registered at user scope, enabled (${enabled.reason}), project trusted`;
  },
};

/** Host mode without a Claude Code config to look at: the kit's settings file the container mounts. */
const kitSettings: Check = {
  id: "kit settings",
  applies: (f) => !f.checkClaudeConfig,
  async run(f) {
    const kit = f.kitDir ?? path.join(f.projectDir, "docker");
    const settings = readJson(path.join(kit, "claude-settings.json"));
    const list = settings?.enabledMcpjsonServers;
    if (!(Array.isArray(list) && list.includes(SERVER_NAME)) && settings?.enableAllProjectMcpServers !== true) {
      return new Broken(
        "not-enabled",
        `${path.join(kit, "claude-settings.json")} does not enable '${SERVER_NAME}' (enabledMcpjsonServers), so Claude Code in the container keeps it "Pending approval".`,
        `Put "enabledMcpjsonServers": ["${SERVER_NAME}"] in docker/claude-settings.json.`,
      );
    }
    return `docker/claude-settings.json enables '${SERVER_NAME}'`;
  },
};

/** A real session through the MCP SDK client: initialize, the initialized notification, tools/list. */
const handshake: Check = {
  id: "MCP handshake",
  applies: always,
  async run(f) {
    const p = await probeMcp(f.endpoint, f.token, { listTools: true });
    if (p.failed) return new Broken("handshake-failed", `${p.failed.step} failed (HTTP ${p.failed.http}): ${p.failed.detail.slice(0, 200)}`, "See the server log (qms session status shows where it is).");
    return `initialize + tools/list: ${p.toolCount} tools (protocol ${p.protocolVersion})`;
  },
};

/** The chain, in the order a connection walks it; the doctor stops at the first broken link. */
export const CHECKS: readonly Check[] = [serverHealth, bindAddress, hostGateway, token, claudeConfig, kitSettings, handshake];
