"""The API's indicator-report door leaves nothing behind when one of its files is refused (issue 19); the web's
doors are in tests/web/test_refused_evidence_doors.py."""
from __future__ import annotations

from collections.abc import Callable

from tests.api.api_helpers import ApiClient, assert_error
from tests.evidence_helpers import files_with_one_refused, rows, stored_files

from tracker.models import Role, User


def test_a_refused_file_at_the_api_indicator_report_door_changes_nothing(api_as: Callable[..., ApiClient],
                                                                         make_user: Callable[..., User],
                                                                         filing, upload_dir):
    client = api_as(make_user(Role.UNIT_ADMIN, "sfj"))
    before, files = rows(), stored_files(upload_dir)
    assert_error(client.post(f"/indicators/{filing.id}/reports", data={
        "period": "2023", "value": "97.5", "files": files_with_one_refused()}), 422, "file_type_refused")
    assert rows() == before and stored_files(upload_dir) == files
