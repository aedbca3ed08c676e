"""Documents (docs/architecture.md: one place for .xlsx in and out, and .docx out).

Every export and import of every module goes through here, so that headers, column widths, date formats,
file names and the row-by-row validation report are the same everywhere: spreadsheets in ``tables``, Word
documents in the official layout in ``official``.
"""

from .official import (
    FONT_FALLBACKS,
    FONTCONFIG_DIR,
    OfficialDocument,
    cn_date,
    cn_ordinal,
    docx_response,
    join_title,
)
from .tables import (
    DOCX_MIME,
    XLSX_MIME,
    ImportReport,
    RowError,
    XlsxFormatError,
    column_widths,
    file_response,
    read_table_grid,
    read_table_rows,
    text_width,
    write_xlsx,
    xlsx_response,
)

__all__ = [
    "DOCX_MIME", "FONTCONFIG_DIR", "FONT_FALLBACKS", "XLSX_MIME", "ImportReport", "OfficialDocument", "RowError",
    "XlsxFormatError", "cn_date", "cn_ordinal", "column_widths", "docx_response", "file_response", "join_title",
    "read_table_grid", "read_table_rows", "text_width", "write_xlsx", "xlsx_response",
]
