"""The stored baseline of a band (matrices from the last batch) and re-evaluating a view on it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection

from app.analysis.decay import DECAYS
from app.analysis.metrics import SessionSet
from app.analysis.results import Block, band_blocks
from app.errors import DataNotLoaded
from app.routing.raptor import QueryParams, Router
from app.routing.roundtrip_venue import origin_access, session_round_trips
from app.routing.venue_session import VenueSession
from app.services.gaps.compute import BUFFER_S, ROUND_TRIP_MAX_BUSES, levels_of
from app.services.gaps.inputs import AUDIENCE_GROUPS, Areas, load_areas
from app.services.gaps.query import band_state, resolve_budget
from app.services.gaps.store import matrix_path
from app.services.transit.router import get_router
from app.settings import get_settings


@dataclass
class Baseline:
    """What the last batch computed for one band, as the what-if and optimiser need it."""

    band: str
    state: dict[str, Any]
    areas: Areas
    rt: np.ndarray  # origins x slots, minutes
    slot_activity: np.ndarray
    slot_per_week: np.ndarray
    slots: list[list[Any]]  # [location_id, lat, lon, weekday, start_s, end_s]
    act_ids: list[str]
    acts: list[list[Any]]  # [categories, audiences, capacity, name]
    origin_area: np.ndarray
    origin_weight: np.ndarray
    origin_lat: np.ndarray
    origin_lon: np.ndarray
    week: list[dt.date]

    @property
    def query(self) -> QueryParams:
        """The routing options of the run."""
        return QueryParams(max_buses=int(self.state["params"].get("max_buses",
                                                                   ROUND_TRIP_MAX_BUSES)))

    def capacity(self) -> np.ndarray:
        """Places per session of each activity."""
        return np.array([a[2] for a in self.acts], dtype=np.float64)


def load_baseline(conn: Connection, band: str) -> Baseline:
    """The band's stored state and matrices; DataNotLoaded with the command to run if absent."""
    st, _ = band_state(conn, band)
    path = matrix_path(get_settings().cache_dir, band)
    hint = f"run `python -m ingest gaps --band {band} --force`"
    if not path.exists():
        raise DataNotLoaded(f"the what-if data of band {band} is missing (a run larger than "
                            "GAPS_WHATIF_MAX_CELLS origins x sessions keeps none: run it for "
                            f"a region); {hint}")
    with np.load(path, allow_pickle=False) as z:
        data = {k: z[k] for k in z.files}
    if int(data["run_id"]) != st["run_id"] or "slot_json" not in data:
        raise DataNotLoaded(f"the what-if data of band {band} is from another run; {hint}")
    areas = load_areas(conn, st["params"].get("region") or None)
    if areas.codes != data["area_codes"].tolist():
        raise DataNotLoaded("the areas changed since the last run; run `python -m ingest gaps`")
    return Baseline(
        band, st, areas, data["rt"].astype(np.float64), data["slot_activity"],
        data["slot_per_week"].astype(np.float64), json.loads(str(data["slot_json"])),
        data["act_ids"].tolist(), json.loads(str(data["act_json"])), data["origin_area"],
        data["origin_weight"], data["origin_lat"], data["origin_lon"],
        [dt.date.fromisoformat(d) for d in data["week"].tolist()])


def route_spots(conn: Connection, base: Baseline, spots: list[tuple[int, VenueSession]],
                routers: dict[int, Router] | None = None) -> np.ndarray:
    """Round-trip minutes (origins x spots) for sessions given as (weekday, spot).

    `routers` replaces the loaded timetable's router on some weekdays (bus what-if).
    """
    out = np.full((len(base.origin_lat), len(spots)), np.inf)
    for wd in sorted({w for w, _ in spots}):
        cols = [k for k, (w, _) in enumerate(spots) if w == wd]
        router = (routers or {}).get(wd) or get_router(conn, base.week[wd])
        access = origin_access(router, base.origin_lat, base.origin_lon, base.query)
        o, b = session_round_trips(router, [spots[k][1] for k in cols], access,
                                   base.origin_lat, base.origin_lon, base.query, BUFFER_S)
        out[:, cols] = np.maximum(o, b)
    return out


def view_mask(acts: list[list[Any]], category: str, audience: str) -> np.ndarray:
    """Activities counted in a map view (category 'all' or a code; audience group)."""
    codes, _ = AUDIENCE_GROUPS[audience]
    return np.array([(category == "all" or category in a[0])
                     and (codes is None or bool(set(a[1]) & codes)) for a in acts], bool)


def view_population(areas: Areas, audience: str) -> np.ndarray:
    """Residents per LSOA of the audience's Census age band."""
    return areas.population[AUDIENCE_GROUPS[audience][1]]


def evaluate(base: Baseline, rt: np.ndarray, slot_activity: np.ndarray, per_week: np.ndarray,
             capacity: np.ndarray, mask: np.ndarray, audience: str, budget: int) -> list[Block]:
    """Every level's metrics for one view on (possibly changed) matrices."""
    pop = view_population(base.areas, audience)
    decay = DECAYS[base.state["params"].get("decay", "stepped")]
    return list(band_blocks(rt, SessionSet(slot_activity, per_week), capacity, {"view": mask},
                            {audience: (np.ones(len(capacity), bool), pop)}, base.origin_area,
                            base.origin_weight, levels_of(base.areas), len(base.areas.codes),
                            [budget], decay))


def reached(rt: np.ndarray, slot_activity: np.ndarray, mask: np.ndarray,
            budget: int) -> np.ndarray:
    """Per origin: True if any session of a counted activity is a round trip in budget."""
    cols = mask[slot_activity] if len(slot_activity) else np.zeros(0, bool)
    if not cols.any():
        return np.zeros(rt.shape[0], bool)
    return np.asarray((rt[:, cols] <= budget).any(axis=1), dtype=bool)


def budget_of(base: Baseline, budget: int | None) -> int:
    """The requested budget if computed, else the default."""
    return resolve_budget(base.state, budget)


def band_listings(conn: Connection, band: str) -> list[dict[str, Any]]:
    """The listings with sessions in a band: id, name, days and times, sessions a week."""
    base = load_baseline(conn, band)
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    out: dict[int, dict[str, Any]] = {}
    for j, slot, rate in zip(base.slot_activity.tolist(), base.slots,
                             base.slot_per_week.tolist(), strict=True):
        entry = out.setdefault(j, {"id": base.act_ids[j], "name": base.acts[j][3],
                                   "when": set(), "sessions_per_week": 0.0})
        entry["when"].add(f"{days[slot[3]]} {slot[4] // 3600:02d}:{slot[4] % 3600 // 60:02d}")
        entry["sessions_per_week"] += rate
    return sorted(({**e, "when": sorted(e["when"]),
                    "sessions_per_week": round(e["sessions_per_week"], 3)}
                   for e in out.values()), key=lambda e: (e["name"], e["id"]))
