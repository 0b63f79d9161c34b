"""`python -m bench.api_transit`: /api/journeys and /api/isochrone timings, in process.

Needs DATABASE_URL pointing at a database with postcodes and the Mid-Notts GTFS loaded
(`python -m ingest all DIR`). The first request for a date compiles the timetable from
the database (or reads the disk cache) and is reported as the cold start.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sqlalchemy import text

from bench.common import MIDNOTTS_OUTWARDS, time_calls

DAY = "2026-11-25"


def _postcodes(n: int) -> list[str]:
    """n Mid-Notts postcodes in a fixed pseudo-random order."""
    from app.db import get_engine

    with get_engine().connect() as conn:
        rows = conn.execute(text(
            "SELECT pcds FROM postcode WHERE outward = ANY(:o) ORDER BY md5(pcd) LIMIT :n"),
            {"o": list(MIDNOTTS_OUTWARDS), "n": n})
        return [r[0] for r in rows]


def main(n: int = 50) -> None:
    """Print cold start and p50/p95 of journey and isochrone requests."""
    warnings.simplefilter("ignore")  # the test client's httpx deprecation notice
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.services.transit.router import clear_memory_cache

    client = TestClient(create_app())
    pcs = _postcodes(2 * n)
    if len(pcs) < 2:
        raise SystemExit("no Mid-Notts postcodes loaded: run `python -m ingest all` first")
    rng = np.random.default_rng(3)
    hours = rng.integers(7, 18, len(pcs))

    def journey(i: int, **extra: str) -> None:
        params = {"from": pcs[i % len(pcs)], "to": pcs[(i + n) % len(pcs)], "date": DAY,
                  "depart_at": f"{hours[i % len(pcs)]:02d}:15", **extra}
        r = client.get("/api/journeys", params=params)
        if r.status_code != 200:
            raise SystemExit(f"request failed: {r.status_code} {r.text[:300]}")

    def iso(i: int) -> None:
        r = client.get("/api/isochrone", params={"from": pcs[i % len(pcs)], "date": DAY,
                                                 "depart_at": "10:00", "minutes": "45"})
        if r.status_code != 200:
            raise SystemExit(f"request failed: {r.status_code} {r.text[:300]}")

    clear_memory_cache()
    t = time.perf_counter()
    journey(0)
    print(f"  {'cold start (timetable from DB or disk cache, JIT)':<48} "
          f"{(time.perf_counter() - t) * 1000:9.0f} ms")
    for timing in (
        time_calls("GET /api/journeys postcode -> postcode, depart_at", journey, n),
        time_calls("GET /api/journeys, arrive_by, up to 4 buses",
                   lambda i: journey(i, depart_at="", arrive_by="16:00", max_buses="4"), n),
        time_calls("GET /api/isochrone 45 min from a postcode", iso, n),
    ):
        print("  " + timing.line())


if __name__ == "__main__":
    ap = argparse.ArgumentParser(prog="python -m bench.api_transit", description=__doc__)
    ap.add_argument("-n", type=int, default=50, help="requests per measurement")
    main(ap.parse_args().n)
