"""import_access_log, import_denominators and rebuild_rollups: all or nothing, same COUNTER rules."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from catalogue.models import ResourcePage, Role
from indicators.models import AccessEvent, DailyRollup, Denominator
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "time,username,resource,action,user_agent,ip,session\n"
UA = factories.BROWSER_UA


@pytest.fixture
def resource(site_pages):
    page = factories.resource(title="梁祝故里")
    ResourcePage.objects.filter(pk=page.pk).update(external_id="OLD-001")
    return ResourcePage.objects.get(pk=page.pk)


def write_log(path, lines: list[str]):
    """CSV rows written with the csv module, so user agents with commas are quoted."""
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER.strip().split(","))
        for line in lines:
            writer.writerow(line.split("|"))


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_csv_log_goes_through_the_same_counter_processing(tmp_path, resource):
    teacher = factories.user(Role.TEACHER, username="zhangmin")
    log = tmp_path / "old.csv"
    write_log(
        log,
        [
            f"2026-03-05T10:01:00+08:00|zhangmin|OLD-001|view|{UA}|10.0.0.1|s1",
            f"2026-03-05T10:01:29+08:00|zhangmin|OLD-001|view|{UA}|10.0.0.1|s1",  # double click
            f"2026-03-05T10:03:00+08:00|zhangmin|{resource.url}|download|{UA}|10.0.0.1|s1",
            "2026-03-05T10:04:00+08:00||OLD-001|view|Googlebot/2.1|66.249.66.1|",  # robot
            "2026-03-05T02:04:00Z||OLD-001|play|AppleCoreMedia/1.0.0.21E236 (iPhone; U; CPU OS 17_4 like Mac OS X)|10.0.0.9|",
        ],
    )
    assert "5 条" in run("import_access_log", str(log))
    assert AccessEvent.objects.count() == 5
    assert AccessEvent.objects.filter(user=teacher, role=Role.TEACHER).count() == 3
    assert not AccessEvent.objects.filter(ip_hash="10.0.0.1").exists()
    resource.refresh_from_db()
    assert (resource.view_count, resource.download_count, resource.play_count) == (1, 1, 1)
    teacher_views = DailyRollup.objects.get(role=Role.TEACHER, action="view")
    assert (teacher_views.total, teacher_views.school_id) == (1, teacher.profile.school_id)


def test_the_same_file_is_not_imported_twice(tmp_path, resource):
    log = tmp_path / "old.jsonl"
    log.write_text(
        json.dumps(
            {
                "time": "2026-03-05T10:00:00+08:00",
                "username": "",
                "resource": "OLD-001",
                "action": "view",
                "user_agent": UA,
                "ip": "10.0.0.1",
                "session": "",
            }
        )
        + "\n"
    )
    run("import_access_log", str(log))
    with pytest.raises(CommandError, match="已导入过"):
        run("import_access_log", str(log))
    assert AccessEvent.objects.count() == 1


def test_bad_rows_are_reported_and_nothing_is_imported(tmp_path, resource):
    log = tmp_path / "bad.csv"
    write_log(
        log,
        [
            f"2026-03-05T10:00:00+08:00||OLD-001|view|{UA}|10.0.0.1|",
            f"2026-03-05 10:00:00||OLD-001|view|{UA}|10.0.0.1|",
            f"2026-03-05T10:00:00+08:00|nobody|OLD-001|view|{UA}|10.0.0.1|",
            f"2026-03-05T10:00:00+08:00||NOPE|like|{UA}|999.1.1.1|",
        ],
    )
    with pytest.raises(CommandError) as excinfo:
        run("import_access_log", str(log))
    message = str(excinfo.value)
    assert "第 3 行：时间缺少时区偏移" in message
    assert "第 4 行：找不到用户：nobody" in message
    assert "第 5 行：找不到资源：NOPE" in message and "动作无效：like" in message and "IP 地址无效" in message
    assert "第 2 行" not in message
    assert AccessEvent.objects.count() == 0 and DailyRollup.objects.count() == 0


def test_missing_columns_are_reported(tmp_path, resource):
    log = tmp_path / "short.csv"
    log.write_text("time,resource\n2026-03-05T10:00:00+08:00,OLD-001\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少列"):
        run("import_access_log", str(log))


def test_rebuild_rollups_reports_and_corrects_differences(resource):
    from tests.indicators.conftest import at

    factories.access_hit(resource, at=at("2026-03-05", "10:00:00"))
    factories.access_hit(resource, at=at("2026-03-06", "10:00:00"))
    assert "无差异" in run("rebuild_rollups", "--from", "2026-03-01", "--to", "2026-03-31")
    DailyRollup.objects.filter(day="2026-03-05").update(total=99)  # a tampered roll-up
    DailyRollup.objects.filter(day="2026-03-06").delete()
    output = run("rebuild_rollups", "--from", "2026-03-01", "--to", "2026-03-31")
    assert "2026-03-05：1 个汇总行不同，访问量 99 → 1" in output
    assert "2026-03-06：1 个汇总行不同，访问量 0 → 1" in output
    assert "其中 2 天有差异" in output
    assert sum(DailyRollup.objects.values_list("total", flat=True)) == 2
    resource.refresh_from_db()
    assert resource.view_count == 2
    with pytest.raises(CommandError):
        run("rebuild_rollups", "--from", "2026-03-31", "--to", "2026-03-01")


def test_import_denominators_from_csv_and_xlsx(tmp_path, site_pages):
    school = factories.school_(name="遂平县第一初级中学")
    csv_file = tmp_path / "base.csv"
    csv_file.write_text(
        "year,region,school,teachers,students\n2026,遂平县,,3200,52000\n2026,遂平县,遂平县第一初级中学,120,1800\n2026,汝南县,,,\n",
        encoding="utf-8",
    )
    assert "3 行" in run("import_denominators", str(csv_file))
    assert Denominator.objects.get(year=2026, region__name="遂平县", school=None).teachers == 3200
    assert Denominator.objects.get(school=school).students == 1800
    unknown = Denominator.objects.get(region__name="汝南县")
    assert unknown.teachers is None and unknown.students is None  # unknown, not zero
    wb = Workbook()
    wb.active.append(["year", "region", "school", "teachers", "students"])
    wb.active.append([2026, "遂平县", None, 3300, 52500])
    xlsx = tmp_path / "base.xlsx"
    wb.save(xlsx)
    run("import_denominators", str(xlsx))
    assert Denominator.objects.get(year=2026, region__name="遂平县", school=None).teachers == 3300
    assert Denominator.objects.count() == 3


def test_bad_denominator_rows_import_nothing(tmp_path, site_pages):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "year,region,school,teachers,students\n"
        "2026,遂平县,,3200,52000\n"
        "20x6,遂平县,,1,1\n"
        "2026,火星县,,1,1\n"
        "2026,遂平县,不存在的学校,1,1\n"
        "2026,汝南县,,-5,1.5\n"
        "2026,遂平县,,1,1\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as excinfo:
        run("import_denominators", str(bad))
    message = str(excinfo.value)
    for expected in (
        "第 3 行：年度无效",
        "第 4 行：找不到县（区）：火星县",
        "第 5 行：遂平县没有学校：不存在的学校",
        "第 6 行：专任教师数应为非负整数：-5",
        "在校学生数应为非负整数：1.5",
        "第 7 行：与第 2 行重复",
    ):
        assert expected in message
    assert Denominator.objects.count() == 0


def test_denominators_are_editable_snippets_for_resource_admins(client, site_pages):
    client.force_login(factories.user(Role.RESOURCE_ADMIN, region=""))
    response = client.get("/admin/snippets/indicators/denominator/")
    assert response.status_code == 200
    assert client.get("/admin/snippets/indicators/denominator/add/").status_code == 200
    client.force_login(factories.user(Role.TEACHER))
    assert client.get("/admin/snippets/indicators/denominator/").status_code == 302
