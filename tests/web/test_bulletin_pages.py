"""The 通报 pages: the list, one to read, the office's text (409 when stale), issuing after a confirmation,
the downloads; units and leaders read issued ones only; bad input changes nothing."""
from __future__ import annotations

import io
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from docx import Document

from tests.assessment_helpers import draft_and_issued
from tracker.extensions import db
from tracker.models import Bulletin, BulletinStatus, Event

ROLES = ["office", "leader", "sfj_admin", "sfj_member"]


@pytest.fixture
def two(plan, office, now):
    return draft_and_issued(plan, office, now, issued=("quarter", "2023-Q1"))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_issued_bulletins_and_only_the_office_drafts(sign_in, people, two, role):
    client = sign_in(people[role])
    listing = client.get("/bulletins").get_data(as_text=True)
    assert "2023年第一季度督办工作通报" in listing
    assert ("2023年3月督办工作通报" in listing) == (role == "office")
    issued = client.get(f"/bulletins/{two['issued'].id}")
    partial = client.get(f"/bulletins/{two['issued'].id}", headers={"HX-Request": "true"})
    assert issued.status_code == partial.status_code == 200
    assert "<html" in issued.get_data(as_text=True) and "<html" not in partial.get_data(as_text=True)
    page = issued.get_data(as_text=True)
    assert "督办通报〔2023〕1号" in page and "市司法局" in page and 'name="lead_text"' not in page
    assert client.get(f"/bulletins/{two['draft'].id}").status_code == (200 if role == "office" else 404)
    assert client.get(f"/bulletins/{two['draft'].id}.pdf").status_code == (200 if role == "office" else 404)


def test_the_office_edits_a_draft_and_issues_it_after_a_confirmation(sign_in, people, two):
    client = sign_in(people["office"])
    draft = two["draft"]
    page = client.get(f"/bulletins/{draft.id}").get_data(as_text=True)
    assert 'name="lead_text"' in page and "data-confirm=" in page
    response = client.post(f"/bulletins/{draft.id}/text", data={
        "lead_text": "三月份各单位总体推进有力。", "closing_text": "", "version": draft.version})
    assert response.status_code == 303
    assert (draft.lead_text, draft.closing_text) == ("三月份各单位总体推进有力。", "")
    stale = client.post(f"/bulletins/{draft.id}/text", data={"lead_text": "旧", "version": draft.version - 1})
    assert stale.status_code == 409 and draft.lead_text == "三月份各单位总体推进有力。"
    assert client.post(f"/bulletins/{draft.id}/issue", data={"version": draft.version,
                                                               "notify_leaders": "true"}).status_code == 303
    assert draft.status == BulletinStatus.ISSUED and draft.number.startswith("督办通报〔")  # in today's year
    assert draft.number != two["issued"].number
    shown = client.get(f"/bulletins/{draft.id}").get_data(as_text=True)
    assert "三月份各单位总体推进有力。" in shown and "data-confirm=" not in shown


def test_the_word_download_has_its_chinese_name_and_the_units(sign_in, people, two):
    response = sign_in(people["sfj_member"]).get(f"/bulletins/{two['issued'].id}.docx")
    name = "督办通报〔2023〕1号_2023年第一季度督办工作通报.docx"
    assert response.status_code == 200
    assert f"filename*=UTF-8''{quote(name, safe='')}" in response.headers["Content-Disposition"]
    cells = {c.text for t in Document(io.BytesIO(response.data)).tables for row in t.rows for c in row.cells}
    assert "市司法局" in cells


def state(bulletin: Bulletin) -> tuple:
    db.session.expire_all()
    found = db.session.get(Bulletin, bulletin.id)
    return (found.status, found.lead_text, found.closing_text, found.version,
            db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.entity_type == "bulletin")))


@pytest.mark.parametrize("url, data, status", [
    ("text", {"lead_text": "导语"}, 422),
    ("text", {"lead_text": "导\x01语", "version": "1"}, 422),
    ("text", {"lead_text": "导语", "version": "１"}, 422),  # a full-width digit
    ("text", {"lead_text": "导语", "version": "7"}, 409),
    ("issue", {}, 422),
    ("issue", {"version": "7"}, 409),
])
def test_bad_forms_are_refused_in_words_and_change_nothing(sign_in, people, two, url, data, status):
    client = sign_in(people["office"])
    before = state(two["draft"])
    response = client.post(f"/bulletins/{two['draft'].id}/{url}", data=data)
    assert response.status_code == status and "<html" in response.get_data(as_text=True)
    assert state(two["draft"]) == before


@pytest.mark.parametrize("role", ["leader", "sfj_admin"])
def test_no_one_but_the_office_changes_a_bulletin(sign_in, people, two, role):
    client = sign_in(people[role])
    before = state(two["draft"])
    assert client.post(f"/bulletins/{two['draft'].id}/text", data={"lead_text": "x", "version": "1"}
                       ).status_code == 403
    assert client.post(f"/bulletins/{two['draft'].id}/issue", data={"version": "1"}).status_code == 403
    assert state(two["draft"]) == before
