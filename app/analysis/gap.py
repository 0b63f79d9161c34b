"""Need x access: terciles within the region, the bivariate class and a continuous gap score."""

from __future__ import annotations

import numpy as np


def terciles(values: np.ndarray) -> np.ndarray:
    """Tercile 1 (lowest third) .. 3 (highest third) of each value; 0 where NaN.

    Cut points are the 1/3 and 2/3 quantiles of the non-missing values (linear
    interpolation); a value equal to a cut point goes to the lower tercile, so ties
    (e.g. many areas with zero access) always share one class.
    """
    v = np.asarray(values, dtype=np.float64)
    out = np.zeros(v.shape, dtype=np.int8)
    ok = ~np.isnan(v)
    if not ok.any():
        return out
    q1, q2 = np.quantile(v[ok], [1 / 3, 2 / 3])
    out[ok] = 1 + (v[ok] > q1).astype(np.int8) + (v[ok] > q2).astype(np.int8)
    return out


def zscore(values: np.ndarray) -> np.ndarray:
    """Standard score over the non-missing values (0 when they do not vary)."""
    v = np.asarray(values, dtype=np.float64)
    ok = ~np.isnan(v)
    if not ok.any():
        return np.full(v.shape, np.nan)
    mu = v[ok].mean()
    sd = v[ok].std()
    return (v - mu) / sd if sd > 0 else np.where(ok, 0.0, np.nan)


def bivariate_class(need: np.ndarray, access: np.ndarray) -> list[str | None]:
    """'N-A' class per area, need tercile 3 = most deprived, access tercile 1 = least access.

    '3-1' is the gap planners look for: high need, low access. None if either is missing.
    """
    nt = terciles(need)
    at = terciles(access)
    return [f"{n}-{a}" if n and a else None for n, a in zip(nt.tolist(), at.tolist(), strict=True)]


def gap_score(need: np.ndarray, access: np.ndarray) -> np.ndarray:
    """Continuous gap: z(need) - z(access); positive means more need than access."""
    return zscore(need) - zscore(access)
