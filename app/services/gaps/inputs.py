"""Read the analysis inputs from PostGIS: areas, need, population, origins and listings."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from app.analysis.bands import band_of
from app.analysis.origins import DEFAULT_MAX_ORIGINS, Origins, sample_origins
from app.directory.occurrences import ScheduleError, make_rule, occurrences
from app.errors import DataNotLoaded

IOD_EDITION = 2025
# Audience groups of the analysis: directory audience codes and the Census 2021 age band.
AUDIENCE_GROUPS: dict[str, tuple[frozenset[str] | None, str]] = {
    "all": (None, "total"),
    "young": (frozenset({"young-people-16-25"}), "16-24"),
    "older": (frozenset({"older-adults", "retired-or-semi-retired"}), "65+"),
}
SESSION_WEEKS = 12  # sessions/week = occurrences in 12 weeks / 12 (fortnightly, monthly)


@dataclass
class Areas:
    """The LSOAs analysed, with their ward and district and the need side."""

    codes: list[str]
    names: list[str]
    ward_codes: list[str]
    ward_names: dict[str, str]
    lad_codes: list[str]
    lad_names: dict[str, str]
    population: dict[str, np.ndarray]  # age band ('total', '16-24', ...) -> per LSOA
    imd_score: np.ndarray
    imd_decile: np.ndarray
    domains: dict[str, np.ndarray]  # measure -> score per LSOA (health, barriers, ...)
    domain_deciles: dict[str, np.ndarray]
    rural_urban: list[str | None]

    def index(self) -> dict[str, int]:
        """Position of every LSOA code."""
        return {c: i for i, c in enumerate(self.codes)}


def load_areas(conn: Connection) -> Areas:
    """Every LSOA 2021 in the lookup, with population, IoD2025 and rural-urban class."""
    rows = conn.execute(text(
        "SELECT lk.lsoa21_code, lk.lsoa21_name, lk.ward_code, lk.ward_name, lk.lad_code,"
        " lk.lad_name, ru.classification FROM lsoa_lookup lk"
        " LEFT JOIN rural_urban ru ON ru.lsoa_code = lk.lsoa21_code"
        " ORDER BY lk.lsoa21_code")).all()
    if not rows:
        raise DataNotLoaded("the LSOA lookup is not loaded; run `python -m ingest all DATA_DIR`")
    codes = [r[0] for r in rows]
    pos = {c: i for i, c in enumerate(codes)}
    n = len(codes)
    population: dict[str, np.ndarray] = {}
    for code, band, count in conn.execute(text(
            "SELECT lsoa_code, age_band, count FROM population")):
        if code in pos:
            population.setdefault(band, np.zeros(n))[pos[code]] = count
    if "total" not in population:
        raise DataNotLoaded("Census 2021 population is not loaded; run `python -m ingest all`")
    scores: dict[str, np.ndarray] = {}
    deciles: dict[str, np.ndarray] = {}
    for code, measure, score, decile in conn.execute(text(
            "SELECT lsoa_code, measure, score, decile FROM deprivation WHERE edition = :e"),
            {"e": IOD_EDITION}):
        if code in pos:
            scores.setdefault(measure, np.full(n, np.nan))[pos[code]] = (
                np.nan if score is None else score)
            deciles.setdefault(measure, np.full(n, np.nan))[pos[code]] = (
                np.nan if decile is None else decile)
    if "imd" not in scores:
        raise DataNotLoaded("IoD2025 is not loaded; run `python -m ingest all DATA_DIR`")
    return Areas(
        codes=codes, names=[r[1] for r in rows], ward_codes=[r[2] for r in rows],
        ward_names={r[2]: r[3] for r in rows}, lad_codes=[r[4] for r in rows],
        lad_names={r[4]: r[5] for r in rows}, population=population,
        imd_score=scores["imd"], imd_decile=deciles["imd"], domains=scores,
        domain_deciles=deciles, rural_urban=[r[6] for r in rows])


def load_origins(conn: Connection, areas: Areas,
                 max_per_area: int = DEFAULT_MAX_ORIGINS) -> Origins:
    """Origins by the documented rule: postcode centroids inside each LSOA (never its centroid)."""
    wanted = set(areas.codes)
    rows = [r for r in conn.execute(text(
        "SELECT lsoa21_code, pcd, ST_Y(geom), ST_X(geom) FROM postcode"
        " WHERE lsoa21_code IS NOT NULL")) if r[0] in wanted]
    if not rows:
        raise DataNotLoaded("no postcode centroids are loaded; run `python -m ingest all`")
    return sample_origins([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                          [r[3] for r in rows], max_per_area)


@dataclass
class Activity:
    """A listing as the analysis sees it."""

    id: str
    name: str
    categories: frozenset[str]
    audiences: frozenset[str]
    capacity: float


@dataclass
class Slot:
    """A weekly session slot: an activity at a venue on a weekday, start and end (seconds)."""

    activity: int
    location_id: str
    lat: float
    lon: float
    weekday: int
    start_s: int
    end_s: int
    per_week: float
    band: str


@dataclass
class Listings:
    """Activities and their session slots over the representative window."""

    activities: list[Activity]
    slots: list[Slot]
    stamp: dict[str, Any] = field(default_factory=dict)
    districts: set[str] = field(default_factory=set)  # LADs with at least one listed venue

    def band_fingerprint(self, band: str) -> str:
        """Hash of everything about a band's sessions that changes its results."""
        acts = {s.activity for s in self.slots if s.band == band}
        payload = {
            "slots": sorted((self.activities[s.activity].id, s.location_id, round(s.lat, 6),
                             round(s.lon, 6), s.weekday, s.start_s, s.end_s,
                             round(s.per_week, 6)) for s in self.slots if s.band == band),
            "acts": sorted((a.id, sorted(a.categories), sorted(a.audiences), a.capacity)
                           for i, a in enumerate(self.activities) if i in acts),
        }
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


_LISTINGS = text("""
SELECT s.id, s.name, s.primary_category, s.categories, s.audiences, s.capacity,
       sc.freq, sc.interval, sc.byday, sc.bymonthday, sc.dtstart, sc.valid_from, sc.valid_to,
       sc.opens_at, sc.closes_at, l.id AS location_id, ST_Y(l.geom) AS lat, ST_X(l.geom) AS lon,
       coalesce(l.lad_code, (SELECT d.code FROM lad d WHERE ST_Intersects(d.geom, l.geom)
                             LIMIT 1)) AS venue_lad
FROM service s
JOIN schedule sc ON sc.service_id = s.id
LEFT JOIN service_at_location sal ON sal.id = sc.service_at_location_id
JOIN location l ON l.id = coalesce(sal.location_id, (
    SELECT sal2.location_id FROM service_at_location sal2 WHERE sal2.service_id = s.id
    ORDER BY sal2.id LIMIT 1))
WHERE s.status = 'active' AND s.delivery_mode <> 'online' AND l.geom IS NOT NULL
  AND sc.opens_at IS NOT NULL AND sc.closes_at IS NOT NULL
ORDER BY s.id, sc.id""")


def directory_stamp(conn: Connection) -> dict[str, Any]:
    """A cheap summary of the directory that changes whenever a listing changes."""
    row = conn.execute(text(
        "SELECT count(*), max(last_modified), coalesce(sum(version), 0) FROM service")).one()
    sched = conn.execute(text("SELECT count(*) FROM schedule")).scalar()
    return {"services": row[0], "last_modified": row[1].isoformat() if row[1] else None,
            "version_sum": int(row[2]), "schedules": sched}


def load_listings(conn: Connection, week: list[dt.date]) -> Listings:
    """Active in-person listings and their session slots in the 12 weeks from `week[0]`.

    Each dated occurrence is mapped to its weekday; a slot's `per_week` is its number
    of occurrences over the window divided by 12 (weekly 1, fortnightly 0.5, monthly
    about 0.25). Sessions starting outside every band are left out.
    """
    first, last = week[0], week[0] + dt.timedelta(weeks=SESSION_WEEKS) - dt.timedelta(days=1)
    activities: list[Activity] = []
    act_pos: dict[str, int] = {}
    counts: dict[tuple[int, str, int, int, int], list[Any]] = {}
    districts: set[str] = set()
    for r in conn.execute(_LISTINGS).mappings():
        if r["venue_lad"]:
            districts.add(r["venue_lad"])
        try:
            rule = make_rule(freq=r["freq"], interval=r["interval"], byday=r["byday"],
                             bymonthday=r["bymonthday"], dtstart=r["dtstart"],
                             valid_from=r["valid_from"], valid_to=r["valid_to"],
                             opens_at=r["opens_at"], closes_at=r["closes_at"])
        except ScheduleError:
            continue  # the directory's validator reports these; the analysis skips them
        if r["id"] not in act_pos:
            cats = set(r["categories"] or [])
            if r["primary_category"]:
                cats.add(r["primary_category"])
            act_pos[r["id"]] = len(activities)
            activities.append(Activity(r["id"], r["name"], frozenset(cats),
                                       frozenset(r["audiences"] or []),
                                       float(r["capacity"] or 1)))
        a = act_pos[r["id"]]
        start_s = r["opens_at"].hour * 3600 + r["opens_at"].minute * 60
        end_s = r["closes_at"].hour * 3600 + r["closes_at"].minute * 60
        for occ in occurrences(rule, first, last):
            key = (a, r["location_id"], occ.date.weekday(), start_s, end_s)
            entry = counts.setdefault(key, [r["lat"], r["lon"], 0])
            entry[2] += 1
    slots = []
    for (a, loc, wd, s0, s1), (lat, lon, n) in sorted(counts.items()):
        band = band_of(wd, s0)
        if band is not None:
            slots.append(Slot(a, loc, float(lat), float(lon), wd, s0, s1,
                              n / SESSION_WEEKS, band))
    return Listings(activities, slots, directory_stamp(conn), districts)
