// Small text helpers shared by the pages: escaping, times, dates and distances.

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escape text for safe insertion into HTML. */
export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Parse an ISO date (YYYY-MM-DD) as a local calendar date. */
export function parseIsoDate(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(y, m - 1, d);
}

/** Format a local Date as YYYY-MM-DD. */
export function isoDate(date) {
  const p = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}`;
}

/** "Wednesday 25 November 2026" from an ISO date. */
export function longDate(iso) {
  const d = parseIsoDate(iso);
  const month = d.toLocaleString("en-GB", { month: "long" });
  return `${DAY_NAMES[d.getDay()]} ${d.getDate()} ${month} ${d.getFullYear()}`;
}

/** "Wed 25 Nov" from an ISO date. */
export function shortDate(iso) {
  const d = parseIsoDate(iso);
  const month = d.toLocaleString("en-GB", { month: "short" });
  return `${DAY_NAMES[d.getDay()].slice(0, 3)} ${d.getDate()} ${month}`;
}

/** "1 hr 5 min" / "25 min". */
export function minutes(n) {
  if (n === null || n === undefined) return "";
  const m = Math.round(n);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  const r = m % 60;
  return r ? `${h} hr ${r} min` : `${h} hr`;
}

/** "350 m" / "1.2 km". */
export function distance(metres) {
  if (metres === null || metres === undefined) return "";
  const m = Math.round(metres);
  if (m < 1000) return `${Math.round(m / 10) * 10} m`;
  return `${(m / 1000).toFixed(1)} km`;
}

/** Money: "Free" or "£4.50". */
export function money(amount) {
  if (amount === null || amount === undefined) return "";
  const n = Number(amount);
  return n === 0 ? "Free" : `£${n.toFixed(2)}`;
}

/** "no bus back after 18:00" -> "No bus back after 18:00." */
export function sentence(text) {
  const t = String(text ?? "").trim();
  if (!t) return "";
  const body = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(body) ? body : `${body}.`;
}
