// Bivariate need x access colours and the legend: need (IMD) on one axis, access on the other.
// "3-1" (highest need, lowest access) is the strongest red: the gap planners look for.
import { esc } from "/static/js/format.js";

// Key: `${needTercile}-${accessTercile}`, each 1 (low) .. 3 (high).
export const PALETTE = {
  "1-3": "#64acbe", "2-3": "#627f8c", "3-3": "#574249",
  "1-2": "#b0d5df", "2-2": "#ad9ea5", "3-2": "#985356",
  "1-1": "#e8e8e8", "2-1": "#e4acac", "3-1": "#c85a5a",
};
export const OUTSIDE = "#ffffff";

const NEED = { 1: "lower need", 2: "middle need", 3: "higher need" };
const ACCESS = { 1: "lower access", 2: "middle access", 3: "higher access" };

/** Plain-language name of a class such as "3-1". */
export function className(cls) {
  if (!cls) return "Not classed (outside the districts with listings)";
  const [n, a] = cls.split("-");
  return `${NEED[n]}, ${ACCESS[a]}`.replace(/^./, (c) => c.toUpperCase());
}

/** Fill colour of a class (white when unclassed). */
export function colourOf(cls) {
  return (cls && PALETTE[cls]) || OUTSIDE;
}

/** A small coloured chip with the class code, for lists and tables. */
export function chip(cls) {
  // White text only where it has >= 4.5:1 contrast; black everywhere else.
  const fg = cls === "3-3" || cls === "3-2" ? "#fff" : "#000";
  return `<span class="class-chip" style="background:${colourOf(cls)};color:${fg}" `
    + `title="${esc(className(cls))}">${esc(cls || "–")}</span>`;
}

/** Render the 3x3 legend into the <figure>. */
export function renderLegend(figure) {
  const cells = [];
  for (const a of [3, 2, 1]) {
    for (const n of [1, 2, 3]) {
      const cls = `${n}-${a}`;
      cells.push(`<span style="background:${PALETTE[cls]}" role="img" `
        + `aria-label="${esc(className(cls))}"></span>`);
    }
  }
  figure.insertAdjacentHTML("beforeend", `
    <span class="bv-axis bv-axis-y">Access → higher</span>
    <div class="bv-grid">${cells.join("")}</div>
    <span></span><span class="bv-axis">Need (IMD) → higher</span>
    <span class="bv-extra"><span class="bv-swatch" style="background:${PALETTE["3-1"]}"></span>
      Strongest red: high need, low access</span>
    <span class="bv-extra"><span class="bv-swatch" style="background:${OUTSIDE}"></span>
      Not classed: outside the districts with listings</span>`);
}
