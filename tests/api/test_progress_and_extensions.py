"""Progress with evidence files, downloads, extension requests and the office's decision; the plan's parameters."""
from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.api.api_helpers import ApiClient, assert_error, item_state
from tests.evidence_helpers import stored_files
from flask import Flask

from tracker.extensions import db
from tracker.models import Attachment, Event, ItemStatus, Plan, ProgressUpdate, User, WorkItem

PDF = b"%PDF-1.7\n" + b"x" * 2000
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


@pytest.fixture
def card(make_item: Callable[..., WorkItem]) -> WorkItem:
    return make_item("sfj", status=ItemStatus.IN_PROGRESS, due=date(2023, 6, 30))


@pytest.fixture
def small_limit(configure: Callable[..., None]) -> None:
    configure(upload_max_bytes=1000)


def post_update(client: ApiClient, item_id: int, files: list[tuple[bytes, str]], **form: str) -> object:
    data: dict[str, object] = {"text": "已完成初稿", **form, "files": [(io.BytesIO(b), n) for b, n in files]}
    return client.post(f"/items/{item_id}/updates", data=data, content_type="multipart/form-data")


def nothing_new(before: tuple[object, ...], card: WorkItem, files: set[str], folder: Path) -> bool:
    updates = db.session.execute(sa.select(sa.func.count()).select_from(ProgressUpdate)
                                 .where(ProgressUpdate.item_id == card.id)).scalar()
    return item_state(card.id) == before and updates == 0 and stored_files(folder) == files


def test_a_unit_posts_progress_with_evidence_and_downloads_it(api_as: Callable[..., ApiClient], sfj_member: User,
                                                              card: WorkItem, upload_dir: Path) -> None:
    client = api_as(sfj_member)
    response = post_update(client, card.id, [(PDF, "整改报告.pdf"), (PNG, "现场照片.PNG")], percent="60")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["percent"] == 60 and [a["original_name"] for a in body["attachments"]] == ["整改报告.pdf",
                                                                                           "现场照片.PNG"]
    first = body["attachments"][0]
    assert first["sha256"] == hashlib.sha256(PDF).hexdigest() and first["content_type"] == "application/pdf"
    stored = db.session.get(Attachment, first["id"])
    assert stored is not None and stored.stored_name != "整改报告.pdf"
    assert (upload_dir / stored.stored_name).read_bytes() == PDF
    download = client.get(f"/attachments/{first['id']}")
    assert download.data == PDF and "attachment" in download.headers["Content-Disposition"]
    download.close()
    assert [u["text"] for u in client.get(f"/items/{card.id}/updates").get_json()] == ["已完成初稿"]


@pytest.mark.parametrize(("content", "name"), [
    (b"MZ\x90\x00 an executable", "tool.exe"),
    (b"MZ\x90\x00 an executable renamed", "report.pdf"),
    (b"<html><script>alert(1)</script>", "page.docx"),
    (PDF, "no_extension"),
])
def test_a_refused_file_type_changes_nothing(api_as: Callable[..., ApiClient], sfj_admin: User, card: WorkItem,
                                             upload_dir: Path, content: bytes, name: str) -> None:
    client = api_as(sfj_admin)
    before, files = item_state(card.id), stored_files(upload_dir)
    assert_error(post_update(client, card.id, [(PDF, "good.pdf"), (content, name)]), 422, "file_type_refused")
    assert nothing_new(before, card, files, upload_dir)


def test_a_file_over_the_limit_is_413_and_changes_nothing(api_as: Callable[..., ApiClient], sfj_admin: User,
                                                          card: WorkItem, upload_dir: Path,
                                                          small_limit: None) -> None:
    client = api_as(sfj_admin)
    before, files = item_state(card.id), stored_files(upload_dir)
    assert_error(post_update(client, card.id, [(PNG, "ok.png"), (PDF, "big.pdf")]), 413, "file_too_large")
    assert nothing_new(before, card, files, upload_dir)


def test_a_request_over_the_size_limit_is_413_in_the_error_shape(app: Flask, api_as: Callable[..., ApiClient],
                                                                 sfj_admin: User, card: WorkItem,
                                                                 upload_dir: Path) -> None:
    client = api_as(sfj_admin)
    before, files = item_state(card.id), stored_files(upload_dir)
    body = b"--b\r\n" + b"0" * app.config["MAX_CONTENT_LENGTH"]  # refused on its length, before parsing
    response = client.post(f"/items/{card.id}/updates", data=body, content_type="multipart/form-data; boundary=b")
    assert_error(response, 413, "payload_too_large")
    assert nothing_new(before, card, files, upload_dir)


def test_a_text_part_in_place_of_a_file_is_422(api_as: Callable[..., ApiClient], sfj_admin: User,
                                               card: WorkItem) -> None:
    response = api_as(sfj_admin).post(f"/items/{card.id}/updates", data={"text": "x", "files": "not a file"},
                                      content_type="multipart/form-data")
    assert "files.0" in assert_error(response, 422)["errors"]


def test_a_unit_asks_for_more_time_and_the_office_grants_it(api_as: Callable[..., ApiClient], sfj_admin: User,
                                                            office: User, card: WorkItem) -> None:
    unit_client, office_client = api_as(sfj_admin), api_as(office)
    asked = unit_client.post(f"/items/{card.id}/extensions", json={"due": "2023-08-31", "reason": "等待省级文件"})
    assert asked.status_code == 201, asked.get_json()
    assert_error(unit_client.post(f"/items/{card.id}/extensions", json={"due": "2023-09-30", "reason": "再延"}),
                 422, "extension_pending")
    decided = office_client.post(f"/extensions/{asked.get_json()['id']}/decision", json={"decision": "grant"})
    assert decided.get_json()["status"] == "granted"
    item = office_client.get(f"/items/{card.id}").get_json()
    assert item["due_date"] == "2023-08-31" and item["original_due_date"] == "2023-06-30" and item["was_extended"]
    assert_error(office_client.post(f"/extensions/{asked.get_json()['id']}/decision",
                                    json={"decision": "refuse", "note": "改主意"}), 422, "already_decided")


def test_a_refusal_needs_a_note_and_keeps_the_due_date(api_as: Callable[..., ApiClient], sfj_admin: User,
                                                       office: User, card: WorkItem) -> None:
    asked = api_as(sfj_admin).post(f"/items/{card.id}/extensions", json={"due": "2023-08-31", "reason": "人手不足"})
    office_client = api_as(office)
    before = item_state(card.id)
    assert_error(office_client.post(f"/extensions/{asked.get_json()['id']}/decision", json={"decision": "refuse"}),
                 422, "reason_required")
    assert item_state(card.id) == before
    refused = office_client.post(f"/extensions/{asked.get_json()['id']}/decision",
                                 json={"decision": "refuse", "note": "按期完成"})
    assert refused.get_json()["status"] == "refused"
    assert office_client.get(f"/items/{card.id}").get_json()["due_date"] == "2023-06-30"


def test_an_earlier_due_date_is_not_an_extension(api_as: Callable[..., ApiClient], sfj_admin: User,
                                                 card: WorkItem) -> None:
    client = api_as(sfj_admin)
    before = item_state(card.id)
    assert_error(client.post(f"/items/{card.id}/extensions", json={"due": "2023-05-01", "reason": "x"}),
                 422, "due_out_of_range")
    assert item_state(card.id) == before


def test_the_office_sets_a_plan_parameter_all_or_nothing(api_as: Callable[..., ApiClient], office: User,
                                                         plan: Plan) -> None:
    param = next(p for t in plan.tasks for p in t.parameters)
    client = api_as(office)
    assert_error(client.patch(f"/plans/{plan.id}/parameters", json={"parameters": [
        {"id": param.id, "value": "5"}, {"id": 2_000_000, "value": "1"}]}), 422, "parameter_not_found")
    db.session.expire_all()
    assert param.value is None
    response = client.patch(f"/plans/{plan.id}/parameters", json={"parameters": [{"id": param.id, "value": "5"}]})
    values = {p["id"]: p["value"] for g in response.get_json()["groups"] for t in g["tasks"]
              for p in t["parameters"]}
    assert values[param.id] == "5"


def test_the_feed_lists_changes_since_a_time_with_a_cursor(api_as: Callable[..., ApiClient], leader: User,
                                                           sfj_admin: User, card: WorkItem,
                                                           with_evidence: Callable[..., WorkItem]) -> None:
    unit_client, client = api_as(sfj_admin), api_as(leader)
    with_evidence(card, sfj_admin)
    last = db.session.execute(sa.select(sa.func.max(Event.id))).scalar()
    unit_client.post(f"/items/{card.id}/move", json={"to": "submitted", "note": "报告", "version": card.version})
    first = client.get(f"/events?cursor={last}&limit=1")
    assert [e["action"] for e in first.get_json()] == ["item.submit"]
    assert 'rel="next"' not in first.headers.get("Link", "")
    assert client.get("/events?since=2099-01-01T00:00:00Z").get_json() == []
    assert 'rel="next"' in client.get("/events?limit=1").headers["Link"]
