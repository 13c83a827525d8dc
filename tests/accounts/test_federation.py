"""Federated sign-in over raw HTTP against the real stand-in provider (a second process): the
national platform's shape (plain OAuth 2.0, a JSON userinfo with the claims under "data"), what a
tampered callback gets, and the claim mapping rules."""

from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model

from accounts.federation import resolve_claims
from accounts.models import FederatedIdentity, RegionMapping, SchoolMapping
from catalogue.models import Confirmation, Region, Role, School
from tests.accounts.idp.fixture import identity_provider  # noqa: F401 — fixture

User = get_user_model()


def sign_in(live_server, idp, username, *, next_path="/"):
    """What a browser does, with requests: our login → provider login form → back to us."""
    browser = requests.Session()
    start = browser.get(f"{live_server.url}/accounts/federated/login/?next={next_path}", allow_redirects=False)
    assert start.status_code == 302 and start.headers["Location"].startswith(idp.url)
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"]
    login_page = browser.get(start.headers["Location"])  # the provider's login form
    csrf = browser.cookies.get("idp_csrftoken")
    answer = browser.post(
        login_page.url,
        data={
            "username": username,
            "password": "Idp#pass2026",
            "csrfmiddlewaretoken": csrf,
            "next": parse_qs(urlsplit(login_page.url).query)["next"][0],
        },
        headers={"Referer": login_page.url},
        allow_redirects=False,
    )
    # provider: login → authorize → redirect to our callback with a code
    location = answer.headers["Location"]
    while not location.startswith(live_server.url):
        answer = browser.get(location if location.startswith("http") else idp.url + location, allow_redirects=False)
        location = answer.headers["Location"]
    callback = browser.get(location, allow_redirects=False)
    return browser, callback


@pytest.mark.django_db(transaction=True)
def test_the_national_platforms_oauth_userinfo_signs_a_pupil_in(settings, live_server, identity_provider):  # noqa: F811
    settings.FEDERATED_LOGIN = identity_provider.oauth_settings()
    School.objects.get_or_create(region=Region.objects.get(name="驿城区"), name="驿城区实验小学")
    browser, callback = sign_in(live_server, identity_provider, "s-li", next_path="/search/?q=嵖岈山")
    assert callback.status_code == 302 and unquote(callback.headers["Location"]) == "/search/?q=嵖岈山"
    pupil = FederatedIdentity.objects.get(subject="S-0002").user
    assert (pupil.profile.role, pupil.profile.region.name, pupil.profile.school.name) == (
        Role.STUDENT,
        "驿城区",
        "驿城区实验小学",
    )
    assert not pupil.has_usable_password()
    page = browser.get(f"{live_server.url}/")
    assert "李小雨（学生）" in page.text


@pytest.mark.django_db(transaction=True)
def test_a_forged_or_replayed_callback_signs_nobody_in(settings, live_server, identity_provider):  # noqa: F811
    settings.FEDERATED_LOGIN = identity_provider.oidc_settings()
    stranger = requests.Session()
    forged = stranger.get(
        f"{live_server.url}/accounts/federated/callback/?code=abc&state=made-up", allow_redirects=False
    )
    assert forged.status_code == 400 and "统一身份认证未完成" in forged.text
    School.objects.get_or_create(region=Region.objects.get(name="驿城区"), name="驿城区实验小学")
    browser, callback = sign_in(live_server, identity_provider, "s-li")
    assert callback.status_code == 302
    # The same code and state a second time (a replay from the browser history) is refused.
    replay = browser.get(callback.request.url, allow_redirects=False)
    assert replay.status_code == 400
    # A user type the provider says but we do not map is refused with the reason.
    _browser, refused = sign_in(live_server, identity_provider, "x-admin")
    assert refused.status_code == 403 and "不能登录本平台" in refused.text
    assert not FederatedIdentity.objects.filter(subject="A-0005").exists()
    assert FederatedIdentity.objects.count() == 1


@pytest.mark.django_db
def test_claims_map_through_the_admin_tables_and_the_browser_never_chooses_the_role(settings):
    settings.FEDERATED_LOGIN = {
        **settings.FEDERATED_LOGIN,
        "claims": {
            "subject": "sub",
            "name": "name",
            "role": "user_type",
            "area": "area_code",
            "org_id": "org_id",
            "org_name": "org_name",
        },
    }
    suiping = Region.objects.get(name="遂平县")
    school = School.objects.create(region=suiping, name="遂平县实验小学")
    assert RegionMapping.objects.get(area_code="411728").region == suiping  # shipped by the migration

    unmapped = resolve_claims(
        {"sub": "1", "user_type": "TEACHER", "area_code": "411728", "org_id": "X-9", "org_name": "嵖岈山镇中心校"}
    )
    assert (unmapped.role, unmapped.region, unmapped.school) == (Role.TEACHER, suiping, None)
    row = SchoolMapping.objects.get(org_id="X-9")
    assert row.school is None and row.seen_count == 1 and row.org_name == "嵖岈山镇中心校"
    row.school = school  # the resource admin maps it in the admin
    row.save()
    mapped = resolve_claims({"sub": "2", "user_type": "teacher", "org_id": "X-9"})
    assert (mapped.region, mapped.school) == (suiping, school)
    # An exact school name within the mapped county maps itself.
    by_name = resolve_claims({"sub": "3", "user_type": "STUDENT", "area_code": "411728", "org_name": "遂平县实验小学"})
    assert by_name.school == school
    # Staff roles can never come from a provider.
    settings.FEDERATED_LOGIN = {**settings.FEDERATED_LOGIN, "role_map": "TEACHER:resource_admin,STUDENT:student"}
    assert resolve_claims({"sub": "4", "user_type": "TEACHER"}).role is None


@pytest.mark.django_db
def test_a_federated_teacher_changing_school_is_confirmed_again(settings):
    from accounts.federation import Resolution
    from accounts.services import federated_user_sign_in

    suiping, yicheng = Region.objects.get(name="遂平县"), Region.objects.get(name="驿城区")
    first = School.objects.create(region=suiping, name="遂平甲校")
    second = School.objects.create(region=yicheng, name="驿城乙校")
    teacher = federated_user_sign_in(resolution=Resolution("T-9", "王老师", Role.TEACHER, suiping, first))
    teacher.profile.confirmation = Confirmation.CONFIRMED
    teacher.profile.save()
    again = federated_user_sign_in(resolution=Resolution("T-9", "王老师", Role.TEACHER, suiping, first))
    assert again.pk == teacher.pk and again.profile.confirmation == Confirmation.CONFIRMED
    moved = federated_user_sign_in(resolution=Resolution("T-9", "王老师", Role.TEACHER, yicheng, second))
    moved.profile.refresh_from_db()
    assert (moved.profile.school, moved.profile.confirmation) == (second, Confirmation.PENDING)
    # A person promoted to county reviewer keeps that role whatever the provider says later.
    moved.profile.role = Role.COUNTY_REVIEWER
    moved.profile.save()
    federated_user_sign_in(resolution=Resolution("T-9", "王老师", Role.TEACHER, suiping, first))
    moved.profile.refresh_from_db()
    assert moved.profile.role == Role.COUNTY_REVIEWER
