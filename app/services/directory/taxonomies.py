"""Imported taxonomies and terms, and the stored ids behind published UUIDs (ORUK reads)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from app.directory.oruk_ids import NOT_UUID_SQL, is_uuid, stored_id

# The tables whose ids the ORUK API publishes (the only names ever put into the SQL below).
ID_TABLES = frozenset({"service", "service_at_location", "organization", "taxonomy",
                       "taxonomy_term"})


def stored(conn: Connection, table: str, given: str) -> str:
    """The stored id behind a published UUID (ids that are not UUIDs are published mapped)."""
    if table not in ID_TABLES:
        raise ValueError(f"not an ORUK id table: {table}")
    if not is_uuid(given):
        return given
    found = conn.execute(text(f"SELECT 1 FROM {table} WHERE id = :id"),  # noqa: S608
                         {"id": given}).first()
    if found is not None:
        return given
    others = conn.execute(text(
        f"SELECT id FROM {table} WHERE id {NOT_UUID_SQL}")).scalars().all()  # noqa: S608
    return stored_id(given, list(others))


def exists(conn: Connection, table: str, stored_id_: str) -> bool:
    """Whether an imported taxonomy or term with this stored id exists."""
    if table not in ("taxonomy", "taxonomy_term"):
        raise ValueError(f"not a taxonomy table: {table}")
    return conn.execute(text(f"SELECT 1 FROM {table} WHERE id = :id"),  # noqa: S608
                        {"id": stored_id_}).first() is not None


def imported_taxonomies(conn: Connection) -> list[dict[str, Any]]:
    """Taxonomies imported with ORUK feeds, by name (empty fields left out)."""
    rows = conn.execute(text(
        "SELECT id, name, coalesce(description, name) AS description, uri FROM taxonomy"
        " ORDER BY name, id")).mappings()
    return [{k: v for k, v in r.items() if v is not None} for r in rows]


def imported_terms(conn: Connection, taxonomy_id: str | None) -> list[dict[str, Any]]:
    """Imported taxonomy terms, of one taxonomy or all (empty fields left out)."""
    rows = conn.execute(text(
        "SELECT t.id, t.name, coalesce(t.description, t.name) AS description, t.parent_id,"
        " x.name AS taxonomy, t.taxonomy_id, t.term_uri, t.code AS term FROM taxonomy_term t"
        " LEFT JOIN taxonomy x ON x.id = t.taxonomy_id"
        " WHERE CAST(:tax AS text) IS NULL OR t.taxonomy_id = :tax ORDER BY x.name, t.name"),
        {"tax": taxonomy_id}).mappings()
    return [{k: v for k, v in r.items() if v is not None} for r in rows]
