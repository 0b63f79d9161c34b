// Report a change: /report?service=<id>. Sends the report without signing in; nothing about
// the visitor is sent beyond what they type.
import { ApiError, getJSON, postJSON } from "./api.js";
import { para, say as sayIn, wireSkipLinks } from "/static/js/page.js";

const params = new URLSearchParams(window.location.search);
const serviceId = params.get("service") || "";
const form = document.getElementById("report-form");
const result = document.getElementById("result");
const card = document.getElementById("listing");

const say = (text, isError = false) => sayIn(result, text, isError);

async function showListing() {
  if (!serviceId) {
    card.replaceChildren(para("No listing was chosen. Open this page from a listing's “Report a change” link."));
    form.hidden = true;
    return;
  }
  try {
    const a = await getJSON(`/api/activities/${encodeURIComponent(serviceId)}`);
    const venue = (a.locations || [])[0];
    const parts = [para(a.name, true)];
    if (a.organization && a.organization.name) parts.push(para(`Run by ${a.organization.name}`));
    if (venue) parts.push(para([venue.name, venue.address_1, venue.postcode].filter(Boolean).join(", ")));
    card.replaceChildren(...parts);
  } catch (err) {
    card.replaceChildren(para(err instanceof ApiError && err.status === 404
      ? "We could not find that listing. It may have been removed." : "The listing could not be loaded."));
    form.hidden = true;
  }
}

async function showKinds() {
  const { kinds } = await getJSON("/api/reports/kinds");
  const list = document.getElementById("kinds");
  list.replaceChildren(...kinds.map((k, i) => {
    const li = document.createElement("li");
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "kind";
    input.value = k.code;
    input.id = `kind-${k.code}`;
    if (i === 0) input.setAttribute("aria-describedby", "kind-error");
    const label = document.createElement("label");
    label.htmlFor = input.id;
    label.textContent = k.label;
    li.append(input, label);
    return li;
  }));
}

function clearErrors() {
  for (const id of ["kind-error", "message-error"]) document.getElementById(id).textContent = "";
  document.getElementById("message").removeAttribute("aria-invalid");
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors();
  const chosen = form.querySelector('input[name="kind"]:checked');
  if (!chosen) {
    document.getElementById("kind-error").textContent = "Choose what has changed.";
    form.querySelector('input[name="kind"]').focus();
    return;
  }
  const message = document.getElementById("message").value.trim();
  const button = document.getElementById("send");
  button.disabled = true;
  try {
    const out = await postJSON("/api/reports", { service_id: serviceId, kind: chosen.value, message: message || null });
    form.hidden = true;
    say(out.message);
  } catch (err) {
    const field = err instanceof ApiError ? err.body.field : null;
    if (field === "message") {
      document.getElementById("message-error").textContent = err.message;
      document.getElementById("message").setAttribute("aria-invalid", "true");
      document.getElementById("message").focus();
    } else {
      say(err.message || "The report could not be sent; please try again.", true);
    }
  } finally {
    button.disabled = false;
  }
});

wireSkipLinks();
showKinds().then(showListing).catch(() => say("The page could not load; please try again.", true));
