"""Open an ONS boundary file (GeoJSON, GeoPackage, Shapefile, or any of them zipped) safely.

Every way a file can be unreadable becomes a one-line LoadRefused: empty, not UTF-8,
truncated ZIP, no vector layer inside, or a file GDAL cannot parse.
"""

from __future__ import annotations

import codecs
import warnings
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio

from ingest.report import LoadRefused

VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp")


def gdal_source(path: Path, *, check_utf8: bool = True) -> str:
    """The GDAL path of the one vector dataset in `path` (/vsizip/ for a ZIP)."""
    if not path.exists():
        raise LoadRefused(path, "no such file")
    if path.stat().st_size == 0:
        raise LoadRefused(path, "the file is empty")
    if path.suffix.lower() != ".zip":
        if check_utf8 and path.suffix.lower() in (".geojson", ".json"):
            _check_utf8(path)
        return str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
            names = [n for n in zf.namelist() if n.lower().endswith(VECTOR_SUFFIXES)]
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise LoadRefused(path, f"the ZIP archive is truncated or corrupt ({exc})") from None
    if bad is not None:
        raise LoadRefused(path, f"the ZIP archive is corrupt: {bad!r} fails its CRC check")
    if len(names) != 1:
        raise LoadRefused(path, f"expected one .shp, .gpkg or .geojson inside the ZIP, found "
                          f"{len(names)}")
    return f"/vsizip/{path}/{names[0]}"


def _check_utf8(path: Path) -> None:
    """Stream-decode the file (national GeoJSONs are hundreds of MB) and name the bad line."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = lines = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                # exc.object is the decoder's held-back tail plus this chunk.
                pending = len(exc.object) - len(chunk)
                at = exc.start - pending
                line = lines + chunk[: max(at, 0)].count(b"\n") + 1
                raise LoadRefused(path, f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at "
                                  f"offset {offset + at}); GeoJSON must be UTF-8",
                                  line=line) from None
            offset += len(chunk)
            lines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise LoadRefused(path, "not UTF-8 text (the file ends inside a multi-byte character)",
                          line=lines + 1) from None


def read_info(path: Path) -> dict[str, Any] | None:
    """Layer metadata (fields, CRS, feature count) or None if this is not a vector file."""
    try:
        src = gdal_source(path, check_utf8=False)  # detection must stay cheap
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return dict(pyogrio.read_info(src))
    except (LoadRefused, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
            ValueError, OSError):
        return None


def read_vector(path: Path) -> gpd.GeoDataFrame:
    """Read the features of a boundary file, refusing unreadable ones in one line."""
    src = gdal_source(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pyogrio.read_dataframe(src)
    except Exception as exc:  # GDAL reports many error types; the user needs one line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LoadRefused(path, f"unreadable geometry file ({first})") from None
