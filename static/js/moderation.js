// The editors' moderation page. The sign-in token is kept in this page's memory only.
import { el, say as sayIn, wireSkipLinks } from "/static/js/page.js";

let token = null;
let districts = [];
const status = document.getElementById("status");
const LABELS = { flagged: "Visitor reports", confirmations: "Organisers' answers",
  conflicts: "Merge conflicts", due: "Due for verification" };

const say = (text, isError = false) => sayIn(status, text, isError);

async function api(path, { method = "GET", body = null } = {}) {
  const response = await fetch(path, {
    method,
    headers: { Accept: "application/json", Authorization: `Bearer ${token}`,
      ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : null,
    cache: "no-store",
    referrerPolicy: "no-referrer",
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message || `The server answered ${response.status}`);
  return data;
}

function button(label, describe, onClick) {
  const b = el("button", label);
  b.type = "button";
  b.setAttribute("aria-label", `${label}: ${describe}`);
  b.addEventListener("click", async () => {
    b.disabled = true;
    try {
      say(await onClick());
      await load();
    } catch (err) {
      say(err.message, true);
      b.disabled = false;
    }
  });
  return b;
}

function table(headings, rows) {
  const t = el("table", null, "queue-table");
  const head = el("thead");
  const tr = el("tr");
  for (const h of headings) {
    const th = el("th", h);
    th.scope = "col";
    tr.append(th);
  }
  head.append(tr);
  const body = el("tbody");
  for (const cells of rows) {
    const row = el("tr");
    for (const c of cells) {
      const td = el("td");
      if (c instanceof Node) td.append(c); else td.textContent = c ?? "";
      if (c instanceof Node && c.classList && c.classList.contains("actions")) td.className = "actions";
      row.append(td);
    }
    body.append(row);
  }
  t.append(head, body);
  return t;
}

function actions(...buttons) {
  const span = el("span", null, "actions");
  span.append(...buttons);
  return span;
}

function day(iso) {
  return iso ? new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" }) : "never";
}

const decide = (path, action, done) => async () => {
  await api(path, { method: "POST", body: { action } });
  return done;
};

function flagRows(items) {
  return items.map((f) => [
    f.listing, el("span", f.kind.replace("-", " "), f.kind === "closed" ? "tag closed" : "tag"),
    f.message || "", day(f.created_at),
    actions(
      button("Resolved", f.listing, decide(`/api/review/flags/${f.id}`, "resolve", `Report on ${f.listing} marked resolved.`)),
      button("Dismiss", f.listing, decide(`/api/review/flags/${f.id}`, "dismiss", `Report on ${f.listing} dismissed.`)),
      ...(f.kind === "closed" ? [button("End listing", f.listing,
        decide(`/api/review/flags/${f.id}`, "end-listing", `${f.listing} ended.`))] : [])),
  ]);
}

function answerRows(items) {
  return items.map((c) => [
    c.listing, c.answer.replace("-", " "),
    Object.keys(c.proposed || {}).join(", ") || "no changes", c.note || "", day(c.submitted_at),
    actions(
      button("Approve", c.listing, decide(`/api/review/confirmations/${c.id}`, "approve", `${c.listing}: answer approved and marked verified today.`)),
      button("Reject", c.listing, decide(`/api/review/confirmations/${c.id}`, "reject", `${c.listing}: answer rejected.`))),
  ]);
}

function conflictRows(items) {
  return items.map((c) => [
    c.listing, c.field,
    c.candidates.map((x) => `${x.feed}: ${JSON.stringify(x.value)}`).join(" | "), c.chosen_feed,
    actions(button("Mark reviewed", `${c.listing} ${c.field}`, async () => {
      await api(`/api/review/conflicts/${c.id}`, { method: "POST" });
      return `Conflict on ${c.listing} (${c.field}) marked reviewed.`;
    })),
  ]);
}

function dueRows(items) {
  return items.slice(0, 50).map((a) => [
    a.name, a.organization || "", day(a.last_verified_at), a.contact_email || a.contact_phone || "",
    actions(button("Confirmation link", a.name, async () => {
      const link = await api(`/api/activities/${encodeURIComponent(a.id)}/confirmation-link`, { method: "POST" });
      const url = link.url || `${window.location.origin}${link.path}`;
      return `Send this link to the organiser of ${a.name} (works until ${day(link.expires_at)}): ${url}`;
    })),
  ]);
}

const RENDER = {
  flagged: [["Listing", "Report", "Message", "Received", "Actions"], flagRows],
  confirmations: [["Listing", "Answer", "Proposed changes", "Note", "Sent", "Actions"], answerRows],
  conflicts: [["Listing", "Field", "Values by feed", "Shown from", "Actions"], conflictRows],
  due: [["Listing", "Organisation", "Last verified", "Contact", "Actions"], dueRows],
};

function render() {
  const chosen = document.getElementById("district").value;
  const shown = districts.filter((d) => !chosen || d.lad_code === chosen);
  const out = document.getElementById("districts");
  out.replaceChildren();
  for (const d of shown) {
    const section = el("section");
    const h = el("h3", `${d.district}`);
    section.append(h);
    for (const kind of ["flagged", "confirmations", "conflicts", "due"]) {
      const [headings, rows] = RENDER[kind];
      section.append(el("h4", `${LABELS[kind]} (${d.counts[kind]})`));
      if (!d[kind].length) section.append(el("p", "Nothing waiting.", "empty-note"));
      else section.append(table(headings, rows(d[kind])));
    }
    out.append(section);
  }
  if (!shown.length) out.append(el("p", "Nothing is waiting. Well done.", "empty-note"));
}

function mergeRows(items) {
  return items.map((m) => [
    m.entity === "service" ? "Listing" : "Organisation", m.kept_name || m.kept_id,
    m.feed ? `${m.feed} (${m.source_id})` : m.merged_id, m.reason, day(m.at),
    m.undone_at ? `Undone ${day(m.undone_at)} by ${m.undone_by}` : actions(
      button("Undo merge", `${m.kept_name || m.kept_id} and ${m.feed || m.merged_id}`, async () => {
        await api(`/api/admin/merges/${m.id}/undo`, { method: "POST" });
        return `Merge undone: ${m.kept_name || m.kept_id} and the ${m.feed || "other"} copy are separate again.`;
      })),
  ]);
}

async function loadMerges() {
  const { merges } = await api("/api/admin/merges");
  const box = document.getElementById("merges");
  box.hidden = merges.length === 0;
  document.getElementById("merge-list").replaceChildren(table(
    ["Kind", "Kept", "Merged copy", "Why", "When", "Actions"], mergeRows(merges)));
}

async function load() {
  await loadMerges();
  const q = await api("/api/review/queue");
  districts = q.districts;
  const totals = document.getElementById("totals");
  totals.replaceChildren(...Object.entries(LABELS).map(([k, label]) => el("li", `${label}: ${q.totals[k]}`)));
  const select = document.getElementById("district");
  const keep = select.value;
  select.replaceChildren(el("option", "All districts"));
  select.firstChild.value = "";
  for (const d of districts) {
    const o = el("option", d.district);
    o.value = d.lad_code || "";
    select.append(o);
  }
  select.value = keep;
  render();
}

wireSkipLinks();
document.getElementById("district").addEventListener("change", render);

document.getElementById("signin").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new URLSearchParams({
    username: document.getElementById("username").value,
    password: document.getElementById("password").value,
  });
  const response = await fetch("/api/auth/token", { method: "POST", body: form, referrerPolicy: "no-referrer" });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    say(data.message || "Sign-in failed.", true);
    return;
  }
  token = data.access_token;
  document.getElementById("password").value = "";
  document.getElementById("signin").hidden = true;
  document.getElementById("queue").hidden = false;
  try {
    await load();
    say("Signed in. The queue is below.");
  } catch (err) {
    say(err.message, true);
  }
});
