"""The 通报 through the API: who may do what with a draft and an issued one, bad input refused with nothing
changed, a stale version is 409, and the documents download with Chinese names."""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from docx import Document
from tests.api.api_helpers import USERS, ApiClient, assert_error

from tracker.extensions import db
from tracker.models import Bulletin, Event, Role

ROLES = ("office", "leader", "sfj_admin", "sfj_member", "gaj_admin")


Call = Callable[[ApiClient, dict[str, Bulletin]], Any]
MATRIX: dict[str, tuple[Call, tuple[int, ...]]] = {
    "list": (lambda c, b: c.get("/bulletins"), (200, 200, 200, 200, 200)),
    "get a draft": (lambda c, b: c.get(f"/bulletins/{b['draft'].id}"), (200, 404, 404, 404, 404)),
    "get an issued one": (lambda c, b: c.get(f"/bulletins/{b['issued'].id}"), (200, 200, 200, 200, 200)),
    "edit a draft's text": (lambda c, b: c.patch(f"/bulletins/{b['draft'].id}", json={
        "lead_text": "导语", "version": b["draft"].version}), (200, 404, 404, 404, 404)),
    "edit an issued one's text": (lambda c, b: c.patch(f"/bulletins/{b['issued'].id}", json={
        "lead_text": "导语", "version": b["issued"].version}), (422, 403, 403, 403, 403)),
    "issue a draft": (lambda c, b: c.post(f"/bulletins/{b['draft'].id}/issue", json={
        "version": b["draft"].version}), (200, 404, 404, 404, 404)),
    "download a draft": (lambda c, b: c.get(f"/bulletins/{b['draft'].id}/document.docx"),
                         (200, 404, 404, 404, 404)),
    "download an issued one": (lambda c, b: c.get(f"/bulletins/{b['issued'].id}/document.docx"),
                               (200, 200, 200, 200, 200)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_the_office_does_all_and_others_read_issued_bulletins_only(route, role, two, api_as, make_user):
    call, expected = MATRIX[route]
    response = call(api_as(make_user(*USERS[role])), two)
    status = expected[ROLES.index(role)]
    if status >= 400:
        assert_error(response, status)
    else:
        assert response.status_code == status, response.get_data(as_text=True)


def test_without_a_token_every_bulletin_route_is_401(two, api_as):
    client = api_as(None)
    for call, _expected in MATRIX.values():
        assert_error(call(client, two), 401, "unauthorized")


def test_a_unit_lists_only_issued_bulletins_and_the_office_drafts_too(two, api_as, make_user, office):
    listed = api_as(make_user(Role.UNIT_MEMBER, "sfj")).get("/bulletins").get_json()
    assert [(b["period"], b["status"], b["title"]) for b in listed] == [("2023-02", "issued", "2023年2月督办工作通报")]
    assert {b["status"] for b in api_as(office).get("/bulletins?status=draft").get_json()} == {"draft"}


def test_a_draft_answers_current_figures_and_the_download_has_a_chinese_name(two, api_as, office):
    client = api_as(office)
    body = client.get(f"/bulletins/{two['draft'].id}").get_json()
    assert body["status"] == "draft" and body["number"] is None and body["data"]["period"] == "2023-03"
    assert body["data"]["totals"]["due"] == 61  # the shipped plan's items due in March 2023
    response = client.get(f"/bulletins/{two['issued'].id}/document.docx")
    name = "督办通报〔2023〕1号_2023年2月督办工作通报.docx"
    assert f"filename*=UTF-8''{quote(name, safe='')}" in response.headers["Content-Disposition"]
    assert "2023年2月督办工作通报" in "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)


def snapshot(bulletin: Bulletin) -> tuple[Any, ...]:
    db.session.expire_all()
    found = db.session.get(Bulletin, bulletin.id)
    events = db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.entity_type == "bulletin"))
    return found.status, found.lead_text, found.closing_text, found.version, found.number, events


@pytest.mark.parametrize("body, status", [
    ({"lead_text": "导语"}, 422),  # no version
    ({"version": 1}, 422),  # no text
    ({"lead_text": "导\x00语", "version": 1}, 422),  # a control character
    ({"lead_text": "长" * 10_001, "version": 1}, 422),  # too long
    ({"lead_text": "导语", "version": "1"}, 422),  # a version that is not an integer
    ({"lead_text": "导语", "version": 1, "status": "issued"}, 422),  # an unknown field
    ({"lead_text": "导语", "version": 99}, 409),  # stale
])
def test_bad_text_edits_are_refused_and_change_nothing(two, api_as, office, body, status):
    client = api_as(office)
    before = snapshot(two["draft"])
    assert_error(client.patch(f"/bulletins/{two['draft'].id}", json=body), status)
    assert snapshot(two["draft"]) == before


@pytest.mark.parametrize("body, status", [({}, 422), ({"version": 99}, 409), ({"version": 1, "notify_leaders": "x"},
                                                                               422)])
def test_bad_issue_requests_are_refused_and_change_nothing(two, api_as, office, body, status):
    client = api_as(office)
    before = snapshot(two["draft"])
    assert_error(client.post(f"/bulletins/{two['draft'].id}/issue", json=body), status)
    assert snapshot(two["draft"]) == before


def test_an_unknown_bulletin_or_filter_is_refused(api_as, office):
    client = api_as(office)
    assert_error(client.get("/bulletins/999999"), 404, "bulletin_not_found")
    assert_error(client.get("/bulletins?kind=week"), 422)
    assert_error(client.get("/bulletins/1/document.txt"), 404)
