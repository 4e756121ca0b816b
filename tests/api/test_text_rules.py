"""Text rules once more (issue 19, points 7 and 9): the one text rule refuses Unicode non-characters as it refuses
control characters; a 通报 stored with them before still opens as Word; integers from a form or a multipart body
take ASCII digits only and every date a request names has the one range, at every door."""
from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from docx import Document
from marshmallow import Schema, fields
from tests.api.api_helpers import USERS, assert_error
from tests.intake_helpers import ad_hoc_count

import tracker.schemas
from tracker.schemas.common import DAY_RANGE, TextInteger
from tracker.extensions import db
from tracker.models import Bulletin, ItemStatus, ProgressUpdate
from tracker.services.io import printable

NON_CHARACTERS = ["\ufffe", "\uffff", "\ufdd0", "\ufdef", "\U0001fffe", "\U0010ffff"]


@pytest.mark.parametrize("char", NON_CHARACTERS, ids=[f"U+{ord(c):04X}" for c in NON_CHARACTERS])
def test_the_one_text_rule_refuses_unicode_non_characters_and_changes_nothing(two, api_as, office, char):
    draft = two["draft"]
    before = (draft.lead_text, draft.version)
    body = assert_error(api_as(office).patch(f"/bulletins/{draft.id}", json={
        "lead_text": f"导{char}语", "version": draft.version}), 422, "validation_error")
    assert "非字符" in body["errors"]["lead_text"][0]
    db.session.expire_all()
    assert (db.session.get(Bulletin, draft.id).lead_text, draft.version) == before


@pytest.mark.parametrize("role", ["office", "sfj_admin", "leader"])
def test_an_issued_bulletin_stored_with_non_characters_still_opens_as_word(two, api_as, make_user, role):
    """Stored before the rule (inserted directly here): the Word file drops them instead of answering 500."""
    issued = two["issued"]
    db.session.execute(sa.update(Bulletin).where(Bulletin.id == issued.id).values(
        lead_text="本期\ufffe导语\uffff", closing_text="结语\ufdd0\U0010ffff完"))
    db.session.flush()
    response = api_as(make_user(*USERS[role])).get(f"/bulletins/{issued.id}/document.docx")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    text = "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)
    assert "本期导语" in text and "结语完" in text


def test_the_cleaning_function_keeps_tabs_and_line_breaks_and_drops_what_documents_cannot_carry():
    assert printable.clean("甲\t乙\n丙\r\n" + "".join(NON_CHARACTERS) + "\x00\x0b\x7f\ud800丁") == "甲\t乙\n丙\r\n丁"
    assert printable.cleaned({"a": ["x\ufffe", ("y\uffff", 3)], "b": 1}) == {"a": ["x", ("y", 3)], "b": 1}


@pytest.mark.parametrize("digits", ["٣٤", "４５"])
def test_api_multipart_percent_refuses_digits_that_are_not_ascii(api_as, sfj_admin, make_item, digits):
    card = make_item("sfj", status=ItemStatus.IN_PROGRESS, due=date(2023, 6, 30))
    count = sa.select(sa.func.count()).select_from(ProgressUpdate)
    before = db.session.scalar(count)
    body = assert_error(api_as(sfj_admin).post(f"/items/{card.id}/updates", data={"text": "进展", "percent": digits}),
                        422, "validation_error")
    assert "percent" in body["errors"]
    assert db.session.scalar(count) == before


def test_api_multipart_percent_in_ascii_digits_is_taken(api_as, sfj_admin, make_item):
    card = make_item("sfj", status=ItemStatus.IN_PROGRESS, due=date(2023, 6, 30))
    response = api_as(sfj_admin).post(f"/items/{card.id}/updates", data={"text": "进展", "percent": "34"})
    assert response.status_code == 201 and response.get_json()["percent"] == 34


def test_an_ad_hoc_due_date_of_9999_12_31_is_refused_with_the_range_in_words(api_as, office, unit):
    before = ad_hoc_count()
    body = assert_error(api_as(office).post("/ad-hoc-items", json={
        "source": "other", "title": "交办件", "due_date": "9999-12-31", "lead_unit_id": unit("sfj").id}), 422)
    assert body["errors"]["due_date"] == [DAY_RANGE.error] and "1900-01-01" in DAY_RANGE.error
    assert ad_hoc_count() == before


def _request_schemas() -> Iterator[tuple[str, type[Schema]]]:
    """Every schema a request is read through: the API's (all but the ...Out ones) and the web forms'."""
    modules = [importlib.import_module(f"tracker.schemas.{m.name}")
               for m in pkgutil.iter_modules(tracker.schemas.__path__)]
    modules.append(importlib.import_module("tracker.schemas.page_forms"))
    for module in modules:
        for name, schema in vars(module).items():
            if (inspect.isclass(schema) and issubclass(schema, Schema) and schema.__module__ == module.__name__
                    and not name.endswith("Out")):
                yield f"{module.__name__}.{name}", schema


def _fields(schema: type[Schema]) -> Iterator[tuple[str, Any]]:
    for name, field in schema._declared_fields.items():
        yield name, field
        if isinstance(field, fields.List):
            yield f"{name}[]", field.inner


def test_every_date_and_every_text_integer_a_request_names_uses_the_one_field_type():
    """A day has DAY_RANGE everywhere (9999-12-31 was taken for an ad-hoc item), and an integer read from text
    (a query, a form, a multipart part) is a TextInteger: int() would take ٣٤ or ４５."""
    wrong = []
    for where, schema in _request_schemas():
        for name, field in _fields(schema):
            if isinstance(field, fields.Date) and DAY_RANGE not in field.validators:
                wrong.append(f"{where}.{name}: a date without DAY_RANGE")
            if isinstance(field, fields.Integer) and not field.strict and not isinstance(field, TextInteger):
                wrong.append(f"{where}.{name}: an integer that would take digits other than ASCII")
    assert wrong == []


def test_an_if_match_version_takes_ascii_digits_only(api_as, office, make_item):
    """"²" is a digit to str.isdigit() and latin-1, so it reaches the header; int() refused it with a 500."""
    item = make_item("sfj")
    response = api_as(office).patch(f"/items/{item.id}", json={"title": "改"}, headers={"If-Match": '"²"'})
    assert_error(response, 428, "version_required")
