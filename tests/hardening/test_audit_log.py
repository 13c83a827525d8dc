"""The audit log records logins, logouts, failed logins and permission changes, and is kept."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from wagtail.models import GroupPagePermission, ModelLogEntry, Page, PageLogEntry

from catalogue.models import Role
from catalogue.services import profile_set
from ops import audit
from tests import factories

pytestmark = pytest.mark.django_db


def entries(action, **filters):
    return ModelLogEntry.objects.filter(action=action, **filters)


def test_login_logout_and_failed_login_are_recorded_with_the_address(client):
    user = factories.user(Role.TEACHER, username="zhaolei")
    client.post("/accounts/login/", {"username": "zhaolei", "password": "not-it"}, REMOTE_ADDR="10.1.2.3")
    client.post("/accounts/login/", {"username": "ghost", "password": "x"}, REMOTE_ADDR="10.1.2.4")
    client.post("/accounts/login/", {"username": "zhaolei", "password": "Pass#word123"}, REMOTE_ADDR="10.1.2.3")
    client.post("/accounts/logout/")

    failed = entries(audit.LOGIN_FAILED, object_id=str(user.pk)).get()
    assert failed.data["ip"] == "10.1.2.3" and failed.data["username"] == "zhaolei"
    unknown = entries(audit.LOGIN_FAILED, data__username="ghost").get()
    assert unknown.data["ip"] == "10.1.2.4"
    login = entries(audit.LOGIN, object_id=str(user.pk)).get()
    assert login.user_id == user.pk and login.data["ip"] == "10.1.2.3"
    assert entries(audit.LOGOUT, object_id=str(user.pk)).exists()


def test_admin_login_is_recorded_too(client):
    admin = factories.user(Role.RESOURCE_ADMIN, username="admin1", region="")
    client.post("/admin/login/", {"username": "admin1", "password": "Pass#word123"})
    assert entries(audit.LOGIN, object_id=str(admin.pk), data__path="/admin/login/").exists()


def test_trusted_proxy_address_is_used_only_when_configured(client, settings):
    factories.user(username="proxied")
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        "/accounts/login/",
        {"username": "proxied", "password": "bad"},
        REMOTE_ADDR="172.18.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 10.9.8.7",
    )
    assert entries(audit.LOGIN_FAILED, data__username="proxied").get().data["ip"] == "10.9.8.7"


def test_role_change_and_account_flags_are_recorded():
    user = factories.user(Role.STUDENT, username="promoted")
    profile_set(user=user, role=Role.TEACHER, school=factories.school_())
    user.is_staff = True
    user.save()

    changes = [e.data for e in entries(audit.GROUP_MEMBERSHIP, object_id=str(user.pk)).order_by("timestamp", "id")]
    assert changes == [
        {"added": ["学生"], "before": [], "after": ["学生"]},
        {"removed": ["学生"], "before": ["学生"], "after": []},
        {"added": ["教师"], "before": [], "after": ["教师"]},
    ]
    roles = [e.data for e in entries(audit.ROLE_CHANGE, object_id=str(user.pk)).order_by("timestamp", "id")]
    assert roles[-1]["before"]["role"] == "student" and roles[-1]["after"]["role"] == "teacher"
    assert roles[-1]["after"]["school"] == "遂平县测试学校"
    assert entries(audit.ACCOUNT_FLAGS, object_id=str(user.pk)).get().data == {"changes": {"is_staff": [False, True]}}


def test_group_permission_edit_in_the_admin_is_recorded(client):
    superuser = factories.user(Role.RESOURCE_ADMIN, username="root", region="", is_superuser=True)
    client.force_login(superuser)
    group = Group.objects.create(name="审核组")
    home = Page.objects.get(depth=2)
    response = client.get(f"/admin/groups/edit/{group.pk}/")
    assert response.status_code == 200
    form = response.context["permission_panels"]
    data = {"name": "审核组"}
    for panel in form:  # every permission formset starts empty
        data[f"{panel.prefix}-TOTAL_FORMS"] = "0"
        data[f"{panel.prefix}-INITIAL_FORMS"] = "0"
        data[f"{panel.prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{panel.prefix}-MAX_NUM_FORMS"] = "1000"
    data.update({"page_permissions-TOTAL_FORMS": "1", "page_permissions-0-page": str(home.pk)})
    data["page_permissions-0-permissions"] = ["publish_page"]
    response = client.post(f"/admin/groups/edit/{group.pk}/", data)
    assert response.status_code == 302, [p.errors for p in response.context["permission_panels"]] + [
        response.context["form"].errors
    ]
    assert GroupPagePermission.objects.filter(group=group).count() == 1

    entry = entries(audit.GROUP_PERMISSIONS, object_id=str(group.pk)).get()
    assert entry.user_id == superuser.pk
    assert entry.data["removed"] == [] and any("publish_page" in p for p in entry.data["added"])
    # The security reviewer reads it in Wagtail's site history report, labelled in Chinese.
    report = client.get("/admin/reports/site-history/")
    assert report.status_code == 200
    assert "用户组权限变更" in report.content.decode()


def test_purge_keeps_six_months_and_never_deletes_younger_entries(site_pages):
    user = factories.user(username="old")
    now = timezone.now()
    old = audit.audit(user, audit.LOGIN)
    young = audit.audit(user, audit.LOGIN)
    ModelLogEntry.objects.filter(pk=old.pk).update(timestamp=now - datetime.timedelta(days=400))
    ModelLogEntry.objects.filter(pk=young.pk).update(timestamp=now - datetime.timedelta(days=200))
    page_entry = PageLogEntry.objects.first()
    PageLogEntry.objects.filter(pk=page_entry.pk).update(timestamp=now - datetime.timedelta(days=500))

    with pytest.raises(CommandError, match="183"):
        call_command("purge_audit_log", "--days", "30")
    call_command("purge_audit_log", "--days", "365", stdout=io.StringIO())

    assert not ModelLogEntry.objects.filter(pk=old.pk).exists()
    assert ModelLogEntry.objects.filter(pk=young.pk).exists()
    assert not PageLogEntry.objects.filter(pk=page_entry.pk).exists()
    assert ModelLogEntry.objects.filter(timestamp__gte=now - datetime.timedelta(days=365)).count() >= 1
