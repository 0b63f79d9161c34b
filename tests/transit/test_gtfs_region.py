"""`ingest gtfs --lad/--bbox` on the real Mid-Notts feed: Mansfield's part, whole trips kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, text

from app.routing.gtfs_reader import read_gtfs
from app.routing.timetable import compile_timetable
from app.services.transit.feeds import list_feeds, read_feed
from ingest.areas.common import Region
from ingest.registry import load_file
from ingest.report import LoadRefused
from ingest.transit.gtfs_load import load_gtfs
from tests.transit.conftest import table_counts
from tests.transit.region_checks import check_regional_part

MANSFIELD = "E07000174"
DAY = dt.date(2026, 3, 4)  # a Wednesday in the feed's validity


def _inside_district(engine: Engine, lad: str, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """PostGIS's own answer, point by point (independent of the loader's shapely test)."""
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT coalesce(ST_Intersects(l.geom, ST_SetSRID(ST_MakePoint(u.x, u.y), 4326)),"
            " false) FROM unnest(CAST(:xs AS float8[]), CAST(:ys AS float8[])) WITH ORDINALITY"
            " AS u(x, y, i) LEFT JOIN lad l ON l.code = :c ORDER BY u.i"),
            {"xs": lon.tolist(), "ys": lat.tolist(), "c": lad}).scalars().all()
    return np.asarray(rows, dtype=bool)


@pytest.mark.realdata
def test_mansfield_part_of_the_mid_notts_feed(fresh_db: Engine, geodata: Path,
                                              tmp_path: Path) -> None:
    zip_path = geodata / "transport" / "midnotts_synthetic_gtfs.zip"
    load_file(fresh_db, "boundaries", geodata / "boundaries" / "lad24_notts_bsc.geojson",
              quiet=True)
    full, _ = read_gtfs(zip_path, name="mansfield")
    inside = _inside_district(fresh_db, MANSFIELD, full.stops["lon"].to_numpy(),
                              full.stops["lat"].to_numpy())
    assert 0 < inside.sum() < len(inside)

    res = load_gtfs(fresh_db, zip_path, tmp_path, name="mansfield", quiet=True,
                    region=Region((MANSFIELD,)))
    check_regional_part(full, res.feed, inside)
    assert res.clip is not None and res.clip.crossing > 0  # some trips run on beyond Mansfield
    assert res.clip.trips[0] < len(full.trips)
    assert res.counts["stop_times"] == len(res.feed.stop_times) < len(full.stop_times)

    # What the app reads back is the regional feed, and it compiles to the same timetable.
    with fresh_db.connect() as conn:
        row = next(r for r in list_feeds(conn) if r.name == "mansfield")
        stored = read_feed(conn, row)
        report = conn.execute(text("SELECT report -> 'region' ->> 'region' FROM gtfs_feed"
                                   " WHERE name = 'mansfield'")).scalar_one()
    assert report == MANSFIELD
    check_regional_part(full, stored, inside)
    a = compile_timetable([stored], DAY).to_arrays()
    b = compile_timetable([res.feed], DAY).to_arrays()
    assert a.keys() == b.keys()
    for k in a:
        if isinstance(a[k], np.ndarray):
            assert np.array_equal(a[k], b[k]), k

    # Loading the same part again changes nothing; a bad district changes nothing either.
    before = table_counts(fresh_db)
    load_gtfs(fresh_db, zip_path, tmp_path, name="mansfield", quiet=True,
              region=Region((MANSFIELD,)))
    assert table_counts(fresh_db) == before
    with pytest.raises(LoadRefused, match="E09999999"):
        load_gtfs(fresh_db, zip_path, tmp_path, name="mansfield", quiet=True,
                  region=Region(("E09999999",)))
    with pytest.raises(LoadRefused, match="no stop of the feed is inside"):
        load_gtfs(fresh_db, zip_path, tmp_path, name="mansfield", quiet=True,
                  region=Region((), (0.0, 0.0, 1.0, 1.0)))
    assert table_counts(fresh_db) == before


@pytest.mark.realdata
def test_bbox_part_needs_no_boundaries(fresh_db: Engine, geodata: Path, tmp_path: Path) -> None:
    zip_path = geodata / "transport" / "midnotts_synthetic_gtfs.zip"
    full, _ = read_gtfs(zip_path, name="box")
    lon, lat = full.stops["lon"].to_numpy(), full.stops["lat"].to_numpy()
    box = (float(np.median(lon)), float(lat.min()), float(lon.max()), float(np.median(lat)))
    inside = (lon >= box[0]) & (lon <= box[2]) & (lat >= box[1]) & (lat <= box[3])
    res = load_gtfs(fresh_db, zip_path, tmp_path, name="box", quiet=True,
                    region=Region((), box))
    check_regional_part(full, res.feed, inside)
