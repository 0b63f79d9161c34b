// The Leaflet map shared by the finder and planner pages: configurable basemap tiles with
// attribution, and our own district/ward/LSOA outlines so the map still works with no tiles.
import * as L from "/static/vendor/leaflet/leaflet-src.esm.js";
import { getAreas } from "/static/js/api.js";
import { STATUS, displayStatus, statusSvg } from "/static/js/symbols.js";

export { L };

// Mid-Nottinghamshire; the outlines refit the view to the loaded region once they arrive.
const START = { center: [53.13, -1.1], zoom: 10 };
const OUTLINE_STYLE = {
  lad: { color: "#1f2d3d", weight: 2.5, fill: false, interactive: false,
    className: "wr-outline wr-outline-lad" },
  ward: { color: "#3d5a73", weight: 1.2, fill: false, interactive: false,
    className: "wr-outline wr-outline-ward" },
  lsoa: { color: "#6b8499", weight: 0.7, dashArray: "3 3", fill: false, interactive: false,
    className: "wr-outline wr-outline-lsoa" },
};
const LSOA_MIN_ZOOM = 12;
const TILE_FAILURES_BEFORE_GIVING_UP = 4;

/**
 * Create a map in `element` using the page config from /api/config.
 * `onStatus(text)` receives human-readable map status (e.g. tiles unavailable).
 * Returns {map, L, outlines: Promise, tiles: {state}}.
 */
export function createMap(element, config, { onStatus = () => {} } = {}) {
  const map = L.map(element, { ...START, zoomSnap: 0.5, keyboard: true });
  // Only our own credits; Leaflet's default prefix links to a third-party site.
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution(
    "Boundaries: ONS, OGL v3, contains OS data © Crown copyright and database right");
  const tiles = { state: "none", loaded: 0, failed: 0 };
  if (config && config.tile_url) {
    addTiles(map, config, tiles, onStatus);
  } else {
    onStatus("No basemap is configured: showing area outlines only.");
  }
  const outlines = addOutlines(map);
  return { map, L, outlines, tiles };
}

function addTiles(map, config, tiles, onStatus) {
  const layer = L.tileLayer(config.tile_url, {
    attribution: config.tile_attribution || "",
    maxZoom: 19,
    crossOrigin: false,
    referrerPolicy: "no-referrer",
  });
  tiles.state = "loading";
  layer.on("tileload", () => {
    tiles.loaded += 1;
    if (tiles.state !== "ok") tiles.state = "ok";
  });
  layer.on("tileerror", () => {
    tiles.failed += 1;
    // Give up only when nothing has ever loaded: a few failures among successes are normal.
    if (tiles.loaded === 0 && tiles.failed >= TILE_FAILURES_BEFORE_GIVING_UP
        && tiles.state !== "failed") {
      tiles.state = "failed";
      map.removeLayer(layer);
      map.getContainer().classList.add("tiles-unavailable");
      onStatus("The basemap could not be loaded, so the map shows district, ward and "
        + "neighbourhood (LSOA) outlines only. Everything else works as normal.");
    }
  });
  layer.addTo(map);
}

async function addOutlines(map) {
  const panes = {};
  for (const [level, z] of [["lsoa", 401], ["ward", 402], ["lad", 403]]) {
    panes[level] = map.createPane(`outline-${level}`);
    panes[level].style.zIndex = String(z);
    panes[level].style.pointerEvents = "none";
  }
  const layers = {};
  const load = async (level, simplify) => {
    const fc = await getAreas(level, { simplify });
    layers[level] = L.geoJSON(fc, { style: OUTLINE_STYLE[level], pane: `outline-${level}` });
    return layers[level];
  };
  const [lad, ward] = await Promise.all([load("lad", 60), load("ward", 30)]);
  lad.addTo(map);
  ward.addTo(map);
  map.getContainer().dataset.outlines = "lad,ward";
  // LSOAs are many and small: fetch lazily and show only when zoomed in.
  let lsoaPromise = null;
  const syncLsoa = async () => {
    if (map.getZoom() >= LSOA_MIN_ZOOM) {
      lsoaPromise = lsoaPromise || load("lsoa", 15);
      const lsoa = await lsoaPromise;
      if (map.getZoom() >= LSOA_MIN_ZOOM && !map.hasLayer(lsoa)) {
        lsoa.addTo(map);
        map.getContainer().dataset.outlines = "lad,ward,lsoa";
      }
    } else if (layers.lsoa && map.hasLayer(layers.lsoa)) {
      map.removeLayer(layers.lsoa);
      map.getContainer().dataset.outlines = "lad,ward";
    }
  };
  map.on("zoomend", syncLsoa);
  if (lad.getLayers().length) map.fitBounds(lad.getBounds(), { padding: [8, 8] });
  await syncLsoa();
  return layers;
}

/**
 * A status marker (shape + colour + glyph) with an accessible name; a tab stop unless
 * `keyboard: false` (the finder reaches markers through its list instead).
 */
export function statusMarker(latlng, status, label, { keyboard = true } = {}) {
  const s = displayStatus(status);
  const icon = L.divIcon({
    className: `wr-marker wr-${s}`,
    html: statusSvg(s),
    iconSize: [26, 26],
    iconAnchor: [13, 13],
  });
  const text = `${label}: ${STATUS[s].label}`;
  const marker = L.marker(latlng, { icon, title: text, keyboard, riseOnHover: true });
  marker.on("add", () => {
    const el = marker.getElement();
    if (el) el.setAttribute("aria-label", text);
    if (el && !keyboard) el.setAttribute("role", "img");
  });
  return marker;
}

/** The client's approximate area: a circle around the outward-code centre, never their address. */
export function approximateArea(area) {
  return L.circle([area.lat, area.lon], {
    radius: area.radius_m,
    color: "#00506e",
    weight: 2,
    dashArray: "6 4",
    fillColor: "#00506e",
    fillOpacity: 0.08,
    interactive: false,
    className: "wr-origin-area",
  });
}

/** The reachable area (GeoJSON polygon) as a shaded layer under the markers. */
export function isochroneLayer(geojson) {
  return L.geoJSON(geojson, {
    style: { color: "#1a6b34", weight: 1.5, fillColor: "#1a6b34", fillOpacity: 0.15,
      className: "wr-isochrone" },
    interactive: false,
  });
}
