"""Issue 12's scenario in a real browser: the office assigns an ad-hoc item to a county with one cooperating
department; the county splits it among three subordinate units; a township submits, the county returns it with a
reason, then approves it; the county cancels the other two parts with a reason; the cooperating department marks
its part done; the county submits the parent; the office approves; a leader's 批示 on the item shows on the
county's item page."""
from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from .e2e_helpers import log_in, shoot

from tracker.extensions import db
from tracker.models import ItemStatus, Role, Unit, WorkItem


@pytest.fixture
def as_user(browser: Any, live_url: str) -> Any:
    contexts: list[Any] = []

    def open_as(username: str) -> Any:
        context = browser.new_context(base_url=live_url, viewport={"width": 1400, "height": 900}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        log_in(page, username)
        return page

    yield open_as
    for context in contexts:
        context.close()


def submit_via_dialog(page: Any, report: str, to: str = "submitted") -> None:
    """A move that asks for words first (a closing report, a reason to return), from the item page's dialog."""
    page.click(f'button[hx-get*="move-form"][hx-get*="to={to}"]')
    page.fill("#dialog textarea[name=note]", report)
    with page.expect_navigation():
        page.click("#dialog button[type=submit]")


def post_form(page: Any, selector: str, fields: dict[str, str], button: str = "button[type=submit]") -> None:
    form = page.locator(selector)
    details = form.locator("xpath=ancestor::details")
    if details.count() and not details.evaluate("d => d.open"):
        details.locator("summary").click()
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    with page.expect_navigation():
        form.locator(button).click()


def status_of(app: Any, item_id: int) -> ItemStatus:
    with app.app_context():
        status = db.session.scalar(sa.select(WorkItem.status).where(WorkItem.id == item_id))
        db.session.close()
        return status


def test_an_ad_hoc_item_is_split_reviewed_and_closed_across_units(city, committed_app, as_user):
    for username, role, unit_key in (("e2e_jiaqu", Role.UNIT_ADMIN, "jiaqu"),
                                     ("e2e_dongcheng", Role.UNIT_ADMIN, "jiaqu_dongcheng"),
                                     ("e2e_leader", Role.LEADER, "city")):
        with committed_app.app_context():
            city.user(username, role, unit_key)
            db.session.commit()
            db.session.close()

    with committed_app.app_context():
        unit_ids = dict(db.session.execute(sa.select(Unit.key, Unit.id)).all())
        db.session.close()
    office = as_user("e2e_office")
    office.goto("/office/#ad-hoc")
    form = office.locator("#ad-hoc form")
    form.locator("select[name=source]").select_option("meeting")
    form.locator("[name=source_ref]").fill("市政府第12次常务会议")
    form.locator("[name=title]").fill("浏览器场景:执法检查")
    form.locator("[name=due_date]").fill("2025-06-30")
    form.locator("select[name=lead_unit_id]").select_option(str(unit_ids["jiaqu"]))
    form.locator(f"input[name=cooperating_unit_ids][value='{unit_ids['sfj']}']").check()
    with office.expect_navigation(url=re.compile(r"/items/\d+$")):
        form.locator("button[type=submit]").click()
    parent_id = int(office.url.rsplit("/", 1)[1])

    county = as_user("e2e_jiaqu")
    county.goto(f"/items/{parent_id}")
    with county.expect_navigation():
        county.locator('section.actions form[action$="/move"] button').first.click()
    county.locator("details:has(form[action$='/split']) summary").click()
    for key in ("东城街道", "西城街道", "甲区司法局"):
        county.get_by_label(key).check()
    with county.expect_navigation():
        county.locator("form[action$='/split'] button[type=submit]").click()
    with committed_app.app_context():
        children = dict(db.session.execute(sa.select(WorkItem.unit_id, WorkItem.id).where(
            WorkItem.parent_id == parent_id)).all())
        db.session.close()
    east, west, dept = (children[unit_ids[key]] for key in ("jiaqu_dongcheng", "jiaqu_xicheng", "jiaqu_sfj"))

    township = as_user("e2e_dongcheng")
    township.goto(f"/items/{east}")
    with township.expect_navigation():
        township.locator('section.actions form[action$="/move"] button').first.click()
    submit_via_dialog(township, "已完成自查")
    # The county reviews its township's part from its own queue (issue 20 point 2), in place.
    county.goto("/")
    assert "待审核" in county.inner_text("#todo-to_review")
    with county.expect_navigation():
        county.click("nav a[href='/review']")
    row = county.locator(f"#review-{east}")
    assert "已完成自查" in row.inner_text()
    shoot(county, "splitting-queue")
    row.locator("[name=reason]").fill("缺少台账")
    row.locator("button[value=return]").click()
    county.wait_for_selector(f"#review-{east}.decided")
    assert county.inner_text(f"#review-{east}").startswith("已退回:")
    assert status_of(committed_app, east) == ItemStatus.IN_PROGRESS
    township.goto("/notifications")
    assert "被甲区政府退回:缺少台账" in township.inner_text("main")
    township.goto(f"/items/{east}")
    assert "甲区政府退回理由: 缺少台账" in township.inner_text("main")
    submit_via_dialog(township, "已补充台账")
    county.goto(f"/items/{east}")
    with county.expect_navigation():
        county.locator("section.actions form:has(input[name=to][value=done]) button").click()
    assert status_of(committed_app, east) == ItemStatus.DONE
    for other in (west, dept):
        county.goto(f"/items/{other}")
        post_form(county, "form[action$='/cancel']", {"reason": "经核实无需办理"})

    department = as_user("e2e_sfj")
    department.goto(f"/items/{parent_id}")
    post_form(department, "form[action$='/part-done']", {"note": "已完成法制审核"})

    county.goto(f"/items/{parent_id}")
    submit_via_dialog(county, "全部完成")
    office.goto(f"/items/{parent_id}")
    with office.expect_navigation():
        office.locator('section.actions form[action$="/move"]:has(input[value=done]) button').click()
    assert status_of(committed_app, parent_id) == ItemStatus.DONE

    leader = as_user("e2e_leader")
    leader.goto(f"/items/{parent_id}")
    post_form(leader, "form[action$='/instructions']", {"text": "办得好,总结经验"})
    county.goto(f"/items/{parent_id}")
    assert "办得好,总结经验" in county.inner_text("main")
    shoot(county, "work-shapes-item")
