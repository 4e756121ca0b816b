"""All models, imported here so Alembic and the app see one metadata."""
from .accountability import AccountabilityRecord, DocSequence
from .digest import Digest, DigestDelivery
from .enums import (
    DeliveryStatus,
    Direction,
    ExtensionStatus,
    IndicatorPeriod,
    ItemSource,
    ItemStatus,
    PhaseSource,
    Priority,
    ProposalStatus,
    RecordStatus,
    ReportStatus,
    Role,
)
from .event import Event
from .indicator import Indicator, IndicatorReport
from .instruction import Instruction, InstructionProposal
from .job_run import JobRun, SchedulerLease
from .notification import Notification, NotificationMail
from .plan import ItemTemplate, Phase, Plan, Task, TaskGroup, TaskParameter
from .progress import Attachment, Comment, ExtensionRequest, ProgressUpdate
from .reporting import MissedReport, ReportFrequency, ReportingRhythm
from .security import Lockout, LoginAttempt, UserSession
from .unit import Unit, UnitKind
from .user import ApiToken, User
from .webhook import Webhook, WebhookAttempt, WebhookDelivery
from .work_item import ItemUnit, WorkItem

__all__ = [
    "AccountabilityRecord", "ApiToken", "Attachment", "Comment", "DeliveryStatus", "Digest", "DigestDelivery",
    "Direction", "DocSequence", "Event", "ExtensionRequest", "ExtensionStatus", "Indicator", "IndicatorPeriod", "IndicatorReport", "Instruction", "InstructionProposal",
    "ItemSource", "ItemStatus", "ItemTemplate", "ItemUnit", "JobRun", "Lockout", "LoginAttempt", "Notification",
    "NotificationMail", "Phase", "PhaseSource", "Plan", "Priority", "ProgressUpdate", "ProposalStatus",
    "RecordStatus", "ReportStatus", "Role", "SchedulerLease", "Task", "TaskGroup", "TaskParameter", "Unit", "UnitKind", "User",
    "UserSession", "Webhook", "WebhookAttempt", "WebhookDelivery", "WorkItem",
    "MissedReport", "ReportFrequency", "ReportingRhythm",
]
