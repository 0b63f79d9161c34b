"""Map between ORUK 3.0 service objects and our listing shape, in both directions; pure."""

from __future__ import annotations

from typing import Any

from app.directory import access, vocab
from app.directory.validation import stable_id

# Keys of an ORUK service we keep verbatim so an export returns what an import received.
_KEPT = ("service_areas", "languages", "funding", "accreditations", "fees", "last_modified")


def _terms(obj: dict[str, Any], link_type: str) -> list[str]:
    return [a["taxonomy_term"].get("term") or a["taxonomy_term"].get("name", "")
            for a in obj.get("attributes") or []
            if a.get("link_type") == link_type and a.get("taxonomy_term")]


def activity_from_oruk(svc: dict[str, Any]) -> dict[str, Any]:
    """Turn one full ORUK service (as GET /services/{id} returns it) into a raw listing dict."""
    access = [vocab.normalise_code(t) for t in _terms(svc, "access_route")]
    categories = [vocab.normalise_code(t) for t in
                  _terms(svc, "primary_category") + _terms(svc, "category")]
    audiences = [code for t in _terms(svc, "eligibility")
                 if (code := vocab.audience_code(t)) is not None]
    # A district-wide service area names the district of its venues until postcodes say better.
    district = next((a.get("extent") for a in svc.get("service_areas") or []
                     if a.get("extent_type") == "gss_code"
                     and str(a.get("extent", ""))[:3] in ("E06", "E07", "E08", "E09")), None)
    sal_ids: dict[str, str] = {}
    locations = []
    for sal in svc.get("service_at_locations") or []:
        loc = sal.get("location") or {}
        loc_id = loc.get("id") or sal.get("location_id")
        if not loc_id:
            continue
        sal_ids[loc_id] = sal.get("id") or ""
        locations.append(_location_from_oruk(loc, loc_id) | {"lad_code": district})
    sal_to_loc = {v: k for k, v in sal_ids.items()}
    schedules = []
    for sch in svc.get("schedules") or []:
        loc_id = sal_to_loc.get(sch.get("service_at_location_id") or "")
        schedules.append({k: sch.get(k) for k in (
            "id", "freq", "interval", "byday", "bymonthday", "dtstart", "valid_from", "valid_to",
            "opens_at", "closes_at", "description", "attending_type", "notes")}
            | {"location_id": loc_id})
    contact = (svc.get("contacts") or [{}])[0]
    phones = contact.get("phones") or []
    org = svc.get("organization") or None
    return {
        "id": svc.get("id"), "name": svc.get("name"), "description": svc.get("description"),
        "url": svc.get("url"), "email": svc.get("email"), "status": svc.get("status"),
        "alert": svc.get("alert"), "minimum_age": svc.get("minimum_age"),
        "maximum_age": svc.get("maximum_age"),
        "organization": None if not org else {
            "id": org.get("id") or svc.get("organization_id"), "name": org.get("name"),
            "description": org.get("description"), "email": org.get("email"),
            "website": org.get("website"),
            "identifiers": [{"identifier_scheme": i.get("identifier_scheme"),
                             "identifier_type": i.get("identifier_type"),
                             "identifier": i.get("identifier")}
                            for i in org.get("organization_identifiers") or []
                            if isinstance(i, dict) and i.get("identifier")]},
        "primary_category": None, "categories": [c for c in categories
                                                 if c in vocab.CATEGORY_CODES],
        "audiences": audiences,
        "activity_type": next(iter(_terms(svc, "activity_type")), None),
        "accepts_referrals": vocab.REFERRAL_TERM in access,
        "drop_in": True if vocab.DROP_IN_TERM in access else (
            False if vocab.BOOKING_TERM in access else None),
        "referral_route": _referral_route(access),
        "contact_name": contact.get("name"), "contact_email": contact.get("email"),
        "contact_phone": phones[0].get("number") if phones else None,
        "last_verified_at": svc.get("assured_date"), "verified_by": svc.get("assurer_email"),
        "locations": locations, "schedules": schedules,
        "cost_options": [{k: co.get(k) for k in ("id", "option", "amount",
                                                 "amount_description")}
                         for co in svc.get("cost_options") or []],
        "attributes": svc.get("attributes") or [],
        "oruk_extra": {k: svc[k] for k in _KEPT if k in svc} | {"sal_ids": sal_ids},
    }


def _referral_route(access: list[str]) -> str | None:
    notes = []
    if vocab.REFERRAL_TERM in access:
        notes.append("Accepts social prescribing referrals")
    if "referral-voucher-required" in access:
        notes.append("a referral voucher is required")
    if "membership-required" in access:
        notes.append("membership required")
    return "; ".join(notes) or None


def _location_from_oruk(loc: dict[str, Any], loc_id: str) -> dict[str, Any]:
    addr = (loc.get("addresses") or [{}])[0]
    items = loc.get("accessibility") or []
    terms = [a["taxonomy_term"].get("term") or a["taxonomy_term"].get("name") or ""
             for item in items for a in item.get("attributes") or [] if a.get("taxonomy_term")]
    surveyed = bool(items)
    found: dict[str, bool] = {}
    # Free text first ("No step-free access"), then explicit terms, which are more precise.
    for item in items:
        for key in ("accessibility", "description", "details"):
            found |= access.features_in_text(str(item.get(key) or ""))
    for term in terms:
        code = vocab.normalise_code(term)
        if code == "steps-at-entrance":
            found["step_free"] = False
        elif (feature := access.feature_of(code)) is not None:
            found[feature.column] = True
    venue = [a["taxonomy_term"].get("term") for a in loc.get("attributes") or []
             if a.get("link_type") == "venue_type" and a.get("taxonomy_term")]
    out = {
        "id": loc_id, "name": loc.get("name") or addr.get("address_1"),
        "description": loc.get("description"), "address_1": addr.get("address_1"),
        "city": addr.get("city"), "postcode": addr.get("postal_code"),
        "lat": loc.get("latitude"), "lon": loc.get("longitude"),
        "venue_type": venue[0] if venue else None,
        "external_identifier": loc.get("external_identifier"),
        "external_identifier_type": loc.get("external_identifier_type"),
        "accessibility_notes": "; ".join(filter(None, (i.get("details") for i in
                                                       items))) or None,
    }
    for f in access.FEATURES:
        # A surveyed venue that does not mention a feature does not have it.
        out[f.column] = found.get(f.column, False if surveyed else None)
    return out


def _attribute(link_id: str, tax: vocab.Taxonomy, code: str, link_type: str) -> dict[str, Any]:
    term = next((t for t in tax.terms if t.code == code), None)
    term_id = tax.term_id(code)
    return {"id": _attr_id(link_id, term_id),
            "link_id": link_id, "taxonomy_term_id": term_id, "link_type": link_type,
            "taxonomy_term": taxonomy_term(tax, term) if term else {
                "id": term_id, "name": code, "description": code}}


def _attr_id(link_id: str, term_id: str) -> str:
    return stable_id("attr", link_id, term_id)


def taxonomy_term(tax: vocab.Taxonomy, term: vocab.Term) -> dict[str, Any]:
    """One vocabulary term as an ORUK taxonomy_term."""
    return {"id": tax.term_id(term.code), "name": term.name, "description": term.description,
            "taxonomy": tax.name, "taxonomy_id": tax.id, "term_uri": tax.term_uri(term.code),
            "term": term.code}


def taxonomy(tax: vocab.Taxonomy) -> dict[str, Any]:
    """A vocabulary as an ORUK taxonomy."""
    return {"id": tax.id, "name": tax.name, "description": tax.description,
            "uri": f"https://withinreach.example.org/taxonomy/{tax.key}", "version": "1"}


def service_to_oruk(a: dict[str, Any], *, full: bool = True) -> dict[str, Any]:
    """Render a stored listing (the dict from services.directory.read) as an ORUK service."""
    extra = a.get("oruk_extra") or {}
    out: dict[str, Any] = {
        "id": a["id"], "name": a["name"], "status": a["oruk_status"],
        "description": a.get("description"), "url": a.get("url"), "email": a.get("email"),
        "minimum_age": a.get("minimum_age"), "maximum_age": a.get("maximum_age"),
        "alert": a.get("alert"),
        "assured_date": a["last_verified_at"][:10] if a.get("last_verified_at") else None,
        "assurer_email": a.get("verified_by") if "@" in (a.get("verified_by") or "") else None,
        "last_modified": a.get("last_modified"),
    }
    org = a.get("organization")
    if org:
        out["organization_id"] = org["id"]
        out["organization"] = organization_to_oruk(org)
    out = {k: v for k, v in out.items() if v is not None}
    # Local extensions (the profile allows extra properties): freshness, visitor reports.
    out["last_verified"] = a.get("last_verified_at")
    out["stale"] = bool(a.get("stale"))
    out["reported_closed"] = bool(a.get("reported_closed"))
    if not full:
        return out
    out["sources"] = a.get("sources") or []
    sal_ids = extra.get("sal_ids") or {}
    sals = []
    for loc in a.get("locations") or []:
        sal_id = loc.get("service_at_location_id") or sal_ids.get(loc["id"])
        sals.append({"id": sal_id, "service_id": a["id"], "location_id": loc["id"],
                     "location": location_to_oruk(loc)})
    loc_to_sal = {s["location_id"]: s["id"] for s in sals}
    out["schedules"] = [_schedule_to_oruk(s, a["id"], loc_to_sal) for s in a.get("schedules", [])]
    out["service_at_locations"] = sals
    out["cost_options"] = [
        {k: v for k, v in {"id": c["id"], "service_id": a["id"], "option": c.get("option"),
                           "amount": c.get("amount"),
                           "amount_description": c.get("amount_description")}.items()
         if v is not None} for c in a.get("costs", [])]
    contact = {k: v for k, v in {"name": a.get("contact_name"),
                                 "email": a.get("contact_email")}.items() if v}
    if contact or a.get("contact_phone"):
        cid = _attr_id(a["id"], "contact")
        contact |= {"id": cid, "service_id": a["id"]}
        if a.get("contact_phone"):
            contact["phones"] = [{"id": _attr_id(cid, "phone"), "contact_id": cid,
                                  "number": a["contact_phone"]}]
        out["contacts"] = [contact]
    else:
        out["contacts"] = []
    attrs = []
    cat_tax, aud_tax = vocab.TAXONOMY_BY_KEY["category"], vocab.TAXONOMY_BY_KEY["audience"]
    for i, code in enumerate(a.get("categories") or []):
        attrs.append(_attribute(a["id"], cat_tax, code, "primary_category" if i == 0
                                else "category"))
    for code in a.get("audiences") or []:
        attrs.append(_attribute(a["id"], aud_tax, code, "eligibility"))
    out["attributes"] = attrs + [_stored_attribute(a["id"], x) for x in a.get("attributes") or []
                                 if not _mapped(x)]
    for key in ("service_areas", "languages", "funding"):
        out[key] = extra.get(key) or []
    return out


def location_to_oruk(loc: dict[str, Any]) -> dict[str, Any]:
    """A stored venue as an ORUK location with its address and accessibility."""
    out: dict[str, Any] = {"id": loc["id"], "location_type": loc.get("location_type")
                           or "physical", "name": loc.get("name")}
    for src, dst in (("description", "description"), ("lat", "latitude"), ("lon", "longitude"),
                     ("external_identifier", "external_identifier"),
                     ("external_identifier_type", "external_identifier_type")):
        if loc.get(src) is not None:
            out[dst] = loc[src]
    if loc.get("postcode"):
        out["addresses"] = [{
            "id": _attr_id(loc["id"], "address"), "location_id": loc["id"],
            "address_1": loc.get("address_1") or loc.get("name") or "",
            "city": loc.get("city") or "", "state_province": "Nottinghamshire",
            "postal_code": loc["postcode"], "country": "GB", "address_type": "physical"}]
    acc = []
    for f in access.FEATURES:
        if loc.get(f.column) is None:
            continue
        label = f.label if loc[f.column] else f"No {f.label[0].lower()}{f.label[1:]}"
        item: dict[str, Any] = {"id": _attr_id(loc["id"], f.column), "location_id": loc["id"],
                                "description": label, "accessibility": label}
        if loc[f.column]:
            item["attributes"] = [_attribute(item["id"], access.TAXONOMY, f.code,
                                             "accessibility")]
        acc.append(item)
    if loc.get("accessibility_notes") and acc:
        acc[0]["details"] = loc["accessibility_notes"]
    out["accessibility"] = acc
    return out


def organization_to_oruk(org: dict[str, Any]) -> dict[str, Any]:
    """A stored organisation as an ORUK organization (description is required there)."""
    out = {k: v for k, v in org.items() if v is not None and k != "identifiers"}
    out["description"] = org.get("description") or org["name"]
    idents = org.get("identifiers") or []
    if idents:
        out["organization_identifiers"] = [
            {"id": _attr_id(org["id"], f"{i['identifier_scheme']}:{i['identifier']}"),
             "organization_id": org["id"], "identifier_scheme": i["identifier_scheme"],
             "identifier_type": i.get("identifier_type") or i["identifier_scheme"],
             "identifier": i["identifier"]} for i in idents]
    return out


def sal_to_oruk(a: dict[str, Any], sal_id: str, location_id: str, *, full: bool
                ) -> dict[str, Any]:
    """One service at one of its venues as an ORUK service_at_location (list item or full).

    The full form also carries the service's `name` and `status` at the top level, so it
    validates against compiled/service.json too (the schema openapi.json names for it).
    """
    loc = next((x for x in a.get("locations") or [] if x["id"] == location_id), None)
    service = service_to_oruk(a, full=full)
    out: dict[str, Any] = {"id": sal_id, "service_id": a["id"], "location_id": location_id,
                           "service": service,
                           "location": location_to_oruk(loc) if loc else None,
                           "last_verified": service["last_verified"],
                           "stale": service["stale"]}
    if out["location"] is None:
        out.pop("location")
    if full:
        out |= {"name": a["name"], "status": service["status"]}
    return out


def _schedule_to_oruk(s: dict[str, Any], service_id: str, loc_to_sal: dict[str, str]
                      ) -> dict[str, Any]:
    out = {"id": s["id"], "service_id": service_id,
           "service_at_location_id": loc_to_sal.get(s.get("location_id") or ""),
           "freq": s["freq"], "interval": s.get("interval") or 1}
    for key in ("byday", "bymonthday", "dtstart", "valid_from", "valid_to", "opens_at",
                "closes_at", "description", "attending_type", "notes"):
        if s.get(key) not in (None, ""):
            out[key] = s[key]
    return {k: v for k, v in out.items() if v is not None}


def _mapped(attr: dict[str, Any]) -> bool:
    """True when a stored feed attribute is already expressed by our own vocabularies."""
    code = vocab.normalise_code(attr["term"].get("code") or attr["term"]["name"])
    if attr["link_type"] in ("primary_category", "category"):
        return code in vocab.CATEGORY_CODES
    if attr["link_type"] == "eligibility":
        return vocab.audience_code(code) is not None
    return False


def _stored_attribute(service_id: str, attr: dict[str, Any]) -> dict[str, Any]:
    t = attr["term"]
    term = {"id": t["id"], "name": t["name"], "description": t.get("description") or t["name"]}
    for key, src in (("taxonomy", "taxonomy"), ("taxonomy_id", "taxonomy_id"),
                     ("term_uri", "term_uri"), ("term", "code"), ("parent_id", "parent_id")):
        if t.get(src):
            term[key] = t[src]
    return {"id": _attr_id(service_id, t["id"] + attr["link_type"]), "link_id": service_id,
            "taxonomy_term_id": t["id"], "link_type": attr["link_type"], "taxonomy_term": term}
