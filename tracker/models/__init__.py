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
from .live import LiveEvent
from .notification import Notification, NotificationMail
from .plan import ItemTemplate, Phase, Plan, Task, TaskGroup, TaskParameter
from .progress import Attachment, Comment, CommentMention, ExtensionRequest, ProgressUpdate
from .reach import PersonMessage, ReachChoice, UnitRobot
from .reporting import MissedReport, ReportFrequency, ReportingRhythm
from .security import Lockout, LoginAttempt, RecoveryCode, UserSession
from .sign_on import SignOnLink
from .unit import Unit, UnitKind
from .user import ApiToken, User
from .webhook import Webhook, WebhookAttempt, WebhookDelivery
from .work_item import ItemUnit, WorkItem

__all__ = [
    "AccountabilityRecord", "ApiToken", "Assessment", "Attachment", "Bulletin", "BulletinKind", "BulletinStatus",
    "Comment", "CommentMention", "ContestStatus", "DeliveryStatus", "Digest", "DigestDelivery", "Direction",
    "DocSequence", "Event", "EvidenceRule", "ExtensionRequest", "ExtensionStatus", "Indicator", "IndicatorPeriod",
    "IndicatorReport", "Instruction", "InstructionProposal", "ItemContest", "ItemSource", "ItemStatus",
    "ItemTemplate", "ItemUnit", "JobRun", "LiveEvent", "Lockout", "LoginAttempt", "MissedReport", "Notification",
    "NotificationMail", "PersonMessage", "Phase", "PhaseSource", "Plan", "Priority", "ProgressUpdate",
    "ProposalStatus", "ReachChoice", "RecordStatus", "RecoveryCode", "ReportFrequency", "ReportStatus",
    "ReportingRhythm", "Role", "SchedulerLease", "SignOnLink", "Task", "TaskGroup", "TaskParameter", "Unit",
    "UnitKind", "UnitRobot", "User", "UserSession", "Webhook", "WebhookAttempt", "WebhookDelivery", "WorkItem",
]
