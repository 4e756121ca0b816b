"""Whether submitting an item for review needs evidence (佐证材料), as the plan file says.

The rule is data (`evidence:` and `ad_hoc_evidence:` of the plan, `evidence:` of a template; see
seed_tasks/README.md): `required` refuses a submission while the item has no evidence file at all, `asked` takes
it with a warning to the unit, and the office's review queue marks it. A split item follows the item it was split
from, so a county's sub-items of a plan duty need evidence as the duty does.

An item has evidence when any file was attached to it: with a progress update or with the closing report. Work
is documented as it goes, so a unit that sent its photographs and minutes with its progress need not send them
again with the closing report.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from ...errors import Invalid
from ...extensions import db
from ...models import Attachment, EvidenceRule, ItemTemplate, Plan, WorkItem

RULE_LABELS = {EvidenceRule.REQUIRED: ("须附佐证材料", "evidence required"),
               EvidenceRule.ASKED: ("建议附佐证材料", "evidence asked for")}


def rule_of(item: WorkItem) -> EvidenceRule:
    """The rule for one item: its root's template, else its plan's rule for plan items or for ad-hoc items."""
    while item.parent is not None:
        item = item.parent
    if item.task_id is None:
        return EvidenceRule(item.plan.ad_hoc_evidence_rule)
    if item.template is not None and item.template.evidence_rule is not None:
        return EvidenceRule(item.template.evidence_rule)
    return EvidenceRule(item.plan.evidence_rule)


class Rules:
    """The rule for many cards (a board) from two small reads: every plan's and every template's setting."""

    def __init__(self) -> None:
        self.plans = {plan_id: (EvidenceRule(own), EvidenceRule(ad_hoc)) for plan_id, own, ad_hoc in
                      db.session.execute(sa.select(Plan.id, Plan.evidence_rule, Plan.ad_hoc_evidence_rule))}
        self.templates = {template_id: rule for template_id, rule in db.session.execute(
            sa.select(ItemTemplate.id, ItemTemplate.evidence_rule).where(ItemTemplate.evidence_rule.is_not(None)))}

    def of(self, *, plan_id: int, task_id: int | None, template_id: int | None,
           parent_id: int | None) -> EvidenceRule:
        if parent_id is not None:  # rare on a board: the item it was split from decides
            parent = db.session.get(WorkItem, parent_id)
            assert parent is not None
            return rule_of(parent)
        if task_id is None:
            return self.plans[plan_id][1]
        own = self.templates.get(template_id) if template_id is not None else None
        return EvidenceRule(own or self.plans[plan_id][0])


def has_evidence(item_id: int) -> bool:
    return db.session.execute(sa.select(Attachment.id).where(Attachment.item_id == item_id).limit(1)).first() \
        is not None


def require_for_submission(item: WorkItem, files: Sequence[object]) -> None:
    """A submission under `required` needs files sent with it or already on the item; `asked` takes it as is."""
    if rule_of(item) == EvidenceRule.REQUIRED and not files and not has_evidence(item.id):
        raise Invalid("提交办结须附佐证材料:该工作项尚无佐证材料,请随办结报告上传", "Submitting this item needs "
                      "evidence: none was attached to it yet; attach files to the closing report",
                      code="evidence_required", fields={"files": ["须上传佐证材料"]})


def items_without_evidence(item_ids: Sequence[int]) -> set[int]:
    """Of these items, those with no evidence file at all: what the office's review queue marks."""
    if not item_ids:
        return set()
    with_files = set(db.session.scalars(sa.select(Attachment.item_id).distinct()
                                        .where(Attachment.item_id.in_(item_ids))))
    return set(item_ids) - with_files
