"""Need x access classes with fixed, documented breaks (and terciles only when not degenerate).

Access is reach: the share of residents with at least one there-and-back round trip within
the budget. Access class 0 is "no there-and-back access" (no resident has a round trip),
then 1 low (< 50%), 2 middle (50% to < 80%), 3 high (>= 80%). Need uses England-wide IMD
deciles: 3 high need = deciles 1-3 (the most deprived 30% of England), 2 = deciles 4-7,
1 low need = deciles 8-10. Because both sets of breaks are fixed, a change in one area's
access can never re-class another area. Terciles of reach are an option, fitted on the
areas with some access; when they are degenerate (tied cut points) the fixed breaks are
used and the reason is returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

REACH_BREAKS: tuple[float, float] = (0.5, 0.8)
NEED_DECILE_HIGH = 3  # deciles 1..3 -> need class 3
NEED_DECILE_LOW = 8  # deciles 8..10 -> need class 1
NO_ACCESS = 0
MIN_TERCILE_AREAS = 9  # fewer areas with some access than this: terciles are not meaningful


@dataclass(frozen=True)
class Breaks:
    """Cut points of a classification; frozen for a what-if so only changed areas move."""

    kind: str  # "fixed" or "terciles"
    reach: tuple[float, float]  # access class 1 below reach[0], 3 from reach[1]
    need: tuple[float, float]  # IMD score cut points: class 2 from need[0], 3 from need[1]
    note: str = ""
    requested: str = "fixed"
    extra: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """JSON form for the API's meta."""
        return {"kind": self.kind, "requested": self.requested,
                "reach": [round(x, 4) for x in self.reach],
                "need_imd_score": [round(x, 3) for x in self.need], "note": self.note}


def need_cuts(scores: np.ndarray, deciles: np.ndarray) -> tuple[float, float]:
    """IMD score cut points matching England's decile boundaries, from the loaded LSOAs.

    The boundary between deciles 7/8 (and 3/4) lies between the lowest score of decile 7
    and the highest of decile 8; its midpoint is used so that LSOAs classed by score get
    exactly the class of their decile, and wards and districts (population-weighted
    scores) use the same England-wide boundary.
    """
    s = np.asarray(scores, float)
    d = np.asarray(deciles, float)

    def boundary(more_deprived: int) -> float:
        above = s[d == more_deprived]
        below = s[d == more_deprived + 1]
        if len(above) and len(below):
            return float((above.min() + below.max()) / 2)
        if len(above):
            return float(above.min())
        if len(below):
            return float(below.max() + 1e-6)
        inside = s[(d <= more_deprived) & ~np.isnan(s)]
        return float(inside.min()) if len(inside) else float("inf")

    return boundary(NEED_DECILE_LOW - 1), boundary(NEED_DECILE_HIGH)


def fit_breaks(reach: np.ndarray, in_region: np.ndarray, need: tuple[float, float],
               kind: str = "fixed") -> Breaks:
    """Breaks for the areas in the region: fixed, or terciles of non-zero reach if sound."""
    if kind == "fixed":
        return Breaks("fixed", REACH_BREAKS, need)
    r = np.asarray(reach, float)
    some = r[in_region & ~np.isnan(r) & (r > 0)]
    if len(some) < MIN_TERCILE_AREAS:
        return Breaks("fixed", REACH_BREAKS, need, requested=kind,
                      note=f"terciles not used: only {len(some)} areas in the region have "
                           "any there-and-back access; fixed breaks shown instead")
    q1, q2 = (float(x) for x in np.quantile(some, [1 / 3, 2 / 3]))
    if not q1 < q2 or q2 >= 1.0:
        return Breaks("fixed", REACH_BREAKS, need, requested=kind,
                      note=f"terciles not used: the cut points tie ({q1:.0%}, {q2:.0%}) so "
                           "thirds would not separate areas; fixed breaks shown instead")
    zero = int(((r == 0) & in_region).sum())
    return Breaks("terciles", (q1, q2), need, requested=kind,
                  note=f"terciles of reach among the {len(some)} areas with some access; "
                       f"{zero} areas with none are a class of their own")


def access_class(reach: np.ndarray, breaks: Breaks) -> np.ndarray:
    """0 no access, 1 low, 2 middle, 3 high; -1 where reach is unknown."""
    r = np.asarray(reach, float)
    out = np.full(r.shape, -1, dtype=np.int8)
    ok = ~np.isnan(r)
    lo, hi = breaks.reach
    out[ok] = np.where(r[ok] <= 0, NO_ACCESS, np.where(r[ok] < lo, 1, np.where(r[ok] < hi, 2, 3)))
    return out


def need_class(score: np.ndarray, breaks: Breaks) -> np.ndarray:
    """1 low, 2 middle, 3 high need by the England-wide decile boundaries; 0 if unknown."""
    s = np.asarray(score, float)
    out = np.zeros(s.shape, dtype=np.int8)
    ok = ~np.isnan(s)
    mid, high = breaks.need
    out[ok] = np.where(s[ok] >= high, 3, np.where(s[ok] >= mid, 2, 1))
    return out


def classify(need_score: np.ndarray, reach: np.ndarray, in_region: np.ndarray,
             breaks: Breaks) -> list[str | None]:
    """'N-A' per area ('3-0' = high need, no access); None outside the region or if unknown."""
    n = need_class(need_score, breaks)
    a = access_class(reach, breaks)
    return [f"{x}-{y}" if inside and x > 0 and y >= 0 else None
            for x, y, inside in zip(n.tolist(), a.tolist(), np.asarray(in_region).tolist(),
                                    strict=True)]


def ranks(values: np.ndarray, in_region: np.ndarray) -> list[int | None]:
    """Rank 1 = lowest value among areas in the region (ties share the better rank)."""
    v = np.asarray(values, float)
    inside = np.asarray(in_region, bool) & ~np.isnan(v)
    vals = v[inside]
    out: list[int | None] = [None] * len(v)
    for i in np.flatnonzero(inside).tolist():
        out[i] = int((vals < v[i]).sum()) + 1
    return out


CLASS_LABELS = {0: "no there-and-back access", 1: "low access", 2: "middle access",
                3: "high access"}
NEED_LABELS = {1: "lower need", 2: "middle need", 3: "high need"}


def default_region(listings_per_district: dict[str, int], min_share: float) -> list[str]:
    """Districts holding at least `min_share` of the listings (all listed ones if none do)."""
    total = sum(listings_per_district.values())
    if not total:
        return []
    keep = sorted(c for c, n in listings_per_district.items() if n / total >= min_share)
    return keep or sorted(listings_per_district)
