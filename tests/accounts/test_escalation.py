"""The resource admin (ziyuan, not a superuser) manages teachers, pupils, parents, reviewers and
experts, and can never create or edit a superuser or another resource admin, nor grant groups,
superuser or staff flags, or permissions — tried over HTTP through every screen that could do it.
Each refusal answers 403, changes nothing in the database, and is in the audit log."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import ModelLogEntry

from catalogue.models import ROLE_GROUP_NAMES, Region, Role, School
from ops import audit
from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def staff(client):
    root = factories.user(Role.RESOURCE_ADMIN, username="admin", region="", is_superuser=True)
    ziyuan = factories.user(Role.RESOURCE_ADMIN, username="ziyuan", region="")
    other_admin = factories.user(Role.RESOURCE_ADMIN, username="ziyuan2", region="")
    teacher = factories.user(Role.TEACHER, username="teacher-wang")
    client.force_login(ziyuan)
    return {"root": root, "ziyuan": ziyuan, "other_admin": other_admin, "teacher": teacher}


def refused(response) -> bool:
    """403, or Wagtail's answer to a PermissionDenied inside the admin: back to the dashboard."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def refusals(**filters):
    return ModelLogEntry.objects.filter(action=audit.ESCALATION_REFUSED, **filters)


def new_user_form(**extra):
    school = School.objects.get_or_create(region=Region.objects.get(name="遂平县"), name="遂平县第一初级中学")[0]
    return {
        "username": "newbie",
        "first_name": "新 老师",
        "last_name": "",
        "email": "",
        "password1": "Zmd#demo2026",
        "password2": "Zmd#demo2026",
        "role": "teacher",
        "region": str(school.region_id),
        "school": str(school.pk),
        **extra,
    }


def test_ziyuan_cannot_create_a_superuser(client, staff):
    users_before = User.objects.count()
    response = client.post("/admin/users/new/", new_user_form(username="sneaky", is_superuser="on"))
    assert refused(response)
    assert User.objects.count() == users_before and not User.objects.filter(username="sneaky").exists()
    entry = refusals(user_id=staff["ziyuan"].pk).get()
    assert "is_superuser" in entry.data["reason"] and entry.data["path"] == "/admin/users/new/"


def test_ziyuan_cannot_create_an_account_in_a_powerful_group_or_role(client, staff):
    admin_group = Group.objects.get(name=ROLE_GROUP_NAMES[Role.RESOURCE_ADMIN])
    assert refused(client.post("/admin/users/new/", new_user_form(groups=[str(admin_group.pk)])))
    assert refused(client.post("/admin/users/new/", new_user_form(role="resource_admin")))
    assert refused(client.post("/admin/users/new/", new_user_form(is_staff="on")))
    assert not User.objects.filter(username="newbie").exists()
    assert refusals(user_id=staff["ziyuan"].pk).count() == 3
    # The form offers only the roles below the resource admin, and no power fields at all.
    page = client.get("/admin/users/new/").content.decode()
    assert 'value="county_reviewer"' in page and 'value="resource_admin"' not in page
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page


def test_ziyuan_creates_a_teacher_and_the_role_change_is_audited(client, staff):
    response = client.post("/admin/users/new/", new_user_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    newbie = User.objects.get(username="newbie")
    assert not newbie.is_superuser and not newbie.is_staff
    assert newbie.profile.role == Role.TEACHER and newbie.profile.school.name == "遂平县第一初级中学"
    assert [g.name for g in newbie.groups.all()] == ["教师"]
    entry = ModelLogEntry.objects.filter(action=audit.ROLE_CHANGE, object_id=str(newbie.pk)).latest("timestamp")
    assert entry.user_id == staff["ziyuan"].pk
    assert entry.data["after"]["role"] == "teacher" and entry.data["before"] is None


def test_ziyuan_promotes_a_teacher_to_county_reviewer_with_before_and_after(client, staff):
    teacher = staff["teacher"]
    data = {
        "username": teacher.username,
        "first_name": "王老师",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "role": "county_reviewer",
        "region": str(teacher.profile.region_id),
        "school": "",
    }
    response = client.post(f"/admin/users/edit/{teacher.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    teacher.refresh_from_db()
    assert teacher.profile.role == Role.COUNTY_REVIEWER
    assert [g.name for g in teacher.groups.all()] == ["县区初审员"]
    entry = ModelLogEntry.objects.filter(action=audit.ROLE_CHANGE, object_id=str(teacher.pk)).latest("timestamp")
    assert entry.user_id == staff["ziyuan"].pk
    assert entry.data["before"]["role"] == "teacher" and entry.data["after"]["role"] == "county_reviewer"
    groups = ModelLogEntry.objects.filter(action=audit.GROUP_MEMBERSHIP, object_id=str(teacher.pk)).latest("timestamp")
    assert groups.user_id == staff["ziyuan"].pk and groups.data["after"] == ["县区初审员"]


def test_ziyuan_cannot_set_the_superusers_password(client, staff):
    root = staff["root"]
    old_hash = User.objects.get(pk=root.pk).password
    assert refused(client.get(f"/admin/users/edit/{root.pk}/"))
    response = client.post(
        f"/admin/users/edit/{root.pk}/",
        {
            "username": "admin",
            "first_name": "x",
            "email": "",
            "password1": "Hijack#2026x",
            "password2": "Hijack#2026x",
            "role": "teacher",
        },
    )
    assert refused(response)
    assert User.objects.get(pk=root.pk).password == old_hash
    assert client.login(username="admin", password="Hijack#2026x") is False
    assert refusals(object_id=str(root.pk)).count() == 2
    # The superuser is not even listed to ziyuan.
    assert "admin" not in [u.username for u in client.get("/admin/users/").context["object_list"]]


def test_ziyuan_cannot_edit_another_resource_admin_or_themself(client, staff):
    for target in (staff["other_admin"], staff["ziyuan"]):
        assert refused(client.get(f"/admin/users/edit/{target.pk}/"))
        response = client.post(
            f"/admin/users/edit/{target.pk}/",
            {"username": target.username, "first_name": "x", "email": "", "is_active": "", "role": "teacher"},
        )
        assert refused(response)
        target.refresh_from_db()
        assert target.is_active and target.profile.role == Role.RESOURCE_ADMIN
    assert refusals(object_id=str(staff["other_admin"].pk)).count() == 2


def test_ziyuan_cannot_add_themself_to_a_powerful_group_by_bulk_action(client, staff):
    ziyuan = staff["ziyuan"]
    powerful = Group.objects.create(name="超级组")
    before = set(ziyuan.groups.values_list("name", flat=True))
    url = f"/admin/bulk/auth/user/assign_role/?next=/admin/users/&id={ziyuan.pk}&id={staff['teacher'].pk}"
    response = client.post(url, {"role": str(powerful.pk)})
    assert refused(response)
    assert set(ziyuan.groups.values_list("name", flat=True)) == before
    assert not staff["teacher"].groups.filter(pk=powerful.pk).exists()
    assert refusals(user_id=ziyuan.pk).exists()


def test_ziyuan_cannot_deactivate_the_superuser_by_bulk_action(client, staff):
    root, teacher = staff["root"], staff["teacher"]
    url = f"/admin/bulk/auth/user/set_active_state/?next=/admin/users/&id={root.pk}&id={staff['other_admin'].pk}"
    client.post(url, {"mark_as_active": "False"})
    root.refresh_from_db()
    staff["other_admin"].refresh_from_db()
    assert root.is_active and staff["other_admin"].is_active
    assert refusals(object_id=str(root.pk)).exists()
    # The same action on a teacher works: ziyuan does manage teachers.
    client.post(
        f"/admin/bulk/auth/user/set_active_state/?next=/admin/users/&id={teacher.pk}", {"mark_as_active": "False"}
    )
    teacher.refresh_from_db()
    assert not teacher.is_active


def test_ziyuan_cannot_raise_a_role_through_the_role_snippet(client, staff):
    teacher = staff["teacher"]
    profile = teacher.profile
    url = f"/admin/snippets/catalogue/userprofile/edit/{profile.pk}/"
    data = {
        "display_name": "王老师",
        "role": "resource_admin",
        "region": str(profile.region_id),
        "school": str(profile.school_id),
    }
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["form"].errors["role"]
    teacher.refresh_from_db()
    assert teacher.profile.role == Role.TEACHER
    assert 'value="resource_admin"' not in client.get(url).content.decode()
    # Another resource admin's profile, or the superuser's, is neither listed nor opened.
    listed = [p.pk for p in client.get("/admin/snippets/catalogue/userprofile/").context["object_list"]]
    assert profile.pk in listed
    for account in (staff["other_admin"], staff["root"]):
        assert account.profile.pk not in listed
        assert refused(client.get(f"/admin/snippets/catalogue/userprofile/edit/{account.profile.pk}/"))
        assert refusals(object_id=str(account.pk)).exists()


def test_group_screens_are_for_superusers_only(client, staff):
    group = Group.objects.get(name=ROLE_GROUP_NAMES[Role.RESOURCE_ADMIN])
    for url in ("/admin/groups/", "/admin/groups/new/", f"/admin/groups/edit/{group.pk}/"):
        response = client.get(url)
        assert response.status_code in (302, 403) and "/admin/groups/" not in response.get("Location", "")


def test_the_superuser_may_grant_superuser_and_it_is_audited(client, staff):
    root = staff["root"]
    client.force_login(root)
    response = client.post("/admin/users/new/", new_user_form(username="deputy", is_superuser="on"))
    assert response.status_code == 302
    deputy = User.objects.get(username="deputy")
    assert deputy.is_superuser
    teacher = staff["teacher"]
    data = {
        "username": teacher.username,
        "first_name": "王",
        "email": "",
        "is_active": "on",
        "is_superuser": "on",
        "role": "teacher",
        "region": str(teacher.profile.region_id),
        "school": str(teacher.profile.school_id),
    }
    assert client.post(f"/admin/users/edit/{teacher.pk}/", data).status_code == 302
    flags = ModelLogEntry.objects.filter(action=audit.ACCOUNT_FLAGS, object_id=str(teacher.pk)).get()
    assert flags.data == {"changes": {"is_superuser": [False, True]}} and flags.user_id == root.pk
