"""A card: its detail page (opening it notes the unit's first reading of its notices), moves (drag, keyboard menu or dialog form), progress with evidence, comments,
extension requests, and evidence downloads. Each view resolves the item within what the person may see."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..clock import utcnow
from ..errors import Invalid
from ..models import Attachment, WorkItem
from ..services.assessment import reporting_duty
from ..services.io import thumbnails
from ..services.ledger import records
from ..services.plan import plans, units, wording
from ..services.trust import accounts, permissions
from ..services.work import (
    assignment,
    comments,
    contests,
    mentions,
    deadline_extensions,
    evidence,
    feed,
    instructions,
    items,
    offers,
    progress,
    workflow,
)
from ..services.work.detail import item_detail
from ..schemas import page_forms
from . import forms, htmx
from .access import changers_only, units_only
from ..settings import deadlines, storage
from .helpers import every_unit_option, moved_message, unit_options
from .htmx import render

bp = Blueprint("cards", __name__)
ITEM = "/items/<id:item_id>"


def detail_context(item: WorkItem) -> dict[str, Any]:
    """Everything the detail page shows, each part from the service that owns it; people by display name. What
    the page offers is the item's `offers`, the rules the services check."""
    updates, events = progress.updates_of(item), feed.item_events(item)
    people = accounts.display_names([u.author_id for u, _files in updates] + [e.actor_id for e in events])
    shown = records.list_records(actor=current_user, filters=records.RecordFilters(item_id=item.id), limit=200)
    card = item_detail(item, deadlines(), actor=current_user)
    offered, raised = card["offers"], contests.contests_of(item)
    return {"item": item, "card": card, "task": item.task,
            "updates": updates, "events": events, "people": people, "offers": offered,
            "comments": comments.thread(item), "extensions": deadline_extensions.requests_of(item),
            "records": shown, "closable": records.closable(current_user, shown),
            "instructions": instructions.instructions_on(item), "missed": reporting_duty.of_item(item.id),
            "subordinates": permissions.subordinate_units(item.unit_id) if "split" in offered["actions"] else [],
            "lead_users": assignment.unit_users(item.unit_id), "unit_choices": unit_options(current_user),
            "design_note": plans.design_note(item, actor=current_user),
            "mentionable": mentions.mentionable(item) if "comment" in offered["actions"] else [],
            "contests": raised, "contest_units": units.short_names(
                [c.unit_id for c in raised] + [c.proposed_unit_id for c in raised] + [c.new_unit_id for c in raised]),
            "every_unit": every_unit_option() if {"contest", "decide_contest"} & set(offered["actions"]) else [],
            "parent_visible": item.parent is not None and permissions.can_see_item(current_user, item.parent)}


@bp.route(ITEM)
@login_required
def detail(item_id: int) -> Response:
    item = items.get_visible(item_id, actor=current_user)
    context = detail_context(item)
    records.mark_read(context["records"], actor=current_user, now=utcnow())
    return render("items/page.html", "items/_detail.html", **context)


@bp.route(ITEM + "/move", methods=["POST"])
@changers_only
def move(item_id: int) -> Response:
    """Drag and keyboard moves answer with the card; the dialog's form answers by reloading the page. A
    submission's closing report and its evidence go to the one service call that makes the move."""
    item = items.get_visible(item_id, actor=current_user)
    data = forms.form(page_forms.MoveForm())
    uploads = data["files"]
    source = item.status
    workflow.move(item, actor=current_user, to=data["to"], expected_version=data["version"], now=utcnow(),
                  before_id=data.get("before"), after_id=data.get("after"), note=data.get("note"),
                  evidence=workflow.Evidence(uploads, storage()) if uploads else None)
    if data.get("via") == "form":
        return forms.back_to_item(item.id, moved_message(source, item.status), data.get("next"))
    return htmx.trigger(render("board/_card.html", c=item_detail(item, deadlines(), actor=current_user)),
                        {"tracker:flash": {"message": moved_message(source, item.status), "level": "info"}})


@bp.route(ITEM + "/move-form")
@changers_only
def move_form(item_id: int) -> Response:
    """The dialog asking for a closing report and evidence (submit) or a reason (return) before a move. A move
    the person may not make is refused here, before any form is filled in."""
    item = items.get_visible(item_id, actor=current_user)
    args = forms.query(page_forms.MoveDialogArgs())
    move = offers.offered_move(current_user, item, args["to"])
    return render("items/move_form.html", "items/_move_form.html", item=item, move=move, title=wording.title(item),
                  has_evidence=evidence.has_evidence(item.id), next=forms.local_url(args.get("next"), ""))


@bp.route(ITEM + "/updates", methods=["POST"])
@changers_only
def add_update(item_id: int) -> Response:
    item = items.get_visible(item_id, actor=current_user)
    data = forms.form(page_forms.ProgressForm())
    progress.add_update(item, actor=current_user, text=data["text"], percent=data.get("percent"),
                        files=data["files"], storage=storage(), now=utcnow())
    return forms.back_to_item(item.id, _("Progress reported."))


@bp.route(ITEM + "/comments", methods=["POST"])
@changers_only
def add_comment(item_id: int) -> Response:
    item = items.get_visible(item_id, actor=current_user)
    data = forms.form(page_forms.CommentForm())
    comments.add_comment(item, actor=current_user, text=data["text"], now=utcnow())
    return forms.back_to_item(item.id, _("Comment added."))


@bp.route(ITEM + "/extensions", methods=["POST"])
@units_only
def request_extension(item_id: int) -> Response:
    item = items.get_visible(item_id, actor=current_user)
    data = forms.form(page_forms.ExtensionForm())
    deadline_extensions.request_extension(item, actor=current_user, due=data["due"], reason=data["reason"], now=utcnow())
    return forms.back_to_item(item.id, _("Extension to %(date)s requested; the office will decide.",
                                         date=data["due"].isoformat()))


def _send(attachment: Attachment, *, inline: bool) -> Response:
    response = send_file(storage().folder / attachment.stored_name, mimetype=attachment.content_type,
                         as_attachment=not inline, download_name=attachment.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/files/<id:attachment_id>")
@login_required
def download(attachment_id: int) -> Response:
    """Evidence as a download under its original name."""
    return _send(progress.attachment_for(attachment_id, actor=current_user), inline=False)


@bp.route("/files/<id:attachment_id>/thumbnail")
@login_required
def thumbnail(attachment_id: int) -> Response:
    """A PDF's first page as a small PNG, with the download's access check; when it cannot be rendered the
    page's image shows its alternative text, a link to the PDF itself."""
    attachment = progress.attachment_for(attachment_id, actor=current_user)
    image = thumbnails.pdf_first_page(storage().folder, attachment.stored_name) \
        if progress.is_pdf(attachment) else None
    if image is None:
        raise Invalid("无法显示此文件的首页预览,请打开文件查看", "No preview of this file's first page; open the file",
                      code="no_thumbnail")
    response = send_file(image, mimetype="image/png", max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/files/<id:attachment_id>/view")
@login_required
def preview(attachment_id: int) -> Response:
    """Evidence shown in the browser, with the download's access check: only images and PDFs, whose type was
    checked by their first bytes on upload and is sent with `nosniff`; any other file still downloads."""
    attachment = progress.attachment_for(attachment_id, actor=current_user)
    return _send(attachment, inline=progress.previewable(attachment))
