"""Periodic reporting on the web: the office sets rhythms by form, everyone reads the rhythms and the missed
reports they may see, and the item page and the dashboard count an item's and a unit's missed periods."""
from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Event, ItemStatus, MissedReport, Notification, ReportingRhythm

AT = datetime(2023, 4, 26, 1, tzinfo=timezone.utc)


def rhythms_and_events() -> tuple[int, int]:
    return (db.session.scalar(sa.select(sa.func.count()).select_from(ReportingRhythm)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Event)))


def test_the_office_sets_a_groups_rhythm_by_form(sign_in, people, plan):
    group = plan.groups[1]
    client = sign_in(people["office"])
    response = client.post("/reporting/rhythm", data={"plan_id": plan.id, "group_id": group.id,
                                                      "frequency": "quarterly", "day": "15"})
    assert response.status_code == 303
    page = client.get("/reporting/").get_data(as_text=True)
    assert "每季度末月 15 日前报送" in page and "每月 25 日前报送" in page
    client.post("/reporting/rhythm", data={"plan_id": plan.id, "group_id": group.id, "frequency": "plan"})
    assert db.session.scalar(sa.select(ReportingRhythm).where(ReportingRhythm.group_id == group.id)) is None


def test_a_bad_day_is_refused_in_words_and_changes_nothing(sign_in, people, plan):
    client = sign_in(people["office"])
    before = rhythms_and_events()
    response = client.post("/reporting/rhythm", data={"plan_id": plan.id, "frequency": "monthly", "day": "31"})
    assert response.status_code == 422
    assert "报送截止日" in response.get_data(as_text=True)
    assert rhythms_and_events() == before


def test_only_the_office_sets_rhythms_and_only_the_office_sees_the_forms(sign_in, people, plan):
    for role in ("leader", "sfj_admin"):
        client = sign_in(people[role])
        assert client.post("/reporting/rhythm", data={"plan_id": plan.id, "frequency": "none"}).status_code == 403
        assert 'action="/reporting/rhythm"' not in client.get("/reporting/").get_data(as_text=True)
    assert 'action="/reporting/rhythm"' in sign_in(people["office"]).get("/reporting/").get_data(as_text=True)


def flag(item, period: str, due: date) -> None:
    db.session.add(MissedReport(item_id=item.id, unit_id=item.unit_id, period=period, due_on=due, flagged_at=AT))
    db.session.flush()


def test_a_unit_sees_its_own_missed_reports_and_not_another_units(sign_in, people, make_item):
    ours = make_item("sfj", status=ItemStatus.IN_PROGRESS, title="司法局未报送事项")
    theirs = make_item("gaj", status=ItemStatus.IN_PROGRESS, title="公安局未报送事项")
    flag(ours, "2023-04", date(2023, 4, 25))
    flag(theirs, "2023-04", date(2023, 4, 25))
    mine = sign_in(people["sfj_member"]).get("/reporting/").get_data(as_text=True)
    assert "司法局未报送事项" in mine and "公安局未报送事项" not in mine
    other = sign_in(people["other_admin"]).get(f"/reporting/?unit_id={ours.unit_id}").get_data(as_text=True)
    assert "司法局未报送事项" not in other
    every = sign_in(people["leader"]).get("/reporting/?start=2023-04-01&end=2023-04-30").get_data(as_text=True)
    assert "司法局未报送事项" in every and "公安局未报送事项" in every


def test_the_item_page_lists_its_missed_periods_and_the_dashboard_counts_them(sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    flag(item, "2023-04", date(2023, 4, 25))
    flag(item, "2023-05", date(2023, 5, 25))
    client = sign_in(people["office"])
    page = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert "未按时报送" in page and "2023-05" in page and "2023-05-25" in page
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert f'href="/reporting/?unit_id={item.unit_id}">2</a>' in dashboard


def test_a_missed_report_notice_on_several_items_opens_the_missed_reports(sign_in, people, now):
    notice = Notification(unit_id=people["sfj_member"].unit_id, kind="missed_report", text="未按时报送:2 项",
                          created_at=now, batch_key="scan:2023-04-26")
    db.session.add(notice)
    db.session.flush()
    response = sign_in(people["sfj_member"]).post(f"/notifications/{notice.id}/open")
    assert response.status_code == 303 and response.headers["Location"].endswith("/reporting/")
