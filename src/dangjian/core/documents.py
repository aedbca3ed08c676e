"""Documents (docs/architecture.md: one place for .xlsx in and out, and .docx out).

Every export and import of every module goes through here, so that headers, column widths,
date formats, file names and the row-by-row validation report are the same everywhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_HEADER_FILL = PatternFill("solid", fgColor="F3D9D9")


def _cell_value(value):
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return value


def write_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence], *, notes: Sequence[str] = ()) -> bytes:
    """A workbook with one sheet: a bold header row, frozen, filters on, sensible widths.

    Rows are streamed in write-only mode, so a 100,000-row export does not hold cells in memory.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    widths = [max(8, len(h) * 2 + 2) for h in headers]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(w, 40)
    ws.freeze_panes = "A2"
    from openpyxl.cell import WriteOnlyCell

    def styled(value):
        cell = WriteOnlyCell(ws, value=value)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        return cell

    ws.append([styled(h) for h in headers])
    count = 0
    for row in rows:
        ws.append([_cell_value(v) for v in row])
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    if notes:
        info = wb.create_sheet("填写说明")
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
    stamp = dt.date.today().strftime("%Y%m%d")
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
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise XlsxFormatError("文件不是有效的 Excel (.xlsx) 工作簿，请使用下载的模板填写。") from exc
    yield from _rows_by_header(wb.worksheets[0].iter_rows(values_only=True), headers, max_rows)
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
    text = decode_csv(upload.read())
    if "\x00" in text:
        raise XlsxFormatError("文件不是文本格式的 CSV 文件。")
    try:
        rows = [[v if v.strip() else None for v in row] for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise XlsxFormatError(f"CSV 文件格式有误：{exc}") from exc
    yield from _rows_by_header(iter(rows), headers, max_rows)


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


class OfficialDocument:
    """A .docx on A4 with the GB/T 9704 type area (156 × 225 mm, 22 lines of 28 characters).

    Title 2号小标宋, body 3号仿宋_GB2312, level-1 headings 3号黑体 "一、", level-2 3号楷体 "（一）".
    Fonts are named, not embedded: the offices' machines have them.
    """

    TITLE_FONT = "方正小标宋简体"
    BODY_FONT = "仿宋_GB2312"
    H1_FONT = "黑体"
    H2_FONT = "楷体_GB2312"
    SIZE_2 = 22  # 2号 in points
    SIZE_3 = 16  # 3号
    SIZE_4 = 14  # 4号, for tables
    LINE_PITCH = 28.95  # 225 mm / 22 lines, in points

    def __init__(self, title: str, *, doc_number: str = "", recipient: str = ""):
        from docx import Document
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm

        self._align = WD_ALIGN_PARAGRAPH
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        normal = self.doc.styles["Normal"]
        self._set_font(normal.font, normal.element, self.BODY_FONT, self.SIZE_3)
        fmt = normal.paragraph_format
        from docx.shared import Pt

        fmt.line_spacing = Pt(self.LINE_PITCH)
        fmt.space_before = fmt.space_after = Pt(0)
        if doc_number:
            self._para(doc_number, align=WD_ALIGN_PARAGRAPH.CENTER)
        self._para(title, font=self.TITLE_FONT, size=self.SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
        self._para("")
        if recipient:
            self._para(f"{recipient}：", indent=False)

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

    def heading1(self, text: str):
        return self._para(text, font=self.H1_FONT)

    def heading2(self, text: str):
        return self._para(text, font=self.H2_FONT)

    def paragraph(self, text: str):
        return self._para(text)

    def table(self, headers: Sequence[str], rows: Iterable[Sequence], widths_mm: Sequence[float] | None = None):
        from docx.shared import Mm

        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            self._cell(cell, text, bold=True)
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                self._cell(cell, "" if value is None else (cn_date(value) if isinstance(value, dt.date) else str(value)))
        if widths_mm:
            for row in table.rows:
                for cell, w in zip(row.cells, widths_mm, strict=True):
                    cell.width = Mm(w)
        return table

    def _cell(self, cell, text: str, bold: bool = False):
        from docx.shared import Pt

        p = cell.paragraphs[0]
        p.paragraph_format.line_spacing = Pt(self.SIZE_4 * 1.3)
        run = p.add_run(text)
        self._set_font(run.font, run._element, self.BODY_FONT, self.SIZE_4, bold)

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

    def page_break(self):
        self.doc.add_page_break()

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


def docx_response(document: OfficialDocument, filename: str) -> HttpResponse:
    return file_response(document.to_bytes(), filename, DOCX_MIME)
