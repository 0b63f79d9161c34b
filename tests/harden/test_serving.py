"""Several workers serve the app, and a worker killed with SIGKILL is replaced by itself."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out |= {int(p) for p in text}
    return out


def _workers(pid: int) -> set[int]:
    """Worker processes of the supervisor (not multiprocessing's resource tracker)."""
    out = set()
    for child in _children(pid):
        try:
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                out.add(child)
        except OSError:
            continue
    return out


def _server_pid(port: int) -> int:
    """The uvicorn supervisor listening on `port` (found through /proc, no tools needed)."""
    needle = f"PORT={port}".encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            env = (proc / "environ").read_bytes().split(b"\0")
            cmd = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if needle in env and cmd.endswith(b"-m\0app\0") and _children(int(proc.name)):
            return int(proc.name)
    raise AssertionError("server process not found")


def test_killed_worker_is_replaced(server: dict[str, str], client: httpx.Client) -> None:
    parent = _server_pid(int(server["url"].rsplit(":", 1)[1]))
    workers = _workers(parent)
    assert len(workers) == 2  # WEB_CONCURRENCY=2
    victim = min(workers)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while True:
        now = _workers(parent)
        if victim not in now and len(now) == 2:
            break
        assert time.monotonic() < deadline, f"no replacement worker: {now}"
        time.sleep(0.2)
    for _ in range(20):  # both workers answer (new connections spread over them)
        with httpx.Client(base_url=server["url"], timeout=30) as fresh:
            assert fresh.get("/api/health").status_code == 200
