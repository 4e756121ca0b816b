"""Moving cards through the web endpoint, the detail page, progress with evidence, comments, extensions."""
from __future__ import annotations

import io
import json

import pytest

from tracker.extensions import db
from tracker.models import Attachment, ExtensionRequest, ItemStatus, Notification

PDF = b"%PDF-1.4 evidence"


def move(client, item, to, **extra):
    data = {"to": to, "version": item.version, **extra}
    return client.post(f"/items/{item.id}/move", data=data, headers={"HX-Request": "true"},
                       content_type="multipart/form-data")


def test_a_unit_signs_by_moving_to_in_progress_and_gets_the_card_back(sign_in, people, make_item):
    # 待签收 [A] 进行中 []  →  待签收 [] 进行中 [A]
    item = make_item("sfj")
    response = move(sign_in(people["sfj_member"]), item, "in_progress")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("<article") and f'data-version="{item.version}"' in html
    assert item.status == ItemStatus.IN_PROGRESS


def test_a_drag_move_comes_back_with_what_it_did_in_words(sign_in, people, make_item):
    item, other = make_item("sfj", status=ItemStatus.IN_PROGRESS), make_item("sfj", status=ItemStatus.IN_PROGRESS)
    client = sign_in(people["sfj_admin"])
    submitted = move(client, item, "submitted", note="已完成", files=(io.BytesIO(PDF), "报告.pdf"))
    reordered = move(client, other, "in_progress")
    said = [json.loads(r.headers["HX-Trigger"])["tracker:flash"]["message"] for r in (submitted, reordered)]
    assert said == ["已提交审核。", "顺序已保存。"]


def test_a_unit_cannot_approve_its_own_item_and_is_told_why(sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.SUBMITTED)
    response = move(sign_in(people["sfj_admin"]), item, "done")
    assert response.status_code == 403
    assert "只有领导小组办公室可以审核办结" in response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#flash"
    assert item.status == ItemStatus.SUBMITTED


def test_a_stale_version_is_refused_in_words(sign_in, people, make_item):
    item = make_item("sfj")
    response = sign_in(people["sfj_admin"]).post(f"/items/{item.id}/move", data={"to": "in_progress", "version": 99},
                                                 headers={"HX-Request": "true"})
    assert response.status_code == 409 and "已被他人修改" in response.get_data(as_text=True)


def test_a_skip_to_done_is_refused_as_an_invalid_transition(sign_in, people, make_item):
    item = make_item("sfj")
    response = move(sign_in(people["office"]), item, "done")
    assert response.status_code == 422 and "不能从“待签收”直接移到“已办结”" in response.get_data(as_text=True)


def test_a_unit_cannot_move_another_units_card(sign_in, people, make_item):
    item = make_item("gaj")
    assert move(sign_in(people["sfj_admin"]), item, "in_progress").status_code == 404
    assert item.status == ItemStatus.ASSIGNED


def test_a_leader_cannot_move_anything(sign_in, people, make_item):
    item = make_item("sfj")
    assert move(sign_in(people["leader"]), item, "in_progress").status_code == 403


def test_reordering_within_a_column_places_the_card_before_its_anchor(sign_in, people, make_item):
    first, second = make_item("sfj"), make_item("sfj")
    assert move(sign_in(people["sfj_admin"]), second, "assigned", before=first.id).status_code == 200
    assert second.position < first.position


def test_submit_with_closing_report_and_evidence_from_the_dialog(sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    client = sign_in(people["sfj_admin"])
    form = client.get(f"/items/{item.id}/move-form?to=submitted", headers={"HX-Request": "true"})
    assert "办结报告" in form.get_data(as_text=True) and 'type="file"' in form.get_data(as_text=True)
    response = client.post(f"/items/{item.id}/move", headers={"HX-Request": "true"}, data={
        "to": "submitted", "version": item.version, "note": "已完成全部工作", "via": "form", "next": "/board",
        "files": (io.BytesIO(PDF), "佐证.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/board"
    assert item.status == ItemStatus.SUBMITTED
    assert db.session.query(Attachment).filter_by(item_id=item.id).one().original_name == "佐证.pdf"


def test_progress_posted_with_the_file_input_left_empty_is_saved_without_evidence(sign_in, people, make_item):
    """What a browser sends when nobody chose a file: a part with no file name and nothing in it."""
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    response = sign_in(people["sfj_admin"]).post(f"/items/{item.id}/updates", data={
        "text": "本周完成调研", "files": (io.BytesIO(b""), "")}, content_type="multipart/form-data")
    assert response.status_code in (200, 303), response.get_data(as_text=True)
    assert db.session.query(Attachment).filter_by(item_id=item.id).count() == 0
    assert "本周完成调研" in sign_in(people["sfj_admin"]).get(f"/items/{item.id}").get_data(as_text=True)


def test_submit_without_a_report_is_refused(sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    response = move(sign_in(people["sfj_admin"]), item, "submitted")
    assert response.status_code == 422 and "办结报告" in response.get_data(as_text=True)


def test_a_refused_evidence_file_changes_nothing(sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    response = sign_in(people["sfj_admin"]).post(f"/items/{item.id}/move", headers={"HX-Request": "true"}, data={
        "to": "submitted", "version": item.version, "note": "报告", "via": "form",
        "files": (io.BytesIO(b"MZ\x90"), "virus.exe")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "不支持的文件类型" in response.get_data(as_text=True)


@pytest.mark.parametrize(("content", "said"), [
    (b"MZ\x90\x00 an executable", "伪装.pdf 的名字表明是PDF 文件,但按内容判断不是:内容不是任何允许的类型"),
    (b"\x89PNG\r\n\x1a\n a picture", "伪装.pdf 的名字表明是PDF 文件,但按内容判断不是:内容是PNG 图片")])
def test_a_disguised_file_is_refused_for_what_its_content_is(sign_in, people, make_item, content, said):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    response = sign_in(people["sfj_admin"]).post(f"/items/{item.id}/updates", headers={"HX-Request": "true"}, data={
        "text": "进展", "files": (io.BytesIO(content), "伪装.pdf")}, content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and said in body and "不支持的文件类型" not in body


@pytest.mark.parametrize(("to", "words"), [("in_progress", "已签收"), ("submitted", "已提交审核")])
def test_a_move_from_the_item_page_says_what_it_did(sign_in, people, make_item, to, words):
    item = make_item("sfj", status=ItemStatus.ASSIGNED if to == "in_progress" else ItemStatus.IN_PROGRESS)
    client = sign_in(people["sfj_admin"])
    files = {"files": (io.BytesIO(PDF), "报告.pdf")} if to == "submitted" else {}
    response = client.post(f"/items/{item.id}/move", data={"to": to, "version": item.version, "note": "办结报告",
                                                          "via": "form", **files}, content_type="multipart/form-data")
    assert response.status_code == 303
    assert words in client.get(f"/items/{item.id}").get_data(as_text=True)


def test_progress_comments_and_extension_requests_say_they_were_taken(sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    client = sign_in(people["sfj_admin"])
    for url, data, words in [(f"/items/{item.id}/updates", {"text": "完成一半"}, "进展已报送"),
                             (f"/items/{item.id}/comments", {"text": "请关注"}, "评论已发表"),
                             (f"/items/{item.id}/extensions", {"due": "2024-06-30", "reason": "需要时间"},
                              "已申请延期至 2024-06-30")]:
        assert client.post(url, data=data).status_code == 303, url
        assert words in client.get(f"/items/{item.id}").get_data(as_text=True), url


def test_the_detail_page_shows_obligation_parameters_progress_and_timeline(sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.SUBMITTED)
    page = sign_in(people["sfj_member"]).get(f"/items/{item.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert item.task.title in html and "办结报告" in html and "操作留痕" in html and "提交办结" in html


def test_the_detail_page_of_another_units_item_is_not_found(sign_in, people, make_item):
    item = make_item("gaj")
    assert sign_in(people["sfj_admin"]).get(f"/items/{item.id}").status_code == 404


def test_progress_with_evidence_and_download(sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    client = sign_in(people["sfj_member"])
    response = client.post(f"/items/{item.id}/updates", data={
        "text": "完成一半", "percent": "50", "files": (io.BytesIO(PDF), "方案.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 303
    attachment = db.session.query(Attachment).filter_by(item_id=item.id).one()
    download = client.get(f"/files/{attachment.id}")
    body = download.get_data()
    download.close()
    assert download.status_code == 200 and body == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    assert "完成一半" in client.get(f"/items/{item.id}").get_data(as_text=True)


PNG = b"\x89PNG\r\n\x1a\n evidence"
DOCX = b"PK\x03\x04 evidence"


@pytest.mark.parametrize(("name", "body", "mimetype", "inline"), [
    ("照片.png", PNG, "image/png", True), ("方案.pdf", PDF, "application/pdf", True),
    ("报告.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", False)])
def test_images_and_pdfs_open_in_the_browser_other_files_still_download(sign_in, people, make_item, name, body,
                                                                        mimetype, inline):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    client = sign_in(people["sfj_member"])
    client.post(f"/items/{item.id}/updates", data={"text": "佐证", "files": (io.BytesIO(body), name)},
                content_type="multipart/form-data")
    attachment = db.session.query(Attachment).filter_by(item_id=item.id).one()
    shown = client.get(f"/files/{attachment.id}/view")
    assert shown.get_data() == body and shown.mimetype == mimetype
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert shown.headers["Content-Disposition"].startswith("inline" if inline else "attachment")
    page = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert (f'class="thumb" src="/files/{attachment.id}/view"' in page) == (mimetype == "image/png")
    shown.close()
    assert sign_in(people["other_admin"]).get(f"/files/{attachment.id}/view").status_code == 404


def test_another_unit_cannot_download_evidence(sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    sign_in(people["sfj_member"]).post(f"/items/{item.id}/updates", data={
        "text": "x", "files": (io.BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data")
    attachment = db.session.query(Attachment).filter_by(item_id=item.id).one()
    assert sign_in(people["other_admin"]).get(f"/files/{attachment.id}").status_code == 404


def test_comments_are_added_and_shown(sign_in, people, make_item):
    item = make_item("sfj")
    client = sign_in(people["sfj_member"])
    assert client.post(f"/items/{item.id}/comments", data={"text": "请办公室明确口径"}).status_code == 303
    assert "请办公室明确口径" in client.get(f"/items/{item.id}").get_data(as_text=True)


def test_the_page_offers_whom_a_comment_may_name_and_shows_who_was_told(sign_in, people, make_item):
    item = make_item("sfj")
    client = sign_in(people["sfj_member"])
    page = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert 'data-mention="领导小组办公室"' in page and 'data-mention="市公安局"' not in page
    assert client.post(f"/items/{item.id}/comments", data={"text": "@领导小组办公室 请明确口径"}).status_code == 303
    page = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert "已告知: 领导小组办公室" in page
    assert db.session.query(Notification).filter_by(kind="mentioned").count() == 1


def test_an_ambiguous_name_on_the_page_is_refused_in_words(sign_in, people, make_item, make_user):
    item = make_item("sfj")
    for login in ("wang1", "wang2"):
        make_user("unit_member", "sfj", username=login).display_name = "王芳"
    response = sign_in(people["sfj_member"]).post(f"/items/{item.id}/comments", data={"text": "@王芳 看下"},
                                                  headers={"HX-Request": "true"})
    assert response.status_code == 422 and "请改用登录名" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["leader", "other_admin"])
def test_leaders_and_other_units_cannot_comment(sign_in, people, make_item, role):
    item = make_item("sfj")
    assert sign_in(people[role]).post(f"/items/{item.id}/comments", data={"text": "x"}).status_code in (403, 404)


def test_a_unit_asks_for_more_time(sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    response = sign_in(people["sfj_admin"]).post(f"/items/{item.id}/extensions",
                                                 data={"due": "2024-03-31", "reason": "需要补充调研"})
    assert response.status_code == 303
    assert db.session.query(ExtensionRequest).filter_by(item_id=item.id).one().requested_due.isoformat() == "2024-03-31"


def test_a_malformed_date_is_a_message_not_a_traceback(sign_in, people, make_item):
    item = make_item("sfj")
    response = sign_in(people["sfj_admin"]).post(f"/items/{item.id}/extensions", data={"due": "2023-02-30"})
    assert response.status_code == 422 and "有效日期" in response.get_data(as_text=True)


def test_the_page_to_go_back_to_must_be_on_this_site(sign_in, people, make_item):
    item = make_item("sfj")
    response = sign_in(people["sfj_admin"]).post(f"/items/{item.id}/move", data={
        "to": "in_progress", "version": item.version, "via": "form", "next": "//evil.example/"})
    assert response.status_code == 303 and response.headers["Location"] == f"/items/{item.id}"
