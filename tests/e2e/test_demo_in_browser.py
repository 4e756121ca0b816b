"""The demo in a real browser: its dashboard says 演示数据 and shows the demo's day."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.demo.demo_helpers import build_demo
from tests.e2e.e2e_helpers import served_demo, shoot, signed_in

UNTIL = date(2023, 2, 28)


@pytest.fixture
def demo_url(tmp_path: Path) -> Iterator[tuple[str, str]]:
    with served_demo(*build_demo(tmp_path, UNTIL)) as served:
        yield served


def test_the_demo_dashboard_shows_the_banner(browser: Any, demo_url: tuple[str, str]) -> None:
    url, password = demo_url
    with signed_in(browser, url, "office", password) as page:
        page.goto("/dashboard")
        banner = page.locator(".demo-banner")
        banner.wait_for(state="visible")
        assert "演示数据" in banner.inner_text() and UNTIL.isoformat() in banner.inner_text()
        shoot(page, "demo-dashboard")
