"""Every evidence door leaves nothing behind when one of its files is refused (issue 19): no report, update,
attachment, audit event or stored file, and the card where it was. The progress-update doors have their own
tests (tests/api/test_progress_and_extensions.py, tests/web/test_items.py); these are the web's other two; tests/api/test_refused_evidence_doors.py has the API's."""
from __future__ import annotations

from tests.api.api_helpers import item_state
from tests.evidence_helpers import files_with_one_refused, rows, stored_files

from tracker.models import ItemStatus


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
