"""/api/oruk: the directory as an Open Referral UK 3.0 API (every path of the ORUK openapi.json).

Public, no key, `Access-Control-Allow-Origin: *` on every answer. Lists use the ORUK page
envelope; `format=ndjson` streams every match instead. Beyond the profile each service and
service_at_location carries `last_verified`, `stale` and `reported_closed`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.api.deps import SessionDep, TypedRoute
from app.directory import access, vocab
from app.directory.occurrences import ScheduleError, parse_weekday
from app.directory.oruk import sal_to_oruk, service_to_oruk, taxonomy, taxonomy_term
from app.directory.oruk_ids import public_ids
from app.errors import InvalidInput, NotFound
from app.schemas.oruk import (
    OrukRoot,
    Service,
    ServiceAtLocation,
    ServiceAtLocationPage,
    ServicePage,
    Taxonomy,
    TaxonomyPage,
    Term,
    TermPage,
)
from app.services.directory import taxonomies as taxonomies_store
from app.services.directory.filters import ActivityFilters
from app.services.directory.oruk_query import (
    codes_of_postcode,
    covering_ids,
    intersect,
    prefilter_ids,
    sal_by_id,
    sal_page,
)
from app.services.directory.read import get_activities, get_activity, search_activities
from app.services.places import resolve_point
from app.settings import get_settings

OPEN = {"Access-Control-Allow-Origin": "*"}


def _open_to_all(response: Response) -> None:
    """ORUK consumers (validators, dashboards) read the API from any origin, without a key."""
    response.headers.update(OPEN)


router = APIRouter(prefix="/api/oruk", tags=["oruk"], dependencies=[Depends(_open_to_all)],
                   route_class=TypedRoute)
DEFAULT_PROXIMITY_M = 10000.0
MAX_PAGE = 100_000  # page x per_page stays a sane OFFSET; beyond it is a 422, never a 500
MAX_PER_PAGE = 1000
# Our vocabularies served as ORUK taxonomies (imported ones follow them).
OUR_TAXONOMIES: tuple[vocab.Taxonomy, ...] = (*vocab.TAXONOMIES, access.TAXONOMY)
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description="page number, from 1")]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description="items per page")]


def page_envelope(total: int, page: int, per_page: int, contents: list[Any]) -> dict[str, Any]:
    """The ORUK/HSDA pagination envelope (ids in contents published as UUIDs)."""
    pages = max(1, (total + per_page - 1) // per_page)
    return {"total_items": total, "total_pages": pages, "page_number": page,
            "size": len(contents), "first_page": page == 1, "last_page": page >= pages,
            "empty": not contents, "contents": public_ids(contents)}


def _stored(session: Session, table: str, given: str) -> str:
    """The stored id behind a published UUID."""
    return taxonomies_store.stored(session.connection(), table, given)


def _clock(raw: str | None, field: str) -> time | None:
    if not raw:
        return None
    try:
        hh, mm = raw.strip()[:5].split(":")
        return time(int(hh), int(mm))
    except ValueError:
        raise InvalidInput("must be a time HH:MM", field=field) from None


def _moment(raw: str | None, field: str) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("must be an ISO 8601 date-time, e.g. 2025-01-31T09:00:00Z",
                           field=field) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _TermMatch:
    filters: ActivityFilters
    features: tuple[str, ...] = ()


def _term_filter(session: Session, term_id: str) -> _TermMatch:
    """Filters for a term id: one of our vocabularies, else an imported term."""
    for tax in OUR_TAXONOMIES:
        for term in tax.terms:
            if tax.term_id(term.code) == term_id:
                if tax.key == "category":
                    return _TermMatch(ActivityFilters(category_codes=(term.code,)))
                if tax.key == "accessibility":
                    return _TermMatch(ActivityFilters(), (term.code,))
                return _TermMatch(ActivityFilters(audience_codes=(term.code,)))
    term_id = _stored(session, "taxonomy_term", term_id)
    if not taxonomies_store.exists(session.connection(), "taxonomy_term", term_id):
        raise NotFound("no taxonomy term with that id", field="taxonomy_term_id")
    return _TermMatch(ActivityFilters(term_ids=(term_id,)))


def _taxonomy_filter(session: Session, taxonomy_id: str) -> ActivityFilters:
    tax = next((t for t in OUR_TAXONOMIES if t.id == taxonomy_id), None)
    if tax is not None:
        codes = tuple(t.code for t in tax.terms)
        if tax.key == "category":
            return ActivityFilters(category_codes=codes)
        if tax.key == "audience":
            return ActivityFilters(audience_codes=codes)
        return ActivityFilters()  # accessibility terms describe venues, not services
    taxonomy_id = _stored(session, "taxonomy", taxonomy_id)
    if not taxonomies_store.exists(session.connection(), "taxonomy", taxonomy_id):
        raise NotFound("no taxonomy with that id", field="taxonomy_id")
    return ActivityFilters(term_taxonomy_id=taxonomy_id)


def oruk_filters(
    session: SessionDep,
    search: Annotated[str | None, Query(max_length=200, description="full-text search")] = None,
    text: Annotated[str | None, Query(max_length=200, description="alias of search")] = None,
    taxonomy_id: Annotated[str | None, Query(max_length=200)] = None,
    taxonomy_term_id: Annotated[str | None, Query(max_length=200)] = None,
    organization_id: Annotated[str | None, Query(max_length=200)] = None,
    postcode: Annotated[str | None, Query(max_length=20, description="postcode (or lat,lon)")
                        ] = None,
    proximity: Annotated[float | None, Query(gt=0, le=100000,
                                             description="metres from the postcode")] = None,
    day: Annotated[str | None, Query(max_length=12, description="MO..SU or Monday..")] = None,
    start_time: Annotated[str | None, Query(max_length=8, description="HH:MM")] = None,
    end_time: Annotated[str | None, Query(max_length=8, description="HH:MM")] = None,
    minimum_age: Annotated[float | None, Query(ge=0, le=120)] = None,
    maximum_age: Annotated[float | None, Query(ge=0, le=120)] = None,
    modified_after: Annotated[str | None, Query(max_length=40, description="ISO date-time")
                              ] = None,
) -> ActivityFilters:
    """Every ORUK list filter, parsed into the shared ActivityFilters."""
    conn = session.connection()
    term = _term_filter(session, taxonomy_term_id) if taxonomy_term_id else _TermMatch(
        ActivityFilters())
    by_tax = _taxonomy_filter(session, taxonomy_id) if taxonomy_id else ActivityFilters()
    lat = lon = None
    if postcode:
        lat, lon = resolve_point(conn, postcode, field="postcode")
    elif proximity is not None:
        raise InvalidInput("proximity needs a postcode", field="proximity")
    try:
        weekday = parse_weekday(day) if day else None
    except ScheduleError as exc:
        raise InvalidInput(exc.message, field="day") from None
    org = _stored(session, "organization", organization_id) if organization_id else None
    ids = prefilter_ids(conn, modified_after=_moment(modified_after, "modified_after"),
                        organization_id=org, features=term.features)
    if postcode and proximity is None and lat is not None and lon is not None:
        # The profile: with no proximity, a postcode means "services covering it".
        ids = intersect(ids, covering_ids(conn, codes_of_postcode(conn, postcode), lat, lon,
                                          DEFAULT_PROXIMITY_M))
    t = term.filters
    return ActivityFilters(
        lat=lat, lon=lon, radius_m=proximity if postcode else None,
        q=(search or text or "").strip() or None,
        category_codes=t.category_codes or by_tax.category_codes,
        audience_codes=t.audience_codes or by_tax.audience_codes,
        term_ids=t.term_ids, term_taxonomy_id=by_tax.term_taxonomy_id,
        day=weekday, time_from=_clock(start_time, "start_time"),
        time_to=_clock(end_time, "end_time"),
        minimum_age=None if minimum_age is None else int(minimum_age),
        maximum_age=None if maximum_age is None else int(maximum_age),
        ids=ids or (), status=None)


Filters = Annotated[ActivityFilters, Depends(oruk_filters)]


def _format(raw: str | None) -> str:
    value = (raw or "json").lower()
    if value not in ("json", "ndjson"):
        raise InvalidInput("format must be json or ndjson", field="format")
    return value


def _ndjson(lines: Iterator[dict[str, Any]]) -> StreamingResponse:
    body = (json.dumps(public_ids(item), default=str) + "\n" for item in lines)
    return StreamingResponse(body, media_type="application/x-ndjson", headers=OPEN)


@router.get("", response_model=OrukRoot)
@router.get("/", response_model=OrukRoot)
def root(request: Request) -> dict[str, Any]:
    """HSDA root: the HSDS version, the profile and where the OpenAPI document is."""
    return {"version": "3.0", "profile": "https://openreferraluk.org/",
            "openapi_url": str(request.url_for("openapi")),
            "x_title": "Within Reach community directory (Open Referral UK 3.0)"}


def _service_item(a: dict[str, Any], *, full: bool, minimal: bool) -> dict[str, Any]:
    if minimal:
        return {"id": a["id"], "name": a["name"], "status": a["oruk_status"],
                "last_modified": a.get("last_modified"),
                "last_verified": a.get("last_verified_at"), "stale": bool(a.get("stale"))}
    return service_to_oruk(a, full=full)


def _all_ids(conn: Connection, f: ActivityFilters, days: int) -> Iterator[list[str]]:
    """Ids of every match, a thousand at a time (for ndjson)."""
    offset = 0
    while True:
        _, rows = search_activities(conn, f, days, limit=1000, offset=offset)
        if not rows:
            return
        yield [r["id"] for r in rows]
        offset += len(rows)


@router.get("/services", response_model=ServicePage)
def services(session: SessionDep, filters: Filters, page: Page = 1, per_page: PerPage = 50,
             full: bool = False, minimal: bool = False,
             format: Annotated[str | None, Query(max_length=8)] = None) -> Any:
    """Services matching every ORUK filter: `full` nests each one, `minimal` gives ids and
    dates, `format=ndjson` streams every match without paging."""
    conn = session.connection()
    days = get_settings().stale_after_days
    if full and minimal:
        raise InvalidInput("ask for full or minimal, not both", field="minimal")
    if _format(format) == "ndjson":
        def lines() -> Iterator[dict[str, Any]]:
            for ids in _all_ids(conn, filters, days):
                for a in get_activities(conn, ids, days):
                    yield _service_item(a, full=full, minimal=minimal)
        return _ndjson(lines())
    total, rows = search_activities(conn, filters, days, limit=per_page,
                                    offset=(page - 1) * per_page)
    contents = [_service_item(a, full=full, minimal=minimal)
                for a in get_activities(conn, [r["id"] for r in rows], days)]
    return page_envelope(total, page, per_page, contents)


@router.get("/services/{service_id}", response_model=Service)
def one_service(service_id: str, session: SessionDep) -> dict[str, Any]:
    """One fully nested ORUK service."""
    sid = _stored(session, "service", service_id)
    return dict(public_ids(service_to_oruk(get_activity(session.connection(), sid,
                                                        get_settings().stale_after_days))))


@router.get("/service_at_locations", response_model=ServiceAtLocationPage)
def service_at_locations(session: SessionDep, filters: Filters, page: Page = 1,
                         per_page: PerPage = 50, full: bool = False,
                         format: Annotated[str | None, Query(max_length=8)] = None) -> Any:
    """Each service at each of its venues, with the same filters as /services (nearest first
    when a postcode is given)."""
    conn = session.connection()
    days = get_settings().stale_after_days

    def items(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        by_id = {a["id"]: a for a in get_activities(
            conn, list(dict.fromkeys(r["service_id"] for r in rows)), days)}
        out = []
        for r in rows:
            item = sal_to_oruk(by_id[r["service_id"]], r["id"], r["location_id"], full=full)
            if r["distance_m"] is not None:
                item["distance_m"] = r["distance_m"]
            out.append(item)
        return out

    if _format(format) == "ndjson":
        def lines() -> Iterator[dict[str, Any]]:
            offset = 0
            while True:
                _, rows = sal_page(conn, filters, days, limit=500, offset=offset)
                if not rows:
                    return
                yield from items(rows)
                offset += len(rows)
        return _ndjson(lines())
    total, rows = sal_page(conn, filters, days, limit=per_page, offset=(page - 1) * per_page)
    return page_envelope(total, page, per_page, items(rows))


@router.get("/service_at_locations/{sal_id}", response_model=ServiceAtLocation)
def one_service_at_location(sal_id: str, session: SessionDep) -> dict[str, Any]:
    """One service at one venue, fully nested."""
    conn = session.connection()
    found = sal_by_id(conn, _stored(session, "service_at_location", sal_id))
    if found is None:
        raise NotFound("no service_at_location with that id", field="id")
    a = get_activity(conn, found["service_id"], get_settings().stale_after_days)
    return dict(public_ids(sal_to_oruk(a, found["id"], found["location_id"], full=True)))


def _imported_taxonomies(session: Session) -> list[dict[str, Any]]:
    return taxonomies_store.imported_taxonomies(session.connection())


def _imported_terms(session: Session, taxonomy_id: str | None) -> list[dict[str, Any]]:
    return taxonomies_store.imported_terms(session.connection(), taxonomy_id)


@router.get("/taxonomies", response_model=TaxonomyPage)
def taxonomies(session: SessionDep, page: Page = 1, per_page: PerPage = 50) -> dict[str, Any]:
    """Our vocabularies (category, audience, venue accessibility), then imported ones."""
    items = [taxonomy(t) for t in OUR_TAXONOMIES] + _imported_taxonomies(session)
    return page_envelope(len(items), page, per_page,
                         items[(page - 1) * per_page: page * per_page])


@router.get("/taxonomies/{taxonomy_id}", response_model=Taxonomy)
def one_taxonomy(taxonomy_id: str, session: SessionDep) -> dict[str, Any]:
    """One taxonomy with its terms."""
    for t in OUR_TAXONOMIES:
        if t.id == taxonomy_id:
            return taxonomy(t) | {"taxonomy_terms": [taxonomy_term(t, x) for x in t.terms]}
    stored = _stored(session, "taxonomy", taxonomy_id)
    for item in _imported_taxonomies(session):
        if item["id"] == stored:
            return dict(public_ids(item | {"taxonomy_terms": _imported_terms(session, stored)}))
    raise NotFound("no taxonomy with that id", field="taxonomy_id")


@router.get("/taxonomy_terms", response_model=TermPage)
def taxonomy_terms(session: SessionDep, page: Page = 1, per_page: PerPage = 100,
                   taxonomy_id: Annotated[str | None, Query(max_length=200)] = None
                   ) -> dict[str, Any]:
    """Every term of our vocabularies and of imported ones (optionally of one taxonomy)."""
    stored = _stored(session, "taxonomy", taxonomy_id) if taxonomy_id else None
    items = [taxonomy_term(t, x) for t in OUR_TAXONOMIES for x in t.terms
             if taxonomy_id in (None, t.id)] + _imported_terms(session, stored)
    return page_envelope(len(items), page, per_page,
                         items[(page - 1) * per_page: page * per_page])


@router.get("/taxonomy_terms/{term_id}", response_model=Term)
def one_term(term_id: str, session: SessionDep) -> dict[str, Any]:
    """One taxonomy term."""
    for t in OUR_TAXONOMIES:
        for x in t.terms:
            if t.term_id(x.code) == term_id:
                return taxonomy_term(t, x)
    stored = _stored(session, "taxonomy_term", term_id)
    for item in _imported_terms(session, None):
        if item["id"] == stored:
            return dict(public_ids(item))
    raise NotFound("no taxonomy term with that id", field="term_id")


__all__ = ["page_envelope", "router"]
