"""Pure timetable routing engine: GTFS reading, timetable compile, walking and RAPTOR.

Nothing in this package imports FastAPI or SQLAlchemy; callers map `FeedError`
and `RoutingError` to their own error types.
"""
