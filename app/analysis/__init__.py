"""Pure numeric code of the planner's gap analysis (no FastAPI, no SQLAlchemy).

Modules: `bands` (time bands and the representative week), `origins` (postcode origins
rule), `frequency` (the one sessions-per-week rule), `capacity` (default places per
activity type), `decay` (distance-decay functions), `metrics` (activity times,
E2SFCA, area means), `uncertainty` (reach intervals), `results` (every metric by budget,
category, audience and level), `classes` (need x access classes with fixed breaks),
`aggregate` (population-weighted roll-up) and `optimise` (where a new group should go).
The round-trip times themselves come from the engine's venue-side strategy
(`app.routing.roundtrip_venue`). The method is documented in docs/method.md.
"""
