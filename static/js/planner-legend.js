// Need x access colours and the legend. Every colour is a CSS class (static/css/planner.css):
// the page's Content-Security-Policy (style-src 'self') blocks inline style attributes.
// Access 0 is "no there-and-back access"; "3-0" (high need, no access) is the darkest red.
import { esc } from "/static/js/format.js";

export const NEED = { 1: "lower need", 2: "middle need", 3: "high need" };
export const ACCESS = { 0: "no there-and-back access", 1: "low access", 2: "middle access",
  3: "high access" };

/** Plain-language name of a class such as "3-0". */
export function className(cls) {
  if (!cls) return "Not classed: outside the comparison region";
  const [n, a] = cls.split("-");
  return `${NEED[n]}, ${ACCESS[a]}`.replace(/^./, (c) => c.toUpperCase());
}

/** CSS class giving a chip or swatch the colour of a class ('outside' when unclassed). */
export function fillClass(cls) {
  return cls ? `wr-fill-${cls}` : "wr-fill-outside";
}

/** A small coloured chip with the class code, for lists and tables. */
export function chip(cls) {
  return `<span class="class-chip ${fillClass(cls)}" title="${esc(className(cls))}">`
    + `${esc(cls || "–")}</span>`;
}

/** Render the legend into the <figure>: the 3 x 4 grid, or the district reach scale. */
export function renderLegend(figure, meta) {
  const caption = `<figcaption id="legend-caption">${meta && meta.level === "lad"
    ? "Districts: reach (no classes)" : "Need × access"}</figcaption>`;
  const ranges = (meta && meta.legend && meta.legend.access) || {};
  const reach = (a) => (ranges[a] ? ` (${esc(ranges[a].reach)})` : "");
  if (meta && meta.level === "lad") {
    const items = [3, 2, 1, 0].map((a) => `<li><span class="bv-swatch wr-fill-reach-${a}"></span>`
      + `${esc(ACCESS[a])}${reach(a)}</li>`).join("");
    figure.innerHTML = `${caption}<ul class="legend-list">${items}
      <li><span class="bv-swatch wr-fill-outside"></span>Outside the comparison region</li></ul>
      <p class="legend-note">Districts are too few to class: the map shades their reach and the table ranks them.</p>`;
    return;
  }
  const cells = [];
  for (const a of [3, 2, 1, 0]) {
    for (const n of [1, 2, 3]) {
      const cls = `${n}-${a}`;
      cells.push(`<span class="bv-cell ${fillClass(cls)}" role="img" aria-label="${esc(className(cls))}"></span>`);
    }
  }
  const rows = [3, 2, 1, 0].map((a) => `<span>${esc(ACCESS[a])}${reach(a)}</span>`).join("");
  const note = meta && meta.breaks && meta.breaks.note ? `<p class="legend-note">${esc(meta.breaks.note)}</p>` : "";
  figure.innerHTML = `${caption}
    <div class="bv-grid">${cells.join("")}</div>
    <div class="bv-rows" aria-hidden="true">${rows}</div>
    <span class="bv-axis">Need (IMD decile in England) → higher</span><span></span>
    <ul class="legend-list bv-extra">
      <li><span class="bv-swatch wr-fill-3-0"></span>Darkest red: high need, no there-and-back access</li>
      <li><span class="bv-swatch wr-fill-outside"></span>Grey: outside the comparison region (not classed)</li>
    </ul>${note}`;
}
