"""Run history: every run with its inputs' versions, and two runs compared area by area."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from app.errors import InvalidInput, NotFound
from app.services.gaps.query import check_filters


def runs(conn: Connection) -> list[dict[str, Any]]:
    """Every stored run, newest first, with parameters and data versions."""
    rows = conn.execute(text(
        "SELECT r.id, r.finished_at, r.seconds, r.bands, r.budgets, r.params, r.data_versions,"
        " (SELECT count(*) FROM gap_history h WHERE h.run_id = r.id) FROM gap_run r"
        " ORDER BY r.id DESC")).all()
    return [{"run_id": r[0], "finished_at": r[1].isoformat() if r[1] else None,
             "seconds": r[2], "bands": list(r[3]), "budgets": list(r[4]), "parameters": r[5],
             "data_versions": r[6], "history_rows": r[7]} for r in rows]


def compare(conn: Connection, a: int, b: int, level: str, band: str, audience: str,
            budget: int) -> dict[str, Any]:
    """Reach, sessions and competition of every area in run a and run b, and b - a."""
    check_filters(level, band, "all", audience)
    have = {r[0]: list(r[1]) for r in conn.execute(
        text("SELECT id, bands FROM gap_run WHERE id = ANY(:ids)"), {"ids": [a, b]})}
    for rid, field in ((a, "a"), (b, "b")):
        if rid not in have:
            raise NotFound(f"no run {rid}", field=field)
        if band not in have[rid]:
            raise InvalidInput(f"run {rid} did not compute band {band}", field=field)
    rows = conn.execute(text("""
        SELECT coalesce(x.code, y.code), g.name, x.activities_share, y.activities_share,
               x.sessions_mean, y.sessions_mean, x.e2sfca, y.e2sfca
        FROM (SELECT * FROM gap_history WHERE run_id = :a AND band = :band AND level = :level
              AND audience = :aud AND budget = :budget) x
        FULL JOIN (SELECT * FROM gap_history WHERE run_id = :b AND band = :band
              AND level = :level AND audience = :aud AND budget = :budget) y
          ON x.code = y.code
        LEFT JOIN gap_area g ON g.level = :level AND g.code = coalesce(x.code, y.code)
        ORDER BY 1"""), {"a": a, "b": b, "band": band, "level": level, "aud": audience,
                         "budget": budget}).all()

    def d(x: float | None, y: float | None) -> float | None:
        return None if x is None or y is None else round(y - x, 4)

    areas = [{"code": r[0], "name": r[1],
              "reach": {"a": r[2], "b": r[3], "change": d(r[2], r[3])},
              "sessions_per_week": {"a": r[4], "b": r[5], "change": d(r[4], r[5])},
              "competition": {"a": r[6], "b": r[7], "change": d(r[6], r[7])}} for r in rows]
    meta = {r["run_id"]: r for r in runs(conn) if r["run_id"] in (a, b)}
    return {"a": meta[a], "b": meta[b], "level": level, "band": band, "audience": audience,
            "budget": budget, "changed": sum(1 for x in areas if x["reach"]["change"]),
            "areas": areas}
