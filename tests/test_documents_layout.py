"""Every kind of .docx the system writes goes through core.documents.OfficialDocument: GB/T 9704 page numbers
(“— 1 —”, the PAGE field, odd pages at the right and even pages at the left) and tables whose columns are
sized (every grid column and cell has a width) within the 156 mm type area. Read from the files themselves
with python-docx, without LibreOffice (tests/test_documents_render.py renders them where it is installed)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm

from dangjian.core.documents import OfficialDocument
from dangjian.core.figures import Period
from dangjian.duties import letters
from dangjian.duties.models import ResponsibilityLetter
from dangjian.matters import supervision
from dangjian.matters.models import SupervisionLines, SupervisionSheet
from dangjian.meetings.exports import minutes_document
from dangjian.meetings.models import Meeting, MeetingAttachment
from dangjian.reports import summary

pytestmark = pytest.mark.django_db
TYPE_AREA = Mm(OfficialDocument.TYPE_WIDTH_MM)


def every_document(demo) -> dict[str, bytes]:
    """One document of each kind the system produces, each made by its own service."""
    today = dt.date.today()
    week = supervision.issue_weekly_sheet(today, notify_people=False)
    rows = SupervisionLines.objects.filter(sheet=week).select_related("owner", "org")
    user, node = demo["users"]["shuji"], demo["orgs"]["SXX"]
    return {
        "责任状": letters.letter_document(next(x for x in ResponsibilityLetter.objects.order_by("pk")
                                           if x.tasks.exists())).to_bytes(),
        "会议纪要": minutes_document(Meeting.objects.filter(topics__opinions__isnull=False).first()).to_bytes(),
        "会议议程（演示附件）": MeetingAttachment.objects.filter(name__endswith=".docx").first().file.read(),
        "督办单": supervision.sheet_docx(week, rows, limit=50),
        "半月小结": bytes(supervision.build_summary(SupervisionSheet.Period.HALF_MONTH, today).document),
        "月度总结": bytes(supervision.build_summary(SupervisionSheet.Period.MONTH, today).document),
        "统计小结": summary.document(summary.build(user, node, Period.month(today.year, today.month))).to_bytes(),
    }


def _check_page_numbers(name: str, doc) -> None:
    assert doc.settings.odd_and_even_pages_header_footer, name
    section = doc.sections[0]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        fields = p._p.findall(qn("w:fldSimple"))
        assert [f.get(qn("w:instr")).strip() for f in fields] == ["PAGE"], name
        text = "".join(t.text for t in p._p.iter(qn("w:t")))
        assert text == "— 1 —" and p.alignment == align, (name, text, p.alignment)


def _check_tables(name: str, doc) -> None:
    for number, table in enumerate(doc.tables, start=1):
        where = f"{name} table {number}"
        grid = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert grid and all(w > 0 for w in grid), where
        assert sum(grid) * 635 <= TYPE_AREA + Mm(0.5), (where, sum(grid) * 635 / 36000)  # twips → EMU
        for row in table.rows:
            widths = [cell.width for cell in row.cells]
            assert all(w for w in widths), where
            assert sum(widths) <= TYPE_AREA + Mm(0.5), where
        headers = [cell.text for cell in table.rows[0].cells]
        if headers[0] == "序号" and len(table.rows) > 1:  # widths by content: the number column is narrow
            assert grid[0] < max(grid), where


def test_every_docx_has_official_page_numbers_and_sized_tables_within_the_type_area(demo):
    documents = every_document(demo)
    tables = 0
    for name, content in documents.items():
        doc = Document(io.BytesIO(content))
        _check_page_numbers(name, doc)
        _check_tables(name, doc)
        tables += len(doc.tables)
    assert tables >= 8
    # The summaries' numbers link to their figure pages on the site (DANGJIAN_SITE_URL).
    for name in ("月度总结", "统计小结"):
        part = Document(io.BytesIO(documents[name])).part
        links = [r.target_ref for r in part.rels.values() if r.reltype.endswith("/hyperlink")]
        assert links and all(u.startswith(f"{settings.DANGJIAN_SITE_URL}/figures/") for u in links), name


def test_every_cell_of_a_long_table_keeps_its_text_font_link_and_row_rules():
    """The cells after the first of each kind are copies of its formatting (OfficialDocument._cell): each keeps
    its own text (empty, with a line break, with edge spaces too), the 4号 body font, and its own link."""
    texts = ["甲", "", "两行\n文字", " 前后空格 ", "2026年12月31日"]
    rows = [[n, texts[n % len(texts)], (str(n * 3), f"http://127.0.0.1:8000/figures/x/?n={n}")] for n in range(40)]
    document = OfficialDocument("表格")
    document.table(["序号", "内容", "数值"], rows)
    doc = Document(io.BytesIO(document.to_bytes()))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "内容", "数值"]
    links = {rel.rId: rel.target_ref for rel in doc.part.rels.values() if rel.is_external}
    for row, values in zip(table.rows[1:], rows, strict=True):
        number, text, (value, url) = values
        cells = row.cells
        assert cells[0].text == str(number) and cells[1].text == text and cells[2].text == value
        tr_pr = row._tr.trPr
        assert tr_pr is not None and tr_pr.find(qn("w:cantSplit")) is not None
        for cell in cells:
            for run in cell._tc.iter(qn("w:r")):
                fonts = run.find(qn("w:rPr")).find(qn("w:rFonts"))
                assert fonts.get(qn("w:eastAsia")) == OfficialDocument.BODY_FONT
                assert run.find(qn("w:rPr")).find(qn("w:sz")).get(qn("w:val")) == str(int(OfficialDocument.SIZE_4 * 2))
        link = cells[2]._tc.find(f".//{qn('w:hyperlink')}")
        assert links[link.get(qn("r:id"))] == url
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
