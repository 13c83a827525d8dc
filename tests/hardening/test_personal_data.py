"""A user's personal data can be exported as JSON and erased (the account anonymised)."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import ModelLogEntry

from catalogue.models import ResourcePage, Role
from ops import audit
from tests import factories

pytestmark = pytest.mark.django_db


def test_export_lists_account_profile_resources_and_audit_entries(tmp_path, site_pages, client):
    teacher = factories.user(Role.TEACHER, username="liming", email="liming@example.cn")
    factories.resource(title="梁祝文化微课", topic="梁祝文化", owner=teacher)
    client.post("/accounts/login/", {"username": "liming", "password": "Pass#word123"})
    out = tmp_path / "liming.json"

    call_command("personal_data", "export", "liming", "--output", str(out), stdout=io.StringIO())

    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["account"]["username"] == "liming"
    assert data["account"]["email"] == "liming@example.cn"
    assert data["account"]["groups"] == ["教师"]
    assert data["profile"]["role"] == "teacher" and data["profile"]["region"] == "遂平县"
    assert [r["title"] for r in data["pages"]["owned"]] == ["梁祝文化微课"]
    assert audit.LOGIN in [e["action"] for e in data["audit_log"]["about_you"]]
    assert ModelLogEntry.objects.filter(action=audit.PERSONAL_DATA_EXPORT, object_id=str(teacher.pk)).exists()


def test_delete_anonymises_the_account_and_keeps_the_resources(site_pages, client):
    student = factories.user(Role.STUDENT, username="xiaoming", email="xm@example.cn")
    teacher = factories.user(Role.TEACHER, username="wanghua")
    resource = factories.resource(owner=teacher)
    client.post("/accounts/login/", {"username": "xiaoming", "password": "wrong-password"})
    assert client.login(username="xiaoming", password="Pass#word123")

    call_command("personal_data", "delete", "xiaoming", "--noinput", stdout=io.StringIO())
    call_command("personal_data", "delete", "wanghua", "--noinput", stdout=io.StringIO())

    User = get_user_model()
    assert not User.objects.filter(username__in=["xiaoming", "wanghua"]).exists()
    student.refresh_from_db()
    assert student.username.startswith("deleted-") and student.email == "" and not student.is_active
    assert not student.has_usable_password()
    assert student.profile.display_name == "已注销用户"
    assert student.profile.role == Role.STUDENT  # aggregate figures by role/region stay reproducible
    # No audit entry still names the person, and their sessions are gone.
    assert not ModelLogEntry.objects.filter(label__contains="xiaoming").exists()
    assert not ModelLogEntry.objects.filter(data__username="xiaoming").exists()
    assert client.get("/admin/").status_code == 302
    # The teacher's published resource stays published, owned by the anonymised account.
    assert ResourcePage.objects.get(pk=resource.pk).live
    assert ResourcePage.objects.get(pk=resource.pk).owner.username.startswith("deleted-")
    assert not client.login(username="xiaoming", password="Pass#word123")


def test_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="不存在"):
        call_command("personal_data", "export", "nobody")
