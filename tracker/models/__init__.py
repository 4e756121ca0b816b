"""All models, imported here so Alembic and the app see one metadata."""
from .accountability import AccountabilityRecord, DocSequence
from .assessment import Assessment
from .bulletin import Bulletin, BulletinKind, BulletinStatus
from .contest import ContestStatus, ItemContest
from .digest import Digest, DigestDelivery
from .enums import (
    DeliveryStatus,
    Direction,
    EvidenceRule,
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
from .security import Lockout, LoginAttempt, RecoveryCode, UserSession
from .unit import Unit, UnitKind
from .user import ApiToken, User
from .webhook import Webhook, WebhookAttempt, WebhookDelivery
from .work_item import ItemUnit, WorkItem

__all__ = [
    "AccountabilityRecord", "ApiToken", "Assessment", "Attachment", "Bulletin", "BulletinKind", "BulletinStatus",
    "Comment", "ContestStatus", "DeliveryStatus", "Digest", "DigestDelivery", "Direction", "DocSequence", "Event", "EvidenceRule",
    "ExtensionRequest", "ExtensionStatus", "Indicator", "IndicatorPeriod", "IndicatorReport", "Instruction", "ItemContest",
    "InstructionProposal", "ItemSource", "ItemStatus", "ItemTemplate", "ItemUnit", "JobRun", "Lockout",
    "LoginAttempt", "MissedReport", "RecoveryCode", "Notification", "NotificationMail", "Phase", "PhaseSource", "Plan", "Priority",
    "ProgressUpdate", "ProposalStatus", "RecordStatus", "ReportFrequency", "ReportStatus", "ReportingRhythm",
    "Role", "SchedulerLease", "Task", "TaskGroup", "TaskParameter", "Unit", "UnitKind", "User", "UserSession",
    "Webhook", "WebhookAttempt", "WebhookDelivery", "WorkItem",
]
