"""Comments that reach people: an item's thread, @ a person or a unit among those who may see the item, and only
they are told; a comment never changes the item's version."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa
from tests.api.api_helpers import ApiClient, assert_error

from tracker.extensions import db
from tracker.models import (Comment, Event, ItemStatus, ItemUnit, Notification, PersonMessage, Role, User,
                            WorkItem)
from tracker.services.ledger import reach_config
from tracker.services.trust import permissions
from tracker.services.work import mentions


@pytest.fixture
def card(make_item: Callable[..., WorkItem]) -> WorkItem:
    return make_item("sfj", status=ItemStatus.IN_PROGRESS, due=date(2023, 6, 30))


def told(kind: str = "mentioned") -> set[tuple[str, int]]:
    return {("user", n.user_id) if n.user_id else ("unit", n.unit_id) for n in db.session.scalars(
        sa.select(Notification).where(Notification.kind == kind))}


def test_a_mention_notifies_exactly_the_mentioned(api_as: Callable[..., ApiClient], make_user, office: User,
                                                  card: WorkItem, unit) -> None:
    writer = make_user(Role.UNIT_MEMBER, "sfj", username="writer")
    colleague = make_user(Role.UNIT_ADMIN, "sfj", username="zhangsan")
    colleague.display_name = "张三"
    make_user(Role.UNIT_MEMBER, "sfj", username="bystander")
    response = api_as(writer).post(f"/items/{card.id}/comments",
                                   json={"text": "@张三 请审核附件,@领导小组办公室 已同步。"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    office_unit = unit("office")
    assert [(m["kind"], m["id"]) for m in body["mentions"]] == [("user", colleague.id), ("unit", office_unit.id)]
    assert told() == {("user", colleague.id), ("unit", office_unit.id)}


def test_a_mentioned_person_is_reached_on_the_channels_they_chose(api_as, make_user, card: WorkItem, now) -> None:
    colleague = make_user(Role.UNIT_MEMBER, "sfj", username="texted")
    reach_config.choose(actor=colleague, channels=["sms"], mobile="13800138000", now=now)
    api_as(make_user(Role.UNIT_MEMBER, "sfj")).post(f"/items/{card.id}/comments", json={"text": "@texted 请回电"})
    queued = db.session.execute(sa.select(PersonMessage.user_id, PersonMessage.channel, Notification.kind)
                                .join(Notification, Notification.id == PersonMessage.notification_id)).all()
    assert queued == [(colleague.id, "sms", "mentioned")]


def test_a_comment_never_changes_the_items_version(api_as, sfj_member: User, card: WorkItem) -> None:
    before = card.version
    assert api_as(sfj_member).post(f"/items/{card.id}/comments", json={"text": "进展顺利"}).status_code == 201
    db.session.refresh(card)
    assert card.version == before


def test_a_name_followed_by_more_characters_is_not_a_mention(api_as, make_user, card: WorkItem) -> None:
    make_user(Role.UNIT_MEMBER, "sfj", username="zs").display_name = "张三"
    response = api_as(make_user(Role.UNIT_MEMBER, "sfj")).post(f"/items/{card.id}/comments",
                                                               json={"text": "@张三丰 不在本系统"})
    assert response.status_code == 201 and response.get_json()["mentions"] == [] and told() == set()


def test_someone_who_may_not_see_the_item_cannot_be_told_of_it(api_as, make_user, card: WorkItem) -> None:
    outsider = make_user(Role.UNIT_ADMIN, "gaj", username="gaj_boss")
    response = api_as(make_user(Role.UNIT_MEMBER, "sfj")).post(f"/items/{card.id}/comments",
                                                               json={"text": "@gaj_boss @市公安局 看看"})
    assert response.status_code == 201 and response.get_json()["mentions"] == []
    assert ("user", outsider.id) not in told()


def test_a_name_two_people_share_is_refused_with_their_logins_and_nothing_is_written(api_as, make_user,
                                                                                     card: WorkItem) -> None:
    for login in ("wang1", "wang2"):
        make_user(Role.UNIT_MEMBER, "sfj", username=login).display_name = "王芳"
    response = api_as(make_user(Role.UNIT_MEMBER, "sfj")).post(f"/items/{card.id}/comments",
                                                               json={"text": "@王芳 请补充"})
    assert_error(response, 422, "mention_ambiguous")
    assert "@wang1" in response.get_json()["message"] and "@wang2" in response.get_json()["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0 and told() == set()


def test_a_login_name_settles_who_is_meant(api_as, make_user, card: WorkItem) -> None:
    first = make_user(Role.UNIT_MEMBER, "sfj", username="wang1")
    first.display_name = "王芳"
    make_user(Role.UNIT_MEMBER, "sfj", username="wang2").display_name = "王芳"
    response = api_as(make_user(Role.UNIT_MEMBER, "sfj")).post(f"/items/{card.id}/comments",
                                                               json={"text": "@wang1 请补充"})
    assert [m["id"] for m in response.get_json()["mentions"]] == [first.id] and told() == {("user", first.id)}


def test_naming_oneself_tells_nobody(api_as, make_user, card: WorkItem) -> None:
    me = make_user(Role.UNIT_MEMBER, "sfj", username="me")
    response = api_as(me).post(f"/items/{card.id}/comments", json={"text": "@me 备忘"})
    assert response.status_code == 201 and told() == set()


def test_the_thread_shows_every_comment_with_its_author_and_mentions(api_as, make_user, office: User,
                                                                    card: WorkItem) -> None:
    member = make_user(Role.UNIT_MEMBER, "sfj", username="m1")
    api_as(member).post(f"/items/{card.id}/comments", json={"text": "第一条"})
    api_as(office).post(f"/items/{card.id}/comments", json={"text": "@m1 收到"})
    thread = api_as(office).get(f"/items/{card.id}/comments").get_json()
    assert [(c["author"]["id"], c["text"], [m["id"] for m in c["mentions"]]) for c in thread] == [
        (member.id, "第一条", []), (office.id, "@m1 收到", [member.id])]


def test_the_comment_is_audited_with_whom_it_named(api_as, make_user, card: WorkItem) -> None:
    target = make_user(Role.UNIT_MEMBER, "sfj", username="t1")
    api_as(make_user(Role.UNIT_MEMBER, "sfj")).post(f"/items/{card.id}/comments", json={"text": "@t1 看下"})
    event = db.session.scalars(sa.select(Event).where(Event.action == "item.comment")).one()
    assert event.after["mentioned"] == [{"kind": "user", "id": target.id, "name": target.display_name}]


@pytest.mark.parametrize(("body", "status"), [
    ({"text": ""}, 422), ({"text": "x" * 5001}, 422), ({"text": 5}, 422), ({"text": "好", "extra": 1}, 422), ({}, 422),
])
def test_bad_comments_are_refused_and_change_nothing(api_as, sfj_member: User, card: WorkItem, body, status) -> None:
    assert_error(api_as(sfj_member).post(f"/items/{card.id}/comments", json=body), status)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_malformed_json_is_refused(api_as, sfj_member: User, card: WorkItem) -> None:
    response = api_as(sfj_member).post(f"/items/{card.id}/comments", data="{", content_type="application/json")
    assert response.status_code == 400


def test_a_leader_reads_the_thread_but_cannot_comment(api_as, leader: User, card: WorkItem) -> None:
    client = api_as(leader)
    assert client.get(f"/items/{card.id}/comments").status_code == 200
    assert_error(client.post(f"/items/{card.id}/comments", json={"text": "阅"}), 403)


def test_another_units_item_and_its_thread_are_not_found(api_as, gaj_admin: User, card: WorkItem) -> None:
    assert_error(api_as(gaj_admin).get(f"/items/{card.id}/comments"), 404)
    assert_error(api_as(gaj_admin).get(f"/items/{card.id}/mentionable"), 404)


def test_everyone_suggested_may_see_the_item(make_user, make_item, unit) -> None:
    """mentions.mentionable restates can_see_item without a query per person: held equal here, on an item
    a district's bureau carries with a city bureau cooperating, over every account."""
    for role, key in ((Role.UNIT_ADMIN, "jiaqu"), (Role.UNIT_MEMBER, "jiaqu_sfj"), (Role.UNIT_MEMBER, "gaj"),
                      (Role.LEADER, "city"), (Role.UNIT_MEMBER, "yiqu"), (Role.UNIT_MEMBER, "office")):
        make_user(role, key)
    item = make_item("jiaqu_sfj")
    db.session.add(ItemUnit(item_id=item.id, unit_id=unit("sfj").id))
    db.session.flush()
    db.session.refresh(item)
    suggested = {m.id for m in mentions.mentionable(item) if m.kind == mentions.USER}
    seeing = {u.id for u in db.session.scalars(sa.select(User).where(User.is_enabled.is_(True)))
              if permissions.can_see_item(u, item)}
    assert suggested == seeing


def test_the_suggestions_come_in_a_few_queries_however_many_people(make_user, card: WorkItem,
                                                                   count_queries) -> None:
    def statements() -> int:
        with count_queries() as seen:
            mentions.mentionable(card)
        return len(seen)
    few = statements()
    for _ in range(15):
        make_user(Role.UNIT_MEMBER, "sfj")
    assert statements() == few
