"""`python -m bench.reachable`: POST /api/reachable-activities timings on the Mid-Notts data.

Needs DATABASE_URL pointing at a database with the areas, the synthetic GTFS and the
sample directory loaded (`python -m ingest all DIR`, `ingest gtfs`, `ingest activities`).
The app runs in-process (no network); the first request per date compiles timetables and
is reported separately as the cold start.
"""

from __future__ import annotations

import argparse
import time
import warnings

from sqlalchemy import text

from bench.common import MIDNOTTS_OUTWARDS, time_calls

TYPICAL = {"date_from": "2026-11-23", "date_to": "2026-11-29", "hours_from": "09:00",
           "hours_to": "17:00", "mode": "walk+bus", "max_minutes": 45, "max_buses": 2}
WITH_PASS = {"bus_pass": "older", "max_visit_cost_gbp": 5}


def postcodes(n: int) -> list[str]:
    """n Mid-Notts postcodes inside the loaded districts, in a fixed pseudo-random order."""
    from app.db import get_engine

    with get_engine().connect() as conn:
        rows = conn.execute(text(
            "SELECT p.pcds FROM postcode p JOIN lad ON lad.code = p.lad_code"
            " WHERE p.outward = ANY(:o) ORDER BY md5(p.pcd) LIMIT :n"),
            {"o": list(MIDNOTTS_OUTWARDS), "n": n})
        return [r[0] for r in rows]


def main(n: int = 30) -> None:
    """Print cold-start time and p50/p95 of typical and one-day requests."""
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

    from app.main import app

    client = TestClient(app)
    pcs = postcodes(n)

    def call(i: int, **extra: object) -> None:
        body = {"origin": {"postcode": pcs[i % len(pcs)]}, **TYPICAL, **extra}
        r = client.post("/api/reachable-activities", json=body)
        if r.status_code != 200:
            raise SystemExit(f"request failed: {r.status_code} {r.text[:300]}")

    t = time.perf_counter()
    call(0)
    print(f"{'cold start (compile 7 timetables, JIT)':<48} {(time.perf_counter() - t):9.2f} s")
    for timing in (
        time_calls("7 days, all activities, walk+bus (typical)", call, n),
        time_calls("1 day (Wednesday), walk+bus",
                   lambda i: call(i, date_from="2026-11-25", date_to="2026-11-25"), n),
        time_calls("7 days, slow walker, 1 bus, 09:00-22:00",
                   lambda i: call(i, walk_speed="slow", max_buses=1, hours_to="22:00"), n),
        # Issue 11: fares priced per row, free-with-the-pass searches, the cost check.
        time_calls("7 days, older bus pass, £5 per visit",
                   lambda i: call(i, **WITH_PASS), n),
    ):
        print(timing.line())


if __name__ == "__main__":
    ap = argparse.ArgumentParser(prog="python -m bench.reachable", description=__doc__)
    ap.add_argument("-n", type=int, default=30, help="requests per measurement")
    main(ap.parse_args().n)
