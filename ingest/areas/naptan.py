"""NaPTAN stop points (`Stops.csv`, the official column layout) -> `bus_stop`.

Required columns: ATCOCode, CommonName, StopType, Status and either Longitude/Latitude or
Easting/Northing (converted from British National Grid when the WGS84 pair is empty).
Older NaPTAN status codes (act, del, pen) are stored as active, inactive and pending.

Idempotent by upsert on the ATCO code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from app.geo import in_gb
from ingest.areas.bng import MAX_EASTING, MAX_NORTHING, to_lonlat
from ingest.areas.common import (
    checked_rows,
    count_lines,
    keep_region,
    refuse_if_nothing,
    stage,
)
from ingest.areas.values import CellError, number, text_value
from ingest.csvfile import header_of, read_csv
from ingest.report import LoadRefused, LoadReport
from ingest.runner import Provenance

REQUIRED = ("ATCOCode", "CommonName", "StopType", "Status")
_ATCO = re.compile(r"^[0-9]{3}[0-9A-Z]{1,9}$")
_NAPTAN_CODE = re.compile(r"^[0-9A-Za-z]{1,12}$")
_STATUS = {"active": "active", "act": "active", "inactive": "inactive", "del": "inactive",
           "pending": "pending", "pen": "pending"}


def sniff(path: Path) -> bool:
    """Cheap header-only detection for `ingest all`."""
    columns = header_of(path)
    return all(c in columns for c in REQUIRED) and (
        {"Longitude", "Latitude"} <= set(columns) or {"Easting", "Northing"} <= set(columns))


@dataclass
class _Stop:
    values: tuple[str | None, ...]  # atco .. status, as stored
    lon: float | None
    lat: float | None
    east: float | None
    north: float | None


def load_naptan(conn: Connection, path: Path, report: LoadReport) -> Provenance:
    """Load NaPTAN stops, converting BNG coordinates where WGS84 ones are missing."""
    columns, rows = read_csv(path, REQUIRED)
    has_wgs = {"Longitude", "Latitude"} <= set(columns)
    has_bng = {"Easting", "Northing"} <= set(columns)
    if not (has_wgs or has_bng):
        raise LoadRefused(path, "missing required columns: 'Longitude' and 'Latitude' (or "
                          "'Easting' and 'Northing')")
    col = {c: (c if c in columns else None) for c in (
        "NaptanCode", "Indicator", "Street", "LocalityName", "Bearing", "BusStopType")}

    def parse(v: dict[str, str]) -> _Stop:
        atco = v["ATCOCode"].strip().upper()
        if not _ATCO.match(atco):
            raise CellError("ATCOCode", f"{atco!r} is not an ATCO code")
        naptan = text_value(v, col["NaptanCode"], max_len=12)
        if naptan and not _NAPTAN_CODE.match(naptan):
            raise CellError("NaptanCode", f"{naptan!r} is not a NaPTAN code")
        status = _STATUS.get(v["Status"].strip().lower())
        if status is None:
            raise CellError("Status", f"{v['Status']!r} is not a NaPTAN status")
        stop_type = text_value(v, "StopType", max_len=4, optional=False)
        lon = number(v, "Longitude", optional=True) if has_wgs else None
        lat = number(v, "Latitude", optional=True) if has_wgs else None
        east = number(v, "Easting", optional=True) if has_bng else None
        north = number(v, "Northing", optional=True) if has_bng else None
        if lon is not None and lat is not None:
            if not in_gb(lat, lon):
                raise CellError("Latitude", f"{lat:g},{lon:g} is outside Great Britain")
        elif east and north:
            if not (0 < east <= MAX_EASTING and 0 < north <= MAX_NORTHING):
                raise CellError("Easting", "easting/northing outside the National Grid")
        else:
            raise CellError("Longitude", "no coordinates (Longitude/Latitude or "
                            "Easting/Northing)")
        values = (atco, naptan, text_value(v, "CommonName", max_len=120, optional=False),
                  text_value(v, col["Indicator"], max_len=64),
                  text_value(v, col["Street"], max_len=120),
                  text_value(v, col["LocalityName"], max_len=120),
                  text_value(v, col["Bearing"], max_len=4), stop_type,
                  text_value(v, col["BusStopType"], max_len=4), status)
        return _Stop(values, lon, lat, east, north)

    checked = (s for _, s in checked_rows(rows, report, parse, desc="naptan",
                                         total=count_lines(path), key=lambda s: s.values[0],
                                         key_column="ATCOCode"))
    converted = [0]
    # Rows stream into the staging table in batches (BNG converted per batch).
    report.rows_loaded = stage(conn, "stage_naptan", [
        ("atco_code", "text"), ("naptan_code", "text"), ("name", "text"), ("indicator", "text"),
        ("street", "text"), ("locality", "text"), ("bearing", "text"), ("stop_type", "text"),
        ("bus_stop_type", "text"), ("status", "text"), ("lon", "float8"), ("lat", "float8")],
        _rows(checked, converted))
    if converted[0]:
        report.warn(f"{converted[0]:,} stops had no Longitude/Latitude; converted from "
                    "Easting/Northing")
    keep_region(conn, "stage_naptan", report, lad_column=None)
    conn.execute(text("""
        INSERT INTO bus_stop (atco_code, naptan_code, name, indicator, street, locality, bearing,
                              stop_type, bus_stop_type, status, geom)
        SELECT atco_code, naptan_code, name, indicator, street, locality, bearing, stop_type,
               bus_stop_type, status, ST_SetSRID(ST_MakePoint(lon, lat), 4326) FROM stage_naptan
        ON CONFLICT (atco_code) DO UPDATE SET naptan_code = EXCLUDED.naptan_code,
          name = EXCLUDED.name, indicator = EXCLUDED.indicator, street = EXCLUDED.street,
          locality = EXCLUDED.locality, bearing = EXCLUDED.bearing,
          stop_type = EXCLUDED.stop_type, bus_stop_type = EXCLUDED.bus_stop_type,
          status = EXCLUDED.status, geom = EXCLUDED.geom"""))
    refuse_if_nothing(path, report, "stop")
    return Provenance(
        "Department for Transport (NaPTAN)", "Open Government Licence v3.0",
        "Contains public sector information licensed under the Open Government Licence v3.0 "
        "(Department for Transport, NaPTAN).", "NaPTAN Stops.csv")


def _fill_from_bng(stops: list[_Stop]) -> int:
    """Convert the stops without WGS84 coordinates in one vectorised pyproj call; count."""
    todo = [s for s in stops if s.lon is None or s.lat is None]
    if not todo:
        return 0
    lon, lat = to_lonlat(np.array([s.east for s in todo]), np.array([s.north for s in todo]))
    for s, x, y in zip(todo, lon.tolist(), lat.tolist(), strict=True):
        s.lon, s.lat = x, y
    return len(todo)


def _rows(stops: Iterator[_Stop], converted: list[int], batch: int = 100_000
          ) -> Iterator[tuple[Any, ...]]:
    chunk: list[_Stop] = []
    for s in stops:
        chunk.append(s)
        if len(chunk) >= batch:
            converted[0] += _fill_from_bng(chunk)
            for c in chunk:
                yield (*c.values, c.lon, c.lat)
            chunk = []
    converted[0] += _fill_from_bng(chunk)
    for c in chunk:
        yield (*c.values, c.lon, c.lat)
