"""A unit on its phone (390×844, the width of a common phone): no page pans sideways, the navigation fits behind
a menu, and the board scrolls its columns inside itself. Screenshots go to the artifacts (copied to docs/)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from tracker.models import ItemStatus

from .e2e_helpers import log_in, shoot

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any, live_url: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_url, viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    missing: list[str] = []
    opened.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    yield opened
    context.close()
    assert missing == [], f"the browser asked for files that are not there (favicon?): {missing}"


def pans_sideways(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def navigation_fits(page: Any) -> None:
    """The header is one line with a menu button; opened, every link is on its own line, none cut or wrapped."""
    header = page.locator("header.top").bounding_box()
    assert header["height"] < PHONE["height"] * 0.12
    page.click("header .menu-toggle")
    links = page.locator("nav.main-nav a")
    assert links.count() >= 5
    for index in range(links.count()):
        box = links.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] < 30, f"{links.nth(index).inner_text()} wraps"
    assert not pans_sideways(page)
    page.click("header .menu-toggle")


@pytest.mark.parametrize("path", ["/board", "/dashboard", "/ledger", "/office", "/indicators"])
def test_office_pages_fit_a_phone_without_panning(phone, city, path):
    city.card("a", "手机上的一项工作,标题较长以便检查换行是否正常" * 2, due=date(2023, 3, 1),
              status=ItemStatus.IN_PROGRESS)
    city.card("s", "待审核的事项", status=ItemStatus.SUBMITTED)
    city.record("a", "逾期 16 天,已发督办通知")
    log_in(phone, "e2e_office")
    phone.goto(path)
    assert not pans_sideways(phone), phone.evaluate("document.documentElement.scrollWidth")
    navigation_fits(phone)
    cut = phone.evaluate("[...document.querySelectorAll('main table:not(.trend-table)')]"
                         ".filter(t => t.getBoundingClientRect().right > innerWidth).length")
    assert cut == 0, "a table's last column (逾期) is cut off"
    shoot(phone, "phone" + path.replace("/", "-"))


def test_a_unit_reads_its_item_and_board_on_a_phone(phone, city):
    city.card("a", "单位在手机上办理的事项", due=date(2023, 3, 1), status=ItemStatus.IN_PROGRESS)
    city.record("a", "逾期 16 天,已发督办通知")
    log_in(phone, "e2e_sfj")
    phone.goto(f"/items/{city.cards['a']}")
    assert not pans_sideways(phone)
    navigation_fits(phone)
    shoot(phone, "phone-item")
    phone.goto("/board")
    assert not pans_sideways(phone)
    board = phone.locator(".columns").first
    assert board.evaluate("el => el.scrollWidth > el.clientWidth"), "the columns scroll inside the board"
    assert phone.locator(".column").first.bounding_box()["width"] < PHONE["width"]


def test_the_navigation_marks_the_current_page(page, city):
    log_in(page, "e2e_office")
    page.goto("/ledger")
    assert page.locator("nav.main-nav a[aria-current=page]").inner_text() == "督办台账"
    page.goto("/admin/users")
    assert page.locator("nav.main-nav a[aria-current=page]").count() == 1
    assert page.locator("nav.main-nav a[href='/password']").count() == 1


def test_the_boards_filters_wait_behind_a_filters_button_on_a_phone(phone, city):
    """Issue 20 (12): the board's filters filled the phone's first screen; now the cards start under 筛选."""
    city.card("a", "手机看板上的事项", status=ItemStatus.IN_PROGRESS)
    log_in(phone, "e2e_sfj")
    phone.goto("/board")
    toggle = phone.locator(".filters-toggle")
    assert toggle.is_visible() and not phone.locator("#board-filters").is_visible()
    assert phone.locator(".card").first.bounding_box()["y"] < PHONE["height"] / 2, "cards on the first screen"
    toggle.click()
    assert phone.locator("#board-filters").is_visible() and toggle.get_attribute("aria-expanded") == "true"
    phone.select_option("#board-filters select[name=light]", "red")
    phone.wait_for_url("**/board?*light=red*")
    phone.reload()  # the board's URL keeps the filter; the button says one is on, the filters stay closed
    assert "(1)" in phone.locator(".filters-toggle").inner_text()
    assert not phone.locator("#board-filters").is_visible()


def test_the_boards_filters_stay_open_on_a_desktop(page, city):
    log_in(page, "e2e_sfj")
    page.goto("/board")
    assert page.locator("#board-filters").is_visible() and not page.locator(".filters-toggle").is_visible()


def test_the_indicators_page_is_compact_on_a_phone(phone, city):
    """Issue 20 (12): 指标 was 41,117 px long on a phone, seven labelled lines a unit's period; now one line
    under its indicator's name, said once."""
    log_in(phone, "e2e_office")
    phone.goto("/indicators?period=2023")
    rows = phone.locator("table.indicators tbody tr")
    assert rows.count() > 100
    tallest = phone.evaluate("Math.max(...[...document.querySelectorAll('table.indicators tbody tr')]"
                             ".map(r => r.getBoundingClientRect().height))")
    assert tallest < 70, f"a unit's period takes {tallest} px"
    one_line = phone.evaluate("Math.max(...[...document.querySelectorAll('table.indicators tr.same-indicator')]"
                              ".map(r => r.getBoundingClientRect().height))")
    assert one_line < 35, f"a unit's period under its indicator takes {one_line} px"
    height = phone.evaluate("document.documentElement.scrollHeight")
    assert height < rows.count() * 35 + 3_000, height
    assert not pans_sideways(phone)
    assert not phone.locator("#indicator-filters").is_visible()  # behind 筛选, as on the board
    phone.locator("table.indicators tbody tr a").first.click()  # the unit's name opens the cell's history
    phone.wait_for_url("**/indicators/*/history*")
