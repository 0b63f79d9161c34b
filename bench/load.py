"""`python -m bench.load`: the server under 32 connections of mixed traffic for 60 seconds.

The mix is 3:2:3:2 of postcode lookups (`GET /api/postcodes/{pc}`), ward areas
(`GET /api/areas/ward`), activity searches (`GET /api/activities?near=…&radius_m=3000`) and
finder requests (`POST /api/reachable-activities`, a typical week). It prints requests,
errors by status code, p50/p95 per endpoint, and the postcode lookup's p95 under load as a
ratio to its p95 on an idle server (target: 0 errors and a ratio of at most 10).

The server is the real thing (`python -m app`, WEB_CONCURRENCY workers, default one per
core) on a free loopback port. With DATABASE_URL set it serves that database (which must
hold `python -m ingest all` of the Notts data); otherwise the bench starts a throwaway
PostGIS cluster, loads GEODATA_DIR into it, and removes it afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text

from bench.common import MIDNOTTS_OUTWARDS, geodata

ROOT = Path(__file__).resolve().parent.parent
MIX = (("postcode", 3), ("wards", 2), ("activities", 3), ("finder", 2))
FINDER = {"date_from": "2026-11-23", "date_to": "2026-11-29", "hours_from": "09:00",
          "hours_to": "17:00", "mode": "walk+bus", "max_minutes": 45, "max_buses": 2}


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def throwaway_database() -> Iterator[str]:
    """A private PostGIS cluster with the Notts data loaded; removed on exit."""
    base = Path(tempfile.mkdtemp(prefix="withinreach-bench-"))
    base.chmod(0o755)  # the cluster runs as the postgres user when we are root
    data = base / "data"
    pg = str(ROOT / "scripts" / "pg.sh")
    env = {**os.environ, "PG_FAST": "1"}
    try:
        url = subprocess.run([pg, "start", str(data), str(free_port()), "bench"], check=True,
                             capture_output=True, text=True, env=env).stdout.strip()
        print(f"  throwaway PostGIS in {base}; migrating and loading {geodata()} ...",
              flush=True)
        run_env = {**os.environ, "DATABASE_URL": url}
        subprocess.run([sys.executable, "-m", "alembic", "upgrade", "heads"], cwd=ROOT,
                       env=run_env, check=True, capture_output=True)
        subprocess.run([sys.executable, "-m", "ingest", "all", str(geodata()), "--quiet"],
                       cwd=ROOT, env=run_env, check=True, capture_output=True)
        yield url
    finally:
        subprocess.run([pg, "stop", str(data)], check=False, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def server(url: str, workers: int) -> Iterator[tuple[str, int]]:
    """`python -m app` on a free loopback port; yields (host, port) once it answers."""
    port = free_port()
    cache = Path(tempfile.mkdtemp(prefix="withinreach-bench-cache-"))
    env = {**os.environ, "DATABASE_URL": url, "HOST": "127.0.0.1", "PORT": str(port),
           "WEB_CONCURRENCY": str(workers), "CACHE_DIR": str(cache), "LOG_LEVEL": "warning"}
    env.pop("APP_ENV", None)
    log = open(cache / "server.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen([sys.executable, "-m", "app"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise SystemExit("the server exited:\n" + (cache / "server.log").read_text())
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start within 90 s")
            time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(cache, ignore_errors=True)


class Connection:
    """A minimal keep-alive HTTP/1.1 client (cheap, so the bench leaves the CPU to the server)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, target: str, body: bytes | None = None) -> int:
        """Send one request and read the whole answer; returns the status code."""
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = f"{method} {target} HTTP/1.1\r\nHost: {self.host}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + (body or b""))
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed by the server")
        status = int(status_line.split()[1])
        length, close = None, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        if length is None:
            raise ConnectionError("response without Content-Length")
        await self.reader.readexactly(length)
        if close:
            self.writer.close()
            self.writer = None
        return status


@dataclass
class Results:
    """Latencies per endpoint and outcomes per status code or error."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: Counter[str] = field(default_factory=Counter)


def targets(url: str) -> tuple[list[str], list[str]]:
    """Mid-Notts postcodes (for lookups and searches) and finder origins, pseudo-random."""
    engine = create_engine(url)
    with engine.connect() as conn:
        pcs = [r[0] for r in conn.execute(text(
            "SELECT p.pcds FROM postcode p JOIN lad ON lad.code = p.lad_code"
            " WHERE p.outward = ANY(:o) ORDER BY md5(p.pcd) LIMIT 400"),
            {"o": list(MIDNOTTS_OUTWARDS)})]
    engine.dispose()
    if len(pcs) < 10:
        raise SystemExit("no Mid-Notts postcodes in the database: run `python -m ingest all`")
    return pcs, pcs[:60]


def make_request(kind: str, i: int, pcs: list[str], origins: list[str]
                 ) -> tuple[str, str, bytes | None]:
    """(method, target, body) of the i-th request of a kind."""
    pc = pcs[i % len(pcs)].replace(" ", "%20")
    if kind == "postcode":
        return "GET", f"/api/postcodes/{pc}", None
    if kind == "wards":
        return "GET", "/api/areas/ward?simplify=50", None
    if kind == "activities":
        return "GET", f"/api/activities?near={pc}&radius_m=3000", None
    body = {"origin": {"postcode": origins[i % len(origins)]}, **FINDER}
    return "POST", "/api/reachable-activities", json.dumps(body).encode()


async def idle_postcodes(host: str, port: int, pcs: list[str], n: int) -> list[float]:
    """Postcode lookups one at a time on an otherwise idle server."""
    conn = Connection(host, port)
    out = []
    for i in range(n):
        method, target, body = make_request("postcode", i, pcs, pcs)
        t = time.perf_counter()
        status = await conn.request(method, target, body)
        out.append(time.perf_counter() - t)
        if status != 200:
            raise SystemExit(f"idle postcode lookup failed with {status}")
    return out


async def load(host: str, port: int, pcs: list[str], origins: list[str], connections: int,
               seconds: float) -> Results:
    """`connections` clients, each sending the mix back to back until time is up."""
    res = Results()
    plan = [kind for kind, weight in MIX for _ in range(weight)]
    stop = time.monotonic() + seconds

    async def client(k: int) -> None:
        rng = random.Random(k)
        conn = Connection(host, port)
        i = k * 1000
        while time.monotonic() < stop:
            kind = rng.choice(plan)
            method, target, body = make_request(kind, i, pcs, origins)
            i += 1
            t = time.perf_counter()
            try:
                status = await conn.request(method, target, body)
                res.outcomes[str(status)] += 1
                if status == 200:
                    res.seconds[kind].append(time.perf_counter() - t)
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
                res.outcomes[type(exc).__name__] += 1
                conn = Connection(host, port)

    await asyncio.gather(*(client(k) for k in range(connections)))
    return res


def ms(values: list[float], q: float) -> float:
    """Percentile q of `values` in milliseconds (nan when empty)."""
    return float(np.percentile(values, q) * 1000) if values else float("nan")


def run(url: str, connections: int, seconds: float, workers: int) -> float:
    """Warm up, measure idle, load, print; returns the postcode p95 ratio."""
    pcs, origins = targets(url)
    with server(url, workers) as (host, port):
        # Warm-up: compile the week's timetables and JIT the engine in every worker.
        asyncio.run(load(host, port, pcs, origins, connections=4 * workers, seconds=15))
        idle = asyncio.run(idle_postcodes(host, port, pcs, 300))
        started = time.perf_counter()
        res = asyncio.run(load(host, port, pcs, origins, connections, seconds))
        wall = time.perf_counter() - started
    total = sum(res.outcomes.values())
    errors = {k: v for k, v in res.outcomes.items() if k != "200"}
    print(f"  {connections} connections for {wall:.0f} s, {workers} server workers, "
          f"mix postcode:wards:activities:finder = 3:2:3:2")
    print(f"  requests {total:,} ({total / wall:.0f}/s), errors "
          f"{sum(errors.values()):,} {dict(sorted(errors.items())) or ''}")
    print(f"  {'endpoint':<52} {'n':>6} {'p50 ms':>9} {'p95 ms':>9}")
    labels = {"postcode": "GET /api/postcodes/{postcode}",
              "wards": "GET /api/areas/ward?simplify=50",
              "activities": "GET /api/activities?near=…&radius_m=3000",
              "finder": "POST /api/reachable-activities (a week)"}
    for kind, _ in MIX:
        vals = res.seconds[kind]
        print(f"  {labels[kind]:<52} {len(vals):>6} {ms(vals, 50):>9.1f} {ms(vals, 95):>9.1f}")
    idle95, load95 = ms(idle, 95), ms(res.seconds["postcode"], 95)
    ratio = load95 / idle95
    print(f"  postcode lookup idle (n={len(idle)}): p50 {ms(idle, 50):.1f} ms, p95 "
          f"{idle95:.1f} ms; under load p95 {load95:.1f} ms; ratio {ratio:.1f} (target ≤ 10)")
    return ratio


def main() -> int:
    """Parse options, get a database, run the load, print the figures."""
    ap = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int,
                    default=int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 1),
                    help="server worker processes (default WEB_CONCURRENCY or one per core)")
    args = ap.parse_args()
    print(f"# bench.load, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    url = os.environ.get("DATABASE_URL")
    with contextlib.ExitStack() as stack:
        if not url:
            url = stack.enter_context(throwaway_database())
        run(url, args.connections, args.seconds, args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
