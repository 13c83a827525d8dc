"""One definition of 达标: the city view, each county's drill-down, the API and the spreadsheets say
the same thing about every county and school, and units without denominators are listed apart,
never ranked, never "达标"."""

import io

import pytest
from openpyxl import load_workbook

from catalogue.models import Region, Role
from tests import factories

pytestmark = pytest.mark.django_db

rollup = factories.daily_rollup


@pytest.fixture
def figures():
    factories.denominator(region="遂平县", teachers=100, students=100)  # 100 / 100: 达标
    factories.denominator(region="汝南县", teachers=100, students=100)  # 25 / 30: 未达标
    factories.denominator(region="西平县", teachers=100)  # students unknown: cannot be scored
    rollup("2026-03-05", Role.TEACHER, 400, region="遂平县")
    rollup("2026-03-05", Role.STUDENT, 100, region="遂平县")
    rollup("2026-03-05", Role.TEACHER, 100, region="汝南县")
    rollup("2026-03-05", Role.STUDENT, 30, region="汝南县")
    rollup("2026-03-05", Role.TEACHER, 900, region="西平县")  # busy, but without a denominator
    school = factories.school_(region="遂平县", name="遂平县第一初级中学")
    factories.denominator(region="遂平县", school=school, teachers=10, students=10)
    rollup("2026-03-06", Role.TEACHER, 40, region="遂平县", school=school)
    factories.school_(region="遂平县", name="遂平县第二初级中学")  # no denominator


@pytest.fixture
def admin(client):
    client.force_login(factories.user(Role.RESOURCE_ADMIN, region=""))
    return client


KEYS = ("rank", "target_status", "teacher_visit_score", "student_visit_score", "teachers", "students")


def project(row):
    return {k: row[k] for k in KEYS}


def test_city_view_drill_downs_api_and_spreadsheets_agree(figures, admin):
    city = admin.get("/admin/indicators/", {"period": "2026-03"}).context
    city_rows = {r["region"]: project(r) for r in city["region_rows"] + city["region_rows_apart"]}
    assert city_rows["遂平县"]["target_status"] == "met" and city_rows["遂平县"]["rank"] == 1
    assert city_rows["汝南县"]["target_status"] == "not_met" and city_rows["汝南县"]["rank"] == 2
    assert city_rows["西平县"] == project(
        {"rank": None, "target_status": "no_data", "teacher_visit_score": 100.0, "student_visit_score": None}
        | {"teachers": 100, "students": None}
    )
    assert [r["region"] for r in city["region_rows"]] == ["遂平县", "汝南县"]  # only the scored are ranked

    api = admin.get("/api/indicators/", {"period": "2026-03", "level": "region"}).json()["rows"]
    assert {r["region"]: project(r) for r in api} == city_rows
    workbook = load_workbook(io.BytesIO(admin.get("/admin/indicators/export.xlsx", {"period": "2026-03"}).content))
    sheet = list(workbook["县区排名"].iter_rows(values_only=True))
    header = sheet[1]
    by_region = {row[header.index("县（区）")]: row for row in sheet[2:] if row and row[1]}
    labels = {"met": "达标", "not_met": "未达标", "no_data": "无基数"}
    for region in Region.objects.all():
        expected = city_rows[region.name]
        drill = admin.get("/admin/indicators/", {"period": "2026-03", "region": region.code}).context
        assert project(drill["region_row"]) == expected, region.name
        assert (
            project(
                admin.get("/api/indicators/", {"period": "2026-03", "level": "region", "region": region.code}).json()[
                    "rows"
                ][0]
            )
            == expected
        )
        row = by_region[region.name]
        assert row[header.index("达标情况")] == labels[expected["target_status"]]
        assert row[header.index("排名")] == (expected["rank"] or "—")
        county = load_workbook(
            io.BytesIO(admin.get("/admin/indicators/export.xlsx", {"period": "2026-03", "region": region.code}).content)
        )["县区"]
        county_header = [c.value for c in county[2]]
        county_row = [c.value for c in county[3]]
        assert county_row[county_header.index("达标情况")] == labels[expected["target_status"]]
        assert county_row[county_header.index("排名")] == (expected["rank"] or "—")
    # The spreadsheet lists the unscored apart, after the ranked ones.
    note = next(i for i, row in enumerate(sheet) if row[0] and "不参与排名" in str(row[0]))
    assert all(r[header.index("达标情况")] == "无基数" for r in sheet[note + 1 :] if r and r[1])


def test_a_county_without_denominators_is_never_达标_in_its_own_drill_down(figures, client):
    client.force_login(factories.user(Role.COUNTY_REVIEWER, region="西平县"))
    response = client.get("/admin/indicators/", {"period": "2026-03"})
    html = response.content.decode()
    assert response.context["region_row"]["target_status"] == "no_data"
    assert "缺少师生基数，不参与全市排名" in html
    assert 'data-status="met"' not in html


def test_schools_without_denominators_are_listed_apart(figures, admin):
    drill = admin.get("/admin/indicators/", {"period": "2026-03", "region": "遂平县"}).context
    assert [(r["school"], r["rank"]) for r in drill["school_rows"]] == [("遂平县第一初级中学", 1)]
    apart = [r["school"] for r in drill["school_rows_apart"]]
    assert "遂平县第二初级中学" in apart and "遂平县第一初级中学" not in apart
    assert drill["regions_ranked"] == 2


def test_ties_share_a_rank():
    from indicators.selectors import rank_rows

    rows = [
        {"teachers": 1, "students": 1, "teacher_visit_score": score, "name": name}
        for name, score in (("a", 50.0), ("b", 80.0), ("c", 50.0), ("d", 10.0))
    ]
    ranked, apart = rank_rows(rows)
    assert [(r["name"], r["rank"]) for r in ranked] == [("b", 1), ("a", 2), ("c", 2), ("d", 4)]
    assert apart == []
