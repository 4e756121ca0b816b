"""Weekly digests (督办周报): built once per ISO week per recipient, stored, and mailed per address.

A round is keyed by its ISO week ("2024-W02"): digests are unique per (week, recipient) and deliveries per
(digest, address), both written with insert-or-ignore, so building a round twice changes nothing. A delivery is
marked sent in its own transaction right after the server accepted it, and a sent delivery is never attempted
again; failed ones stay pending for the next run. Deliveries are only created while SMTP is configured, so
switching mail on later does not send a backlog of old weeks.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ...config import ROOT
from ...errors import Invalid, NotFound
from ...extensions import db
from ...models import DeliveryStatus, Digest, DigestDelivery, Plan, Unit, User
from ..plan import glossary
from ..trust import permissions
from ...idempotent import insert_or_ignore, serialise
from ..work.deadlines import local_today
from .digest_data import Snapshot, load_snapshot, office_data, unit_data
from .ladder import Level
from .mail import build_message

OFFICE_KEY = "office"
_DIGEST_LOCK = 0x64696765  # "dige"
_TEMPLATES = ROOT / "templates" / "digests"
_env = Environment(loader=FileSystemLoader(_TEMPLATES), undefined=StrictUndefined, trim_blocks=True,
                   lstrip_blocks=True, autoescape=select_autoescape(enabled_extensions=("html",), default=False))
_env.globals["term"] = {key: zh for key, (zh, _en) in glossary.TERMS.items()}


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(key: str) -> date:
    """The Monday of an ISO week key. Raises Invalid for anything but YYYY-Www."""
    try:
        year, week = key.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise Invalid(f"周次格式应为 2024-W02,收到 “{key}”", f"A week looks like 2024-W02, not {key!r}",
                      fields={"week": ["格式应为 YYYY-Www"]}) from None


def week_label(key: str, lang: str = "zh") -> str:
    """A week as people say it, 2025年第1周(12月30日—1月5日), not its key 2025-W01."""
    monday = week_start(key)
    sunday = monday + timedelta(days=6)
    year, week = key.split("-W")
    if lang == "en":
        return f"week {int(week)} of {year} ({monday:%d %b} – {sunday:%d %b})"
    return f"{year}年第{int(week)}周({monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日)"


@dataclass
class RoundResult:
    period_key: str
    digests: int = 0
    deliveries: int = 0

    def summary(self) -> dict[str, Any]:
        return {"digests": self.digests, "deliveries": self.deliveries}


def build_round(*, period_key: str, now: datetime, timezone: str, ladder: Sequence[Level], due_soon_days: int,
                with_deliveries: bool) -> RoundResult:
    """Build and store the week's digests for every unit carrying items and for the office. Idempotent.

    Recipients that already have this week's digest are left alone (a round resumed after a crash completes
    the rest). With `with_deliveries`, one pending delivery per address of each new digest.
    """
    week_start(period_key)
    serialise(_DIGEST_LOCK)
    result = RoundResult(period_key)
    done = set(db.session.scalars(sa.select(Digest.recipient_key).where(Digest.period_key == period_key)))
    snap = load_snapshot(today=local_today(now, timezone), now=now)
    rows = _digest_rows(snap, period_key, now, ladder, due_soon_days, skip=done)
    insert_or_ignore(Digest.__table__, rows, key=("period_key", "recipient_key"))
    result.digests = len(rows)
    if with_deliveries and rows:
        result.deliveries = _add_deliveries(snap, period_key, {r["recipient_key"] for r in rows})
    return result


def _digest_rows(snap: Snapshot, period_key: str, now: datetime, ladder: Sequence[Level], due_soon_days: int,
                 *, skip: set[str]) -> list[dict[str, Any]]:
    """Render the digests of recipients not in `skip`: a resumed round renders only what is missing."""
    label = week_label(period_key)
    rows, names = [], glossary.authorities()
    for unit_id in sorted(snap.by_unit):
        unit = snap.units[unit_id]
        if f"unit:{unit.key}" in skip:
            continue
        data = unit_data(snap, unit, ladder=ladder, due_soon_days=due_soon_days) | {"period": period_key,
                                                                                     "label": label}
        counts = data["counts"]
        subject = (f"督办周报 {label}|{unit.short_name}:逾期 {counts['overdue']} 项,"
                   f"{due_soon_days} 日内到期 {counts['due_soon']} 项")
        rows.append(_row(period_key, f"unit:{unit.key}", unit.id, subject, data, "unit", now, names))
    if OFFICE_KEY in skip:
        return rows
    office = _office_unit()
    data = office_data(snap, ladder=ladder) | {"period": period_key, "label": label}
    subject = (f"督办周报 {label}|全市汇总:逾期 {data['totals']['overdue']} 项,"
               f"通报单位 {len(data['bulletin_units'])} 个")
    rows.append(_row(period_key, OFFICE_KEY, office.id if office else None, subject, data, "office", now, names))
    return rows


def _row(period_key: str, recipient: str, unit_id: int | None, subject: str, data: dict[str, Any], template: str,
         now: datetime, names: glossary.Authorities) -> dict[str, Any]:
    return {"period_key": period_key, "recipient_key": recipient, "unit_id": unit_id, "created_at": now,
            "subject": subject, "data": data,
            "html": _env.get_template(f"{template}.html").render(d=data, names=names),
            "text": _env.get_template(f"{template}.txt").render(d=data, names=names)}


def _office_unit() -> Unit | None:
    return db.session.execute(
        sa.select(Unit).join(Plan, Plan.office_unit_id == Unit.id).order_by(Plan.id).limit(1)).scalar()


def _add_deliveries(snap: Snapshot, period_key: str, recipients: set[str]) -> int:
    by_key = {f"unit:{u.key}": u for u in snap.units.values()}
    office = _office_unit()
    if office is not None:
        by_key[OFFICE_KEY] = office
    rows: list[dict[str, Any]] = []
    for digest_id, recipient in db.session.execute(
            sa.select(Digest.id, Digest.recipient_key).where(Digest.period_key == period_key)):
        unit = by_key.get(recipient)
        if recipient in recipients and unit is not None:
            rows.extend({"digest_id": digest_id, "address": address, "status": DeliveryStatus.PENDING.value,
                         "attempts": 0} for address in dict.fromkeys(unit.emails))
    insert_or_ignore(DigestDelivery.__table__, rows, key=("digest_id", "address"))
    return len(rows)


def due(_now: datetime) -> sa.ColumnElement[bool]:
    """Deliveries still to send: never sent, or failed before."""
    return DigestDelivery.status != DeliveryStatus.SENT


def message_for(delivery: DigestDelivery, *, sender: str) -> EmailMessage:
    digest = db.session.get(Digest, delivery.digest_id)
    assert digest is not None
    return build_message(sender=sender, to=delivery.address, subject=digest.subject, text=digest.text,
                         html=digest.html)


def mark_sent(delivery: DigestDelivery, *, now: datetime) -> None:
    delivery.status = DeliveryStatus.SENT
    delivery.attempts += 1
    delivery.sent_at = now
    delivery.last_error = None
    db.session.flush()


def mark_failed(delivery: DigestDelivery, *, error: str) -> None:
    delivery.status = DeliveryStatus.FAILED
    delivery.attempts += 1
    delivery.last_error = error[:2000]
    db.session.flush()


def visible_digests_clause(actor: User) -> sa.ColumnElement[bool]:
    """The office and leaders read every digest; a unit reads its own unit's."""
    if permissions.sees_everything(actor):
        return sa.true()
    return Digest.unit_id == actor.unit_id


def list_digests(*, actor: User, period_key: str | None = None, unit_id: int | None = None, limit: int = 50,
                 offset: int = 0) -> list[Digest]:
    """Digests the actor may read, newest week first."""
    query = sa.select(Digest).where(visible_digests_clause(actor))
    if period_key is not None:
        query = query.where(Digest.period_key == period_key)
    if unit_id is not None:
        query = query.where(Digest.unit_id == unit_id)
    query = query.order_by(Digest.period_key.desc(), Digest.recipient_key).limit(limit).offset(offset)
    return list(db.session.scalars(query))


def get_digest(digest_id: int, *, actor: User) -> Digest:
    """One digest; NotFound when it does not exist or belongs to another unit."""
    digest = db.session.get(Digest, digest_id)
    if digest is None or not db.session.execute(
            sa.select(sa.literal(True)).where(Digest.id == digest_id, visible_digests_clause(actor))).scalar():
        raise NotFound("周报不存在或无权查看", "Digest not found", code="digest_not_found")
    return digest


def deliveries_of(digest: Digest) -> list[DigestDelivery]:
    return list(db.session.scalars(
        sa.select(DigestDelivery).where(DigestDelivery.digest_id == digest.id).order_by(DigestDelivery.id)))
