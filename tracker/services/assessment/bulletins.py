"""The month's and the quarter's 通报 (月通报、季通报): the figures of a period, drafts, the office's text, issuing.

The figures of a period (a month "2024-05" or a quarter "2024-Q2", days in the plan's time zone) concern the
items of the plan, not cancelled, whose current due date falls within the period; they are taken at a moment
`as_of` (for a draft: whenever it is read; for an issued bulletin: the moment it was issued):
- 应办结 `due`: how many such items there are;
- 已办结 `done`: of those, the ones the office had approved (status done) by `as_of`;
- 按期办结 `done_on_time`: of the done ones, those not closed late. Lateness is judged at the unit's submission,
  as the ladder judges it when the office approves (`closed_late`), so a slow review does not make a unit late;
- 未办结 `open` = due - done;
- 办结率 `done_rate` = done / due and 按期办结率 `on_time_rate` = done_on_time / due, in percent to one decimal;
  None when nothing was due.
They are counted per phase, per task group (ad-hoc items in their own group 交办事项) and per lead unit; and, as
截至期末累计 (`so_far`), the same figures over every item due from the plan's start to the period's end, in all and
per unit (most months of a plan have little falling due, so the month's 通报 also says where each unit stands). Units
with something due are ranked by on-time rate, then completion rate, then the number due (more first); equal figures
share a rank (1, 2, 2, 4). Indicators not met: the plan's indicators (services/indicators.outcomes) whose period
(a quarter or a year) ended within this one, per reporting unit, not met or not reported. Units named under 通报 are those with accountability records at the ladder's last
level (通报) issued within the period; new records of the period are counted by level, in all and per unit.

Reading costs a fixed handful of queries (items, names, 通报 records, new records), whatever the number of units.

A draft is made once per (plan, kind, period), by the scheduler or the office, with a default lead paragraph and
closing remarks the office edits. Issuing freezes the figures and the text, takes a number from the notices'
yearly sequence (`notices.take_number`, kind glossary.BULLETIN_NUMBER_KIND), and optionally tells the leaders
(a notification to their units, mailed by the scheduler after the commit when SMTP is configured).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ...errors import Invalid, NotFound, StaleVersion
from ...extensions import db
from ...models import (
    AccountabilityRecord,
    Bulletin,
    BulletinKind,
    BulletinStatus,
    Indicator,
    ItemStatus,
    Phase,
    Plan,
    Role,
    Task,
    TaskGroup,
    Unit,
    User,
    WorkItem,
)
from ...models.accountability import LADDER_KIND, MANUAL_KIND
from . import indicators
from ..ledger import notices, notifications
from ..plan import glossary, wording
from ..trust import audit, permissions
from ..work.boards import AD_HOC_GROUP
from ...idempotent import insert_or_ignore
from ..ledger.ladder import Level

BULLETIN_ISSUED = "bulletin_issued"
QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
FIRST_YEAR, LAST_YEAR = 1900, 2199
DEFAULT_CLOSING = "请各单位对照本通报,认真分析原因,切实抓好整改,确保各项任务按期保质完成。"


@dataclass(frozen=True)
class Period:
    kind: BulletinKind
    key: str
    start: date
    end: date

    @property
    def label(self) -> str:
        """The period in words: 2024年5月, 2024年第二季度."""
        if self.kind == BulletinKind.MONTH:
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.year}年{QUARTERS[(self.start.month - 1) // 3]}"


def parse_period(kind: BulletinKind | str, key: str) -> Period:
    """A period from its key ("2024-05" for a month, "2024-Q2" for a quarter). Raises Invalid."""
    kind = BulletinKind(kind)
    found = (_MONTH if kind == BulletinKind.MONTH else _QUARTER).fullmatch(key)
    if not found or not FIRST_YEAR <= int(found[1]) <= LAST_YEAR:
        raise Invalid(f"期次“{key}”格式有误(月:2024-05,季度:2024-Q2)", f"Bad period {key!r} (2024-05 or 2024-Q2)",
                      code="bad_period", fields={"period": ["格式有误"]})
    year, n = int(found[1]), int(found[2])
    first = n if kind == BulletinKind.MONTH else 3 * n - 2
    last = n if kind == BulletinKind.MONTH else 3 * n
    end = date(year + last // 12, last % 12 + 1, 1) - timedelta(days=1)
    return Period(kind=kind, key=key, start=date(year, first, 1), end=end)


def month_key(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def quarter_of_month(key: str) -> str | None:
    """The quarter a month closes ("2024-06" -> "2024-Q2"), or None for a month inside a quarter."""
    year, month = int(key[:4]), int(key[5:7])
    return f"{year}-Q{month // 3}" if month % 3 == 0 else None


# --- the figures ----------------------------------------------------------------------------------------

@dataclass
class Tally:
    due: int = 0
    done: int = 0
    done_on_time: int = 0

    def add(self, done: bool, on_time: bool) -> None:
        self.due += 1
        self.done += int(done)
        self.done_on_time += int(done and on_time)

    def as_dict(self) -> dict[str, Any]:
        return {"due": self.due, "done": self.done, "done_on_time": self.done_on_time, "open": self.due - self.done,
                "done_rate": rate(self.done, self.due), "on_time_rate": rate(self.done_on_time, self.due)}


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def rank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Best first (on-time rate, completion rate, more due); equal figures share a rank, the next skips."""
    def score(row: dict[str, Any]) -> tuple[float, float, int]:
        return (-(row["on_time_rate"] or 0), -(row["done_rate"] or 0), -row["due"])

    ordered = sorted(rows, key=lambda row: (*score(row), row["name"]))
    for n, row in enumerate(ordered):
        row["rank"] = ordered[n - 1]["rank"] if n and score(ordered[n - 1]) == score(row) else n + 1
    return ordered


def figures(plan: Plan, period: Period, *, now: datetime, ladder: tuple[Level, ...]) -> dict[str, Any]:
    """The period's figures as plain JSON values (the snapshot an issued bulletin keeps). See the module."""
    zone = ZoneInfo(plan.timezone)
    window = (datetime.combine(period.start, time(), zone), datetime.combine(period.end + timedelta(days=1), time(),
                                                                             zone))
    by_phase: dict[int, Tally] = defaultdict(Tally)
    by_group: dict[int | None, Tally] = defaultdict(Tally)
    by_unit: dict[int, Tally] = defaultdict(Tally)
    so_far: dict[int, Tally] = defaultdict(Tally)
    totals, totals_so_far = Tally(), Tally()
    for phase_id, group_id, unit_id, due_date, status, completed_at, closed_late in db.session.execute(
        sa.select(WorkItem.phase_id, Task.group_id, WorkItem.unit_id, WorkItem.due_date, WorkItem.status,
                  WorkItem.completed_at, WorkItem.closed_late)
        .outerjoin(Task, Task.id == WorkItem.task_id)
        .where(WorkItem.plan_id == plan.id, WorkItem.cancelled_at.is_(None), WorkItem.due_date <= period.end)
    ):
        done = status == ItemStatus.DONE and (completed_at is None or completed_at <= now)
        tallies = [totals_so_far, so_far[unit_id]]
        assert due_date is not None  # the query keeps items due by the period's end
        if due_date >= period.start:
            tallies += [totals, by_phase[phase_id], by_group[group_id], by_unit[unit_id]]
        for tally in tallies:
            tally.add(done, not closed_late)
    named = _bulletin_units(plan, window, ladder[-1].level, zone)
    new = _new_records(plan, window)
    missed = _indicators_missed(plan, period, now=now)
    units = dict(db.session.execute(sa.select(Unit.id, Unit.name).where(
        Unit.id.in_(set(so_far) | {u["unit_id"] for u in named} | set(new["per_unit"]) |
                    {m["unit_id"] for m in missed}))).all())
    phases = db.session.execute(sa.select(Phase.id, Phase.name).where(Phase.plan_id == plan.id)
                                .order_by(Phase.seq)).all()
    groups = [*db.session.execute(sa.select(TaskGroup.id, TaskGroup.title).where(TaskGroup.plan_id == plan.id)
                                  .order_by(TaskGroup.seq)).all(), (None, AD_HOC_GROUP[0])]
    for row in [*named, *missed]:
        row["name"] = units[row["unit_id"]]
    return {
        "plan": plan.title, "kind": period.kind.value, "period": period.key, "label": period.label,
        "start": period.start.isoformat(), "end": period.end.isoformat(),
        "as_of": now.astimezone(zone).strftime("%Y-%m-%d %H:%M"), "totals": totals.as_dict(),
        "phases": [{"name": name, **by_phase[pid].as_dict()} for pid, name in phases if pid in by_phase],
        "groups": [{"name": name, **by_group[gid].as_dict()} for gid, name in groups if gid in by_group],
        "units": rank([{"unit_id": uid, "name": units[uid], **tally.as_dict()} for uid, tally in by_unit.items()]),
        "so_far": {"totals": totals_so_far.as_dict(), "units": rank([
            {"unit_id": uid, "name": units[uid], **tally.as_dict()} for uid, tally in so_far.items()])},
        "indicators": sorted(missed, key=lambda m: (m["state"], m["task_number"] or 0, m["indicator"], m["name"])),
        "bulletin_level": ladder[-1].name,
        "bulletin_units": sorted(named, key=lambda r: (-r["count"], r["name"])),
        "new_records": {
            "total": sum(new["by_level"].values()),
            "by_level": [{"name": name, "count": count} for (_level, name), count in sorted(new["by_level"].items())],
            "units": sorted(({"name": units[uid], "counts": dict(counts), "total": sum(counts.values())}
                             for uid, counts in new["per_unit"].items()), key=lambda r: (-r["total"], r["name"])),
        },
    }


def _in_plan_window(plan: Plan, window: tuple[datetime, datetime]) -> sa.ColumnElement[bool]:
    return sa.and_(WorkItem.plan_id == plan.id, AccountabilityRecord.issued_at >= window[0],
                   AccountabilityRecord.issued_at < window[1])


def _bulletin_units(plan: Plan, window: tuple[datetime, datetime], level: int, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Units named under 通报 in the period: their 通报 records (ladder or by hand), each with its item."""
    found: dict[int, dict[str, Any]] = {}
    for unit_id, number, title, reason, issued_at in db.session.execute(
        sa.select(AccountabilityRecord.unit_id, AccountabilityRecord.doc_number, wording.title_column(),
                  AccountabilityRecord.reason, AccountabilityRecord.issued_at)
        .join(WorkItem, WorkItem.id == AccountabilityRecord.item_id)
        .where(_in_plan_window(plan, window), AccountabilityRecord.level == level,
               AccountabilityRecord.kind.in_([LADDER_KIND, MANUAL_KIND]))
        .order_by(AccountabilityRecord.issued_at, AccountabilityRecord.id)
    ):
        row = found.setdefault(unit_id, {"unit_id": unit_id, "count": 0, "records": []})
        row["count"] += 1
        row["records"].append({"number": number or "", "item": title, "reason": reason,
                               "issued": issued_at.astimezone(zone).date().isoformat()})
    return list(found.values())


def _indicators_missed(plan: Plan, period: Period, *, now: datetime) -> list[dict[str, Any]]:
    """The plan's indicators whose figure fell due within this period (本期到期: a year's in the January after it,
    with the shipped plan) and was not met or not reported by then, per unit, as they stand at `now`."""
    shape = {i: (measure, indicators.DIRECTION_SIGNS[direction]) for i, measure, direction in db.session.execute(
        sa.select(Indicator.id, Indicator.measure, Indicator.direction).where(Indicator.plan_id == plan.id))}
    return [{"indicator": o.indicator_name, "task_number": o.task_number, "period": o.period, "unit_id": o.unit_id,
             "state": o.state, "state_label": indicators.STATE_LABELS[o.state][0],
             "target": f"{shape[o.indicator_id][1]} {_number(o.target)}{shape[o.indicator_id][0]}",
             "actual": "—" if o.actual is None else f"{_number(o.actual)}{shape[o.indicator_id][0]}"}
            for o in indicators.outcomes(start=period.start, end=period.end, now=now, falling_due=True)
            if o.indicator_id in shape and o.state in (indicators.NOT_MET, indicators.NOT_REPORTED)]


def _number(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.normalize():f}"


def _new_records(plan: Plan, window: tuple[datetime, datetime]) -> dict[str, Any]:
    by_level: Counter[tuple[int, str]] = Counter()
    per_unit: dict[int, Counter[str]] = defaultdict(Counter)
    for unit_id, level, name, count in db.session.execute(
        sa.select(AccountabilityRecord.unit_id, AccountabilityRecord.level, AccountabilityRecord.level_name,
                  sa.func.count())
        .join(WorkItem, WorkItem.id == AccountabilityRecord.item_id).where(_in_plan_window(plan, window))
        .group_by(AccountabilityRecord.unit_id, AccountabilityRecord.level, AccountabilityRecord.level_name)
    ):
        by_level[(level, name)] += count
        per_unit[unit_id][name] += count
    return {"by_level": by_level, "per_unit": per_unit}


# --- drafts, the office's text, issuing -------------------------------------------------------------------

def default_lead(plan: Plan, period: Period) -> str:
    return f"为推动《{plan.title}》各项任务落实落地,现将{period.label}任务推进情况通报如下。"


def prepare(plan: Plan, period: Period, *, now: datetime) -> Bulletin | None:
    """The period's draft, made once (by the scheduler): returns it when this call made it, None when it
    already existed (a draft or an issued bulletin, which stays as it is). Safe to run twice or at once."""
    key = {"plan_id": plan.id, "kind": period.kind.value, "period": period.key}
    if db.session.execute(sa.select(Bulletin.id).filter_by(**key)).first() is not None:
        return None
    insert_or_ignore(Bulletin.__table__, [{
        **key, "status": BulletinStatus.DRAFT.value, "lead_text": default_lead(plan, period),
        "closing_text": DEFAULT_CLOSING, "created_at": now, "updated_at": now, "version": 1}],
        key=("plan_id", "kind", "period"))
    made = db.session.execute(sa.select(Bulletin).filter_by(**key)).scalar_one()
    if made.created_at != now:  # a concurrent run made it first
        return None
    audit.record(actor=None, actor_label="scheduler", action="bulletin.prepare", entity_type="bulletin",
                 entity_id=made.id, now=now, after=_snapshot(made))
    return made


def prepare_after_month(key: str, *, now: datetime) -> dict[str, int]:
    """The scheduler's monthly work: the month's draft for every plan the month overlaps, and the quarter's too
    when the month closes one. Returns how many drafts it made."""
    periods = [parse_period(BulletinKind.MONTH, key)]
    quarter = quarter_of_month(key)
    if quarter:
        periods.append(parse_period(BulletinKind.QUARTER, quarter))
    made: Counter[str] = Counter()
    for plan in db.session.scalars(sa.select(Plan).order_by(Plan.id)):
        for period in periods:
            if period.start <= plan.end_date and period.end >= plan.start_date and prepare(plan, period, now=now):
                made[period.kind.value] += 1
    return dict(made)


def _visible(actor: User) -> sa.ColumnElement[bool]:
    """The office sees drafts; everyone else reads issued bulletins only."""
    return sa.true() if permissions.is_office(actor) else Bulletin.status == BulletinStatus.ISSUED


def list_bulletins(*, actor: User, kind: str | None = None, status: str | None = None, limit: int = 100,
                   offset: int = 0) -> list[Bulletin]:
    """Newest period first; a quarter after the months it closes."""
    query = sa.select(Bulletin).where(_visible(actor))
    if kind:
        query = query.where(Bulletin.kind == kind)
    if status:
        query = query.where(Bulletin.status == status)
    return list(db.session.scalars(query.order_by(Bulletin.period.desc(), Bulletin.kind.desc(), Bulletin.id.desc())
                                   .limit(limit).offset(offset)))


def get_bulletin(bulletin_id: int, *, actor: User) -> Bulletin:
    found = db.session.execute(sa.select(Bulletin).where(Bulletin.id == bulletin_id, _visible(actor))).scalar()
    if found is None:
        raise NotFound("通报不存在或尚未印发", "Bulletin not found", code="bulletin_not_found")
    return found


def period_of(bulletin: Bulletin) -> Period:
    return parse_period(bulletin.kind, bulletin.period)


def data_of(bulletin: Bulletin, *, now: datetime, ladder: tuple[Level, ...]) -> dict[str, Any]:
    """An issued bulletin's frozen figures; a draft's rebuilt from current data."""
    if bulletin.status == BulletinStatus.ISSUED and bulletin.data is not None:
        return bulletin.data
    return figures(db.session.get_one(Plan, bulletin.plan_id), period_of(bulletin), now=now, ladder=ladder)


def _require_draft(bulletin: Bulletin, expected_version: int) -> None:
    if bulletin.status == BulletinStatus.ISSUED:
        raise Invalid("该通报已印发,不能再修改", "This bulletin was issued and can no longer change",
                      code="bulletin_issued")
    if expected_version != bulletin.version:
        raise StaleVersion(f"该通报已被他人修改(当前版本 {bulletin.version},提交的版本 {expected_version}),请刷新后重试",
                           f"The bulletin was changed meanwhile (version {bulletin.version}, you sent "
                           f"{expected_version}); reload", fields={"version": bulletin.version})


def edit_text(bulletin: Bulletin, *, actor: User, lead_text: str | None, closing_text: str | None,
              expected_version: int, now: datetime) -> Bulletin:
    """The office edits a draft's lead paragraph and closing remarks (either or both); audited."""
    permissions.require_office(actor)
    _require_draft(bulletin, expected_version)
    before = _snapshot(bulletin)
    if lead_text is not None:
        bulletin.lead_text = lead_text
    if closing_text is not None:
        bulletin.closing_text = closing_text
    bulletin.updated_at = now
    db.session.flush()
    audit.record(actor=actor, action="bulletin.edit", entity_type="bulletin", entity_id=bulletin.id, now=now,
                 before=before, after=_snapshot(bulletin))
    return bulletin


def issue(bulletin: Bulletin, *, actor: User, expected_version: int, now: datetime, ladder: tuple[Level, ...],
          number_format: str = notices.DEFAULT_FORMAT, notify_leaders: bool = False) -> Bulletin:
    """Freeze the figures and the text, number it, and optionally tell the leaders; audited. Never undone."""
    permissions.require_office(actor)
    _require_draft(bulletin, expected_version)
    plan = db.session.get_one(Plan, bulletin.plan_id)
    bulletin.data = figures(plan, period_of(bulletin), now=now, ladder=ladder)
    year = now.astimezone(ZoneInfo(plan.timezone)).year
    kind = glossary.BULLETIN_NUMBER_KIND
    bulletin.number = number_format.format(kind=kind, year=year, number=notices.take_number(kind, year))
    bulletin.status, bulletin.issued_at, bulletin.issued_by_id, bulletin.updated_at = \
        BulletinStatus.ISSUED, now, actor.id, now
    db.session.flush()
    audit.record(actor=actor, action="bulletin.issue", entity_type="bulletin", entity_id=bulletin.id, now=now,
                 after=_snapshot(bulletin))
    if notify_leaders:
        notifications.notify(kind=BULLETIN_ISSUED, now=now, unit_ids=leader_units(),
                             text=f"{title(bulletin)}已印发({bulletin.number}),请在督办看板“通报”中查阅")
    return bulletin


def leader_units() -> list[int]:
    """The units leaders belong to: a notification to them reaches every leader, and their mail the unit's
    addresses."""
    return list(db.session.scalars(sa.select(User.unit_id).where(User.role == Role.LEADER, User.is_enabled)
                                   .distinct().order_by(User.unit_id)))


def title(bulletin: Bulletin) -> str:
    """The document's title: 2024年5月督办工作通报."""
    return f"{period_of(bulletin).label}督办工作{glossary.BULLETIN[0]}"


def _snapshot(bulletin: Bulletin) -> dict[str, Any]:
    return audit.jsonable({"kind": bulletin.kind, "period": bulletin.period, "status": bulletin.status,
                           "lead_text": bulletin.lead_text, "closing_text": bulletin.closing_text,
                           "number": bulletin.number, "version": bulletin.version})

