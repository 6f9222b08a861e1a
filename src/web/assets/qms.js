// QMS web view: the only script (served from /ui/assets, no inline code). Reading works without it;
// it adds live audit updates (server-sent events) and the inline / side-by-side diff toggle.

function cell(text, className) {
  const td = document.createElement("td");
  if (className) td.className = className;
  td.textContent = text;
  return td;
}

function liveFeed(tbody) {
  const source = new EventSource(tbody.getAttribute("data-live-feed"));
  const status = document.querySelector("[data-live-status]");
  source.addEventListener("open", () => {
    if (status) status.dataset.connected = "yes";
  });
  source.addEventListener("audit", (message) => {
    const e = JSON.parse(message.data);
    const tr = document.createElement("tr");
    tr.className = "fresh";
    const time = document.createElement("td");
    const t = document.createElement("time");
    t.dateTime = e.ts;
    t.textContent = `${e.ts.slice(0, 10)} ${e.ts.slice(11, 19)} UTC`;
    time.appendChild(t);
    tr.appendChild(time);
    const docCell = document.createElement("td");
    const link = document.createElement("a");
    link.href = `/ui/doc/${encodeURIComponent(e.doc_id)}`;
    link.textContent = e.doc_id;
    docCell.appendChild(link);
    tr.appendChild(docCell);
    tr.appendChild(cell(e.event));
    tr.appendChild(cell(e.user));
    tr.appendChild(cell(e.version));
    tr.appendChild(cell(e.summary + (e.via ? ` (via ${e.via})` : "")));
    tbody.insertBefore(tr, tbody.firstChild);
    while (tbody.children.length > 200) tbody.removeChild(tbody.lastChild);
  });
}

function docLive(section) {
  const id = section.getAttribute("data-doc-live");
  const notice = section.querySelector("[data-live-notice]");
  if (!notice) return;
  const source = new EventSource(`/ui/api/events?doc=${encodeURIComponent(id)}`);
  source.addEventListener("audit", () => {
    notice.hidden = false;
  });
}

function diffToggle(bar) {
  const views = { inline: document.getElementById("diff-inline"), split: document.getElementById("diff-split") };
  bar.hidden = false;
  for (const button of bar.querySelectorAll("button[data-view]")) {
    button.addEventListener("click", () => {
      const chosen = button.getAttribute("data-view");
      for (const [name, el] of Object.entries(views)) if (el) el.hidden = name !== chosen;
      for (const b of bar.querySelectorAll("button[data-view]")) b.setAttribute("aria-pressed", String(b === button));
      const select = document.getElementById("diff-view");
      if (select) select.value = chosen;
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const tbody of document.querySelectorAll("[data-live-feed]")) liveFeed(tbody);
  for (const section of document.querySelectorAll("[data-doc-live]")) docLive(section);
  for (const bar of document.querySelectorAll("[data-diff-toggle]")) diffToggle(bar);
});
