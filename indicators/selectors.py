"""Reads: the official indicators computed from roll-ups and denominators, exactly by the rules
of the indicator table (seeds/003, design.md §4). Arithmetic is exact (fractions); figures are
rounded half-up to two decimals only when shown. A missing denominator yields None ("no data")."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, Q, Sum
from django.utils import timezone

from catalogue.models import Region, ResourcePage, Role, School

from . import conf
from .models import (
    DailyAudienceRollup,
    DailyExclusion,
    DailyResourceRollup,
    DailyRollup,
    DailyUserActivity,
    Denominator,
    ExcludedReason,
    OveractiveClient,
)
from .periods import Period, month_last_day, previous_months

TEACHER_ROLES = (Role.TEACHER,)
STUDENT_ROLES = (Role.STUDENT, Role.PARENT)  # students and parents count together
TEACHER_THRESHOLD = 400  # visits per 100 teachers for full marks
STUDENT_THRESHOLD = 100  # visits per 100 students (with parents) for full marks
LEVELS = ("city", "region", "school")


# --- the formulas ------------------------------------------------------------------------------


def per_100(visits: int, population: int | None) -> Fraction | None:
    if not population:
        return None
    return Fraction(visits * 100, population)


def visit_score(value: Fraction | None, threshold: int) -> Fraction | None:
    """min(100, value / threshold × 100)."""
    if value is None:
        return None
    return min(Fraction(100), value / threshold * 100)


def period_mean(values: list[Fraction | None]) -> Fraction | None:
    """Mean of the monthly values of a period; every month enters, an empty month as 0."""
    if not values or any(v is None for v in values):
        return None
    return sum(values, Fraction(0)) / len(values)


def active_rate(once: int, twice: int, population: int | None) -> Fraction | None:
    """once / population × 40 + twice / population × 60, capped at 100. `once` counts users with at
    least one active day in the quarter, `twice` those with two or more (so a user active on two
    days is in both terms and full activity scores 100)."""
    if not population:
        return None
    return min(Fraction(100), Fraction(once * 40, population) + Fraction(twice * 60, population))


def fmt(value: Fraction | None, places: int = 2) -> float | None:
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(quantum, rounding=ROUND_HALF_UP))


# --- who may see what ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    region: Region | None = None  # None = the whole city

    @property
    def is_city(self) -> bool:
        return self.region is None


def indicator_scope(user) -> Scope | None:
    """Resource admins see everything; a county reviewer sees their own region; nobody else."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Scope()
    profile = getattr(user, "profile", None)
    if profile is None:
        return None
    if profile.role == Role.RESOURCE_ADMIN:
        return Scope()
    if profile.role == Role.COUNTY_REVIEWER and profile.region_id:
        return Scope(region=profile.region)
    return None


# --- denominators --------------------------------------------------------------------------------


def _denominators(year: int) -> tuple[dict, dict]:
    regions, schools = {}, {}
    for d in Denominator.objects.filter(year=year):
        (schools if d.school_id else regions)[d.school_id or d.region_id] = (d.teachers, d.students)
    return regions, schools


def city_denominator(year: int, region_totals: dict | None = None) -> tuple[int | None, int | None]:
    """The city's totals: the sum of every region's totals, unknown if any region's is unknown."""
    region_totals = region_totals if region_totals is not None else _denominators(year)[0]
    teachers = students = 0
    for region_id in Region.objects.values_list("id", flat=True):
        t, s = region_totals.get(region_id, (None, None))
        teachers = None if teachers is None or t is None else teachers + t
        students = None if students is None or s is None else students + s
    return teachers, students


# --- indicator rows ------------------------------------------------------------------------------


@dataclass
class Unit:
    key: int | None
    region: Region | None = None
    school: School | None = None
    teachers: int | None = None
    students: int | None = None
    teacher_visits: dict = field(default_factory=lambda: defaultdict(int))  # (y, m) -> visits
    student_visits: dict = field(default_factory=lambda: defaultdict(int))
    teacher_uniques: int = 0
    student_uniques: int = 0
    teacher_once: int = 0
    teacher_twice: int = 0
    student_once: int = 0
    student_twice: int = 0


def _units(level: str, region: Region | None, year: int) -> list[Unit]:
    region_totals, school_totals = _denominators(year)
    if level == "city":
        t, s = city_denominator(year, region_totals)
        return [Unit(key=None, teachers=t, students=s)]
    if level == "region":
        regions = [region] if region else list(Region.objects.all())
        return [
            Unit(
                key=r.pk,
                region=r,
                teachers=region_totals.get(r.pk, (None, None))[0],
                students=region_totals.get(r.pk, (None, None))[1],
            )
            for r in regions
        ]
    schools = School.objects.select_related("region")
    if region:
        schools = schools.filter(region=region)
    return [
        Unit(
            key=s.pk,
            region=s.region,
            school=s,
            teachers=school_totals.get(s.pk, (None, None))[0],
            students=school_totals.get(s.pk, (None, None))[1],
        )
        for s in schools
    ]


def _group_field(level: str) -> list[str]:
    return {"city": [], "region": ["region_id"], "school": ["school_id"]}[level]


def _month_ranges(first: datetime.date, last: datetime.date):
    """(year, month, first day, last day) of each calendar month overlapping [first, last]."""
    year, month = first.year, first.month
    while datetime.date(year, month, 1) <= last:
        start = max(first, datetime.date(year, month, 1))
        end = min(last, month_last_day(year, month))
        yield year, month, start, end
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _fill_visits(units: dict, level: str, region: Region | None, first: datetime.date, last: datetime.date):
    # One plain GROUP BY per month (no date functions: SQLite would call back into Python per row).
    group = _group_field(level)
    for year, month, start, end in _month_ranges(first, last):
        rows = DailyAudienceRollup.objects.filter(day__gte=start, day__lte=end, role__in=TEACHER_ROLES + STUDENT_ROLES)
        if region is not None:
            rows = rows.filter(region=region)
        rows = rows.values("role", *group).annotate(total=Sum("total"), uniques=Sum("unique_investigations"))
        for row in rows.order_by():
            unit = units.get(row[group[0]] if group else None)
            if unit is None:
                continue
            if row["role"] in TEACHER_ROLES:
                unit.teacher_visits[(year, month)] += row["total"]
                unit.teacher_uniques += row["uniques"]
            else:
                unit.student_visits[(year, month)] += row["total"]
                unit.student_uniques += row["uniques"]


def _fill_activity(units: dict, level: str, region: Region | None, first: datetime.date, last: datetime.date):
    group = _group_field(level)
    for roles, prefix in ((TEACHER_ROLES, "teacher"), (STUDENT_ROLES, "student")):
        rows = DailyUserActivity.objects.filter(day__gte=first, day__lte=last, role__in=roles)
        if region is not None:
            rows = rows.filter(region=region)
        rows = rows.values("client_key", *group).annotate(days=Count("day", distinct=True))
        for row in rows:
            unit = units.get(row[group[0]] if group else None)
            if unit is None:
                continue
            setattr(unit, f"{prefix}_once", getattr(unit, f"{prefix}_once") + 1)
            if row["days"] >= 2:
                setattr(unit, f"{prefix}_twice", getattr(unit, f"{prefix}_twice") + 1)


def indicator_rows(period: Period, level: str, region: Region | None = None) -> list[dict]:
    """One row per unit (the city, each region, or each school) with every indicator."""
    if level not in LEVELS:
        raise ValueError(level)
    unit_list = _units(level, region if level != "city" else None, period.year)
    units = {u.key: u for u in unit_list}
    scope_region = region if level != "city" else None
    _fill_visits(units, level, scope_region, period.first_day, period.last_day)
    if period.is_quarter:
        _fill_activity(units, level, scope_region, period.first_day, period.last_day)
    months = period.elapsed_months() if period.is_quarter else period.months
    target = conf.target_score()
    rows = []
    for unit in unit_list:
        t_values = [per_100(unit.teacher_visits[m], unit.teachers) for m in months]
        s_values = [per_100(unit.student_visits[m], unit.students) for m in months]
        t_scores = [visit_score(v, TEACHER_THRESHOLD) for v in t_values]
        s_scores = [visit_score(v, STUDENT_THRESHOLD) for v in s_values]
        row = {
            "region": unit.region.name if unit.region else None,
            "school": unit.school.name if unit.school else None,
            "teachers": unit.teachers,
            "students": unit.students,
            "teacher_visits": sum(unit.teacher_visits[m] for m in period.months),
            "teacher_visits_per_100": fmt(period_mean(t_values)),
            "teacher_visit_score": fmt(period_mean(t_scores)),
            "student_visits": sum(unit.student_visits[m] for m in period.months),
            "student_visits_per_100": fmt(period_mean(s_values)),
            "student_visit_score": fmt(period_mean(s_scores)),
            "teacher_active_rate": None,
            "student_active_rate": None,
            # Beside the official figures (dashboard and spreadsheets, not the API):
            "teacher_unique_visits": unit.teacher_uniques,
            "student_unique_visits": unit.student_uniques,
            "monthly_teacher_scores": [fmt(s) for s in t_scores],
            "monthly_student_scores": [fmt(s) for s in s_scores],
            "region_id": unit.region.pk if unit.region else None,
            "school_id": unit.school.pk if unit.school else None,
        }
        if period.is_quarter:
            row["teacher_active_rate"] = fmt(active_rate(unit.teacher_once, unit.teacher_twice, unit.teachers))
            row["student_active_rate"] = fmt(active_rate(unit.student_once, unit.student_twice, unit.students))
            row["teachers_active_once"] = unit.teacher_once
            row["teachers_active_twice"] = unit.teacher_twice
            row["students_active_once"] = unit.student_once
            row["students_active_twice"] = unit.student_twice
        row["target_status"] = target_status(row, target, quarter=period.is_quarter)
        row["rank"] = None
        rows.append(row)
    return rows


API_KEYS = (
    "region",
    "school",
    "teachers",
    "students",
    "teacher_visits",
    "teacher_visits_per_100",
    "teacher_visit_score",
    "student_visits",
    "student_visits_per_100",
    "student_visit_score",
    "teacher_active_rate",
    "student_active_rate",
    "target_status",
    "rank",
)


def ranked_rows(period: Period, level: str, region: Region | None = None) -> list[dict]:
    """indicator_rows with each row's rank among its peers set (regions across the city, schools
    within `region` or across the city)."""
    rows = indicator_rows(period, level, region)
    if level != "city":
        rank_rows(rows)
    return rows


def region_row(period: Period, region: Region) -> dict:
    """A region's row as the city view shows it (same figures, status and rank): the drill-down
    reads it from the city ranking, so the two cannot disagree."""
    return next(r for r in ranked_rows(period, "region") if r["region_id"] == region.pk)


def api_payload(period: Period, level: str, region: Region | None = None) -> dict:
    if level == "region" and region is not None:
        rows = [region_row(period, region)]
    else:
        rows = ranked_rows(period, level, region)
    return {
        "period": str(period),
        "level": level,
        "updated_at": _updated_at(),
        "rows": [{k: row[k] for k in API_KEYS} for row in rows],
    }


def _updated_at() -> str | None:
    from .scheduling import refreshed_at

    moment = refreshed_at()
    return timezone.localtime(moment).isoformat() if moment else None


def regions_active_share(period: Period) -> dict:
    """Share of regions where more than 50% of full-time teachers used the platform at least once
    in the quarter. Unknown (None) if any region lacks its teacher count."""
    rows = indicator_rows(period, "region")
    missing = [r["region"] for r in rows if not r["teachers"]]
    active = [
        r["region"]
        for r in rows
        if r["teachers"] and Fraction(r["teachers_active_once"], r["teachers"]) > Fraction(1, 2)
    ]
    value = None if missing or not rows else fmt(Fraction(len(active) * 100, len(rows)))
    return {"value": value, "active_regions": active, "regions_total": len(rows), "missing": missing}


# --- 达标: one definition for the dashboard, the drill-downs, the API and the spreadsheets ----------

MET, NOT_MET, NO_DATA = "met", "not_met", "no_data"


def has_denominators(row: dict) -> bool:
    """Both official counts are known (and not zero): only then can the unit be scored and ranked."""
    return bool(row["teachers"]) and bool(row["students"])


def target_status(row: dict, target: int, *, quarter: bool) -> str:
    """达标 (met) when every score of the period reaches the target: the teacher and student visit
    scores, and in a quarter also both active rates. A unit without both denominators cannot be
    scored: no_data (shown as 无基数), never 未达标 and never ranked."""
    if not has_denominators(row):
        return NO_DATA
    keys = ["teacher_visit_score", "student_visit_score"]
    if quarter:
        keys += ["teacher_active_rate", "student_active_rate"]
    return MET if all(row[k] is not None and row[k] >= target for k in keys) else NOT_MET


def rank_rows(rows: list[dict], key: str = "teacher_visit_score") -> tuple[list[dict], list[dict]]:
    """(ranked, unranked): units with both denominators, highest `key` first and sharing a rank
    when equal (1, 2, 2, 4); then the units without denominators, listed apart, in their order.
    Sets row["rank"] (None for the unranked)."""
    ranked = sorted((r for r in rows if has_denominators(r)), key=lambda r: -(r[key] or 0))
    previous, rank = None, 0
    for index, row in enumerate(ranked, start=1):
        if row[key] != previous:
            rank, previous = index, row[key]
        row["rank"] = rank
    unranked = [r for r in rows if not has_denominators(r)]
    for row in unranked:
        row["rank"] = None
    return ranked, unranked


# --- what was not counted, and why ------------------------------------------------------------------


def exclusion_summary(period: Period, region: Region | None = None) -> dict:
    """Events counted and events excluded per reason in the period (for a region: its users' hits;
    robots and anonymous visitors belong to no region), and how many client-days were overactive."""
    excluded = DailyExclusion.objects.filter(day__gte=period.first_day, day__lte=period.last_day)
    counted = DailyAudienceRollup.objects.filter(day__gte=period.first_day, day__lte=period.last_day)
    overactive = OveractiveClient.objects.filter(day__gte=period.first_day, day__lte=period.last_day)
    if region is not None:
        excluded, counted, overactive = (q.filter(region=region) for q in (excluded, counted, overactive))
    per_reason = dict(excluded.values_list("reason").annotate(n=Sum("events")).order_by())
    reasons = [
        {"reason": reason.value, "label": reason.label, "events": per_reason.get(reason.value, 0)}
        for reason in ExcludedReason
    ]
    return {
        "counted": counted.aggregate(n=Sum("total"))["n"] or 0,
        "reasons": reasons,
        "excluded": sum(r["events"] for r in reasons),
        "overactive_clients": overactive.count(),
    }


# --- trends, top resources, themes, spikes --------------------------------------------------------


def monthly_trend(end_year: int, end_month: int, region: Region | None = None, months: int = 12) -> list[dict]:
    """Teacher and student monthly scores for the city (or one region) over the last `months`."""
    span = previous_months(end_year, end_month, months - 1) + [(end_year, end_month)]
    first = datetime.date(*span[0], 1)
    last = Period(year=end_year, month=end_month).last_day
    unit = Unit(key=region.pk if region else None)
    level = "region" if region else "city"
    _fill_visits({unit.key: unit}, level, region, first, last)
    points, denominators = [], {}
    for y, m in span:
        if y not in denominators:
            if region:
                totals = _denominators(y)[0].get(region.pk, (None, None))
            else:
                totals = city_denominator(y)
            denominators[y] = totals
        teachers, students = denominators[y]
        points.append(
            {
                "month": f"{y}-{m:02d}",
                "teacher_score": fmt(visit_score(per_100(unit.teacher_visits[(y, m)], teachers), TEACHER_THRESHOLD)),
                "student_score": fmt(visit_score(per_100(unit.student_visits[(y, m)], students), STUDENT_THRESHOLD)),
            }
        )
    return points


def _scoped(queryset, region: Region | None):
    return queryset.filter(region=region) if region is not None else queryset


def _by_resource(first: datetime.date, last: datetime.date, region: Region | None):
    """Hits per resource: city-wide from the per-resource roll-up, for a region from the full one."""
    if region is None:
        return DailyResourceRollup.objects.filter(day__gte=first, day__lte=last)
    return DailyRollup.objects.filter(day__gte=first, day__lte=last, region=region)


def top_resources(period: Period, region: Region | None = None, limit: int = 10) -> list[dict]:
    rows = (
        _by_resource(period.first_day, period.last_day, region)
        .values("resource_id")
        .annotate(
            visits=Sum("total"),
            uniques=Sum("unique_investigations"),
            downloads=Sum("total", filter=Q(action="download")),
            plays=Sum("total", filter=Q(action="play")),
        )
        .order_by("-visits", "resource_id")[:limit]
    )
    rows = list(rows)
    titles = dict(ResourcePage.objects.filter(pk__in=[r["resource_id"] for r in rows]).values_list("pk", "title"))
    return [dict(r, total=r["visits"], title=titles.get(r["resource_id"], f"#{r['resource_id']}")) for r in rows]


def usage_by_theme(period: Period, region: Region | None = None) -> list[dict]:
    rows = (
        _by_resource(period.first_day, period.last_day, region)
        .values("resource__theme__name")
        .annotate(visits=Sum("total"), uniques=Sum("unique_investigations"))
        .order_by("-visits")
    )
    return [{"theme": r["resource__theme__name"] or "—", "total": r["visits"], "uniques": r["uniques"]} for r in rows]


def usage_spikes(year: int, month: int, region: Region | None = None) -> list[dict]:
    """Schools and resources whose monthly total exceeds 3× their previous-12-month average by at
    least 100 (COUNTER's usage-spike rule; months without hits count as 0 in the average)."""
    history = previous_months(year, month, 12)
    first = datetime.date(*history[0], 1)
    last = Period(year=year, month=month).last_day
    flags = []
    for kind, field_name in (("school", "school_id"), ("resource", "resource_id")):
        per_key: dict = defaultdict(lambda: defaultdict(int))
        for y, m, start, end in _month_ranges(first, last):
            rows = (
                (
                    _scoped(DailyAudienceRollup.objects.filter(day__gte=start, day__lte=end), region)
                    if kind == "school"
                    else _by_resource(start, end, region)
                )
                .exclude(**{f"{field_name}__isnull": True})
                .values(field_name)
                .annotate(visits=Sum("total"))
                .order_by()
            )
            for row in rows:
                per_key[row[field_name]][(y, m)] += row["visits"]
        for key, months in per_key.items():
            current = months.get((year, month), 0)
            average = Fraction(sum(months.get(m, 0) for m in history), 12)
            if current - 3 * average >= 100:
                flags.append({"kind": kind, "id": key, "total": current, "average": fmt(average)})
    names = {
        "school": dict(
            School.objects.filter(pk__in=[f["id"] for f in flags if f["kind"] == "school"]).values_list("pk", "name")
        ),
        "resource": dict(
            ResourcePage.objects.filter(pk__in=[f["id"] for f in flags if f["kind"] == "resource"]).values_list(
                "pk", "title"
            )
        ),
    }
    for flag in flags:
        flag["name"] = names[flag["kind"]].get(flag["id"], f"#{flag['id']}")
    return sorted(flags, key=lambda f: -f["total"])
