"""Load one GTFS feed: validate with the engine's reader, write a report file, store in PostGIS."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine

from app.routing.feed import Feed, FeedError, ValidationReport
from app.routing.gtfs_reader import read_gtfs
from ingest.areas.common import Region
from ingest.report import LoadRefused, LoadReport
from ingest.runner import Provenance, file_sha256, run_load
from ingest.transit.gtfs_region import Clip, clip_feed, describe, stops_inside
from ingest.transit.gtfs_store import store_feed


@dataclass
class GtfsLoadResult:
    """What a GTFS load did: the feed, its report file and the stored row counts."""

    feed: Feed
    report: ValidationReport
    report_path: Path
    feed_id: int
    counts: dict[str, int]
    load_report: LoadReport
    clip: Clip | None = None  # what --lad/--bbox kept, when given


def report_path(cache_dir: Path, name: str, version: str) -> Path:
    """`<cache_dir>/reports/<name>-<version>.txt`, with unsafe characters replaced."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{name}-{version}")
    return cache_dir / "reports" / f"{safe}.txt"


def write_report(path: Path, source: Path, report: ValidationReport, verdict: str) -> Path:
    """Write every error and warning, one per line, under a header with the verdict."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"GTFS validation report for {source.name}", verdict,
             f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)", ""]
    lines += [str(i) for i in report.errors] + [str(i) for i in report.warnings]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load_gtfs(engine: Engine, source: Path, cache_dir: Path, *, name: str | None = None,
              quiet: bool = False, region: Region | None = None) -> GtfsLoadResult:
    """Validate and load a GTFS zip or folder; errors refuse it and leave the database as it was.

    With an active `region`, only the part serving it is stored (see `gtfs_region`); the
    whole feed is still validated.
    """
    feed_name = name or _default_name(source)
    try:
        feed, report = read_gtfs(source, name=feed_name)
    except FeedError as exc:
        # The refusal carries the validation report (FeedRefusedError); other FeedErrors not.
        vr: ValidationReport = getattr(exc, "report", None) or ValidationReport()
        if not vr.issues:
            vr.error(source.name, None, None, str(exc))
        where = write_report(report_path(cache_dir, feed_name, "refused"), source, vr,
                             "REFUSED: nothing was loaded")
        first = vr.errors[0] if vr.errors else None
        reason = (f"{len(vr.errors)} validation error(s); first: {first}"
                  if first else "validation failed")
        raise LoadRefused(source, f"{reason}. Full report: {where}") from None

    rpath = write_report(report_path(cache_dir, feed.name, feed.version), source, report,
                         f"LOADED as feed {feed.name!r} version {feed.version!r}")
    sha = file_sha256(source)
    stored: dict[str, object] = {}

    def loader(conn: Connection, path: Path, lr: LoadReport) -> Provenance:
        part, clip = feed, None
        if region is not None and region.active:
            inside = stops_inside(conn, path, feed.stops, region)
            if not inside.any():
                raise LoadRefused(path, f"no stop of the feed is inside {describe(region)}; "
                                  "nothing was loaded")
            part, clip = clip_feed(feed, inside, describe(region))
        feed_id, counts = store_feed(conn, part, source=path, sha256=sha, report=report,
                                     clip=clip)
        stored.update(feed_id=feed_id, counts=counts, feed=part, clip=clip)
        lr.rows_read = lr.rows_loaded = sum(v for k, v in counts.items() if k != "naptan_matched")
        for w in report.warnings[:20]:
            lr.warn(str(w))
        if len(report.warnings) > 20:
            lr.warn(f"... and {len(report.warnings) - 20} more warnings in {rpath}")
        return _provenance(feed)

    lr = run_load(engine, f"gtfs:{feed.name}"[:64], source, loader, quiet=True)
    counts = stored["counts"]
    assert isinstance(counts, dict)
    part = stored["feed"]
    clip = stored["clip"]
    assert isinstance(part, Feed) and (clip is None or isinstance(clip, Clip))
    result = GtfsLoadResult(part, report, rpath, int(stored["feed_id"]),  # type: ignore[call-overload]
                            counts, lr, clip)
    if not quiet:
        print(summary(result))
    return result


def summary(r: GtfsLoadResult) -> str:
    """The lines printed after a load."""
    c = r.counts
    validity = r.feed.validity()
    valid = f"{validity[0]} to {validity[1]}" if validity else "no service dates"
    return "\n".join([
        f"gtfs {r.feed.name!r} version {r.feed.version!r} (valid {valid}) loaded in "
        f"{r.load_report.seconds:.1f} s:",
        f"  {c['stops']:,} stops ({c['naptan_matched']:,} matched to NaPTAN), "
        f"{c['routes']:,} routes, {c['trips']:,} trips, {c['stop_times']:,} stop_times, "
        f"{c['calendar']:,} calendar + {c['calendar_dates']:,} calendar_dates rows, "
        f"{c['frequencies']:,} frequencies",
        *([r.clip.line()] if r.clip is not None else []),
        f"  validation: {len(r.report.errors)} errors, {len(r.report.warnings)} warnings; "
        f"report {r.report_path}",
    ])


def _default_name(source: Path) -> str:
    """Feed name from the file or folder name (`poa_eptc.zip` -> `poa_eptc`)."""
    return source.stem if source.is_file() else source.name


def _provenance(feed: Feed) -> Provenance:
    """Publisher and attribution from feed_info and agency.txt."""
    publisher = ""
    if feed.feed_info is not None and "feed_publisher_name" in feed.feed_info.columns \
            and len(feed.feed_info):
        publisher = str(feed.feed_info["feed_publisher_name"].iloc[0])
    agencies = []
    if feed.agency is not None and "agency_name" in feed.agency.columns:
        agencies = [str(a) for a in feed.agency["agency_name"].tolist()]
    return Provenance(
        publisher=publisher or (agencies[0] if agencies else "unknown"),
        licence="as published with the feed",
        attribution="Timetable: " + ", ".join(agencies) if agencies else "Timetable data",
        vintage=feed.version[:64],
    )
