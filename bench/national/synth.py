"""Deterministic SYNTHETIC England: BODS-shaped GTFS, Code-Point-shaped postcodes, LSOAs.

`python -m bench.national.synth --scale S --out DIR` writes, for a fraction S of England
(S = 1 is the issue's national size: 33,755 LSOAs, about 1.49 million postcodes, 275,000
stops, 13,000 routes, 1.75 million trips, about 50 million stop_times and 50,000 listings):

- `gtfs/england_SYNTHETIC_gtfs.zip`: agency (one per operator, in 9 regions), stops (ATCO
  codes), routes, trips, stop_times (trips past midnight), calendar + calendar_dates
  (England bank holidays 2026-27), a few frequencies.txt templates, feed_info.
- `codepoint/codepo_gb_SYNTHETIC.zip`: Code-Point Open layout, one headerless CSV per
  postcode area under Data/CSV plus Doc/Code-Point_Open_Column_Headers.csv.
- `boundaries/lsoa21_SYNTHETIC.geojson` (CRS84 polygons with LSOA21CD/LSOA21NM/LAD24CD),
  `lookups/LSOA21_WD24_LAD24_SYNTHETIC.csv`, `iod/File_7_IoD2025_SYNTHETIC.csv` (File 7
  headers), `population/census2021_SYNTHETIC.csv`, `naptan/Stops_SYNTHETIC.csv` (NaPTAN
  column layout) and `directory/activities_SYNTHETIC.csv` (the activity CSV template).

Everything is invented and says so (names, agency names, README). Codes use ranges no real
area has (LSOA E019xxxxx, ward E059xxxxx, district E079xxxxx, postcode areas X?), so the
files can never be mistaken for, or collide with, real data. The same scale and seed give
the same bytes: one seeded generator, fixed zip timestamps, no clocks.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

SEED = 20261201
FULL = {"lsoa": 33_755, "postcodes": 1_490_000, "stops": 275_000, "routes": 13_000,
        "listings": 50_000, "lads": 296, "operators": 900}
CELL_M = 2_430.0  # side of one LSOA square, so 33,755 of them cover about England's area
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
REGIONS = ("North East", "North West", "Yorkshire and The Humber", "East Midlands",
           "West Midlands", "East of England", "London", "South East", "South West")
SYN = "(SYNTHETIC)"
BANK_HOLIDAYS = ("20260101", "20260403", "20260406", "20260504", "20260525", "20260831",
                 "20261228", "20270101", "20270326", "20270329", "20270503", "20270531",
                 "20270830", "20271227", "20271228")
NO_SERVICE = ("20261225", "20261226", "20271225", "20271226")
IOD_DOMAINS = (
    ("Index of Multiple Deprivation (IMD)", "Score"), ("Income", "Score (rate)"),
    ("Employment", "Score (rate)"), ("Education, Skills and Training", "Score"),
    ("Health Deprivation and Disability", "Score"), ("Crime", "Score"),
    ("Barriers to Housing and Services", "Score"), ("Living Environment", "Score"),
    ("Children and Young People Sub-domain", "Score"), ("Adult Skills Sub-domain", "Score"),
    ("Geographical Barriers Sub-domain", "Score"), ("Wider Barriers Sub-domain", "Score"),
    ("Indoors Sub-domain", "Score"), ("Outdoors Sub-domain", "Score"),
)
AGE_BANDS = ("Aged 15 years and under", "Aged 16 to 24 years", "Aged 25 to 34 years",
             "Aged 35 to 49 years", "Aged 50 to 64 years", "Aged 65 years and over")
NAPTAN_COLUMNS = (
    "ATCOCode", "NaptanCode", "PlateCode", "CleardownCode", "CommonName", "CommonNameLang",
    "ShortCommonName", "ShortCommonNameLang", "Landmark", "LandmarkLang", "Street",
    "StreetLang", "Crossing", "CrossingLang", "Indicator", "IndicatorLang", "Bearing",
    "NptgLocalityCode", "LocalityName", "ParentLocalityName", "GrandParentLocalityName",
    "Town", "TownLang", "Suburb", "SuburbLang", "LocalityCentre", "GridType", "Easting",
    "Northing", "Longitude", "Latitude", "StopType", "BusStopType", "TimingStatus",
    "DefaultWaitTime", "Notes", "NotesLang", "AdministrativeAreaCode", "CreationDateTime",
    "ModificationDateTime", "RevisionNumber", "Modification", "Status",
)
CODEPOINT_HEADERS = (
    ("PC", "PQ", "EA", "NO", "CY", "RH", "LH", "CC", "DC", "WC"),
    ("Postcode", "Positional_quality_indicator", "Eastings", "Northings", "Country_code",
     "NHS_regional_HA_code", "NHS_HA_code", "Admin_county_code", "Admin_district_code",
     "Admin_ward_code"),
)
CATEGORIES = ("social-connection", "physical-activity", "arts-culture", "food", "learning",
              "advice-support", "mental-health", "nature-green")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Sizes:
    """Target counts at scale s (at least a handful of everything)."""

    scale: float

    def n(self, key: str, minimum: int) -> int:
        """FULL[key] x scale, rounded, at least minimum."""
        return max(minimum, round(FULL[key] * self.scale))


@dataclass
class Geography:
    """The LSOA grid: cells, their districts, wards, regions and populations."""

    cols: int
    rows: int
    x0: float
    y0: float
    lsoa_code: np.ndarray
    lsoa_name: np.ndarray
    lad_idx: np.ndarray
    ward_idx: np.ndarray
    region: np.ndarray
    pop: np.ndarray
    deprivation: np.ndarray  # latent 0..1, higher is more deprived
    n_lads: int

    @property
    def n(self) -> int:
        """Number of LSOAs."""
        return len(self.lsoa_code)

    def cell_xy(self) -> tuple[np.ndarray, np.ndarray]:
        """South-west corner (BNG metres) of each LSOA square."""
        i = np.arange(self.n)
        return self.x0 + (i % self.cols) * CELL_M, self.y0 + (i // self.cols) * CELL_M


def lad_code(i: int) -> str:
    """Synthetic district code (E079xxxxx: no real district has one)."""
    return f"E079{i:05d}"


def ward_code(i: int) -> str:
    """Synthetic ward code."""
    return f"E059{i:05d}"


def build_geography(sizes: Sizes, rng: np.random.Generator) -> Geography:
    """Lay the LSOA squares on a grid centred on England, in districts of about 114 LSOAs."""
    n = sizes.n("lsoa", 16)
    cols = max(4, round(math.sqrt(n * 0.8)))
    rows = math.ceil(n / cols)
    x0 = 400_000 - cols * CELL_M / 2
    y0 = 330_000 - rows * CELL_M / 2
    i = np.arange(n)
    cx, cy = i % cols, i // cols
    n_lads = max(4, sizes.n("lads", 4))
    lad_side = max(2, round(math.sqrt(n / n_lads)))
    lad_cols = math.ceil(cols / lad_side)
    lad_idx = (cy // lad_side) * lad_cols + cx // lad_side
    _, lad_idx = np.unique(lad_idx, return_inverse=True)
    ward_cols = math.ceil(cols / 2)
    _, ward_idx = np.unique((cy // 2) * ward_cols + cx // 2, return_inverse=True)
    region = np.minimum(2, cy * 3 // rows) * 3 + np.minimum(2, cx * 3 // cols)
    # A few "towns": deprivation and population follow smooth bumps plus noise.
    n_towns = max(3, n // 400)
    tx, ty = rng.uniform(0, cols, n_towns), rng.uniform(0, rows, n_towns)
    d2 = (cx[:, None] - tx[None, :]) ** 2 + (cy[:, None] - ty[None, :]) ** 2
    urban = np.exp(-d2 / 8.0).max(axis=1)
    deprivation = np.clip(0.6 * urban + 0.4 * rng.random(n), 0, 1)
    pop = np.round(1_200 + 800 * urban + rng.normal(0, 250, n)).clip(800, 3_500).astype(int)
    codes = np.array([f"E019{k:05d}" for k in i], dtype=object)
    seq = pd.Series(lad_idx).groupby(lad_idx).cumcount().to_numpy()
    names = np.array([f"Synthshire {a:03d} {_suffix(b)}" for a, b in zip(
        lad_idx, seq, strict=True)], dtype=object)
    return Geography(cols, rows, x0, y0, codes, names, lad_idx, ward_idx, region, pop,
                     deprivation, int(lad_idx.max()) + 1)


def _suffix(k: int) -> str:
    """ONS-like LSOA name suffix: 001A, 001B, ..."""
    return f"{k // 4 + 1:03d}{'ABCD'[k % 4]}"


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon, lat = t.transform(x, y)
    return np.round(lon, 6), np.round(lat, 6)


# --- areas ---------------------------------------------------------------------------------


def write_areas(geo: Geography, out: Path) -> dict[str, Path]:
    """LSOA polygons (GeoJSON), the LSOA->ward->district lookup, IoD File 7 and census."""
    x, y = geo.cell_xy()
    paths = {}
    p = out / "boundaries" / "lsoa21_SYNTHETIC.geojson"
    p.parent.mkdir(parents=True, exist_ok=True)
    # Corners SW, SE, NE, NW plus mid-edge points, so the polygons are not bare squares.
    # Neighbours share edges exactly: a south edge dents like the north edge below it.
    fr = np.array([(0, 0), (0.5, -0.03), (1, 0), (1.02, 0.5), (1, 1), (0.5, 0.97), (0, 1),
                   (0.02, 0.5), (0, 0)])
    px = x[:, None] + fr[None, :, 0] * CELL_M
    py = y[:, None] + fr[None, :, 1] * CELL_M
    mx = np.round(px, 1)
    my = np.round(py, 1)
    lon, lat = _to_lonlat(mx.ravel(), my.ravel())
    lon, lat = lon.reshape(mx.shape), lat.reshape(my.shape)
    with p.open("w", encoding="utf-8") as fh:
        fh.write('{"type":"FeatureCollection","name":"lsoa21_SYNTHETIC","crs":{"type":"name",'
                 '"properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[\n')
        for k in range(geo.n):
            ring = [[float(a), float(b)] for a, b in zip(lon[k], lat[k], strict=True)]
            feat = {"type": "Feature", "properties": {
                "LSOA21CD": geo.lsoa_code[k], "LSOA21NM": geo.lsoa_name[k],
                "LAD24CD": lad_code(int(geo.lad_idx[k])),
                "LAD24NM": f"Synthshire {int(geo.lad_idx[k]):03d} {SYN}"},
                "geometry": {"type": "Polygon", "coordinates": [ring]}}
            fh.write(("," if k else "") + json.dumps(feat, separators=(",", ":")) + "\n")
        fh.write("]}\n")
    paths["lsoa21"] = p
    paths["lad"] = _write_lads(geo, lon, lat, out)

    lad = [lad_code(int(a)) for a in geo.lad_idx]
    lad_nm = [f"Synthshire {int(a):03d} {SYN}" for a in geo.lad_idx]
    lookup = pd.DataFrame({
        "LSOA21CD": geo.lsoa_code, "LSOA21NM": geo.lsoa_name,
        "WD24CD": [ward_code(int(w)) for w in geo.ward_idx],
        "WD24NM": [f"Synthetic Ward {int(w)}" for w in geo.ward_idx],
        "LAD24CD": lad, "LAD24NM": lad_nm})
    paths["lookup"] = _csv(lookup, out / "lookups" / "LSOA21_WD24_LAD24_SYNTHETIC.csv")

    rng = np.random.default_rng(SEED + 1)
    iod: dict[str, object] = {
        "LSOA code (2021)": geo.lsoa_code, "LSOA name (2021)": geo.lsoa_name,
        "Local Authority District code (2024)": lad,
        "Local Authority District name (2024)": lad_nm}
    for domain, score_word in IOD_DOMAINS:
        latent = np.clip(geo.deprivation + rng.normal(0, 0.12, geo.n), 0, None)
        score = np.round(latent * (60 if "IMD" in domain else 1), 3)
        rank = pd.Series(-score).rank(method="first").astype(int).to_numpy()
        iod[f"{domain} {score_word}"] = score
        iod[f"{domain} Rank (where 1 is most deprived)"] = rank
        iod[f"{domain} Decile (where 1 is most deprived 10% of LSOAs)"] = (
            np.ceil(rank * 10 / geo.n).astype(int).clip(1, 10))
    paths["iod"] = _csv(pd.DataFrame(iod), out / "iod" / "File_7_IoD2025_SYNTHETIC.csv")

    shares = rng.dirichlet([18, 11, 13, 19, 19, 20], geo.n)
    bands = np.floor(shares * geo.pop[:, None]).astype(int)
    bands[:, -1] += geo.pop - bands.sum(axis=1)
    census = {"lsoa21_code": geo.lsoa_code, "lsoa21_name": geo.lsoa_name,
              "usual_residents_total": geo.pop}
    census.update({b: bands[:, j] for j, b in enumerate(AGE_BANDS)})
    census.update({"ltla24_code": lad, "ltla24_name": lad_nm})
    paths["population"] = _csv(pd.DataFrame(census),
                               out / "population" / "census2021_SYNTHETIC.csv")
    return paths


def _write_lads(geo: Geography, lon: np.ndarray, lat: np.ndarray, out: Path) -> Path:
    """District polygons (LAD24CD/LAD24NM): the union of each district's LSOA polygons."""
    from shapely import Polygon, to_geojson, union_all

    p = out / "boundaries" / "lad24_SYNTHETIC.geojson"
    feats = []
    for d in range(geo.n_lads):
        cells = np.flatnonzero(geo.lad_idx == d)
        shape = union_all([Polygon(np.c_[lon[k], lat[k]]) for k in cells.tolist()])
        feats.append('{"type":"Feature","properties":' + json.dumps(
            {"LAD24CD": lad_code(d), "LAD24NM": f"Synthshire {d:03d} {SYN}"}) +
            ',"geometry":' + to_geojson(shape.normalize(), indent=None) + "}")
    p.write_text('{"type":"FeatureCollection","name":"lad24_SYNTHETIC","crs":{"type":"name",'
                 '"properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[\n'
                 + ",\n".join(feats) + "\n]}\n", encoding="utf-8")
    return p


def _csv(df: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n")
    return path


# --- postcodes -----------------------------------------------------------------------------


def postcode_points(geo: Geography, sizes: Sizes, rng: np.random.Generator
                    ) -> pd.DataFrame:
    """Postcodes per LSOA in proportion to its population, uniformly inside its square."""
    target = sizes.n("postcodes", geo.n * 4)
    per = np.maximum(2, np.round(geo.pop / geo.pop.sum() * target)).astype(int)
    lsoa = np.repeat(np.arange(geo.n), per)
    x, y = geo.cell_xy()
    east = np.round(x[lsoa] + rng.uniform(40, CELL_M - 40, len(lsoa))).astype(int)
    north = np.round(y[lsoa] + rng.uniform(40, CELL_M - 40, len(lsoa))).astype(int)
    k = np.arange(len(lsoa))
    # Area X?, district 1..99, sector 0..9, unit AA..ZZ (20 x 20 letters used).
    letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
    unit = k % 400
    sector = (k // 400) % 10
    district = (k // 4000) % 99 + 1
    area = np.array(list("ABCDEFGHJKLMNOPRSTUVWYZ"))[(k // 396_000) % 23]
    outward = np.char.add(np.char.add("X", area), district.astype(str))
    inward = np.char.add(np.char.add(sector.astype(str), letters[unit // 20]), letters[unit % 20])
    pcd7 = np.char.add(np.char.ljust(outward, 4), inward)
    return pd.DataFrame({"pcd": pcd7, "area": np.char.add("x", np.char.lower(area)),
                         "east": east, "north": north, "lsoa": lsoa})


def write_codepoint(geo: Geography, pcs: pd.DataFrame, out: Path) -> Path:
    """Code-Point Open as OS publishes it: per-area headerless CSVs and the Doc header file."""
    p = out / "codepoint" / "codepo_gb_SYNTHETIC.zip"
    p.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(p, "w", allowZip64=True) as zf:
        doc = io.StringIO()
        w = csv.writer(doc, lineterminator="\r\n")
        for row in CODEPOINT_HEADERS:
            w.writerow(row)
        zf.writestr(_zip_info("Doc/Code-Point_Open_Column_Headers.csv"), doc.getvalue())
        zf.writestr(_zip_info("Doc/SYNTHETIC_README.txt"),
                    "SYNTHETIC postcodes for benchmarks: not Code-Point Open data.\n")
        for area, part in pcs.groupby("area", sort=True):
            lsoa = part["lsoa"].to_numpy()
            frame = pd.DataFrame({
                "pc": part["pcd"].to_numpy(), "pq": 10, "ea": part["east"].to_numpy(),
                "no": part["north"].to_numpy(), "cy": "E92000001", "rh": "E19000001",
                "lh": "E18000004", "cc": "",
                "dc": [lad_code(int(a)) for a in geo.lad_idx[lsoa]],
                "wc": [ward_code(int(a)) for a in geo.ward_idx[lsoa]]})
            buf = io.StringIO()
            frame.to_csv(buf, index=False, header=False, quoting=csv.QUOTE_NONNUMERIC,
                         lineterminator="\r\n")
            zf.writestr(_zip_info(f"Data/CSV/{area}.csv"), buf.getvalue())
    return p


# --- stops and timetable -------------------------------------------------------------------


@dataclass
class Network:
    """Stops on a jittered lattice (some rural cells have none) and their ATCO codes."""

    east: np.ndarray
    north: np.ndarray
    atco: np.ndarray
    region: np.ndarray
    node: np.ndarray  # lattice node -> stop index, or -1
    nx: int
    ny: int


def build_network(geo: Geography, sizes: Sizes, rng: np.random.Generator) -> Network:
    """A lattice of candidate stops over the grid; about 8% of LSOAs get none (rural holes)."""
    target = sizes.n("stops", 40)
    width, height = geo.cols * CELL_M, geo.rows * CELL_M
    step = math.sqrt(width * height / (target / 0.92))
    nx, ny = max(2, int(width // step)), max(2, int(height // step))
    gx, gy = np.meshgrid(np.arange(nx), np.arange(ny))
    gx, gy = gx.ravel(), gy.ravel()
    east = geo.x0 + (gx + 0.5) * step + rng.uniform(-0.25, 0.25, len(gx)) * step
    north = geo.y0 + (gy + 0.5) * step + rng.uniform(-0.25, 0.25, len(gy)) * step
    cell = (np.clip(((north - geo.y0) // CELL_M).astype(int), 0, geo.rows - 1) * geo.cols
            + np.clip(((east - geo.x0) // CELL_M).astype(int), 0, geo.cols - 1))
    hole = rng.random(geo.cols * geo.rows) < 0.08
    keep = (cell < geo.n) & ~hole[cell]
    node = np.full(len(gx), -1)
    node[keep] = np.arange(int(keep.sum()))
    region = geo.region[np.minimum(cell[keep], geo.n - 1)]
    idx = np.arange(int(keep.sum()))
    atco = np.array([f"9{r + 1}10SY{k:06d}" for r, k in zip(region, idx, strict=True)],
                    dtype=object)
    return Network(np.round(east[keep]).astype(int), np.round(north[keep]).astype(int),
                   atco, region, node.reshape(ny, nx), nx, ny)


_DIRS = np.array([(1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1)])


def route_path(net: Network, rng: np.random.Generator, length: int) -> list[int]:
    """A wandering walk over the lattice: stop indices, no stop twice."""
    ys, xs = np.nonzero(net.node >= 0)
    k = int(rng.integers(len(xs)))
    x, y = int(xs[k]), int(ys[k])
    d = int(rng.integers(8))
    seen: set[int] = set()
    path: list[int] = []
    for _ in range(length * 3):
        s = int(net.node[y, x])
        if s >= 0 and s not in seen:
            seen.add(s)
            path.append(s)
            if len(path) >= length:
                break
        r = rng.random()
        d = (d + (1 if r < 0.12 else -1 if r < 0.24 else 0)) % 8
        nx_, ny_ = x + _DIRS[d][0], y + _DIRS[d][1]
        if not (0 <= nx_ < net.nx and 0 <= ny_ < net.ny):
            d = (d + 4) % 8
            nx_, ny_ = x + _DIRS[d][0], y + _DIRS[d][1]
        x, y = int(np.clip(nx_, 0, net.nx - 1)), int(np.clip(ny_, 0, net.ny - 1))
    return path


_HEADWAYS = np.array([12, 20, 30, 60, 120])
_HEADWAY_P = np.array([0.10, 0.18, 0.27, 0.28, 0.17])
_TIMES = np.array([f"{s // 3600:02d}:{s % 3600 // 60:02d}:00" for s in range(0, 49 * 3600, 60)],
                  dtype=object)


def _hms(seconds: np.ndarray) -> np.ndarray:
    return _TIMES[seconds // 60]


def write_gtfs(geo: Geography, net: Network, sizes: Sizes, rng: np.random.Generator,
               out: Path, progress: bool = False) -> tuple[Path, dict[str, int]]:
    """The BODS-shaped feed; stop_times are generated and written route by route."""
    p = out / "gtfs" / "england_SYNTHETIC_gtfs.zip"
    p.parent.mkdir(parents=True, exist_ok=True)
    n_routes = sizes.n("routes", 12)
    n_ops = sizes.n("operators", 9)
    op_region = np.arange(n_ops) % 9
    lon, lat = _to_lonlat(net.east.astype(float), net.north.astype(float))
    used = np.zeros(len(net.atco), dtype=bool)
    routes, trips, freqs = [], [], []
    counts = {"stop_times": 0}
    with zipfile.ZipFile(p, "w", allowZip64=True) as zf:
        with zf.open(_zip_info("stop_times.txt"), "w", force_zip64=True) as raw:
            fh = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            fh.write("trip_id,arrival_time,departure_time,stop_id,stop_sequence,timepoint\n")
            batch: list[pd.DataFrame] = []
            rows_in_batch = 0
            for r in range(n_routes):
                path = route_path(net, rng, int(rng.integers(10, 43)))
                if len(path) < 2:
                    continue
                used[path] = True
                region = int(net.region[path[0]])
                ops = np.flatnonzero(op_region == region)
                op = int(ops[int(rng.integers(len(ops)))]) if len(ops) else 0
                rid = f"SR{r:06d}"
                routes.append((rid, f"OP{op:04d}", f"{r % 999 + 1}",
                               f"Synthetic route {r} {SYN}", 3))
                hop = np.hypot(np.diff(net.east[path]), np.diff(net.north[path])) * 1.3
                run = np.r_[0, np.cumsum(np.round(hop / (20 / 3.6) + 20))]
                run = (run // 60 * 60).astype(np.int64)  # whole minutes, as most BODS feeds
                headway = int(rng.choice(_HEADWAYS, p=_HEADWAY_P)) * 60
                for direction in (0, 1):
                    seq = path if direction == 0 else path[::-1]
                    offs = run if direction == 0 else (run[-1] - run[::-1])
                    for svc, first, last, mult in (("WD", 5.5, 23.6, 1), ("SA", 6.5, 23.6, 1.5),
                                                   ("SU", 8.0, 22.0, 2)):
                        h = int(headway * mult)
                        starts = np.arange(int(first * 3600) + int(rng.integers(0, h // 60)) * 60,
                                           int(last * 3600), h)
                        if svc != "SU" and headway <= 1800:
                            starts = np.r_[starts, 24 * 3600 + 600]  # a night trip
                        tids = [f"VJ{r:06d}_{direction}{svc}{i:03d}" for i in range(len(starts))]
                        service = f"OP{op:04d}_{svc}"
                        trips += [(rid, service, t, f"Synthetic stop {seq[-1]}", direction)
                                  for t in tids]
                        times = (starts[:, None] + offs[None, :]).ravel()
                        n = len(seq)
                        batch.append(pd.DataFrame({
                            "trip_id": np.repeat(np.array(tids, dtype=object), n),
                            "arrival_time": _hms(times), "departure_time": _hms(times),
                            "stop_id": np.tile(net.atco[seq], len(starts)),
                            "stop_sequence": np.tile(np.arange(1, n + 1), len(starts)),
                            "timepoint": np.tile((np.arange(n) % 5 == 0).astype(int),
                                                 len(starts))}))
                        rows_in_batch += n * len(starts)
                if r % 97 == 5 and headway <= 1800:  # a few frequency-based trips
                    tid = f"FQ{r:06d}"
                    service = f"OP{op:04d}_WD"
                    trips.append((rid, service, tid, "Synthetic frequent service", 0))
                    freqs.append((tid, "07:00:00", "09:30:00", 600, 0))
                    n = len(path)
                    batch.append(pd.DataFrame({
                        "trip_id": tid, "arrival_time": _hms(7 * 3600 + run),
                        "departure_time": _hms(7 * 3600 + run), "stop_id": net.atco[path],
                        "stop_sequence": np.arange(1, n + 1), "timepoint": 1}))
                    rows_in_batch += n
                if rows_in_batch >= 1_000_000 or r == n_routes - 1:
                    _flush(batch, fh)
                    counts["stop_times"] += rows_in_batch
                    batch, rows_in_batch = [], 0
                    if progress:
                        print(f"  gtfs: {r + 1:,}/{n_routes:,} routes, "
                              f"{counts['stop_times']:,} stop_times", flush=True)
            _flush(batch, fh)
            counts["stop_times"] += rows_in_batch
            fh.flush()
            fh.detach()
        _write_small_gtfs(zf, net, used, lon, lat, routes, trips, freqs, n_ops, op_region)
    counts.update(routes=len(routes), trips=len(trips), stops=int(used.sum()),
                  frequencies=len(freqs), agencies=n_ops)
    return p, counts


def _flush(batch: list[pd.DataFrame], fh: io.TextIOWrapper) -> None:
    if batch:
        pd.concat(batch, ignore_index=True).to_csv(fh, index=False, header=False,
                                                   lineterminator="\n")


def _table(zf: zipfile.ZipFile, name: str, rows: list[tuple] | pd.DataFrame,
           columns: tuple[str, ...]) -> None:
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows, columns=list(columns))
    zf.writestr(_zip_info(name), df.to_csv(index=False, lineterminator="\n"))


def _write_small_gtfs(zf: zipfile.ZipFile, net: Network, used: np.ndarray, lon: np.ndarray,
                      lat: np.ndarray, routes: list[tuple], trips: list[tuple],
                      freqs: list[tuple], n_ops: int, op_region: np.ndarray) -> None:
    _table(zf, "agency.txt", [(f"OP{o:04d}", f"Synthetic Operator {o} of {REGIONS[op_region[o]]} "
                               f"{SYN}", f"https://example.org/op{o}", "Europe/London", "en")
                              for o in range(n_ops)],
           ("agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"))
    idx = np.flatnonzero(used)
    _table(zf, "stops.txt", pd.DataFrame({
        "stop_id": net.atco[idx], "stop_code": [f"syn{k:07d}" for k in idx],
        "stop_name": [f"Synthetic Stop {k} (stand {k % 4 + 1})" for k in idx],
        "stop_lat": lat[idx], "stop_lon": lon[idx], "wheelchair_boarding": 1,
        "location_type": 0}), ())
    _table(zf, "routes.txt", routes, ("route_id", "agency_id", "route_short_name",
                                      "route_long_name", "route_type"))
    _table(zf, "trips.txt", trips, ("route_id", "service_id", "trip_id", "trip_headsign",
                                    "direction_id"))
    cal = []
    for o in range(n_ops):
        for svc, days in (("WD", (1, 1, 1, 1, 1, 0, 0)), ("SA", (0, 0, 0, 0, 0, 1, 0)),
                          ("SU", (0, 0, 0, 0, 0, 0, 1))):
            cal.append((f"OP{o:04d}_{svc}", *days, "20260101", "20271231"))
    _table(zf, "calendar.txt", cal, ("service_id", "monday", "tuesday", "wednesday",
                                     "thursday", "friday", "saturday", "sunday", "start_date",
                                     "end_date"))
    cd = []
    for o in range(n_ops):
        for day in BANK_HOLIDAYS:
            wd = dt.date(int(day[:4]), int(day[4:6]), int(day[6:])).weekday()
            if wd < 5:
                cd += [(f"OP{o:04d}_WD", day, 2), (f"OP{o:04d}_SU", day, 1)]
        for day in NO_SERVICE:
            wd = dt.date(int(day[:4]), int(day[4:6]), int(day[6:])).weekday()
            svc = "WD" if wd < 5 else "SA" if wd == 5 else "SU"
            cd.append((f"OP{o:04d}_{svc}", day, 2))
    _table(zf, "calendar_dates.txt", cd, ("service_id", "date", "exception_type"))
    _table(zf, "frequencies.txt", freqs, ("trip_id", "start_time", "end_time", "headway_secs",
                                          "exact_times"))
    _table(zf, "feed_info.txt", [(
        "SYNTHETIC TEST DATA - not a real timetable (Within Reach England benchmark)",
        "https://example.org", "en", "20260101", "20271231", f"england-synthetic-seed{SEED}")],
        ("feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_start_date",
         "feed_end_date", "feed_version"))
    zf.writestr(_zip_info("SYNTHETIC_README.txt"),
                "SYNTHETIC England timetable generated by bench/national/synth.py. It is not a "
                "real timetable: never show its times to anyone as bus times.\n")


def write_naptan(net: Network, out: Path) -> Path:
    """Every lattice stop (used by a route or not) in the NaPTAN Stops.csv layout."""
    lon, lat = _to_lonlat(net.east.astype(float), net.north.astype(float))
    n = len(net.atco)
    k = np.arange(n)
    df = pd.DataFrame(dict.fromkeys(NAPTAN_COLUMNS, ""), index=k)
    df["ATCOCode"] = net.atco
    df["NaptanCode"] = [f"syn{j:07d}" for j in k]
    df["CommonName"] = [f"Synthetic Stop {j}" for j in k]
    df["Indicator"] = [f"stand {j % 4 + 1}" for j in k]
    df["Bearing"] = np.array(["N", "NE", "E", "SE", "S", "SW", "W", "NW"])[k % 8]
    df["LocalityName"] = [f"Synthetic locality {r + 1}" for r in net.region]
    df["GridType"] = "UKOS"
    df["Easting"], df["Northing"] = net.east, net.north
    df["Longitude"], df["Latitude"] = lon, lat
    df["StopType"], df["BusStopType"], df["TimingStatus"] = "BCT", "MKD", "OTH"
    df["AdministrativeAreaCode"] = [f"9{r + 1}1" for r in net.region]
    df["CreationDateTime"] = df["ModificationDateTime"] = "2026-01-01T00:00:00"
    df["RevisionNumber"], df["Modification"], df["Status"] = 0, "new", "active"
    return _csv(df, out / "naptan" / "Stops_SYNTHETIC.csv")


def write_listings(geo: Geography, pcs: pd.DataFrame, sizes: Sizes, rng: np.random.Generator,
                   out: Path) -> Path:
    """Activities at postcodes picked in proportion to LSOA population (activity template)."""
    n = sizes.n("listings", 20)
    weight = geo.pop[pcs["lsoa"].to_numpy()].astype(float)
    pick = rng.choice(len(pcs), size=n, p=weight / weight.sum())
    lon, lat = _to_lonlat(pcs["east"].to_numpy()[pick].astype(float),
                          pcs["north"].to_numpy()[pick].astype(float))
    k = np.arange(n)
    pcd = pcs["pcd"].to_numpy()[pick]
    cat = np.array(CATEGORIES)[rng.integers(0, len(CATEGORIES), n)]
    hour = rng.integers(9, 20, n)
    df = pd.DataFrame({
        "service_id": [f"synthetic-{j:06d}" for j in k],
        "service_name": [f"Synthetic {c} group {j}" for c, j in zip(cat, k, strict=True)],
        "organization": [f"Synthetic Organisation {j // 3}" for j in k],
        "category": cat,
        "description": "SYNTHETIC listing for benchmarks: not a real activity.",
        "venue_name": [f"Synthetic Hall {j // 2}" for j in k],
        "address": [f"Synthetic Hall {j // 2}, Synthshire" for j in k],
        "postcode": [f"{p[:4].strip()} {p[4:]}" for p in pcd],
        "lat": lat, "lon": lon,
        "day": np.array(DAYS)[rng.integers(0, 7, n)],
        "start_time": [f"{h:02d}:00" for h in hour],
        "end_time": [f"{h + 2:02d}:00" for h in hour],
        "frequency": np.array(["weekly", "fortnightly", "monthly"])[rng.integers(0, 3, n)],
        "cost_gbp": np.round(rng.choice([0, 0, 2, 3.5, 5], n), 2),
        "status": "active",
        "contact_email": [f"group{j}@example.org" for j in k],
        "lad24cd": [lad_code(int(a)) for a in geo.lad_idx[pcs["lsoa"].to_numpy()[pick]]],
    })
    return _csv(df, out / "directory" / "activities_SYNTHETIC.csv")


def generate(out: Path, scale: float, *, seed: int = SEED, progress: bool = False
             ) -> dict[str, object]:
    """Write every synthetic file for `scale` under `out`; returns paths and counts."""
    out.mkdir(parents=True, exist_ok=True)
    sizes = Sizes(scale)
    rng = np.random.default_rng(seed)
    geo = build_geography(sizes, rng)
    paths: dict[str, object] = dict(write_areas(geo, out))
    pcs = postcode_points(geo, sizes, rng)
    paths["postcodes"] = write_codepoint(geo, pcs, out)
    net = build_network(geo, sizes, rng)
    paths["naptan"] = write_naptan(net, out)
    gtfs, counts = write_gtfs(geo, net, sizes, rng, out, progress)
    paths["gtfs"] = gtfs
    paths["listings"] = write_listings(geo, pcs, sizes, rng, out)
    (out / "SYNTHETIC_README.txt").write_text(
        f"SYNTHETIC England at scale {scale} (seed {seed}), generated by "
        "bench/national/synth.py for benchmarks and scale tests. None of it is real data.\n",
        encoding="utf-8")
    counts.update(lsoa=geo.n, postcodes=len(pcs), naptan_stops=len(net.atco), lads=geo.n_lads)
    paths["counts"] = counts
    return paths


def iter_sizes(scales: list[float]) -> Iterator[tuple[float, Sizes]]:
    """(scale, Sizes) pairs (for reports)."""
    for s in scales:
        yield s, Sizes(s)


def main() -> int:
    """CLI: generate the synthetic England files."""
    ap = argparse.ArgumentParser(prog="python -m bench.national.synth", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=0.01, help="fraction of England (1 = full)")
    ap.add_argument("--out", type=Path, required=True, help="output directory")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()
    res = generate(args.out, args.scale, seed=args.seed, progress=True)
    for k, v in res.items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
