"""Federated sign-in (统一身份认证) through a real identity provider in another process on loopback
(django-oauth-toolkit's OAuth 2.0 / OpenID Connect server, tests/accounts/idp/), driven in Chromium:
a teacher, a pupil and a parent sign in with their platform account and never need a local
password; a pupil whose school nobody has mapped completes a short form; the teacher may submit only
after the county confirms; a federated pupil's visit counts with their role, county and school."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from accounts.models import FederatedIdentity, SchoolMapping
from catalogue.models import Confirmation, Region, Role, School
from tests import factories
from tests.accounts.idp.fixture import identity_provider  # noqa: F401 — fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
User = get_user_model()


@pytest.fixture
def federated(settings, identity_provider, site_pages):  # noqa: F811
    settings.FEDERATED_LOGIN = identity_provider.oidc_settings()
    suiping_school = School.objects.get_or_create(region=Region.objects.get(name="遂平县"), name="遂平县第一初级中学")[
        0
    ]
    School.objects.get_or_create(region=Region.objects.get(name="驿城区"), name="驿城区实验小学")
    School.objects.get_or_create(region=Region.objects.get(name="西平县"), name="西平县第二小学")
    SchoolMapping.objects.update_or_create(
        org_id="ORG-SP-01", defaults={"org_name": "遂平县第一初级中学", "school": suiping_school}
    )
    return identity_provider


def sign_in_at_the_provider(page, live_server, username, next_path="/", provider_session=False):
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_role("link", name="使用智教通行证登录").click()
    if provider_session:  # still signed in at the provider: straight back, no password asked
        return
    expect(page.get_by_role("heading", name="智教通行证")).to_be_visible()
    page.fill("#id_username", username)
    page.fill("#id_password", "Idp#pass2026")
    page.get_by_role("button", name="登录").click()


def test_a_teacher_signs_in_and_submits_once_the_county_confirms(page, live_server, federated):
    sign_in_at_the_provider(page, live_server, "t-wang", next_path="")
    # A teacher lands on 我的申报, which says why it is not open yet.
    expect(page).to_have_url(re.compile(r"/accounts/pending/$"))
    expect(page.get_by_role("heading", name="等待县区确认")).to_be_visible()
    expect(page.locator(".account .who")).to_contain_text("王静（教师）")
    teacher = FederatedIdentity.objects.get(subject="T-0001").user
    assert not teacher.has_usable_password()
    profile = teacher.profile
    assert (profile.role, profile.region.name, profile.school.name) == (Role.TEACHER, "遂平县", "遂平县第一初级中学")
    assert profile.confirmation == Confirmation.PENDING

    # 遂平县's reviewer confirms the teacher on the confirmation page.
    reviewer = factories.user(Role.COUNTY_REVIEWER, username="sp-reviewer", region="遂平县")
    context = page.context.browser.new_context(locale="zh-CN")
    desk = context.new_page()
    desk.goto(f"{live_server.url}/accounts/login/")
    desk.fill("#id_username", reviewer.username)
    desk.fill("#id_password", "Pass#word123")
    desk.get_by_role("button", name="登录").click()
    desk.goto(f"{live_server.url}/accounts/confirmations/")
    item = desk.locator(".confirm-item", has_text="王静")
    expect(item).to_contain_text("遂平县第一初级中学")
    item.get_by_role("button", name="确认").click()
    expect(desk.locator(".messages")).to_contain_text("已确认 王静")
    context.close()

    page.goto(f"{live_server.url}/submit/")
    expect(page).to_have_url(re.compile(r"/submit/$"))
    profile.refresh_from_db()
    assert profile.confirmation == Confirmation.CONFIRMED and profile.confirmed_by == reviewer


def test_a_pupil_signs_in_and_the_visit_counts_for_the_pupils_school(page, live_server, federated):
    from indicators.models import AccessEvent

    resource = factories.resource(title="嵖岈山｜花岗岩地貌（联合登录）")
    path = resource.url
    sign_in_at_the_provider(page, live_server, "s-li", next_path=path)
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.locator(".account .who")).to_contain_text("李小雨（学生）")
    pupil = FederatedIdentity.objects.get(subject="S-0002").user
    assert (pupil.profile.role, pupil.profile.region.name, pupil.profile.school.name) == (
        Role.STUDENT,
        "驿城区",
        "驿城区实验小学",
    )
    event = AccessEvent.objects.filter(resource_id=resource.pk, user_id=pupil.pk).get()
    assert (event.role, event.region_id, event.school_id) == (
        Role.STUDENT,
        pupil.profile.region_id,
        pupil.profile.school_id,
    )

    # The next sign-in finds the same account (no second one).
    page.get_by_role("button", name="退出").click()
    expect(page.locator(".account").get_by_role("link", name="登录")).to_be_visible()
    sign_in_at_the_provider(page, live_server, "s-li", provider_session=True)
    expect(page.locator(".account .who")).to_contain_text("李小雨（学生）")
    assert FederatedIdentity.objects.filter(subject="S-0002").count() == 1


def test_a_parent_signs_in(page, live_server, federated):
    sign_in_at_the_provider(page, live_server, "p-zhao")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".account .who")).to_contain_text("赵女士（家长）")
    parent = FederatedIdentity.objects.get(subject="G-0003").user
    assert (parent.profile.role, parent.profile.school.name) == (Role.PARENT, "遂平县第一初级中学")
    assert parent.profile.confirmation == Confirmation.CONFIRMED


def test_an_unmapped_school_goes_to_the_completion_form(page, live_server, federated):
    sign_in_at_the_provider(page, live_server, "s-new")
    expect(page).to_have_url(re.compile(r"/accounts/federated/complete/"))
    expect(page.get_by_role("heading", name="完善学校信息")).to_be_visible()
    expect(page.locator("main")).to_contain_text("某某乡中心小学")
    assert not FederatedIdentity.objects.filter(subject="S-0004").exists()  # nothing before the form
    page.select_option("#id_region", label="西平县")
    page.get_by_role("button", name="下一步：选择学校").click()
    page.select_option("#id_school", label="西平县第二小学")
    page.get_by_role("button", name="完成并登录").click()
    expect(page.locator(".account .who")).to_contain_text("陈晨（学生）")
    pupil = FederatedIdentity.objects.get(subject="S-0004").user
    assert (pupil.profile.region.name, pupil.profile.school.name) == ("西平县", "西平县第二小学")
    # The organisation is listed for the resource admin to map; the pupil's own choice is not
    # taken as a mapping for everyone else.
    mapping = SchoolMapping.objects.get(org_id="ORG-UNMAPPED-9")
    assert mapping.school is None and mapping.org_name == "某某乡中心小学"


def test_a_user_type_that_maps_to_no_role_is_refused(page, live_server, federated):
    sign_in_at_the_provider(page, live_server, "x-admin")
    expect(page.locator("main")).to_contain_text("不能登录本平台")
    assert not FederatedIdentity.objects.filter(subject="A-0005").exists()
    assert "_auth_user_id" not in page.context.cookies() and page.locator(".account .who").count() == 0
