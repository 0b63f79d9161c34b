"""Read GTFS feeds back from PostGIS as engine `Feed` objects (COPY out, then pandas).

Stop times come from `gtfs_stop_time_block` (one integer array per column and block),
fetched with `array_send` as binary and decoded with numpy, never row by row.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
from dataclasses import dataclass

import numpy as np
import pandas as pd
from psycopg import sql as psql
from sqlalchemy import Connection, text

from app.routing.feed import WEEKDAYS, Feed

NULL = r"\N"


@dataclass(frozen=True)
class FeedRow:
    """One loaded feed as listed in gtfs_feed."""

    id: int
    name: str
    version: str
    sha256: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    synthetic: bool = False  # the publisher labels it as test data, not a real timetable


def list_feeds(conn: Connection) -> list[FeedRow]:
    """Every loaded feed, ordered by name (the order feeds are compiled in)."""
    rows = conn.execute(text(
        "SELECT f.id, f.name, f.version, f.sha256, f.valid_from, f.valid_to,"
        " coalesce(i.feed_publisher_name ILIKE '%synthetic%', false)"
        " FROM gtfs_feed f LEFT JOIN gtfs_feed_info i ON i.feed_id = f.id ORDER BY f.name"))
    return [FeedRow(*r) for r in rows]


def _copy_out(conn: Connection, sql: str, feed_id: int) -> pd.DataFrame:
    """Run `sql` (a constant with a `{f}` feed-id slot) through COPY TO STDOUT as CSV."""
    raw = conn.connection.driver_connection
    # COPY cannot take bind parameters, so psycopg renders the integer id as a literal.
    query = psql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER true, NULL {})").format(
        psql.SQL(sql).format(f=psql.Literal(int(feed_id))),
        psql.Literal(NULL))
    buf = io.BytesIO()
    with raw.cursor() as cur, cur.copy(query) as copy:  # type: ignore[union-attr]
        for block in copy:
            buf.write(block)
    buf.seek(0)
    return pd.read_csv(buf, dtype=str, keep_default_na=False, na_values=[NULL])


def _ints(s: pd.Series) -> pd.Series:
    return s.astype(np.int64)


def _dates(s: pd.Series) -> pd.Series:
    return pd.Series([dt.date.fromisoformat(v) for v in s], index=s.index, dtype=object)


def _strs(df: pd.DataFrame, cols: tuple[str, ...]) -> None:
    for c in cols:
        df[c] = df[c].fillna("").astype(str)


def read_feed(conn: Connection, row: FeedRow) -> Feed:
    """Rebuild the engine's Feed for one stored feed, equal to what the reader produced."""
    f = row.id
    stops = _copy_out(conn, "SELECT stop_id, stop_code, stop_name, lat, lon, location_type,"
                      " parent_station, wheelchair_boarding, code FROM gtfs_stop"
                      " WHERE feed_id = {f} ORDER BY stop_id", f)
    _strs(stops, ("stop_id", "stop_code", "stop_name"))
    stops["lat"] = stops["lat"].astype(np.float64)
    stops["lon"] = stops["lon"].astype(np.float64)
    stops["location_type"] = _ints(stops["location_type"])
    stops["wheelchair_boarding"] = _ints(stops["wheelchair_boarding"])
    stops["parent_station"] = stops["parent_station"].astype(object).where(
        stops["parent_station"].notna(), None)
    stop_code = _ints(stops.pop("code")).to_numpy()

    routes = _copy_out(conn, "SELECT route_id, agency_id, route_short_name, route_long_name,"
                       " route_type FROM gtfs_route WHERE feed_id = {f} ORDER BY route_id", f)
    _strs(routes, ("route_id", "agency_id", "route_short_name", "route_long_name"))
    routes["route_type"] = _ints(routes["route_type"])

    trips = _copy_out(conn, "SELECT trip_id, route_id, service_id, trip_headsign, direction_id,"
                      " wheelchair_accessible, code FROM gtfs_trip WHERE feed_id = {f}"
                      " ORDER BY trip_id", f)
    _strs(trips, ("trip_id", "route_id", "service_id", "trip_headsign"))
    trips["direction_id"] = _ints(trips["direction_id"])
    trips["wheelchair_accessible"] = _ints(trips["wheelchair_accessible"])
    trip_code = _ints(trips.pop("code")).to_numpy()

    st = read_stop_times(conn, f, (trips["trip_id"], trip_code), (stops["stop_id"], stop_code))

    cal = _copy_out(conn, "SELECT service_id, monday, tuesday, wednesday, thursday, friday,"
                    " saturday, sunday, start_date, end_date"
                    " FROM gtfs_calendar WHERE feed_id = {f} ORDER BY service_id", f)
    _strs(cal, ("service_id",))
    for wd in WEEKDAYS:
        cal[wd] = cal[wd].isin(["t", "true", "True"])
    cal["start_date"] = _dates(cal["start_date"])
    cal["end_date"] = _dates(cal["end_date"])

    cd = _copy_out(conn, "SELECT service_id, date, exception_type FROM gtfs_calendar_date"
                   " WHERE feed_id = {f} ORDER BY service_id, date", f)
    _strs(cd, ("service_id",))
    cd["date"] = _dates(cd["date"])
    cd["exception_type"] = _ints(cd["exception_type"])

    agency = _copy_out(conn, "SELECT agency_id, agency_name, agency_url, agency_timezone"
                       " FROM gtfs_agency WHERE feed_id = {f} ORDER BY agency_id", f)
    info = _copy_out(conn, "SELECT feed_publisher_name, feed_publisher_url, feed_lang,"
                     " feed_version, feed_start_date, feed_end_date FROM gtfs_feed_info"
                     " WHERE feed_id = {f}", f)
    return Feed(
        name=row.name, version=row.version, stops=stops, routes=routes, trips=trips,
        stop_times=st, calendar=cal, calendar_dates=cd,
        agency=agency.fillna(""), feed_info=info.fillna("") if len(info) else None,
    )


_BLOCK_COLUMNS = ("trip_code", "stop_sequence", "stop_code", "arrival_s", "departure_s",
                  "interpolated")
_ELEMENT = {"interpolated": np.dtype([("n", ">i4"), ("v", "u1")])}
_INT4 = np.dtype([("n", ">i4"), ("v", ">i4")])


def _array(data: bytes, dtype: np.dtype) -> np.ndarray:
    """Decode one array_send() value of a one-dimensional array without NULLs."""
    ndim, _, _ = struct.unpack_from(">iii", data, 0)
    if ndim == 0:
        return np.zeros(0, dtype=dtype["v"].newbyteorder("="))
    n = struct.unpack_from(">i", data, 12)[0]
    return np.frombuffer(data, dtype=dtype, count=n, offset=20)["v"]


def _categorical(codes: np.ndarray, ids: pd.Series, table_code: np.ndarray) -> pd.Categorical:
    """Categorical over the sorted ids, from codes given as the table's `code` column."""
    cats = pd.Index(np.sort(ids.to_numpy(dtype=object)))
    by_code = np.full(int(table_code.max()) + 1 if len(table_code) else 0, -1, dtype=np.int32)
    by_code[table_code] = cats.get_indexer(pd.Index(ids.to_numpy(dtype=object)))
    return pd.Categorical.from_codes(by_code[codes], categories=cats)


def read_stop_times(conn: Connection, feed_id: int, trips: tuple[pd.Series, np.ndarray],
                    stops: tuple[pd.Series, np.ndarray]) -> pd.DataFrame:
    """The contract stop_times frame of one stored feed, block by block from binary arrays."""
    raw = conn.connection.driver_connection
    cols = ", ".join(f"array_send({c})" for c in _BLOCK_COLUMNS)
    parts: dict[str, list[np.ndarray]] = {c: [] for c in _BLOCK_COLUMNS}
    with raw.cursor(binary=True) as cur:  # type: ignore[union-attr]
        blocks = [r[0] for r in cur.execute(
            "SELECT block FROM gtfs_stop_time_block WHERE feed_id = %s ORDER BY block",
            (int(feed_id),)).fetchall()]
        for b in blocks:
            row = cur.execute(f"SELECT {cols} FROM gtfs_stop_time_block"  # noqa: S608
                              " WHERE feed_id = %s AND block = %s", (int(feed_id), b)).fetchone()
            assert row is not None
            for c, data in zip(_BLOCK_COLUMNS, row, strict=True):
                parts[c].append(_array(bytes(data), _ELEMENT.get(c, _INT4)))

    def joined(c: str, dtype: type) -> np.ndarray:
        return (np.concatenate(parts.pop(c)).astype(dtype) if parts[c]
                else np.zeros(0, dtype=dtype))

    trip = joined("trip_code", np.int32)
    stop = joined("stop_code", np.int32)
    return pd.DataFrame({
        "trip_id": _categorical(trip, *trips),
        "stop_sequence": joined("stop_sequence", np.int64),
        "stop_id": _categorical(stop, *stops),
        "arrival_s": joined("arrival_s", np.int64),
        "departure_s": joined("departure_s", np.int64),
        "interpolated": joined("interpolated", np.bool_),
    }, copy=False)


def read_feeds(conn: Connection, rows: list[FeedRow] | None = None) -> list[Feed]:
    """All stored feeds (or the given ones) as engine Feeds."""
    return [read_feed(conn, r) for r in (rows if rows is not None else list_feeds(conn))]
