"""The year-end assessment through the API: who sees which scores, the freeze, the workbook, bad input."""
from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from tests.assessment_helpers import RUBRIC, bulletin_only
import time_machine
from tests.api.api_helpers import ApiClient, assert_error

from tracker.extensions import db
from tracker.services.assessment.rubric import read_rubric
from tracker.models import AccountabilityRecord, Assessment, Event, Role, User, WorkItem

AFTER_2023 = datetime(2024, 2, 5, 2, 0, tzinfo=timezone.utc)  # 2023's indicator figures were due by 31 January


@pytest.fixture(autouse=True)
def _bulletins_only(configure, tmp_path):
    """Scores from a rubric counting 通报 only: these tests are about the doors, not the shipped numbers."""
    configure(rubric=read_rubric(Path(bulletin_only(tmp_path))))


@pytest.fixture
def supervised(make_item: Callable[..., WorkItem], now: datetime) -> WorkItem:
    """A 市司法局 item with a 通报 on record in 2023, so its score differs from the others'."""
    item = make_item("sfj", due=date(2023, 3, 1))
    db.session.add(AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=4, level_name="通报",
                                        due_date=item.due_date, reason="逾期 30 天", issued_at=now))
    db.session.flush()
    return item


def test_the_office_and_leaders_see_every_unit_a_unit_only_its_own(
        api_as: Callable[[User | None], ApiClient], make_user: Callable[..., User], office: User,
        supervised: WorkItem) -> None:
    everyone = api_as(office).get("/assessment?year=2023").get_json()
    assert len(everyone["units"]) == everyone["ranked"] > 20
    assert api_as(make_user(Role.LEADER, "city")).get("/assessment?year=2023").get_json()["units"] == \
        everyone["units"]
    own = api_as(make_user(Role.UNIT_MEMBER, "sfj")).get("/assessment?year=2023").get_json()
    (sfj,) = own["units"]
    assert sfj["unit_name"] == "市司法局" and sfj["score"] == "98" and own["ranked"] == everyone["ranked"]
    (bulletin,) = [f for f in sfj["facts"] if f["rule"] == "bulletin"]
    assert bulletin["href"] == f"/items/{supervised.id}#record-{bulletin['id']}"


def test_the_office_freezes_a_finished_year_once(api_as: Callable[[User | None], ApiClient], office: User,
                                                 supervised: WorkItem) -> None:
    client = api_as(office)
    with time_machine.travel(AFTER_2023, tick=False):
        frozen = client.post("/assessment/freeze", json={"year": 2023})
        assert frozen.status_code == 200, frozen.get_json()
        assert frozen.get_json()["frozen"]["by"] == office.display_name
        assert_error(client.post("/assessment/freeze", json={"year": 2023}), 422, "already_frozen")
    assert db.session.execute(sa.select(sa.func.count()).select_from(Assessment)).scalar() == 1


def test_the_workbook_holds_what_the_caller_may_see(api_as: Callable[[User | None], ApiClient],
                                                    make_user: Callable[..., User], supervised: WorkItem) -> None:
    response = api_as(make_user(Role.UNIT_ADMIN, "sfj")).get("/assessment.xlsx?year=2023")
    assert response.status_code == 200
    assert "filename*=UTF-8''%E8%80%83%E6%A0%B8" in response.headers["Content-Disposition"]  # 考核得分_...
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["汇总", "市司法局"]
    assert [r[1:3] for r in book["汇总"].iter_rows(min_row=3, values_only=True)] == [("市司法局", 98)]


@pytest.mark.parametrize("query, field", [("year=1800", "year"), ("year=2026", "year"), ("year=二〇二四", "year"),
                                          ("year=2024&colour=red", "colour")])
def test_a_bad_year_or_an_unknown_argument_is_422(api_as: Callable[[User | None], ApiClient], office: User,
                                                   query: str, field: str) -> None:
    body = assert_error(api_as(office).get(f"/assessment?{query}"), 422)
    assert field in body["errors"] or field in str(body)


@pytest.mark.parametrize("body", [{}, {"year": "2023"}, {"year": 2023, "extra": 1}, {"year": 2030}])
def test_a_bad_freeze_changes_nothing(api_as: Callable[[User | None], ApiClient], office: User, body: dict) -> None:
    client = api_as(office)
    events = db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar()
    with time_machine.travel(AFTER_2023, tick=False):
        assert_error(client.post("/assessment/freeze", json=body), 422)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Assessment)).scalar() == 0
    assert db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar() == events


def test_a_year_whose_figures_are_still_due_is_provisional_and_cannot_be_frozen(
        app, api_as: Callable[[User | None], ApiClient], office: User, monkeypatch, configure) -> None:
    configure(rubric=read_rubric(RUBRIC))  # counts indicator figures
    client = api_as(office)
    with time_machine.travel(datetime(2025, 1, 10, 2, 0, tzinfo=timezone.utc), tick=False):
        data = client.get("/assessment?year=2024").get_json()
        assert (data["provisional"], data["figures_due_until"], data["final_on"]) == (True, "2025-01-31", "2025-02-01")
        assert sum(u["awaited"] for u in data["units"]) > 20
        assert_error(client.post("/assessment/freeze", json={"year": 2024}), 422, "figures_still_due")
    assert db.session.execute(sa.select(sa.func.count()).select_from(Assessment)).scalar() == 0
