"""Shared bench helpers: data paths, timing percentiles, peak memory and sample points."""

from __future__ import annotations

import datetime as dt
import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from app.routing.feed import Feed
from app.routing.gtfs_reader import read_gtfs
from app.routing.raptor import Router
from app.routing.timetable import Timetable, compile_timetable

MIDNOTTS_DAY = dt.date(2026, 11, 25)  # a Wednesday
MIDNOTTS_OUTWARDS = ("NG17", "NG18", "NG19", "NG20", "NG21", "NG22", "NG23", "NG24")


def geodata() -> Path:
    """GEODATA_DIR (default /work/shared/data)."""
    return Path(os.environ.get("GEODATA_DIR", "/work/shared/data"))


def midnotts_feed() -> Feed:
    """The synthetic Mid-Notts GTFS feed."""
    return read_gtfs(geodata() / "transport" / "midnotts_synthetic_gtfs.zip", name="midnotts")[0]


def poa_feed() -> Feed:
    """The Porto Alegre EPTC GTFS feed."""
    return read_gtfs(geodata() / "poa" / "poa_eptc.zip", name="poa")[0]


def compiled(feed: Feed, day: dt.date) -> Timetable:
    """Compile one feed for a day (no cache: benches measure from scratch)."""
    return compile_timetable([feed], day)


def midnotts_postcodes(n: int, seed: int = 1) -> np.ndarray:
    """n random Mid-Notts postcode centroids as an (n, 2) lat/lon array."""
    df = pd.read_csv(geodata() / "postcodes" / "codepoint_open_2014_ng_and_notts.csv",
                     usecols=["pcds", "lat", "lon"])
    df = df[df["pcds"].str.split(" ").str[0].isin(MIDNOTTS_OUTWARDS)].dropna()
    rows = df.sample(n=n, random_state=seed, replace=len(df) < n)
    return rows[["lat", "lon"]].to_numpy(dtype=float)


@dataclass
class Timing:
    """Wall times of repeated runs of one query kind."""

    name: str
    seconds: list[float]

    @property
    def p50_ms(self) -> float:
        """Median in milliseconds."""
        return float(np.percentile(self.seconds, 50) * 1000)

    @property
    def p95_ms(self) -> float:
        """95th percentile in milliseconds."""
        return float(np.percentile(self.seconds, 95) * 1000)

    def line(self) -> str:
        """One printed line."""
        return (f"{self.name:<48} n={len(self.seconds):>4}  p50 {self.p50_ms:9.2f} ms"
                f"  p95 {self.p95_ms:9.2f} ms")


def time_calls(name: str, fn: Callable[[int], object], n: int, warmup: int = 2) -> Timing:
    """Run fn(i) for i in range(n) after `warmup` untimed calls; return the timings."""
    for i in range(warmup):
        fn(i)
    out = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - t)
    return Timing(name, out)


def peak_rss_mb() -> float:
    """Peak resident memory of this process (and waited-for children), MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024.0


def router_for(tt: Timetable) -> Router:
    """An engine Router with the crow-fly walker."""
    return Router(tt)
