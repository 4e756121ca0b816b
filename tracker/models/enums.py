"""Enumerations stored in the database; their values are the API's vocabulary too."""
import enum


class Role(enum.StrEnum):
    OFFICE_ADMIN = "office_admin"
    LEADER = "leader"
    UNIT_ADMIN = "unit_admin"
    UNIT_MEMBER = "unit_member"


class ItemStatus(enum.StrEnum):
    """The columns of every board, in workflow order."""

    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    DONE = "done"


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


class PhaseSource(enum.StrEnum):
    TEXT = "text"
    INFERRED = "inferred"


class ExtensionStatus(enum.StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class RecordStatus(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
