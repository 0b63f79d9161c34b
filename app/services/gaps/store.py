"""Write a run's results to PostGIS (one transaction) and the what-if matrices to disk."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from app.analysis.results import STORED, Block
from app.services.gaps.compute import BandResult, Context, GapParams
from app.services.gaps.inputs import directory_stamp

RESULT_COLUMNS = ("band", "budget", "level", "code", "category", "audience", "run_id",
                  "population", *STORED, "detail")
HISTORY_COLUMNS = ("run_id", "band", "budget", "level", "code", "audience", "activities_share",
                   "sessions_mean", "e2sfca")


def data_versions(conn: Connection) -> dict[str, Any]:
    """The latest load of every dataset, the GTFS feeds and the directory stamp."""
    rows = conn.execute(text(
        "SELECT DISTINCT ON (dataset) dataset, vintage, sha256, loaded_at FROM dataset_version"
        " ORDER BY dataset, loaded_at DESC, id DESC")).all()
    feeds = conn.execute(text("SELECT name, version, sha256 FROM gtfs_feed ORDER BY name")).all()
    return {
        "datasets": {r[0]: {"vintage": r[1], "sha256": r[2][:16], "loaded_at": r[3].isoformat()}
                     for r in rows},
        "gtfs": [{"name": f[0], "version": f[1], "sha256": f[2][:16]} for f in feeds],
        "directory": directory_stamp(conn),
    }


def current_bands(conn: Connection) -> dict[str, dict[str, Any]]:
    """band -> {run_id, fingerprint, params} of the stored results."""
    rows = conn.execute(text(
        "SELECT b.band, b.run_id, b.fingerprint, r.params, r.data_versions, b.details"
        " FROM gap_band b JOIN gap_run r ON r.id = b.run_id")).all()
    return {r[0]: {"run_id": r[1], "fingerprint": r[2], "params": r[3], "data_versions": r[4],
                   "details": r[5]} for r in rows}


COPY_ROWS = 200_000  # rows per COPY slice: a national band is millions of rows


def _block_frame(res: BandResult, b: Block, run_id: int) -> pd.DataFrame:
    """The rows of one block in gap_result's column order."""
    n = len(b.codes)
    cols: dict[str, Any] = {
        "band": res.band, "budget": b.budget, "level": b.level, "code": b.codes,
        "category": b.category, "audience": b.audience, "run_id": run_id,
        "population": b.population}
    cols |= {m: b.values[m] for m in STORED}
    cols["detail"] = [None] * n
    if b.level == "lsoa" and b.category == "all" and b.audience == "all":
        cols["detail"] = [json.dumps(res.details.get(c, {}).get(str(b.budget)))
                          for c in b.codes]
    return pd.DataFrame(cols)[list(RESULT_COLUMNS)]


def result_frames(res: BandResult, run_id: int, rows: int = COPY_ROWS
                  ) -> Iterator[pd.DataFrame]:
    """The rows of a band in slices of about `rows` rows (whole blocks), in block order."""
    parts: list[pd.DataFrame] = []
    n = 0
    for b in res.blocks:
        parts.append(_block_frame(res, b, run_id))
        n += len(b.codes)
        if n >= rows:
            yield pd.concat(parts, ignore_index=True)
            parts, n = [], 0
    if parts:
        yield pd.concat(parts, ignore_index=True)


def result_frame(res: BandResult, run_id: int) -> pd.DataFrame:
    """All rows of a band as one DataFrame in gap_result's column order."""
    return pd.concat(list(result_frames(res, run_id)), ignore_index=True)


def history_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a band kept in the run history: every area and audience, all categories."""
    return frame.loc[frame["category"] == "all", list(HISTORY_COLUMNS)]


def _copy_frames(conn: Connection, frames: Iterable[pd.DataFrame],
                 table: str = "gap_result") -> None:
    """COPY frames into a table as CSV, slice by slice (much faster than INSERTs)."""
    it = iter(frames)
    first = next(it, None)
    if first is None:
        return
    raw = conn.connection.driver_connection
    cols = ", ".join(first.columns)
    # `table` is one of two constants of this module, never user input.
    with raw.cursor() as cur, cur.copy(  # type: ignore[union-attr]
            f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
        for frame in chain([first], it):
            buf = io.StringIO()
            frame.to_csv(buf, index=False, header=False, na_rep="")
            copy.write(buf.getvalue())


def save_run(conn: Connection, ctx: Context, results: list[BandResult], params: GapParams,
             seconds: float, area_rows: list[dict[str, Any]]) -> int:
    """Store a run: metadata, the area need table, and all rows of the computed bands."""
    bands = [r.band for r in results]
    summary: dict[str, Any] = {
        r.band: {"slots": len(r.slots), "searches": r.searches,
                 "rows": sum(len(b.codes) for b in r.blocks)} for r in results}
    run_id = int(conn.execute(text(
        "INSERT INTO gap_run (finished_at, seconds, status, bands, budgets, params,"
        " data_versions, summary) VALUES (now(), :sec, 'complete', :bands, :budgets,"
        " CAST(:params AS jsonb), CAST(:versions AS jsonb), CAST(:summary AS jsonb))"
        " RETURNING id"),
        {"sec": seconds, "bands": bands, "budgets": list(params.budgets),
         "params": json.dumps(params.as_dict() | {
             "week": [d.isoformat() for d in ctx.week],
             "origins": len(ctx.origins),
             "district_listings": ctx.listings.district_listings}),
         "versions": json.dumps(data_versions(conn)), "summary": json.dumps(summary)}).scalar_one())
    conn.execute(text("DELETE FROM gap_area"))
    conn.execute(text(
        "INSERT INTO gap_area (level, code, name, ward_code, lad_code, population, imd_score,"
        " imd_decile, health_score, barriers_score, domains, rural_urban, n_origins) VALUES"
        " (:level, :code, :name, :ward_code, :lad_code, CAST(:population AS jsonb), :imd_score,"
        " :imd_decile, :health_score, :barriers_score, CAST(:domains AS jsonb), :rural_urban,"
        " :n_origins)"),
        [r | {"population": json.dumps(r["population"]), "domains": json.dumps(r["domains"])}
         for r in area_rows])
    others = conn.execute(text("SELECT count(*) FROM gap_band WHERE NOT band = ANY(:bands)"),
                          {"bands": bands}).scalar_one()
    if others:
        conn.execute(text("DELETE FROM gap_result WHERE band = ANY(:bands)"), {"bands": bands})
    else:  # every stored band is recomputed: TRUNCATE (transactional) beats a 260k-row DELETE
        conn.execute(text("TRUNCATE gap_result"))
    for res in results:
        _copy_frames(conn, result_frames(res, run_id))
        _copy_frames(conn, (history_frame(f) for f in result_frames(res, run_id)),
                     "gap_history")
        conn.execute(text(
            "INSERT INTO gap_band (band, run_id, fingerprint, computed_at, details)"
            " VALUES (:band, :run, :fp, now(), CAST(:details AS jsonb))"
            " ON CONFLICT (band) DO UPDATE SET run_id = EXCLUDED.run_id,"
            " fingerprint = EXCLUDED.fingerprint, computed_at = now(),"
            " details = EXCLUDED.details"),
            {"band": res.band, "run": run_id, "fp": ctx.listings.band_fingerprint(res.band),
             "details": json.dumps(summary[res.band])})
    return run_id


def matrix_path(cache_dir: Path, band: str) -> Path:
    """Where the what-if matrices of a band live."""
    return cache_dir / "gaps" / f"{band}.npz"


def save_matrices(cache_dir: Path, ctx: Context, res: BandResult, run_id: int) -> Path | None:
    """Save what the what-if needs to recompute a band without routing it again.

    A run too large to keep its matrix (`rt_min` None, see GAPS_WHATIF_MAX_CELLS) removes
    the band's old file instead, so the what-if never answers from another run.
    """
    path = matrix_path(cache_dir, res.band)
    if res.rt_min is None:
        path.unlink(missing_ok=True)
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    acts = ctx.listings.activities
    np.savez(
        tmp, run_id=np.array(run_id), rt=res.rt_min.astype(np.float32),
        slot_activity=np.array([s.activity for s in res.slots], dtype=np.int64),
        slot_per_week=np.array([s.per_week for s in res.slots]),
        slot_json=np.array(json.dumps([[s.location_id, s.lat, s.lon, s.weekday, s.start_s,
                                        s.end_s] for s in res.slots])),
        act_ids=np.array([a.id for a in acts], dtype=str),
        act_json=np.array(json.dumps([[sorted(a.categories), sorted(a.audiences), a.capacity,
                                       a.name] for a in acts])),
        area_codes=np.array(ctx.areas.codes, dtype=str),
        origin_area=ctx.origin_area, origin_weight=ctx.origins.weight,
        origin_lat=ctx.origins.lat, origin_lon=ctx.origins.lon,
        week=np.array([d.isoformat() for d in ctx.week], dtype=str))
    tmp.replace(path)
    return path
