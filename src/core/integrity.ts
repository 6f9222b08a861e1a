import type { AuditEvent } from "./audit-events.js";
import { type ChainReport, checkChain } from "./audit-chain.js";
import type { DocMeta } from "./meta.js";
import { replay } from "./replay.js";
import { isStatus, type Status } from "./statuses.js";
import { ACTIVE_STATE_RULES, type WorkflowType } from "./transitions.js";
import { formatVersion, parseVersion, previousMinor } from "./version.js";

/**
 * The checks of `qms verify` (integrity spec §3) as pure functions of what the store found on disk: one
 * document's facts in, findings out. Each finding names the document, the file (and line), what is wrong and
 * what to do.
 */
export type CheckName = "chain" | "anchor" | "replay" | "files" | "archive" | "orphan" | "tasks" | "workspace" | "temp" | "users" | "vr" | "intent" | "meta";

export interface Finding {
  check: CheckName;
  doc_id?: string;
  file?: string;
  line?: number;
  what: string;
  fix: string;
}

export interface RecordedHead {
  lines: number;
  hash: string;
  deleted?: boolean;
}

export interface TaskFact {
  user: string;
  /** File name, e.g. `task-SOP-001-review-v0-1.md`. */
  name: string;
  path: string;
  assignedBy?: string;
}

export interface DocFacts {
  docId: string;
  executable: boolean;
  attachment: boolean;
  metaPath: string;
  meta?: DocMeta;
  /** The meta file is there but is not a JSON object. */
  metaProblem?: string;
  auditPath: string;
  /** The audit file's bytes; undefined when it does not exist. */
  audit?: Uint8Array;
  draftPath: string;
  hasDraft: boolean;
  effectivePath: string;
  hasEffective: boolean;
  /** Versions that have an archive file. */
  archived: ReadonlySet<string>;
  archivePathOf: (version: string) => string;
  tasks: readonly TaskFact[];
  /** Workspace files of this document (`{ID}.md`, `{ID}.interact`) by user. */
  workspace: ReadonlyArray<{ user: string; path: string }>;
  head?: RecordedHead;
}

export interface DocCheckEnv {
  /** Undefined when the user exists; otherwise why not. */
  userProblem: (name: string) => string | undefined;
  /** `{ID}-{workflow}-v{version}` task file name of a round. */
  taskName: (docId: string, workflow: WorkflowType, version: string) => string;
  normalize: (line: Record<string, unknown>) => AuditEvent;
}

const RESTORE = "restore it from version control (or a backup); QMS records are never edited by hand";

export function checkDocument(f: DocFacts, env: DocCheckEnv): Finding[] {
  const out: Finding[] = [];
  const add = (check: CheckName, what: string, fix: string, file: string, line?: number): void => {
    out.push({ check, doc_id: f.docId, file, ...(line !== undefined ? { line } : {}), what, fix });
  };

  // 1. the chain, and the anchor outside the project
  let chain: ChainReport | undefined;
  if (f.audit) {
    chain = checkChain(f.audit);
    for (const c of chain.findings) add("chain", c.what, RESTORE, f.auditPath, c.line);
  }
  if (f.head && !f.head.deleted) {
    if (!chain) add("anchor", `the audit trail is gone: the head store recorded ${f.head.lines} line(s)`, RESTORE, f.auditPath);
    else if (chain.count < f.head.lines) {
      add("anchor", `the audit trail was truncated: ${chain.count} line(s) left of ${f.head.lines} recorded in the head store`, RESTORE, f.auditPath, chain.count + 1);
    } else if (chain.headAt(f.head.lines) !== f.head.hash) {
      add("anchor", `the audit trail was rewritten: line ${f.head.lines} is not the line the head store recorded there`, RESTORE, f.auditPath, f.head.lines);
    }
  }

  if (f.metaProblem) {
    add("meta", f.metaProblem, RESTORE, f.metaPath);
    return out;
  }
  const meta = f.meta;
  if (!meta) {
    if (f.audit) add("orphan", "an audit trail without a meta file: the document's meta is missing", `${RESTORE} (the meta), or remove the trail if the document never existed`, f.auditPath);
    return out;
  }
  if (!isStatus(meta.status)) {
    add("meta", `the meta has an unknown status ${JSON.stringify(meta.status)}`, RESTORE, f.metaPath);
    return out;
  }

  // 2. the record is a function of its audit trail
  const events: AuditEvent[] = [];
  for (const l of chain?.lines ?? []) if (l.event) events.push(env.normalize(l.event));
  let archivedByTrail: string[] = [];
  if (!f.audit) {
    add("replay", "the document has a meta file but no audit trail (no CREATE event)", RESTORE, f.auditPath);
  } else if (events.length === 0) {
    add("replay", "the audit trail has no events (no CREATE event)", RESTORE, f.auditPath);
  } else {
    const r = replay(events, { createStatus: f.attachment ? "IN_EXECUTION" : "DRAFT" });
    archivedByTrail = r.archived;
    for (const p of r.problems) add("replay", p.what, RESTORE, f.auditPath, chain!.lines.filter((l) => l.event)[p.index]?.line);
    const s = r.state;
    const differs: string[] = [];
    if (s.status !== meta.status) differs.push(`status ${meta.status} (the trail says ${s.status ?? "nothing"})`);
    if (s.version !== meta.version) differs.push(`version ${meta.version} (the trail says ${s.version ?? "nothing"})`);
    if ((s.responsible_user ?? null) !== (meta.responsible_user ?? null)) differs.push(`responsible_user ${meta.responsible_user ?? "null"} (the trail says ${s.responsible_user ?? "null"})`);
    if (s.checked_out !== (meta.checked_out === true)) differs.push(`checked_out ${meta.checked_out === true} (the trail says ${s.checked_out})`);
    if (differs.length > 0) {
      add("replay", `the meta disagrees with its audit trail: ${differs.join("; ")}`, `${RESTORE}; the audit trail is the record, the meta is its cache`, f.metaPath);
    }
  }

  // 3. files vs meta
  const status: Status = meta.status;
  const terminal = status === "CLOSED" || status === "RETIRED";
  const inForce = status === "EFFECTIVE" || status === "CLOSED";
  if (!terminal && status !== "EFFECTIVE" && !f.hasDraft) add("files", `the document is ${status} but its draft is missing`, RESTORE, f.draftPath);
  if ((status === "EFFECTIVE" || terminal) && f.hasDraft) add("files", `the document is ${status} but a draft is still there`, `${RESTORE}, or remove the stray draft`, f.draftPath);
  if (inForce && !f.hasEffective) add("files", `the document is ${status} but its ${status === "CLOSED" ? "closed" : "effective"} file is missing`, RESTORE, f.effectivePath);
  if (status === "RETIRED" && f.hasEffective) add("files", "the document is RETIRED but its effective file is still there", `${RESTORE}, or remove the stray file`, f.effectivePath);
  const revising = !meta.executable && typeof meta.effective_version === "string" && meta.effective_version !== "";
  if (!inForce && !terminal && revising && !f.hasEffective) add("files", `v${meta.effective_version} is in force while v${meta.version} is revised, but its effective file is missing`, RESTORE, f.effectivePath);
  if (!inForce && !terminal && !revising && f.hasEffective) add("files", `the document is ${status} and has no version in force, but an effective file is there`, `${RESTORE}, or remove the stray file`, f.effectivePath);

  // every approved version before the current one has its archive file (and what the trail says was archived)
  const current = parseVersion(meta.version);
  const expected = new Set<string>();
  for (let major = 1; major <= current.major; major++) {
    const v = formatVersion({ major, minor: 0 });
    if (major < current.major || current.minor > 0) expected.add(v);
  }
  for (const v of archivedByTrail) expected.add(v);
  // the text of the version in force is its effective file; an execution revision is archived at checkin
  if (revising && f.hasEffective) expected.delete(meta.effective_version as string);
  if (status === "IN_EXECUTION" && meta.checked_out && current.minor > 0) expected.delete(previousMinor(meta.version));
  for (const v of [...expected].sort()) {
    if (!f.archived.has(v)) add("archive", `the archived text of v${v} is missing`, RESTORE, f.archivePathOf(v));
  }

  // 4. inbox tasks vs pending assignees, workspace copies vs checkout
  const rule = ACTIVE_STATE_RULES[status];
  const pending = Array.isArray(meta.pending_assignees) ? meta.pending_assignees : [];
  const wanted = new Map<string, string>();
  if (rule) for (const u of pending) wanted.set(u, `${env.taskName(f.docId, rule.workflow, meta.version)}.md`);
  for (const [u, name] of wanted) {
    if (!f.tasks.some((t) => t.user === u && t.name === name)) {
      add("tasks", `${u} is a pending ${rule!.kind === "review" ? "reviewer" : "approver"} but has no task ${name}`, `re-assign ${u} (assign), or withdraw and route again`, `.claude/users/${u}/inbox/${name}`);
    }
  }
  for (const t of f.tasks) {
    if (wanted.get(t.user) !== t.name) {
      add("tasks", rule && pending.includes(t.user) ? `a task of another round is in ${t.user}'s inbox` : `a task for ${t.user}, who is not a pending assignee${rule ? "" : ` (the document is ${status})`}`, "remove the stale task file", t.path);
    }
  }
  const owner = meta.responsible_user;
  if (meta.checked_out === true) {
    if (owner && !f.workspace.some((w) => w.user === owner)) {
      add("workspace", `checked out to ${owner}, but ${owner}'s workspace has no copy`, `${owner} checks it out again after a withdraw, or an administrator restores the copy`, `.claude/users/${owner}/workspace/${f.docId}.md`);
    }
    for (const w of f.workspace) if (w.user !== owner) add("workspace", `a copy in ${w.user}'s workspace, but the document is checked out to ${owner ?? "nobody"}`, "remove the stray copy", w.path);
  } else {
    for (const w of f.workspace) add("workspace", `a workspace copy of ${w.user}, but the document is not checked out`, "remove the stray copy (check the document out to edit it)", w.path);
  }

  // 5. users named in meta and tasks exist
  const named = new Set<string>();
  if (owner) named.add(owner);
  for (const u of pending) named.add(u);
  for (const name of named) {
    const problem = env.userProblem(name);
    if (problem) add("users", `${name} (named in the meta) ${problem}`, "have an administrator add the user, or restore its agent file", f.metaPath);
  }
  for (const t of f.tasks) {
    for (const [role, name] of [["inbox owner", t.user], ["assigner", t.assignedBy]] as const) {
      const problem = name ? env.userProblem(name) : undefined;
      if (problem) add("users", `the task's ${role} ${name} ${problem}`, "have an administrator add the user, or remove the task", t.path);
    }
  }
  return out;
}
