"""A leader's home on the demo at its default day, in a real browser: the city's overdue and lights, the units
furthest behind with their base, the week's 督办 and 通报, the 批示 waiting, a way on to the dashboard. Its
screenshot is the README's (docs/screens/leader-home.png)."""
from __future__ import annotations

import re
from typing import Any

from tests.e2e.e2e_helpers import shoot, signed_in


def test_the_leader_reads_where_the_city_stands_on_the_home_page(browser: Any, demo_copy: tuple[str, str]) -> None:
    url, password = demo_copy
    with signed_in(browser, url, "leader", password) as page:
        page.goto("/")
        figures = page.inner_text("#city-figures")
        red = int(page.inner_text("#city-figures .num-red b"))
        assert red > 0, "the demo on its default day has overdue items"
        assert re.search(r"\d+/\d+ \([\d.<>]+%\)", figures), "rates carry their base"
        behind = page.locator("#city-behind ol li")
        assert behind.count() >= 3
        assert all(re.search(r"按期办结 \d+/\d+ \(", line) for line in behind.all_inner_texts())
        assert page.locator("#city-instructions").is_visible()
        assert page.locator("#city-week").is_visible()
        assert page.locator("table.counts").count() == 0
        shoot(page, "leader-home")
        with page.expect_navigation():
            page.click("#city a:has-text('完整统计看板')")
        assert page.url.endswith("/dashboard")
        assert re.search(r"\d+/\d+ \([\d.<>]+%\)", page.inner_text("#rates"))
