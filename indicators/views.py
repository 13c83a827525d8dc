"""Views: the player's play beacon, the indicators API, the admin dashboard and its exports."""

from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalogue.models import Region, ResourceFile
from catalogue.selectors import resource_is_public

from . import conf
from .charts import trend_svg
from .exports import export_filename, workbook_bytes
from .models import Action
from .periods import Period, PeriodError, current_month, parse_period
from .recording import access_record
from .robots import robots_list_date
from .scheduling import is_stale, refresh_schedule_ensure, refreshed_at
from .selectors import (
    api_payload,
    exclusion_summary,
    indicator_rows,
    indicator_scope,
    monthly_trend,
    rank_rows,
    ranked_rows,
    region_row,
    regions_active_share,
    top_resources,
    usage_by_theme,
    usage_spikes,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_POST
def play_beacon(request):
    """The player reports one play (CSRF-protected: Django's middleware checks the token). What it
    names is checked here; whether and how the play counts is decided by the one pipeline."""
    try:
        file_id = int(request.POST.get("file", ""))
        resource_id = int(request.POST.get("resource", ""))
    except ValueError:
        return HttpResponseBadRequest(_("参数无效。"))
    media_file = (
        ResourceFile.objects.select_related("page")
        .filter(pk=file_id, page_id=resource_id, kind__in=[ResourceFile.Kind.VIDEO, ResourceFile.Kind.AUDIO])
        .first()
    )
    if media_file is None or not resource_is_public(media_file.page):
        return HttpResponseBadRequest(_("资源不存在或未公开。"))
    access_record(request=request, resource=media_file.page, action=Action.PLAY, file=media_file)
    return HttpResponse(status=204)


def _resolve(request, scope):
    """Period, level and region from the query string, within what the user may see."""
    try:
        period = parse_period(request.GET.get("period") or str(current_month()))
    except PeriodError as exc:
        raise ValueError(str(exc)) from exc
    level = request.GET.get("level", "region")
    if level not in ("city", "region", "school"):
        raise ValueError(_("level 只能是 city、region 或 school。"))
    region = None
    region_param = request.GET.get("region", "").strip()
    if region_param:
        region = Region.objects.filter(code=region_param).first() or Region.objects.filter(name=region_param).first()
        if region is None:
            raise ValueError(_("找不到县（区）：%(r)s") % {"r": region_param})
    if not scope.is_city:
        if level == "city" or (region is not None and region.pk != scope.region.pk):
            raise PermissionDenied
        region = scope.region
    return period, level, region


@require_GET
def indicators_api(request):
    scope = indicator_scope(request.user)
    if scope is None:
        return JsonResponse({"detail": _("无权查看指标数据。")}, status=403)
    try:
        period, level, region = _resolve(request, scope)
    except PermissionDenied:
        return JsonResponse({"detail": _("只能查看本县（区）的数据。")}, status=403)
    except ValueError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    _freshness()
    return JsonResponse(api_payload(period, level, region), json_dumps_params={"ensure_ascii": False})


def _freshness() -> dict:
    """When the figures were last brought up to date, and whether that is older than promised (then
    the worker's refresh chain is restarted, in case it was lost)."""
    moment = refreshed_at()
    stale = is_stale(moment)
    if stale:
        refresh_schedule_ensure()
    return {"refreshed_at": moment, "refresh_stale": stale, "max_age_minutes": conf.max_age_seconds() // 60}


def _scope_or_403(request):
    scope = indicator_scope(request.user)
    if scope is None:
        raise PermissionDenied
    return scope


def _period_choices(months: int = 24, quarters: int = 8) -> list[tuple[str, str]]:
    """The recent months and quarters offered by the period box (newest first); any other can be typed."""
    today = current_month()
    choices = []
    year, month = today.year, today.month
    for _n in range(months):
        period = Period(year=year, month=month)
        choices.append((str(period), period.label))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    year, quarter = today.year, (today.month - 1) // 3 + 1
    for _n in range(quarters):
        period = Period(year=year, quarter=quarter)
        choices.append((str(period), period.label))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return choices


def dashboard(request):
    scope = _scope_or_403(request)
    error = None
    try:
        period, _level, region = _resolve(request, scope)
    except ValueError as exc:
        error = str(exc)
        period, region = current_month(), scope.region
    target = conf.target_score()
    context = {
        "period": period,
        "region": region,
        "error": error,
        "target": target,
        "scope": scope,
        "regions": Region.objects.all() if scope.is_city else [scope.region],
        "period_choices": _period_choices(),
    }
    if region is None:
        context["city"] = indicator_rows(period, "city")[0]
        context["region_rows"], context["region_rows_apart"] = rank_rows(indicator_rows(period, "region"))
        if period.is_quarter:
            context["share"] = regions_active_share(period)
    else:
        context["region_row"] = region_row(period, region)
        context["regions_ranked"] = sum(1 for r in ranked_rows(period, "region") if r["rank"] is not None)
        context["school_rows"], context["school_rows_apart"] = rank_rows(indicator_rows(period, "school", region))
    context.update(_freshness())
    context["today"] = timezone.localdate()
    context["exclusions"] = exclusion_summary(period, region)
    end_year, end_month = period.months[-1]
    trend = monthly_trend(end_year, end_month, region)
    context["trend_svg"] = trend_svg(
        trend,
        [
            ("teacher_score", _("教师访问得分"), "ind-series-teacher"),
            ("student_score", _("学生访问得分"), "ind-series-student"),
        ],
        title=_("近12个月访问得分趋势"),
        target=target,
    )
    context["trend"] = trend
    context["top_resources"] = top_resources(period, region)
    context["themes"] = usage_by_theme(period, region)
    context["spikes"] = usage_spikes(end_year, end_month, region)
    context["robots_date"] = robots_list_date()
    context["query"] = request.GET.urlencode()
    context["period_value"] = str(period)
    return render(request, "indicators/dashboard.html", context)


def export_xlsx(request):
    scope = _scope_or_403(request)
    try:
        period, _level, region = _resolve(request, scope)
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc))
    _freshness()
    response = HttpResponse(workbook_bytes(period, region=region), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(export_filename(period))}"
    return response
