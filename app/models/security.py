"""Sign-in throttling state, shared by every server worker through the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class LoginThrottle(Base):
    """Failed sign-ins of one account ('user:NAME') or client ('client:HASH') in a window."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set once the failures reach the limit; an admin can clear it (DELETE /api/admin/lockouts).
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
