"""The board page: columns, cards, filters, swimlanes, load more, and who sees what."""
from __future__ import annotations

import re

from tracker.models import ItemStatus

from .web_helpers import card_ids


def test_a_unit_sees_its_own_cards_in_four_columns(sign_in, people, make_item):
    mine, theirs = make_item("sfj", title="本单位事项"), make_item("gaj", title="他单位事项")
    page = sign_in(people["sfj_admin"]).get("/board?q=单位事项")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for label in ("待签收", "进行中", "待审核", "已办结"):
        assert label in html
    assert mine.id in card_ids(html) and theirs.id not in card_ids(html)
    assert "他单位事项" not in html


def test_the_office_sees_the_whole_plan(sign_in, people, make_item):
    mine, theirs = make_item("sfj", title="ＱＱ全市甲"), make_item("gaj", title="ＱＱ全市乙")
    html = sign_in(people["office"]).get("/board?unit=&q=ＱＱ全市").get_data(as_text=True)
    assert card_ids(html) == {mine.id, theirs.id}


def test_filters_narrow_the_board_and_the_fragment_is_only_the_board(sign_in, people, make_item, unit):
    target = make_item("gaj", title="独特标题甲")
    client = sign_in(people["office"])
    response = client.get(f"/board?q=独特标题甲&unit={unit('gaj').id}", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert card_ids(html) == {target.id}
    assert html.lstrip().startswith('<div id="board"') and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_a_history_restore_gets_the_full_page(sign_in, people):
    html = sign_in(people["office"]).get("/board", headers={
        "HX-Request": "true", "HX-History-Restore-Request": "true"}).get_data(as_text=True)
    assert "<html" in html


def test_swimlanes_by_unit_give_one_lane_per_unit(sign_in, people, make_item):
    make_item("sfj", title="泳道甲"), make_item("gaj", title="泳道乙")
    html = sign_in(people["office"]).get("/board?lanes=unit&q=泳道").get_data(as_text=True)
    assert html.count('class="lane"') == 2


def test_a_swimlane_shows_the_first_cards_of_each_column_then_more_and_a_link_to_the_lanes_board(
        sign_in, people, make_item, unit):
    cards = {make_item("sfj", title=f"分泳道{n}").id for n in range(5)}
    client = sign_in(people["office"])
    html = client.get("/board?lanes=unit&q=分泳道").get_data(as_text=True)
    assert len(card_ids(html)) == 3 and card_ids(html) <= cards and "load-more" in html
    link = re.search(r'class="lane-board" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert f"unit={unit('sfj').id}" in link and "lanes=" not in link and "本泳道全部 5 项" in html
    assert card_ids(client.get(link).get_data(as_text=True)) == cards


def test_long_columns_load_more_on_demand(sign_in, people, make_item):
    for n in range(35):
        make_item("sfj", title=f"批量{n:02d}")
    client = sign_in(people["sfj_admin"])
    first = client.get("/board?q=批量").get_data(as_text=True)
    assert len(card_ids(first)) == 30 and "load-more" in first
    url = re.search(r'hx-get="(/board/column[^"]+)"', first).group(1).replace("&amp;", "&")
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    more = response.get_data(as_text=True)
    assert len(card_ids(more)) == 5 and "load-more" not in more
    assert not card_ids(first) & card_ids(more)


def test_bad_filter_values_are_refused_in_words_like_the_api_refuses_them(sign_in, people):
    """Once ignored silently (a misspelt filter showed the whole board); now the same rules as the API's."""
    response = sign_in(people["sfj_member"]).get("/board?phase=abc&light=purple&lanes=x&unit=99999999999")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "阶段" in page and "状态灯" in page and "泳道" in page and "单位" in page


def test_a_leader_sees_cards_without_move_controls(sign_in, people):
    html = sign_in(people["leader"]).get("/board").get_data(as_text=True)
    assert "data-id" in html and 'draggable="true"' not in html and "move-menu" not in html


def test_the_keyboard_menu_offers_only_moves_the_role_may_make(sign_in, people, make_item):
    make_item("sfj", status=ItemStatus.SUBMITTED, title="待审")
    unit_html = sign_in(people["sfj_admin"]).get("/board?q=待审").get_data(as_text=True)
    assert 'data-move-to="done"' not in unit_html
    office_html = sign_in(people["office"]).get("/board?q=待审").get_data(as_text=True)
    assert 'data-move-to="done"' in office_html and 'data-move-to="in_progress"' in office_html


def ordered_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-id="(\d+)"', html)]


def test_the_board_puts_the_longest_overdue_card_first_and_keeps_the_order_in_the_url(sign_in, people, make_item,
                                                                                      now):
    from datetime import date

    from tracker.extensions import db
    from tracker.models import AccountabilityRecord, Priority
    later = make_item("sfj", title="排序测试甲", due=date(2023, 12, 31))
    oldest = make_item("sfj", title="排序测试乙", due=date(2023, 1, 31))
    overdue = make_item("sfj", title="排序测试丙", due=date(2023, 3, 1))
    urgent = make_item("sfj", title="排序测试丁", due=date(2023, 12, 31))
    urgent.priority = Priority.HIGH
    db.session.add(AccountabilityRecord(item_id=oldest.id, unit_id=oldest.unit_id, level=3, level_name="督办",
                                        due_date=oldest.due_date, reason="逾期", issued_at=now,
                                        answer_due=date(2023, 4, 10)))
    db.session.flush()
    client = sign_in(people["office"])
    html = client.get("/board?q=排序测试").get_data(as_text=True)
    assert ordered_ids(html) == [oldest.id, overdue.id, urgent.id, later.id]
    card = html[html.index(f'id="card-{oldest.id}"'):]
    assert "督办" in card[:card.index("</article>")]
    assert ordered_ids(client.get("/board?q=排序测试&sort=due").get_data(as_text=True))[:2] == [oldest.id, overdue.id]
    changed = client.get("/board?q=排序测试&sort=position").get_data(as_text=True)
    assert ordered_ids(changed) == [later.id, oldest.id, overdue.id, urgent.id]  # as assigned, then arranged
    assert 'value="position" selected' in changed
    assert client.get("/board?sort=random").status_code == 422
