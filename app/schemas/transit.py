"""Response models of /api/journeys, /api/timetables and /api/isochrone."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.schemas.base import Open


class JourneyAnswerOptions(Open):
    """`options` of JourneyAnswer."""

    max_buses: int | float | None = None
    walk_speed_kmh: float | None = None
    max_walk_m: int | float | None = None
    wheelchair: bool | None = None


class JourneyAnswerJourney(Open):
    """`journey` of JourneyAnswer."""

    leave_at: str | None = None
    arrive_at: str | None = None
    duration_minutes: int | None = None
    buses: int | float | None = None
    bus_routes: list[str] | None = None
    walk_metres: int | float | None = None
    legs: list[dict[str, Any]] | None = None
    steps: list[str] | None = None


class JourneyAnswerTimetable(Open):
    """`timetable` of JourneyAnswer."""

    feeds: list[dict[str, Any]] | None = None
    walking: str | None = None
    warning: str | None = None


class JourneyAnswer(Open):
    """The best walk + bus journey and alternatives with fewer buses."""

    from_: str | None = Field(None, alias="from")
    to: str | None = None
    date: str | None = None
    depart_at: str | None = None
    arrive_by: str | None = None
    options: JourneyAnswerOptions | None = None
    found: bool | None = None
    journey: JourneyAnswerJourney | None = None
    alternatives: list[Any] | None = None
    notes: list[Any] | None = None
    timetable: JourneyAnswerTimetable | None = None


class TimetableListFeedsItem(Open):
    """One of `feeds` in TimetableList."""

    name: str | None = None
    version: str | None = None
    synthetic: bool | None = None
    valid_from: str | None = None
    valid_to: str | None = None


class TimetableList(Open):
    """The loaded bus timetables and their validity."""

    valid_from: str | None
    valid_to: str | None
    feeds: list[TimetableListFeedsItem]


class IsochroneAnswerStopsItem(Open):
    """One of `stops` in IsochroneAnswer."""

    stop_id: str | None = None
    name: str | None = None
    lat: float | None = None
    lon: float | None = None
    arrive_at: str | None = None
    minutes: int | None = None
    by_bus: bool | None = None


class IsochroneAnswerPolygon(Open):
    """`polygon` of IsochroneAnswer."""

    type: str | None = None
    geometry: dict[str, Any] | None = None
    properties: dict[str, Any] | None = None


class IsochroneAnswerTimetable(Open):
    """`timetable` of IsochroneAnswer."""

    feeds: list[dict[str, Any]] | None = None
    walking: str | None = None
    warning: str | None = None


class IsochroneAnswer(Open):
    """Stops reached within the budget and the walkable area as GeoJSON."""

    from_: str | None = Field(None, alias="from")
    date: str | None = None
    depart_at: str | None = None
    minutes: int | None = None
    found: bool | None = None
    stops: list[IsochroneAnswerStopsItem] | None = None
    stop_count: int | None = None
    method: str | None = None
    polygon: IsochroneAnswerPolygon | None = None
    timetable: IsochroneAnswerTimetable | None = None


