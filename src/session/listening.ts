import * as fs from "node:fs";
import * as path from "node:path";
import { isLoopbackHost } from "../core/net.js";

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

/** Listening only on loopback addresses (which a container on Docker's bridge network cannot reach)? */
export function onlyLoopback(addresses: string[]): boolean {
  return addresses.length > 0 && addresses.every(isLoopbackHost);
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
