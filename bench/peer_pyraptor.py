"""Peer: the same queries through pyraptor (PyPI), with the ratio to our engine.

pyraptor's own GTFS reader is tried first on the real feed and the exact failure printed.
Then its RAPTOR is fed a timetable built from our compiled arrays (same trips, same
stops) so the algorithms can still be compared. Differences, stated in the output:
pyraptor has no access/egress walking model (all access stops start at the departure
time) and foot transfers only between stops of one "station", so here it gets none;
that makes its searches smaller than ours, i.e. the ratio flatters pyraptor.
"""

from __future__ import annotations

import logging
import tempfile
import time
import traceback
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from app.routing.raptor import Router
from app.routing.timetable import Timetable
from bench.common import MIDNOTTS_DAY, Timing, compiled, geodata, midnotts_feed, midnotts_postcodes

H = 3600


def try_native_reader() -> str:
    """Run pyraptor's GTFS reader on the Mid-Notts zip; return why it fails (or 'ok')."""
    try:
        from loguru import logger

        logger.remove()
        from pyraptor.gtfs import timetable as ptt
    except Exception as exc:
        return f"pyraptor cannot be imported: {type(exc).__name__}: {exc}"
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(geodata() / "transport" / "midnotts_synthetic_gtfs.zip") as zf:
            zf.extractall(tmp)
        try:
            gt = ptt.read_gtfs_timetable(tmp, MIDNOTTS_DAY.strftime("%Y%m%d"),
                                         ["Sherwood Demo Buses (SYNTHETIC)"])
            ptt.gtfs_to_pyraptor_timetable(gt)
        except Exception as exc:
            last = traceback.extract_tb(exc.__traceback__)[-1]
            return (f"{type(exc).__name__}: {exc} (raised in {Path(last.filename).name}:"
                    f"{last.lineno} `{last.line}`). pyraptor's reader is written for the Dutch "
                    "NS feed: it needs trips.txt columns trip_short_name/trip_long_name, "
                    "stops.txt parent_station/platform_code, reads service days only from "
                    "calendar_dates.txt (this feed's weekday service is in calendar.txt) and "
                    "filters agencies by name; it also pins pandas<2 (we run pandas 3)")
    return "ok"


def build_pyraptor(tt: Timetable) -> Any:
    """pyraptor Timetable with the trips and stops of our compiled timetable."""
    from pyraptor.model.structures import (
        Routes,
        Station,
        Stations,
        Stop,
        Stops,
        Transfers,
        Trip,
        Trips,
        TripStopTime,
        TripStopTimes,
    )
    from pyraptor.model.structures import (
        Timetable as PTimetable,
    )

    stations, stops = Stations(), Stops()
    objs = []
    for sid in tt.stop_ids:
        st = stations.add(Station(str(sid), str(sid)))
        stop = Stop(str(sid), str(sid), st, "1")
        st.add_stop(stop)
        objs.append(stops.add(stop))
    trips, tst, routes = Trips(), TripStopTimes(), Routes()
    pat_of = tt.trip_pattern()
    for g in range(tt.n_trips):
        p = int(pat_of[g])
        seq = tt.pat_stops[tt.pat_stop_ptr[p]:tt.pat_stop_ptr[p + 1]]
        off = int(tt.trip_time_off[g])
        trip = Trip()
        for i, s in enumerate(seq):
            x = TripStopTime(trip, i, objs[int(s)], int(tt.arr[off + i]), int(tt.dep[off + i]))
            tst.add(x)
            trip.add_stop_time(x)
        trips.add(trip)
        routes.add(trip)
    return PTimetable(stations=stations, stops=stops, trips=trips, trip_stop_times=tst,
                      routes=routes, transfers=Transfers())


def main(engine: dict[str, Timing] | None = None, quick: bool = False) -> dict[str, Any]:
    """Print pyraptor's timings next to the engine's and the ratio."""
    print("== Peer: pyraptor 1.3.10 (PyPI) ==")
    why = try_native_reader()
    print(f"  pyraptor's own GTFS reader on midnotts_synthetic_gtfs.zip: {why}")
    logging.getLogger().setLevel(logging.WARNING)
    from pyraptor.model.raptor import RaptorAlgorithm

    tt = compiled(midnotts_feed(), MIDNOTTS_DAY)
    t0 = time.perf_counter()
    ptt = build_pyraptor(tt)
    print(f"  built pyraptor timetable from our arrays in {time.perf_counter() - t0:.1f} s "
          f"({tt.n_trips} trips, {tt.n_stops} stops)")
    router = Router(tt)
    pts = midnotts_postcodes(10 if quick else 20, seed=1)
    deps = np.random.default_rng(7).integers(7 * H, 19 * H, len(pts))
    stops = list(ptt.stops)
    secs = []
    for i in range(len(pts)):
        acc, _ = router.walker.access(pts[i, 0], pts[i, 1], 800.0)
        from_stops = [stops[int(s)] for s in acc] or [stops[0]]
        t = time.perf_counter()
        RaptorAlgorithm(ptt).run(from_stops, int(deps[i]), 4)
        secs.append(time.perf_counter() - t)
    ea = Timing("pyraptor earliest arrival (4 rounds)", secs)
    print("  " + ea.line())
    # A range query is one full RAPTOR run per departure; time a few and scale up.
    from bench.engine_queries import run as _unused  # noqa: F401  (documents the pairing)

    acc, _ = router.walker.access(pts[0, 0], pts[0, 1], 800.0)
    from_stops = [stops[int(s)] for s in acc] or [stops[0]]
    in_range = ptt.trip_stop_times.get_trip_stop_times_in_range(from_stops, 9 * H, 21 * H)
    n_dep = len({x.dts_dep for x in in_range})
    per_run = ea.p50_ms / 1000
    est_range = n_dep * per_run
    print(f"  pyraptor range 09:00-21:00: {n_dep} departures x {ea.p50_ms:.0f} ms per run "
          f"= ~{est_range:.1f} s (extrapolated from the measured per-run median)")
    out: dict[str, Any] = {"reader": why, "ea": ea, "range_s": est_range}
    if engine:
        print(f"  ratio pyraptor / engine, earliest arrival p50: "
              f"{ea.p50_ms / engine['ea'].p50_ms:,.0f}x")
        print(f"  ratio pyraptor / engine, range 09-21 p50: "
              f"{est_range * 1000 / engine['range'].p50_ms:,.0f}x")
        print("  round trip vs 500 targets: pyraptor has no reverse or profile search; the "
              "equivalent is 500 reverse searches, which it cannot run (not measured)")
    return out


if __name__ == "__main__":
    from bench.engine_queries import run

    main(run(50, quick=True), quick=True)
