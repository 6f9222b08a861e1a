import { createRequire } from "node:module";

/**
 * SHA-256 in hex, with node:crypto loaded on first use: loading it costs a read-only CLI command (status,
 * read, inbox) about 10 ms of start-up, and those never hash anything.
 */
type Crypto = typeof import("node:crypto");
let crypto: Crypto | undefined;

export function sha256Hex(data: string | Uint8Array): string {
  crypto ??= createRequire(import.meta.url)("node:crypto") as Crypto;
  return crypto.createHash("sha256").update(data).digest("hex");
}
