// The planner's gap map: a need x access choropleth by ward, LSOA or district, with a detail
// panel, CSV download, a print view, and a what-if mode that re-colours the map.
import { getConfig, getJSON, postJSON } from "/static/js/api.js";
import { esc } from "/static/js/format.js";
import { createMap, L } from "/static/js/map.js";
import { applyNotices } from "/static/js/notices.js";
import { CATEGORY_NAMES, renderDetail, setCategoryNames } from "/static/js/planner-detail.js";
import { chip, className, colourOf, renderLegend } from "/static/js/planner-legend.js";

const $ = (id) => document.getElementById(id);
const CONTROLS = ["level", "band", "category", "audience", "budget"];
const state = { layer: null, meta: null, features: new Map(), marker: null, placing: false,
  map: null, config: null, fitted: false };

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("is-error", isError);
}

function params() {
  const q = new URLSearchParams();
  for (const name of CONTROLS) q.set(name, $(name).value);
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
}

function styleFor(props, changed = false) {
  return {
    color: changed ? "#000" : "#3d4650", weight: changed ? 3 : 0.6,
    fillColor: colourOf(props.gap_class), fillOpacity: props.in_region ? 0.85 : 0.35,
    className: `wr-gap-area wr-class-${props.gap_class || "none"}${changed ? " wr-changed" : ""}`,
  };
}

function tooltip(p) {
  const share = p.activities_share === null ? "–" : `${Math.round(p.activities_share * 100)}%`;
  return `<strong>${esc(p.name)}</strong><br>${esc(className(p.gap_class))}<br>`
    + `Reach any activity: ${share}; IMD score ${p.imd_score === null ? "–" : p.imd_score.toFixed(1)}`;
}

function fillBudgets(meta) {
  const select = $("budget");
  const current = String(meta.budget);
  select.innerHTML = meta.budgets.map((b) =>
    `<option value="${b}"${String(b) === current ? " selected" : ""}>${b} minutes</option>`).join("");
}

function fillTopGaps(features) {
  const top = features.filter((f) => f.properties.in_region && f.properties.gap_score !== null)
    .sort((a, b) => b.properties.gap_score - a.properties.gap_score).slice(0, 10);
  $("top-gaps").innerHTML = top.map((f) => `<li>${chip(f.properties.gap_class)}`
    + `<button type="button" data-code="${esc(f.properties.code)}">${esc(f.properties.name)}</button>`
    + ` <span class="hint">gap score ${f.properties.gap_score.toFixed(2)}</span></li>`).join("")
    || "<li>No classed areas.</li>";
}

async function loadLayer() {
  const q = params();
  setStatus("Loading the map…");
  history.replaceState(null, "", `?${q}`);
  $("csv-link").href = `/api/gaps?${q}&format=csv`;
  let fc;
  try {
    fc = await getJSON(`/api/gaps?${q}`);
  } catch (err) {
    setStatus(err.message, true);
    return;
  }
  state.meta = fc.meta;
  fillBudgets(fc.meta);
  if (state.layer) state.map.removeLayer(state.layer);
  state.features.clear();
  state.layer = L.geoJSON(fc, {
    style: (f) => styleFor(f.properties),
    onEachFeature: (f, layer) => {
      state.features.set(f.properties.code, { feature: f, layer });
      layer.bindTooltip(tooltip(f.properties), { sticky: true });
      // Leaflet sends a click on an area to the area only, not to the map.
      layer.on("click", (ev) => {
        if (state.placing) runWhatIf(ev.latlng);
        else openDetail(fc.meta.level, f.properties.code);
      });
    },
  }).addTo(state.map);
  state.layer.bringToBack();
  const inRegion = fc.features.filter((f) => f.properties.in_region).map((f) =>
    state.features.get(f.properties.code).layer);
  if (inRegion.length && !state.fitted) {
    state.regionBounds = L.featureGroup(inRegion).getBounds();
    state.map.fitBounds(state.regionBounds, { padding: [8, 8] });
    state.fitted = true;
  }
  fillTopGaps(fc.features);
  const m = fc.meta;
  const stale = m.stale ? " The listings have changed since this was computed: re-run "
    + "`python -m ingest gaps`." : "";
  setStatus(`${fc.features.length} areas · ${m.band_label} · ${m.budget} min each way · `
    + `computed ${m.computed_at.slice(0, 16).replace("T", " ")}.${stale}`, Boolean(m.stale));
  state.map.getContainer().dataset.level = m.level;
  state.map.getContainer().dataset.features = String(fc.features.length);
  fillPrintParams();
}

async function openDetail(level, code) {
  const panel = $("detail-panel");
  panel.hidden = false;
  $("detail-heading").textContent = "Loading…";
  try {
    const d = await getJSON(`/api/gaps/${encodeURIComponent(level)}/${encodeURIComponent(code)}`
      + `?budget=${encodeURIComponent($("budget").value)}`);
    $("detail-heading").textContent = d.name;
    $("detail").innerHTML = renderDetail(d);
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
    <dt>Travel budget</dt><dd>${esc(m.budget)} minutes each way, walk and bus, there and back</dd>
    <dt>Gap</dt><dd>need = ${esc(m.need_metric)}; access = ${esc(m.access_metric)}; thirds within ${esc((m.region || []).join(", "))}</dd>
    <dt>Computed</dt><dd>run ${esc(m.run_id)} at ${esc(m.computed_at.slice(0, 16).replace("T", " "))} UTC; representative week from ${esc((m.parameters.week || [""])[0])}</dd>
    </dl>`;
  $("printed-on").textContent = `Printed ${new Date().toLocaleString("en-GB")}. Method: docs/method.md.`;
}

function fillFooter(config) {
  const items = (config.attributions || []).map((a) => `<li>${esc(typeof a === "string" ? a
    : a.text || a.attribution || a.name || "")}</li>`);
  if (config.tile_url && config.tile_attribution) {
    items.push(`<li>Basemap: ${esc(config.tile_attribution)}</li>`);
  }
  items.push("<li>Map display: Leaflet (BSD-2-Clause).</li>");
  $("attributions").innerHTML = items.join("");
}

// ---- what-if -------------------------------------------------------------------------------

function setPlacing(on) {
  state.placing = on;
  $("whatif-place").setAttribute("aria-pressed", String(on));
  $("whatif-place").textContent = on ? "Click the map… (press to cancel)" : "Place on map";
  document.body.classList.toggle("placing", on);
}

function whatIfBody(latlng) {
  const form = $("whatif-form");
  const days = [...form.querySelectorAll("input[name=days]:checked")].map((c) => c.value);
  const audience = $("wi-audience").value;
  return {
    lat: Number(latlng.lat.toFixed(6)), lon: Number(latlng.lng.toFixed(6)), days,
    start: $("wi-start").value, end: $("wi-end").value, frequency: $("wi-frequency").value,
    category: $("wi-category").value, audiences: audience ? [audience] : [],
    budget: Number($("budget").value), view_category: $("category").value,
    view_audience: $("audience").value,
  };
}

async function runWhatIf(latlng) {
  setPlacing(false);
  const body = whatIfBody(latlng);
  $("whatif-result").textContent = "Working out who could reach it…";
  let res;
  try {
    res = await postJSON("/api/gaps/what-if", body);
  } catch (err) {
    $("whatif-result").textContent = err.problems.map((p) => `${p.field}: ${p.message}`).join("; ");
    return;
  }
  if (res.band !== $("band").value) {
    $("band").value = res.band;
    await loadLayer();
  }
  if (state.marker) state.map.removeLayer(state.marker);
  state.marker = L.marker(latlng, { title: "Hypothetical activity", keyboard: true,
    icon: L.divIcon({ className: "wr-whatif-marker", iconSize: [28, 28], iconAnchor: [14, 14],
      html: '<svg viewBox="0 0 28 28" aria-hidden="true"><polygon points="14,1 18,10 27,10 20,16 23,26 14,20 5,26 8,16 1,10 10,10" fill="#ffbf47" stroke="#000" stroke-width="2"/></svg>' }) })
    .addTo(state.map);
  const level = state.meta.level;
  for (const c of res.changes[level] || []) {
    const hit = state.features.get(c.code);
    if (!hit) continue;
    const props = { ...hit.feature.properties, gap_class: c.after.gap_class };
    hit.layer.setStyle(styleFor(props, true));
    // Leaflet applies className only when a path is created: update the classes by hand.
    const el = hit.layer.getElement();
    if (el) {
      el.classList.remove(`wr-class-${hit.feature.properties.gap_class || "none"}`);
      el.classList.add(`wr-class-${c.after.gap_class || "none"}`, "wr-changed");
    }
  }
  $("whatif-clear").disabled = false;
  state.map.getContainer().dataset.whatif = String((res.changes[level] || []).length);
  renderWhatIf(res, level);
}

function renderWhatIf(res, level) {
  const rows = (res.changes[level] || []).slice()
    .sort((a, b) => (b.delta.activities_share - a.delta.activities_share)
      || (b.delta.e2sfca - a.delta.e2sfca)).slice(0, 12)
    .map((c) => `<tr><th scope="row">${esc(c.name || c.code)}</th>
      <td class="num">${Math.round((c.before.activities_share || 0) * 100)}% → ${Math.round((c.after.activities_share || 0) * 100)}%</td>
      <td class="num">+${(c.delta.activities_mean || 0).toFixed(2)}</td>
      <td>${chip(c.before.gap_class)}→${chip(c.after.gap_class)}</td></tr>`);
  const s = res.summary;
  $("whatif-result").innerHTML = `
    <p><strong>${esc(CATEGORY_NAMES[res.activity.category] || res.activity.category)}</strong>,
      ${esc(res.activity.days.join(", "))} ${esc(res.activity.start)}–${esc(res.activity.end)}
      (${esc(res.band.replace("_", " "))}, ${esc(res.budget)} min): about
      ${s.residents_within_round_trip.toLocaleString("en-GB")} residents in ${s.lsoas_reached}
      neighbourhoods could get there and back. ${s.wards_changed} wards change.
      ${res.view.counts_in_view ? "" : "It does not count in the current map view (category or residents)."}
      Nothing is saved.</p>
    ${rows.length ? `<table><caption class="visually-hidden">Changes by area</caption>
      <thead><tr><th scope="col">Area</th><th scope="col">Reach any</th><th scope="col">Activities</th><th scope="col">Class</th></tr></thead>
      <tbody>${rows.join("")}</tbody></table>` : ""}`;
}

async function clearWhatIf() {
  if (state.marker) state.map.removeLayer(state.marker);
  state.marker = null;
  $("whatif-result").textContent = "";
  $("whatif-clear").disabled = true;
  delete state.map.getContainer().dataset.whatif;
  await loadLayer();
}

// ---- start ---------------------------------------------------------------------------------

async function start() {
  renderLegend($("legend"));
  try {
    state.config = await getConfig();
  } catch {
    state.config = {};
  }
  // The category lists need their options before the URL can select one.
  setCategoryNames(state.config.categories);
  const options = Object.entries(CATEGORY_NAMES).map(([code, name]) =>
    `<option value="${code}">${esc(name)}</option>`).join("");
  $("category").insertAdjacentHTML("beforeend", options);
  $("wi-category").innerHTML = options;
  $("wi-category").value = "social-connection";
  readUrl();
  fillFooter(state.config);
  applyNotices(state.config);
  const made = createMap($("map"), state.config, {
    onStatus: (text) => { $("map-status").textContent = text; } });
  state.map = made.map;
  state.map.on("click", (ev) => { if (state.placing) runWhatIf(ev.latlng); });
  for (const name of CONTROLS) $(name).addEventListener("change", loadLayer);
  $("planner-controls").addEventListener("submit", (ev) => ev.preventDefault());
  $("whatif-form").addEventListener("submit", (ev) => ev.preventDefault());
  $("whatif-place").addEventListener("click", () => setPlacing(!state.placing));
  $("whatif-clear").addEventListener("click", clearWhatIf);
  $("detail-close").addEventListener("click", () => { $("detail-panel").hidden = true; });
  $("top-gaps").addEventListener("click", (ev) => {
    const btn = ev.target.closest("button[data-code]");
    if (btn) openDetail(state.meta.level, btn.dataset.code);
  });
  $("print-button").addEventListener("click", () => { fillPrintParams(); window.print(); });
  await loadLayer();
  // The shared map fits the whole loaded region once its outlines arrive; zoom back in to
  // the districts with listings, where the gap classes apply.
  made.outlines.then(() => {
    if (state.regionBounds) state.map.fitBounds(state.regionBounds, { padding: [8, 8] });
  }).catch(() => {});
  document.body.dataset.ready = "1";
}

start();
