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


class EvidenceRule(enum.StrEnum):
    """Whether submitting an item for review needs evidence files (佐证材料), set per plan and template in the plan
    file: `required` refuses a submission while the item has none; `asked` takes it with a warning to the unit,
    and the office's review queue marks it."""

    REQUIRED = "required"
    ASKED = "asked"


class PhaseSource(enum.StrEnum):
    TEXT = "text"
    INFERRED = "inferred"


class ExtensionStatus(enum.StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class RecordStatus(enum.StrEnum):
    """A record's lifecycle. `open` is a notice in force or a 督办 awaiting its answer; `settled` (已办结销号) is
    set by the system when the item is approved or cancelled; `closed` (核销) by the office."""

    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"
    SETTLED = "settled"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class ItemSource(enum.StrEnum):
    """Where ad-hoc work (交办件) came from; plan items have no source (their task says where)."""

    LEADER_INSTRUCTION = "leader_instruction"
    MEETING = "meeting"
    HIGHER_LEVEL = "higher_level"
    LETTER_CALL = "letter_call"
    PUBLIC_REPORT = "public_report"
    OTHER = "other"


class ProposalStatus(enum.StrEnum):
    """A leader's 批示件 waits for the office, which turns it into an item or files it."""

    PENDING = "pending"
    ASSIGNED = "assigned"
    FILED = "filed"


class Direction(enum.StrEnum):
    """Which side of an indicator's target is good: at least (≥, "不少于", "达到") or at most (≤)."""

    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class IndicatorPeriod(enum.StrEnum):
    YEAR = "year"
    QUARTER = "quarter"


class ReportStatus(enum.StrEnum):
    """An indicator figure: `submitted` waits for the office, which accepts or returns it (with a reason); a
    figure the unit replaced before the office decided is `superseded`. Only the newest report of a period counts."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    SUPERSEDED = "superseded"
