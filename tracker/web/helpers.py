"""Template helpers: labels in the page's language, and three questions about the signed-in person that decide
which pages and links they see. What they may do with an item is the item's `offers` (services/work/offers.py), which
the services' own rules answer; no template restates a rule.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from datetime import datetime

from flask import Flask
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..models import (ContestStatus, DeliveryStatus, ExtensionStatus, ItemSource, ItemStatus, Priority, RecordStatus,
                      ReportStatus, User)
from ..services.assessment import indicators
from ..services.ledger import notifications
from ..services.plan import event_words, units
from ..services.trust import account_admin, permissions
from ..services.work import instructions, progress
from ..services.work.deadlines import Light
from ..services.ledger.escalation import SCANNER
from ..services.plan.event_words import SOURCE_LABELS
from ..services.plan.seeding import LOADER
from ..services.work.workflow import STATUS_LABELS, transition_for
from ..settings import settings
from .i18n import pick


def status_label(status: ItemStatus | str) -> str:
    return pick(STATUS_LABELS[ItemStatus(status)])


def light_text(light: Light | str, days_overdue: int = 0) -> str:
    if light == Light.RED:
        return ngettext("%(num)d day overdue", "%(num)d days overdue", days_overdue) if days_overdue \
            else _("overdue")
    return _("due soon") if light == Light.YELLOW else _("on track")


def light_choices() -> list[tuple[str, str]]:
    return [(Light.GREEN.value, _("on track")), (Light.YELLOW.value, _("due soon")), (Light.RED.value, _("overdue"))]


def action_label(action: str) -> str:
    """The verb of an offered move, for buttons: 签收, 提交办结, 审核办结, 退回."""
    return {"sign": _("Sign for it"), "submit": _("Submit for review"), "approve": _("Approve"),
            "return": _("Return")}[action]


def moved_message(source: ItemStatus | str, target: ItemStatus | str) -> str:
    """What a move did, in words, for the flash after it: 已签收, 已提交审核, 已审核办结, 已退回; a card moved
    within its column only changed the order."""
    if ItemStatus(source) == ItemStatus(target):
        return _("Order saved.")
    transition = transition_for(ItemStatus(source), ItemStatus(target))
    done = {"sign": _("Signed for."), "submit": _("Submitted for review."), "approve": _("Approved as done."),
            "return": _("Returned.")}
    moved = _("Moved to %(column)s.", column=status_label(target))
    return done.get(transition.action, moved) if transition else moved


def dashboard_figure_label(figure: str) -> str:
    """A dashboard figure by the words of its column (dashboard.FIGURES)."""
    return {"due": _("Due by today"), "done_on_time": _("Done on time"), "done_late": _("Done late"),
            "overdue": _("Overdue now")}[figure]


def priority_label(priority: Priority | str) -> str:
    return {Priority.LOW: _("low"), Priority.NORMAL: _("normal"), Priority.HIGH: _("high")}[Priority(priority)]


def extension_label(status: ExtensionStatus | str) -> str:
    return {ExtensionStatus.PENDING: _("waiting"), ExtensionStatus.GRANTED: _("granted"),
            ExtensionStatus.REFUSED: _("refused")}[ExtensionStatus(status)]


def contest_label(status: ContestStatus | str) -> str:
    return {ContestStatus.PENDING: _("contested, awaiting the office"), ContestStatus.UPHELD: _("upheld"),
            ContestStatus.REJECTED: _("rejected")}[ContestStatus(status)]


def event_label(action: str) -> str:
    """An audit action in words (services.plan.event_words, the one table)."""
    return pick(event_words.words(action))


def notice_kind(kind: str) -> str:
    """What a notification is about, in words (services.plan.event_words)."""
    return pick(event_words.kind_words(kind))


def system_actor(label: str) -> str:
    """An audit event written by no person, in words: the plan loader, the scheduler, the command line."""
    words = {LOADER: _("plan loading"), SCANNER: _("daily overdue scan"), "cli": _("administrator (command line)")}
    return words.get(label, _("system"))


def source_label(source: ItemSource | str) -> str:
    return pick(SOURCE_LABELS[ItemSource(source)])


def indicator_state(state: str) -> str:
    """达标 / 未达标 / 未报送 / 待审核 / 未设目标 (services.assessment.indicators.STATES) in the page's language."""
    return pick(indicators.STATE_LABELS[state])


def figure_status(status: ReportStatus | str) -> str:
    return pick(indicators.REPORT_STATUS_LABELS[ReportStatus(status)])


def target_text(indicator: Any, target: Any) -> str:
    """≥ 95%, ≤ 0 件, or 未设目标 while the office has not set the X the target stands for."""
    if target is None:
        return indicator_state(indicators.NO_TARGET)
    return f"{indicators.DIRECTION_SIGNS[indicator.direction]} {indicators.format_value(target)}{indicator.measure}"


def record_status(status: RecordStatus | str, owes_answer: bool | None = None) -> str:
    """A record's state in words, the same on the ledger page, in its filter and in its exports: an open record
    is 在办; an open 督办, which owes an answer, says it awaits one (待答复)."""
    if status == RecordStatus.OPEN and owes_answer:
        return _("awaiting answer")
    return {RecordStatus.OPEN: _("open"), RecordStatus.ANSWERED: _("answered, to be closed"),
            RecordStatus.CLOSED: _("closed"), RecordStatus.SETTLED: _("settled: item finished")}[RecordStatus(status)]


def delivery_label(status: DeliveryStatus | str) -> str:
    return {DeliveryStatus.PENDING: _("not sent yet"), DeliveryStatus.SENT: _("sent"),
            DeliveryStatus.FAILED: _("failed, will retry")}[DeliveryStatus(status)]


def localtime(value: datetime | None) -> str:
    """A stored UTC time as the plan's local time, to the minute."""
    if value is None:
        return ""
    return value.astimezone(settings().zone).strftime("%Y-%m-%d %H:%M")


# What the signed-in person's menus and links offer, asked of the services' rules about them: templates call
# these, never a role (tests/test_seams.py).
ASKED_OF_THE_PERSON: dict[str, Callable[[User], bool]] = {
    "is_office": permissions.is_office,  # its workspace, drafts, closing records, the plan's rhythms
    "sees_everything": permissions.sees_everything,  # the whole city's figures rather than one unit's
    "can_instruct": permissions.can_instruct,  # a leader's 批示 pages
    "follows_instructions": instructions.may_follow_instructions,  # the 批示 follow-up: leaders their own, the office all
    "administers_accounts": account_admin.may_administer_accounts,  # the office everyone, a unit admin its members
    "reviews_split_parts": permissions.reviews_split_parts,  # a district's queue of the parts it split to townships
}


def _about_the_person(rule: Callable[[User], bool]) -> Callable[[], bool]:
    return lambda: rule(current_user)


def unit_options(actor: Any) -> list[dict[str, Any]]:
    """Units for a filter, indented by depth: every unit for those who see everything, a unit's own subtree
    for a unit with units below it (a county filtering its townships), none for any other unit."""
    if not permissions.sees_everything(actor):
        below = permissions.subordinate_units(actor.unit_id)
        return [{"id": actor.unit_id, "label": actor.unit.short_name},
                *({"id": unit.id, "label": "\u3000" + unit.short_name} for unit in below)] if below else []
    return every_unit_option()


def every_unit_option() -> list[dict[str, Any]]:
    """Every unit, indented by depth: the units a contest may name as responsible, or the office reassign to."""
    found: list[dict[str, Any]] = []

    def walk(nodes: list[dict[str, Any]], depth: int) -> None:
        for node in nodes:
            found.append({"id": node["id"], "label": "\u3000" * depth + node["short_name"]})
            walk(node["children"], depth + 1)

    walk(units.tree(), 0)
    return found


def who_line(user: Any, role: str) -> str:
    """The signed-in person for the header: name, unit and role, each said once. An office account named
    "领导小组办公室管理员" of the unit "领导小组办公室" in the role "领导小组办公室" reads as its name alone."""
    parts: list[str] = []
    for part in (user.display_name, user.unit.short_name, role):
        if part and not any(part in said for said in parts):
            parts.append(part)
    return " · ".join(parts)


def unread_notifications() -> int:
    """The bell's count: the signed-in person's and their unit's unread notifications."""
    return notifications.unread_count(actor=current_user) if current_user.is_authenticated else 0


def todo_label(key: str) -> str:
    return {"instructions": _("Leaders' instructions to read"), "to_answer": _("Supervision notices to answer"), "returned": _("Returned for more work"),
            "to_sign": _("To sign for"), "extension_decisions": _("Extension decisions"),
            "due_soon": _("Due within the warning window"), "to_review": _("To review"),
            "extension_requests": _("Extension requests"), "to_close": _("Answered, to close (待核销)"),
            "unanswered_units": _("Units whose supervision notices went unanswered"),
            "contests": _("Contests to decide"), "my_contests": _("Your unit's contests")}.get(key, key)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(status_label=status_label, light_text=light_text, light_choices=light_choices,
                                 action_label=action_label,
                                 priority_label=priority_label, extension_label=extension_label,
                                 contest_label=contest_label,
                                 event_label=event_label, record_status=record_status, system_actor=system_actor,
                                 delivery_label=delivery_label, unread_notifications=unread_notifications,
                                 todo_label=todo_label, source_label=source_label, is_image=progress.is_image,
                                 dashboard_figure_label=dashboard_figure_label, is_pdf=progress.is_pdf,
                                 previewable=progress.previewable, indicator_state=indicator_state,
                                 figure_status=figure_status, target_text=target_text,
                                 figure=indicators.format_value, notice_kind=notice_kind)
    app.jinja_env.globals.update({name: _about_the_person(rule) for name, rule in ASKED_OF_THE_PERSON.items()})
    app.jinja_env.filters["localtime"] = localtime
