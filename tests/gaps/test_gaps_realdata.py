"""The gap batch on the real Notts data: storage, sanity properties, what-if, staleness."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from sqlalchemy import create_engine, text

from app.analysis.bands import BANDS
from app.directory.vocab import CATEGORIES
from app.errors import InvalidInput, NotFound, OutOfCoverage
from app.routing.raptor import QueryParams
from app.routing.roundtrip import RoundTripParams, plan_round_trips
from app.routing.venue_session import VenueSession as Session
from app.schemas.gaps import Change, ExtraTrip, OptimiseRequest, WhatIfRequest
from app.services.gaps.compute import GapParams, build_context, slot_round_trips
from app.services.gaps.optimiser import optimise
from app.services.gaps.query import layer, staleness
from app.services.gaps.scenario import band_listings
from app.services.gaps.whatif import what_if
from app.services.transit.router import get_router

pytestmark = pytest.mark.realdata

N_FILTERS = (1 + len(CATEGORIES)) * 4  # categories incl. 'all' x (3 audiences + free pass)
LADYBROOK = (53.1405, -1.2268)  # Ladybrook, Mansfield
ASHFIELD, GEDLING, MANSFIELD, NEWARK_SHERWOOD = "E07000170", "E07000173", "E07000174", "E07000175"
DEFAULT_REGION = [ASHFIELD, MANSFIELD, NEWARK_SHERWOOD]


def on(url: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call fn(conn, ...) on a fresh connection to the test database."""
    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            return fn(conn, *args, **kwargs)
    finally:
        eng.dispose()


def q(url: str, sql: str, **params: Any) -> list[Any]:
    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            return list(conn.execute(text(sql), params).all())
    finally:
        eng.dispose()


def test_batch_stores_every_band_level_and_filter(gaps_db: str) -> None:
    bands = dict(q(gaps_db, "SELECT band, run_id FROM gap_band"))
    assert set(bands) == set(BANDS)
    run = q(gaps_db, "SELECT status, seconds, params, data_versions FROM gap_run "
                     "WHERE id = :i", i=max(bands.values()))[0]
    assert run[0] == "complete" and run[1] > 0
    assert run[2]["week"][0] == "2026-11-23" and run[2]["budgets"] == [30, 45, 60]
    assert run[3]["gtfs"] and "iod2025" in run[3]["datasets"] and run[3]["directory"]
    counts = dict(q(gaps_db, "SELECT level, count(DISTINCT code) FROM gap_result GROUP BY 1"))
    assert counts["lsoa"] == 684 and counts["lad"] == 8 and counts["ward"] >= 180
    per_band = q(gaps_db, "SELECT band, count(*) FROM gap_result GROUP BY 1")
    expected = (counts["lsoa"] + counts["ward"] + counts["lad"]) * N_FILTERS * 3
    assert all(n == expected for _, n in per_band)
    # every LSOA has postcode origins, never the polygon centroid: every postcode is one
    assert q(gaps_db, "SELECT count(*) FROM gap_area WHERE level = 'lsoa' AND n_origins = 0"
             )[0][0] == 0
    used = q(gaps_db, "SELECT sum(n_origins) FROM gap_area WHERE level = 'lsoa'")[0][0]
    postcodes = q(gaps_db, "SELECT count(*) FROM postcode p JOIN lsoa_lookup l"
                           " ON l.lsoa21_code = p.lsoa21_code")[0][0]
    assert used == postcodes > 20_000 and run[2]["origins"] == postcodes
    # the reach interval brackets reach everywhere
    bad = q(gaps_db, "SELECT count(*) FROM gap_result WHERE NOT (reach_low <= activities_share"
                     " + 1e-9 AND activities_share <= reach_high + 1e-9)")[0][0]
    assert bad == 0


def test_bigger_budget_never_lowers_access(gaps_db: str) -> None:
    bad = q(gaps_db, """
        SELECT count(*) FROM gap_result a JOIN gap_result b USING (band, level, code, category,
                                                                   audience)
        WHERE b.budget > a.budget AND (b.activities_mean < a.activities_mean - 1e-9
           OR b.activities_share < a.activities_share - 1e-9
           OR b.sessions_mean < a.sessions_mean - 1e-9)""")[0][0]
    assert bad == 0


def test_evening_is_at_most_daytime(gaps_db: str) -> None:
    rows = q(gaps_db, """
        SELECT d.code, d.activities_share, e.activities_share, d.sessions_mean, e.sessions_mean
        FROM gap_result d JOIN gap_result e USING (budget, level, code, category, audience)
        WHERE d.band = 'weekday_day' AND e.band = 'weekday_evening' AND d.level = 'lsoa'
          AND d.category = 'all' AND d.audience = 'all' AND d.budget = 45""")
    assert len(rows) == 684
    assert all(e <= d + 1e-9 for _, d, e, _, _ in rows)
    assert all(e <= d + 1e-9 for _, _, _, d, e in rows)
    assert sum(d for _, d, _, _, _ in rows) > 2 * sum(e for _, _, e, _, _ in rows)


def test_aggregation_preserves_population_and_ward_totals(gaps_db: str) -> None:
    totals = q(gaps_db, """
        SELECT band, budget, category, audience, level, sum(population) FROM gap_result
        GROUP BY 1, 2, 3, 4, 5""")
    by_key: dict[tuple[Any, ...], dict[str, float]] = {}
    for band, budget, cat, aud, level, pop in totals:
        by_key.setdefault((band, budget, cat, aud), {})[level] = pop
    census = q(gaps_db, "SELECT sum(count) FROM population WHERE age_band = 'total'")[0][0]
    for key, levels in by_key.items():
        assert levels["lsoa"] == pytest.approx(levels["ward"])
        assert levels["lsoa"] == pytest.approx(levels["lad"])
        if key[3] == "all":
            assert levels["lsoa"] == pytest.approx(census)
    # a ward's figures are its LSOAs' population-weighted sums
    wards = q(gaps_db, """
        SELECT w.code, w.population, w.activities_share, sum(l.population),
               sum(l.activities_share * l.population), w.sessions_mean,
               sum(l.sessions_mean * l.population)
        FROM gap_result w JOIN gap_area a ON a.level = 'lsoa' AND a.ward_code = w.code
        JOIN gap_result l ON l.level = 'lsoa' AND l.code = a.code AND l.band = w.band
         AND l.budget = w.budget AND l.category = w.category AND l.audience = w.audience
        WHERE w.level = 'ward' AND w.band = 'weekday_day' AND w.budget = 45
          AND w.category = 'all' AND w.audience = 'all'
        GROUP BY w.code, w.population, w.activities_share, w.sessions_mean""")
    assert len(wards) >= 180
    for _, wpop, wshare, lpop, lshare_pop, wsess, lsess_pop in wards:
        assert wpop == pytest.approx(lpop)
        assert wshare * wpop == pytest.approx(lshare_pop, abs=1e-6)
        assert wsess * wpop == pytest.approx(lsess_pop, abs=1e-6)


def test_default_region_leaves_gedling_out_and_is_stated(gaps_db: str) -> None:
    coll = on(gaps_db, layer, "ward", "weekday_day", "all", "all", 45, with_geometry=False)
    meta = coll["meta"]
    assert meta["region"] == DEFAULT_REGION and "5%" in meta["region_rule"]
    assert "Gedling" not in meta["region_names"]
    for f in coll["features"]:
        p = f["properties"]
        assert p["in_region"] == (p["lad_code"] in DEFAULT_REGION)
        if not p["in_region"]:
            assert p["gap_class"] is None and p["need_class"] is None  # never classified
    # a region chosen by the request is honoured, and Gedling is then classified
    chosen = on(gaps_db, layer, "ward", "weekday_day", "all", "all", 45, with_geometry=False,
                region=f"{GEDLING},{MANSFIELD}")
    assert chosen["meta"]["region"] == [GEDLING, MANSFIELD]
    assert chosen["meta"]["region_rule"] == "chosen on this page"
    assert {f["properties"]["lad_code"] for f in chosen["features"]
            if f["properties"]["gap_class"]} == {GEDLING, MANSFIELD}


def test_rural_newark_and_sherwood_is_worst_by_day_on_reach(gaps_db: str) -> None:
    lads = on(gaps_db, layer, "lad", "weekday_day", "all", "all", 45, with_geometry=False)
    by = {f["properties"]["lad_code"]: f["properties"] for f in lads["features"]}
    assert by[NEWARK_SHERWOOD]["rank_reach"] == 1  # least reach of the region
    assert all(p["gap_class"] is None for p in by.values())  # districts: values and ranks
    assert {by[c]["rank_reach"] for c in DEFAULT_REGION} == {1, 2, 3}
    # rural residents of Newark & Sherwood reach less than anyone else's in the region
    rows = q(gaps_db, """
        SELECT a.lad_code, ru.classification ILIKE '%rural%', sum(r.population),
               sum(r.activities_share * r.population)
        FROM gap_result r JOIN gap_area a ON a.level = 'lsoa' AND a.code = r.code
        JOIN rural_urban ru ON ru.lsoa_code = r.code
        WHERE r.level = 'lsoa' AND r.band = 'weekday_day' AND r.budget = 45
          AND r.category = 'all' AND r.audience = 'all' AND a.lad_code = ANY(:lads)
        GROUP BY 1, 2""", lads=DEFAULT_REGION)
    reach = {(lad, rural): s / p for lad, rural, p, s in rows}
    worst = min(reach, key=lambda k: reach[k])
    assert worst == (NEWARK_SHERWOOD, True), reach
    assert reach[(NEWARK_SHERWOOD, True)] < 0.6


def test_evening_has_a_real_no_access_class_and_terciles_say_when_they_fail(
        gaps_db: str) -> None:
    ev = on(gaps_db, layer, "lsoa", "weekday_evening", "all", "all", 45, with_geometry=False)
    inside = [f["properties"] for f in ev["features"] if f["properties"]["in_region"]]
    none = [p for p in inside if p["access_class"] == 0]
    assert len(none) > len(inside) / 3
    assert all(p["activities_share"] == 0 and p["gap_class"].endswith("-0") for p in none)
    assert all(p["activities_share"] > 0 for p in inside if p["access_class"] != 0)
    assert ev["meta"]["breaks"]["kind"] == "fixed"
    # by day, reach is so high that thirds tie: the page is told, fixed breaks are kept
    day = on(gaps_db, layer, "lsoa", "weekday_day", "all", "all", 45, with_geometry=False,
             breaks="terciles")
    brk = day["meta"]["breaks"]
    assert brk["requested"] == "terciles"
    assert (brk["kind"] == "fixed" and "terciles not used" in brk["note"]) or \
        brk["kind"] == "terciles"
    # the known gap: no evening youth provision reaches most of Mansfield
    young = on(gaps_db, layer, "ward", "weekday_evening", "all", "young", 45,
               with_geometry=False)
    mansfield = [f["properties"] for f in young["features"]
                 if f["properties"]["lad_code"] == MANSFIELD]
    assert mansfield and sum(p["access_class"] == 0 for p in mansfield) > len(mansfield) / 2


def _classes(coll: dict[str, Any]) -> dict[str, str | None]:
    return {f["properties"]["code"]: f["properties"]["gap_class"] for f in coll["features"]}


@pytest.mark.parametrize("breaks", ["fixed", "terciles"])
def test_what_if_moves_only_areas_whose_access_changes(gaps_db: str, breaks: str) -> None:
    req = WhatIfRequest(lat=LADYBROOK[0], lon=LADYBROOK[1], days=["thu"], start="18:00",
                        end="20:00", category="social-connection",
                        audiences=["young-people-16-25"], view_audience="young", breaks=breaks)
    res = on(gaps_db, what_if, req)
    for level in ("lsoa", "ward"):
        base = _classes(on(gaps_db, layer, level, "weekday_evening", "all", "young", 45,
                           with_geometry=False, breaks=breaks))
        listed = {c["code"]: c for c in res["changes"][level]}
        assert listed, level
        for code, cls in base.items():
            if code in listed:
                assert listed[code]["before"]["gap_class"] == cls
            # every area not listed has no access change, so keeps its class by construction
        for c in listed.values():
            moved = any(abs(c["delta"][m]) > 1e-9 for m in
                        ("activities_share", "activities_mean", "sessions_mean"))
            assert moved, c
        assert any(c["class_changed"] for c in listed.values()) or level == "ward"
    assert res["summary"]["lad_changed"] == len(res["changes"]["lad"]) >= 1


def test_closing_and_moving_listings(gaps_db: str) -> None:
    acts = on(gaps_db, band_listings, "weekday_evening")
    biggest = max(acts, key=lambda a: a["sessions_per_week"])["id"]
    closed = on(gaps_db, what_if, WhatIfRequest(band="weekday_evening", close=[biggest]))
    assert closed["scenario"]["closed"][0]["id"] == biggest
    for level in ("lsoa", "ward", "lad"):
        for c in closed["changes"][level]:
            assert c["delta"]["activities_share"] <= 1e-9  # closing never adds reach
    moved = on(gaps_db, what_if, WhatIfRequest(
        band="weekday_evening", change=Change(activity_id=biggest, start="17:00", end="18:00")))
    assert moved["scenario"]["changed"]["start"] == "17:00"
    day_only = next(a["id"] for a in on(gaps_db, band_listings, "weekday_day")
                    if a["id"] not in {b["id"] for b in acts})
    with pytest.raises(NotFound, match="no session in the weekday_evening band"):
        on(gaps_db, what_if, WhatIfRequest(band="weekday_evening", change=Change(
            activity_id=day_only, start="18:00", end="19:00")))
    with pytest.raises(InvalidInput, match="leave the weekday_evening band"):
        on(gaps_db, what_if, WhatIfRequest(band="weekday_evening", change=Change(
            activity_id=biggest, start="10:00", end="11:00", days=["mon"])))


def test_a_later_bus_home_gives_evening_round_trips(gaps_db: str) -> None:
    """Rural routes stop about 18:30-19:00; an extra 21:00 trip each way adds evening reach."""
    trips = [ExtraTrip(route="D14", depart="21:00", direction=0),
             ExtraTrip(route="D14", depart="21:00", direction=1)]
    res = on(gaps_db, what_if, WhatIfRequest(band="weekday_evening", bus=trips))
    assert [b["route"] for b in res["scenario"]["bus"]] == ["D14", "D14"]
    assert res["changes"]["lsoa"]
    for c in res["changes"]["lsoa"]:
        assert c["delta"]["activities_share"] >= -1e-9  # more buses never remove a trip
    assert any(c["delta"]["activities_share"] > 0 for c in res["changes"]["lsoa"])
    with pytest.raises(NotFound):
        on(gaps_db, what_if, WhatIfRequest(band="weekday_evening",
                                           bus=[ExtraTrip(route="NO-SUCH", depart="21:00")]))


def test_what_if_outside_the_loaded_region_is_refused(gaps_db: str) -> None:
    req = WhatIfRequest(lat=51.5, lon=-0.12, days=["thu"], start="18:00", end="20:00")
    with pytest.raises(OutOfCoverage):
        on(gaps_db, what_if, req)


def test_optimiser_puts_newark_library_above_arbitrary_newark_postcodes(gaps_db: str) -> None:
    postcodes = [r[0] for r in q(gaps_db, """
        SELECT pcds FROM postcode WHERE pcd LIKE 'NG24%' AND lad_code = :lad
        ORDER BY md5(pcd) LIMIT 4""", lad=NEWARK_SHERWOOD)]
    res = on(gaps_db, optimise, OptimiseRequest(
        band="weekday_evening", category="social-connection", audience="young-people-16-25",
        postcodes=postcodes, k=5))
    libs = [t for t in res["top"] if t["name"] == "Newark Library"]
    assert libs, res["top"]
    assert res["typed"] and all(libs[0]["rank"] < t["rank"] for t in res["typed"])
    gains = [t["marginal_gain"] for t in res["top"]]
    assert gains == sorted(gains, reverse=True) and gains[0] > 0
    assert res["candidates"] >= 100  # every loaded venue, libraries and community buildings
    check = res["exact_check"]  # greedy against the exact MCLP on the best placements
    assert (1 - 1 / np.e) - 1e-9 <= check["greedy_share_of_optimal"] <= 1 + 1e-9
    assert check["greedy"] <= check["optimal"] + 0.1


def test_adding_an_activity_never_lowers_access(gaps_db: str, gaps_cache: Any) -> None:
    req = WhatIfRequest(lat=LADYBROOK[0], lon=LADYBROOK[1], days=["thu"], start="18:00",
                        end="20:00", category="social-connection",
                        audiences=["young-people-16-25"], view_audience="young")
    eng = create_engine(gaps_db)
    try:
        with eng.connect() as conn:
            res = what_if(conn, req)
            before = layer(conn, "ward", "weekday_evening", "all", "young", 45,
                           with_geometry=False)
            after_saved = q(gaps_db, "SELECT count(*) FROM gap_result")[0][0]
    finally:
        eng.dispose()
    assert res["band"] == "weekday_evening" and res["saved"] is False
    assert res["summary"]["residents_within_round_trip"] > 0
    changed = res["changes"]["ward"]
    assert changed, "a youth group in Mansfield must change some ward"
    for level in ("lsoa", "ward", "lad"):
        for c in res["changes"][level]:
            for m in ("activities_mean", "activities_share", "sessions_mean"):
                assert c["delta"][m] >= -1e-9, (level, c["code"], m)
    # the before values are the stored ones (same computation), and nothing was written
    stored = {f["properties"]["code"]: f["properties"] for f in before["features"]}
    for c in changed:
        assert c["before"]["activities_share"] == pytest.approx(
            stored[c["code"]]["activities_share"], abs=1e-4)
    assert after_saved == q(gaps_db, "SELECT count(*) FROM gap_result")[0][0]


def test_venue_searches_match_the_engines_round_trips(gaps_db: str) -> None:
    """Cross-check: venue-side searches equal the finder's per-origin profiles."""
    eng = create_engine(gaps_db)
    try:
        with eng.connect() as conn:
            ctx = build_context(conn, GapParams(reference=dt.date(2026, 11, 22)))
            slots = [s for s in ctx.listings.slots if s.weekday == 2][:25]  # Wednesdays
            pick = np.linspace(0, len(ctx.origins) - 1, 12).astype(int)
            sub = type(ctx.origins)(ctx.origins.area_codes[pick], ctx.origins.postcodes[pick],
                                    ctx.origins.lat[pick], ctx.origins.lon[pick],
                                    ctx.origins.weight[pick])
            ctx.origins = sub
            out, back = slot_round_trips(conn, ctx, slots)
            router = get_router(conn, ctx.week[2])
            sessions = [Session(s.lat, s.lon, ctx.week[2], s.start_s, s.end_s) for s in slots]
            params = RoundTripParams(query=QueryParams(max_buses=ctx.params.max_buses),
                                     max_journey_s=None, lookback_s=6 * 3600)
            compared = 0
            for i in range(len(pick)):
                trips = plan_round_trips(router, float(sub.lat[i]), float(sub.lon[i]), sessions,
                                         params)
                for k, rt in enumerate(trips):
                    if rt.leave_home_s is not None and out[i, k] < 300:
                        assert out[i, k] == pytest.approx((slots[k].start_s - rt.leave_home_s)
                                                          / 60, abs=1 / 60)
                        compared += 1
                    if rt.arrive_home_s is not None and back[i, k] < 300:
                        assert back[i, k] == pytest.approx((rt.arrive_home_s - slots[k].end_s)
                                                           / 60, abs=1 / 60)
                        compared += 1
                    if rt.feasible and rt.arrive_home_s is not None:
                        # same answer, except that the gap analysis also wants home by midnight
                        home_same_day = rt.arrive_home_s <= 86_400
                        assert (np.isfinite(out[i, k]) and np.isfinite(back[i, k])) \
                            == home_same_day
    finally:
        eng.dispose()
    assert compared > 100


def test_rerun_skips_unchanged_bands_and_a_listing_change_marks_one_band_stale(
        gaps_db: str) -> None:
    from ingest.cli import main

    runs = q(gaps_db, "SELECT count(*) FROM gap_run")[0][0]
    assert main(["gaps", "--date", "2026-11-22", "--quiet"]) == 0
    assert q(gaps_db, "SELECT count(*) FROM gap_run")[0][0] == runs  # nothing recomputed
    sid, old_open, old_close = q(gaps_db, """
        SELECT sc.id, sc.opens_at, sc.closes_at FROM schedule sc JOIN service s
          ON s.id = sc.service_id
        WHERE s.status = 'active' AND sc.opens_at >= '18:00' AND sc.freq = 'WEEKLY'
        ORDER BY sc.id LIMIT 1""")[0]
    eng = create_engine(gaps_db)
    try:
        with eng.begin() as conn:
            conn.execute(text("UPDATE schedule SET opens_at = '19:00', closes_at = '21:00' "
                              "WHERE id = :i"), {"i": sid})
            conn.execute(text("UPDATE service SET last_modified = now(), version = version + 1 "
                              "WHERE id = (SELECT service_id FROM schedule WHERE id = :i)"),
                         {"i": sid})
        with eng.connect() as conn:
            from app.services.gaps.query import runs_state
            stale = staleness(conn, runs_state(conn))
        assert stale == {"weekday_day": False, "weekday_evening": True, "weekend": False}
        assert main(["gaps", "--date", "2026-11-22", "--quiet"]) == 0
        latest = q(gaps_db, "SELECT bands FROM gap_run ORDER BY id DESC LIMIT 1")[0][0]
        assert latest == ["weekday_evening"]
    finally:
        with eng.begin() as conn:
            conn.execute(text("UPDATE schedule SET opens_at = :o, closes_at = :c WHERE id = :i"),
                         {"o": old_open, "c": old_close, "i": sid})
        eng.dispose()
        assert main(["gaps", "--date", "2026-11-22", "--quiet"]) == 0


def test_same_sessions_in_the_evening_reach_fewer_rural_residents(gaps_db: str) -> None:
    """Where the timetable thins out (rural routes end about 18:30), evening is worse."""
    from dataclasses import replace

    eng = create_engine(gaps_db)
    try:
        with eng.connect() as conn:
            ctx = build_context(conn, GapParams(reference=dt.date(2026, 11, 22)))
            rural = {c for c, ru in zip(ctx.areas.codes, ctx.areas.rural_urban, strict=True)
                     if ru and "rural" in ru.lower()}
            keep = np.array([c in rural for c in ctx.origins.area_codes.tolist()])
            o = ctx.origins
            ctx.origins = type(o)(o.area_codes[keep], o.postcodes[keep], o.lat[keep],
                                  o.lon[keep], o.weight[keep])
            day = [s for s in ctx.listings.slots if s.band == "weekday_day"]
            evening = [replace(s, start_s=19 * 3600, end_s=19 * 3600 + s.end_s - s.start_s,
                               band="weekday_evening") for s in day]
            out_d, back_d = slot_round_trips(conn, ctx, day)
            out_e, back_e = slot_round_trips(conn, ctx, evening)
    finally:
        eng.dispose()
    ok_day = (np.maximum(out_d, back_d) <= 45).sum()
    ok_eve = (np.maximum(out_e, back_e) <= 45).sum()
    assert keep.sum() > 500 and ok_day > 0
    assert ok_eve < ok_day


def test_sessions_per_week_follow_the_schedules(gaps_db: str) -> None:
    eng = create_engine(gaps_db)
    try:
        with eng.connect() as conn:
            ctx = build_context(conn, GapParams(reference=dt.date(2026, 11, 22)))
            freq = dict(conn.execute(text(
                "SELECT s.id, max(sc.freq || ':' || sc.interval) FROM service s"
                " JOIN schedule sc ON sc.service_id = s.id GROUP BY s.id")).all())
    finally:
        eng.dispose()
    acts = ctx.listings.activities
    seen: dict[str, set[float]] = {}
    for s in ctx.listings.slots:
        seen.setdefault(freq[acts[s.activity].id], set()).add(round(s.per_week, 3))
    # one rule on every path: weekly 1, fortnightly 1/2, monthly 12/52
    assert seen["WEEKLY:1"] == {1.0}
    assert seen["WEEKLY:2"] == {0.5}
    assert seen["MONTHLY:1"] == {round(12 / 52, 3)}
    # bands: weekday daytime dominates, a few evening and weekend sessions (SOURCES.md)
    bands = [s.band for s in ctx.listings.slots]
    assert bands.count("weekday_day") > bands.count("weekday_evening") > 0
    assert bands.count("weekend") > 0
