"""The scores page: the ranking with every unit's breakdown for the office, a unit's own score for a unit, the
freeze (定稿) said in words, the workbook, and a bad year refused."""
from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from tests.assessment_helpers import RUBRIC, bulletin_only

from tracker.extensions import db
from tracker.services.assessment.rubric import read_rubric
from tracker.models import AccountabilityRecord, Assessment


@pytest.fixture(autouse=True)
def _bulletins_only(configure, tmp_path):
    """Scores from a rubric counting 通报 only: these tests are about the doors, not the shipped numbers."""
    configure(rubric=read_rubric(Path(bulletin_only(tmp_path))))


@pytest.fixture
def bulletin(make_item, now):
    """市公安局 named in a 通报 in 2023."""
    item = make_item("gaj", due=date(2023, 3, 1), title="公安局逾期事项")
    record = AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=4, level_name="通报",
                                  due_date=item.due_date, reason="逾期 30 天", issued_at=now)
    db.session.add(record)
    db.session.flush()
    return record


def test_the_office_sees_the_ranking_and_each_deduction_links_to_its_record(sign_in, people, bulletin):
    page = sign_in(people["office"]).get("/assessment?year=2023").get_data(as_text=True)
    assert "2023" in page and "市公安局" in page and "市司法局" in page
    assert f'href="/items/{bulletin.item_id}#record-{bulletin.id}"' in page
    assert re.search(r"市公安局 · 98<", page)
    assert 'id="freeze-form"' in page


def test_a_unit_sees_its_own_score_and_rank_but_no_other_unit(sign_in, people, bulletin):
    page = sign_in(people["other_admin"]).get("/assessment?year=2023").get_data(as_text=True)
    assert "市公安局" in page and "市司法局" not in page
    assert f"#record-{bulletin.id}" in page
    assert 'id="freeze-form"' not in page
    other = sign_in(people["sfj_admin"]).get("/assessment?year=2023").get_data(as_text=True)
    assert "市公安局" not in other and f"#record-{bulletin.id}" not in other


def test_the_office_freezes_a_year_once_and_is_told_when_it_tries_again(app, sign_in, people, bulletin,
                                                                        monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_CLOCK_AT", "2024-02-05T10:00")  # 2023's figures were due by 31 January
    client = sign_in(people["office"])
    done = client.post("/assessment/freeze", data={"year": "2023"}, follow_redirects=True)
    assert done.status_code == 200 and "定稿" in done.get_data(as_text=True)
    again = client.post("/assessment/freeze", data={"year": "2023"})
    assert again.status_code == 422 and "不能重复定稿" in again.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Assessment)).scalar() == 1


def test_the_workbook_names_the_year_and_lists_the_units(sign_in, people, bulletin):
    response = sign_in(people["leader"]).get("/assessment.xlsx?year=2023")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    summary = {row[1]: row[2] for row in book["汇总"].iter_rows(min_row=3, values_only=True)}
    assert summary["市公安局"] == 98 and summary["市司法局"] == 100
    deductions = list(book["市公安局"].iter_rows(min_row=3, values_only=True))
    assert [(d[1], d[2], d[4]) for d in deductions] == [("通报", -2, "公安局逾期事项")]


@pytest.mark.parametrize("query", ["year=2026", "year=1899", "year=abc", "year=2023&unit=3"])
def test_a_bad_year_or_an_unknown_argument_is_refused_in_words(sign_in, people, query):
    response = sign_in(people["office"]).get(f"/assessment?{query}")
    assert response.status_code == 422 and "<html" in response.get_data(as_text=True)


@pytest.mark.parametrize("data", [{}, {"year": "2030"}, {"year": "2023", "colour": "red"}])
def test_a_bad_freeze_form_changes_nothing(app, sign_in, people, data, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_CLOCK_AT", "2024-01-05T10:00")
    response = sign_in(people["office"]).post("/assessment/freeze", data=data)
    assert response.status_code == 422
    assert db.session.execute(sa.select(sa.func.count()).select_from(Assessment)).scalar() == 0


def test_before_its_figures_are_due_the_page_says_the_year_is_provisional_and_offers_no_freeze(
        app, sign_in, people, monkeypatch, configure):
    configure(rubric=read_rubric(RUBRIC))  # counts indicator figures
    monkeypatch.setitem(app.config, "TRACKER_CLOCK_AT", "2025-01-10T10:00")
    client = sign_in(people["office"])
    page = client.get("/assessment?year=2024").get_data(as_text=True)
    assert "得分暂定(截至 2025-01-10):本年度指标数据报送期限至 2025-01-31" in page
    assert "2025-02-01 起方可定稿" in page and 'id="freeze-form"' not in page
    refused = client.post("/assessment/freeze", data={"year": "2024"})
    assert refused.status_code == 422 and "2024 年度指标数据报送期限至 2025-01-31,期限届满后方可定稿" in \
        refused.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Assessment)).scalar() == 0
