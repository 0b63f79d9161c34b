"""Money in words: pence as a client reads them (£3, £3.50, 80p)."""

from __future__ import annotations

__all__ = ["format_pence"]


def format_pence(pence: int) -> str:
    """£3 for whole pounds, £3.50 otherwise, 80p under a pound, £0 for nothing."""
    if pence < 0:
        return "-" + format_pence(-pence)
    if pence == 0:
        return "£0"
    if pence < 100:
        return f"{pence}p"
    pounds, rest = divmod(pence, 100)
    return f"£{pounds:,}" if rest == 0 else f"£{pounds:,}.{rest:02d}"
