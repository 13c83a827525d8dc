"""Reading import files (JSON Lines, JSON array, CSV, .xlsx) and reporting bad rows.

Row numbers are what a person sees when they open the file: the line number in JSON Lines and
CSV/xlsx (the header is line/row 1, so the first data row is 2), the position (from 1) in a JSON
array.
"""

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _


class ImportFileError(Exception):
    """The file as a whole cannot be read."""


@dataclass
class RowErrors:
    errors: list[tuple[int, str]] = field(default_factory=list)

    def add(self, row: int, message: str):
        self.errors.append((row, message))

    def __bool__(self):
        return bool(self.errors)

    def report(self) -> str:
        return "\n".join(_("第 %(row)s 行：%(message)s") % {"row": row, "message": msg} for row, msg in self.errors)


def _clean(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return str(value).strip()


def read_rows(path: str | Path) -> list[tuple[int, dict]]:
    path = Path(path)
    if not path.exists():
        raise ImportFileError(_("找不到文件：%s") % path)
    suffix = path.suffix.lower()
    try:
        if suffix in {".jsonl", ".ndjson"}:
            return _read_jsonl(path)
        if suffix == ".json":
            return _read_json(path)
        if suffix == ".csv":
            return _read_csv(path)
        if suffix == ".xlsx":
            return _read_xlsx(path)
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("文件不是 UTF-8 编码，请另存为 UTF-8 后重试。")) from exc
    raise ImportFileError(_("不支持的文件类型 %s：请使用 .jsonl、.json、.csv 或 .xlsx。") % suffix)


def _normalise(record: dict) -> dict:
    return {str(k).strip().lower(): _clean(v) for k, v in record.items() if k is not None}


def _read_jsonl(path):
    rows = []
    with path.open(encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ImportFileError(_("第 %(row)s 行不是合法的 JSON：%(err)s") % {"row": number, "err": exc.msg}) from exc
            if not isinstance(record, dict):
                raise ImportFileError(_("第 %s 行应为一个 JSON 对象。") % number)
            rows.append((number, _normalise(record)))
    return rows


def _read_json(path):
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ImportFileError(_("文件不是合法的 JSON：%s") % exc.msg) from exc
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ImportFileError(_("JSON 文件应为由对象组成的数组。"))
    return [(number, _normalise(record)) for number, record in enumerate(data, start=1)]


def _read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return [(number, _normalise(record)) for number, record in enumerate(reader, start=2) if any(record.values())]


def _read_xlsx(path):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged file
        raise ImportFileError(_("无法读取 Excel 文件：%s") % exc) from exc
    sheet = workbook.worksheets[0]
    rows_iter = sheet.iter_rows(values_only=True)
    header = next(rows_iter, None)
    if not header:
        return []
    keys = [str(h).strip().lower() if h is not None else "" for h in header]
    rows = []
    for number, values in enumerate(rows_iter, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        rows.append((number, _normalise({k: v for k, v in zip(keys, values, strict=False) if k})))
    workbook.close()
    return rows


def split_list(value) -> list[str]:
    """'科学、劳动教育' / '科学,劳动教育' / ['科学', '劳动教育'] -> ['科学', '劳动教育']."""
    import re

    if isinstance(value, list):
        return value
    return [v for v in re.split(r"[、，,;；|]+", value or "") if v.strip()]
