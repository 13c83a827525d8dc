"""Excel workbooks people open on a laptop: columns sized to what they hold, the header row frozen
and filterable, long text wrapped (used by the campaign report and the indicator exports)."""

import unicodedata

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="F1F3F5")
MIN_WIDTH, MAX_WIDTH = 6, 60


def text_width(value) -> int:
    """Width in Excel's character units: a CJK (wide) character counts twice."""
    text = "" if value is None else str(value)
    longest = max(text.split("\n"), key=len) if text else ""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in longest)


def sheet_finish(sheet, *, header_row: int = 1) -> None:
    """Sizes every column to its longest cell (header and table rows, not one-cell note lines; within
    MIN_WIDTH–MAX_WIDTH), wraps
    cells wider than that, freezes the rows down to the header and puts a filter on it."""
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=header_row):
        if row[0].row != header_row and sum(c.value not in (None, "") for c in row) <= 1:
            continue  # a note line between tables (it may run over the empty cells beside it)
        for cell in row:
            widths[cell.column] = max(widths.get(cell.column, 0), text_width(cell.value))
    for column, width in widths.items():
        fitted = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
        sheet.column_dimensions[get_column_letter(column)].width = fitted
        if width + 2 > MAX_WIDTH:
            for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=column, max_col=column):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate
    if sheet.max_row > header_row and sheet.max_column:
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(sheet.max_column)}{sheet.max_row}"
