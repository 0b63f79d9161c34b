// One-click relaxations: from a row's reason to the form change that would pass it.

const MAX_MINUTES = 120;
const MAX_BUSES = 3;

/**
 * The relaxation offered for a row, or null: {label, set: {inputId: value}}.
 * `params` are the answer's echoed request parameters (max_minutes, max_buses, mode).
 */
export function relaxation(row, params = {}) {
  const code = row.reason_code || "";
  const reason = row.reason || "";
  const limit = Number(params.max_minutes || 45);
  if (params.mode === "walk" && (code.startsWith("too_long") || code.startsWith("no_bus"))) {
    return { label: "Walking only → allow 1 bus", set: { "max-buses": "1" } };
  }
  if (code.startsWith("too_many_buses")) {
    const m = /needs (\d+) buses/.exec(reason);
    const n = m ? Number(m[1]) : Number(params.max_buses || 1) + 1;
    if (n > MAX_BUSES) return null;
    return { label: `Needs ${n} buses → allow ${n} buses`, set: { "max-buses": String(n) } };
  }
  if (code.startsWith("too_long") && limit < MAX_MINUTES) {
    const more = Math.min(MAX_MINUTES, limit + 15);
    return { label: `Over ${limit} min → allow ${more} min`, set: { "max-minutes": String(more) } };
  }
  if (code === "before_hours") {
    const m = /leave home at (\d\d:\d\d)/.exec(reason);
    if (m) return { label: `Leaves home at ${m[1]} → start from ${m[1]}`, set: { "hours-from": m[1] } };
  }
  if (code === "home_too_late") {
    const m = /gets back at (\d\d:\d\d)/.exec(reason) || /home at (\d\d:\d\d)/.exec(reason);
    if (m && m[1] > "00:30") {
      return { label: `Home at ${m[1]} → allow back by ${m[1]}`, set: { "hours-to": m[1] } };
    }
  }
  return null;
}
