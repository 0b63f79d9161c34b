"""Read a GTFS zip or directory into a `Feed` plus a validation report.

Errors refuse the feed (`FeedRefusedError` is raised, carrying the report); warnings are
returned with the feed. Line numbers are 1-based and count the header as line 1.

Memory is bounded by the output, not by the text: every member is streamed from the zip
through pandas' C parser in chunks, `stop_times.txt` keeps only the columns it needs,
times are parsed by vectorised byte arithmetic, and the trip and stop ids of stop_times
are categorical (int32 codes over the sorted ids of trips.txt and stops.txt). Files the
fast path cannot read exactly (not UTF-8, ragged rows, odd headers) fall back to the
`csv` module, which reports the file, line, column and reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
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
from app.routing.gtfs_csv import (
    HeaderProblem,
    MemberSet,
    blank_rows,
    exact_lines,
    iter_chunks,
    read_header,
)
from app.routing.gtfs_time import format_hms, parse_date, parse_times
from app.routing.time_array import parse_time_array

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


ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError)
FAST_PATH_ERRORS = (UnicodeDecodeError, csv.Error, HeaderProblem, pd.errors.ParserError)
OPTIONAL_FILES = ("calendar.txt", "calendar_dates.txt", "frequencies.txt", "feed_info.txt")


class _Source:
    """Uniform access to the member files of a zip or a directory."""

    def __init__(self, path: Path, report: ValidationReport) -> None:
        self.path = path
        self.report = report
        self.members: MemberSet | None = None
        try:
            self.members = MemberSet(path)
        except (zipfile.BadZipFile, OSError) as exc:
            report.error(path.name, None, None, f"not a readable zip file ({exc})")

    @property
    def files(self) -> dict[str, Callable[[], object]]:
        """Member openers by lower-case base name."""
        return dict(self.members.files) if self.members is not None else {}

    def read(self, name: str) -> bytes | None:
        """Bytes of one member, None if absent or unreadable (an error is then reported)."""
        if self.members is None or name not in self.members.files:
            return None
        try:
            return self.members.read(name)
        except ARCHIVE_ERRORS as exc:
            self.report.error(name, None, None, f"corrupt or truncated archive member ({exc})")
            return None

    def digest(self) -> str:
        """sha256 over the name and bytes of every member the reader reads, in its order."""
        h = hashlib.sha256()
        assert self.members is not None
        for name in (*REQUIRED_FILES, *OPTIONAL_FILES):
            if name in self.members.files:
                h.update(name.encode())
                with self.members.open(name) as fh:
                    while block := fh.read(1 << 20):
                        h.update(block)
        return h.hexdigest()


def _decode(data: bytes, name: str, report: ValidationReport) -> str | None:
    """Decode UTF-8 (BOM tolerated) or report the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        report.error(name, line, None, f"file is not UTF-8 (byte 0x{data[exc.start]:02x})")
        return None


class _Fallback(Exception):
    """The fast path cannot read this file exactly; use the `csv` module instead."""


def _record_lines(src: _Source, name: str, n_records: int, physical: int) -> np.ndarray | None:
    """File line of each record: record + 2 unless quoted fields span lines (then exact)."""
    if physical == n_records + 1:
        return None  # identity: line = record + 2
    assert src.members is not None
    lines = exact_lines(src.members, name)
    if len(lines) != n_records:
        raise _Fallback(name)
    return lines


def _read_table(src: _Source, name: str, report: ValidationReport,
                required: bool) -> pd.DataFrame | None:
    """Read one CSV member as all-string columns with a `_line` column, or None."""
    if name not in src.files:
        if required:
            report.error(name, None, None, "required file is missing")
        return None
    assert src.members is not None
    try:
        header = read_header(src.members, name)
        if header is None:
            if required:
                report.error(name, None, None, "file is empty (no header)")
            return None
        parts = []
        n_rec = 0
        physical = 0
        for chunk, counter in iter_chunks(src.members, name, header):
            parts.append(chunk)
            n_rec += len(chunk)
            physical = counter.physical_lines()
        exact = _record_lines(src, name, n_rec, physical) if n_rec else None
    except ARCHIVE_ERRORS as exc:
        report.error(name, None, None, f"corrupt or truncated archive member ({exc})")
        return None
    except (*FAST_PATH_ERRORS, _Fallback):
        return _read_table_exact(src, name, report, required)
    df = pd.concat(parts, ignore_index=True) if parts else empty_frame(tuple(header))
    rec = np.arange(len(df), dtype=np.int64)
    lines = exact if exact is not None else rec + 2
    if len(df):
        keep = ~blank_rows(df, header[0])
        df = df[keep].reset_index(drop=True)
        lines = lines[keep]
    for c in header:
        df[c] = df[c].astype(str).str.strip()
    df[LINE] = np.asarray(lines, dtype=np.int64)
    missing = [c for c in REQUIRED_COLUMNS.get(name, ()) if c not in df.columns]
    for c in missing:
        report.error(name, 1, c, "required column is missing")
    if missing:
        return None
    return df


def _read_table_exact(src: _Source, name: str, report: ValidationReport,
                      required: bool) -> pd.DataFrame | None:
    """Read one CSV member with the `csv` module (exact lines, every error), or None."""
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


ST_COLUMNS = ("trip_id", "stop_id", "stop_sequence", "arrival_time", "departure_time",
              "shape_dist_traveled")
_ST_ISSUES = ("stop_id", "trip_id", "location_type", "stop_sequence", "arrival_time",
              "departure_time")


@dataclass
class _StopTimesInput:
    """Where stop_times comes from: a header to stream, or a table read exactly."""

    header: list[str] | None = None
    table: pd.DataFrame | None = None


def _stop_times_input(src: _Source, report: ValidationReport) -> _StopTimesInput | None:
    """Check stop_times.txt is present with its required columns (without reading its rows)."""
    name = "stop_times.txt"
    if name not in src.files:
        report.error(name, None, None, "required file is missing")
        return None
    assert src.members is not None
    try:
        header = read_header(src.members, name)
    except ARCHIVE_ERRORS as exc:
        report.error(name, None, None, f"corrupt or truncated archive member ({exc})")
        return None
    except FAST_PATH_ERRORS:
        table = _read_table_exact(src, name, report, True)
        return _StopTimesInput(table=table) if table is not None else None
    if header is None:
        report.error(name, None, None, "file is empty (no header)")
        return None
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in header]
    for c in missing:
        report.error(name, 1, c, "required column is missing")
    return None if missing else _StopTimesInput(header=header)


def _lookup(index: pd.Index, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int32 codes of raw ids in index (-1 unknown) and the stripped ids (for messages)."""
    codes = index.get_indexer(pd.Index(raw))
    miss = np.flatnonzero(codes < 0)
    values = raw
    if len(miss):
        # Padded ids miss the first lookup; the old reader stripped every cell.
        values = raw.copy()
        values[miss] = [str(v).strip() for v in raw[miss]]
        codes[miss] = index.get_indexer(pd.Index(values[miss]))
    return codes.astype(np.int32), values


def _numbers(raw: np.ndarray) -> np.ndarray:
    """float64 of each cell (NaN if not a number), stripping padded cells first."""
    num = np.array(pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce"),
                   dtype=np.float64)
    retry = np.flatnonzero(np.isnan(num) & (raw != ""))
    if len(retry):
        fixed = pd.Series([str(v).strip() for v in raw[retry]], dtype=object)
        num[retry] = pd.to_numeric(fixed, errors="coerce").to_numpy(np.float64)
    return num


@dataclass
class _Parts:
    """Stop_times columns gathered chunk by chunk, plus issues to report in file order."""

    cols: dict[str, list[np.ndarray]] = field(default_factory=dict)
    issues: dict[str, list[tuple[int, str]]] = field(
        default_factory=lambda: {k: [] for k in _ST_ISSUES})

    def add(self, **arrays: np.ndarray) -> None:
        for k, v in arrays.items():
            self.cols.setdefault(k, []).append(v)

    def joined(self, key: str, dtype: type | None) -> np.ndarray:
        """One column over all chunks (dtype None: as gathered, int32 unless widened)."""
        parts = self.cols.pop(key, [])
        if not parts:
            return np.zeros(0, dtype or np.int32)
        out = np.concatenate(parts)
        return out if dtype is None else out.astype(dtype, copy=False)


_I32 = np.iinfo(np.int32)


def _compact(a: np.ndarray) -> np.ndarray:
    """int32 when every value fits (nearly always), else int64: a national feed's columns
    are gathered at 4 bytes a cell; np.concatenate widens if one chunk needed 8."""
    a = np.asarray(a)
    if not len(a) or (np.nanmin(a) >= _I32.min and np.nanmax(a) <= _I32.max):
        return a.astype(np.int32)
    return a.astype(np.int64)


def _parse_chunk(df: pd.DataFrame, rec: np.ndarray, parts: _Parts, trip_index: pd.Index,
                 stop_index: pd.Index, stop_loc: np.ndarray) -> None:
    """Parse one chunk of raw strings into codes, integers and flags; note its issues."""
    iss = parts.issues
    tcode, tvals = _lookup(trip_index, df["trip_id"].to_numpy(dtype=object))
    scode, svals = _lookup(stop_index, df["stop_id"].to_numpy(dtype=object))
    for i in np.flatnonzero(scode < 0):
        iss["stop_id"].append((int(rec[i]), f"unknown stop_id {svals[i]!r}"))
    for i in np.flatnonzero(tcode < 0):
        iss["trip_id"].append((int(rec[i]), f"unknown trip_id {tvals[i]!r}"))
    lt = np.where(scode >= 0, stop_loc[np.maximum(scode, 0)], 0)
    for i in np.flatnonzero(lt != 0):
        iss["location_type"].append((int(rec[i]), f"stop {svals[i]!r} is a station/entrance/node "
                                                    f"(location_type {int(lt[i])}), "
                                                    "not a boardable stop"))
    raw_seq = df["stop_sequence"].to_numpy(dtype=object)
    seq = _numbers(raw_seq)
    with np.errstate(invalid="ignore"):
        bad_seq = np.isnan(seq) | (seq < 0) | (seq != np.round(seq))
    for i in np.flatnonzero(bad_seq):
        iss["stop_sequence"].append(
            (int(rec[i]), f"stop_sequence {str(raw_seq[i]).strip()!r} is not a non-negative "
                          "integer"))
    times = {}
    for col in ("arrival_time", "departure_time"):
        raw = df[col].to_numpy(dtype=object)
        secs, blank, bad = parse_time_array(raw)
        for i in np.flatnonzero(bad):
            iss[col].append((int(rec[i]), f"unparseable time {str(raw[i]).strip()!r}"))
        times[col] = (secs, blank)
    arrays = {
        "trip": tcode, "stop": scode, "seq": _compact(np.where(bad_seq, -1, seq)),
        "arr": _compact(times["arrival_time"][0]), "dep": _compact(times["departure_time"][0]),
        "arr_blank": times["arrival_time"][1], "dep_blank": times["departure_time"][1],
        "rec": _compact(rec),
    }
    if "shape_dist_traveled" in df.columns:
        arrays["sdt"] = _numbers(df["shape_dist_traveled"].to_numpy(dtype=object))
    parts.add(**arrays)


def _gather_stop_times(src: _Source, inp: _StopTimesInput, trip_index: pd.Index,
                       stop_index: pd.Index, stop_loc: np.ndarray) -> tuple[_Parts, np.ndarray]:
    """Parse every row of stop_times; returns the parts and each record's file line."""
    parts = _Parts()
    if inp.table is not None:  # already read exactly, stripped, blank lines dropped
        t = inp.table
        cols = [c for c in ST_COLUMNS if c in t.columns]
        lines = _compact(t[LINE].to_numpy(dtype=np.int64))
        _parse_chunk(t[cols], np.arange(len(t)), parts, trip_index, stop_index, stop_loc)
        parts.cols.pop("rec", None)
        parts.issues = {k: [(int(lines[r]), m) for r, m in v] for k, v in parts.issues.items()}
        return parts, lines
    assert inp.header is not None and src.members is not None
    header = inp.header
    usecols = [c for c in header if c in ST_COLUMNS or c == header[0]]
    n_rec = 0
    physical = 0
    for chunk, counter in iter_chunks(src.members, "stop_times.txt", header, usecols):
        rec = np.arange(n_rec, n_rec + len(chunk), dtype=np.int64)
        n_rec += len(chunk)
        physical = counter.physical_lines()
        keep = ~blank_rows(chunk, header[0])
        if not keep.all():
            chunk, rec = chunk[keep], rec[keep]
        _parse_chunk(chunk, rec, parts, trip_index, stop_index, stop_loc)
    exact = _record_lines(src, "stop_times.txt", n_rec, physical) if n_rec else None
    rec_all = parts.joined("rec", None)
    lines = _compact(exact[rec_all] if exact is not None else rec_all + 2)
    del rec_all
    parts.issues = {k: [(int(lines_of(exact, r)), m) for r, m in v]
                    for k, v in parts.issues.items()}
    return parts, lines


def lines_of(exact: np.ndarray | None, rec: int) -> int:
    """The file line of one record (see `_record_lines`)."""
    return int(exact[rec]) if exact is not None else rec + 2


def _read_stop_times(src: _Source, inp: _StopTimesInput, stops: pd.DataFrame,
                     trips: pd.DataFrame, report: ValidationReport) -> _StopTimes | None:
    """Stream, parse, check and interpolate stop_times.txt into the contract columns."""
    f = "stop_times.txt"
    stop_cats = pd.Index(np.sort(stops["stop_id"].to_numpy(dtype=object)))
    trip_cats = pd.Index(np.sort(trips["trip_id"].to_numpy(dtype=object)))
    loc = stops.set_index("stop_id")["location_type"]
    loc = loc[~loc.index.duplicated()]
    stop_loc = loc.reindex(stop_cats).fillna(0).to_numpy(np.int64)
    try:
        parts, lines = _gather_stop_times(src, inp, trip_cats, stop_cats, stop_loc)
    except ARCHIVE_ERRORS as exc:
        report.error(f, None, None, f"corrupt or truncated archive member ({exc})")
        return None
    except (*FAST_PATH_ERRORS, _Fallback):
        table = _read_table_exact(src, f, report, True)
        if table is None:
            return None
        parts, lines = _gather_stop_times(src, _StopTimesInput(table=table), trip_cats,
                                          stop_cats, stop_loc)
    for col in _ST_ISSUES:
        for line, msg in parts.issues[col]:
            report.error(f, line, col, msg)
    if not report.ok:
        return None
    tid = parts.joined("trip", np.int32)
    seqv = parts.joined("seq", None)
    order = np.lexsort((seqv, tid))  # stable: rows of equal (trip, seq) keep file order
    tid, seqv, lines = tid[order], seqv[order], lines[order]

    def take(key: str, dtype: type | None) -> np.ndarray:
        return parts.joined(key, dtype)[order]

    # Times stay 4 bytes a cell until the contract frame is built (`_StopTimes.frame`).
    arr, dep = take("arr", None), take("dep", None)
    arr_blank, dep_blank = take("arr_blank", np.bool_), take("dep_blank", np.bool_)
    sid = take("stop", np.int32)
    sdt = take("sdt", np.float64) if "sdt" in parts.cols else np.full(len(tid), np.nan)
    # Only one of arrival/departure given: the stop takes that time for both.
    arr = np.where(arr_blank & ~dep_blank, dep, arr)
    dep = np.where(dep_blank & ~arr_blank, arr, dep)
    blank = arr_blank & dep_blank
    del arr_blank, dep_blank
    names = trip_cats.to_numpy(dtype=object)
    same_trip_prev = np.r_[False, tid[1:] == tid[:-1]]
    _report_rows(same_trip_prev & np.r_[False, seqv[1:] <= seqv[:-1]], lines, report, f,
                 "stop_sequence",
                 lambda i: f"stop_sequence {seqv[i]} repeated in trip {names[tid[i]]!r}")
    first = ~same_trip_prev
    last = np.r_[tid[1:] != tid[:-1], True]
    _report_rows(blank & (first | last), lines, report, f, "arrival_time",
                 lambda i: f"first and last stop of trip {names[tid[i]]!r} need times")
    if not report.ok:
        return None
    if blank.any():
        coords = stops.drop_duplicates("stop_id").set_index("stop_id")[["lat", "lon"]]
        coords = coords.reindex(stop_cats)
        arr, dep = _interpolate(tid, coords["lat"].to_numpy(np.float64)[sid],
                                coords["lon"].to_numpy(np.float64)[sid], sdt, blank, arr, dep,
                                lines, report)
        if not report.ok:
            return None
    _report_rows(dep < arr, lines, report, f, "departure_time",
                 lambda i: f"departure before arrival in trip {names[tid[i]]!r}")
    back = same_trip_prev & (arr < np.r_[0, dep[:-1]])
    _report_rows(back, lines, report, f, "arrival_time",
                 lambda i: f"time goes backwards along trip {names[tid[i]]!r}")
    return _StopTimes(trip_cats, stop_cats, tid, seqv, sid, arr, dep, blank, lines)


@dataclass
class _StopTimes:
    """stop_times as arrays: trip and stop codes over sorted id indexes, sorted by trip, seq."""

    trip_cats: pd.Index
    stop_cats: pd.Index
    trip: np.ndarray
    seq: np.ndarray
    stop: np.ndarray
    arr: np.ndarray
    dep: np.ndarray
    interpolated: np.ndarray
    lines: np.ndarray

    def select(self, mask: np.ndarray) -> None:
        """Keep only the rows of mask."""
        for k in ("trip", "seq", "stop", "arr", "dep", "interpolated", "lines"):
            setattr(self, k, getattr(self, k)[mask])

    def frame(self) -> pd.DataFrame:
        """The contract frame, with categorical trip and stop ids."""
        return pd.DataFrame({
            # Only the trips that remain (short and template trips are gone), so a feed
            # rebuilt from the database has the very same categories.
            "trip_id": pd.Categorical.from_codes(
                self.trip, categories=self.trip_cats).remove_unused_categories(),
            "stop_sequence": self.seq.astype(np.int64, copy=False),
            "stop_id": pd.Categorical.from_codes(self.stop, categories=self.stop_cats),
            "arrival_s": self.arr.astype(np.int64, copy=False),
            "departure_s": self.dep.astype(np.int64, copy=False),
            "interpolated": self.interpolated,
        }, copy=False)


def _interpolate(tid: np.ndarray, lat: np.ndarray, lon: np.ndarray, sdt: np.ndarray,
                 blank: np.ndarray, arr: np.ndarray, dep: np.ndarray, lines: np.ndarray,
                 report: ValidationReport) -> tuple[np.ndarray, np.ndarray]:
    """Fill blank times linearly in distance along the trip, rounding half up to a second.

    Distance is shape_dist_traveled when every stop of the trip has it (and it never
    decreases), otherwise the cumulative haversine distance between consecutive stops.
    """
    n = len(tid)
    same_prev = np.r_[False, tid[1:] == tid[:-1]]
    hop = np.zeros(n)
    hop[1:] = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    hop[~same_prev] = 0.0
    start = np.flatnonzero(~same_prev)
    trip_no = np.cumsum(~same_prev) - 1
    cum = np.cumsum(hop)
    geo_dist = cum - cum[start][trip_no]

    g = pd.Series(sdt).groupby(trip_no)
    sdt_ok_trip = (g.count().to_numpy() == g.size().to_numpy())
    dif = np.r_[0.0, np.diff(sdt)]
    dif[~same_prev] = 0.0
    decreasing = pd.Series(dif < 0).groupby(trip_no).any().to_numpy()
    use_sdt = (sdt_ok_trip & ~decreasing)[trip_no]
    dist = np.where(use_sdt, sdt, geo_dist)
    need_geo = ~use_sdt & np.isnan(dist)
    for idx in np.flatnonzero(need_geo):
        report.error("stop_times.txt", int(lines[idx]), "stop_id",
                     "cannot interpolate time: stop has no coordinates")
    if need_geo.any():
        return arr, dep

    pos = np.arange(n)
    timed_pos = np.where(~blank, pos, -1).astype(np.float64)
    timed = pd.Series(np.where(timed_pos >= 0, timed_pos, np.nan))
    prev = timed.ffill().to_numpy().astype(np.int64)
    nxt = timed.bfill().to_numpy().astype(np.int64)
    b = np.flatnonzero(blank)
    p, q = prev[b], nxt[b]
    dep = dep.copy()
    arr = arr.copy()
    t0 = dep[p].astype(np.float64)
    t1 = arr[q].astype(np.float64)
    span = dist[q] - dist[p]
    frac = np.where(span > 0, (dist[b] - dist[p]) / np.where(span > 0, span, 1.0),
                    (b - p) / (q - p))
    # Round half up; the tiny epsilon stops 0.4999999 float noise from rounding down.
    t = np.floor(t0 + (t1 - t0) * frac + 0.5 + 1e-9).astype(np.int64)
    arr[b] = t
    dep[b] = t
    return arr, dep


def _expand_frequencies(freq: pd.DataFrame, trips: pd.DataFrame, st: _StopTimes,
                        report: ValidationReport) -> tuple[pd.DataFrame, _StopTimes]:
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
    tmpl_codes = st.trip_cats.get_indexer(pd.Index(sorted(templates)))
    is_tmpl = np.zeros(len(st.trip_cats), dtype=bool)
    is_tmpl[tmpl_codes[tmpl_codes >= 0]] = True
    bounds: dict[int, tuple[int, int]] = {}
    rows_tmpl = np.flatnonzero(is_tmpl[st.trip])
    for r in rows_tmpl.tolist():  # rows are sorted by trip, so each template is one run
        c = int(st.trip[r])
        lo, _ = bounds.get(c, (r, r))
        bounds[c] = (lo, r + 1)
    new_ids: list[str] = []
    template_of: list[str] = []  # the template trip of each new trip
    blocks: list[tuple[str, int, int, int]] = []  # new id, lo, hi, shift
    for i in np.flatnonzero(ok).tolist():
        tid = freq["trip_id"].iloc[i]
        code = int(st.trip_cats.get_indexer(pd.Index([tid]))[0])
        if code < 0 or code not in bounds:
            continue
        lo, hi = bounds[code]
        base = int(st.dep[lo])
        for s in range(int(start[i]), int(end[i]), int(head[i])):
            new_id = f"{tid}@{format_hms(s)}"
            template_of.append(tid)
            new_ids.append(new_id)
            blocks.append((new_id, lo, hi, s - base))
    new_trip_rows = []
    if new_ids:
        # One row per new trip, copied from its template (trip ids are unique by now).
        rows = trips.set_index("trip_id", drop=False).loc[template_of].reset_index(drop=True)
        rows["trip_id"] = new_ids
        new_trip_rows.append(rows)
    trips = trips[~trips["trip_id"].isin(templates)]
    keep = ~is_tmpl[st.trip]
    cats = pd.Index(np.unique(np.concatenate([st.trip_cats.to_numpy(dtype=object),
                                              np.asarray(new_ids, dtype=object)])))
    remap = cats.get_indexer(st.trip_cats).astype(np.int32)
    new_codes = cats.get_indexer(pd.Index([b[0] for b in blocks], dtype=object))
    trip_code = np.concatenate([remap[st.trip[keep]]] + [
        np.full(hi - lo, c, dtype=np.int32) for (_, lo, hi, _), c in zip(blocks, new_codes,
                                                                       strict=True)])
    # Column by column, so a national feed holds one old and one new column at a time:
    # the kept rows, then each expanded trip's copy of its template's rows (times shifted).
    for name in ("seq", "stop", "arr", "dep", "interpolated", "lines"):
        col = getattr(st, name)
        shifted = name in ("arr", "dep")
        setattr(st, name, np.concatenate([col[keep]] + [
            _compact(col[lo:hi].astype(np.int64) + sh) if shifted else col[lo:hi]
            for _, lo, hi, sh in blocks]))
        del col
    out = _StopTimes(cats, st.stop_cats, trip_code, st.seq, st.stop, st.arr, st.dep,
                     st.interpolated, st.lines)
    if new_trip_rows:
        trips = pd.concat([trips, *new_trip_rows], ignore_index=True)
    return trips.reset_index(drop=True), out


def _feed_version(feed_info: pd.DataFrame | None, digest: Callable[[], str]) -> str:
    """feed_info.feed_version when given, else a content hash."""
    if feed_info is not None and "feed_version" in feed_info.columns and len(feed_info):
        v = str(feed_info["feed_version"].iloc[0]).strip()
        if v:
            return v
    return f"sha256-{digest()[:12]}"


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
    tables = {n: _read_table(src, n, report, True) for n in REQUIRED_FILES
              if n != "stop_times.txt"}
    st_input = _stop_times_input(src, report)
    cal_raw = _read_table(src, "calendar.txt", report, False)
    cd_raw = _read_table(src, "calendar_dates.txt", report, False)
    freq_raw = _read_table(src, "frequencies.txt", report, False)
    info_raw = _read_table(src, "feed_info.txt", report, False)
    if "calendar.txt" not in src.files and "calendar_dates.txt" not in src.files:
        report.error("calendar.txt", None, None,
                     "required file is missing (need calendar.txt or calendar_dates.txt)")
    if not report.ok or any(t is None for t in tables.values()) or st_input is None:
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
    st = _read_stop_times(src, st_input, stops, trips, report)
    if not report.ok or st is None:
        raise FeedRefusedError(report, str(p))
    if freq_raw is not None and len(freq_raw):
        trips, st = _expand_frequencies(freq_raw, trips, st, report)
        if not report.ok:
            raise FeedRefusedError(report, str(p))

    trips = _drop_short_trips(trips, st, report)
    _check_stops(stops, st, report)
    used_routes = set(trips["route_id"])
    for idx in np.flatnonzero(~routes["route_id"].isin(used_routes).to_numpy()):
        report.warning("routes.txt", int(routes[LINE].iloc[idx]), "route_id",
                       f"route {routes['route_id'].iloc[idx]!r} has no trips")
    if not report.ok:
        raise FeedRefusedError(report, str(p))

    st_frame = st.frame()
    del st  # its 4-byte columns are not needed once the contract frame exists
    feed = Feed(
        name=name or p.stem,
        version=_feed_version(info_raw, src.digest),
        stops=stops.drop(columns=LINE).reset_index(drop=True),
        routes=routes.drop(columns=LINE).reset_index(drop=True),
        trips=trips.drop(columns=LINE).reset_index(drop=True),
        stop_times=st_frame,
        calendar=calendar.drop(columns=LINE, errors="ignore").reset_index(drop=True),
        calendar_dates=calendar_dates.drop(columns=LINE, errors="ignore").reset_index(drop=True),
        agency=agency.drop(columns=LINE),
        feed_info=info_raw.drop(columns=LINE) if info_raw is not None else None,
    )
    return feed, report


def _drop_short_trips(trips: pd.DataFrame, st: _StopTimes,
                      report: ValidationReport) -> pd.DataFrame:
    """Warn about and drop trips with fewer than two stop_times (they carry nobody)."""
    counts = np.bincount(st.trip, minlength=len(st.trip_cats))
    codes = st.trip_cats.get_indexer(pd.Index(trips["trip_id"].to_numpy(dtype=object)))
    n = np.where(codes >= 0, counts[np.maximum(codes, 0)], 0)
    for idx in np.flatnonzero(n < 2):
        report.warning("trips.txt", int(trips[LINE].iloc[idx]), "trip_id",
                       f"trip {trips['trip_id'].iloc[idx]!r} has {n[idx]} stop_times; ignored")
    if (n < 2).any():
        keep_code = np.zeros(len(st.trip_cats), dtype=bool)
        keep_code[codes[(n >= 2) & (codes >= 0)]] = True
        st.select(keep_code[st.trip])
    return trips[n >= 2]


def _check_stops(stops: pd.DataFrame, st: _StopTimes, report: ValidationReport) -> None:
    """Unused stops are warnings; used stops without coordinates are errors."""
    used_code = np.zeros(len(st.stop_cats), dtype=bool)
    used_code[st.stop] = True
    codes = st.stop_cats.get_indexer(pd.Index(stops["stop_id"].to_numpy(dtype=object)))
    used = used_code[codes]
    parents = set(stops["parent_station"].dropna())
    no_xy = (stops["lat"].isna() | stops["lon"].isna()).to_numpy()
    ids = stops["stop_id"].to_numpy(dtype=object)
    lines = stops[LINE].to_numpy()
    loc = stops["location_type"].to_numpy()
    for idx in np.flatnonzero(used & no_xy):
        report.error("stops.txt", int(lines[idx]), "stop_lat",
                     f"stop {ids[idx]!r} is used but has no coordinates")
    unused = ~used & (loc == 0) & ~stops["stop_id"].isin(parents).to_numpy()
    for idx in np.flatnonzero(unused):
        msg = f"stop {ids[idx]!r} is not used by any trip"
        if no_xy[idx]:
            msg += " and has no coordinates"
        report.warning("stops.txt", int(lines[idx]), "stop_id", msg)
