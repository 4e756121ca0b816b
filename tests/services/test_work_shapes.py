"""How offices hand out work: lead and cooperating units, ad-hoc items, splitting down the tree, the person
responsible, cancelling, leaders' instructions (issue 12)."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from tests.conftest import NOW

from tracker.errors import Invalid, NotAllowed
from tracker.extensions import db
from tracker.models import Event, ItemSource, ItemStatus, Role, Unit, WorkItem
from tracker.services.trust import permissions
from tracker.services.work.detail import item_detail
from tracker.services.work import assignment, boards, deadline_extensions, instructions, items, splitting, workflow
from tracker.services.work.boards import ItemFilters
from tracker.services.work.deadlines import Deadlines

DEADLINES = Deadlines(today=date(2023, 4, 3), warning_days=7)


@pytest.fixture
def people(make_user):
    return {"office": make_user(Role.OFFICE_ADMIN, "office"), "leader": make_user(Role.LEADER, "city"),
            "jiaqu": make_user(Role.UNIT_ADMIN, "jiaqu"), "jiaqu_member": make_user(Role.UNIT_MEMBER, "jiaqu"),
            "yiqu": make_user(Role.UNIT_ADMIN, "yiqu"), "sfj": make_user(Role.UNIT_ADMIN, "sfj"),
            "dongcheng": make_user(Role.UNIT_ADMIN, "jiaqu_dongcheng"),
            "xicheng": make_user(Role.UNIT_ADMIN, "jiaqu_xicheng")}


@pytest.fixture
def ad_hoc(people, plan, unit):
    """An ad-hoc item for 甲区 with 市司法局 cooperating."""
    return items.create_ad_hoc(actor=people["office"], plan=plan, source=ItemSource.MEETING,
                               source_ref="市政府常务会议 2023-03-30", title="整治违规执法问题",
                               description="两周内完成排查", due_date=date(2023, 6, 30), lead=unit("jiaqu"),
                               cooperating=[unit("sfj")], now=NOW)


def move(item, actor, to, note=None):
    return workflow.move(item, actor=actor, to=to, expected_version=item.version, now=NOW, note=note)


def board_ids(actor, **filters):
    data = boards.board(ItemFilters(**filters), actor=actor, deadlines=DEADLINES, swimlanes="group", limit=None)
    return {card["id"]: (lane["title"], card["my_part"]) for lane in data["lanes"] for column in lane["columns"]
            for card in column["cards"]}


def test_ad_hoc_item_is_on_the_boards_of_lead_and_cooperating_units_as_its_own_group(people, ad_hoc):
    assert ad_hoc.task_id is None and ad_hoc.source == ItemSource.MEETING
    assert board_ids(people["jiaqu"])[ad_hoc.id] == ("交办事项", "lead")
    assert board_ids(people["sfj"])[ad_hoc.id] == ("交办事项", "cooperating")
    assert ad_hoc.id in board_ids(people["office"])
    assert ad_hoc.id not in board_ids(people["yiqu"])


def test_cooperating_unit_reports_and_marks_its_part_done_but_cannot_sign_or_submit(people, ad_hoc):
    with pytest.raises(NotAllowed):
        move(ad_hoc, people["sfj"], ItemStatus.IN_PROGRESS)
    part = assignment.mark_part_done(ad_hoc, actor=people["sfj"], note="已完成法制审核", now=NOW)
    assert part.is_done and part.part_note == "已完成法制审核"
    with pytest.raises(Invalid):
        assignment.mark_part_done(ad_hoc, actor=people["sfj"], note="再来一次", now=NOW)
    with pytest.raises(NotAllowed):
        assignment.mark_part_done(ad_hoc, actor=people["jiaqu"], note="牵头单位不是配合单位", now=NOW)
    move(ad_hoc, people["jiaqu"], ItemStatus.IN_PROGRESS)
    move(ad_hoc, people["jiaqu"], ItemStatus.SUBMITTED, note="已办结")
    assert ad_hoc.status == ItemStatus.SUBMITTED


def test_a_county_splits_among_its_townships_and_reviews_them_as_the_office_does(people, ad_hoc, unit):
    move(ad_hoc, people["jiaqu"], ItemStatus.IN_PROGRESS)
    children = splitting.split(ad_hoc, actor=people["jiaqu"], now=NOW, parts=[
        splitting.Part(unit("jiaqu_dongcheng"), "东城排查", date(2023, 6, 15)),
        splitting.Part(unit("jiaqu_xicheng"), "西城排查", date(2023, 6, 15))])
    east, west = children
    assert east.parent_id == ad_hoc.id and east.source == ItemSource.MEETING
    move(east, people["dongcheng"], ItemStatus.IN_PROGRESS)
    move(east, people["dongcheng"], ItemStatus.SUBMITTED, note="东城已完成")
    with pytest.raises(NotAllowed):
        move(east, people["yiqu"], ItemStatus.IN_PROGRESS)  # another county is not the supervisor
    move(east, people["jiaqu"], ItemStatus.IN_PROGRESS, note="缺少台账")
    assert east.returned_count == 1 and east.last_return_reason == "缺少台账"
    move(east, people["dongcheng"], ItemStatus.SUBMITTED, note="补充台账")
    move(east, people["jiaqu"], ItemStatus.DONE)
    with pytest.raises(Invalid, match="尚未办结"):
        move(ad_hoc, people["jiaqu"], ItemStatus.SUBMITTED, note="全部完成")
    items.cancel_item(west, actor=people["jiaqu"], reason="西城无此问题", expected_version=west.version, now=NOW)
    move(ad_hoc, people["jiaqu"], ItemStatus.SUBMITTED, note="全部完成")
    move(ad_hoc, people["office"], ItemStatus.DONE)
    detail = item_detail(ad_hoc, DEADLINES, actor=people["office"])
    assert [(c["unit_name"], c["status"], c["cancelled"]) for c in detail["children"]] == [
        ("东城街道", ItemStatus.DONE, False), ("西城街道", ItemStatus.ASSIGNED, True)]


def test_a_county_sees_its_townships_items_and_filters_its_board_by_sub_unit(people, ad_hoc, unit):
    (east,) = splitting.split(ad_hoc, actor=people["jiaqu"], now=NOW, parts=[
        splitting.Part(unit("jiaqu_dongcheng"), "东城排查", date(2023, 6, 15))])
    assert east.id in board_ids(people["jiaqu"], unit_id=unit("jiaqu_dongcheng").id)
    assert ad_hoc.id not in board_ids(people["jiaqu"], unit_id=unit("jiaqu_dongcheng").id)
    assert not permissions.can_see_item(people["yiqu"], east)
    assert permissions.can_see_item(people["dongcheng"], east)
    assert not permissions.can_see_item(people["dongcheng"], ad_hoc)


def test_splitting_refuses_late_children_strangers_and_members(people, ad_hoc, unit, make_item):
    with pytest.raises(Invalid, match="不能晚于"):
        splitting.split(ad_hoc, actor=people["jiaqu"], now=NOW, parts=[
            splitting.Part(unit("jiaqu_dongcheng"), "东城", date(2023, 7, 1))])
    with pytest.raises(Invalid, match="下属单位"):
        splitting.split(ad_hoc, actor=people["jiaqu"], now=NOW, parts=[
            splitting.Part(unit("yiqu_nanhu"), "南湖", date(2023, 6, 1))])
    with pytest.raises(NotAllowed):
        splitting.split(ad_hoc, actor=people["jiaqu_member"], now=NOW, parts=[
            splitting.Part(unit("jiaqu_dongcheng"), "东城", date(2023, 6, 1))])
    with pytest.raises(NotAllowed):
        splitting.split(ad_hoc, actor=people["sfj"], now=NOW, parts=[
            splitting.Part(unit("jiaqu_dongcheng"), "东城", date(2023, 6, 1))])
    assert db.session.scalar(sa.select(sa.func.count()).where(WorkItem.parent_id == ad_hoc.id)) == 0


def test_the_county_decides_its_townships_extension_within_the_parents_due_date(people, ad_hoc, unit):
    (east,) = splitting.split(ad_hoc, actor=people["jiaqu"], now=NOW, parts=[
        splitting.Part(unit("jiaqu_dongcheng"), "东城", date(2023, 5, 31))])
    with pytest.raises(Invalid, match="不能晚于上级"):
        deadline_extensions.request_extension(east, actor=people["dongcheng"], due=date(2023, 7, 31), reason="忙", now=NOW)
    request = deadline_extensions.request_extension(east, actor=people["dongcheng"], due=date(2023, 6, 20), reason="忙",
                                           now=NOW)
    with pytest.raises(NotAllowed):
        deadline_extensions.decide(request, actor=people["yiqu"], grant=True, note=None, now=NOW)
    deadline_extensions.decide(request, actor=people["jiaqu"], grant=True, note=None, now=NOW)
    assert east.due_date == date(2023, 6, 20) and east.original_due_date == date(2023, 5, 31)


def test_the_lead_units_admin_names_the_person_responsible_audited(people, ad_hoc, make_user):
    person = make_user(Role.UNIT_MEMBER, "jiaqu", username="zhang_san")
    assignment.set_responsible(ad_hoc, actor=people["jiaqu"], user_id=person.id, phone="0571-8888 1234",
                               expected_version=ad_hoc.version, now=NOW)
    assert ad_hoc.responsible_user_id == person.id and ad_hoc.contact_phone == "0571-8888 1234"
    assert board_ids(people["jiaqu"])[ad_hoc.id]
    assert item_detail(ad_hoc, DEADLINES, actor=people["office"])["responsible_name"] == "zhang_san"
    for actor in (people["jiaqu_member"], people["sfj"], people["leader"]):
        with pytest.raises(NotAllowed):
            assignment.set_responsible(ad_hoc, actor=actor, user_id=None, phone=None,
                                       expected_version=ad_hoc.version, now=NOW)
    with pytest.raises(Invalid):
        assignment.set_responsible(ad_hoc, actor=people["jiaqu"], user_id=people["sfj"].id, phone=None,
                                   expected_version=ad_hoc.version, now=NOW)
    with pytest.raises(Invalid):
        assignment.set_responsible(ad_hoc, actor=people["jiaqu"], user_id=None, phone="call me",
                                   expected_version=ad_hoc.version, now=NOW)
    actions = db.session.scalars(sa.select(Event.action).where(Event.item_id == ad_hoc.id)).all()
    assert actions.count("item.responsible") == 1


def test_office_moves_a_due_date_with_a_reason_keeping_the_original_and_cancels_with_a_reason(people, ad_hoc):
    with pytest.raises(Invalid, match="理由"):
        items.edit_item(ad_hoc, actor=people["office"], changes={"due_date": date(2023, 7, 31)},
                        expected_version=ad_hoc.version, now=NOW)
    items.edit_item(ad_hoc, actor=people["office"], changes={"due_date": date(2023, 7, 31)}, reason="会议延后",
                    expected_version=ad_hoc.version, now=NOW)
    assert ad_hoc.due_date == date(2023, 7, 31) and ad_hoc.original_due_date == date(2023, 6, 30)
    with pytest.raises(NotAllowed):
        items.cancel_item(ad_hoc, actor=people["jiaqu"], reason="不想做", expected_version=ad_hoc.version, now=NOW)
    items.cancel_item(ad_hoc, actor=people["office"], reason="任务调整", expected_version=ad_hoc.version, now=NOW)
    assert db.session.get(WorkItem, ad_hoc.id).cancel_reason == "任务调整"
    assert ad_hoc.id not in board_ids(people["office"])
    with pytest.raises(Invalid):
        move(ad_hoc, people["jiaqu"], ItemStatus.IN_PROGRESS)


def test_leader_instructs_any_item_and_raises_a_proposal_the_office_assigns(people, ad_hoc, plan, unit):
    instruction = instructions.instruct(ad_hoc, actor=people["leader"], text="请抓紧办理,按时报结果", now=NOW)
    notice = db.session.scalars(sa.select(Event).where(Event.action == "notice.instruction")).one()
    assert set(notice.after["unit_ids"]) == {unit("jiaqu").id, unit("sfj").id}
    with pytest.raises(NotAllowed):
        instructions.instruct(ad_hoc, actor=people["office"], text="办公室不能批示", now=NOW)
    with pytest.raises(Invalid):
        instructions.instruct(ad_hoc, actor=people["leader"], text="  ", now=NOW)
    proposal = instructions.propose(actor=people["leader"], title="调研行政复议工作", text="请司法局牵头调研",
                                    due_date=date(2023, 9, 30), now=NOW)
    item = instructions.assign_proposal(proposal, actor=people["office"], plan=plan, lead=unit("sfj"),
                                        cooperating=[], due_date=date(2023, 9, 30), source_ref="领导批示〔2023〕3号",
                                        now=NOW)
    assert item.source == ItemSource.LEADER_INSTRUCTION and proposal.item_id == item.id
    with pytest.raises(Invalid):
        instructions.file_proposal(proposal, actor=people["office"], note="已交办", now=NOW)
    listed = instructions.instructed_by(people["leader"])
    # the 批示件 assigned is one line, not also its instruction on the item (issue 20 point 8: shown twice)
    assert sorted((entry.kind, entry.item_id) for entry in listed) == [("instruction", ad_hoc.id),
                                                                       ("proposal", item.id)]
    assert instruction.text == "请抓紧办理,按时报结果"


def test_the_office_follows_every_leaders_instructions_and_a_unit_has_them_to_hand_until_read(
        people, ad_hoc, make_user, unit):
    """The office got 403 on its 批示落实 page, and a unit saw a 批示 only in the bell, not in 我的待办."""
    from tracker.services.ledger import notifications, todo

    other_leader = make_user(Role.LEADER, "city", username="another_leader")
    instructions.instruct(ad_hoc, actor=people["leader"], text="请抓紧办理", now=NOW)
    instructions.instruct(ad_hoc, actor=other_leader, text="请按时报结果", now=NOW)
    followed = instructions.instructed_by(people["office"])
    assert sorted((e.text, e.author) for e in followed) == sorted([
        ("请抓紧办理", people["leader"].display_name), ("请按时报结果", other_leader.display_name)])
    assert [e.text for e in instructions.instructed_by(other_leader)] == ["请按时报结果"]
    with pytest.raises(NotAllowed):
        instructions.instructed_by(people["jiaqu"])

    def waiting(actor):
        (found,) = [s for s in todo.todo(actor=actor, now=NOW, timezone="Asia/Shanghai") if s.key == "instructions"]
        return found

    assert waiting(people["jiaqu"]).count == 2 and waiting(people["sfj"]).count == 2  # lead and cooperating
    first = waiting(people["jiaqu"]).entries[0]
    assert first.item_id == ad_hoc.id and first.notification_id and "批示" in first.note
    notifications.mark_read(db.session.get(notifications.Notification, first.notification_id),
                            actor=people["jiaqu_member"], now=NOW)
    assert waiting(people["jiaqu"]).count == 1 and waiting(people["sfj"]).count == 2


def test_existing_plan_items_have_their_unit_as_lead_and_no_cooperators(make_item):
    item = make_item("sfj")
    assert item.cooperators == [] and item.task_id is not None and item.source is None


def test_once_the_office_sets_an_x_titles_and_descriptions_show_the_value(people, plan):
    from tracker.models import AccountabilityRecord, ItemTemplate, TaskParameter
    from tracker.services.assessment import overview
    from tracker.services.plan import plans
    from tracker.services.work import instructions
    from tracker.settings import settings

    template = db.session.scalars(sa.select(ItemTemplate).where(ItemTemplate.key == "lectures")).one()
    item = db.session.scalars(sa.select(WorkItem).where(WorkItem.template_id == template.id)).first()
    params = {p.key: p for p in db.session.scalars(sa.select(TaskParameter).where(
        TaskParameter.task_id == template.task_id))}
    assert "不少于X次" in item_detail(item, DEADLINES, actor=people["office"])["title"]
    plans.set_parameters(plan, actor=people["office"], now=NOW,
                         values={params["lectures_per_year"].id: "4", params["leadership_lectures_per_year"].id: "2"})
    detail = item_detail(item, DEADLINES, actor=people["office"])
    assert detail["title"].endswith("不少于4次") and "X" not in detail["title"]
    assert "不少于4次,其中领导班子不少于2次" in detail["description"]
    (card,) = boards.list_items(ItemFilters(q="专题讲座", unit_id=item.unit_id), actor=people["office"],
                                deadlines=DEADLINES, after_id=item.id - 1, limit=1)[0]
    assert card["title"].endswith("不少于4次")
    # the leaders' home: this week's 督办 and the 批示 waiting name the item as its card does
    instructions.instruct(item, actor=people["leader"], text="请抓紧落实", now=NOW)
    db.session.add(AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                        due_date=item.due_date, reason="逾期", issued_at=NOW))
    db.session.flush()
    home = overview.overview(actor=people["leader"], plan_id=plan.id, now=NOW, timezone=settings().timezone,
                             warning_days=DEADLINES.warning_days, ladder=settings().ladder)
    assert [w.item_title for w in home.waiting] == [card["title"]]
    assert [r.item_title for r in home.week_records] == [card["title"]]
    items.edit_item(item, actor=people["office"], changes={"title": "本单位自行拟定:每年不少于X次"},
                    expected_version=item.version, now=NOW)
    assert item_detail(item, DEADLINES, actor=people["office"])["title"] == "本单位自行拟定:每年不少于X次"


def test_the_unit_tree_is_read_once_in_a_transaction_that_writes_items(app, unit, make_item):
    """A flush of items (a move, its audit event) does not send permissions back to the unit tree: each flush
    opens and ends an inner transaction of its own, which is not the end of the transaction. A savepoint's end
    is (its rollback may undo a unit), and so is the transaction's."""
    county = unit("jiaqu")
    reads: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if statement.startswith("SELECT units.id, units.parent_id"):
            reads.append(statement)
    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        permissions.subtree_ids(county.id)
        make_item("jiaqu")  # the item, its audit event, flushed
        permissions.subtree_ids(county.id)
        assert len(reads) == 1
        with db.session.begin_nested():
            pass
        permissions.subtree_ids(county.id)
        assert len(reads) == 2
        db.session.commit()
        permissions.subtree_ids(county.id)
        assert len(reads) == 3
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)


def test_a_unit_placed_below_a_county_is_below_it_at_once_in_the_same_transaction(app, unit):
    """permissions reads the unit tree once per transaction; a unit added or moved, flushed or not yet, is
    seen by the next question, as when the tree was queried for every question."""
    county, other = unit("jiaqu"), unit("yiqu")
    assert not permissions.is_below(other.id, county.id)
    township = Unit(key="jiaqu_nancheng", name="南城街道", short_name="南城街道", kind=unit("jiaqu_dongcheng").kind,
                    parent_id=county.id)
    db.session.add(township)
    assert township.id is None  # not flushed yet: the question itself must see it
    assert permissions.subordinate_units(county.id)[-1] is township
    other.parent_id = county.id
    assert permissions.is_below(other.id, county.id) and permissions.has_subordinates(county.id)
