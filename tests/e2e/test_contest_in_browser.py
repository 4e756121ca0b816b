"""退办 / 异议 in the browser: 市司法局 contests an item it was given, naming 市公安局; the card shows 异议中; the
office upholds it from 我的待办 and the item is 市公安局's."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from .conftest import NOW
from .e2e_helpers import log_in, log_out, shoot


@pytest.fixture
def on_the_day_of_the_assignment(committed_app: Flask) -> Iterator[None]:
    """The server's clock stopped on the day the city's cards were assigned, inside the window to contest."""
    committed_app.config["TRACKER_CLOCK_AT"] = NOW
    yield
    committed_app.config.pop("TRACKER_CLOCK_AT")


def test_a_unit_contests_and_the_office_upholds_it(page, city, on_the_day_of_the_assignment):
    city.card("c", "交办有误的事项")
    card_id = city.cards["c"]
    log_in(page, "e2e_sfj")
    page.goto(f"/items/{card_id}")
    contests = page.locator("#contests")
    assert "2023-04-13 前" in contests.locator(".contest-window").inner_text()
    contests.locator("summary").click()
    contests.locator("textarea[name=reason]").fill("应由市公安局牵头")
    choice = contests.locator("select[name=proposed_unit_id] option", has_text="市公安局").first
    contests.locator("select[name=proposed_unit_id]").select_option(choice.get_attribute("value"))
    contests.locator("form button[type=submit]").click()
    page.locator(".item-status .mark.contested").wait_for()
    assert "异议中" in page.locator("#contests").inner_text()
    page.goto("/board?q=交办有误")
    assert "异议中" in page.locator(f"#card-{card_id}").inner_text()
    log_out(page)

    log_in(page, "e2e_office")
    page.goto("/todo/contests")
    entry = page.locator("li", has_text="交办有误的事项")
    assert "应由市公安局牵头" in entry.inner_text()
    shoot(page, "contest-queue")
    entry.locator("input[value=uphold]").check()
    entry.locator("textarea[name=note]").fill("同意,改由市公安局牵头")
    entry.locator("button[type=submit]").click()
    page.wait_for_url("**/todo/contests")
    assert page.locator("li", has_text="交办有误的事项").count() == 0
    page.goto(f"/items/{card_id}")
    assert "市公安局" in page.locator("dl.facts dd").first.inner_text()
    assert "异议成立" in page.locator("#contests").inner_text()
