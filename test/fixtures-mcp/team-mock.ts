import * as http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback stand-in for the Messages API scripted per agent (real-clients.md §2.6): each rule matches the
 * text of the newest user turn (the hub's notification, which names the agent and the task) and answers with
 * a `tool_use` of an MCP tool, once per turn; the request after the tool_result gets a short text and
 * `end_turn`. Requests that match no rule (or offer no such tool) get text. Every request is recorded.
 */
export interface TeamRule {
  /** Matched against the text of the newest user turn. */
  when: RegExp;
  tool: string;
  input: Record<string, unknown>;
}

export interface TeamMock {
  url: string;
  requests: Array<{ text: string; system: string; tools: string[]; answer: string }>;
  /** The tool_result contents sent back, in order, with the tool they answer. */
  results: Array<{ tool: string; content: unknown }>;
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

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((b: { type?: string; text?: unknown }) => (b && b.type === "text" && typeof b.text === "string" ? b.text : ""))
    .filter(Boolean)
    .join("\n");
}

export async function startTeamMock(rules: readonly TeamRule[]): Promise<TeamMock> {
  const requests: TeamMock["requests"] = [];
  const results: TeamMock["results"] = [];
  const pendingTools = new Map<string, string>();
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
      const messages = (body.messages as Msg[] | undefined) ?? [];
      // the newest turn: every message after the last assistant message (Claude Code sends context blocks
      // beside the prompt, and an environment block as a trailing "system" message)
      let from = messages.length;
      while (from > 0 && messages[from - 1]!.role !== "assistant") from--;
      const turn = messages.slice(from);
      const blocks = turn.flatMap((m) => (Array.isArray(m.content) ? (m.content as Array<Record<string, unknown>>) : []));
      const result = blocks.find((b) => b.type === "tool_result");
      const tools = ((body.tools as Array<{ name?: string }> | undefined) ?? []).map((t) => String(t.name));
      const system = Array.isArray(body.system) ? textOf(body.system) : String(body.system ?? "");
      const text = turn.filter((m) => m.role === "user").map((m) => textOf(m.content)).join("\n");
      const id = `msg_team_${++n}`;
      const start = { message: { id, type: "message", role: "assistant", model: String(body.model ?? "mock"), content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } };
      const rule = result ? undefined : rules.find((r) => r.when.test(text) && tools.includes(r.tool));
      if (rule) {
        const useId = `toolu_team_${n}`;
        pendingTools.set(useId, rule.tool);
        requests.push({ text, system, tools, answer: rule.tool });
        sse(res, [
          ["message_start", start],
          ["content_block_start", { index: 0, content_block: { type: "tool_use", id: useId, name: rule.tool, input: {} } }],
          ["content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: JSON.stringify(rule.input) } }],
          ["content_block_stop", { index: 0 }],
          ["message_delta", { delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 5 } }],
          ["message_stop", {}],
        ]);
        return;
      }
      if (result) results.push({ tool: pendingTools.get(String(result.tool_use_id)) ?? "?", content: result.content });
      const answer = result ? "Done: the tool call went through." : "Nothing to do.";
      requests.push({ text, system, tools, answer });
      sse(res, [
        ["message_start", start],
        ["content_block_start", { index: 0, content_block: { type: "text", text: "" } }],
        ["content_block_delta", { index: 0, delta: { type: "text_delta", text: answer } }],
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
    results,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
