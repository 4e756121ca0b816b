"""One table of text limits (tracker/limits.py): the pages' maxlength, the schemas and the services' checks agree."""
from __future__ import annotations

import re
from pathlib import Path

from marshmallow import fields, validate

from tracker import limits
from tracker.schemas import assignments, filters, items, page_forms, progress, records
from tracker.services.ledger import records as record_rules
from tracker.services.work import comments, instructions, workflow

ROOT = Path(__file__).resolve().parent.parent
# A form field's name in a template, and the limit its schema field has.
FIELD_LIMITS = {"title": limits.TITLE, "description": limits.DESCRIPTION, "note": limits.NOTE,
                "reason": limits.NOTE, "explanation": limits.NOTE, "source_ref": limits.SOURCE_REF,
                "contact_phone": limits.CONTACT_PHONE, "url": limits.WEBHOOK_URL, "q": limits.SEARCH,
                "param": limits.PARAMETER_VALUE}


def _maxlengths() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for tag in re.findall(r"<(?:input|textarea)[^>]*maxlength=[^>]*>", path.read_text(encoding="utf-8")):
            name = re.search(r'name="([^"{-]+)', tag)
            limit = re.search(r'maxlength="([^"]*)"', tag)
            assert name and limit, tag
            found.append((str(path.relative_to(ROOT)), name.group(1), limit.group(1)))
    return found


def _max(field: fields.Field) -> int | None:
    return next((v.max for v in field.validators if isinstance(v, validate.Length)), None)


def test_every_maxlength_on_a_page_reads_the_table() -> None:
    written = [(path, name, limit) for path, name, limit in _maxlengths()
               if not re.fullmatch(r"\{\{ limits\.[A-Z_]+ \}\}", limit)]
    assert written == []


def test_every_maxlength_is_the_limit_its_field_has() -> None:
    wrong = []
    for path, name, limit in _maxlengths():
        value = getattr(limits, limit.removeprefix("{{ limits.").removesuffix(" }}"))
        if name in FIELD_LIMITS and value != FIELD_LIMITS[name]:
            wrong.append((path, name, value))
        if name == "text" and value not in (limits.COMMENT, limits.INSTRUCTION, limits.NOTE):
            wrong.append((path, name, value))
    assert wrong == []


def test_the_schemas_check_the_same_limits_as_the_pages() -> None:
    assert _max(items.WorkItemIn().fields["title"]) == limits.TITLE
    assert _max(items.WorkItemIn().fields["description"]) == limits.DESCRIPTION
    assert _max(filters.ItemFilterArgs().fields["q"]) == limits.SEARCH
    assert _max(page_forms.CommentForm().fields["text"]) == limits.COMMENT
    assert _max(assignments.InstructionIn().fields["text"]) == limits.INSTRUCTION
    assert _max(progress.ProgressIn().fields["text"]) == limits.NOTE
    assert _max(records.AnswerIn().fields["explanation"]) == limits.NOTE


def test_the_services_check_the_same_limits() -> None:
    assert comments.LIMIT == limits.COMMENT
    assert instructions.TEXT_LIMIT == limits.INSTRUCTION
    assert workflow.NOTE_LIMIT == record_rules.TEXT_LIMIT == limits.NOTE
