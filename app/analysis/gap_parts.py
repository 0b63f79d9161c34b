"""The gap metrics reduced on one part of the map (whole LSOAs), so no process holds a country.

`app.analysis.results.band_blocks` computes a band from (origins x sessions) matrices of
the whole region. At national size those do not fit, so the batch computes the same
numbers part by part, on the worker that routed the part:

- pass 1 (`part_metrics`): per LSOA of the part every measure but E2SFCA, the part's
  share of each activity's E2SFCA demand (step 1), and the per-LSOA details;
- between the passes the client sums the demand over parts (in part order) and turns it
  into each activity's supply-to-demand ratio;
- pass 2 (`part_scores`): each origin's E2SFCA score (step 2) from the ratios, averaged
  per LSOA.

A part holds whole LSOAs, so every per-LSOA sum runs over the same origins in the same
order as on the whole region: counts, shares, nearest times, intervals and details are
bit-identical. Sums over sessions or activities (`sessions_mean`, E2SFCA) skip the
columns that are impossible for the part and round within 1e-12 of the dense result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.analysis.metrics import PER_POPULATION, Decay, SessionSet, activity_times
from app.analysis.results import BudgetView, lsoa_metrics, weekly_supply

TOP_NEAREST = 5
LOCAL_METRICS = ("activities_mean", "activities_share", "sessions_mean", "nearest_min",
                 "reach_low", "reach_high")


@dataclass(frozen=True)
class ViewSpec:
    """One view of a band as `band_blocks` prepares it: sessions, activities, audiences.

    `sess` are positions among the band's sessions; `activity` indexes `present` (the
    global activities with a session in the view); `legs` says which legs count.
    """

    name: str
    legs: str  # "all": (out, back); "free": (free_out, free_back)
    sess: np.ndarray  # int64 positions in the band's sessions
    activity: np.ndarray  # int64 per view session, into present
    per_week: np.ndarray  # float64 per view session
    present: np.ndarray  # int64 global activity indices
    supply: np.ndarray  # float64 weekly places per present activity
    categories: dict[str, np.ndarray]  # name -> bool per present activity
    audiences: dict[str, tuple[np.ndarray, np.ndarray]]  # name -> (bool per present, pop/LSOA)


def view_spec(name: str, legs: str, sess: np.ndarray, activity: np.ndarray,
              per_week: np.ndarray, capacity: np.ndarray, categories: dict[str, np.ndarray],
              audiences: dict[str, tuple[np.ndarray, np.ndarray]]) -> ViewSpec:
    """A view from global activity indices, exactly as `band_blocks` narrows them."""
    present, local = np.unique(activity, return_inverse=True)
    sessions = SessionSet(local.astype(np.int64), np.asarray(per_week, dtype=np.float64))
    cap = np.asarray(capacity)[present]
    return ViewSpec(name, legs, np.asarray(sess, dtype=np.int64), sessions.activity,
                    sessions.per_week, present.astype(np.int64),
                    weekly_supply(sessions, cap),
                    {k: np.asarray(m)[present] for k, m in categories.items()},
                    {k: (np.asarray(m)[present], p) for k, (m, p) in audiences.items()})


@dataclass(frozen=True)
class BandSpec:
    """What a part needs to reduce one band: its sessions, views and detail inputs."""

    band: str
    slots: np.ndarray  # int64 run-slot index of each band session, band order
    activity: np.ndarray  # int64 global activity per band session
    late: np.ndarray  # bool per band session: ends at or after 19:00
    older_session: np.ndarray  # bool per band session: an activity for older residents
    older_pop: np.ndarray  # 65+ residents per LSOA
    views: tuple[ViewSpec, ...]
    free_from: str | None = None  # when the older person's pass starts (the details say)


@dataclass(frozen=True)
class RunSpec:
    """The reduction of a whole run: bands, budgets and the decay (shipped once per worker)."""

    bands: tuple[BandSpec, ...]
    budgets: tuple[int, ...]
    decay: Decay
    keep_rt: bool  # return the part's round-trip minutes (the what-if matrices)
    # id and name of every activity: a part writes its details whole, so the client, alone
    # while every worker waits, only files them
    activity_ids: tuple[str, ...]
    activity_names: tuple[str, ...]

    @property
    def max_budget(self) -> int:
        """The largest budget: the time cap of every search."""
        return max(self.budgets)


@dataclass
class PartLegs:
    """A part's legs to one band's sessions that can be finite for it (band positions)."""

    cols: np.ndarray  # int64 ascending positions in the band's sessions
    out: np.ndarray  # (origins x cols) minutes
    back: np.ndarray
    free_out: np.ndarray
    free_back: np.ndarray

    def rt(self, legs: str) -> np.ndarray:
        """Round-trip minutes (the longer leg) of a view's legs."""
        if legs == "free":
            return np.maximum(self.free_out, self.free_back)
        return np.maximum(self.out, self.back)


@dataclass
class Sparse:
    """Best round-trip seconds per (origin, activity) within the largest budget, CSR."""

    acts: np.ndarray  # int64 positions in the view's present activities (columns)
    ptr: np.ndarray  # int64 (origins + 1)
    col: np.ndarray  # int32 into acts
    secs: np.ndarray  # int32 whole seconds

    @classmethod
    def of(cls, acts: np.ndarray, at: np.ndarray, max_minutes: float) -> Sparse:
        """Keep the times within max_minutes (minutes are whole seconds / 60, exactly)."""
        keep = at <= max_minutes
        rows, cols = np.nonzero(keep)
        ptr = np.zeros(at.shape[0] + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=at.shape[0]), out=ptr[1:])
        secs = np.rint(at[rows, cols] * 60.0).astype(np.int32)
        return cls(acts, ptr, cols.astype(np.int32), secs)

    @property
    def nbytes(self) -> int:
        """Memory held."""
        return self.acts.nbytes + self.ptr.nbytes + self.col.nbytes + self.secs.nbytes


Key = tuple[str, str, int, str]  # band, view, budget, audience


def pack_arrays(values: dict[Any, np.ndarray]) -> Any:
    """Equal-dtype 1-D arrays as (tag, keys, one buffer, lengths); the dict if they differ.

    A part's results hold thousands of small per-LSOA arrays; shipped one by one each is a
    frame of its own, and framing them cost more than the arrays (4.7 -> 1.2 ms a part).
    """
    arrays = list(values.values())
    if not arrays or any(a.ndim != 1 or a.dtype != arrays[0].dtype for a in arrays):
        return values
    return ("packed", list(values), np.concatenate(arrays), [len(a) for a in arrays])


def unpack_arrays(packed: Any) -> dict[Any, np.ndarray]:
    """The dict `pack_arrays` joined (views into the one buffer)."""
    if not isinstance(packed, tuple):
        return packed
    _, keys, flat, lengths = packed
    ends = np.cumsum(lengths).tolist()
    return {k: flat[e - n:e] for k, n, e in zip(keys, lengths, ends, strict=True)}


Rows = tuple[list[Any], dict[Any, int], np.ndarray]  # keys, key -> row, keys x part LSOAs


def packed_rows(packed: Any) -> Rows | None:
    """The arrays `pack_arrays` joined as rows of one matrix, if all have one length."""
    if not isinstance(packed, tuple):
        return None
    _, keys, flat, lengths = packed
    if not keys or len(set(lengths)) != 1:
        return None
    return keys, {k: i for i, k in enumerate(keys)}, flat.reshape(len(keys), lengths[0])


def stacked(values: dict[Any, np.ndarray], rows: Rows | None, order: Sequence[Any]
            ) -> np.ndarray:
    """values[k] for k in order, as rows of one matrix (read-only: it may be a view).

    With packed rows whose keys hold order as one run (a part packs its keys in the order
    the assembly asks for them), the rows are a slice of the part's buffer, not a copy:
    the assembly copies each band's values once, into the joined matrix.
    """
    if rows is not None:
        keys, index, mat = rows
        start = index.get(order[0], -1) if order else -1
        if start >= 0 and keys[start:start + len(order)] == list(order):
            return mat[start:start + len(order)]
        return mat[[index[k] for k in order]]
    return np.stack([values[k] for k in order]) if order else np.zeros((0, 0))


@dataclass
class PartState:
    """What pass 2 needs of a part (kept on its worker between the passes)."""

    area_local: np.ndarray
    weight: np.ndarray
    n_areas: int
    times: dict[tuple[str, str], Sparse] = field(default_factory=dict)  # (band, view)

    @property
    def nbytes(self) -> int:
        """Memory held."""
        return sum(s.nbytes for s in self.times.values())


@dataclass
class PartMetrics:
    """Pass 1 of a part: per-LSOA measures, E2SFCA demand shares and details."""

    # (band, view, budget, audience, category) -> metric -> values per part LSOA
    values: dict[tuple[str, str, int, str, str], dict[str, np.ndarray]]
    # (band, view, budget, audience) -> (present positions, demand of the part's origins)
    demand: dict[Key, tuple[np.ndarray, np.ndarray]]
    details: dict[str, list[dict[str, Any]]]  # band -> per part LSOA: budget -> detail
    rt: dict[str, tuple[np.ndarray, np.ndarray]]  # band -> (cols, float32 minutes), if kept

    def __getstate__(self) -> dict[str, Any]:
        """Pickled with the per-LSOA values in one buffer (see `pack_arrays`)."""
        flat = {(k, m): a for k, per in self.values.items() for m, a in per.items()}
        kept = {k: v for k, v in self.__dict__.items() if k not in ("_rows", "_packed")}
        return {**kept, "values": pack_arrays(flat)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Kept packed, as rows (`local_rows`); the dict of dicts is built only if asked for.

        The client reads a summary only through `local_rows`; building 2,376 views and 396
        dicts per part took a summary's load from 1.0 to 1.7 ms (at s = 1).
        """
        self.__dict__.update({k: v for k, v in state.items() if k != "values"})
        self._packed = state["values"]
        self._rows = packed_rows(self._packed)

    def __getattr__(self, name: str) -> Any:
        """`values` of an unpickled part, unpacked into the dict of dicts on first use."""
        packed = self.__dict__.get("_packed")
        if name != "values" or packed is None:
            raise AttributeError(name)
        values: dict[tuple[str, str, int, str, str], dict[str, np.ndarray]] = {}
        for (k, m), a in unpack_arrays(packed).items():
            values.setdefault(k, {})[m] = a
        self.values = values
        return values

    def local_rows(self, order: Sequence[tuple[Any, str]]) -> np.ndarray:
        """values[key][metric] for each (key, metric) of order, as rows of one matrix."""
        rows: Rows | None = getattr(self, "_rows", None)  # None: built in this process
        flat = {} if rows is not None else {
            (k, m): a for k, per in self.values.items() for m, a in per.items()}
        return stacked(flat, rows, order)


def _view_columns(view: ViewSpec, legs: PartLegs) -> tuple[np.ndarray, np.ndarray]:
    """(positions among the view's sessions, columns of the part matrices) both present."""
    inside = np.isin(view.sess, legs.cols)
    vp = np.flatnonzero(inside)
    return vp, np.searchsorted(legs.cols, view.sess[vp])


def _view_pass1(view: ViewSpec, band: str, legs: PartLegs, pop_index: np.ndarray,
                area_local: np.ndarray, weight: np.ndarray, n_areas: int,
                budgets: tuple[int, ...], decay: Decay, out: PartMetrics) -> Sparse:
    """Pass 1 of one view (the same steps as `band_blocks` and `BudgetView`)."""
    vp, cols = _view_columns(view, legs)
    acts, local = np.unique(view.activity[vp], return_inverse=True)
    sessions = SessionSet(local.astype(np.int64), view.per_week[vp])
    rt = np.ascontiguousarray(legs.rt(view.legs)[:, cols])
    at = activity_times(rt, sessions, len(acts))
    for budget in budgets:
        bv = BudgetView(rt, at, sessions, float(budget), decay)
        for aud, (aud_mask, pop) in view.audiences.items():
            origin_pop = pop[pop_index] * weight
            out.demand[(band, view.name, budget, aud)] = (acts, origin_pop @ bv.weights)
            for cat, cat_mask in view.categories.items():
                mask = (cat_mask & aud_mask)[acts]
                sel = np.flatnonzero(mask)
                n_act = bv.ok[:, sel].sum(axis=1).astype(np.float64)
                per_week = bv.sess_ok @ (sessions.per_week * mask[sessions.activity])
                if len(sel):
                    best = bv.times[:, sel].min(axis=1)
                    nearest = np.where(np.isfinite(best), best, np.nan)
                else:
                    nearest = np.full(len(n_act), np.nan)
                per_origin = {"activities": n_act, "sessions": per_week, "nearest": nearest,
                              "e2sfca": np.zeros(len(n_act))}
                vals = lsoa_metrics(per_origin, area_local, weight, n_areas)
                out.values[(band, view.name, budget, aud, cat)] = {
                    m: vals[m] for m in LOCAL_METRICS}
    return Sparse.of(acts, at, float(max(budgets)))


def part_details(run: RunSpec, spec: BandSpec, legs: PartLegs, area_local: np.ndarray,
                 weight: np.ndarray, n_areas: int, older_pop: np.ndarray
                 ) -> list[dict[str, Any]]:
    """Per part LSOA and budget: nearest activities, late-bus shares, free-pass residents.

    The same details as `compute.band_details` with `compute.free_pass_details`, names and
    the free-from time included.
    """
    ids, names = run.activity_ids, run.activity_names
    budgets = run.budgets
    rt = legs.rt("all")
    acts, local = np.unique(spec.activity[legs.cols], return_inverse=True)
    sessions = SessionSet(local.astype(np.int64), np.ones(len(legs.cols)))
    at = activity_times(rt, sessions, len(acts))
    has_late = bool(spec.late.any())
    late = np.flatnonzero(spec.late[legs.cols])
    older = np.flatnonzero(spec.older_session[legs.cols])
    views = [rt[:, older], np.maximum(legs.free_out, legs.back)[:, older],
             legs.rt("free")[:, older]]
    w = weight
    result: list[dict[str, Any]] = [{} for _ in range(n_areas)]
    for budget in budgets:
        ok = at <= budget
        share = np.zeros((n_areas, len(acts)))
        np.add.at(share, area_local, ok * w[:, None])
        tsum = np.zeros((n_areas, len(acts)))
        np.add.at(tsum, area_local, np.where(ok, at, 0.0) * w[:, None])
        stranded_share = no_trip_share = None
        if has_late:
            go = legs.out[:, late] <= budget
            home = legs.back[:, late] <= budget
            both = (go & home).any(axis=1)
            stranded_share = np.bincount(area_local, weights=(go.any(axis=1) & ~both) * w,
                                         minlength=n_areas)
            no_trip_share = np.bincount(area_local, weights=~both * w, minlength=n_areas)
        has = [np.asarray((v <= budget).any(axis=1), dtype=bool) for v in views]

        def residents(mask: np.ndarray) -> np.ndarray:
            return np.bincount(area_local, weights=mask * w, minlength=n_areas) * older_pop

        normal, out_free, both_free = has
        with_access = residents(normal)
        free_access = residents(both_free)
        lose_0930 = residents(normal & ~out_free)
        lose_late = residents(normal & out_free & ~both_free)
        for i in range(n_areas):
            cand = np.flatnonzero(share[i] > 0)
            order = sorted(cand, key=lambda j: (-share[i, j], tsum[i, j] / share[i, j]))
            top = [(int(acts[j]), j) for j in order[:TOP_NEAREST]]
            result[i][str(budget)] = {
                "nearest": [{"id": ids[a], "name": names[a],
                             "share_of_residents": round(float(share[i, j]), 3),
                             "minutes": round(float(tsum[i, j] / share[i, j]), 1)}
                            for a, j in top],
                "no_way_home_after_19_share": (None if stranded_share is None
                                               else round(float(stranded_share[i]), 3)),
                "no_late_round_trip_share": (None if no_trip_share is None
                                             else round(float(no_trip_share[i]), 3)),
                "free_with_pass": {
                    "free_from": spec.free_from,
                    "older_residents": round(float(older_pop[i])),
                    "with_access": round(float(with_access[i])),
                    "with_access_free": round(float(free_access[i])),
                    "residents_losing_access": round(float(lose_0930[i] + lose_late[i])),
                    "residents_losing_access_before_0930": round(float(lose_0930[i])),
                    "residents_losing_access_late_return": round(float(lose_late[i]))}}
    return result


def part_metrics(run: RunSpec, legs: dict[str, PartLegs], area_ids: np.ndarray,
                 area_local: np.ndarray, weight: np.ndarray) -> tuple[PartMetrics, PartState]:
    """Pass 1 of a part: every band's per-LSOA measures, demand shares and details.

    area_ids: the part's LSOAs (global indices); area_local: per origin, into area_ids.
    """
    n_areas = len(area_ids)
    pop_index = area_ids[area_local]
    res = PartMetrics({}, {}, {}, {})
    state = PartState(area_local, weight, n_areas)
    for spec in run.bands:
        band_legs = legs[spec.band]
        for view in spec.views:
            state.times[(spec.band, view.name)] = _view_pass1(
                view, spec.band, band_legs, pop_index, area_local, weight, n_areas,
                run.budgets, run.decay, res)
        res.details[spec.band] = part_details(run, spec, band_legs, area_local, weight,
                                              n_areas, spec.older_pop[area_ids])
        if run.keep_rt:
            res.rt[spec.band] = (band_legs.cols, band_legs.rt("all").astype(np.float32))
    return res, state


def part_scores(run: RunSpec, state: PartState, ratios: dict[Key, np.ndarray]
                ) -> dict[tuple[str, str, int, str, str], np.ndarray]:
    """Pass 2 of a part: E2SFCA per part LSOA for every (band, view, budget, audience, cat).

    ratios: per (band, view, budget, audience) the supply-to-demand ratio of every present
    activity of the view (step 1 summed over all parts).

    An LSOA's score is the weighted mean over its origins of sum_a decay(t_oa) * ratio_a,
    which is sum_a ratio_a * D[area, a] with D the weighted mean decay per activity: D is
    summed once per budget from the sparse times (only pairs within the largest budget can
    weigh), so each key costs a (LSOAs x activities) product, not an (origins x
    activities) one.
    """
    out: dict[tuple[str, str, int, str, str], np.ndarray] = {}
    n_a = state.n_areas
    w = state.weight
    den = np.bincount(state.area_local, weights=w, minlength=n_a)
    has = den > 0
    for spec in run.bands:
        for view in spec.views:
            sp = state.times[(spec.band, view.name)]
            n_acts = len(sp.acts)
            rows = np.repeat(np.arange(len(w)), np.diff(sp.ptr))
            cell = state.area_local[rows] * n_acts + sp.col
            minutes = sp.secs / 60.0
            for budget in run.budgets:
                decay = run.decay(np.where(minutes <= budget, minutes, np.inf), float(budget))
                dsum = np.bincount(cell, weights=w[rows] * decay, minlength=n_a * n_acts)
                mean = np.divide(dsum.reshape(n_a, n_acts), den[:, None],
                                 out=np.zeros((n_a, n_acts)), where=has[:, None])
                for aud, (aud_mask, _) in view.audiences.items():
                    ratio = ratios[(spec.band, view.name, budget, aud)][sp.acts]
                    for cat, cat_mask in view.categories.items():
                        sel = (cat_mask & aud_mask)[sp.acts]
                        score = (mean @ np.where(sel, ratio, 0.0)) * PER_POPULATION
                        out[(spec.band, view.name, budget, aud, cat)] = np.where(
                            has, score, np.nan)
    return out


def ratios_of(run: RunSpec, demand: dict[Key, np.ndarray]) -> dict[Key, np.ndarray]:
    """Step 1 of E2SFCA: supply / demand per present activity (0 where nobody reaches it)."""
    out: dict[Key, np.ndarray] = {}
    for spec in run.bands:
        for view in spec.views:
            for budget in run.budgets:
                for aud in view.audiences:
                    d = demand[(spec.band, view.name, budget, aud)]
                    out[(spec.band, view.name, budget, aud)] = np.divide(
                        view.supply, d, out=np.zeros_like(d, dtype=np.float64), where=d > 0)
    return out


__all__ = ["BandSpec", "PartLegs", "PartMetrics", "PartState", "RunSpec", "ViewSpec",
           "pack_arrays", "packed_rows", "part_details", "part_metrics", "part_scores",
           "ratios_of", "stacked", "unpack_arrays", "view_spec"]
