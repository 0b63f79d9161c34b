"""Names of the Indices of Deprivation measures, shared by the loaders and the API."""

from __future__ import annotations

# The IMD, its 7 domains and their 6 sub-domains, in publication order.
IMD = "imd"
DOMAINS: tuple[str, ...] = (
    "income", "employment", "education", "health", "crime", "barriers", "living_environment",
)
SUBDOMAINS: tuple[str, ...] = (
    "children_young_people", "adult_skills", "geographical_barriers", "wider_barriers",
    "indoors", "outdoors",
)
MEASURES: tuple[str, ...] = (IMD, *DOMAINS, *SUBDOMAINS)

# Census 2021 age bands as stored in `population.age_band`; "total" is all usual residents.
AGE_BANDS: tuple[str, ...] = ("0-15", "16-24", "25-34", "35-49", "50-64", "65+")
