"""An office account with an API token, committed, for tests on an app of their own (committed_app)."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from flask import Flask

from tracker.extensions import db
from tracker.models import Role, Unit
from tracker.services.trust import accounts

PASSWORD = "Correct-Horse-9"


def _office_with_token(app: Flask) -> str:
    with app.app_context():
        office = db.session.execute(sa.select(Unit).where(Unit.key == "office")).scalar_one()
        now = datetime.now(timezone.utc)
        user = accounts.create_user(username="reader", display_name="reader", role=Role.OFFICE_ADMIN, unit=office,
                                    password=PASSWORD, hasher=app.extensions["password_hasher"], actor=None, now=now)
        user.must_change_password = False
        _token, secret = accounts.create_token(user, name="reader", actor=user, now=now)
        db.session.commit()
        db.session.remove()
        return secret
