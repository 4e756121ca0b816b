"""Crafted spreadsheets at every intake door (issue 19, point 2): a file is read before the request's transaction
begins, within caps that hold whatever the file declares, and a file that cannot be read is a 422 naming the
problem. The files are built here from zip parts and XML strings, as an attacker would."""
from __future__ import annotations

import io
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from openpyxl.reader.excel import ExcelReader
from tests.account_helpers import _office_with_token
from tests.api.api_helpers import ApiClient, assert_error
from tests.intake_helpers import (HEADER, _row, ad_hoc_count, changes, crafted, forty_rows, huge_dimension, sheet,
                                  sheet_xml)

from tracker.extensions import db
from tracker.models import Role, User
from tracker.services.io import sheets


def under_declared(rows: list[list[object]]) -> io.BytesIO:
    """A header and these rows, while the sheet's <dimension> claims only the header and one row."""
    body = _row(1, list(HEADER)) + "".join(_row(n, row) for n, row in enumerate(rows, start=2))
    return crafted(sheet_xml(body, dimension="A1:H2"))


LAUGHS = ('<!DOCTYPE worksheet [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
          '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
          '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
          '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">'
          '<!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]>')
MALFORMED: dict[str, tuple[Callable[[], io.BytesIO], str, str]] = {
    "a bad XML token": (lambda: crafted(sheet_xml(_row(1, list(HEADER)) + "<row r='2'><c r='A2'><v>1</v></c><</row>",
                                                  dimension="A1:H2")), "sheet_xml", "XML"),
    "an undefined entity": (lambda: crafted(sheet_xml(_row(1, list(HEADER)) + _row(2, ["&nope;"]),
                                                      dimension="A1:H2")), "sheet_xml", "undefined entity"),
    "entity expansion (billion laughs)": (lambda: crafted(sheet_xml(_row(1, list(HEADER)) + _row(2, ["&i;"]),
                                                                    dimension="A1:H2", prologue=LAUGHS)),
                                          "sheet_entities", "ENTITY"),
    "not a zip": (lambda: io.BytesIO(b"PK\x03\x04 but nothing after"), "not_xlsx", "zip"),
}


@pytest.fixture
def office_api(api_as: Callable[..., ApiClient], office: User) -> ApiClient:
    return api_as(office)


def test_a_sheet_declaring_the_whole_grid_is_refused_at_the_row_cap_well_under_a_second(office_api):
    file = huge_dimension()
    assert len(file.getvalue()) < 2_000
    started = time.perf_counter()
    body = assert_error(office_api.post("/intake/tasks", data={"file": (file, "grid.xlsx")}), 422, "too_many_rows")
    assert time.perf_counter() - started < 1.0
    assert f"{sheets.MAX_SHEET_ROWS}" in body["message"] and "空行" in body["message"]


def test_a_sheet_that_declares_fewer_rows_than_it_holds_is_read_whole_in_the_dry_run_and_the_commit(office_api):
    rows = [[n, title, lead, "", "", "2023-06-30", "上级交办", ""] for n, title, lead, *_rest in forty_rows()[:6]]
    before = ad_hoc_count()
    dry = office_api.post("/intake/tasks", data={"file": (under_declared(rows), "short.xlsx")})
    assert dry.status_code == 200, dry.get_json()
    assert dry.get_json()["counts"]["created"] == 6
    done = office_api.post("/intake/tasks", data={"file": (under_declared(rows), "short.xlsx"), "commit": "true"})
    assert done.get_json()["committed"] and ad_hoc_count() == before + 6


@pytest.mark.parametrize("kind", list(MALFORMED))
def test_a_malformed_sheet_is_a_422_naming_the_problem_not_a_500(office_api, kind):
    make, code, named = MALFORMED[kind]
    started = time.perf_counter()
    body = assert_error(office_api.post("/intake/tasks", data={"file": (make(), "bad.xlsx")}), 422, code)
    assert named.lower() in (body["message"] + str(body.get("errors"))).lower()
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize(("columns", "code", "named"), [
    (60, "too_many_columns", str(sheets.MAX_COLUMNS)),
    (0, "cell_too_large", str(sheets.MAX_CELL_CHARS)),
])
def test_a_sheet_past_the_column_or_cell_cap_is_refused_naming_the_cap(office_api, columns, code, named):
    wide = [f"列{n}" for n in range(columns)] if columns else ["字" * (sheets.MAX_CELL_CHARS + 1)]
    file = crafted(sheet_xml(_row(1, list(HEADER)) + _row(2, wide), dimension="A1:A1"))
    body = assert_error(office_api.post("/intake/tasks", data={"file": (file, "wide.xlsx")}), 422, code)
    assert named in body["message"]


def test_a_refused_file_at_the_api_task_door_changes_nothing(office_api):
    before = changes()
    assert_error(office_api.post("/intake/tasks", data={"file": (huge_dimension(), "grid.xlsx"), "commit": "true"}),
                 422, "too_many_rows")
    assert changes() == before


def test_a_refused_file_at_the_api_unit_door_changes_nothing(office_api):
    before = changes()
    make, code, _named = MALFORMED["an undefined entity"]
    assert_error(office_api.post("/intake/units", data={"file": (make(), "units.xlsx"), "commit": "true"}), 422, code)
    assert changes() == before


@pytest.mark.sqlite
def test_a_sheet_is_read_while_the_request_holds_no_write_lock(committed_app: Flask, monkeypatch):
    """Another connection takes SQLite's write lock, without waiting, while the door reads the file: the
    request's own transaction (begun IMMEDIATE by its first query, the token lookup) has ended by then."""
    token = _office_with_token(committed_app)
    with committed_app.app_context():
        path = db.engine.url.database
    probes: list[str] = []
    read = ExcelReader.read

    def read_while_probing(reader: ExcelReader) -> Any:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            probes.append("free")
        except sqlite3.OperationalError as exc:
            probes.append(str(exc))
        finally:
            other.close()
        return read(reader)

    monkeypatch.setattr(ExcelReader, "read", read_while_probing)
    response = committed_app.test_client().post(
        "/api/v1/intake/tasks", headers={"Authorization": f"Bearer {token}"},
        data={"file": (sheet(forty_rows()[:2]), "fenjie.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    assert probes == ["free"]


class _ProbingBody(io.BytesIO):
    """A request body that, when the app first reads it, checks whether another connection may write."""

    def __init__(self, body: bytes, path: str, probes: list[str]) -> None:
        super().__init__(body)
        self.path, self.probes = path, probes

    def read(self, size: int | None = -1) -> bytes:
        self._probe()
        return super().read(size)

    def readinto(self, buffer: Any) -> int:
        self._probe()
        return super().readinto(buffer)

    def _probe(self) -> None:
        if not self.probes:
            other = sqlite3.connect(self.path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                self.probes.append("free")
            except sqlite3.OperationalError as exc:
                self.probes.append(str(exc))
            finally:
                other.close()


@pytest.mark.sqlite
def test_an_upload_is_received_before_the_request_takes_the_write_lock(committed_app: Flask):
    """A slow client sending its file held SQLite's write lock: the token lookup had begun the transaction
    before the API's parser read the body."""
    token = _office_with_token(committed_app)
    with committed_app.app_context():
        path = db.engine.url.database
    boundary = "probe-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"fenjie.xlsx\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + sheet(forty_rows()[:2]).getvalue() + \
        f"\r\n--{boundary}--\r\n".encode()
    probes: list[str] = []
    response = committed_app.test_client().post(
        "/api/v1/intake/tasks", headers={"Authorization": f"Bearer {token}"},
        input_stream=_ProbingBody(body, path, probes), content_length=len(body),
        content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 200, response.get_json()
    assert probes == ["free"]


@pytest.mark.parametrize("door", ["/intake/tasks", "/intake/units"])
def test_a_unit_sending_a_crafted_sheet_hears_403_before_the_file_is_read(api_as, make_user, door):
    client = api_as(make_user(Role.UNIT_ADMIN, "sfj"))
    assert_error(client.post(door, data={"file": (huge_dimension(), "grid.xlsx")}), 403)
