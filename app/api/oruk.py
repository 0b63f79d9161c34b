"""/api/oruk: the directory as an Open Referral UK 3.0 API (services, taxonomies, terms)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from app.api.params import Page
from app.db import get_session
from app.directory import vocab
from app.directory.occurrences import ScheduleError, parse_weekday
from app.directory.oruk import service_to_oruk, taxonomy, taxonomy_term
from app.errors import InvalidInput, NotFound
from app.services.directory.filters import ActivityFilters
from app.services.directory.geo import resolve_point
from app.services.directory.read import get_activities, get_activity, search_activities
from app.settings import get_settings

router = APIRouter(prefix="/api/oruk", tags=["oruk"])
SessionDep = Annotated[Session, Depends(get_session)]
DEFAULT_PROXIMITY_M = 10000.0


def page_envelope(total: int, page: int, per_page: int, contents: list[Any]) -> dict[str, Any]:
    """The ORUK/HSDA pagination envelope."""
    pages = max(1, (total + per_page - 1) // per_page)
    return {"total_items": total, "total_pages": pages, "page_number": page,
            "size": len(contents), "first_page": page == 1, "last_page": page >= pages,
            "empty": not contents, "contents": contents}


def _clock(raw: str | None, field: str) -> Any:
    from datetime import time

    if not raw:
        return None
    try:
        hh, mm = raw.strip()[:5].split(":")
        return time(int(hh), int(mm))
    except ValueError:
        raise InvalidInput("must be a time HH:MM", field=field) from None


def _term_filter(session: Session, term_id: str) -> ActivityFilters:
    """Filters for a term id: one of our vocabularies, else an imported term."""
    for tax in vocab.TAXONOMIES:
        for term in tax.terms:
            if tax.term_id(term.code) == term_id:
                if tax.key == "category":
                    return ActivityFilters(category_codes=(term.code,))
                return ActivityFilters(audience_codes=(term.code,))
    known = session.execute(sql_text("SELECT 1 FROM taxonomy_term WHERE id = :id"),
                            {"id": term_id}).first()
    if known is None:
        raise NotFound("no taxonomy term with that id", field="taxonomy_term_id")
    return ActivityFilters(term_ids=(term_id,))


def _taxonomy_filter(session: Session, taxonomy_id: str) -> ActivityFilters:
    tax = next((t for t in vocab.TAXONOMIES if t.id == taxonomy_id), None)
    if tax is not None:
        codes = tuple(t.code for t in tax.terms)
        return (ActivityFilters(category_codes=codes) if tax.key == "category"
                else ActivityFilters(audience_codes=codes))
    known = session.execute(sql_text("SELECT 1 FROM taxonomy WHERE id = :id"),
                            {"id": taxonomy_id}).first()
    if known is None:
        raise NotFound("no taxonomy with that id", field="taxonomy_id")
    return ActivityFilters(term_taxonomy_id=taxonomy_id)


def _imported_taxonomies(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(sql_text(
        "SELECT id, name, coalesce(description, name) AS description, uri FROM taxonomy"
        " ORDER BY name, id")).mappings()
    return [{k: v for k, v in r.items() if v is not None} for r in rows]


def _imported_terms(session: Session, taxonomy_id: str | None) -> list[dict[str, Any]]:
    rows = session.execute(sql_text(
        "SELECT t.id, t.name, coalesce(t.description, t.name) AS description, t.parent_id,"
        " x.name AS taxonomy, t.taxonomy_id, t.term_uri, t.code AS term FROM taxonomy_term t"
        " LEFT JOIN taxonomy x ON x.id = t.taxonomy_id"
        " WHERE CAST(:tax AS text) IS NULL OR t.taxonomy_id = :tax ORDER BY x.name, t.name"),
        {"tax": taxonomy_id}).mappings()
    return [{k: v for k, v in r.items() if v is not None} for r in rows]


@router.get("")
@router.get("/")
def root() -> dict[str, Any]:
    """HSDA root: what this API is."""
    return {"version": "3.0", "profile": "https://openreferraluk.org/",
            "openapi_url": "/openapi.json"}


@router.get("/services")
def services(
    session: SessionDep,
    page: Page = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
    text: Annotated[str | None, Query(max_length=200)] = None,
    search: Annotated[str | None, Query(max_length=200)] = None,
    taxonomy_id: str | None = None,
    taxonomy_term_id: str | None = None,
    postcode: str | None = None,
    proximity: Annotated[float | None, Query(gt=0, le=100000)] = None,
    day: str | None = None,
    start_time: str | None = None,
    end_time: str | None = None,
    minimum_age: Annotated[int | None, Query(ge=0, le=120)] = None,
    maximum_age: Annotated[int | None, Query(ge=0, le=120)] = None,
    full: bool = False,
) -> dict[str, Any]:
    """Paginated services with ORUK's filters; `full=true` nests each service fully."""
    conn = session.connection()
    days = get_settings().stale_after_days
    by_term = _term_filter(session, taxonomy_term_id) if taxonomy_term_id else ActivityFilters()
    by_tax = _taxonomy_filter(session, taxonomy_id) if taxonomy_id else ActivityFilters()
    lat = lon = None
    if postcode:
        lat, lon = resolve_point(conn, postcode, field="postcode")
    try:
        weekday = parse_weekday(day) if day else None
    except ScheduleError as exc:
        raise InvalidInput(exc.message, field="day") from None
    f = ActivityFilters(
        lat=lat, lon=lon, radius_m=(proximity or DEFAULT_PROXIMITY_M) if postcode else None,
        q=(text or search or "").strip() or None,
        category_codes=by_term.category_codes or by_tax.category_codes,
        audience_codes=by_term.audience_codes or by_tax.audience_codes,
        term_ids=by_term.term_ids, term_taxonomy_id=by_tax.term_taxonomy_id,
        day=weekday, time_from=_clock(start_time, "start_time"),
        time_to=_clock(end_time, "end_time"), minimum_age=minimum_age, maximum_age=maximum_age,
        status=None)
    total, rows = search_activities(conn, f, days, limit=per_page, offset=(page - 1) * per_page)
    contents = [service_to_oruk(a, full=full)
                for a in get_activities(conn, [r["id"] for r in rows], days)]
    return page_envelope(total, page, per_page, contents)


@router.get("/services/{service_id}")
def one_service(service_id: str, session: SessionDep) -> dict[str, Any]:
    """One fully nested ORUK service."""
    return service_to_oruk(get_activity(session.connection(), service_id,
                                        get_settings().stale_after_days))


@router.get("/taxonomies")
def taxonomies(session: SessionDep, page: Page = 1,
               per_page: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    """Our vocabularies (activity category, audience), then those imported from feeds."""
    items = [taxonomy(t) for t in vocab.TAXONOMIES] + _imported_taxonomies(session)
    return page_envelope(len(items), page, per_page,
                         items[(page - 1) * per_page: page * per_page])


@router.get("/taxonomies/{taxonomy_id}")
def one_taxonomy(taxonomy_id: str, session: SessionDep) -> dict[str, Any]:
    """One taxonomy with its terms."""
    for t in vocab.TAXONOMIES:
        if t.id == taxonomy_id:
            return taxonomy(t) | {"taxonomy_terms": [taxonomy_term(t, x) for x in t.terms]}
    for item in _imported_taxonomies(session):
        if item["id"] == taxonomy_id:
            return item | {"taxonomy_terms": _imported_terms(session, taxonomy_id)}
    raise NotFound("no taxonomy with that id", field="taxonomy_id")


@router.get("/taxonomy_terms")
def taxonomy_terms(session: SessionDep, page: Page = 1,
                   per_page: Annotated[int, Query(ge=1, le=500)] = 100,
                   taxonomy_id: str | None = None) -> dict[str, Any]:
    """Every term of our vocabularies and of imported ones (optionally of one taxonomy)."""
    items = [taxonomy_term(t, x) for t in vocab.TAXONOMIES for x in t.terms
             if taxonomy_id in (None, t.id)] + _imported_terms(session, taxonomy_id)
    return page_envelope(len(items), page, per_page,
                         items[(page - 1) * per_page: page * per_page])


@router.get("/taxonomy_terms/{term_id}")
def one_term(term_id: str, session: SessionDep) -> dict[str, Any]:
    """One taxonomy term."""
    for t in vocab.TAXONOMIES:
        for x in t.terms:
            if t.term_id(x.code) == term_id:
                return taxonomy_term(t, x)
    for item in _imported_terms(session, None):
        if item["id"] == term_id:
            return item
    raise NotFound("no taxonomy term with that id", field="term_id")
