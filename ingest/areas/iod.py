"""English Indices of Deprivation: IoD2025 File 7 and IoD2019 Files 1, 2, 5 and 7, plus the
IoD2019 sub-domain extract (`lsoa11_code, X_decile, X_rank`).

The edition comes from the LSOA column header, never the file name: 'LSOA code (2021)' (or
`lsoa21_code`) is IoD2025, 'LSOA code (2011)' (or `lsoa11_code`) is IoD2019. Each
'<label> Score|Rank|Decile ...' column maps to a measure of `app.iod.MEASURES`; columns the
project does not use (IDACI, IDAOPI, population denominators) are ignored and listed.

Idempotent by upsert on (edition, LSOA, measure); only the score/rank/decile columns present
in the file are overwritten, so File 2 (ranks and deciles) and File 5 (scores) can be loaded
in either order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from app.iod import MEASURES
from ingest.areas.common import checked_rows, count_lines, refuse_if_nothing, stage, upsert
from ingest.areas.values import CellError, code, integer, normalise_header, number
from ingest.csvfile import header_of, read_csv
from ingest.report import LoadRefused, LoadReport
from ingest.runner import Provenance

# England's LSOA counts bound the ranks: 32,844 LSOA 2011 (IoD2019), 33,755 LSOA 2021 (IoD2025).
LSOA_COUNT = {2019: 32_844, 2025: 33_755}

# Normalised published labels (and the sub-domain extract's snake_case labels) -> measure.
_LABELS: dict[str, str] = {
    "indexofmultipledeprivationimd": "imd",
    "indexofmultipledeprivation": "imd",
    "imd": "imd",
    "income": "income",
    "employment": "employment",
    "educationskillsandtraining": "education",
    "education": "education",
    "healthdeprivationanddisability": "health",
    "health": "health",
    "crime": "crime",
    "barrierstohousingandservices": "barriers",
    "housingandaccess": "barriers",
    "livingenvironment": "living_environment",
    "environment": "living_environment",
    "childrenandyoungpeople": "children_young_people",
    "adultskills": "adult_skills",
    "geographicalbarriers": "geographical_barriers",
    "widerbarriers": "wider_barriers",
    "indoors": "indoors",
    "outdoors": "outdoors",
}
_PUBLISHED = re.compile(r"^(?P<label>.+?)\s+(?P<kind>Score|Rank|Decile)\b", re.IGNORECASE)
_SNAKE = re.compile(r"^(?P<label>[A-Za-z_]+?)_(?P<kind>score|rank|decile)$", re.IGNORECASE)
_LSOA_COLUMNS = {
    "lsoacode2021": 2025, "lsoa21code": 2025, "lsoa21cd": 2025,
    "lsoacode2011": 2019, "lsoa11code": 2019, "lsoa11cd": 2019,
}


@dataclass(frozen=True)
class IodLayout:
    """Where things are in one IoD CSV: its edition, LSOA column and measure columns."""

    edition: int
    lsoa_column: str
    columns: dict[tuple[str, str], str]  # (measure, score|rank|decile) -> column name
    ignored: list[str]

    @property
    def measures(self) -> list[str]:
        """Measures present, in publication order."""
        return [m for m in MEASURES if any((m, k) in self.columns for k in KINDS)]


KINDS = ("score", "rank", "decile")


def measure_of(column: str) -> tuple[str, str] | None:
    """Map a published column name to (measure, kind), or None if it is not an IoD measure."""
    match = _PUBLISHED.match(column.strip()) or _SNAKE.match(column.strip())
    if not match:
        return None
    label = normalise_header(match.group("label"))
    label = label.removesuffix("subdomain")
    measure = _LABELS.get(label)
    return None if measure is None else (measure, match.group("kind").lower())


def detect_layout(columns: list[str]) -> IodLayout | None:
    """Recognise an IoD file by its header; None if it is not one."""
    lsoa = next((c for c in columns if normalise_header(c) in _LSOA_COLUMNS), None)
    if lsoa is None:
        return None
    found: dict[tuple[str, str], str] = {}
    ignored: list[str] = []
    for col in columns:
        if col == lsoa:
            continue
        key = measure_of(col)
        if key is None or key in found:
            # Only unknown measures are worth a warning; names and district codes are expected.
            if _PUBLISHED.match(col.strip()) or _SNAKE.match(col.strip()):
                ignored.append(col)
        else:
            found[key] = col
    if not found:
        return None
    return IodLayout(_LSOA_COLUMNS[normalise_header(lsoa)], lsoa, found, ignored)


def sniff(path: Path) -> IodLayout | None:
    """Cheap header-only detection for `ingest all`."""
    return detect_layout(header_of(path))


def load_iod(conn: Connection, path: Path, report: LoadReport) -> Provenance:
    """Load one IoD CSV (edition found by header) into `deprivation`."""
    columns, rows = read_csv(path)
    layout = detect_layout(columns)
    if layout is None:
        raise LoadRefused(path, "not an Indices of Deprivation file: expected an 'LSOA code "
                          "(2021)' or 'LSOA code (2011)' column and '... Score/Rank/Decile' "
                          "columns")
    if layout.ignored:
        report.warn(f"ignored {len(layout.ignored)} measure columns not used by Within Reach "
                    f"(e.g. {layout.ignored[0]!r})")
    max_rank = LSOA_COUNT[layout.edition]

    def parse(values: dict[str, str]) -> list[tuple[str, str, float | None, int | None,
                                                      int | None]]:
        lsoa = code(values, layout.lsoa_column, "lsoa")
        out: list[tuple[str, float | None, int | None, int | None]] = []
        for measure in layout.measures:
            cols = {k: layout.columns.get((measure, k)) for k in KINDS}
            score = number(values, cols["score"], optional=True) if cols["score"] else None
            rank = (integer(values, cols["rank"], lo=1, hi=max_rank, optional=True)
                    if cols["rank"] else None)
            decile = (integer(values, cols["decile"], lo=1, hi=10, optional=True)
                      if cols["decile"] else None)
            out.append((measure, score, rank, decile))
        if all(s is None and r is None and d is None for _, s, r, d in out):
            raise CellError(None, "no values in any measure column")
        return [(lsoa, *m) for m in out]

    def staged() -> Iterator[tuple[object, ...]]:
        for _line, parsed in checked_rows(rows, report, parse, desc="iod",
                                          total=count_lines(path), key=lambda p: p[0][0],
                                          key_column=layout.lsoa_column):
            report.rows_loaded += 1
            for lsoa, measure, score, rank, decile in parsed:
                yield (layout.edition, lsoa, measure, score, rank, decile)

    stage(conn, "stage_iod", [("edition", "int"), ("lsoa_code", "text"), ("measure", "text"),
                              ("score", "float8"), ("rank", "int"), ("decile", "int")], staged())
    present = [k for k in KINDS if any((m, k) in layout.columns for m in layout.measures)]
    select = {c: c for c in ("edition", "lsoa_code", "measure", *present)}
    upsert(conn, "deprivation", select, "stage_iod", ("edition", "lsoa_code", "measure"))
    refuse_if_nothing(path, report, "LSOA")
    if layout.edition == 2025:
        return Provenance(
            "Ministry of Housing, Communities and Local Government",
            "Open Government Licence v3.0",
            "Contains public sector information licensed under the Open Government Licence "
            "v3.0. Source: Ministry of Housing, Communities and Local Government, English "
            "Indices of Deprivation 2025.", "IoD2025 (LSOA 2021)")
    return Provenance(
        "Ministry of Housing, Communities and Local Government", "Open Government Licence v3.0",
        "Contains public sector information licensed under the Open Government Licence v3.0. "
        "Source: Ministry of Housing, Communities and Local Government, English Indices of "
        "Deprivation 2019.", "IoD2019 (LSOA 2011)")

