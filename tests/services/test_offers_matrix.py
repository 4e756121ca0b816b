"""What is offered is what is allowed (issue 20, "One rule, two answers").

Every role (the office, a leader, the lead unit's admin and member, a cooperating unit's admin and member, the
county that split an item, a township below it, an unrelated county) × every state (待签收, 进行中, 待审核, 已办结,
撤销, with an extension request waiting, with a contest waiting (by the lead unit, by a cooperating unit for its
part), and after the window to contest has closed) × every kind of item (a plan item, a 交办件, a split child, an item
whose cooperating part is done): an action is offered exactly when the service accepts it. Each service call runs
in a savepoint that is rolled back, so every call sees the same item.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from tests.conftest import NOW, TODAY, closing_evidence

from tracker.errors import NotAllowed, NotFound, TrackerError
from tracker.extensions import db
from tracker.models import AccountabilityRecord, ItemSource, ItemStatus, Phase, Role, Task, WorkItem
from tracker.services.ledger import records
from tracker.services.plan.workdays import WEEKDAYS_ONLY
from tracker.services.trust import permissions
from tracker.services.work.detail import item_detail, read_visible
from tracker.services.work import (
    assignment,
    boards,
    comments,
    contests,
    deadline_extensions,
    instructions,
    items,
    offers,
    progress,
    splitting,
    workflow,
)
from tracker.services.work.boards import ItemFilters
from tracker.services.work.deadlines import Deadlines
from tracker.services.work.item_facts import window_closes
from tracker.services.work.item_rules import Day, Facts

DEADLINES = Deadlines(today=date(2023, 4, 3), warning_days=7)
PEOPLE = {  # name: (role, unit key)
    "office": (Role.OFFICE_ADMIN, "office"), "leader": (Role.LEADER, "city"),
    "county_admin": (Role.UNIT_ADMIN, "jiaqu"), "county_member": (Role.UNIT_MEMBER, "jiaqu"),
    "coop_admin": (Role.UNIT_ADMIN, "sfj"), "coop_member": (Role.UNIT_MEMBER, "sfj"),
    "township_admin": (Role.UNIT_ADMIN, "jiaqu_dongcheng"), "township_member": (Role.UNIT_MEMBER, "jiaqu_dongcheng"),
    "other_township_admin": (Role.UNIT_ADMIN, "jiaqu_xicheng"), "unrelated_admin": (Role.UNIT_ADMIN, "yiqu"),
}
KINDS = ("plan_item", "ad_hoc", "split_child", "cooperating_part_done")
STATES = ("assigned", "in_progress", "submitted", "done", "cancelled")


@pytest.fixture
def people(make_user):
    return {name: make_user(role, unit_key, username=name) for name, (role, unit_key) in PEOPLE.items()}


def _plan_item(unit, plan, people, lead: str = "jiaqu") -> WorkItem:
    task = db.session.execute(sa.select(Task).where(Task.plan_id == plan.id, Task.number == 1)).scalar_one()
    phase = db.session.execute(sa.select(Phase).where(Phase.plan_id == plan.id).order_by(Phase.seq)
                               .offset(1)).scalars().first()
    (item,) = items.create_items(actor=people["office"], task=task, phase=phase, units=[unit(lead)],
                                 title="规范行政执法", due_date=date(2023, 12, 31), now=NOW, cooperating=[unit("sfj")])
    return item


def build(kind: str, state: str, *, app, unit, plan, people) -> WorkItem:
    """An item of the kind, moved to the state by the people whose job it is."""
    if kind == "ad_hoc":
        item = items.create_ad_hoc(actor=people["office"], plan=plan, source=ItemSource.MEETING, source_ref="纪要",
                                   title="整治违规执法", description="", due_date=date(2023, 12, 31),
                                   lead=unit("jiaqu"), cooperating=[unit("sfj")], now=NOW)
    else:
        item = _plan_item(unit, plan, people)
    lead, supervisor = people["county_admin"], people["office"]
    if kind == "split_child":
        (item,) = splitting.split(item, actor=lead, now=NOW, parts=[
            splitting.Part(unit("jiaqu_dongcheng"), "东城排查", date(2023, 11, 30))])
        assignment.set_units(item, actor=lead, lead=unit("jiaqu_dongcheng"), cooperating=[unit("jiaqu_xicheng")],
                             expected_version=item.version, now=NOW)
        lead, supervisor = people["township_admin"], people["county_admin"]
    if kind == "cooperating_part_done":
        assignment.mark_part_done(item, actor=people["coop_admin"], note="配合部分已完成", now=NOW)
    path = {"assigned": [], "cancelled": [], "in_progress": [ItemStatus.IN_PROGRESS],
            "submitted": [ItemStatus.IN_PROGRESS, ItemStatus.SUBMITTED],
            "done": [ItemStatus.IN_PROGRESS, ItemStatus.SUBMITTED, ItemStatus.DONE]}[state]
    for target in path:
        submitting = target == ItemStatus.SUBMITTED
        workflow.move(item, actor=supervisor if target == ItemStatus.DONE else lead, to=target,
                      expected_version=item.version, now=NOW, note="办结报告" if submitting else None,
                      evidence=closing_evidence(app) if submitting else None)
    if state == "cancelled":
        items.cancel_item(item, actor=supervisor, reason="无需办理", expected_version=item.version, now=NOW)
    return item


def calls(item: WorkItem, actor, app, unit, now=NOW) -> dict[str, Callable[[], Any]]:
    """Every service an action of the item page or the API reaches, called with good input (on `now`'s day)."""
    storage = closing_evidence(app).storage
    version = item.version
    below = permissions.subordinate_units(item.unit_id)[:1]
    pending = db.session.scalars(sa.select(deadline_extensions.ExtensionRequest).where(
        deadline_extensions.ExtensionRequest.item_id == item.id,
        deadline_extensions.ExtensionRequest.status == deadline_extensions.ExtensionStatus.PENDING)).first()
    contest = Facts.of(item).contest_pending
    owed = db.session.scalars(sa.select(AccountabilityRecord).where(AccountabilityRecord.item_id == item.id)).all()
    return {
        "reorder": lambda: workflow.move(item, actor=actor, to=item.status, expected_version=version, now=NOW),
        "progress": lambda: progress.add_update(item, actor=actor, text="进展", percent=50, files=[],
                                                storage=storage, now=NOW),
        "answer": lambda: records.answer(owed[0], actor=actor, explanation="说明", remedy_date=date(2023, 5, 1),
                                         now=NOW, timezone="Asia/Shanghai") if owed else _refuse(),
        "ask_extension": lambda: deadline_extensions.request_extension(item, actor=actor, due=item.due_date + timedelta(1),
                                                              reason="需要时间", now=NOW),
        "decide_extension": lambda: deadline_extensions.decide(pending, actor=actor, grant=False, note="不同意", now=NOW)
        if pending else _refuse(),
        "contest": lambda: contests.raise_contest(item, actor=actor, reason="职责不符", proposed_unit_id=None,
                                                  calendar=WEEKDAYS_ONLY, now=now),
        "decide_contest": lambda: contests.decide(contest, actor=actor, uphold=False, note="属本单位职责",
                                                  expected_version=version, now=now) if contest else _refuse(),
        "mark_part": lambda: assignment.mark_part_done(item, actor=actor, note="完成", now=NOW),
        "name_person": lambda: assignment.set_responsible(item, actor=actor, user_id=None, phone="0571-12345",
                                                          expected_version=version, now=NOW),
        "split": lambda: splitting.split(item, actor=actor, now=NOW, parts=[
            splitting.Part(u, "分解", item.due_date) for u in below]),
        "edit": lambda: items.edit_item(item, actor=actor, changes={"title": "改正"}, expected_version=version,
                                        now=NOW),
        "set_units": lambda: assignment.set_units(item, actor=actor, lead=item.unit,
                                                  cooperating=[part.unit for part in item.cooperators],
                                                  expected_version=version, now=NOW),
        "cancel": lambda: items.cancel_item(item, actor=actor, reason="撤销", expected_version=version, now=NOW),
        "instruct": lambda: instructions.instruct(item, actor=actor, text="抓紧办理", now=NOW),
        "comment": lambda: comments.add_comment(item, actor=actor, text="请补充", now=NOW),
    }


class NothingToActOn(TrackerError):
    """No record to answer, no request to decide: the service cannot even be called."""


def _refuse() -> None:
    raise NothingToActOn("nothing to act on")


def outcome(call: Callable[[], Any]) -> TrackerError | None:
    """The service's answer, in a savepoint rolled back whatever happened."""
    savepoint = db.session.begin_nested()
    try:
        call()
        return None
    except TrackerError as refusal:
        return refusal
    finally:
        if savepoint.is_active:
            savepoint.rollback()
        db.session.expire_all()


def moves_accepted(item: WorkItem, actor, app) -> set[str]:
    accepted = set()
    for target in ItemStatus:
        if target == item.status:
            continue
        note = {ItemStatus.SUBMITTED: "办结报告", ItemStatus.IN_PROGRESS: "退回理由"}.get(target)
        evidence = closing_evidence(app) if target == ItemStatus.SUBMITTED else None
        if outcome(lambda: workflow.move(item, actor=actor, to=target, expected_version=item.version, now=NOW,
                                         note=note, evidence=evidence)) is None:
            accepted.add(target.value)
    return accepted


def check_everyone(item: WorkItem, people, app, unit, day: Day = TODAY) -> None:
    now = NOW + timedelta(days=(day.today - TODAY.today).days)
    for name, actor in people.items():
        offered = offers.of_item(actor, item, day)
        found = {action: outcome(call) for action, call in calls(item, actor, app, unit, now).items()}
        accepted = {action for action, refusal in found.items() if refusal is None}
        where = f"{name} on {item.status} item #{item.id}"
        assert {m["to"] for m in offered["moves"]} == moves_accepted(item, actor, app), where
        assert offered["reorder"] == ("reorder" in accepted), where
        assert set(offered["actions"]) == accepted - {"reorder"}, where
        for decision, move in (("approve", ItemStatus.DONE), ("return", ItemStatus.IN_PROGRESS)):
            reviewed = outcome(lambda: workflow.review(item, actor=actor, decision=decision, reason="理由",
                                                       expected_version=item.version, now=NOW))
            assert (reviewed is None) == (move.value in {m["to"] for m in offered["moves"]}
                                          and item.status == ItemStatus.SUBMITTED), where
        if actor.role == Role.LEADER:  # permission before state: read-only whatever the item's state
            assert {action: refusal.code for action, refusal in found.items()
                    if action != "instruct" and not isinstance(refusal, (NotAllowed, NothingToActOn))} == {}
        if item.cancelled_at is None and permissions.can_see_item(actor, item):
            (card,) = boards.list_items(ItemFilters(ids=(item.id,)), actor=actor, deadlines=DEADLINES,
                                        after_id=None, limit=1)[0]
            assert card["offers"] == {"moves": offered["moves"], "reorder": offered["reorder"]}, where


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_role_is_offered_exactly_what_the_services_accept(app, unit, plan, people, kind, state):
    item = build(kind, state, app=app, unit=unit, plan=plan, people=people)
    check_everyone(item, people, app, unit)
    if item.parent is not None:  # the county's own item, held back (or not) by its township's
        check_everyone(item.parent, people, app, unit)


@pytest.mark.parametrize("kind", KINDS)
def test_with_an_extension_request_waiting_the_deciders_are_offered_the_decision(app, unit, plan, people, kind):
    item = build(kind, "in_progress", app=app, unit=unit, plan=plan, people=people)
    lead = people["township_admin" if kind == "split_child" else "county_admin"]
    deadline_extensions.request_extension(item, actor=lead, due=item.due_date + timedelta(days=1), reason="需要时间", now=NOW)
    check_everyone(item, people, app, unit)


# The lead unit contests every kind; the cooperating unit (sfj) contests its part of the items it has one in and
# has not marked done.
@pytest.mark.parametrize(("kind", "contester"), [*((kind, "lead") for kind in KINDS), ("plan_item", "coop_admin"),
                                                 ("ad_hoc", "coop_admin")])
def test_with_a_contest_waiting_only_the_office_is_offered_the_decision(app, unit, plan, people, kind, contester):
    item = build(kind, "in_progress", app=app, unit=unit, plan=plan, people=people)
    lead = people["township_admin" if kind == "split_child" else "county_admin"]
    actor = lead if contester == "lead" else people["coop_admin"]
    contests.raise_contest(item, actor=actor, reason="职责不符", proposed_unit_id=None, calendar=WEEKDAYS_ONLY,
                           now=NOW)
    assert [name for name, person in people.items() if "decide_contest" in offers.of_item(person, item, TODAY)[
        "actions"]] == ["office"]
    check_everyone(item, people, app, unit)


@pytest.mark.parametrize("state", ["assigned", "in_progress"])
def test_after_the_window_no_one_is_offered_a_contest(app, unit, plan, people, state):
    item = build("plan_item", state, app=app, unit=unit, plan=plan, people=people)
    closes = window_closes(item, WEEKDAYS_ONLY)
    for day in (closes, closes + timedelta(days=1)):
        check_everyone(item, people, app, unit, Day(day, WEEKDAYS_ONLY))
    assert "contest" in offers.of_item(people["county_admin"], item, Day(closes, WEEKDAYS_ONLY))["actions"]
    assert "contest" not in offers.of_item(people["county_admin"], item, Day(closes + timedelta(days=1),
                                                                            WEEKDAYS_ONLY))["actions"]


def test_cards_of_one_board_are_offered_what_each_item_is_offered(app, unit, plan, people):
    """A board judges its cards' offers once per combination of the facts the rules read (boards.CardMaker);
    with every kind in every state on one board, no card may be offered what another card of its combination is
    and it is not."""
    built = [build(kind, state, app=app, unit=unit, plan=plan, people=people)
             for kind in KINDS for state in STATES if state != "cancelled"]
    for state in ("assigned", "in_progress", "submitted"):  # beside the split child: the same unit, not split
        item = _plan_item(unit, plan, people, lead="jiaqu_dongcheng")
        for target in {"assigned": [], "in_progress": [ItemStatus.IN_PROGRESS],
                       "submitted": [ItemStatus.IN_PROGRESS, ItemStatus.SUBMITTED]}[state]:
            submitting = target == ItemStatus.SUBMITTED
            workflow.move(item, actor=people["township_admin"], to=target, expected_version=item.version, now=NOW,
                          note="办结报告" if submitting else None,
                          evidence=closing_evidence(app) if submitting else None)
    parents = [item.parent for item in built if item.parent is not None]
    for name, actor in people.items():
        cards = boards.list_items(ItemFilters(plan_id=plan.id), actor=actor, deadlines=DEADLINES, after_id=None,
                                  limit=1000)[0]
        assert cards or name == "unrelated_admin", name
        for card in cards:
            item = db.session.get(WorkItem, card["id"])
            offered = offers.of_item(actor, item, TODAY)
            assert card["offers"] == {"moves": offered["moves"], "reorder": offered["reorder"]}, (name, card["id"])
    assert len(parents) == len(STATES) - 1


def test_each_card_shows_its_item_as_the_items_own_detail_does(app, unit, plan, people):
    """The database writes a card's fields (cards.py: the light and days overdue by deadlines' clauses, the title
    with its plan values, the moment as isoformat writes it); the detail reads the same item through the Python
    rules. For every kind in every state, seen by everyone, on a day each light is lit, the two agree, and the
    API's bytes say what a page's dict says."""
    import orjson

    from tracker.services.work.cards import CARD_FIELDS

    built = [build(kind, state, app=app, unit=unit, plan=plan, people=people)
             for kind in KINDS for state in STATES if state != "cancelled"]
    built[0].updated_at = NOW.replace(microsecond=250)  # a moment with a fraction, and the others without
    db.session.flush()
    shown = [name for name in CARD_FIELDS if name not in ("offers", "my_part", "open_level")]
    lit = set()
    for today in (date(2023, 4, 3), date(2023, 12, 28), date(2024, 1, 8)):  # green, yellow, red for 2023-12-31
        deadlines = Deadlines(today=today, warning_days=7)
        for name, actor in people.items():
            cards = boards.list_items(ItemFilters(plan_id=plan.id), actor=actor, deadlines=deadlines,
                                      after_id=None, limit=1000)[0]
            encoded = boards.list_items(ItemFilters(plan_id=plan.id), actor=actor, deadlines=deadlines,
                                        after_id=None, limit=1000, as_json=True)[0]
            assert orjson.loads(orjson.dumps(encoded)) == cards, name
            for card in cards:
                detail = item_detail(db.session.get(WorkItem, card["id"]), deadlines, actor=actor)
                expected = orjson.loads(orjson.dumps({field: detail[field] for field in shown}))
                assert {field: card[field] for field in shown} == expected, (name, card["id"])
                lit.add(card["light"])
    assert lit == {None, "green", "yellow", "red"}


def test_an_items_detail_encodes_as_its_schema_dumps_it(app, unit, plan, people):
    """GET /items/{id} encodes detail.item_detail with orjson, not through WorkItemOut: the two must agree for
    every kind of item in every state (dates, moments, enums, parents, children, cooperating parts)."""
    import orjson

    from tracker.api.items import ITEM_FIELDS, ITEM_OUT
    built = [build(kind, state, app=app, unit=unit, plan=plan, people=people) for kind in KINDS for state in STATES]
    for item in built + [item.parent for item in built if item.parent is not None]:
        for actor in (people["office"], people["county_admin"]):
            detail = item_detail(item, DEADLINES, actor=actor)
            answered = {name: detail[name] for name in ITEM_FIELDS if name in detail}  # as api.items.item_json
            assert orjson.loads(orjson.dumps(answered)) == ITEM_OUT.dump(detail), item.id


def _shown(load: Callable[[], Any], actor) -> Any:
    """An item's detail as the actor is shown it through `load` (item, known), or the refusal's code."""
    db.session.expire_all()  # each way loads the item afresh, as a request would
    try:
        item, known = load()
    except NotFound as refused:
        return refused.code
    return item_detail(item, DEADLINES, actor=actor, known=known)


def _supervised(item: WorkItem) -> WorkItem:
    """The item with an open 督办 record its lead unit owes an answer to."""
    db.session.add(AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                        due_date=item.due_date, reason="逾期 16 天", issued_at=NOW,
                                        answer_due=date(2099, 1, 1)))
    db.session.flush()
    return item


def test_a_moves_answer_shows_what_a_fresh_read_of_the_moved_item_shows(app, unit, plan, people):
    """POST /items/{id}/move and /review load the item with detail.read_visible and answer its detail from what
    that statement knew (sub-items, cooperating units, a pending extension request or contest): a move touches
    none of them. For every kind in each state a move leaves, with a request and a contest waiting, the answer
    of every move someone is offered equals the moved item read afresh."""
    built = [build(kind, state, app=app, unit=unit, plan=plan, people=people)
             for kind in KINDS for state in ("assigned", "in_progress", "submitted")]
    waiting = build("split_child", "in_progress", app=app, unit=unit, plan=plan, people=people)
    deadline_extensions.request_extension(waiting, actor=people["township_admin"], due=waiting.due_date + timedelta(1),
                                          reason="需要时间", now=NOW)
    contested = build("plan_item", "assigned", app=app, unit=unit, plan=plan, people=people)
    contests.raise_contest(contested, actor=people["county_admin"], reason="应由市公安局牵头", proposed_unit_id=None,
                           calendar=WEEKDAYS_ONLY, now=NOW)
    owing = [_supervised(build("plan_item", state, app=app, unit=unit, plan=plan, people=people))
             for state in ("assigned", "submitted")]  # signed with an answer owed; approved, its record settled
    db.session.commit()
    ids = sorted({item.id for item in built + owing + [waiting, contested]} | {item.parent_id for item in built
                                                                               if item.parent_id})
    moved = set()
    for item_id in ids:
        candidates = []  # (actor, move): every move someone is offered, then reordering
        for actor in people.values():
            try:
                item, _known = read_visible(item_id, actor=actor)
            except NotFound:
                continue
            shown = offers.of_item(actor, item, TODAY)
            candidates += [(actor, move) for move in shown["moves"] if move["action"] != "submit"]
            candidates += [(actor, {"to": item.status.value, "action": "reorder", "note": None})] \
                if shown["reorder"] else []
        moves = [pair for pair in candidates if pair[1]["action"] != "reorder"] or candidates
        actor, move = moves[len(moved) % len(moves)]  # approve some, return others
        db.session.expire_all()
        item, known = read_visible(item_id, actor=actor)
        workflow.move(item, actor=actor, to=ItemStatus(move["to"]), expected_version=item.version, now=NOW,
                      note="请补充材料" if move["note"] else None)
        answered = item_detail(item, DEADLINES, actor=actor, known=known)
        db.session.commit()
        assert answered == _shown(lambda: (items.get_visible(item_id, actor=actor), None), actor), item_id
        moved.add((item_id, move["action"]))
    assert {action for _id, action in moved} >= {"sign", "approve", "return", "reorder"}
    assert {waiting.id, contested.id, *(item.id for item in owing)} <= {item_id for item_id, _action in moved}


def test_an_item_read_for_its_detail_shows_each_person_what_the_full_load_shows(app, unit, plan, people):
    """GET /items/{id} loads with detail.read_visible, which asks in the item's own statement whether it has
    cooperating units, sub-items and a pending extension request and skips those queries when not: for every
    kind in every state, and with a request waiting, each person is shown the same detail (offers included) as
    through items.get_visible, and refused the same items (a unit never reads an item it may not see)."""
    built = [build(kind, state, app=app, unit=unit, plan=plan, people=people) for kind in KINDS for state in STATES]
    waiting = build("split_child", "in_progress", app=app, unit=unit, plan=plan, people=people)
    deadline_extensions.request_extension(waiting, actor=people["township_admin"], due=waiting.due_date + timedelta(1),
                                          reason="需要时间", now=NOW)
    owing = _supervised(build("plan_item", "in_progress", app=app, unit=unit, plan=plan, people=people))
    db.session.commit()
    ids = sorted({item.id for item in built + [waiting, owing]} | {item.parent_id for item in built
                                                                   if item.parent_id})
    refused = 0
    for item_id in ids:
        for name, actor in people.items():
            full = _shown(lambda: (items.get_visible(item_id, actor=actor), None), actor)
            fast = _shown(lambda: read_visible(item_id, actor=actor), actor)
            assert fast == full, (item_id, name)
            refused += full == "item_not_found"
    assert refused and _shown(lambda: read_visible(ids[-1] + 1000, actor=people["office"]), None) == "item_not_found"
