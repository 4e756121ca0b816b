"""The scores page on the demo at its default day, in a real browser: a spread of 2024 scores, 2023 frozen, and a
deduction's link opening the record it stands for. Its screenshot is the README's (docs/screens/assessment.png)."""
from __future__ import annotations

from typing import Any

from tests.e2e.e2e_helpers import shoot, signed_in


def test_the_office_reads_the_2024_ranking_and_follows_a_deduction_to_its_record(
        browser: Any, demo_copy: tuple[str, str]) -> None:
    url, password = demo_copy
    with signed_in(browser, url, "office", password) as page:
        page.goto("/assessment?year=2024")
        scores = page.locator("#ranking tbody tr td:nth-child(3)").all_inner_texts()
        assert len(scores) > 20 and len(set(scores)) > 10
        # On 31 December the year's figures are still due: the scores are provisional and cannot be frozen yet.
        assert "得分暂定" in page.inner_text("#provisional") and page.locator("#freeze-form").count() == 0
        shoot(page, "assessment")
        page.goto("/assessment?year=2023")
        assert "已定稿" in page.locator("main").inner_text()
        page.goto("/assessment?year=2024")
        link = page.locator("ul.facts a[href*='#record-']").first
        anchor = link.get_attribute("href").split("#")[1]
        page.locator("details", has=link).first.locator("summary").click()
        link.click()
        page.wait_for_url(lambda address: "/items/" in address)
        assert page.locator(f"#{anchor}").is_visible()
        page.wait_for_load_state("networkidle")  # evidence images still loading would be cut off at teardown
