// Thin wrappers around our own JSON API. Nothing here talks to any other host.

/** An API error carrying the HTTP status and the JSON error body (message, field, problems). */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `The server answered ${status}`);
    this.status = status;
    this.body = body || {};
  }

  /** Every problem as {field, message}, whether the server sent one or a list. */
  get problems() {
    if (Array.isArray(this.body.problems) && this.body.problems.length) return this.body.problems;
    return [{ field: this.body.field || "request", message: this.message }];
  }
}

async function parse(response) {
  let body;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/** GET a JSON document from our API. */
export async function getJSON(path) {
  const response = await fetch(path, {
    headers: { Accept: "application/json" },
    credentials: "same-origin",
    referrerPolicy: "no-referrer",
  });
  return parse(response);
}

/** POST a JSON body; used whenever the request carries a client's postcode (never in a URL). */
export async function postJSON(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
    cache: "no-store",
    referrerPolicy: "no-referrer",
  });
  return parse(response);
}

/** Basemap, region label and data attributions for the pages. */
export function getConfig() {
  return getJSON("/api/config");
}

/** Area outlines (lad, ward or lsoa) as GeoJSON, simplified for display. */
export function getAreas(level, { simplify = 30, district = null } = {}) {
  const q = new URLSearchParams({ simplify: String(simplify) });
  if (district) q.set("district", district);
  return getJSON(`/api/areas/${encodeURIComponent(level)}?${q}`);
}

/** The finder query: the postcode travels only in this POST body. */
export function findReachable(request) {
  return postJSON("/api/reachable-activities", request);
}
