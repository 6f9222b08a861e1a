import type { FeedEvent } from "../../services/feed.js";
import type { InboxData } from "../../services/inbox.js";
import type { WorkspaceData } from "../../services/workspace.js";
import { formatEvent } from "../../services/history.js";
import { type Html, html, query } from "../html.js";
import type { HubSnapshot, IntegrityReport } from "../types.js";
import { when } from "./layout.js";

export function inboxView(data: InboxData, viewer: string, users: string[] | undefined): Html {
  const picker = users
    ? html`<form method="get" action="/ui/inbox" class="filters"><label>Inbox of <select name="user">${users.map(
        (u) => html`<option value="${u}"${u === data.user ? html` selected` : ""}>${u}</option>`,
      )}</select></label><button type="submit">Show</button></form>`
    : "";
  const rows = data.tasks.map(
    (t) => html`<tr><td><a href="/ui/doc/${t.doc_id}">${t.doc_id}</a></td><td>${t.title}</td><td>${t.task_type}</td><td>${t.workflow_type}</td><td>${t.version}</td><td>${t.assigned_by}</td><td>${t.assigned_date}</td></tr>`,
  );
  return html`<h1>Inbox${data.user === viewer ? "" : ` of ${data.user}`}</h1>
${picker}
${data.tasks.length === 0 ? html`<p>The inbox is empty.</p>` : html`<div class="scroll"><table class="plain"><thead><tr><th scope="col">Document</th><th scope="col">Title</th><th scope="col">Task</th><th scope="col">Workflow</th><th scope="col">Version</th><th scope="col">From</th><th scope="col">Date</th></tr></thead><tbody>${rows}</tbody></table></div>`}`;
}

export function workspaceView(data: WorkspaceData): Html {
  const rows = data.documents.map(
    (d) => html`<tr><td><a href="/ui/doc/${d.doc_id}">${d.doc_id}</a></td><td>${d.title}</td><td>${d.version ?? "—"}</td><td>${d.status ?? "not a known document"}</td><td>${d.checked_out && d.responsible_user === data.user ? "yes" : "no (stale copy)"}</td><td><code>${d.path}</code></td></tr>`,
  );
  return html`<h1>Workspace of ${data.user}</h1>
${data.documents.length === 0 ? html`<p>The workspace is empty.</p>` : html`<div class="scroll"><table class="plain"><thead><tr><th scope="col">Document</th><th scope="col">Title</th><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Checked out to you</th><th scope="col">File</th></tr></thead><tbody>${rows}</tbody></table></div>`}`;
}

export function feedRow(e: FeedEvent): Html {
  const summary = (formatEvent(e.event)[0] ?? "").replace(/^\[[^\]]*\]\s*/, "");
  return html`<tr><td>${when(e.event.ts)}</td><td><a href="/ui/doc/${e.doc_id}">${e.doc_id}</a></td><td>${e.event.event}</td><td>${e.event.user}</td><td>${e.event.version}</td><td>${summary}${e.event.via ? html` <span class="tag">via ${String(e.event.via)}</span>` : ""}</td></tr>`;
}

export function auditView(events: FeedEvent[], user: string | undefined, users: string[]): Html {
  return html`<h1>Audit feed</h1>
<form method="get" action="/ui/audit" class="filters"><label>User <select name="user"><option value="">everyone</option>${users.map(
    (u) => html`<option value="${u}"${u === user ? html` selected` : ""}>${u}</option>`,
  )}</select></label><button type="submit">Filter</button></form>
<p class="muted" data-live-status>The latest events across the project${user ? ` by ${user}` : ""}, newest first. New events appear here as they happen (with JavaScript); reload otherwise.</p>
<div class="scroll"><table class="plain feed"><thead><tr><th scope="col">Time</th><th scope="col">Document</th><th scope="col">Event</th><th scope="col">User</th><th scope="col">Version</th><th scope="col">Details</th></tr></thead>
<tbody data-live-feed="/ui/api/events${query({ user })}">${events.map(feedRow)}</tbody></table></div>
${events.length === 0 ? html`<p>No audit events yet.</p>` : ""}`;
}

export function agentsView(snapshot: HubSnapshot | undefined, hubError: string | undefined, csrf: string, canControl: boolean): Html {
  if (!snapshot) {
    return html`<h1>Agents</h1><div class="notice-info" role="status"><p><strong>Hub not running.</strong> ${hubError ?? "This server runs without the agent hub, so there is nothing to show about agents."}</p></div>`;
  }
  const cards = snapshot.agents.map(
    (a) => html`<article class="agent card" aria-labelledby="agent-${a.name}">
<h2 id="agent-${a.name}">${a.name}</h2>
<dl class="facts"><dt>Container</dt><dd><span class="status c-${a.container.toLowerCase().replace(/[^a-z]/g, "")}">${a.container}</span></dd><dt>Activity</dt><dd>${a.activity}</dd>${a.delivery ? html`<dt>Delivery</dt><dd>${a.delivery}</dd>` : ""}</dl>
<h3>Open tasks</h3>
${a.open_tasks.length === 0 ? html`<p class="muted">None.</p>` : html`<ul>${a.open_tasks.map((t) => html`<li><a href="/ui/doc/${t.doc_id}">${t.doc_id}</a> ${t.task_type}${t.version ? ` v${t.version}` : ""}</li>`)}</ul>`}
<h3>Last deliveries</h3>
${a.deliveries.length === 0 ? html`<p class="muted">None.</p>` : html`<ul>${a.deliveries.map((d) => html`<li>${when(d.at)}: <strong>${d.outcome}</strong>${d.duration_ms !== undefined ? ` in ${Math.round(d.duration_ms / 1000)} s` : ""}${d.detail ? ` — ${d.detail}` : ""}</li>`)}</ul>`}
<h3>Transcript (tail)</h3>
${a.transcript_tail.length === 0 ? html`<p class="muted">Empty.</p>` : html`<pre class="transcript" tabindex="0">${a.transcript_tail.join("\n")}</pre>`}
${canControl ? html`<div class="agent-actions">${(["start", "stop", "nudge"] as const).map(
      (action) => html`<form method="post" action="/ui/agents/${a.name}/${action}" class="inline"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit">${action[0]!.toUpperCase() + action.slice(1)} ${a.name}</button></form>`,
    )}</div>` : ""}
</article>`,
  );
  return html`<h1>Agents</h1>
${snapshot.taken_at ? html`<p class="muted">As of ${when(snapshot.taken_at)}.</p>` : ""}
${cards.length === 0 ? html`<p>No agents.</p>` : html`<div class="agents">${cards}</div>`}`;
}

export function integrityView(report: IntegrityReport | undefined, error: string | undefined): Html {
  if (!report) {
    return html`<h1>Integrity</h1><div class="notice-info" role="status"><p><strong>Not available.</strong> ${error ?? "This server has no integrity check (qms verify) to run."}</p></div>`;
  }
  const findings = report.findings.map(
    (f) => html`<tr><td>${f.doc_id ? html`<a href="/ui/doc/${f.doc_id}">${f.doc_id}</a>` : "—"}</td><td>${f.file ? html`<code>${f.file}${f.line !== undefined ? `:${f.line}` : ""}</code>` : "—"}</td><td>${f.what}</td><td>${f.fix ?? ""}</td></tr>`,
  );
  return html`<h1>Integrity</h1>
${report.ok && report.findings.length === 0
    ? html`<div class="notice-ok" role="status"><p>The record is intact${report.documents !== undefined ? ` (${report.documents} documents checked)` : ""}.</p></div>`
    : html`<div class="notice-bad" role="alert"><p>${report.findings.length} finding${report.findings.length === 1 ? "" : "s"}.</p></div>`}
${report.checked_at ? html`<p class="muted">Checked ${when(report.checked_at)}. <a href="/ui/integrity?refresh=1">Check again</a></p>` : html`<p><a href="/ui/integrity?refresh=1">Check again</a></p>`}
${findings.length > 0 ? html`<div class="scroll"><table class="plain"><thead><tr><th scope="col">Document</th><th scope="col">Where</th><th scope="col">What</th><th scope="col">What to do</th></tr></thead><tbody>${findings}</tbody></table></div>` : ""}`;
}
