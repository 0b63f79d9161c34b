"""What a regional GTFS load must keep, checked against the whole feed (shared by tests)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.routing.feed import Feed


def _times(st: pd.DataFrame) -> pd.DataFrame:
    out = st.assign(trip_id=st["trip_id"].astype(str), stop_id=st["stop_id"].astype(str))
    return out.sort_values(["trip_id", "stop_sequence"], kind="stable").reset_index(drop=True)


def check_regional_part(full: Feed, part: Feed, inside: np.ndarray) -> None:
    """Stops inside kept; trips calling there kept whole; nothing else; references whole."""
    inside_ids = set(full.stops["stop_id"][inside])
    st = _times(full.stop_times)
    calling = set(st["trip_id"][st["stop_id"].isin(inside_ids)])
    assert calling, "the region has no service: the check would prove nothing"
    assert set(part.trips["trip_id"]) == calling
    expected = st[st["trip_id"].isin(calling)].reset_index(drop=True)
    pd.testing.assert_frame_equal(_times(part.stop_times), expected, check_categorical=False)
    kept_stops = set(part.stops["stop_id"])
    assert inside_ids <= kept_stops
    assert set(expected["stop_id"]) <= kept_stops
    parents = set(part.stops["parent_station"].dropna())
    assert parents <= kept_stops
    assert kept_stops <= inside_ids | set(expected["stop_id"]) | parents
    assert set(part.routes["route_id"]) == set(part.trips["route_id"])
    services = set(part.calendar["service_id"]) | set(part.calendar_dates["service_id"])
    assert set(part.trips["service_id"]) <= services
    full_trips = full.trips.set_index("trip_id").loc[sorted(calling)]
    pd.testing.assert_frame_equal(part.trips.set_index("trip_id").loc[sorted(calling)],
                                  full_trips)
