"""The UK venue accessibility vocabulary: five features, their codes, labels and spellings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.directory import vocab


@dataclass(frozen=True)
class Feature:
    """One accessibility feature of a venue, stored as a boolean column of `location`."""

    code: str  # the term code in ORUK output and in `accessibility=` filters
    label: str  # the UK wording shown to people
    column: str  # the location column
    description: str
    spellings: tuple[str, ...]  # what feeds and spreadsheets write for it


FEATURES: tuple[Feature, ...] = (
    Feature("step-free", "Step-free", "step_free",
            "Step-free access from the street to the activity room (ramp or level, lift).",
            ("step-free", "step-free-access", "step free access", "wheelchair accessible",
             "wheelchair access", "level access")),
    Feature("hearing-loop", "Hearing loop", "hearing_loop",
            "An induction (hearing) loop is fitted where the activity runs.",
            ("hearing-loop", "hearing loop", "induction loop", "audio induction loop")),
    Feature("accessible-toilet", "Accessible toilet", "accessible_toilet",
            "An accessible (disabled) toilet is available.",
            ("accessible-toilet", "accessible toilet", "disabled toilet", "accessible toilets",
             "accessible wc")),
    Feature("dementia-friendly", "Dementia friendly", "dementia_friendly",
            "The venue or group is dementia friendly (signage, trained staff, quiet space).",
            ("dementia-friendly", "dementia friendly")),
    Feature("guide-dog-friendly", "Guide dog friendly", "guide_dog_friendly",
            "Guide and assistance dogs are welcome.",
            ("guide-dog-friendly", "guide dog friendly", "assistance dogs welcome",
             "guide dogs welcome")),
)
BY_CODE = {f.code: f for f in FEATURES}
COLUMNS = tuple(f.column for f in FEATURES)
TAXONOMY = vocab.Taxonomy(
    "accessibility", "Within Reach venue accessibility",
    "UK venue accessibility features (step-free, hearing loop, accessible toilet, dementia "
    "friendly, guide dog friendly).",
    tuple(vocab.Term(f.code, f.label, f.description) for f in FEATURES))
_NEGATIVE = re.compile(r"\b(no|not|without)\b")


def feature_of(raw: str) -> Feature | None:
    """The feature a term code or phrase names ('Hearing loop', 'step_free_access'), or None."""
    text = " ".join(raw.strip().lower().replace("_", " ").replace("-", " ").split())
    for f in FEATURES:
        if any(text == " ".join(s.replace("-", " ").split()) for s in f.spellings):
            return f
    return None


def features_in_text(raw: str) -> dict[str, bool]:
    """Columns named in a free-text accessibility note: True, or False after 'no'/'not'."""
    found: dict[str, bool] = {}
    for part in re.split(r"[;,.\n]", raw.lower()):
        flat = " ".join(part.replace("-", " ").replace("_", " ").split())
        for f in FEATURES:
            if any(" ".join(s.replace("-", " ").split()) in flat for s in f.spellings):
                found[f.column] = not _NEGATIVE.search(flat)
    return found


def parse_list(raw: Any) -> tuple[dict[str, bool], list[str]]:
    """A ';'- or ','-separated list (or JSON list) of features -> (columns set True, unknowns)."""
    items = raw if isinstance(raw, list) else re.split(r"[;,]", str(raw or ""))
    columns: dict[str, bool] = {}
    unknown: list[str] = []
    for item in items:
        if not str(item).strip():
            continue
        f = feature_of(str(item))
        if f is None:
            unknown.append(str(item).strip())
        else:
            columns[f.column] = True
    return columns, unknown


def present(loc: dict[str, Any]) -> list[str]:
    """Codes of the features a venue dict has (its boolean columns that are True)."""
    return [f.code for f in FEATURES if loc.get(f.column)]
