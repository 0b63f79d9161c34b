"""Pure timetable routing engine: GTFS reading, timetable compile, walking and RAPTOR.

Nothing in this package imports FastAPI, SQLAlchemy or pydantic; callers map `FeedError`
and `RoutingError` to their own error types.

numba's on-disk cache goes to `<cache dir>/numba` (the app's cache folder: `CACHE_DIR`,
default `<project>/.cache`) unless `NUMBA_CACHE_DIR` is already set, so kernels compiled
once are found again by `make run`, the tests and CI. It is set here, before any kernel
module imports numba.

The engine never calls BLAS, and numpy's OpenBLAS starts a thread pool at import (about
0.1 s of a fresh process's start on this 2-core machine), so `OPENBLAS_NUM_THREADS`
defaults to 1 when the engine is imported before numpy and the variable is unset.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names for type checkers; at run time they load on first use
    from app.routing.cache import TimetableCache
    from app.routing.errors import RoutingError
    from app.routing.feed import (
        Feed,
        FeedError,
        FeedRefusedError,
        ValidationIssue,
        ValidationReport,
    )
    from app.routing.geo import haversine_m
    from app.routing.gtfs_reader import read_gtfs
    from app.routing.gtfs_time import format_hm, format_hms, parse_date, parse_time
    from app.routing.journey import Journey, Leg, Place
    from app.routing.matrix import MatrixResult, travel_time_matrix
    from app.routing.profile import Profile, forward_profile, reverse_profile
    from app.routing.raptor import INF, MAX_BUSES, QueryParams, Router, SearchResult
    from app.routing.roundtrip import (
        RoundTrip,
        RoundTripParams,
        plan_round_trips,
        plan_round_trips_by_date,
    )
    from app.routing.roundtrip_venue import (
        NO_ARR,
        NO_DEP,
        OriginAccess,
        direct_walks,
        origin_access,
        round_trip_minutes,
        session_direct_walks,
        session_minutes,
        session_round_trips,
        session_searches,
    )
    from app.routing.timetable import BuildParams, Timetable, compile_timetable, feeds_validity
    from app.routing.venue_session import VenueSession
    from app.routing.walk import CrowFlyWalker, Walker, WalkParams, walk_seconds, walk_seconds_array

# The declared public API (r5py-style): import these from `app.routing`.
__all__ = [
    "INF",
    "MAX_BUSES",
    "NO_ARR",
    "NO_DEP",
    "BuildParams",
    "CrowFlyWalker",
    "Feed",
    "FeedError",
    "FeedRefusedError",
    "Journey",
    "Leg",
    "MatrixResult",
    "OriginAccess",
    "Place",
    "Profile",
    "QueryParams",
    "RoundTrip",
    "RoundTripParams",
    "Router",
    "RoutingError",
    "SearchResult",
    "Timetable",
    "TimetableCache",
    "ValidationIssue",
    "ValidationReport",
    "VenueSession",
    "WalkParams",
    "Walker",
    "compile_timetable",
    "direct_walks",
    "feeds_validity",
    "format_hm",
    "format_hms",
    "forward_profile",
    "haversine_m",
    "origin_access",
    "parse_date",
    "parse_time",
    "plan_round_trips",
    "plan_round_trips_by_date",
    "read_gtfs",
    "reverse_profile",
    "round_trip_minutes",
    "session_direct_walks",
    "session_minutes",
    "session_round_trips",
    "session_searches",
    "travel_time_matrix",
    "walk_seconds",
    "walk_seconds_array",
]

# Public name -> the module that defines it (the modules are the implementation).
_EXPORTS: dict[str, str] = {
    "BuildParams": "timetable",
    "CrowFlyWalker": "walk",
    "Feed": "feed",
    "FeedError": "feed",
    "FeedRefusedError": "feed",
    "INF": "raptor",
    "Journey": "journey",
    "Leg": "journey",
    "MAX_BUSES": "raptor",
    "MatrixResult": "matrix",
    "NO_ARR": "roundtrip_venue",
    "NO_DEP": "roundtrip_venue",
    "OriginAccess": "roundtrip_venue",
    "Place": "journey",
    "Profile": "profile",
    "QueryParams": "raptor",
    "RoundTrip": "roundtrip",
    "RoundTripParams": "roundtrip",
    "Router": "raptor",
    "RoutingError": "errors",
    "SearchResult": "raptor",
    "Timetable": "timetable",
    "TimetableCache": "cache",
    "ValidationIssue": "feed",
    "ValidationReport": "feed",
    "VenueSession": "venue_session",
    "WalkParams": "walk",
    "Walker": "walk",
    "compile_timetable": "timetable",
    "direct_walks": "roundtrip_venue",
    "feeds_validity": "timetable",
    "format_hm": "gtfs_time",
    "format_hms": "gtfs_time",
    "forward_profile": "profile",
    "haversine_m": "geo",
    "origin_access": "roundtrip_venue",
    "parse_date": "gtfs_time",
    "parse_time": "gtfs_time",
    "plan_round_trips": "roundtrip",
    "plan_round_trips_by_date": "roundtrip",
    "read_gtfs": "gtfs_reader",
    "reverse_profile": "profile",
    "round_trip_minutes": "roundtrip_venue",
    "session_direct_walks": "roundtrip_venue",
    "session_minutes": "roundtrip_venue",
    "session_round_trips": "roundtrip_venue",
    "session_searches": "roundtrip_venue",
    "travel_time_matrix": "matrix",
    "walk_seconds": "walk",
    "walk_seconds_array": "walk",
}


def _cache_dir() -> str:
    """The app's cache folder as the settings read it: CACHE_DIR, .env, or <project>/.cache."""
    root = Path(__file__).resolve().parents[2]
    if os.environ.get("CACHE_DIR"):
        return os.environ["CACHE_DIR"]
    env = root / ".env"  # read without pydantic: the engine does not import it
    if env.is_file():
        for line in env.read_text(errors="replace").splitlines():
            key, _, value = line.partition("=")
            if key.strip().upper() == "CACHE_DIR" and value.strip():
                return value.strip().strip("'\"")
    return str(root / ".cache")


def _set_numba_cache_dir() -> None:
    if "NUMBA_CACHE_DIR" in os.environ:
        return
    base = _cache_dir()
    os.environ["NUMBA_CACHE_DIR"] = str(Path(base) / "numba")
    numba = sys.modules.get("numba")
    if numba is not None:  # imported earlier by someone else: make it re-read the variable
        numba.core.config.reload_config()


_set_numba_cache_dir()
if "numpy" not in sys.modules:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562).

    Lazy so that importing one light module (e.g. `gtfs_time`) does not load numba.
    """
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
