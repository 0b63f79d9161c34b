"""Cut a validated national `Feed` down to the part that serves a region (--lad, --bbox).

Kept: every stop inside the region, every trip that calls at one of them (whole, with all
its stop times, including the stops it calls at outside the region), the stops those
trips call at, their parent stations, and the routes, agencies and service calendars the
kept trips use. A trip that crosses the boundary is kept whole because the people of the
region ride it out and back: cutting it at the line would lose the hospital, college or
town centre just beyond, and would misstate how long the ride takes. Trips that never
call inside the region are dropped, so a journey beyond the region is limited to the
kept trips (changing onto a bus that never enters the region is not possible).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely import wkb
from sqlalchemy import Connection, text

from app.routing.feed import Feed
from ingest.areas.common import Region
from ingest.report import LoadRefused


@dataclass(frozen=True)
class Clip:
    """What a region cut kept, for the summary and the feed's report."""

    region: str
    stops_inside: int
    stops: tuple[int, int]  # kept, of
    trips: tuple[int, int]
    crossing: int  # kept trips that also call outside the region
    stop_times: tuple[int, int]

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly (stored in gtfs_feed.report)."""
        return {"region": self.region, "stops_inside": self.stops_inside,
                "stops": list(self.stops), "trips": list(self.trips),
                "crossing_trips": self.crossing, "stop_times": list(self.stop_times)}

    def line(self) -> str:
        """One summary line."""
        return (f"  region {self.region}: {self.stops_inside:,} stops inside; kept "
                f"{self.stops[0]:,} of {self.stops[1]:,} stops, {self.trips[0]:,} of "
                f"{self.trips[1]:,} trips ({self.crossing:,} cross the boundary and are kept "
                f"whole), {self.stop_times[0]:,} of {self.stop_times[1]:,} stop_times")


def describe(region: Region) -> str:
    """`E07000174+E07000175`, `bbox W,S,E,N`, or both."""
    parts = []
    if region.lads:
        parts.append("+".join(region.lads))
    if region.bbox is not None:
        parts.append("bbox " + ",".join(f"{v:g}" for v in region.bbox))
    return " and ".join(parts)


def stops_inside(conn: Connection, source: Path, stops: pd.DataFrame,
                 region: Region) -> np.ndarray:
    """True for each stop (row of `stops`) inside the region; a point on the line is in."""
    lat = stops["lat"].to_numpy(np.float64)
    lon = stops["lon"].to_numpy(np.float64)
    inside = ~(np.isnan(lat) | np.isnan(lon))
    if region.bbox is not None:
        w, s, e, n = region.bbox
        inside &= (lon >= w) & (lon <= e) & (lat >= s) & (lat <= n)
    if region.lads:
        inside &= _in_districts(conn, source, list(region.lads), lon, lat)
    return inside


def _in_districts(conn: Connection, source: Path, lads: list[str], lon: np.ndarray,
                  lat: np.ndarray) -> np.ndarray:
    """Points inside the loaded district boundaries, or the LSOAs 2021 of those districts."""
    rows = conn.execute(text(
        "SELECT code, ST_AsBinary(geom) FROM lad WHERE code = ANY(:l) UNION ALL"
        " SELECT lad_code, ST_AsBinary(geom) FROM lsoa21 WHERE lad_code = ANY(:l)"),
        {"l": lads}).all()
    unknown = sorted(set(lads) - {r[0] for r in rows})
    if unknown:
        raise LoadRefused(source, f"--lad {', '.join(unknown)}: no such district in the loaded "
                          "boundaries (load the district or LSOA 2021 boundaries, and the "
                          "lookup, first)")
    area = shapely.union_all([wkb.loads(bytes(r[1])) for r in rows])
    shapely.prepare(area)
    out = np.zeros(len(lon), dtype=bool)
    ok = ~(np.isnan(lon) | np.isnan(lat))
    out[ok] = shapely.intersects_xy(area, lon[ok], lat[ok])
    return out


def clip_feed(feed: Feed, inside: np.ndarray, label: str) -> tuple[Feed, Clip]:
    """The part of `feed` serving the stops where `inside` is True (see the module doc)."""
    st = feed.stop_times
    stops = feed.stops
    stop_cats = st["stop_id"].cat.categories
    in_cat = np.zeros(len(stop_cats), dtype=bool)
    pos = stop_cats.get_indexer(pd.Index(stops["stop_id"].to_numpy(dtype=object)))
    in_cat[pos[(pos >= 0) & inside]] = True
    stop_code = st["stop_id"].cat.codes.to_numpy()
    trip_code = st["trip_id"].cat.codes.to_numpy()
    n_trip_cats = len(st["trip_id"].cat.categories)
    calls_inside = np.zeros(n_trip_cats, dtype=bool)
    calls_inside[trip_code[in_cat[stop_code]]] = True
    calls_outside = np.zeros(n_trip_cats, dtype=bool)
    calls_outside[trip_code[~in_cat[stop_code]]] = True
    rows = calls_inside[trip_code]
    kept_trip_ids = set(st["trip_id"].cat.categories[calls_inside])
    trips = feed.trips[feed.trips["trip_id"].isin(kept_trip_ids)].reset_index(drop=True)

    called = np.zeros(len(stop_cats), dtype=bool)
    called[stop_code[rows]] = True
    keep_stop = set(stop_cats[called]) | set(stops["stop_id"][inside])
    parents = dict(zip(stops["stop_id"], stops["parent_station"], strict=True))
    frontier = set(keep_stop)
    for _ in range(3):  # boarding area -> platform -> station
        frontier = {p for s in frontier if isinstance(p := parents.get(s), str)} - keep_stop
        keep_stop |= frontier
    kept_stops = stops[stops["stop_id"].isin(keep_stop)].reset_index(drop=True)

    sel = st[rows].reset_index(drop=True)
    sel["trip_id"] = sel["trip_id"].cat.remove_unused_categories()
    sel["stop_id"] = sel["stop_id"].cat.set_categories(
        pd.Index(np.sort(kept_stops["stop_id"].to_numpy(dtype=object))))
    routes = feed.routes[feed.routes["route_id"].isin(set(trips["route_id"]))]
    services = set(trips["service_id"])
    agency = feed.agency
    if agency is not None and "agency_id" in agency.columns and "agency_id" in routes.columns:
        used = set(routes["agency_id"])
        if "" not in used:  # a blank agency_id means the feed's only agency: keep it
            agency = agency[agency["agency_id"].isin(used)].reset_index(drop=True)
    clipped = replace(
        feed, stops=kept_stops, routes=routes.reset_index(drop=True), trips=trips,
        stop_times=sel, agency=agency,
        calendar=feed.calendar[feed.calendar["service_id"].isin(services)]
        .reset_index(drop=True),
        calendar_dates=feed.calendar_dates[feed.calendar_dates["service_id"].isin(services)]
        .reset_index(drop=True))
    info = Clip(label, int(inside.sum()), (len(kept_stops), len(stops)),
                (len(trips), len(feed.trips)), int((calls_inside & calls_outside).sum()),
                (len(sel), len(st)))
    return clipped, info


def frequency_templates(trips: pd.DataFrame) -> set[str]:
    """Template trip ids of the expanded frequency trips (`{template}@HH:MM:SS`)."""
    ids = trips["trip_id"].to_numpy(dtype=object)
    return {t.rsplit("@", 1)[0] for t in ids if "@" in t}
