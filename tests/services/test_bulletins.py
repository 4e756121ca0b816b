"""The month's and the quarter's 通报: the period's figures on a small scenario, ranking, units named under 通报,
new records, drafts, the office's text, issuing (numbered, frozen) and the documents."""
from __future__ import annotations

import io
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from docx import Document
from pypdf import PdfReader

from tracker.config import DEFAULT_LADDER
from tracker.errors import Invalid, NotAllowed, NotFound, StaleVersion
from tracker.extensions import db
from tracker.models import (AccountabilityRecord, Bulletin, BulletinKind, BulletinStatus, DeliveryStatus, Event,
                            Indicator, ItemStatus, Notification, NotificationMail, Role)
from tracker.services.assessment import bulletin_docs, bulletins, indicator_reports
from tracker.services.ledger import notifications
from tracker.services.work import progress
from tracker.services.ledger.ladder import parse_ladder

LADDER = parse_ladder(DEFAULT_LADDER)
SHANGHAI = ZoneInfo("Asia/Shanghai")
MAY = bulletins.parse_period(BulletinKind.MONTH, "2024-05")  # the shipped plan has nothing due in May 2024
AS_OF = datetime(2024, 6, 3, 0, 0, tzinfo=timezone.utc)  # 08:00 on Monday 3 June in Shanghai


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def record(item, level: int, name: str, at: datetime, number: str | None = None) -> AccountabilityRecord:
    found = AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=level, level_name=name,
                                 due_date=item.due_date, reason=f"逾期,{name}", issued_at=at, doc_number=number)
    db.session.add(found)
    return found


def done(item, *, late: bool) -> None:
    item.closed_late = late


@pytest.fixture
def may(make_item):
    """市司法局: three items due in May 2024 (one on time, one late, one open); 市公安局: one, on time. Outside
    the period: 甲区's item due 1 June and a cancelled one due in May. A 通报 of 市司法局 on the last evening of
    May (Shanghai) and one just after midnight (June's), a 提醒 of 市公安局 in May."""
    on_time = make_item("sfj", status=ItemStatus.DONE, due=date(2024, 5, 10), title="按期办结")
    late = make_item("sfj", status=ItemStatus.DONE, due=date(2024, 5, 20), title="逾期办结")
    done(late, late=True)
    open_one = make_item("sfj", status=ItemStatus.IN_PROGRESS, due=date(2024, 5, 31), title="未办结事项")
    gaj = make_item("gaj", status=ItemStatus.DONE, due=date(2024, 5, 1))
    make_item("jiaqu", due=date(2024, 6, 1))
    cancelled = make_item("jiaqu", due=date(2024, 5, 15))
    cancelled.cancelled_at, cancelled.cancel_reason = AS_OF, "撤销"
    record(open_one, 4, "通报", local(2024, 5, 31, 23, 30), number="通报〔2024〕7号")
    record(open_one, 1, "提醒", local(2024, 6, 1, 0, 10))
    record(gaj, 1, "提醒", local(2024, 5, 2, 0, 10))
    db.session.flush()
    return {"on_time": on_time, "late": late, "open": open_one, "gaj": gaj}


def test_periods_are_calendar_months_and_quarters_named_in_words():
    quarter = bulletins.parse_period("quarter", "2024-Q1")
    assert (quarter.start, quarter.end, quarter.label) == (date(2024, 1, 1), date(2024, 3, 31), "2024年第一季度")
    assert (MAY.start, MAY.end, MAY.label) == (date(2024, 5, 1), date(2024, 5, 31), "2024年5月")
    assert bulletins.parse_period("month", "2024-02").end == date(2024, 2, 29)
    assert bulletins.quarter_of_month("2024-06") == "2024-Q2" and bulletins.quarter_of_month("2024-05") is None


@pytest.mark.parametrize("kind, key", [("month", "2024-13"), ("month", "2024-5"), ("quarter", "2024-Q5"),
                                       ("quarter", "2024-05"), ("month", "0001-01")])
def test_a_malformed_period_is_refused(kind, key):
    with pytest.raises(Invalid):
        bulletins.parse_period(kind, key)


def test_rates_count_the_items_due_in_the_period_done_and_done_on_time(plan, may):
    data = bulletins.figures(plan, MAY, now=AS_OF, ladder=LADDER)
    # due 4 (cancelled and June's left out); done 3; on time 2 (the late one is judged at its submission)
    assert data["totals"] == {"due": 4, "done": 3, "done_on_time": 2, "open": 1, "done_rate": 75.0,
                              "on_time_rate": 50.0}
    units = {u["name"]: u for u in data["units"]}
    assert set(units) == {"市司法局", "市公安局"}
    assert (units["市司法局"]["due"], units["市司法局"]["done_rate"], units["市司法局"]["on_time_rate"]) == (3, 66.7, 33.3)
    assert [(u["rank"], u["name"]) for u in data["units"]] == [(1, "市公安局"), (2, "市司法局")]
    assert [p["due"] for p in data["phases"]] == [4] and sum(g["due"] for g in data["groups"]) == 4
    assert data["label"] == "2024年5月" and data["as_of"] == "2024-06-03 08:00"


def test_so_far_counts_every_item_due_by_the_periods_end_so_may_adds_mays_items_to_april(plan, may):
    april = bulletins.figures(plan, bulletins.parse_period("month", "2024-04"), now=AS_OF, ladder=LADDER)["so_far"]
    data = bulletins.figures(plan, MAY, now=AS_OF, ladder=LADDER)
    keys = ("due", "done", "done_on_time")
    assert [data["so_far"]["totals"][k] - april["totals"][k] for k in keys] == [data["totals"][k] for k in keys]
    before = {u["name"]: u for u in april["units"]}
    sfj = next(u for u in data["so_far"]["units"] if u["name"] == "市司法局")
    assert [sfj[k] - before["市司法局"][k] for k in keys] == [3, 2, 1]
    assert len(data["so_far"]["units"]) > len(data["units"])  # units with earlier items only are there too


def test_indicators_falling_due_in_the_period_are_listed_when_not_met_or_not_reported(plan, office, make_user,
                                                                                     tmp_path):
    """2023's figures are due by 31 January 2024 (the plan's indicator_due_days): the January 通报 names them."""
    clerk = make_user(Role.UNIT_MEMBER, "gaj")  # 市公安局 is an enforcement unit: it reports training hours
    hours = db.session.execute(sa.select(Indicator).where(Indicator.key == "professional_training_hours")).scalar_one()
    figure = indicator_reports.report(hours, actor=clerk, period="2023", value=Decimal("24.5"), note="", files=[],
                               storage=progress.Storage(folder=tmp_path, max_bytes=1 << 20), now=AS_OF)
    indicator_reports.decide(figure, actor=office, decision="accept", expected_version=figure.version, now=AS_OF)
    january = bulletins.figures(plan, bulletins.parse_period("month", "2024-01"), now=AS_OF, ladder=LADDER)
    rows = [m for m in january["indicators"] if m["indicator"] == hours.name]
    gaj = next(m for m in rows if m["name"] == "市公安局")
    assert (gaj["state"], gaj["state_label"], gaj["target"], gaj["actual"], gaj["period"]) == (
        "not_met", "未达标", "≥ 30学时", "24.5学时", "2023")
    assert {m["state"] for m in rows if m["name"] != "市公安局"} == {"not_reported"}
    assert bulletins.figures(plan, MAY, now=AS_OF, ladder=LADDER)["indicators"] == []  # nothing falls due in May
    december = bulletins.figures(plan, bulletins.parse_period("month", "2023-12"), now=AS_OF, ladder=LADDER)
    assert december["indicators"] == []  # the year ended, its figures were not yet due


def test_an_item_approved_after_the_moment_taken_is_not_yet_done(plan, may):
    may["gaj"].completed_at = datetime(2024, 6, 4, tzinfo=timezone.utc)
    assert bulletins.figures(plan, MAY, now=AS_OF, ladder=LADDER)["totals"]["done"] == 2


def test_units_named_under_tongbao_are_those_with_a_tongbao_record_issued_in_the_period_shanghai_time(plan, may):
    data = bulletins.figures(plan, MAY, now=AS_OF, ladder=LADDER)
    assert [(u["name"], u["count"]) for u in data["bulletin_units"]] == [("市司法局", 1)]
    assert data["bulletin_units"][0]["records"][0] == {"number": "通报〔2024〕7号", "item": "未办结事项",
                                                       "reason": "逾期,通报", "issued": "2024-05-31"}
    # the 提醒 just after midnight belongs to June
    assert data["new_records"]["by_level"] == [{"name": "提醒", "count": 1}, {"name": "通报", "count": 1}]
    assert data["new_records"]["total"] == 2


def test_equal_figures_share_a_rank_and_the_next_rank_skips():
    rows = [{"name": n, "due": d, "done_rate": r, "on_time_rate": t}
            for n, d, r, t in (("甲", 2, 100.0, 50.0), ("乙", 2, 100.0, 50.0), ("丙", 1, 100.0, 100.0),
                               ("丁", 3, None, None))]
    assert [(r["rank"], r["name"]) for r in bulletins.rank(rows)] == [(1, "丙"), (2, "乙"), (2, "甲"), (4, "丁")]


def test_reading_the_figures_costs_the_same_queries_for_two_units_or_six(plan, make_item, count_queries):
    for key in ("sfj", "gaj"):
        make_item(key, due=date(2024, 5, 10))
    bulletins.figures(plan, MAY, now=AS_OF, ladder=LADDER)  # what is read once per transaction is read here
    with count_queries() as few:
        bulletins.figures(plan, MAY, now=AS_OF, ladder=LADDER)
    for key in ("jiaqu", "yiqu", "zjj", "wjw"):
        item = make_item(key, due=date(2024, 5, 10))
        record(item, 4, "通报", local(2024, 5, 20, 9, 0))
    db.session.flush()
    with count_queries() as more:
        data = bulletins.figures(plan, MAY, now=AS_OF, ladder=LADDER)
    assert len(data["units"]) == 6 and len(data["bulletin_units"]) == 4
    assert len(more) == len(few)


def test_the_scheduler_drafts_a_period_once_with_the_office_text_to_edit(plan):
    made = bulletins.prepare(plan, MAY, now=AS_OF)
    assert made is not None and made.status == BulletinStatus.DRAFT and made.number is None
    assert "2024年5月" in made.lead_text and made.closing_text
    assert bulletins.prepare(plan, MAY, now=AS_OF) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Bulletin)) == 1
    assert db.session.scalar(sa.select(Event.action).where(Event.entity_type == "bulletin")) == "bulletin.prepare"


def test_after_june_the_month_and_the_quarter_are_drafted(plan):
    assert bulletins.prepare_after_month("2024-06", now=AS_OF) == {"month": 1, "quarter": 1}
    assert bulletins.prepare_after_month("2024-06", now=AS_OF) == {}
    assert {(b.kind, b.period) for b in db.session.scalars(sa.select(Bulletin))} == {
        (BulletinKind.MONTH, "2024-06"), (BulletinKind.QUARTER, "2024-Q2")}


def test_a_month_outside_the_plan_gets_no_draft(plan):
    assert bulletins.prepare_after_month("2026-03", now=AS_OF) == {}


@pytest.fixture
def draft(plan, may):
    return bulletins.prepare(plan, MAY, now=AS_OF)


def test_the_office_edits_the_text_with_the_version_it_read_and_a_stale_one_is_refused(draft, office):
    version = draft.version
    bulletins.edit_text(draft, actor=office, lead_text="导语", closing_text=None, expected_version=version, now=AS_OF)
    assert (draft.lead_text, draft.version) == ("导语", version + 1) and draft.closing_text
    with pytest.raises(StaleVersion):
        bulletins.edit_text(draft, actor=office, lead_text="旧版本", closing_text=None, expected_version=version,
                            now=AS_OF)
    assert draft.lead_text == "导语"


@pytest.mark.parametrize("role, unit_key", [(Role.LEADER, "city"), (Role.UNIT_ADMIN, "sfj")])
def test_only_the_office_edits_or_issues(draft, make_user, role, unit_key):
    someone = make_user(role, unit_key)
    with pytest.raises(NotAllowed):
        bulletins.edit_text(draft, actor=someone, lead_text="x", closing_text=None, expected_version=draft.version,
                            now=AS_OF)
    with pytest.raises(NotAllowed):
        bulletins.issue(draft, actor=someone, expected_version=draft.version, now=AS_OF, ladder=LADDER)
    assert draft.status == BulletinStatus.DRAFT


def test_units_and_leaders_read_issued_bulletins_only_and_the_office_drafts_too(draft, office, make_user):
    unit_admin = make_user(Role.UNIT_MEMBER, "gaj")
    with pytest.raises(NotFound):
        bulletins.get_bulletin(draft.id, actor=unit_admin)
    assert bulletins.list_bulletins(actor=unit_admin) == [] and bulletins.list_bulletins(actor=office) == [draft]
    bulletins.issue(draft, actor=office, expected_version=draft.version, now=AS_OF, ladder=LADDER)
    assert bulletins.get_bulletin(draft.id, actor=unit_admin) is draft


def test_issuing_numbers_freezes_and_tells_the_leaders(draft, office, make_user, plan, make_item):
    leader = make_user(Role.LEADER, "city")
    bulletins.issue(draft, actor=office, expected_version=draft.version, now=AS_OF, ladder=LADDER,
                    notify_leaders=True)
    assert draft.status == BulletinStatus.ISSUED and draft.number == "督办通报〔2024〕1号"
    assert draft.data["totals"]["done"] == 3
    told = db.session.scalars(sa.select(Notification).where(Notification.kind == bulletins.BULLETIN_ISSUED)).all()
    assert [n.unit_id for n in told] == [leader.unit_id] and "督办通报〔2024〕1号" in told[0].text
    # later data changes nothing in the issued bulletin
    make_item("zjj", status=ItemStatus.DONE, due=date(2024, 5, 5))
    db.session.flush()
    later = datetime(2024, 7, 1, tzinfo=timezone.utc)
    assert bulletins.data_of(draft, now=later, ladder=LADDER)["totals"]["due"] == 4
    assert bulletins.figures(plan, MAY, now=later, ladder=LADDER)["totals"]["due"] == 5
    with pytest.raises(Invalid):
        bulletins.edit_text(draft, actor=office, lead_text="改", closing_text=None, expected_version=draft.version,
                            now=later)
    with pytest.raises(Invalid):
        bulletins.issue(draft, actor=office, expected_version=draft.version, now=later, ladder=LADDER)
    quarter = bulletins.prepare(plan, bulletins.parse_period("quarter", "2024-Q2"), now=later)
    bulletins.issue(quarter, actor=office, expected_version=quarter.version, now=later, ladder=LADDER)
    assert quarter.number == "督办通报〔2024〕2号"


def test_telling_the_leaders_queues_one_mail_for_their_units_address(draft, office, make_user, unit):
    make_user(Role.LEADER, "city")
    unit("city").emails = ["zhengfu@example.gov.cn"]
    bulletins.issue(draft, actor=office, expected_version=draft.version, now=AS_OF, ladder=LADDER,
                    notify_leaders=True)
    mails = db.session.scalars(sa.select(NotificationMail).where(
        NotificationMail.batch_key == notifications.batch_for(AS_OF))).all()
    assert [(m.unit_id, m.address, m.status) for m in mails] == [(unit("city").id, "zhengfu@example.gov.cn",
                                                                  DeliveryStatus.PENDING)]


def test_the_word_document_opens_and_names_the_units_with_their_figures(draft, office):
    bulletins.issue(draft, actor=office, expected_version=draft.version, now=AS_OF, ladder=LADDER)
    body, content_type, name = bulletin_docs.document_file(draft, "docx", now=AS_OF, ladder=LADDER)
    assert content_type == bulletin_docs.DOCX_CONTENT_TYPE and name == "督办通报〔2024〕1号_2024年5月督办工作通报.docx"
    document = Document(io.BytesIO(body))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2024年5月督办工作通报" in text and "督办通报〔2024〕1号" in text and draft.lead_text in text
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["1", "市公安局", "1", "1", "1", "0", "100%", "100%"] in cells
    assert ["2", "市司法局", "3", "2", "1", "1", "66.7%", "33.3%"] in cells
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋_GB2312"


def test_the_word_document_is_laid_out_as_gb_t_9704_sets_out_a_government_document(draft, office):
    """It was US Letter with Word's default margins (issue 20 point 10)."""
    bulletins.issue(draft, actor=office, expected_version=draft.version, now=AS_OF, ladder=LADDER)
    body, _type, _name = bulletin_docs.document_file(draft, "docx", now=AS_OF, ladder=LADDER)
    document = Document(io.BytesIO(body))
    (section,) = document.sections
    mm = [round(length.mm) for length in (section.page_width, section.page_height, section.top_margin,
                                          section.bottom_margin, section.left_margin, section.right_margin)]
    assert mm == [210, 297, 37, 35, 28, 26]  # A4; a type area of 156 × 225 mm
    normal = document.styles["Normal"]
    assert normal.font.size.pt == 16 and round(normal.paragraph_format.line_spacing.pt, 2) == 28.95  # 三号, 22 lines
    title = next(p for p in document.paragraphs if p.text == "2024年5月督办工作通报")
    (run,) = title.runs
    qn_east = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    assert run.font.size.pt == 22 and run._element.rPr.rFonts.get(qn_east) == "方正小标宋简体"  # 二号
    assert document.settings.odd_and_even_pages_header_footer
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        (paragraph,) = footer.paragraphs
        xml = paragraph._p.xml
        assert paragraph.text.replace(" ", "") == "——" and " PAGE " in xml and 'fldCharType="begin"' in xml
        assert paragraph.alignment == (2 if side == "right" else 0)
        assert all(r.font.size.pt == 14 for r in paragraph.runs)  # 四号


def test_the_pdf_opens_and_names_the_units_with_their_figures(draft):
    body, content_type, name = bulletin_docs.document_file(draft, "pdf", now=AS_OF, ladder=LADDER)
    assert content_type == "application/pdf" and name == "2024年5月督办工作通报(草稿).pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    for words in ("2024年5月督办工作通报", "市司法局", "市公安局", "66.7%", "33.3%", "通报〔2024〕7号"):
        assert words in text, words
    first = PdfReader(io.BytesIO(body)).pages[0]
    assert (round(float(first.mediabox.width)), round(float(first.mediabox.height))) == (595, 842)  # A4
    assert "— 1 —" in first.extract_text()
