"""Plumbing shared by the area loaders: progress bars, row checking and COPY-based staging."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, text
from tqdm import tqdm

from app.errors import InvalidInput
from app.geo import parse_bbox
from ingest.areas.values import CellError
from ingest.csvfile import CsvRow
from ingest.report import LoadRefused, LoadReport
from ingest.runner import Provenance

T = TypeVar("T")

# Set by the CLI (--quiet); a context variable keeps the Loader signature of run_load unchanged.
QUIET: ContextVar[bool] = ContextVar("ingest_quiet", default=False)


@dataclass(frozen=True)
class Region:
    """Part of a national file to load (issue 14): districts and/or a lon/lat box."""

    lads: tuple[str, ...] = ()
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat

    @property
    def active(self) -> bool:
        """True when some filter is set."""
        return bool(self.lads) or self.bbox is not None


def bbox_argument(raw: str) -> tuple[float, float, float, float]:
    """`W,S,E,N` as four floats (an argparse type; the checks of the API's bbox)."""
    try:
        return parse_bbox(raw)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def add_region_arguments(p: argparse.ArgumentParser, lad_help: str) -> None:
    """--lad CODE (repeatable) and --bbox=W,S,E,N."""
    p.add_argument("--lad", action="append", default=[], metavar="CODE", help=lad_help)
    p.add_argument("--bbox", type=bbox_argument, default=None, metavar="W,S,E,N",
                   help="load only rows inside this WGS84 box (min lon,min lat,max lon,max lat); "
                        "write --bbox=W,S,E,N when W is negative")


def region_of(args: argparse.Namespace) -> Region:
    """The Region of parsed --lad/--bbox arguments."""
    return Region(tuple(c.strip().upper() for c in args.lad or []), args.bbox)


# Set by the CLI (--lad, --bbox) for the postcode and NaPTAN loaders.
REGION: ContextVar[Region | None] = ContextVar("ingest_region", default=None)


def keep_region(conn: Connection, table: str, report: LoadReport, *, lad_column: str | None
                ) -> int:
    """Delete staged rows (lon/lat columns) outside REGION; warn with the count; return it.

    Districts match the staged `lad_column` when given, else the point must fall in an
    LSOA 2021 or district boundary of those districts (so those must be loaded first).
    `table` and `lad_column` are constants of the loaders, never user input.
    """
    region = REGION.get() or Region()
    if not region.active:
        return 0
    n = 0
    if region.bbox is not None:
        a, b, c, d = region.bbox
        n += int(conn.execute(text(
            f"DELETE FROM {table} WHERE NOT (lon BETWEEN :a AND :c AND lat BETWEEN :b AND :d)"  # noqa: S608
            " OR lon IS NULL OR lat IS NULL"),
            {"a": a, "b": b, "c": c, "d": d}).rowcount or 0)
    if region.lads:
        lads = list(region.lads)
        if lad_column is not None:
            sql = (f"DELETE FROM {table} WHERE {lad_column} IS NULL"  # noqa: S608
                   f" OR NOT ({lad_column} = ANY(:l))")
        else:
            known = conn.execute(text(
                "SELECT count(*) FROM (SELECT 1 FROM lad WHERE code = ANY(:l) UNION ALL"
                " SELECT 1 FROM lsoa21 WHERE lad_code = ANY(:l)) x"), {"l": lads}).scalar_one()
            if not known:
                raise LoadRefused(Path(table), "--lad needs the district or LSOA 2021 "
                                  "boundaries of those districts loaded first")
            sql = (f"DELETE FROM {table} s WHERE NOT EXISTS (SELECT 1 FROM lsoa21 l"  # noqa: S608
                   " WHERE l.lad_code = ANY(:l) AND ST_Intersects(l.geom,"
                   " ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326))) AND NOT EXISTS (SELECT 1"
                   " FROM lad WHERE lad.code = ANY(:l) AND ST_Intersects(lad.geom,"
                   " ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326)))")
        n += int(conn.execute(text(sql), {"l": lads}).rowcount or 0)
    if n:
        report.warn(f"{n:,} rows outside the region (--lad/--bbox) were not loaded")
        report.rows_loaded = max(0, report.rows_loaded - n)
    return n

ONS_ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right {year}."
)


def ons(vintage: str, year: str) -> Provenance:
    """Provenance of an ONS product (boundaries, lookups, census)."""
    return Provenance("Office for National Statistics", "Open Government Licence v3.0",
                      ONS_ATTRIBUTION.format(year=year), vintage)


def progress(items: Iterable[T], desc: str, total: int | None = None) -> Iterator[T]:
    """Wrap an iterable in a tqdm bar on stderr, silent with --quiet."""
    yield from tqdm(items, desc=desc, total=total, unit=" rows", file=sys.stderr,
                    disable=QUIET.get(), leave=False, mininterval=0.5)


def count_lines(path: Path) -> int | None:
    """Physical lines in a plain file (cheap), used as the progress bar total."""
    if path.suffix.lower() == ".zip":
        return None
    with open(path, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


def checked_rows(rows: Iterable[CsvRow], report: LoadReport,
                 parse: Callable[[dict[str, str]], T], *, desc: str, total: int | None = None,
                 key: Callable[[T], Any] | None = None, key_column: str | None = None,
                 ) -> Iterator[tuple[int, T]]:
    """Parse each CSV row; bad rows become rejections with file, line and column.

    With `key`, a second row with the same key is rejected too (naming the first one's line):
    the upsert could not apply both, and silently keeping one would hide a bad file.
    """
    seen: dict[Any, int] = {}
    for row in progress(rows, desc, total):
        report.rows_read += 1
        if row.error:
            report.reject(row.line, None, row.error)
            continue
        try:
            parsed = parse(row.values)
        except CellError as bad:
            report.reject(row.line, bad.column, bad.reason)
            continue
        if key is not None and parsed is not None:
            k = key(parsed)
            first = seen.setdefault(k, row.line)
            if first != row.line:
                report.reject(row.line, key_column, f"duplicate {k!r} (first on line {first})")
                continue
        yield row.line, parsed


def counted(rows: Iterable[tuple[int, T]], report: LoadReport) -> Iterator[T]:
    """Drop the line numbers and count each row that reaches the database."""
    for _line, row in rows:
        report.rows_loaded += 1
        yield row


def stage(conn: Connection, name: str, columns: Sequence[tuple[str, str]],
          rows: Iterable[Sequence[Any]]) -> int:
    """COPY rows into a fresh temporary table `name` (dropped at commit); return the count.

    `name` and the column definitions are constants in the loaders, never user input.
    """
    conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
    defs = ", ".join(f"{col} {sqltype}" for col, sqltype in columns)
    conn.execute(text(f"CREATE TEMP TABLE {name} ({defs}) ON COMMIT DROP"))
    raw = conn.connection.driver_connection
    if raw is None:  # pragma: no cover - only with a closed connection
        raise RuntimeError("no database connection")
    n = 0
    with raw.cursor() as cur:
        cols = ", ".join(col for col, _ in columns)
        with cur.copy(f"COPY {name} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
    return n


def upsert(conn: Connection, target: str, select: dict[str, str], source: str,
           key: Sequence[str], *, update: Sequence[str] | None = None) -> int:
    """INSERT target (cols) SELECT exprs FROM source ON CONFLICT (key) DO UPDATE; row count.

    `update` lists the columns to overwrite on conflict (default: every non-key column), so
    a file that lacks some columns leaves the existing values of those columns alone.
    """
    cols = list(select)
    exprs = ", ".join(select[c] for c in cols)
    to_update = [c for c in (update if update is not None else cols) if c not in key]
    action = ("DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in to_update)
              if to_update else "DO NOTHING")
    sql = (f"INSERT INTO {target} ({', '.join(cols)}) SELECT {exprs} FROM {source} "  # noqa: S608
           f"ON CONFLICT ({', '.join(key)}) {action}")
    return int(conn.execute(text(sql)).rowcount or 0)


def refuse_if_nothing(path: Path, report: LoadReport, what: str) -> None:
    """A file with rows but none usable is refused rather than 'loaded' with zero rows."""
    if report.rows_read == 0:
        raise LoadRefused(path, f"the file has a header but no {what} rows")
    if report.rows_loaded == 0 and report.rejected:
        first = report.rejected[0]
        raise LoadRefused(path, f"every row was rejected; first: {first.reason}",
                          line=first.line, column=first.column)
