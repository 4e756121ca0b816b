"""The 督办 loop in a real browser: the office returns an item and the unit's bell counts up; the unit opens the
notification, answers its 督办 from the to-do list; the office closes the answer from its 待核销 queue."""
from __future__ import annotations

from datetime import date

from tracker.models import ItemStatus

from .e2e_helpers import log_in, shoot


def bell(page) -> int:
    return int(page.inner_text("#bell-count"))


def test_a_unit_hears_of_a_return_answers_its_notice_and_the_office_closes_it(page, browser, live_url, city):
    city.card("returned", "退回通知事项", status=ItemStatus.SUBMITTED)
    city.card("late", "督办答复事项", due=date(2023, 3, 1), status=ItemStatus.IN_PROGRESS)
    city.record("late", "逾期 16 天,已发督办通知")
    log_in(page, "e2e_sfj")
    before = bell(page)

    office_context = browser.new_context(base_url=live_url, viewport={"width": 1400, "height": 900},
                                         locale="zh-CN")
    office = office_context.new_page()
    log_in(office, "e2e_office")
    office.goto("/office/")
    row = office.locator(".review-row", has_text="退回通知事项")
    row.locator("input[name=reason]").fill("请补充会议纪要")
    row.locator("button[value=return]").click()
    office.wait_for_selector("text=已退回")

    page.reload()
    assert bell(page) == before + 1
    page.click("#bell")
    page.click("button.link:has-text('请补充会议纪要')")
    page.wait_for_url(lambda url: "/items/" in url)
    assert "退回通知事项" in page.inner_text("main")

    page.goto("/")
    page.locator("#todo-to_answer a", has_text="督办答复事项").click()
    page.wait_for_url(lambda url: "/items/" in url)
    page.fill("#answer-form textarea[name=explanation]", "人员调整导致延误,已补齐材料")
    page.fill("#answer-form input[name=remedy_date]", "2099-01-31")
    page.click("#answer-form button[type=submit]")
    page.wait_for_selector("text=已答复,待核销")
    shoot(page, "ledger-answered")

    office.goto("/office/")
    line = office.locator("#to-close tr", has_text="督办答复事项")
    line.locator("input[type=checkbox]").check()
    office.fill("#close-many input[name=note]", "已整改到位")
    office.click("#close-many button:has-text('核销所选记录')")
    office.wait_for_selector("text=已核销 1 条记录")
    assert office.locator("#to-close tr", has_text="督办答复事项").count() == 0
    shoot(office, "ledger-closed")
    office_context.close()
