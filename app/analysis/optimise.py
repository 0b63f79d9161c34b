"""Where should a new group go? Maximal covering of need-weighted residents, greedy and exact.

Each candidate placement covers the origins that would gain a there-and-back round trip
(they had none before). The value of a set of placements is the need-weighted residents
covered by at least one of them. Greedy picks, k times, the candidate with the largest
marginal gain; it is within 1 - 1/e of the optimum for this submodular objective, and
`exact_mclp` solves the integer programme (Church & ReVelle 1974) to check it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Pick:
    """One chosen placement: candidate index, its marginal and stand-alone gains."""

    candidate: int
    marginal: float
    alone: float


def greedy_cover(cover: np.ndarray, weight: np.ndarray, k: int) -> list[Pick]:
    """k picks by largest marginal gain; cover is (candidates x origins) bool.

    Ties go to the lower candidate index, so results are reproducible. Stops early when
    no candidate adds anything.
    """
    c = np.asarray(cover, bool)
    w = np.asarray(weight, float)
    alone = c.astype(float) @ w
    covered = np.zeros(c.shape[1], bool)
    picks: list[Pick] = []
    for _ in range(min(k, c.shape[0])):
        gain = c[:, ~covered].astype(float) @ w[~covered]
        for p in picks:
            gain[p.candidate] = -1.0
        best = int(np.argmax(gain))
        if gain[best] <= 0:
            break
        picks.append(Pick(best, float(gain[best]), float(alone[best])))
        covered |= c[best]
    return picks


def exact_mclp(cover: np.ndarray, weight: np.ndarray, k: int) -> tuple[list[int], float]:
    """The optimal k placements by integer programming (PuLP/CBC): chosen indices, value.

    max sum_i w_i y_i  s.t.  y_i <= sum_{j covers i} x_j,  sum_j x_j = k,  x, y binary.
    Meant for small cases (a check on the greedy); origins no candidate covers are dropped.
    """
    import warnings

    import pulp

    c = np.asarray(cover, bool)
    w = np.asarray(weight, float)
    useful = np.flatnonzero(c.any(axis=0) & (w > 0))
    k = min(k, c.shape[0])
    with warnings.catch_warnings():
        # PuLP 3.3 announces its 4.0 API on every variable; 4.x needs Python 3.12.
        warnings.simplefilter("ignore", DeprecationWarning)
        return _solve(pulp, c, w, useful, k)


def _solve(pulp: Any, c: np.ndarray, w: np.ndarray, useful: np.ndarray, k: int
           ) -> tuple[list[int], float]:
    """Build and solve the MCLP integer programme with CBC."""
    prob = pulp.LpProblem("mclp", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{j}", cat="Binary") for j in range(c.shape[0])]
    y = {i: pulp.LpVariable(f"y{i}", cat="Binary") for i in useful.tolist()}
    prob += pulp.lpSum(float(w[i]) * y[i] for i in y)
    for i, yi in y.items():
        prob += yi <= pulp.lpSum(x[j] for j in np.flatnonzero(c[:, i]).tolist())
    prob += pulp.lpSum(x) == k
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    chosen = [j for j, v in enumerate(x) if (v.value() or 0) > 0.5]
    covered = c[chosen].any(axis=0) if chosen else np.zeros(c.shape[1], bool)
    return chosen, float(w[covered].sum())
