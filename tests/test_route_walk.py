"""Least privilege, walked: every URL rule of the app, web and API, as each role and as a stranger.

Every endpoint must be declared in ACCESS with the roles that may use it; a route added without a declaration
fails here, and so does a route that answers a role it should refuse. Ids in the URLs name another unit's
objects (甲区's item, its evidence, its extension request; someone else's token), so a unit that gets data back
has been shown what it may not see.
"""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine

from tracker.extensions import db
from tracker.models import AccountabilityRecord, Digest, Indicator, ItemStatus, Notification, Role, Webhook
from tracker.services.assessment import bulletins, indicator_reports
from tracker.services.trust import accounts
from tracker.services.plan.workdays import WEEKDAYS_ONLY
from tracker.services.work import contests, deadline_extensions, instructions, progress

EVERYONE = "everyone"
LOGGED_IN = frozenset(Role)
OFFICE = frozenset({Role.OFFICE_ADMIN})
READERS = frozenset({Role.OFFICE_ADMIN, Role.LEADER})
NOBODY: frozenset[Role] = frozenset()
UNITS = frozenset({Role.UNIT_ADMIN, Role.UNIT_MEMBER})
CHANGERS = OFFICE | UNITS
LEADERS = frozenset({Role.LEADER})

# endpoint -> who may use it (EVERYONE includes strangers)
ACCESS: dict[str, Any] = {
    "static": EVERYONE,
    "auth.login": EVERYONE,
    "auth.logout": LOGGED_IN,
    "auth.change_password": LOGGED_IN,
    "home.index": LOGGED_IN,
    "todo.section": OFFICE,  # the walk asks for 待审核, the office's section; a unit or a leader has none: 404
    "admin.users": OFFICE | {Role.UNIT_ADMIN},  # a unit's admin lists its own members
    "admin.create": OFFICE | {Role.UNIT_ADMIN},
    "admin.edit": OFFICE,  # the walk's account is 甲区's admin: not 市司法局's admin's to see
    "admin.set_enabled": OFFICE,
    "admin.reset_password": OFFICE,
    "admin.reset_two_factor": OFFICE,
    "two_factor.code": NOBODY,  # open to all, but without a right password first it sends back to the login page
    "two_factor.enrol": LOGGED_IN,
    "reach.channels": LOGGED_IN,
    "reach.choose": LOGGED_IN,  # an empty choice is a choice: no channels
    "reach.robots": OFFICE,  # the unit in the URL is 甲区: not 市司法局's admin's to set
    "reach.configure": OFFICE,  # the walk's empty form is refused (422), never a change
    "reach.switch_off": OFFICE,
    "reach.read_link": EVERYONE,  # the walk's token is none the tracker made: a 400 page, nothing read
    "ledger.trail": READERS,
    "records.get_trail": READERS,
    "me.get_channels": LOGGED_IN,
    "me.set_channels": LOGGED_IN,
    "oidc.start": NOBODY,  # there only when TRACKER_SIGN_ON names oidc (tests/web/test_oidc.py walks it)
    "oidc.callback": NOBODY,
    # web pages; the objects in the URLs belong to another unit (jiaqu), so units get 404 on them
    "language.switch": EVERYONE,
    "boards.show": LOGGED_IN,
    "boards.column": LOGGED_IN,
    "dashboard.show": LOGGED_IN,
    "wall.show": READERS,
    "live.stream": LOGGED_IN,
    "live.card": LOGGED_IN,
    "ledger.show": LOGGED_IN,
    "ledger.export": LOGGED_IN,
    "ledger.export_items": LOGGED_IN,
    "ledger.answer": NOBODY,  # only the record's own unit answers
    "ledger.close": OFFICE,
    "ledger.escalate": OFFICE,
    "ledger.close_many": OFFICE,
    "ledger.notice": READERS,  # the sample record has no number: 422 for those who may see it
    "ledger.notices_of_day": OFFICE,
    "assessment.show": LOGGED_IN,  # a unit sees its own score only
    "assessment.export": LOGGED_IN,
    "assessment.freeze": OFFICE,
    "hooks.index": OFFICE,
    "hooks.register": OFFICE,
    "hooks.rotate_secret": OFFICE,
    "hooks.set_active": OFFICE,
    "inbox.index": LOGGED_IN,
    "inbox.open_one": NOBODY,  # the notification in the URL is another unit's
    "inbox.read_all": LOGGED_IN,
    "digest_pages.index": LOGGED_IN,
    "digest_pages.show": READERS,
    "digest_pages.sent": READERS,
    "cards.detail": READERS,
    "cards.download": READERS,
    "cards.preview": READERS,
    "cards.thumbnail": READERS,
    "cards.move": OFFICE,
    "cards.move_form": OFFICE,
    "cards.add_update": OFFICE,
    "cards.add_comment": OFFICE,
    "cards.request_extension": NOBODY,  # only the item's own unit asks
    "office.workspace_page": OFFICE,
    "office.assign": OFFICE,
    "review.decide": OFFICE,  # the sample item is no split child: its review is the office's
    "review.queue": CHANGERS,
    "office.set_parameters": OFFICE,
    "work.part_done": NOBODY,  # only a cooperating unit
    "work.set_responsible": OFFICE,  # and 甲区's own admin
    "work.split": NOBODY,  # only 甲区's admin
    "work.decide_extension": OFFICE,
    "work.contest": NOBODY,  # only an admin of a unit carrying the item
    "work.decide_contest": OFFICE,
    "work.cancel": OFFICE,
    "work.edit": OFFICE,
    "work.set_units": OFFICE,
    "work.instruct": LEADERS,
    "work.instructed": READERS,
    "work.propose": LEADERS,
    "work.create_ad_hoc": OFFICE,
    "work.assign_proposal": OFFICE,
    "work.file_proposal": OFFICE,
    "api-docs.openapi_json": EVERYONE,
    "me.me": LOGGED_IN,
    "me.list_tokens": LOGGED_IN,
    "me.create_token": LOGGED_IN,
    "me.revoke_token": NOBODY,  # the token in the URL is someone else's
    "plans.list_plans": LOGGED_IN,
    "plans.get_plan": LOGGED_IN,
    "plans.set_parameters": OFFICE,
    "units.list_units": LOGGED_IN,
    "units.get_unit": LOGGED_IN,
    "items.list_items": LOGGED_IN,
    "items.create_items": OFFICE,
    "items.get_item": READERS,
    "items.edit_item": OFFICE,
    "moves.move": OFFICE,
    "moves.review": OFFICE,
    "updates.list_updates": READERS,
    "comments.list_comments": READERS,
    "comments.add_comment": OFFICE,
    "comments.mentionable": READERS,
    "updates.add_update": OFFICE,
    "extensions.list_requests": READERS,
    "extensions.ask": NOBODY,  # only the item's own unit asks
    "extensions.decide": OFFICE,
    "contests.raise_contest": NOBODY,  # only an admin of a unit carrying the item
    "contests.of_item": READERS,
    "contests.listed": LOGGED_IN,  # a unit lists those it raised
    "contests.decide": OFFICE,
    "attachments.download": READERS,
    "events.item_events": READERS,
    "events.all_events": READERS,
    "board.get_board": LOGGED_IN,
    "overdue.get_overdue": LOGGED_IN,
    "records.list_records": LOGGED_IN,
    "records.get_record": READERS,
    "records.answer": NOBODY,  # only the record's own unit answers
    "records.close": OFFICE,
    "records.escalate": OFFICE,
    "records.close_many": OFFICE,
    "records.mark_read": READERS,  # the office and leaders may open it (reading changes nothing for them)
    "notices.notice": READERS,
    "notices.notices_of_day": OFFICE,
    "assessments.get_assessment": LOGGED_IN,  # a unit sees its own score only
    "assessments.export": LOGGED_IN,
    "assessments.freeze": OFFICE,
    "webhooks.list_hooks": OFFICE,
    "webhooks.register": OFFICE,
    "webhooks.rotate_secret": OFFICE,
    "webhooks.set_active": OFFICE,
    "webhooks.attempts": OFFICE,
    "notifications.get_todo": LOGGED_IN,
    "notifications.list_notifications": LOGGED_IN,
    "notifications.unread_count": LOGGED_IN,
    "notifications.mark_read": NOBODY,  # the notification in the URL is another unit's
    "notifications.mark_all_read": LOGGED_IN,
    "digests.list_digests": LOGGED_IN,
    "digests.get_digest": READERS,
    "assignments.create_ad_hoc": OFFICE,
    "assignments.set_units": OFFICE,
    "assignments.set_responsible": OFFICE,  # and the lead unit's admin: 甲区, not the walkers' 市司法局
    "assignments.part_done": NOBODY,  # only a cooperating unit
    "assignments.split": NOBODY,  # only the lead unit's admin
    "assignments.cancel": OFFICE,
    "instructions.list_instructions": READERS,
    "instructions.instruct": LEADERS,
    "instructions.propose": LEADERS,
    "instructions.pending_proposals": OFFICE,
    "instructions.assign_proposal": OFFICE,
    "instructions.file_proposal": OFFICE,
    "instructions.instructed": READERS,
    "intake.import_tasks": OFFICE,
    "intake.template": OFFICE,
    "intake.import_units": OFFICE,
    "work.intake_page": OFFICE,
    "work.intake_upload": OFFICE,
    "work.intake_template": OFFICE,
    # indicators: the figure in the URL is 甲区's; the indicator is reported by 市政府部门 such as 市司法局 too
    "indicator_pages.show": LOGGED_IN,
    "indicator_pages.history": LOGGED_IN,  # the walk names no unit and period: 422 for everyone signed in
    "indicator_pages.report": UNITS,
    "indicator_pages.decide": OFFICE,
    "indicators.list_indicators": LOGGED_IN,
    "indicators.get_indicator": LOGGED_IN,
    "indicators.list_outcomes": LOGGED_IN,
    "indicators.list_reports": LOGGED_IN,
    "indicators.create_report": UNITS,
    "indicators.get_report": READERS,
    "indicators.decide": OFFICE,
    # the 通报 in the URLs is a draft: only the office sees it (issued ones: tests/web/test_bulletin_pages.py)
    "bulletin_pages.index": LOGGED_IN,
    "bulletin_pages.show": OFFICE,
    "bulletin_pages.download": OFFICE,
    "bulletin_pages.edit_text": OFFICE,
    "bulletin_pages.issue": OFFICE,
    "bulletins.list_bulletins": LOGGED_IN,
    "bulletins.get_bulletin": OFFICE,
    "bulletins.edit_text": OFFICE,
    "bulletins.issue": OFFICE,
    "bulletins.document": OFFICE,
    "periodic.show": LOGGED_IN,
    "periodic.set_rhythm": OFFICE,
    "reporting.list_rhythms": LOGGED_IN,
    "reporting.set_rhythm": OFFICE,
    "reporting.list_missed": LOGGED_IN,
    # bulk decisions (issue 22): the office's alone, refused to anyone else before the body is read
    "bulk.approve": OFFICE,
    "bulk.return_": OFFICE,
    "bulk.grant": OFFICE,
    "bulk.refuse": OFFICE,
    "bulk.redate": OFFICE,
    "bulk.reassign": OFFICE,
    "bulk_pages.confirm": OFFICE,
    "bulk_pages.run": OFFICE,
}
ACTORS = {Role.OFFICE_ADMIN: "office", Role.LEADER: "city", Role.UNIT_ADMIN: "sfj", Role.UNIT_MEMBER: "sfj"}
PASSWORD = "Correct-Horse-9"


def web_rules(app) -> list[Any]:
    return [r for r in app.url_map.iter_rules() if not r.rule.startswith("/api/")]


def api_rules(app) -> list[Any]:
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/")]


def url_for_rule(rule: Any, values: dict[str, Any]) -> str:
    """Values by argument name; "endpoint:name" overrides one endpoint's (htmx's folder has no app.css)."""
    args = {name: values.get(f"{rule.endpoint}:{name}", values.get(name)) for name in rule.arguments}
    return rule.build(args, append_unknown=False)[1]


@pytest.fixture
def sample_values(app, make_user, make_item, plan, unit, now) -> dict[str, Any]:
    victim = make_user(Role.UNIT_ADMIN, "jiaqu", username="victim")
    item = make_item("jiaqu", status=ItemStatus.IN_PROGRESS, due=date(2023, 12, 31))
    storage = progress.Storage(Path(app.config["TRACKER_UPLOAD_DIR"]), app.config["TRACKER_UPLOAD_MAX_BYTES"])
    update = progress.add_update(item, actor=victim, text="进展", percent=50, now=now, storage=storage,
                                 files=[progress.Upload("证明.pdf", io.BytesIO(b"%PDF-1.4\n%%EOF\n"))])
    request = deadline_extensions.request_extension(item, actor=victim, due=date(2024, 3, 31), reason="需要更多时间", now=now)
    contest = contests.raise_contest(item, actor=victim, reason="职责不符", proposed_unit_id=None,
                                     calendar=WEEKDAYS_ONLY, now=now)
    token, _secret = accounts.create_token(victim, name="victim's", actor=victim, now=now)
    attachment_id = progress.updates_of(item)[0][1][0].id
    assert update.id
    record = AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                  due_date=item.due_date, reason="逾期 16 天", issued_at=now)
    digest = Digest(period_key="2023-W14", recipient_key="jiaqu", unit_id=item.unit_id, created_at=now,
                    subject="周报", data={}, html="<p>周报</p>", text="周报")
    db.session.add_all([record, digest])
    proposal = instructions.propose(actor=make_user(Role.LEADER, "city", username="proposer"), title="批示件",
                                    text="请办理", due_date=None, now=now)
    db.session.flush()
    notice = Notification(unit_id=item.unit_id, kind="item_returned", item_id=item.id, text="退回", created_at=now,
                          batch_key="walk")
    hook = Webhook(url="https://bridge.example/hook", unit_id=None, events=["item_returned"], secret="s" * 64,
                   active=True, created_at=now)
    db.session.add_all([notice, hook])
    draft = bulletins.prepare(plan, bulletins.parse_period("month", "2023-03"), now=now)
    db.session.flush()
    lectures = db.session.execute(sa.select(Indicator).where(Indicator.key == "lectures")).scalar_one()
    figure = indicator_reports.report(lectures, actor=victim, period="2023", value=Decimal(4), note="", files=[],
                               storage=storage, now=now)
    return {"indicator_id": lectures.id, "report_id": figure.id, "bulletin_id": draft.id, "extension": "docx",
            "hook_id": hook.id, "proposal_id": proposal.id, "record_id": record.id, "digest_id": digest.id,
            "notification_id": notice.id, "kind": "xlsx", "bulk_pages.run:action": "approve", "sheet": "units", "key": "to_review",
            "user_id": victim.id, "change": "disable", "filename": "app.css", "item_id": item.id,
            "attachment_id": attachment_id, "request_id": request.id, "contest_id": contest.id, "token_id": token.id,
            "plan_id": plan.id, "unit_id": unit("jiaqu").id, "token": "1.not-a-token"}


def test_every_route_is_declared(app):
    undeclared = sorted({r.endpoint for r in app.url_map.iter_rules()} - set(ACCESS))
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


@pytest.mark.parametrize("role", [None, *Role])
def test_every_api_route_answers_only_the_roles_it_should(app, make_user, sample_values, role, now):
    client = app.test_client()
    headers = {}
    if role is not None:
        actor = make_user(role, ACTORS[role], username=f"api_walker_{role.value}")
        _token, secret = accounts.create_token(actor, name="walk", actor=actor, now=now)
        headers = {"Authorization": f"Bearer {secret}"}
    db.session.commit()
    with time_machine.travel(now, tick=False):
        for rule in api_rules(app):
            allowed = ACCESS[rule.endpoint]
            may = allowed == EVERYONE or (role is not None and role in allowed)
            url = url_for_rule(rule, sample_values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(url, method=method, headers=headers, json={} if method != "GET" else None)
                response.close()
                assert response.status_code < 500, f"{method} {url}: {response.status_code} for {role}"
                if may:
                    assert response.status_code not in (401, 403, 404), \
                        f"{method} {url} refused {role}: {response.status_code}"
                else:
                    assert response.status_code >= 400, f"{method} {url} answered {role}: {response.status_code}"
                    if role is None:
                        assert response.status_code == 401, f"{method} {url} without a token"
