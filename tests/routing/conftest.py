"""Shared fixtures: the two real feeds, read once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.routing.feed import Feed
from app.routing.gtfs_reader import read_gtfs


def geodata_dir() -> Path:
    """GEODATA_DIR or /work/shared/data; a missing directory is a hard failure, never a skip."""
    path = Path(os.environ.get("GEODATA_DIR", "/work/shared/data"))
    if not path.is_dir():
        raise RuntimeError(f"GEODATA_DIR {path} does not exist: routing tests need the data")
    return path


@pytest.fixture(scope="session")
def midnotts_path() -> Path:
    """Path of the synthetic Mid-Notts GTFS zip."""
    p = geodata_dir() / "transport" / "midnotts_synthetic_gtfs.zip"
    assert p.is_file(), f"missing {p}"
    return p


@pytest.fixture(scope="session")
def poa_path() -> Path:
    """Path of the Porto Alegre EPTC GTFS zip."""
    p = geodata_dir() / "poa" / "poa_eptc.zip"
    assert p.is_file(), f"missing {p}"
    return p


@pytest.fixture(scope="session")
def midnotts_feed(midnotts_path: Path) -> Feed:
    """The synthetic Mid-Notts feed."""
    return read_gtfs(midnotts_path, name="midnotts")[0]


@pytest.fixture(scope="session")
def poa_feed(poa_path: Path) -> Feed:
    """The Porto Alegre feed."""
    return read_gtfs(poa_path, name="poa")[0]
