"""The indicators page: target against actual per unit and period, each cell's history, a unit's report form and
the office's accept / return, in words; units see their own figures, the office and leaders everyone's."""
from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.clock import utcnow
from tracker.extensions import db
from tracker.models import Attachment, Indicator, IndicatorReport, ReportStatus, TaskParameter, Unit
from tracker.services.assessment import indicator_reports, indicators
from tracker.services.plan import plans
from tracker.services.work import progress

PDF = b"%PDF-1.4\n%figure\n"


def history_url(indicator: Indicator, unit: Unit, period: str = "2023") -> str:
    return f"/indicators/{indicator.id}/history?unit={unit.id}&period={period}"


def reported(people, filing, tmp_path, value: str = "97") -> IndicatorReport:
    return indicator_reports.report(filing, actor=people["sfj_admin"], period="2023", value=Decimal(value), note="",
                             files=[], storage=progress.Storage(folder=tmp_path, max_bytes=1 << 20),
                             now=utcnow())


def test_the_office_sees_every_units_target_and_state(sign_in, people, filing, unit):
    html = sign_in(people["office"]).get("/indicators?period=2023&task=6").get_data(as_text=True)
    reporters = indicators.reporting_units(filing)
    assert html.count("行政规范性文件备案审查率") >= len(reporters)
    assert all(u.short_name in html for u in reporters)
    assert "未报送" in html and "未设目标" in html


def test_a_figure_not_yet_due_reads_awaited_with_its_due_day_then_not_reported(app, sign_in, people, filing, unit,
                                                                               monkeypatch):
    client = sign_in(people["sfj_admin"])
    monkeypatch.setitem(app.config, "TRACKER_CLOCK_AT", "2024-01-20T10:00")
    page = client.get(history_url(filing, unit("sfj"))).get_data(as_text=True)
    assert "待报送" in page and "报送期限" in page and "2024-01-31" in page
    monkeypatch.setitem(app.config, "TRACKER_CLOCK_AT", "2024-02-01T10:00")
    page = client.get(history_url(filing, unit("sfj"))).get_data(as_text=True)
    assert "未报送" in page and "待报送" not in page


def test_a_unit_sees_only_its_own_rows(sign_in, people, unit):
    html = sign_in(people["sfj_member"]).get("/indicators?period=2023").get_data(as_text=True)
    table = html[html.index('id="indicator-table"'):]
    assert "市司法局" in table and "市公安局" not in table


def test_a_unit_reports_with_evidence_and_reads_it_in_the_history(sign_in, people, filing, unit):
    client = sign_in(people["sfj_admin"])
    page = client.get(history_url(filing, unit("sfj"))).get_data(as_text=True)
    assert 'id="report-figure"' in page
    response = client.post(f"/indicators/{filing.id}/reports", data={
        "period": "2023", "value": "98.5", "note": "全年备案 40 件", "files": [(io.BytesIO(PDF), "统计表.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 303
    history = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "98.5%" in history and "等待办公室审核" in history and "统计表.pdf" in history and "全年备案 40 件" in history
    (figure,) = db.session.scalars(sa.select(IndicatorReport).where(IndicatorReport.indicator_id == filing.id))
    assert db.session.scalars(sa.select(Attachment).where(Attachment.indicator_report_id == figure.id)).one()


def test_a_figure_reported_with_the_file_input_left_empty_is_taken_without_evidence(sign_in, people, filing, unit):
    """A browser posts an empty file input as a part with no file name and nothing in it: no file, not a refusal."""
    response = sign_in(people["sfj_admin"]).post(f"/indicators/{filing.id}/reports", data={
        "period": "2023", "value": "97", "note": "", "files": [(io.BytesIO(b""), "")]},
        content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    (figure,) = db.session.scalars(sa.select(IndicatorReport).where(IndicatorReport.indicator_id == filing.id))
    assert db.session.scalars(sa.select(Attachment).where(Attachment.indicator_report_id == figure.id)).first() is None


def test_a_unit_not_among_the_reporters_gets_no_form_and_is_refused(sign_in, people, filing, unit):
    client = sign_in(people["other_admin"])  # 市公安局 is not a 司法行政部门
    assert client.get(history_url(filing, unit("sfj"))).status_code == 404
    page = client.get(history_url(filing, unit("gaj"))).get_data(as_text=True)
    assert 'id="report-figure"' not in page
    assert client.post(f"/indicators/{filing.id}/reports", data={"period": "2023", "value": "90"}).status_code == 403


def test_the_office_accepts_after_a_confirmation_and_the_figure_meets_the_target(
        sign_in, people, filing, unit, plan, tmp_path):
    figure = reported(people, filing, tmp_path)
    client = sign_in(people["office"])
    page = client.get("/indicators?period=2023").get_data(as_text=True)
    assert f'id="figure-{figure.id}"' in page and "data-confirm=" in page
    response = client.post(f"/indicator-reports/{figure.id}/decision",
                           data={"decision": "accept", "version": figure.version})
    assert response.status_code == 303 and figure.status == ReportStatus.ACCEPTED
    assert "已采用" in client.get(response.headers["Location"]).get_data(as_text=True)
    param = db.session.execute(sa.select(TaskParameter).where(TaskParameter.key == "filing_review_rate")).scalar_one()
    plans.set_parameters(plan, actor=people["office"], values={param.id: "95"}, now=utcnow())
    history = client.get(history_url(filing, unit("sfj"))).get_data(as_text=True)
    assert "≥ 95%" in history and "达标" in history


def test_returning_without_a_reason_is_refused_in_words(sign_in, people, filing, tmp_path):
    figure = reported(people, filing, tmp_path)
    refused = sign_in(people["office"]).post(f"/indicator-reports/{figure.id}/decision", headers={
        "HX-Request": "true"}, data={"decision": "return", "version": figure.version})
    assert refused.status_code == 422 and "退回须说明理由" in refused.get_data(as_text=True)
    assert figure.status == ReportStatus.SUBMITTED


def test_the_unit_is_told_of_a_return_and_reports_again(sign_in, people, filing, unit, tmp_path):
    figure = reported(people, filing, tmp_path)
    sign_in(people["office"]).post(f"/indicator-reports/{figure.id}/decision", data={
        "decision": "return", "reason": "缺少统计表", "version": figure.version})
    client = sign_in(people["sfj_member"])
    assert "缺少统计表" in client.get("/notifications").get_data(as_text=True)
    page = client.get(history_url(filing, unit("sfj"))).get_data(as_text=True)
    assert "已退回" in page and 'id="report-figure"' in page


@pytest.mark.parametrize("role", ["leader", "sfj_admin"])
def test_only_the_office_decides(sign_in, people, filing, tmp_path, role):
    figure = reported(people, filing, tmp_path)
    response = sign_in(people[role]).post(f"/indicator-reports/{figure.id}/decision",
                                          data={"decision": "accept", "version": figure.version})
    assert response.status_code == 403 and figure.status == ReportStatus.SUBMITTED


def test_sorting_by_state_puts_the_worst_first_and_the_column_reverses(sign_in, people, filing, tmp_path, plan):
    figure = reported(people, filing, tmp_path, value="80")
    indicator_reports.decide(figure, actor=people["office"], decision="accept", expected_version=figure.version,
                      now=utcnow())
    param = db.session.execute(sa.select(TaskParameter).where(TaskParameter.key == "filing_review_rate")).scalar_one()
    plans.set_parameters(plan, actor=people["office"], values={param.id: "95"}, now=utcnow())
    client = sign_in(people["office"])
    states = re.findall(r'<tr class="state-(\w+)">', client.get("/indicators?period=2023&sort=state").get_data(
        as_text=True))
    assert states[0] == "not_met" and states[-1] != "not_met"
    reverse = re.findall(r'<tr class="state-(\w+)">', client.get("/indicators?period=2023&sort=-state").get_data(
        as_text=True))
    assert reverse[-1] == "not_met"


@pytest.mark.parametrize("query", ["period=2024-Q5", "sort=colour", "state=done", "unit=abc", "weight=1"])
def test_bad_filters_are_refused_in_words(sign_in, people, query):
    response = sign_in(people["office"]).get(f"/indicators?{query}")
    assert response.status_code == 422 and "填写的内容有误" in response.get_data(as_text=True)


def test_a_period_the_indicator_does_not_have_is_not_found(sign_in, people, filing, unit):
    assert sign_in(people["office"]).get(history_url(filing, unit("sfj"), "2024")).status_code == 404


def test_the_page_takes_the_same_number_of_queries_however_many_units(sign_in, people, unit, count_queries):
    client = sign_in(people["office"])
    client.get("/indicators?period=2024")
    with count_queries() as before:
        client.get("/indicators?period=2024")
    for n in range(10):
        db.session.add(Unit(key=f"extra_{n}", name=f"新增县{n}", short_name=f"新增县{n}", kind="county_gov",
                            parent_id=unit("city").id, tags=["enforcement"], emails=[]))
    db.session.flush()
    with count_queries() as after:
        html = client.get("/indicators?period=2024").get_data(as_text=True)
    assert "新增县9" in html
    selects = [[q for q in found if q.startswith("SELECT")] for found in (before, after)]
    assert len(selects[1]) == len(selects[0])


def test_the_dashboard_links_to_the_indicators(sign_in, people):
    html = sign_in(people["sfj_member"]).get("/dashboard").get_data(as_text=True)
    assert 'href="/indicators' in html
