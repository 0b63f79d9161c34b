"""`ingest bootstrap` with no data: areas, timetable and activities; idempotent; replaceable."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from ingest.sample import sample_region, write_sample_files
from ingest.sample.activities import ACTIVITIES, VENUES, remove_sample_activities
from ingest.sample.timetable import remove_sample_timetable
from tests.ingest.helpers import fingerprint, run_cli
from tests.sample.conftest import bootstrap_env

SAMPLE_DATASETS = {"sample-region", "gtfs:sample-region", "sample-region-activities"}
LAYER_TABLES = ("gtfs_feed", "gtfs_stop", "gtfs_trip", "gtfs_stop_time", "gtfs_calendar",
                "service", "location", "schedule", "cost_option", "organization",
                "dataset_version", "lsoa21", "postcode", "bus_stop")


def snapshot(engine: Engine) -> dict[str, tuple[int, str | None]]:
    """Row count and md5 of every row of each layer table: equal means unchanged."""
    return fingerprint(engine, LAYER_TABLES)


def datasets(engine: Engine) -> set[str]:
    """Datasets with a provenance row."""
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT dataset FROM dataset_version")).scalars())


def test_bootstrap_loads_every_layer_once_and_gives_way_to_real_data(
        fresh_db: Engine, tmp_path: Path) -> None:
    env = bootstrap_env(tmp_path)
    first = run_cli(fresh_db, "bootstrap", "--quiet", env=env)
    assert first.returncode == 0, first.stderr
    n = snapshot(fresh_db)
    assert n["lsoa21"][0] == 12 and n["gtfs_feed"][0] == 1
    assert n["gtfs_stop"][0] == n["bus_stop"][0] == len(sample_region().stops)
    assert n["service"][0] == len(ACTIVITIES) and n["location"][0] == len(VENUES)
    assert datasets(fresh_db) == SAMPLE_DATASETS
    with fresh_db.connect() as conn:
        # Every venue was geocoded from its sample postcode; every stop matched to NaPTAN.
        assert conn.execute(text("SELECT count(*) FROM location WHERE geocoded_by = 'postcode'"
                                 )).scalar() == len(VENUES)
        assert conn.execute(text("SELECT count(*) FROM gtfs_stop WHERE naptan_atco IS NULL"
                                 )).scalar() == 0

    second = run_cli(fresh_db, "bootstrap", "--quiet", env=env)
    assert second.returncode == 0 and "nothing to do" in second.stderr
    assert snapshot(fresh_db) == n

    # A database bootstrapped before the timetable and activities existed gets them added.
    with fresh_db.begin() as conn:
        remove_sample_timetable(conn)
        remove_sample_activities(conn)
    assert datasets(fresh_db) == {"sample-region"}
    upgrade = run_cli(fresh_db, "bootstrap", "--quiet", env=env)
    assert upgrade.returncode == 0 and "added 2 missing" in upgrade.stderr, upgrade.stderr
    assert datasets(fresh_db) == SAMPLE_DATASETS
    assert run_cli(fresh_db, "bootstrap", "--quiet", env=env).stderr.count("nothing to do") == 1

    # Real data appears in GEODATA_DIR: every sample layer goes before it is loaded.
    write_sample_files(Path(env["GEODATA_DIR"]) / "real")
    third = run_cli(fresh_db, "bootstrap", "--quiet", env=env)
    assert third.returncode == 0, third.stderr
    assert "removing the fictional sample region" in third.stderr
    after = snapshot(fresh_db)
    for table in ("gtfs_feed", "gtfs_trip", "gtfs_stop_time", "service", "location",
                  "schedule", "cost_option", "organization"):
        assert after[table][0] == 0, table
    assert not datasets(fresh_db) & SAMPLE_DATASETS
    assert after["lsoa21"][0] == 12  # the "real" files (here the sample's own) loaded
