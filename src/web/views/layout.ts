import { type NextStep, renderStepLine } from "../../core/next.js";
import { type Html, html } from "../html.js";
import type { Chrome } from "../types.js";

const NAV: Array<[Chrome["active"], string, string]> = [
  ["documents", "/ui/documents", "Documents"],
  ["inbox", "/ui/inbox", "Inbox"],
  ["workspace", "/ui/workspace", "Workspace"],
  ["agents", "/ui/agents", "Agents"],
  ["audit", "/ui/audit", "Audit feed"],
  ["integrity", "/ui/integrity", "Integrity"],
];

export function page(chrome: Chrome, title: string, body: Html): string {
  const nav = NAV.map(
    ([key, href, label]) => html`<li><a href="${href}"${chrome.active === key ? html` aria-current="page"` : ""}>${label}</a></li>`,
  );
  const banner =
    chrome.openFindings !== undefined && chrome.openFindings > 0
      ? html`<div class="banner-bad" role="alert"><strong>Integrity:</strong> ${chrome.openFindings} open finding${chrome.openFindings === 1 ? "" : "s"} in the record. <a href="/ui/integrity">See the integrity report</a></div>`
      : "";
  const flash = chrome.flash
    ? html`<div class="${chrome.flash.ok ? "notice-ok" : "notice-bad"}" role="status">${chrome.flash.lines.map((l) => html`<div>${l}</div>`)}</div>`
    : "";
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · QMS ${chrome.project}</title>
<link rel="stylesheet" href="/ui/assets/qms.css">
<script src="/ui/assets/qms.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<span class="brand">QMS <span class="project">${chrome.project}</span></span>
<nav aria-label="Main"><ul>${nav}</ul></nav>
<form method="post" action="/ui/logout" class="signout">
<input type="hidden" name="_csrf" value="${chrome.csrf}">
<span>Signed in as <strong>${chrome.user}</strong> (${chrome.group})</span>
<button type="submit">Sign out</button>
</form>
</header>
${banner}
<main id="main">
${flash}
${body}
</main>
</body>
</html>
`.value;
}

/** A refusal as the service gave it: what rule refused, and what to do next. */
export function refusalBox(refusal: { message: string; hint?: string; details?: string[]; next?: NextStep[] }): Html {
  const next = [refusal.hint, ...(refusal.next ?? []).map((s) => renderStepLine(s, webStep))].filter((t): t is string => !!t);
  return html`<div class="notice-bad" role="alert">
<p><strong>Refused:</strong> ${refusal.message}</p>
${next.length > 0 ? html`<p><strong>Next step:</strong> ${next.join("; ")}</p>` : ""}
${refusal.details && refusal.details.length > 0 ? html`<pre>${refusal.details.join("\n")}</pre>` : ""}
</div>`;
}

/** `2026-11-24T07:18:11+00:00` → `2026-11-24 07:18 UTC` inside a <time>. */
export function when(iso: string | null | undefined): Html {
  if (!iso) return html`<span class="muted">—</span>`;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?/.exec(iso);
  return html`<time datetime="${iso}">${m ? `${m[1]} ${m[2]}${m[3] ?? ""} UTC` : iso}</time>`;
}

export function userList(users: readonly string[]): Html | string {
  return users.length === 0 ? html`<span class="muted">—</span>` : users.join(", ");
}

const ACTION_WORDS: Partial<Record<string, string>> = {
  checkin: "check in",
  checkout: "check out",
  route: "route",
  review: "review",
  approve: "approve",
  reject: "reject",
  release: "release",
  close: "close",
  withdraw: "withdraw",
  status: "look at the status of",
  inbox: "open the inbox",
  workspace: "open the workspace",
  history: "look at the history of",
  read: "read",
};

/** A next step in the web view's words ("route SOP-001 for review (claude)"). */
export function webStep(s: NextStep): string {
  const verb = ACTION_WORDS[s.action] ?? s.action;
  const kind = typeof s.args?.route_type === "string" ? ` for ${s.args.route_type}` : "";
  return `${verb}${s.doc_id ? ` ${s.doc_id}` : ""}${kind}${s.user ? ` (${s.user})` : ""}`;
}
