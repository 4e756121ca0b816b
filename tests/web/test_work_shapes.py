"""The work shapes in the browser's pages: the item page of an ad-hoc item with cooperating units and
children, the county's review of its township's item, a leader's instruction and list (issue 12)."""
from __future__ import annotations

from datetime import date

import pytest
from tests.intake_helpers import NEW_UNITS, forty_rows, sheet, unit_sheet

from tracker.models import ItemSource, ItemStatus, Role
from tracker.services.work import instructions, items, splitting, workflow


@pytest.fixture
def shaped(people, plan, unit, make_user, now):
    county = make_user(Role.UNIT_ADMIN, "jiaqu")
    township = make_user(Role.UNIT_ADMIN, "jiaqu_dongcheng")
    parent = items.create_ad_hoc(actor=people["office"], plan=plan, source=ItemSource.LETTER_CALL,
                                 source_ref="来电 2023-04-01", title="窗口服务整改", description="一周内整改",
                                 due_date=date(2023, 6, 30), lead=unit("jiaqu"), cooperating=[unit("sfj")], now=now)
    (child,) = splitting.split(parent, actor=county, now=now, parts=[
        splitting.Part(unit("jiaqu_dongcheng"), "东城窗口整改", date(2023, 6, 15))])
    return {"parent": parent, "child": child, "county": county, "township": township}


def test_the_item_page_shows_source_units_parts_and_children(sign_in, people, shaped):
    html = sign_in(people["office"]).get(f"/items/{shaped['parent'].id}").get_data(as_text=True)
    for text in ("来文来电", "来电 2023-04-01", "甲区政府", "市司法局", "东城窗口整改"):
        assert text in html, text


def test_the_cooperating_unit_sees_the_card_marked_and_may_mark_its_part(sign_in, people, shaped):
    client = sign_in(people["sfj_admin"])
    assert "配合" in client.get("/board?q=窗口服务").get_data(as_text=True)
    assert f'action="/items/{shaped["parent"].id}/part-done"' in client.get(
        f"/items/{shaped['parent'].id}").get_data(as_text=True)


def test_the_county_returns_its_townships_item_and_no_other_county_may(sign_in, people, shaped, now):
    child = shaped["child"]
    workflow.move(child, actor=shaped["township"], to=ItemStatus.IN_PROGRESS, expected_version=child.version,
                  now=now)
    workflow.move(child, actor=shaped["township"], to=ItemStatus.SUBMITTED, expected_version=child.version,
                  now=now, note="已整改")
    county = sign_in(shaped["county"])
    page = county.get(f"/items/{child.id}").get_data(as_text=True)
    assert f"/items/{child.id}/move-form?to=in_progress" in page and 'name="to" value="done"' in page
    refused = county.post(f"/review/{child.id}", data={"decision": "return", "version": child.version},
                          follow_redirects=True)
    assert "退回必须说明理由" in refused.get_data(as_text=True) and child.status == ItemStatus.SUBMITTED
    county.post(f"/review/{child.id}", data={"decision": "return", "reason": "照片不清",
                                                    "version": child.version})
    assert child.status == ItemStatus.IN_PROGRESS and child.last_return_reason == "照片不清"
    other = sign_in(people["other_admin"])
    assert other.post(f"/review/{child.id}", data={"decision": "approve",
                                                          "version": child.version}).status_code == 404


def test_a_leader_instructs_from_the_item_page_and_finds_it_in_their_list(sign_in, people, shaped):
    client = sign_in(people["leader"])
    client.post(f"/items/{shaped['parent'].id}/instructions", data={"text": "请于月底前办结"})
    assert [text for _i, text in [(i, i.text) for i, _n in instructions.instructions_on(shaped["parent"])]] == [
        "请于月底前办结"]
    assert "请于月底前办结" in client.get("/instructions").get_data(as_text=True)
    assert "请于月底前办结" in sign_in(people["office"]).get(f"/items/{shaped['parent'].id}").get_data(as_text=True)


def test_the_office_imports_a_sheet_in_the_browser_after_seeing_the_refused_rows(sign_in, people):
    client = sign_in(people["office"])
    bad = forty_rows()[:4]
    bad[2][2] = "不存在的局"
    refused = client.post("/office/intake", data={"file": (sheet(bad), "fenjie.xlsx"), "commit": "true"},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and "不存在的局" in refused.get_data(as_text=True)
    done = client.post("/office/intake", data={"file": (sheet(forty_rows()[:4]), "fenjie.xlsx"), "commit": "true"},
                       content_type="multipart/form-data")
    assert done.status_code == 200 and "intake-created" in done.get_data(as_text=True)
    assert client.get("/office/intake/tasks-template.xlsx").status_code == 200
    units = client.post("/office/intake", data={"file": (unit_sheet(NEW_UNITS), "u.xlsx"), "sheet": "units"},
                        content_type="multipart/form-data")
    assert units.status_code == 200 and "南苑社区" in units.get_data(as_text=True)


def test_a_county_filters_its_board_by_township(sign_in, shaped, unit):
    client = sign_in(shaped["county"])
    page = client.get("/board").get_data(as_text=True)
    assert f'<option value="{unit("jiaqu_dongcheng").id}"' in page
    filtered = client.get(f"/board?unit={unit('jiaqu_dongcheng').id}").get_data(as_text=True)
    assert "东城窗口整改" in filtered and "窗口服务整改" not in filtered


def test_each_work_shape_action_says_what_it_did(sign_in, people, shaped, now):
    parent, child = shaped["parent"], shaped["child"]
    workflow.move(child, actor=shaped["township"], to=ItemStatus.IN_PROGRESS, expected_version=child.version,
                  now=now)
    workflow.move(child, actor=shaped["township"], to=ItemStatus.SUBMITTED, expected_version=child.version,
                  now=now, note="已整改")
    said = {
        "本单位承担部分已标记完成。": (people["sfj_admin"], f"/items/{parent.id}/part-done", {"note": "已配合"}),
        "已退回:": (shaped["county"], f"/review/{child.id}",
                  {"decision": "return", "reason": "照片不清", "version": child.version}),
        "批示已记录。": (people["leader"], f"/items/{parent.id}/instructions", {"text": "抓紧办理"}),
    }
    for words, (person, url, data) in said.items():
        page = sign_in(person).post(url, data=data, follow_redirects=True)
        assert page.status_code == 200 and words in page.get_data(as_text=True), words
    cancelled = sign_in(people["office"]).post(f"/items/{child.id}/cancel", follow_redirects=True,
                                               data={"reason": "重复交办", "version": child.version})
    assert "工作项已撤销。" in cancelled.get_data(as_text=True)
