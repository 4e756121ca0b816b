"""Helpers for API tests: a client that sends a Bearer token, and the error-shape and nothing-changed checks."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tracker.extensions import db
from tracker.models import Event, Role, WorkItem

API = "/api/v1"
NOW = datetime(2023, 4, 3, 2, 0, tzinfo=timezone.utc)  # the same instant as tests/conftest.py's NOW


class ApiClient:
    """The test client with a token: `api.get("/items")` sends `Authorization: Bearer ...` for /api/v1/items."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client = client
        self.token = token

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return headers | (extra or {})

    def open(self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any) -> TestResponse:
        return self.client.open(API + path, method=method, headers=self.headers(headers), **kwargs)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("DELETE", path, **kwargs)


def assert_error(response: TestResponse, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape: status, code, message (and errors per field when there are any)."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == status
    assert isinstance(body["code"], str) and isinstance(body["message"], str) and body["message"]
    assert set(body) <= {"status", "code", "message", "errors"}
    if code is not None:
        assert body["code"] == code, body
    return body


def item_state(item_id: int) -> tuple[Any, ...]:
    """Everything a refused request must leave as it was: the row as stored and the number of events.

    Commits first, so the test's setup survives the rollback a refused request makes.
    """
    db.session.commit()
    db.session.expire_all()
    row = db.session.execute(sa.select(WorkItem.__table__).where(WorkItem.id == item_id)).one()
    events = db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar()
    return (*row, events)


# The accounts the 通报 tests act as: role and unit key.
USERS = {"office": (Role.OFFICE_ADMIN, "office"), "leader": (Role.LEADER, "city"),
         "sfj_admin": (Role.UNIT_ADMIN, "sfj"), "sfj_member": (Role.UNIT_MEMBER, "sfj"),
         "gaj_admin": (Role.UNIT_ADMIN, "gaj")}
