"""Check a fare policy or a feed's fares: `python -m app.fares check [FILE]`, `... feed PATH`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.fares.errors import FaresDataError
from app.fares.gtfs_fares import load_feed_fares
from app.fares.money import format_pence
from app.fares.policy import load_policy
from app.holidays import BankHolidayError, load_bank_holidays


def _check(policy_file: str | None, holidays_file: str | None) -> int:
    policy = load_policy(policy_file)
    holidays = load_bank_holidays(holidays_file, policy.bank_holiday_division)
    print(f"{policy.source_file}: fare policy {policy.id} version {policy.version} "
          f"(reviewed {policy.reviewed}), known until {policy.known_until}")
    for cap in policy.caps:
        print(f"  cap {cap.id}: {format_pence(cap.single_pence)} single, "
              f"{cap.start} to {cap.end}, {len(cap.route_types)} route types")
    c = policy.concession
    print(f"  {c.name}: weekdays from {c.weekday.start_s // 3600:02d}:"
          f"{c.weekday.start_s % 3600 // 60:02d}, passes {', '.join(sorted(c.passes))}")
    for rule in policy.local:
        print(f"  local {rule.id} ({rule.authority}), as of {rule.as_of}")
    print(f"  bank holidays ({holidays.division}): {len(holidays.days)} days, "
          f"{holidays.first_year}–{holidays.last_year}")
    return 0


def _feed(path: str) -> int:
    feed = load_feed_fares(path)
    if feed.version is None:
        print(f"{path}: no GTFS fares; rides are priced at the national cap")
    elif feed.version == "v1":
        print(f"{path}: Fares v1, {len(feed.fares_v1)} fares, {len(feed.rules_v1)} rules")
    else:
        print(f"{path}: Fares v2, {len(feed.leg_rules)} leg rules, "
              f"{sum(len(p) for p in feed.products.values())} products")
    print(f"  {len(feed.routes)} routes, {len(feed.trip_routes)} trips")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; exit 0 when the file is usable, 2 with every problem listed."""
    parser = argparse.ArgumentParser(prog="python -m app.fares", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate a fare policy (default: the shipped one)")
    check.add_argument("policy", nargs="?", default=None)
    check.add_argument("--bank-holidays", default=None, help="a GOV.UK bank-holidays.json")
    feed = sub.add_parser("feed", help="report the fares in a GTFS zip or folder")
    feed.add_argument("path")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return _check(args.policy, args.bank_holidays)
        return _feed(args.path)
    except (FaresDataError, BankHolidayError) as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
