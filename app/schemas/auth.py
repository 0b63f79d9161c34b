"""Response models of /api/auth: tokens, who am I, sign-out."""

from __future__ import annotations

from app.schemas.base import Open


class Me(Open):
    """The signed-in user."""

    username: str
    role: str




class Token(Open):
    """A bearer token that expires, and the role it carries."""

    access_token: str
    token_type: str
    expires_in: int
    expires_at: str
    role: str


class Revoked(Open):
    """What was revoked: `true` for this token, `"all"` for every token of the user."""

    revoked: bool | str
