"""Least privilege, walked: every URL rule of the app, as each role and as a stranger.

Every endpoint must be declared in ACCESS with the roles that may use it; a route added without a declaration
fails here, and so does a route that answers a role it should refuse.
"""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tracker.extensions import db
from tracker.models import AccountabilityRecord, Attachment, Digest, ItemStatus, Role
from tracker.services import extensions, progress

from .conftest import NOW

EVERYONE = "everyone"
LOGGED_IN = frozenset(Role)
OFFICE = frozenset({Role.OFFICE_ADMIN})
CHANGERS = frozenset({Role.OFFICE_ADMIN, Role.UNIT_ADMIN, Role.UNIT_MEMBER})
UNITS = frozenset({Role.UNIT_ADMIN, Role.UNIT_MEMBER})

# endpoint -> who may use it (EVERYONE includes strangers)
ACCESS: dict[str, Any] = {
    "static": EVERYONE,
    "auth.login": EVERYONE,
    "auth.logout": LOGGED_IN,
    "auth.change_password": LOGGED_IN,
    "home.index": LOGGED_IN,
    "admin.users": OFFICE,
    "admin.set_enabled": OFFICE,
    "admin.reset_password": OFFICE,
    "vendor.static": EVERYONE,
    "language.switch": EVERYONE,
    "boards.show": LOGGED_IN,
    "dashboard.show": LOGGED_IN,
    "ledger.show": LOGGED_IN,
    "digest_pages.index": LOGGED_IN,
    "digest_pages.show": LOGGED_IN,
    "digest_pages.sent": LOGGED_IN,
    "ledger.export": LOGGED_IN,
    "ledger.answer": UNITS,
    "ledger.close": OFFICE,
    "ledger.escalate": OFFICE,
    "boards.column": LOGGED_IN,
    "cards.detail": LOGGED_IN,
    "cards.download": LOGGED_IN,
    "cards.move": CHANGERS,
    "cards.move_form": CHANGERS,
    "cards.add_update": CHANGERS,
    "cards.add_comment": CHANGERS,
    "cards.request_extension": UNITS,
    "office.workspace_page": OFFICE,
    "office.assign": OFFICE,
    "office.review": OFFICE,
    "office.decide_extension": OFFICE,
    "office.set_parameters": OFFICE,
}
ACTORS = {Role.OFFICE_ADMIN: "office", Role.LEADER: "city", Role.UNIT_ADMIN: "sfj", Role.UNIT_MEMBER: "sfj"}
PASSWORD = "Correct-Horse-9"


def web_rules(app) -> list[Any]:
    return [r for r in app.url_map.iter_rules() if not r.rule.startswith("/api/")]


def url_for_rule(rule: Any, values: dict[str, Any]) -> str:
    """Values by argument name; "endpoint:name" overrides one endpoint's (htmx's folder has no app.css)."""
    args = {name: values.get(f"{rule.endpoint}:{name}", values.get(name)) for name in rule.arguments}
    return rule.build(args, append_unknown=False)[1]


@pytest.fixture
def sample_values(app, make_user, make_item) -> dict[str, Any]:
    victim = make_user(Role.UNIT_MEMBER, "jiaqu", username="victim")
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    clerk = make_user(Role.UNIT_ADMIN, "sfj", username="walk_clerk")
    folder = Path(app.config["TRACKER_UPLOAD_DIR"])
    update = progress.add_update(item, actor=clerk, text="进展", percent=None, now=NOW, files=[
        progress.Upload("a.pdf", io.BytesIO(b"%PDF-1.4"))], storage=progress.Storage(folder, 1024 * 1024))
    attachment = db.session.query(Attachment).filter_by(update_id=update.id).one()
    extension = extensions.request_extension(item, actor=clerk, due=date(2024, 6, 30), reason="调研", now=NOW)
    record = AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                  due_date=item.due_date, reason="逾期 16 天", issued_at=NOW)
    digest = Digest(period_key="2023-W14", recipient_key="sfj", unit_id=item.unit_id, created_at=NOW, subject="周报",
                    data={}, html="<p>周报</p>", text="周报")
    db.session.add_all([record, digest])
    db.session.flush()
    return {"record_id": record.id, "digest_id": digest.id, "kind": "xlsx",
            "user_id": victim.id, "change": "disable", "filename": "app.css", "vendor.static:filename": "htmx.min.js",
            "item_id": item.id, "attachment_id": attachment.id, "request_id": extension.id}


def test_every_route_is_declared(app):
    undeclared = sorted({r.endpoint for r in web_rules(app)} - set(ACCESS))
    assert undeclared == [], f"declare who may use these endpoints in ACCESS: {undeclared}"


@pytest.mark.parametrize("role", [None, *Role])
def test_every_route_answers_only_the_roles_it_should(app, client, make_user, sample_values, role):
    if role is not None:
        actor = make_user(role, ACTORS[role], username=f"walker_{role.value}", password=PASSWORD)
        actor.must_change_password = False
        assert client.post("/login", data={"username": actor.username, "password": PASSWORD}).status_code == 302
    for rule in web_rules(app):
        allowed = ACCESS[rule.endpoint]
        may = allowed == EVERYONE or (role is not None and role in allowed)
        url = url_for_rule(rule, sample_values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if rule.endpoint == "auth.logout" and may:
                continue  # logging out would end the walk; test_auth covers it
            response = client.open(url, method=method)
            response.close()
            refused = response.status_code in (401, 403, 404) or (
                response.status_code == 302 and response.headers["Location"].startswith("/login"))
            if not may:
                assert refused, f"{method} {url} answered {response.status_code} to {role}"
            else:
                assert response.status_code < 500 and not refused or rule.endpoint == "auth.login", \
                    f"{method} {url} refused {role}: {response.status_code}"
