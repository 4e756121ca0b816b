"""The API's side of the seams: ids out of range are 404s, and a refused change commits nothing."""
from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from tests.api.api_helpers import ApiClient, assert_error
from tracker.extensions import db
from tracker.models import Event, ItemStatus, User, WorkItem


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/items/2147483648/updates"), ("POST", "/items/2147483648/updates"), ("PATCH", "/items/2147483648"),
    ("GET", "/items/2147483648"), ("POST", "/items/2147483648/extensions"),
    ("POST", "/items/99999999999999999999/move"), ("POST", "/records/2147483648/answer")])
def test_an_id_out_of_range_is_not_found_in_the_api(api_as: Callable[..., ApiClient], office: User, path: str,
                                                    method: str) -> None:
    """It once answered 405 with an Allow header naming methods the path does take."""
    response = api_as(office).open(method, path, json={})
    assert_error(response, 404, "not_found")
    assert "Allow" not in response.headers


def test_a_refused_api_change_commits_nothing_and_a_good_one_commits(api_as: Callable[..., ApiClient],
                                                                     office: User, make_item: Callable[..., WorkItem],
                                                                     sfj_admin: User) -> None:
    item = make_item("sfj")
    unit_client = api_as(sfj_admin)
    events = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    refused = unit_client.post(f"/items/{item.id}/move", json={"to": "done", "version": item.version})
    assert refused.status_code == 422
    db.session.expire_all()
    assert db.session.get(WorkItem, item.id).status == ItemStatus.ASSIGNED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == events
    signed = unit_client.post(f"/items/{item.id}/move", json={"to": "in_progress", "version": item.version})
    assert signed.status_code == 200
    db.session.rollback()  # what the request committed stays
    assert db.session.get(WorkItem, item.id).status == ItemStatus.IN_PROGRESS
