"""Per-query engine timings on the Mid-Notts feed: earliest arrival, range, round trip."""

from __future__ import annotations

import numpy as np

from app.routing.profile import forward_profile
from app.routing.raptor import QueryParams, Router
from app.routing.roundtrip import RoundTripParams, plan_round_trips
from app.routing.venue_session import VenueSession
from bench.common import (
    MIDNOTTS_DAY,
    Timing,
    compiled,
    midnotts_feed,
    midnotts_postcodes,
    time_calls,
)

H = 3600


def sessions_for(tt_lat: np.ndarray, tt_lon: np.ndarray, n: int, seed: int) -> list[VenueSession]:
    """n activity sessions at random stops (offset ~150 m) between 10:00 and 16:00."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(tt_lat), n)
    start = rng.integers(10 * 4, 15 * 4, n) * 900  # quarter hours
    return [VenueSession(float(tt_lat[i]) + 0.001, float(tt_lon[i]) + 0.001, MIDNOTTS_DAY,
                    int(s), int(s) + 2 * H, key=str(j)) for j, (i, s) in enumerate(
                        zip(idx, start, strict=True))]


def run(n: int = 200, quick: bool = False) -> dict[str, Timing]:
    """Time the three query kinds; returns timings by kind."""
    feed = midnotts_feed()
    tt = compiled(feed, MIDNOTTS_DAY)
    router = Router(tt)
    pts = midnotts_postcodes(n)
    rng = np.random.default_rng(7)
    deps = rng.integers(7 * H, 19 * H, n)
    q = QueryParams()
    out: dict[str, Timing] = {}

    out["ea"] = time_calls("earliest arrival, postcode -> all stops",
                           lambda i: router.earliest_arrival(pts[i, 0], pts[i, 1], int(deps[i]),
                                                             q).stop_times(), n)
    n_range = max(5, n // 10) if not quick else 5
    out["range"] = time_calls("range query 09:00-21:00, postcode -> all stops",
                              lambda i: forward_profile(router, pts[i, 0], pts[i, 1], 9 * H,
                                                        21 * H, q), n_range)
    sessions = sessions_for(tt.stop_lat, tt.stop_lon, 500, seed=3)
    n_rt = max(5, n // 10) if not quick else 5
    out["roundtrip"] = time_calls("round trip, postcode vs 500 targets",
                                  lambda i: plan_round_trips(router, pts[i, 0], pts[i, 1],
                                                             sessions, RoundTripParams()), n_rt)
    return out


def main(quick: bool = False) -> dict[str, Timing]:
    """Print the engine's per-query figures."""
    print("== Engine per-query timings, Mid-Notts synthetic feed, Wed 2026-11-25 ==")
    res = run(50 if quick else 200, quick)
    for t in res.values():
        print("  " + t.line())
    return res


if __name__ == "__main__":
    main()
