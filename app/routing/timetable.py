"""Compile Feeds into flat numpy timetable arrays for one service date.

Layout (CSR style, all numpy so a Timetable saves to .npz without pickling):

- stops 0..n_stops-1, sorted by stop_id; stop ids equal across feeds are one stop.
- pattern p visits `pat_stops[pat_stop_ptr[p]:pat_stop_ptr[p+1]]` (L_p stops) and owns
  trips `pat_trip_ptr[p]..pat_trip_ptr[p+1]-1`, sorted by departure and never overtaking
  (FIFO), so a binary search on departures at any position finds the first catchable trip.
- trip g's times at position i: `arr[trip_time_off[g] + i]`, `dep[...]` (int32 seconds
  after the service-day midnight; trips of the previous day past 24:00 are shifted by
  -86400 and flagged in `trip_day_offset`).
- stop s lies on patterns `stop_pat[stop_pat_ptr[s]:stop_pat_ptr[s+1]]` at positions
  `stop_pat_pos[...]` (one entry per visit, so loops are fine).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np

from app.routing.names import Coded, Names, Strings, strings_from_arrays

if TYPE_CHECKING:  # pandas is for compiling only: the query path never imports it
    import pandas as pd

    from app.routing.feed import Feed

DAY_S = 86_400
# String columns: stored apart from the numeric arrays, as UTF-8 tables (see names.py).
STRING_FIELDS = ("stop_ids", "stop_names", "trip_ids", "trip_route_ids", "trip_route_short",
                 "trip_headsign")
# The arrays a mirror does not share with its forward timetable (cached with it).
MIRROR_FIELDS = ("pat_stops", "arr", "dep", "stop_pat_pos")


@dataclass(frozen=True)
class BuildParams:
    """Parameters that change the compiled arrays (part of the cache key)."""

    include_previous_day: bool = True  # trips of D-1 running past midnight, shifted -24 h


@dataclass
class Timetable:
    """Compiled timetable of one service date; see module docstring for the layout."""

    service_date: str  # ISO date
    feed_keys: np.ndarray  # U: "name@version" per feed
    reversed: bool
    stop_ids: Strings  # sorted
    stop_names: Strings
    stop_lat: np.ndarray  # float64
    stop_lon: np.ndarray  # float64
    stop_wheelchair: np.ndarray  # int8: GTFS wheelchair_boarding 0/1/2
    pat_stop_ptr: np.ndarray  # int32 (n_pat+1)
    pat_stops: np.ndarray  # int32
    pat_trip_ptr: np.ndarray  # int32 (n_pat+1)
    trip_time_off: np.ndarray  # int32 (n_trips)
    arr: np.ndarray  # int32
    dep: np.ndarray  # int32
    # Trip metadata, in forward trip order also on a mirror (index with `source_trip`):
    trip_wheelchair: np.ndarray  # int8: GTFS wheelchair_accessible 0/1/2
    trip_day_offset: np.ndarray  # int8: 0 service date, -1 previous day (shifted)
    trip_ids: Strings  # "feed:trip_id"
    trip_route_ids: Strings  # "feed:route_id" (coded: one table entry per route)
    trip_route_short: Strings  # coded
    trip_headsign: Strings  # coded
    stop_pat_ptr: np.ndarray  # int32 (n_stops+1)
    stop_pat: np.ndarray  # int32
    stop_pat_pos: np.ndarray  # int32

    @property
    def n_stops(self) -> int:
        """Number of stops."""
        return len(self.stop_ids)

    @property
    def n_patterns(self) -> int:
        """Number of FIFO route patterns."""
        return len(self.pat_stop_ptr) - 1

    @property
    def n_trips(self) -> int:
        """Number of trips running on the service date (including shifted ones)."""
        return len(self.trip_time_off)

    def stop_index(self, stop_id: str) -> int:
        """Index of a stop id (KeyError if absent)."""
        ids = self.stop_ids
        if isinstance(ids, Names):
            i = ids.search(stop_id)
        else:
            i = next((j for j, x in enumerate(ids) if x == stop_id), -1)
        if i < 0:
            raise KeyError(stop_id)
        return i

    @property
    def stored_transfers(self) -> dict[str, np.ndarray]:
        """Foot transfers mapped from the compiled store with this timetable (`transfers.*`
        arrays, see `walk.stored_transfers`); empty when it was compiled in process."""
        return self.__dict__.get("_stored_transfers", {})

    def attach_transfers(self, arrays: dict[str, np.ndarray]) -> None:
        """Keep transfer arrays built for the store with this timetable (derived data)."""
        self.__dict__["_stored_transfers"] = dict(arrays)

    def trip_pattern(self) -> np.ndarray:
        """Pattern index of every trip (int32)."""
        counts = np.diff(self.pat_trip_ptr)
        return np.repeat(np.arange(self.n_patterns, dtype=np.int32), counts)

    def source_trips(self) -> np.ndarray:
        """For each trip, its index in the forward timetable (identity when not mirrored).

        The mirror reverses the trip order inside every pattern, so trip g of pattern
        [t0, t1) is forward trip t0 + t1 - 1 - g: computed, never stored.
        """
        if not self.reversed:
            return np.arange(self.n_trips, dtype=np.int32)
        return self._reversed_trip_order()

    def _reversed_trip_order(self) -> np.ndarray:
        """Trip g of pattern [t0, t1) paired with trip t0 + t1 - 1 - g (an involution)."""
        ptr = self.pat_trip_ptr.astype(np.int64)
        counts = np.diff(ptr)
        pat = np.repeat(np.arange(self.n_patterns), counts)
        g = np.arange(self.n_trips, dtype=np.int64)
        return (ptr[pat] + ptr[pat + 1] - 1 - g).astype(np.int32)

    def source_trip(self, g: int) -> int:
        """`source_trips()[g]` for one trip (the index into the trip metadata arrays)."""
        if not self.reversed:
            return int(g)
        p = int(np.searchsorted(self.pat_trip_ptr, g, side="right") - 1)
        return int(self.pat_trip_ptr[p]) + int(self.pat_trip_ptr[p + 1]) - 1 - int(g)

    def time_reversed(self) -> Timetable:
        """The mirror timetable: time negated, patterns reversed, so forward search = reverse.

        Earliest arrival on the mirror is minus the latest departure on the original.
        FIFO order survives because trip order is reversed inside each pattern as well.
        Only the arrays that differ are new (pattern stops, times, stop positions); stops,
        pointers, trip offsets and all trip metadata are the forward arrays themselves,
        read in forward trip order through `source_trip` (metadata is never permuted).
        """
        if self.reversed:
            raise ValueError("already a mirror")
        hit = self.__dict__.get("_mirror")
        if hit is not None:  # built once per timetable (or mapped from the cache file)
            return hit
        ptr = self.pat_stop_ptr.astype(np.int64)
        pat_len = np.diff(ptr)
        n_entries = len(self.pat_stops)
        # Position i of a pattern of length L becomes position L - 1 - i.
        pat_of_entry = np.repeat(np.arange(self.n_patterns), pat_len)
        rev_entry = ptr[pat_of_entry] + ptr[pat_of_entry + 1] - 1 - np.arange(n_entries)
        pat_stops = self.pat_stops[rev_entry]
        # Every trip of a pattern has its length, laid out back to back, so trip offsets
        # are the same array; times are reversed within each trip and negated.
        src = self._reversed_trip_order()  # forward trip of each mirror trip
        lengths = pat_len[np.repeat(np.arange(self.n_patterns), np.diff(self.pat_trip_ptr))]
        off = self.trip_time_off.astype(np.int64)
        trip_of_cell = np.repeat(np.arange(self.n_trips), lengths)
        pos = np.arange(len(self.arr)) - off[trip_of_cell]
        from_cell = off[src][trip_of_cell] + lengths[trip_of_cell] - 1 - pos
        arr = -self.dep[from_cell]
        dep = -self.arr[from_cell]
        stop_pat_pos = (pat_len[self.stop_pat] - 1 - self.stop_pat_pos).astype(np.int32)
        mirror = self._mirror_with(pat_stops=pat_stops, arr=arr, dep=dep,
                                   stop_pat_pos=stop_pat_pos)
        self.__dict__["_mirror"] = mirror
        return mirror

    def _mirror_with(self, pat_stops: np.ndarray, arr: np.ndarray, dep: np.ndarray,
                     stop_pat_pos: np.ndarray) -> Timetable:
        """The mirror from its own four arrays; everything else is this timetable's."""
        return Timetable(
            service_date=self.service_date, feed_keys=self.feed_keys, reversed=True,
            stop_ids=self.stop_ids, stop_names=self.stop_names, stop_lat=self.stop_lat,
            stop_lon=self.stop_lon, stop_wheelchair=self.stop_wheelchair,
            pat_stop_ptr=self.pat_stop_ptr, pat_stops=pat_stops, pat_trip_ptr=self.pat_trip_ptr,
            trip_time_off=self.trip_time_off, arr=arr, dep=dep,
            trip_wheelchair=self.trip_wheelchair, trip_day_offset=self.trip_day_offset,
            trip_ids=self.trip_ids, trip_route_ids=self.trip_route_ids,
            trip_route_short=self.trip_route_short, trip_headsign=self.trip_headsign,
            stop_pat_ptr=self.stop_pat_ptr, stop_pat=self.stop_pat, stop_pat_pos=stop_pat_pos,
        )

    def to_arrays(self, mirror: bool = False) -> dict[str, np.ndarray]:
        """All fields as numpy arrays (for .npz): string columns as `<field>.data` /
        `.offsets` (or `.codes` + `.table.*`); with `mirror`, the mirror's own arrays
        as `mirror.<field>`, so a loaded timetable needs no mirror build either."""
        if self.reversed:
            raise ValueError("store the forward timetable (its mirror comes with it)")
        out: dict[str, np.ndarray] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name in STRING_FIELDS:
                packed = v if isinstance(v, Names | Coded) else Names.of(v)
                out.update(packed.to_arrays(f.name))
            else:
                out[f.name] = np.asarray(v)
        if mirror:
            m = self.time_reversed()
            out.update({f"mirror.{k}": getattr(m, k) for k in MIRROR_FIELDS})
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> Timetable:
        """Inverse of `to_arrays` (also reads the older fixed-width string layout)."""
        kw: dict[str, object] = {f.name: arrays[f.name] for f in fields(cls)
                                 if f.name not in STRING_FIELDS}
        for name in STRING_FIELDS:
            kw[name] = strings_from_arrays(arrays, name)
        kw["service_date"] = str(arrays["service_date"])
        kw["reversed"] = bool(arrays["reversed"])
        tt = cls(**kw)  # type: ignore[arg-type]
        tt.__dict__["_stored_transfers"] = {k: v for k, v in arrays.items()
                                            if k.startswith("transfers.")}
        if all(f"mirror.{k}" in arrays for k in MIRROR_FIELDS):
            tt.__dict__["_mirror"] = tt._mirror_with(
                **{k: arrays[f"mirror.{k}"] for k in MIRROR_FIELDS})
        return tt


def feeds_validity(feeds: Sequence[Feed]) -> tuple[dt.date, dt.date] | None:
    """Earliest start and latest end date over all feeds (None if no feed has dates)."""
    ranges = [r for r in (f.validity() for f in feeds) if r is not None]
    if not ranges:
        return None
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def _day_trips(feed: Feed, day: dt.date, params: BuildParams) -> pd.DataFrame:
    """Trips of `feed` running on service date `day`, with a day offset column."""
    import pandas as pd

    trips = feed.trips
    today = trips[trips["service_id"].isin(feed.active_services(day))].assign(day_offset=0)
    parts = [today]
    if params.include_previous_day:
        yday = trips[trips["service_id"].isin(feed.active_services(day - dt.timedelta(days=1)))]
        late_trips = feed.stop_times.loc[feed.stop_times["arrival_s"] >= DAY_S, "trip_id"]
        yday = yday[yday["trip_id"].isin(set(late_trips))]
        parts.append(yday.assign(day_offset=-1))
    out = pd.concat(parts, ignore_index=True)
    return out


def compile_timetable(feeds: Sequence[Feed], day: dt.date,
                      params: BuildParams | None = None) -> Timetable:
    """Compile the trips running on service date `day` (plus D-1 overflow) into a Timetable."""
    import pandas as pd

    params = params or BuildParams()
    stop_frames = [
        f.stops[(f.stops["location_type"] == 0) & f.stops["lat"].notna() & f.stops["lon"].notna()]
        for f in feeds
    ]
    stops = pd.concat(stop_frames, ignore_index=True).drop_duplicates("stop_id", keep="first")
    stops = stops.sort_values("stop_id", kind="stable").reset_index(drop=True)
    stop_ids = stops["stop_id"].to_numpy(dtype=str)
    stop_pos = pd.Series(np.arange(len(stops)), index=stops["stop_id"])

    rows = []  # one tuple per trip: key, times, metadata
    for f in feeds:
        trips = _day_trips(f, day, params)
        if not len(trips):
            continue
        sel = f.stop_times[f.stop_times["trip_id"].isin(set(trips["trip_id"]))]
        sel = sel.sort_values(["trip_id", "stop_sequence"], kind="stable")
        tid = sel["trip_id"].to_numpy()
        sidx = stop_pos.reindex(sel["stop_id"]).to_numpy().astype(np.int32)  # once, not per trip
        a = sel["arrival_s"].to_numpy(dtype=np.int64)
        d = sel["departure_s"].to_numpy(dtype=np.int64)
        bounds = np.flatnonzero(np.r_[True, tid[1:] != tid[:-1], True])
        span = {tid[bounds[i]]: (bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)}
        routes = f.routes.set_index("route_id")["route_short_name"]
        routes = routes[~routes.index.duplicated()]
        # Plain arrays, not a dict per trip: a national day has about a million trips.
        route_ids = trips["route_id"].to_numpy(dtype=object)
        short = trips["route_id"].map(routes).to_numpy(dtype=object)
        for trip_id, route_id, day_offset, wheelchair, headsign, short_name in zip(
                trips["trip_id"].astype(str).to_numpy(dtype=object), route_ids,
                trips["day_offset"].to_numpy(dtype=np.int64),
                trips["wheelchair_accessible"].to_numpy(dtype=np.int64),
                trips["trip_headsign"].to_numpy(dtype=object), short, strict=True):
            if trip_id not in span:
                continue
            lo, hi = span[trip_id]
            if hi - lo < 2:
                continue
            shift = DAY_S * int(day_offset)
            rows.append((
                f"{f.name}:{route_id}", sidx[lo:hi],
                a[lo:hi] + shift, d[lo:hi] + shift, int(wheelchair),
                int(day_offset), f"{f.name}:{trip_id}",
                "" if short_name is None or short_name != short_name else str(short_name),
                str(headsign),
            ))
    return _assemble(rows, stops, stop_ids, day, feeds)


def _assemble(rows: list[tuple], stops: pd.DataFrame, stop_ids: np.ndarray, day: dt.date,
              feeds: Sequence[Feed]) -> Timetable:
    """Group trips into FIFO patterns and lay everything out in flat arrays."""
    by_key: dict[tuple[str, bytes], list[int]] = {}
    for i, r in enumerate(rows):
        by_key.setdefault((r[0], r[1].tobytes()), []).append(i)
    from app.routing.fifo import fifo_group_ids

    patterns: list[list[int]] = []
    for key in sorted(by_key):
        members = by_key[key]
        # Same stops, so same length: sort by departures, then arrivals, stop by stop (a
        # stable lexsort, as sorting tuples of them was), then split into FIFO groups.
        dep = np.stack([rows[i][3] for i in members])
        arr = np.stack([rows[i][2] for i in members])
        by_time = np.lexsort(np.vstack([arr[:, ::-1].T, dep[:, ::-1].T]))
        members = [members[j] for j in by_time]
        gid = fifo_group_ids(np.ascontiguousarray(arr[by_time]),
                             np.ascontiguousarray(dep[by_time]))
        by_group = np.argsort(gid, kind="stable")  # groups in order made, trips in order
        cuts = np.cumsum(np.bincount(gid))[:-1]
        patterns.extend([members[int(j)] for j in part] for part in np.split(by_group, cuts))

    n_stops = len(stop_ids)
    pat_stop_ptr = [0]
    pat_trip_ptr = [0]
    pat_stops: list[np.ndarray] = []
    order: list[int] = []
    for pat in patterns:
        seq = rows[pat[0]][1]
        pat_stops.append(seq)
        pat_stop_ptr.append(pat_stop_ptr[-1] + len(seq))
        order.extend(pat)
        pat_trip_ptr.append(len(order))
    lengths = np.array([len(rows[i][1]) for i in order], dtype=np.int64)
    trip_time_off = (np.cumsum(lengths) - lengths).astype(np.int32)
    empty = np.zeros(0, np.int32)
    arr = np.concatenate([rows[i][2] for i in order]).astype(np.int32) if order else empty
    dep = np.concatenate([rows[i][3] for i in order]).astype(np.int32) if order else empty
    flat_stops = np.concatenate(pat_stops).astype(np.int32) if pat_stops else np.zeros(0, np.int32)
    pat_of_entry = np.repeat(np.arange(len(patterns), dtype=np.int32),
                             np.diff(np.asarray(pat_stop_ptr)))
    pos_of_entry = (np.arange(len(flat_stops)) -
                    np.asarray(pat_stop_ptr[:-1], dtype=np.int64)[pat_of_entry]).astype(np.int32)
    by_stop = np.argsort(flat_stops, kind="stable")
    stop_pat_ptr = np.r_[0, np.cumsum(np.bincount(flat_stops, minlength=n_stops))].astype(np.int32)

    def col(k: int, dtype: type | str) -> np.ndarray:
        return np.array([rows[i][k] for i in order], dtype=dtype)

    def strings(k: int) -> list[str]:
        return [rows[i][k] for i in order]

    return Timetable(
        service_date=day.isoformat(),
        feed_keys=np.array([f"{f.name}@{f.version}" for f in feeds], dtype=str),
        reversed=False,
        stop_ids=Names.of(stop_ids.tolist()),
        stop_names=Names.of(stops["stop_name"].astype(str).tolist()),
        stop_lat=stops["lat"].to_numpy(dtype=np.float64),
        stop_lon=stops["lon"].to_numpy(dtype=np.float64),
        stop_wheelchair=stops["wheelchair_boarding"].to_numpy(dtype=np.int8),
        pat_stop_ptr=np.asarray(pat_stop_ptr, dtype=np.int32),
        pat_stops=flat_stops,
        pat_trip_ptr=np.asarray(pat_trip_ptr, dtype=np.int32),
        trip_time_off=trip_time_off,
        arr=arr,
        dep=dep,
        trip_wheelchair=col(4, np.int8),
        trip_day_offset=col(5, np.int8),
        trip_ids=Names.of(strings(6)),
        trip_route_ids=Coded.of(strings(0)),
        trip_route_short=Coded.of(strings(7)),
        trip_headsign=Coded.of(strings(8)),
        stop_pat_ptr=stop_pat_ptr,
        stop_pat=pat_of_entry[by_stop].astype(np.int32),
        stop_pat_pos=pos_of_entry[by_stop].astype(np.int32),
    )
