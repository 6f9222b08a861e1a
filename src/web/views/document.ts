import type { AuditEvent } from "../../core/audit-events.js";
import type { Refusal } from "../../core/result.js";
import type { CommentEntry } from "../../services/comments.js";
import type { NextStep } from "../../services/list.js";
import type { ReadData } from "../../services/read.js";
import type { StatusData } from "../../services/status.js";
import type { VrRecordData } from "../../services/vr-record.js";
import { formatEvent } from "../../services/history.js";
import { type Line, type SplitRow, type VersionDiff, isSkip } from "../diff.js";
import { type Html, html, query } from "../html.js";
import { renderDocument } from "../markdown.js";
import { refusalBox, userList, when } from "./layout.js";
import { approvalMeaning, describeStep, rejectMeaning, reviewMeaning, signatureMeaning } from "./meaning.js";

export interface VersionEntry {
  /** `draft` or a version such as `1.0`. */
  key: string;
  version: string;
  source: "archive" | "effective" | "draft";
  text: string;
}

export interface DiffChoice {
  a: VersionEntry;
  b: VersionEntry;
  view: "inline" | "split";
  result: VersionDiff;
}

export interface DocumentPage {
  csrf: string;
  viewer: { user: string; group: string };
  status: StatusData;
  next: NextStep[];
  /** The approval round now open asks for retirement. */
  retiring: boolean;
  effective?: ReadData;
  draft?: ReadData;
  versions: VersionEntry[];
  diff?: DiffChoice;
  events: AuditEvent[];
  comments: CommentEntry[];
  commentNotes: string[];
  vr?: VrRecordData;
  /** A refused action: shown above the forms, with what the user typed kept. */
  refusal?: Refusal;
  form?: Record<string, string>;
}

const ACTIVE = ["IN_REVIEW", "IN_PRE_REVIEW", "IN_POST_REVIEW", "IN_APPROVAL", "IN_PRE_APPROVAL", "IN_POST_APPROVAL"];

function hidden(p: DocumentPage): Html {
  return html`<input type="hidden" name="_csrf" value="${p.csrf}"><input type="hidden" name="expect" value="${p.status.version}|${p.status.status}">`;
}

function statusCard(p: DocumentPage): Html {
  const s = p.status;
  const inReview = ACTIVE.slice(0, 3).includes(s.status);
  const inApproval = ACTIVE.slice(3).includes(s.status);
  const steps = p.next.length === 0
    ? html`<li>Nothing is pending${s.status === "EFFECTIVE" ? ": the document is in force; an initiator may check it out to revise it" : ""}.</li>`
    : p.next.map((n) => html`<li>${n.user ? html`<strong>${n.user}</strong>${n.user === p.viewer.user ? " (you)" : ""} must ` : "Next: "}${describeStep(n)}</li>`);
  return html`<section class="card" aria-labelledby="card-h">
<h2 id="card-h">Status</h2>
<dl class="facts">
<dt>Status</dt><dd><span class="status s-${s.status.toLowerCase()}">${s.status}</span></dd>
<dt>Version</dt><dd>${s.version}${s.effective_version ? html` <span class="muted">(effective: ${s.effective_version})</span>` : ""}</dd>
<dt>Type</dt><dd>${s.doc_type}${s.executable ? ` (executable${s.execution_phase ? `, ${s.execution_phase}` : ""})` : ""}</dd>
<dt>Owner</dt><dd>${userList(s.responsible_user ? [s.responsible_user] : [])}</dd>
<dt>Checked out</dt><dd>${s.checked_out ? `yes, by ${s.responsible_user ?? "?"}` : "no"}</dd>
${inReview ? html`<dt>Pending reviewers</dt><dd>${userList(s.pending_assignees)}</dd>` : ""}
${inApproval ? html`<dt>Pending approvers</dt><dd>${userList(s.pending_assignees)}</dd>` : ""}
</dl>
<h3>What happens next</h3>
<ul class="next">${steps}</ul>
</section>`;
}

function reviewForm(p: DocumentPage): Html {
  const { doc_id: id, version } = p.status;
  const outcome = p.form?.outcome ?? "recommend";
  return html`<form method="post" action="/ui/doc/${id}/review" class="action">
<fieldset><legend>Review ${id} v${version}</legend>
${hidden(p)}
<div role="radiogroup" aria-label="Outcome">
<label class="check"><input type="radio" name="outcome" value="recommend"${outcome === "recommend" ? html` checked` : ""}> Recommend: ${reviewMeaning(id, version, "recommend")}</label>
<label class="check"><input type="radio" name="outcome" value="request-updates"${outcome === "request-updates" ? html` checked` : ""}> Request updates: ${reviewMeaning(id, version, "request-updates")}</label>
</div>
<label>Comment (required)<textarea name="comment" rows="5" required>${p.form?.comment ?? ""}</textarea></label>
<button type="submit">Submit review</button>
</fieldset></form>`;
}

function approveForms(p: DocumentPage): Html {
  const { doc_id: id, version, status } = p.status;
  const meaning = approvalMeaning(id, version, status, p.retiring);
  return html`<form method="post" action="/ui/doc/${id}/approve" class="action sign">
<fieldset><legend>Approve</legend>
${hidden(p)}
<p class="meaning">Your signature means: <strong>${meaning}</strong>.</p>
<label class="check"><input type="checkbox" name="confirm" value="yes" required> I confirm: ${meaning}</label>
<button type="submit">Approve</button>
</fieldset></form>
<form method="post" action="/ui/doc/${id}/reject" class="action sign">
<fieldset><legend>Reject</legend>
${hidden(p)}
<p class="meaning">Your signature means: <strong>${rejectMeaning(id, version)}</strong>.</p>
<label>Why (required)<textarea name="comment" rows="4" required>${p.form?.comment ?? ""}</textarea></label>
<label class="check"><input type="checkbox" name="confirm" value="yes" required> I confirm: ${rejectMeaning(id, version)}</label>
<button type="submit">Reject</button>
</fieldset></form>`;
}

function ownerForms(p: DocumentPage): Html {
  const id = p.status.doc_id;
  const simple = (action: string, label: string, note: string): Html => html`<form method="post" action="/ui/doc/${id}/${action}" class="action inline">
${hidden(p)}<button type="submit">${label}</button> <span class="muted">${note}</span></form>`;
  return html`<form method="post" action="/ui/doc/${id}/route" class="action">
<fieldset><legend>Route ${id}</legend>
${hidden(p)}
<div role="radiogroup" aria-label="Workflow">
<label class="check"><input type="radio" name="route_type" value="review" checked> for review</label>
<label class="check"><input type="radio" name="route_type" value="approval"> for approval</label>
</div>
<label>Assign to (names separated by spaces or commas; default qa)<input type="text" name="assign" value="${p.form?.assign ?? ""}"></label>
<label class="check"><input type="checkbox" name="retire" value="yes"> approval retires the document</label>
<button type="submit">Route</button>
</fieldset></form>
<form method="post" action="/ui/doc/${id}/assign" class="action">
<fieldset><legend>Add reviewers or approvers (quality)</legend>
${hidden(p)}
<label>Users (separated by spaces or commas)<input type="text" name="assignees" required value="${p.form?.assignees ?? ""}"></label>
<button type="submit">Assign</button>
</fieldset></form>
${simple("release", "Release", "start execution (pre-approved executable documents)")}
${simple("close", "Close", "close an executed, post-approved document")}
${simple("withdraw", "Withdraw", "end the review or approval in progress (owner)")}`;
}

function actions(p: DocumentPage): Html {
  const me = p.viewer.user;
  const mine = p.next.filter((n) => n.user === me);
  const primary: Html[] = [];
  if (mine.some((n) => n.action === "review")) primary.push(reviewForm(p));
  if (mine.some((n) => n.action === "approve")) primary.push(approveForms(p));
  const others: Html[] = [];
  if (primary.length === 0) others.push(reviewForm(p), approveForms(p));
  others.push(ownerForms(p));
  return html`<section aria-labelledby="act-h">
<h2 id="act-h">Actions</h2>
${p.refusal ? refusalBox(p.refusal) : ""}
${primary.length > 0 ? html`<div class="primary">${primary}</div>` : html`<p class="muted">Nothing is waiting for you on this document.</p>`}
<details${p.refusal && primary.length === 0 ? html` open` : ""}><summary>Other actions</summary>
<p class="muted">Each action runs as ${me} through the same rules as the CLI and MCP; a step that is not yours is refused with the reason.</p>
${others}
</details>
</section>`;
}

function textSection(p: DocumentPage): Html {
  const parts: Html[] = [];
  for (const [label, data] of [
    ["Effective text", p.effective],
    ["Draft text", p.draft],
  ] as const) {
    if (!data) continue;
    const doc = renderDocument(data.content);
    const title = typeof doc.frontmatter.title === "string" ? doc.frontmatter.title : "";
    const summary = typeof doc.frontmatter.revision_summary === "string" ? doc.frontmatter.revision_summary : "";
    parts.push(html`<article class="doc-text" aria-label="${label}">
<h3>${label} <span class="muted">v${data.version} (${data.source})</span></h3>
${title || summary ? html`<dl class="facts small">${title ? html`<dt>Title</dt><dd>${title}</dd>` : ""}${summary ? html`<dt>Revision summary</dt><dd>${summary}</dd>` : ""}</dl>` : ""}
<div class="markdown">${doc.body}</div>
</article>`);
  }
  return html`<section aria-labelledby="text-h"><h2 id="text-h">Text</h2>${parts.length > 0 ? parts : html`<p>No readable text.</p>`}</section>`;
}

function versionLabel(v: VersionEntry): string {
  return `v${v.version} (${v.source})`;
}

function versionsSection(p: DocumentPage): Html {
  const id = p.status.doc_id;
  const rows = p.versions.map(
    (v, i) => html`<tr><td>${versionLabel(v)}</td><td>${i > 0 ? html`<a href="/ui/doc/${id}${query({ a: p.versions[i - 1]!.key, b: v.key })}#diff">compare with ${versionLabel(p.versions[i - 1]!)}</a>` : html`<span class="muted">first</span>`}</td></tr>`,
  );
  return html`<section aria-labelledby="ver-h"><h2 id="ver-h">Versions</h2>
${p.versions.length === 0 ? html`<p>No versions.</p>` : html`<table class="plain"><thead><tr><th scope="col">Version</th><th scope="col">Compare</th></tr></thead><tbody>${rows}</tbody></table>`}
</section>`;
}

function cells(line: Line | undefined, side: "old" | "new"): Html {
  if (!line) return html`<td class="ln"></td><td class="empty"></td>`;
  const no = side === "old" ? line.oldNo : line.newNo;
  return html`<td class="ln">${no ?? ""}</td><td class="${line.kind}">${line.segments.map((s) => (s.changed && line.kind !== "same" ? html`<mark>${s.text}</mark>` : s.text))}</td>`;
}

const SIGN: Record<string, string> = { add: "+", del: "−", same: " " };

function diffSection(p: DocumentPage): Html {
  const id = p.status.doc_id;
  if (p.versions.length < 2) return html`<section id="diff" aria-labelledby="diff-h"><h2 id="diff-h">Compare versions</h2><p>Only one version exists.</p></section>`;
  const d = p.diff;
  const options = (name: string, current: string | undefined): Html => html`<select name="${name}" id="diff-${name}">${p.versions.map(
    (v) => html`<option value="${v.key}"${v.key === current ? html` selected` : ""}>${versionLabel(v)}</option>`,
  )}</select>`;
  const form = html`<form method="get" action="/ui/doc/${id}" class="filters">
<label for="diff-a">From</label>${options("a", d?.a.key)}
<label for="diff-b">To</label>${options("b", d?.b.key)}
<label for="diff-view">View</label><select name="view" id="diff-view"><option value="inline"${d?.view !== "split" ? html` selected` : ""}>inline</option><option value="split"${d?.view === "split" ? html` selected` : ""}>side by side</option></select>
<button type="submit">Compare</button>
</form>`;
  if (!d) return html`<section id="diff" aria-labelledby="diff-h"><h2 id="diff-h">Compare versions</h2>${form}</section>`;
  const inline = d.result.inline.map((x) =>
    isSkip(x)
      ? html`<tr class="skip"><td colspan="4">… ${x.skipped} unchanged line${x.skipped === 1 ? "" : "s"} …</td></tr>`
      : html`<tr class="row-${x.kind}"><td class="ln">${x.oldNo ?? ""}</td><td class="ln">${x.newNo ?? ""}</td><td class="sign" aria-hidden="true">${SIGN[x.kind]}</td><td class="${x.kind}">${x.kind === "same" ? "" : html`<span class="visually-hidden">${x.kind === "add" ? "added: " : "removed: "}</span>`}${x.segments.map((s) => (s.changed && x.kind !== "same" ? html`<mark>${s.text}</mark>` : s.text))}</td></tr>`,
  );
  const split = d.result.split.map((x) =>
    isSkip(x)
      ? html`<tr class="skip"><td colspan="4">… ${x.skipped} unchanged line${x.skipped === 1 ? "" : "s"} …</td></tr>`
      : html`<tr>${cells((x as SplitRow).left, "old")}${cells((x as SplitRow).right, "new")}</tr>`,
  );
  const unchanged = d.result.added === 0 && d.result.removed === 0;
  return html`<section id="diff" aria-labelledby="diff-h"><h2 id="diff-h">Compare versions</h2>
${form}
<p>${versionLabel(d.a)} → ${versionLabel(d.b)}: ${unchanged ? "no difference" : `${d.result.added} line${d.result.added === 1 ? "" : "s"} added, ${d.result.removed} removed`}.</p>
<div class="diff-toggle" data-diff-toggle hidden><button type="button" data-view="inline" aria-pressed="${d.view === "inline" ? "true" : "false"}">Inline</button><button type="button" data-view="split" aria-pressed="${d.view === "split" ? "true" : "false"}">Side by side</button></div>
<div class="scroll" id="diff-inline"${d.view === "inline" ? "" : html` hidden`}><table class="diff"><caption class="visually-hidden">Inline diff</caption><thead><tr><th scope="col">Old</th><th scope="col">New</th><th scope="col"><span class="visually-hidden">Change</span></th><th scope="col">Text</th></tr></thead><tbody>${inline}</tbody></table></div>
<div class="scroll" id="diff-split"${d.view === "split" ? "" : html` hidden`}><table class="diff split"><caption class="visually-hidden">Side-by-side diff</caption><thead><tr><th scope="col">Line</th><th scope="col">${versionLabel(d.a)}</th><th scope="col">Line</th><th scope="col">${versionLabel(d.b)}</th></tr></thead><tbody>${split}</tbody></table></div>
</section>`;
}

function timeline(p: DocumentPage): Html {
  let workflow: string | undefined;
  const items = p.events.map((e) => {
    if (e.event === "ROUTE_REVIEW") workflow = String(e.review_type ?? "REVIEW");
    if (e.event === "ROUTE_APPROVAL") workflow = String(e.approval_type ?? "APPROVAL");
    const meaning = signatureMeaning(e, workflow, p.status.doc_id);
    const text = typeof e.comment === "string" ? e.comment : typeof e.reason === "string" ? e.reason : "";
    const summary = (formatEvent(e)[0] ?? "").replace(/^\[[^\]]*\]\s*/, "");
    return html`<li class="ev ev-${String(e.event).toLowerCase()}">
<div class="ev-head"><span class="ev-name">${e.event}</span> by <strong>${e.user}</strong> · v${e.version} · ${when(e.ts)}${e.via ? html` · <span class="tag">via ${String(e.via)}</span>` : ""}</div>
<div class="ev-line">${summary}</div>
${meaning ? html`<div class="ev-meaning">Signature: ${meaning}</div>` : ""}
${text ? html`<blockquote>${text}</blockquote>` : ""}
</li>`;
  });
  return html`<section aria-labelledby="audit-h" data-doc-live="${p.status.doc_id}"><h2 id="audit-h">Audit timeline</h2>
<p class="notice-info" data-live-notice hidden role="status">This document changed since the page was loaded. <a href="/ui/doc/${p.status.doc_id}">Reload</a></p>
${items.length === 0 ? html`<p>No audit events.</p>` : html`<ol class="timeline">${items}</ol>`}
</section>`;
}

function commentsSection(p: DocumentPage): Html {
  const rounds = new Map<string, CommentEntry[]>();
  for (const c of p.comments) rounds.set(c.version, [...(rounds.get(c.version) ?? []), c]);
  const blocks = [...rounds.entries()].map(
    ([version, list]) => html`<h3>Round on v${version}</h3><ul class="comments">${list.map(
      (c) => html`<li><div><strong>${c.user}</strong> · ${c.outcome} · ${when(c.ts)}</div><blockquote>${c.comment}</blockquote></li>`,
    )}</ul>`,
  );
  return html`<section aria-labelledby="com-h"><h2 id="com-h">Review comments</h2>
${blocks.length > 0 ? blocks : html`<p>No comments.</p>`}
${p.commentNotes.map((n) => html`<p class="muted">${n}</p>`)}
</section>`;
}

function tasksSection(p: DocumentPage): Html {
  const s = p.status;
  const kind = ACTIVE.slice(0, 3).includes(s.status) ? "review" : ACTIVE.slice(3).includes(s.status) ? "approval" : undefined;
  return html`<section aria-labelledby="tasks-h"><h2 id="tasks-h">Open tasks</h2>
${kind && s.pending_assignees.length > 0 ? html`<ul>${s.pending_assignees.map((u) => html`<li>${u}: ${kind} of v${s.version} (${s.status})</li>`)}</ul>` : html`<p>No open review or approval tasks.</p>`}
</section>`;
}

function vrSection(p: DocumentPage): Html {
  const vr = p.vr;
  if (!vr) return html``;
  return html`<section aria-labelledby="vr-h"><h2 id="vr-h">Verification record</h2>
<p>Template ${vr.template ?? "?"} version ${vr.template_version ?? "?"}; ${vr.responses.length} response${vr.responses.length === 1 ? "" : "s"}. The compiled record is the document text above.</p>
<div class="scroll"><table class="plain"><thead><tr><th scope="col">Prompt</th><th scope="col">Response</th><th scope="col">By</th><th scope="col">When</th><th scope="col">Evidence commit</th></tr></thead><tbody>
${vr.responses.map(
  (r) => html`<tr${r.superseded ? html` class="superseded"` : ""}><td>${r.prompt}</td><td>${r.superseded ? html`<del>${r.value}</del>` : r.value}${r.reason ? html`<div class="muted">amended: ${r.reason}</div>` : ""}</td><td>${r.author}</td><td>${when(r.timestamp)}</td><td>${r.commit ? html`<code>${r.commit}</code>` : html`<span class="muted">—</span>`}</td></tr>`,
)}
</tbody></table></div>
</section>`;
}

export function documentView(p: DocumentPage): Html {
  const s = p.status;
  return html`<p class="crumbs"><a href="/ui/documents">Documents</a> › ${s.doc_id}</p>
<h1>${s.doc_id}${s.title ? html` <span class="title">${s.title}</span>` : ""}</h1>
<nav class="toc" aria-label="On this page"><a href="#card-h">Status</a> <a href="#act-h">Actions</a> <a href="#text-h">Text</a> <a href="#ver-h">Versions</a> <a href="#diff">Compare</a> <a href="#audit-h">Audit</a> <a href="#com-h">Comments</a> <a href="#tasks-h">Tasks</a></nav>
<div class="doc-grid">
${statusCard(p)}
${actions(p)}
</div>
${textSection(p)}
${versionsSection(p)}
${diffSection(p)}
${timeline(p)}
${commentsSection(p)}
${tasksSection(p)}
${vrSection(p)}`;
}
