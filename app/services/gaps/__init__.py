"""The planner's gap analysis: inputs from PostGIS, venue searches, batch runs, queries."""
