"""Vectorised GTFS `H:MM:SS` parsing for the reader: a numba loop over the code points."""

from __future__ import annotations

import numba
import numpy as np
import pandas as pd

from app.routing.gtfs_time import parse_times

_WIDTH = 10  # a valid time has at most 9 characters; a 10th marks a longer (bad) value


@numba.njit(cache=True, nogil=True)
def _decode(u: np.ndarray, secs: np.ndarray, state: np.ndarray) -> None:  # pragma: no cover
    """Per row: state 0 parsed, 1 blank, 2 needs the regex path."""
    for i in range(u.shape[0]):
        n = 0
        while n < _WIDTH and u[i, n] != 0:
            n += 1
        if n == 0:
            state[i] = 1
            continue
        if n < 7 or n > 9 or u[i, n - 3] != 58 or u[i, n - 6] != 58:
            state[i] = 2
            continue
        good = True
        h = np.int64(0)
        for k in range(n - 6):
            d = np.int64(u[i, k]) - 48
            if d < 0 or d > 9:
                good = False
            h = h * 10 + d
        m1 = np.int64(u[i, n - 5]) - 48
        m2 = np.int64(u[i, n - 4]) - 48
        s1 = np.int64(u[i, n - 2]) - 48
        s2 = np.int64(u[i, n - 1]) - 48
        if not (0 <= m1 <= 5 and 0 <= m2 <= 9 and 0 <= s1 <= 5 and 0 <= s2 <= 9) or not good:
            state[i] = 2
            continue
        secs[i] = h * 3600 + (m1 * 10 + m2) * 60 + s1 * 10 + s2
        state[i] = 0


def parse_time_array(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`gtfs_time.parse_times` for an object array of strings, with the same answers.

    Plain ASCII times are decoded by the numba loop; anything else (padding, non-ASCII
    digits, junk) goes through the regex path, so every input is judged the same way.
    """
    n = len(values)
    u = np.ascontiguousarray(np.asarray(values, dtype=f"U{_WIDTH}")).view(np.uint32)
    u = u.reshape(n, _WIDTH) if n else np.zeros((0, _WIDTH), dtype=np.uint32)
    secs = np.zeros(n, dtype=np.int64)
    state = np.zeros(n, dtype=np.int8)
    _decode(u, secs, state)
    blank = state == 1
    bad = np.zeros(n, dtype=bool)
    slow = np.flatnonzero(state == 2)
    if len(slow):
        s_secs, s_blank, s_bad = parse_times(pd.Series(values[slow], dtype=object))
        secs[slow] = s_secs
        blank[slow] = s_blank
        bad[slow] = s_bad
    return secs, blank, bad
