// The detail panel of one area: population, deprivation, access by band, gaps, nearest activities.
import { esc, minutes } from "/static/js/format.js";
import { chip, className } from "/static/js/planner-legend.js";

const BANDS = { weekday_day: "Weekday daytime", weekday_evening: "Weekday evening",
  weekend: "Weekend" };
const AUDIENCES = { all: "Everyone", young: "Young people 16–25", older: "Older people 65+" };
// Category names come from /api/config (app/directory/vocab.py is the one vocabulary).
const CATEGORY_NAMES = {};

/** Fill CATEGORY_NAMES from the config's [{code, label}] list. */
export function setCategoryNames(categories) {
  for (const c of categories || []) CATEGORY_NAMES[c.code] = c.label;
}
const LEVEL_NAMES = { lsoa: "Neighbourhood (LSOA)", ward: "Ward", lad: "District" };

export { CATEGORY_NAMES };

const pct = (x) => (x === null || x === undefined ? "–" : `${Math.round(x * 100)}%`);
const num = (x, d = 1) => (x === null || x === undefined ? "–" : Number(x).toFixed(d));
const int = (x) => (x === null || x === undefined ? "–" : Math.round(x).toLocaleString("en-GB"));

function needBlock(d) {
  const n = d.need || {};
  const pop = d.population || {};
  const bands = ["0-15", "16-24", "25-34", "35-49", "50-64", "65+"];
  return `
    <h3>People and need</h3>
    <dl>
      <dt>Residents (Census 2021)</dt><dd>${int(pop.total)}</dd>
      <dt>By age</dt><dd>${bands.map((b) => `${esc(b)}: ${int(pop[b])}`).join(", ")}</dd>
      <dt>IMD 2025 score</dt><dd>${num(n.imd_score)}${n.imd_decile ? ` (decile ${num(n.imd_decile, d.level === "lsoa" ? 0 : 1)}, 1 = most deprived)` : ""}</dd>
      <dt>Health domain score</dt><dd>${num(n.health_score, 2)}</dd>
      <dt>Barriers to housing and services</dt><dd>${num(n.barriers_score)}</dd>
      ${n.rural_urban ? `<dt>Rural-urban class</dt><dd>${esc(n.rural_urban)}</dd>` : ""}
      <dt>Starting points</dt><dd>${int(d.origins)} postcodes (${esc(d.origins_rule || "")})</dd>
    </dl>`;
}

function bandTable(d, view) {
  const cols = ["When, who", "Residents with a round trip (90% range)",
    "Sessions a week within reach", "Activities within reach",
    "Places per 1,000 residents a week (competition)", "Quickest trip, longer leg",
    d.level === "lad" ? "Access" : "Class"];
  const rows = [];
  for (const [band, b] of Object.entries(d.bands || {})) {
    for (const [aud, m] of Object.entries(b.by_audience || {})) {
      const current = band === view.band && aud === view.audience;
      const interval = m.reach_low === null || m.reach_low === undefined ? ""
        : ` <span class="hint">(${pct(m.reach_low)}–${pct(m.reach_high)})</span>`;
      const cells = [
        `${pct(m.activities_share)}${interval}`, num(m.sessions_mean), num(m.activities_mean),
        num(m.e2sfca, 2), m.nearest_min === null ? "–" : esc(minutes(m.nearest_min)),
        d.level === "lad" ? esc(m.access_label || "–")
          : `${chip(m.gap_class)}<span class="visually-hidden">${esc(className(m.gap_class))}</span>`];
      // Each cell carries its column's name: a narrow panel shows the rows as cards.
      rows.push(`<tr${current ? ' class="is-current"' : ""}><th scope="row">${esc(BANDS[band] || band)}, ${esc(AUDIENCES[aud] || aud)}${current ? ' <span class="visually-hidden">(shown on the map)</span>' : ""}</th>
        ${cells.map((c, i) => `<td${i < 5 ? ' class="num"' : ""} data-label="${esc(cols[i + 1])}">${c}</td>`).join("")}</tr>`);
    }
  }
  return `
    <h3>What residents can reach, there and back within ${esc(d.budget)} minutes each way</h3>
    <p class="round-trip-note">${esc(d.round_trip_rule || "")} <a href="/method#round-trip">What counts as a round trip</a>.</p>
    <div class="table-scroll" tabindex="0" role="region" aria-label="Access by time band, scrollable">
    <table class="detail-table stack-narrow">
      <caption class="visually-hidden">Access by time band and residents; the highlighted row is the map's view</caption>
      <thead><tr>${cols.map((c) => `<th scope="col">${esc(c)}</th>`).join("")}</tr></thead>
      <tbody>${rows.join("")}</tbody>
    </table></div>
    <p class="hint">The range shows how much the share could move had other postcodes been sampled (exact bootstrap over the ${int(d.origins)} postcodes).</p>`;
}

function categoryTable(d) {
  const bands = Object.keys(d.bands || {});
  const rows = Object.entries(CATEGORY_NAMES).map(([code, name]) => {
    const cells = bands.map((band) => {
      const m = ((d.bands[band] || {}).by_category || {})[code];
      return `<td class="num">${m ? pct(m.activities_share) : "–"}</td>`;
    });
    return `<tr><th scope="row">${esc(name)}</th>${cells.join("")}</tr>`;
  });
  return `
    <h3>Share of residents reaching each category (everyone)</h3>
    <div class="table-scroll" tabindex="0" role="region" aria-label="Reach by category, scrollable">
    <table class="detail-table">
      <caption class="visually-hidden">Share of residents who can reach at least one activity of each category, by time band</caption>
      <thead><tr><th scope="col">Category</th>${bands.map((b) => `<th scope="col">${esc(BANDS[b] || b)}</th>`).join("")}</tr></thead>
      <tbody>${rows.join("")}</tbody>
    </table></div>`;
}

function missingBlock(d) {
  const items = Object.entries(d.bands || {}).map(([band, b]) => {
    const missing = (b.missing_categories || []).map((c) => esc(CATEGORY_NAMES[c] || c));
    return `<li><strong>${esc(BANDS[band] || band)}:</strong> ${missing.length
      ? missing.join(", ") : "every category is within reach of some residents"}</li>`;
  });
  return `<h3>Missing: categories no resident here can reach</h3><ul>${items.join("")}</ul>`;
}

const people = (n) => `${int(n)} older ${Math.round(n) === 1 ? "resident" : "residents"}`;

/** The older residents' free-with-a-bus-pass view: who loses access, and why. */
function freePassBlock(d, view) {
  const items = Object.entries(d.bands || {}).filter(([, b]) => b.free_with_pass).map(([band, b]) => {
    const f = b.free_with_pass;
    const older = (f.older || {}).activities_share;
    const free = (f.free || {}).activities_share;
    const why = f.free_from
      ? `${people(f.residents_losing_access_before_0930 || 0)} lose access because the only way there leaves before ${esc(f.free_from)}`
      : "the pass is free all day, so no one loses access by the time they set off";
    const late = f.residents_losing_access_late_return
      ? `; ${people(f.residents_losing_access_late_return)} because the bus home is not free (23:00 or later)` : "";
    return `<li${band === view.band ? ' class="is-current"' : ""}><strong>${esc(BANDS[band] || band)}:</strong> ${why}${late}. `
      + `Older residents (65+) with a round trip: ${pct(older)} on any bus, ${pct(free)} free with the pass `
      + `(${int(f.with_access)} and ${int(f.with_access_free)} of ${int(f.older_residents)}).</li>`;
  });
  return `<section class="free-pass"><h3>Free with a bus pass: older residents who lose access</h3>
    <p class="round-trip-note">${esc(d.free_with_pass_rule || "")} <a href="/method#free-with-a-bus-pass">How this is counted</a>.</p>
    <ul class="free-pass-list">${items.join("")}</ul></section>`;
}

function nearestBlock(d, view) {
  const items = Object.entries(d.bands || {}).map(([band, b]) => {
    const list = (b.nearest_activities || []).map((a) =>
      `<li>${esc(a.name)}: ${pct(a.share_of_residents)} of residents, about ${esc(minutes(a.minutes))}</li>`);
    return `<li${band === view.band ? ' class="is-current"' : ""}><strong>${esc(BANDS[band] || band)}</strong><ul>${list.join("")
      || "<li>Nothing within reach.</li>"}</ul></li>`;
  });
  return `<h3>Nearest feasible activities</h3><ul>${items.join("")}</ul>`;
}

/** Fill the detail panel for an area detail document; `view` is the map's band and audience
 * (and `freeWithPass`, when the free-with-a-bus-pass view is on). */
export function renderDetail(d, view = {}) {
  const late = d.no_way_home_after_19_share;
  const noTrip = d.no_late_round_trip_share;
  return `
    <p class="detail-kind">${esc(LEVEL_NAMES[d.level] || d.level)} ${esc(d.code)}</p>
    ${needBlock(d)}
    ${bandTable(d, view)}
    <p><strong>No way home after 19:00:</strong> ${late === null || late === undefined ? "no evening sessions ending after 19:00 are listed"
      : `${pct(late)} of residents could get to an evening activity ending at 19:00 or later, but home from none of them within ${esc(d.budget)} minutes; `
        + `${pct(noTrip)} have no evening round trip at all`}.</p>
    ${d.free_with_pass ? freePassBlock(d, view) : ""}
    ${categoryTable(d)}
    ${missingBlock(d)}
    ${nearestBlock(d, view)}
    ${d.lsoas && d.lsoas.length ? `<h3>Neighbourhoods (best-fit)</h3><p>${d.lsoas.map((l) => esc(l.name)).join(", ")}</p>` : ""}`;
}
