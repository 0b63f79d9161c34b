"""Write an engine `Feed` into the gtfs_* tables with COPY, replacing a feed of the same name.

Stop times go into `gtfs_stop_time_block` by binary COPY: blocks of up to 1,000,000 rows,
one int4[]/bool[] array per column, built with numpy (no per-row Python), trips and stops
coded by their position among the feed's ids in code-point order (`gtfs_trip.code`,
`gtfs_stop.code`). See docs/routing.md ("Where the stop times live").
"""

from __future__ import annotations

import csv
import io
import json
import struct
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from app.routing.feed import WEEKDAYS, Feed, ValidationReport
from app.routing.gtfs_time import parse_time
from ingest.transit.gtfs_region import Clip, frequency_templates

NULL = r"\N"  # COPY's NULL marker, so that empty strings stay empty strings


COPY_ROWS = 200_000  # rows per COPY buffer: memory is one slice, not the national table
BLOCK_ROWS = 1_000_000  # stop_times per gtfs_stop_time_block row (about 25 MB stored)
INT4_OID, BOOL_OID = 23, 16
INT4_MAX = 2**31 - 1


def copy_frame(conn: Connection, table: str, frame: pd.DataFrame, columns: Sequence[str]) -> int:
    """Bulk-load `frame[columns]` into `table` with COPY ... FROM STDIN (CSV), slice by slice."""
    if not len(frame):
        return 0
    raw = conn.connection.driver_connection  # the psycopg 3 connection behind SQLAlchemy
    cols = ", ".join(columns)
    with raw.cursor() as cur:  # type: ignore[union-attr]
        # Identifiers come from this module's constants, never from user input.
        sql = f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')"
        with cur.copy(sql) as copy:
            for start in range(0, len(frame), COPY_ROWS):
                part = frame.iloc[start:start + COPY_ROWS]
                buf = io.StringIO()
                part.loc[:, list(columns)].to_csv(buf, index=False, header=False, na_rep=NULL,
                                                  quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
                copy.write(buf.getvalue())
    return len(frame)


def read_frequencies(path: Path) -> pd.DataFrame:
    """frequencies.txt as published (the reader has validated it), or an empty frame."""
    data: bytes | None = None
    if path.is_dir():
        for p in path.iterdir():
            if p.name.lower() == "frequencies.txt":
                data = p.read_bytes()
    else:
        with zipfile.ZipFile(path) as zf:
            for n in zf.namelist():
                if n.rsplit("/", 1)[-1].lower() == "frequencies.txt":
                    data = zf.read(n)
    cols = ["trip_id", "start_s", "end_s", "headway_s", "exact_times"]
    if not data:
        return pd.DataFrame(columns=cols)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    out = [{
        "trip_id": r["trip_id"].strip(),
        "start_s": parse_time(r["start_time"]),
        "end_s": parse_time(r["end_time"]),
        "headway_s": int(float(r["headway_secs"])),
        "exact_times": int((r.get("exact_times") or "0").strip() or 0),
    } for r in rows if (r.get("trip_id") or "").strip()]
    return pd.DataFrame(out, columns=cols).drop_duplicates(["trip_id", "start_s"])


def report_json(report: ValidationReport, limit: int = 200) -> dict[str, Any]:
    """The validation report as JSON for the gtfs_feed row (first `limit` warnings)."""
    warnings = report.warnings
    return {
        "errors": len(report.errors),
        "warnings": len(warnings),
        "first_warnings": [str(w) for w in warnings[:limit]],
    }


def _extra(frame: pd.DataFrame, known: Sequence[str]) -> pd.Series:
    """Unknown columns of each row packed as one JSON object string."""
    rest = [c for c in frame.columns if c not in known and not c.startswith("_")]
    if not rest:
        return pd.Series(["{}"] * len(frame), index=frame.index)
    return frame[rest].astype(str).apply(lambda r: json.dumps(r.to_dict()), axis=1)


def delete_feed(conn: Connection, name: str) -> bool:
    """Remove a feed and (by cascade) all its rows; True if one existed."""
    res = conn.execute(text("DELETE FROM gtfs_feed WHERE name = :n RETURNING id"), {"n": name})
    return res.first() is not None


def store_feed(conn: Connection, feed: Feed, *, source: Path, sha256: str,
               report: ValidationReport, clip: Clip | None = None) -> tuple[int, dict[str, int]]:
    """Replace the feed named `feed.name` by `feed` (inside the caller's transaction).

    `clip` says `feed` is the regional part of `source` (its frequencies are cut to match).
    Returns the new feed id and row counts per table.
    """
    # Serialise concurrent loads of the same name: the unique name would abort one anyway,
    # but a lock turns that into waiting.
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('gtfs:' || :n))"), {"n": feed.name})
    delete_feed(conn, feed.name)
    validity = feed.validity()
    feed_id = conn.execute(text(
        "INSERT INTO gtfs_feed (name, version, valid_from, valid_to, source_file, sha256, counts,"
        " report) VALUES (:name, :version, :vf, :vt, :src, :sha, '{}'::jsonb,"
        " CAST(:report AS jsonb)) RETURNING id"), {
            "name": feed.name, "version": feed.version,
            "vf": validity[0] if validity else None, "vt": validity[1] if validity else None,
            "src": source.name, "sha": sha256,
            "report": json.dumps({**report_json(report),
                                  **({"region": clip.as_dict()} if clip else {})}),
        }).scalar_one()
    frequencies = read_frequencies(source)
    if clip is not None:
        frequencies = frequencies[frequencies["trip_id"].isin(frequency_templates(feed.trips))]
    trip_codes = sorted_codes(feed.trips["trip_id"])
    stop_codes = sorted_codes(feed.stops["stop_id"])
    counts = {
        "agency": _store_agency(conn, feed_id, feed),
        "stops": _store_stops(conn, feed_id, feed, stop_codes),
        "routes": copy_frame(conn, "gtfs_route", feed.routes.assign(feed_id=feed_id),
                             ("feed_id", "route_id", "agency_id", "route_short_name",
                              "route_long_name", "route_type")),
        "trips": copy_frame(conn, "gtfs_trip", feed.trips.assign(feed_id=feed_id,
                                                               code=trip_codes),
                            ("feed_id", "trip_id", "route_id", "service_id", "trip_headsign",
                             "direction_id", "wheelchair_accessible", "code")),
        "stop_times": store_stop_times(conn, feed_id, feed, trip_codes, stop_codes),
        "calendar": copy_frame(conn, "gtfs_calendar", _dates_iso(
            feed.calendar.assign(feed_id=feed_id), ("start_date", "end_date")),
            ("feed_id", "service_id", *WEEKDAYS, "start_date", "end_date")),
        "calendar_dates": copy_frame(conn, "gtfs_calendar_date", _dates_iso(
            feed.calendar_dates.assign(feed_id=feed_id), ("date",)),
            ("feed_id", "service_id", "date", "exception_type")),
        "frequencies": copy_frame(conn, "gtfs_frequency", frequencies.assign(feed_id=feed_id),
                                  ("feed_id", "trip_id", "start_s", "end_s", "headway_s",
                                   "exact_times")),
        "feed_info": _store_feed_info(conn, feed_id, feed),
    }
    counts["naptan_matched"] = match_naptan(conn, feed_id)
    conn.execute(text("UPDATE gtfs_feed SET counts = CAST(:c AS jsonb) WHERE id = :id"),
                 {"c": json.dumps(counts), "id": feed_id})
    return feed_id, counts


def sorted_codes(ids: pd.Series) -> np.ndarray:
    """Each id's position among all ids in code-point order (the ids are unique)."""
    values = ids.to_numpy(dtype=object)
    codes = np.empty(len(values), dtype=np.int32)
    codes[np.argsort(values, kind="stable")] = np.arange(len(values), dtype=np.int32)
    return codes


def _remap(column: pd.Series, ids: pd.Series, codes: np.ndarray, what: str) -> np.ndarray:
    """Table codes of a categorical id column (its categories must all be stored ids)."""
    cat = column.cat
    where = pd.Index(ids.to_numpy(dtype=object)).get_indexer(cat.categories)
    used = np.zeros(len(where), dtype=bool)
    used[np.unique(cat.codes.to_numpy())] = True
    if (used & (where < 0)).any():  # the reader guarantees this; a wrong Feed must not load
        raise ValueError(f"stop_times refer to a {what} that is not in the feed")
    return np.where(where >= 0, codes[np.maximum(where, 0)], -1).astype(np.int32)


def _int4_array(values: np.ndarray) -> bytes:
    """One int4[] field of a binary COPY row: length, array header, (4, value) per element."""
    if len(values) and (values.min() < -INT4_MAX or values.max() > INT4_MAX):
        raise ValueError("a stop_times value does not fit a 32-bit integer")
    body = np.empty((len(values), 2), dtype=">i4")
    body[:, 0] = 4
    body[:, 1] = values
    head = struct.pack(">iiiii", 1, 0, INT4_OID, len(values), 1)
    return struct.pack(">i", len(head) + body.nbytes) + head + body.tobytes()


def _bool_array(values: np.ndarray) -> bytes:
    """One bool[] field of a binary COPY row."""
    body = np.empty(len(values), dtype=np.dtype([("n", ">i4"), ("v", "u1")]))
    body["n"] = 1
    body["v"] = values.astype(np.uint8)
    head = struct.pack(">iiiii", 1, 0, BOOL_OID, len(values), 1)
    return struct.pack(">i", len(head) + body.nbytes) + head + body.tobytes()


def store_stop_times(conn: Connection, feed_id: int, feed: Feed, trip_codes: np.ndarray,
                     stop_codes: np.ndarray) -> int:
    """Binary-COPY the feed's stop_times (sorted by trip, seq) into gtfs_stop_time_block."""
    st = feed.stop_times
    n = len(st)
    if not n:
        return 0
    trip_map = _remap(st["trip_id"], feed.trips["trip_id"], trip_codes, "trip")
    stop_map = _remap(st["stop_id"], feed.stops["stop_id"], stop_codes, "stop")
    trip_raw = st["trip_id"].cat.codes.to_numpy()
    stop_raw = st["stop_id"].cat.codes.to_numpy()
    columns = ("feed_id", "block", "n_rows", "trip_code", "stop_sequence", "stop_code",
               "arrival_s", "departure_s", "interpolated")
    raw = conn.connection.driver_connection
    sql = f"COPY gtfs_stop_time_block ({', '.join(columns)}) FROM STDIN WITH (FORMAT binary)"
    with raw.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[union-attr]
        copy.write(b"PGCOPY\n\xff\r\n\0" + struct.pack(">ii", 0, 0))
        for block, lo in enumerate(range(0, n, BLOCK_ROWS)):
            hi = min(lo + BLOCK_ROWS, n)
            # In the reader's row order (by trip and sequence; expanded frequency trips last).
            tc = trip_map[trip_raw[lo:hi]]
            seq = st["stop_sequence"].to_numpy()[lo:hi]
            copy.write(struct.pack(">hiiiiii", len(columns), 4, feed_id, 4, block, 4, hi - lo))
            copy.write(_int4_array(tc))
            copy.write(_int4_array(seq))
            copy.write(_int4_array(stop_map[stop_raw[lo:hi]]))
            copy.write(_int4_array(st["arrival_s"].to_numpy()[lo:hi]))
            copy.write(_int4_array(st["departure_s"].to_numpy()[lo:hi]))
            copy.write(_bool_array(st["interpolated"].to_numpy()[lo:hi]))
        copy.write(struct.pack(">h", -1))
    return n


def _dates_iso(frame: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    out = frame.copy()
    for c in cols:
        out[c] = out[c].map(lambda d: d.isoformat())
    return out


def _store_agency(conn: Connection, feed_id: int, feed: Feed) -> int:
    a = feed.agency
    if a is None or not len(a):
        return 0
    known = ("agency_id", "agency_name", "agency_url", "agency_timezone")
    frame = pd.DataFrame({
        "feed_id": feed_id,
        **{c: (a[c] if c in a.columns else "") for c in known},
        "extra": _extra(a, known),
    })
    # agency_id may be blank in single-agency feeds; keep the first of any duplicates.
    frame = frame.drop_duplicates("agency_id")
    return copy_frame(conn, "gtfs_agency", frame, ("feed_id", *known, "extra"))


def _store_stops(conn: Connection, feed_id: int, feed: Feed, codes: np.ndarray) -> int:
    n = copy_frame(conn, "gtfs_stop", feed.stops.assign(feed_id=feed_id, code=codes),
                   ("feed_id", "stop_id", "stop_code", "stop_name", "lat", "lon",
                    "location_type", "parent_station", "wheelchair_boarding", "code"))
    conn.execute(text(
        "UPDATE gtfs_stop SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326)"
        " WHERE feed_id = :f AND lat IS NOT NULL AND lon IS NOT NULL"), {"f": feed_id})
    return n


def match_naptan(conn: Connection, feed_id: int) -> int:
    """Record the NaPTAN stop for every stop whose stop_id is an ATCO code; return the count."""
    res = conn.execute(text(
        "UPDATE gtfs_stop s SET naptan_atco = b.atco_code FROM bus_stop b"
        " WHERE s.feed_id = :f AND b.atco_code = s.stop_id"), {"f": feed_id})
    return int(res.rowcount or 0)


def _store_feed_info(conn: Connection, feed_id: int, feed: Feed) -> int:
    fi = feed.feed_info
    if fi is None or not len(fi):
        return 0
    known = ("feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_version",
             "feed_start_date", "feed_end_date")
    frame = pd.DataFrame({
        "feed_id": feed_id,
        **{c: (fi[c] if c in fi.columns else "") for c in known},
        "extra": _extra(fi, known),
    }).head(1)
    return copy_frame(conn, "gtfs_feed_info", frame, ("feed_id", *known, "extra"))
