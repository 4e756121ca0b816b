"""A township's part is reviewed by the district that split it (issue 20 point 2): it sat in the city office's
queue, the district had no 待审核 and no notification, and the township read "被办公室退回" when the district
returned it."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tracker.clock import utcnow
from tracker.extensions import db
from tracker.models import ItemSource, ItemStatus, Notification, Role
from tracker.services.ledger import todo
from tracker.services.work import items, splitting, workflow


@pytest.fixture
def township_part(plan, unit, make_user, office):
    """甲区政府 splits its 交办件; 西城街道 submits its part."""
    district, township = make_user(Role.UNIT_ADMIN, "jiaqu"), make_user(Role.UNIT_ADMIN, "jiaqu_xicheng")
    parent = items.create_ad_hoc(actor=office, plan=plan, source=ItemSource.MEETING, source_ref=None,
                                 title="全区专项排查", description="", due_date=date(2030, 6, 30),
                                 lead=unit("jiaqu"), cooperating=[], now=utcnow())
    workflow.move(parent, actor=district, to=ItemStatus.IN_PROGRESS, expected_version=parent.version, now=utcnow())
    (child,) = splitting.split(parent, actor=district, now=utcnow(), parts=[
        splitting.Part(unit("jiaqu_xicheng"), "西城街道排查", date(2030, 6, 30))])
    workflow.move(child, actor=township, to=ItemStatus.IN_PROGRESS, expected_version=child.version, now=utcnow())
    workflow.move(child, actor=township, to=ItemStatus.SUBMITTED, expected_version=child.version, now=utcnow(),
                  note="已排查完毕")
    db.session.commit()
    return {"district": district, "township": township, "child": child, "parent": parent}


def test_the_district_is_told_and_has_the_part_in_its_todo_and_its_queue_and_the_office_only_counts_it(
        township_part, sign_in, office, unit):
    child, district = township_part["child"], township_part["district"]
    told = db.session.scalars(sa.select(Notification).where(Notification.item_id == child.id,
                                                            Notification.kind == "item_submitted")).all()
    assert [n.unit_id for n in told] == [unit("jiaqu").id] and "西城街道" in told[0].text
    (waiting,) = [s for s in todo.todo(actor=district, now=utcnow(), timezone="Asia/Shanghai") if s.key == "to_review"]
    assert [e.item_id for e in waiting.entries] == [child.id]
    (office_queue,) = [s for s in todo.todo(actor=office, now=utcnow(), timezone="Asia/Shanghai")
                       if s.key == "to_review"]
    assert child.id not in [e.item_id for e in office_queue.entries]
    page = sign_in(district).get("/review").get_data(as_text=True)
    assert f'id="review-{child.id}"' in page and "已排查完毕" in page
    office_page = sign_in(office).get("/office/").get_data(as_text=True)
    assert f'id="review-{child.id}"' not in office_page and "甲区政府 1 项" in office_page


def test_the_district_returns_its_townships_part_and_the_township_reads_who_returned_it(township_part, sign_in):
    child = township_part["child"]
    client = sign_in(township_part["district"])
    refused = client.post(f"/review/{child.id}", data={"decision": "return", "version": child.version},
                          headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "退回必须说明理由" in refused.get_data(as_text=True)
    done = client.post(f"/review/{child.id}", data={"decision": "return", "version": child.version,
                                                    "reason": "缺少排查台账"}, headers={"HX-Request": "true"})
    assert done.status_code == 200
    db.session.expire_all()
    assert child.status == ItemStatus.IN_PROGRESS
    (returned,) = db.session.scalars(sa.select(Notification).where(Notification.item_id == child.id,
                                                                 Notification.kind == "item_returned")).all()
    assert "被甲区政府退回:缺少排查台账" in returned.text and "办公室" not in returned.text


def test_another_district_or_the_township_itself_cannot_review_the_part(township_part, sign_in, make_user):
    child = township_part["child"]
    for stranger in (make_user(Role.UNIT_ADMIN, "yiqu"), township_part["township"],
                     make_user(Role.UNIT_MEMBER, "jiaqu")):
        response = sign_in(stranger).post(f"/review/{child.id}", data={"decision": "approve",
                                                                       "version": child.version})
        assert response.status_code in (403, 404)
    db.session.expire_all()
    assert child.status == ItemStatus.SUBMITTED


def test_the_office_deciding_a_districts_part_is_named_as_the_office_not_the_district(township_part, office):
    """The office may still decide a township's part (it supervises all); the township is then told that the
    office returned it, not the district that split it."""
    child = township_part["child"]
    workflow.review(child, actor=office, decision="return", expected_version=child.version, now=utcnow(),
                    reason="请区里先行把关")
    (returned,) = db.session.scalars(sa.select(Notification).where(Notification.item_id == child.id,
                                                                 Notification.kind == "item_returned")).all()
    assert "被领导小组办公室退回:请区里先行把关" in returned.text and "甲区政府" not in returned.text


def test_the_township_reads_who_returned_its_part_on_the_item_and_in_its_todo(township_part, sign_in):
    """The item page said 办公室退回理由 and 我的待办 gave the reason alone, whoever returned it."""
    child, township = township_part["child"], township_part["township"]
    workflow.review(child, actor=township_part["district"], decision="return", expected_version=child.version,
                    now=utcnow(), reason="缺少排查台账")
    db.session.commit()
    page = sign_in(township).get(f"/items/{child.id}").get_data(as_text=True)
    assert "甲区政府退回理由: 缺少排查台账" in page and "办公室退回" not in page
    (returned,) = [s for s in todo.todo(actor=township, now=utcnow(), timezone="Asia/Shanghai")
                   if s.key == "returned"]
    assert [(e.item_id, e.note) for e in returned.entries] == [(child.id, "甲区政府退回:缺少排查台账")]
    home = sign_in(township).get("/").get_data(as_text=True)
    assert "甲区政府退回:缺少排查台账" in home


def test_an_item_the_office_returned_still_says_the_office_returned_it(make_item, office, sign_in, make_user):
    unit_admin = make_user(Role.UNIT_ADMIN, "sfj")
    item = make_item("sfj", status=ItemStatus.SUBMITTED)
    workflow.review(item, actor=office, decision="return", expected_version=item.version, now=utcnow(),
                    reason="佐证不足")
    db.session.commit()
    page = sign_in(unit_admin).get(f"/items/{item.id}").get_data(as_text=True)
    assert "领导小组办公室退回理由: 佐证不足" in page
