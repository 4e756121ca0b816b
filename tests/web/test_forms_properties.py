"""Every web form and query string, posted arbitrary text, numbers and dates by the role allowed to use it: never
a server error, and a refusal changes nothing (the item, the records, the audit trail)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.extensions import db
from tracker.models import (AccountabilityRecord, Comment, Event, ExtensionRequest, ItemStatus, ProgressUpdate,
                            TaskParameter, WorkItem)

ANY_VALUE = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x7F), max_size=20),
    st.integers().map(str),
    st.dates(min_value=date(1, 1, 1)).map(str),
    st.sampled_from(["", " ", "²", "１２", "١٢", "0", "-1", "2147483648", "1e3", "0001-01-01", "9999-12-31",
                     "2024-02-30", "2024-W20", "approve", "return", "retrun", "grant", "refuse", "in_progress",
                     "submitted", "done", "form", "//evil.example", "/%09/evil.example", "\x00", "\x0b", "x" * 10_001,
                     "zh", "en", "group", "task", "unit", "red", "open"]),
)


def fields_of(*names: str) -> st.SearchStrategy[dict[str, Any]]:
    """Some of the form's own fields (and now and then one it does not have), each with any value."""
    return st.dictionaries(st.sampled_from([*names, "unknown"]), st.one_of(ANY_VALUE, st.lists(ANY_VALUE, max_size=3)),
                           max_size=len(names) + 1)


def fingerprint(item: WorkItem) -> tuple[Any, ...]:
    db.session.expire_all()
    row = db.session.get(WorkItem, item.id)
    counts = tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in
                   (Event, WorkItem, ProgressUpdate, Comment, ExtensionRequest, AccountabilityRecord))
    records = tuple(db.session.scalars(sa.select(AccountabilityRecord.status).order_by(AccountabilityRecord.id)))
    params = tuple(db.session.scalars(sa.select(TaskParameter.value).order_by(TaskParameter.id)))
    return (row.status, row.version, row.title, row.due_date, *counts, records, params)


@pytest.fixture
def world(make_item, people, now, plan) -> dict[str, Any]:
    """An item in progress with a 督办 record and a pending extension request, and one submitted for review."""
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS, title="性质测试事项")
    submitted = make_item("sfj", status=ItemStatus.SUBMITTED, title="待审核事项")
    record = AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                  due_date=item.due_date, reason="逾期", issued_at=now, answer_due=date(2099, 1, 1))
    extension = ExtensionRequest(item_id=submitted.id, requested_by_id=people["sfj_admin"].id, requested_at=now,
                                 current_due=submitted.due_date, requested_due=date(2025, 6, 30), reason="人手不足")
    db.session.add_all([record, extension])
    db.session.commit()
    param = db.session.scalars(sa.select(TaskParameter).order_by(TaskParameter.id)).first()
    return {"item": item, "submitted": submitted, "record": record, "extension": extension, "param": param}


FORMS: dict[str, tuple[str, str, Callable[[dict[str, Any]], str], tuple[str, ...]]] = {
    "move": ("POST", "sfj_admin", lambda w: f"/items/{w['item'].id}/move",
             ("to", "version", "before", "after", "note", "via", "next")),
    "progress": ("POST", "sfj_member", lambda w: f"/items/{w['item'].id}/updates", ("text", "percent")),
    "comment": ("POST", "sfj_member", lambda w: f"/items/{w['item'].id}/comments", ("text",)),
    "extension": ("POST", "sfj_admin", lambda w: f"/items/{w['item'].id}/extensions", ("due", "reason")),
    "assign": ("POST", "office", lambda w: "/office/assign",
               ("task_id", "phase_id", "unit_ids", "title", "description", "priority", "due_date")),
    "review": ("POST", "office", lambda w: f"/review/{w['submitted'].id}", ("decision", "version", "reason")),
    "decide": ("POST", "office", lambda w: f"/extensions/{w['extension'].id}/decide", ("decision", "note", "next")),
    "parameters": ("POST", "office", lambda w: "/office/parameters", ("plan_id", "param-")),
    "answer": ("POST", "sfj_admin", lambda w: f"/records/{w['record'].id}/answer",
               ("explanation", "remedy_date", "evidence_ids")),
    "close": ("POST", "office", lambda w: f"/records/{w['record'].id}/close", ("note", "next")),
    "escalate": ("POST", "office", lambda w: f"/records/{w['record'].id}/escalate", ("note", "next")),
    "language": ("POST", "sfj_member", lambda w: "/language", ("lang", "next")),
    "board": ("GET", "office", lambda w: "/board", ("phase", "group", "task", "unit", "light", "q", "lanes")),
    "column": ("GET", "sfj_member", lambda w: "/board/column",
               ("phase", "unit", "light", "q", "lanes", "status", "offset", "lane")),
    "ledger": ("GET", "office", lambda w: "/ledger", ("unit", "level", "status", "from", "to", "offset")),
    "ledger export": ("GET", "sfj_member", lambda w: "/ledger/export.csv", ("unit", "level", "status", "from", "to")),
    "digests": ("GET", "office", lambda w: "/digests", ("week", "offset")),
    "move dialog": ("GET", "sfj_admin", lambda w: f"/items/{w['item'].id}/move-form", ("to", "next")),
    "reporting rhythm": ("POST", "office", lambda w: "/reporting/rhythm", ("plan_id", "group_id", "frequency", "day")),
    "missed reports": ("GET", "sfj_member", lambda w: "/reporting/", ("unit_id", "start", "end", "limit", "offset")),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_any_input_to_any_form_is_answered_without_a_server_error_and_a_refusal_changes_nothing(
        sign_in, people, world, form):
    method, role, url_of, names = FORMS[form]
    client = sign_in(people[role])
    if form == "parameters":  # the parameter's field name carries its id
        names = ("plan_id", f"param-{world['param'].id}")

    @settings(max_examples=25, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(fields=fields_of(*names))
    def post(fields: dict[str, Any]) -> None:
        before = fingerprint(world["item"])
        if method == "GET":
            response = client.get(url_of(world), query_string=fields)
        else:
            response = client.post(url_of(world), data=fields)
        assert response.status_code < 500, (form, fields, response.get_data(as_text=True)[:500])
        if response.status_code >= 400:
            assert fingerprint(world["item"]) == before, (form, fields)

    post()
