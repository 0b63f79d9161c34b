// The client's handout: page 1 is the journey in large type (there, back, the last bus and
// what to do if a bus is missed); the listing details follow. On screen and, via print.css,
// on A4. Several sessions (the shortlist) print as one handout, one journey page each.
import { distance, esc, longDate, minutes, money, sentence } from "/static/js/format.js";
import { STATUS, displayStatus, statusBadge } from "/static/js/symbols.js";

/** One step of a journey as a sentence, e.g. "Catch bus D3 towards Ollerton from ...". */
export function stepText(leg, { wheelchair = false, approximate = false } = {}) {
  if (leg.mode === "walk") {
    // An outward-code search starts from the middle of the area, not the client's door.
    const place = (name) => (approximate && name === "home" ? "home (approximate)" : name);
    const to = place(leg.to_name || "the venue");
    const from = leg.from_name ? ` from ${place(leg.from_name)}` : "";
    const verb = wheelchair ? "Go" : "Walk";
    return `${verb}${from} to ${to} (about ${minutes(leg.minutes)}, ${distance(leg.distance_m)}).`;
  }
  const headsign = leg.headsign ? ` towards ${leg.headsign}` : "";
  const stops = leg.stops ? ` (${leg.stops} stop${leg.stops === 1 ? "" : "s"})` : "";
  const access = wheelchair ? " It is a wheelchair-accessible bus." : "";
  return `Catch bus ${leg.route}${headsign} from ${leg.from_name}. `
    + `Get off at ${leg.to_name} at ${leg.arrive_time}${stops}.${access}`;
}

function stepsHtml(journey, opts) {
  if (!journey || !journey.legs || !journey.legs.length) return "";
  const items = journey.legs.map((leg) =>
    `<li><span class="step-time">${esc(leg.depart_time)}</span> ${esc(stepText(leg, opts))}</li>`);
  // Who runs the buses, once per journey (the operator to ring about a missed bus).
  const routes = new Map(); // operator -> its routes in this journey
  for (const leg of journey.legs) {
    if (leg.mode !== "bus" || !leg.agency) continue;
    if (!routes.has(leg.agency)) routes.set(leg.agency, []);
    if (!routes.get(leg.agency).includes(leg.route)) routes.get(leg.agency).push(leg.route);
  }
  const operators = [...routes].map(([agency, list]) => `${agency} (${list.join(", ")})`);
  const by = operators.length ? `<p class="operators">Bus operator${operators.length > 1 ? "s" : ""}: ${esc(operators.join("; "))}.</p>` : "";
  return `<ol class="steps">${items.join("")}</ol>${by}`;
}

function firstBus(journey) {
  return journey && journey.legs ? journey.legs.find((leg) => leg.mode === "bus") : undefined;
}

function journeySummary(journey) {
  if (!journey) return "";
  const buses = journey.buses === 0 ? "no bus" : `${journey.buses} bus${journey.buses > 1 ? "es" : ""}`;
  return `${minutes(journey.minutes)}, ${buses}, ${distance(journey.walk_m)} on foot`;
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

// The finder's last answer: which data notices apply and whether the start was approximate.
let context = { notices: null, originArea: null, wheelchair: false };

/** Remember the latest answer's notices and origin area for the plans built from it. */
export function setPlanContext({ notices = null, originArea = null, wheelchair = false } = {}) {
  context = { notices: Array.isArray(notices) ? notices : null, originArea, wheelchair };
}

function whenText(row) {
  const date = longDate(row.date);
  const times = `${row.start_time} to ${row.end_time}`;
  if (row.schedule) {
    // "Every Wednesday, 10:00-12:00": the pattern, then the date this plan is for.
    const pattern = row.schedule.replace(/, \d\d:\d\d-\d\d:\d\d$/, "");
    return `${pattern}, ${times} (this plan: ${date}).`;
  }
  return `${date}, ${times}.`;
}

function lastBusText(row, venue) {
  const lb = row.last_bus_home;
  if (!lb) return "";
  const bus = lb.route ? `bus ${lb.route}${lb.bus_depart_time ? ` at ${lb.bus_depart_time}` : ""}`
    + `${lb.stop_name ? ` from ${lb.stop_name}` : ""}` : "";
  const leave = `leave ${venue} by ${lb.leave_venue_by}`;
  const home = lb.home_by ? `, home by ${lb.home_by}` : "";
  return bus ? `${bus}: ${leave}${home}.` : `${sentence(leave)}${home}.`;
}

function missedText(row, contactPhone) {
  const parts = [];
  const ring = contactPhone ? ` on ${contactPhone}` : "";
  if (row.outbound && row.outbound.buses) {
    parts.push(`Miss the bus there? The next one gets you there late: ring the organiser${ring}.`);
  }
  if (row.return && row.return.buses) {
    const missed = firstBus(row.return);
    const next = row.next_way_home;
    const nextBus = firstBus(next);
    if (next && nextBus) {
      parts.push(`Miss the ${missed ? `${missed.depart_time} bus` : "bus"} home? The next is bus `
        + `${nextBus.route} at ${nextBus.depart_time} from ${nextBus.from_name}, home by ${next.arrive_time}.`);
    } else {
      parts.push("The bus home in this plan is the last that gets you home in time: do not miss it.");
    }
  }
  return parts;
}

function journeyPage(row, worker) {
  const a = row.activity;
  const v = row.venue;
  const s = displayStatus(row.feasibility);
  const wheel = { wheelchair: context.wheelchair,
    approximate: Boolean(context.originArea && context.originArea.approximate) };
  const out = [];
  out.push(`<h3 class="activity-title">${esc(a.name)}</h3>`);
  out.push(`<p class="big-when"><strong>When:</strong> ${esc(whenText(row))}</p>`);
  out.push(`<p class="big-where"><strong>Where:</strong> ${esc(v.name)}${v.address ? `, ${esc(v.address)}` : ""}`
    + `${v.postcode ? `, ${esc(v.postcode)}` : ""}</p>`);
  out.push(`<p class="status-line">${statusBadge(s)} <span>${esc(STATUS[s].label)}</span></p>`);
  if (s === "outbound_only") {
    const note = row.last_bus_home && row.last_bus_home.note ? ` ${sentence(row.last_bus_home.note)}` : "";
    out.push(`<p class="warning there-only"><strong>Warning: this plan gets you there, but there is no bus
      back home in time.</strong>${row.reason ? ` ${esc(sentence(row.reason))}` : ""}${esc(note)}
      Arrange a lift or a taxi home before you go.</p>`);
  } else if (s === "unreachable") {
    const what = row.reason_code === "over_cost_limit" ? "costs more than the limit per visit"
      : "cannot be reached with these limits";
    out.push(`<p class="warning"><strong>This session ${what}.</strong>
      ${row.reason ? esc(sentence(row.reason)) : ""}</p>`);
  }
  const oa = context.originArea;
  if (oa && oa.approximate) {
    out.push(`<p class="warning approx-flag"><strong>Approximate:</strong> only the first part of the
      postcode (${esc(oa.outward)}) was used, so the walks and times start from the middle of that
      area, not from your home. Check the first walk before you go.</p>`);
  }
  if (a.reported_closed) {
    out.push(`<p class="warning closed-flag"><strong>Reported closed:</strong> someone has told us this
      activity may have stopped, and an editor has not checked yet. Phone the organiser before going.</p>`);
  }
  if (a.stale) {
    out.push(`<p class="warning">This listing has not been checked recently${a.last_verified ? ` (last
      checked ${esc(longDate(a.last_verified))})` : ""}: phone the organiser to confirm before going.</p>`);
  }

  out.push('<h4>Getting there</h4>');
  if (row.outbound && s !== "unreachable") {
    out.push(`<p class="big-line"><strong>Leave home at ${esc(row.leave_home_by)}</strong>. You arrive at
      ${esc(row.outbound.arrive_time)}, before the start at ${esc(row.start_time)}
      (${esc(journeySummary(row.outbound))}).</p>`);
    out.push(stepsHtml(row.outbound, wheel));
  } else {
    out.push("<p>No way to get there in time with the chosen limits.</p>");
  }

  if (row.handout_fare_line && s !== "unreachable") {
    out.push(`<p class="big-line fare-line"><strong>${esc(sentence(row.handout_fare_line))}</strong></p>`);
    const f = row.free_option;
    if (f) {
      const late = f.minutes_late > 0 ? `, ${f.minutes_late} min after the start` : "";
      out.push(`<p class="free-option">Free with your bus pass: leave home at ${esc(f.leave_home_time)}
        and catch the ${esc(f.first_bus_time)} bus; you arrive at ${esc(f.arrive_time)}${esc(late)}.</p>`);
    }
  }

  out.push('<h4>Getting home</h4>');
  if (row.return && s !== "unreachable") {
    out.push(`<p class="big-line"><strong>Leave at ${esc(row.return.depart_time)}</strong>, home by
      <strong>${esc(row.home_by)}</strong> (${esc(journeySummary(row.return))}).</p>`);
    out.push(stepsHtml(row.return, wheel));
  } else if (row.outbound && s !== "unreachable") {
    out.push("<p><strong>There is no way home by bus within the chosen limits after this session.</strong></p>");
  }
  const last = s === "unreachable" ? "" : lastBusText(row, v.name);
  if (last) out.push(`<p class="last-bus"><strong>Last bus home:</strong> ${esc(last)}</p>`);
  const missed = s === "unreachable" ? [] : missedText(row, a.contact && a.contact.phone);
  if (missed.length) {
    out.push(`<p class="missed"><strong>If a bus is missed:</strong> ${missed.map(esc).join(" ")}</p>`);
  }
  if (context.wheelchair) {
    out.push("<p>Buses and stops in this plan are listed as wheelchair accessible, and the venue as step-free. "
      + "Phone the organiser to check the entrance.</p>");
  }
  out.push(workerBox(worker));
  return out.join("\n");
}

function workerBox(worker) {
  const name = worker && worker.name ? esc(worker.name) : '<span class="blank-line"></span>';
  const phone = worker && worker.phone ? esc(worker.phone) : '<span class="blank-line"></span>';
  return `<div class="worker-contact"><p><strong>Your link worker:</strong> ${name}</p>
    <p><strong>Phone:</strong> ${phone}</p></div>`;
}

function detailsPage(row) {
  const a = row.activity;
  const v = row.venue;
  const out = [];
  out.push(`<h4>About ${esc(a.name)}</h4>`);
  if (a.description) out.push(`<p class="description">${esc(a.description)}</p>`);
  out.push("<dl>");
  out.push(`<dt>When</dt><dd>${esc(whenText(row))}</dd>`);
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
  if (v.step_free !== null && v.step_free !== undefined) {
    out.push(`<dt>Step-free</dt><dd>${v.step_free ? "Yes, listed as step-free" : "Not listed as step-free"}</dd>`);
  }
  out.push(`<dt>Listing checked</dt><dd>${a.last_verified ? esc(longDate(a.last_verified)) : "Never confirmed by the organiser"}${a.stale ? " (not recently)" : ""}</dd>`);
  out.push("</dl>");
  out.push(`<p class="screen-only"><a class="report-link" href="/report?service=${encodeURIComponent(a.id)}">Report a change to this listing</a></p>`);
  return out.join("\n");
}

function header() {
  const printed = new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
  const out = [`<p class="print-only print-head">Within Reach: journey plan, printed ${esc(printed)}</p>`];
  const notices = context.notices;
  if (notices === null || notices.length) {
    const text = notices === null
      ? "this plan may use a synthetic bus timetable or a fictional listing."
      : notices.join(" ");
    out.push(`<p class="plan-notice"><strong>Demonstration only:</strong> ${esc(text)}
      Do not rely on these times.</p>`);
  }
  return out.join("\n");
}

/** The plan for one row, as HTML (page 1 the journey, then the listing details). */
export function planHtml(row, worker = null) {
  return handoutHtml([row], worker);
}

/** One handout for one or several rows: per row a journey page, then its details. */
export function handoutHtml(rows, worker = null) {
  return rows.map((row, i) => `<section class="handout" data-row="${esc(row.id)}"
      aria-label="${esc(`Plan ${i + 1}: ${row.activity.name}`)}">
    <div class="handout-journey">${header()}${journeyPage(row, worker)}</div>
    <div class="handout-details">${detailsPage(row)}</div>
  </section>`).join("\n");
}
