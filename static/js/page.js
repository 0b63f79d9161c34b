// Scaffolding every page shares: element look-up, small DOM builders, the status message,
// the skip link, and what /api/config fills in (data notices, region label, data sources).
import { getConfig } from "/static/js/api.js";
import { esc } from "/static/js/format.js";
import { applyNotices } from "/static/js/notices.js";

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** A new element with text (never parsed as HTML) and an optional class. */
export function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

/** A paragraph of text, bold when `strong`. */
export function para(text, strong = false) {
  const p = el("p");
  if (strong) p.append(el("strong", text));
  else p.textContent = text;
  return p;
}

/** Show a message in a status box (role=status, tabindex=-1) and move focus to it. */
export function say(box, text, isError = false) {
  box.textContent = text;
  box.classList.toggle("error", isError);
  box.focus();
}

/** The data sources list: each attribution (with its licence when not already named),
 * the basemap's and Leaflet's. */
export function fillFooter(config) {
  const list = $("attributions");
  if (!list) return;
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
  list.innerHTML = items.join("");
}

// A skip link's target gets focus, not just scrolled to, so the next Tab starts there
// (headings and sections are not focusable by themselves).
/** Make every skip link focus its target. */
export function wireSkipLinks() {
  for (const link of document.querySelectorAll("a.skip-link[href^='#']")) {
    link.addEventListener("click", () => {
      const target = document.getElementById(link.hash.slice(1));
      if (!target) return;
      if (!target.matches("a, button, input, select, textarea, [tabindex]")) {
        // Focusable for this jump only, so a later click does not outline it.
        target.setAttribute("tabindex", "-1");
        target.addEventListener("blur", () => target.removeAttribute("tabindex"), { once: true });
      }
      target.focus();
    });
  }
}

/** Start a map page: wire the skip links, read /api/config (or {} if it cannot be read,
 * after `onConfigError`), then fill the data notices, the region label and the footer. */
export async function startPage({ onConfigError } = {}) {
  wireSkipLinks();
  let config = {};
  try {
    config = await getConfig();
  } catch {
    if (onConfigError) onConfigError();
  }
  fillFooter(config);
  applyNotices(config);
  const region = $("region-label");
  if (region && config.region_label) region.textContent = `Region: ${config.region_label}`;
  return config;
}
