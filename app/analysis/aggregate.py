"""Population-weighted roll-up of LSOA results to wards and districts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def group_index(parent_codes: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Sorted distinct parent codes and, per child, the index of its parent."""
    parents = sorted(set(parent_codes))
    pos = {c: i for i, c in enumerate(parents)}
    return parents, np.array([pos[c] for c in parent_codes], dtype=np.int64)


def sum_by(values: np.ndarray, parent_idx: np.ndarray, n_parents: int) -> np.ndarray:
    """Plain sum per parent (population counts)."""
    return np.bincount(parent_idx, weights=np.asarray(values, dtype=np.float64),
                       minlength=n_parents)


def weighted_mean_by(values: np.ndarray, population: np.ndarray, parent_idx: np.ndarray,
                     n_parents: int) -> np.ndarray:
    """Population-weighted mean per parent, skipping children whose value is NaN.

    This is the mean over the parent's residents: a ward's share of residents who can
    reach an activity equals the sum over its LSOAs of share x population / population.
    """
    v = np.asarray(values, dtype=np.float64)
    p = np.asarray(population, dtype=np.float64)
    ok = ~np.isnan(v) & (p > 0)
    num = np.bincount(parent_idx[ok], weights=v[ok] * p[ok], minlength=n_parents)
    den = np.bincount(parent_idx[ok], weights=p[ok], minlength=n_parents)
    return np.divide(num, den, out=np.full(n_parents, np.nan), where=den > 0)
