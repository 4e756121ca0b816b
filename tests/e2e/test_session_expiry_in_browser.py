"""A session that expires while someone writes loses nothing: the login says the session ended, logging in
returns to the page, the drafted progress report is back in its form, and a successful report clears it."""
from __future__ import annotations

from tracker.models import ItemStatus

from .e2e_helpers import PASSWORD, log_in, log_out


def draft_of(page, form: str) -> str | None:
    return page.evaluate(f"sessionStorage.getItem('draft:' + location.pathname + location.search + ':{form}')")


def test_a_progress_report_drafted_before_the_session_expired_is_back_after_logging_in(page, city):
    city.card("d", "草稿保留事项", status=ItemStatus.IN_PROGRESS)
    card_id = city.cards["d"]
    log_in(page, "e2e_sfj")
    page.goto(f"/items/{card_id}")
    page.click("summary:has-text('报送进展')")
    form = page.locator("form[data-draft=progress]")
    form.locator("textarea[name=text]").fill("已完成三场专题培训,正在整理签到表")
    form.locator("input[name=percent]").fill("60")
    assert "三场专题培训" in (draft_of(page, "progress") or "")

    city.end_sessions()
    with page.expect_navigation(url=lambda url: "/login?next=" in url):
        form.locator("button[type=submit]").click()
    assert page.inner_text("#session-ended") == "登录已超时,请重新登录"
    page.fill("input[name=username]", "e2e_sfj")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation(url=lambda url: url.endswith(f"/items/{card_id}")):
        page.click("main form button[type=submit]")

    form = page.locator("form[data-draft=progress]")
    assert form.locator("textarea[name=text]").input_value() == "已完成三场专题培训,正在整理签到表"
    assert form.locator("input[name=percent]").input_value() == "60"
    assert form.is_visible(), "the restored form is opened"

    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "已完成三场专题培训" in page.inner_text("#progress")
    assert draft_of(page, "progress") is None, "a report that went through leaves no draft"


def test_logging_out_leaves_no_draft_for_the_next_person_in_the_tab(page, city):
    city.card("o", "退出清草稿事项", status=ItemStatus.IN_PROGRESS)
    log_in(page, "e2e_sfj")
    page.goto(f"/items/{city.cards['o']}")
    page.click("summary:has-text('报送进展')")
    page.locator("form[data-draft=progress] textarea[name=text]").fill("尚未报送的草稿")
    assert draft_of(page, "progress")
    log_out(page)
    page.wait_for_url(lambda url: "/login" in url)
    assert page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('draft:')).length") == 0
