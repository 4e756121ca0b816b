"""What a person may do with an item: every rule written once, answered two ways.

`may(actor, item, action)` says yes or no, for what pages and the API offer (services/work/offers.py);
`require(actor, item, action)` raises the refusal, for the service that does it. Both ask the same rule, so what
is offered is what is accepted (Redash's `can_modify` / `require_object_modify_permission`, Indico's
`can_judge(user, check_state=True)`).

A rule asks the person's place first and the item's state only after: a role that may not act at all hears 403
whatever the item's state, so a read-only leader learns nothing of the workflow from a refusal. Only then come a
cancelled item (撤销), the column, and the conditions of the moment (an open sub-item, a pending request).
What a request carries (a reason, a date, files) is the service's to check; a rule needs none of it.

Rules read an item through `Facts`: from a loaded item every fact is at hand (the few that need a query are
asked only by the rules that read them); a board card gives the facts its row holds, enough for its moves.
"""
from __future__ import annotations

from collections.abc import Callable

from ...errors import Invalid, InvalidTransition, NotAllowed, NotFound, TrackerError
from ...models import ItemStatus, Role, User, WorkItem
from ..plan import wording
from ..trust import permissions
from .item_facts import Day, Facts

__all__ = ["Day", "Facts", "RULES", "may", "require", "refusal"]

STATUS_WORDS = {
    ItemStatus.ASSIGNED: ("待签收", "Assigned"),
    ItemStatus.IN_PROGRESS: ("进行中", "In progress"),
    ItemStatus.SUBMITTED: ("待审核", "Submitted"),
    ItemStatus.DONE: ("已办结", "Done"),
}


Refusal = TrackerError | None
Rule = Callable[[User, Facts], Refusal]


# --- who the person is to the item (403) ------------------------------------------------------------------

def _read_only(actor: User) -> Refusal:
    return permissions.read_only_refusal(actor)


def _leads(actor: User, facts: Facts, roles: frozenset[Role]) -> bool:
    """The actor's unit leads the item (the office counts for the items it leads itself)."""
    return actor.role in roles and actor.unit_id == facts.unit_id


def _supervises(actor: User, facts: Facts) -> bool:
    if permissions.is_office(actor):
        return True
    return permissions.supervises_unit(actor, facts.parent_unit_id if facts.parent_id is not None else None)


LEAD_ROLES = frozenset({Role.UNIT_ADMIN, Role.UNIT_MEMBER, Role.OFFICE_ADMIN})
LEAD_ADMIN_ROLES = frozenset({Role.UNIT_ADMIN, Role.OFFICE_ADMIN})


def _not_supervisor(zh: str, en: str) -> NotAllowed:
    return NotAllowed(zh, en, code="supervisor_only")


# --- the item's state (422) -------------------------------------------------------------------------------

def _cancelled(facts: Facts) -> Refusal:
    if facts.cancelled:
        return Invalid("该工作项已撤销", "This item was cancelled", code="item_cancelled")
    return None


def _in(facts: Facts, *statuses: ItemStatus) -> Refusal:
    if facts.status in statuses:
        return None
    wanted = "或".join(STATUS_WORDS[s][0] for s in statuses)
    return InvalidTransition(f"该工作项{STATUS_WORDS[facts.status][0]},只能在{wanted}时办理",
                             f"The item is {STATUS_WORDS[facts.status][1].lower()}; this is done only when it is "
                             + " or ".join(STATUS_WORDS[s][1].lower() for s in statuses))


def _not_done(facts: Facts) -> Refusal:
    if facts.status == ItemStatus.DONE:
        return Invalid("该工作项已办结", "This item is already done", code="item_done")
    return None


def _first(*checks: Callable[[], Refusal]) -> Refusal:
    """The first refusal of checks asked in order; later checks are not asked once one refuses."""
    for check in checks:
        refusal = check()
        if refusal is not None:
            return refusal
    return None


# --- the rules --------------------------------------------------------------------------------------------

def move_card(actor: User, f: Facts) -> Refusal:
    """Moving a card at all (and reordering it in its column): the office, the lead unit, the unit that split it."""
    return _first(
        lambda: _read_only(actor),
        lambda: None if _leads(actor, f, LEAD_ROLES) or _supervises(actor, f) else NotAllowed(
            "只能办理本单位牵头的工作项", "You may only change items your unit leads"),
        lambda: _cancelled(f))


def sign(actor: User, f: Facts) -> Refusal:
    return _first(
        lambda: _read_only(actor),
        lambda: None if _leads(actor, f, LEAD_ROLES) else NotAllowed(
            "只有牵头单位可以签收", "Only the lead unit may sign for an item", code="lead_only"),
        lambda: _cancelled(f), lambda: _in(f, ItemStatus.ASSIGNED))


def submit(actor: User, f: Facts) -> Refusal:
    return _first(
        lambda: _read_only(actor),
        lambda: None if _leads(actor, f, LEAD_ADMIN_ROLES) else NotAllowed(
            "只有牵头单位管理员可以提交办结申请", "Only the lead unit's administrator may submit an item for review",
            code="lead_admin_only"),
        lambda: _cancelled(f), lambda: _in(f, ItemStatus.IN_PROGRESS), lambda: _children_closed(f))


def _children_closed(f: Facts) -> Refusal:
    if not f.open_children:
        return None
    named = [(child.unit.short_name, wording.title(child)) for child in f.open_children]
    return Invalid("、".join(f"{unit}的「{title}」" for unit, title in named) + "尚未办结或撤销,不能提交办结申请",
                   "Still open: " + "; ".join(f"{unit}'s “{title}”" for unit, title in named)
                   + "; finish or cancel them first", code="children_open")


def _review(actor: User, f: Facts, zh: str, en: str) -> Refusal:
    """Reviewing a submission: the office, or for a sub-item the unit that split it (its admin)."""
    return _first(lambda: _read_only(actor), lambda: None if _supervises(actor, f) else _not_supervisor(zh, en),
                  lambda: _cancelled(f), lambda: _in(f, ItemStatus.SUBMITTED))


def approve(actor: User, f: Facts) -> Refusal:
    """A unit never marks its own item done; no one approves what they submitted themselves."""
    return _first(
        lambda: _review(actor, f, "只有领导小组办公室可以审核办结(下级分解事项由分解它的单位审核),承办单位不能自行办结",
                        "Only the office may approve (for a sub-item, the unit that split it); a unit cannot mark "
                        "its own item done"),
        lambda: NotAllowed("不能审核自己提交的工作项", "You cannot approve an item you submitted yourself",
                           code="own_submission") if f.submitted_by == actor.id else None)


def return_(actor: User, f: Facts) -> Refusal:
    return _review(actor, f, "只有领导小组办公室可以退回(下级分解事项由分解它的单位退回)",
                   "Only the office may return an item (for a sub-item, the unit that split it)")


def report_progress(actor: User, f: Facts) -> Refusal:
    """Progress and evidence: the office, the lead unit and the cooperating units, until the item is done."""
    return _first(
        lambda: _read_only(actor),
        lambda: None if permissions.is_office(actor) or actor.unit_id == f.unit_id or _cooperates(actor, f)
        else NotAllowed("只能办理本单位承担的工作项", "You may only report on items your unit carries"),
        lambda: _cancelled(f), lambda: _not_done(f))


def _cooperates(actor: User, f: Facts) -> bool:
    return permissions.is_unit(actor) and f.part_of(actor.unit_id) is not None


def comment(actor: User, f: Facts) -> Refusal:
    """Everyone who may see the item except leaders (read-only)."""
    return _first(lambda: None if permissions.can_see_item(actor, f.item) else _not_found(),
                  lambda: _read_only(actor))


def _not_found() -> NotFound:
    return NotFound("工作项不存在或无权查看", "Work item not found", code="item_not_found")


def ask_extension(actor: User, f: Facts) -> Refusal:
    """The lead unit asks for more time (its admin or members; the office decides rather than asks)."""
    return _first(
        lambda: _read_only(actor),
        lambda: None if permissions.is_unit(actor) else NotAllowed(
            "延期由承办单位申请,办公室审批", "Extensions are asked by the unit and decided by the office",
            code="unit_only"),
        lambda: None if actor.unit_id == f.unit_id else NotAllowed(
            "只有牵头单位可以申请延期", "Only the lead unit may ask for more time", code="lead_only"),
        lambda: _cancelled(f),
        lambda: Invalid("该工作项无需延期", "This item cannot be extended", code="not_extendable")
        if f.status == ItemStatus.DONE or f.due_date is None else None,
        lambda: Invalid("已有待审批的延期申请", "An extension request is already waiting",
                        code="extension_pending") if f.extension_pending else None)


def decide_extension(actor: User, f: Facts) -> Refusal:
    return _first(
        lambda: _read_only(actor),
        lambda: None if _supervises(actor, f) else _not_supervisor(
            "只有领导小组办公室或分解该事项的单位可以审批延期",
            "Only the office, or the unit that split this item, decides extensions"),
        lambda: _cancelled(f),
        lambda: None if f.extension_pending else Invalid(
            "没有待审批的延期申请", "No extension request is waiting", code="already_decided"))


def split(actor: User, f: Facts) -> Refusal:
    """The lead unit's admin splits among the units below it (二次分解), before the item is submitted."""
    return _first(
        lambda: _read_only(actor),
        lambda: None if permissions.is_unit(actor) and actor.unit_id == f.unit_id else NotAllowed(
            "只有牵头单位可以分解", "Only the lead unit may split an item", code="lead_only"),
        lambda: None if actor.role == Role.UNIT_ADMIN else NotAllowed(
            "只有牵头单位管理员可以分解", "Only the lead unit's administrator may split an item",
            code="lead_admin_only"),
        lambda: _cancelled(f),
        lambda: None if f.status in (ItemStatus.ASSIGNED, ItemStatus.IN_PROGRESS) else Invalid(
            "只能分解待签收或进行中的工作项", "Only an item assigned or in progress can be split",
            code="not_splittable"),
        lambda: None if permissions.has_subordinates(f.unit_id) else Invalid(
            "本单位没有下属单位,不能分解", "Your unit has no units below it to split among", code="no_subordinates"))


def name_person(actor: User, f: Facts) -> Refusal:
    """The person responsible (责任人): the lead unit's admin or the office, while the item is open."""
    return _first(
        lambda: _read_only(actor),
        lambda: None if permissions.is_office(actor) or _leads(actor, f, frozenset({Role.UNIT_ADMIN}))
        else NotAllowed("只有牵头单位管理员或领导小组办公室可以指定责任人",
                        "Only the lead unit's administrator or the office names the person responsible",
                        code="lead_admin_only"),
        lambda: _cancelled(f), lambda: _not_done(f))


def set_units(actor: User, f: Facts) -> Refusal:
    """Lead and cooperating units: the office, or for a sub-item the unit that split it (within its own tree,
    which assignment.set_units checks of the units named)."""
    return _first(
        lambda: _read_only(actor),
        lambda: None if _supervises(actor, f) else _not_supervisor(
            "只有领导小组办公室或分解该事项的单位可以调整牵头和配合单位",
            "Only the office, or the unit that split this item, changes its units"),
        lambda: _cancelled(f), lambda: _not_done(f))


def edit(actor: User, f: Facts) -> Refusal:
    """The office corrects wording, priority and due date until the item is done (an approved item was judged
    against its due date; changing it afterwards would rewrite the review)."""
    return _first(
        lambda: _read_only(actor),
        lambda: None if permissions.is_office(actor) else NotAllowed(
            "仅领导小组办公室可以执行此操作", "Only the leading-group office may do this", code="office_only"),
        lambda: _cancelled(f), lambda: _not_done(f))


def cancel(actor: User, f: Facts) -> Refusal:
    return _first(
        lambda: _read_only(actor),
        lambda: None if _supervises(actor, f) else _not_supervisor(
            "只有领导小组办公室或分解该事项的单位可以撤销", "Only the office, or the unit that split this item, "
            "may cancel it"),
        lambda: _cancelled(f), lambda: _not_done(f))


def mark_part(actor: User, f: Facts) -> Refusal:
    """A cooperating unit's admin marks its part done, once, while the item is open."""
    return _first(
        lambda: _read_only(actor),
        lambda: None if _cooperates(actor, f) else NotAllowed(
            "只有配合单位可以标记本单位承担部分已完成", "Only a cooperating unit marks its part done",
            code="cooperating_only"),
        lambda: None if actor.role == Role.UNIT_ADMIN else NotAllowed(
            "须由配合单位管理员标记", "The cooperating unit's administrator marks its part done",
            code="unit_admin_only"),
        lambda: _cancelled(f),
        lambda: Invalid("本单位承担部分已标记完成", "Your part is already marked done", code="part_already_done")
        if f.part_of(actor.unit_id).is_done else None,
        lambda: _not_done(f))


def instruct(actor: User, f: Facts) -> Refusal:
    """Leaders, read-only for everything else, write instructions (批示) on any item."""
    if permissions.can_instruct(actor):
        return None
    return NotAllowed("只有领导可以作出批示", "Only a leader may write an instruction", code="leader_only")


def answer(actor: User, f: Facts) -> Refusal:
    """A unit answers the 督办 notices its unit owes on the item (records.answer checks each record)."""
    return _first(
        lambda: _read_only(actor),
        lambda: None if permissions.is_unit(actor) else NotAllowed(
            "只有被督办单位可以答复督办记录", "Only the unit concerned may answer a record", code="unit_only"),
        lambda: None if f.answers_owed(actor.unit_id) else InvalidTransition(
            "本单位在该工作项上没有待答复的督办", "Your unit owes no answer on this item", code="nothing_to_answer"))


def contest(actor: User, f: Facts) -> Refusal:
    """退办 / 异议: an admin of the lead unit, or of a cooperating unit for its part (until it marks that part
    done), inside the window of working days from the assignment; one contest waits at a time."""
    return _first(
        lambda: _read_only(actor),
        lambda: None if actor.role == Role.UNIT_ADMIN and (actor.unit_id == f.unit_id or _cooperates(actor, f))
        else NotAllowed("只有承办该工作项的单位管理员可以提出异议",
                        "Only an administrator of a unit carrying the item may contest it", code="contest_forbidden"),
        lambda: _cancelled(f), lambda: _not_done(f),
        lambda: Invalid("本单位承担部分已标记完成,不能再提出异议", "Your part is marked done; it cannot be contested",
                        code="part_already_done") if actor.unit_id != f.unit_id and f.part_of(actor.unit_id).is_done
        else None,
        lambda: Invalid("该工作项已有待处理的异议", "A contest of this item is already waiting",
                        code="contest_pending") if f.contest_pending is not None else None,
        lambda: Invalid(f"异议期已于 {f.contest_closes.isoformat()} 届满(交办后 {f.item.plan.contest_days} 个工作日内),"
                        "不能再提出异议", f"The window to contest closed on {f.contest_closes.isoformat()}",
                        code="contest_window_closed") if f.day.today > f.contest_closes else None)


def decide_contest(actor: User, f: Facts) -> Refusal:
    """The office upholds or rejects a contest; a unit never decides one, its own or another's. A cancelled or
    done item's contest may still be rejected, so none waits for ever."""
    return _first(
        lambda: _read_only(actor),
        lambda: None if permissions.is_office(actor) else NotAllowed(
            "异议由领导小组办公室处理", "Only the office decides a contest", code="office_only"),
        lambda: None if f.contest_pending is not None else Invalid(
            "没有待处理的异议", "No contest is waiting", code="contest_decided"))


# The rule of each action, by the name the pages, the API's `offers` and the tests use.
RULES: dict[str, Rule] = {
    "reorder": move_card, "sign": sign, "submit": submit, "approve": approve, "return": return_,
    "progress": report_progress, "comment": comment, "ask_extension": ask_extension,
    "decide_extension": decide_extension, "split": split, "name_person": name_person, "set_units": set_units,
    "edit": edit, "cancel": cancel, "mark_part": mark_part, "instruct": instruct, "answer": answer,
    "contest": contest, "decide_contest": decide_contest,
}


def refusal(actor: User, item: WorkItem | Facts, action: str) -> Refusal:
    return RULES[action](actor, item if isinstance(item, Facts) else Facts.of(item))


def may(actor: User, item: WorkItem | Facts, action: str) -> bool:
    return refusal(actor, item, action) is None


def require(actor: User, item: WorkItem | Facts, action: str) -> None:
    found = refusal(actor, item, action)
    if found is not None:
        raise found
