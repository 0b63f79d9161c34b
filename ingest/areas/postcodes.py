"""OS Code-Point Open postcodes (and ONSPD/NSPL-like files) -> `postcode`.

Code-Point Open CSVs are published WITHOUT a header row, 10 columns: Postcode,
Positional_quality_indicator, Eastings, Northings, Country_code, NHS_regional_HA_code,
NHS_HA_code, Admin_county_code, Admin_district_code, Admin_ward_code. A header row is also
accepted (the shared extract has one, with extra columns), as are ONSPD-style names (pcd,
oseast1m, osnrth1m, oslaua, osward, lsoa21, lsoa11, doterm).

Eastings/northings are converted to WGS84 with pyproj in one vectorised call. Rows without
coordinates (positional quality 90) and terminated postcodes are skipped and counted.

Areas: a column that states a current area (lsoa21..., lsoa11..., wd24..., the district code)
is used as given. Anything missing is computed by point-in-polygon against the loaded
boundaries in set-based SQL on the staged rows, in the same transaction, before the upsert;
the ward and district then fall back to the LSOA 2021 best-fit lookup. Code-Point's
Admin_ward_code is a ward of the file's own vintage, so it is used only if that ward is
among the loaded (current) wards.

Idempotent by upsert on the compact postcode.
"""

from __future__ import annotations

import csv
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, text

from ingest.areas.bng import MAX_EASTING, MAX_NORTHING, to_lonlat
from ingest.areas.common import (
    checked_rows,
    count_lines,
    keep_region,
    refuse_if_nothing,
    stage,
)
from ingest.areas.values import CellError, find_column, integer, number, optional_code
from ingest.csvfile import read_csv
from ingest.report import LoadRefused, LoadReport
from ingest.runner import Provenance

OFFICIAL_COLUMNS = (
    "Postcode", "Positional_quality_indicator", "Eastings", "Northings", "Country_code",
    "NHS_regional_HA_code", "NHS_HA_code", "Admin_county_code", "Admin_district_code",
    "Admin_ward_code",
)
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
_ALIASES: dict[str, tuple[str, ...]] = {
    "postcode": (r"postcode", r"pc", r"pcd", r"pcds", r"pcd2", r"pcd7", r"pcd8"),
    "quality": (r"positionalqualityindicator", r"positionalquality", r"pq", r"osgrdind"),
    "easting": (r"eastings?", r"ea", r"oseast1m"),
    "northing": (r"northings?", r"no", r"osnrth1m"),
    "district": (r"admindistrictcode", r"dc", r"oslaua", r"laua", r"lad\d\dcd(derived)?"),
    "ward_any": (r"adminwardcode", r"wc"),
    "ward": (r"wd\d\dcd(derived)?", r"wd\d\dcode", r"osward"),
    "lsoa21": (r"lsoa21cd(derived)?", r"lsoa21code", r"lsoa21"),
    "lsoa11": (r"lsoa11cd(derived)?", r"lsoa11code", r"lsoa11"),
    "terminated": (r"doterm",),
}


@dataclass
class PostcodeLayout:
    """Which column holds what in one postcode file (None where absent)."""

    header: list[str] | None  # names to use for a headerless file
    cols: dict[str, str | None] = field(default_factory=dict)


def _first_record(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        return next(csv.reader([fh.readline()]), [])


def detect_layout(first: list[str]) -> PostcodeLayout | None:
    """Recognise Code-Point (headerless or not) or an ONSPD-like header; None otherwise."""
    if len(first) == len(OFFICIAL_COLUMNS) and POSTCODE.match(_compact(first[0])) and \
            first[2].strip().isdigit() and first[3].strip().isdigit():
        columns: list[str] = list(OFFICIAL_COLUMNS)
        header: list[str] | None = columns
    else:
        columns, header = [c.strip() for c in first], None
    cols = {key: find_column(columns, *pats) for key, pats in _ALIASES.items()}
    if cols["postcode"] is None or cols["easting"] is None or cols["northing"] is None:
        return None
    # Plenty of files have a postcode and coordinates (schools, GP lists); a postcode
    # directory also has a positional-quality, district or termination-date column.
    if header is None and not (cols["quality"] or cols["district"] or cols["terminated"]):
        return None
    return PostcodeLayout(header, cols)


def sniff(path: Path) -> bool:
    """Cheap detection for `ingest all`: a CSV (or OS's ZIP of CSVs) of postcode rows."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _sniff_zip(path)
    if suffix not in (".csv", ".txt"):
        return False
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        return _looks_like_postcodes([fh.readline(), fh.readline()])


def _looks_like_postcodes(lines: list[str]) -> bool:
    records = [next(csv.reader([ln]), []) for ln in lines if ln.strip()]
    if not records:
        return False
    layout = detect_layout(records[0])
    if layout is None:
        return False
    if layout.header is not None:
        return True
    # With a header, the first data row must hold a postcode (OS's column-header file in
    # Doc/ has the same header but only a row of long names).
    col = layout.cols["postcode"]
    if len(records) < 2 or col is None:
        return False
    row = dict(zip(records[0], records[1], strict=False))
    return bool(POSTCODE.match(_compact(row.get(col, ""))))


def _sniff_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.lower().endswith(".csv")
                     and "/doc/" not in f"/{n.lower()}"]
            if not names:
                return False
            with zf.open(sorted(names)[0]) as fh:
                head = fh.read(4096).decode("utf-8-sig", errors="replace").splitlines()[:2]
    except (zipfile.BadZipFile, EOFError, OSError):
        return False
    return _looks_like_postcodes(head)


def _compact(raw: str) -> str:
    return re.sub(r"\s+", "", raw).upper()


@dataclass
class _Parsed:
    pcd: str
    quality: int | None
    east: float
    north: float
    codes: tuple[str | None, ...]  # lsoa21, lsoa11, ward, ward_any, district


def _parse_file(path: Path, report: LoadReport, skipped: dict[str, int]) -> Iterator[_Parsed]:
    """Validate one CSV and yield its usable rows as it reads (rejections go to `report`)."""
    if path.stat().st_size == 0:
        raise LoadRefused(path, "the file is empty")
    layout = detect_layout(_first_record(path))
    if layout is None:
        raise LoadRefused(path, "not a Code-Point Open file: expected 10 columns without a "
                          "header (Postcode, Positional_quality_indicator, Eastings, Northings, "
                          "...) or a header with postcode, easting and northing columns")
    c = layout.cols
    _, rows = read_csv(path, header=layout.header)

    def parse(v: dict[str, str]) -> _Parsed | None:
        pcd = _compact(v[c["postcode"] or ""])
        if not POSTCODE.match(pcd):
            raise CellError(c["postcode"], f"{v[c['postcode'] or '']!r} is not a UK postcode")
        if c["terminated"] and v[c["terminated"]].strip():
            skipped["terminated"] += 1
            return None
        quality = integer(v, c["quality"], lo=0, hi=100, optional=True) if c["quality"] else None
        east = number(v, c["easting"] or "", optional=True)
        north = number(v, c["northing"] or "", optional=True)
        if quality == 90 or not east or not north:
            skipped["no coordinates"] += 1
            return None
        if not (0 < east <= MAX_EASTING):
            raise CellError(c["easting"], f"easting {east:g} is outside the National Grid")
        if not (0 < north <= MAX_NORTHING):
            raise CellError(c["northing"], f"northing {north:g} is outside the National Grid")
        codes = (optional_code(v, c["lsoa21"], "lsoa"), optional_code(v, c["lsoa11"], "lsoa"),
                 optional_code(v, c["ward"], "ward"), _lenient(v, c["ward_any"], "ward"),
                 optional_code(v, c["district"], "lad"))
        return _Parsed(pcd, quality, east, north, codes)

    checked = checked_rows(rows, report, parse, desc=f"postcodes {path.name}",
                           total=count_lines(path), key=lambda p: p.pcd if p else None,
                           key_column=c["postcode"])
    return (p for _, p in checked if p is not None)


def _zip_members(path: Path, folder: Path) -> list[Path]:
    """Extract the data CSVs of a Code-Point Open ZIP (Data/CSV/*.csv), refusing a bad ZIP."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.lower().endswith(".csv")
                     and "/doc/" not in f"/{n.lower()}"]
            if not names:
                raise LoadRefused(path, "no postcode CSV files inside the ZIP")
            out = []
            for i, name in enumerate(sorted(names)):
                (folder / f"{i:04d}").mkdir()
                target = folder / f"{i:04d}" / Path(name).name
                target.write_bytes(zf.read(name))
                out.append(target)
            return out
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise LoadRefused(path, f"the ZIP archive is truncated or corrupt ({exc})") from None


def _first_of_each(parsed: Iterable[_Parsed], seen: set[str], report: LoadReport
                   ) -> Iterator[_Parsed]:
    """Drop repeats across a ZIP's files (the upsert could not apply both)."""
    for p in parsed:
        if p.pcd in seen:
            report.reject(None, "Postcode", f"duplicate {p.pcd!r} in another file of the ZIP")
            continue
        seen.add(p.pcd)
        yield p


def load_postcodes(conn: Connection, path: Path, report: LoadReport) -> Provenance:
    """Load a postcode directory (a CSV, or OS's ZIP of per-area CSVs) with derived areas.

    Rows stream from each file into the staging table in batches, so memory holds one batch
    (and the set of postcodes seen, to refuse repeats), never a national file.
    """
    skipped = {"no coordinates": 0, "terminated": 0}
    _stage_create(conn)
    if path.suffix.lower() != ".zip":
        report.rows_loaded = _stage_rows(conn, _parse_file(path, report, skipped))
    else:
        seen: set[str] = set()
        with tempfile.TemporaryDirectory(prefix="codepoint-") as tmp:
            for member in _zip_members(path, Path(tmp)):
                # A sub-report per member so rejections name the CSV inside the ZIP.
                sub = LoadReport(report.dataset, str(member))
                rows = _first_of_each(_parse_file(member, sub, skipped), seen, report)
                report.rows_loaded += _stage_rows(conn, rows)
                report.rows_read += sub.rows_read
                report.rejected.extend(sub.rejected)
                member.unlink()  # extracted copies go as soon as they are read
    for reason, n in skipped.items():
        if n:
            report.warn(f"skipped {n:,} postcodes: {reason}")
    if report.rows_loaded:
        _stage_index(conn)
        for line in _derive_areas(conn):
            report.warn(line)
        keep_region(conn, "stage_postcode", report, lad_column="lad")
        _upsert(conn)
    refuse_if_nothing(path, report, "postcode")
    return Provenance(
        "Ordnance Survey (Code-Point Open)", "OS OpenData licence (Open Government Licence v3.0)",
        "Contains OS data © Crown copyright and database right. Contains Royal Mail data © "
        "Royal Mail copyright and database right. Contains National Statistics data © Crown "
        "copyright and database right.", "Code-Point Open")


def _lenient(v: dict[str, str], column: str | None, kind: str) -> str | None:
    """A code that is only a hint: malformed values are ignored rather than rejected."""
    try:
        return optional_code(v, column, kind)
    except CellError:
        return None


_STAGE_COLUMNS = [
    ("pcd", "text"), ("pcds", "text"), ("outward", "text"), ("quality", "int"),
    ("lon", "float8"), ("lat", "float8"), ("lsoa21", "text"), ("lsoa11", "text"),
    ("ward", "text"), ("ward_any", "text"), ("lad", "text")]
BATCH = 100_000


def _stage_create(conn: Connection) -> None:
    stage(conn, "stage_postcode", _STAGE_COLUMNS, [])


def _stage_rows(conn: Connection, parsed: Iterable[_Parsed]) -> int:
    """COPY parsed rows into stage_postcode batch by batch (BNG -> WGS84 per batch)."""
    raw = conn.connection.driver_connection
    assert raw is not None
    cols = ", ".join(c for c, _ in _STAGE_COLUMNS)
    n = 0
    for batch in _batches(parsed, BATCH):
        lon, lat = to_lonlat([p.east for p in batch], [p.north for p in batch])
        with raw.cursor() as cur, cur.copy(f"COPY stage_postcode ({cols}) FROM STDIN") as copy:
            for p, x, y in zip(batch, lon.tolist(), lat.tolist(), strict=True):
                copy.write_row((p.pcd, f"{p.pcd[:-3]} {p.pcd[-3:]}", p.pcd[:-3], p.quality, x, y,
                                *p.codes))
        n += len(batch)
    return n


def _batches(items: Iterable[_Parsed], size: int) -> Iterator[list[_Parsed]]:
    batch: list[_Parsed] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _stage_index(conn: Connection) -> None:
    conn.execute(text("ALTER TABLE stage_postcode ADD COLUMN geom geometry(Point, 4326)"))
    conn.execute(text("UPDATE stage_postcode SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326)"))
    conn.execute(text("CREATE INDEX ON stage_postcode (pcd)"))
    conn.execute(text("CREATE INDEX ON stage_postcode USING gist (geom)"))
    conn.execute(text("ANALYZE stage_postcode"))


# Target column on the staging table -> boundary table used for point-in-polygon.
_PIP = (("lsoa21", "lsoa21"), ("lsoa11", "lsoa11"), ("ward", "ward"), ("lad", "lad"))


def _derive_areas(conn: Connection) -> list[str]:
    """Fill missing areas on the staged rows: PIP first, then the best-fit lookup."""
    notes = []
    conn.execute(text("""
        UPDATE stage_postcode s SET ward = s.ward_any FROM ward w
        WHERE s.ward IS NULL AND w.code = s.ward_any"""))
    for column, table in _PIP:
        # DISTINCT ON picks one area deterministically for a point on a shared edge.
        n = conn.execute(text(f"""
            UPDATE stage_postcode s SET {column} = m.code
            FROM (SELECT DISTINCT ON (s2.pcd) s2.pcd, b.code
                  FROM stage_postcode s2 JOIN {table} b ON ST_Intersects(b.geom, s2.geom)
                  WHERE s2.{column} IS NULL ORDER BY s2.pcd, b.code) m
            WHERE s.pcd = m.pcd""")).rowcount  # noqa: S608 (constant identifiers)
        if n:
            notes.append(f"{n:,} postcodes got their {table} by point-in-polygon")
    n = conn.execute(text("""
        UPDATE stage_postcode s SET ward = coalesce(s.ward, k.ward_code),
                                   lad = coalesce(s.lad, k.lad_code)
        FROM lsoa_lookup k WHERE k.lsoa21_code = s.lsoa21 AND (s.ward IS NULL OR s.lad IS NULL)
    """)).rowcount
    if n:
        notes.append(f"{n:,} postcodes got their ward or district from the LSOA lookup")
    outside = conn.execute(text("SELECT count(*) FROM stage_postcode WHERE lsoa21 IS NULL")
                           ).scalar_one()
    if outside:
        notes.append(f"{outside:,} postcodes are outside the loaded LSOA 2021 boundaries")
    return notes


def _upsert(conn: Connection) -> None:
    conn.execute(text("""
        INSERT INTO postcode (pcd, pcds, outward, positional_quality, lsoa21_code, lsoa11_code,
                              ward_code, lad_code, geom)
        SELECT pcd, pcds, outward, quality, lsoa21, lsoa11, ward, lad, geom FROM stage_postcode
        ON CONFLICT (pcd) DO UPDATE SET pcds = EXCLUDED.pcds, outward = EXCLUDED.outward,
          positional_quality = EXCLUDED.positional_quality,
          lsoa21_code = EXCLUDED.lsoa21_code, lsoa11_code = EXCLUDED.lsoa11_code,
          ward_code = EXCLUDED.ward_code, lad_code = EXCLUDED.lad_code, geom = EXCLUDED.geom"""))
