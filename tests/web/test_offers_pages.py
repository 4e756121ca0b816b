"""Offered, then refused (issue 20, point 6): pages offer what the rules allow, read from the item's offers.

On be448bd the office saw 签收 on a unit's card and was told 只有牵头单位可以办理该工作项; a member could drop a card on
待审核 and fill in the form before being told 只有牵头单位管理员可以提交办结申请; a member's 移动 menu opened empty.
"""
from __future__ import annotations

import json
import re
from html import unescape

from tracker.models import ItemSource, ItemStatus
from tracker.services.work import items, workflow


def card_html(page: str, item_id: int) -> str:
    found = re.search(rf'<article class="card[^"]*" id="card-{item_id}".*?</article>', page, re.S)
    assert found, f"card {item_id} not on the page"
    return found.group(0)


def offers_of(card: str) -> dict:
    found = re.search(r"data-offers='([^']*)'", card)
    return json.loads(unescape(found.group(1))) if found else {"moves": [], "reorder": False}


def test_the_office_is_not_offered_signing_for_a_units_card(sign_in, people, make_item):
    item = make_item("sfj")
    client = sign_in(people["office"])
    card = card_html(client.get(f"/board?q={item.title}&sort=position").get_data(as_text=True), item.id)
    assert ">签收</button>" not in card and 'data-move-to="in_progress"' not in card
    assert offers_of(card)["moves"] == []
    page = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert 'name="to" value="in_progress"' not in page and ">签收</button>" not in page
    assert client.get(f"/items/{item.id}/move-form?to=in_progress").status_code == 403


def test_the_unit_is_offered_signing_for_its_own_card(sign_in, people, make_item):
    item = make_item("sfj")
    for who in ("sfj_admin", "sfj_member"):
        card = card_html(sign_in(people[who]).get(f"/board?q={item.title}").get_data(as_text=True), item.id)
        assert 'data-move-to="in_progress"' in card and ">签收</button>" in card
        assert offers_of(card)["moves"] == [{"to": "in_progress", "action": "sign", "note": None, "evidence": None}]


def test_a_member_cannot_drop_a_card_on_submitted_nor_open_its_form(sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    client = sign_in(people["sfj_member"])
    card = card_html(client.get(f"/board?q={item.title}").get_data(as_text=True), item.id)
    assert "submitted" not in [move["to"] for move in offers_of(card)["moves"]]
    refused = client.get(f"/items/{item.id}/move-form?to=submitted")
    assert refused.status_code == 403 and "只有牵头单位管理员可以提交办结申请" in refused.get_data(as_text=True)
    admin = sign_in(people["sfj_admin"])
    card = card_html(admin.get(f"/board?q={item.title}").get_data(as_text=True), item.id)
    assert [(m["to"], m["note"], m["evidence"]) for m in offers_of(card)["moves"]] == [
        ("submitted", "report", "required")]
    assert admin.get(f"/items/{item.id}/move-form?to=submitted").status_code == 200


def test_a_members_move_menu_is_never_offered_empty(sign_in, people, make_item):
    cards = [make_item("sfj", status=status, title=f"菜单测试{n}") for n, status in enumerate(ItemStatus)]
    client = sign_in(people["sfj_member"])
    for query in ("", "&sort=position"):
        page = client.get("/board?q=菜单测试" + query).get_data(as_text=True)
        hand_sorted = "hand-sorted" in page.split('id="board"', 1)[1].split(">", 1)[0]
        for item in cards:
            card = card_html(page, item.id)
            menu = re.search(r'<details class="move-menu([^"]*)">.*?</details>', card, re.S)
            if menu is None:
                continue
            moves = len(re.findall(r"data-move-to=", menu.group(0)))
            steps = len(re.findall(r"data-move-step=", menu.group(0)))
            shown_steps = steps if hand_sorted else 0
            assert moves + shown_steps > 0 or "reorder-only" in menu.group(1), (item.status, query)


def test_the_submit_form_asks_for_evidence_as_the_items_rule_says(sign_in, people, make_item, plan, unit, office,
                                                                   make_user, now):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    form = sign_in(people["sfj_admin"]).get(f"/items/{item.id}/move-form?to=submitted").get_data(as_text=True)
    assert re.search(r'<input type="file" name="files" multiple required', form)
    jiaqu = make_user("unit_admin", "jiaqu")
    ad_hoc = items.create_ad_hoc(actor=office, plan=plan, source=ItemSource.MEETING, source_ref=None,
                                 title="交办件", description="", due_date=plan.end_date, lead=unit("jiaqu"),
                                 cooperating=[], now=now)
    workflow.move(ad_hoc, actor=jiaqu, to=ItemStatus.IN_PROGRESS, expected_version=ad_hoc.version, now=now)
    form = sign_in(jiaqu).get(f"/items/{ad_hoc.id}/move-form?to=submitted").get_data(as_text=True)
    assert "evidence-warning" in form and not re.search(r'name="files" multiple required', form)


def test_the_office_queue_marks_a_submission_without_any_evidence(sign_in, people, plan, unit, office, make_user,
                                                                  now):
    jiaqu = make_user("unit_admin", "jiaqu")
    item = items.create_ad_hoc(actor=office, plan=plan, source=ItemSource.MEETING, source_ref=None,
                               title="无佐证的交办件", description="", due_date=plan.end_date, lead=unit("jiaqu"),
                               cooperating=[], now=now)
    workflow.move(item, actor=jiaqu, to=ItemStatus.IN_PROGRESS, expected_version=item.version, now=now)
    workflow.move(item, actor=jiaqu, to=ItemStatus.SUBMITTED, expected_version=item.version, now=now, note="已办")
    page = sign_in(people["office"]).get("/office/").get_data(as_text=True)
    row = re.search(rf'<div class="review-row" id="review-{item.id}">.*?</form>', page, re.S).group(0)
    assert '<mark class="no-evidence">' in row
