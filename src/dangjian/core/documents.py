"""Documents (DESIGN.md: one place for .xlsx in and out, and .docx out).

Every export and import of every module goes through here, so that headers, column widths,
date formats, file names and the row-by-row validation report are the same everywhere.
"""

from __future__ import annotations

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
    """The upload is not a readable workbook or lacks the template's columns."""


def read_xlsx_rows(upload, headers: Sequence[str], *, max_rows: int = 200_000):
    """Yield (row_number, {header: value}) for each non-empty row of the first sheet.

    The header row must hold every expected column (any order; extra columns are ignored).
    """
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise XlsxFormatError("文件不是有效的 Excel (.xlsx) 工作簿，请使用下载的模板填写。") from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
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
    wb.close()
