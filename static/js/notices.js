// Data notices ("synthetic timetable", "fictional listings"). The pages ship a cautious
// default text; once /api/config answers, it says which notices apply to the data loaded.
import { esc } from "/static/js/format.js";

/** Replace every [data-notice] element's text with the server's notices, or hide it. */
export function applyNotices(config) {
  if (!Array.isArray(config.notices)) return; // config not loaded: keep the cautious default
  for (const el of document.querySelectorAll("[data-notice]")) {
    if (!config.notices.length) {
      el.hidden = true;
      continue;
    }
    const lead = el.dataset.notice || "Not real:";
    el.innerHTML = `<strong>${esc(lead)}</strong> ${config.notices.map(esc).join(" ")}`;
  }
}
