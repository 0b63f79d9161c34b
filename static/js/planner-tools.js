// The planner's what-if (add, close or move a group) and optimiser (where should a new group
// go?). Placement by venue list, typed postcode or a click on the map; results list every
// area whose own access changes, and the top sites appear on the map as numbered markers.
import { getJSON, postJSON } from "/static/js/api.js";
import { esc } from "/static/js/format.js";
import { L } from "/static/js/map.js";
import { $ } from "/static/js/page.js";
import { chip } from "/static/js/planner-legend.js";

let ctx = null;
const markers = [];

function clearMarkers() {
  while (markers.length) ctx.state.map.removeLayer(markers.pop());
}

function addMarker(latlng, label, title) {
  const m = L.marker(latlng, { title, keyboard: false, alt: title,
    icon: L.divIcon({ className: "wr-site-marker", iconSize: [28, 28], iconAnchor: [14, 14],
      html: `<span aria-hidden="true">${esc(label)}</span>` }) }).addTo(ctx.state.map);
  markers.push(m);
  return m;
}

function problems(err) {
  return (err.problems || [{ field: "request", message: err.message }])
    .map((p) => `${p.field}: ${p.message}`).join("; ");
}

// ---- what-if -------------------------------------------------------------------------------

function kind() {
  return $("wi-kind").value;
}

function where() {
  return document.querySelector("input[name=where]:checked").value;
}

function syncForm() {
  const k = kind();
  document.querySelector(".wi-listing").hidden = k === "add" || k === "bus";
  document.querySelector(".wi-new").hidden = k !== "add";
  document.querySelector(".wi-bus").hidden = k !== "bus";
  document.querySelector(".wi-days").hidden = k === "close" || k === "bus";
  document.querySelector(".wi-times").hidden = k === "close" || k === "bus";
  const w = where();
  document.querySelector(".wi-venue").hidden = k !== "add" || w !== "venue";
  document.querySelector(".wi-postcode").hidden = k !== "add" || w !== "postcode";
  $("whatif-place").hidden = !(k === "add" && w === "map");
  $("whatif-run").hidden = k === "add" && w === "map";
}

async function fillListings() {
  try {
    const res = await getJSON(`/api/gaps/listings?band=${encodeURIComponent($("band").value)}`);
    $("wi-listing").innerHTML = res.listings.map((l) => `<option value="${esc(l.id)}">`
      + `${esc(l.name)} (${esc(l.when.join(", "))})</option>`).join("")
      || "<option value=\"\">No listings in this time band</option>";
  } catch {
    $("wi-listing").innerHTML = "<option value=\"\">Listings unavailable</option>";
  }
}

async function fillVenues() {
  try {
    const res = await getJSON("/api/gaps/venues");
    $("wi-venue").innerHTML = res.venues.map((v) => `<option value="${esc(v.id)}">`
      + `${esc(v.name)}${v.town ? `, ${esc(v.town)}` : ""} (${esc(v.kind.replace(/-/g, " "))})</option>`).join("");
    const lib = res.venues.find((v) => v.name === "Newark Library");
    if (lib) $("wi-venue").value = lib.id;
  } catch {
    $("wi-venue").innerHTML = "";
  }
}

function body(latlng) {
  const days = [...$("whatif-form").querySelectorAll("input[name=days]:checked")].map((c) => c.value);
  const view = { budget: Number($("budget").value), view_category: $("category").value,
    view_audience: $("audience").value, breaks: $("breaks").value };
  const region = new URLSearchParams(window.location.search).get("region");
  if (region) view.region = region;
  const k = kind();
  if (k === "close") return { ...view, band: $("band").value, close: [$("wi-listing").value] };
  if (k === "bus") {
    const trip = { route: $("wi-route").value.trim(), depart: $("wi-depart").value };
    const bus = $("wi-both").checked ? [{ ...trip, direction: 0 }, { ...trip, direction: 1 }] : [trip];
    return { ...view, band: $("band").value, bus };
  }
  if (k === "change") {
    return { ...view, band: $("band").value, change: { activity_id: $("wi-listing").value,
      days, start: $("wi-start").value, end: $("wi-end").value } };
  }
  const audience = $("wi-audience").value;
  const out = { ...view, days, start: $("wi-start").value, end: $("wi-end").value,
    frequency: $("wi-frequency").value, category: $("wi-category").value,
    audiences: audience ? [audience] : [] };
  if (latlng) return { ...out, lat: Number(latlng.lat.toFixed(6)), lon: Number(latlng.lng.toFixed(6)) };
  if (where() === "postcode") return { ...out, postcode: $("wi-postcode").value };
  return { ...out, venue_id: $("wi-venue").value };
}

function setPlacing(on) {
  ctx.state.onMapClick = on ? (latlng) => { runWhatIf(latlng); return true; } : null;
  $("whatif-place").setAttribute("aria-pressed", String(on));
  $("whatif-place").textContent = on ? "Click the map… (press to cancel)" : "Place on map";
  document.body.classList.toggle("placing", on);
}

async function runWhatIf(latlng = null) {
  setPlacing(false);
  $("whatif-result").textContent = "Working out who could get there and back…";
  let res;
  try {
    res = await postJSON("/api/gaps/what-if", body(latlng));
  } catch (err) {
    $("whatif-result").textContent = problems(err);
    return;
  }
  if (res.band !== $("band").value) {
    $("band").value = res.band;
    await ctx.loadLayer();
  }
  clearMarkers();
  const added = res.scenario.added;
  if (added) addMarker([added.lat, added.lon], "★", `New group: ${added.place}`);
  const level = ctx.state.meta.level;
  ctx.state.changed = new Set((res.changes[level] || []).map((c) => c.code));
  for (const c of res.changes[level] || []) ctx.restyle(c.code, c.after.gap_class);
  $("whatif-clear").disabled = false;
  ctx.state.map.getContainer().dataset.whatif = String((res.changes[level] || []).length);
  renderWhatIf(res, level);
}

function describeScenario(s) {
  if (s.added) return `A new group at ${esc(s.added.place)}, ${esc(s.added.days.join(", "))} ${esc(s.added.start)}–${esc(s.added.end)}`;
  if (s.changed) return `${esc(s.changed.name)} moved to ${esc(s.changed.days.join(", "))} ${esc(s.changed.start)}–${esc(s.changed.end)}`;
  if (s.bus && s.bus.length) {
    return `An extra bus on route ${esc(s.bus[0].route)} at ${esc(s.bus[0].depart)}`
      + `${s.bus.length > 1 ? " each way" : ""}`;
  }
  return `Closing ${s.closed.map((c) => esc(c.name)).join(", ")}`;
}

function renderWhatIf(res, level) {
  const pct = (x) => `${Math.round((x || 0) * 100)}%`;
  const section = (lv, title) => {
    const rows = (res.changes[lv] || []).slice()
      .sort((a, b) => Math.abs(b.delta.activities_share) - Math.abs(a.delta.activities_share))
      .map((c) => `<tr><th scope="row">${esc(c.name || c.code)}</th>
        <td class="num"><span class="nowrap">${pct(c.before.activities_share)} → ${pct(c.after.activities_share)}</span>
          <span class="sessions-delta">${(c.delta.sessions_mean >= 0 ? "+" : "") + (c.delta.sessions_mean || 0).toFixed(2)} a week</span></td>
        <td>${lv === "lad" ? "–" : `<span class="nowrap">${chip(c.before.gap_class)}</span> <span class="nowrap">→ ${chip(c.after.gap_class)}</span>`}</td></tr>`);
    return `<details${lv === level ? " open" : ""}><summary>${esc(title)}: ${rows.length} change</summary>
      ${rows.length ? `<div class="table-scroll" tabindex="0" role="region" aria-label="${esc(title)} whose access changes">
      <table><caption class="visually-hidden">${esc(title)} whose access changes (sessions a week under each share)</caption>
      <thead><tr><th scope="col">Area</th><th scope="col">Residents with a round trip</th><th scope="col">Class</th></tr></thead>
      <tbody>${rows.join("")}</tbody></table></div>` : "<p>None.</p>"}</details>`;
  };
  const s = res.summary;
  const reach = s.residents_within_round_trip === undefined ? ""
    : ` About ${s.residents_within_round_trip.toLocaleString("en-GB")} residents in ${s.lsoas_reached} neighbourhoods could get there and back.`;
  $("whatif-result").innerHTML = `
    <p><strong>${describeScenario(res.scenario)}</strong> (${esc(res.band_label)}, ${esc(res.budget)} min each way).${reach}
      ${s.ward_changed} wards and ${s.lsoa_changed} neighbourhoods change access; ${s.ward_class_changed} wards change class.
      Every other area keeps its class (the groups are fixed before the change).
      ${res.view.counts_in_view === false ? "The new group does not count in the current map view (category or residents)." : ""}
      Nothing is saved.</p>
    ${section("lsoa", "Neighbourhoods")}${section("ward", "Wards")}${section("lad", "Districts")}`;
}

async function clearWhatIf() {
  clearMarkers();
  $("whatif-result").textContent = "";
  $("whatif-clear").disabled = true;
  delete ctx.state.map.getContainer().dataset.whatif;
  await ctx.loadLayer();
}

// ---- optimiser -----------------------------------------------------------------------------

async function runOptimiser() {
  $("opt-result").textContent = "Testing every venue… this takes a few seconds.";
  const postcodes = $("opt-postcodes").value.split(",").map((p) => p.trim()).filter(Boolean);
  const audience = $("opt-audience").value;
  const req = { band: $("band").value, category: $("opt-category").value,
    audience: audience || null, k: Number($("opt-k").value), budget: Number($("budget").value),
    postcodes };
  const region = new URLSearchParams(window.location.search).get("region");
  if (region) req.region = region;
  let res;
  try {
    res = await postJSON("/api/gaps/optimise", req);
  } catch (err) {
    $("opt-result").textContent = problems(err);
    return;
  }
  clearMarkers();
  res.top.forEach((t, i) => addMarker([t.lat, t.lon], String(i + 1), `Site ${i + 1}: ${t.name}`));
  const items = res.top.map((t) => `<li><strong>${esc(t.name)}</strong>${t.town ? `, ${esc(t.town)}` : ""}:
    ${esc(t.day)} ${esc(t.start)}–${esc(t.end)}. About ${t.residents_newly_reached.toLocaleString("en-GB")}
    residents gain a first round trip (need-weighted ${t.need_weighted_gain.toLocaleString("en-GB")};
    adds ${t.marginal_gain.toLocaleString("en-GB")} after the sites above).</li>`);
  const typed = res.typed.map((t) => `<li>${esc(t.name)} at ${esc(t.start)}: rank ${t.rank} of ${res.placements_tested}
    (need-weighted ${t.need_weighted_gain.toLocaleString("en-GB")})</li>`);
  ctx.state.map.getContainer().dataset.sites = String(res.top.length);
  $("opt-result").innerHTML = `<p>${esc(res.band_label)}, ${esc(res.budget)} min each way;
    ${res.placements_tested} site and time pairs tested; today ${Math.round(res.baseline_reached_share * 100)}%
    of these residents can already get to such a group. Best sites (numbered on the map):</p>
    <ol>${items.join("") || "<li>No site gives anyone a new round trip.</li>"}</ol>
    ${typed.length ? `<p>Your postcodes:</p><ul>${typed.join("")}</ul>` : ""}
    ${res.exact_check ? `<p class="hint">Checked against the best possible choice of ${res.top.length} among the
      ${res.exact_check.pool} strongest placements: these sites reach ${Math.round(res.exact_check.greedy_share_of_optimal * 100)}% of it.</p>` : ""}
    <p class="hint">Need-weighted: residents × their area's deprivation score ÷ the region average. <a href="/method#optimiser">How sites are ranked</a>.</p>`;
}

// ---- run history ---------------------------------------------------------------------------

async function fillRuns() {
  let runs;
  try {
    runs = (await getJSON("/api/gaps/runs")).runs;
  } catch {
    return;
  }
  const opts = runs.map((r) => `<option value="${r.run_id}">Run ${r.run_id}, `
    + `${esc((r.finished_at || "").slice(0, 16).replace("T", " "))} (${esc(r.bands.join(", "))})</option>`).join("");
  $("run-a").innerHTML = opts;
  $("run-b").innerHTML = opts;
  if (runs.length > 1) $("run-a").value = String(runs[1].run_id);
}

async function compareRuns(ev) {
  ev.preventDefault();
  const q = new URLSearchParams({ a: $("run-a").value, b: $("run-b").value,
    level: $("level").value, band: $("band").value, audience: $("audience").value,
    budget: $("budget").value });
  let res;
  try {
    res = await getJSON(`/api/gaps/runs/compare?${q}`);
  } catch (err) {
    $("runs-result").textContent = problems(err);
    return;
  }
  const pct = (x) => (x === null ? "–" : `${Math.round(x * 100)}%`);
  const rows = res.areas.filter((a) => a.reach.change).sort((x, y) =>
    Math.abs(y.reach.change) - Math.abs(x.reach.change)).slice(0, 10).map((a) =>
    `<li>${esc(a.name || a.code)}: ${pct(a.reach.a)} → ${pct(a.reach.b)}</li>`);
  $("runs-result").innerHTML = `<p>${res.changed} areas changed reach between run ${res.a.run_id}
    and run ${res.b.run_id}.</p>${rows.length ? `<ul>${rows.join("")}</ul>` : ""}`;
}

/** Wire the what-if and optimiser forms. */
export function initTools(context) {
  ctx = context;
  $("wi-category").innerHTML = ctx.options;
  $("wi-category").value = "social-connection";
  $("opt-category").innerHTML = ctx.options;
  $("opt-category").value = "social-connection";
  $("opt-audience").innerHTML = $("wi-audience").innerHTML;  // the same audiences, one list
  $("opt-audience").value = "young-people-16-25";
  $("whatif-form").addEventListener("submit", (ev) => ev.preventDefault());
  $("opt-form").addEventListener("submit", (ev) => ev.preventDefault());
  $("wi-kind").addEventListener("change", syncForm);
  for (const r of document.querySelectorAll("input[name=where]")) r.addEventListener("change", syncForm);
  $("whatif-run").addEventListener("click", () => runWhatIf());
  $("whatif-place").addEventListener("click", () => setPlacing(!ctx.state.onMapClick));
  $("whatif-clear").addEventListener("click", clearWhatIf);
  $("opt-run").addEventListener("click", runOptimiser);
  $("band").addEventListener("change", fillListings);
  $("runs-form").addEventListener("submit", compareRuns);
  syncForm();
  fillRuns();
  fillVenues();
  fillListings();
}
