import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { Broken, type Check } from "./doctor-checks.js";
import { SERVER_NAME } from "./entrypoint.js";
import { run } from "./exec.js";
import { healthUrlFor, probeHealth } from "./http.js";
import { probeMcp } from "./mcp-probe.js";

/**
 * `qms doctor --local`: the chain of a Claude Code running on this machine — its registration of the `qms`
 * server (`claude mcp get qms`, with the user's own config), the server, the token it sends, and a real
 * initialize + tools/list. No container is involved, so a loopback bind is what it should be.
 */

export interface Registration {
  scope: string;
  type: string;
  url?: string;
  headers: Record<string, string>;
  command?: string;
  args: string[];
  /** What Claude Code itself reported when it tried the server (its `Status:` line). */
  status?: string;
}

export interface LocalFacts {
  claudeBin: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The URL to suggest when nothing is registered (`--url`, else the default). */
  suggestedUrl: string;
  /** Filled by the registration check for the checks after it. */
  registration?: Registration;
}

export const DEFAULT_LOCAL_URL = "http://127.0.0.1:8000/mcp";

/** The fields of `claude mcp get NAME` (Claude Code 2.x prints `Key: value` lines, headers indented below). */
export function parseMcpGet(text: string): Registration | undefined {
  const lines = text.split(/\r?\n/);
  const field = (name: string): string | undefined => {
    const line = lines.find((l) => new RegExp(`^\\s{2}${name}:\\s`).test(l));
    return line?.replace(new RegExp(`^\\s{2}${name}:\\s+`), "").trim();
  };
  const type = field("Type");
  if (type === undefined) return undefined;
  const headers: Record<string, string> = {};
  const start = lines.findIndex((l) => /^\s{2}Headers:\s*$/.test(l));
  if (start >= 0) {
    for (const l of lines.slice(start + 1)) {
      const m = /^\s{4,}([A-Za-z0-9-]+):\s?(.*)$/.exec(l);
      if (!m) break;
      headers[m[1]!] = m[2]!.trim();
    }
  }
  const argsLine = field("Args");
  return {
    scope: field("Scope") ?? "?",
    type,
    url: field("URL"),
    headers,
    command: field("Command"),
    args: argsLine ? argsLine.split(/\s+/).filter((a) => a !== "") : [],
    status: field("Status"),
  };
}

/** The token a registration sends: `Authorization: Bearer T`, else `X-API-Key: T` (header names are case-blind). */
export function registeredToken(reg: Registration): string {
  const get = (name: string): string => Object.entries(reg.headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? "";
  return get("authorization").replace(/^Bearer\s+/i, "") || get("x-api-key");
}

function addLine(url: string): string {
  return `claude mcp add --scope user --transport http ${SERVER_NAME} ${url} --header "Authorization: Bearer $QMS_TOKEN" --header "X-API-Key: $QMS_TOKEN"`;
}

function reRegister(f: LocalFacts): string {
  const reg = f.registration;
  const scope = reg && /user/i.test(reg.scope) ? "user" : reg && /project/i.test(reg.scope) ? "project" : "local";
  return `claude mcp remove ${SERVER_NAME} -s ${scope} && ${addLine(reg?.url ?? f.suggestedUrl)}`;
}

const registration: Check<LocalFacts> = {
  id: "Claude Code registration",
  applies: () => true,
  async run(f) {
    const got = run(f.claudeBin, ["mcp", "get", SERVER_NAME], { env: f.env, cwd: f.cwd, timeoutMs: 60000 });
    if (got.status === 127) {
      return new Broken(
        "claude-missing",
        `Claude Code cannot be run here (${got.out.trim().slice(0, 200)}).`,
        "Install Claude Code (npm install -g @anthropic-ai/claude-code), or point QMS_CLAUDE_BIN at its `claude` program.",
      );
    }
    const parsed = got.status === 0 ? parseMcpGet(got.out) : undefined;
    if (!parsed) {
      return new Broken(
        "not-registered",
        `Claude Code has no MCP server named '${SERVER_NAME}' for ${f.cwd} (claude mcp get ${SERVER_NAME}: ${got.out.trim().split("\n")[0]?.slice(0, 200) ?? ""}).`,
        `Register the running server: ${addLine(f.suggestedUrl)} (QMS_TOKEN from: qms token create --user <name>; a server without auth needs no headers). Or let Claude Code start it over stdio: claude mcp add ${SERVER_NAME} -- qms mcp`,
      );
    }
    f.registration = parsed;
    const where = parsed.type === "stdio" ? `stdio: ${[parsed.command, ...parsed.args].join(" ")}` : `${parsed.type} ${parsed.url ?? "?"}`;
    const headers = Object.keys(parsed.headers);
    return `'${SERVER_NAME}' registered (${parsed.scope}): ${where}${headers.length > 0 ? `, headers ${headers.join(", ")}` : ""}${parsed.status ? `; Claude Code reports: ${parsed.status}` : ""}`;
  },
};

const isHttp = (f: LocalFacts): boolean => f.registration?.type === "http" && f.registration.url !== undefined;

const serverHealth: Check<LocalFacts> = {
  id: "server health",
  applies: isHttp,
  async run(f) {
    const url = f.registration!.url!;
    let health: string;
    try {
      health = healthUrlFor(url);
    } catch {
      return new Broken("bad-url", `The registered URL ${url} is not a URL.`, reRegister(f));
    }
    const p = await probeHealth(health, 3000);
    const port = new URL(url).port || "80";
    if (p.ok) return `${health} answered (${String(p.body?.name)} ${String(p.body?.version ?? "")}, project ${String(p.body?.project ?? "?")})`;
    if (p.status !== undefined) {
      return new Broken(
        "port-foreign",
        `Something else answers at ${health}: HTTP ${p.status}, not the QMS server.`,
        `Stop the program holding port ${port}, or run the server on another port (npm start -- --port N, or qms mcp --transport streamable-http --port N) and register that URL: ${reRegister(f)}`,
      );
    }
    const localhostNote = /^localhost$/i.test(new URL(url).hostname) ? " (localhost may resolve to ::1 while the server binds 127.0.0.1: register http://127.0.0.1:PORT/mcp)" : "";
    return new Broken(
      "server-down",
      `The QMS MCP server is not answering at ${health} (${p.error ? `${p.error.code}: ${p.error.message}` : "no answer"})${localhostNote}.`,
      `Start it: npm start (in the qms clone; serves a demo project), or qms mcp --transport streamable-http --port ${port} --project-root <your project>.`,
    );
  },
};

const token: Check<LocalFacts> = {
  id: "token",
  applies: isHttp,
  async run(f) {
    const url = f.registration!.url!;
    const sent = registeredToken(f.registration!);
    const first = (await probeMcp(url, sent)).posts[0];
    if (first?.status === undefined) {
      const e = first?.noAnswer ?? { code: "ETIMEDOUT", message: "timed out" };
      return new Broken("server-down", `POST ${url} failed: ${e.code} ${e.message}`, "Check the server (see the check before).");
    }
    if (first.status === 401) {
      return sent
        ? new Broken(
            "token-rejected",
            `The server rejected the registered token (HTTP 401): it was revoked, belongs to another project or token store, or was mistyped.`,
            `Mint a new one (qms token create --user <name> --project-root <project>) and register it again: ${reRegister(f)}`,
          )
        : new Broken(
            "token-missing",
            "The server requires a token (HTTP 401), but the registration sends none.",
            `Mint one (qms token create --user <name> --project-root <project>) and register it with both headers: ${reRegister(f)}`,
          );
    }
    if (first.status === 403) return new Broken("forbidden", `The server refused the request (HTTP 403: ${(first.errorText ?? "").slice(0, 200)}).`, "Check --allowed-host on the server for the Host/Origin you use.");
    return sent ? `accepted (HTTP ${first.status})` : `none sent, none needed (HTTP ${first.status}: the server runs without authentication; every tool call names its user)`;
  },
};

const handshake: Check<LocalFacts> = {
  id: "MCP handshake",
  applies: (f) => f.registration !== undefined,
  async run(f) {
    const reg = f.registration!;
    if (reg.type === "stdio") return stdioHandshake(f, reg);
    if (!isHttp(f)) return `a ${reg.type} registration: not checked (qms serves stdio and streamable HTTP)`;
    const p = await probeMcp(reg.url!, registeredToken(reg), { listTools: true });
    if (p.failed) return new Broken("handshake-failed", `${p.failed.step} failed (HTTP ${p.failed.http}): ${p.failed.detail.slice(0, 200)}`, "See the server's log (its terminal, or qms session status).");
    return `initialize + tools/list: ${p.toolCount} tools (protocol ${p.protocolVersion})`;
  },
};

/** Start the registered command as Claude Code would, and talk MCP to it over stdio. */
async function stdioHandshake(f: LocalFacts, reg: Registration): Promise<string | Broken> {
  if (!reg.command) return new Broken("not-registered", `The stdio registration of '${SERVER_NAME}' names no command.`, `claude mcp add ${SERVER_NAME} -- qms mcp`);
  const env = Object.fromEntries(Object.entries(f.env).filter((e): e is [string, string] => typeof e[1] === "string"));
  const transport = new StdioClientTransport({ command: reg.command, args: reg.args, env, cwd: f.cwd, stderr: "ignore" });
  const client = new Client({ name: "qms-doctor", version: "1" });
  try {
    await client.connect(transport, { timeout: 15000 });
    const tools = (await client.listTools(undefined, { timeout: 15000 })).tools.length;
    return `started ${[reg.command, ...reg.args].join(" ")}: initialize + tools/list: ${tools} tools`;
  } catch (err) {
    return new Broken(
      "handshake-failed",
      `Starting ${[reg.command, ...reg.args].join(" ")} in ${f.cwd} and talking MCP over stdio failed: ${err instanceof Error ? err.message : String(err)}.`,
      "Run that command yourself in the project to see why (it needs a QMS project at or above the working directory, or --project-root).",
    );
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** The local chain, in the order a connection walks it. */
export const LOCAL_CHECKS: readonly Check<LocalFacts>[] = [registration, serverHealth, token, handshake];
