"""Who the city's identity platform vouched for, and which account that person is here."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .types import UTCDateTime

if TYPE_CHECKING:
    from .user import User


class SignOnLink(Model):
    """One person of one source (an OIDC provider's `sub`, an LDAP entry's id) tied to one account.

    Kept apart from `users` so an account can carry a link per source and a link outlives a renamed login; the
    first sign-on makes it, every later one finds the account by it alone, whatever the directory now says.
    """

    __tablename__ = "sign_on_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    source: Mapped[str] = mapped_column(sa.String(16))
    subject: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("source", "subject"), sa.UniqueConstraint("user_id", "source"))
