"""Word documents in the official layout (GB/T 9704-2012 《党政机关公文格式》): OfficialDocument, and the dates,
ordinals and titles such documents write."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from copy import deepcopy
from pathlib import Path

from django.http import HttpResponse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.run import Run
from lxml import etree

from .tables import DOCX_MIME, file_response, text_width

# The fontconfig substitutions of the official fonts, for machines that render documents with LibreOffice.
FONTCONFIG_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "fontconfig"


def _plain_text(text: str) -> bool:
    """Text that python-docx writes as one w:t without xml:space (no tab, break or edge space), or none,
    so that a copied run's w:t can simply take it."""
    return text == text.strip() and not any(c in text for c in "\t\n\r")



def cn_date(day: dt.date) -> str:
    """Dates as official documents write them: 2026年11月26日."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_ordinal(n: int) -> str:
    """一 … 十 for the numbered headings of a document (一、 and （一）), 十一 … 九十九 beyond."""
    digits = "一二三四五六七八九"
    if n < 10:
        return digits[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens - 1]) + "十" + (digits[ones - 1] if ones else "")


_UNBREAKABLE = re.compile(r"[\d\s.,:%/\-+年月日时分—]+")


def join_title(issuer: str, rest: str) -> str:
    """The issuing body followed by the rest of a title, without saying twice the words they share:
    中共市XX党组 + 党组会议 → 中共市XX党组会议; 第二党支部 + 支部委员会 → 第二党支部委员会."""
    for n in range(min(len(issuer), len(rest)), 1, -1):  # an overlap of one character may be chance
        if issuer.endswith(rest[:n]):
            return issuer + rest[n:]
    return issuer + rest


# Fonts the standard names, and what may stand in for each where it is missing, in order. Word and WPS
# read the first stand-in (w:altName) and the serif/sans family from the font table; LibreOffice on Linux
# ignores those and asks fontconfig, which data/fontconfig/ maps along the same chain (docs/deploy.md).
FONT_FALLBACKS = {
    "方正小标宋简体": (("宋体", "SimSun", "Noto Serif CJK SC"), "roman", "02010600030101010101"),
    "仿宋_GB2312": (("仿宋", "FangSong", "Noto Serif CJK SC"), "modern", "02010609060101010101"),
    "楷体_GB2312": (("楷体", "KaiTi", "Noto Serif CJK SC"), "modern", "02010609060101010101"),
    "黑体": (("SimHei", "Noto Sans CJK SC"), "modern", "02010609060101010101"),
    "宋体": (("SimSun", "Noto Serif CJK SC"), "auto", "02010600030101010101"),
}


class OfficialDocument:
    """A .docx on A4 with the GB/T 9704 type area (156 × 225 mm, 22 lines of 28 characters).

    Title 2号小标宋, body 3号仿宋_GB2312, level-1 headings 3号黑体 "一、", level-2 3号楷体 "（一）";
    page numbers 4号半角宋体 "— 1 —" at the outside corner (odd pages right, even pages left).
    Fonts are named, not embedded, with their stand-ins declared in the font table.
    """

    TITLE_FONT = "方正小标宋简体"
    BODY_FONT = "仿宋_GB2312"
    H1_FONT = "黑体"
    H2_FONT = "楷体_GB2312"
    PAGE_NUMBER_FONT = "宋体"
    SIZE_2 = 22  # 2号 in points
    SIZE_3 = 16  # 3号
    SIZE_4 = 14  # 4号, for tables and page numbers
    LINE_PITCH = 28.95  # 225 mm / 22 lines, in points
    TYPE_WIDTH_MM = 156
    CELL_PADDING_MM = 4.5  # the table style's left and right cell margins (0.08 in each), and a little air

    def __init__(self, title: str, *, doc_number: str = "", recipient: str = ""):

        self._align = WD_ALIGN_PARAGRAPH
        self.doc = Document()
        self._cell_prototypes: dict[tuple[str, bool], object] = {}  # a cell's paragraph of each kind (_cell)
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        normal = self.doc.styles["Normal"]
        self._set_font(normal.font, normal.element, self.BODY_FONT, self.SIZE_3)
        self._chinese(normal.element.get_or_add_rPr())
        fmt = normal.paragraph_format

        fmt.line_spacing = Pt(self.LINE_PITCH)
        fmt.space_before = fmt.space_after = Pt(0)
        self._declare_fonts()
        self._page_numbers(section)
        if doc_number:
            self._para(doc_number, align=WD_ALIGN_PARAGRAPH.CENTER)
        self._title = self._para(title, font=self.TITLE_FONT, size=self.SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
        self._para("")
        if recipient:
            self._para(f"{recipient}：", indent=False)

    @staticmethod
    def _chinese(rpr):
        """Mark the text Simplified Chinese: LibreOffice then takes the SC forms of a pan-CJK font."""

        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = rpr.makeelement(qn("w:lang"), {})
            rpr.append(lang)
        lang.set(qn("w:eastAsia"), "zh-CN")

    def _declare_fonts(self):

        part = self.doc.part.part_related_by(RT.FONT_TABLE)
        root = etree.fromstring(part.blob)
        w = root.nsmap["w"]
        for name, (alternatives, family, panose) in FONT_FALLBACKS.items():
            font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
            for tag, value in (("altName", alternatives[0]), ("panose1", panose), ("charset", "86"),
                               ("family", family), ("pitch", "variable")):
                etree.SubElement(font, f"{{{w}}}{tag}", {f"{{{w}}}val": value})
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _page_numbers(self, section):
        """GB/T 9704-2012 7.5: 4号半角宋体阿拉伯数字, an 一字线 on each side, 7 mm below the type area;
        odd pages at the right, even pages at the left, one character in from the edge."""

        self.doc.settings.odd_and_even_pages_header_footer = True
        section.footer_distance = Mm(35 - 7) - Pt(self.SIZE_4 * 1.2)
        for footer, align in ((section.footer, self._align.RIGHT), (section.even_page_footer, self._align.LEFT)):
            p = footer.paragraphs[0]
            p.alignment = align
            fmt = p.paragraph_format
            fmt.right_indent = Pt(self.SIZE_4) if align == self._align.RIGHT else None
            fmt.left_indent = Pt(self.SIZE_4) if align == self._align.LEFT else None
            fmt.first_line_indent = Pt(0)
            fmt.line_spacing = 1.0
            lead, number, trail = p.add_run("— "), p.add_run("1"), p.add_run(" —")
            for run in (lead, number, trail):
                self._set_font(run.font, run._element, self.PAGE_NUMBER_FONT, self.SIZE_4)
            field = OxmlElement("w:fldSimple")  # the number is the PAGE field; "1" is its cached value
            field.set(qn("w:instr"), "PAGE")
            number._element.addprevious(field)
            field.append(number._element)

    @staticmethod
    def _set_font(font, element, name: str, size: float, bold: bool = False):

        font.name = name
        font.size = Pt(size)
        font.bold = bold
        rpr = element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(rfonts)
        for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
            rfonts.set(qn(attr), name)

    def _para(self, text: str, *, font: str | None = None, size: float | None = None, align=None, indent=True,
              bold: bool = False):

        p = self.doc.add_paragraph()
        if indent and align is None:
            p.paragraph_format.first_line_indent = Pt(self.SIZE_3 * 2)  # 首行缩进2字
        if align is not None:
            p.alignment = align
        run = p.add_run(text)
        self._set_font(run.font, run._element, font or self.BODY_FONT, size or self.SIZE_3, bold)
        return p

    def subtitle(self, text: str):
        """A subtitle line under the title (3号楷体, centred: “——市XX党组织书记抓基层党建工作情况汇报”),
        right after the title, before the blank line that follows it."""
        p = self._para(text, font=self.H2_FONT, align=self._align.CENTER)
        self._title._p.addnext(p._p)
        return p

    def centered(self, text: str):
        """A centred body-font line (the title of a table in an appendix)."""
        return self._para(text, align=self._align.CENTER)

    def heading1(self, text: str):
        return self._heading(text, self.H1_FONT)

    def heading2(self, text: str):
        return self._heading(text, self.H2_FONT)

    def _heading(self, text: str, font: str):
        """A heading, kept on the page of the paragraph that follows it (never last on a page)."""
        p = self._para(text, font=font)
        p.paragraph_format.keep_with_next = True
        return p

    def paragraph(self, text: str):
        return self._para(text)

    def linked_paragraph(self, parts: Iterable[str | tuple[str, str]], *, font: str | None = None):
        """A body paragraph of text runs and hyperlinks: each part is a string, or (text, url) for a link
        (a figure of the annual report linking to its records in the system)."""
        p = self._para("", font=font)
        for part in parts:
            if isinstance(part, str):
                run = p.add_run(part)
                self._set_font(run.font, run._element, font or self.BODY_FONT, self.SIZE_3)
            else:
                self.hyperlink(p, *part, font=font)
        return p

    def hyperlink(self, paragraph, text: str, url: str, *, font: str | None = None, size: float | None = None):
        """An external hyperlink run (w:hyperlink to a relationship of the document part), underlined."""

        rel_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), rel_id)
        element = OxmlElement("w:r")
        link.append(element)
        paragraph._p.append(link)
        run = Run(element, paragraph)
        run.text = text
        run.font.underline = True
        self._set_font(run.font, element, font or self.BODY_FONT, size or self.SIZE_3)
        return run

    @staticmethod
    def _text(value) -> str:
        if isinstance(value, tuple):  # (text, url): a link, measured by its text
            value = value[0]
        return "" if value is None else (cn_date(value) if isinstance(value, dt.date) else str(value))

    def column_widths_mm(self, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[float]:
        """Widths by content within the type area: a short column (序号, a date, a name) as wide as its
        longest entry, so that it never wraps; the long ones share what is left by their typical length."""
        em = self.SIZE_4 * 25.4 / 72  # one Chinese character of 4号, in mm

        def mm(text: str) -> float:
            # A digit or Latin letter is drawn at about 0.6 em, and LibreOffice adds a gap where it meets
            # Chinese: 0.75 em keeps “2026年12月31日” on one line.
            wide = sum(unicodedata.east_asian_width(ch) in "WF" for ch in text)
            return (wide + (len(text) - wide) * 0.75) * em + self.CELL_PADDING_MM

        def header_floor(h: str) -> float:  # a header of more than four characters may take two lines
            return mm(h if len(h) <= 4 else h[:(len(h) + 1) // 2])

        columns = [[r[i] for r in rows] for i in range(len(headers))]
        need = [max([mm(h)] + [mm(t) for t in col]) for h, col in zip(headers, columns, strict=True)]
        # Never broken: a date, a number, a time; and, where the page allows, no entry of up to ten
        # Chinese characters (a name, a unit, a status) either.
        hard = [max([header_floor(h)] + [mm(t) for t in col if _UNBREAKABLE.fullmatch(t)])
                for h, col in zip(headers, columns, strict=True)]
        soft = [max([f] + [mm(t) for t in col if text_width(t) <= 20]) for f, col in zip(hard, columns, strict=True)]
        # a column of long text keeps at least six characters a line
        text_min = mm("字" * 6)
        hard, soft = ([f if need[i] <= soft[i] else max(f, min(need[i], text_min)) for i, f in enumerate(floors)]
                      for floors in (hard, soft))
        total = self.TYPE_WIDTH_MM
        if sum(need) <= total:  # everything fits on one line: the slack goes to the longest columns
            return [n + (total - sum(need)) * n / sum(need) for n in need]
        floor = soft if sum(soft) < total else hard
        if sum(floor) >= total:  # too many columns for the page: scale the floors down
            return [f * total / sum(floor) for f in floor]
        # the columns of long text grow from their floors by their typical length, none past its need
        typical = [sum(mm(t) for t in col) / len(col) if col else f for col, f in zip(columns, floor, strict=True)]
        widths = list(floor)
        growing = [i for i in range(len(widths)) if need[i] > widths[i]]
        while growing and (slack := total - sum(widths)) > 0.1:
            weight = sum(typical[i] for i in growing)
            for i in growing:
                widths[i] = min(need[i], widths[i] + slack * typical[i] / weight)
            growing = [i for i in growing if need[i] > widths[i]]
        return widths

    def table(self, headers: Sequence[str], rows: Iterable[Sequence], widths_mm: Sequence[float] | None = None):
        """A table as wide as the type area, its columns sized by content (or ``widths_mm``), the header
        row repeated on every page and no row split across two pages. A cell given as (text, url) is a link
        (a figure's number, to the records behind it)."""

        rows = [list(row) for row in rows]
        texts = [[self._text(v) for v in row] for row in rows]
        widths = list(widths_mm) if widths_mm else self.column_widths_mm(headers, texts)
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.autofit = False
        # the grid's widths first: each row added after takes its cells' widths from them
        for column, w in zip(table.columns, widths, strict=True):
            column.width = Mm(w)
        header = table.rows[0]
        for cell, text, w in zip(header.cells, headers, widths, strict=True):
            cell.width = Mm(w)
            self._cell(cell, text, bold=True)
        self._keep_row(header._tr, header=True)
        empty_row = None  # a data row before its cells are filled (widths, cantSplit), copied for the next
        for row, values in zip(texts, rows, strict=True):
            if empty_row is None:
                tr = table.add_row()._tr
                self._keep_row(tr)
                empty_row = deepcopy(tr)
            else:
                tr = deepcopy(empty_row)
                table._tbl.append(tr)
            for tc, text, value in zip(tr.tc_lst, row, values, strict=True):
                self._cell(_Cell(tc, table), text, url=value[1] if isinstance(value, tuple) else "")
        return table

    @staticmethod
    def _keep_row(tr, header: bool = False):
        """No row split across two pages; the header row repeated on each."""

        tr_pr = tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if header:
            tr_pr.append(OxmlElement("w:tblHeader"))

    def _cell(self, cell, text: str, bold: bool = False, url: str = ""):
        """A cell's one paragraph of 4号 text. The formatting of the first cell of each kind (plain or
        bold, or a link) is copied to the next: a long table is written in a fraction of the time that
        setting each run's font through python-docx takes, and the XML is the same."""

        p = cell.paragraphs[0]
        kind = ("link" if url else "bold" if bold else "plain", bool(text))
        prototype = self._cell_prototypes.get(kind)
        if prototype is not None and _plain_text(text):
            made = deepcopy(prototype)
            if text:
                made.find(f".//{qn('w:t')}").text = text
            if url:
                made.find(qn("w:hyperlink")).set(qn("r:id"), p.part.relate_to(url, RT.HYPERLINK, is_external=True))
            p._p.getparent().replace(p._p, made)
            return
        p.paragraph_format.line_spacing = Pt(self.SIZE_4 * 1.3)
        if url:
            self.hyperlink(p, text, url, size=self.SIZE_4)
        else:
            run = p.add_run(text)
            self._set_font(run.font, run._element, self.BODY_FONT, self.SIZE_4, bold)
        if _plain_text(text):
            self._cell_prototypes[kind] = deepcopy(p._p)

    def attachment_list(self, names: Sequence[str]):
        """附件说明 (GB/T 9704-2012 7.3.4): a blank line after the body, then “附件：1.名称”, the
        following items aligned under the first name; the extension is left off."""
        if not names:
            return
        self._para("")
        for number, name in enumerate(names, start=1):
            stem = name.rsplit(".", 1)[0] if "." in name else name
            self._para(("附件：" if number == 1 else "　　　") + (f"{number}." if len(names) > 1 else "") + stem)

    def signature(self, signer: str, day: dt.date):
        """The issuing body and date at the right, as the closing of an official document."""
        self._para("")
        self._para(signer, align=self._align.RIGHT)
        self._para(cn_date(day), align=self._align.RIGHT)

    def signing_block(self, *parties: Sequence[str]):
        """Signature spaces side by side (甲方 | 乙方), each party's lines in its own column of a
        borderless table, so that a line such as “日期：　　年　　月　　日” never wraps."""

        self._para("")
        table = self.doc.add_table(rows=1, cols=len(parties))
        table.autofit = False
        borders = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            line = OxmlElement(f"w:{edge}")
            line.set(qn("w:val"), "nil")
            borders.append(line)
        table._tbl.tblPr.append(borders)
        width = Mm(self.TYPE_WIDTH_MM / len(parties))
        for cell, lines in zip(table.rows[0].cells, parties, strict=True):
            cell.width = width
            for i, line in enumerate(lines):
                p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
                run = p.add_run(line)
                self._set_font(run.font, run._element, self.BODY_FONT, self.SIZE_3)
        for column in table.columns:
            column.width = width
        return table

    def page_break(self):
        self.doc.add_page_break()

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


def docx_response(document: OfficialDocument, filename: str) -> HttpResponse:
    return file_response(document.to_bytes(), filename, DOCX_MIME)
