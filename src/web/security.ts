import { createHash } from "node:crypto";

/**
 * Response headers of every /ui/ answer (web spec §1): a strict Content-Security-Policy (`default-src 'self'`,
 * no inline script; inline style only by hash, for the sign-in page that must render without a session),
 * no framing, no sniffing, nothing cached. Referrers go to this server only (`same-origin`: with `no-referrer`
 * browsers send `Origin: null` on form posts, which the Origin check must refuse); the page a sign-in link
 * lands on sends none, so its code never travels further.
 */
export function securityHeaders(styleHashes: readonly string[] = [], referrer: "same-origin" | "no-referrer" = "same-origin"): Record<string, string> {
  const style = styleHashes.length > 0 ? `; style-src 'self' ${styleHashes.map((h) => `'${h}'`).join(" ")}` : "";
  return {
    "content-security-policy": `default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'${style}`,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": referrer,
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "cache-control": "no-store",
  };
}

/** The CSP source expression for an inline `<style>` block. */
export function styleHash(css: string): string {
  return `sha256-${createHash("sha256").update(css, "utf8").digest("base64")}`;
}
