"""No internal name reaches a person: the 操作留痕 says what happened in words, a split child's breadcrumb names
its parent by unit and title, and a refusal to submit names the open sub-item's unit and title (issue 20, 5)."""
from __future__ import annotations

import re
from datetime import date

import pytest

from tracker.errors import Invalid
from tracker.models import ItemSource, ItemStatus, Role
from tracker.services.work import assignment, instructions, items, splitting, workflow

CODE_NAME = re.compile(r"\b(?:item|record|proposal|notice|indicator|plan|unit|user|auth)\.[a-z_]+\b")


@pytest.fixture
def split_item(people, plan, unit, make_user, now):
    county = make_user(Role.UNIT_ADMIN, "jiaqu")
    parent = items.create_ad_hoc(actor=people["office"], plan=plan, source=ItemSource.MEETING, source_ref="常务会议",
                                 title="窗口服务整改", description="一周内整改", due_date=date(2023, 6, 30),
                                 lead=unit("jiaqu"), cooperating=[unit("sfj")], now=now)
    workflow.move(parent, actor=county, to=ItemStatus.IN_PROGRESS, expected_version=parent.version, now=now)
    (child,) = splitting.split(parent, actor=county, now=now, parts=[
        splitting.Part(unit("jiaqu_xicheng"), "西城窗口整改", date(2023, 6, 15))])
    assignment.set_responsible(parent, actor=county, user_id=county.id, phone="12345678",
                               expected_version=parent.version, now=now)
    instructions.instruct(parent, actor=people["leader"], text="抓紧办理", now=now)
    return {"parent": parent, "child": child, "county": county}


def test_the_audit_timeline_names_every_event_in_words(sign_in, people, split_item):
    html = sign_in(people["office"]).get(f"/items/{split_item['parent'].id}").get_data(as_text=True)
    timeline = html[html.index('id="timeline"'):]
    for words in ("交办", "签收", "分解事项", "领导批示", "指定责任人"):
        assert words in timeline, words
    assert CODE_NAME.findall(timeline) == []


def test_a_split_childs_breadcrumb_names_its_parent_by_unit_and_title(sign_in, people, split_item):
    child = split_item["child"]
    crumbs = sign_in(split_item["county"]).get(f"/items/{child.id}").get_data(as_text=True)
    crumbs = crumbs[crumbs.index('class="crumbs"'):crumbs.index("</p>", crumbs.index('class="crumbs"'))]
    assert "甲区" in crumbs and "窗口服务整改" in crumbs and f"#{split_item['parent'].id}" not in crumbs
    assert f'href="/items/{split_item["parent"].id}"' in crumbs


def test_submitting_with_a_child_open_names_the_unit_and_the_item(split_item, now):
    parent = split_item["parent"]
    with pytest.raises(Invalid) as refused:
        workflow.move(parent, actor=split_item["county"], to=ItemStatus.SUBMITTED, expected_version=parent.version,
                      now=now, note="已完成")
    assert "西城街道的「西城窗口整改」尚未办结" in refused.value.message_zh
    assert f"#{split_item['child'].id}" not in refused.value.message_zh


def test_each_notification_says_what_it_is_about_in_words(sign_in, people, split_item):
    page = sign_in(people["sfj_admin"]).get("/notifications").get_data(as_text=True)
    assert "领导批示 · " in page and "新交办 · " in page and "instruction" not in page
