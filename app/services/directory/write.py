"""Write listings and venues: one upsert path shared by the API and every importer."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from sqlalchemy import Connection, text

from app.directory.records import ActivityRecord, LocationRecord
from app.directory.validation import Problem, stable_id

# How big one listing may be when written through the API (issue 9): a listing runs at a
# handful of venues, so thousands of them are an error or an attack that would slow every
# search. Text fields are capped by the validator (app.directory.validation.LIMITS).
MAX_LOCATIONS = 100
MAX_SCHEDULES = 200
MAX_COSTS = 20
MAX_TAGS = 30  # categories, audiences


def bound_problems(rec: ActivityRecord) -> list[Problem]:
    """Every way a listing exceeds the size limits (empty when it fits)."""
    counts = (("locations", len(rec.locations), MAX_LOCATIONS),
              ("schedules", len(rec.schedules), MAX_SCHEDULES),
              ("cost_options", len(rec.costs), MAX_COSTS),
              ("categories", len(rec.categories), MAX_TAGS),
              ("audiences", len(rec.audiences), MAX_TAGS))
    return [Problem(name, f"has {n:,} items; a listing may have at most {limit}")
            for name, n, limit in counts if n > limit]


@dataclass
class PlaceResult:
    """What happened when placing venues: ids that could not be put on the map."""

    unplaced: list[str] = field(default_factory=list)


_UPSERT_LOCATION = text("""
INSERT INTO location (id, name, description, location_type, venue_type, address_1, city,
    postcode, lad_code, geocoded_by, external_identifier, external_identifier_type, step_free,
    accessible_toilet, hearing_loop, accessibility_notes, source, geom)
SELECT :id, :name, :description, :location_type, :venue_type, :address_1, :city, :postcode,
    COALESCE(pc.lad_code, (SELECT d.code FROM lad d WHERE ST_Intersects(d.geom, pt.g) LIMIT 1),
             :lad_code),
    CASE WHEN :lat IS NOT NULL THEN 'source' WHEN pc.geom IS NOT NULL THEN 'postcode' END,
    :external_identifier, :external_identifier_type, :step_free, :accessible_toilet,
    :hearing_loop, :accessibility_notes, :source, pt.g
FROM (SELECT 1) AS one
LEFT JOIN postcode pc ON pc.pcd = replace(:postcode, ' ', '')
CROSS JOIN LATERAL (SELECT COALESCE(
    ST_SetSRID(ST_MakePoint(CAST(:lon AS float8), CAST(:lat AS float8)), 4326), pc.geom) AS g
) AS pt
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,
    description = COALESCE(EXCLUDED.description, location.description),
    location_type = EXCLUDED.location_type,
    venue_type = COALESCE(EXCLUDED.venue_type, location.venue_type),
    address_1 = COALESCE(EXCLUDED.address_1, location.address_1),
    city = COALESCE(EXCLUDED.city, location.city), postcode = EXCLUDED.postcode,
    lad_code = EXCLUDED.lad_code, geocoded_by = EXCLUDED.geocoded_by,
    external_identifier = COALESCE(EXCLUDED.external_identifier, location.external_identifier),
    external_identifier_type = COALESCE(EXCLUDED.external_identifier_type,
                                        location.external_identifier_type),
    step_free = EXCLUDED.step_free, accessible_toilet = EXCLUDED.accessible_toilet,
    hearing_loop = EXCLUDED.hearing_loop,
    accessibility_notes = COALESCE(EXCLUDED.accessibility_notes, location.accessibility_notes),
    source = EXCLUDED.source, geom = EXCLUDED.geom
RETURNING geom IS NOT NULL AS placed
""")


def save_location(conn: Connection, loc: LocationRecord, source: str) -> bool:
    """Upsert a venue, geocoding from the postcode table when lat/lon are missing.

    Returns False when the venue could not be placed (no coordinates, unknown postcode).
    """
    params = {k: getattr(loc, k) for k in (
        "id", "name", "description", "location_type", "venue_type", "address_1", "city",
        "postcode", "lad_code", "lat", "lon", "external_identifier", "external_identifier_type",
        "step_free", "accessible_toilet", "hearing_loop", "accessibility_notes")}
    placed = bool(conn.execute(_UPSERT_LOCATION, {**params, "source": source}).scalar())
    if loc.external_identifier:
        _merge_duplicates(conn, loc)
    return placed


def _merge_duplicates(conn: Connection, loc: LocationRecord) -> None:
    """A venue list and an ORUK feed may both carry the same library: keep one row.

    The row that hosts services wins; the other's links are moved to it before deletion.
    """
    dups = conn.execute(text(
        "SELECT id FROM location WHERE external_identifier = :x AND id <> :id"
        " AND coalesce(external_identifier_type, '') = coalesce(:t, '')"),
        {"x": loc.external_identifier, "id": loc.id, "t": loc.external_identifier_type}
    ).scalars().all()
    for dup in dups:
        conn.execute(text("UPDATE service_at_location SET location_id = :keep"
                          " WHERE location_id = :dup"), {"keep": loc.id, "dup": dup})
        conn.execute(text("DELETE FROM location WHERE id = :dup"), {"dup": dup})


_UPSERT_ORG = text("""
INSERT INTO organization (id, name, description, email, website, source)
VALUES (:id, :name, :description, :email, :website, :source)
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,
    description = COALESCE(EXCLUDED.description, organization.description),
    email = EXCLUDED.email, website = EXCLUDED.website, source = EXCLUDED.source
""")

_SERVICE_FIELDS = (
    "id", "name", "description", "url", "email", "status", "oruk_status", "alert",
    "primary_category", "categories", "audiences", "activity_type", "minimum_age",
    "maximum_age", "eligibility_criteria", "accepts_referrals", "referral_route", "drop_in",
    "capacity", "delivery_mode", "what_to_bring", "contact_name", "contact_email",
    "contact_phone", "last_verified_at", "verified_by")

def _upsert_service_sql(keep: frozenset[str]) -> str:
    """INSERT .. ON CONFLICT for a service; fields in `keep` keep their stored value on update."""
    cols = ", ".join(_SERVICE_FIELDS)
    values = ", ".join(":" + f for f in _SERVICE_FIELDS)
    sets = ", ".join(f"{f} = EXCLUDED.{f}" for f in (*_SERVICE_FIELDS[1:], "organization_id",
                                                       "source", "oruk_extra")
                     if f not in keep)
    return f"""
INSERT INTO service ({cols}, organization_id, source, oruk_extra, version, last_modified)
VALUES ({values}, :organization_id, :source, CAST(:oruk_extra AS jsonb), 1, now())
ON CONFLICT (id) DO UPDATE SET {sets}, version = service.version + 1, last_modified = now()
RETURNING version
"""  # noqa: S608  (column names are constants)


def _digest(rec: ActivityRecord, source: str, keep: frozenset[str]) -> str:
    """Fingerprint of what a save would write, to skip saves that would change nothing."""
    body = asdict(rec)
    body["oruk_extra"] = {k: v for k, v in rec.oruk_extra.items() if k != "_hash"}
    raw = json.dumps([body, source, sorted(keep)], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def save_activity(conn: Connection, rec: ActivityRecord, source: str, *,
                  keep: frozenset[str] = frozenset()) -> tuple[int, PlaceResult]:
    """Upsert a whole listing (children replaced); returns its new version and unplaced venues.

    `keep` names service fields the source does not carry (e.g. a CSV without an
    audiences column): an existing listing keeps its stored values for them.
    """
    result = PlaceResult()
    digest = _digest(rec, source, keep)
    current = conn.execute(text("SELECT version, oruk_extra->>'_hash' AS h FROM service"
                                " WHERE id = :id"), {"id": rec.id}).first()
    if current is not None and current.h == digest:
        # Same content as last time: re-imports leave the version (and ETags) alone.
        return int(current.version), result
    if rec.organization:
        org = rec.organization
        if org.generated_id:
            # A CSV names organisations without ids: reuse the one already stored by name.
            found = conn.execute(text("SELECT id FROM organization WHERE lower(name) = lower(:n)"
                                      " ORDER BY id LIMIT 1"), {"n": org.name}).scalar()
            org.id = found or org.id
        conn.execute(_UPSERT_ORG, {"id": org.id, "name": org.name,
                                   "description": org.description, "email": org.email,
                                   "website": org.website, "source": source})
        made_up = stable_id("org", org.name.lower())
        if not org.generated_id and made_up != org.id:
            # A CSV loaded earlier named this organisation without an id: fold it into this one.
            conn.execute(text("UPDATE service SET organization_id = :keep"
                              " WHERE organization_id = :dup"), {"keep": org.id, "dup": made_up})
            conn.execute(text("DELETE FROM organization WHERE id = :dup"), {"dup": made_up})
    for loc in rec.locations:
        if not save_location(conn, loc, source):
            result.unplaced.append(loc.id)
    params = {f: getattr(rec, f) for f in _SERVICE_FIELDS}
    params |= {"organization_id": rec.organization.id if rec.organization else None,
               "source": source, "oruk_extra": json.dumps(rec.oruk_extra, default=str)}
    version = int(conn.execute(text(_upsert_service_sql(keep)), params).scalar_one())
    # Stored apart from the upsert so it is written even when oruk_extra itself is kept.
    conn.execute(text("UPDATE service SET oruk_extra = jsonb_set(oruk_extra, '{_hash}',"
                      " to_jsonb(CAST(:h AS text))) WHERE id = :id"), {"h": digest, "id": rec.id})
    for table in ("schedule", "cost_option", "service_at_location"):
        conn.execute(text(f"DELETE FROM {table} WHERE service_id = :id"),  # noqa: S608
                     {"id": rec.id})
    sal_ids = (rec.oruk_extra.get("sal_ids") or {}) if rec.oruk_extra else {}
    loc_to_sal = {loc.id: sal_ids.get(loc.id) or stable_id("sal", rec.id, loc.id)
                  for loc in rec.locations}
    if loc_to_sal:
        conn.execute(text("INSERT INTO service_at_location (id, service_id, location_id)"
                          " VALUES (:id, :sid, :lid)"),
                     [{"id": sal, "sid": rec.id, "lid": lid} for lid, sal in loc_to_sal.items()])
    if rec.schedules:
        conn.execute(text("""
            INSERT INTO schedule (id, service_id, service_at_location_id, freq, interval, byday,
                bymonthday, dtstart, valid_from, valid_to, opens_at, closes_at, description,
                attending_type, notes)
            VALUES (:id, :sid, :sal, :freq, :interval, :byday, :bymonthday, :dtstart,
                :valid_from, :valid_to, :opens_at, :closes_at, :description, :attending_type,
                :notes)"""),
            [{"id": s.id, "sid": rec.id, "sal": loc_to_sal.get(s.location_id or ""),
              "freq": s.freq, "interval": s.interval, "byday": s.byday,
              "bymonthday": s.bymonthday, "dtstart": s.dtstart, "valid_from": s.valid_from,
              "valid_to": s.valid_to, "opens_at": s.opens_at, "closes_at": s.closes_at,
              "description": s.description, "attending_type": s.attending_type,
              "notes": s.notes} for s in rec.schedules])
    if rec.attributes is not None:
        _save_attributes(conn, rec)
    if rec.costs:
        conn.execute(text("INSERT INTO cost_option (id, service_id, option, amount, currency,"
                          " amount_description) VALUES (:id, :sid, :option, :amount, :currency,"
                          " :amount_description)"),
                     [{"id": c.id, "sid": rec.id, "option": c.option, "amount": c.amount,
                       "currency": c.currency, "amount_description": c.amount_description}
                      for c in rec.costs])
    return version, result


def _save_attributes(conn: Connection, rec: ActivityRecord) -> None:
    """Replace the listing's feed attributes, upserting their taxonomies and terms."""
    assert rec.attributes is not None
    conn.execute(text("DELETE FROM service_attribute WHERE service_id = :id"), {"id": rec.id})
    if not rec.attributes:
        return
    taxonomies = {a.term.taxonomy_id: a.term.taxonomy_name or a.term.taxonomy_id
                  for a in rec.attributes if a.term.taxonomy_id}
    if taxonomies:
        conn.execute(text(
            "INSERT INTO taxonomy (id, name) VALUES (:id, :name)"
            " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name"),
            [{"id": k, "name": v} for k, v in taxonomies.items()])
    terms = {a.term.id: a.term for a in rec.attributes}
    conn.execute(text(
        "INSERT INTO taxonomy_term (id, taxonomy_id, code, name, description, term_uri,"
        " parent_id) VALUES (:id, :taxonomy_id, :code, :name, :description, :term_uri,"
        " :parent_id) ON CONFLICT (id) DO UPDATE SET taxonomy_id = EXCLUDED.taxonomy_id,"
        " code = EXCLUDED.code, name = EXCLUDED.name, description = EXCLUDED.description,"
        " term_uri = EXCLUDED.term_uri, parent_id = EXCLUDED.parent_id"),
        [{"id": t.id, "taxonomy_id": t.taxonomy_id, "code": t.code, "name": t.name,
          "description": t.description, "term_uri": t.term_uri, "parent_id": t.parent_id}
         for t in terms.values()])
    conn.execute(text(
        "INSERT INTO service_attribute (service_id, taxonomy_term_id, link_type)"
        " VALUES (:sid, :tid, :lt) ON CONFLICT DO NOTHING"),
        [{"sid": rec.id, "tid": a.term.id, "lt": a.link_type} for a in rec.attributes])
