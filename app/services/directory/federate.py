"""Federation core: keep each feed's copy of a listing, merge copies that are one listing,
and publish the merged listing with per-field provenance and a list of conflicts.

Precedence: for each field, the copy verified most recently wins (a copy with no verification
date loses to any verified one; ties go to the copy fetched most recently). Conflicting
non-empty values are listed in merge_conflict for review.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from app.directory import access, matching
from app.directory.validation import Problem, build_activity, stable_id
from app.services.directory.venues import save_access
from app.services.directory.write import save_activity

# Fields merged one by one; a tuple is a group taken whole from one copy.
FIELDS: tuple[str | tuple[str, ...], ...] = (
    "name", "description", "url", "email", "status", "alert", "organization", "categories",
    "audiences", "activity_type", "minimum_age", "maximum_age", "eligibility_criteria",
    "accepts_referrals", "referral_route", "drop_in", "capacity", "delivery_mode",
    "what_to_bring", "contact_name", "contact_email", "contact_phone",
    ("locations", "schedules", "oruk_extra"), "cost_options", "attributes")


def _key(spec: str | tuple[str, ...]) -> str:
    return spec if isinstance(spec, str) else spec[0]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _is_uuid(raw: Any) -> bool:
    try:
        uuid.UUID(str(raw))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Feed:
    """The feed a copy came from."""

    id: int
    name: str


def normalise(raw: dict[str, Any], feed: Feed, source_id: str) -> dict[str, Any]:
    """Give a feed's listing stable UUIDs for itself and its venues, scoped to the feed."""
    out = json.loads(json.dumps(raw, default=str))
    out["id"] = out["id"] if _is_uuid(out.get("id")) else stable_id("feed", feed.name,
                                                                    source_id)
    renamed: dict[str, str] = {}
    for loc in out.get("locations") or []:
        old = loc.get("id")
        if not _is_uuid(old):
            loc["id"] = stable_id("feed-loc", feed.name, old or loc.get("name"),
                                  loc.get("postcode"))
            renamed[str(old)] = loc["id"]
    only = [loc["id"] for loc in out.get("locations") or []]
    for sch in out.get("schedules") or []:
        if sch.get("location_id") is not None and str(sch["location_id"]) in renamed:
            sch["location_id"] = renamed[str(sch["location_id"])]
        elif sch.get("location_id") is None and len(only) == 1:
            sch["location_id"] = only[0]
    org = out.get("organization")
    if isinstance(org, str):
        out["organization"] = org = {"name": org}
    if isinstance(org, dict) and org.get("name") and not _is_uuid(org.get("id")):
        org["id"] = stable_id("feed-org", feed.name, org.get("id") or org["name"].lower())
    return out


def check(raw: dict[str, Any]) -> list[Problem]:
    """Every problem that would stop this copy being published on its own."""
    _, problems = build_activity(raw)
    return problems


def _venues(conn: Connection, locations: list[dict[str, Any]]) -> list[matching.Venue]:
    out = []
    for loc in locations:
        point = None
        if loc.get("lat") not in (None, "") and loc.get("lon") not in (None, ""):
            point = (float(loc["lat"]), float(loc["lon"]))
        pc = str(loc.get("postcode") or "").replace(" ", "").upper() or None
        if point is None and pc:
            row = conn.execute(text("SELECT ST_Y(geom) AS lat, ST_X(geom) AS lon FROM postcode"
                                    " WHERE pcd = :p"), {"p": pc}).first()
            point = (float(row.lat), float(row.lon)) if row and row.lat is not None else None
        out.append(matching.Venue(point, pc, loc.get("external_identifier")))
    return out


def _stored_venues(conn: Connection, service_id: str) -> list[matching.Venue]:
    rows = conn.execute(text(
        "SELECT ST_Y(l.geom) AS lat, ST_X(l.geom) AS lon, l.postcode, l.external_identifier"
        " FROM service_at_location sal JOIN location l ON l.id = sal.location_id"
        " WHERE sal.service_id = :id"), {"id": service_id})
    return [matching.Venue((r.lat, r.lon) if r.lat is not None else None,
                           (r.postcode or "").replace(" ", "").upper() or None,
                           r.external_identifier) for r in rows]


def match_organization(conn: Connection, org: dict[str, Any],
                       locations: list[dict[str, Any]]) -> tuple[str | None, str]:
    """The stored organisation this one is (id, reason), or (None, '')."""
    for ident in org.get("identifiers") or []:
        scheme = matching.scheme_of(ident)
        value = matching.normalise_identifier(ident.get("identifier"))
        if not scheme or not value:
            continue
        found = conn.execute(text(
            "SELECT organization_id FROM organization_identifier WHERE identifier_scheme = :s"
            " AND identifier = :v AND organization_id <> :me ORDER BY id LIMIT 1"),
            {"s": scheme, "v": value, "me": org.get("id") or ""}).scalar()
        if found and not _blocked(conn, "organization", found, str(org.get("id"))):
            return str(found), f"same {scheme} number {value}"
    name = matching.normalise_org_name(str(org.get("name") or ""))
    if not name:
        return None, ""
    mine = [v.point for v in _venues(conn, locations) if v.point]
    rows = conn.execute(text(
        "SELECT o.id, o.name, array_agg(ST_Y(l.geom)) AS lats, array_agg(ST_X(l.geom)) AS lons"
        " FROM organization o LEFT JOIN service s ON s.organization_id = o.id"
        " LEFT JOIN service_at_location sal ON sal.service_id = s.id"
        " LEFT JOIN location l ON l.id = sal.location_id WHERE o.id <> :me"
        " GROUP BY o.id, o.name ORDER BY o.id"), {"me": org.get("id") or ""})
    for r in rows:
        if matching.normalise_org_name(r.name) != name:
            continue
        theirs = [(a, b) for a, b in zip(r.lats, r.lons, strict=True) if a is not None]
        near = (not mine or not theirs or min(matching.metres(x, y) for x in mine
                                              for y in theirs) <= matching.ORG_DISTANCE_M)
        if near and not _blocked(conn, "organization", r.id, str(org.get("id"))):
            return str(r.id), "same name, venues close together"
    return None, ""


def _blocked(conn: Connection, entity: str, kept: str, merged: str) -> bool:
    """An admin undid this merge once: never make it again."""
    return conn.execute(text(
        "SELECT 1 FROM listing_merge WHERE entity = :e AND kept_id = :k AND merged_id = :m"
        " AND undone_at IS NOT NULL"), {"e": entity, "k": kept, "m": merged}).first() is not None


def match_service(conn: Connection, raw: dict[str, Any], feed: Feed, source_id: str,
                  org_id: str | None) -> tuple[str | None, str, float]:
    """The published listing from another feed that this copy is: (id, reason, score)."""
    mine = _venues(conn, raw.get("locations") or [])
    points = [v.point for v in mine if v.point]
    if not points:
        return None, "", 0.0
    lat = sum(p[0] for p in points) / len(points)
    lon = sum(p[1] for p in points) / len(points)
    rows = conn.execute(text("""
        SELECT DISTINCT s.id, s.name, s.organization_id FROM service s
        JOIN service_at_location sal ON sal.service_id = s.id
        JOIN location l ON l.id = sal.location_id
        WHERE ST_DWithin(l.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)
                         ::geography, 2000)
          AND EXISTS (SELECT 1 FROM source_record r WHERE r.service_id = s.id)
          AND NOT EXISTS (SELECT 1 FROM source_record r WHERE r.service_id = s.id
                          AND r.feed_id = :feed)
        ORDER BY s.id"""), {"lat": lat, "lon": lon, "feed": feed.id}).mappings()
    mine_slots = matching.slots(raw.get("schedules") or [])
    best: tuple[str | None, str, float] = (None, "", 0.0)
    for r in rows:
        if _blocked(conn, "service", r["id"], f"{feed.id}:{source_id}"):
            continue
        sim = matching.name_similarity(str(raw.get("name") or ""), r["name"])
        theirs = conn.execute(text("SELECT byday, to_char(opens_at, 'HH24:MI') AS opens_at"
                                   " FROM schedule WHERE service_id = :id"), {"id": r["id"]})
        schedule = matching.same_schedule(mine_slots, matching.slots(
            [dict(x._mapping) for x in theirs]))
        same_org = org_id is not None and org_id == r["organization_id"]
        venue = matching.same_venue(mine, _stored_venues(conn, r["id"]))
        if matching.is_same_listing(same_org=same_org, similarity=sim, venue=venue,
                                    schedule=schedule) and sim > best[2]:
            why = ["same venue", f"name {sim:.0%} alike"]
            why += ["same organisation"] if same_org else []
            why += ["same day and time"] if schedule else []
            best = (r["id"], ", ".join(why), sim)
    return best


def store_copy(conn: Connection, feed: Feed, source_id: str, raw: dict[str, Any] | None,
               fetched_at: datetime) -> str | None:
    """Keep a feed's copy (None = the feed deleted it); returns the listing it belongs to."""
    found = conn.execute(text("SELECT id, service_id FROM source_record WHERE feed_id = :f"
                              " AND source_id = :s"), {"f": feed.id, "s": source_id}).first()
    if raw is None:
        if found is None:
            return None
        conn.execute(text("UPDATE source_record SET deleted = true, fetched_at = :t"
                          " WHERE id = :id"), {"t": fetched_at, "id": found.id})
        return str(found.service_id)
    verified = raw.get("last_verified_at") or None
    params = {"f": feed.id, "s": source_id, "p": json.dumps(raw, default=str),
              "t": fetched_at, "v": verified}
    if found is not None:
        conn.execute(text("UPDATE source_record SET payload = CAST(:p AS jsonb),"
                          " fetched_at = :t, verified_at = CAST(:v AS timestamptz),"
                          " deleted = false WHERE feed_id = :f AND source_id = :s"), params)
        return str(found.service_id)
    org_id = None
    if isinstance(raw.get("organization"), dict):
        org_id, _ = match_organization(conn, raw["organization"], raw.get("locations") or [])
        org_id = org_id or raw["organization"].get("id")
    target, reason, score = match_service(conn, raw, feed, source_id, org_id)
    service_id = target or raw["id"]
    rec_id = conn.execute(text(
        "INSERT INTO source_record (feed_id, source_id, own_id, service_id, payload,"
        " fetched_at, verified_at, deleted) VALUES (:f, :s, :own, :sid, CAST(:p AS jsonb), :t,"
        " CAST(:v AS timestamptz), false) RETURNING id"),
        params | {"own": raw["id"], "sid": service_id}).scalar_one()
    if target is not None:
        conn.execute(text(
            "INSERT INTO listing_merge (entity, kept_id, merged_id, source_record_id, reason,"
            " score) VALUES ('service', :k, :m, :r, :why, :score)"),
            {"k": target, "m": f"{feed.id}:{source_id}", "r": rec_id, "why": reason,
             "score": score})
    return service_id


def _copies(conn: Connection, service_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(text(
        "SELECT r.id, r.source_id, r.payload, r.fetched_at, r.verified_at, r.deleted,"
        " f.name AS feed FROM source_record r JOIN feed_source f ON f.id = r.feed_id"
        " WHERE r.service_id = :id"), {"id": service_id}).mappings()
    copies = [dict(r) for r in rows]
    # Most recently verified first; unverified copies after, most recently fetched first.
    copies.sort(key=lambda c: (c["verified_at"] is not None,
                               c["verified_at"] or c["fetched_at"], c["fetched_at"], c["id"]),
                reverse=True)
    return copies


def save_org_identifiers(conn: Connection, org: dict[str, Any]) -> None:
    """Store an organisation's registered numbers (scheme normalised, e.g. GB-CHC)."""
    for ident in org.get("identifiers") or []:
        scheme = matching.scheme_of(ident)
        value = matching.normalise_identifier(ident.get("identifier"))
        if scheme and value:
            conn.execute(text(
                "INSERT INTO organization_identifier (organization_id, identifier_scheme,"
                " identifier_type, identifier) VALUES (:o, :s, :t, :v) ON CONFLICT DO NOTHING"),
                {"o": org["id"], "s": scheme, "t": ident.get("identifier_type") or scheme,
                 "v": value})


def _resolve_org(conn: Connection, org: dict[str, Any], locations: list[dict[str, Any]]
                 ) -> dict[str, Any]:
    """The organisation as published: merged into a matching stored one when there is one."""
    org = dict(org)
    own = str(org.get("id"))
    found, reason = match_organization(conn, org, locations)
    if found and found != own:
        exists = conn.execute(text(
            "SELECT 1 FROM listing_merge WHERE entity = 'organization' AND kept_id = :k AND"
            " merged_id = :m AND undone_at IS NULL"), {"k": found, "m": own}).first()
        if exists is None:
            conn.execute(text("INSERT INTO listing_merge (entity, kept_id, merged_id, reason)"
                              " VALUES ('organization', :k, :m, :why)"),
                         {"k": found, "m": own, "why": reason})
        org["id"] = found
    return org


def rebuild(conn: Connection, service_id: str) -> dict[str, Any] | None:
    """Publish the merged listing from its feed copies; returns what each field came from."""
    copies = _copies(conn, service_id)
    live = [c for c in copies if not c["deleted"]]
    if not live:
        if copies:  # every feed that listed it has deleted it: it has ended
            conn.execute(text("UPDATE service SET status = 'ended', oruk_status = 'defunct',"
                              " version = version + 1, last_modified = now()"
                              " WHERE id = :id AND status <> 'ended'"), {"id": service_id})
        return None
    merged: dict[str, Any] = {"id": service_id}
    provenance: dict[str, dict[str, Any]] = {}
    conflicts: list[tuple[str, list[dict[str, Any]], str]] = []
    for spec in FIELDS:
        names = (spec,) if isinstance(spec, str) else spec
        key = _key(spec)
        candidates = [c for c in live if not _empty(c["payload"].get(key))]
        if not candidates:
            continue
        winner = candidates[0]
        for name in names:
            merged[name] = winner["payload"].get(name)
        provenance[key] = winner
        distinct = {json.dumps(_comparable(key, c["payload"].get(key)), sort_keys=True)
                    for c in candidates}
        if len(distinct) > 1:
            conflicts.append((key, [{"feed": c["feed"], "source_id": c["source_id"],
                                     "value": _comparable(key, c["payload"].get(key)),
                                     "verified_at": c["verified_at"], "fetched_at":
                                     c["fetched_at"]} for c in candidates], winner["feed"]))
    if merged.get("locations"):
        merged["locations"] = _fill_venues(conn, merged["locations"], live)
    latest = next((c for c in live if c["verified_at"] is not None), None)
    merged["last_verified_at"] = latest["verified_at"].isoformat() if latest else None
    merged["verified_by"] = f"feed {latest['feed']}" if latest else None
    if isinstance(merged.get("organization"), dict):
        merged["organization"] = _resolve_org(conn, merged["organization"],
                                              merged.get("locations") or [])
    record, problems = build_activity(merged)
    if record is None:
        raise ValueError(f"merged listing {service_id}: {problems[0].field}: "
                         f"{problems[0].message}")
    feeds = sorted({c["feed"] for c in live})
    save_activity(conn, record, "feeds:" + ",".join(feeds)[:190])
    save_access(conn, record.locations)
    if isinstance(merged.get("organization"), dict):
        save_org_identifiers(conn, merged["organization"])
    conn.execute(text("DELETE FROM field_provenance WHERE service_id = :id"), {"id": service_id})
    conn.execute(text(
        "INSERT INTO field_provenance (service_id, field, source_record_id, feed, source_id,"
        " fetched_at) VALUES (:sid, :f, :r, :feed, :src, :t)"),
        [{"sid": service_id, "f": k, "r": c["id"], "feed": c["feed"], "src": c["source_id"],
          "t": c["fetched_at"]} for k, c in provenance.items()])
    _save_conflicts(conn, service_id, conflicts)
    return {k: c["feed"] for k, c in provenance.items()}


def _fill_venues(conn: Connection, locations: list[dict[str, Any]],
                 copies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Accessibility one copy leaves unsaid is taken from another copy of the same venue."""
    out = [dict(loc) for loc in locations]
    others = [loc for c in copies for loc in c["payload"].get("locations") or []]
    for loc in out:
        here = _venues(conn, [loc])
        for other in others:
            if not matching.same_venue(here, _venues(conn, [other])):
                continue
            for column in (*access.COLUMNS, "accessibility_notes"):
                if loc.get(column) is None and other.get(column) is not None:
                    loc[column] = other[column]
    return out


def _comparable(key: str, value: Any) -> Any:
    """The part of a value that people compare (venues by name and postcode, times by day)."""
    if key == "locations":
        return sorted(f"{v.get('name')} {v.get('postcode') or ''}".strip() for v in value or [])
    if key == "organization" and isinstance(value, dict):
        return matching.normalise_org_name(str(value.get("name") or ""))
    if key == "cost_options":
        return sorted(str(c.get("amount")) for c in value or [])
    if key == "attributes":
        return sorted(str((a.get("taxonomy_term") or a.get("term") or {}).get("id"))
                      for a in value or [] if isinstance(a, dict))
    if isinstance(value, str):
        return " ".join(value.split())
    return value


def _save_conflicts(conn: Connection, service_id: str,
                    conflicts: list[tuple[str, list[dict[str, Any]], str]]) -> None:
    """Replace the open conflicts; one reviewed with the same values is not raised again."""
    conn.execute(text("DELETE FROM merge_conflict WHERE service_id = :id AND resolved_at IS"
                      " NULL"), {"id": service_id})
    reviewed = {(r.field, json.dumps([c["value"] for c in r.candidates], sort_keys=True))
                for r in conn.execute(text(
                    "SELECT field, candidates FROM merge_conflict WHERE service_id = :id"
                    " AND resolved_at IS NOT NULL"), {"id": service_id})}
    for field, candidates, chosen in conflicts:
        values = json.dumps([c["value"] for c in candidates], sort_keys=True, default=str)
        if (field, values) in reviewed:
            continue
        conn.execute(text("INSERT INTO merge_conflict (service_id, field, candidates,"
                          " chosen_feed) VALUES (:s, :f, CAST(:c AS jsonb), :w)"),
                     {"s": service_id, "f": field, "w": chosen,
                      "c": json.dumps(candidates, default=str)})
