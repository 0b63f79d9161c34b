"""Read the analysis inputs from PostGIS: areas, need, population, origins and listings."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from app.analysis.bands import band_of
from app.analysis.capacity import default_capacity
from app.analysis.frequency import per_week
from app.analysis.origins import ALL_ORIGINS, Origins, sample_origins
from app.errors import DataNotLoaded
from app.services.directory.filters import ActivityFilters
from app.services.directory.sessions import sessions_between

IOD_EDITION = 2025
# Audience groups of the analysis: directory audience codes and the Census 2021 age band.
AUDIENCE_GROUPS: dict[str, tuple[frozenset[str] | None, str]] = {
    "all": (None, "total"),
    "young": (frozenset({"young-people-16-25"}), "16-24"),
    "older": (frozenset({"older-adults", "retired-or-semi-retired"}), "65+"),
}
SESSION_WEEKS = 12  # a slot exists if its schedule holds a session in these 12 weeks


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


def load_areas(conn: Connection, lad_codes: Sequence[str] | None = None) -> Areas:
    """Every LSOA 2021 in the lookup (of these districts, if given), with population,
    IoD2025 and rural-urban class."""
    rows = conn.execute(text(
        "SELECT lk.lsoa21_code, lk.lsoa21_name, lk.ward_code, lk.ward_name, lk.lad_code,"
        " lk.lad_name, ru.classification FROM lsoa_lookup lk"
        " LEFT JOIN rural_urban ru ON ru.lsoa_code = lk.lsoa21_code"
        " WHERE CAST(:lads AS text[]) IS NULL OR lk.lad_code = ANY(CAST(:lads AS text[]))"
        " ORDER BY lk.lsoa21_code"), {"lads": list(lad_codes) if lad_codes else None}).all()
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
                 max_per_area: int = ALL_ORIGINS) -> Origins:
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
    capacity_known: bool = False


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
    # listings (activities with a session in a band) per LAD of their venues
    district_listings: dict[str, int] = field(default_factory=dict)

    @property
    def districts(self) -> set[str]:
        """LADs with at least one listed venue."""
        return set(self.district_listings)

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


# Activity attributes the analysis needs beyond what a dated session carries.
_ACTIVITIES = text("""
SELECT s.id, s.name, s.primary_category, s.categories, s.audiences, s.capacity,
       s.delivery_mode
FROM service s WHERE s.status = 'active'""")
_SCHEDULES = text("SELECT id, freq, interval FROM schedule")
_VENUE_LADS = text("""
SELECT l.id, coalesce(l.lad_code, (SELECT d.code FROM lad d WHERE ST_Intersects(d.geom, l.geom)
                                   LIMIT 1))
FROM location l WHERE l.id = ANY(:ids)""")


def directory_stamp(conn: Connection) -> dict[str, Any]:
    """A cheap summary of the directory that changes whenever a listing changes."""
    row = conn.execute(text(
        "SELECT count(*), max(last_modified), coalesce(sum(version), 0) FROM service")).one()
    sched = conn.execute(text("SELECT count(*) FROM schedule")).scalar()
    return {"services": row[0], "last_modified": row[1].isoformat() if row[1] else None,
            "version_sum": int(row[2]), "schedules": sched}


def load_listings(conn: Connection, week: list[dt.date]) -> Listings:
    """Active in-person listings and their session slots in the 12 weeks from `week[0]`.

    Dated sessions come from the directory's `sessions_between` (the finder's source, so
    both pages count the same sessions). Each is mapped to its weekday; a slot's
    `per_week` follows the one rule of `app.analysis.frequency` from its schedule (weekly
    1, fortnightly 1/2, monthly 12/52), summed over schedules sharing the slot. Sessions
    starting outside every band, online listings and sessions without a placed venue or
    times are left out. Capacity: the listing's, else the default of its category.
    """
    first, last = week[0], week[0] + dt.timedelta(weeks=SESSION_WEEKS) - dt.timedelta(days=1)
    attrs = {r["id"]: r for r in conn.execute(_ACTIVITIES).mappings()}
    rates = {r[0]: per_week(r[1], r[2]) for r in conn.execute(_SCHEDULES)}
    activities: list[Activity] = []
    act_pos: dict[str, int] = {}
    counts: dict[tuple[int, str, int, int, int], list[Any]] = {}
    for sess in sessions_between(conn, first, last, ActivityFilters(status="active")):
        a = attrs.get(sess.activity_id)
        if (a is None or a["delivery_mode"] == "online" or sess.lat is None
                or sess.lon is None or sess.start is None or sess.end is None
                or sess.location_id is None):
            continue
        if sess.activity_id not in act_pos:
            cats = set(a["categories"] or [])
            if a["primary_category"]:
                cats.add(a["primary_category"])
            act_pos[sess.activity_id] = len(activities)
            known = a["capacity"] is not None and a["capacity"] > 0
            cap = (float(a["capacity"]) if known
                   else default_capacity(a["primary_category"], cats))
            activities.append(Activity(a["id"], a["name"], frozenset(cats),
                                       frozenset(a["audiences"] or []), cap, known))
        start_s = sess.start.hour * 3600 + sess.start.minute * 60
        end_s = sess.end.hour * 3600 + sess.end.minute * 60
        key = (act_pos[sess.activity_id], sess.location_id, sess.date.weekday(), start_s, end_s)
        entry = counts.setdefault(key, [sess.lat, sess.lon, {}])
        entry[2][sess.schedule_id] = rates.get(sess.schedule_id, per_week(None, None))
    slots = []
    for (ai, loc, wd, s0, s1), (lat, lon, scheds) in sorted(counts.items()):
        band = band_of(wd, s0)
        if band is not None:
            slots.append(Slot(ai, loc, float(lat), float(lon), wd, s0, s1,
                              float(sum(scheds.values())), band))
    venues = sorted({s.location_id for s in slots})
    lad_of = {loc: lad for loc, lad in conn.execute(_VENUE_LADS, {"ids": venues}) if lad}
    per_lad: dict[str, set[int]] = {}
    for sl in slots:
        if sl.location_id in lad_of:
            per_lad.setdefault(lad_of[sl.location_id], set()).add(sl.activity)
    return Listings(activities, slots, directory_stamp(conn),
                    {lad: len(acts) for lad, acts in sorted(per_lad.items())})
