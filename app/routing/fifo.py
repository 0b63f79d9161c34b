"""FIFO grouping of a pattern's trips for the compiler (numba; imported only when compiling)."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def fifo_group_ids(arr: np.ndarray, dep: np.ndarray) -> np.ndarray:  # pragma: no cover
    """Group of each trip (rows sorted by departure): the first group whose last trip it
    never overtakes (arrival and departure at every stop no earlier), else a new group."""
    m, n = arr.shape
    out = np.empty(m, dtype=np.int64)
    last = np.empty(m, dtype=np.int64)  # last trip of each group
    n_groups = 0
    for i in range(m):
        found = -1
        for g in range(n_groups):
            j = last[g]
            ok = True
            for k in range(n):
                if arr[i, k] < arr[j, k] or dep[i, k] < dep[j, k]:
                    ok = False
                    break
            if ok:
                found = g
                break
        if found < 0:
            found = n_groups
            n_groups += 1
        last[found] = i
        out[i] = found
    return out
