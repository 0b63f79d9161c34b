"""Bus operators by route, so every bus leg can name who runs it (GTFS agency_name)."""

from __future__ import annotations

import threading

from sqlalchemy import Connection, text

from app.services.transit.feeds import FeedRow, list_feeds

# routes.agency_id may be blank when a feed has one agency (GTFS allows it): use that one.
_SQL = text("""
SELECT f.name || ':' || r.route_id AS key,
       coalesce(a.agency_name,
                (SELECT min(x.agency_name) FROM gtfs_agency x WHERE x.feed_id = r.feed_id
                 HAVING count(*) = 1)) AS agency
FROM gtfs_route r
JOIN gtfs_feed f ON f.id = r.feed_id
LEFT JOIN gtfs_agency a ON a.feed_id = r.feed_id AND a.agency_id = r.agency_id""")

# A national feed has ~13,000 routes: read them once per set of loaded feed versions.
_LOCK = threading.Lock()
_CACHE: dict[tuple[tuple[int, str, str, str], ...], dict[str, str]] = {}


def agency_names(conn: Connection, feeds: list[FeedRow] | None = None) -> dict[str, str]:
    """'feed:route_id' (the engine's route key) -> operator name, for every loaded route.

    Cached per loaded feed versions (`feeds`, the current `list_feeds`, read if not given):
    a feed's routes and agencies change only when it is loaded again.
    """
    rows = feeds if feeds is not None else list_feeds(conn)
    key = tuple((f.id, f.name, f.version, f.sha256) for f in rows)
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None:
        return hit
    names = {r.key: r.agency for r in conn.execute(_SQL) if r.agency}
    with _LOCK:
        _CACHE.clear()  # only the current feeds' names are kept
        _CACHE[key] = names
    return names
