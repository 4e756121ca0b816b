"""The dashboard page for every role: SVG charts with their numbers, a unit's own figures only."""
from __future__ import annotations

import re
from datetime import date

import pytest

from tracker.models import ItemStatus


@pytest.mark.parametrize("role", ["office", "leader", "sfj_admin", "sfj_member"])
def test_every_role_gets_the_dashboard_with_charts_and_numbers(sign_in, people, role):
    page = sign_in(people[role]).get("/dashboard")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in html and 'class="bar-done"' in html and "polyline" in html
    assert "按阶段" in html and "逐周" in html


def test_a_unit_sees_no_other_unit_in_the_ranking(sign_in, people):
    html = sign_in(people["sfj_admin"]).get("/dashboard").get_data(as_text=True)
    assert "市司法局" in html and "市公安局" not in html


def test_the_office_sees_every_unit_with_work(sign_in, people):
    html = sign_in(people["office"]).get("/dashboard").get_data(as_text=True)
    assert "市司法局" in html and "市公安局" in html


def test_the_dashboard_shows_rates_over_what_was_due_and_links_each_units_figures(sign_in, people, make_item):
    make_item("sfj", due=date(2023, 3, 1), status=ItemStatus.IN_PROGRESS, title="逾期未办结")
    html = sign_in(people["office"]).get("/dashboard").get_data(as_text=True)
    assert "按期办结率" in html and "逾期率" in html and 'id="unit-figures"' in html
    unit_id = people["sfj_admin"].unit_id
    assert f'/board?unit={unit_id}&amp;figure=overdue' in html or f'/board?figure=overdue&amp;unit={unit_id}' in html
    assert html.count('class="trend trend-') == 2


def _board_count(client, href: str) -> int:
    html = client.get(href.replace("&amp;", "&")).get_data(as_text=True)
    totals = html[html.index('class="board-totals"'):html.index('class="board-export"')]
    return sum(int(n) for n in re.findall(r"<b>(\d+)</b>", totals))


def test_each_units_figure_links_to_a_board_of_exactly_its_items(sign_in, people, make_item):
    make_item("sfj", due=date(2023, 3, 1), status=ItemStatus.DONE, title="逾期办结")
    make_item("sfj", status=ItemStatus.DONE, title="按期办结")
    make_item("sfj", due=date(2023, 3, 1), status=ItemStatus.IN_PROGRESS, title="逾期未办结")
    client = sign_in(people["office"])
    html = client.get("/dashboard").get_data(as_text=True)
    unit_id = people["sfj_admin"].unit_id
    row = next(r for r in html.split("<tr>") if f'/board?unit={unit_id}"' in r)
    linked = {figure: (href, int(n))
              for href, figure, n in re.findall(r'<a href="(/board\?[^"]*figure=(\w+)[^"]*)">(\d+)</a>', row)}
    assert set(linked) == {"due", "done_on_time", "done_late", "overdue"}
    assert all(number > 0 for _href, number in linked.values())
    for figure, (href, number) in linked.items():
        assert _board_count(client, href) == number, figure
    assert _board_count(client, f"/board?unit={unit_id}") > linked["done_late"][1]


def test_up_and_down_are_offered_only_on_a_board_in_the_order_people_arranged(sign_in, people, make_item):
    make_item("sfj", title="排序事项")
    client = sign_in(people["sfj_admin"])
    assert 'class="board hand-sorted"' in client.get("/board?sort=position").get_data(as_text=True)
    assert "hand-sorted" not in client.get("/board").get_data(as_text=True)
    css = client.get("/static/app.css")
    assert ".board:not(.hand-sorted) [data-move-step] { display: none; }" in css.get_data(as_text=True)
    css.close()
