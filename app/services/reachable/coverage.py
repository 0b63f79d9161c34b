"""What the loaded data cover, in words: dataset names, districts and bus service near home.

Every message names a dataset the way its provenance row (dataset_version) does, never by
an internal id, so the words stay true when other data are loaded.
"""

from __future__ import annotations

import math

from sqlalchemy import Connection, text

_LATEST = text("""
SELECT publisher, attribution FROM dataset_version
WHERE dataset = :dataset OR dataset LIKE :pattern
ORDER BY loaded_at DESC, id DESC""")

# Attributions that are licence statements rather than names: use the publisher instead.
_STATEMENTS = ("contains", "source:", "©", "(c)")


def dataset_name(conn: Connection, dataset: str, fallback: str, *, pattern: str = "") -> str:
    """How to name a loaded dataset in a message ('Ordnance Survey (Code-Point Open)').

    `pattern` (SQL LIKE) also takes in related datasets, e.g. one row per GTFS feed.
    """
    names: list[str] = []
    for r in conn.execute(_LATEST, {"dataset": dataset, "pattern": pattern or dataset}):
        attribution = (r.attribution or "").strip()
        name = attribution if attribution and not attribution.lower().startswith(
            _STATEMENTS) else (r.publisher or "").strip()
        if name and name not in names:
            names.append(name)
    return "; ".join(names) or fallback


def postcode_directory(conn: Connection) -> str:
    """The loaded postcode directory's name."""
    return dataset_name(conn, "postcodes", "the postcode directory")


def timetable_name(conn: Connection) -> str:
    """The loaded bus timetables' names."""
    return dataset_name(conn, "gtfs", "the bus timetable", pattern="gtfs:%")


def directory_name(conn: Connection) -> str:
    """The loaded activity directories' names."""
    return dataset_name(conn, "activities", "the activity directory", pattern="activities-%")


def covered_districts(conn: Connection) -> list[tuple[str, str]]:
    """(code, name) of every loaded district, by name."""
    return [(r.code, r.name) for r in conn.execute(text("SELECT code, name FROM lad "
                                                        "ORDER BY name"))]


_LISTED = text("""
SELECT d.code, d.name FROM lad d
WHERE EXISTS (SELECT 1 FROM location l
              JOIN service_at_location sal ON sal.location_id = l.id
              JOIN service s ON s.id = sal.service_id
              WHERE l.lad_code = d.code AND s.status = 'active')
ORDER BY d.name""")


def listing_districts(conn: Connection) -> list[tuple[str, str]]:
    """(code, name) of the districts where any active listing is held."""
    return [(r.code, r.name) for r in conn.execute(_LISTED)]


_LISTED_IN = text("""
SELECT EXISTS (SELECT 1 FROM location l
               JOIN service_at_location sal ON sal.location_id = l.id
               JOIN service s ON s.id = sal.service_id
               WHERE l.lad_code = :lad AND s.status = 'active')""")


def unlisted_note(conn: Connection, lad_code: str | None) -> str | None:
    """A sentence when no listing is held in the client's district (else None)."""
    # The client's own district first: one indexed lookup instead of all ~300 districts.
    if lad_code is not None and conn.execute(_LISTED_IN, {"lad": lad_code}).scalar_one():
        return None
    listed = listing_districts(conn)
    if not listed or any(code == lad_code for code, _ in listed):
        return None
    district = next((n for c, n in covered_districts(conn) if c == lad_code), "this district")
    names = [n for _, n in listed]
    where = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
    return (f"The activity listings loaded ({directory_name(conn)}) are held in {where} only: "
            f"none are listed in {district}, so activities near the client may simply be "
            "missing from this directory.")


# The box (degrees, from the spatial index) first: 275,000 national stops are too many
# to measure one by one; the exact geography distance then decides.
_NAPTAN_NEAR = text("""
SELECT count(*) FROM bus_stop
WHERE status = 'active'
  AND geom && ST_MakeEnvelope(:lon - :dlon, :lat - :dlat, :lon + :dlon, :lat + :dlat, 4326)
  AND ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :m)""")


def naptan_stops_near(conn: Connection, lat: float, lon: float, metres: float) -> int:
    """Active NaPTAN stops within `metres` (straight line) of a point."""
    dlat = metres / 110_000.0 + 1e-4  # a degree of latitude is at least 110.5 km
    dlon = dlat / max(0.01, math.cos(math.radians(min(89.0, abs(lat) + dlat))))
    return int(conn.execute(_NAPTAN_NEAR, {"lat": lat, "lon": lon, "m": metres, "dlat": dlat,
                                           "dlon": dlon}).scalar_one())
