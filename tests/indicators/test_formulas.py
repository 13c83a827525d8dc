"""The official indicator rules (seeds/003, design.md §4) against hand-computed cases."""

import datetime
from fractions import Fraction

import pytest

from catalogue.models import Region, Role
from catalogue.services import profile_set
from indicators.models import DailyUserActivity
from indicators.periods import Period, parse_period
from indicators.selectors import (
    active_rate,
    city_denominator,
    fmt,
    indicator_rows,
    per_100,
    period_mean,
    regions_active_share,
    visit_score,
)
from tests import factories

from .conftest import at

# --- pure formulas --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("visits", "teachers", "value", "score"),
    [(399, 100, 399, 99.75), (400, 100, 400, 100), (401, 100, 401, 100), (0, 100, 0, 0), (15, 4, 375, 93.75)],
)
def test_teacher_visits_per_100_and_score_around_400(visits, teachers, value, score):
    v = per_100(visits, teachers)
    assert v == value
    assert fmt(visit_score(v, 400)) == score


@pytest.mark.parametrize(
    ("visits", "students", "value", "score"),
    [(99, 100, 99, 99), (100, 100, 100, 100), (101, 100, 101, 100), (2, 3, 66.67, 66.67)],
)
def test_student_visits_per_100_and_score_around_100(visits, students, value, score):
    v = per_100(visits, students)
    assert fmt(v) == value
    assert fmt(visit_score(v, 100)) == score


def test_missing_or_zero_denominator_is_no_data_not_zero_or_infinity():
    assert per_100(50, None) is None
    assert per_100(50, 0) is None
    assert visit_score(None, 400) is None
    assert period_mean([Fraction(100), None, Fraction(0)]) is None
    assert active_rate(3, 1, None) is None


def test_period_mean_includes_empty_months_as_zero():
    assert period_mean([Fraction(100), Fraction(0), Fraction(50)]) == 50


@pytest.mark.parametrize(
    ("once", "twice", "population", "rate"),
    [
        (5, 2, 10, 32),  # 5/10×40 + 2/10×60
        (10, 10, 10, 100),  # everybody active on two or more days: full marks
        (10, 0, 10, 40),
        (1, 0, 3, 13.33),
        (3, 3, 2, 100),  # more active accounts than official teachers: capped at 100
    ],
)
def test_active_rate_weights_and_cap(once, twice, population, rate):
    assert fmt(active_rate(once, twice, population)) == rate


def test_rounding_is_half_up_to_two_places():
    assert fmt(Fraction(1, 8)) == 0.13
    assert fmt(Fraction(2, 3)) == 0.67


def test_periods_are_calendar_months_and_quarters():
    q1 = parse_period("2026-Q1")
    assert q1.months == [(2026, 1), (2026, 2), (2026, 3)]
    assert (q1.first_day, q1.last_day) == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert parse_period("2026-02").last_day == datetime.date(2026, 2, 28)
    assert q1.elapsed_months(today=datetime.date(2026, 2, 10)) == [(2026, 1), (2026, 2)]
    for bad in ("2026-13", "2026-Q5", "26-01", ""):
        with pytest.raises(ValueError):
            parse_period(bad)


# --- from roll-ups ---------------------------------------------------------------------------------


rollup = factories.daily_rollup


def region_row(period: str, region="遂平县"):
    return indicator_rows(parse_period(period), "region", Region.objects.get(name=region))[0]


@pytest.mark.django_db
@pytest.mark.parametrize(("visits", "value", "score"), [(399, 399.0, 99.75), (400, 400.0, 100.0), (401, 401.0, 100.0)])
def test_monthly_teacher_figures_of_a_region(visits, value, score):
    factories.denominator(teachers=100, students=200)
    rollup("2026-03-10", Role.TEACHER, visits - 1)
    rollup("2026-03-31", Role.TEACHER, 1)
    rollup("2026-04-01", Role.TEACHER, 1000)  # next month: not in March
    row = region_row("2026-03")
    assert (row["teacher_visits"], row["teacher_visits_per_100"], row["teacher_visit_score"]) == (visits, value, score)
    assert row["teacher_active_rate"] is None  # a quarterly indicator


@pytest.mark.django_db
def test_students_and_parents_count_together():
    factories.denominator(teachers=100, students=50)
    rollup("2026-03-10", Role.STUDENT, 30)
    rollup("2026-03-11", Role.PARENT, 20)
    rollup("2026-03-12", "", 500)  # anonymous
    rollup("2026-03-12", Role.RESOURCE_ADMIN, 500)
    row = region_row("2026-03")
    assert (row["student_visits"], row["student_visits_per_100"], row["student_visit_score"]) == (50, 100.0, 100.0)
    assert row["teacher_visits"] == 0 and row["teacher_visit_score"] == 0


@pytest.mark.django_db
def test_quarter_means_include_a_month_without_events():
    factories.denominator(teachers=100, students=100)
    rollup("2026-01-15", Role.TEACHER, 400)  # 400 per 100 → 100
    rollup("2026-03-15", Role.TEACHER, 200)  # February: nothing → 0; March 200 → 50
    rollup("2026-03-15", Role.STUDENT, 75)  # January and February 0, March 75
    row = region_row("2026-Q1")
    assert row["teacher_visits"] == 600
    assert row["teacher_visits_per_100"] == 200.0  # (400 + 0 + 200) / 3
    assert row["teacher_visit_score"] == 50.0  # (100 + 0 + 50) / 3
    assert row["student_visit_score"] == 25.0  # (0 + 0 + 75) / 3
    assert row["monthly_teacher_scores"] == [100.0, 0.0, 50.0]


@pytest.mark.django_db
def test_score_mean_differs_from_score_of_mean():
    factories.denominator(teachers=100, students=100)
    rollup("2026-01-15", Role.TEACHER, 800)  # 800 → capped at 100
    row = region_row("2026-Q1")
    assert row["teacher_visits_per_100"] == 266.67  # mean of 800, 0, 0
    assert row["teacher_visit_score"] == 33.33  # mean of 100, 0, 0 (not min(100, 266.67/4))


@pytest.mark.django_db
def test_missing_denominator_shows_no_data():
    rollup("2026-03-10", Role.TEACHER, 40)
    row = region_row("2026-03")
    assert row["teacher_visits"] == 40
    assert row["teachers"] is None and row["teacher_visits_per_100"] is None and row["teacher_visit_score"] is None
    factories.denominator(teachers=10, students=None)
    row = region_row("2026-03")
    assert row["teacher_visit_score"] == 100.0 and row["student_visit_score"] is None


@pytest.mark.django_db
def test_city_denominator_is_the_sum_of_regions_and_unknown_if_one_is_missing():
    regions = list(Region.objects.all())
    for region in regions[:-1]:
        factories.denominator(region=region.name, teachers=10, students=20)
    assert city_denominator(2026) == (None, None)
    factories.denominator(region=regions[-1].name, teachers=5, students=20)
    assert city_denominator(2026) == (10 * (len(regions) - 1) + 5, 20 * len(regions))
    rollup("2026-03-01", Role.TEACHER, 40, region=regions[0].name)
    city = indicator_rows(parse_period("2026-03"), "city")[0]
    assert city["teacher_visits"] == 40 and city["region"] is None


@pytest.mark.django_db
def test_school_level_uses_school_denominators():
    school = factories.school_(name="遂平县第二初级中学")
    factories.denominator(school=school, teachers=50, students=100)
    rollup("2026-03-10", Role.TEACHER, 100, school=school)
    rows = {
        r["school"]: r for r in indicator_rows(parse_period("2026-03"), "school", Region.objects.get(name="遂平县"))
    }
    assert rows["遂平县第二初级中学"]["teacher_visits_per_100"] == 200.0
    assert rows["遂平县第二初级中学"]["teacher_visit_score"] == 50.0


def activity(user, days, *, region="遂平县"):
    for day in days:
        DailyUserActivity.objects.create(
            day=datetime.date.fromisoformat(day),
            client_key=f"u:{user.pk}",
            role=user.profile.role,
            region=Region.objects.get(name=region),
            school=user.profile.school,
        )


@pytest.mark.django_db
def test_quarterly_active_rate_from_distinct_active_days():
    factories.denominator(teachers=10, students=4)
    teachers = [factories.user(Role.TEACHER) for _ in range(5)]
    for t in teachers[:3]:
        activity(t, ["2026-02-03"])  # one day: "once"
    activity(teachers[3], ["2026-01-05", "2026-03-09"])  # two days: "twice"
    activity(teachers[4], ["2026-01-05", "2026-01-06", "2026-01-07"])
    activity(teachers[0], ["2025-12-30", "2026-04-01"])  # outside the quarter
    parent = factories.user(Role.PARENT)
    student = factories.user(Role.STUDENT)
    activity(parent, ["2026-01-10", "2026-01-11"])
    activity(student, ["2026-01-10"])
    row = region_row("2026-Q1")
    assert row["teacher_active_rate"] == 32.0  # 5/10×40 + 2/10×60
    assert row["student_active_rate"] == 35.0  # 2/4×40 + 1/4×60 (parent and student together)


@pytest.mark.django_db
def test_share_of_regions_with_more_than_half_of_teachers_active():
    regions = list(Region.objects.all())
    for region in regions:
        factories.denominator(region=region.name, teachers=10, students=10)
    first, second = regions[0], regions[1]
    for _i in range(6):
        activity(factories.user(Role.TEACHER, region=first.name), ["2026-02-02"], region=first.name)
    for _i in range(5):  # exactly half is not "more than 50%"
        activity(factories.user(Role.TEACHER, region=second.name), ["2026-02-02"], region=second.name)
    share = regions_active_share(Period(year=2026, quarter=1))
    assert share["active_regions"] == [first.name]
    assert share["value"] == fmt(Fraction(100, len(regions)))


@pytest.mark.django_db
def test_a_teachers_old_visits_stay_with_the_old_school_after_a_move(site_pages):
    factories.denominator(teachers=1, students=1)
    factories.denominator(region="汝南县", teachers=1, students=1)
    resource = factories.resource()
    teacher = factories.user(Role.TEACHER, region="遂平县", school="遂平县第一初级中学")
    factories.access_hit(resource, at=at("2026-03-31", "23:30:00"), user=teacher)  # still March in Shanghai
    new_school = factories.school_(region="汝南县", name="汝南县实验中学")
    profile_set(user=teacher, role=Role.TEACHER, region=new_school.region, school=new_school)
    teacher.refresh_from_db()
    factories.access_hit(resource, at=at("2026-04-01", "08:00:00"), user=teacher)
    assert region_row("2026-03", "遂平县")["teacher_visits"] == 1
    assert region_row("2026-03", "汝南县")["teacher_visits"] == 0
    assert region_row("2026-04", "汝南县")["teacher_visits"] == 1
    assert region_row("2026-04", "遂平县")["teacher_visits"] == 0
