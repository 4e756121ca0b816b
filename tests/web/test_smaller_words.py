"""The smaller things issue 20 (12) found, each said once and the same everywhere: 我的待办's "and 36 more" leads
to the whole section; the ledger names an open record 在办 on the page, in its filter and in its exports, and
filters 督办未答复; the 通报 list dates a bulletin by its issue; an intake row refused says 拒绝 as the summary
does; digests are listed by week in words; templates download under Chinese names with an ASCII fallback."""
from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import quote

import pytest
from tests.intake_helpers import forty_rows, sheet

from tracker.config import DEFAULT_LADDER
from tracker.extensions import db
from tracker.models import AccountabilityRecord, Digest, ItemStatus
from tracker.models.accountability import UNANSWERED_KIND
from tracker.services.assessment import bulletins
from tracker.services.ledger.ladder import parse_ladder


def test_and_n_more_in_my_to_do_list_leads_to_the_whole_section(sign_in, people, make_item):
    submitted = [make_item("sfj", status=ItemStatus.SUBMITTED, title=f"待审核事项{n:02d}") for n in range(13)]
    client = sign_in(people["office"])
    home = client.get("/").get_data(as_text=True)
    assert '<a href="/todo/to_review">' in home
    whole = client.get("/todo/to_review").get_data(as_text=True)
    assert all(item.title in whole for item in submitted)
    assert sign_in(people["sfj_admin"]).get("/todo/to_review").status_code == 404  # not a unit's section


def record(item, *, level: int, name: str, kind: str = "ladder", answer_due: date | None = None):
    found = AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=level, level_name=name, kind=kind,
                                 due_date=item.due_date, reason=f"{name}的理由", issued_at=item.created_at,
                                 answer_due=answer_due)
    db.session.add(found)
    db.session.flush()
    return found


@pytest.fixture
def ledger_records(make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS, title="台账用语事项")
    return {"reminder": record(item, level=1, name="提醒"),
            "supervision": record(item, level=3, name="督办", answer_due=date(2099, 1, 1)),
            "unanswered": record(item, level=3, name="督办未答复", kind=UNANSWERED_KIND)}


def test_an_open_record_is_called_the_same_on_the_page_in_the_filter_and_in_the_export(
        sign_in, people, ledger_records):
    client = sign_in(people["office"])
    page = client.get("/ledger?q=&status=open").get_data(as_text=True)
    table = page[page.index('id="ledger-table"'):]
    assert ">在办</option>" in page and "在办" in table and ">通知<" not in table
    rows = list(csv.reader(io.StringIO(client.get("/ledger/export.csv?status=open").get_data(as_text=True)[1:])))
    states = {row[5]: row[11] for row in rows[1:]}
    assert states == {"提醒": "在办", "督办": "待答复", "督办未答复": "在办"}


def test_the_ledger_filters_unanswered_supervision_as_a_level_of_its_own(sign_in, people, ledger_records):
    client = sign_in(people["office"])
    page = client.get("/ledger").get_data(as_text=True)
    assert '<option value="unanswered" >督办未答复</option>' in page
    only = client.get("/ledger?level=unanswered", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "督办未答复的理由" in only and "督办的理由" not in only and "提醒的理由" not in only
    export = client.get("/ledger/export.xlsx?level=unanswered")
    assert quote("督办未答复") in export.headers["Content-Disposition"]
    assert client.get("/ledger?level=unknown").status_code == 422


def test_the_bulletin_list_dates_a_bulletin_by_its_issue(sign_in, people, plan, office, now):
    issued = bulletins.prepare(plan, bulletins.parse_period("quarter", "2023-Q1"), now=now)
    bulletins.issue(issued, actor=office, expected_version=issued.version, now=now,
                    ladder=parse_ladder(DEFAULT_LADDER))
    page = sign_in(people["office"]).get("/bulletins").get_data(as_text=True)
    assert "印发日期" in page and "督办时间" not in page and "2023-04-03<" in page


def test_a_refused_intake_row_says_refused_as_the_summary_does(sign_in, people):
    bad = forty_rows()[:2]
    bad[1][2] = "不存在的局"
    page = sign_in(people["office"]).post("/office/intake", data={"file": (sheet(bad), "fenjie.xlsx")},
                                          content_type="multipart/form-data").get_data(as_text=True)
    assert "拒绝 1 项" in page and "<td>拒绝</td>" in page and "未同意" not in page


def test_digests_are_listed_by_week_in_words(sign_in, people, unit, now):
    db.session.add(Digest(period_key="2025-W01", recipient_key="unit:sfj", unit_id=unit("sfj").id, created_at=now,
                          subject="周报", data={}, html="<p>周报</p>", text="周报"))
    db.session.flush()
    page = sign_in(people["office"]).get("/digests").get_data(as_text=True)
    assert "2025年第1周(12月30日—1月5日)" in page and "2025-W01" not in page


@pytest.mark.parametrize(("sheet_kind", "chinese", "ascii_name"), [
    ("tasks", "任务分解表模板.xlsx", "tasks-template.xlsx"), ("units", "单位名单模板.xlsx", "units-template.xlsx")])
def test_templates_download_under_a_chinese_name_with_an_ascii_fallback(sign_in, people, sheet_kind, chinese,
                                                                        ascii_name):
    response = sign_in(people["office"]).get(f"/office/intake/{sheet_kind}-template.xlsx")
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(chinese)}")
