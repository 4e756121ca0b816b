"""Indicator reports (指标报送): a unit reports a figure for a period, the office accepts or returns it.

Split from indicators.py, which keeps the periods, the judging and the outcomes every reader sees; this module
holds the writes and the per-report views (history, the cell a unit reports into, the office's queue), so each
stays under the floor's size and the outcome readers need not load the reporting path. The rules are listed
in indicators.py's docstring.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ...errors import Invalid, InvalidTransition, NotAllowed, NotFound, StaleVersion
from ...extensions import db
from ...models import Attachment, Indicator, IndicatorReport, ReportStatus, Unit, User
from ..ledger import notifications
from ..trust import audit, permissions
from ..work.progress import Storage, Upload, check_file_count, store_evidence
from ..work.deadlines import local_today
from .indicators import (
    VALUE_MAX,
    VALUE_PLACES,
    Period,
    due_on,
    format_value,
    indicator_periods,
    overdue,
    reporting_units,
    state_of,
    target_value,
    visible_unit_ids,
)

def get_report(report_id: int, *, actor: User) -> IndicatorReport:
    """A report the actor may see (its unit's figures); otherwise not found."""
    report = db.session.get(IndicatorReport, report_id)
    if report is None or not can_see_unit(actor, report.unit_id):
        raise NotFound("指标报送记录不存在或无权查看", "Indicator report not found", code="indicator_report_not_found")
    return report


def can_see_unit(actor: User, unit_id: int) -> bool:
    return permissions.can_see_unit_figures(actor, unit_id)


@dataclass
class HistoryEntry:
    report: IndicatorReport
    files: list[Attachment] = field(default_factory=list)


def history(indicator: Indicator, *, unit: Unit, period: str, actor: User) -> list[HistoryEntry]:
    """Every report of one unit's period, newest first, with its evidence; NotFound for another unit's."""
    if not can_see_unit(actor, unit.id):
        raise NotFound("单位不存在或无权查看", "Unit not found", code="unit_not_found")
    reports = list(db.session.scalars(sa.select(IndicatorReport).options(
        joinedload(IndicatorReport.reported_by), joinedload(IndicatorReport.decided_by)).where(
        IndicatorReport.indicator_id == indicator.id, IndicatorReport.unit_id == unit.id,
        IndicatorReport.period == period).order_by(IndicatorReport.seq.desc())))
    files = files_of(reports)
    return [HistoryEntry(r, files.get(r.id, [])) for r in reports]


@dataclass
class Cell:
    """One unit's period of one indicator as its page shows it: the history and where it stands."""

    entries: list[HistoryEntry]
    state: str
    target: Decimal | None
    due_on: date
    may_report: bool
    to_decide: IndicatorReport | None  # the figure the actor (the office) may accept or return now


def cell(indicator: Indicator, *, unit: Unit, period: str, actor: User, now: datetime) -> Cell:
    """A unit's period: its reports, its state, and whether the actor may report it now (the actor's own unit,
    a reporting unit, a period that has started, no figure accepted yet) or decide on its newest figure (the
    office, while it waits). NotFound for a period the indicator does not have or a unit the actor may not see."""
    found = next((p for p in indicator_periods(indicator) if p.key == period), None)
    if found is None:
        raise NotFound("该指标没有这一期间", "This indicator has no such period", code="period_not_found")
    entries = history(indicator, unit=unit, period=period, actor=actor)
    newest = entries[0].report if entries else None
    target = target_value(indicator)
    state = state_of(newest.status if newest else None, direction=indicator.direction, target=target,
                     actual=Decimal(newest.value) if newest else None, overdue=overdue(indicator, found, now=now))
    may = can_report(actor, indicator, unit.id) and period in {p.key for p in reportable_periods(indicator, now=now)} \
        and not (newest is not None and newest.status == ReportStatus.ACCEPTED)
    waiting = newest is not None and newest.status == ReportStatus.SUBMITTED and permissions.is_office(actor)
    return Cell(entries=entries, state=state, target=target, due_on=due_on(indicator, found), may_report=may,
                to_decide=newest if waiting else None)


def files_of(reports: Collection[IndicatorReport]) -> dict[int, list[Attachment]]:
    """The evidence of each report, by report id: one query."""
    found: dict[int, list[Attachment]] = {}
    if reports:
        for attachment in db.session.scalars(sa.select(Attachment).where(
                Attachment.indicator_report_id.in_([r.id for r in reports])).order_by(Attachment.id)):
            found.setdefault(attachment.indicator_report_id or 0, []).append(attachment)
    return found


def reports_for(*, actor: User, indicator_id: int | None = None, unit_id: int | None = None,
                period: str | None = None, status: ReportStatus | None = None, limit: int = 100,
                offset: int = 0) -> list[IndicatorReport]:
    """Reports the actor may see, newest first, filtered."""
    query = sa.select(IndicatorReport)
    mine = visible_unit_ids(actor)
    if mine is not None:
        query = query.where(IndicatorReport.unit_id.in_(sorted(mine)))
    for column, value in ((IndicatorReport.indicator_id, indicator_id), (IndicatorReport.unit_id, unit_id),
                          (IndicatorReport.period, period), (IndicatorReport.status, status)):
        if value is not None:
            query = query.where(column == value)
    return list(db.session.scalars(query.order_by(IndicatorReport.id.desc()).limit(limit).offset(offset)))


def pending_reports(*, actor: User) -> list[IndicatorReport]:
    """Figures waiting for the office, oldest first: the office's queue, empty for anyone else."""
    if not permissions.is_office(actor):
        return []
    return list(db.session.scalars(sa.select(IndicatorReport).options(
        joinedload(IndicatorReport.indicator), joinedload(IndicatorReport.unit)).where(
        IndicatorReport.status == ReportStatus.SUBMITTED).order_by(IndicatorReport.reported_at, IndicatorReport.id)))


# --- changing ---------------------------------------------------------------------------------------------

def can_report(actor: User, indicator: Indicator, unit_id: int | None = None) -> bool:
    """A unit's own people, for their own unit, when it is among the indicator's reporting units."""
    if not permissions.is_unit(actor) or (unit_id is not None and unit_id != actor.unit_id):
        return False
    return actor.unit_id in {u.id for u in reporting_units(indicator)}


def reportable_periods(indicator: Indicator, *, now: datetime) -> list[Period]:
    """The indicator's periods that have started in the plan's time zone."""
    today = local_today(now, indicator.plan.timezone)
    return [p for p in indicator_periods(indicator) if p.start <= today]


def check_value(indicator: Indicator, value: Decimal) -> None:
    """A figure is a number from 0, with at most four decimals; a rate (%) at most 100."""
    exponent = value.as_tuple().exponent
    if not value.is_finite() or (isinstance(exponent, int) and exponent < -VALUE_PLACES) or value < 0 \
            or value >= VALUE_MAX or (indicator.measure == "%" and value > 100):
        limit = "0 至 100" if indicator.measure == "%" else "不小于 0"
        raise Invalid(f"数值须为{limit}的数字,至多 {VALUE_PLACES} 位小数",
                      f"The value must be a number {'from 0 to 100' if indicator.measure == '%' else 'from 0'}, "
                      f"with at most {VALUE_PLACES} decimals", code="invalid_value", fields={"value": ["数值不正确"]})


def report(indicator: Indicator, *, actor: User, period: str, value: Decimal, note: str, files: list[Upload],
           storage: Storage, now: datetime) -> IndicatorReport:
    """A unit reports its figure for a period, with a note and evidence files; the office is told.

    Raises NotAllowed (403) for anyone but a reporting unit's own people, Invalid (422) for a period that is not
    the indicator's or has not started, a value out of range, or a figure the office already accepted;
    StaleVersion (409) when someone of the unit reported the same period at the same moment (the unique seq).
    """
    permissions.require_not_read_only(actor)
    if not can_report(actor, indicator):
        raise NotAllowed("只有该指标的报送单位可以报送本单位的数值", "Only a reporting unit may report its own figure",
                         code="not_a_reporting_unit")
    allowed = {p.key for p in reportable_periods(indicator, now=now)}
    if period not in allowed:
        raise Invalid(f"报送期间 “{period}” 不是该指标已开始的期间", f"{period!r} is not a period of this indicator "
                      "that has started", code="period_out_of_range", fields={"period": ["不在可报送的期间内"]})
    check_value(indicator, value)
    check_file_count(files)
    previous = newest_report(indicator.id, unit_id=actor.unit_id, period=period)
    if previous is not None and previous.status == ReportStatus.ACCEPTED:
        raise Invalid("该期数值已被办公室采用,不能再报", "The office already accepted this period's figure",
                      code="already_accepted", fields={"period": ["已采用"]})
    if previous is not None and previous.status == ReportStatus.SUBMITTED:
        previous.status = ReportStatus.SUPERSEDED
    created = IndicatorReport(indicator_id=indicator.id, unit_id=actor.unit_id, period=period,
                              seq=(previous.seq + 1) if previous else 1, value=value, note=note.strip(),
                              status=ReportStatus.SUBMITTED, reported_by_id=actor.id, reported_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(created)
            db.session.flush()
    except IntegrityError:  # another person of the unit reported the same period at the same moment
        raise StaleVersion("该期数值刚由本单位他人报送,请刷新后重试",
                           "Someone of your unit reported this period meanwhile; reload") from None
    evidence = store_evidence(files, storage=storage, actor=actor, now=now, indicator_report_id=created.id)
    audit.record(actor=actor, action="indicator.report", entity_type="indicator_report", entity_id=created.id,
                 before=_snapshot(previous) if previous else None,
                 after=_snapshot(created) | {"files": evidence}, now=now)
    unit = db.session.get(Unit, actor.unit_id)
    assert unit is not None
    notifications.notify(kind=notifications.INDICATOR_SUBMITTED, now=now, unit_ids=[indicator.plan.office_unit_id],
                         text=f"{unit.name}报送了指标“{indicator.name}”{period} 的数值 "
                              f"{format_value(value)}{indicator.measure},待审核")
    return created


def newest_report(indicator_id: int, *, unit_id: int, period: str) -> IndicatorReport | None:
    return db.session.scalars(sa.select(IndicatorReport).where(
        IndicatorReport.indicator_id == indicator_id, IndicatorReport.unit_id == unit_id,
        IndicatorReport.period == period).order_by(IndicatorReport.seq.desc()).limit(1)).first()


def decide(report_row: IndicatorReport, *, actor: User, decision: str, expected_version: int, now: datetime,
           reason: str | None = None) -> IndicatorReport:
    """The office accepts a submitted figure, or returns it with a reason (the unit is told and reports again).

    Raises NotAllowed (403) for anyone but the office, StaleVersion (409) when the report changed since it was
    read, InvalidTransition (422) for a figure not awaiting a decision, Invalid (422) for a return without reason
    or an unknown decision.
    """
    permissions.require_office(actor)
    if decision not in ("accept", "return"):
        raise Invalid("决定只能是采用(accept)或退回(return)", "The decision is accept or return",
                      fields={"decision": ["accept 或 return"]})
    if expected_version != report_row.version:
        raise StaleVersion(f"该数值已有变化(当前版本 {report_row.version},提交的版本 {expected_version}),请刷新后重试",
                           f"The figure changed meanwhile (version {report_row.version}, you sent "
                           f"{expected_version}); reload", fields={"version": report_row.version})
    if report_row.status != ReportStatus.SUBMITTED:
        raise InvalidTransition("该数值不在待审核状态", "This figure is not awaiting a decision",
                                code="not_pending")
    reason = (reason or "").strip()
    if decision == "return" and not reason:
        raise Invalid("退回须说明理由", "A return needs a reason", code="reason_required",
                      fields={"reason": ["必填"]})
    before = _snapshot(report_row)
    report_row.status = ReportStatus.ACCEPTED if decision == "accept" else ReportStatus.RETURNED
    report_row.decided_by_id, report_row.decided_at = actor.id, now
    report_row.return_reason = reason if decision == "return" else None
    db.session.flush()
    audit.record(actor=actor, action=f"indicator.{decision}", entity_type="indicator_report",
                 entity_id=report_row.id, before=before, after=_snapshot(report_row), now=now)
    if decision == "return":
        indicator = report_row.indicator
        notifications.notify(kind=notifications.INDICATOR_RETURNED, now=now, unit_ids=[report_row.unit_id],
                             text=f"指标“{indicator.name}”{report_row.period} 的数值被办公室退回:{reason}")
    return report_row


def _snapshot(row: IndicatorReport) -> dict[str, Any]:
    return {"indicator_id": row.indicator_id, "unit_id": row.unit_id, "period": row.period, "seq": row.seq,
            "value": format_value(Decimal(row.value)), "note": row.note, "status": row.status,
            "return_reason": row.return_reason}
