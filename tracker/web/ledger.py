"""The accountability ledger: records with filters, exported as shown to XLSX or CSV, and the record actions
(a unit answers; the office closes 核销 or escalates by hand)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from flask import Blueprint, Response, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..api.notices import pdf_response
from ..clock import utcnow
from ..models import AccountabilityRecord, ContestStatus, ItemStatus, RecordStatus
from ..models.accountability import UNANSWERED_KIND
from ..services.io import exports
from ..services.ledger import ledger_table, notices, reach, records
from ..services.plan import glossary, units
from ..services.work.deadlines import local_today
from ..schemas import page_forms
from . import forms
from .boards import BoardArgs
from .access import office_only, units_only
from ..settings import deadlines, settings
from .helpers import contest_label, record_status, status_label, unit_options
from .htmx import render

bp = Blueprint("ledger", __name__)
PAGE = 100
RECORD = "/records/<id:record_id>"


@dataclass(frozen=True)
class LedgerArgs:
    """The ledger's URL arguments, validated by page_forms.LedgerQuery (a malformed one is refused, with words)."""

    values: dict[str, Any]

    @classmethod
    def from_request(cls) -> LedgerArgs:
        found = forms.query(page_forms.LedgerQuery())
        names = {"from_": "from", "until": "to"}
        return cls({names.get(key, key): value for key, value in found.items()})

    def filters(self) -> records.RecordFilters:
        zone = settings().zone

        def start_of(day: date | None) -> datetime | None:
            return datetime.combine(day, time(), zone).astimezone(timezone.utc) if day else None

        to = self.values.get("to")
        level = self.values.get("level")
        unanswered = level == UNANSWERED_KIND
        return records.RecordFilters(
            unit_id=self.values.get("unit"), status=self.values.get("status"), level=None if unanswered else level,
            kind=UNANSWERED_KIND if unanswered else None,
            owes_answer=True if self.values.get("owed") else None,
            issued_from=start_of(self.values.get("from")), issued_to=start_of(to + timedelta(days=1) if to else None),
            due_from=self.values.get("due_from"), due_to=self.values.get("due_to"))

    def query_string(self, **changes: Any) -> dict[str, Any]:
        return {k: v for k, v in (self.values | changes).items() if v not in (None, 0, "")}

    def described(self) -> list[str]:
        """The filters in words, for an export's name and title row."""
        values = self.values
        found = [units.short_names([values["unit"]]).get(values["unit"], "")] if values.get("unit") else []
        if values.get("level") == UNANSWERED_KIND:
            found.append(_("Supervision unanswered"))
        elif values.get("level"):
            found += [level.name for level in settings().ladder
                      if level.level == values["level"]]
        if values.get("status"):
            found.append(record_status(values["status"]))
        for start, end in (("from", "to"), ("due_from", "due_to")):
            if values.get(start) or values.get(end):
                found.append(f"{values.get(start) or ''}~{values.get(end) or ''}")
        return found


def export_header() -> list[str]:
    return [_("No."), _("Task No."), _("Unit"), _("Work item"), _("Item status"), _("Level"), _("Reason"),
            _("Due date"), _("Days overdue"), _("Issued at"), _("Answer due"), _("Status"), _("Answer"),
            _("Remedy date"), _("Closing note"), _("Person responsible")]


def send_table(kind: str, header: list[str], cells: list[list[Any]], *, name: str, filters: list[str]) -> Response:
    """An export as a download named for what it holds: 督办台账_市司法局_督办_20240630.xlsx, the filters also in
    the sheet's title row, headed by the office that keeps it."""
    stamp = local_today(utcnow(), settings().timezone)
    caption = " · ".join([f"{glossary.authorities().office} {name}", *filters,
                          _("as of %(date)s", date=stamp.isoformat())])
    if kind == "xlsx":
        body, content_type = exports.to_xlsx(header, cells, title=name, caption=caption), exports.XLSX_CONTENT_TYPE
    else:
        body, content_type = exports.to_csv(header, cells), exports.CSV_CONTENT_TYPE
    response = Response(body, content_type=content_type)
    filename = "_".join([name, *filters, stamp.strftime("%Y%m%d")]).replace("/", "-") + f".{kind}"
    response.headers["Content-Disposition"] = exports.content_disposition(filename)
    return response


def item_status_labels() -> dict[str, str]:
    return {status.value: status_label(status) for status in ItemStatus}


def record_status_labels() -> dict[str, str]:
    return {status.value: record_status(status) for status in RecordStatus}


@bp.route("/ledger")
@login_required
def show() -> Response:
    args = LedgerArgs.from_request()
    rows, total = ledger_table.ledger(args.filters(), actor=current_user, limit=PAGE, offset=args.values["offset"])
    return render("ledger/page.html", "ledger/_table.html", rows=rows, total=total, args=args, page_size=PAGE,
                  contests=ledger_table.contests(actor=current_user, limit=PAGE),
                  unit_choices=unit_options(current_user), statuses=record_status_labels(), ladder=settings().ladder,
                  owed=records.counts(actor=current_user, unit_id=args.values.get("unit")))


@bp.route("/ledger/export.<any(xlsx, csv):kind>")
@login_required
def export(kind: str) -> Response:
    """What the page shows (every page of it), as a file Excel opens with the Chinese intact."""
    args = LedgerArgs.from_request()
    rows, _total = ledger_table.ledger(args.filters(), actor=current_user, limit=ledger_table.EXPORT_LIMIT)
    cells = ledger_table.table(rows, timezone=settings().timezone, today=deadlines().today,
                         record_status=lambda r: record_status(r.status, r.owes_answer),
                         item_status_labels=item_status_labels())
    return send_table(kind, export_header(), cells, name=_("Accountability ledger"), filters=args.described())


def items_header() -> list[str]:
    return [_("No."), _("Task No."), _("Unit"), _("Work item"), _("Person responsible"), _("Status"), _("Due date"),
            _("Days overdue"), _("Last progress"), _("Reported on"), _("Reported by"), _("Contest (退办 / 异议)")]


@bp.route("/ledger/items.<any(xlsx, csv):kind>")
@login_required
def export_items(kind: str) -> Response:
    """The items 台账: the board's items under the board's filters, with their last progress."""
    args = BoardArgs.parse(forms.query(page_forms.BoardQuery()))
    cells = ledger_table.items_table(args.filters_with(), actor=current_user, deadlines=deadlines(),
                                     timezone=settings().timezone, status_labels=item_status_labels(),
                                     contest_labels={status.value: contest_label(status) for status in ContestStatus})
    return send_table(kind, items_header(), cells, name=_("Work items ledger"), filters=args.described())


@bp.route(RECORD + "/notice.pdf")
@login_required
def notice(record_id: int) -> Response:
    """The 督办/通报 notice with its 回执, to print; anyone who may see the record."""
    record = notices.require_notice(records.get_record(record_id, actor=current_user))
    rows = notices.notice_rows([record], timezone=settings().timezone)
    return pdf_response(notices.render_pdf(rows), notices.notice_names(record))


@bp.route(RECORD + "/trail")
@login_required
def trail(record_id: int) -> Response:
    """Who was told of the record, on which channel, when it was delivered and when read: what the office shows
    when a unit says it was never told. Anyone who may see the record."""
    record = records.get_record(record_id, actor=current_user)
    return render("ledger/trail.html", record=record, told=reach.trail(record.id))


@bp.route("/ledger/notices.pdf")
@office_only
def notices_of_day() -> Response:
    """The notices of one scan day (?day=2024-06-30), 100 to a part: one file when they fit in one, else a page
    with a link per part (?part=2 is the second)."""
    query = forms.query(page_forms.NoticeDayQuery())
    day, zone = query["day"], settings().timezone
    batch = notices.notices_of_day(day, actor=current_user, timezone=zone, part=query["part"] or 1)
    if query["part"] is None and batch.parts > 1:
        return render("ledger/notice_parts.html", batch=batch, per_part=notices.NOTICES_PER_PART)
    return pdf_response(notices.render_pdf(notices.notice_rows(batch.records, timezone=zone)), batch.names())


@bp.route(RECORD + "/answer", methods=["POST"])
@units_only
def answer(record_id: int) -> Response:
    record = records.get_record(record_id, actor=current_user)
    data = forms.form(page_forms.AnswerForm())
    records.answer(record, actor=current_user, explanation=data["explanation"], remedy_date=data["remedy_date"],
                   now=utcnow(), timezone=settings().timezone, evidence_ids=data["evidence_ids"])
    return forms.back_to_item(record.item_id, _("Your answer was recorded."))


@bp.route(RECORD + "/close", methods=["POST"])
@office_only
def close(record_id: int) -> Response:
    record, note, back = _noted_record(record_id)
    records.close(record, actor=current_user, note=note, now=utcnow())
    flash(_("The record was closed."))
    return forms.finished(back)


def _noted_record(record_id: int) -> tuple[AccountabilityRecord, str, str]:
    """What the office's hand on one record reads (核销, escalation): the record as the office may see it, the
    note it wrote, and the page to go back to (the ledger unless `next` names one on this site)."""
    record = records.get_record(record_id, actor=current_user)
    data = forms.form(page_forms.RecordNoteForm())
    return record, data["note"], forms.local_url(data.get("next"), url_for("ledger.show"))


@bp.route("/records/close", methods=["POST"])
@office_only
def close_many() -> Response:
    """The 待核销 queue's bulk 核销: the ticked records, one note."""
    data = forms.form(page_forms.BulkCloseForm())
    back = forms.local_url(data.get("next"), url_for("office.workspace_page"))
    closed = records.close_many(data["record_ids"], actor=current_user, note=data["note"], now=utcnow())
    flash(_("%(n)d records closed.", n=len(closed)))
    return forms.finished(back)


@bp.route(RECORD + "/escalate", methods=["POST"])
@office_only
def escalate(record_id: int) -> Response:
    record, note, back = _noted_record(record_id)
    found = settings()
    records.escalate(record, actor=current_user, note=note, now=utcnow(), ladder=found.ladder,
                     timezone=found.timezone, number_format=found.number_format)
    flash(_("The record was escalated."))
    return forms.finished(back)
