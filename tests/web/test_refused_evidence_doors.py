"""Every evidence door leaves nothing behind when one of its files is refused (issue 19): no report, update,
attachment, audit event or stored file, and the card where it was. The progress-update doors have their own
tests (tests/api/test_progress_and_extensions.py, tests/web/test_items.py); these are the web's other two; tests/api/test_refused_evidence_doors.py has the API's."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from tests.api.api_helpers import item_state
from tests.api.test_progress_and_extensions import stored_files

from tracker.extensions import db
from tracker.models import Attachment, Event, Indicator, IndicatorReport, ItemStatus, ProgressUpdate

PDF = b"%PDF-1.4\n%figure\n"


def files_with_one_refused() -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(PDF), "统计表.pdf"), (io.BytesIO(b"MZ\x90\x00 an executable"), "virus.exe")]


def rows() -> tuple[int, ...]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (IndicatorReport, ProgressUpdate, Attachment, Event))


@pytest.fixture
def filing() -> Indicator:
    return db.session.execute(sa.select(Indicator).where(Indicator.key == "filing_review_rate")).scalar_one()


@pytest.fixture
def upload_dir(app: Flask) -> Path:
    return Path(app.config["TRACKER_UPLOAD_DIR"])


def test_a_refused_file_at_the_web_indicator_report_door_changes_nothing(sign_in, people, filing, upload_dir):
    before, files = rows(), stored_files(upload_dir)
    response = sign_in(people["sfj_admin"]).post(f"/indicators/{filing.id}/reports", data={
        "period": "2023", "value": "97.5", "note": "", "files": files_with_one_refused()}, content_type="multipart/form-data")
    assert response.status_code == 422 and "virus.exe" in response.get_data(as_text=True)
    assert rows() == before and stored_files(upload_dir) == files


def test_a_refused_file_at_the_web_submit_door_changes_nothing(sign_in, people, make_item, upload_dir):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    before, state, files = rows(), item_state(item.id), stored_files(upload_dir)
    response = sign_in(people["sfj_admin"]).post(f"/items/{item.id}/move", headers={"HX-Request": "true"}, data={
        "to": "submitted", "version": item.version, "note": "报告", "via": "form", "files": files_with_one_refused()},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert rows() == before and item_state(item.id) == state and stored_files(upload_dir) == files
