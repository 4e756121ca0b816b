"""The first page of PDF evidence in view: rendered once on the server, cached, sent as a PNG with nosniff under
the download's access check; a PDF that cannot be drawn leaves the link to open it."""
from __future__ import annotations

import io
import struct

from weasyprint import HTML

from tracker.extensions import db
from tracker.models import Attachment, ItemStatus
from tracker.services.io import thumbnails
from tracker.settings import storage


def upload(client, item, name: str, body: bytes) -> Attachment:
    client.post(f"/items/{item.id}/updates", data={"text": "佐证", "files": (io.BytesIO(body), name)},
                content_type="multipart/form-data")
    return db.session.query(Attachment).filter_by(item_id=item.id).order_by(Attachment.id.desc()).first()


def png_size(body: bytes) -> tuple[int, int]:
    assert body.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", body[16:24])


def test_the_office_sees_the_first_page_of_a_pdf_and_another_unit_does_not(sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    pdf = HTML(string="<h1>整改报告</h1><p>第一页</p><p style='page-break-before: always'>第二页</p>").write_pdf()
    attachment = upload(sign_in(people["sfj_member"]), item, "整改报告.pdf", pdf)
    office = sign_in(people["office"])
    page = office.get(f"/items/{item.id}").get_data(as_text=True)
    assert f'src="/files/{attachment.id}/thumbnail"' in page
    shown = office.get(f"/files/{attachment.id}/thumbnail")
    assert shown.status_code == 200 and shown.mimetype == "image/png"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert png_size(shown.get_data())[0] == thumbnails.WIDTH
    shown.close()
    assert (storage().folder / thumbnails.THUMBNAIL_DIR / f"{attachment.stored_name}.png").is_file()
    assert sign_in(people["other_admin"]).get(f"/files/{attachment.id}/thumbnail").status_code == 404


def test_a_cached_first_page_is_not_rendered_again(sign_in, people, make_item, monkeypatch):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    attachment = upload(sign_in(people["sfj_member"]), item, "方案.pdf", HTML(string="<p>方案</p>").write_pdf())
    first = thumbnails.pdf_first_page(storage().folder, attachment.stored_name)
    monkeypatch.setattr(thumbnails.shutil, "which", lambda _name: None)  # no renderer any more
    assert thumbnails.pdf_first_page(storage().folder, attachment.stored_name) == first


def test_a_pdf_that_cannot_be_drawn_leaves_the_link_to_open_it(sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    attachment = upload(sign_in(people["sfj_member"]), item, "损坏.pdf", b"%PDF-1.4 not really a document")
    office = sign_in(people["office"])
    refused = office.get(f"/files/{attachment.id}/thumbnail")
    assert refused.status_code == 422 and refused.mimetype == "text/html"
    page = office.get(f"/items/{item.id}").get_data(as_text=True)
    thumb = page[page.index(f'src="/files/{attachment.id}/thumbnail"'):]
    opened = page[:page.index(f'src="/files/{attachment.id}/thumbnail"')]
    assert opened.rstrip().endswith(f'<a href="/files/{attachment.id}/view" target="_blank" rel="noopener"><img '
                                    'class="thumb pdf"')
    assert 'alt="打开 PDF"' in thumb[:thumb.index(">")]


def test_only_pdfs_get_a_first_page(sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    attachment = upload(sign_in(people["sfj_member"]), item, "照片.png", b"\x89PNG\r\n\x1a\n evidence")
    assert sign_in(people["office"]).get(f"/files/{attachment.id}/thumbnail").status_code == 422
