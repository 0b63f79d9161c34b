"""The small, documented vocabularies of the directory (see docs/directory.md)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

# Stable namespace so taxonomy ids are identical on every install (ORUK consumers cache them).
_NS = uuid.UUID("4b1f0d9e-2f57-4c55-9a5e-0d3c6f5a8e21")


@dataclass(frozen=True)
class Term:
    """One term of a vocabulary: machine code, label and a one-line description."""

    code: str
    name: str
    description: str


CATEGORIES: tuple[Term, ...] = (
    Term("arts-culture", "Arts and culture", "Art, craft, music, singing, drama, heritage."),
    Term("physical-activity", "Physical activity", "Walking, exercise classes, sport, dance."),
    Term("nature-green", "Nature and green spaces", "Gardening, conservation, outdoor groups."),
    Term("social-connection", "Social connection",
         "Groups whose main aim is company, friendship and reducing loneliness."),
    Term("advice-support", "Advice and support", "Money, benefits, housing, digital help."),
    Term("mental-health", "Mental health", "Peer support, listening groups, wellbeing."),
    Term("learning", "Learning", "Courses, skills, interest groups."),
    Term("food", "Food", "Shared meals, lunch clubs, breakfast clubs and emergency food."),
    Term("health-condition-support", "Health condition support",
         "Groups for people living with a condition, and their families."),
    Term("volunteering", "Volunteering", "Ways to give time and help others."),
)

AUDIENCES: tuple[Term, ...] = (
    Term("adults", "Adults", "Open to adults of any age."),
    Term("young-people-16-25", "Young people 16-25", "Aimed at young people aged 16 to 25."),
    Term("older-adults", "Older people", "Mainly aimed at older people (65+)."),
    Term("retired-or-semi-retired", "Retired or semi-retired", "People who have stopped work."),
    Term("carers", "Carers", "Unpaid carers of family or friends."),
    Term("veterans", "Veterans", "People who served in the armed forces, and their families."),
    Term("parents-with-babies", "Parents", "Parents and carers with babies or young children."),
    Term("people-living-with-dementia", "People with dementia",
         "People living with dementia and those who care for them."),
    Term("people-with-long-term-conditions", "People with long-term conditions",
         "People living with a long-term health condition."),
    Term("people-affected-by-cancer", "People affected by cancer",
         "People living with cancer and those close to them."),
    Term("people-living-alone", "People living alone", "People who live on their own."),
    Term("people-on-low-income", "People on a low income", "People on a low income."),
    Term("people-in-financial-hardship", "People in financial hardship",
         "People struggling with money, debt or food costs."),
)

# Friendly spellings a CSV author or API caller may use, mapped to the stored code.
AUDIENCE_ALIASES: dict[str, str] = {
    "young-people": "young-people-16-25",
    "older-people": "older-adults",
    "older-people-65-plus": "older-adults",
    "parents": "parents-with-babies",
    "people-with-dementia": "people-living-with-dementia",
    "dementia": "people-living-with-dementia",
}

STATUSES = ("active", "paused", "ended")
DELIVERY_MODES = ("in-person", "online", "blended")

# ORUK 3.0 service.status <-> our status. Paused listings are "temporarily closed" in ORUK.
ORUK_TO_STATUS = {"active": "active", "temporarily closed": "paused",
                  "inactive": "ended", "defunct": "ended"}
STATUS_TO_ORUK = {"active": "active", "paused": "temporarily closed", "ended": "defunct"}

# Access-route terms (sample feed vocabulary) that drive our boolean fields.
REFERRAL_TERM = "accepts-social-prescribing-referrals"
DROP_IN_TERM = "drop-in"
BOOKING_TERM = "booking-required"

CATEGORY_CODES = frozenset(t.code for t in CATEGORIES)
AUDIENCE_CODES = frozenset(t.code for t in AUDIENCES)

# Names of the Nottinghamshire districts, used when the boundary table is not loaded.
DISTRICT_NAMES = {
    "E06000018": "Nottingham", "E07000170": "Ashfield", "E07000171": "Bassetlaw",
    "E07000172": "Broxtowe", "E07000173": "Gedling", "E07000174": "Mansfield",
    "E07000175": "Newark and Sherwood", "E07000176": "Rushcliffe",
}


def normalise_code(raw: str) -> str:
    """Lower-case, trim and hyphenate a vocabulary code typed by a person."""
    return "-".join(raw.strip().lower().replace("_", " ").split())


def audience_code(raw: str) -> str | None:
    """Map an audience spelling to its code, or None if it is not in the vocabulary."""
    code = normalise_code(raw)
    code = AUDIENCE_ALIASES.get(code, code)
    return code if code in AUDIENCE_CODES else None


@dataclass(frozen=True)
class Taxonomy:
    """A vocabulary exposed as an ORUK taxonomy."""

    key: str
    name: str
    description: str
    terms: tuple[Term, ...]

    @property
    def id(self) -> str:
        """Deterministic UUID of the taxonomy."""
        return str(uuid.uuid5(_NS, f"taxonomy:{self.key}"))

    def term_id(self, code: str) -> str:
        """Deterministic UUID of one of its terms."""
        return str(uuid.uuid5(_NS, f"term:{self.key}:{code}"))

    def term_uri(self, code: str) -> str:
        """A stable URI naming the term."""
        return f"https://withinreach.example.org/taxonomy/{self.key}/{code}"


TAXONOMIES: tuple[Taxonomy, ...] = (
    Taxonomy("category", "Within Reach activity category",
             "What kind of activity a listing is; a listing has one primary category.",
             CATEGORIES),
    Taxonomy("audience", "Within Reach audience",
             "Who a listing is mainly for (eligibility and audience).", AUDIENCES),
)
TAXONOMY_BY_KEY = {t.key: t for t in TAXONOMIES}
