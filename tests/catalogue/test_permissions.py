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
    """Refused at the admin and by Wagtail's page permissions alike."""
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


def test_teacher_cannot_publish_and_works_outside_the_admin(client, site_pages):
    """Teachers submit and revise through the guided form (/submit/, tests/review); the Wagtail
    admin, which would list every page and image under their permission, is closed to them."""
    author = factories.user(Role.TEACHER)
    page = factories.resource(owner=author, publish=False)
    assert not page.permissions_for_user(author).can_publish()
    client.force_login(author)
    for url in ("/admin/", "/admin/pages/", "/admin/images/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/submit/"
    assert client.get("/submit/").status_code == 200


def test_reviewers_see_no_collection_of_files_in_the_admin(client, site_pages):
    """Reviewers preview files through the review desk's scoped views, not the image library."""
    reviewer = factories.user(Role.COUNTY_REVIEWER)
    factories.resource(title="嵖岈山｜别县草稿", publish=False)
    client.force_login(reviewer)
    assert client.get("/admin/").status_code == 200
    response = client.get("/admin/images/")
    assert response.status_code != 200 or "别县草稿" not in response.content.decode()


def test_resource_admin_publishes_and_students_have_no_admin(client, site_pages):
    admin = factories.user(Role.RESOURCE_ADMIN, region=None)
    page = factories.resource(publish=False)
    assert page.permissions_for_user(admin).can_publish()
    student = factories.user(Role.STUDENT)
    client.force_login(student)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/"  # sent home, not into the admin


def test_reviewer_cannot_create_resources(client, site_pages):
    reviewer = factories.user(Role.COUNTY_REVIEWER)
    client.force_login(reviewer)
    campaign = factories.campaign()
    response = client.get(f"/admin/pages/add/catalogue/resourcepage/{campaign.pk}/")
    assert response.status_code in (302, 403)
