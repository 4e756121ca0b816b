"""Who may act is asked before what state the item is in (issue 19 point 9): a leader (read-only) hears 403 for
every write on an item whatever its state, and learns nothing of the workflow. Reviewing an item not yet
submitted answered a leader 422 invalid_transition."""
from __future__ import annotations

from datetime import date

import pytest
from tests.api.api_helpers import NOW, assert_error

from tracker.extensions import db
from tracker.models import ItemStatus, Role
from tracker.services.work import items

WRITES = {
    "move to in_progress": lambda item: ("post", f"/items/{item.id}/move", {"to": "in_progress", "version": item.version}),
    "move to submitted": lambda item: ("post", f"/items/{item.id}/move", {"to": "submitted", "version": item.version,
                                                                          "note": "报告"}),
    "move to done": lambda item: ("post", f"/items/{item.id}/move", {"to": "done", "version": item.version}),
    "approve": lambda item: ("post", f"/items/{item.id}/review", {"decision": "approve", "version": item.version}),
    "return": lambda item: ("post", f"/items/{item.id}/review", {"decision": "return", "version": item.version,
                                                                 "reason": "材料不全"}),
    "report progress": lambda item: ("post", f"/items/{item.id}/updates", {"data": {"text": "进展", "percent": "10"}}),
    "ask for more time": lambda item: ("post", f"/items/{item.id}/extensions", {"due": "2023-12-31",
                                                                                "reason": "需要协调"}),
    "edit": lambda item: ("patch", f"/items/{item.id}", {"title": "改", "version": item.version}),
    "cancel": lambda item: ("post", f"/items/{item.id}/cancel", {"reason": "不再需要", "version": item.version}),
    "mark part done": lambda item: ("post", f"/items/{item.id}/part-done", {"note": "已完成"}),
}


@pytest.fixture
def in_every_state(make_item, office):
    found = {status.value: make_item(status=status, due=date(2023, 6, 30)) for status in ItemStatus}
    cancelled = make_item(due=date(2023, 6, 30))
    items.cancel_item(cancelled, actor=office, reason="重复交办", expected_version=cancelled.version, now=NOW)
    found["cancelled"] = cancelled
    db.session.commit()
    return found


@pytest.mark.parametrize("write", list(WRITES))
def test_a_leader_hears_403_for_every_write_whatever_the_items_state(api_as, make_user, in_every_state, write):
    leader = api_as(make_user(Role.LEADER, "city"))
    for state, item in in_every_state.items():
        method, path, body = WRITES[write](item)
        version = item.version
        response = getattr(leader, method)(path, **(body if "data" in body else {"json": body}))
        assert_error(response, 403)
        db.session.expire_all()
        assert item.version == version, (write, state)


def test_a_unit_that_does_not_cooperate_hears_403_on_a_cancelled_items_part_not_that_it_was_cancelled(
        api_as, make_user, in_every_state):
    outsider = api_as(make_user(Role.UNIT_ADMIN, "sfj"))
    method, path, body = WRITES["mark part done"](in_every_state["cancelled"])
    assert_error(outsider.post(path, json=body), 403)
