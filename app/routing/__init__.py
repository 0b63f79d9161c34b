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

import os
import sys
from pathlib import Path

__all__ = [
    "aot", "cache", "feed", "geo", "gtfs_reader", "gtfs_time", "journey", "kernels", "matrix",
    "profile", "raptor", "raptor_core", "roundtrip", "timetable", "walk",
]


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
