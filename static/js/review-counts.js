// Directory upkeep counts on the planner page (issue 13): listings due for a check, visitor
// reports, merge conflicts and organisers' answers per district, from /api/review/summary.
const LABELS = [["due", "Due for a check"], ["flagged", "Visitor reports"],
  ["conflicts", "Merge conflicts"], ["confirmations", "Organisers' answers"]];

function el(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  return node;
}

async function show() {
  const box = document.getElementById("review-counts");
  if (!box) return;
  const response = await fetch("/api/review/summary", { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const data = await response.json();
  // Its own small stylesheet, so the planner page's head is left as it is.
  const css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = "/static/css/review-counts.css";
  document.head.append(css);
  const heading = el("h3", "Directory upkeep");
  heading.id = "review-counts-heading";
  const table = el("table");
  table.className = "review-counts-table";
  const caption = el("caption", `Listings not verified for ${data.stale_after_days} days, and reports waiting, per district`);
  const head = el("tr");
  for (const h of ["District", ...LABELS.map(([, label]) => label)]) {
    const th = el("th", h);
    th.scope = "col";
    head.append(th);
  }
  const thead = el("thead");
  thead.append(head);
  const tbody = el("tbody");
  for (const d of data.districts) {
    const row = el("tr");
    const name = el("th", d.district);
    name.scope = "row";
    row.append(name, ...LABELS.map(([key]) => el("td", d.counts[key])));
    tbody.append(row);
  }
  table.append(caption, thead, tbody);
  const link = el("a", "Open the moderation queue");
  link.href = "/moderation";
  const p = el("p");
  p.append(link);
  box.replaceChildren(heading, ...(data.districts.length ? [table] : [el("p", "Nothing waiting.")]), p);
  box.hidden = false;
}

show().catch(() => {});
