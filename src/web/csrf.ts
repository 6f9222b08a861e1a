import { randomBytes, timingSafeEqual } from "node:crypto";
import type * as http from "node:http";

/** A per-session (or per sign-in form) anti-forgery token. */
export function newCsrfToken(): string {
  return randomBytes(32).toString("base64url");
}

export function tokensMatch(expected: string, presented: unknown): boolean {
  if (typeof presented !== "string" || presented.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(presented));
}

/**
 * A state-changing request must come from a page of this very server: its Origin (or, when a client sends
 * none, its Referer) names the Host it was sent to. A request naming neither is refused.
 */
export function sameOrigin(req: http.IncomingMessage): boolean {
  const host = req.headers.host;
  if (typeof host !== "string" || host === "") return false;
  const origin = req.headers.origin;
  if (typeof origin === "string") return origin !== "null" && sameHost(origin, host);
  const referer = req.headers.referer;
  return typeof referer === "string" && sameHost(referer, host);
}

function sameHost(url: string, host: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === "http:" || u.protocol === "https:") && u.host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}
