"""What each page's form and query string may hold. Where the API takes the same input, the form's schema is the
API's schema (`as_form`): one set of rules, read from text rather than JSON."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, pre_load, validate

from .. import limits
from .accounts import AccountEditIn, AccountIn
from .assignments import (
    AdHocItemIn,
    CancelIn,
    IntakeIn,
    InstructionIn,
    ProposalAssignIn,
    ProposalIn,
    RequiredNoteIn,
    ResponsibleIn,
    UnitsIn,
)
from .bulk import ACTION_SCHEMAS, ITEM_COUNT, ItemVersion
from .bulletins import BulletinIssueIn, BulletinQueryArgs, BulletinTextIn
from .assessment import AssessmentArgs, FreezeIn
from .comments import CommentIn
from .common import ID_RANGE, TextInteger, day_field, page_offset, query_id, text_field
from .contests import ContestDecisionIn, ContestIn
from .indicators import PERIOD, ReportDecisionIn, ReportIn
from .notices import NoticeDayArgs
from .filters import ItemFilterArgs
from .items import MoveIn, ReviewIn, WorkItemIn
from .progress import DecisionIn, EvidenceFile, ExtensionIn, ProgressIn
from .records import PERIOD_KEY, AnswerIn, BulkCloseIn, NoteIn
from .reporting import RhythmIn
from .reach import ChannelsIn, KindIn, RobotIn
from .webhooks import ActiveIn, WebhookIn
from ..models import ItemStatus, Priority, RecordStatus
from ..models.accountability import UNANSWERED_KIND
from ..services.assessment import indicators
from ..services.work.boards import SORTS, SWIMLANES
from ..services.work.bulk import ACTIONS as BULK_ACTIONS
from ..services.assessment.dashboard import FIGURES
from ..web.i18n import LANGUAGES


class FormSchema(Schema):
    """Every posted form carries the CSRF token (checked before the view by Flask-WTF); nothing else unknown."""

    csrf_token = fields.String(load_only=True)


def as_form(api_schema: type[Schema], *bases: type[Schema]) -> type[Schema]:
    """The API's schema reading a form: its integers become integers written in ASCII digits, with the same
    range, and every other field and rule is the API's own."""
    declared: dict[str, Any] = {}
    for name, field in api_schema._declared_fields.items():
        if isinstance(field, fields.Integer) and not isinstance(field, TextInteger):
            declared[name] = _text_integer(field)
        elif isinstance(field, fields.List) and isinstance(field.inner, fields.Integer):
            declared[name] = fields.List(_text_integer(field.inner), required=field.required,
                                         load_default=field.load_default, validate=field.validators)
    return type(f"{api_schema.__name__}Form", (*bases, api_schema, FormSchema), declared)


def _text_integer(field: fields.Integer) -> TextInteger:
    return TextInteger(required=field.required, validate=field.validators, load_default=field.load_default)


class Back(Schema):
    """Where to go after the change: a path of this site, checked by forms.local_url when used."""

    next = fields.String(validate=validate.Length(max=2000))


class MoveForm(as_form(MoveIn, Back)):  # type: ignore[misc]  # a base as_form makes at import time
    """A drag, a keyboard move or the dialog's form; a submission may carry evidence files."""

    via = fields.String(validate=validate.OneOf(["form"]))
    files: fields.List[Any] = fields.List(EvidenceFile(), load_default=list)


class MoveDialogArgs(Back):
    to = fields.Enum(ItemStatus, by_value=True, required=True)


ProgressForm = as_form(ProgressIn)
ExtensionForm = as_form(ExtensionIn)
AssignForm = as_form(WorkItemIn)
ReviewForm = as_form(ReviewIn)
class DecisionForm(as_form(DecisionIn, Back)):  # type: ignore[misc]  # a base as_form makes at import time
    """An extension decision, from the item page or the office's workspace (`next`)."""
AnswerForm = as_form(AnswerIn)


class ContestForm(as_form(ContestIn)):  # type: ignore[misc]  # a base as_form makes at import time
    """A blank choice of unit names none (blank fields count as not sent)."""

    proposed_unit_id = TextInteger(validate=ID_RANGE, load_default=None)


class ContestDecisionForm(as_form(ContestDecisionIn, Back)):  # type: ignore[misc]  # a base as_form makes at import time
    """The office's decision on a contest, from the item page or 我的待办 (`next`); a blank unit or date keeps the
    unit named and the due date."""

    new_unit_id = TextInteger(validate=ID_RANGE, load_default=None)
    new_due_date = day_field(load_default=None)


class CommentForm(as_form(CommentIn)):  # type: ignore[misc]  # a base as_form makes at import time
    pass


class RecordNoteForm(as_form(NoteIn, Back)):  # type: ignore[misc]  # a base as_form makes at import time
    pass


class ParametersForm(FormSchema):
    """The plan's "X"s: one `param-<id>` field each; a blank one clears the value, so blanks are kept."""

    KEEP_BLANK = True

    plan_id = query_id(required=True)
    values = fields.Dict(keys=TextInteger(validate=ID_RANGE), values=text_field(max_length=limits.PARAMETER_VALUE), load_default=dict)

    @pre_load
    def gather_values(self, form: Any, **_kwargs: Any) -> dict[str, Any]:
        """Gathers the `param-<id>` fields (their number varies with the plan) under `values`."""
        gathered = {key: form[key] for key in form if not key.startswith("param-")}
        gathered["values"] = {key[len("param-"):]: form[key] for key in form if key.startswith("param-")}
        return gathered


FOLLOW_PLAN = "plan"  # a group's form choice for "follow the plan's rhythm" (the API's null)


class RhythmForm(as_form(RhythmIn)):  # type: ignore[misc]  # a base as_form makes at import time
    plan_id = query_id(required=True)

    @pre_load
    def follow_the_plan(self, form: Any, **_kwargs: Any) -> dict[str, Any]:
        """A form cannot send null: its "follow the plan" choice stands for it."""
        gathered = {key: form[key] for key in form}
        if gathered.get("frequency") == FOLLOW_PLAN:
            gathered["frequency"] = None
        return gathered


class LanguageForm(Back, FormSchema):
    lang = fields.String(required=True, validate=validate.OneOf(LANGUAGES))


class LedgerLevel(fields.Field):
    """A level of the ladder (1 to 20), or `unanswered`: the 督办未答复 records the daily scan writes when a 督办's
    answer is late, a level of their own in the ledger's filter."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | str:
        if value == UNANSWERED_KIND:
            return value
        return TextInteger(validate=validate.Range(min=1, max=20)).deserialize(value)


class LedgerQuery(Schema):
    unit = query_id()
    level = LedgerLevel()
    status = fields.Enum(RecordStatus, by_value=True)
    from_ = day_field(data_key="from", metadata={"label": ("起始日期", "From")})
    until = day_field(data_key="to", metadata={"label": ("截止日期", "Until")})
    due_from = day_field(metadata={"label": ("截止日期从", "Due from")})
    due_to = day_field(metadata={"label": ("截止日期至", "Due until")})
    offset = page_offset()
    owed = fields.Boolean(metadata={"label": ("待答复", "Awaiting answer")})


class NoticeDayQuery(NoticeDayArgs):
    day = day_field(required=True, metadata={"label": ("通知发出日期", "Day")})


class BulkCloseForm(as_form(BulkCloseIn, Back)):  # type: ignore[misc]  # a base as_form makes at import time
    pass


WebhookForm = as_form(WebhookIn)
ChannelsForm = as_form(ChannelsIn)
RobotForm = as_form(RobotIn)
KindForm = as_form(KindIn)
ActiveForm = as_form(ActiveIn)


class BoardQuery(ItemFilterArgs):
    """The board page and its 台账 export: the API's card filter (the same link narrows both doors alike), and
    how the page lays the cards out."""

    lanes = fields.String(validate=validate.OneOf(SWIMLANES))
    sort = fields.String(validate=validate.OneOf(SORTS), metadata={"label": ("排序", "Sort")})
    figure = fields.String(validate=validate.OneOf(FIGURES), metadata={"label": ("统计口径", "Dashboard figure")})


class ColumnQuery(BoardQuery):
    """The "more" button of one column (and lane)."""

    status = fields.List(fields.Enum(ItemStatus, by_value=True), required=True, validate=validate.Length(equal=1))
    offset = page_offset(most=1_000_000)
    lane = query_id()


class DigestQuery(Schema):
    week = fields.String(validate=PERIOD_KEY)
    day = day_field(metadata={"label": ("周内任一天", "A day of the week")})
    offset = page_offset(most=1_000_000)


AdHocForm = as_form(AdHocItemIn)
class IntakeForm(as_form(IntakeIn)):  # type: ignore[misc]  # a base as_form makes at import time
    sheet = fields.String(load_default="tasks", validate=validate.OneOf(["tasks", "units"]))
class UnitsForm(as_form(UnitsIn)):  # type: ignore[misc]  # a base as_form makes at import time
    """A form sends no field for no box ticked: no cooperating units is an empty list, not a missing field."""

    cooperating_unit_ids = fields.List(TextInteger(validate=ID_RANGE), load_default=list,
                                       validate=validate.Length(max=100))
CancelForm = as_form(CancelIn)
NoteForm = as_form(RequiredNoteIn)
InstructionForm = as_form(InstructionIn)
ProposalForm = as_form(ProposalIn)
ProposalAssignForm = as_form(ProposalAssignIn)


class ResponsibleForm(as_form(ResponsibleIn)):  # type: ignore[misc]  # a base as_form makes at import time
    """A blank person clears the person responsible (blank fields count as not sent)."""

    responsible_user_id = TextInteger(validate=ID_RANGE, load_default=None)


class EditForm(FormSchema):
    """The office's corrections on the item page; a new due date needs a reason (the service says so)."""

    title = text_field(required=True, min_length=1, max_length=limits.TITLE)
    description = text_field(load_default="", max_length=limits.DESCRIPTION)
    priority = fields.Enum(Priority, by_value=True, required=True)
    due_date = day_field(required=True)
    reason = text_field(max_length=limits.NOTE)
    version = TextInteger(required=True, validate=ID_RANGE)


class SplitRow(Schema):
    title = text_field(max_length=limits.TITLE)
    due = day_field()


class SplitForm(FormSchema):
    """Ticked subordinate units, each row with its own `title-<id>` and `due-<id>`; the parent's due date and
    title stand in for a blank row."""

    unit_ids = fields.List(TextInteger(validate=ID_RANGE), required=True, validate=validate.Length(min=1, max=200))
    due_date = day_field(required=True)
    description = text_field(load_default="", max_length=limits.DESCRIPTION)
    rows = fields.Dict(keys=TextInteger(validate=ID_RANGE), values=fields.Nested(SplitRow), load_default=dict)

    @pre_load
    def gather_rows(self, form: Any, **_kwargs: Any) -> dict[str, Any]:
        gathered: dict[str, Any] = {key: form[key] for key in form if not key.startswith(("title-", "due-"))}
        if hasattr(form, "getlist"):
            gathered["unit_ids"] = form.getlist("unit_ids")
        rows: dict[str, dict[str, str]] = {}
        for key in form:
            if key.startswith(("title-", "due-")) and form[key].strip():
                field, _sep, unit_id = key.partition("-")
                rows.setdefault(unit_id, {})[field] = form[key]
        gathered["rows"] = rows
        return gathered


class IndicatorPageQuery(Schema):
    """The indicators page: periods ending within a year ("2024") or a quarter ("2024-Q2"), and filters."""

    period = fields.String(validate=PERIOD, metadata={"label": ("期间", "Period")})
    unit = query_id()
    task = TextInteger(validate=validate.Range(min=1, max=999))
    indicator = query_id(metadata={"label": ("指标", "Indicator")})
    state = fields.String(validate=validate.OneOf(indicators.STATES))
    sort = fields.String(validate=validate.OneOf(indicators.SORTS), metadata={"label": ("排序", "Sort")})


class IndicatorHistoryQuery(Schema):
    """One cell of the indicators table: a unit's period."""

    unit = query_id(required=True)
    period = fields.String(required=True, validate=PERIOD, metadata={"label": ("期间", "Period")})


IndicatorReportForm = as_form(ReportIn)


class IndicatorDecisionForm(as_form(ReportDecisionIn, Back)):  # type: ignore[misc]  # a base as_form makes at import time
    pass


class BulletinTextForm(as_form(BulletinTextIn)):  # type: ignore[misc]  # a base as_form makes at import time
    KEEP_BLANK = True  # an emptied paragraph is sent as empty text, not dropped


BulletinIssueForm = as_form(BulletinIssueIn)
BulletinQuery = as_form(BulletinQueryArgs)

AssessmentQuery = AssessmentArgs
FreezeForm = as_form(FreezeIn)


class AccountForm(as_form(AccountIn)):  # type: ignore[misc]
    """A new account, as the API would take it."""


class AccountEditForm(as_form(AccountEditIn)):  # type: ignore[misc]
    """An account's name, mail, role and unit."""


ITEMS_LABEL = ("所选事项", "Chosen items")


class BulkPicks(Schema):
    """The items of a bulk decision as a page posts them: a checkbox or a hidden input per item, "id:version"."""

    items = fields.List(ItemVersion(), required=True, validate=ITEM_COUNT, metadata={"label": ITEMS_LABEL})


# Each bulk action's form: the API's body (schemas/bulk.py), its items read from the page's inputs.
BULK_FORMS: dict[str, type[Schema]] = {action: as_form(schema, BulkPicks, Back)
                                       for action, schema in ACTION_SCHEMAS.items()}


class BulkChoiceForm(Back, FormSchema):
    """The board's or a review queue's bulk bar: an action, and the ticked items or every item the board's filter
    (its query string) or the queue holds. How many is checked at the confirmation (bulk.check_targets)."""

    action = fields.String(required=True, validate=validate.OneOf(BULK_ACTIONS),
                           metadata={"label": ("批量操作", "Bulk action")})
    scope = fields.String(load_default="picked", validate=validate.OneOf(["picked", "filter", "queue"]),
                          metadata={"label": ("选择范围", "Which items")})
    items = fields.List(ItemVersion(), load_default=list, metadata={"label": ITEMS_LABEL})

class LiveStreamQuery(Schema):
    """A page's live stream: the last change the page had when it was drawn (`since`)."""

    since = TextInteger(validate=validate.Range(min=0, max=2**62))


class LiveResumeHeaders(Schema):
    """The browser's own resumption of a dropped stream: the last change it was sent."""

    last_event_id = TextInteger(data_key="Last-Event-ID", validate=validate.Range(min=0, max=2**62))
