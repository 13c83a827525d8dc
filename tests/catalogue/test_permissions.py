"""Who may do what in the admin: teachers add under an open campaign and edit only their own work;
only resource admins publish; groups and their permissions come from migrations."""

import pytest
from django.contrib.auth.models import Group

from catalogue.models import ROLE_GROUP_NAMES, ResourcePage, Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_role_has_its_group():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_GROUP_NAMES.values())


def test_profile_role_puts_user_in_exactly_one_role_group():
    from catalogue.services import profile_set

    teacher = factories.user(Role.TEACHER)
    assert [g.name for g in teacher.groups.all()] == ["教师"]
    profile_set(user=teacher, role=Role.COUNTY_REVIEWER, region=teacher.profile.region)
    assert [g.name for g in teacher.groups.all()] == ["县区初审员"]
    assert teacher.profile.get_role_display() == "县区初审员"


def test_teacher_cannot_edit_another_teachers_resource(client, site_pages):
    author = factories.user(Role.TEACHER)
    other = factories.user(Role.TEACHER)
    page = factories.resource(owner=author, publish=False)
    client.force_login(other)
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code in (302, 403)
    assert not page.permissions_for_user(other).can_edit()
    response = client.post(f"/admin/pages/{page.pk}/edit/", {"title": "被篡改"})
    assert response.status_code in (302, 403)
    assert ResourcePage.objects.get(pk=page.pk).get_latest_revision_as_object().title != "被篡改"


def test_teacher_edits_own_draft_but_cannot_publish(client, site_pages):
    author = factories.user(Role.TEACHER)
    page = factories.resource(owner=author, publish=False)
    client.force_login(author)
    assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    perms = page.permissions_for_user(author)
    assert perms.can_edit() and not perms.can_publish()


def test_resource_admin_publishes_and_students_have_no_admin(client, site_pages):
    admin = factories.user(Role.RESOURCE_ADMIN, region=None)
    page = factories.resource(publish=False)
    assert page.permissions_for_user(admin).can_publish()
    student = factories.user(Role.STUDENT)
    client.force_login(student)
    assert client.get("/admin/").status_code == 302  # sent to the login page


def test_teacher_may_add_under_open_campaign_only(client, site_pages):
    teacher = factories.user(Role.TEACHER)
    client.force_login(teacher)
    open_campaign = factories.campaign(year=2026, open_now=True)
    closed = factories.campaign(year=2025, open_now=False)
    assert client.get(f"/admin/pages/add/catalogue/resourcepage/{open_campaign.pk}/").status_code == 200
    response = client.get(f"/admin/pages/add/catalogue/resourcepage/{closed.pk}/", follow=True)
    assert "当前不在征集期内" in response.content.decode()


def test_reviewer_cannot_create_resources(client, site_pages):
    reviewer = factories.user(Role.COUNTY_REVIEWER)
    client.force_login(reviewer)
    campaign = factories.campaign()
    response = client.get(f"/admin/pages/add/catalogue/resourcepage/{campaign.pk}/")
    assert response.status_code in (302, 403)
