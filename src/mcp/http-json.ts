import type * as http from "node:http";

/** JSON answers and bounded JSON bodies for the HTTP server's routes. */

export const MAX_BODY_BYTES = 1024 * 1024;

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function rpcError(code: number, message: string): Record<string, unknown> {
  return { jsonrpc: "2.0", error: { code, message }, id: null };
}

export const NO_BODY = Symbol("no body");

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Read and parse a JSON body; NO_BODY means the answer (413, or a JSON-RPC parse error) was already sent. */
export async function readJsonBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<unknown> {
  const encoding = String(req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && encoding !== "") {
    sendJson(res, 415, rpcError(-32600, `Unsupported Content-Encoding '${encoding.slice(0, 40)}': send the JSON body uncompressed.`), { connection: "close" });
    req.resume();
    return NO_BODY;
  }
  const raw = await readBody(req, res);
  if (raw === undefined) return NO_BODY;
  try {
    // strictly UTF-8: bytes that are not would otherwise reach the record as replacement characters
    return JSON.parse(STRICT_UTF8.decode(raw));
  } catch {
    sendJson(res, 400, rpcError(-32700, "Parse error: Invalid JSON"));
    return NO_BODY;
  }
}

/** Read a body of at most MAX_BODY_BYTES; `undefined` means it was too large (and a 413 was sent). */
function readBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    const tooLarge = (): void => {
      sendJson(res, 413, rpcError(-32600, `Request body too large: the limit is ${MAX_BODY_BYTES} bytes (1 MiB).`), { connection: "close" });
      req.resume();
      resolve(undefined);
    };
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      tooLarge();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        done = true;
        tooLarge();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
    req.on("error", (err) => {
      if (!done) {
        done = true;
        reject(err);
      }
    });
  });
}

