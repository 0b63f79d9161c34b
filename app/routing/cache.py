"""On-disk cache of compiled timetables (.npz files, pure file IO).

Files are uncompressed .npz archives, so every array is one contiguous .npy member:
`load` maps them into memory (copy-on-write) instead of reading them, so a fresh process
starts answering at once and processes with the same timetable share its pages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app.routing.timetable import BuildParams, Timetable

if TYPE_CHECKING:
    from app.routing.feed import Feed

CACHE_FORMAT = 2  # bump when the Timetable layout changes so old files are ignored


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
    """Arrays of an uncompressed .npz, memory-mapped copy-on-write (no data is read)."""
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
            mm = np.memmap(path, dtype=dtype, mode="c", offset=data_at, shape=shape,
                           order="F" if fortran else "C")
            out[name] = np.asarray(mm)  # a plain ndarray view: numba takes no subclasses
    return out


class TimetableCache:
    """Compiled timetables stored as `<dir>/<key>.npz`, key = hash of feeds, date and params."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    @staticmethod
    def key(feeds: Sequence[Feed], day: dt.date, params: BuildParams) -> str:
        """Stable cache key for (feed names+versions, date, build params)."""
        payload = {
            "format": CACHE_FORMAT,
            "feeds": [[f.name, f.version] for f in feeds],
            "date": day.isoformat(),
            "params": dataclasses.asdict(params),
        }
        blob = json.dumps(payload, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:32]

    def path(self, key: str) -> Path:
        """File path for a key."""
        return self.directory / f"{key}.npz"

    def load(self, key: str) -> Timetable | None:
        """The cached timetable for key, or None if absent or unreadable."""
        p = self.path(key)
        if not p.exists():
            return None
        try:
            return Timetable.from_arrays(map_npz(p))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            return None  # a half-written or stale file is just a cache miss

    def save(self, key: str, tt: Timetable) -> Path:
        """Write atomically (temp file + rename) so readers never see partial files."""
        import tempfile

        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp.npz")
        os.close(fd)
        np.savez(tmp, **tt.to_arrays())  # type: ignore[arg-type]
        final = self.path(key)
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
