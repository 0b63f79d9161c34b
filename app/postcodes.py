"""UK postcode parsing: normalise user input to the stored form, or say what is wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.errors import InvalidInput

_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


@dataclass(frozen=True)
class ParsedPostcode:
    """A normalised postcode: `compact` has no space, `outward` is the district part."""

    compact: str
    outward: str
    inward: str | None

    @property
    def is_partial(self) -> bool:
        """True for an outward code alone, such as NG18."""
        return self.inward is None

    @property
    def display(self) -> str:
        """The familiar form with one space, e.g. NG18 1AA."""
        return self.outward if self.inward is None else f"{self.outward} {self.inward}"


def parse_postcode(raw: str, *, field: str = "postcode", allow_partial: bool = True
                   ) -> ParsedPostcode:
    """Parse `ng18 1aa`, `NG181AA`, ` NG18  1AA ` or (if allowed) `NG18`."""
    compact = re.sub(r"\s+", "", raw or "").upper()
    if not compact:
        raise InvalidInput("a postcode is required", field=field)
    if len(compact) > 7:
        raise InvalidInput("too long to be a UK postcode (e.g. NG18 1AA)", field=field)
    match = _FULL.match(compact)
    if match:
        return ParsedPostcode(compact, match.group(1), match.group(2))
    if allow_partial and _OUTWARD.match(compact):
        return ParsedPostcode(compact, compact, None)
    hint = "a full postcode such as NG18 1AA"
    if allow_partial:
        hint += " or an outward code such as NG18"
    raise InvalidInput(f"not a valid UK postcode; expected {hint}", field=field)
