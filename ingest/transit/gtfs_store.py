"""Write an engine `Feed` into the gtfs_* tables with COPY, replacing a feed of the same name."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from app.routing.feed import WEEKDAYS, Feed, ValidationReport
from app.routing.gtfs_time import parse_time

NULL = r"\N"  # COPY's NULL marker, so that empty strings stay empty strings


COPY_ROWS = 200_000  # rows per COPY buffer: memory is one slice, not the national table


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
               report: ValidationReport) -> tuple[int, dict[str, int]]:
    """Replace the feed named `feed.name` by `feed` (inside the caller's transaction).

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
            "src": source.name, "sha": sha256, "report": json.dumps(report_json(report)),
        }).scalar_one()
    counts = {
        "agency": _store_agency(conn, feed_id, feed),
        "stops": _store_stops(conn, feed_id, feed),
        "routes": copy_frame(conn, "gtfs_route", feed.routes.assign(feed_id=feed_id),
                             ("feed_id", "route_id", "agency_id", "route_short_name",
                              "route_long_name", "route_type")),
        "trips": copy_frame(conn, "gtfs_trip", feed.trips.assign(feed_id=feed_id),
                            ("feed_id", "trip_id", "route_id", "service_id", "trip_headsign",
                             "direction_id", "wheelchair_accessible")),
        # No .assign(): that would copy the national stop_times; feed_id goes in per slice.
        "stop_times": _copy_stop_times(conn, feed_id, feed.stop_times),
        "calendar": copy_frame(conn, "gtfs_calendar", _dates_iso(
            feed.calendar.assign(feed_id=feed_id), ("start_date", "end_date")),
            ("feed_id", "service_id", *WEEKDAYS, "start_date", "end_date")),
        "calendar_dates": copy_frame(conn, "gtfs_calendar_date", _dates_iso(
            feed.calendar_dates.assign(feed_id=feed_id), ("date",)),
            ("feed_id", "service_id", "date", "exception_type")),
        "frequencies": copy_frame(conn, "gtfs_frequency",
                                  read_frequencies(source).assign(feed_id=feed_id),
                                  ("feed_id", "trip_id", "start_s", "end_s", "headway_s",
                                   "exact_times")),
        "feed_info": _store_feed_info(conn, feed_id, feed),
    }
    counts["naptan_matched"] = match_naptan(conn, feed_id)
    conn.execute(text("UPDATE gtfs_feed SET counts = CAST(:c AS jsonb) WHERE id = :id"),
                 {"c": json.dumps(counts), "id": feed_id})
    return feed_id, counts


def _copy_stop_times(conn: Connection, feed_id: int, st: pd.DataFrame) -> int:
    """COPY stop_times slice by slice, adding the feed id to each slice only."""
    cols = ("feed_id", "trip_id", "stop_sequence", "stop_id", "arrival_s", "departure_s",
            "interpolated")
    n = 0
    for start in range(0, len(st), COPY_ROWS * 5):
        n += copy_frame(conn, "gtfs_stop_time",
                        st.iloc[start:start + COPY_ROWS * 5].assign(feed_id=feed_id), cols)
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


def _store_stops(conn: Connection, feed_id: int, feed: Feed) -> int:
    n = copy_frame(conn, "gtfs_stop", feed.stops.assign(feed_id=feed_id),
                   ("feed_id", "stop_id", "stop_code", "stop_name", "lat", "lon",
                    "location_type", "parent_station", "wheelchair_boarding"))
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
