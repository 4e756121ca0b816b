"""Formal notices: numbered per kind and year, never twice, and printable as PDF (opened with pypdf)."""
from __future__ import annotations

import io
import threading
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from tests.scheduler.sched_helpers import sh

from tracker.errors import Invalid
from tracker.extensions import db
from tracker.models import AccountabilityRecord, ItemStatus
from tracker.services.ledger import escalation, notices
from tracker.settings import settings as settings_of


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def numbers(kind: str) -> list[str]:
    return list(db.session.scalars(sa.select(AccountabilityRecord.doc_number).where(
        AccountabilityRecord.level_name == kind).order_by(AccountabilityRecord.id)))


def test_supervision_and_bulletin_notices_are_numbered_in_a_yearly_sequence(settings, make_item, records_of):
    item = make_item(due=date(2023, 12, 1), status=ItemStatus.IN_PROGRESS)
    escalation.scan(now=sh(2024, 1, 8, 0, 10), ladder=settings.ladder, timezone=settings.timezone)
    remind, urge, supervise, bulletin = records_of(item.id, kind="ladder")
    assert remind.doc_number is None and urge.doc_number is None
    assert supervise.doc_number.startswith("督办〔2024〕") and bulletin.doc_number.startswith("通报〔2024〕")
    supervised = numbers("督办")
    assert supervised == [f"督办〔2024〕{n}号" for n in range(1, len(supervised) + 1)]
    escalation.scan(now=sh(2024, 1, 9, 0, 10), ladder=settings.ladder, timezone=settings.timezone)
    assert numbers("督办")[:len(supervised)] == supervised  # numbers given stay; new ones follow


def test_a_notice_pdf_names_the_unit_and_its_number_and_has_a_reply_slip(settings, make_item, records_of):
    item = make_item(due=date(2023, 12, 1), status=ItemStatus.IN_PROGRESS, title="编制权责清单")
    escalation.scan(now=sh(2024, 1, 8, 0, 10), ladder=settings.ladder, timezone=settings.timezone)
    supervise = records_of(item.id, kind="ladder")[2]
    pdf = notices.render_pdf(notices.notice_rows([supervise], timezone=settings.timezone))
    reader = PdfReader(io.BytesIO(pdf))
    text = text_of(pdf)
    assert "市司法局" in text and supervise.doc_number in text and "编制权责清单" in text and "回执" in text
    assert "逾期 38 天" in text and "领导小组办公室" in text
    fonts = {str(f["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert any("CJK" in name for name in fonts)
    assert all(round(float(page.mediabox.width)) == 595 for page in reader.pages)  # A4


def test_a_days_batch_holds_every_notice_of_that_scan(settings, make_item, office):
    make_item(due=date(2023, 12, 1), status=ItemStatus.IN_PROGRESS)
    escalation.scan(now=sh(2024, 1, 8, 0, 10), ladder=settings.ladder, timezone=settings.timezone)
    found = notices.notices_of_day(date(2024, 1, 8), actor=office, timezone=settings.timezone).records
    pdf = notices.render_pdf(notices.notice_rows(found, timezone=settings.timezone))
    text = text_of(pdf)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= len(found) > 1
    assert all(r.doc_number in text for r in found)
    with pytest.raises(Invalid):
        notices.notices_of_day(date(2024, 1, 7), actor=office, timezone=settings.timezone)


def test_a_reminder_has_no_notice(settings, make_item, records_of):
    item = make_item(due=date(2023, 12, 1), status=ItemStatus.IN_PROGRESS)
    escalation.scan(now=sh(2024, 1, 3, 0, 10), ladder=settings.ladder, timezone=settings.timezone)
    with pytest.raises(Invalid):
        notices.require_notice(records_of(item.id)[0])


def test_two_scans_at_once_give_unique_numbers(committed_app):
    settings = settings_of(committed_app)
    barrier = threading.Barrier(2)
    errors = []

    def scan_in_thread(at):
        try:
            with committed_app.app_context():
                barrier.wait()
                escalation.scan(now=at, ladder=settings.ladder, timezone=settings.timezone)
                db.session.commit()
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=scan_in_thread, args=(at,))
               for at in (sh(2024, 2, 20, 0, 10), sh(2024, 3, 20, 0, 10))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with committed_app.app_context():
        given = db.session.scalars(sa.select(AccountabilityRecord.doc_number).where(
            AccountabilityRecord.doc_number.is_not(None))).all()
        db.session.remove()
    assert len(given) == len(set(given)) > 10
    supervised = sorted(int(n.removeprefix("督办〔2024〕").removesuffix("号")) for n in given if n.startswith("督办"))
    assert supervised == list(range(1, len(supervised) + 1))
