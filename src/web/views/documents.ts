import { STATUSES } from "../../core/statuses.js";
import type { DocumentRow, ListData } from "../../services/list.js";
import { type Html, html, query } from "../html.js";
import { describeStep } from "./meaning.js";
import { userList, when } from "./layout.js";

export const PAGE_SIZE = 50;

export interface DocumentFilters {
  type?: string;
  status?: string;
  owner?: string;
  needs?: string;
  q?: string;
  page: number;
}

/** Options for the filter selects, from every document (not only the filtered ones). */
export interface FilterChoices {
  types: string[];
  owners: string[];
}

function select(name: string, label: string, current: string | undefined, options: string[]): Html {
  return html`<label>${label}
<select name="${name}">
<option value="">any</option>
${options.map((o) => html`<option value="${o}"${o === current ? html` selected` : ""}>${o}</option>`)}
</select></label>`;
}

function pending(d: DocumentRow): Html | string {
  if (d.pending_reviewers.length > 0) return html`<span class="tag">review</span> ${d.pending_reviewers.join(", ")}`;
  if (d.pending_approvers.length > 0) return html`<span class="tag">approval</span> ${d.pending_approvers.join(", ")}`;
  return html`<span class="muted">—</span>`;
}

function waitingOn(d: DocumentRow): Html | string {
  const steps = d.next.filter((n) => n.user);
  if (steps.length === 0) return html`<span class="muted">—</span>`;
  const first = steps[0]!;
  return steps.length === 1 ? `${first.user}: ${describeStep(first)}` : `${steps.map((s) => s.user).join(", ")}: ${describeStep(first)}`;
}

function row(d: DocumentRow): Html {
  const depth = Math.min(d.depth, 5);
  return html`<tr>
<td class="id d${depth}">${depth > 0 ? html`<span class="tree" aria-hidden="true">└ </span>` : ""}<a href="/ui/doc/${d.doc_id}">${d.doc_id}</a>${d.parent_id ? html`<span class="visually-hidden"> (child of ${d.parent_id})</span>` : ""}</td>
<td>${d.title}</td>
<td>${d.doc_type}</td>
<td>${d.version}</td>
<td><span class="status s-${d.status.toLowerCase()}">${d.status}</span></td>
<td>${userList(d.responsible_user ? [d.responsible_user] : [])}</td>
<td>${userList(d.checkout_holder ? [d.checkout_holder] : [])}</td>
<td>${pending(d)}</td>
<td>${waitingOn(d)}</td>
<td>${when(d.last_change)}</td>
</tr>`;
}

export function documentsView(data: ListData, filters: DocumentFilters, choices: FilterChoices): Html {
  const pages = Math.max(1, Math.ceil(data.documents.length / PAGE_SIZE));
  const pageNo = Math.min(Math.max(1, filters.page), pages);
  const shown = data.documents.slice((pageNo - 1) * PAGE_SIZE, pageNo * PAGE_SIZE);
  const keep = { type: filters.type, status: filters.status, owner: filters.owner, needs: filters.needs, q: filters.q };
  const filtered = Object.values(keep).some((v) => v);
  const link = (p: number): string => `/ui/documents${query({ ...keep, page: p > 1 ? p : undefined })}`;
  const pager =
    pages > 1
      ? html`<nav class="pager" aria-label="Pages">
${pageNo > 1 ? html`<a href="${link(1)}">First</a> <a href="${link(pageNo - 1)}" rel="prev">Previous</a>` : ""}
<span>Page ${pageNo} of ${pages}</span>
${pageNo < pages ? html`<a href="${link(pageNo + 1)}" rel="next">Next</a> <a href="${link(pages)}">Last</a>` : ""}
</nav>`
      : "";
  return html`<h1>Documents</h1>
<form class="filters" method="get" action="/ui/documents" role="search">
<label>Search ID or title <input type="search" name="q" value="${filters.q ?? ""}"></label>
${select("type", "Type", filters.type, choices.types)}
${select("status", "Status", filters.status, [...STATUSES])}
${select("owner", "Owner", filters.owner, choices.owners)}
<label class="check"><input type="checkbox" name="needs" value="me"${filters.needs === "me" ? html` checked` : ""}> Needs me</label>
<button type="submit">Filter</button>
${filtered ? html`<a href="/ui/documents">Clear</a>` : ""}
</form>
<p class="count">${data.documents.length === data.total ? `${data.total} documents` : `${data.documents.length} of ${data.total} documents`}${filtered ? "" : "; families shown as a tree"}</p>
${
  shown.length === 0
    ? html`<p>No documents match.</p>`
    : html`<div class="scroll"><table class="docs">
<caption class="visually-hidden">Documents, page ${pageNo} of ${pages}</caption>
<thead><tr><th scope="col">ID</th><th scope="col">Title</th><th scope="col">Type</th><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Owner</th><th scope="col">Checked out by</th><th scope="col">Pending</th><th scope="col">Waiting on</th><th scope="col">Last change</th></tr></thead>
<tbody>${shown.map(row)}</tbody>
</table></div>`
}
${pager}`;
}
