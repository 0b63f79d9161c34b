"""A postcode to try: one that exists in the loaded data, near the most activities."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

# The built-in sample region's area codes all start with "X" (ingest/sample/region.py); when it
# is loaded the pages call it the region, so the example must come from it.
SAMPLE_LAD_LIKE = "X%"

# The venue with the most venues within about 1 km is the "town centre"; the example is the
# nearest postcode to it that is not itself a venue's (so the answer is a real journey). With no
# venues, the postcode nearest the middle of all postcodes.
_EXAMPLE_SQL = text("""
WITH venue AS (
  SELECT l.id, l.geom, replace(upper(l.postcode), ' ', '') AS pcd
  FROM location l
  WHERE l.geom IS NOT NULL AND (NOT :sample OR l.lad_code LIKE :lad_like)
    AND EXISTS (SELECT 1 FROM service_at_location sl JOIN service s ON s.id = sl.service_id
                WHERE sl.location_id = l.id AND s.status = 'active')
), hub AS (
  -- Neighbours within about 1 km (0.01 degree), counted through the location index.
  SELECT v.geom FROM venue v
  ORDER BY (SELECT count(*) FROM location w WHERE ST_DWithin(w.geom, v.geom, 0.01)) DESC, v.id
  LIMIT 1
), centre AS (
  SELECT coalesce((SELECT geom FROM hub),
                  (SELECT ST_Centroid(ST_Collect(geom)) FROM postcode
                   WHERE NOT :sample OR lad_code LIKE :lad_like)) AS geom
)
SELECT p.pcds FROM postcode p, centre
WHERE centre.geom IS NOT NULL
  AND (NOT :sample OR p.lad_code LIKE :lad_like)
  AND p.pcd NOT IN (SELECT pcd FROM venue WHERE pcd IS NOT NULL)
ORDER BY p.geom <-> centre.geom
LIMIT 1
""")


def example_postcode(session: Session, *, sample_region: bool) -> str | None:
    """A loaded postcode near the most listed activities (in the sample region if loaded)."""
    return session.execute(_EXAMPLE_SQL, {"sample": sample_region,
                                          "lad_like": SAMPLE_LAD_LIKE}).scalar()
