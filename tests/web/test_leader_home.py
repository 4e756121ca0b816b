"""A leader's home: the city's overdue and lights, the units furthest behind (judged on what was due to them),
the week's 督办 and 通报, the 批示 waiting to be carried out; and rates that say their base."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import time_machine

from tracker.extensions import db
from tracker.models import AccountabilityRecord, ItemStatus
from tracker.services.work import instructions
from tracker.services.assessment.dashboard import Rate, Row, ranking, tally_by

DAY = "2023-04-05 10:00:00+08:00"  # the last seven days began on 2023-03-30
ISSUED = datetime(2023, 4, 4, 2, 0, tzinfo=timezone.utc)


def section(html: str, ident: str) -> str:
    start = html.index(f'id="{ident}"')
    return html[start:html.index("</section>", start)]


def supervision(item, level: int = 3, name: str = "督办", number: str | None = None) -> None:
    db.session.add(AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=level, level_name=name,
                                        due_date=item.due_date, reason="逾期未办结", issued_at=ISSUED,
                                        answer_due=date(2023, 4, 11) if level == 3 else None, doc_number=number))
    db.session.flush()


def test_rates_say_their_base_and_nothing_due_is_no_rate():
    assert Rate(2, 825).shown == "2/825 (0.2%)"
    assert Rate(1, 4).shown == "1/4 (25%)" and Rate(0, 825).shown == "0/825 (0%)"
    assert Rate(1, 5000).shown == "1/5000 (<0.1%)" and Rate(4999, 5000).shown == "4999/5000 (>99.9%)"
    assert Rate(0, 0).shown is None


def test_a_unit_with_nothing_due_is_not_ranked():
    today = date(2024, 1, 10)
    rows = [Row(1, 1, 1, date(2024, 1, 5), None), Row(1, 1, 2, date(2025, 1, 1), None),
            Row(1, 1, 3, date(2024, 1, 1), date(2024, 1, 1))]
    assert ranking(tally_by(rows, lambda r: r.unit_id, today=today)) == [1, 3]


def test_the_leaders_home_shows_overdue_lights_units_behind_the_week_and_instructions_waiting(
        sign_in, people, make_item):
    with time_machine.travel(DAY, tick=False):
        late = make_item("sfj", due=date(2023, 3, 1), status=ItemStatus.IN_PROGRESS, title="逾期未办结的工作")
        make_item("sfj", due=date(2023, 4, 8), status=ItemStatus.IN_PROGRESS, title="即将到期的工作")
        supervision(late, number="督办〔2023〕1号")
        instructions.instruct(late, actor=people["leader"], text="请市司法局本周内办结", now=ISSUED)
        html = sign_in(people["leader"]).get("/").get_data(as_text=True)
    figures = section(html, "city-figures")
    red, yellow = (int(n) for n in re.findall(r"<b>(\d+)</b>", figures)[:2])
    assert red >= 1 and yellow >= 1
    assert re.search(r"\d+/\d+ \([\d.<>]+%\)", figures), "rates carry their base"
    behind = section(html, "city-behind")
    assert "市司法局" in behind and "逾期" in behind
    week = section(html, "city-week")
    assert "督办" in week and "逾期未办结的工作" in week and "督办〔2023〕1号" in week
    waiting = section(html, "city-instructions")
    assert "请市司法局本周内办结" in waiting and "逾期未办结的工作" in waiting
    assert 'href="/dashboard"' in html
    assert 'class="counts"' not in html, "no more bare column counts for a leader"


def test_a_units_home_keeps_its_own_column_counts(sign_in, people):
    html = sign_in(people["sfj_admin"]).get("/").get_data(as_text=True)
    assert 'class="counts"' in html and 'id="city"' not in html


def test_the_leaders_home_costs_the_same_queries_with_more_records_and_instructions(
        sign_in, people, make_item, count_queries):
    with time_machine.travel(DAY, tick=False):
        client = sign_in(people["leader"])
        first = make_item("sfj", due=date(2023, 3, 1), status=ItemStatus.IN_PROGRESS)
        supervision(first)
        instructions.instruct(first, actor=people["leader"], text="批示一", now=ISSUED)
        client.get("/")
        with count_queries() as few:
            client.get("/")
        for unit_key in ("gaj", "sfj", "gaj", "sfj"):
            more = make_item(unit_key, due=date(2023, 3, 2), status=ItemStatus.IN_PROGRESS)
            supervision(more)
            supervision(more, level=4, name="通报")
            instructions.instruct(more, actor=people["leader"], text="批示二", now=ISSUED)
        db.session.commit()  # the new items are announced to live pages here, not inside the page measured
        with count_queries() as many:
            client.get("/")
    selects = [[q for q in found if q.lstrip().upper().startswith("SELECT")] for found in (few, many)]
    assert len(selects[1]) == len(selects[0]) <= 16


def test_the_dashboard_does_not_rank_a_unit_with_nothing_due_nor_show_it_at_zero(sign_in, people, make_item):
    with time_machine.travel(DAY, tick=False):
        make_item("office", due=date(2025, 12, 31), title="办公室远期工作")
        html = sign_in(people["office"]).get("/dashboard").get_data(as_text=True)
    row = next(r for r in section(html, "unit-figures").split("<tr>") if ">领导小组办公室<" in r)
    assert "0%" not in row and "尚无到期事项" in row
    assert "办公室" in html[html.index('id="units-not-due"'):]
    rates = html[html.index('id="rates"'):html.index("</p>", html.index('id="rates"'))]
    assert re.search(r"<b>\d+/\d+ \([\d.<>]+%\)</b>", rates) and "<b>0%</b>" not in rates
