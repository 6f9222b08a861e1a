import { z } from "zod";
import type { ServiceResult } from "../core/result.js";
import { approve } from "../services/approve.js";
import { assign } from "../services/assign.js";
import { cancel } from "../services/cancel.js";
import { checkin } from "../services/checkin.js";
import { checkout } from "../services/checkout.js";
import { close } from "../services/close.js";
import { comments } from "../services/comments.js";
import type { ServiceContext } from "../services/context.js";
import { create } from "../services/create.js";
import { fix } from "../services/fix.js";
import { history } from "../services/history.js";
import { inbox } from "../services/inbox.js";
import { read } from "../services/read.js";
import { reject } from "../services/reject.js";
import { release } from "../services/release.js";
import { revert } from "../services/revert.js";
import { review } from "../services/review.js";
import { route } from "../services/route.js";
import { status } from "../services/status.js";
import { withdraw } from "../services/withdraw.js";
import { workspace } from "../services/workspace.js";
import { interact as interactService } from "../services/interact.js";
import { list } from "../services/list.js";
import { verify } from "../services/verify.js";

/**
 * The 21 tools of qms.md §10.3 (same names and parameters as the Python server), plus `qms_list` (TS) and
 * `qms_verify` (integrity spec §3). Each one only maps its
 * arguments onto a service call; every rule lives in the services (the CLI calls the same functions).
 */

// biome-ignore lint/suspicious/noExplicitAny: tool argument bags are validated by their zod schema
export type ToolArgs = Record<string, any>;

export interface ToolDef {
  name: string;
  title: string;
  description: string;
  /** The tool's own parameters; `user` is added per server by `toolSchema`, required or not by auth mode. */
  fields: z.ZodRawShape;
  readOnly: boolean;
  destructive?: boolean;
  call: (ctx: ServiceContext, args: ToolArgs) => ServiceResult<unknown> | Promise<ServiceResult<unknown>>;
}

const USER_DESCRIPTION =
  "The QMS user acting. With token authentication the token decides who you are: omit it, or pass the same name (a different name is refused as impersonation). Without authentication (stdio, --auth none) it is required.";

const USER_REQUIRED_DESCRIPTION =
  "The QMS user acting (required: this server does not authenticate callers, so every call names its user, e.g. 'claude').";
const docId = z.string().max(200).describe("Document ID, e.g. SOP-001, CR-012, CR-012-TP-001");
const opt = (s: string): z.ZodOptional<z.ZodString> => z.string().max(200).optional().describe(s);

const MISSING_USER =
  "Missing 'user': this server does not authenticate callers (stdio, or --auth none), so every tool call must name the QMS user acting; call the tool again with user set to your QMS user name, e.g. user='claude'.";

/** A tool's input schema: its fields plus `user`, optional with token auth (the token decides), required without. */
export function toolSchema(tool: Pick<ToolDef, "fields">, userRequired: boolean): z.ZodObject<z.ZodRawShape> {
  const user = userRequired
    ? z.string({ error: MISSING_USER }).min(1, { error: MISSING_USER }).max(200).describe(USER_REQUIRED_DESCRIPTION)
    : z.string().max(200).optional().describe(USER_DESCRIPTION);
  return z.object({ ...tool.fields, user });
}

const shape = (fields: z.ZodRawShape): z.ZodRawShape => fields;
const docOnly = shape({ doc_id: docId });

/** Blank optional strings mean "not given", as in the Python server's `version=""` defaults. */
const given = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

export const TOOLS: readonly ToolDef[] = [
  {
    name: "qms_inbox",
    title: "Inbox",
    description: "List your pending review and approval tasks (qms inbox).",
    fields: shape({}),
    readOnly: true,
    call: (ctx) => inbox(ctx),
  },
  {
    name: "qms_workspace",
    title: "Workspace",
    description: "List the documents you have checked out (qms workspace).",
    fields: shape({}),
    readOnly: true,
    call: (ctx) => workspace(ctx),
  },
  {
    name: "qms_list",
    title: "List documents",
    description:
      "List every document of the project with ID, type, version, status, owner, checkout holder and title, sorted by ID; optionally only one type, status or owner, or only those waiting for you (mine=true) (qms list).",
    fields: shape({
      type: opt("Only this document type, e.g. SOP, CR"),
      status: opt("Only this status, e.g. DRAFT, EFFECTIVE, IN_REVIEW"),
      owner: opt("Only documents whose owner (responsible user) is this user"),
      mine: z.boolean().optional().describe("Only documents waiting for you: a review or approval assigned to you, or your next step as owner"),
    }),
    readOnly: true,
    call: (ctx, a) => list(ctx, { type: given(a.type), status: given(a.status), owner: given(a.owner), mine: a.mine === true }),
  },
  {
    name: "qms_status",
    title: "Document status",
    description: "Show a document's workflow state: version, status, owner, pending reviewers or approvers (qms status).",
    fields: docOnly,
    readOnly: true,
    call: (ctx, a) => status(ctx, { docId: a.doc_id }),
  },
  {
    name: "qms_read",
    title: "Read document",
    description: "Return a document's text: the effective version, the draft (draft=true) or an archived version (version='1.0') (qms read).",
    fields: shape({ doc_id: docId, version: opt("Archived version to read, e.g. 1.0"), draft: z.boolean().optional().describe("Read the draft") }),
    readOnly: true,
    call: (ctx, a) => read(ctx, { docId: a.doc_id, draft: a.draft === true, version: given(a.version) }),
  },
  {
    name: "qms_history",
    title: "Audit history",
    description: "Show a document's audit trail (qms history).",
    fields: docOnly,
    readOnly: true,
    call: (ctx, a) => history(ctx, { docId: a.doc_id }),
  },
  {
    name: "qms_comments",
    title: "Review comments",
    description: "Show review and rejection comments, optionally for one version (qms comments).",
    fields: shape({ doc_id: docId, version: opt("Only comments on this version, e.g. 0.1") }),
    readOnly: true,
    call: (ctx, a) => comments(ctx, { docId: a.doc_id, version: given(a.version) }),
  },
  {
    name: "qms_create",
    title: "Create document",
    description:
      "Create a new controlled document, checked out to you (qms create TYPE --title T). Types: SOP, CR, INV, TP, ER, VAR, ADD, VR, TEMPLATE, or NS-RS / NS-RTM for a registered SDLC namespace. TP/ER/VAR/ADD/VR need parent; TEMPLATE needs name.",
    fields: shape({
      doc_type: z.string().max(200).describe("Document type, e.g. SOP, CR, INV"),
      title: z.string().max(1000).describe("Document title"),
      parent: opt("Parent document ID (TP, ER, VAR, ADD, VR)"),
      name: opt("Template name (TEMPLATE only)"),
    }),
    readOnly: false,
    call: (ctx, a) => create(ctx, { type: a.doc_type, title: a.title, parent: given(a.parent), name: given(a.name) }),
  },
  {
    name: "qms_checkout",
    title: "Check out",
    description:
      "Check a document out into your workspace to edit it (qms checkout). discard=true instead abandons your checked-out revision draft of an EFFECTIVE or IN_EXECUTION document: back to the previous version (qms checkout --discard).",
    fields: shape({ doc_id: docId, discard: z.boolean().optional().describe("Abandon your checked-out revision draft (N.X of an EFFECTIVE or IN_EXECUTION document)") }),
    readOnly: false,
    call: (ctx, a) => checkout(ctx, { docId: a.doc_id, discard: a.discard === true }),
  },
  {
    name: "qms_checkin",
    title: "Check in",
    description: "Check your workspace copy back in (qms checkin).",
    fields: docOnly,
    readOnly: false,
    call: (ctx, a) => checkin(ctx, { docId: a.doc_id }),
  },
  {
    name: "qms_cancel",
    title: "Cancel document",
    description: "Delete a never-approved (v0.x) document entirely. Refused unless confirm=true (qms cancel --confirm).",
    fields: shape({ doc_id: docId, confirm: z.boolean().optional().describe("Really delete it") }),
    readOnly: false,
    destructive: true,
    call: (ctx, a) => cancel(ctx, { docId: a.doc_id, confirm: a.confirm === true }),
  },
  {
    name: "qms_route",
    title: "Route",
    description: "Send a document for review or approval (qms route --review | --approval [--retire]).",
    fields: shape({
      doc_id: docId,
      route_type: z.enum(["review", "approval"]).describe("review or approval"),
      retire: z.boolean().optional().describe("Approval leads to retirement (v1.0 and later)"),
      allow_placeholders: z.boolean().optional().describe("Route even though template placeholders ({{...}}, [UPPERCASE]) remain; recorded in the audit trail"),
    }),
    readOnly: false,
    call: (ctx, a) => route(ctx, { docId: a.doc_id, kind: a.route_type, retire: a.retire === true, allowPlaceholders: a.allow_placeholders === true }),
  },
  {
    name: "qms_assign",
    title: "Assign",
    description: "Add reviewers or approvers to an active workflow (quality group) (qms assign --assignees).",
    fields: shape({ doc_id: docId, assignees: z.array(z.string().max(200)).max(100).describe("Users to add") }),
    readOnly: false,
    call: (ctx, a) => assign(ctx, { docId: a.doc_id, assignees: a.assignees }),
  },
  {
    name: "qms_review",
    title: "Review",
    description: "Submit your review of a document assigned to you (qms review --recommend | --request-updates --comment).",
    fields: shape({
      doc_id: docId,
      outcome: z.enum(["recommend", "request-updates"]).describe("recommend or request-updates"),
      comment: z.string().max(20000).optional().describe("Review comment"),
    }),
    readOnly: false,
    call: (ctx, a) => review(ctx, { docId: a.doc_id, outcome: a.outcome, comment: a.comment ?? "" }),
  },
  {
    name: "qms_approve",
    title: "Approve",
    description: "Approve a document assigned to you (qms approve).",
    fields: docOnly,
    readOnly: false,
    call: (ctx, a) => approve(ctx, { docId: a.doc_id }),
  },
  {
    name: "qms_reject",
    title: "Reject",
    description: "Reject a document in approval, with a comment saying why (qms reject --comment).",
    fields: shape({ doc_id: docId, comment: z.string().max(20000).describe("Why (required)") }),
    readOnly: false,
    call: (ctx, a) => reject(ctx, { docId: a.doc_id, comment: a.comment }),
  },
  {
    name: "qms_withdraw",
    title: "Withdraw",
    description: "Take back a document you routed (qms withdraw).",
    fields: docOnly,
    readOnly: false,
    call: (ctx, a) => withdraw(ctx, { docId: a.doc_id }),
  },
  {
    name: "qms_release",
    title: "Release",
    description: "Release a pre-approved executable document for execution (qms release).",
    fields: docOnly,
    readOnly: false,
    call: (ctx, a) => release(ctx, { docId: a.doc_id }),
  },
  {
    name: "qms_revert",
    title: "Revert",
    description: "(Deprecated: use checkout) return a post-reviewed document to execution, with a reason (qms revert --reason).",
    fields: shape({ doc_id: docId, reason: z.string().max(20000).describe("Why (required)") }),
    readOnly: false,
    call: (ctx, a) => revert(ctx, { docId: a.doc_id, reason: a.reason }),
  },
  {
    name: "qms_close",
    title: "Close",
    description: "Close a post-approved executable document (qms close).",
    fields: docOnly,
    readOnly: false,
    call: (ctx, a) => close(ctx, { docId: a.doc_id }),
  },
  {
    name: "qms_interact",
    title: "Interact (VR)",
    description:
      "Author an interactive document (VR) one prompt at a time (qms interact). Without flags: the current prompt and its guidance. respond answers it (a gate: yes or no); file takes the answer from a file in your workspace; goto + reason amends an earlier answer; cancel_goto leaves amendment mode; reopen + reason reopens a closed loop; progress lists every prompt; compile previews the record. One action per call, by priority progress > compile > cancel_goto > goto > reopen > respond. progress and compile work for any user (from the checked-in record unless you hold the checkout).",
    fields: shape({
      doc_id: docId,
      respond: z.string().max(1_000_000).optional().describe("The answer to the current prompt (a gate takes yes or no)"),
      file: z.string().max(1000).optional().describe("A file in your workspace, relative to it, whose content is the answer (e.g. step output)"),
      reason: z.string().max(20000).optional().describe("Why (required with goto and reopen)"),
      goto: opt("An answered prompt to amend, e.g. objective or step_actual.2"),
      cancel_goto: z.boolean().optional().describe("Leave amendment mode without recording"),
      reopen: opt("A closed loop to reopen, e.g. steps"),
      progress: z.boolean().optional().describe("List every prompt, answered or not"),
      compile: z.boolean().optional().describe("Preview the compiled record (writes nothing)"),
    }),
    readOnly: false,
    call: async (ctx, a) => interact(ctx, a),
  },
  {
    name: "qms_fix",
    title: "Administrative fix",
    description: "Administrative clean-up of an EFFECTIVE or CLOSED document (administrators only) (qms fix).",
    fields: docOnly,
    readOnly: false,
    call: (ctx, a) => fix(ctx, { docId: a.doc_id }),
  },
  {
    name: "qms_verify",
    title: "Verify the record",
    description:
      "Check the record's integrity (quality and administrators): audit hash chains, meta against its audit trail, files, archive, inbox tasks, workspace copies, temp files of interrupted writes, users, VR compilations; findings as structured content (qms verify).",
    fields: shape({
      doc_ids: z.array(z.string().max(200)).max(1000).optional().describe("Only these documents (default: all)"),
      anchor: z.boolean().optional().describe("Also return one digest over every audit file's head (a checkpoint)"),
      against: z.string().max(200).optional().describe("Check that an earlier anchor digest is a prefix of today's record"),
    }),
    readOnly: true,
    call: (ctx, a) => verify(ctx, { docIds: Array.isArray(a.doc_ids) ? a.doc_ids : [], anchor: a.anchor === true, ...(given(a.against) ? { against: a.against } : {}) }),
  },
];

/** Only for benchmarks (QMS_MCP_BENCH=1): the same call path as every tool, with no service behind it. */
export const NOOP_TOOL: ToolDef = {
  name: "qms_noop",
  title: "No-op (benchmark)",
  description: "Does nothing; exists only when QMS_MCP_BENCH=1, as the baseline of the MCP benchmark.",
  fields: shape({}),
  readOnly: true,
  call: () => ({ ok: true, data: {}, lines: ["ok"] }),
};

/** `qms_interact` maps its snake_case arguments onto the interact service. */
function interact(ctx: ServiceContext, a: ToolArgs): ServiceResult<unknown> {
  return interactService(ctx, {
    docId: a.doc_id,
    // an empty respond means "not given", except beside a file (the answer is the file's content)
    respond: given(a.respond),
    file: given(a.file),
    reason: given(a.reason),
    goto: given(a.goto),
    cancelGoto: a.cancel_goto === true,
    reopen: given(a.reopen),
    progress: a.progress === true,
    compile: a.compile === true,
  });
}
