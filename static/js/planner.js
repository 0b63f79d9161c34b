// The planner's gap map: need x there-and-back access by ward, LSOA or district, a comparison
// region chosen on the page, an area picker, the detail panel, exports, print, and the
// what-if and optimiser tools (planner-tools.js).
import { getJSON } from "/static/js/api.js";
import { esc } from "/static/js/format.js";
import { createMap, L } from "/static/js/map.js";
import { $, startPage } from "/static/js/page.js";
import { CATEGORY_NAMES, renderDetail, setCategoryNames } from "/static/js/planner-detail.js";
import { chip, className, renderLegend } from "/static/js/planner-legend.js";
import { initTools } from "/static/js/planner-tools.js";

const CONTROLS = ["level", "band", "category", "audience", "budget", "breaks"];
const state = { layer: null, meta: null, features: new Map(), map: null, config: null,
  fitted: false, region: null, areas: [], selected: null, changed: new Set() };

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("is-error", isError);
}

// null = the default region; otherwise the districts ticked on the page (or in the URL).
function regionParam() {
  return state.region && state.region.length ? state.region.join(",") : "";
}

function params() {
  const q = new URLSearchParams();
  for (const name of CONTROLS) q.set(name, $(name).value);
  if ($("free_with_pass").checked) q.set("free_with_pass", "true");
  const region = regionParam();
  if (region) q.set("region", region);
  return q;
}

function readUrl() {
  const q = new URLSearchParams(window.location.search);
  for (const name of CONTROLS) {
    const v = q.get(name);
    if (!v) continue;
    const select = $(name);
    if (name === "budget" && ![...select.options].some((o) => o.value === v)) {
      select.add(new Option(`${v} minutes`, v));
    }
    select.value = v;
  }
  if (q.get("region")) state.region = q.get("region").split(",");
  $("free_with_pass").checked = q.get("free_with_pass") === "true" && $("audience").value === "older";
}

// The bus pass view is of older residents: ticking it shows them, choosing others unticks it.
function syncFreePass(ev) {
  if (ev.target.id === "free_with_pass" && ev.target.checked) $("audience").value = "older";
  if (ev.target.id === "audience" && ev.target.value !== "older") $("free_with_pass").checked = false;
}

/** CSS classes of an area path: its class colour, outside, selected, changed by a what-if. */
function pathClasses(p, cls = p.gap_class) {
  const names = ["wr-gap-area"];
  if (!p.in_region) names.push("wr-outside");
  else if (state.meta && state.meta.level === "lad") {
    const r = p.activities_share;
    const a = r === null ? null : r <= 0 ? 0 : r < state.meta.breaks.reach[0] ? 1
      : r < state.meta.breaks.reach[1] ? 2 : 3;
    if (a !== null) names.push(`wr-class-reach-${a}`);
  } else if (cls) names.push(`wr-class-${cls}`);
  if (state.selected === p.code) names.push("wr-selected");
  if (state.changed.has(p.code)) names.push("wr-changed");
  return names;
}

/** Re-apply the classes of one area path (Leaflet sets className only on creation). */
export function restyle(code, cls) {
  const hit = state.features.get(code);
  if (!hit) return;
  const el = hit.layer.getElement();
  if (!el) return;
  el.setAttribute("class", ["leaflet-interactive", ...pathClasses(hit.feature.properties,
    cls === undefined ? hit.feature.properties.gap_class : cls)].join(" "));
}

function pct(x) {
  return x === null || x === undefined ? "–" : `${Math.round(x * 100)}%`;
}

function tooltip(p) {
  const what = state.meta.level === "lad"
    ? `Rank ${p.rank_reach ?? "–"} of ${state.meta.region.length} on reach`
    : esc(className(p.gap_class));
  return `<strong>${esc(p.name)}</strong><br>${what}<br>`
    + `Residents with a round trip: ${pct(p.activities_share)}; `
    + `sessions a week within reach: ${p.sessions_mean === null ? "–" : p.sessions_mean.toFixed(1)}`;
}

function fillBudgets(meta) {
  const select = $("budget");
  const current = String(meta.budget);
  select.innerHTML = meta.budgets.map((b) =>
    `<option value="${b}"${String(b) === current ? " selected" : ""}>${b} minutes</option>`).join("");
}

function fillRegion(meta) {
  const lads = state.areas.filter((a) => a.level === "lad");
  const chosen = new Set(meta.region);
  $("region-boxes").innerHTML = lads.map((a) => `<label><input type="checkbox" value="${esc(a.code)}"`
    + `${chosen.has(a.code) ? " checked" : ""}> ${esc(a.name)}</label>`).join("");
  $("region-rule").textContent = `Comparing within ${meta.region_names.join(", ")} `
    + `(${meta.region_rule}). Other districts are shown grey and not classed.`;
}

function listItem(p) {
  return `<li>${chip(p.gap_class)}<button type="button" data-code="${esc(p.code)}">`
    + `${esc(p.name)}</button> <span class="hint">${pct(p.activities_share)} reach, `
    + `IMD ${p.imd_score === null ? "–" : p.imd_score.toFixed(1)}</span></li>`;
}

function fillTopLists(features) {
  const lad = state.meta.level === "lad";
  $("top-lists").hidden = lad;
  const byNeed = (a, b) => (b.imd_score - a.imd_score) || (a.activities_share - b.activities_share);
  const props = features.map((f) => f.properties);
  const none = props.filter((p) => p.gap_class === "3-0").sort(byNeed);
  const low = props.filter((p) => p.gap_class === "3-1").sort(byNeed);
  $("top-gaps").innerHTML = none.slice(0, 15).map(listItem).join("")
    || "<li>No high-need area here lacks a round trip entirely.</li>";
  $("low-gaps").innerHTML = low.slice(0, 15).map(listItem).join("")
    || "<li>No high-need area has low access.</li>";
}

function fillDistrictTable(features) {
  if (state.meta.level !== "lad") {
    $("district-table").innerHTML = "";
    return;
  }
  const rows = features.map((f) => f.properties).filter((p) => p.in_region)
    .sort((a, b) => a.rank_reach - b.rank_reach).map((p) => `<tr>
      <th scope="row"><button type="button" data-code="${esc(p.code)}">${esc(p.name)}</button></th>
      <td class="num">${pct(p.activities_share)} <span class="hint">(${pct(p.reach_low)}–${pct(p.reach_high)})</span></td>
      <td class="num">${p.rank_reach}</td>
      <td class="num">${p.sessions_mean.toFixed(1)}</td><td class="num">${p.rank_sessions}</td></tr>`);
  $("district-table").innerHTML = `<table class="district-table">
    <caption>Districts in the comparison region, rank 1 = least access</caption>
    <thead><tr><th scope="col">District</th><th scope="col">Residents with a round trip</th>
    <th scope="col">Rank</th><th scope="col">Sessions a week within reach</th><th scope="col">Rank</th></tr></thead>
    <tbody>${rows.join("")}</tbody></table>`;
}

/** Load the layer for the controls and draw it. */
export async function loadLayer() {
  const q = params();
  setStatus("Loading the map…");
  history.replaceState(null, "", `?${q}`);
  $("csv-link").href = `/api/gaps?${q}&format=csv`;
  $("gpkg-link").href = `/api/gaps?${q}&format=gpkg`;
  let fc;
  try {
    fc = await getJSON(`/api/gaps?${q}`);
  } catch (err) {
    setStatus(err.message, true);
    return;
  }
  state.meta = fc.meta;
  state.changed.clear();
  fillBudgets(fc.meta);
  fillRegion(fc.meta);
  renderLegend($("legend"), fc.meta);
  $("round-trip-rule").textContent = fc.meta.round_trip_rule;
  if (state.layer) state.map.removeLayer(state.layer);
  state.features.clear();
  state.layer = L.geoJSON(fc, {
    style: (f) => ({ className: pathClasses(f.properties).join(" "), weight: 0.6 }),
    onEachFeature: (f, layer) => {
      state.features.set(f.properties.code, { feature: f, layer });
      layer.bindTooltip(() => tooltip(f.properties), { sticky: true });
      // Leaflet sends a click on an area to the area only, not to the map.
      layer.on("click", (ev) => {
        if (state.onMapClick && state.onMapClick(ev.latlng)) return;
        openDetail(fc.meta.level, f.properties.code);
      });
    },
  }).addTo(state.map);
  // Area paths are pictures, not controls: the area picker is the keyboard route to them.
  state.layer.eachLayer((layer) => {
    const el = layer.getElement();
    if (el) { el.setAttribute("tabindex", "-1"); el.setAttribute("aria-hidden", "true"); }
  });
  state.layer.bringToBack();
  const inRegion = fc.features.filter((f) => f.properties.in_region).map((f) =>
    state.features.get(f.properties.code).layer);
  if (inRegion.length && !state.fitted) {
    state.regionBounds = L.featureGroup(inRegion).getBounds();
    state.map.fitBounds(state.regionBounds, { padding: [8, 8] });
    state.fitted = true;
  }
  fillTopLists(fc.features);
  fillDistrictTable(fc.features);
  const m = fc.meta;
  const stale = m.stale ? " The listings have changed since this was computed: re-run "
    + "`python -m ingest gaps`." : "";
  const free = m.free_with_pass ? "free with a bus pass · " : "";
  setStatus(`${fc.features.length} areas · ${m.band_label} · ${m.budget} min each way · ${free}`
    + `computed ${m.computed_at.slice(0, 16).replace("T", " ")}.${stale}`, Boolean(m.stale));
  state.map.getContainer().dataset.level = m.level;
  state.map.getContainer().dataset.features = String(fc.features.length);
  fillPrintParams();
}

/** Open the detail of an area, highlight it on the map and move focus to the panel. */
export async function openDetail(level, code) {
  const panel = $("detail-panel");
  panel.hidden = false;
  const previous = state.selected;
  state.selected = code;
  if (previous) restyle(previous);
  restyle(code);
  const hit = state.features.get(code);
  if (hit && hit.layer.getBounds) state.map.fitBounds(hit.layer.getBounds(), { maxZoom: 12, padding: [40, 40] });
  $("detail-heading").textContent = "Loading…";
  try {
    const d = await getJSON(`/api/gaps/${encodeURIComponent(level)}/${encodeURIComponent(code)}`
      + `?budget=${encodeURIComponent($("budget").value)}`
      + ($("free_with_pass").checked ? "&free_with_pass=true" : ""));
    $("detail-heading").textContent = d.name;
    $("detail").innerHTML = renderDetail(d, { band: $("band").value, audience: $("audience").value,
      freeWithPass: $("free_with_pass").checked });
  } catch (err) {
    $("detail-heading").textContent = "Could not load this area";
    $("detail").textContent = err.message;
  }
  $("detail-heading").focus();
}

function fillPrintParams() {
  const m = state.meta;
  if (!m) return;
  const label = (id) => $(id).selectedOptions[0]?.textContent || "";
  $("print-params").innerHTML = `<dl>
    <dt>Areas</dt><dd>${esc(label("level"))}</dd>
    <dt>Time</dt><dd>${esc(m.band_label)}</dd>
    <dt>Category</dt><dd>${esc(label("category"))}</dd>
    <dt>Residents</dt><dd>${esc(label("audience"))} (population ${esc(m.population_band)})</dd>
    ${m.free_with_pass ? `<dt>Bus pass</dt><dd>${esc(m.free_with_pass_rule)}</dd>` : ""}
    <dt>Travel budget</dt><dd>${esc(m.budget)} minutes each way, walk and bus, there and back</dd>
    <dt>Round trip</dt><dd>${esc(m.round_trip_rule)}</dd>
    <dt>Compared within</dt><dd>${esc(m.region_names.join(", "))} (${esc(m.region_rule)})</dd>
    <dt>Access groups</dt><dd>${esc(m.breaks.kind)}${m.breaks.note ? `: ${esc(m.breaks.note)}` : ""}</dd>
    <dt>Computed</dt><dd>run ${esc(m.run_id)} at ${esc(m.computed_at.slice(0, 16).replace("T", " "))} UTC; representative week from ${esc((m.parameters.week || [""])[0])}</dd>
    </dl>`;
  // On paper a bare path is no use: print the address a reader can type in.
  $("printed-on").textContent = `Printed ${new Date().toLocaleString("en-GB")}. How this is calculated: ${location.origin}/method`;
}


// ---- area picker -------------------------------------------------------------------------

async function loadAreas() {
  try {
    state.areas = (await getJSON("/api/gaps/areas")).areas;
  } catch {
    state.areas = [];
  }
  const kinds = { ward: "ward", lsoa: "neighbourhood", lad: "district" };
  $("area-names").innerHTML = state.areas.filter((a) => a.level !== "lad").map((a) =>
    `<option value="${esc(a.name)} (${kinds[a.level]})"></option>`).join("");
}

async function pickArea(ev) {
  ev.preventDefault();
  const raw = $("area-search").value.trim().toLowerCase();
  if (!raw) { $("picker-status").textContent = "Type a ward or neighbourhood name."; return; }
  const kinds = { ward: "ward", lsoa: "neighbourhood" };
  const label = (a) => `${a.name} (${kinds[a.level]})`.toLowerCase();
  const pool = state.areas.filter((a) => a.level !== "lad");
  const hit = pool.find((a) => label(a) === raw) || pool.find((a) => a.name.toLowerCase() === raw)
    || pool.find((a) => a.name.toLowerCase().includes(raw));
  if (!hit) { $("picker-status").textContent = `No ward or neighbourhood matches “${$("area-search").value}”.`; return; }
  $("picker-status").textContent = "";
  if ($("level").value !== hit.level) {
    $("level").value = hit.level;
    await loadLayer();
  }
  await openDetail(hit.level, hit.code);
}

// ---- start -------------------------------------------------------------------------------

async function start() {
  state.config = await startPage();
  // The category lists need their options before the URL can select one.
  setCategoryNames(state.config.categories);
  const options = Object.entries(CATEGORY_NAMES).map(([code, name]) =>
    `<option value="${code}">${esc(name)}</option>`).join("");
  $("category").insertAdjacentHTML("beforeend", options);
  readUrl();
  const made = createMap($("map"), state.config, {
    onStatus: (text) => { $("map-status").textContent = text; } });
  state.map = made.map;
  state.map.on("click", (ev) => { if (state.onMapClick) state.onMapClick(ev.latlng); });
  await loadAreas();
  for (const name of [...CONTROLS, "free_with_pass"]) {
    $(name).addEventListener("change", (ev) => { syncFreePass(ev); loadLayer(); });
  }
  $("region-boxes").addEventListener("change", () => {
    state.region = [...document.querySelectorAll("#region-boxes input:checked")].map((b) => b.value);
    loadLayer();
  });
  $("planner-controls").addEventListener("submit", (ev) => ev.preventDefault());
  $("picker-form").addEventListener("submit", pickArea);
  $("detail-close").addEventListener("click", () => {
    $("detail-panel").hidden = true;
    const was = state.selected;
    state.selected = null;
    if (was) restyle(was);
  });
  for (const id of ["top-lists", "district-table"]) {
    $(id).addEventListener("click", (ev) => {
      const btn = ev.target.closest("button[data-code]");
      if (btn) openDetail(state.meta.level, btn.dataset.code);
    });
  }
  $("print-button").addEventListener("click", () => { fillPrintParams(); window.print(); });
  initTools({ state, options, loadLayer, restyle, openDetail });
  await loadLayer();
  // The shared map fits the whole loaded region once its outlines arrive; zoom back in to
  // the comparison region, where the classes apply.
  made.outlines.then(() => {
    if (state.regionBounds) state.map.fitBounds(state.regionBounds, { padding: [8, 8] });
  }).catch(() => {});
  document.body.dataset.ready = "1";
}

start();
