"""The office's 通报 in a real browser: edit the draft's lead paragraph, issue it after the confirmation, and
read it numbered, with the units' figures (screenshot for the artifacts)."""
from __future__ import annotations

from typing import Any

from tracker.extensions import db
from tracker.models import Plan
from tracker.services.assessment import bulletins

from .conftest import NOW, City
from .e2e_helpers import log_in, shoot


def test_the_office_edits_and_issues_a_months_bulletin(page: Any, city: City) -> None:
    plan = db.session.query(Plan).one()
    bulletins.prepare(plan, bulletins.parse_period("month", "2023-03"), now=NOW)
    db.session.commit()
    db.session.close()
    log_in(page, "e2e_office")
    page.goto("/bulletins")
    page.click("text=2023年3月督办工作通报")
    page.fill("textarea[name=lead_text]", "三月份全市依法行政各项任务有序推进。")
    page.click("text=保存文字")
    page.wait_for_selector("text=通报文字已保存。")
    assert "三月份全市依法行政各项任务有序推进。" in page.locator("#bulletin-doc").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form.issue-form button[type=submit]")
    page.wait_for_selector(".flash >> text=通报已印发")
    document = page.locator("#bulletin-doc").inner_text()
    assert "督办通报〔" in document and "市司法局" in document and "三月份全市依法行政各项任务有序推进。" in document
    assert page.locator("textarea[name=lead_text]").count() == 0
    shoot(page, "bulletin")
