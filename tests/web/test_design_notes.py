"""The seed file's design notes (why a date or a carrier was chosen where the plan is silent) stay with the
office: units read the plan's words on their item pages, never the office's reasoning about them."""
from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
import yaml

from tracker.services.plan.loading import DEFAULT_PLAN
from tracker.extensions import db
from tracker.models import ItemTemplate, Role, WorkItem

# Words only a design note uses: "the original says nothing of…", "inferred", "the office may adjust".
NOTE_WORDS = re.compile(r"原文未|原文在此|推定|可调整|按通行做法")


def shipped_templates() -> list[dict]:
    data = yaml.safe_load(Path(DEFAULT_PLAN).read_text(encoding="utf-8"))
    return [template for task in data["tasks"] for template in task["items"]]


def test_the_shipped_plan_keeps_its_design_notes_out_of_what_units_read():
    templates = shipped_templates()
    assert [t["key"] for t in templates if NOTE_WORDS.search(t["title"] + t.get("description", ""))] == []
    assert len([t for t in templates if NOTE_WORDS.search(t.get("note", ""))]) >= 10


def test_units_item_pages_show_no_design_note_and_the_office_sees_it(plan, sign_in, make_user, office):
    noted = db.session.execute(
        sa.select(WorkItem, ItemTemplate.note).join(ItemTemplate, WorkItem.template_id == ItemTemplate.id)
        .where(ItemTemplate.note != "").order_by(WorkItem.id)).all()
    by_unit = {item.unit_id: (item, note) for item, note in noted}
    assert len(by_unit) > 5
    for item, note in by_unit.values():
        reader = make_user(Role.UNIT_MEMBER, item.unit.key)
        html = sign_in(reader).get(f"/items/{item.id}").get_data(as_text=True)
        assert item.title in html and note not in html and not NOTE_WORDS.search(html), item.unit.key
    item, note = next(iter(by_unit.values()))
    assert note in sign_in(office).get(f"/items/{item.id}").get_data(as_text=True)
