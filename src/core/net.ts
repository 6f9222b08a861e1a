/**
 * Whether a host name or address is loopback (the one definition for the server's auth default, the doctor's
 * bind checks and the launcher): `localhost`, `127.0.0.0/8`, `::1` (with or without brackets).
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
