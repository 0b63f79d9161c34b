"""Pure numeric code of the planner's gap analysis (no FastAPI, no SQLAlchemy).

Modules: `bands` (time bands and the representative week), `origins` (postcode sampling
rule), `decay` (distance-decay functions), `geo_walk` (direct walking times),
`roundtrip` (round-trip times from per-stop search results), `metrics` (activity times,
E2SFCA, area means), `results` (every metric by budget, category, audience and level),
`gap` (need x access classes and score) and `aggregate` (population-weighted roll-up).
The method is documented in docs/method.md.
"""
