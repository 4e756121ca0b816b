"""One vocabulary: the words of services/plan/glossary.py on pages and in digests; the header says each part once."""
from __future__ import annotations

from pathlib import Path

from tracker.models import ItemStatus, Role

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_the_board_move_menu_offers_sign_for_a_new_item(sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.ASSIGNED, title="待签收事项")
    html = sign_in(people["sfj_admin"]).get("/board?q=待签收事项").get_data(as_text=True)
    card = html[html.index(f'id="card-{item.id}"'):]
    menu = card[card.index('class="move-menu"'):card.index("</details>")]
    assert 'data-move-to="in_progress">签收<' in menu and "移到" not in menu


def test_digests_name_the_groups_as_the_pages_do():
    for path in (TEMPLATES / "digests").iterdir():
        assert "领域" not in path.read_text(encoding="utf-8"), path.name


def test_the_header_says_an_office_account_once(sign_in, make_user):
    office = make_user(Role.OFFICE_ADMIN, "office", username="lgo_admin")
    office.display_name = "领导小组办公室管理员"
    html = sign_in(office).get("/board").get_data(as_text=True)
    who = html[html.index('class="who"'):]
    who = who[:who.index("</span>")]
    assert who.count("领导小组办公室") == 1
