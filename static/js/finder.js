// The link worker's finder page: form -> POST /api/reachable-activities -> list, map and plan.
import { ApiError, findReachable, getConfig } from "/static/js/api.js";
import { esc, isoDate, minutes, sentence, shortDate } from "/static/js/format.js";
import { approximateArea, createMap, isochroneLayer, statusMarker } from "/static/js/map.js";
import { applyNotices } from "/static/js/notices.js";
import { planHtml, setPlanNotices } from "/static/js/plan.js";
import { STATUS, displayStatus, statusBadge } from "/static/js/symbols.js";

const PAGE_SIZE = 40;
const $ = (id) => document.getElementById(id);

const state = {
  mapView: null,
  resultLayer: null,
  rows: [],
  visible: [],
  markersByKey: new Map(),
  selected: null,
  shown: 0,
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

function fillFooter(config) {
  const items = (config.attributions || []).map((a) => {
    if (typeof a === "string") return `<li>${esc(a)}</li>`;
    const text = a.text || a.attribution || a.name || "";
    const lic = a.licence || a.license || "";
    return `<li>${esc(text)}${lic && !text.includes(lic) ? ` (${esc(lic)})` : ""}</li>`;
  });
  if (config.tile_url && config.tile_attribution) {
    items.push(`<li>Basemap: ${esc(config.tile_attribution)}</li>`);
  }
  items.push("<li>Map display: Leaflet (BSD-2-Clause).</li>");
  $("attributions").innerHTML = items.join("");
}

function fillOptions(select, items, anyLabel) {
  if (!Array.isArray(items) || !items.length) return; // keep the built-in list
  select.replaceChildren(new Option(anyLabel, ""), ...items.map((t) => new Option(t.label, t.code)));
}

function defaultDates() {
  const today = new Date();
  const end = new Date(today);
  end.setDate(today.getDate() + 6);
  $("date-from").value = isoDate(today);
  $("date-to").value = isoDate(end);
}

const FIELD_INPUTS = {
  "origin.postcode": "postcode", postcode: "postcode", origin: "postcode",
  date_from: "date-from", date_to: "date-to", days: "day-boxes",
  hours_from: "hours-from", hours_to: "hours-to", max_minutes: "max-minutes", max_buses: "max-buses",
};
const FIELD_ERRORS = {
  postcode: "postcode-error", "date-from": "dates-error", "date-to": "dates-error",
  "day-boxes": "days-error", "hours-from": "hours-error", "hours-to": "hours-error",
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
  if ($("category").value) body.filters.category = [$("category").value];
  if ($("audience").value) body.filters.audience = [$("audience").value];
  return body;
}

function validate(body) {
  const problems = [];
  if (!body.origin.postcode) problems.push(["postcode", "Enter the client's postcode, e.g. NG18 1AA."]);
  if (!body.date_from || !body.date_to) problems.push(["date_from", "Choose both dates."]);
  else if (body.date_to < body.date_from) problems.push(["date_to", "The end date is before the start date."]);
  if (!body.days.length) problems.push(["days", "Tick at least one day."]);
  if (!body.hours_from || !body.hours_to) problems.push(["hours_from", "Enter both times."]);
  else if (body.hours_to <= body.hours_from) problems.push(["hours_to", "'Back by' must be after 'From'."]);
  return problems;
}

async function onSubmit(event) {
  event.preventDefault();
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
  button.disabled = true;
  setStatus("Searching…");
  try {
    const result = await findReachable(body);
    render(result);
  } catch (err) {
    if (err instanceof ApiError) {
      let shown = 0;
      for (const p of err.problems) if (showFieldError(p.field, p.message)) shown += 1;
      setStatus(err.message, true);
      if (shown) (document.querySelector('[aria-invalid="true"]') || $("postcode")).focus();
    } else {
      setStatus("The search failed: the server could not be reached. Please try again.", true);
    }
  } finally {
    button.disabled = false;
  }
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
    const marker = statusMarker([row.venue.lat, row.venue.lon], row.feasibility,
      `${row.activity.name}, ${row.venue.name}`);
    marker.on("click", () => selectRow(row, { focusPlan: true }));
    marker.on("keypress", (e) => {
      if (e.originalEvent && (e.originalEvent.key === "Enter" || e.originalEvent.key === " ")) {
        selectRow(row, { focusPlan: true });
      }
    });
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

function resultItem(row, index) {
  const s = displayStatus(row.feasibility);
  let travel = "";
  if (s !== "unreachable" && row.leave_home_by) {
    travel = `Leave by ${row.leave_home_by}`;
    if (row.home_by) travel += `, home by ${row.home_by}`;
    if (row.travel_minutes !== null && row.travel_minutes !== undefined) {
      const buses = row.buses ? `${row.buses} bus${row.buses === 1 ? "" : "es"}` : "walking only";
      travel += ` · ${minutes(row.travel_minutes)} travel, ${buses}`;
    }
    travel += ".";
  }
  return `<li><button type="button" class="result st-${s}" data-index="${index}">
    ${statusBadge(s)}
    <span class="result-title">${esc(row.activity.name)}</span>
    <span class="result-when">${esc(shortDate(row.date))}, ${esc(row.starts)}–${esc(row.ends)} · ${esc(row.venue.name)}</span>
    <span class="result-travel"><span class="result-status">${esc(STATUS[s].short)}.</span>
      ${esc(travel)}${row.reason ? ` ${esc(sentence(row.reason))}` : ""}</span>
  </button></li>`;
}

function visibleIndexes() {
  const only = $("only-feasible").checked;
  return state.rows.map((_, i) => i)
    .filter((i) => !only || displayStatus(state.rows[i].feasibility) === "feasible");
}

function showMore() {
  const list = $("results");
  const next = state.visible.slice(state.shown, state.shown + PAGE_SIZE);
  list.querySelector(".more-results")?.remove();
  list.insertAdjacentHTML("beforeend", next.map((i) => resultItem(state.rows[i], i)).join(""));
  state.shown += next.length;
  const left = state.visible.length - state.shown;
  if (left > 0) {
    list.insertAdjacentHTML("beforeend", `<li class="more-results"><button type="button" id="more-button">
      Show ${Math.min(PAGE_SIZE, left)} more of ${left}</button></li>`);
    $("more-button").addEventListener("click", () => {
      const first = state.visible[state.shown];
      showMore();
      document.querySelector(`.result[data-index="${first}"]`)?.focus();
    });
  }
}

function renderList() {
  state.visible = visibleIndexes();
  state.shown = 0;
  $("results").innerHTML = "";
  showMore();
}

function render(result) {
  setPlanNotices(result.notices);
  state.rows = result.rows || [];
  state.shown = 0;
  state.selected = null;
  $("plan-panel").hidden = true;
  const counts = { feasible: 0, outbound_only: 0, unreachable: 0 };
  for (const row of state.rows) counts[displayStatus(row.feasibility)] += 1;
  const expl = (result.explanations || []).map((t) => `<p>${esc(t)}</p>`).join("");
  $("explanations").innerHTML = expl;
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

function selectRow(row, { focusPlan = false } = {}) {
  state.selected = row;
  for (const b of document.querySelectorAll(".result[aria-current]")) b.removeAttribute("aria-current");
  const index = state.rows.indexOf(row);
  if (!state.visible.includes(index)) {
    $("only-feasible").checked = false;
    renderList();
  }
  while (state.visible.indexOf(index) >= state.shown) showMore();
  const button = document.querySelector(`.result[data-index="${index}"]`);
  if (button) button.setAttribute("aria-current", "true");
  for (const [key, marker] of state.markersByKey) {
    const el = marker.getElement();
    if (el) el.classList.toggle("is-selected", key === rowKey(row));
  }
  $("plan").innerHTML = planHtml(row);
  const panel = $("plan-panel");
  panel.hidden = false;
  if (focusPlan) {
    $("plan-heading").focus();
    panel.scrollIntoView({ block: "start" });
  }
}

function closePlan() {
  $("plan-panel").hidden = true;
  const index = state.selected ? state.rows.indexOf(state.selected) : -1;
  const button = document.querySelector(`.result[data-index="${index}"]`);
  if (button) button.focus();
}

async function start() {
  fillLegend();
  defaultDates();
  $("finder-form").addEventListener("submit", onSubmit);
  $("results").addEventListener("click", (e) => {
    const button = e.target.closest(".result");
    if (button) selectRow(state.rows[Number(button.dataset.index)], { focusPlan: true });
  });
  $("print-button").addEventListener("click", () => window.print());
  $("close-plan").addEventListener("click", closePlan);
  $("only-feasible").addEventListener("change", renderList);
  let config = {};
  try {
    config = await getConfig();
  } catch {
    $("map-status").textContent = "The page settings could not be loaded; the map may be incomplete.";
  }
  fillFooter(config);
  if (config.region_label) $("region-label").textContent = `Region: ${config.region_label}`;
  applyNotices(config);
  fillOptions($("category"), config.categories, "Any category");
  fillOptions($("audience"), config.audiences, "Anyone");
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
