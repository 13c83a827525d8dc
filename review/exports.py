"""The campaign report as xlsx / csv / json (used by `campaign_report` and the admin's button)."""

import csv
import io
import json
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from . import selectors

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def campaign_report(campaign, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the report of `campaign` in `fmt`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    headers, rows = selectors.report(campaign)
    filename = f"campaign-{campaign.year}-report.{fmt}"
    if fmt == "json":
        data = {
            "campaign": campaign.title,
            "year": campaign.year,
            "columns": headers,
            "submissions": [dict(zip(headers, map(_plain, row), strict=True)) for row in rows],
        }
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"), FORMATS[fmt], filename
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
        # A BOM so that Excel on a Chinese Windows opens the UTF-8 file correctly.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8"), FORMATS[fmt], filename
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{campaign.year}年征集"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_plain(v) for v in row])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), FORMATS[fmt], filename
