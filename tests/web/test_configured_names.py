"""The city government and the office are named as the units file names them: another city changes its units
file, and pages, digests, exports and notices say its names, with no template or code changed."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from openpyxl import load_workbook

from tracker.services.plan.loading import DEFAULT_UNITS, load_units_file
from tracker.clock import utcnow
from tracker.extensions import db
from tracker.models import AccountabilityRecord, Digest, ItemStatus
from tracker.services.ledger import digests, escalation, notices
from tracker.settings import settings as settings_of

from ..conftest import NOW

SHIPPED = ("XX市人民政府", "市依法行政能力提升三年行动领导小组办公室", "领导小组办公室")


def another_city(tmp_path: Path) -> None:
    """乙市's units file: the shipped sample with its own government and office names."""
    text = Path(DEFAULT_UNITS).read_text(encoding="utf-8")
    for shipped, own in (("name: XX市人民政府", "name: 乙市人民政府"), ("short: 市政府\n", "short: 乙市政府\n"),
                         ("name: 市依法行政能力提升三年行动领导小组办公室", "name: 乙市法治政府建设督查室"),
                         ("short: 领导小组办公室", "short: 督查室")):
        assert shipped in text
        text = text.replace(shipped, own, 1)
    (tmp_path / "units.yaml").write_text(text, encoding="utf-8")
    load_units_file(tmp_path / "units.yaml", now=utcnow())


def test_pages_digests_exports_and_notices_use_the_units_files_names(app, tmp_path, sign_in, people, make_item):
    ours = make_item("city", status=ItemStatus.IN_PROGRESS, due=date(2023, 3, 1), title="市政府承办事项")
    make_item("sfj", status=ItemStatus.IN_PROGRESS, due=date(2023, 3, 1))
    another_city(tmp_path)
    ladder = settings_of(app).ladder
    escalation.scan(now=NOW, ladder=ladder, timezone="Asia/Shanghai")
    digests.build_round(period_key=digests.week_key(date(2023, 4, 3)), now=NOW, timezone="Asia/Shanghai",
                        ladder=ladder, due_soon_days=14, with_deliveries=False)
    sent = {d.recipient_key: d for d in db.session.scalars(sa.select(Digest))}
    office_digest, city_digest = sent["office"], sent["unit:city"]
    assert office_digest.text.startswith("督查室:") and "<p>督查室:</p>" in office_digest.html
    assert city_digest.text.startswith("乙市政府:") and "乙市政府" in office_digest.text
    assert not any(name in d.text + d.html for d in (office_digest, city_digest) for name in SHIPPED + ("乙市人民政府",))

    office = sign_in(people["office"])
    header = office.get("/board").get_data(as_text=True)
    who = header[header.index('class="who"'):]
    assert "督查室" in who[:who.index("</span>")] and "领导小组办公室" not in header

    sheet = load_workbook(io.BytesIO(office.get("/ledger/export.xlsx").get_data())).active
    assert sheet["A1"].value.startswith("督查室 督办台账")

    record = db.session.scalars(sa.select(AccountabilityRecord).where(AccountabilityRecord.item_id == ours.id,
                                                                      AccountabilityRecord.level == 3)).one()
    (notice,) = notices.notice_rows([record], timezone="Asia/Shanghai")
    assert notice["office"] == "乙市法治政府建设督查室" and notice["unit"] == "乙市人民政府"
