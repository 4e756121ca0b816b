"""The ledger and the digests through the API: the same permission and error rules as the rest of it."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.api.api_helpers import NOW, assert_error
from tracker.extensions import db
from tracker.models import AccountabilityRecord, Digest, ItemStatus, RecordStatus
from tracker.services.ledger import digests, escalation
from tracker.settings import settings as settings_of


@pytest.fixture
def ladder(app):
    return settings_of(app).ladder


@pytest.fixture
def overdue_records(make_item, ladder):
    """An item of 市司法局 due 2023-03-01 and one of 甲区 due the same day, scanned 33 days later: 提醒 to 通报."""
    ours = make_item("sfj", status=ItemStatus.IN_PROGRESS, due=date(2023, 3, 1))
    theirs = make_item("jiaqu", status=ItemStatus.IN_PROGRESS, due=date(2023, 3, 1))
    escalation.scan(now=NOW, ladder=ladder, timezone="Asia/Shanghai")

    def of(item):
        return {r.level: r for r in db.session.scalars(
            sa.select(AccountabilityRecord).where(AccountabilityRecord.item_id == item.id))}
    return of(ours), of(theirs)


def test_a_unit_lists_only_its_own_records_and_the_office_filters_all(api_as, sfj_admin, office, overdue_records):
    ours, theirs = overdue_records
    unit_list = api_as(sfj_admin).get("/records?limit=500").get_json()
    assert {r["unit_id"] for r in unit_list} == {ours[1].unit_id}
    assert api_as(sfj_admin).get(f"/records/{theirs[1].id}").status_code == 404
    supervised = api_as(office).get(f"/records?level=3&item_id={theirs[3].item_id}").get_json()
    assert [(r["level_name"], r["status"]) for r in supervised] == [("督办", "open")]
    assert supervised[0]["answer_due"] is not None and "逾期" in supervised[0]["reason"]


def test_the_unit_answers_its_supervision_notice_and_the_office_closes_it(api_as, sfj_admin, office, overdue_records):
    record = overdue_records[0][3]
    answered = api_as(sfj_admin).post(f"/records/{record.id}/answer",
                                      json={"explanation": "人员调整导致延误", "remedy_date": "2023-04-30"})
    assert answered.status_code == 200, answered.get_json()
    assert answered.get_json()["status"] == "answered"
    closed = api_as(office).post(f"/records/{record.id}/close", json={"note": "整改到位,予以核销"})
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert_error(api_as(office).post(f"/records/{record.id}/close", json={"note": "再次核销"}), 422)


@pytest.mark.parametrize("who", ["office", "leader"])
def test_nobody_but_the_unit_answers_a_record(api_as, office, leader, overdue_records, who):
    record = overdue_records[0][3]
    response = api_as({"office": office, "leader": leader}[who]).post(
        f"/records/{record.id}/answer", json={"explanation": "代为答复", "remedy_date": "2023-04-30"})
    assert_error(response, 403)
    db.session.expire_all()
    assert record.status == RecordStatus.OPEN


@pytest.mark.parametrize("who", ["leader", "sfj_admin"])
def test_only_the_office_closes_or_escalates(api_as, leader, sfj_admin, overdue_records, who):
    record = overdue_records[0][1]
    client = api_as({"leader": leader, "sfj_admin": sfj_admin}[who])
    assert_error(client.post(f"/records/{record.id}/close", json={"note": "自行核销"}), 403)
    assert_error(client.post(f"/records/{record.id}/escalate", json={"note": "升级"}), 403)


def test_the_office_escalates_by_hand_to_the_next_level(api_as, office, overdue_records):
    record = overdue_records[1][1]
    response = api_as(office).post(f"/records/{record.id}/escalate", json={"note": "多次提醒未见成效"})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["kind"], body["level"], body["item_id"]) == ("manual", 2, record.item_id)


@pytest.mark.parametrize(("body", "field"), [
    ({"explanation": "原因", "remedy_date": "2023-02-30"}, "remedy_date"),
    ({"explanation": "原因", "remedy_date": "2023-04-30", "blame": "别人"}, "blame"),
    ({"explanation": "", "remedy_date": "2023-04-30"}, "explanation"),
    ({"explanation": "原因", "remedy_date": "2023-04-30", "evidence_ids": [2**63]}, "evidence_ids"),
    ({"explanation": "原因", "remedy_date": "2023-01-01"}, "remedy_date"),
])
def test_a_bad_answer_is_refused_and_changes_nothing(api_as, sfj_admin, overdue_records, body, field):
    record = overdue_records[0][3]
    error = assert_error(api_as(sfj_admin).post(f"/records/{record.id}/answer", json=body), 422)
    assert any(key.split(".")[0] == field for key in error.get("errors", {}))
    db.session.expire_all()
    assert record.status == RecordStatus.OPEN and record.answer_text is None


def test_record_filters_of_the_wrong_type_are_refused(api_as, office):
    assert_error(api_as(office).get("/records?level=high"), 422)
    assert_error(api_as(office).get("/records?issued_from=yesterday"), 422)
    assert_error(api_as(office).get("/records?colour=red"), 422)


@pytest.fixture
def week(app, ladder, overdue_records) -> str:
    key = digests.week_key(date(2023, 4, 3))
    digests.build_round(period_key=key, now=NOW, timezone="Asia/Shanghai", ladder=ladder, due_soon_days=14,
                        with_deliveries=False)
    return key


def test_a_unit_reads_its_own_digest_and_not_another_units(api_as, sfj_admin, unit, week):
    listed = api_as(sfj_admin).get(f"/digests?period_key={week}").get_json()
    assert {d["unit_id"] for d in listed} == {unit("sfj").id}
    own = api_as(sfj_admin).get(f"/digests/{listed[0]['id']}").get_json()
    assert own["subject"] and "逾期" in own["text"] and own["html"].lstrip().startswith("<")
    theirs = db.session.execute(sa.select(Digest.id).where(Digest.unit_id == unit("jiaqu").id)).scalar_one()
    assert_error(api_as(sfj_admin).get(f"/digests/{theirs}"), 404)


def test_the_office_and_leaders_read_every_digest_of_the_week(api_as, office, leader, week):
    count = db.session.execute(sa.select(sa.func.count()).where(Digest.period_key == week)).scalar()
    for reader in (office, leader):
        assert len(api_as(reader).get(f"/digests?period_key={week}&limit=500").get_json()) == count
    assert_error(api_as(office).get("/digests?period_key=2023-14"), 422)
