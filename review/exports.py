"""The campaign report as xlsx / csv / json (used by `campaign_report` and the admin's button).

xlsx has three sheets: the submissions (scores, award), the review history (评审记录) and the
expert comments (专家评语); json holds the same three tables; csv is one table per file:
`csv` the submissions, `history.csv` the history, `comments.csv` the expert comments.
"""

import csv
import io
import json
from decimal import Decimal

from openpyxl import Workbook

from ops import workbooks

from . import selectors

CSV = "text/csv; charset=utf-8"
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": CSV,
    "history.csv": CSV,
    "comments.csv": CSV,
    "json": "application/json",
}


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def _csv(headers, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    # A BOM so that Excel on a Chinese Windows opens the UTF-8 file correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _records(headers, rows) -> list[dict]:
    return [dict(zip(headers, map(_plain, row), strict=True)) for row in rows]


def campaign_report(campaign, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the report of `campaign` in `fmt`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    filename = f"campaign-{campaign.year}-report.{fmt}"
    if fmt == "history.csv":
        return _csv(*selectors.report_history(campaign)), CSV, f"campaign-{campaign.year}-history.csv"
    if fmt == "comments.csv":
        return _csv(*selectors.report_comments(campaign)), CSV, f"campaign-{campaign.year}-comments.csv"
    headers, rows = selectors.report(campaign)
    if fmt == "csv":
        return _csv(headers, rows), CSV, filename
    history, comments = selectors.report_history(campaign), selectors.report_comments(campaign)
    if fmt == "json":
        data = {
            "campaign": campaign.title,
            "year": campaign.year,
            "columns": headers,
            "submissions": _records(headers, rows),
            "history": _records(*history),
            "expert_comments": _records(*comments),
        }
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"), FORMATS[fmt], filename
    workbook = Workbook()
    sheets = [
        (workbook.active, f"{campaign.year}年征集", headers, rows),
        (workbook.create_sheet(), "评审记录", *history),
        (workbook.create_sheet(), "专家评语", *comments),
    ]
    for sheet, title, sheet_headers, sheet_rows in sheets:
        sheet.title = title
        sheet.append(sheet_headers)
        for row in sheet_rows:
            sheet.append([_plain(v) for v in row])
        workbooks.sheet_finish(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), FORMATS[fmt], filename
