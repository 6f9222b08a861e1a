import * as http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A scripted loopback stand-in for the Anthropic Messages API (real-clients.md §2.5). Turn 1: when the
 * request offers `tool` and carries no tool_result, answer with a tool_use of `tool` with `input`.
 * Otherwise answer with text `TOOL RESULT: <json of the tool_result content>`. Streams SSE as Claude Code
 * expects. Records every request body.
 */
export interface MessagesMock {
  url: string;
  requests: Array<Record<string, unknown>>;
  toolResults: unknown[];
  close(): Promise<void>;
}

interface Msg {
  role: string;
  content: unknown;
}

function sse(res: http.ServerResponse, events: Array<[string, Record<string, unknown>]>): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const [event, data] of events) res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  res.end();
}

export async function startMessagesMock(tool: string, input: Record<string, unknown>): Promise<MessagesMock> {
  const requests: Array<Record<string, unknown>> = [];
  const toolResults: unknown[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      } catch {
        body = {};
      }
      const url = req.url ?? "";
      if (url.startsWith("/v1/messages/count_tokens")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ input_tokens: 10 }));
        return;
      }
      if (!url.startsWith("/v1/messages")) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ type: "error", error: { type: "not_found_error", message: "mock" } }));
        return;
      }
      requests.push(body);
      const messages = (body.messages as Msg[] | undefined) ?? [];
      const last = messages[messages.length - 1];
      const blocks = Array.isArray(last?.content) ? (last.content as Array<Record<string, unknown>>) : [];
      const result = blocks.find((b) => b.type === "tool_result");
      const tools = ((body.tools as Array<{ name?: string }> | undefined) ?? []).map((t) => t.name);
      const id = `msg_mock_${++n}`;
      const start = { message: { id, type: "message", role: "assistant", model: String(body.model ?? "mock"), content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } };
      if (!result && tools.includes(tool)) {
        sse(res, [
          ["message_start", start],
          ["content_block_start", { index: 0, content_block: { type: "tool_use", id: `toolu_mock_${n}`, name: tool, input: {} } }],
          ["content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: JSON.stringify(input) } }],
          ["content_block_stop", { index: 0 }],
          ["message_delta", { delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 5 } }],
          ["message_stop", {}],
        ]);
        return;
      }
      if (result) toolResults.push(result.content);
      const text = result ? `TOOL RESULT: ${JSON.stringify(result.content)}` : "no tool offered";
      sse(res, [
        ["message_start", start],
        ["content_block_start", { index: 0, content_block: { type: "text", text: "" } }],
        ["content_block_delta", { index: 0, delta: { type: "text_delta", text } }],
        ["content_block_stop", { index: 0 }],
        ["message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 5 } }],
        ["message_stop", {}],
      ]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    toolResults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
