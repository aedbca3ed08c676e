"""Documents (docs/architecture.md: one place for .xlsx in and out, and .docx out).

Every export and import of every module goes through here, so that headers, column widths,
date formats, file names and the row-by-row validation report are the same everywhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

# The fontconfig substitutions of the official fonts, for machines that render documents with LibreOffice.
FONTCONFIG_DIR = Path(__file__).resolve().parent.parent / "data" / "fontconfig"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_HEADER_FILL = PatternFill("solid", fgColor="F3D9D9")


def _plain_text(text: str) -> bool:
    """Text that python-docx writes as one w:t without xml:space (no tab, break or edge space), or none,
    so that a copied run's w:t can simply take it."""
    return text == text.strip() and not any(c in text for c in "\t\n\r")


def _cell_value(value):
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def text_width(text: str) -> int:
    """Display width in half-width characters: a Chinese character (or full-width sign) counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown(value) -> str:
    """The text a cell shows, for measuring it (dates as the sheet formats them)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return "2026-01-01 00:00:00"
    if isinstance(value, dt.date):
        return "2026-01-01"
    return str(value)


# Columns sized from the header and the first rows; a long text column is capped (the cell wraps on print).
_MEASURED_ROWS = 500
_MAX_COLUMN = 50
# An A4 portrait page prints about 90 default-width characters between margins; a wider list is
# turned to landscape, scaled to one page wide.
_PORTRAIT_WIDTH = 90


def column_widths(headers: Sequence[str], rows: Sequence[Sequence]) -> list[int]:
    widths = [text_width(str(h)) for h in headers]
    for row in rows:
        for i, value in enumerate(row[:len(widths)]):
            longest = max((text_width(line) for line in _shown(value).splitlines()), default=0)
            widths[i] = max(widths[i], longest)
    return [min(max(w + 2, 6), _MAX_COLUMN) for w in widths]


def _print_setup(ws, header_rows: int, total_width: float) -> None:
    """Every sheet prints the same way: A4, the header row repeated on each page, page numbers in the
    footer, and a list wider than a portrait page in landscape, one page wide."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    if header_rows:
        ws.print_title_rows = f"1:{header_rows}"
    if total_width > _PORTRAIT_WIDTH:
        ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # 0: as many pages tall as needed
    ws.print_options.gridLines = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def write_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence], *, notes: Sequence[str] = ()) -> bytes:
    """A workbook with one sheet: a bold header row, frozen and repeated on every printed page, filters
    on, columns as wide as their content, and a print layout that fits the page width.

    Rows are streamed in write-only mode, so a 100,000-row export does not hold cells in memory: the
    widths are measured on the first rows, which are held back until the columns are set.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    rows = iter(rows)
    first = [list(r) for r in itertools.islice(rows, _MEASURED_ROWS)]
    widths = column_widths(headers, first)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    _print_setup(ws, 1, sum(widths))
    from openpyxl.cell import WriteOnlyCell

    def styled(value):
        cell = WriteOnlyCell(ws, value=value)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        return cell

    ws.append([styled(h) for h in headers])
    count = 0
    for row in itertools.chain(first, rows):
        ws.append([_cell_value(v) for v in row])
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    if notes:
        info = wb.create_sheet("填写说明")
        width = column_widths([""], [[line] for line in notes])[0]
        info.column_dimensions["A"].width = width
        _print_setup(info, 0, width)
        for line in notes:
            info.append([line])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def file_response(content: bytes, filename: str, mime: str) -> HttpResponse:
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def xlsx_response(title: str, headers: Sequence[str], rows: Iterable[Sequence], *, filename: str | None = None,
                  notes: Sequence[str] = ()) -> HttpResponse:
    stamp = timezone.localdate().strftime("%Y%m%d")
    return file_response(write_xlsx(title, headers, rows, notes=notes), filename or f"{title}{stamp}.xlsx", XLSX_MIME)


@dataclass
class RowError:
    row: int  # the spreadsheet row number the user sees (header is row 1)
    column: str
    message: str


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))


class XlsxFormatError(ValueError):
    """The upload is not a readable workbook or CSV file, or lacks the template's columns."""


def read_table_rows(upload, headers: Sequence[str], *, max_rows: int = 200_000):
    """``read_xlsx_rows`` for a workbook, ``read_csv_rows`` for a .csv file: the same rows, the same refusals."""
    if (getattr(upload, "name", "") or "").lower().endswith(".csv"):
        return read_csv_rows(upload, headers, max_rows=max_rows)
    return read_xlsx_rows(upload, headers, max_rows=max_rows)


def read_xlsx_rows(upload, headers: Sequence[str], *, max_rows: int = 200_000):
    """Yield (row_number, {header: value}) for each non-empty row of the first sheet.

    The header row must hold every expected column (any order; extra columns are ignored).
    """
    yield from _rows_by_header(_xlsx_grid(upload), headers, max_rows)


def _xlsx_grid(upload):
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise XlsxFormatError("文件不是有效的 Excel (.xlsx) 工作簿，请使用下载的模板填写。") from exc
    try:
        yield from wb.worksheets[0].iter_rows(values_only=True)
    finally:
        wb.close()


# Offices export CSV from other systems in UTF-8 (with or without a byte-order mark) or in GBK; GB18030
# reads GBK and GB2312 too. Text that is valid UTF-8 is read as UTF-8: GBK Chinese almost never is.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_csv(data: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise XlsxFormatError("CSV 文件的编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV 文件。")


def read_csv_rows(upload, headers: Sequence[str], *, max_rows: int = 200_000):
    """The rows of a CSV file, as ``read_xlsx_rows`` gives a sheet's (an empty cell is None)."""
    yield from _rows_by_header(_csv_grid(upload), headers, max_rows)


def _csv_grid(upload):
    text = decode_csv(upload.read())
    if "\x00" in text:
        raise XlsxFormatError("文件不是文本格式的 CSV 文件。")
    try:
        rows = [[v if v.strip() else None for v in row] for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise XlsxFormatError(f"CSV 文件格式有误：{exc}") from exc
    return iter(rows)


def read_table_grid(upload, *, max_rows: int = 200_000):
    """The header row's texts, and (row_number, [cell values]) for each non-empty row below it: a sheet whose
    columns are not known in advance (an import with a column-mapping step). The same files and refusals as
    ``read_table_rows``."""
    is_csv = (getattr(upload, "name", "") or "").lower().endswith(".csv")
    rows = _csv_grid(upload) if is_csv else _xlsx_grid(upload)
    try:
        header = next(rows)
    except StopIteration as exc:
        raise XlsxFormatError("工作表为空：第1行应为表头。") from exc
    names = [str(h).strip() if h is not None else "" for h in header]
    while names and not names[-1]:
        names.pop()

    def body():
        for number, row in enumerate(rows, start=2):
            if number - 1 > max_rows:
                raise XlsxFormatError(f"一次最多导入 {max_rows} 行。")
            if row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            yield number, [v.strip() if isinstance(v, str) else v for v in row]

    return names, body()


def _rows_by_header(rows, headers: Sequence[str], max_rows: int):
    try:
        header_row = next(rows)
    except StopIteration as exc:
        raise XlsxFormatError("工作表为空：第1行应为表头。") from exc
    names = [str(h).strip() if h is not None else "" for h in header_row]
    missing = [h for h in headers if h not in names]
    if missing:
        raise XlsxFormatError(f"第1行表头缺少列：{'、'.join(missing)}。请使用下载的模板。")
    index = {h: names.index(h) for h in headers}
    for number, row in enumerate(rows, start=2):
        if number - 1 > max_rows:
            raise XlsxFormatError(f"一次最多导入 {max_rows} 行。")
        if row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        values = {}
        for h, i in index.items():
            v = row[i] if i < len(row) else None
            values[h] = v.strip() if isinstance(v, str) else v
        yield number, values


# ---- Word documents in the official layout (GB/T 9704-2012 《党政机关公文格式》) -------------------

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
        from docx import Document
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm

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
        from docx.shared import Pt

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
        from docx.oxml.ns import qn

        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = rpr.makeelement(qn("w:lang"), {})
            rpr.append(lang)
        lang.set(qn("w:eastAsia"), "zh-CN")

    def _declare_fonts(self):
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from lxml import etree

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
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt

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
        from docx.oxml.ns import qn
        from docx.shared import Pt

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
        from docx.shared import Pt

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
        return self._para(text, font=self.H1_FONT)

    def heading2(self, text: str):
        return self._para(text, font=self.H2_FONT)

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
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.text.run import Run

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
        from docx.shared import Mm
        from docx.table import _Cell

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
        from docx.oxml import OxmlElement

        tr_pr = tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if header:
            tr_pr.append(OxmlElement("w:tblHeader"))

    def _cell(self, cell, text: str, bold: bool = False, url: str = ""):
        """A cell's one paragraph of 4号 text. The formatting of the first cell of each kind (plain or
        bold, or a link) is copied to the next: a long table is written in a fraction of the time that
        setting each run's font through python-docx takes, and the XML is the same."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.oxml.ns import qn
        from docx.shared import Pt

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
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm

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
