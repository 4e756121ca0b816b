"""退办 / 异议: the lead unit of an item (or a cooperating unit, for its part) contests the assignment with a reason
and, if it likes, the unit it believes responsible, within the plan's window of working days from the assignment
(`Plan.contest_days`, default 7; the holiday calendar counts). The office upholds it, reassigning the item to the
named unit or another, due date kept or changed, or rejects it with a reason. The ladder does not stop while a
contest waits: the item only shows 异议中. Each step is audited and tells the units, in the step's transaction.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ... import limits
from ...errors import Invalid, NotFound
from ...extensions import db
from ...models import ContestStatus, ItemContest, Unit, User, WorkItem
from ..ledger import notifications
from ..plan import wording
from ..plan.workdays import Calendar
from ..trust import audit, permissions
from . import assignment, item_news, item_rows, item_rules, items
from .workflow import check_version


def get_contest(contest_id: int, *, actor: User) -> ItemContest:
    """A contest of an item the actor may see; otherwise not found."""
    return item_rows.visible_row(ItemContest, contest_id, actor=actor,
                                 missing=NotFound("异议不存在", "Contest not found", code="contest_not_found"))


def contests_of(item: WorkItem) -> list[ItemContest]:
    return item_rows.rows_of(ItemContest, item)


def listed(*, actor: User, status: ContestStatus | None, before_id: int | None,
           limit: int) -> tuple[list[ItemContest], int | None]:
    """The contests the actor deals with: the office every one, a unit those it raised; newest first, a page and
    the cursor of the next (the id the next page starts below), so none is left out however many there are."""
    query = sa.select(ItemContest).order_by(ItemContest.id.desc()).limit(limit + 1)
    if not permissions.is_office(actor):
        query = query.where(ItemContest.unit_id == actor.unit_id)
    if status is not None:
        query = query.where(ItemContest.status == status)
    if before_id is not None:
        query = query.where(ItemContest.id < before_id)
    found = list(db.session.scalars(query))
    return found[:limit], (found[limit - 1].id if len(found) > limit else None)


# The office's answer to a contest, by the word a form or a program sends.
DECISIONS: dict[str, bool] = {"uphold": True, "reject": False}


def raise_contest(item: WorkItem, *, actor: User, reason: str, proposed_unit_id: int | None, calendar: Calendar,
                  now: datetime) -> ItemContest:
    """Raises what item_rules.contest refuses (anyone but an admin of a unit carrying the item, a closed item, a
    contest already waiting, the window closed: naming the day it closed), and Invalid for a missing reason or a
    named unit that is the contesting unit itself or none."""
    today = now.astimezone(ZoneInfo(item.plan.timezone)).date()
    item_rules.require(actor, item_rules.Facts.of(item, item_rules.Day(today, calendar)), "contest")
    unit_id = actor.unit_id
    text = (reason or "").strip()
    if not text or len(text) > limits.NOTE:
        raise Invalid("须说明异议理由", "A contest needs a reason", code="reason_required",
                      fields={"reason": [f"须填写,且不超过 {limits.NOTE} 字"]})
    if proposed_unit_id is not None and (proposed_unit_id == unit_id or db.session.get(Unit, proposed_unit_id) is None):
        raise Invalid("建议的承办单位无效", "The unit named instead is not valid", code="unit_invalid",
                      fields={"proposed_unit_id": ["不能是本单位,且须为已有单位"]})
    contest = ItemContest(item_id=item.id, unit_id=unit_id, proposed_unit_id=proposed_unit_id, reason=text,
                          raised_by_id=actor.id, raised_at=now, status=ContestStatus.PENDING)
    db.session.add(contest)
    db.session.flush()
    audit.record(actor=actor, action="item.contest", entity_type="item_contest", entity_id=contest.id,
                 item_id=item.id, after={"reason": text, "proposed_unit_id": proposed_unit_id}, now=now)
    item_news.notify(unit_ids=[item.plan.office_unit_id], item=item, kind=notifications.CONTESTED, actor=actor,
                     now=now, text=f"{actor.unit.short_name}对《{wording.title(item)}》提出异议:{text}")
    return contest


def decide(contest: ItemContest, *, actor: User, uphold: bool, note: str, expected_version: int, now: datetime,
           new_unit_id: int | None = None, new_due_date: date | None = None) -> ItemContest:
    """The office's decision. Upheld: the item goes to `new_unit_id` (default: the unit the contest named), its due
    date kept unless `new_due_date`; the contesting unit leaves it. Rejected: the item stays as it was."""
    item = db.session.get(WorkItem, contest.item_id)
    assert item is not None
    item_rules.require(actor, item, "decide_contest")
    if contest.status != ContestStatus.PENDING:
        raise Invalid("该异议已处理", "This contest was decided already", code="contest_decided")
    check_version(item, expected_version)
    text = (note or "").strip()
    if not text or len(text) > limits.NOTE:
        raise Invalid("须说明处理理由", "A decision needs a reason", code="reason_required",
                      fields={"note": [f"须填写,且不超过 {limits.NOTE} 字"]})
    if uphold:
        target_id = new_unit_id or contest.proposed_unit_id
        target = db.session.get(Unit, target_id) if target_id else None
        if target is None or target.id == contest.unit_id:
            raise Invalid("异议成立须指定新的承办单位", "Upholding names the unit that takes the item",
                          code="unit_required", fields={"new_unit_id": ["须选择新的承办单位"]})
        _reassign(item, contest, target, actor=actor, now=now)
        if new_due_date is not None and new_due_date != item.due_date:
            items.edit_item(item, actor=actor, changes={"due_date": new_due_date}, expected_version=item.version,
                            now=now, reason=f"异议成立,重新交办:{text}")
        contest.new_unit_id, contest.new_due_date = target.id, new_due_date
    contest.status = ContestStatus.UPHELD if uphold else ContestStatus.REJECTED
    contest.decided_by_id, contest.decided_at, contest.decision_note = actor.id, now, text
    audit.record(actor=actor, action="item.contest_upheld" if uphold else "item.contest_rejected",
                 entity_type="item_contest", entity_id=contest.id, item_id=item.id,
                 after={"note": text, "new_unit_id": contest.new_unit_id,
                        "new_due_date": new_due_date.isoformat() if new_due_date else None}, now=now)
    word = "异议成立,已重新交办" if uphold else "异议不成立,仍由原单位承办"
    item_news.notify(unit_ids=[contest.unit_id], item=item, kind=notifications.CONTEST_DECIDED, actor=actor,
                     now=now, text=f"《{wording.title(item)}》{word}:{text}")
    return contest


def _reassign(item: WorkItem, contest: ItemContest, target: Unit, *, actor: User, now: datetime) -> None:
    """The lead unit contested: the target leads. A cooperating unit contested: its part goes to the target."""
    cooperating = [part.unit for part in item.cooperators if part.unit_id != contest.unit_id]
    if contest.unit_id == item.unit_id:
        lead = target
    else:
        lead = item.unit
        cooperating.append(target)
    assignment.set_units(item, actor=actor, lead=lead, cooperating=[u for u in cooperating if u.id != lead.id],
                         expected_version=item.version, now=now)
