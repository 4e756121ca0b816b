"""Bearer tokens, and nothing else, authenticate /api requests.

The API never reads or writes the session cookie: a cookie-authenticated API that is exempt from CSRF would be a
CSRF hole (see ../shared/PITFALLS.md). Each blueprint runs `authenticate` before its views, and the views read
the caller with `actor()`.
"""
from __future__ import annotations

from flask import g, request

from ..models import User
from ..services.trust import accounts
from .errors import Unauthenticated

SCHEME = "bearer "


def authenticate() -> None:
    """Resolve `Authorization: Bearer <token>` to an enabled user, or refuse with 401."""
    header = request.headers.get("Authorization", "")
    secret = header[len(SCHEME):].strip() if header[:len(SCHEME)].lower() == SCHEME else ""
    user = accounts.user_for_token(secret) if secret and len(secret) <= 200 else None
    if user is None:
        raise Unauthenticated("缺少或无效的访问令牌(令牌可能已吊销,或账号已停用)",
                              "Missing or invalid bearer token (it may be revoked, or the account disabled)")
    g.api_actor = user


def actor() -> User:
    user: User = g.api_actor
    return user
