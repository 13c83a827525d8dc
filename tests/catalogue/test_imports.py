"""import_resources and import_users: all rows or none, bad rows named by number and reason."""

import csv
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from catalogue.models import ResourcePage, Role

pytestmark = pytest.mark.django_db

GOOD = {
    "external_id": "old-001",
    "title": "嵖岈山地貌考察",
    "description": "嵖岈山的花岗岩地貌。\n第二段<script>alert(1)</script>",
    "theme": "自然风貌",
    "topic": "嵖岈山",
    "subjects": "地理、科学",
    "stage": "初中",
    "grades": "七年级",
    "resource_type": "微课视频",
    "region": "遂平县",
    "school": "",
    "year": 2024,
    "authors": "王静",
    "url": "",
}


def write_jsonl(tmp_path, rows, name="resources.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def write_xlsx(tmp_path, header, rows, name="data.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append([row.get(h, "") for h in header])
    path = tmp_path / name
    wb.save(path)
    return path


def test_jsonl_import_publishes_resources_under_their_campaign(tmp_path, capsys):
    second = GOOD | {
        "external_id": "old-002",
        "title": "嫘祖故事",
        "theme": "传统文化",
        "topic": "嫘祖文化",
        "subjects": ["语文"],
        "stage": "小学",
        "grades": "三年级",
        "region": "西平县",
    }
    call_command("import_resources", str(write_jsonl(tmp_path, [GOOD, second])))
    assert "新增 2 条" in capsys.readouterr().out
    page = ResourcePage.objects.get(external_id="old-001")
    assert page.live and page.get_parent().specific.year == 2024
    assert sorted(page.subjects.values_list("name", flat=True)) == ["地理", "科学"]
    assert "<script>" not in page.description and "&lt;script&gt;" in page.description
    assert page.description.count("<p>") == 2


def test_import_is_idempotent_on_external_id(tmp_path, capsys):
    path = write_jsonl(tmp_path, [GOOD])
    call_command("import_resources", str(path))
    call_command("import_resources", str(path))
    assert "未变化 1 条" in capsys.readouterr().out
    assert ResourcePage.objects.filter(external_id="old-001").count() == 1
    call_command("import_resources", str(write_jsonl(tmp_path, [GOOD | {"title": "嵖岈山地貌考察（修订）"}])))
    assert ResourcePage.objects.get(external_id="old-001").title == "嵖岈山地貌考察（修订）"


def test_json_array_and_xlsx_are_accepted(tmp_path):
    array = tmp_path / "r.json"
    array.write_text(json.dumps([GOOD], ensure_ascii=False), encoding="utf-8")
    call_command("import_resources", str(array))
    header = list(GOOD)
    path = write_xlsx(tmp_path, header, [GOOD | {"external_id": "x-1", "title": "Excel 导入"}])
    call_command("import_resources", str(path))
    assert ResourcePage.objects.filter(external_id__in=["old-001", "x-1"]).count() == 2


def test_bad_rows_are_reported_and_nothing_is_imported(tmp_path):
    rows = [GOOD, GOOD | {"external_id": "b-2", "theme": "外星文化"}, GOOD | {"external_id": "b-3", "title": ""}]
    with pytest.raises(CommandError) as excinfo:
        call_command("import_resources", str(write_jsonl(tmp_path, rows)))
    message = str(excinfo.value)
    assert "第 2 行：未知主题“外星文化”" in message
    assert "第 3 行：缺少必填字段 title" in message
    assert ResourcePage.objects.count() == 0


def test_topic_must_belong_to_theme_and_duplicates_are_caught(tmp_path):
    rows = [GOOD | {"topic": "嫘祖文化"}, GOOD]
    with pytest.raises(CommandError) as excinfo:
        call_command("import_resources", str(write_jsonl(tmp_path, rows)))
    assert "专题“嫘祖文化”不属于主题“自然风貌”" in str(excinfo.value)
    assert "与第 1 行重复" in str(excinfo.value)


def test_xlsx_row_numbers_match_the_spreadsheet(tmp_path):
    header = list(GOOD)
    path = write_xlsx(tmp_path, header, [GOOD, GOOD | {"external_id": "z", "region": "火星县"}])
    with pytest.raises(CommandError, match="第 3 行：未知县（区）“火星县”"):
        call_command("import_resources", str(path))


def test_unreadable_file_gives_a_chinese_error(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="不是合法的 JSON"):
        call_command("import_resources", str(path))
    with pytest.raises(CommandError, match="不支持的文件类型"):
        call_command("import_resources", str(_touch(tmp_path / "a.doc")))


def _touch(path):
    path.write_text("x")
    return path


USERS_HEADER = ["username", "name", "role", "region", "school", "password"]


def write_users_csv(tmp_path, rows):
    path = tmp_path / "users.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=USERS_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_import_users_with_generated_passwords(tmp_path, capsys, client):
    from catalogue.models import Region, School

    School.objects.create(region=Region.objects.get(name="遂平县"), name="遂平县实验小学")
    rows = [
        {
            "username": "wangjing",
            "name": "王静",
            "role": "教师",
            "region": "遂平县",
            "school": "遂平县实验小学",
            "password": "",
        },
        {
            "username": "sp-review",
            "name": "初审员",
            "role": "county_reviewer",
            "region": "遂平县",
            "school": "",
            "password": "Strong#Pass2026",
        },
    ]
    out = tmp_path / "pw.csv"
    call_command("import_users", str(write_users_csv(tmp_path, rows)), passwords_out=str(out))
    User = get_user_model()
    teacher = User.objects.get(username="wangjing")
    assert teacher.profile.role == Role.TEACHER and teacher.profile.school.name == "遂平县实验小学"
    assert teacher.groups.get().name == "教师"
    generated = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [g["username"] for g in generated] == ["wangjing"]
    assert client.login(username="wangjing", password=generated[0]["password"])
    assert client.login(username="sp-review", password="Strong#Pass2026")


def test_import_users_xlsx_and_bad_rows(tmp_path):
    rows = [
        {"username": "ok1", "name": "甲", "role": "学生", "region": "遂平县", "school": "不存在的学校", "password": ""},
        {"username": "ok2", "name": "乙", "role": "校长", "region": "遂平县", "school": "", "password": ""},
        {"username": "ok3", "name": "丙", "role": "city_expert", "region": "", "school": "", "password": "123"},
    ]
    path = write_xlsx(tmp_path, USERS_HEADER, rows, name="users.xlsx")
    with pytest.raises(CommandError) as excinfo:
        call_command("import_users", str(path))
    message = str(excinfo.value)
    assert "第 2 行：遂平县 没有学校“不存在的学校”" in message
    assert "第 3 行：未知角色“校长”" in message
    assert "第 4 行：密码不符合要求" in message
    assert not get_user_model().objects.filter(username__startswith="ok").exists()
