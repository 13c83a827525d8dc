"""The monthly monitoring (月度监测) and quarterly bulletin (季度通报) spreadsheets, and CSV/JSON."""

import csv
import io
import json

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from ops import workbooks

from . import conf
from .periods import Period
from .robots import robots_list_date
from .selectors import (
    API_KEYS,
    MET,
    NOT_MET,
    api_payload,
    indicator_rows,
    rank_rows,
    region_row,
    regions_active_share,
)
from .selectors import (
    NO_DATA as STATUS_NO_DATA,
)

NO_DATA = "无数据"

COLUMNS = [
    ("rank", "排名"),
    ("region", "县（区）"),
    ("school", "学校"),
    ("teachers", "专任教师数"),
    ("students", "在校学生数"),
    ("teacher_visits", "教师访问量"),
    ("teacher_unique_visits", "教师独立访问"),
    ("teacher_visits_per_100", "教师每百人访问量"),
    ("teacher_visit_score", "教师访问得分"),
    ("student_visits", "学生（含家长）访问量"),
    ("student_unique_visits", "学生独立访问"),
    ("student_visits_per_100", "学生每百人访问量"),
    ("student_visit_score", "学生访问得分"),
]
QUARTER_COLUMNS = [("teacher_active_rate", "教师活跃率"), ("student_active_rate", "学生活跃率")]
FLAG = PatternFill("solid", fgColor="FDE2E1")


STATUS_LABELS = {MET: "达标", NOT_MET: "未达标", STATUS_NO_DATA: "无基数"}


def updated_label(moment=None) -> str:
    """ "数据更新于 hh:mm" (with the date when it is not today) from the real refresh time."""
    from .scheduling import refreshed_at

    moment = moment or refreshed_at()
    if moment is None:
        return _("数据尚未更新")
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return _("数据更新于 %(t)s") % {"t": local.strftime("%H:%M")}
    return _("数据更新于 %(t)s") % {"t": local.strftime("%Y-%m-%d %H:%M")}


def _sheet(wb: Workbook, title: str, rows: list[dict], columns, *, heading: str, ranked: bool):
    ws = wb.create_sheet(title)
    ws.append([heading])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_(label) for _key, label in columns] + [_("达标情况")])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)

    def append(row):
        values = []
        for key, _label in columns:
            value = row.get(key)
            if key == "rank":
                value = value or "—"
            elif key in ("region", "school"):
                value = value or ""
            elif value is None:
                value = NO_DATA
            values.append(value)
        status = row["target_status"]
        ws.append(values + [_(STATUS_LABELS[status])])
        if status == NOT_MET:
            for cell in ws[ws.max_row]:
                cell.fill = FLAG

    if ranked:
        ranked_rows, apart = rank_rows(rows)
        for row in ranked_rows:
            append(row)
        if apart:
            ws.append([])
            ws.append([_("以下单位缺少师生基数，无法计算得分，不参与排名：")])
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
            for row in apart:
                append(row)
    else:
        for row in rows:
            append(row)
    workbooks.sheet_finish(ws, header_row=2)
    return ws


def _notes(wb: Workbook, period: Period):
    ws = wb.create_sheet(_("说明"))
    lines = [
        _("统计周期：%(p)s（北京时间自然月/季度）") % {"p": period.label},
        _("生成时间：%(t)s") % {"t": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        _(
            "访问量：COUNTER R5.1 Total_Item_Investigations（浏览、下载、播放），已剔除机器人、30秒内重复点击及审核管理访问。"
        ),
        _("教师每百人访问量 = 教师月访问量 ÷ 专任教师数 × 100；月得分 = min(100, 每百人访问量 ÷ 400 × 100)。"),
        _("学生每百人访问量 = 学生和家长月访问量 ÷ 在校学生数 × 100；月得分 = min(100, 每百人访问量 ÷ 100 × 100)。"),
        _("季度得分取月得分均值，无访问的月份计 0 分并参与平均。"),
        _("活跃率 = 季度内使用 1 天及以上人数 ÷ 基数 × 40 + 使用 2 天及以上人数 ÷ 基数 × 60，最高 100。"),
        _(
            "达标：各项得分（月度为教师、学生访问得分，季度另含两项活跃率）均不低于目标分 %(t)d 分；"
            "任一项低于目标为“未达标”（标红）。缺少师生基数的单位显示“无数据/无基数”，不是 0 分，也不参与排名。"
        )
        % {"t": conf.target_score()},
        _(
            "排除项：机器人与自动化程序、30 秒内重复点击、审核与管理访问、异常高频访问（单个访问者一分钟或一天内访问过多资源）。"
        ),
        updated_label(),
        _("机器人名单：COUNTER-Robots（%(d)s）。") % {"d": robots_list_date()},
    ]
    for line in lines:
        ws.append([line])
    ws.column_dimensions["A"].width = 120


def workbook_for(period: Period, *, region=None) -> Workbook:
    """月度监测 for a month, 季度通报 for a quarter; a county reviewer's copy holds their region only."""
    wb = Workbook()
    wb.remove(wb.active)
    kind = _("季度通报") if period.is_quarter else _("月度监测")
    columns = COLUMNS + (QUARTER_COLUMNS if period.is_quarter else [])
    heading = _("驻马店市平台资源应用成效%(kind)s（%(period)s）%(updated)s") % {
        "kind": kind,
        "period": period.label,
        "updated": "  " + updated_label(),
    }
    if region is None:
        city = indicator_rows(period, "city")
        _sheet(
            wb,
            _("全市"),
            city,
            [c for c in columns if c[0] not in ("rank", "region", "school")],
            heading=heading,
            ranked=False,
        )
        if period.is_quarter:
            share = regions_active_share(period)
            ws = wb[_("全市")]
            ws.append([])
            ws.append(
                [
                    _("教师用户活跃县区比率"),
                    NO_DATA if share["value"] is None else share["value"],
                    _("达标县区：%(n)d / %(t)d") % {"n": len(share["active_regions"]), "t": share["regions_total"]},
                ]
            )
        _sheet(
            wb,
            _("县区排名"),
            indicator_rows(period, "region"),
            [c for c in columns if c[0] != "school"],
            heading=heading,
            ranked=True,
        )
    else:
        _sheet(
            wb,
            _("县区"),
            [region_row(period, region)],
            [c for c in columns if c[0] != "school"],
            heading=heading,
            ranked=False,
        )
    schools_title = _("学校排名") if region is None else _("县内学校排名")
    _sheet(wb, schools_title, indicator_rows(period, "school", region), columns, heading=heading, ranked=True)
    _notes(wb, period)
    return wb


def workbook_bytes(period: Period, *, region=None) -> bytes:
    buffer = io.BytesIO()
    workbook_for(period, region=region).save(buffer)
    return buffer.getvalue()


def export_filename(period: Period) -> str:
    kind = "季度通报" if period.is_quarter else "月度监测"
    return f"{kind}-{period}.xlsx"


def as_json(period: Period, level: str, region=None) -> str:
    return json.dumps(api_payload(period, level, region), ensure_ascii=False, indent=2)


def as_csv(period: Period, level: str, region=None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    payload = api_payload(period, level, region)
    writer.writerow(("period", "level") + API_KEYS + ("updated_at",))
    for row in payload["rows"]:
        writer.writerow(
            [str(period), level] + ["" if row[k] is None else row[k] for k in API_KEYS] + [payload["updated_at"] or ""]
        )
    return buffer.getvalue()
