"""The digest archive: a unit reads its own unit's digests, the office and leaders all; each readable as sent."""
from __future__ import annotations

import pytest

from tracker.extensions import db
from tracker.models import Digest


@pytest.fixture
def digest_for(unit, now):
    def make(unit_key: str | None, subject: str, week: str = "2023-W14") -> Digest:
        found = Digest(period_key=week, recipient_key=unit_key or "office",
                       unit_id=unit(unit_key).id if unit_key else None, created_at=now, subject=subject,
                       data={}, html=f"<!doctype html><html><body><h1>{subject}</h1></body></html>", text=subject)
        db.session.add(found)
        db.session.flush()
        return found
    return make


def test_a_unit_lists_only_its_own_digests(sign_in, people, digest_for):
    digest_for("sfj", "司法局周报")
    digest_for("gaj", "公安局周报")
    digest_for(None, "全市汇总周报")
    html = sign_in(people["sfj_member"]).get("/digests").get_data(as_text=True)
    assert "司法局周报" in html and "公安局周报" not in html and "全市汇总周报" not in html


def test_the_office_lists_every_digest_and_filters_by_week(sign_in, people, digest_for):
    digest_for("sfj", "第十四周", week="2023-W14")
    digest_for(None, "第十五周", week="2023-W15")
    client = sign_in(people["office"])
    assert "第十四周" in client.get("/digests").get_data(as_text=True)
    html = client.get("/digests?week=2023-W15").get_data(as_text=True)
    assert "第十五周" in html and "第十四周" not in html


def test_the_week_is_chosen_as_a_date_not_typed_as_a_key(sign_in, people, digest_for):
    digest_for("sfj", "第十四周", week="2023-W14")
    digest_for(None, "第十五周", week="2023-W15")
    html = sign_in(people["office"]).get("/digests?day=2023-04-05").get_data(as_text=True)
    assert "第十四周" in html and "第十五周" not in html
    assert 'type="date" name="day" value="2023-04-03"' in html
    assert sign_in(people["office"]).get("/digests?week=2023-W60").status_code == 200


def test_a_digest_reads_as_sent_in_its_own_sandbox(sign_in, people, digest_for):
    digest = digest_for("sfj", "司法局周报")
    client = sign_in(people["sfj_admin"])
    page = client.get(f"/digests/{digest.id}").get_data(as_text=True)
    assert f'src="/digests/{digest.id}/sent"' in page and "sandbox" in page
    sent = client.get(f"/digests/{digest.id}/sent")
    assert sent.get_data(as_text=True) == digest.html
    assert sent.headers["Content-Security-Policy"].startswith("sandbox")


def test_another_units_digest_is_not_found(sign_in, people, digest_for):
    digest = digest_for("gaj", "公安局周报")
    client = sign_in(people["sfj_admin"])
    assert client.get(f"/digests/{digest.id}").status_code == 404
    assert client.get(f"/digests/{digest.id}/sent").status_code == 404
