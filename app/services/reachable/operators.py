"""Bus operators by route, so every bus leg can name who runs it (GTFS agency_name)."""

from __future__ import annotations

from sqlalchemy import Connection, text

# routes.agency_id may be blank when a feed has one agency (GTFS allows it): use that one.
_SQL = text("""
SELECT f.name || ':' || r.route_id AS key,
       coalesce(a.agency_name,
                (SELECT min(x.agency_name) FROM gtfs_agency x WHERE x.feed_id = r.feed_id
                 HAVING count(*) = 1)) AS agency
FROM gtfs_route r
JOIN gtfs_feed f ON f.id = r.feed_id
LEFT JOIN gtfs_agency a ON a.feed_id = r.feed_id AND a.agency_id = r.agency_id""")


def agency_names(conn: Connection) -> dict[str, str]:
    """'feed:route_id' (the engine's route key) -> operator name, for every loaded route."""
    return {r.key: r.agency for r in conn.execute(_SQL) if r.agency}
