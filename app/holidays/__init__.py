"""Bank holidays for England and Wales, as data (GOV.UK's bank-holidays.json format).

The shipped file holds the england-and-wales division of https://www.gov.uk/bank-holidays.json
for 2023–2027. A fresher download of that file can replace it (`load_bank_holidays(path)`);
its other divisions (scotland, northern-ireland) are read only when asked for.

Pure: standard library only, so the fare model and the directory can both use it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

__all__ = [
    "DEFAULT_DIVISION",
    "SHIPPED_FILE",
    "SOURCE_URL",
    "BankHolidayError",
    "BankHolidays",
    "bank_holiday_name",
    "default_bank_holidays",
    "is_bank_holiday",
    "load_bank_holidays",
]

SOURCE_URL = "https://www.gov.uk/bank-holidays.json"
SHIPPED_FILE = Path(__file__).with_name("bank-holidays.json")
DEFAULT_DIVISION = "england-and-wales"


class BankHolidayError(ValueError):
    """A bank-holiday file that cannot be used; `problems` lists every fault found."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


@dataclass(frozen=True)
class BankHolidays:
    """The bank holidays of one division, and the years the data cover."""

    division: str
    days: dict[date, str]  # date -> title ("Easter Monday")
    first_year: int
    last_year: int
    source: str = SOURCE_URL

    def covers(self, day: date) -> bool:
        """Whether the data cover the year of `day` (outside it, "no holiday" is a guess)."""
        return self.first_year <= day.year <= self.last_year

    def is_holiday(self, day: date) -> bool:
        """Whether `day` is a bank holiday (False for years the data do not cover)."""
        return day in self.days

    def name(self, day: date) -> str | None:
        """The holiday's title, or None on an ordinary day."""
        return self.days.get(day)

    def in_range(self, start: date, end: date) -> list[tuple[date, str]]:
        """Holidays from start to end inclusive, in date order."""
        return sorted((d, t) for d, t in self.days.items() if start <= d <= end)


def load_bank_holidays(path: str | Path | None = None,
                       division: str = DEFAULT_DIVISION) -> BankHolidays:
    """Read a GOV.UK-format bank-holidays file (None: the shipped one); every fault at once."""
    file = Path(path) if path else SHIPPED_FILE
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BankHolidayError(file, [f"cannot read the file ({exc.strerror})"]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BankHolidayError(file, [f"not UTF-8 JSON ({exc})"]) from None
    section = doc.get(division) if isinstance(doc, dict) else None
    if not isinstance(section, dict) or not isinstance(section.get("events"), list):
        known = sorted(k for k, v in doc.items() if isinstance(v, dict)) if isinstance(
            doc, dict) else []
        raise BankHolidayError(file, [f"no '{division}' division with an 'events' list "
                                      f"(divisions found: {', '.join(known) or 'none'})"])
    problems: list[str] = []
    days: dict[date, str] = {}
    for i, event in enumerate(section["events"]):
        where = f"{division}.events[{i}]"
        if not isinstance(event, dict):
            problems.append(f"{where}: not an object")
            continue
        title = event.get("title")
        if not isinstance(title, str) or not title.strip():
            problems.append(f"{where}.title: missing or empty")
            title = "Bank holiday"
        try:
            day = date.fromisoformat(str(event.get("date")))
        except ValueError:
            problems.append(f"{where}.date: {event.get('date')!r} is not a YYYY-MM-DD date")
            continue
        if day in days:
            problems.append(f"{where}.date: {day} is listed twice")
        days[day] = title
    if not days and not problems:
        problems.append(f"{division}.events: empty")
    if problems:
        raise BankHolidayError(file, problems)
    years = [d.year for d in days]
    return BankHolidays(division, days, min(years), max(years))


@lru_cache(maxsize=1)
def default_bank_holidays() -> BankHolidays:
    """The shipped England and Wales bank holidays, read once."""
    return load_bank_holidays()


def is_bank_holiday(day: date, holidays: BankHolidays | None = None) -> bool:
    """Whether `day` is a bank holiday in England and Wales (or in `holidays`)."""
    return (holidays or default_bank_holidays()).is_holiday(day)


def bank_holiday_name(day: date, holidays: BankHolidays | None = None) -> str | None:
    """The bank holiday's title on `day`, or None."""
    return (holidays or default_bank_holidays()).name(day)
