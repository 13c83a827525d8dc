"""The dashboard, the API, the spreadsheets and the `indicators` command, and who may read them."""

import datetime
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from openpyxl import load_workbook

from catalogue.models import Region, Role
from indicators.models import DailyRollup
from indicators.periods import parse_period
from indicators.selectors import API_KEYS, usage_spikes
from indicators.services import derived_rollups_rebuild
from tests import factories

pytestmark = pytest.mark.django_db


rollup = factories.daily_rollup


@pytest.fixture
def figures():
    factories.denominator(region="遂平县", teachers=100, students=100)
    factories.denominator(region="汝南县", teachers=100, students=100)
    rollup("2026-03-05", Role.TEACHER, 400, region="遂平县")
    rollup("2026-03-05", Role.PARENT, 100, region="遂平县")
    rollup("2026-03-05", Role.TEACHER, 100, region="汝南县")
    rollup("2026-03-05", Role.STUDENT, 30, region="汝南县")


def admin_client(client):
    client.force_login(factories.user(Role.RESOURCE_ADMIN, region=""))
    return client


def test_resource_admin_reads_every_region_from_the_api(client, figures):
    response = admin_client(client).get("/api/indicators/", {"period": "2026-03", "level": "region"})
    assert response.status_code == 200
    data = response.json()
    assert data["period"] == "2026-03" and data["level"] == "region"
    assert set(data["rows"][0]) == set(API_KEYS)
    rows = {r["region"]: r for r in data["rows"]}
    assert len(rows) == Region.objects.count()
    assert rows["遂平县"]["teacher_visits_per_100"] == 400.0 and rows["遂平县"]["teacher_visit_score"] == 100.0
    assert rows["汝南县"]["teacher_visit_score"] == 25.0 and rows["汝南县"]["student_visit_score"] == 30.0
    assert rows["西平县"]["teachers"] is None and rows["西平县"]["teacher_visit_score"] is None


def test_city_level_and_quarter_through_the_api(client, figures):
    client = admin_client(client)
    city = client.get("/api/indicators/", {"period": "2026-Q1", "level": "city"}).json()
    assert city["rows"][0]["region"] is None and city["rows"][0]["teachers"] is None  # not every region has data
    region = client.get("/api/indicators/", {"period": "2026-Q1", "level": "region", "region": "遂平县"}).json()
    assert [r["region"] for r in region["rows"]] == ["遂平县"]
    assert region["rows"][0]["teacher_visit_score"] == 33.33  # (0 + 0 + 100) / 3
    assert region["rows"][0]["teacher_active_rate"] == 0.0


def test_county_reviewer_reads_only_their_region(client, figures):
    client.force_login(factories.user(Role.COUNTY_REVIEWER, region="汝南县"))
    own = client.get("/api/indicators/", {"period": "2026-03", "level": "region"})
    assert own.status_code == 200 and [r["region"] for r in own.json()["rows"]] == ["汝南县"]
    schools = client.get("/api/indicators/", {"period": "2026-03", "level": "school", "region": "汝南县"})
    assert schools.status_code == 200
    assert (
        client.get("/api/indicators/", {"period": "2026-03", "level": "region", "region": "遂平县"}).status_code == 403
    )
    assert client.get("/api/indicators/", {"period": "2026-03", "level": "city"}).status_code == 403


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT, Role.PARENT, Role.CITY_EXPERT])
def test_other_roles_get_403(client, figures, role):
    client.force_login(factories.user(role))
    assert client.get("/api/indicators/", {"period": "2026-03"}).status_code == 403
    assert client.get("/admin/indicators/").status_code in (302, 403)


def test_anonymous_gets_403(client, figures):
    assert client.get("/api/indicators/", {"period": "2026-03"}).status_code == 403


def test_bad_parameters_get_a_chinese_message(client):
    client = admin_client(client)
    response = client.get("/api/indicators/", {"period": "2026-13"})
    assert response.status_code == 400 and "统计周期格式" in response.json()["detail"]
    assert client.get("/api/indicators/", {"period": "2026-03", "level": "nation"}).status_code == 400


def test_dashboard_ranks_regions_and_flags_rows_below_target(client, figures):
    response = admin_client(client).get("/admin/indicators/", {"period": "2026-03"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "应用成效监测" in html and "<svg" in html and "无数据" in html
    rows = response.context["region_rows"]
    assert [(r["region"], r["rank"]) for r in rows] == [("遂平县", 1), ("汝南县", 2)]  # ranked by teacher score
    assert rows[0]["target_status"] == "met" and rows[1]["target_status"] == "not_met"
    # Regions without denominators are listed apart, unranked, and are not "未达标".
    apart = response.context["region_rows_apart"]
    assert "西平县" in [r["region"] for r in apart]
    assert {(r["rank"], r["target_status"]) for r in apart} == {(None, "no_data")}
    assert 'class="ind-below"' in html and "<script>" not in html and "style=" not in html


def test_reviewer_dashboard_shows_their_region_and_its_schools(client, figures):
    client.force_login(factories.user(Role.COUNTY_REVIEWER, region="汝南县"))
    response = client.get("/admin/indicators/", {"period": "2026-03"})
    assert response.status_code == 200
    assert response.context["region"].name == "汝南县"
    assert "region_rows" not in response.context
    # Wagtail's admin answers a permission error by redirecting to the dashboard with a message.
    other = client.get("/admin/indicators/", {"period": "2026-03", "region": "遂平县"})
    assert other.status_code == 302 and other["Location"] == "/admin/"


def test_the_menu_item_is_shown_only_to_those_who_may_see(client, figures):
    admin = admin_client(client).get("/admin/")
    assert "/admin/indicators/" in admin.content.decode()
    client.force_login(factories.user(Role.TEACHER))
    assert "/admin/indicators/" not in client.get("/admin/").content.decode()


def test_quarterly_bulletin_xlsx(client, figures):
    response = admin_client(client).get("/admin/indicators/export.xlsx", {"period": "2026-Q1"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["全市", "县区排名", "学校排名", "说明"]
    ws = wb["县区排名"]
    header = [c.value for c in ws[2]]
    assert "教师活跃率" in header and "教师访问得分" in header
    first = [c.value for c in ws[3]]
    assert first[1] == "遂平县" and first[header.index("教师访问得分")] == 33.33
    assert "无数据" in [c.value for c in ws[ws.max_row]]
    # The header row (row 2, under the heading) frozen and filterable; the name column sized to its names.
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")
    assert ws.column_dimensions["B"].width >= 2 * len("县（区）") and ws.column_dimensions["A"].width < 12


def test_monthly_monitoring_xlsx_for_a_reviewer_holds_their_region_only(client, figures):
    client.force_login(factories.user(Role.COUNTY_REVIEWER, region="汝南县"))
    response = client.get("/admin/indicators/export.xlsx", {"period": "2026-03"})
    wb = load_workbook(io.BytesIO(response.content))
    assert "全市" not in wb.sheetnames and "县内学校排名" in wb.sheetnames
    header = [c.value for c in wb["县区"][2]]
    row = [c.value for c in wb["县区"][3]]
    assert row[header.index("县（区）")] == "汝南县"
    assert row[header.index("排名")] == 2 and row[header.index("达标情况")] == "未达标"  # as in the city ranking


def test_indicators_command_json_csv_and_xlsx(figures, tmp_path):
    out = io.StringIO()
    call_command("indicators", "--period", "2026-03", "--level", "region", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert {r["region"]: r["teacher_visit_score"] for r in data["rows"]}["遂平县"] == 100.0
    out = io.StringIO()
    call_command(
        "indicators", "--period", "2026-03", "--level", "region", "--region", "汝南县", "--format", "csv", stdout=out
    )
    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith("period,level,region,school,teachers")
    assert lines[0].endswith(",target_status,rank,updated_at")
    assert lines[1].startswith("2026-03,region,汝南县,,100,100,100,100.0,25.0,30,30.0,30.0,,,not_met,2,")
    target = tmp_path / "bulletin.xlsx"
    call_command("indicators", "--period", "2026-Q1", "--format", "xlsx", "--output", str(target), stdout=io.StringIO())
    assert load_workbook(target).sheetnames[0] == "全市"


def test_usage_spikes_follow_the_counter_rule():
    school = factories.school_(name="遂平县刷量中学")
    for month in range(1, 13):  # 2025: 20 a month
        rollup(f"2025-{month:02d}-10", Role.TEACHER, 20, school=school, resource_id=7)
    rollup("2026-01-10", Role.TEACHER, 160, school=school, resource_id=7)  # 3×20 + 100 = 160: flagged
    flags = usage_spikes(2026, 1)
    assert {(f["kind"], f["total"]) for f in flags} == {("school", 160), ("resource", 160)}
    DailyRollup.objects.filter(day="2026-01-10").update(total=159)
    derived_rollups_rebuild(date_from=datetime.date(2026, 1, 10), date_to=datetime.date(2026, 1, 10))
    assert usage_spikes(2026, 1) == []


def test_superuser_sees_everything(client, figures):
    client.force_login(get_user_model().objects.create_superuser("root", password="Pass#word123"))
    assert client.get("/api/indicators/", {"period": "2026-03", "level": "city"}).status_code == 200
    assert parse_period("2026-03").label == "2026年3月"
