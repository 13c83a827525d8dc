"""Two-factor sign-in (TOTP with recovery codes, django-otp) for resource admins, reviewers, experts
and superusers, required where TWO_FACTOR_REQUIRED is on (production's default)."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from catalogue.models import Role
from ops import audit
from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def phone_code(device, *, steps_ahead: int = 0) -> str:
    """What the authenticator app on the phone shows (a later time step for a second code)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def log_in(client, username, url="/accounts/login/"):
    response = client.post(url, {"username": username, "password": "Pass#word123"})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def enrol(client, next_url="/review/") -> tuple[TOTPDevice, list[str]]:
    page = client.get(f"/accounts/2fa/setup/?next={next_url}")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in body  # the QR code, drawn on the server
    device = TOTPDevice.objects.get(user__username=page.wsgi_request.user.username, confirmed=False)
    response = client.post("/accounts/2fa/setup/", {"token": phone_code(device), "next": next_url})
    codes = re.findall(r"<code>(\d{8})</code>", response.content.decode())
    assert response.status_code == 200 and len(codes) == 10
    device.refresh_from_db()
    return device, codes


def test_a_reviewer_must_enrol_before_anything_else_and_sees_the_recovery_codes_once(client, required):
    reviewer = factories.user(Role.COUNTY_REVIEWER, username="sp-reviewer")
    assert log_in(client, "sp-reviewer")["Location"] == "/review/"  # the reviewer's landing page
    response = client.get("/review/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/setup/?next=%2Freview%2F")
    assert client.get("/admin/")["Location"].startswith("/accounts/2fa/setup/")

    wrong = client.post("/accounts/2fa/setup/", {"token": "000000"})
    assert "动态口令不正确" in wrong.content.decode()
    device, codes = enrol(client)
    assert device.confirmed
    assert client.get("/review/").status_code == 200
    assert ModelLogEntry.objects.filter(action=audit.TWO_FACTOR_ENROLLED, object_id=str(reviewer.pk)).exists()
    # The codes are shown once: the security page tells how many are left, never the codes.
    security = client.get("/accounts/security/").content.decode()
    assert "剩余恢复码 10 个" in security and codes[0] not in security


def test_the_next_sign_in_asks_for_the_code(client, required):
    factories.user(Role.RESOURCE_ADMIN, username="ziyuan", region="")
    log_in(client, "ziyuan")
    device, codes = enrol(client, "/admin/")
    client.post("/accounts/logout/")

    log_in(client, "ziyuan", url="/admin/login/")
    response = client.get("/admin/")
    assert response["Location"].startswith("/accounts/2fa/verify/?next=%2Fadmin%2F")
    failed = client.post("/accounts/2fa/verify/", {"token": "123456", "next": "/admin/"})
    assert failed.status_code == 200 and "不正确" in failed.content.decode()
    assert client.get("/admin/").status_code == 302
    assert ModelLogEntry.objects.filter(action=audit.TWO_FACTOR_FAILED).count() == 1
    ok = client.post("/accounts/2fa/verify/", {"token": phone_code(device, steps_ahead=1), "next": "/admin/"})
    assert ok["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_works_once(client, required):
    user = factories.user(Role.CITY_EXPERT, username="expert-z", region="市直")
    log_in(client, "expert-z")
    _device, codes = enrol(client)
    client.post("/accounts/logout/")
    log_in(client, "expert-z")
    assert client.post("/accounts/2fa/verify/", {"token": codes[3], "next": "/review/"})["Location"] == "/review/"
    assert StaticToken.objects.filter(device__user=user).count() == 9
    assert ModelLogEntry.objects.filter(action=audit.TWO_FACTOR_RECOVERY_USED, object_id=str(user.pk)).exists()
    client.post("/accounts/logout/")
    log_in(client, "expert-z")
    reused = client.post("/accounts/2fa/verify/", {"token": codes[3], "next": "/review/"})
    assert reused.status_code == 200 and client.get("/review/").status_code == 302


def test_wrong_codes_slow_the_next_try(client, settings, required):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    factories.user(Role.COUNTY_REVIEWER, username="sp-reviewer")
    log_in(client, "sp-reviewer")
    device, _codes = enrol(client)
    client.post("/accounts/logout/")
    log_in(client, "sp-reviewer")
    client.post("/accounts/2fa/verify/", {"token": "000000"})
    # Right after a wrong code even the right one waits (django-otp's doubling delay).
    response = client.post("/accounts/2fa/verify/", {"token": phone_code(device, steps_ahead=1)})
    assert response.status_code == 200 and "稍等" in response.content.decode()


def test_teachers_pupils_and_parents_never_need_a_second_factor(client, required):
    for role in (Role.TEACHER, Role.STUDENT, Role.PARENT):
        account = factories.user(role)
        client.force_login(account)
        landing = {"teacher": "/submit/"}.get(role, "/")
        assert client.get(landing).status_code == 200, role
        client.logout()


def test_without_the_setting_staff_may_enrol_but_an_enrolled_account_is_always_verified(client, settings):
    settings.TWO_FACTOR_REQUIRED = False
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    factories.user(Role.COUNTY_REVIEWER, username="sp-reviewer")
    log_in(client, "sp-reviewer")
    assert client.get("/review/").status_code == 200
    enrol(client)
    client.post("/accounts/logout/")
    log_in(client, "sp-reviewer")
    assert client.get("/review/")["Location"].startswith("/accounts/2fa/verify/")


def test_a_superuser_resets_a_lost_phone_and_it_is_audited(client, required):
    reviewer = factories.user(Role.COUNTY_REVIEWER, username="sp-reviewer")
    log_in(client, "sp-reviewer")
    enrol(client)
    client.post("/accounts/logout/")

    ziyuan = factories.user(Role.RESOURCE_ADMIN, username="ziyuan", region="")
    client.force_login(ziyuan)
    TOTPDevice.objects.create(user=ziyuan, name="x", confirmed=True)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=ziyuan).persistent_id
    session.save()
    client.post(f"/admin/accounts/2fa-reset/{reviewer.pk}/")
    assert TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()  # not by a resource admin

    root = factories.user(Role.RESOURCE_ADMIN, username="root", region="", is_superuser=True)
    client.force_login(root)
    device = TOTPDevice.objects.create(user=root, name="x", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    listing = client.get("/admin/users/").content.decode()
    assert "重置双因素认证" in listing
    response = client.post(f"/admin/accounts/2fa-reset/{reviewer.pk}/")
    assert response.status_code == 302
    assert (
        not TOTPDevice.objects.filter(user=reviewer).exists()
        and not StaticToken.objects.filter(device__user=reviewer).exists()
    )
    entry = ModelLogEntry.objects.get(action=audit.TWO_FACTOR_RESET, object_id=str(reviewer.pk))
    assert entry.user_id == root.pk

    client.logout()
    log_in(client, "sp-reviewer")
    assert client.get("/review/")["Location"].startswith("/accounts/2fa/setup/")


@pytest.mark.parametrize("value, expected", [(None, "True"), ("false", "False"), ("true", "True")])
def test_production_requires_two_factor_unless_turned_off(value, expected):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "prod-test-" + "k" * 60,
    }
    if value is not None:
        env["TWO_FACTOR_REQUIRED"] = value
    code = "import django; django.setup(); from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == expected, out.stderr
