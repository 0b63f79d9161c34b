"""Pure numeric code of the planner's gap analysis (no FastAPI, no SQLAlchemy).

Modules: `bands` (time bands and representative dates), `origins` (postcode sampling
rule), `decay` (distance-decay functions), `roundtrip` (round-trip times from
per-stop search results), `metrics` (per-origin and per-LSOA accessibility, E2SFCA),
`gap` (need x access classes and score) and `aggregate` (population-weighted roll-up).
The method is documented in docs/method.md.
"""
