"""Timetable service: GTFS feeds from PostGIS compiled into the engine's router, cached."""
