// The organiser's page, opened from /confirm#token=...: the token stays in the fragment (never
// sent in a URL) and travels only in POST bodies.
import { postJSON } from "./api.js";
import { para, say as sayIn, wireSkipLinks } from "/static/js/page.js";

const token = new URLSearchParams(window.location.hash.slice(1)).get("token") || "";
const form = document.getElementById("answer-form");
const result = document.getElementById("result");
const DAYS = { MO: "Monday", TU: "Tuesday", WE: "Wednesday", TH: "Thursday", FR: "Friday", SA: "Saturday", SU: "Sunday" };
let listing = null;

const say = (text, isError = false) => sayIn(result, text, isError);

function when(s) {
  const days = String(s.byday || "").split(",").map((d) => DAYS[d.slice(-2)] || d).join(" and ");
  const every = s.freq === "MONTHLY" ? "Monthly" : s.interval === 2 ? "Every other" : "Every";
  return `${every} ${days}, ${s.opens_at || "?"}–${s.closes_at || "?"}`;
}

async function start() {
  if (!token) {
    document.getElementById("listing").replaceChildren(para("This page needs the link you were sent."));
    return;
  }
  try {
    const view = await postJSON("/api/confirm/view", { token });
    listing = view.listing;
    const card = [para(listing.name, true)];
    if (view.organization) card.push(para(`Run by ${view.organization}`));
    for (const s of listing.schedules || []) card.push(para(when(s)));
    const venue = (listing.locations || [])[0];
    if (venue) card.push(para([venue.name, venue.postcode].filter(Boolean).join(", ")));
    document.getElementById("listing").replaceChildren(...card);
    form.hidden = false;
  } catch (err) {
    document.getElementById("listing").replaceChildren(para(err.message));
  }
}

form.addEventListener("change", () => {
  const chosen = form.querySelector('input[name="answer"]:checked');
  document.getElementById("changes").hidden = !chosen || chosen.value !== "changes";
});

function proposed() {
  const out = {};
  const dayValue = document.getElementById("p-day").value;
  const startValue = document.getElementById("p-start").value;
  const endValue = document.getElementById("p-end").value;
  if (dayValue || startValue || endValue) {
    const first = (listing.schedules || [])[0] || { freq: "WEEKLY", interval: 1 };
    out.schedules = [{ freq: first.freq, interval: first.interval || 1, byday: dayValue || first.byday,
      opens_at: startValue || first.opens_at, closes_at: endValue || first.closes_at,
      location_id: first.location_id }];
  }
  for (const [id, key] of [["p-phone", "contact_phone"], ["p-email", "contact_email"], ["p-description", "description"]]) {
    const v = document.getElementById(id).value.trim();
    if (v) out[key] = v;
  }
  return out;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  document.getElementById("answer-error").textContent = "";
  document.getElementById("form-error").textContent = "";
  const chosen = form.querySelector('input[name="answer"]:checked');
  if (!chosen) {
    document.getElementById("answer-error").textContent = "Choose an answer.";
    document.getElementById("a-running").focus();
    return;
  }
  try {
    const out = await postJSON("/api/confirm", { token, answer: chosen.value,
      proposed: chosen.value === "changes" ? proposed() : null,
      note: document.getElementById("note").value.trim() || null });
    form.hidden = true;
    say(out.message);
  } catch (err) {
    document.getElementById("form-error").textContent = err.message;
  }
});

wireSkipLinks();
start();
