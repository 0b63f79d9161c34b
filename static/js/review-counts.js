// Directory upkeep counts on the planner page (issue 13): listings due for a check, visitor
// reports, merge conflicts and organisers' answers per district, from /api/review/summary.
import { el } from "/static/js/page.js";

const LABELS = [["due", "Due for a check"], ["flagged", "Visitor reports"],
  ["conflicts", "Merge conflicts"], ["confirmations", "Organisers' answers"]];

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
  const intro = el("p", `Listings not verified for ${data.stale_after_days} days, and reports waiting, per district:`);
  const list = el("ul");
  list.className = "review-counts-list";
  for (const d of data.districts) {
    const item = el("li");
    const name = el("strong", d.district);
    item.append(name, `: ${LABELS.map(([key, label]) => `${label.toLowerCase()} ${d.counts[key]}`).join(", ")}`);
    list.append(item);
  }
  const link = el("a", "Open the moderation queue");
  link.href = "/moderation";
  const p = el("p");
  p.append(link);
  box.replaceChildren(heading, ...(data.districts.length ? [intro, list] : [el("p", "Nothing waiting.")]), p);
  box.hidden = false;
}

show().catch(() => {});
