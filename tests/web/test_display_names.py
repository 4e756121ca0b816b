"""People and units by their display names wherever a person reads: login names and unit keys stay in URLs and
the API. Every page is scanned as each role for `unit:` and for other people's login names."""
from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tracker.extensions import db
from tracker.models import AccountabilityRecord, Digest, ItemStatus, Role
from tracker.services.trust import accounts, audit
from tracker.services.work import comments, items, progress, workflow
from tracker.services.plan.seeding import LOADER

NOW = datetime(2023, 4, 3, 2, 0, tzinfo=timezone.utc)
NAMES = {"office": ("login_office_zhang", "张主任"), "leader": ("login_leader_wang", "王领导"),
         "sfj": ("login_sfj_li", "李科长"), "gaj": ("login_gaj_zhao", "赵科长")}


@pytest.fixture
def named(app, unit, plan):
    """Four people whose login names differ from their names, and an sfj item each of them touched."""
    roles = {"office": (Role.OFFICE_ADMIN, "office"), "leader": (Role.LEADER, "city"),
             "sfj": (Role.UNIT_ADMIN, "sfj"), "gaj": (Role.UNIT_ADMIN, "gaj")}
    people = {}
    for key, (username, display) in NAMES.items():
        role, unit_key = roles[key]
        people[key] = accounts.create_user(username=username, display_name=display, role=role, unit=unit(unit_key),
                                           password="Correct-Horse-9", hasher=app.extensions["password_hasher"],
                                           actor=None, now=NOW)
        people[key].must_change_password = False

    (item,) = items.create_items(actor=people["office"], task=plan.tasks[0], phase=plan.phases[1],
                                 units=[unit("sfj")], title="显示名称事项", due_date=NOW.date(), now=NOW)
    audit.record(actor=None, actor_label=LOADER, action="item.edit", entity_type="work_item", entity_id=item.id,
                 item_id=item.id, now=NOW)
    workflow.move(item, actor=people["sfj"], to=ItemStatus.IN_PROGRESS, expected_version=item.version, now=NOW)
    storage = progress.Storage(Path(app.config["TRACKER_UPLOAD_DIR"]), app.config["TRACKER_UPLOAD_MAX_BYTES"])
    progress.add_update(item, actor=people["sfj"], text="完成一半", percent=50, now=NOW, storage=storage,
                        files=[progress.Upload("证明.pdf", io.BytesIO(b"%PDF-1.4"))])
    comments.add_comment(item, actor=people["office"], text="请加快", now=NOW)
    workflow.move(item, actor=people["sfj"], to=ItemStatus.SUBMITTED, expected_version=item.version, now=NOW,
                  note="办结报告")
    db.session.add_all([
        AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办", due_date=item.due_date,
                             reason="逾期 16 天", issued_at=NOW, issued_by_id=people["office"].id),
        Digest(period_key="2023-W14", recipient_key="unit:sfj", unit_id=item.unit_id, created_at=NOW,
               subject="司法局周报", data={}, html="<p>周报</p>", text="周报")])
    db.session.flush()
    return people, item


@pytest.mark.parametrize("who", ["office", "leader", "sfj"])
def test_no_page_shows_a_unit_key_or_another_persons_login_name(sign_in, named, who):
    people, item = named
    client = sign_in(people[who])
    digest = db.session.query(Digest).filter_by(recipient_key="unit:sfj").one()
    pages = ["/", "/board", f"/items/{item.id}", "/dashboard", "/ledger", "/digests", f"/digests/{digest.id}",
             "/password"] + (["/office/"] if who == "office" else [])
    others = [username for key, (username, _display) in NAMES.items() if key != who]
    for url in pages:
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert "unit:" not in body, url
        assert [name for name in others if name in body] == [], url
        assert LOADER not in body.replace("loading", ""), url


def test_the_item_page_says_who_reported_and_who_acted_by_name(sign_in, named):
    people, item = named
    page = sign_in(people["leader"]).get(f"/items/{item.id}").get_data(as_text=True)
    progress_part = page[page.index('id="progress"'):page.index('id="records"')]
    assert "李科长" in progress_part
    timeline = page[page.index('id="timeline"'):]
    assert "张主任" in timeline and "李科长" in timeline and "计划导入" in timeline


def test_digest_recipients_are_named_by_unit(sign_in, named):
    people, _item = named
    listing = sign_in(people["office"]).get("/digests").get_data(as_text=True)
    assert "市司法局" in listing or "司法局" in listing
