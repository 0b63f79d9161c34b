"""The served region (SERVED_REGION): which loaded districts this service covers.

Empty or 'england' serves every loaded district (the data are the limit). A list of LAD
codes or names serves only those: the finder refuses origins elsewhere, the planner
shows and compares only those areas, and the pages name them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from app.settings import get_settings

ALL_ENGLAND = "england"


def region_setting(raw: str | None = None) -> list[str] | None:
    """The setting's entries (codes upper-cased, names as given); None = all of England."""
    value = get_settings().served_region if raw is None else raw
    entries = [e.strip() for e in value.split(",") if e.strip()]
    if not entries or (len(entries) == 1 and entries[0].lower() == ALL_ENGLAND):
        return None
    return entries


def join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'; names with 'and' in them keep commas between them."""
    if len(names) <= 1:
        return "".join(names)
    if any(" and " in n for n in names):
        return ", ".join(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}"


@dataclass(frozen=True)
class ServedRegion:
    """The served districts (code, name) of those loaded; `restricted` when a list is set."""

    districts: tuple[tuple[str, str], ...]
    restricted: bool
    unknown: tuple[str, ...] = ()  # setting entries matching no loaded district

    @property
    def codes(self) -> frozenset[str]:
        """LAD codes served."""
        return frozenset(c for c, _ in self.districts)

    def covers(self, lad_code: str | None) -> bool:
        """True when a district is served."""
        return lad_code is not None and lad_code in self.codes

    @property
    def names(self) -> str:
        """The served districts' names in words."""
        return join_names([n for _, n in self.districts])


def served_region(conn: Connection, raw: str | None = None) -> ServedRegion:
    """The loaded districts the setting names (by code or name), by name; all if unset."""
    loaded = [(r.code, r.name) for r in conn.execute(text("SELECT code, name FROM lad "
                                                          "ORDER BY name"))]
    wanted = region_setting(raw)
    if wanted is None:
        return ServedRegion(tuple(loaded), restricted=False)
    keys = {e.upper() for e in wanted} | {e.lower() for e in wanted}
    chosen = tuple((c, n) for c, n in loaded if c.upper() in keys or n.lower() in keys)
    known = {c.upper() for c, _ in chosen} | {n.lower() for _, n in chosen}
    unknown = tuple(e for e in wanted if e.upper() not in known and e.lower() not in known)
    return ServedRegion(chosen, restricted=True, unknown=unknown)


def region_label(conn: Connection) -> str:
    """The pages' name for the area served: its districts (unset: the shipped data's county)."""
    served = served_region(conn)
    return served.names if served.restricted and served.districts else "Nottinghamshire"


def district_name(conn: Connection, lad_code: str | None) -> str | None:
    """A loaded district's name, or None."""
    if lad_code is None:
        return None
    return conn.execute(text("SELECT name FROM lad WHERE code = :c"), {"c": lad_code}).scalar()
