"""On-disk cache of compiled timetables (.npz files, pure file IO).

A compiled service date is two uncompressed .npz archives under one key (a hash of the
inputs: feed names, versions and table sizes, the date, the build parameters and the
cache format): `<key>.npz` holds the integer arrays the search reads (the forward
timetable and its mirror's own arrays), `<key>.names` (an uncompressed .npz archive too)
the ids and names as UTF-8 tables (`app.routing.names`), which only answers that print
a stop or a trip touch. The search arrays include the default foot transfers of both
search directions (`walk.stored_transfers`), labelled with the walk they were built for.
Every array is one contiguous .npy member, so `load` maps it read-only instead of
reading it: a fresh process starts answering at once, parses nothing, and every worker
process on the machine shares the same page-cache pages (no per-process copy).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app.routing.timetable import STRING_FIELDS, BuildParams, Timetable
from app.routing.walk import stored_transfers, transfers_current

if TYPE_CHECKING:
    from app.routing.feed import Feed

CACHE_FORMAT = 3  # bump when the Timetable layout changes so old files are ignored


def _member_offset(fh: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Byte offset of a stored (uncompressed) member's data inside the archive."""
    fp = fh.fp
    assert fp is not None
    fp.seek(info.header_offset)
    local = fp.read(30)  # the local file header: name and extra lengths at 26..29
    name_len = int.from_bytes(local[26:28], "little")
    extra_len = int.from_bytes(local[28:30], "little")
    return info.header_offset + 30 + name_len + extra_len


def map_npz(path: Path) -> dict[str, np.ndarray]:
    """Arrays of an uncompressed .npz, memory-mapped read-only (no data is read)."""
    out: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as zf, open(path, "rb") as raw:
        for info in zf.infolist():
            if info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy"):
                raise ValueError(f"{info.filename}: not a stored .npy member")
            start = _member_offset(zf, info)
            raw.seek(start)
            major, _ = np.lib.format.read_magic(raw)
            read_header = (np.lib.format.read_array_header_1_0 if major == 1
                           else np.lib.format.read_array_header_2_0)
            shape, fortran, dtype = read_header(raw)
            if dtype.hasobject:
                raise ValueError(f"{info.filename}: object arrays are not cached")
            data_at = raw.tell()
            name = info.filename[:-4]
            if shape == () or int(np.prod(shape)) == 0:  # scalars and empties: just read
                raw.seek(start)
                out[name] = np.lib.format.read_array(raw, allow_pickle=False)
                continue
            mm = np.memmap(path, dtype=dtype, mode="r", offset=data_at, shape=shape,
                           order="F" if fortran else "C")
            out[name] = np.asarray(mm)  # a plain ndarray view: numba takes no subclasses
    return out


def _digest(payload: dict) -> str:
    import hashlib
    import json

    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:32]


class TimetableCache:
    """Compiled timetables stored as `<dir>/<key>.npz` + `<key>.names`, key = hash of
    the inputs (feeds, date, params)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    @staticmethod
    def key(feeds: Sequence[Feed], day: dt.date, params: BuildParams) -> str:
        """Stable cache key for (feed names+versions, date, build params)."""
        # The reader's version is a content hash unless feed_info names a version; the
        # table sizes catch a feed edited without a new version.
        payload = {
            "format": CACHE_FORMAT,
            "feeds": [[f.name, f.version, len(f.stops), len(f.routes), len(f.trips),
                       len(f.stop_times), len(f.calendar), len(f.calendar_dates)]
                      for f in feeds],
            "date": day.isoformat(),
            "params": dataclasses.asdict(params),
        }
        return _digest(payload)

    @staticmethod
    def file_key(paths: Sequence[str | Path], day: dt.date, params: BuildParams,
                 names: Sequence[str | None] | None = None) -> str:
        """Cache key straight from GTFS files: a hash of their bytes (zip or directory),
        the feed names, date and params. Computing it parses nothing."""
        import hashlib

        digests = []
        for p in map(Path, paths):
            h = hashlib.sha256()
            files = sorted(p.iterdir()) if p.is_dir() else [p]
            for f in files:
                if p.is_dir():  # a directory's member names are content; a zip's own name not
                    h.update(f.name.encode())
                with open(f, "rb") as fh:
                    while chunk := fh.read(1 << 20):
                        h.update(chunk)
            digests.append(h.hexdigest())
        payload = {"format": CACHE_FORMAT, "files": digests,
                   "names": list(names) if names is not None else [None] * len(digests),
                   "date": day.isoformat(), "params": dataclasses.asdict(params)}
        return "f" + _digest(payload)[:31]

    def from_gtfs(self, paths: Sequence[str | Path], day: dt.date,
                  params: BuildParams | None = None,
                  names: Sequence[str | None] | None = None) -> Timetable:
        """The compiled day of these GTFS files: memory-mapped from the cache when their
        bytes were compiled before (no reading, no parsing), else read, compiled, stored."""
        params = params or BuildParams()
        k = self.file_key(paths, day, params, names)
        tt = self.load(k)
        if tt is None:
            from app.routing.gtfs_reader import read_gtfs
            from app.routing.timetable import compile_timetable

            feeds = [read_gtfs(p, name=n)[0]
                     for p, n in zip(paths, names or [None] * len(paths), strict=True)]
            tt = compile_timetable(feeds, day, params)
            self.save(k, tt)
        return tt

    def path(self, key: str) -> Path:
        """File path of a key's search arrays."""
        return self.directory / f"{key}.npz"

    def names_path(self, key: str) -> Path:
        """File path of a key's ids and names."""
        return self.directory / f"{key}.names"  # an .npz archive too

    def load(self, key: str) -> Timetable | None:
        """The cached timetable for key (mapped read-only), or None if absent or unreadable."""
        p, names = self.path(key), self.names_path(key)
        if not p.exists() or not names.exists():
            return None
        try:
            return Timetable.from_arrays(map_npz(p) | map_npz(names))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            return None  # a half-written or stale file is just a cache miss

    def save(self, key: str, tt: Timetable) -> Path:
        """Write both files atomically (temp file + rename; the names first, so a reader
        that finds the search arrays finds their names too). Returns the arrays' path."""
        arrays = tt.to_arrays(mirror=True)
        names = {k: v for k, v in arrays.items() if k.split(".")[0] in STRING_FIELDS}
        search = {k: v for k, v in arrays.items() if k not in names}
        # The default foot transfers too: a national timetable's take a process about a
        # second to build on its first query; mapped, they cost nothing. (This process's
        # own router reads them from the timetable as well.)
        transfers = tt.stored_transfers
        if not transfers_current(transfers):
            transfers = stored_transfers(tt.stop_lat, tt.stop_lon)
            tt.attach_transfers(transfers)
        search |= transfers
        self.directory.mkdir(parents=True, exist_ok=True)
        self._write(self.names_path(key), names)
        return self._write(self.path(key), search)

    def _write(self, final: Path, arrays: dict[str, np.ndarray]) -> Path:
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp.npz")
        os.close(fd)
        write_aligned_npz(Path(tmp), arrays)
        os.replace(tmp, final)
        return final


    def get_or_build(self, feeds: Sequence[Feed], day: dt.date,
                     params: BuildParams | None = None) -> Timetable:
        """Load the timetable for (feeds, day, params) or compile and store it."""
        from app.routing.timetable import compile_timetable

        params = params or BuildParams()
        k = self.key(feeds, day, params)
        tt = self.load(k)
        if tt is None:
            tt = compile_timetable(feeds, day, params)
            self.save(k, tt)
        return tt


ALIGN = 64  # .npy pads its header to 64 bytes: align the member start, and data is aligned


def write_aligned_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """An uncompressed .npz (readable by np.load) whose array data start 64-byte aligned
    in the file, so memory-mapped arrays are aligned; arrays are streamed, not copied."""
    import struct

    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, value in arrays.items():
            arr = np.asarray(value)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            assert zf.fp is not None
            start = zf.fp.tell()
            # Local header: 30 bytes + name + extra (ours, then zipfile's 20-byte zip64 one).
            base = start + 30 + len(info.filename.encode()) + 20
            pad = -base % ALIGN
            if 0 < pad < 4:  # an extra record needs at least its 4-byte header
                pad += ALIGN
            if pad:
                info.extra = struct.pack("<HH", 0x7770, pad - 4) + b"\0" * (pad - 4)
            with zf.open(info, "w", force_zip64=True) as fh:
                np.lib.format.write_array(fh, arr, allow_pickle=False)
