"""The built-in FICTIONAL sample region "Fictionbury", generated deterministically from a seed.

Where: a 6 x 4 km town centred on 54.05 N, 1.60 E, which is open North Sea about 100 km east of
Flamborough Head. Nothing real is there, so the sample can never be mistaken for (or overlap)
real boundaries, postcodes or stops, yet it is inside the app's Great Britain bounds and the
National Grid, so every loader and API check accepts it.

Codes: every area code starts with "X" (X07 district, X05 wards, X01 LSOAs). ONS never issues
an "X" country prefix, so they cannot collide with real GSS codes. Postcodes use the outward
codes XF1..XF4 ("XF" is not a UK postcode area) and stops the ATCO prefix 9990XF (admin area
999 does not exist). Every name carries "(fictional)".

Other layers (a fictional timetable, fictional activities) can reuse the same places through
`sample_region().stops`, `.lines` and `.postcodes`.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache

from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.ops import unary_union

from app.iod import AGE_BANDS, MEASURES

SEED = 20260101
CENTRE = (1.60, 54.05)  # lon, lat
COLS, ROWS = 4, 3
CELL_DEG = (0.0229, 0.0117)  # about 1.5 km x 1.3 km at 54 N
LSOA_COUNT_2021 = 33_755  # England, for IoD-style ranks
DISTRICT = ("X07000001", "Fictionbury (fictional sample)")
WARD_NAMES = ("Harbourside (fictional)", "Old Town (fictional)", "Millbrook (fictional)",
              "Saltmarsh (fictional)")
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters Royal Mail uses in inward codes


@dataclass(frozen=True)
class Area:
    """A fictional district, ward or LSOA."""

    code: str
    name: str
    geom: MultiPolygon
    ward_code: str | None = None
    lad_code: str | None = None


@dataclass(frozen=True)
class Measure:
    """One IoD-style value for one LSOA."""

    score: float
    rank: int
    decile: int


@dataclass(frozen=True)
class SamplePostcode:
    """A fictional postcode centroid (formatted like 'XF1 2AB')."""

    pcds: str
    lon: float
    lat: float
    lsoa_code: str
    ward_code: str


@dataclass(frozen=True)
class SampleStop:
    """A fictional bus stop; `line` and `direction` say which sample line serves it."""

    atco_code: str
    naptan_code: str
    name: str
    indicator: str
    street: str
    bearing: str
    lon: float
    lat: float
    line: str
    direction: int


@dataclass(frozen=True)
class SampleLine:
    """A fictional bus line: ATCO codes in order for each direction."""

    line_id: str
    name: str
    stops: tuple[tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class SampleRegion:
    """Everything in the sample region."""

    district: Area
    wards: tuple[Area, ...]
    lsoas: tuple[Area, ...]
    deprivation: dict[str, dict[str, Measure]]  # lsoa -> measure -> value
    population: dict[str, dict[str, int]]  # lsoa -> age band (and "total") -> count
    rural_urban: dict[str, tuple[str, str]]  # lsoa -> (RUC21 code, name)
    postcodes: tuple[SamplePostcode, ...]
    stops: tuple[SampleStop, ...]
    lines: tuple[SampleLine, ...]


@lru_cache(maxsize=4)
def sample_region(seed: int = SEED) -> SampleRegion:
    """Generate the sample region (same seed, same region, byte for byte)."""
    rng = random.Random(seed)
    lsoas = _lsoas(rng)
    wards = tuple(
        Area(f"X0500000{k + 1}", WARD_NAMES[k],
             _multi(unary_union([a.geom for a in lsoas if a.ward_code == f"X0500000{k + 1}"])),
             lad_code=DISTRICT[0])
        for k in range(COLS))
    district = Area(DISTRICT[0], DISTRICT[1], _multi(unary_union([a.geom for a in lsoas])))
    return SampleRegion(
        district, wards, lsoas, _deprivation(rng, lsoas), _population(rng, lsoas),
        {a.code: (("UN1", "Urban: Nearer to a major town or city") if 0 < _col(a) < COLS - 1
                  else ("RSN1", "Smaller rural: Nearer to a major town or city"))
         for a in lsoas},
        _postcodes(rng, lsoas), *_stops_and_lines())


def sample_stops(seed: int = SEED) -> tuple[SampleStop, ...]:
    """The fictional bus stops (for a fictional timetable over the same region)."""
    return sample_region(seed).stops


def sample_postcodes(seed: int = SEED) -> tuple[SamplePostcode, ...]:
    """The fictional postcodes (for fictional venues and clients)."""
    return sample_region(seed).postcodes


def _col(a: Area) -> int:
    return (int(a.code[-2:]) - 1) // ROWS


def _vertices(rng: random.Random) -> list[list[tuple[float, float]]]:
    """A (COLS+1) x (ROWS+1) grid of corners; interior ones jittered so areas look organic."""
    x0 = CENTRE[0] - COLS * CELL_DEG[0] / 2
    y0 = CENTRE[1] - ROWS * CELL_DEG[1] / 2
    grid = []
    for i in range(COLS + 1):
        column = []
        for j in range(ROWS + 1):
            dx = dy = 0.0
            if 0 < i < COLS:
                dx = rng.uniform(-0.2, 0.2) * CELL_DEG[0]
            if 0 < j < ROWS:
                dy = rng.uniform(-0.2, 0.2) * CELL_DEG[1]
            column.append((round(x0 + i * CELL_DEG[0] + dx, 6),
                           round(y0 + j * CELL_DEG[1] + dy, 6)))
        grid.append(column)
    return grid


def _lsoas(rng: random.Random) -> tuple[Area, ...]:
    v = _vertices(rng)
    out = []
    for i in range(COLS):
        for j in range(ROWS):
            n = i * ROWS + j + 1
            ring = [v[i][j], v[i + 1][j], v[i + 1][j + 1], v[i][j + 1], v[i][j]]
            out.append(Area(f"X010000{n:02d}", f"Fictionbury {n:03d}A (fictional)",
                            MultiPolygon([Polygon(ring)]), f"X0500000{i + 1}", DISTRICT[0]))
    return tuple(out)


def _multi(geom: object) -> MultiPolygon:
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    raise ValueError("sample geometry is not polygonal")


def _deprivation(rng: random.Random, lsoas: tuple[Area, ...]
                 ) -> dict[str, dict[str, Measure]]:
    deciles = [1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    rng.shuffle(deciles)
    out: dict[str, dict[str, Measure]] = {}
    for area, imd_decile in zip(lsoas, deciles, strict=True):
        values = {}
        for measure in MEASURES:
            d = imd_decile if measure == "imd" else min(10, max(1, imd_decile + rng.randint(-2, 2)))
            lo = (d - 1) * LSOA_COUNT_2021 // 10 + 1
            hi = d * LSOA_COUNT_2021 // 10
            rank = rng.randint(lo, hi)
            score = round(75 * (1 - rank / LSOA_COUNT_2021) ** 2 + 1.5, 3)
            values[measure] = Measure(score, rank, d)
        out[area.code] = values
    return out


def _population(rng: random.Random, lsoas: tuple[Area, ...]) -> dict[str, dict[str, int]]:
    shares = (0.19, 0.11, 0.13, 0.19, 0.19, 0.19)
    out = {}
    for area in lsoas:
        total = rng.randint(1300, 2300)
        weights = [s * rng.uniform(0.7, 1.3) for s in shares]
        counts = [int(total * w / sum(weights)) for w in weights]
        counts[-1] += total - sum(counts)
        out[area.code] = {**dict(zip(AGE_BANDS, counts, strict=True)), "total": total}
    return out


def _postcodes(rng: random.Random, lsoas: tuple[Area, ...]) -> tuple[SamplePostcode, ...]:
    out = []
    used: set[str] = set()
    for area in lsoas:
        # Keep centroids ~30 m inside the area so rounding to whole metres cannot move them out.
        inner = area.geom.buffer(-0.0004)
        minx, miny, maxx, maxy = inner.bounds
        outward = f"XF{_col(area) + 1}"
        sector = (int(area.code[-2:]) - 1) % ROWS + 1
        made = 0
        while made < 17:
            pt = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if not inner.contains(pt):
                continue
            pcds = f"{outward} {sector}{rng.choice(_INWARD_LETTERS)}{rng.choice(_INWARD_LETTERS)}"
            if pcds in used:
                continue
            used.add(pcds)
            out.append(SamplePostcode(pcds, round(pt.x, 6), round(pt.y, 6), area.code,
                                      area.ward_code or ""))
            made += 1
    return tuple(sorted(out, key=lambda p: p.pcds))


# Three lines across the town: (id, name, waypoints as fractions of the district box, stops).
_LINES = (
    ("F1", "Harbour - Saltmarsh (fictional)", ((0.03, 0.5), (0.97, 0.45)),
     ("Harbour Quay", "Fish Market", "Lantern Street", "Market Square", "Town Hall",
      "Mill Lane", "Saltmarsh Green")),
    ("F2", "Northgate - Southgate (fictional)", ((0.45, 0.97), (0.55, 0.03)),
     ("Northgate", "Chapel Row", "Library", "Market Square North", "Station Road",
      "Brook Close", "Southgate")),
    ("F3", "Old Town Circular (fictional)", ((0.1, 0.1), (0.35, 0.8), (0.85, 0.85)),
     ("Orchard Way", "School Lane", "Health Centre", "Old Town Cross", "Church Walk",
      "Windmill Hill", "Lighthouse Road")),
)


def _stops_and_lines() -> tuple[tuple[SampleStop, ...], tuple[SampleLine, ...]]:
    x0 = CENTRE[0] - COLS * CELL_DEG[0] / 2
    y0 = CENTRE[1] - ROWS * CELL_DEG[1] / 2
    w, h = COLS * CELL_DEG[0], ROWS * CELL_DEG[1]
    stops: list[SampleStop] = []
    lines: list[SampleLine] = []
    n = 0
    for line_id, line_name, fractions, names in _LINES:
        path = LineString([(x0 + fx * w, y0 + fy * h) for fx, fy in fractions])
        by_dir: tuple[list[str], list[str]] = ([], [])
        for k, name in enumerate(names):
            at = path.interpolate(k / (len(names) - 1), normalized=True)
            ahead = path.interpolate(min(1.0, k / (len(names) - 1) + 0.01), normalized=True)
            behind = path.interpolate(max(0.0, k / (len(names) - 1) - 0.01), normalized=True)
            angle = math.atan2(ahead.y - behind.y, (ahead.x - behind.x) * 0.59)
            for direction in (0, 1):
                n += 1
                # Stops sit ~12 m either side of the road, as paired kerbside stops do.
                side = -1 if direction == 0 else 1
                off_x = side * 0.00018 * math.sin(angle)
                off_y = -side * 0.00011 * math.cos(angle)
                heading = math.degrees(angle) + (0 if direction == 0 else 180)
                atco = f"9990XF{n:06d}"
                stops.append(SampleStop(
                    atco, f"xfs{n:05d}", f"{name} (fictional)",
                    "Stop " + ("A" if direction == 0 else "B"), f"{name} Road (fictional)",
                    _bearing(heading), round(at.x + off_x, 6), round(at.y + off_y, 6),
                    line_id, direction))
                by_dir[direction].append(atco)
        lines.append(SampleLine(line_id, line_name,
                                (tuple(by_dir[0]), tuple(reversed(by_dir[1])))))
    return tuple(stops), tuple(lines)


def _bearing(math_degrees: float) -> str:
    """Compass bearing (N, NE, ...) of a direction given counter-clockwise from east."""
    compass = (90 - math_degrees) % 360
    return ("N", "NE", "E", "SE", "S", "SW", "W", "NW")[int((compass + 22.5) // 45) % 8]
