// Status symbols shared by the map, the list and the legend: colour, shape and glyph together,
// so the three states never depend on colour alone.

export const STATUS = {
  feasible: { label: "Can get there and back", short: "There and back", colour: "#1a6b34" },
  outbound_only: { label: "Can get there, but not back", short: "There only, no way back",
    colour: "#9a4a00" },
  unreachable: { label: "Cannot get there in time", short: "Not reachable", colour: "#55595e" },
};

const SHAPES = {
  // Circle with a tick.
  feasible: (c) => `<circle cx="12" cy="12" r="10.5" fill="${c}" stroke="#fff" stroke-width="2"/>
    <path d="M6.5 12.5l3.5 3.5 7.5-8" fill="none" stroke="#fff" stroke-width="2.8"
      stroke-linecap="round" stroke-linejoin="round"/>`,
  // Triangle with an exclamation mark.
  outbound_only: (c) => `<path d="M12 1.5L23 22H1z" fill="${c}" stroke="#fff" stroke-width="2"
      stroke-linejoin="round"/>
    <path d="M12 8.5v6.5" stroke="#fff" stroke-width="2.8" stroke-linecap="round"/>
    <circle cx="12" cy="18.6" r="1.6" fill="#fff"/>`,
  // Square with a cross.
  unreachable: (c) => `<rect x="2" y="2" width="20" height="20" rx="2" fill="${c}" stroke="#fff"
      stroke-width="2"/>
    <path d="M7.5 7.5l9 9M16.5 7.5l-9 9" stroke="#fff" stroke-width="2.8" stroke-linecap="round"/>`,
};

/** Normalise any feasibility value to one of the three display states. */
export function displayStatus(feasibility) {
  if (feasibility === "feasible") return "feasible";
  if (feasibility === "outbound_only") return "outbound_only";
  return "unreachable";
}

/** Inline SVG for a status; decorative (aria-hidden) because a text label always accompanies it. */
export function statusSvg(status) {
  const s = displayStatus(status);
  return `<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">${SHAPES[s](STATUS[s].colour)}</svg>`;
}

/** A span holding the symbol, for lists and legends. */
export function statusBadge(status) {
  return `<span class="mk mk-${displayStatus(status)}">${statusSvg(status)}</span>`;
}
