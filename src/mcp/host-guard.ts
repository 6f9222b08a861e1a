import type * as http from "node:http";
import type { Logger } from "./log.js";

/**
 * DNS-rebinding and header-smuggling guard for every route (MCP, health, web view, hub API): the Host must be
 * on the allow-list, an Origin (browsers send one) too, and the headers that checks read must come once.
 */

export const DEFAULT_ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "host.docker.internal"];

/** Headers whose second copy could make two checks read two different values (Node keeps only the first Host). */
const SINGLE_VALUED_HEADERS = new Set(["host", "origin", "authorization", "x-api-key", "x-qms-identity", "x-qms-instance", "content-length"]);

/** The name part of a Host header value (`[::1]:8000` → `[::1]`, `Localhost:80` → `localhost`). */
export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end < 0 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(":");
  return colon < 0 ? h : h.slice(0, colon);
}

/** The first of `names` that `rawHeaders` carries twice, if any. */
export function repeatedHeader(rawHeaders: readonly string[], names: ReadonlySet<string> = SINGLE_VALUED_HEADERS): string | undefined {
  const seen = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (!names.has(name)) continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

export type GuardVerdict = { ok: true } | { ok: false; status: number; message: string };

/** The allow-list for a server bound to `bindHost`, plus `--allowed-host` names. */
export function createHostGuard(bindHost: string, allowedHosts: readonly string[], log: Logger): (req: http.IncomingMessage) => GuardVerdict {
  const allowed = new Set([...DEFAULT_ALLOWED_HOSTS, ...allowedHosts.map((h) => hostName(h))]);
  if (!["0.0.0.0", "::", ""].includes(bindHost)) {
    allowed.add(hostName(bindHost.includes(":") && !bindHost.startsWith("[") ? `[${bindHost}]` : bindHost));
  }
  return (req) => {
    const repeated = repeatedHeader(req.rawHeaders);
    if (repeated) {
      log.log("header_repeated", { header: repeated });
      return { ok: false, status: 400, message: `Bad request: the ${repeated} header is sent more than once; send it once.` };
    }
    const host = req.headers.host;
    if (typeof host !== "string" || !allowed.has(hostName(host))) {
      log.log("host_rejected", { host: typeof host === "string" ? host.slice(0, 100) : null });
      return { ok: false, status: 403, message: `Invalid Host header: ${String(host).slice(0, 100)} is not allowed (start the server with --allowed-host NAME to allow it).` };
    }
    const origin = req.headers.origin;
    if (typeof origin === "string") {
      let ok = false;
      try {
        ok = allowed.has(hostName(new URL(origin).host));
      } catch {
        ok = false;
      }
      if (!ok) {
        log.log("origin_rejected", { origin: origin.slice(0, 100) });
        return { ok: false, status: 403, message: `Invalid Origin header: ${origin.slice(0, 100)} is not allowed.` };
      }
    }
    return { ok: true };
  };
}
