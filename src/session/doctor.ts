import * as fs from "node:fs";
import * as path from "node:path";
import { claudeJsonPath, type Json, loadClaudeJson, projectEnables, userServer } from "./claude-config.js";
import { readEnvFile } from "./compose.js";
import { DEFAULT_MCP_URL, SERVER_NAME } from "./entrypoint.js";
import { authHeaders, healthUrlFor, type HealthProbe, postJsonRpc, probeHealth, resolveHost } from "./http.js";
import { packagePath } from "../store/package-root.js";
import { agentEnvFile, runDir } from "../store/state-dir.js";

export interface DoctorOptions {
  fromContainer: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  projectRoot?: string;
  url?: string;
  token?: string;
  /** Host mode: how the agent's container reaches the host (bridge = Docker's default network). */
  containerNetwork?: "bridge" | "host";
  /** Host mode: also check a Claude Code config dir (container mode uses CLAUDE_CONFIG_DIR). */
  configDir?: string;
  out?: NodeJS.WritableStream;
}

export interface Finding {
  check: string;
  ok: boolean;
  code?: string;
  message: string;
  fix?: string;
}

class Broken extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith("127.");
}

interface Env {
  url: string;
  token: string;
  projectDir: string;
  serverInfo?: { host?: string; port?: number };
  composeText?: string;
  kitDir?: string;
}

function findRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, "qms.config.json")) || fs.existsSync(path.join(dir, "QMS"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function readJson(file: string): Json | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Json;
  } catch {
    return undefined;
  }
}

function gather(o: DoctorOptions): Env {
  if (o.fromContainer) {
    const projectDir = path.resolve(o.projectRoot ?? o.env.QMS_PROJECT_DIR?.trim() ?? o.cwd);
    return {
      url: (o.url ?? o.env.QMS_MCP_URL?.trim() ?? DEFAULT_MCP_URL) || DEFAULT_MCP_URL,
      token: o.token ?? o.env.QMS_TOKEN?.trim() ?? "",
      projectDir,
      // The launcher tells the container where it bound the server (its run files stay outside the mount).
      serverInfo: o.env.QMS_SERVER_HOST?.trim() ? { host: o.env.QMS_SERVER_HOST.trim() } : undefined,
    };
  }
  const root = path.resolve(o.projectRoot ?? o.env.QMS_PROJECT_ROOT?.trim() ?? findRoot(o.cwd) ?? o.cwd);
  const own = path.join(root, "docker");
  const kitDir = o.env.QMS_KIT_DIR?.trim() || (fs.existsSync(path.join(own, "docker-compose.yml")) ? own : packagePath("docker"));
  const dotenv = { ...readEnvFile(path.join(kitDir, ".env")), ...readEnvFile(agentEnvFile(root, o.env.QMS_USER?.trim() || "claude", o.env)) };
  // On the host, the container's URL (host.docker.internal) is reached through loopback.
  const containerUrl = o.url ?? dotenv.QMS_MCP_URL ?? "http://host.docker.internal:8000/mcp";
  const u = new URL(containerUrl);
  if (u.hostname === "host.docker.internal") u.hostname = "127.0.0.1";
  let composeText = "";
  for (const f of ["docker-compose.yml"]) {
    try {
      composeText += fs.readFileSync(path.join(kitDir, f), "utf8");
    } catch {
      /* none */
    }
  }
  return {
    url: u.toString(),
    token: o.token ?? dotenv.QMS_TOKEN ?? o.env.QMS_TOKEN?.trim() ?? "",
    projectDir: root,
    serverInfo: readJson(path.join(runDir(root, o.env), "server.json")) as Env["serverInfo"],
    composeText,
    kitDir,
  };
}

/** LISTEN sockets on `port` from /proc/net/tcp{,6}: their local addresses, or undefined when /proc is not there. */
export function listeningAddresses(port: number, procDir = "/proc/net"): string[] | undefined {
  const out: string[] = [];
  let any = false;
  for (const [file, v6] of [
    ["tcp", false],
    ["tcp6", true],
  ] as const) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(procDir, file), "utf8");
      any = true;
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== "0A") continue;
      const [hex, p] = (cols[1] ?? "").split(":");
      if (parseInt(p ?? "", 16) !== port || !hex) continue;
      out.push(v6 ? decodeV6(hex) : decodeV4(hex));
    }
  }
  return any ? out : undefined;
}

function decodeV4(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join(".");
}

function decodeV6(hex: string): string {
  if (/^0{32}$/.test(hex)) return "::";
  if (hex === "00000000000000000000000001000000") return "::1";
  if (hex.startsWith("0000000000000000FFFF0000")) return decodeV4(hex.slice(24));
  return hex.toLowerCase();
}

function healthError(p: HealthProbe): string {
  return p.error ? `${p.error.code}: ${p.error.message}` : `HTTP ${p.status}`;
}

export async function runDoctor(o: DoctorOptions): Promise<{ ok: boolean; findings: Finding[] }> {
  const out = o.out ?? process.stdout;
  const e = gather(o);
  const findings: Finding[] = [];
  const where = o.fromContainer ? "from the container" : "on the host";
  out.write(`qms doctor (${where}): checking ${e.url}\n`);
  for (const file of tokenFilesInProject(e.projectDir, e.kitDir)) {
    const rel = path.relative(e.projectDir, file) || file;
    const finding: Finding = {
      check: "secrets",
      ok: true,
      code: "token-in-project",
      message: `${rel} holds an MCP token inside the project, which every agent container can read (so one agent could act as another).`,
      fix: `Delete it: \`qms session up\` keeps each agent's token in ${path.dirname(agentEnvFile(e.projectDir, "x", o.env))}/ (outside the project), and revoke the token (qms token list / qms token revoke).`,
    };
    findings.push(finding);
    out.write(`  ! warning [${finding.code}]: ${finding.message}\n    Fix: ${finding.fix}\n`);
  }
  const checks: Array<[string, () => Promise<string>]> = [];
  const u = new URL(e.url);
  const health = healthUrlFor(e.url);
  const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));

  checks.push([
    "server health",
    async () => {
      if (o.fromContainer && !isLoopback(u.hostname)) {
        const r = await resolveHost(u.hostname);
        if (r.error) {
          throw new Broken(
            "no-host-gateway",
            `${u.hostname} does not resolve inside this container (${r.error.code}), so the host's server cannot be reached.`,
            `Give the container a host entry: compose \`extra_hosts: ["host.docker.internal:host-gateway"]\` (kept in docker/docker-compose.yml), or \`docker run --add-host host.docker.internal:host-gateway\`. host-gateway needs Docker 20.10+ (Podman 5.3+); otherwise map it to the host's bridge address.`,
          );
        }
      }
      const p = await probeHealth(health, 3000);
      if (p.ok) return `${health} answered (${p.body?.name} ${p.body?.version ?? ""}, project ${p.body?.project ?? "?"})`;
      if (p.status !== undefined) {
        throw new Broken(
          "port-foreign",
          `Something else answers on ${u.host}: GET /healthz gave HTTP ${p.status}, not the QMS server.`,
          `Stop the program holding port ${port} or run the server on another port (qms session up --port N) and update QMS_MCP_URL in docker/.env.`,
        );
      }
      const boundLoopback = e.serverInfo?.host !== undefined && isLoopback(e.serverInfo.host);
      if (o.fromContainer && boundLoopback && !isLoopback(u.hostname)) {
        throw new Broken(
          "bound-loopback",
          `Nothing answers at ${health} (${healthError(p)}): the server was started bound to ${e.serverInfo?.host} on the host, which a container on Docker's network cannot reach.`,
          "On the host: `qms session down && qms session up` (binds 0.0.0.0 with token auth), or restart `qms mcp --transport streamable-http --host 0.0.0.0 ...`.",
        );
      }
      throw new Broken(
        "server-down",
        `The QMS MCP server is not answering at ${health} (${healthError(p)}).`,
        o.fromContainer
          ? "On the host, start it: `qms session up`, or `qms mcp --transport streamable-http --host 0.0.0.0 --port " +
              port +
              " --project-root <project>`. If it is running, it may be bound to 127.0.0.1 only (a container cannot reach that): bind 0.0.0.0."
          : `Start it: \`qms session up\`, or \`qms mcp --transport streamable-http --host 0.0.0.0 --port ${port} --project-root ${e.projectDir}\`.`,
      );
    },
  ]);

  if (!o.fromContainer) {
    checks.push([
      "bind address",
      async () => {
        const network = o.containerNetwork ?? "bridge";
        const addrs = listeningAddresses(port);
        if (addrs === undefined) return "cannot read /proc/net/tcp here; skipped";
        if (addrs.length === 0) return `no listening socket found for port ${port} in /proc/net; skipped`;
        const onlyLoopback = addrs.every((a) => a === "::1" || a.startsWith("127."));
        if (onlyLoopback && network === "bridge") {
          throw new Broken(
            "bound-loopback",
            `The server listens on ${addrs.join(", ")} port ${port} only, but the agent container reaches the host through host-gateway (Docker's bridge), not loopback: its connections will be refused.`,
            "Restart it bound to all interfaces with token auth: `qms session down && qms session up`, or `qms mcp --transport streamable-http --host 0.0.0.0 ...`. (Host networking, as in docker/compose.test.yml, is the exception: then pass --container-network host.)",
          );
        }
        return `listening on ${addrs.join(", ")}:${port} (fine for a ${network}-network container)`;
      },
    ]);
  }

  checks.push([
    "host-gateway",
    async () => {
      if (o.fromContainer) {
        if (isLoopback(u.hostname)) return `${u.hostname} is loopback (host networking)`;
        const r = await resolveHost(u.hostname);
        return `${u.hostname} resolves to ${r.address}`;
      }
      const text = e.composeText ?? "";
      if (/network_mode:\s*["']?host/.test(text) || /host\.docker\.internal:\s*\$\{QMS_HOST_GATEWAY:-host-gateway\}|host\.docker\.internal:host-gateway/.test(text)) {
        return "docker-compose.yml maps host.docker.internal to host-gateway";
      }
      throw new Broken(
        "no-host-gateway",
        `${e.kitDir ?? "docker"}/docker-compose.yml has no extra_hosts entry for host.docker.internal: on Linux the container cannot resolve it.`,
        'Add to the service: extra_hosts: ["host.docker.internal:host-gateway"].',
      );
    },
  ]);

  checks.push([
    "token",
    async () => {
      if (!e.token) {
        throw new Broken(
          "token-missing",
          o.fromContainer ? "QMS_TOKEN is not set in this container." : "docker/.env has no QMS_TOKEN.",
          "On the host: `qms session up` (mints a token and writes docker/.env), or `qms token create --user <agent>` and put QMS_TOKEN=<token> in docker/.env; then recreate the container.",
        );
      }
      const r = await postJsonRpc(e.url, initialize(), authHeaders(e.token), 10000);
      if (r.error) throw new Broken("server-down", `POST ${e.url} failed: ${r.error.code} ${r.error.message}`, "Check the server (see the first check).");
      if (r.status === 401) {
        let detail = r.text ?? "";
        try {
          const body = JSON.parse(detail) as Json;
          detail = String(body.message ?? body.error ?? detail);
        } catch {
          /* keep text */
        }
        throw new Broken(
          "token-rejected",
          `The server rejected the token (HTTP 401: ${detail.slice(0, 200)}). It was revoked, belongs to another project or token store, or was mistyped.`,
          "On the host: `qms session up` (replaces an invalid docker/.env token), or `qms token create --user <agent>`, update QMS_TOKEN in docker/.env and recreate the container.",
        );
      }
      if (r.status === 403) throw new Broken("forbidden", `The server refused the request (HTTP 403: ${(r.text ?? "").slice(0, 200)}).`, "Check --allowed-host on the server for the Host/Origin you use.");
      return `accepted (HTTP ${r.status})`;
    },
  ]);

  if (o.fromContainer || o.configDir) {
    checks.push([
      "Claude Code config",
      async () => {
        const env = o.configDir ? { ...o.env, CLAUDE_CONFIG_DIR: o.configDir } : o.env;
        const file = claudeJsonPath(env);
        if (!fs.existsSync(file)) {
          throw new Broken("not-registered", `${file} does not exist: the entrypoint has not run.`, "Recreate the container (its entrypoint registers the server), or run `qms container-entrypoint` with SETUP_ONLY=1.");
        }
        const copy = `${file}.doctor-read`;
        fs.copyFileSync(file, copy);
        const loaded = loadClaudeJson(copy);
        fs.rmSync(copy, { force: true });
        if (loaded.corruptBackup) {
          fs.rmSync(loaded.corruptBackup, { force: true });
          throw new Broken("config-corrupt", `${file} is not valid JSON.`, "Restart the container: the entrypoint moves it aside and starts a fresh one.");
        }
        const reg = userServer(loaded.data, SERVER_NAME);
        if (!reg) {
          throw new Broken("not-registered", `No user-scope '${SERVER_NAME}' server in ${file}.`, "Restart the container (the entrypoint registers it), or run `qms container-entrypoint` with SETUP_ONLY=1.");
        }
        const headers = (reg.headers ?? {}) as Record<string, string>;
        const regToken = String(headers.Authorization ?? "").replace(/^Bearer\s+/i, "") || (reg.env as Record<string, string> | undefined)?.QMS_TOKEN;
        if (e.token && regToken && regToken !== e.token) {
          throw new Broken("registration-stale", `The user-scope '${SERVER_NAME}' entry carries a different token than QMS_TOKEN.`, "Restart the container: the entrypoint re-registers when the token changes.");
        }
        const enabled = projectEnables(e.projectDir, SERVER_NAME);
        if (!enabled.enabled) {
          throw new Broken(
            "not-enabled",
            `The project server '${SERVER_NAME}' is not enabled in settings: ${enabled.reason}. Claude Code keeps it "Pending approval".`,
            `Mount docker/claude-settings.json as ${path.join(e.projectDir, ".claude", "settings.local.json")} (docker-compose.yml does), or add {"enabledMcpjsonServers": ["${SERVER_NAME}"]} to it.`,
          );
        }
        const projects = (loaded.data.projects ?? {}) as Record<string, Json>;
        if (projects[e.projectDir]?.hasTrustDialogAccepted !== true) {
          throw new Broken(
            "not-trusted",
            `The project ${e.projectDir} is not trusted in ${file} (hasTrustDialogAccepted), so its .mcp.json servers stay "Pending approval".`,
            "Run `qms container-entrypoint` (it marks the project trusted) or start `claude` once in that directory and accept the trust dialog.",
          );
        }
        return `'${SERVER_NAME}' registered at user scope, enabled (${enabled.reason}), project trusted`;
      },
    ]);
  } else {
    checks.push([
      "kit settings",
      async () => {
        const kit = e.kitDir ?? path.join(e.projectDir, "docker");
        const enabled = readJson(path.join(kit, "claude-settings.json"));
        const list = enabled?.enabledMcpjsonServers;
        if (!(Array.isArray(list) && list.includes(SERVER_NAME)) && enabled?.enableAllProjectMcpServers !== true) {
          throw new Broken(
            "not-enabled",
            `${path.join(kit, "claude-settings.json")} does not enable '${SERVER_NAME}' (enabledMcpjsonServers), so Claude Code in the container keeps it "Pending approval".`,
            `Put "enabledMcpjsonServers": ["${SERVER_NAME}"] in docker/claude-settings.json.`,
          );
        }
        return `docker/claude-settings.json enables '${SERVER_NAME}'`;
      },
    ]);
  }

  checks.push([
    "MCP handshake",
    async () => {
      const h = authHeaders(e.token);
      const init = await postJsonRpc(e.url, initialize(), h, 10000);
      const res = init.messages.find((m) => m.id === 1);
      if (!res || !("result" in res)) throw new Broken("handshake-failed", `initialize failed (HTTP ${init.status ?? init.error?.code}): ${(init.text ?? "").slice(0, 200)}`, "See the server log (.qms/run/server.log).");
      const pv = String((res.result as Json).protocolVersion ?? "2025-06-18");
      const more: Record<string, string> = { ...h, "mcp-protocol-version": pv };
      const sid = init.headers?.get("mcp-session-id");
      if (sid) more["mcp-session-id"] = sid;
      await postJsonRpc(e.url, { jsonrpc: "2.0", method: "notifications/initialized" }, more, 10000);
      const list = await postJsonRpc(e.url, { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} }, more, 10000);
      const tools = (list.messages.find((m) => m.id === 2)?.result as Json | undefined)?.tools;
      if (!Array.isArray(tools)) throw new Broken("handshake-failed", `tools/list failed (HTTP ${list.status ?? list.error?.code}): ${(list.text ?? "").slice(0, 200)}`, "See the server log (.qms/run/server.log).");
      return `initialize + tools/list: ${tools.length} tools (protocol ${pv})`;
    },
  ]);

  for (const [name, fn] of checks) {
    try {
      const detail = await fn();
      findings.push({ check: name, ok: true, message: detail });
      out.write(`  ✔ ${name}: ${detail}\n`);
    } catch (err) {
      if (!(err instanceof Broken)) throw err;
      findings.push({ check: name, ok: false, code: err.code, message: err.message, fix: err.fix });
      out.write(`  ✘ ${name} [${err.code}]: ${err.message}\n    Fix: ${err.fix}\n`);
      out.write("Stopped at the first broken link.\n");
      return { ok: false, findings };
    }
  }
  out.write("All links of the chain work.\n");
  return { ok: true, findings };
}

function initialize(): Json {
  return {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "qms-doctor", version: "1" } },
  };
}

/** Files inside the project tree that hold a QMS token (a `QMS_TOKEN=` value or a `qms_…` token). */
export function tokenFilesInProject(root: string, kitDir?: string): string[] {
  const candidates = [path.join(root, "docker", ".env"), path.join(root, ".env")];
  if (kitDir) {
    const rel = path.relative(root, kitDir);
    if (!rel.startsWith("..") && !path.isAbsolute(rel)) candidates.push(path.join(kitDir, ".env"));
  }
  const runDirInProject = path.join(root, ".qms", "run");
  try {
    for (const f of fs.readdirSync(runDirInProject)) candidates.push(path.join(runDirInProject, f));
  } catch {
    /* none */
  }
  const found = new Set<string>();
  for (const file of candidates) {
    let text: string;
    try {
      if (!fs.lstatSync(file).isFile()) continue;
      text = fs.readFileSync(file, "utf8");
    } catch {
      continue;
    }
    if (/^\s*QMS_TOKEN\s*=\s*["']?[^\s"'#]/m.test(text) || /\bqms_[A-Za-z0-9_-]{40,}/.test(text)) found.add(file);
  }
  return [...found];
}
