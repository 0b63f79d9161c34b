"""`python -m bench [--quick] [--skip-peers] [--skip-poa] [--osm]`: run every benchmark."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform

from bench import engine_queries, peer_ferrobus, peer_networkx, peer_pyraptor, poa_matrix


def main() -> int:
    """Run the engine timings, both peers and the POA matrix, printing every figure."""
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions, 100 POA origins")
    ap.add_argument("--skip-peers", action="store_true",
                    help="skip pyraptor, networkx and ferrobus")
    ap.add_argument("--skip-poa", action="store_true", help="skip the POA matrix")
    ap.add_argument("--osm", action="store_true", help="POA matrix on the OSM pedestrian graph")
    ap.add_argument("--workers", type=int, default=None, help="POA matrix cores")
    ap.add_argument("--impl", choices=("engine", "bench"), default="engine",
                    help="POA matrix: engine travel_time_matrix or the bench's process pool")
    args = ap.parse_args()
    print(f"# Within Reach benchmarks, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} (shared machine)")
    engine = engine_queries.main(quick=args.quick)
    if not args.skip_peers:
        peer_pyraptor.main(engine, quick=args.quick)
        peer_networkx.main(engine, quick=args.quick)
        peer_ferrobus.main(quick=args.quick)
    if not args.skip_poa:
        poa_matrix.main(args.quick, args.workers, "osm" if args.osm else "crow-fly", args.impl)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
