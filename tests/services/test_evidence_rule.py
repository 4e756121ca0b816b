"""Evidence as data (issue 20, point 11): whether submitting an item for review needs evidence is set per plan and
template; the shipped plan requires it for its items and asks for it, with a warning, on 交办件. On be448bd any
item was submitted with no evidence at all and nobody was told."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from tests.conftest import NOW, TODAY, closing_evidence

from tracker.errors import Invalid
from tracker.extensions import db
from tracker.models import EvidenceRule, ItemSource, ItemStatus, ItemTemplate, Role, User
from tracker.services.work import evidence, items, offers, splitting, workflow, workspace


@pytest.fixture
def sfj_admin(make_user) -> User:
    return make_user(Role.UNIT_ADMIN, "sfj")


def submit(item, actor, sent=None):
    return workflow.move(item, actor=actor, to=ItemStatus.SUBMITTED, expected_version=item.version, now=NOW,
                         note="已完成", evidence=sent)


def test_a_plan_item_without_any_evidence_cannot_be_submitted(make_item, sfj_admin):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    with pytest.raises(Invalid) as refused:
        submit(item, sfj_admin)
    assert refused.value.code == "evidence_required" and "files" in refused.value.fields
    db.session.expire_all()
    assert item.status == ItemStatus.IN_PROGRESS


def test_evidence_sent_with_the_report_or_earlier_with_progress_lets_it_through(app, make_item, sfj_admin,
                                                                                 with_evidence):
    with_report = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    submit(with_report, sfj_admin, closing_evidence(app))
    earlier = with_evidence(make_item("sfj", status=ItemStatus.IN_PROGRESS), sfj_admin)
    submit(earlier, sfj_admin)
    assert with_report.status == earlier.status == ItemStatus.SUBMITTED


def test_an_ad_hoc_item_is_submitted_without_evidence_and_the_office_queue_marks_it(app, make_user, plan, unit,
                                                                                    office, with_evidence):
    jiaqu = make_user(Role.UNIT_ADMIN, "jiaqu")
    bare, documented = (items.create_ad_hoc(actor=office, plan=plan, source=ItemSource.LETTER_CALL, source_ref=None,
                                            title=title, description="", due_date=date(2023, 6, 30),
                                            lead=unit("jiaqu"), cooperating=[], now=NOW)
                        for title in ("无佐证交办件", "有佐证交办件"))
    for item in (bare, documented):
        workflow.move(item, actor=jiaqu, to=ItemStatus.IN_PROGRESS, expected_version=item.version, now=NOW)
    with_evidence(documented, jiaqu)
    (move,) = offers.of_item(jiaqu, bare, TODAY)["moves"]
    assert (move["action"], move["evidence"]) == ("submit", "asked")
    submit(bare, jiaqu)
    submit(documented, jiaqu)
    queue = workspace.review_files([bare.id, documented.id], actor=office)
    assert (queue[bare.id].no_evidence, queue[documented.id].no_evidence) == (True, False)


def test_a_template_may_ask_where_its_plan_requires_and_the_offer_says_which(make_item, sfj_admin):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    assert offers.of_item(sfj_admin, item, TODAY)["moves"][0]["evidence"] == "required"
    template = db.session.execute(sa.select(ItemTemplate).where(ItemTemplate.task_id == item.task_id).limit(1)
                                  ).scalar_one()
    template.evidence_rule = EvidenceRule.ASKED
    item.template_id = template.id
    db.session.flush()
    db.session.expire(item, ["template"])
    assert offers.of_item(sfj_admin, item, TODAY)["moves"][0]["evidence"] == "asked"
    submit(item, sfj_admin)
    assert item.status == ItemStatus.SUBMITTED


def test_a_split_item_follows_the_rule_of_the_item_it_was_split_from(make_item, make_user, unit):
    county = make_user(Role.UNIT_ADMIN, "jiaqu")
    township = make_user(Role.UNIT_ADMIN, "jiaqu_dongcheng")
    parent = make_item("jiaqu", status=ItemStatus.IN_PROGRESS)
    (child,) = splitting.split(parent, actor=county, now=NOW, parts=[
        splitting.Part(unit("jiaqu_dongcheng"), "东城部分", date(2023, 11, 30))])
    workflow.move(child, actor=township, to=ItemStatus.IN_PROGRESS, expected_version=child.version, now=NOW)
    assert evidence.rule_of(child) == EvidenceRule.REQUIRED
    with pytest.raises(Invalid, match="佐证材料"):
        submit(child, township)
