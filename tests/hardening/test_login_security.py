"""Lockout after repeated failures, password rules, idle session timeout — all configurable."""

import datetime
import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from catalogue.models import Role
from ops import audit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lockout_after_three(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = 0.5  # hours
    settings.LOGIN_CAPTCHA_AFTER = 2


def solve_captcha(client, url="/accounts/login/") -> dict:
    """What a person reads off the picture: the answer the server stored for the key in the form."""
    from captcha.models import CaptchaStore

    page = client.get(url).content.decode()
    match = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page)
    assert match, "the login form shows no captcha"
    return {"captcha_0": match.group(1), "captcha_1": CaptchaStore.objects.get(hashkey=match.group(1)).response}


def test_a_staff_account_is_locked_after_repeated_failures_even_with_the_right_password(client, lockout_after_three):
    user = factories.user(Role.COUNTY_REVIEWER, username="target")
    for _ in range(2):
        client.post("/accounts/login/", {"username": "target", "password": "guess"}, REMOTE_ADDR="10.0.0.9")
    # From the third try on the form asks for a captcha first; the lockout follows the user name,
    # whatever address the next guess comes from.
    response = client.post(
        "/accounts/login/",
        {"username": "target", "password": "guess", **solve_captcha(client)},
        REMOTE_ADDR="10.0.0.10",
    )
    assert response.status_code == 429
    assert "已暂时锁定" in response.content.decode() and "30 分钟" in response.content.decode()

    response = client.post(
        "/accounts/login/",
        {"username": "target", "password": "Pass#word123", **solve_captcha(client)},
        REMOTE_ADDR="10.0.0.11",
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert ModelLogEntry.objects.filter(action=audit.LOCKED_OUT, object_id=str(user.pk)).exists()


def test_lockout_covers_the_admin_login_as_well(client, lockout_after_three):
    factories.user(Role.RESOURCE_ADMIN, username="boss", region="")
    for _ in range(2):
        client.post("/admin/login/", {"username": "boss", "password": "guess"}, REMOTE_ADDR="10.0.0.7")
    page = client.get("/admin/login/").content.decode()
    assert "图形验证码" in page and "/captcha/image/" in page  # Wagtail's login form shows it too
    client.post("/admin/login/", {"username": "boss", "password": "guess", **solve_captcha(client, "/admin/login/")})
    response = client.post(
        "/admin/login/", {"username": "boss", "password": "Pass#word123", **solve_captcha(client, "/admin/login/")}
    )
    assert response.status_code == 429


def test_a_pupil_is_never_locked_out_but_must_solve_the_captcha(client, lockout_after_three):
    factories.user(Role.STUDENT, username="pupil-a")
    for _ in range(2):
        client.post("/accounts/login/", {"username": "pupil-a", "password": "guess"}, REMOTE_ADDR="10.20.0.1")
    # Without the captcha, even the right password is not checked.
    response = client.post(
        "/accounts/login/", {"username": "pupil-a", "password": "Pass#word123"}, REMOTE_ADDR="10.20.0.1"
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "请输入图形验证码" in response.content.decode()
    # A wrong captcha: refused before the password, which is therefore not counted as a failure.
    failures = ModelLogEntry.objects.filter(action=audit.LOGIN_FAILED).count()
    wrong = {**solve_captcha(client), "captcha_1": "999"}
    response = client.post("/accounts/login/", {"username": "pupil-a", "password": "Pass#word123", **wrong})
    assert response.status_code == 200 and "图形验证码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert ModelLogEntry.objects.filter(action=audit.LOGIN_FAILED).count() == failures
    # Far past the staff lockout limit, a pupil with a solved captcha and the right password gets in.
    for _ in range(5):
        client.post("/accounts/login/", {"username": "pupil-a", "password": "guess", **solve_captcha(client)})
    response = client.post(
        "/accounts/login/",
        {"username": "pupil-a", "password": "Pass#word123", **solve_captcha(client)},
        REMOTE_ADDR="10.20.0.1",
    )
    assert response.status_code == 302 and client.session["_auth_user_id"]


def test_pupils_behind_the_same_school_address_are_not_held_up_by_one_account(lockout_after_three):
    from django.test import Client

    factories.user(Role.STUDENT, username="pupil-a")
    factories.user(Role.STUDENT, username="pupil-b")
    lab_pc, other_pc = Client(), Client()
    for _ in range(6):
        lab_pc.post("/accounts/login/", {"username": "pupil-a", "password": "guess"}, REMOTE_ADDR="10.20.0.1")
    page = other_pc.get("/accounts/login/", REMOTE_ADDR="10.20.0.1").content.decode()
    assert "captcha_0" not in page
    response = other_pc.post(
        "/accounts/login/", {"username": "pupil-b", "password": "Pass#word123"}, REMOTE_ADDR="10.20.0.1"
    )
    assert response.status_code == 302


def test_many_failures_from_one_address_bring_the_captcha_to_that_address(settings):
    from django.test import Client

    settings.LOGIN_CAPTCHA_ADDRESS_AFTER = 5
    factories.user(Role.STUDENT, username="pupil-c")
    for n in range(5):  # a script trying many names from one address
        Client().post("/accounts/login/", {"username": f"nobody{n}", "password": "x"}, REMOTE_ADDR="10.30.0.1")
    newcomer = Client()
    assert "captcha_0" in newcomer.get("/accounts/login/", REMOTE_ADDR="10.30.0.1").content.decode()
    assert "captcha_0" not in Client().get("/accounts/login/", REMOTE_ADDR="10.30.0.2").content.decode()
    response = newcomer.post(
        "/accounts/login/", {"username": "pupil-c", "password": "Pass#word123"}, REMOTE_ADDR="10.30.0.1"
    )
    assert response.status_code == 200 and "_auth_user_id" not in newcomer.session


def test_a_successful_login_resets_the_failure_count(client, lockout_after_three):
    factories.user(Role.COUNTY_REVIEWER, username="forgetful")
    client.post("/accounts/login/", {"username": "forgetful", "password": "guess"})
    assert client.post("/accounts/login/", {"username": "forgetful", "password": "Pass#word123"}).status_code == 302
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "forgetful", "password": "guess"})
    assert client.post("/accounts/login/", {"username": "forgetful", "password": "Pass#word123"}).status_code == 302


@pytest.mark.parametrize(
    "password, ok",
    [
        ("Pass#word123", True),
        ("Zmd#demo2026", True),
        ("Short#1a", False),  # too short (< 10)
        ("alllowercaseletters", False),  # one character class
        ("lowercase2026x", False),  # two classes
        ("Lowercase2026x", True),  # three classes
    ],
)
def test_password_rules(password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_password_rules_follow_settings(settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 14}},
        {"NAME": "ops.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 4}},
    ]
    with pytest.raises(ValidationError) as exc:
        validate_password("Lowercase2026x")
    assert any("4 类" in m for m in exc.value.messages)
    validate_password("Lowercase#2026x")


def test_the_chinese_help_text_names_the_rule():
    with pytest.raises(ValidationError) as exc:
        validate_password("abcdefghijk")
    assert any("密码须至少包含" in m for m in exc.value.messages)


def test_idle_session_expires_and_activity_extends_it(client, settings):
    factories.user(Role.RESOURCE_ADMIN, username="idle", region="")
    assert settings.SESSION_COOKIE_AGE == 2 * 60 * 60  # default idle timeout: 2 hours
    client.post("/accounts/login/", {"username": "idle", "password": "Pass#word123"})
    session = Session.objects.get(session_key=client.session.session_key)

    # Activity after the refresh interval pushes the expiry forward.
    s = client.session
    s["_ops_last_refresh"] = 0
    s.save()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + datetime.timedelta(minutes=5))
    assert client.get("/admin/").status_code == 200
    renewed = Session.objects.get(pk=session.pk).expire_date
    assert renewed > timezone.now() + datetime.timedelta(minutes=110)

    # Two idle hours later the session has expired: back to the login page.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_session_cookie_ends_with_the_browser(client):
    factories.user(username="cookie")
    response = client.post("/accounts/login/", {"username": "cookie", "password": "Pass#word123"})
    cookie = response.cookies["sessionid"]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert cookie["httponly"]


BAD_PASSWORDS = ["abc", "wangjing2026", "12345678901", "password123", "Password", "alllowercaseletters"]


def test_every_password_rule_message_is_chinese():
    """Each validator's message, as a teacher sees it when a password is refused, is Chinese."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import password_validators_help_texts

    account = get_user_model()(username="wangjing2026", first_name="wangjing", email="wangjing@example.com")
    messages = []
    for password in BAD_PASSWORDS:
        with pytest.raises(ValidationError) as exc:
            validate_password(password, user=account)
        messages += exc.value.messages
    messages += password_validators_help_texts()
    assert any("太短" in m for m in messages) and any("太常见" in m for m in messages)
    english = [m for m in messages if re.search(r"[A-Za-z]{3,}", m)]
    assert not english, english
