import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { type ServiceResult, successLines } from "../core/result.js";
import { ACTIVE_STATE_RULES, type WorkflowType } from "../core/transitions.js";
import type { Status } from "../core/statuses.js";
import { mcpRefusalText, mcpStep } from "./render.js";
import { VERSION } from "../core/package-version.js";
import type { ServiceContext } from "../services/context.js";
import { inbox } from "../services/inbox.js";
import { renderTaskBody } from "../services/prompts.js";
import { read } from "../services/read.js";
import { status } from "../services/status.js";
import type { Project } from "../store/project.js";
import { findUser } from "../store/users.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { type Caller, type Resolved, resolveReaderUser, resolveToolUser } from "./identity.js";
import { callerOf } from "./token-auth.js";
import type { Logger } from "./log.js";
import { NOOP_TOOL, TOOLS, type ToolDef, toolSchema } from "./tools.js";

export interface ServerEnv {
  project: Project;
  log: Logger;
  /** No token auth (stdio, --auth none): tool schemas list `user` as required (spec §2). */
  userRequired?: boolean;
  /** Register `qms_noop` (benchmarks only). */
  bench?: boolean;
  now?: () => Date;
}

/** Every tool's structured result: the service's data, or the refusal in machine-readable form. */
const OUTPUT_SCHEMA = z.object({
  ok: z.boolean().describe("true when the action was performed"),
  data: z.unknown().optional().describe("the service's result (when ok)"),
  code: z.string().optional().describe("refusal code (when not ok)"),
  message: z.string().optional().describe("the rule that refused the action"),
  hint: z.string().optional().describe("what to do next, in words"),
  next: z
    .array(z.object({ action: z.string(), doc_id: z.string().optional(), args: z.record(z.string(), z.unknown()).optional(), user: z.string().optional(), lead: z.string().optional() }))
    .optional()
    .describe("the next steps: call qms_<action> with doc_id and args (user: who must take it, when not you)"),
  details: z.array(z.string()).optional(),
  text: z.string().optional().describe("the same human-readable text as the text content"),
});

export const SERVER_INSTRUCTIONS =
  "QMS document control. Every change to a controlled document goes through these tools (create, checkout, checkin, route, review, approve...). Read a document's state with qms_status before acting; a refused action returns isError with the rule and the next step.";

export function toolResult(result: ServiceResult<unknown>): CallToolResult {
  if (result.ok) {
    const text = [...successLines(result, mcpStep), ...(result.warnings ?? [])].join("\n");
    const shown = text === "" ? "(no output)" : text;
    // Some clients (Claude Code) hand the model only structuredContent: keep the human text in it too.
    const structured: Record<string, unknown> = { ok: true, data: result.data, text: shown };
    if (result.next?.length) structured.next = result.next;
    return { content: [{ type: "text", text: shown }], structuredContent: structured };
  }
  const text = mcpRefusalText(result);
  const structured: Record<string, unknown> = { ok: false, code: result.code, message: result.message };
  if (result.hint) structured.hint = result.hint;
  if (result.next?.length) structured.next = result.next;
  if (result.details?.length) structured.details = result.details;
  structured.text = text;
  return { content: [{ type: "text", text }], structuredContent: structured, isError: true };
}

/** Run one tool: identity, service call, structured log line. Never throws. */
async function runTool(env: ServerEnv, caller: Caller, tool: ToolDef, args: Record<string, unknown>): Promise<CallToolResult> {
  const started = performance.now();
  const docId = typeof args.doc_id === "string" ? args.doc_id.slice(0, 80) : undefined;
  const who = resolveToolUser(caller, args.user);
  logIdentity(env, caller, who, tool.name);
  let outcome: string;
  let result: CallToolResult;
  if (!who.ok) {
    result = toolResult(who.refusal);
    outcome = `refused:${who.refusal.code}`;
    if (who.impersonation) {
      env.log.log("impersonation_refused", { tool: tool.name, doc_id: docId, user: who.impersonation.actual, claimed: who.impersonation.claimed });
    }
  } else {
    const ctx: ServiceContext = { project: env.project, user: who.user, now: env.now ? env.now() : new Date() };
    try {
      const r = await tool.call(ctx, args);
      result = toolResult(r);
      outcome = r.ok ? "ok" : `refused:${r.code}`;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      result = { content: [{ type: "text", text: `Internal error in ${tool.name}: ${message}` }], structuredContent: { ok: false, code: "internal-error", message }, isError: true };
      outcome = "error";
    }
  }
  env.log.log("tool", {
    user: who.ok ? who.user : caller.kind === "token" ? caller.user : caller.kind === "header" ? caller.identity : null,
    tool: tool.name,
    doc_id: docId ?? null,
    outcome,
    ms: Math.round((performance.now() - started) * 100) / 100,
  });
  return result;
}

/** Structured log lines for the identity locks of the header compatibility mode (qms.md §10.4). */
function logIdentity(env: ServerEnv, caller: Caller, who: Resolved, via: string): void {
  const events = who.locks;
  if (!events) return;
  for (const lock of events.expired) env.log.log("identity_lock_expired", { identity: lock.identity, instance: lock.instanceId });
  if (who.ok && events.action && events.action !== "refreshed" && caller.kind === "header") {
    let known = true;
    try {
      known = findUser(env.project, who.user) !== undefined;
    } catch {
      // A malformed agent file: the user exists; the service call reports the problem.
    }
    env.log.log(events.action === "created" ? "identity_locked" : "identity_lock_taken_over", {
      identity: who.user,
      instance: caller.instanceId,
      ...(events.previous ? { previous_instance: events.previous.instanceId } : {}),
      via,
    });
    // Unknown header identities are accepted (the services then refuse what that name may not do).
    if (!known) env.log.log("identity_unknown", { identity: who.user, instance: caller.instanceId, via });
  }
  if (!who.ok && who.collision) {
    env.log.log("identity_collision", {
      identity: who.collision.identity,
      mode: who.collision.mode,
      held_by_instance: who.collision.heldBy,
      ...(who.collision.requestInstance !== undefined ? { request_instance: who.collision.requestInstance } : {}),
      via,
    });
  }
}

/** The caller of one request: its `authInfo` (set per HTTP request by token-auth), else the server's own. */
type CallerFor = (extra: { authInfo?: AuthInfo }) => Caller;

/**
 * One MCP server. Over HTTP each request carries its caller as `authInfo` (so idle servers are pooled and
 * serve any caller: building one with its 21 tools costs more than the call itself); over stdio the process
 * has one caller, `fallback`.
 */
export function buildServer(env: ServerEnv, fallback?: Caller): McpServer {
  const callerFor: CallerFor = (extra) => {
    const caller = callerOf(extra.authInfo) ?? fallback;
    if (!caller) throw new McpError(ErrorCode.InternalError, "No caller identity on this request.");
    return caller;
  };
  const server = new McpServer(
    { name: "qms", title: "QMS document control", version: VERSION },
    { instructions: SERVER_INSTRUCTIONS, capabilities: { logging: {} } },
  );
  const tools = env.bench ? [...TOOLS, NOOP_TOOL] : TOOLS;
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: toolSchema(tool, env.userRequired === true),
        outputSchema: OUTPUT_SCHEMA,
        annotations: { title: tool.title, readOnlyHint: tool.readOnly, destructiveHint: tool.destructive === true, openWorldHint: false },
      },
      (args: Record<string, unknown>, extra: { authInfo?: AuthInfo }) => runTool(env, callerFor(extra), tool, args),
    );
  }
  registerResources(server, env, callerFor);
  registerPrompts(server, env, callerFor);
  return server;
}

function readerContext(env: ServerEnv, caller: Caller, argUser?: string): ServiceContext {
  const who = resolveReaderUser(caller, argUser);
  logIdentity(env, caller, who, "resource");
  if (!who.ok) throw new McpError(ErrorCode.InvalidParams, mcpRefusalText(who.refusal));
  return { project: env.project, user: who.user, now: env.now ? env.now() : new Date() };
}

function textOrThrow(result: ServiceResult<unknown>): string {
  if (!result.ok) throw new McpError(ErrorCode.InvalidParams, mcpRefusalText(result));
  return result.lines.join("\n");
}

function registerResources(server: McpServer, env: ServerEnv, callerFor: CallerFor): void {
  server.registerResource(
    "document",
    new ResourceTemplate("qms://documents/{doc_id}", { list: undefined }),
    { title: "QMS document", description: "A controlled document: the effective version, or the draft if it has never been effective.", mimeType: "text/markdown" },
    async (uri, vars, extra) => {
      const ctx = readerContext(env, callerFor(extra));
      const id = decodeDocId(vars.doc_id);
      let result = await read(ctx, { docId: id, draft: false });
      if (!result.ok) {
        const draft = await read(ctx, { docId: id, draft: true });
        if (draft.ok) result = draft;
      }
      return { contents: [{ uri: uri.href, mimeType: "text/markdown", text: textOrThrow(result) }] };
    },
  );
  server.registerResource(
    "document-draft",
    new ResourceTemplate("qms://documents/{doc_id}/draft", { list: undefined }),
    { title: "QMS document draft", description: "The current draft of a controlled document.", mimeType: "text/markdown" },
    async (uri, vars, extra) => {
      const ctx = readerContext(env, callerFor(extra));
      const id = decodeDocId(vars.doc_id);
      return { contents: [{ uri: uri.href, mimeType: "text/markdown", text: textOrThrow(await read(ctx, { docId: id, draft: true })) }] };
    },
  );
  server.registerResource(
    "inbox",
    "qms://inbox",
    { title: "My QMS inbox", description: "Your pending review and approval tasks.", mimeType: "text/plain" },
    async (uri, extra) => {
      const ctx = readerContext(env, callerFor(extra));
      return { contents: [{ uri: uri.href, mimeType: "text/plain", text: textOrThrow(await inbox(ctx)) }] };
    },
  );
}

function registerPrompts(server: McpServer, env: ServerEnv, callerFor: CallerFor): void {
  for (const kind of ["review", "approval"] as const) {
    server.registerPrompt(
      `${kind}-checklist`,
      {
        title: `${kind === "review" ? "Review" : "Approval"} checklist`,
        description: `The checklist a ${kind === "review" ? "reviewer" : "approver"} works through for a document (the same text as the inbox task).`,
        argsSchema: { doc_id: z.string().max(200).describe("Document ID, e.g. SOP-001"), user: z.string().max(200).optional().describe(USER_ARG) },
      },
      async (args, extra) => {
        const ctx = readerContext(env, callerFor(extra), args.user);
        const st = status(ctx, { docId: args.doc_id });
        if (!st.ok) throw new McpError(ErrorCode.InvalidParams, mcpRefusalText(st));
        const d = st.data;
        const active = ACTIVE_STATE_RULES[d.status as Status];
        const workflow: WorkflowType = active && active.kind === kind ? active.workflow : kind === "review" ? "REVIEW" : "APPROVAL";
        const text = renderTaskBody({
          docId: d.doc_id,
          docType: d.doc_type,
          title: d.title,
          workflow,
          status: d.status,
          version: d.version,
          responsibleUser: d.responsible_user,
          assignedBy: d.responsible_user ?? ctx.user,
          assignee: ctx.user,
          now: ctx.now,
        });
        return {
          description: `${kind} checklist for ${d.doc_id} v${d.version} (${d.status})`,
          messages: [{ role: "user", content: { type: "text", text } }],
        };
      },
    );
  }
}

const USER_ARG = "The QMS user (only without token authentication; defaults to the server's --user).";

/** A resource URI's document ID; a malformed percent-encoding is the client's error, not an internal one. */
function decodeDocId(raw: unknown): string {
  try {
    return decodeURIComponent(String(raw ?? ""));
  } catch {
    throw new McpError(ErrorCode.InvalidParams, `Malformed document URI: ${JSON.stringify(String(raw).slice(0, 60))} is not valid percent-encoding. Use qms://documents/SOP-001.`);
  }
}
