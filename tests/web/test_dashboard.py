"""The dashboard page for every role: SVG charts with their numbers, a unit's own figures only."""
from __future__ import annotations

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
    assert f'/board?unit={unit_id}&amp;light=red' in html or f'/board?light=red&amp;unit={unit_id}' in html
    assert html.count('class="trend trend-') == 2
