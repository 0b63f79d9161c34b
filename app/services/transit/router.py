"""`get_router(session, date)`: the compiled timetable + walker for a date, cached twice.

Compiled timetables are cached on disk (the engine's TimetableCache, keyed by feed
versions and content hashes, date and build parameters) and in memory (a small LRU of
dates), so only the first query for a date pays the compile cost. The feed list is
re-read on every call (one tiny query), so a reloaded feed is picked up at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.errors import DataNotLoaded, OutOfCoverage
from app.routing.cache import CACHE_FORMAT, TimetableCache
from app.routing.feed import Feed
from app.routing.raptor import Router
from app.routing.timetable import BuildParams, Timetable, compile_timetable
from app.routing.walk import CrowFlyWalker, Walker
from app.services.transit.feeds import FeedRow, list_feeds, read_feeds
from app.settings import get_settings

log = logging.getLogger(__name__)

MEMORY_DATES = 16  # compiled dates kept in memory: a finder request spans up to 14 (a few MB each)
MEMORY_WALKERS = 4  # walkers kept (one per distinct stop set; usually one)

Fingerprint = tuple[tuple[int, str, str, str], ...]


@dataclass
class TransitRouter:
    """The engine's Router for one service date plus what callers report about it."""

    day: dt.date
    engine: Router
    feeds: tuple[FeedRow, ...]
    walker_kind: str = "crow-fly x 1.3"
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def timetable(self) -> Timetable:
        """The compiled timetable."""
        return self.engine.tt

    @property
    def walker(self) -> Walker:
        """The walker (crow-fly or OSM network)."""
        return self.engine.walker

    @property
    def validity(self) -> tuple[dt.date, dt.date] | None:
        """First and last service date over the loaded feeds."""
        return validity_of(self.feeds)


def validity_of(feeds: tuple[FeedRow, ...] | list[FeedRow]) -> tuple[dt.date, dt.date] | None:
    """Earliest start and latest end date over feeds (None when no feed has dates)."""
    starts = [f.valid_from for f in feeds if f.valid_from]
    ends = [f.valid_to for f in feeds if f.valid_to]
    if not starts or not ends:
        return None
    return min(starts), max(ends)


def make_walker(tt: Timetable, cache_dir: Path) -> tuple[Walker, str]:
    """Network walking on a cached OSM pedestrian graph when one covers the stops, else crow-fly.

    Stops outside the graph keep the crow-fly model (the OSM walker falls back per stop).
    """
    from app.osmwalk.walker import walker_for_timetable

    osm = walker_for_timetable(tt.stop_lat, tt.stop_lon, cache_dir=cache_dir, min_coverage=0.05)
    if osm is not None:
        return osm, f"osm-network ({osm.g.source}, {osm.coverage:.0%} of stops on it)"
    return CrowFlyWalker(tt.stop_lat, tt.stop_lon), "crow-fly x 1.3"


def _graphs_key(cache_dir: Path) -> tuple[str, ...]:
    """Names of the cached OSM graphs, so adding one invalidates in-memory routers."""
    from app.osmwalk.graph import cached_graphs

    return tuple(p.name for p in cached_graphs(cache_dir))


class _State:
    """Process-wide caches, guarded by one lock (FastAPI runs sync endpoints in threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.build_lock = threading.Lock()
        self.routers: OrderedDict[tuple[object, ...], TransitRouter] = OrderedDict()
        self.feeds: tuple[Fingerprint, list[Feed]] | None = None
        self.walkers: dict[tuple[str, tuple[str, ...], str], tuple[Walker, str]] = {}


_STATE = _State()


def clear_memory_cache() -> None:
    """Forget every in-memory router and feed (tests; after a reload in the same process)."""
    with _STATE.lock:
        _STATE.routers.clear()
        _STATE.walkers.clear()
        _STATE.feeds = None


def loaded_feeds(conn: Connection) -> list[FeedRow]:
    """The loaded feeds, or DataNotLoaded with advice when there are none."""
    rows = list_feeds(conn)
    if not rows:
        raise DataNotLoaded(
            "no bus timetable (GTFS) is loaded, so journeys cannot be planned. Load one with "
            "`python -m ingest gtfs FEED.zip` (for the demo: "
            "transport/midnotts_synthetic_gtfs.zip in the data folder).")
    return rows


def check_date(rows: list[FeedRow] | tuple[FeedRow, ...], day: dt.date,
               field_name: str = "date") -> None:
    """Refuse a date that no loaded timetable covers, naming the valid range(s)."""
    if any(r.valid_from and r.valid_to and r.valid_from <= day <= r.valid_to for r in rows):
        return
    rng = validity_of(rows)
    ranges = "; ".join(f"{r.name}: {r.valid_from} to {r.valid_to}" for r in rows
                       if r.valid_from and r.valid_to)
    raise OutOfCoverage(
        f"{day.isoformat()} is outside the loaded bus timetables, which are valid "
        f"{ranges or 'on no dates'}; choose a date in that range", field=field_name,
        valid_from=rng[0].isoformat() if rng else None,
        valid_to=rng[1].isoformat() if rng else None,
        feeds=[{"name": r.name, "valid_from": str(r.valid_from), "valid_to": str(r.valid_to)}
               for r in rows])


def _fingerprint(rows: list[FeedRow]) -> Fingerprint:
    return tuple((r.id, r.name, r.version, r.sha256) for r in rows)


def _disk_key(feeds_fp: Fingerprint, day: dt.date, params: BuildParams) -> str:
    """Disk cache key: engine cache format, feed names/versions/content hashes, date, params."""
    payload = {"format": CACHE_FORMAT, "feeds": [list(f[1:]) for f in feeds_fp],
               "date": day.isoformat(), "params": dataclasses.asdict(params)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:32]


def _feeds_for(conn: Connection, fp: Fingerprint, rows: list[FeedRow]) -> list[Feed]:
    """Feed objects for the fingerprint, read from the database once per feed version."""
    with _STATE.lock:
        if _STATE.feeds is not None and _STATE.feeds[0] == fp:
            return _STATE.feeds[1]
    feeds = read_feeds(conn, rows)
    with _STATE.lock:
        _STATE.feeds = (fp, feeds)
    return feeds


def get_timetable(conn: Connection, day: dt.date, params: BuildParams | None = None,
                  cache_dir: Path | None = None) -> tuple[Timetable, list[FeedRow]]:
    """The compiled timetable for `day` over all loaded feeds (disk-cached)."""
    params = params or BuildParams()
    rows = loaded_feeds(conn)
    fp = _fingerprint(rows)
    cache = TimetableCache((cache_dir or get_settings().cache_dir) / "timetables")
    key = _disk_key(fp, day, params)
    tt = cache.load(key)
    if tt is None:
        tt = compile_timetable(_feeds_for(conn, fp, rows), day, params)
        cache.save(key, tt)
    return tt, rows


def get_router(session: Session | Connection, day: dt.date, params: BuildParams | None = None,
               *, check_validity: bool = True, cache_dir: Path | None = None) -> Router:
    """The engine's RAPTOR Router for a service date (see `get_transit_router`)."""
    return get_transit_router(session, day, params, check_validity=check_validity,
                              cache_dir=cache_dir).engine


def get_transit_router(session: Session | Connection, day: dt.date,
                       params: BuildParams | None = None, *, check_validity: bool = True,
                       cache_dir: Path | None = None,
                       feeds: list[FeedRow] | None = None) -> TransitRouter:
    """The router for a service date: compiled timetable + walker, from memory, disk or DB.

    `feeds` is the feed list when the caller has just read it (`loaded_feeds`), so a
    request that asks for several dates reads it once. Raises DataNotLoaded when no GTFS
    is loaded and OutOfCoverage (422) for a date outside the feeds' validity (unless
    `check_validity` is False).
    """
    params = params or BuildParams()
    conn = session.connection() if isinstance(session, Session) else session
    rows = feeds if feeds else loaded_feeds(conn)
    if check_validity:
        check_date(rows, day)
    cdir = cache_dir or get_settings().cache_dir
    key = (_fingerprint(rows), day, params, cdir, _graphs_key(cdir))
    hit = _cached(key)
    if hit is not None:
        return hit
    # One build at a time: concurrent first requests for a date wait for one compile
    # instead of each compiling the same timetable.
    with _STATE.build_lock:
        hit = _cached(key)
        if hit is not None:
            return hit
        tt, rows = get_timetable(conn, day, params, cdir)
        walker, kind = _shared_walker(tt, cdir)
        router = TransitRouter(day=day, engine=Router(tt, walker), feeds=tuple(rows),
                               walker_kind=kind)
        with _STATE.lock:
            _STATE.routers[key] = router
            while len(_STATE.routers) > MEMORY_DATES:
                _STATE.routers.popitem(last=False)
    return router


def _shared_walker(tt: Timetable, cache_dir: Path) -> tuple[Walker, str]:
    """The walker for a timetable's stops, shared by every date with the same stops.

    The dates of one feed have the same stops, and a walker's set-up (the stop index and
    the foot transfers, a few seconds for a national feed) depends only on them.
    """
    digest = hashlib.blake2b(np.ascontiguousarray(tt.stop_lat).tobytes(), digest_size=16)
    digest.update(np.ascontiguousarray(tt.stop_lon).tobytes())
    key = (str(cache_dir), _graphs_key(cache_dir), digest.hexdigest())
    with _STATE.lock:
        hit = _STATE.walkers.get(key)
    if hit is not None:
        return hit
    made = make_walker(tt, cache_dir)
    with _STATE.lock:
        _STATE.walkers[key] = made
        while len(_STATE.walkers) > MEMORY_WALKERS:
            _STATE.walkers.pop(next(iter(_STATE.walkers)))
    return made


def _cached(key: tuple[object, ...]) -> TransitRouter | None:
    """The in-memory router for a key (marked most recently used), or None."""
    with _STATE.lock:
        hit = _STATE.routers.get(key)
        if hit is not None:
            _STATE.routers.move_to_end(key)
        return hit


def router_factory(session: Session | Connection, params: BuildParams | None = None,
                   *, cache_dir: Path | None = None) -> Callable[[dt.date], Router]:
    """`day -> Router` for the engine's multi-date helpers (e.g. plan_round_trips_by_date).

    Dates outside the feeds' validity raise OutOfCoverage, naming the valid range.
    """
    def router_for(day: dt.date) -> Router:
        return get_router(session, day, params, cache_dir=cache_dir)

    return router_for


def timetable_file(conn: Connection, day: dt.date, params: BuildParams | None = None,
                   cache_dir: Path | None = None) -> Path:
    """The compiled timetable file of `day` in the disk cache (compiled first if missing).

    Batch workers map this file themselves instead of receiving the arrays (issue 14).
    """
    params = params or BuildParams()
    cdir = cache_dir or get_settings().cache_dir
    get_timetable(conn, day, params, cdir)
    key = _disk_key(_fingerprint(loaded_feeds(conn)), day, params)
    return TimetableCache(cdir / "timetables").path(key)


def warm_up(days: int, *, today: dt.date | None = None) -> int:
    """Load (compile if needed) the routers of `days` dates from today, run one query on
    each so the engine's compiled kernels are loaded too, and build the fare model;
    returns how many dates were warmed.

    What a first finder request would otherwise wait for (a national timetable takes
    tens of seconds per date to compile). Dates outside the loaded feeds are skipped.
    """
    from app.db import get_engine
    from app.routing.profile import forward_profile

    start = today or dt.date.today()
    done = 0
    with get_engine().connect() as conn:
        rows = list_feeds(conn)
        for i in range(days):
            day = start + dt.timedelta(days=i)
            if not any(r.valid_from and r.valid_to and r.valid_from <= day <= r.valid_to
                       for r in rows):
                continue
            tr = get_transit_router(conn, day, feeds=rows)
            tt = tr.timetable
            if tt.n_stops:  # from a stop, not from anyone's home
                with tr.lock:
                    lat, lon = float(tt.stop_lat[0]), float(tt.stop_lon[0])
                    tr.engine.earliest_arrival(lat, lon, 9 * 3600)
                    forward_profile(tr.engine, lat, lon, 9 * 3600, 9 * 3600 + 600)
            done += 1
        if done:
            # The fare model reads every trip's route once (tens of seconds nationally).
            from app.services.reachable.fares import fare_model

            fare_model(conn)
    return done


def start_warm_up(days: int) -> threading.Thread | None:
    """`warm_up` in a background thread (None when `days` is 0); failures are logged."""
    if days <= 0:
        return None

    def run() -> None:
        try:
            n = warm_up(days)
            log.info("warmed the timetables of %d date(s)", n)
        except Exception as exc:
            log.warning("timetable warm-up failed: %s", type(exc).__name__)

    thread = threading.Thread(target=run, name="timetable-warm-up", daemon=True)
    thread.start()
    return thread
