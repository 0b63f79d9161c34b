"""The engine's one error base: bad query or walking parameters name the field to blame."""

from __future__ import annotations


class RoutingError(ValueError):
    """An engine input is out of range; `field` names it (callers map it to their errors)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")
