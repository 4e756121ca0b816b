"""The 通报 as documents: the same content as DOCX (python-docx: Word is what the office edits and prints), as
PDF (WeasyPrint from the Jinja template templates/bulletins/bulletin.html, as the notices print) and as the HTML
the app shows. Documents are written in Chinese, like the notices and digests they sit beside.

`content()` gathers what every form shows, from the bulletin's figures (frozen once issued) and its text; the
three writers only lay it out, so the Word file, the PDF and the page cannot say different things.
"""
from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from markupsafe import Markup

from ...models import Bulletin, BulletinStatus, Plan, Unit
from ...extensions import db
from . import bulletins
from ..io import printable
from ..ledger import notices
from ..ledger.ladder import Level

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# GB/T 9704-2012 (党政机关公文格式): A4, type area 156 × 225 mm with its top 37 mm and its left 28 mm from the
# edges; body 3号 (16 pt) 仿宋_GB2312, 22 lines a page (fixed line pitch 225 mm / 22 = 28.95 pt); the title
# 2号 (22 pt) 方正小标宋简体; first-level headings 黑体 3号; page numbers 4号 (14 pt) 半角宋体 "— 1 —", odd
# pages to the right, even pages to the left, one character in from the edge.
BODY_FONT, HEADING_FONT, TITLE_FONT, PAGE_NUMBER_FONT = "仿宋_GB2312", "黑体", "方正小标宋简体", "宋体"
LATIN_FONT = "Times New Roman"
BODY_PT, TITLE_PT, MASTHEAD_PT, PAGE_NUMBER_PT, LINE_PITCH_PT = 16, 22, 26, 14, 28.95
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
RED = RGBColor(0xC0, 0x00, 0x00)
FIGURE_HEADER = ["应办结", "已办结", "按期办结", "未办结", "办结率", "按期办结率"]
INDICATOR_HEADER = ["指标", "期间", "单位", "目标", "实际", "情况"]
FIGURE_KEYS = ["due", "done", "done_on_time", "open", "done_rate", "on_time_rate"]


def content(bulletin: Bulletin, data: dict[str, Any]) -> dict[str, Any]:
    """What the document says: heading, number, the office's text in paragraphs, the figures as table rows."""
    plan = db.session.get_one(Plan, bulletin.plan_id)
    office = db.session.get_one(Unit, plan.office_unit_id)
    issued = bulletin.issued_at.astimezone(ZoneInfo(plan.timezone)) if bulletin.issued_at else None
    totals, so_far = data["totals"], data["so_far"]["totals"]
    summary = (f"{data['label']}({data['start']} 至 {data['end']})应办结工作项 {totals['due']} 项,"
               f"截至 {data['as_of']} 已办结 {totals['done']} 项(办结率 {percent(totals['done_rate'])}),"
               f"其中按期办结 {totals['done_on_time']} 项(按期办结率 {percent(totals['on_time_rate'])}),"
               f"未办结 {totals['open']} 项。自计划实施至 {data['end']} 累计应办结 {so_far['due']} 项,"
               f"已办结 {so_far['done']} 项(办结率 {percent(so_far['done_rate'])}),按期办结率 "
               f"{percent(so_far['on_time_rate'])},未办结 {so_far['open']} 项。")
    return {
        "office": office.name, "title": bulletins.title(bulletin), "number": bulletin.number or "",
        "draft": bulletin.status == BulletinStatus.DRAFT, "lead": paragraphs(bulletin.lead_text),
        "closing": paragraphs(bulletin.closing_text), "summary": summary, "data": data,
        "date": f"{issued.year}年{issued.month}月{issued.day}日" if issued else "(印发时填写)",
        "tables": {
            "phases": _rows(data["phases"]), "groups": _rows(data["groups"]),
            "units": [[str(u["rank"]), u["name"], *_figures(u)] for u in data["units"]],
            "so_far": [[str(u["rank"]), u["name"], *_figures(u)] for u in data["so_far"]["units"]],
        },
        "indicator_rows": [[m["indicator"], m["period"], m["name"], m["target"], m["actual"], m["state_label"]]
                           for m in data["indicators"]],
        "records_header": ["单位", *[lv["name"] for lv in data["new_records"]["by_level"]], "合计"],
        "records_rows": [[u["name"], *[str(u["counts"].get(lv["name"], 0)) for lv in data["new_records"]["by_level"]],
                          str(u["total"])] for u in data["new_records"]["units"]],
    }


def document_file(bulletin: Bulletin, extension: str, *, now: datetime,
                  ladder: tuple[Level, ...]) -> tuple[bytes, str, str]:
    """The bulletin as a file to download: (body, content type, file name); `extension` is docx or pdf."""
    doc = printable.cleaned(content(bulletin, bulletins.data_of(bulletin, now=now, ladder=ladder)))
    if extension == "docx":
        return to_docx(doc), DOCX_CONTENT_TYPE, filename(doc, "docx")
    return to_pdf(doc), "application/pdf", filename(doc, "pdf")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _figures(row: dict[str, Any]) -> list[str]:
    return [percent(row[k]) if k.endswith("rate") else str(row[k]) for k in FIGURE_KEYS]


def _rows(rows: list[dict[str, Any]]) -> list[list[str]]:
    return [[row["name"], *_figures(row)] for row in rows]


def filename(doc: dict[str, Any], extension: str) -> str:
    """督办通报〔2024〕3号_2024年5月督办工作通报.docx; a draft says so: 2024年5月督办工作通报(草稿).pdf."""
    stem = f"{doc['number']}_{doc['title']}" if doc["number"] else f"{doc['title']}(草稿)"
    return f"{stem}.{extension}"


# --- HTML and PDF --------------------------------------------------------------------------------------------

def html_body(doc: dict[str, Any]) -> Markup:
    """The document's body as the app shows it (autoescaped by the template, so safe to embed)."""
    return Markup(notices.render_template("bulletins/_body.html", doc=doc))  # noqa: S704 - escaped by Jinja


def to_pdf(doc: dict[str, Any]) -> bytes:
    return notices.pdf_of("bulletins/bulletin.html", doc=doc)


# --- Word ----------------------------------------------------------------------------------------------------

def to_docx(doc: dict[str, Any]) -> bytes:
    """A Word document in the shape of an office's 通报, laid out as GB/T 9704 sets out 公文 (A4, its margins,
    fonts and sizes, page numbers): red masthead, number, title, text, seven numbered sections with tables,
    closing remarks, the office and the date. Chinese fonts are set as East Asian fonts, which Word on a
    Chinese desktop has (or substitutes by name)."""
    document = Document()
    _page(document)
    _fonts(document)
    data = doc["data"]
    _line(document, doc["office"], size=MASTHEAD_PT, color=RED, font=TITLE_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
    number = _line(document, doc["number"] or "(草稿,印发时编号)", size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    _red_rule(number)
    _line(document, doc["title"], size=TITLE_PT, font=TITLE_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
    for text in doc["lead"]:
        _body(document, text)
    _body(document, doc["summary"])
    _heading(document, "一、分阶段完成情况")
    _table(document, ["阶段", *FIGURE_HEADER], doc["tables"]["phases"])
    _heading(document, "二、分方面完成情况")
    _table(document, ["方面", *FIGURE_HEADER], doc["tables"]["groups"])
    _heading(document, "三、各单位本期完成情况及排名")
    _table(document, ["排名", "单位", *FIGURE_HEADER], doc["tables"]["units"])
    _heading(document, "四、各单位截至期末累计完成情况及排名")
    _table(document, ["排名", "单位", *FIGURE_HEADER], doc["tables"]["so_far"])
    _heading(document, f"五、{data['bulletin_level']}单位")
    if not data["bulletin_units"]:
        _body(document, f"本期无被{data['bulletin_level']}单位。")
    for unit in data["bulletin_units"]:
        _body(document, f"{unit['name']}:{unit['count']} 项工作逾期被{data['bulletin_level']}。")
        _table(document, ["文号", "工作项", "事由", "日期"],
               [[r["number"], r["item"], r["reason"], r["issued"]] for r in unit["records"]])
    _heading(document, "六、本期新增督办记录")
    levels = ",".join(f"{lv['name']} {lv['count']} 条" for lv in data["new_records"]["by_level"])
    _body(document, f"本期新增督办记录 {data['new_records']['total']} 条" + (f":{levels}。" if levels else "。"))
    if doc["records_rows"]:
        _table(document, doc["records_header"], doc["records_rows"])
    _heading(document, "七、指标未达标及未报送情况")
    if doc["indicator_rows"]:
        _table(document, INDICATOR_HEADER, doc["indicator_rows"])
    else:
        _body(document, "本期到期的量化指标均已达标,或本期无到期指标。")
    for text in doc["closing"]:
        _body(document, text)
    _line(document, doc["office"], size=BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _line(document, doc["date"], size=BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    document.core_properties.title = doc["title"]
    document.save(out)
    return out.getvalue()


def _east_asian(element: Any, font: str) -> None:
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)


def _page(document: Any) -> None:
    """A4 with GB/T 9704's margins, and its page numbers: — 1 — to the right on odd pages, to the left on even."""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(28)  # the number sits about 7 mm below the type area
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(paragraph: Any, align: int) -> None:
    paragraph.alignment = align
    side = "right_indent" if align == WD_ALIGN_PARAGRAPH.RIGHT else "left_indent"
    setattr(paragraph.paragraph_format, side, Pt(PAGE_NUMBER_PT))  # one character in from the edge
    for text, field in (("— ", None), (None, "PAGE"), (" —", None)):
        run = paragraph.add_run(text or "")
        run.font.size, run.font.name = Pt(PAGE_NUMBER_PT), PAGE_NUMBER_FONT
        _east_asian(run._element, PAGE_NUMBER_FONT)
        if field:
            for kind, instruction in (("begin", None), (None, f" {field} "), ("end", None)):
                if kind:
                    char = OxmlElement("w:fldChar")
                    char.set(qn("w:fldCharType"), kind)
                    run._r.append(char)
                else:
                    code = OxmlElement("w:instrText")
                    code.set(qn("xml:space"), "preserve")
                    code.text = instruction
                    run._r.append(code)


def _fonts(document: Any) -> None:
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = LATIN_FONT, Pt(BODY_PT)
    normal.paragraph_format.line_spacing = Pt(LINE_PITCH_PT)  # exactly: 22 lines to the type area
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    _east_asian(normal.element, BODY_FONT)


def _line(document: Any, text: str, *, size: int, bold: bool = False, color: RGBColor | None = None,
          font: str = BODY_FONT, align: int = WD_ALIGN_PARAGRAPH.LEFT) -> Any:
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    run = paragraph.add_run(text)
    run.font.size, run.font.bold = Pt(size), bold
    if color is not None:
        run.font.color.rgb = color
    _east_asian(run._element, font)
    return paragraph


def _body(document: Any, text: str) -> None:
    paragraph = _line(document, text, size=BODY_PT)
    paragraph.paragraph_format.first_line_indent = Pt(2 * BODY_PT)  # two characters


def _heading(document: Any, text: str) -> None:
    paragraph = _line(document, text, size=BODY_PT, font=HEADING_FONT)
    paragraph.paragraph_format.first_line_indent = Pt(2 * BODY_PT)


def _red_rule(paragraph: Any) -> None:
    """The red line under the number (a bottom border of its paragraph), as on the office's letterhead."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().append(border)


def _table(document: Any, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell(cell, text, bold=True)
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            _cell(cell, text)


def _cell(cell: Any, text: str, *, bold: bool = False) -> None:
    cell.paragraphs[0].paragraph_format.line_spacing = 1.0  # tables in 五号, single-spaced, not at the body's pitch
    run = cell.paragraphs[0].add_run(text)
    run.font.size, run.font.bold = Pt(10.5), bold
    _east_asian(run._element, HEADING_FONT if bold else BODY_FONT)

