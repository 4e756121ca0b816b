"""The office approves with the work in view: the closing report, an evidence thumbnail, the due dates and the
records sit in the review queue, and approving asks first."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from pypdf import PdfWriter

from tracker.models import ItemStatus

from .e2e_helpers import column, log_in, log_out, shoot, submit_with_evidence, tiny_png


def submitted_then_queued_for_the_office(page, card_id: int, search: str, evidence: Path, report: str) -> None:
    """市司法局 submits the card with its report and evidence; the office opens its review queue."""
    log_in(page, "e2e_sfj")
    page.goto(f"/board?q={search}")
    submit_with_evidence(page, card_id, evidence, report)
    log_out(page)
    log_in(page, "e2e_office")
    page.goto("/office/")


def test_the_office_approves_from_the_queue_after_seeing_the_report_and_a_thumbnail(page, city, tmp_path):
    city.card("r", "带图片佐证的事项", due=date(2023, 3, 1), status=ItemStatus.IN_PROGRESS)
    city.record("r", "逾期 16 天,已发督办通知")
    card_id = city.cards["r"]
    submitted_then_queued_for_the_office(page, card_id, "带图片佐证", tiny_png(tmp_path / "现场照片.png"),
                                         "整改已完成,附现场照片")
    row = page.locator(f"#review-{card_id}")
    assert "整改已完成,附现场照片" in row.locator(".closing-report").inner_text()
    assert "e2e_sfj" in row.locator(".closing-report").inner_text()
    thumb = row.locator("img.thumb")
    thumb.wait_for()
    assert thumb.evaluate("img => img.complete && img.naturalWidth") == 8, "the thumbnail is loaded, not broken"
    assert "2023-03-01" in row.inner_text() and "督办" in row.inner_text()
    shoot(page, "review-queue")

    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    row.locator("button[value=approve]").click()
    assert asked and "带图片佐证的事项" in asked[0]
    page.reload()
    assert page.locator(f"#review-{card_id}").count() == 1, "saying no to the question approves nothing"

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#review-{card_id} button[value=approve]").click()
    page.locator(f"#review-{card_id}.decided").wait_for()
    assert page.inner_text(f"#review-{card_id}") == "已审核办结:带图片佐证的事项"
    page.goto("/board?q=带图片佐证")
    assert column(page, "done").locator(f"#card-{card_id}").count() == 1


def test_the_office_picks_several_units_by_checkbox_after_narrowing_the_list(page, city):
    log_in(page, "e2e_office")
    page.goto("/office/#assign")
    picker = page.locator("#assign .unit-picker").first
    picker.locator(".unit-filter").fill("公安")
    visible = [text.strip() for text in picker.locator("label:visible").all_inner_texts()]
    assert visible and all("公安" in text for text in visible)
    picker.locator("label:visible input").first.check()
    picker.locator(".unit-filter").fill("司法")
    assert picker.locator("input:checked").count() == 1, "a checked unit stays chosen while the list narrows"
    assert picker.locator("label:visible").count() >= 2


def one_page_pdf(path: Path) -> Path:
    """A real one-page PDF (A5, blank), so poppler can draw its first page."""
    writer = PdfWriter()
    writer.add_blank_page(width=420, height=595)
    with path.open("wb") as out:
        writer.write(out)
    return path


def test_a_pdf_of_evidence_shows_its_first_page_in_the_queue_and_opens_in_the_browser(page, city, tmp_path):
    city.card("p", "带PDF佐证的事项", status=ItemStatus.IN_PROGRESS)
    card_id = city.cards["p"]
    submitted_then_queued_for_the_office(page, card_id, "带PDF佐证", one_page_pdf(tmp_path / "整改报告.pdf"),
                                         "整改报告见附件")
    thumb = page.locator(f"#review-{card_id} img.thumb.pdf")
    thumb.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete", arg=thumb.element_handle())
    width, height = thumb.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert width > 0 and height > width, "the first page is drawn (portrait), not the alternative text"
    opened = page.request.get(thumb.locator("xpath=..").get_attribute("href"))
    assert opened.status == 200 and opened.headers["content-type"] == "application/pdf"
    assert opened.headers["x-content-type-options"] == "nosniff" and opened.body().startswith(b"%PDF")


def scroll_top(page) -> float:
    return page.evaluate("window.scrollY")


def test_the_queue_keeps_its_place_after_an_approval_and_a_refusal_shows_beside_its_form(page, city):
    for n in range(12):
        city.card(f"q{n}", f"排队审核事项{n:02d}", status=ItemStatus.SUBMITTED)
    ids = [city.cards[f"q{n}"] for n in range(12)]
    log_in(page, "e2e_office")
    # The live refresh the approval sets off is held until the refusal below has been clicked: the order CI's
    # load once gave them, where the button clicked last (no id of its own) was inside the region swapped out
    # and the page jumped by 210 px.
    held: list = []
    page.route("**/office/", lambda route: held.append(route) if route.request.headers.get("x-live")
               else route.continue_())
    page.goto("/office/")
    page.wait_for_function("() => document.documentElement.dataset.live === 'open'")  # it hears the approval
    order = [int(i.split("-")[1]) for i in page.locator("#review .review-row").evaluate_all(
        "rows => rows.map(r => r.id)")]
    assert sorted(order) == sorted(ids)
    far, next_one = order[8], order[9]
    page.locator(f"#review-{far}").scroll_into_view_if_needed()
    page.evaluate(f"document.getElementById('review-{far}').scrollIntoView({{block: 'center'}})")
    before = scroll_top(page)
    assert before > 800, "the row is far down the page"

    page.evaluate("document.getElementById('review').dataset.before = 'the approval'")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#review-{far} button[value=approve]").click()
    page.locator(f"#review-{far}.decided").wait_for()
    assert page.inner_text(f"#review-{far}").startswith("已审核办结:")
    # The browser's scroll anchoring may shift by a few pixels as the row shrinks; a reload goes to the top.
    assert abs(scroll_top(page) - before) < 40, "the page did not reload to the top"

    page.locator(f"#review-{next_one} button[value=return]").click()
    error = page.locator(f"#review-{next_one}-error .flash.error")
    error.wait_for()
    assert "退回必须说明理由" in error.inner_text()
    assert error.is_visible() and page.locator(f"#review-{next_one}-error").get_attribute("aria-live")
    assert "退回必须说明理由" not in page.inner_text("#flash"), "not in the banner at the top"
    assert abs(scroll_top(page) - before) < 40
    # The approval reaches the live stream, which refetches the queue (the item is no longer in it): the words
    # of the decision stay where they were, and so does the page.
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the approval set off a live refresh of the queue"
    place = page.evaluate(f"document.getElementById('review-{next_one}').getBoundingClientRect().top")
    for route in held:
        route.continue_()
    page.unroute("**/office/")
    page.wait_for_function("() => !document.querySelector('#review[data-before]')")
    assert page.inner_text(f"#review-{far}.decided").startswith("已审核办结:")
    assert page.locator(f"#review-{far} ~ #review-{next_one}").count() == 1, "before the row that followed it"
    after = page.evaluate(f"document.getElementById('review-{next_one}').getBoundingClientRect().top")
    assert abs(after - place) < 40, f"the row being read moved by {after - place:.0f} px in the refresh"
    shoot(page, "review-queue-in-place")
