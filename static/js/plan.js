// The journey plan for one session: on screen and, via print.css, as the client's A4 handout.
import { distance, esc, longDate, minutes, money, sentence } from "/static/js/format.js";
import { STATUS, displayStatus, statusBadge } from "/static/js/symbols.js";

/** One step of a journey as a sentence with its time, e.g. "10:12 Catch bus D3 ...". */
export function stepText(leg) {
  if (leg.mode === "walk") {
    const to = leg.to_name || "the venue";
    const from = leg.from_name ? ` from ${leg.from_name}` : "";
    return `Walk${from} to ${to} (about ${minutes(leg.minutes)}, ${distance(leg.distance_m)}).`;
  }
  const headsign = leg.headsign ? ` towards ${leg.headsign}` : "";
  const stops = leg.stops ? ` (${leg.stops} stop${leg.stops === 1 ? "" : "s"})` : "";
  return `Catch bus ${leg.route}${headsign} from ${leg.from_name}. `
    + `Get off at ${leg.to_name} at ${leg.arrive}${stops}.`;
}

function stepsHtml(journey) {
  if (!journey || !journey.legs || !journey.legs.length) return "";
  const items = journey.legs.map((leg) =>
    `<li><span class="step-time">${esc(leg.depart)}</span> ${esc(stepText(leg))}</li>`);
  return `<ol class="steps">${items.join("")}</ol>`;
}

function journeySummary(journey) {
  if (!journey) return "";
  const buses = journey.buses === 0 ? "walk only" : `${journey.buses} bus${journey.buses > 1 ? "es" : ""}`;
  return `${minutes(journey.minutes)}, ${buses}, ${distance(journey.walk_m)} walking`;
}

function costText(cost) {
  if (!cost) return "Not known: check with the organiser";
  if (cost.free) return cost.note ? `Free (${cost.note})` : "Free";
  if (cost.note) return cost.note;
  if (cost.amount_gbp !== null && cost.amount_gbp !== undefined) return `From ${money(cost.amount_gbp)}`;
  return "Not known: check with the organiser";
}

function contactHtml(contact) {
  if (!contact) return "Not listed";
  const parts = [];
  if (contact.phone) parts.push(`Phone ${esc(contact.phone)}`);
  if (contact.email) parts.push(`Email ${esc(contact.email)}`);
  if (contact.url) parts.push(`Web ${esc(contact.url)}`);
  return parts.join("<br>") || "Not listed";
}

/** The full plan for a result row, as HTML. */
// The finder's last answer says which data notices apply (null until one arrives).
let planNotices = null;

/** Remember the notices of the latest answer for the plans built from it. */
export function setPlanNotices(notices) {
  planNotices = Array.isArray(notices) ? notices : null;
}

export function planHtml(row) {
  const a = row.activity;
  const v = row.venue;
  const s = displayStatus(row.feasibility);
  const out = [];
  const printed = new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
  out.push(`<p class="print-only print-head">Within Reach: journey plan, printed ${esc(printed)}</p>`);
  if (planNotices === null || planNotices.length) {
    const text = planNotices === null
      ? "this plan may use a synthetic bus timetable or a fictional listing."
      : planNotices.join(" ");
    out.push(`<p class="plan-notice"><strong>Demonstration only:</strong> ${esc(text)}
      Do not rely on these times.</p>`);
  }
  out.push(`<h3 class="activity-title">${esc(a.name)}</h3>`);
  if (a.description) out.push(`<p class="description">${esc(a.description)}</p>`);
  out.push(`<p class="status-line">${statusBadge(s)} <span>${esc(STATUS[s].label)}</span></p>`);
  if (row.reason) out.push(`<p class="warning">${esc(sentence(row.reason))}</p>`);
  if (a.stale) {
    out.push(`<p class="warning">This listing has not been checked for over a year: confirm the
      day and time with the organiser before going.</p>`);
  }
  out.push("<dl>");
  out.push(`<dt>When</dt><dd>${esc(longDate(row.date))}, ${esc(row.starts)} to ${esc(row.ends)}</dd>`);
  out.push(`<dt>Where</dt><dd>${esc(v.name)}${v.address ? `, ${esc(v.address)}` : ""}`
    + `${v.postcode ? `, ${esc(v.postcode)}` : ""}</dd>`);
  if (a.organisation) out.push(`<dt>Run by</dt><dd>${esc(a.organisation)}</dd>`);
  out.push(`<dt>Cost</dt><dd>${esc(costText(a.cost))}</dd>`);
  out.push(`<dt>Contact</dt><dd>${contactHtml(a.contact)}</dd>`);
  if (a.accepts_referrals !== null && a.accepts_referrals !== undefined) {
    out.push(`<dt>Referrals</dt><dd>${a.accepts_referrals ? "Accepts social prescribing referrals"
      : "Does not take referrals: the client contacts them directly"}${a.drop_in ? "; drop-in welcome" : ""}</dd>`);
  }
  out.push(`<dt>What to bring</dt><dd>${esc(a.what_to_bring || "Nothing listed: ask the organiser")}</dd>`);
  if (a.how_to_join) out.push(`<dt>How to join</dt><dd>${esc(a.how_to_join)}</dd>`);
  if (v.accessibility) out.push(`<dt>Access</dt><dd>${esc(v.accessibility)}</dd>`);
  out.push("</dl>");

  out.push('<h3>Getting there</h3>');
  if (row.outbound) {
    out.push(`<p><strong>Leave home by ${esc(row.leave_home_by)}</strong> to arrive at
      ${esc(row.outbound.arrive)}, before the start at ${esc(row.starts)}
      (${esc(journeySummary(row.outbound))}).</p>`);
    out.push(stepsHtml(row.outbound));
  } else {
    out.push("<p>No way to get there in time with the chosen limits.</p>");
  }

  out.push('<h3>Getting home</h3>');
  if (row.return) {
    out.push(`<p><strong>Leave at ${esc(row.return.depart)}</strong>, home by
      <strong>${esc(row.home_by)}</strong> (${esc(journeySummary(row.return))}).</p>`);
    out.push(stepsHtml(row.return));
  } else if (row.outbound) {
    out.push("<p><strong>There is no way home within the chosen limits after this session.</strong></p>");
  }
  if (row.last_bus_home) {
    const lb = row.last_bus_home;
    const via = lb.route
      ? ` for bus ${esc(lb.route)}${lb.bus_departs ? ` at ${esc(lb.bus_departs)}` : ""}${lb.stop_name ? ` from ${esc(lb.stop_name)}` : ""}`
      : "";
    out.push(`<p><strong>Last way home that day:</strong> leave ${esc(v.name)} by
      ${esc(lb.departs)}${via}${lb.home_by ? `, home by ${esc(lb.home_by)}` : ""}.</p>`);
  } else if (row.outbound && !row.return) {
    out.push("<p><strong>Last way home that day:</strong> none after this session.</p>");
  }
  return out.join("\n");
}
