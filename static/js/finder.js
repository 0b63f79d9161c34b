// The link worker's finder page: form -> POST /api/reachable-activities -> list, map and plan.
import { ApiError, findReachable } from "/static/js/api.js";
import { esc, isoDate, minutes, sentence, shortDate } from "/static/js/format.js";
import { approximateArea, createMap, isochroneLayer, statusMarker } from "/static/js/map.js";
import { $, startPage } from "/static/js/page.js";
import { handoutHtml, setPlanContext } from "/static/js/plan.js";
import { relaxation } from "/static/js/relax.js";
import { STATUS, displayStatus, statusBadge } from "/static/js/symbols.js";

const PAGE_SIZE = 40;

const state = {
  mapView: null,
  resultLayer: null,
  result: null,
  rows: [],
  markersByKey: new Map(),
  selected: null,
  shortlist: new Set(), // row ids
  unreachableShown: 0,
  printing: [],
  example: null, // a postcode from the loaded data (/api/config), for hints
};

function setStatus(text, isError = false) {
  const el = $("form-status");
  el.textContent = text;
  el.classList.toggle("is-error", isError);
}

function fillLegend() {
  $("legend").innerHTML = Object.keys(STATUS).map((s) =>
    `<li>${statusBadge(s)} <span>${esc(STATUS[s].label)}</span></li>`).join("");
}


function fillOptions(select, items, anyLabel) {
  if (!Array.isArray(items) || !items.length) return; // keep the built-in list
  select.replaceChildren(new Option(anyLabel, ""), ...items.map((t) => new Option(t.label, t.code)));
}

/** Show a postcode that exists in the loaded data in the hint, placeholder and messages. */
function fillExample(example) {
  if (!example || !example.postcode) return;
  state.example = example;
  $("postcode-example").innerHTML = `A full postcode such as <span class="example-postcode">${esc(example.postcode)}</span>,
    or just the first part (<span class="example-outward">${esc(example.outward)}</span>)`;
  $("postcode").placeholder = `e.g. ${example.postcode}`;
}

function defaultDates() {
  const today = new Date();
  const end = new Date(today);
  end.setDate(today.getDate() + 6);
  $("date-from").value = isoDate(today);
  $("date-to").value = isoDate(end);
}

const FIELD_INPUTS = {
  "origin.postcode": "postcode", "origin.outward": "postcode", postcode: "postcode",
  origin: "postcode", date_from: "date-from", date_to: "date-to", dates: "date-from",
  days: "day-boxes", hours_from: "hours-from", hours_to: "hours-to", max_minutes: "max-minutes",
  max_buses: "max-buses", "filters.age": "age", bus_pass: "bus-pass",
  bus_pass_issuer: "bus-pass", max_visit_cost_gbp: "max-visit-cost",
  fare_preference: "fare-preference",
};
const FIELD_ERRORS = {
  postcode: "postcode-error", "date-from": "dates-error", "date-to": "dates-error",
  "day-boxes": "days-error", "hours-from": "hours-error", "hours-to": "hours-error",
  age: "age-error", "bus-pass": "cost-error", "max-visit-cost": "cost-error",
  "fare-preference": "cost-error",
};

function clearErrors() {
  for (const id of new Set(Object.values(FIELD_ERRORS))) $(id).textContent = "";
  for (const el of document.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

function showFieldError(field, message) {
  const key = Object.keys(FIELD_INPUTS).find((k) => field === k || field.startsWith(`${k}.`));
  const inputId = key ? FIELD_INPUTS[key] : null;
  if (!inputId) return false;
  const input = $(inputId);
  if (input.tagName !== "DIV") input.setAttribute("aria-invalid", "true");
  const errId = FIELD_ERRORS[inputId];
  if (errId) {
    $(errId).textContent = message;
    return true;
  }
  return false;
}

/** Read the form into the API request body (the postcode goes only into this body). */
function buildRequest() {
  const form = $("finder-form");
  const days = [...form.querySelectorAll('input[name="days"]:checked')].map((b) => b.value);
  const body = {
    origin: { postcode: $("postcode").value.trim() },
    date_from: $("date-from").value,
    date_to: $("date-to").value,
    days,
    hours_from: $("hours-from").value,
    hours_to: $("hours-to").value,
    mode: $("max-buses").value === "0" ? "walk" : "walk+bus",
    max_minutes: Number($("max-minutes").value || 45),
    max_buses: Number($("max-buses").value),
    walk_speed: $("slow-walker").checked ? "slow" : "normal",
    wheelchair: $("wheelchair").checked,
    filters: {
      free_only: $("free-only").checked,
      step_free: $("step-free").checked,
    },
  };
  body.bus_pass = $("bus-pass").value;
  body.fare_preference = $("fare-preference").value;
  const limit = $("max-visit-cost").value.trim();
  if (limit !== "") body.max_visit_cost_gbp = Number(limit);
  const age = $("age").value.trim();
  if (age !== "") body.filters.age = Number(age);
  if ($("category").value) body.filters.category = [$("category").value];
  if ($("audience").value) body.filters.audience = [$("audience").value];
  return body;
}

function validate(body) {
  const problems = [];
  if (!body.origin.postcode) {
    const eg = state.example ? `, e.g. ${state.example.postcode}` : "";
    problems.push(["postcode", `Enter the client's postcode${eg}.`]);
  }
  if (!body.date_from || !body.date_to) problems.push(["date_from", "Choose both dates."]);
  else if (body.date_to < body.date_from) problems.push(["date_to", "The end date is before the start date."]);
  if (!body.days.length) problems.push(["days", "Tick at least one day."]);
  if (!body.hours_from || !body.hours_to) problems.push(["hours_from", "Enter both times."]);
  else if (body.hours_to <= body.hours_from) problems.push(["hours_to", "'Back by' must be after 'From'."]);
  const age = body.filters.age;
  if (age !== undefined && !(Number.isInteger(age) && age >= 0 && age <= 120)) {
    problems.push(["filters.age", "Enter the age as a whole number of years (0 to 120), or leave it empty."]);
  }
  const limit = body.max_visit_cost_gbp;
  if (limit !== undefined && !(Number.isFinite(limit) && limit >= 0 && limit <= 1000)) {
    problems.push(["max_visit_cost_gbp", "Enter the most per visit in pounds (0 to 1000), or leave it empty."]);
  }
  return problems;
}

/** Forget the previous answer: another client's results must never stay on screen. */
function clearResults() {
  state.result = null;
  state.rows = [];
  state.selected = null;
  state.shortlist.clear();
  $("result-summary").hidden = true;
  $("result-summary").textContent = "";
  $("explanations").innerHTML = "";
  $("results").innerHTML = "";
  $("summaries").innerHTML = "";
  $("plan").innerHTML = "";
  $("plan-panel").hidden = true;
  updateShortlistBar();
  if (state.mapView && state.resultLayer) state.mapView.map.removeLayer(state.resultLayer);
  state.resultLayer = null;
  state.markersByKey = new Map();
}

async function runSearch() {
  clearErrors();
  const body = buildRequest();
  const problems = validate(body);
  if (problems.length) {
    for (const [field, message] of problems) showFieldError(field, message);
    setStatus(`Please correct ${problems.length === 1 ? "1 problem" : `${problems.length} problems`} in the form.`, true);
    const first = document.querySelector('[aria-invalid="true"]') || $("postcode");
    first.focus();
    return;
  }
  const button = $("search-button");
  // aria-disabled keeps the button focusable while searching (disabled would drop focus).
  if (button.getAttribute("aria-disabled") === "true") return;
  button.setAttribute("aria-disabled", "true");
  setStatus("Searching…");
  clearResults();
  try {
    const result = await findReachable(body);
    render(result);
    const summary = $("result-summary");
    summary.focus({ preventScroll: true });
    summary.scrollIntoView({ block: "start" });
  } catch (err) {
    $("explanations").innerHTML = "<p>No results: the search could not be completed "
      + "(see the message beside the form).</p>";
    if (err instanceof ApiError) {
      let shown = 0;
      for (const p of err.problems) if (showFieldError(p.field, sentence(p.message))) shown += 1;
      setStatus(err.message ? sentence(err.message) : "The search failed.", true);
      if (shown) (document.querySelector('[aria-invalid="true"]') || $("postcode")).focus();
    } else {
      setStatus("The search failed: the server could not be reached. Please try again.", true);
    }
  } finally {
    button.removeAttribute("aria-disabled");
  }
}

function onSubmit(event) {
  event.preventDefault();
  runSearch();
}

function rowKey(row) {
  return `${row.activity.id}|${row.venue.id || `${row.venue.lat},${row.venue.lon}`}`;
}

const RANK = { feasible: 0, outbound_only: 1, unreachable: 2 };

function drawMap(result) {
  const view = state.mapView;
  if (!view) return;
  const { map, L } = view;
  if (state.resultLayer) map.removeLayer(state.resultLayer);
  const group = L.featureGroup();
  if (result.isochrone) isochroneLayer(result.isochrone).addTo(group);
  if (result.origin_area) approximateArea(result.origin_area).addTo(group);
  // One marker per activity at a venue, showing its best session.
  const best = new Map();
  for (const row of result.rows) {
    const key = rowKey(row);
    const s = displayStatus(row.feasibility);
    if (!best.has(key) || RANK[s] < RANK[displayStatus(best.get(key).feasibility)]) best.set(key, row);
  }
  state.markersByKey = new Map();
  for (const [key, row] of best) {
    if (row.venue.lat === null || row.venue.lat === undefined) continue;
    // Not a tab stop: the list is the keyboard route to every marker (it selects them).
    const marker = statusMarker([row.venue.lat, row.venue.lon], row.feasibility,
      `${row.activity.name}, ${row.venue.name}`, { keyboard: false });
    marker.on("click", () => selectRow(row, { focusPlan: true }));
    marker.addTo(group);
    state.markersByKey.set(key, marker);
  }
  group.addTo(map);
  state.resultLayer = group;
  // Frame the client's area and what they can reach; fall back to everything.
  let bounds = group.getBounds();
  const oa = result.origin_area;
  const reachable = [...best].filter(([key, row]) =>
    displayStatus(row.feasibility) !== "unreachable" && state.markersByKey.has(key));
  if (oa && reachable.length) {
    bounds = L.latLng(oa.lat, oa.lon).toBounds(oa.radius_m * 2);
    for (const [key] of reachable) bounds.extend(state.markersByKey.get(key).getLatLng());
  }
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
}

function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** "Leave by 09:32, home by 12:41 · 32 min round trip (14 there, 18 back), 1 bus." */
function travelText(row) {
  const s = displayStatus(row.feasibility);
  if (s === "unreachable" || !row.leave_home_by) return "";
  let text = `Leave by ${row.leave_home_by}`;
  if (row.home_by && s === "feasible") text += `, home by ${row.home_by}`;
  const out = row.outbound;
  const back = row.return;
  if (row.travel_basis === "round_trip" && out && back) {
    text += ` · ${minutes(row.travel_minutes)} round trip (${out.minutes} min there, ${back.minutes} min back)`;
  } else if (out) {
    text += ` · ${minutes(out.minutes)} one way`;
  }
  const buses = row.buses ? plural(row.buses, "bus", "buses") : "walking only";
  return `${text}, ${buses}.`;
}

/** The row's fares: the way that arrives on time and, with a pass, the way it makes free. */
function fareHtml(row, status) {
  if (!row.fare_text || status === "unreachable" && row.reason_code !== "over_cost_limit") return "";
  const paid = `<span class="fare-option fare-paid">${esc(sentence(`Bus fare: ${row.fare_text}`))}</span>`;
  const f = row.free_option;
  const free = f ? `<span class="fare-option fare-free"><strong>Free with the bus pass:</strong> ${
    esc(sentence(lateText(f, row.start_time)))}</span>` : "";
  const cost = row.cost_reason && row.reason_code !== "over_cost_limit"
    ? `<span class="fare-cost">${esc(sentence(row.cost_reason))}</span>` : "";
  const options = row.preferred_option === "free" ? free + paid : paid + free;
  const companion = companionText(row);
  const extra = companion ? `<span class="fare-cost">${esc(companion)}</span>` : "";
  return `<span class="result-fare">${options}${extra}${cost}</span>`;
}

/** With a companion pass (C+): what the companion pays, when it is known. */
function companionText(row) {
  const ways = [row.fare_out, row.fare_back].filter((j) => j && j.legs.length);
  const paid = ways.map((j) => j.companion_total_pence);
  if (!ways.length || paid.some((p) => p === null || p === undefined)) return "";
  const total = paid.reduce((a, b) => a + b, 0);
  if (total === 0) return "A companion travels free too.";
  return `A companion pays ${row.fare_upper_bound ? "up to " : ""}£${(total / 100).toFixed(2)} return.`;
}

/** "leave at 09:31: free with your bus pass, arrive 10:40 (10 min after the start)". */
function lateText(f, start) {
  if (f.minutes_late > 0) return `${f.text} (${f.minutes_late} min after the start)`;
  return f.arrive_time === start ? `${f.text}, as it starts` : `${f.text}, in time`;
}

function whereText(row) {
  const parts = [row.venue.name];
  if (row.venue.town && !row.venue.name.includes(row.venue.town)) parts.push(row.venue.town);
  let text = parts.join(", ");
  if (row.distance_km !== null && row.distance_km !== undefined) text += ` · ${row.distance_km.toFixed(1)} km away`;
  return text;
}

function resultItem(row, index) {
  const s = displayStatus(row.feasibility);
  const relax = relaxation(row, state.result ? state.result.parameters : {});
  const note = s === "outbound_only" && row.last_bus_home && row.last_bus_home.note
    ? ` ${sentence(row.last_bus_home.note)}` : "";
  const inList = state.shortlist.has(row.id);
  return `<li class="result-card">
    <button type="button" class="result st-${s}" data-index="${index}">
      ${statusBadge(s)}
      <span class="result-title">${esc(row.activity.name)}</span>
      <span class="result-when">${esc(shortDate(row.date))}, ${esc(row.start_time)}–${esc(row.end_time)} · ${esc(whereText(row))}</span>
      <span class="result-travel"><span class="result-status">${esc(row.reason_code === "over_cost_limit"
        ? "Over the cost limit" : STATUS[s].short)}.</span>
        ${esc(travelText(row))}${row.reason ? ` ${esc(sentence(row.reason))}` : ""}${esc(note)}</span>
      ${fareHtml(row, s)}
      ${row.activity.reported_closed ? `<span class="closed-flag">Reported closed: check with the organiser before going.</span>` : ""}
    </button>
    <div class="result-actions">
      ${s !== "unreachable" ? `<label class="shortlist-toggle"><input type="checkbox" data-shortlist="${index}"${inList ? " checked" : ""}>
        Add to handout</label>` : ""}
      ${relax ? `<button type="button" class="relax" data-relax="${index}">${esc(relax.label)}</button>` : ""}
      <a class="report-link" href="/report?service=${encodeURIComponent(row.activity.id)}">Report a change</a>
    </div>
  </li>`;
}

function groupHtml(title, status, items) {
  return `<section class="result-group group-${status}" aria-label="${esc(title)}">
    <h3 class="group-heading">${statusBadge(status)} ${esc(title)}</h3>
    <ol class="results-list">${items}</ol></section>`;
}

function indexesOf(status) {
  return state.rows.map((_, i) => i).filter((i) => displayStatus(state.rows[i].feasibility) === status);
}

/** The triaged list: there and back, then there only, then the unreachable folded away. */
function renderList() {
  const ok = indexesOf("feasible");
  const there = indexesOf("outbound_only");
  const none = indexesOf("unreachable");
  const parts = [];
  if (ok.length) {
    parts.push(groupHtml(`There and back (${ok.length})`, "feasible",
      ok.map((i) => resultItem(state.rows[i], i)).join("")));
  }
  if (there.length) {
    parts.push(groupHtml(`There, but not back (${there.length})`, "outbound_only",
      there.map((i) => resultItem(state.rows[i], i)).join("")));
  }
  if (none.length) {
    const shown = none.slice(0, state.unreachableShown);
    const left = none.length - shown.length;
    const more = left > 0 ? `<p class="more-results"><button type="button" id="more-button" aria-expanded="${shown.length ? "true" : "false"}">
      ${shown.length ? `${left} more can't be reached: show ${Math.min(PAGE_SIZE, left)}` : `${left} more can't be reached: show`}</button></p>` : "";
    parts.push(`<section class="result-group group-unreachable" aria-label="Cannot be reached (${none.length})">
      ${shown.length ? `<h3 class="group-heading">${statusBadge("unreachable")} Cannot be reached (${none.length})</h3>
        <ol class="results-list">${shown.map((i) => resultItem(state.rows[i], i)).join("")}</ol>` : ""}
      ${more}</section>`);
  }
  $("results").innerHTML = parts.join("");
  const moreButton = $("more-button");
  if (moreButton) {
    moreButton.addEventListener("click", () => {
      const first = none[state.unreachableShown];
      state.unreachableShown += PAGE_SIZE;
      renderList();
      document.querySelector(`.result[data-index="${first}"]`)?.focus();
    });
  }
  markSelected();
}

function summaryText(result, counts) {
  const total = state.rows.length;
  const oa = result.origin_area || {};
  const where = oa.approximate
    ? `from the middle of ${oa.outward} (approximate: only the first part of the postcode was given)`
    : `from the client's home${oa.outward ? ` in ${oa.outward}` : ""}`;
  return `<h3 class="summary-heading">${plural(counts.feasible, "session")} there and back, `
    + `${counts.outbound_only} there only, ${counts.unreachable} not reachable</h3>`
    + `<p>Of ${plural(total, "session")} in the client's hours, searched ${esc(where)}.</p>`
    + (oa.approximate ? `<p class="approx-flag"><strong>Approximate start:</strong> walks and times are from the middle of ${esc(oa.outward)}, not the client's address.</p>` : "");
}

function render(result) {
  state.result = result;
  setPlanContext({ notices: result.notices, originArea: result.origin_area,
    wheelchair: Boolean(result.parameters && result.parameters.wheelchair) });
  state.rows = result.rows || [];
  state.selected = null;
  state.unreachableShown = 0;
  $("plan-panel").hidden = true;
  const counts = { feasible: 0, outbound_only: 0, unreachable: 0 };
  for (const row of state.rows) counts[displayStatus(row.feasibility)] += 1;
  const summary = $("result-summary");
  summary.innerHTML = summaryText(result, counts);
  summary.hidden = false;
  $("explanations").innerHTML = (result.explanations || []).map((t) => `<p>${esc(t)}</p>`).join("");
  const summaries = result.summaries || [];
  $("summaries").innerHTML = summaries.length ? `<details><summary>Each activity by day
    (${summaries.length})</summary><ul>${summaries.map((s) =>
      `<li><strong>${esc(s.name)}</strong>: ${esc(s.text)}</li>`).join("")}</ul></details>` : "";
  renderList();
  setStatus(`${state.rows.length} session${state.rows.length === 1 ? "" : "s"} found: `
    + `${counts.feasible} there and back, ${counts.outbound_only} there only, `
    + `${counts.unreachable} not reachable.`);
  drawMap(result);
}

function markSelected() {
  for (const b of document.querySelectorAll(".result[aria-current]")) b.removeAttribute("aria-current");
  if (!state.selected) return;
  const index = state.rows.indexOf(state.selected);
  document.querySelector(`.result[data-index="${index}"]`)?.setAttribute("aria-current", "true");
}

function workerDetails() {
  return { name: $("worker-name").value.trim(), phone: $("worker-phone").value.trim() };
}

function showPlan(rows, { focusPlan = true } = {}) {
  state.printing = rows;
  $("plan").innerHTML = handoutHtml(rows, workerDetails());
  $("plan-heading").textContent = rows.length > 1 ? `Handout: ${rows.length} activities` : "Journey plan";
  $("print-button").textContent = rows.length > 1 ? "Print handout" : "Print plan for client";
  const panel = $("plan-panel");
  panel.hidden = false;
  if (focusPlan) {
    $("plan-heading").focus();
    panel.scrollIntoView({ block: "start" });
  }
}

function selectRow(row, { focusPlan = false } = {}) {
  state.selected = row;
  const index = state.rows.indexOf(row);
  if (displayStatus(row.feasibility) === "unreachable") {
    const pos = indexesOf("unreachable").indexOf(index);
    if (pos >= state.unreachableShown) {
      state.unreachableShown = Math.ceil((pos + 1) / PAGE_SIZE) * PAGE_SIZE;
      renderList();
    }
  }
  markSelected();
  for (const [key, marker] of state.markersByKey) {
    const el = marker.getElement();
    if (el) el.classList.toggle("is-selected", key === rowKey(row));
  }
  showPlan([row], { focusPlan });
}

function closePlan() {
  $("plan-panel").hidden = true;
  const index = state.selected ? state.rows.indexOf(state.selected) : -1;
  const button = document.querySelector(`.result[data-index="${index}"]`);
  if (button) button.focus();
  else $("result-summary").focus();
}

function updateShortlistBar() {
  const n = state.shortlist.size;
  $("shortlist-bar").hidden = n === 0;
  $("shortlist-count").textContent = `${plural(n, "session")} in the handout.`;
  $("print-shortlist").textContent = `Print shortlist (${n})`;
}

function shortlistRows() {
  return state.rows.filter((r) => state.shortlist.has(r.id));
}

/** One click from a reason to the search that would pass it ("Needs 2 buses → allow 2 buses"). */
function applyRelaxation(row) {
  const relax = relaxation(row, state.result ? state.result.parameters : {});
  if (!relax) return;
  for (const [id, value] of Object.entries(relax.set)) $(id).value = value;
  runSearch();
}

function onResultsClick(e) {
  const relax = e.target.closest("[data-relax]");
  if (relax) {
    applyRelaxation(state.rows[Number(relax.dataset.relax)]);
    return;
  }
  const button = e.target.closest(".result");
  if (button) selectRow(state.rows[Number(button.dataset.index)], { focusPlan: true });
}

function onResultsChange(e) {
  const box = e.target.closest("[data-shortlist]");
  if (!box) return;
  const row = state.rows[Number(box.dataset.shortlist)];
  if (box.checked) state.shortlist.add(row.id);
  else state.shortlist.delete(row.id);
  updateShortlistBar();
}

function printNow() {
  // The worker's name and phone may have changed since the plan was drawn.
  if (state.printing.length) $("plan").innerHTML = handoutHtml(state.printing, workerDetails());
  window.print();
}

async function start() {
  fillLegend();
  defaultDates();
  $("finder-form").addEventListener("submit", onSubmit);
  $("results").addEventListener("click", onResultsClick);
  $("results").addEventListener("change", onResultsChange);
  $("print-button").addEventListener("click", printNow);
  $("close-plan").addEventListener("click", closePlan);
  $("print-shortlist").addEventListener("click", () => showPlan(shortlistRows()));
  $("clear-shortlist").addEventListener("click", () => {
    state.shortlist.clear();
    for (const box of document.querySelectorAll("[data-shortlist]")) box.checked = false;
    updateShortlistBar();
    $("result-summary").focus();
  });
  for (const id of ["worker-name", "worker-phone"]) {
    $(id).addEventListener("input", () => {
      if (state.printing.length) $("plan").innerHTML = handoutHtml(state.printing, workerDetails());
    });
  }
  const config = await startPage({ onConfigError: () => {
    $("map-status").textContent = "The page settings could not be loaded; the map may be incomplete.";
  } });
  fillExample(config.example_postcode);
  fillOptions($("category"), config.categories, "Any category");
  fillOptions($("audience"), config.audiences, "No preference");
  state.mapView = createMap($("map"), config, {
    onStatus: (text) => { $("map-status").textContent = text; },
  });
  state.mapView.outlines.then(() => {
    document.body.dataset.mapReady = "true";
  }).catch(() => {
    $("map-status").textContent = "The area outlines could not be loaded.";
  });
}

start();
