"""Importing historical access logs and the official denominators. Either every row is good and
everything is imported, or nothing is and each bad row is reported with its number and reason."""

import hashlib
import ipaddress
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from wagtail.models import Site

from catalogue.importing import RowErrors, read_rows
from catalogue.models import Region, ResourcePage, School

from .models import AccessLogImport, Action, Denominator, Source
from .recording import access_event
from .services import access_events_ingest, rollup_state, rollups_refresh_dirty

LOG_COLUMNS = ("time", "username", "resource", "action", "user_agent", "ip", "session")


class AlreadyImported(Exception):
    pass


def _resource_lookup() -> tuple[dict, dict]:
    """external_id -> id and public URL path -> id, for every resource."""
    by_external, by_path = {}, {}
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    root = site.root_page.url_path if site else "/"
    for pk, external_id, url_path in ResourcePage.objects.values_list("pk", "external_id", "url_path"):
        if external_id:
            by_external[external_id] = pk
        if url_path.startswith(root):
            by_path["/" + url_path[len(root) :]] = pk
    return by_external, by_path


def _parse_log_rows(rows) -> tuple[list[dict], RowErrors]:
    errors = RowErrors()
    if rows:
        missing = [c for c in LOG_COLUMNS if c not in rows[0][1]]
        if missing:
            errors.add(rows[0][0], _("缺少列：%s") % "、".join(missing))
            return [], errors
    by_external, by_path = _resource_lookup()
    horizon = rollup_state().purged_before
    users = {}
    User = get_user_model()
    events = []
    for number, row in rows:
        problems = []
        moment = parse_datetime(row.get("time", "")) if row.get("time") else None
        if moment is None:
            problems.append(_("时间无效（应为 ISO 8601，如 2026-03-05T09:30:00+08:00）"))
        elif moment.tzinfo is None:
            problems.append(_("时间缺少时区偏移（如 +08:00）"))
        elif horizon and timezone.localtime(moment).date() < horizon:
            # Those days' raw events were purged: recounting them from this file alone would
            # replace the kept roll-ups with a partial count.
            problems.append(_("早于原始访问记录保留期（%s 之前的记录已删除，其统计不再重算）") % horizon.isoformat())
        resource_ref = row.get("resource", "")
        resource_id = by_external.get(resource_ref)
        if resource_id is None and resource_ref.startswith("/"):
            path = resource_ref.split("?", 1)[0]
            resource_id = by_path.get(path if path.endswith("/") else path + "/")
        if resource_id is None:
            problems.append(_("找不到资源：%s") % (resource_ref or _("（空）")))
        action = row.get("action", "")
        if action not in Action.values:
            problems.append(_("动作无效：%s（应为 view、download 或 play）") % (action or _("（空）")))
        ip = row.get("ip", "")
        if ip:
            try:
                ipaddress.ip_address(ip)
            except ValueError:
                problems.append(_("IP 地址无效：%s") % ip)
        username = row.get("username", "")
        user = None
        if username:
            if username not in users:
                users[username] = User.objects.select_related("profile").filter(username=username).first()
            user = users[username]
            if user is None:
                problems.append(_("找不到用户：%s") % username)
        if problems:
            errors.add(number, "；".join(problems))
            continue
        events.append(
            access_event(
                moment=moment,
                resource_id=resource_id,
                action=action,
                user=user,
                session_key=row.get("session", "") if user else "",
                ip=ip,
                user_agent=row.get("user_agent", ""),
                source=Source.IMPORT,
            )
        )
    return events, errors


def access_log_import(*, path: str | Path) -> tuple[int, RowErrors]:
    """Load a CSV / JSON Lines access log through the same COUNTER processing as live hits."""
    path = Path(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""
    rows = read_rows(path)
    if digest and AccessLogImport.objects.filter(digest=digest).exists():
        raise AlreadyImported(_("该文件已导入过（内容相同），未重复导入。"))
    events, errors = _parse_log_rows(rows)
    if errors:
        return 0, errors
    with transaction.atomic():
        AccessLogImport.objects.create(digest=digest, filename=path.name[:255], rows=len(events))
        access_events_ingest(events=events, refresh=False)
        rollups_refresh_dirty()
    return len(events), errors


def _non_negative(value: str, label: str, problems: list) -> int | None:
    if value == "":
        return None
    try:
        number = int(float(value))
        if number < 0 or float(value) != number:
            raise ValueError
    except ValueError:
        problems.append(_("%(label)s应为非负整数：%(value)s") % {"label": label, "value": value})
        return None
    return number


def denominators_import(*, path: str | Path) -> tuple[int, RowErrors]:
    """year, region, school, teachers, students (school empty = the region's total); an empty
    number means unknown. Existing rows for the same year and region/school are replaced."""
    rows = read_rows(path)
    errors = RowErrors()
    regions = {r.name: r for r in Region.objects.all()} | {r.code: r for r in Region.objects.all()}
    parsed, seen = [], {}
    for number, row in rows:
        problems = []
        try:
            year = int(row.get("year", ""))
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            year = None
            problems.append(_("年度无效：%s") % (row.get("year") or _("（空）")))
        region = regions.get(row.get("region", ""))
        if region is None:
            problems.append(_("找不到县（区）：%s") % (row.get("region") or _("（空）")))
        school = None
        if row.get("school") and region is not None:
            school = School.objects.filter(region=region, name=row["school"]).first()
            if school is None:
                problems.append(_("%(region)s没有学校：%(school)s") % {"region": region.name, "school": row["school"]})
        teachers = _non_negative(row.get("teachers", ""), _("专任教师数"), problems)
        students = _non_negative(row.get("students", ""), _("在校学生数"), problems)
        key = (year, region.pk if region else None, school.pk if school else None)
        if not problems and key in seen:
            problems.append(_("与第 %s 行重复") % seen[key])
        if problems:
            errors.add(number, "；".join(problems))
            continue
        seen[key] = number
        parsed.append((year, region, school, teachers, students))
    if errors:
        return 0, errors
    with transaction.atomic():
        for year, region, school, teachers, students in parsed:
            Denominator.objects.update_or_create(
                year=year, region=region, school=school, defaults={"teachers": teachers, "students": students}
            )
    return len(parsed), errors


__all__ = ["access_log_import", "denominators_import", "AlreadyImported"]
