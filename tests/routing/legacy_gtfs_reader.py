"""Read a GTFS zip or directory into a `Feed` plus a validation report.

Errors refuse the feed (`FeedRefusedError` is raised, carrying the report); warnings are
returned with the feed. Line numbers are 1-based and count the header as line 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from app.routing.feed import (
    CALENDAR_DATE_COLUMNS,
    WEEKDAYS,
    Feed,
    FeedRefusedError,
    ValidationReport,
    empty_frame,
)
from app.routing.geo import haversine_m
from app.routing.gtfs_time import format_hms, parse_date, parse_times

REQUIRED_FILES = ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "agency.txt": ("agency_name",),
    "stops.txt": ("stop_id",),
    "routes.txt": ("route_id", "route_type"),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "stop_id", "stop_sequence", "arrival_time", "departure_time"),
    "calendar.txt": ("service_id", *WEEKDAYS, "start_date", "end_date"),
    "calendar_dates.txt": CALENDAR_DATE_COLUMNS,
    "frequencies.txt": ("trip_id", "start_time", "end_time", "headway_secs"),
}
LINE = "_line"  # helper column: the 1-based file line of each row


class _Source:
    """Uniform access to the member files of a zip or a directory."""

    def __init__(self, path: Path, report: ValidationReport) -> None:
        self.path = path
        self.report = report
        self.files: dict[str, Callable[[], bytes]] = {}
        self.digest = hashlib.sha256()
        if path.is_dir():
            for p in sorted(path.iterdir()):
                if p.is_file():
                    self.files[p.name.lower()] = p.read_bytes
        else:
            self._open_zip(path)

    def _open_zip(self, path: Path) -> None:
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            self.report.error(path.name, None, None, f"not a readable zip file ({exc})")
            return
        # Some publishers nest the files in one folder inside the zip.
        names = [n for n in zf.namelist() if not n.endswith("/")]
        for n in names:
            base = n.rsplit("/", 1)[-1].lower()
            if base and base not in self.files:
                self.files[base] = functools.partial(zf.read, n)

    def read(self, name: str) -> bytes | None:
        """Bytes of one member file, None if absent or unreadable (an error is then reported)."""
        getter = self.files.get(name)
        if getter is None:
            return None
        try:
            data = getter()
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            self.report.error(name, None, None, f"corrupt or truncated archive member ({exc})")
            return None
        self.digest.update(name.encode())
        self.digest.update(data)
        return data


def _decode(data: bytes, name: str, report: ValidationReport) -> str | None:
    """Decode UTF-8 (BOM tolerated) or report the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        report.error(name, line, None, f"file is not UTF-8 (byte 0x{data[exc.start]:02x})")
        return None


def _read_table(src: _Source, name: str, report: ValidationReport,
                required: bool) -> pd.DataFrame | None:
    """Read one CSV member as all-string columns with a `_line` column, or None."""
    data = src.read(name)
    if data is None:
        if required and name in src.files:
            return None  # unreadable: already reported
        if required:
            report.error(name, None, None, "required file is missing")
        return None
    text = _decode(data, name, report)
    if text is None:
        return None
    if not text.strip():
        if required:
            report.error(name, None, None, "file is empty (no header)")
        return None
    # Line numbers: the csv module tracks physical lines, so quoted newlines stay honest.
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
        rows: list[list[str]] = []
        lines: list[int] = []
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if len(row) > len(header):
                report.error(name, reader.line_num, None,
                             f"row has {len(row)} fields, header has {len(header)}")
                continue
            rows.append(row + [""] * (len(header) - len(row)))
            lines.append(reader.line_num)
    except csv.Error as exc:
        report.error(name, reader.line_num, None, f"malformed CSV ({exc})")
        return None
    if len(set(header)) != len(header):
        report.error(name, 1, None, "duplicate column names in header")
        return None
    df = pd.DataFrame(rows, columns=header, dtype=object) if rows else empty_frame(tuple(header))
    for c in header:
        df[c] = df[c].astype(str).str.strip()
    df[LINE] = np.asarray(lines, dtype=np.int64)
    missing = [c for c in REQUIRED_COLUMNS.get(name, ()) if c not in df.columns]
    for c in missing:
        report.error(name, 1, c, "required column is missing")
    if missing:
        return None
    return df


def _col(df: pd.DataFrame, name: str, default: str = "") -> pd.Series:
    """A column of df, or a constant default column when the optional column is absent."""
    if name in df.columns:
        return df[name]
    return pd.Series([default] * len(df), index=df.index, dtype=object)


def _int_col(df: pd.DataFrame, fname: str, name: str, default: int, report: ValidationReport,
             allowed: tuple[int, ...] | None = None, severity: str = "warning") -> pd.Series:
    """Parse an optional small-integer enum column; blanks become default."""
    raw = _col(df, name)
    num = pd.to_numeric(raw.where(raw != "", str(default)), errors="coerce")
    bad = num.isna() | (~num.isin(allowed) if allowed is not None else False)
    for idx in np.flatnonzero(bad.to_numpy()):
        msg = f"invalid value {raw.iloc[idx]!r}"
        line = int(df[LINE].iloc[idx])
        if severity == "error":
            report.error(fname, line, name, msg)
        else:
            report.warning(fname, line, name, msg + f", using {default}")
    return num.where(~bad, default).astype(np.int64)


def _duplicates(df: pd.DataFrame, fname: str, key: str, report: ValidationReport) -> None:
    """Report duplicate primary keys."""
    dup = df[key].duplicated(keep="first")
    for idx in np.flatnonzero(dup.to_numpy()):
        report.error(fname, int(df[LINE].iloc[idx]), key, f"duplicate {key} {df[key].iloc[idx]!r}")


def _read_stops(df: pd.DataFrame, report: ValidationReport) -> pd.DataFrame:
    """Normalise stops.txt."""
    _duplicates(df, "stops.txt", "stop_id", report)
    lat = pd.to_numeric(_col(df, "stop_lat"), errors="coerce")
    lon = pd.to_numeric(_col(df, "stop_lon"), errors="coerce")
    out_of_range = (lat.abs() > 90) | (lon.abs() > 180)
    for idx in np.flatnonzero(out_of_range.to_numpy()):
        report.error("stops.txt", int(df[LINE].iloc[idx]), "stop_lat", "coordinates out of range")
    parent = _col(df, "parent_station")
    out = pd.DataFrame({
        "stop_id": df["stop_id"],
        "stop_code": _col(df, "stop_code"),
        "stop_name": _col(df, "stop_name"),
        "lat": lat.astype(np.float64),
        "lon": lon.astype(np.float64),
        "location_type": _int_col(df, "stops.txt", "location_type", 0, report, (0, 1, 2, 3, 4)),
        "parent_station": parent.where(parent != "", None),
        "wheelchair_boarding": _int_col(df, "stops.txt", "wheelchair_boarding", 0, report,
                                        (0, 1, 2)),
        LINE: df[LINE],
    })
    known = set(out["stop_id"])
    for idx in np.flatnonzero(out["parent_station"].notna().to_numpy()):
        p = out["parent_station"].iloc[idx]
        if p not in known:
            report.warning("stops.txt", int(out[LINE].iloc[idx]), "parent_station",
                           f"unknown parent_station {p!r}")
    return out


def _read_routes(df: pd.DataFrame, agency: pd.DataFrame | None,
                 report: ValidationReport) -> pd.DataFrame:
    """Normalise routes.txt."""
    _duplicates(df, "routes.txt", "route_id", report)
    out = pd.DataFrame({
        "route_id": df["route_id"],
        "agency_id": _col(df, "agency_id"),
        "route_short_name": _col(df, "route_short_name"),
        "route_long_name": _col(df, "route_long_name"),
        "route_type": _int_col(df, "routes.txt", "route_type", 3, report, None, "error"),
        LINE: df[LINE],
    })
    nameless = (out["route_short_name"] == "") & (out["route_long_name"] == "")
    for idx in np.flatnonzero(nameless.to_numpy()):
        report.warning("routes.txt", int(out[LINE].iloc[idx]), "route_short_name",
                       "route has neither short nor long name")
    if agency is not None and "agency_id" in agency.columns:
        known = set(agency["agency_id"]) | {""}
        for idx in np.flatnonzero(~out["agency_id"].isin(known).to_numpy()):
            report.warning("routes.txt", int(out[LINE].iloc[idx]), "agency_id",
                           f"unknown agency_id {out['agency_id'].iloc[idx]!r}")
    return out


def _read_calendar(df: pd.DataFrame | None, report: ValidationReport) -> pd.DataFrame:
    """Normalise calendar.txt (empty frame if absent)."""
    cols = {"service_id": pd.Series([], dtype=object)}
    if df is None:
        out = pd.DataFrame(cols)
        for wd in WEEKDAYS:
            out[wd] = pd.Series([], dtype=bool)
        out["start_date"] = pd.Series([], dtype=object)
        out["end_date"] = pd.Series([], dtype=object)
        return out
    _duplicates(df, "calendar.txt", "service_id", report)
    out = pd.DataFrame({"service_id": df["service_id"]})
    for wd in WEEKDAYS:
        out[wd] = _int_col(df, "calendar.txt", wd, 0, report, (0, 1), "error").astype(bool)
    for c in ("start_date", "end_date"):
        vals: list[dt.date | None] = []
        for v, line in zip(df[c], df[LINE], strict=True):
            try:
                vals.append(parse_date(v))
            except ValueError:
                report.error("calendar.txt", int(line), c, f"unparseable date {v!r}")
                vals.append(None)
        out[c] = pd.Series(vals, index=df.index, dtype=object)
    for idx in range(len(out)):
        s, e = out["start_date"].iloc[idx], out["end_date"].iloc[idx]
        if s is not None and e is not None and s > e:
            report.error("calendar.txt", int(df[LINE].iloc[idx]), "end_date",
                         "end_date is before start_date")
    out[LINE] = df[LINE]
    return out


def _read_calendar_dates(df: pd.DataFrame | None, report: ValidationReport) -> pd.DataFrame:
    """Normalise calendar_dates.txt (empty frame if absent)."""
    if df is None:
        return pd.DataFrame({"service_id": pd.Series([], dtype=object),
                             "date": pd.Series([], dtype=object),
                             "exception_type": pd.Series([], dtype=np.int64)})
    dates: list[dt.date | None] = []
    for v, line in zip(df["date"], df[LINE], strict=True):
        try:
            dates.append(parse_date(v))
        except ValueError:
            report.error("calendar_dates.txt", int(line), "date", f"unparseable date {v!r}")
            dates.append(None)
    return pd.DataFrame({
        "service_id": df["service_id"],
        "date": pd.Series(dates, index=df.index, dtype=object),
        "exception_type": _int_col(df, "calendar_dates.txt", "exception_type", 1, report,
                                   (1, 2), "error"),
        LINE: df[LINE],
    })


def _read_trips(df: pd.DataFrame, routes: pd.DataFrame, services: set[str],
                report: ValidationReport) -> pd.DataFrame:
    """Normalise trips.txt and check its references."""
    _duplicates(df, "trips.txt", "trip_id", report)
    known_routes = set(routes["route_id"])
    for idx in np.flatnonzero(~df["route_id"].isin(known_routes).to_numpy()):
        report.error("trips.txt", int(df[LINE].iloc[idx]), "route_id",
                     f"unknown route_id {df['route_id'].iloc[idx]!r}")
    for idx in np.flatnonzero(~df["service_id"].isin(services).to_numpy()):
        report.error("trips.txt", int(df[LINE].iloc[idx]), "service_id",
                     f"unknown service_id {df['service_id'].iloc[idx]!r}")
    direction = _col(df, "direction_id")
    return pd.DataFrame({
        "trip_id": df["trip_id"],
        "route_id": df["route_id"],
        "service_id": df["service_id"],
        "trip_headsign": _col(df, "trip_headsign"),
        "direction_id": pd.to_numeric(direction.where(direction != "", "-1"),
                                      errors="coerce").fillna(-1).astype(np.int64),
        "wheelchair_accessible": _int_col(df, "trips.txt", "wheelchair_accessible", 0, report,
                                          (0, 1, 2)),
        LINE: df[LINE],
    })


def _report_rows(mask: np.ndarray, lines: np.ndarray, report: ValidationReport, file: str,
                 column: str, message: Callable[[int], str], severity: str = "error") -> None:
    """Report one issue per True row of mask."""
    for idx in np.flatnonzero(mask):
        if severity == "error":
            report.error(file, int(lines[idx]), column, message(int(idx)))
        else:
            report.warning(file, int(lines[idx]), column, message(int(idx)))


def _read_stop_times(df: pd.DataFrame, stops: pd.DataFrame, trips: pd.DataFrame,
                     report: ValidationReport) -> pd.DataFrame:
    """Parse, check and interpolate stop_times.txt into the contract columns."""
    f = "stop_times.txt"
    lines = df[LINE].to_numpy()
    stop_ids = df["stop_id"].to_numpy()
    trip_ids = df["trip_id"].to_numpy()
    _report_rows(~df["stop_id"].isin(set(stops["stop_id"])).to_numpy(), lines, report, f,
                 "stop_id", lambda i: f"unknown stop_id {stop_ids[i]!r}")
    _report_rows(~df["trip_id"].isin(set(trips["trip_id"])).to_numpy(), lines, report, f,
                 "trip_id", lambda i: f"unknown trip_id {trip_ids[i]!r}")
    loc = stops.set_index("stop_id")["location_type"]
    loc = loc[~loc.index.duplicated()]
    lt = df["stop_id"].map(loc).fillna(0).to_numpy()
    _report_rows(lt != 0, lines, report, f, "stop_id",
                 lambda i: f"stop {stop_ids[i]!r} is a station/entrance/node "
                           f"(location_type {int(lt[i])}), not a boardable stop")

    seq = pd.to_numeric(df["stop_sequence"], errors="coerce")
    bad_seq = (seq.isna() | (seq < 0) | (seq != seq.round())).to_numpy()
    raw_seq = df["stop_sequence"].to_numpy()
    _report_rows(bad_seq, lines, report, f, "stop_sequence",
                 lambda i: f"stop_sequence {raw_seq[i]!r} is not a non-negative integer")
    arr, arr_blank, arr_bad = parse_times(df["arrival_time"])
    dep, dep_blank, dep_bad = parse_times(df["departure_time"])
    raw_a, raw_d = df["arrival_time"].to_numpy(), df["departure_time"].to_numpy()
    _report_rows(arr_bad, lines, report, f, "arrival_time",
                 lambda i: f"unparseable time {raw_a[i]!r}")
    _report_rows(dep_bad, lines, report, f, "departure_time",
                 lambda i: f"unparseable time {raw_d[i]!r}")
    if not report.ok:
        return pd.DataFrame()

    # Only one of arrival/departure given: the stop takes that time for both.
    arr = np.where(arr_blank & ~dep_blank, dep, arr)
    dep = np.where(dep_blank & ~arr_blank, arr, dep)
    blank = arr_blank & dep_blank
    st = pd.DataFrame({
        "trip_id": df["trip_id"].to_numpy(),
        "stop_sequence": seq.fillna(-1).astype(np.int64).to_numpy(),
        "stop_id": stop_ids,
        "arrival_s": arr,
        "departure_s": dep,
        "blank": blank,
        "sdt": pd.to_numeric(_col(df, "shape_dist_traveled"), errors="coerce").to_numpy(),
        LINE: lines,
    })
    st = st.sort_values(["trip_id", "stop_sequence"], kind="stable").reset_index(drop=True)
    lines = st[LINE].to_numpy()
    tid = st["trip_id"].to_numpy()
    seqv = st["stop_sequence"].to_numpy()
    same_trip_prev = np.r_[False, tid[1:] == tid[:-1]]
    _report_rows(same_trip_prev & np.r_[False, seqv[1:] <= seqv[:-1]], lines, report, f,
                 "stop_sequence", lambda i: f"stop_sequence {seqv[i]} repeated in trip {tid[i]!r}")
    first = ~same_trip_prev
    last = np.r_[tid[1:] != tid[:-1], True]
    blank_v = st["blank"].to_numpy()
    _report_rows(blank_v & (first | last), lines, report, f, "arrival_time",
                 lambda i: f"first and last stop of trip {tid[i]!r} need times")
    if not report.ok:
        return pd.DataFrame()

    if blank_v.any():
        _interpolate(st, stops, report)
    arr = st["arrival_s"].to_numpy()
    dep = st["departure_s"].to_numpy()
    _report_rows(dep < arr, lines, report, f, "departure_time",
                 lambda i: f"departure before arrival in trip {tid[i]!r}")
    back = same_trip_prev & (arr < np.r_[0, dep[:-1]])
    _report_rows(back, lines, report, f, "arrival_time",
                 lambda i: f"time goes backwards along trip {tid[i]!r}")
    st = st.rename(columns={"blank": "interpolated"})
    return st[["trip_id", "stop_sequence", "stop_id", "arrival_s", "departure_s",
               "interpolated", LINE]]


def _interpolate(st: pd.DataFrame, stops: pd.DataFrame, report: ValidationReport) -> None:
    """Fill blank times linearly in distance along the trip, rounding half up to a second.

    Distance is shape_dist_traveled when every stop of the trip has it (and it never
    decreases), otherwise the cumulative haversine distance between consecutive stops.
    """
    tid = st["trip_id"].to_numpy()
    n = len(st)
    coords = stops.drop_duplicates("stop_id").set_index("stop_id")[["lat", "lon"]]
    lat = st["stop_id"].map(coords["lat"]).to_numpy(dtype=np.float64)
    lon = st["stop_id"].map(coords["lon"]).to_numpy(dtype=np.float64)
    same_prev = np.r_[False, tid[1:] == tid[:-1]]
    hop = np.zeros(n)
    hop[1:] = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    hop[~same_prev] = 0.0
    start = np.flatnonzero(~same_prev)
    trip_no = np.cumsum(~same_prev) - 1
    cum = np.cumsum(hop)
    geo_dist = cum - cum[start][trip_no]

    sdt = st["sdt"].to_numpy(dtype=np.float64)
    g = pd.Series(sdt).groupby(trip_no)
    sdt_ok_trip = (g.count().to_numpy() == g.size().to_numpy())
    dif = np.r_[0.0, np.diff(sdt)]
    dif[~same_prev] = 0.0
    decreasing = pd.Series(dif < 0).groupby(trip_no).any().to_numpy()
    use_sdt = (sdt_ok_trip & ~decreasing)[trip_no]
    dist = np.where(use_sdt, sdt, geo_dist)
    need_geo = ~use_sdt & np.isnan(dist)
    lines = st[LINE].to_numpy()
    blank = st["blank"].to_numpy()
    for idx in np.flatnonzero(need_geo):
        report.error("stop_times.txt", int(lines[idx]), "stop_id",
                     "cannot interpolate time: stop has no coordinates")
    if need_geo.any():
        return

    pos = np.arange(n)
    timed_pos = np.where(~blank, pos, -1).astype(np.float64)
    timed = pd.Series(np.where(timed_pos >= 0, timed_pos, np.nan))
    prev = timed.ffill().to_numpy().astype(np.int64)
    nxt = timed.bfill().to_numpy().astype(np.int64)
    b = np.flatnonzero(blank)
    p, q = prev[b], nxt[b]
    dep = st["departure_s"].to_numpy().copy()
    arr = st["arrival_s"].to_numpy().copy()
    t0 = dep[p].astype(np.float64)
    t1 = arr[q].astype(np.float64)
    span = dist[q] - dist[p]
    frac = np.where(span > 0, (dist[b] - dist[p]) / np.where(span > 0, span, 1.0),
                    (b - p) / (q - p))
    # Round half up; the tiny epsilon stops 0.4999999 float noise from rounding down.
    t = np.floor(t0 + (t1 - t0) * frac + 0.5 + 1e-9).astype(np.int64)
    arr[b] = t
    dep[b] = t
    st["arrival_s"] = arr
    st["departure_s"] = dep


def _expand_frequencies(freq: pd.DataFrame, trips: pd.DataFrame, st: pd.DataFrame,
                        report: ValidationReport) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace each frequency-based template trip by concrete trips `{trip_id}@{HH:MM:SS}`.

    exact_times 0 and 1 are expanded the same way: a departure every headway_secs from
    start_time while the departure is before end_time.
    """
    f = "frequencies.txt"
    lines = freq[LINE].to_numpy()
    start, sb, sbad = parse_times(freq["start_time"])
    end, eb, ebad = parse_times(freq["end_time"])
    head = pd.to_numeric(freq["headway_secs"], errors="coerce").to_numpy()
    known = set(trips["trip_id"])
    ok = np.ones(len(freq), dtype=bool)
    for i in range(len(freq)):
        if freq["trip_id"].iloc[i] not in known:
            report.error(f, int(lines[i]), "trip_id",
                         f"unknown trip_id {freq['trip_id'].iloc[i]!r}")
            ok[i] = False
        elif sb[i] or sbad[i] or eb[i] or ebad[i]:
            report.error(f, int(lines[i]), "start_time", "unparseable start_time/end_time")
            ok[i] = False
        elif not (head[i] > 0) or head[i] != int(head[i]):
            report.error(f, int(lines[i]), "headway_secs",
                         "headway_secs must be a positive integer")
            ok[i] = False
        elif end[i] <= start[i]:
            report.error(f, int(lines[i]), "end_time", "end_time is not after start_time")
            ok[i] = False
    if not report.ok:
        return trips, st
    templates = set(freq["trip_id"])
    by_trip = dict(list(st[st["trip_id"].isin(templates)].groupby("trip_id", sort=False)))
    new_trips = []
    new_st = []
    trip_rows = trips.set_index("trip_id", drop=False)
    for i in np.flatnonzero(ok).tolist():
        tid = freq["trip_id"].iloc[i]
        tmpl = by_trip.get(tid)
        if tmpl is None or len(tmpl) == 0:
            continue
        base = int(tmpl["departure_s"].iloc[0])
        for s in range(int(start[i]), int(end[i]), int(head[i])):
            new_id = f"{tid}@{format_hms(s)}"
            row = trip_rows.loc[[tid]].copy()
            row["trip_id"] = new_id
            new_trips.append(row)
            times = tmpl.copy()
            times["trip_id"] = new_id
            times["arrival_s"] = times["arrival_s"] - base + s
            times["departure_s"] = times["departure_s"] - base + s
            new_st.append(times)
    trips = trips[~trips["trip_id"].isin(templates)]
    st = st[~st["trip_id"].isin(templates)]
    if new_trips:
        trips = pd.concat([trips, *new_trips], ignore_index=True)
        st = pd.concat([st, *new_st], ignore_index=True)
    return trips.reset_index(drop=True), st.reset_index(drop=True)


def _feed_version(feed_info: pd.DataFrame | None, digest: str) -> str:
    """feed_info.feed_version when given, else a content hash."""
    if feed_info is not None and "feed_version" in feed_info.columns and len(feed_info):
        v = str(feed_info["feed_version"].iloc[0]).strip()
        if v:
            return v
    return f"sha256-{digest[:12]}"


def read_gtfs(path: str | Path, name: str | None = None) -> tuple[Feed, ValidationReport]:
    """Read and validate a GTFS zip or directory; raise `FeedRefusedError` if it has errors."""
    p = Path(path)
    report = ValidationReport()
    if not p.exists():
        report.error(p.name, None, None, "no such file or directory")
        raise FeedRefusedError(report, str(p))
    src = _Source(p, report)
    if not report.ok:
        raise FeedRefusedError(report, str(p))
    tables = {n: _read_table(src, n, report, n in REQUIRED_FILES) for n in REQUIRED_FILES}
    cal_raw = _read_table(src, "calendar.txt", report, False)
    cd_raw = _read_table(src, "calendar_dates.txt", report, False)
    freq_raw = _read_table(src, "frequencies.txt", report, False)
    info_raw = _read_table(src, "feed_info.txt", report, False)
    if "calendar.txt" not in src.files and "calendar_dates.txt" not in src.files:
        report.error("calendar.txt", None, None,
                     "required file is missing (need calendar.txt or calendar_dates.txt)")
    if not report.ok or any(t is None for t in tables.values()):
        raise FeedRefusedError(report, str(p))
    tabs: dict[str, pd.DataFrame] = {k: v for k, v in tables.items() if v is not None}

    stops = _read_stops(tabs["stops.txt"], report)
    agency = tabs["agency.txt"]
    routes = _read_routes(tabs["routes.txt"], agency, report)
    calendar = _read_calendar(cal_raw, report)
    calendar_dates = _read_calendar_dates(cd_raw, report)
    services = set(calendar["service_id"]) | set(calendar_dates["service_id"])
    trips = _read_trips(tabs["trips.txt"], routes, services, report)
    if not report.ok:
        raise FeedRefusedError(report, str(p))
    st = _read_stop_times(tabs["stop_times.txt"], stops, trips, report)
    if not report.ok:
        raise FeedRefusedError(report, str(p))
    if freq_raw is not None and len(freq_raw):
        trips, st = _expand_frequencies(freq_raw, trips, st, report)
        if not report.ok:
            raise FeedRefusedError(report, str(p))

    trips, st = _drop_short_trips(trips, st, report)
    _check_stops(stops, st, report)
    used_routes = set(trips["route_id"])
    for idx in np.flatnonzero(~routes["route_id"].isin(used_routes).to_numpy()):
        report.warning("routes.txt", int(routes[LINE].iloc[idx]), "route_id",
                       f"route {routes['route_id'].iloc[idx]!r} has no trips")
    if not report.ok:
        raise FeedRefusedError(report, str(p))

    feed = Feed(
        name=name or p.stem,
        version=_feed_version(info_raw, src.digest.hexdigest()),
        stops=stops.drop(columns=LINE).reset_index(drop=True),
        routes=routes.drop(columns=LINE).reset_index(drop=True),
        trips=trips.drop(columns=LINE).reset_index(drop=True),
        stop_times=st.drop(columns=LINE).reset_index(drop=True),
        calendar=calendar.drop(columns=LINE, errors="ignore").reset_index(drop=True),
        calendar_dates=calendar_dates.drop(columns=LINE, errors="ignore").reset_index(drop=True),
        agency=agency.drop(columns=LINE),
        feed_info=info_raw.drop(columns=LINE) if info_raw is not None else None,
    )
    return feed, report


def _drop_short_trips(trips: pd.DataFrame, st: pd.DataFrame,
                      report: ValidationReport) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Warn about and drop trips with fewer than two stop_times (they carry nobody)."""
    counts = st["trip_id"].value_counts()
    n = trips["trip_id"].map(counts).fillna(0).astype(int).to_numpy()
    for idx in np.flatnonzero(n < 2):
        report.warning("trips.txt", int(trips[LINE].iloc[idx]), "trip_id",
                       f"trip {trips['trip_id'].iloc[idx]!r} has {n[idx]} stop_times; ignored")
    keep = set(trips.loc[n >= 2, "trip_id"])
    return trips[n >= 2], st[st["trip_id"].isin(keep)]


def _check_stops(stops: pd.DataFrame, st: pd.DataFrame, report: ValidationReport) -> None:
    """Unused stops are warnings; used stops without coordinates are errors."""
    used = set(st["stop_id"])
    parents = set(stops["parent_station"].dropna())
    no_xy = (stops["lat"].isna() | stops["lon"].isna()).to_numpy()
    for idx in range(len(stops)):
        sid = stops["stop_id"].iloc[idx]
        line = int(stops[LINE].iloc[idx])
        if sid in used:
            if no_xy[idx]:
                report.error("stops.txt", line, "stop_lat",
                             f"stop {sid!r} is used but has no coordinates")
        elif sid not in parents and stops["location_type"].iloc[idx] == 0:
            msg = f"stop {sid!r} is not used by any trip"
            if no_xy[idx]:
                msg += " and has no coordinates"
            report.warning("stops.txt", line, "stop_id", msg)
