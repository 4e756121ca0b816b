"""The office's reading pages in a real browser: the dashboard (screenshot for the artifacts)."""
from __future__ import annotations

from tracker.models import ItemStatus

from .e2e_helpers import log_in, shoot


def test_the_office_reads_the_dashboard(page, city):
    city.card("d", "仪表盘事项", status=ItemStatus.DONE)
    log_in(page, "e2e_office")
    page.goto("/dashboard")
    assert page.locator("svg.trend polyline.line-done").count() == 1
    assert page.locator("svg.bar").count() > 5
    assert "单位排名" in page.inner_text("main")
    shoot(page, "dashboard")
