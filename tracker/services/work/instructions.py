"""Leaders' instructions (批示).

A leader, read-only for everything else, writes an instruction on any item: it shows on the card and the item
page, the units carrying the item are told, it is audited and never edited (no path updates or deletes one).
A leader can also raise a 批示件, a proposal of new work, which the office assigns as an ad-hoc item (source
领导批示, the proposal's text becoming the leader's instruction on it) or files with a note.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ... import limits
from ...errors import Invalid, NotAllowed, NotFound
from ...extensions import db
from ...models import Instruction, InstructionProposal, ItemSource, Plan, ProposalStatus, Role, Unit, User, WorkItem
from ..plan import wording
from ..trust import audit, permissions
from . import item_news, item_rules, items
from .assignment import required_text

TEXT_LIMIT = limits.INSTRUCTION


def _text(text: str | None, field: str = "text") -> str:
    value = required_text(text, field, "批示内容不能为空", "The instruction needs a text")
    if len(value) > TEXT_LIMIT:
        raise Invalid(f"批示不能超过 {TEXT_LIMIT} 字", f"At most {TEXT_LIMIT} characters", fields={field: ["过长"]})
    return value


def instruct(item: WorkItem, *, actor: User, text: str, now: datetime) -> Instruction:
    """A leader's instruction on an item; the lead and cooperating units are told."""
    item_rules.require(actor, item, "instruct")
    instruction = Instruction(item_id=item.id, author_id=actor.id, at=now, text=_text(text))
    db.session.add(instruction)
    db.session.flush()
    audit.record(actor=actor, action="item.instruction", entity_type="instruction", entity_id=instruction.id,
                 item_id=item.id, after={"text": instruction.text}, now=now)
    item_news.notify(unit_ids=item_news.carrying_units(item), item=item, kind="instruction",
                   text=f"{actor.display_name}批示:{instruction.text}", actor=actor, now=now)
    return instruction


def instructions_on(item: WorkItem) -> list[tuple[Instruction, str]]:
    """The item's instructions, oldest first, with their authors' names."""
    return [(row, name) for row, name in db.session.execute(
        sa.select(Instruction, User.display_name).join(User, User.id == Instruction.author_id)
        .where(Instruction.item_id == item.id).order_by(Instruction.id))]


def propose(*, actor: User, title: str, text: str, due_date: date | None, now: datetime) -> InstructionProposal:
    """A leader raises a 批示件 for the office to assign or file."""
    permissions.require_leader(actor)
    title = required_text(title, "title", "批示件须有标题", "A proposal needs a title")[:200]
    proposal = InstructionProposal(author_id=actor.id, at=now, title=title, text=_text(text), due_date=due_date)
    db.session.add(proposal)
    db.session.flush()
    audit.record(actor=actor, action="proposal.create", entity_type="instruction_proposal", entity_id=proposal.id,
                 after={"title": title, "text": proposal.text, "due_date": due_date.isoformat() if due_date else None},
                 now=now)
    return proposal


def get_proposal(proposal_id: int, *, actor: User) -> InstructionProposal:
    """The office sees every 批示件, a leader their own; anyone else hears not found."""
    proposal = db.session.get(InstructionProposal, proposal_id)
    if proposal is None or not (actor.role == Role.OFFICE_ADMIN or proposal.author_id == actor.id):
        raise NotFound("批示件不存在", "Proposal not found", code="proposal_not_found")
    return proposal


def _pending(proposal: InstructionProposal) -> None:
    if proposal.status != ProposalStatus.PENDING:
        raise Invalid("该批示件已办理", "This proposal was already handled", code="already_handled")


def assign_proposal(proposal: InstructionProposal, *, actor: User, plan: Plan, lead: Unit,
                    cooperating: list[Unit], due_date: date, source_ref: str | None, now: datetime) -> WorkItem:
    """The office turns a 批示件 into an ad-hoc item; the leader's text becomes an instruction on it."""
    permissions.require_office(actor)
    _pending(proposal)
    item = items.create_ad_hoc(actor=actor, plan=plan, source=ItemSource.LEADER_INSTRUCTION, source_ref=source_ref,
                               title=proposal.title, description=proposal.text, due_date=due_date, lead=lead,
                               cooperating=cooperating, now=now)
    db.session.add(Instruction(item_id=item.id, author_id=proposal.author_id, at=proposal.at, text=proposal.text))
    proposal.status, proposal.item_id = ProposalStatus.ASSIGNED, item.id
    proposal.handled_by_id, proposal.handled_at = actor.id, now
    db.session.flush()
    audit.record(actor=actor, action="proposal.assign", entity_type="instruction_proposal", entity_id=proposal.id,
                 item_id=item.id, after={"item_id": item.id}, now=now)
    return item


def file_proposal(proposal: InstructionProposal, *, actor: User, note: str, now: datetime) -> InstructionProposal:
    """The office files a 批示件 without making an item, saying why."""
    permissions.require_office(actor)
    _pending(proposal)
    note = required_text(note, "note", "存档须说明理由", "Filing needs a note")
    proposal.status, proposal.handled_note = ProposalStatus.FILED, note
    proposal.handled_by_id, proposal.handled_at = actor.id, now
    db.session.flush()
    audit.record(actor=actor, action="proposal.file", entity_type="instruction_proposal", entity_id=proposal.id,
                 after={"note": note}, now=now)
    return proposal


@dataclass(frozen=True)
class Instructed:
    """One line of a list of 批示: what was instructed or proposed, by whom, and where it stands."""

    kind: str  # "instruction" or "proposal"
    id: int
    at: datetime
    text: str
    item_id: int | None
    item_title: str | None
    item_status: str | None
    proposal_status: str | None
    author: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "at": self.at, "text": self.text, "item_id": self.item_id,
                "item_title": self.item_title, "item_status": self.item_status,
                "proposal_status": self.proposal_status, "author": self.author}


def may_follow_instructions(actor: User) -> bool:
    """Leaders follow their own 批示; the office follows every leader's (批示落实)."""
    return actor.role in (Role.LEADER, Role.OFFICE_ADMIN)


def instructed_by(actor: User) -> list[Instructed]:
    """A leader's instructions and 批示件 (the office: every leader's), newest first, each with the item's current
    status. A 批示件 the office turned into an item is one line: its instruction on the item is not listed again."""
    if not may_follow_instructions(actor):
        raise NotAllowed("只有领导和领导小组办公室可以查看批示落实情况", "Only leaders and the office follow instructions",
                         code="forbidden")
    mine = sa.true() if actor.role == Role.OFFICE_ADMIN else Instruction.author_id == actor.id
    from_proposal = sa.exists().where(InstructionProposal.item_id == Instruction.item_id,
                                      InstructionProposal.author_id == Instruction.author_id,
                                      InstructionProposal.at == Instruction.at)
    found = [Instructed("instruction", i.id, i.at, i.text, w.id, wording.title(w), w.status.value, None, name)
             for i, w, name in db.session.execute(
                 sa.select(Instruction, WorkItem, User.display_name)
                 .join(WorkItem, WorkItem.id == Instruction.item_id).join(User, User.id == Instruction.author_id)
                 .where(mine, ~from_proposal))]
    proposals = sa.true() if actor.role == Role.OFFICE_ADMIN else InstructionProposal.author_id == actor.id
    for proposal, item, name in db.session.execute(
            sa.select(InstructionProposal, WorkItem, User.display_name)
            .outerjoin(WorkItem, WorkItem.id == InstructionProposal.item_id)
            .join(User, User.id == InstructionProposal.author_id).where(proposals)):
        found.append(Instructed("proposal", proposal.id, proposal.at, f"{proposal.title}:{proposal.text}",
                                item.id if item else None, wording.title(item) if item else None,
                                item.status.value if item else None, proposal.status.value, name))
    return sorted(found, key=lambda entry: (entry.at, entry.kind, entry.id), reverse=True)


def pending_proposals(*, actor: User) -> list[tuple[InstructionProposal, str]]:
    """The 批示件 waiting for the office, oldest first, with their authors' names."""
    permissions.require_office(actor)
    return [(p, name) for p, name in db.session.execute(
        sa.select(InstructionProposal, User.display_name).join(User, User.id == InstructionProposal.author_id)
        .where(InstructionProposal.status == ProposalStatus.PENDING).order_by(InstructionProposal.id))]
