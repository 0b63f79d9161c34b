"""Bounded multi-source Dijkstra on a CSR graph (numba, binary heap with lazy deletion)."""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def _push(hd: np.ndarray, hn: np.ndarray, size: int, d: float, n: int) -> int:
    i = size
    hd[i] = d
    hn[i] = n
    while i > 0:
        p = (i - 1) >> 1
        if hd[p] <= hd[i]:
            break
        hd[p], hd[i] = hd[i], hd[p]
        hn[p], hn[i] = hn[i], hn[p]
        i = p
    return size + 1


@nb.njit(cache=True)
def _pop(hd: np.ndarray, hn: np.ndarray, size: int) -> tuple[float, int, int]:
    d, n = hd[0], hn[0]
    size -= 1
    hd[0] = hd[size]
    hn[0] = hn[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and hd[c + 1] < hd[c]:
            c += 1
        if hd[i] <= hd[c]:
            break
        hd[c], hd[i] = hd[i], hd[c]
        hn[c], hn[i] = hn[i], hn[c]
        i = c
    return d, n, size


@nb.njit(cache=True)
def bounded_dijkstra(ptr: np.ndarray, to: np.ndarray, w: np.ndarray, src: np.ndarray,
                     src_d: np.ndarray, cutoff: float, dist: np.ndarray,
                     touched: np.ndarray) -> int:
    """Shortest distances from sources (with start offsets) up to `cutoff`.

    `dist` must be all +inf on entry; settled/reached nodes are written there and listed
    in `touched` (returns their count). Callers reset `dist[touched[:n]]` to +inf after use,
    so one array serves many searches without O(n) clearing.
    """
    cap = to.shape[0] + src.shape[0] + 1
    hd = np.empty(cap, np.float64)
    hn = np.empty(cap, np.int64)
    size = 0
    n_t = 0
    for i in range(src.shape[0]):
        s = src[i]
        if src_d[i] <= cutoff and src_d[i] < dist[s]:
            if dist[s] == np.inf:
                touched[n_t] = s
                n_t += 1
            dist[s] = src_d[i]
            size = _push(hd, hn, size, src_d[i], s)
    while size > 0:
        d, u, size = _pop(hd, hn, size)
        if d > dist[u]:
            continue
        for x in range(ptr[u], ptr[u + 1]):
            v = to[x]
            nd = d + w[x]
            if nd <= cutoff and nd < dist[v]:
                if dist[v] == np.inf:
                    touched[n_t] = v
                    n_t += 1
                dist[v] = nd
                if size >= cap:
                    continue  # cannot happen: each edge is relaxed at most once per improvement
                size = _push(hd, hn, size, nd, v)
    return n_t
