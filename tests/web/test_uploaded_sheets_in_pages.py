"""The browser's intake door refuses a crafted sheet as the API does (issue 19, point 2); see
tests/api/test_uploaded_sheets.py for the files."""
from __future__ import annotations

import time

import pytest
from tests.intake_helpers import changes, huge_dimension

from tracker.services.io import sheets


@pytest.mark.parametrize("sheet_kind", ["tasks", "units"])
def test_a_refused_file_at_the_web_intake_door_is_a_422_that_changes_nothing(sign_in, people, sheet_kind):
    client = sign_in(people["office"])
    before = changes()
    started = time.perf_counter()
    refused = client.post("/office/intake", data={"file": (huge_dimension(), "grid.xlsx"), "commit": "true",
                                                  "sheet": sheet_kind}, content_type="multipart/form-data")
    assert refused.status_code == 422 and str(sheets.MAX_SHEET_ROWS) in refused.get_data(as_text=True)
    assert time.perf_counter() - started < 1.0
    assert changes() == before
