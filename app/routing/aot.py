"""Ahead-of-time compiled copies of the single-query kernels, built once into the cache.

A process that answers one query should not pay for starting numba's JIT (about 0.25 s
and 65 MiB just to import it, then loading each cached function). So the kernels a
single query needs (`run_iteration_flat`, `run_times_flat`, `search_times_flat`,
`near_many`, `reset_touched`, `collect_touched`) are also compiled ahead of time
with `numba.pycc` into a small extension module under `NUMBA_CACHE_DIR/aot/`, named by a
hash of the kernel source and the numpy/Python versions. Loading it imports no numba.

`kernels()` returns that module when it is there. Otherwise the process uses the JIT
kernels of `app.routing.kernels` (same signatures, same results) and starts one build in
a background process (`WR_NUMBA_AOT=0` turns that off), so a first request never waits
for a C compiler; the next process finds the module. `python -m app.routing.aot` builds
it in the foreground (an install step); without a C compiler the JIT simply stays.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

# Bump when an exported signature changes (the hash covers kernels.py, not this file).
ABI = "5"
_LOCK = threading.Lock()
_KERNELS: Any = None


def aot_dir() -> Path:
    """Where the AOT module lives: NUMBA_CACHE_DIR/aot (set by app.routing at import)."""
    base = os.environ.get("NUMBA_CACHE_DIR")
    if base:
        return Path(base) / "aot"
    import tempfile

    return Path(tempfile.gettempdir()) / "withinreach-numba" / "aot"


def module_name() -> str:
    """Module name: a hash of the kernel source and the numpy / Python versions."""
    src = (Path(__file__).with_name("kernels.py").read_bytes() + ABI.encode()
           + np.__version__.encode() + sys.version.encode())
    return "wr_kernels_" + hashlib.sha256(src).hexdigest()[:16]


def _path(name: str) -> Path:
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]  # e.g. .cpython-311-x86_64-linux-gnu.so
    return aot_dir() / f"{name}{suffix}"


def _import(path: Path, name: str) -> ModuleType | None:
    """Import the extension at path (None if absent or unloadable)."""
    if not path.exists():
        return None
    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
    spec = importlib.machinery.ModuleSpec(name, loader, origin=str(path))
    try:
        mod = loader.create_module(spec)
        loader.exec_module(mod)
    except ImportError:
        return None
    return mod


def _signatures() -> dict[str, Any]:
    """Exact argument types of the exported kernels (what `Router` passes)."""
    from numba import types as T  # noqa: N812 - numba's own spelling in signatures

    i1, i4, i8, b1, f8 = (T.int8[::1], T.int32[::1], T.int64[::1], T.boolean[::1],
                          T.float64[::1])
    lab = T.int32[:, ::1]
    run = T.int64(
        i4, i4, i4, i4, i4, i4, i4, i4, i4, b1, b1, i4, i4, i4,  # timetable pack
        T.int64, T.int64, T.int64, T.int64,  # n_rounds, min_change, dep0, limit
        i4, i4, lab, lab, lab, lab,  # access stops/times, labels
        b1, i4, i4, i4, b1, i4, b1, i4, b1, i4, i8, i4,  # work (board_thr, touched, q_end)
        T.boolean, i1, i4, i1, i4, i4, i4, i4, i4, i4, i8,  # record, log
        i4)  # changed
    times = T.int64(
        i4, i4, i4, i4, i4, i4, i4, i4, i4, b1, b1, i4, i4, i4,  # timetable pack
        T.int64, T.int64, T.int64, T.int64,  # n_rounds, min_change, dep0, limit
        i4, i4, lab, lab,  # access stops/times, bus and walk labels
        b1, i4, i4, i4, b1, i4, b1, i4, b1, i4, i8, i4,  # work (board_thr, touched, q_end)
        i4)  # changed
    search = T.int64(
        i4, i4, i4, i4, i4, i4, i4, i4, i4, b1, b1, i4, i4, i4,  # timetable pack
        T.int64, T.int64, T.int64, T.int64,  # n_rounds, min_change, dep0, limit
        i4, i4, lab, lab,  # access stops/times, the scratch bus and walk labels
        b1, i4, i4, i4, b1, i4, b1, i4, b1, i4, i8, i4,  # work (board_thr, touched, q_end)
        T.boolean, T.int32[:, :, ::1])  # dense, its output block
    near = T.Tuple((i8, i4, f8))(f8, i8, f8, f8, f8, f8, T.float64, T.float64, T.float64)
    reset = T.none(lab, lab, b1, i4, i8)
    collect = T.none(lab, lab, lab, b1, i4, i8, i4, lab, lab, lab)
    return {"run_iteration_flat": run, "run_times_flat": times,
            "search_times_flat": search, "near_many": near,
            "reset_touched": reset, "collect_touched": collect}


def build() -> Path:
    """Compile the AOT module into aot_dir() (atomic rename) and return its path."""
    import tempfile
    import warnings

    from numba.pycc import CC

    from app.routing import kernels as k

    name = module_name()
    final = _path(name)
    final.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=final.parent) as tmp:
        cc = CC(name)
        cc.output_dir = tmp
        cc.verbose = False
        for fn, sig in _signatures().items():
            cc.export(fn, sig)(getattr(k, fn).py_func)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pycc's pending-deprecation notice
            cc.compile()
        built = next(Path(tmp).glob(f"{name}*"))
        os.replace(built, final)
    for old in final.parent.glob("wr_kernels_*"):  # builds (and markers) of older sources
        if old != final:
            old.unlink(missing_ok=True)
    return final


@contextmanager
def _build_lock() -> Iterator[None]:
    """One builder at a time across processes (others wait, then load its result)."""
    import fcntl

    aot_dir().mkdir(parents=True, exist_ok=True)
    with open(aot_dir() / ".build.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def load_aot() -> ModuleType | None:
    """The AOT module for the current kernel source, or None if it is not built."""
    name = module_name()
    return _import(_path(name), name)


def ensure_built() -> Path:
    """Build the AOT module unless it is there already (one builder at a time).

    A failed build leaves a `.failed` marker so background builds are not retried by
    every process (a foreground build, this function, always tries again).
    """
    name = module_name()
    with _build_lock():
        if load_aot() is None:
            marker = aot_dir() / f"{name}.failed"
            try:
                build()
            except Exception:
                marker.touch()
                raise
            marker.unlink(missing_ok=True)
    return _path(name)


def _build_in_background() -> None:
    """Start `python -m app.routing.aot` detached, unless turned off or impossible."""
    import shutil
    import subprocess

    if os.environ.get("WR_NUMBA_AOT", "1") == "0":
        return
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        return
    if (aot_dir() / f"{module_name()}.failed").exists():
        return
    try:
        subprocess.Popen([sys.executable, "-m", "app.routing.aot"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        return


def _load_or_build() -> Any:
    mod = load_aot()
    if mod is not None:
        return mod
    _build_in_background()
    from app.routing import kernels as k

    return k


def kernels() -> Any:
    """The module holding `run_iteration_flat` and `near_many` (AOT if possible, else JIT)."""
    global _KERNELS
    if _KERNELS is None:
        with _LOCK:
            if _KERNELS is None:
                _KERNELS = _load_or_build()
    return _KERNELS


def using_aot() -> bool:
    """True when queries run on the ahead-of-time compiled kernels."""
    return getattr(kernels(), "__name__", "").startswith("wr_kernels_")


if __name__ == "__main__":
    print(f"AOT kernels: {ensure_built()}")
