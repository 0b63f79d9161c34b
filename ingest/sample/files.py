"""Write the fictional sample region as files in the official publication formats.

The files go through the normal loaders, so the sample doubles as a realistic fixture: ONS
GeoJSON boundaries (with a CRS84 `crs` member), an ONS LSOA->ward->LAD lookup and RUC21
lookup, an IoD File 7 CSV, a Census 2021 age CSV in the Nomis layout, a headerless Code-Point
Open CSV (eastings/northings from WGS84 via pyproj) and a NaPTAN Stops.csv.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from shapely.geometry import mapping

from app.iod import AGE_BANDS, MEASURES
from ingest.areas.bng import to_bng
from ingest.sample.region import SampleRegion, sample_region

# The File 7 label of each measure ('<label> Score', '<label> Rank (...)', '<label> Decile (...)').
FILE7_LABELS = {
    "imd": "Index of Multiple Deprivation (IMD)",
    "income": "Income",
    "employment": "Employment",
    "education": "Education, Skills and Training",
    "health": "Health Deprivation and Disability",
    "crime": "Crime",
    "barriers": "Barriers to Housing and Services",
    "living_environment": "Living Environment",
    "children_young_people": "Children and Young People Sub-domain",
    "adult_skills": "Adult Skills Sub-domain",
    "geographical_barriers": "Geographical Barriers Sub-domain",
    "wider_barriers": "Wider Barriers Sub-domain",
    "indoors": "Indoors Sub-domain",
    "outdoors": "Outdoors Sub-domain",
}
_AGE_HEADERS = ("Aged 15 years and under", "Aged 16 to 24 years", "Aged 25 to 34 years",
                "Aged 35 to 49 years", "Aged 50 to 64 years", "Aged 65 years and over")

# (loader command, file name) in load order; `load_sample_region` walks this list.
SAMPLE_FILES: tuple[tuple[str, str], ...] = (
    ("boundaries", "LAD_fictionbury.geojson"),
    ("boundaries", "WD_fictionbury.geojson"),
    ("boundaries", "LSOA21_fictionbury.geojson"),
    ("lookups", "LSOA21_WD24_LAD24_fictionbury.csv"),
    ("lookups", "LSOA21_RUC21_fictionbury.csv"),
    ("iod", "File_7_fictionbury.csv"),
    ("population", "census2021_age_fictionbury.csv"),
    ("postcodes", "codepoint_xf.csv"),
    ("naptan", "Stops.csv"),
)


def write_sample_files(folder: Path, region: SampleRegion | None = None) -> list[Path]:
    """Write every sample file into `folder` (created if needed); return their paths."""
    r = region or sample_region()
    folder.mkdir(parents=True, exist_ok=True)
    lad, ward = r.district, {w.code: w for w in r.wards}
    _geojson(folder / "LAD_fictionbury.geojson", "LAD_fictionbury",
             [({"LAD24CD": lad.code, "LAD24NM": lad.name}, lad.geom)])
    _geojson(folder / "WD_fictionbury.geojson", "WD_fictionbury",
             [({"WD24CD": w.code, "WD24NM": w.name, "LAD24CD": lad.code, "LAD24NM": lad.name},
               w.geom) for w in r.wards])
    _geojson(folder / "LSOA21_fictionbury.geojson", "LSOA21_fictionbury",
             [({"LSOA21CD": a.code, "LSOA21NM": a.name, "WD24CD": a.ward_code,
                "WD24NM": ward[a.ward_code or ""].name, "LAD24CD": lad.code,
                "LAD24NM": lad.name}, a.geom) for a in r.lsoas])
    _csv(folder / "LSOA21_WD24_LAD24_fictionbury.csv",
         ["LSOA21CD", "LSOA21NM", "WD24CD", "WD24NM", "LAD24CD", "LAD24NM"],
         [[a.code, a.name, a.ward_code, ward[a.ward_code or ""].name, lad.code, lad.name]
          for a in r.lsoas])
    _csv(folder / "LSOA21_RUC21_fictionbury.csv",
         ["LSOA21CD", "LSOA21NM", "RUC21CD", "RUC21NM", "Urban_rural_flag"],
         [[a.code, a.name, *r.rural_urban[a.code],
           "Urban" if r.rural_urban[a.code][0].startswith("U") else "Rural"] for a in r.lsoas])
    header = ["LSOA code (2021)", "LSOA name (2021)", "Local Authority District code (2024)",
              "Local Authority District name (2024)"]
    for m in MEASURES:
        label = FILE7_LABELS[m]
        rate = " (rate)" if m in ("income", "employment") else ""
        header += [f"{label} Score{rate}", f"{label} Rank (where 1 is most deprived)",
                   f"{label} Decile (where 1 is most deprived 10% of LSOAs)"]
    _csv(folder / "File_7_fictionbury.csv", header, [
        [a.code, a.name, lad.code, lad.name,
         *[v for m in MEASURES for v in (r.deprivation[a.code][m].score,
                                         r.deprivation[a.code][m].rank,
                                         r.deprivation[a.code][m].decile)]]
        for a in r.lsoas])
    _csv(folder / "census2021_age_fictionbury.csv",
         ["date", "geography", "geography code", "Age: Total",
          *[f"Age: {h}" for h in _AGE_HEADERS]],
         [[2021, a.name, a.code, r.population[a.code]["total"],
           *[r.population[a.code][b] for b in AGE_BANDS]] for a in r.lsoas])
    _codepoint(folder / "codepoint_xf.csv", r)
    _naptan(folder / "Stops.csv", r)
    return [folder / name for _, name in SAMPLE_FILES]


def _geojson(path: Path, name: str, features: list[tuple[dict[str, Any], Any]]) -> None:
    doc = {
        "type": "FeatureCollection", "name": name,
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": [{"type": "Feature", "properties": props, "geometry": mapping(geom)}
                     for props, geom in features],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")


def _csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def _codepoint(path: Path, r: SampleRegion) -> None:
    """Headerless, 10 columns, 7-character postcodes: exactly as OS publishes Code-Point Open."""
    east, north = to_bng([p.lon for p in r.postcodes], [p.lat for p in r.postcodes])
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        for p, e, n in zip(r.postcodes, east.tolist(), north.tolist(), strict=True):
            outward, inward = p.pcds.split(" ")
            writer.writerow([f"{outward:<4}{inward}", 10, round(e), round(n), "X92000001", "",
                             "", "", r.district.code, p.ward_code])


def _naptan(path: Path, r: SampleRegion) -> None:
    east, north = to_bng([s.lon for s in r.stops], [s.lat for s in r.stops])
    header = ["ATCOCode", "NaptanCode", "CommonName", "Indicator", "Street", "LocalityName",
              "Bearing", "Easting", "Northing", "Longitude", "Latitude", "StopType",
              "BusStopType", "Status"]
    _csv(path, header, [
        [s.atco_code, s.naptan_code, s.name, s.indicator, s.street, "Fictionbury (fictional)",
         s.bearing, round(e), round(n), s.lon, s.lat, "BCT", "MKD", "active"]
        for s, e, n in zip(r.stops, east.tolist(), north.tolist(), strict=True)])
