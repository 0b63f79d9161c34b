"""Round-trip times from every origin to every session, from two searches per session.

For a session at venue v from S to E, with a buffer b (arrive b before the start, leave
b after the end; the finder uses the same 5 minutes), a search backwards from v with
deadline S-b gives, for every stop, the latest departure that still reaches v in time
(`latest_dep`), and a search forwards from v leaving at E+b gives the earliest arrival
at every stop (`earliest_arr`); both include the walk between the venue and the stop.
Walking is symmetric, so for an origin o with access stops i (walk w_oi):

    out(o)  = S - max(max_i(latest_dep[i] - w_oi), S - b - walk(o, v))  leave home .. start
    back(o) = min(min_i(earliest_arr[i] + w_oi), E + b + walk(o, v)) - E  end .. home

This is exactly what a forward profile from o and a reverse profile into o would give
for the same session, but needs 2 searches per session instead of 2 per origin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NO_DEP = -(2**30)  # sentinel: stop cannot reach the venue in time
NO_ARR = 2**30  # sentinel: stop cannot be reached from the venue
DAY_END_S = 86_400  # "home the same day": back by midnight


@dataclass(frozen=True)
class OriginAccess:
    """Stops within walking distance of each origin, as CSR arrays (walk in whole seconds)."""

    ptr: np.ndarray  # int64 (n_origins + 1)
    stop: np.ndarray  # int32
    walk_s: np.ndarray  # int32

    @property
    def n_origins(self) -> int:
        """Number of origins."""
        return len(self.ptr) - 1


def _segment_reduce(values: np.ndarray, ptr: np.ndarray, ufunc: np.ufunc,
                    empty: float) -> np.ndarray:
    """Reduce `values` (K x E) over the CSR segments of axis 1, `empty` for empty segments."""
    n = len(ptr) - 1
    out = np.full((values.shape[0], n), empty, dtype=np.float64)
    nonempty = np.flatnonzero(np.diff(ptr) > 0)
    if len(nonempty) and values.shape[1]:
        red = ufunc.reduceat(values, ptr[:-1][nonempty], axis=1)
        out[:, nonempty] = red
    return out


def round_trip_minutes(latest_dep: np.ndarray, earliest_arr: np.ndarray, start_s: np.ndarray,
                       end_s: np.ndarray, access: OriginAccess, direct_walk_s: np.ndarray,
                       buffer_s: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(out, back) minutes, shape (n_origins, n_sessions); inf where the leg is impossible.

    latest_dep, earliest_arr: (n_sessions, n_stops) int seconds with NO_DEP / NO_ARR
    sentinels; start_s, end_s: (n_sessions,); direct_walk_s: (n_origins, n_sessions)
    seconds of walking origin->venue, inf beyond the walking limit; buffer_s as above
    (the searches must already have used S - buffer_s and E + buffer_s).
    The return leg must reach home by midnight, else it counts as impossible.
    """
    ld = np.asarray(latest_dep, dtype=np.float64)
    ea = np.asarray(earliest_arr, dtype=np.float64)
    ld[ld <= NO_DEP] = -np.inf
    ea[ea >= NO_ARR] = np.inf
    w = access.walk_s.astype(np.float64)
    dep_home = _segment_reduce(ld[:, access.stop] - w, access.ptr, np.maximum, -np.inf)
    arr_home = _segment_reduce(ea[:, access.stop] + w, access.ptr, np.minimum, np.inf)
    s = np.asarray(start_s, dtype=np.float64)[:, None]
    e = np.asarray(end_s, dtype=np.float64)[:, None]
    direct = np.asarray(direct_walk_s, dtype=np.float64).T  # (K, O)
    dep_home = np.maximum(dep_home, s - buffer_s - direct)
    arr_home = np.minimum(arr_home, e + buffer_s + direct)
    arr_home[arr_home > DAY_END_S] = np.inf
    out = (s - dep_home) / 60.0
    back = (arr_home - e) / 60.0
    return out.T.copy(), back.T.copy()
