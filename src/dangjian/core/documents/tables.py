"""Spreadsheets in and out: every .xlsx export, and every .xlsx or .csv import with its row-by-row report, so
that headers, column widths, date formats, file names and the validation report are the same everywhere."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_HEADER_FILL = PatternFill("solid", fgColor="F3D9D9")


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
