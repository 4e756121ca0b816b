"""A unit's figure in a real browser: the unit reports it with evidence, the office returns it with a reason from
its queue, the unit reports again and the office accepts; the figure is then judged against the target."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Indicator, Plan, Unit, User
from tracker.services.plan import plans

from .conftest import NOW, City
from .e2e_helpers import log_in, log_out, shoot, tiny_png


def lectures_with_a_target_of_four() -> tuple[int, int]:
    """The lectures indicator (task 1, yearly, reported by city departments) with its target set; and 市司法局."""
    indicator = db.session.execute(sa.select(Indicator).where(Indicator.key == "lectures")).scalar_one()
    office = db.session.execute(sa.select(User).where(User.username == "e2e_office")).scalar_one()
    plans.set_parameters(db.session.execute(sa.select(Plan)).scalar_one(), actor=office,
                         values={indicator.target_parameter_id: "4"}, now=NOW)
    sfj = db.session.execute(sa.select(Unit.id).where(Unit.key == "sfj")).scalar_one()
    found = (indicator.id, sfj)
    db.session.commit()
    db.session.close()
    return found


def report(page: Any, history: str, value: str, note: str, evidence=None) -> None:
    page.goto(history)
    page.fill("#report-figure input[name=value]", value)
    page.fill("#report-figure textarea[name=note]", note)
    if evidence is not None:
        page.set_input_files("#report-figure input[type=file]", str(evidence))
    with page.expect_navigation():
        page.click("#report-figure button[type=submit]")
    assert f"的数值 {value}次,等待办公室审核" in page.inner_text("#flash"), page.inner_text("main")[:200]


def decide(page: Any, decision: str, reason: str = "") -> str:
    """The office decides from the queue of figures; the row is swapped for its words in place: those words."""
    page.goto("/indicators?period=2023")
    row = page.locator("#pending-figures .review-row", has_text="市司法局")
    anchor = row.get_attribute("id")
    if reason:
        row.locator("input[name=reason]").fill(reason)
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator(f"button[value={decision}]").click()
    decided = page.locator(f"#{anchor}.decided")
    decided.wait_for()
    return decided.inner_text()


def test_a_unit_reports_a_figure_the_office_returns_it_then_accepts_the_corrected_one(
        page: Any, city: City, tmp_path) -> None:
    indicator_id, sfj = lectures_with_a_target_of_four()
    history = f"/indicators/{indicator_id}/history?unit={sfj}&period=2023"

    log_in(page, "e2e_sfj")
    report(page, history, "3", "一季度已举办 3 次", tiny_png(tmp_path / "讲座签到表.png"))
    assert page.locator("#figure-history img.thumb").count() == 1
    log_out(page)

    log_in(page, "e2e_office")
    assert "已退回市司法局" in decide(page, "return", "请补充第四次讲座的材料")
    log_out(page)

    log_in(page, "e2e_sfj")
    page.goto(history)
    assert "请补充第四次讲座的材料" in page.inner_text("#figure-history")
    report(page, history, "4", "已补充第四次讲座")
    log_out(page)

    log_in(page, "e2e_office")
    assert "已采用:市司法局" in decide(page, "accept")
    page.goto("/indicators?period=2023&indicator=" + str(indicator_id))
    row = page.locator("#indicator-table tr", has_text="市司法局")
    assert "达标" in row.inner_text() and "4" in row.inner_text()
    assert page.locator("#pending-figures").count() == 0
    shoot(page, "indicators")
